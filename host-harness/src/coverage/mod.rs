//! `logref coverage`: how much of a user's traffic the catalog names, and
//! what the rest looks like.
//!
//! One pass over the input, in constant memory in the number of lines:
//! every line goes through the engine the plugin runs ([`Matcher`]); the
//! identified ones are counted by input file, product and program and by
//! how they matched; the others are masked and grouped into shapes online
//! ([`shape`], [`drain`]). The report ([`report`]) is text, JSON or one
//! self-contained HTML page; [`suggest`] writes the largest shapes as draft
//! entries of a user catalog, which `logref compile --catalog` accepts as
//! written, so the loop is: coverage, suggest, review, compile, coverage.
//!
//! Input is plain lines or NDJSON records (Fluent Bit's and Vector's JSON
//! output): a line that is a JSON object with a text field (`log`,
//! `message`, `msg`, as the plugin reads them) is a record, and its
//! `ident`, `pid`, `msgid` and `extradata` are the split syslog fields, as
//! in the plugin.

pub mod drain;
pub mod grouping;
pub mod html;
pub mod report;
pub mod shape;
pub mod suggest;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use logref_engine::{Cache, Matcher, SplitFields};

use drain::{Message, Miner, Params, Pos};
pub use report::{Report, Tally};

/// How input lines are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Input {
    /// A JSON object with a text field is a record; any other line is a log line.
    Auto,
    /// Every line is a log line.
    Lines,
    /// Every line is a JSON record (a line that is not is counted and skipped).
    Ndjson,
}

/// Programs counted apart; more go to one row, so a stream of random tags
/// cannot grow the report without bound.
pub const MAX_PROGRAMS: usize = 10_000;
/// The row of the programs past [`MAX_PROGRAMS`].
pub const OTHER_PROGRAMS: &str = "(other programs)";
/// The row of lines without a program.
pub const NO_PROGRAM: &str = "(no program)";
/// The product row of unidentified lines.
pub const NOT_IDENTIFIED: &str = "(not identified)";

/// The counting and grouping of one run, fed one line at a time.
pub struct Coverage<'m> {
    matcher: &'m Matcher,
    cache: Cache,
    /// `vendor product` of each entry.
    products: Vec<String>,
    input: Input,
    text_fields: Vec<String>,
    miner: Miner,
    report: Report,
}

impl<'m> Coverage<'m> {
    pub fn new(matcher: &'m Matcher, input: Input, params: Params) -> Coverage<'m> {
        Coverage {
            matcher,
            cache: Cache::new(),
            products: matcher
                .entries()
                .iter()
                .map(|e| format!("{} {}", e.vendor, e.product))
                .collect(),
            input,
            text_fields: logref_plugin::config::Config::default().text_fields,
            miner: Miner::new(params),
            report: Report::default(),
        }
    }

    /// Starts counting the lines of another input.
    pub fn start_file(&mut self, name: &str) {
        self.report.files.push((name.to_string(), Tally::default()));
    }

    /// Counts one line (without its line end) of the current file.
    pub fn add_line(&mut self, bytes: &[u8], line_no: u64) {
        if self.report.files.is_empty() {
            self.start_file("-");
        }
        let file = self.report.files.len() - 1;
        let text = String::from_utf8_lossy(bytes);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            self.report.not_utf8 += 1;
        }
        if text.trim().is_empty() {
            self.report.empty += 1;
            return;
        }
        let record = match self.input {
            Input::Lines => None,
            Input::Auto if !text.starts_with('{') => None,
            Input::Auto | Input::Ndjson => Record::parse(&text, &self.text_fields),
        };
        if self.input == Input::Ndjson && record.is_none() {
            self.report.not_records += 1;
            return;
        }
        let (message, split) = match &record {
            Some(r) => (r.text.as_str(), r.split()),
            None => (&*text, None),
        };
        let m = self.matcher.match_with(message, split, &mut self.cache);
        let (program, outcome) = match &m {
            Some(m) => {
                let product = self.products[m.entry].as_str();
                (
                    m.header.program,
                    Outcome::Identified(product, m.kind, !m.relaxed.is_empty()),
                )
            }
            None => {
                let u = Unidentified::of(message, split);
                let pos = Pos {
                    file,
                    line: line_no,
                };
                u.group(&mut self.miner, &text, pos);
                (u.program, Outcome::Unmatched)
            }
        };
        self.report.count(program, &outcome);
        if let Some(m) = m {
            self.cache.recycle(m);
        }
    }

    /// The report: counts, and the shapes largest first.
    pub fn finish(self) -> Report {
        let mut report = self.report;
        report.overflow = self.miner.overflow();
        report.shapes = self.miner.into_ranked();
        report
    }
}

/// What the miner reads of a line the catalog does not know.
pub struct Unidentified<'a> {
    /// From the syslog header, or the record's `ident`.
    pub program: Option<&'a str>,
    /// The text after the header (a record's whole text).
    pub message: &'a str,
    /// From the PRI.
    pub severity: Option<u8>,
}

impl<'a> Unidentified<'a> {
    /// `text` with its header taken off, or a record's text and fields.
    pub fn of(text: &'a str, split: Option<SplitFields<'a>>) -> Unidentified<'a> {
        let h = logref_engine::syslog::parse(text);
        let (program, message) = match split {
            Some(s) => (s.program, text),
            None => (h.program, &text[h.msg_start..]),
        };
        Unidentified {
            program,
            message,
            severity: h.severity(),
        }
    }

    /// Adds it to `miner`; its shape (`None`: past the shape limit).
    pub fn group(&self, miner: &mut Miner, line: &str, pos: Pos) -> Option<usize> {
        let mut pieces = Vec::new();
        shape::tokenize(self.message, &mut pieces);
        miner.add(&Message {
            program: self.program,
            pieces: &pieces,
            line,
            pos,
            severity: self.severity,
        })
    }
}

/// What became of a line.
pub enum Outcome<'a> {
    /// Its product, how it matched, whether the match was relaxed.
    Identified(&'a str, logref_engine::MatchKind, bool),
    Unmatched,
}

/// An NDJSON record's text and split syslog fields.
struct Record {
    text: String,
    ident: Option<String>,
    pid: Option<String>,
    msgid: Option<String>,
    extradata: Option<String>,
}

impl Record {
    fn parse(line: &str, text_fields: &[String]) -> Option<Record> {
        let serde_json::Value::Object(map) = serde_json::from_str(line).ok()? else {
            return None;
        };
        let text = text_fields
            .iter()
            .find_map(|f| map.get(f)?.as_str())?
            .to_string();
        let field = |k: &str| match map.get(k)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        Some(Record {
            text,
            ident: field("ident"),
            pid: field("pid"),
            msgid: field("msgid"),
            extradata: field("extradata"),
        })
    }

    fn split(&self) -> Option<SplitFields<'_>> {
        self.ident.as_deref().map(|p| SplitFields {
            program: Some(p),
            pid: self.pid.as_deref(),
            msgid: self.msgid.as_deref(),
            structured_data: self.extradata.as_deref(),
        })
    }
}

/// What `logref coverage` was asked for.
#[derive(clap::Args)]
pub struct CoverageArgs {
    /// Log files, plain lines or NDJSON records (`-` or none: standard input).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use this artifact (`logref compile --out`) instead of the embedded one.
    #[arg(long)]
    pub artifact: Option<PathBuf>,
    /// How lines are read.
    #[arg(long, value_enum, default_value_t = Input::Auto)]
    pub input: Input,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the report as one self-contained HTML page.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Also write the largest shapes as draft entries of a user catalog (YAML), for `logref compile --catalog`.
    #[arg(long, value_name = "OUT.yaml")]
    pub suggest: Option<PathBuf>,
    /// How many programs and shapes the report shows, and how many drafts --suggest writes.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub top: u32,
    /// Depth of the shape tree as drain3 counts it: lines are routed by their first DEPTH-3 tokens.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(3..=32))]
    pub depth: u32,
    /// Share of equal tokens (0-1) a line needs to join a shape (drain3's sim_th).
    #[arg(long, default_value_t = 0.4, value_parser = crate::unit_interval)]
    pub similarity: f64,
    /// Children of a tree node before new words share its wildcard branch (drain3's max_children).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_children: u32,
    /// Shapes kept; unmatched lines that would need more are counted, not grouped (bounds memory).
    #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_shapes: u32,
}

impl CoverageArgs {
    fn params(&self) -> Params {
        Params {
            depth: self.depth as usize,
            similarity: self.similarity,
            max_children: self.max_children as usize,
            max_shapes: self.max_shapes as usize,
        }
    }
}

/// Runs `logref coverage`.
pub fn run(args: &CoverageArgs) -> Result<()> {
    let matcher = crate::load_matcher(args.artifact.as_deref())?;
    let files = crate::input::files_or_stdin(&args.files);
    let mut cov = Coverage::new(&matcher, args.input, args.params());
    let top = args.top as usize;
    let progress = Progress::new(&files);
    for path in &files {
        let (mut reader, _) = crate::input::open(path)?;
        let name = path.display().to_string();
        cov.start_file(&name);
        crate::input::for_each_line(reader.as_mut(), &name, |line, n, read| {
            progress.advance(read as u64);
            cov.add_line(line, n);
            Ok(())
        })?;
    }
    progress.finish();
    let report = cov.finish();
    let names: Vec<String> = report.files.iter().map(|(n, _)| n.clone()).collect();
    if let Some(out) = &args.suggest {
        let drafts = suggest::drafts(&report.shapes, top);
        let origin = suggest::Origin {
            files: &names,
            lines: report.total.lines,
            unmatched: report.total.unmatched,
        };
        std::fs::write(out, suggest::yaml(&drafts, &origin))
            .with_context(|| out.display().to_string())?;
        eprintln!("wrote {} draft entries to {}", drafts.len(), out.display());
    }
    if let Some(out) = &args.html {
        std::fs::write(out, html::page(&report, top)).with_context(|| out.display().to_string())?;
        eprintln!("wrote {}", out.display());
    }
    let text = if args.json {
        serde_json::to_string_pretty(&report.to_json(top))? + "\n"
    } else {
        report.text(top)
    };
    // SIGPIPE is the default action (main.rs): `| head` ends quietly.
    print!("{text}");
    Ok(())
}

/// A progress bar on a terminal (bytes of the named files, or lines read
/// from stdin); nothing otherwise.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(files: &[PathBuf]) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let sizes: Option<u64> = files
            .iter()
            .map(|p| {
                std::fs::metadata(p)
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
            })
            .sum();
        let bar = match sizes {
            Some(total) => indicatif::ProgressBar::new(total).with_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("a valid template"),
            ),
            None => indicatif::ProgressBar::new_spinner().with_style(
                indicatif::ProgressStyle::with_template("{spinner} {bytes} read, {bytes_per_sec}")
                    .expect("a valid template"),
            ),
        };
        Progress(Some(bar))
    }

    fn advance(&self, bytes: u64) {
        if let Some(b) = &self.0 {
            b.inc(bytes);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Counts by key, with the keys past `max` in `other`.
pub(crate) fn bounded<'a>(
    map: &'a mut BTreeMap<String, Tally>,
    key: &str,
    max: usize,
    other: &str,
) -> &'a mut Tally {
    if map.contains_key(key) {
        return map.get_mut(key).expect("present");
    }
    let key = if map.len() >= max { other } else { key };
    map.entry(key.to_string()).or_default()
}

//! `logref score`: how well the catalog names the lines that real devices
//! and daemons wrote.
//!
//! The generated corpus only shows that the engine is exact on lines made
//! from its own templates. `fixtures/real/` holds lines collected from
//! public material (bug reports, documentation, other projects' test data),
//! each with its source, the entry it must be identified as (or `NONE` for a
//! near miss) and a class saying how it deviates from the document. This
//! module reads those files, runs every line through the engine and tallies
//! the outcome per class, per group of classes (the targets the README
//! states) and per file. The report is plain, deterministic text, so a test
//! can pin it (`fixtures/real/SCORE.txt`) and any change in what is
//! identified shows up in review.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use logref_engine::Matcher;
use serde::Deserialize;

/// The groups of classes the README sets targets for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The documented text; header, PID, program, values, case or blanks differ.
    Relaxed,
    /// The daemon added text.
    AddedText,
    /// Another release's or fork's wording, another connection name.
    OtherWording,
    NearMiss,
}

impl Group {
    /// The groups of documented lines, in report order: name and target.
    pub const DOCUMENTED: [(Group, &'static str, Option<f64>); 3] = [
        (
            Group::Relaxed,
            "documented text; header, PID, program, values, case or blanks differ",
            Some(97.0),
        ),
        (
            Group::AddedText,
            "the daemon added text (trailing, inserted)",
            Some(85.0),
        ),
        (
            Group::OtherWording,
            "other wording (another release or fork, another connection name)",
            None,
        ),
    ];
}

/// How a line deviates from its documented template, and its group.
pub const CLASSES: &[(&str, Group)] = &[
    ("exact", Group::Relaxed),
    ("pid", Group::Relaxed),
    ("program", Group::Relaxed),
    ("no-program", Group::Relaxed),
    ("header", Group::Relaxed),
    ("value", Group::Relaxed),
    ("case", Group::Relaxed),
    ("blanks", Group::Relaxed),
    ("trailing", Group::AddedText),
    ("inserted", Group::AddedText),
    ("connection-name", Group::OtherWording),
    ("other-version", Group::OtherWording),
    ("near-miss", Group::NearMiss),
];

/// Near misses that must stay unmatched, in percent.
pub const NEAR_MISS_TARGET: f64 = 99.0;

/// One collected line, as written in `fixtures/real/*.jsonl`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealLine {
    pub line: String,
    /// A catalog key, or `NONE`.
    pub expect: String,
    pub class: String,
    /// Where the line was found (URL, or `github:owner/repo path`).
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
    /// The file and 1-based line it was read from.
    #[serde(skip)]
    pub at: (String, usize),
}

impl RealLine {
    pub fn expected_key(&self) -> Option<&str> {
        (self.expect != "NONE").then_some(self.expect.as_str())
    }
}

/// What the engine made of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Identified as the expected entry.
    Correct,
    /// A documented line left unmatched.
    Missed,
    /// Identified as another entry.
    Wrong(String),
    /// A near miss left unmatched.
    Rejected,
    /// A near miss identified as an entry.
    FalseMatch(String),
}

/// `paths` with each directory replaced by its `*.jsonl` files, in name
/// order.
pub fn jsonl_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| p.display().to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "jsonl"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Reads every `*.jsonl` file of `paths` (files or directories), in name
/// order; an error names the file and line of a bad record.
pub fn load(paths: &[PathBuf], known_keys: &dyn Fn(&str) -> bool) -> Result<Vec<RealLine>> {
    let files = jsonl_files(paths)?;
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).with_context(|| f.display().to_string())?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (i, raw) in text.lines().enumerate() {
            let at = format!("{}:{}", f.display(), i + 1);
            if raw.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<RealLine>(raw) {
                Ok(mut l) => {
                    if !CLASSES.iter().any(|(c, _)| *c == l.class) {
                        errors.push(format!("{at}: class: unknown class {:?}", l.class));
                    }
                    if (l.class == "near-miss") != (l.expect == "NONE") {
                        errors.push(format!(
                            "{at}: expect: a near miss expects NONE, every other class a key"
                        ));
                    }
                    if let Some(k) = l.expected_key() {
                        if !known_keys(k) {
                            errors.push(format!("{at}: expect: {k:?} is not in the catalog"));
                        }
                    }
                    if l.source.trim().is_empty() {
                        errors.push(format!("{at}: source: empty"));
                    }
                    l.at = (name.clone(), i + 1);
                    lines.push(l);
                }
                Err(e) => errors.push(format!("{at}: {e}")),
            }
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(lines)
}

/// The engine's verdict on `line`.
pub fn judge(m: &Matcher, line: &RealLine) -> Outcome {
    let got = m
        .match_line(&line.line)
        .map(|r| m.entries()[r.entry].key.clone());
    match (line.expected_key(), got) {
        (Some(want), Some(got)) if got == want => Outcome::Correct,
        (Some(_), Some(got)) => Outcome::Wrong(got),
        (Some(_), None) => Outcome::Missed,
        (None, None) => Outcome::Rejected,
        (None, Some(got)) => Outcome::FalseMatch(got),
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    lines: usize,
    correct: usize,
    missed: usize,
    wrong: usize,
    rejected: usize,
    false_match: usize,
}

impl Tally {
    fn add(&mut self, o: &Outcome) {
        self.lines += 1;
        match o {
            Outcome::Correct => self.correct += 1,
            Outcome::Missed => self.missed += 1,
            Outcome::Wrong(_) => self.wrong += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::FalseMatch(_) => self.false_match += 1,
        }
    }

    /// Lines handled right, in percent.
    fn share(&self) -> f64 {
        if self.lines == 0 {
            return 100.0;
        }
        100.0 * (self.correct + self.rejected) as f64 / self.lines as f64
    }

    fn row(&self, name: &str) -> String {
        format!(
            "{name:<18} {:>5} {:>8} {:>7} {:>6} {:>10} {:>8} {:>6.1}%",
            self.lines,
            self.correct,
            self.missed,
            self.wrong,
            self.rejected,
            self.false_match,
            self.share()
        )
    }
}

const HEADER: &str = "                   lines  correct  missed  wrong  unmatched  matched  right";

/// The report: per class, per group (with the targets), per file.
pub fn report(lines: &[RealLine], outcomes: &[Outcome]) -> String {
    let mut by_class: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_file: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for (l, o) in lines.iter().zip(outcomes) {
        by_class.entry(l.class.as_str()).or_default().add(o);
        by_file.entry(l.at.0.as_str()).or_default().add(o);
        all.add(o);
    }
    let documented = lines.iter().filter(|l| l.expected_key().is_some()).count();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "real lines: {} ({} documented, {} near misses) in {} files",
        lines.len(),
        documented,
        lines.len() - documented,
        by_file.len()
    );
    let _ = writeln!(
        s,
        "(correct/missed/wrong: documented lines; unmatched/matched: near misses; right: both)\n"
    );
    let _ = writeln!(s, "by class\n{HEADER}");
    for (c, _) in CLASSES {
        if let Some(t) = by_class.get(c) {
            let _ = writeln!(s, "{}", t.row(c));
        }
    }
    let _ = writeln!(s, "{}", all.row("all"));
    let _ = writeln!(s, "\nby group (target)");
    for (group, name, target) in Group::DOCUMENTED {
        let mut t = Tally::default();
        for (c, _) in CLASSES.iter().filter(|(_, g)| *g == group) {
            if let Some(x) = by_class.get(c) {
                t.lines += x.lines;
                t.correct += x.correct;
                t.missed += x.missed;
                t.wrong += x.wrong;
            }
        }
        let verdict = match target {
            None => "reported".to_string(),
            Some(target) if t.share() >= target => format!("target {target}%: met"),
            Some(target) => format!("target {target}%: NOT met"),
        };
        let _ = writeln!(
            s,
            "  {:>5.1}% of {:>3}  {name} [{verdict}]",
            t.share(),
            t.lines
        );
    }
    let nm = by_class.get("near-miss").copied().unwrap_or_default();
    let _ = writeln!(
        s,
        "  {:>5.1}% of {:>3}  near misses left unmatched [target {NEAR_MISS_TARGET}%: {}]",
        nm.share(),
        nm.lines,
        if nm.share() >= NEAR_MISS_TARGET {
            "met"
        } else {
            "NOT met"
        }
    );
    let _ = writeln!(s, "\nby file\n{HEADER}");
    for (f, t) in &by_file {
        let _ = writeln!(s, "{}", t.row(f.trim_end_matches(".jsonl")));
    }
    s
}

/// Every line handled wrongly, one per line: where, class, expected, got.
pub fn failures(lines: &[RealLine], outcomes: &[Outcome]) -> String {
    let mut s = String::new();
    for (l, o) in lines.iter().zip(outcomes) {
        let got = match o {
            Outcome::Correct | Outcome::Rejected => continue,
            Outcome::Missed => "nothing".to_string(),
            Outcome::Wrong(k) | Outcome::FalseMatch(k) => k.clone(),
        };
        let _ = writeln!(
            s,
            "{}:{} [{}] expected {}, got {}\n    {}",
            l.at.0, l.at.1, l.class, l.expect, got, l.line
        );
    }
    s
}

/// The checked-in report the tests compare with.
pub fn score_file(dir: &Path) -> PathBuf {
    dir.join("SCORE.txt")
}

/// Scores `paths` with `m`: (report, failures).
pub fn run(m: &Matcher, paths: &[PathBuf]) -> Result<(String, String)> {
    let keys: std::collections::HashSet<&str> =
        m.entries().iter().map(|e| e.key.as_str()).collect();
    let lines = load(paths, &|k| keys.contains(k))?;
    let outcomes: Vec<Outcome> = lines.iter().map(|l| judge(m, l)).collect();
    Ok((report(&lines, &outcomes), failures(&lines, &outcomes)))
}

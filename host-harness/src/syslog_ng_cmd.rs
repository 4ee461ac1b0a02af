//! `logref export patterndb` and the `syslog-ng` peer: the catalog as a
//! syslog-ng pattern database, checked with syslog-ng's own `pdbtool`, and
//! a real `syslog-ng` run over a corpus to compare its answers and speed
//! with the plugin's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use logref_syslog_ng::{Example, Export, Options};

/// Where `logref export patterndb` writes by default.
pub fn default_out() -> PathBuf {
    PathBuf::from("examples/syslog-ng")
}

/// The corpus messages of each entry as syslog-ng sees them: program and
/// message after the header (RFC 3164 and Junos BSD forms of the
/// generated corpus).
pub fn corpus_examples() -> Result<BTreeMap<String, Vec<Example>>> {
    let path = crate::repo_root().join("fixtures/generated/corpus.jsonl");
    let mut out: BTreeMap<String, Vec<Example>> = BTreeMap::new();
    for case in crate::check::load_cases(&path)? {
        let Some(key) = case.key else { continue };
        if case.form != "rfc3164" && case.form != "junos-bsd" {
            continue;
        }
        let h = logref_engine::syslog::parse(&case.line);
        out.entry(key).or_default().push(Example {
            program: h.program.unwrap_or("").to_string(),
            message: case.line[h.msg_start..].to_string(),
            params: case.params,
        });
    }
    Ok(out)
}

/// Generates the database and configuration for the artifact (the
/// embedded default when `None`). When `pdbtool` is installed, the
/// database is tested with it, and the test messages it fails on (another
/// rule's pattern matches them too, or a parser cuts a value short: the
/// README counts them) are left out, so that `pdbtool test` passes on
/// what is written; the second element lists them.
pub fn generate(
    artifact: Option<&Path>,
    dir: &str,
    log_file: &str,
    out_file: &str,
) -> Result<(Export, Vec<String>)> {
    let matcher = crate::load_matcher(artifact)?;
    let mut options = Options {
        examples: corpus_examples()?,
        log_file: log_file.to_string(),
        out_file: out_file.to_string(),
        dir: dir.to_string(),
        ..Options::default()
    };
    let ex = logref_syslog_ng::export(matcher.tables(), &options);
    let Some(failed) = pdbtool_failures(&ex)? else {
        eprintln!(
            "logref: pdbtool not found (Debian: syslog-ng-core); the test messages are not checked"
        );
        return Ok((ex, Vec::new()));
    };
    if failed.is_empty() {
        return Ok((ex, failed));
    }
    options.omit_examples = failed.iter().cloned().collect();
    let ex = logref_syslog_ng::export(matcher.tables(), &options);
    if let Some(still) = pdbtool_failures(&ex)? {
        if !still.is_empty() {
            bail!("pdbtool test still fails on {}", still.join(", "));
        }
    }
    Ok((ex, failed))
}

/// Runs `pdbtool test` on the export: the rule ids whose test message
/// fails, or `None` when pdbtool is not installed.
pub fn pdbtool_failures(ex: &Export) -> Result<Option<Vec<String>>> {
    let dir = scratch_dir("pdbtool");
    std::fs::create_dir_all(&dir)?;
    let pdb = dir.join(logref_syslog_ng::PDB_FILE);
    std::fs::write(&pdb, &ex.pdb)?;
    let out = match Command::new("pdbtool").arg("test").arg(&pdb).output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).context("running pdbtool test"),
    };
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let by_message: BTreeMap<(&str, &str), &str> = ex
        .examples
        .iter()
        .map(|(id, p, m)| ((p.as_str(), m.as_str()), id.as_str()))
        .collect();
    let mut failed = Vec::new();
    let mut current: Option<&str> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Testing message: program='") {
            current = rest
                .split_once("' message='")
                .and_then(|(p, m)| by_message.get(&(p, m.strip_suffix('\'').unwrap_or(m))))
                .copied();
        } else if line.starts_with(' ') {
            if let Some(id) = current.take() {
                failed.push(id.to_string());
            }
        }
    }
    if !out.status.success() && failed.is_empty() {
        bail!(
            "pdbtool test failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(Some(failed))
}

pub fn export(out: &Path, artifact: Option<&Path>, log_file: &str, out_file: &str) -> Result<()> {
    let dir = out.to_string_lossy().trim_end_matches('/').to_string();
    let (ex, failed) = generate(artifact, &dir, log_file, out_file)?;
    ex.write(out)
        .with_context(|| format!("writing into {}", out.display()))?;
    let s = &ex.stats;
    println!(
        "wrote {dir}/{}, {dir}/{}",
        logref_syslog_ng::PDB_FILE,
        logref_syslog_ng::CONF_FILE
    );
    println!(
        "  {} rulesets, {} rules, {} patterns, {} rules with a test message; {} entries without a rule",
        s.rulesets, s.rules, s.patterns, s.examples, s.entries_without_rule
    );
    if !failed.is_empty() {
        println!(
            "  {} test messages left out: pdbtool test fails on them (another rule matches too, or a value is cut short):",
            failed.len()
        );
        for id in &failed {
            println!("    {id}");
        }
    }
    println!(
        "check it: pdbtool test {dir}/{}",
        logref_syslog_ng::PDB_FILE
    );
    println!(
        "run it:   syslog-ng -F -f {dir}/{}",
        logref_syslog_ng::CONF_FILE
    );
    Ok(())
}

/// A directory of its own for one call (calls run in parallel in tests).
fn scratch_dir(what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("logref-{what}-{}-{n}", std::process::id()))
}

/// The answers of a real `syslog-ng` over `lines`: for each line, in
/// order, the `logref.key` it set (or `None`), and how long syslog-ng took
/// from start to the last output line.
pub struct SyslogNgRun {
    pub keys: Vec<Option<String>>,
    pub elapsed: Duration,
}

/// Runs `syslog-ng` (in the foreground, in a scratch directory) with the
/// example configuration over `lines`, and reads its JSON output back.
/// With `parse == false`, the same pipeline without any `db-parser` (the
/// cost of syslog-ng itself, to tell the database's cost apart).
pub fn run_syslog_ng(
    lines: &[String],
    artifact: Option<&Path>,
    parse: bool,
) -> Result<SyslogNgRun> {
    let work = scratch_dir("syslog-ng");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let input = work.join("in.log");
    let output = work.join("out.jsonl");
    // syslog-ng keeps the order of one file source into one file
    // destination, so output line i is input line i.
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&input, text)?;
    let dir = work.to_string_lossy().to_string();
    // Test messages play no part in matching: no corpus, no pdbtool here.
    let mut ex = logref_syslog_ng::export(
        crate::load_matcher(artifact)?.tables(),
        &Options {
            log_file: input.to_string_lossy().into_owned(),
            out_file: output.to_string_lossy().into_owned(),
            dir: dir.clone(),
            ..Options::default()
        },
    );
    if !parse {
        ex.conf = pipeline_only(&ex.conf);
    }
    ex.write(&work)?;
    let started = Instant::now();
    let mut child = Command::new("syslog-ng")
        .args(["-F", "--no-caps", "-f"])
        .arg(work.join(logref_syslog_ng::CONF_FILE))
        .arg("-R")
        .arg(work.join("persist"))
        .arg("-p")
        .arg(work.join("pid"))
        .arg("-c")
        .arg(work.join("ctl"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting syslog-ng (Debian: apt-get install syslog-ng-core)")?;
    let want = lines.len();
    let mut last_change = Instant::now();
    let mut counter = LineCounter::default();
    let done = loop {
        std::thread::sleep(Duration::from_millis(10));
        let before = counter.lines;
        let n = counter.update(&output);
        if n >= want {
            break true;
        }
        if n != before {
            last_change = Instant::now();
        }
        if let Some(status) = child.try_wait()? {
            bail!(
                "syslog-ng exited early ({status}): {}",
                stderr_of(&mut child)
            );
        }
        if last_change.elapsed() > Duration::from_secs(20) {
            break false;
        }
    };
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    if !done {
        bail!(
            "syslog-ng wrote {} of {want} lines: {}",
            count_lines(&output),
            stderr_of(&mut child)
        );
    }
    let text = std::fs::read_to_string(&output)?;
    let mut keys = Vec::with_capacity(want);
    for l in text.lines().take(want) {
        let v: serde_json::Value =
            serde_json::from_str(l).with_context(|| format!("syslog-ng wrote: {l}"))?;
        keys.push(v["logref"]["key"].as_str().map(str::to_string));
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(SyslogNgRun { keys, elapsed })
}

/// The configuration's source, syslog parsers and destination, without
/// the rewrite and the db-parser steps.
fn pipeline_only(conf: &str) -> String {
    let mut out = String::new();
    let mut skip = 0usize;
    for l in conf.lines() {
        let t = l.trim_start();
        // The definitions of the logref parsers and rewrite, and their
        // steps in the log path, all name `logref` but the source and
        // the destination.
        let is_logref_step = (t.starts_with("parser p_logref")
            || t.starts_with("if (\"${.classifier")
            || t.starts_with("rewrite(r_logref"))
            && skip == 0;
        if t.starts_with("rewrite r_logref") {
            skip = 1;
            continue;
        }
        if skip > 0 {
            if t.starts_with("};") {
                skip = 0;
            }
            continue;
        }
        if is_logref_step {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn count_lines(p: &Path) -> usize {
    LineCounter::default().update(p)
}

/// Counts the lines of a file that grows, reading only what was added.
#[derive(Default)]
struct LineCounter {
    file: Option<std::fs::File>,
    lines: usize,
}

impl LineCounter {
    fn update(&mut self, p: &Path) -> usize {
        use std::io::Read;
        if self.file.is_none() {
            self.file = std::fs::File::open(p).ok();
        }
        if let Some(f) = self.file.as_mut() {
            let mut buf = [0u8; 1 << 16];
            while let Ok(n) = f.read(&mut buf) {
                if n == 0 {
                    break;
                }
                self.lines += buf[..n].iter().filter(|&&c| c == b'\n').count();
            }
        }
        self.lines
    }
}

fn stderr_of(child: &mut std::process::Child) -> String {
    use std::io::Read;
    let mut s = String::new();
    if let Some(e) = child.stderr.as_mut() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

/// One line of a corpus file, with what it should be identified as.
struct CorpusLine {
    line: String,
    /// The corpus file and the line's form or class.
    group: String,
}

/// Reads `{"line", "form"|"class", ...}` JSON Lines from files or
/// directories of them.
fn read_corpus(paths: &[PathBuf]) -> Result<Vec<CorpusLine>> {
    let files = crate::score::jsonl_files(paths)?;
    let mut out = Vec::new();
    for f in &files {
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        for (n, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not JSON", f.display(), n + 1))?;
            let Some(line) = v["line"].as_str() else {
                bail!("{}:{}: no string field `line`", f.display(), n + 1);
            };
            // syslog-ng drops empty lines; a line of blanks is no message.
            if line.trim().is_empty() || line.contains('\n') {
                continue;
            }
            let kind = v["form"].as_str().or(v["class"].as_str()).unwrap_or("-");
            out.push(CorpusLine {
                line: line.to_string(),
                group: format!("{stem}/{kind}"),
            });
        }
    }
    Ok(out)
}

/// Counts of one group of lines.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub lines: usize,
    pub same_entry: usize,
    pub both_none: usize,
    pub logref_only: usize,
    pub syslog_ng_only: usize,
    pub different: usize,
}

impl Agreement {
    /// The share of lines both answer alike.
    pub fn share(&self) -> f64 {
        (self.same_entry + self.both_none) as f64 / self.lines.max(1) as f64
    }
}

/// The plugin's and syslog-ng's answers on a corpus.
pub struct Comparison {
    /// Per `file/form` (or `file/class`).
    pub groups: BTreeMap<String, Agreement>,
    pub total: Agreement,
    /// (group, logref's key, syslog-ng's key, line) where they differ.
    pub differences: Vec<(String, Option<String>, Option<String>, String)>,
}

/// Runs the corpus files through the engine the plugin runs (which
/// `logref check` proves byte-identical to the `.wasm`) and through a real
/// syslog-ng with the exported database and configuration.
pub fn compare(paths: &[PathBuf], artifact: Option<&Path>) -> Result<Comparison> {
    let corpus = read_corpus(paths)?;
    let lines: Vec<String> = corpus.iter().map(|c| c.line.clone()).collect();
    let matcher = crate::load_matcher(artifact)?;
    eprintln!("logref: running syslog-ng over {} lines...", lines.len());
    let run = run_syslog_ng(&lines, artifact, true)?;
    let mut cmp = Comparison {
        groups: BTreeMap::new(),
        total: Agreement::default(),
        differences: Vec::new(),
    };
    for (c, theirs) in corpus.iter().zip(&run.keys) {
        let ours = matcher
            .match_line(&c.line)
            .map(|m| matcher.entries()[m.entry].key.as_str());
        for a in [
            cmp.groups.entry(c.group.clone()).or_default(),
            &mut cmp.total,
        ] {
            a.lines += 1;
            match (ours, theirs.as_deref()) {
                (None, None) => a.both_none += 1,
                (Some(x), Some(y)) if x == y => a.same_entry += 1,
                (Some(_), None) => a.logref_only += 1,
                (None, Some(_)) => a.syslog_ng_only += 1,
                (Some(_), Some(_)) => a.different += 1,
            }
        }
        if ours != theirs.as_deref() {
            cmp.differences.push((
                c.group.clone(),
                ours.map(str::to_string),
                theirs.clone(),
                c.line.clone(),
            ));
        }
    }
    Ok(cmp)
}

/// `logref agreement`: [`compare`], printed.
pub fn agreement(paths: &[PathBuf], artifact: Option<&Path>, show: usize) -> Result<()> {
    let cmp = compare(paths, artifact)?;
    for (group, ours, theirs, line) in cmp.differences.iter().take(show) {
        println!(
            "{group}: logref {} / syslog-ng {}\n  {line}",
            ours.as_deref().unwrap_or("-"),
            theirs.as_deref().unwrap_or("-"),
        );
    }
    println!(
        "{:<40} {:>6} {:>7} {:>6} {:>7} {:>9} {:>6}  agree",
        "file/form", "lines", "same", "none", "logref", "syslog-ng", "other"
    );
    let row = |name: &str, a: &Agreement| {
        println!(
            "{:<40} {:>6} {:>7} {:>6} {:>7} {:>9} {:>6}  {:>5.1}%",
            name,
            a.lines,
            a.same_entry,
            a.both_none,
            a.logref_only,
            a.syslog_ng_only,
            a.different,
            100.0 * a.share()
        );
    };
    for (g, a) in &cmp.groups {
        row(g, a);
    }
    row("all", &cmp.total);
    println!(
        "(same: both name the same entry; none: neither names one; logref/syslog-ng: only that one names an entry; other: different entries)"
    );
    Ok(())
}

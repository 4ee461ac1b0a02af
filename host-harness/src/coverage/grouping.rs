//! `logref grouping`: how well `logref coverage` groups the lines a catalog
//! does not know, against the two miners users already have, on the same
//! lines in the same run.
//!
//! The lines with a known answer are the project's own corpora (generated,
//! device fixtures, real lines), each labelled with its entry. For each
//! source of the built-in catalog in turn, the catalog is compiled without
//! that source's entries; the source's lines that the reduced artifact
//! leaves unidentified are what a user of that vendor would see in
//! `coverage`. Each miner groups them, and the grouping is scored as the
//! Loghub benchmark scores log parsers (Zhu et al., "Tools and Benchmarks
//! for Automated Log Parsing", ICSE-SEIP 2019): a group is right when it
//! holds exactly the lines of one entry, and the grouping accuracy is the
//! share of lines in right groups.
//!
//! The peers read the same lines as `PROGRAM: MESSAGE` (the header taken off
//! by logref's own parser, so no miner is judged on reading headers):
//! - `drain3` (Python, `pip install drain3`) through `scripts/drain3_group.py`,
//!   at its defaults with its example masking;
//! - syslog-ng's `pdbtool patternize -p -o` (Debian `syslog-ng-core`), whose
//!   rules list their member lines when asked for enough samples.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use logref_engine::Matcher;

use super::drain::{Miner, Params, Pos};
use super::Unidentified;

/// What `logref grouping` was asked for.
#[derive(clap::Args)]
pub struct GroupingArgs {
    /// JSON Lines files or directories whose records have `line` and `key` (or `expect`).
    #[arg(default_values_os_t = [
        crate::repo_root().join("fixtures").join("generated").join("corpus.jsonl"),
        crate::repo_root().join("fixtures").join("devices"),
        crate::repo_root().join("fixtures").join("real"),
    ])]
    pub paths: Vec<PathBuf>,
    /// Leave out only this source (a catalog source name; repeatable). Default: each in turn.
    #[arg(long = "leave-out", value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// The Python that has drain3 installed.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// syslog-ng's pdbtool.
    #[arg(long, default_value = "pdbtool")]
    pub pdbtool: String,
    /// Only logref's own grouping (no peers).
    #[arg(long)]
    pub no_peers: bool,
    /// Print logref's first N wrong groups of each source (their lines and entries).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub show: usize,
    /// Also write each source's left-out lines, as the peers read them (SOURCE.log), and each line's entry and logref group (SOURCE.groups.tsv) into this directory.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// Loghub's grouping accuracy: the share of lines whose group holds
/// exactly the lines of their entry. `truth` and `groups` are per line.
pub fn grouping_accuracy<T: Eq + std::hash::Hash, G: Eq + std::hash::Hash>(
    truth: &[T],
    groups: &[G],
) -> f64 {
    assert_eq!(truth.len(), groups.len());
    if truth.is_empty() {
        return 1.0;
    }
    let mut truth_size: HashMap<&T, usize> = HashMap::new();
    for t in truth {
        *truth_size.entry(t).or_default() += 1;
    }
    let mut members: HashMap<&G, Vec<&T>> = HashMap::new();
    for (t, g) in truth.iter().zip(groups) {
        members.entry(g).or_default().push(t);
    }
    let right: usize = members
        .values()
        .filter(|ts| ts.iter().all(|t| *t == ts[0]) && truth_size[ts[0]] == ts.len())
        .map(|ts| ts.len())
        .sum();
    right as f64 / truth.len() as f64
}

/// A labelled line of a corpus.
struct Labelled {
    line: String,
    /// Its catalog entry.
    key: String,
    /// Its template in Loghub's sense: the entry, and whether the message
    /// is written as the template's text or as key=value pairs or
    /// structured data (the generated corpus's `*-kv*` and
    /// `junos-structured` forms). One event rendered two ways is two
    /// templates, and no miner can be asked to group them.
    label: String,
}

/// The labelled lines of one path (a file or a directory of files).
fn read_corpus(path: &Path) -> Result<Vec<Labelled>> {
    let mut out = Vec::new();
    for file in crate::score::jsonl_files(&[path.to_path_buf()])? {
        let text = std::fs::read_to_string(&file).with_context(|| file.display().to_string())?;
        for (n, l) in text.lines().enumerate() {
            if l.trim().is_empty() || l.starts_with("//") {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(l).with_context(|| format!("{}:{}", file.display(), n + 1))?;
            let key = v.get("key").or_else(|| v.get("expect"));
            if let (Some(line), Some(key)) = (v["line"].as_str(), key.and_then(|k| k.as_str())) {
                if key != "NONE" {
                    let form = v["form"].as_str().unwrap_or("");
                    let rendering = if form.contains("kv") || form.contains("structured") {
                        " (key=value)"
                    } else {
                        ""
                    };
                    out.push(Labelled {
                        line: line.to_string(),
                        key: key.to_string(),
                        label: format!("{key}{rendering}"),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// A miner's grouping accuracy and number of groups, or why it did not run.
type Scored = Result<(f64, usize), String>;

/// One source's row.
struct Row {
    source: String,
    corpus: String,
    lines: usize,
    left: usize,
    entries: usize,
    /// Per miner: its name and what it scored.
    results: Vec<(&'static str, Scored)>,
}

/// Runs `logref grouping` and prints its table.
pub fn run(args: &GroupingArgs) -> Result<()> {
    let catalog = logref_catalog::load(&logref_catalog::default_dir().join("catalog.json"))
        .map_err(|e| anyhow!("{e}"))?;
    let corpora: Vec<(String, Vec<Labelled>)> = args
        .paths
        .iter()
        .map(|p| {
            let name = p
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            Ok((name, read_corpus(p)?))
        })
        .collect::<Result<_>>()?;
    let sources: Vec<String> = if args.sources.is_empty() {
        catalog.sources.iter().map(|s| s.name.clone()).collect()
    } else {
        for s in &args.sources {
            if !catalog.sources.iter().any(|c| &c.name == s) {
                bail!("--leave-out {s}: no such source in the catalog");
            }
        }
        args.sources.clone()
    };
    if let Some(dir) = &args.keep {
        std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    }
    let tmp = tempfile::tempdir()?;
    let out_dir = args.keep.as_deref().unwrap_or(tmp.path());
    let mut rows = Vec::new();
    for source in &sources {
        let mut reduced = catalog.clone();
        reduced.entries.retain(|e| &e.source != source);
        let keys: BTreeSet<&str> = catalog
            .entries
            .iter()
            .filter(|e| &e.source == source)
            .map(|e| e.key.as_str())
            .collect();
        eprintln!("compiling the catalog without {source} ...");
        let (bytes, _) =
            logref_catalog::compile::compile(&reduced).map_err(|e| anyhow!("{source}: {e}"))?;
        let matcher = Matcher::from_bytes(&bytes)?;
        for (corpus, lines) in &corpora {
            let of_source: Vec<&Labelled> = lines
                .iter()
                .filter(|l| keys.contains(l.key.as_str()))
                .collect();
            let left: Vec<&Labelled> = of_source
                .iter()
                .copied()
                .filter(|l| matcher.match_line(&l.line).is_none())
                .collect();
            if left.is_empty() {
                continue;
            }
            let name = format!("{}.{corpus}", stem(source));
            let mut row = evaluate(&left, &out_dir.join(name), args)?;
            row.source = stem(source).to_string();
            row.corpus = corpus.clone();
            row.lines = of_source.len();
            rows.push(row);
        }
    }
    print!("{}", table(&rows));
    Ok(())
}

/// Groups `left` with each miner and scores the groupings; the peers'
/// input goes to `base.log`, and with `--keep` each line's label and
/// logref group to `base.groups.tsv`.
fn evaluate(left: &[&Labelled], base: &Path, args: &GroupingArgs) -> Result<Row> {
    let truth: Vec<&str> = left.iter().map(|l| l.label.as_str()).collect();
    let with_ext = |ext: &str| {
        let mut p = base.as_os_str().to_owned();
        p.push(ext);
        PathBuf::from(p)
    };
    let peer_file = with_ext(".log");
    let mut peer_text = String::new();
    let mut miner = Miner::new(Params::default());
    let mut ours = Vec::new();
    for (i, l) in left.iter().enumerate() {
        let u = Unidentified::of(&l.line, None);
        let pos = Pos {
            file: 0,
            line: i as u64 + 1,
        };
        // Past the shape limit a line is a group of its own.
        ours.push(u.group(&mut miner, &l.line, pos).unwrap_or(usize::MAX - i));
        match u.program {
            Some(p) => writeln!(peer_text, "{p}: {}", u.message),
            None => writeln!(peer_text, "{}", u.message),
        }
        .expect("writing to a String");
    }
    std::fs::write(&peer_file, &peer_text).with_context(|| peer_file.display().to_string())?;
    if args.keep.is_some() {
        let labels: String = truth
            .iter()
            .zip(&ours)
            .map(|(t, g)| format!("{t}\t{g}\n"))
            .collect();
        let path = with_ext(".groups.tsv");
        std::fs::write(&path, labels).with_context(|| path.display().to_string())?;
    }
    if args.show > 0 {
        eprint!("{}", wrong_groups(&truth, &ours, left, args.show));
    }
    let mut results = vec![(
        "logref",
        Ok((grouping_accuracy(&truth, &ours), miner.shapes().len())),
    )];
    if !args.no_peers {
        let drain3 = drain3_groups(&args.python, &peer_file, left.len())
            .map(|g| (grouping_accuracy(&truth, &g), distinct(&g)));
        results.push(("drain3", drain3.map_err(|e| format!("{e:#}"))));
        let pdb = pdbtool_groups(&args.pdbtool, &peer_file, &peer_text)
            .map(|g| (grouping_accuracy(&truth, &g), distinct(&g)));
        results.push(("pdbtool patternize", pdb.map_err(|e| format!("{e:#}"))));
    }
    Ok(Row {
        source: String::new(),
        corpus: String::new(),
        lines: 0,
        left: left.len(),
        entries: truth.iter().collect::<BTreeSet<_>>().len(),
        results,
    })
}

fn stem(source: &str) -> &str {
    source.strip_suffix(".txt").unwrap_or(source)
}

fn distinct<G: Eq + std::hash::Hash>(g: &[G]) -> usize {
    g.iter().collect::<std::collections::HashSet<_>>().len()
}

fn table(rows: &[Row]) -> String {
    let mut s = String::from(
        "grouping accuracy (Loghub) of the lines a catalog without the source leaves unidentified; groups in ()\n\n",
    );
    let miners: Vec<&str> = rows
        .first()
        .map(|r| r.results.iter().map(|(m, _)| *m).collect())
        .unwrap_or_default();
    let _ = write!(
        s,
        "{:<22} {:<10} {:>6} {:>6} {:>9}",
        "left out", "corpus", "lines", "left", "templates"
    );
    for m in &miners {
        let _ = write!(s, "  {m:>22}");
    }
    s.push('\n');
    let mut weighted = vec![(0.0, 0usize, true); miners.len()];
    for r in rows {
        let _ = write!(
            s,
            "{:<22} {:<10} {:>6} {:>6} {:>9}",
            r.source, r.corpus, r.lines, r.left, r.entries
        );
        for (i, (_, res)) in r.results.iter().enumerate() {
            match res {
                Ok((ga, groups)) => {
                    let _ = write!(s, "  {:>14.3} ({groups:>5})", ga);
                    weighted[i].0 += ga * r.left as f64;
                    weighted[i].1 += r.left;
                }
                Err(_) => {
                    let _ = write!(s, "  {:>22}", "not run");
                    weighted[i].2 = false;
                }
            }
        }
        s.push('\n');
    }
    let left: usize = rows.iter().map(|r| r.left).sum();
    let _ = write!(
        s,
        "{:<33} {:>6} {:>6} {:>9}",
        "all (weighted by lines left)",
        rows.iter().map(|r| r.lines).sum::<usize>(),
        left,
        rows.iter().map(|r| r.entries).sum::<usize>()
    );
    for (sum, n, complete) in &weighted {
        if *complete && *n > 0 {
            let _ = write!(s, "  {:>14.3}        ", sum / *n as f64);
        } else {
            let _ = write!(s, "  {:>22}", "-");
        }
    }
    s.push('\n');
    for r in rows {
        for (m, res) in &r.results {
            if let Err(e) = res {
                let _ = writeln!(s, "{m} did not run on {} {}: {e}", r.source, r.corpus);
            }
        }
    }
    s
}

/// The first `n` groups that are not exactly one entry's lines.
fn wrong_groups(truth: &[&str], groups: &[usize], lines: &[&Labelled], n: usize) -> String {
    let mut order: Vec<usize> = Vec::new();
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let m = members.entry(*g).or_default();
        if m.is_empty() {
            order.push(*g);
        }
        m.push(i);
    }
    let mut size: HashMap<&str, usize> = HashMap::new();
    for t in truth {
        *size.entry(t).or_default() += 1;
    }
    let mut s = String::new();
    let wrong = order.iter().filter(|g| {
        let m = &members[g];
        let t = truth[m[0]];
        !(m.iter().all(|&i| truth[i] == t) && size[t] == m.len())
    });
    for g in wrong.take(n) {
        let _ = writeln!(s, "group {g}:");
        for &i in &members[g] {
            let _ = writeln!(
                s,
                "  {} ({} lines)  {}",
                truth[i], size[truth[i]], lines[i].line
            );
        }
    }
    s
}

/// drain3's cluster of each line of `file`.
fn drain3_groups(python: &str, file: &Path, n: usize) -> Result<Vec<String>> {
    let script = crate::repo_root().join("scripts").join("drain3_group.py");
    let out = Command::new(python)
        .arg(&script)
        .arg(file)
        .output()
        .with_context(|| format!("{python} {}", script.display()))?;
    if !out.status.success() {
        bail!(
            "{}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("failed")
        );
    }
    let groups: Vec<String> = String::from_utf8(out.stdout)?
        .lines()
        .map(String::from)
        .collect();
    if groups.len() != n {
        bail!("{} cluster ids for {n} lines", groups.len());
    }
    Ok(groups)
}

/// pdbtool's rule of each line of `file` (`text` is its content): the rule
/// whose examples hold the line; a line in no rule (an outlier) is a group
/// of its own.
fn pdbtool_groups(pdbtool: &str, file: &Path, text: &str) -> Result<Vec<String>> {
    let n = text.lines().count();
    let out = Command::new(pdbtool)
        .arg("patternize")
        .arg("-p")
        .arg("-o")
        .arg(format!("--samples={}", n + 1))
        .arg("-f")
        .arg(file)
        .output()
        .with_context(|| pdbtool.to_string())?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let xml = String::from_utf8_lossy(&out.stdout);
    let rule = regex::Regex::new(r"(?s)<rule id='([^']+)'.*?</rule>").expect("a valid regex");
    let example =
        regex::Regex::new(r"(?s)<test_message[^>]*>(.*?)</test_message>").expect("a valid regex");
    let mut of_line: HashMap<String, String> = HashMap::new();
    for r in rule.captures_iter(&xml) {
        for e in example.captures_iter(&r[0]) {
            of_line.insert(unescape_xml(&e[1]), r[1].to_string());
        }
    }
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            of_line
                .get(l)
                .cloned()
                .unwrap_or_else(|| format!("outlier-{i}"))
        })
        .collect())
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_accuracy_counts_lines_of_exact_groups_only() {
        // Groups 1 and 2 are exact; group 3 mixes two entries; entry d is
        // split over two groups.
        let truth = ["a", "a", "b", "c", "e", "d", "d"];
        let groups = [1, 1, 2, 3, 3, 4, 5];
        assert!((grouping_accuracy(&truth, &groups) - 3.0 / 7.0).abs() < 1e-9);
        assert_eq!(grouping_accuracy(&truth, &truth), 1.0);
        assert_eq!(grouping_accuracy::<&str, u8>(&[], &[]), 1.0);
    }

    #[test]
    fn xml_entities_are_read_back() {
        assert_eq!(
            unescape_xml("&quot;t1&quot; &lt;a|1&gt; &amp;lt;"),
            "\"t1\" <a|1> &lt;"
        );
    }
}

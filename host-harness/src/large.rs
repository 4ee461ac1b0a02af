//! `logref fixtures large`: catalogs of thousands of templates, for
//! measuring scale (size, build and load time, throughput) with answers
//! that are known in advance.
//!
//! **Derived from real templates.** Each synthetic template takes the shape
//! of a template of the shipped or example catalogs: its punctuation, its
//! placeholders with their types and places. Its words are replaced by
//! terms from a word list ([`TERMS`]); a third start with one of `n / 8`
//! shared phrases of 2 to 4 terms (related messages in real references
//! share long prefixes); every fourth gets a `<*>` wildcard that may span
//! blanks. The programs are 40 synthetic daemons.
//!
//! **Why the answers are known.** Every template holds a *claimed trigram*:
//! three adjacent tokens that are terms, which no other template holds, and
//! no value put into a line is a term. A line written from template T holds
//! T's trigram and no other template's, so no other template can match it;
//! its near miss replaces the first word of T's trigram by a word no
//! template has, so no template can match it either (T lacks a literal,
//! the others their trigram). The engine must therefore name every line's
//! own entry and leave every near miss alone: the report's figures are
//! exact, not estimates.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use logref_catalog::{Catalog, Entry, ParamType};

use crate::fixtures::{value, Case, Rng};

/// Terms a network OS's messages are made of, for synthetic catalogs.
const TERMS: &[&str] = &[
    "session",
    "tunnel",
    "interface",
    "peer",
    "address",
    "route",
    "neighbor",
    "state",
    "changed",
    "down",
    "up",
    "failed",
    "accepted",
    "rejected",
    "timeout",
    "retry",
    "negotiation",
    "authentication",
    "user",
    "login",
    "logout",
    "link",
    "packet",
    "dropped",
    "received",
    "sent",
    "queue",
    "buffer",
    "overflow",
    "limit",
    "exceeded",
    "license",
    "expired",
    "configuration",
    "saved",
    "loaded",
    "error",
    "module",
    "restart",
    "started",
    "stopped",
    "process",
    "memory",
    "allocation",
    "cpu",
    "temperature",
    "fan",
    "power",
    "supply",
    "voltage",
    "port",
    "vlan",
    "trunk",
    "spanning",
    "tree",
    "loop",
    "detected",
    "duplicate",
    "mac",
    "flapping",
    "hello",
    "dead",
    "interval",
    "adjacency",
    "full",
    "exchange",
    "loading",
    "proposal",
    "mismatch",
    "certificate",
    "invalid",
    "revoked",
    "lease",
    "offer",
    "request",
    "release",
    "sync",
    "lost",
    "stratum",
    "clock",
    "adjusted",
    "table",
    "entry",
    "added",
    "removed",
    "policy",
    "matched",
    "denied",
    "allowed",
    "client",
    "server",
    "connection",
    "closed",
    "opened",
    "reset",
    "keepalive",
];

/// Values of the types that may hold words, none of them a term (a test
/// checks), so that a value never completes another template's trigram.
const STRINGS: &[&str] = &["alice", "vpn-gw1", "tun0", "lac01", "office7", "bob"];
const TEXTS: &[&str] = &["rc=5 step 3", "code 0x1f", "no reply after 3 s", "cause 17"];

/// The word a near miss puts in place of a template's word.
const NOT_A_TERM: &str = "zqxv";

fn is_term(token: &str) -> bool {
    TERMS.contains(&token)
}

/// The trigrams of a template's (or a line's) text: three adjacent
/// blank-separated tokens that are all terms, as (position of the first
/// token, the three).
fn trigrams(text: &str) -> Vec<(usize, [&str; 3])> {
    let tokens: Vec<&str> = text.split([' ', '\t']).filter(|t| !t.is_empty()).collect();
    tokens
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w.iter().all(|t| is_term(t)))
        .map(|(i, w)| (i, [w[0], w[1], w[2]]))
        .collect()
}

/// A template of the shipped or example catalogs, as a shape: its text
/// without a leading program tag, and its parameters' types.
struct Skeleton {
    segments: Vec<logref_catalog::template::Segment>,
    types: BTreeMap<String, ParamType>,
}

fn skeletons(catalog: &Catalog) -> Vec<Skeleton> {
    catalog
        .entries
        .iter()
        .filter(|e| !e.template.trim().is_empty())
        .map(|e| {
            let program = e
                .program
                .clone()
                .or_else(|| e.extra.get("program")?.as_str().map(str::to_string));
            let body = program
                .and_then(|p| strip_tag(&e.template, &p))
                .unwrap_or(&e.template);
            Skeleton {
                segments: logref_catalog::template::parse(body),
                types: e.params.iter().map(|p| (p.name.clone(), p.ty)).collect(),
            }
        })
        .collect()
}

/// `prog[<PID>]: text` or `prog: text` -> `text`.
fn strip_tag<'t>(template: &'t str, program: &str) -> Option<&'t str> {
    let rest = template.strip_prefix(program)?;
    let rest = match rest.strip_prefix('[') {
        Some(r) => &r[r.find(']')? + 1..],
        None => rest,
    };
    Some(rest.strip_prefix(':')?.trim_start())
}

/// Replaces every run of two or more ASCII letters by a random term.
fn reword(literal: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, rng: &mut Rng| {
        if word.len() >= 2 {
            out.push_str(rng.pick::<&str>(TERMS));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in literal.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out, rng);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, rng);
    out
}

/// One synthetic template's text from a skeleton: reworded literals,
/// placeholders `<pK:type>` numbered anew.
fn from_skeleton(sk: &Skeleton, rng: &mut Rng) -> String {
    use logref_catalog::template::Segment;
    let mut text = String::new();
    let mut k = 0;
    for seg in &sk.segments {
        match seg {
            Segment::Literal(l) => text.push_str(&reword(l, rng)),
            Segment::Placeholder { param, .. } => {
                let ty = sk.types.get(param).copied().unwrap_or(ParamType::String);
                if ty == ParamType::Any {
                    text.push_str("<*>");
                } else {
                    text.push_str(&format!("<p{k}:{}>", ty.as_str()));
                    k += 1;
                }
            }
        }
    }
    text
}

/// Whether `text`, read back as a template, has exactly the placeholders
/// written into it (a reworded literal may not open a placeholder).
fn placeholders_intact(text: &str) -> bool {
    let written = text.matches("<p").count() + text.matches("<*>").count();
    let read = logref_catalog::template::parse(text)
        .iter()
        .filter(|s| matches!(s, logref_catalog::template::Segment::Placeholder { .. }))
        .count();
    written == read
}

/// A synthetic user catalog (YAML) of `n` templates shaped like those of
/// `from` (see the module's documentation). Deterministic for a seed.
pub fn catalog_yaml(n: usize, seed: u64, from: &Catalog) -> Result<String> {
    let shapes = skeletons(from);
    if shapes.is_empty() {
        return Err(anyhow!("no templates to derive a catalog from"));
    }
    let mut rng = Rng::new(seed);
    let phrase = |rng: &mut Rng, k: u64| {
        (0..k)
            .map(|_| *rng.pick(TERMS))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let prefixes: Vec<String> = (0..(n / 8).max(1))
        .map(|_| {
            let k = 2 + rng.below(3);
            phrase(&mut rng, k)
        })
        .collect();
    // Trigrams of the shared prefixes are many templates': never claimed.
    let mut seen: HashSet<[String; 3]> = HashSet::new();
    for p in &prefixes {
        for (_, t) in trigrams(p) {
            seen.insert(t.map(str::to_string));
        }
    }
    let mut claimed: HashSet<[String; 3]> = HashSet::new();
    let mut out = format!(
        "# logref fixtures large --templates {n} --seed {seed}: a synthetic catalog\n\
         vendor: Synthetic\nproduct: Synthetic OS\nsource: synthetic\nentries:\n"
    );
    for i in 0..n {
        let text = loop {
            let mut text = from_skeleton(rng.pick(&shapes), &mut rng);
            if i % 3 == 0 {
                text = format!("{} {text}", rng.pick(&prefixes));
            }
            // A phrase of its own when the shape has too few words.
            if trigrams(&text).len() < 2 {
                let k = 3 + rng.below(3);
                text = format!("{text} {}", phrase(&mut rng, k));
            }
            if i % 4 == 0 {
                let mut tokens: Vec<&str> = text.split(' ').collect();
                let at = 1 + rng.below(tokens.len() as u64) as usize;
                tokens.insert(at.min(tokens.len()), "<*>");
                text = tokens.join(" ");
            }
            let grams = trigrams(&text);
            let owned = |t: &[&str; 3]| t.map(str::to_string);
            if !placeholders_intact(&text) || grams.iter().any(|(_, t)| claimed.contains(&owned(t)))
            {
                continue;
            }
            // Claim the last trigram nobody has, held once.
            let claim = grams.iter().rev().map(|(_, t)| owned(t)).find(|t| {
                !seen.contains(t) && grams.iter().filter(|(_, u)| owned(u) == *t).count() == 1
            });
            let Some(claim) = claim else {
                continue;
            };
            seen.extend(grams.iter().map(|(_, t)| owned(t)));
            claimed.insert(claim);
            break text;
        };
        out.push_str(&format!(
            "  - key: synthetic:e{i}\n    program: daemon{}\n    template: {}\n    severity: info\n",
            rng.below(40),
            serde_json::to_string(text.trim()).expect("a string serialises")
        ));
    }
    Ok(out)
}

/// A value for a synthetic line: never a term.
fn large_value(ty: ParamType, rng: &mut Rng) -> String {
    match ty {
        ParamType::String => rng.pick(STRINGS).to_string(),
        ParamType::Text | ParamType::Any => rng.pick(TEXTS).to_string(),
        _ => value(ty, rng),
    }
}

/// Lines for a synthetic catalog: each entry's template filled with values,
/// as its daemon writes it (`Mmm dd hh:mm:ss host prog[pid]: text`), and a
/// near miss of it (the first word of the entry's claimed trigram replaced
/// by a word no template has), which must match nothing.
pub fn lines(entries: &[Entry], seed: u64) -> Vec<Case> {
    // A trigram held by one template only is its claim.
    let mut holders: BTreeMap<[&str; 3], usize> = BTreeMap::new();
    for e in entries {
        for (_, t) in trigrams(&e.template) {
            *holders.entry(t).or_default() += 1;
        }
    }
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    for e in entries {
        let crate::fixtures::Rendered { text, values, .. } =
            crate::fixtures::render_with(e, &mut rng, large_value);
        let prog = e.program.clone().unwrap_or_default();
        let header = format!("Nov 22 10:15:02 host1 {prog}[{}]: ", 1 + rng.below(65534));
        cases.push(Case {
            line: format!("{header}{text}"),
            form: "rfc3164",
            key: Some(e.key.clone()),
            params: values,
        });
        let claim = trigrams(&e.template)
            .into_iter()
            .rev()
            .find(|(_, t)| holders[t] == 1)
            .map(|(_, t)| t);
        // The claim's first word in the line: the tokens of the line that
        // are terms come from the template's literals only.
        let spot = claim.and_then(|c| {
            trigrams(&text)
                .into_iter()
                .find(|(_, t)| *t == c)
                .map(|(i, _)| i)
        });
        if let Some(i) = spot {
            let near: Vec<&str> = text
                .split([' ', '\t'])
                .filter(|t| !t.is_empty())
                .enumerate()
                .map(|(k, t)| if k == i { NOT_A_TERM } else { t })
                .collect();
            cases.push(Case {
                line: format!("{header}{}", near.join(" ")),
                form: "near-miss",
                key: None,
                params: BTreeMap::new(),
            });
        }
    }
    cases
}

/// What `logref fixtures large` was asked for.
#[derive(Debug, Clone, clap::Args)]
pub struct LargeArgs {
    /// How many synthetic templates.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub templates: u32,
    /// Seed of the shapes, words, placeholders and values drawn (the same seed, the same catalog).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write large-N.yaml, large-N.jsonl and large-N.artifact.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// Compile the synthetic catalog alone, without the built-in one.
    #[arg(long)]
    pub alone: bool,
    /// How the shards find their templates (see `logref compile --shards`).
    #[arg(long, value_enum, default_value_t = crate::shards::Shards::Auto)]
    pub shards: crate::shards::Shards,
    /// Also measure the .wasm under wasmtime (this module; it loads the large artifact through a logref.conf).
    #[arg(long)]
    pub wasm: Option<PathBuf>,
    /// Seconds each throughput measurement runs.
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
}

/// How the lines of a corpus were answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Exactness {
    /// Lines named as the entry they were written from.
    pub right: usize,
    /// Lines named as another entry.
    pub other: usize,
    /// Lines no entry named.
    pub missed: usize,
    pub near_misses: usize,
    /// Near misses some entry named.
    pub near_matched: usize,
}

/// Runs every case through `m` once.
pub fn exactness(m: &logref_engine::Matcher, cases: &[Case]) -> Exactness {
    let mut x = Exactness::default();
    let mut cache = logref_engine::Cache::new();
    for c in cases {
        let found = m.match_with(&c.line, None, &mut cache);
        match (&c.key, found) {
            (None, found) => {
                x.near_misses += 1;
                if let Some(f) = found {
                    x.near_matched += 1;
                    cache.recycle(f);
                }
            }
            (Some(want), Some(f)) => {
                if &m.entries()[f.entry].key == want {
                    x.right += 1;
                } else {
                    x.other += 1;
                }
                cache.recycle(f);
            }
            (Some(_), None) => x.missed += 1,
        }
    }
    x
}

/// Lines a second `m` identifies and extracts, over passes of `lines` for
/// at least `seconds`.
fn native_rate(m: &logref_engine::Matcher, lines: &[String], seconds: f64) -> f64 {
    let mut cache = logref_engine::Cache::new();
    let started = Instant::now();
    let mut n = 0usize;
    while started.elapsed().as_secs_f64() < seconds || n == 0 {
        for l in lines {
            if let Some(f) = m.match_with(l, None, &mut cache) {
                cache.recycle(f);
            }
        }
        n += lines.len();
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// Records a second the `.wasm` filters under wasmtime, with the files of
/// `dir` (a `logref.conf`, an artifact) visible to it, or none.
#[cfg(feature = "full")]
fn wasm_rate(wasm: &Path, dir: Option<&Path>, lines: &[String], seconds: f64) -> Result<f64> {
    let mut f = crate::wasm_host::WasmtimeFilter::new(wasm, "logref_filter", dir, false)?;
    let records: Vec<Vec<u8>> = lines
        .iter()
        .map(|l| serde_json::to_vec(&serde_json::json!({ "log": l })).expect("JSON"))
        .collect();
    use crate::wasm_host::RecordFilter;
    // The first record loads the configuration and the artifact.
    f.call(b"large", &records[0])?;
    let started = Instant::now();
    let mut n = 0usize;
    while started.elapsed().as_secs_f64() < seconds || n == 0 {
        for r in &records {
            f.call(b"large", r)?;
        }
        n += records.len();
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// The lines of the generated corpus (`fixtures/generated/corpus.jsonl`).
fn corpus_lines() -> Result<Vec<String>> {
    let path = crate::repo_root().join("fixtures/generated/corpus.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l)?;
            Ok(v["line"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// The built-in catalog and the example catalogs (`examples/catalogs/`):
/// the templates the synthetic ones take their shapes from.
fn shapes_catalog() -> Result<Catalog> {
    let mut catalog = logref_catalog::load_default()?;
    let dir = crate::repo_root().join("examples/catalogs");
    let mut files = Vec::new();
    for name in ["cisco-ios.yaml", "postfix.yaml"] {
        let path = dir.join(name);
        let (source, entries) = logref_catalog::user::read(&path).map_err(|e| anyhow!("{e}"))?;
        files.push((path.display().to_string(), source, entries));
    }
    logref_catalog::user::merge(&mut catalog, files).map_err(|e| anyhow!("{e}"))?;
    Ok(catalog)
}

/// `logref fixtures large`: writes a synthetic catalog and its lines,
/// compiles it (with the built-in catalog unless `--alone`), and reports
/// the artifact's size, build and load time, exactness on the lines, and
/// throughput against the built-in catalog alone on the same lines.
pub fn run(args: &LargeArgs) -> Result<()> {
    let n = args.templates as usize;
    std::fs::create_dir_all(&args.out)?;
    let yaml_path = args.out.join(format!("large-{n}.yaml"));
    let yaml = catalog_yaml(n, args.seed, &shapes_catalog()?)?;
    std::fs::write(&yaml_path, &yaml)?;
    let (source, entries) = logref_catalog::user::from_yaml(
        &yaml_path.display().to_string(),
        &format!("large-{n}"),
        &yaml,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let cases = lines(&entries, args.seed);
    let lines_path = args.out.join(format!("large-{n}.jsonl"));
    std::fs::write(&lines_path, crate::fixtures::to_jsonl(&cases))?;
    let mut catalog = if args.alone {
        Catalog {
            version: logref_catalog::CATALOG_VERSION,
            sources: Vec::new(),
            entries: Vec::new(),
        }
    } else {
        logref_catalog::load_default()?
    };
    logref_catalog::user::merge(
        &mut catalog,
        vec![(yaml_path.display().to_string(), source, entries)],
    )
    .map_err(|e| anyhow!("{e}"))?;
    eprintln!("wrote {} and {}", yaml_path.display(), lines_path.display());
    let (bytes, report) = crate::shards::compile(&catalog, args.shards)?;
    let artifact_path = args.out.join(format!("large-{n}.artifact"));
    std::fs::write(&artifact_path, &bytes)?;
    let t = Instant::now();
    let m = logref_engine::Matcher::from_bytes(&bytes)?;
    let load = t.elapsed();
    let x = exactness(&m, &cases);
    println!(
        "templates      {} ({n} synthetic, seed {}{})",
        catalog.entries.len(),
        args.seed,
        if args.alone {
            ""
        } else {
            ", with the built-in catalog"
        }
    );
    println!(
        "artifact       {:.2} MiB ({:.2} KiB a template), {} shards ({} token indexes), built in {:.2?}, loaded in {load:.2?}",
        report.artifact_bytes as f64 / (1 << 20) as f64,
        report.artifact_bytes as f64 / 1024.0 / catalog.entries.len().max(1) as f64,
        report.shards,
        report.index_shards,
        report.build_time,
    );
    println!(
        "lines          {}: {} their own entry, {} another entry, {} none",
        x.right + x.other + x.missed,
        x.right,
        x.other,
        x.missed
    );
    println!(
        "near misses    {}: {} unmatched, {} matched",
        x.near_misses,
        x.near_misses - x.near_matched,
        x.near_matched
    );
    throughput(args, &m, &artifact_path, &cases)
}

/// Native (and, with `--wasm`, wasmtime) throughput of the large artifact
/// against the built-in one on the generated corpus, and of the large
/// artifact on its own lines; each pair measured twice, interleaved.
fn throughput(
    args: &LargeArgs,
    m: &logref_engine::Matcher,
    artifact: &Path,
    cases: &[Case],
) -> Result<()> {
    let own: Vec<String> = cases.iter().map(|c| c.line.clone()).collect();
    let corpus = corpus_lines()?;
    let builtin = crate::load_matcher(None)?;
    let secs = args.seconds;
    let mut rows: Vec<(String, f64, f64)> = Vec::new();
    // Alone, the artifact knows none of the corpus's lines: no comparison.
    for _ in 0..if args.alone { 0 } else { 2 } {
        let base = native_rate(&builtin, &corpus, secs);
        let large = native_rate(m, &corpus, secs);
        rows.push(("native, generated corpus".into(), base, large));
    }
    let large = native_rate(m, &own, secs);
    rows.push(("native, its own lines".into(), f64::NAN, large));
    #[cfg(feature = "full")]
    if let (Some(wasm), false) = (&args.wasm, args.alone) {
        let dir = tempdir_with_conf(artifact)?;
        for _ in 0..2 {
            let base = wasm_rate(wasm, None, &corpus, secs)?;
            let large = wasm_rate(wasm, Some(&dir), &corpus, secs)?;
            rows.push(("wasmtime, generated corpus".into(), base, large));
        }
        std::fs::remove_dir_all(&dir).ok();
    }
    #[cfg(not(feature = "full"))]
    let _ = artifact;
    println!("throughput     lines/s: built-in catalog alone, this artifact (ratio)");
    for (what, base, large) in rows {
        if base.is_nan() {
            println!("  {what:<28} {:>12} {large:>12.0}", "");
        } else {
            println!(
                "  {what:<28} {base:>12.0} {large:>12.0}  ({:.2}x)",
                large / base
            );
        }
    }
    Ok(())
}

/// A directory holding the artifact and a `logref.conf` that names it.
#[cfg(feature = "full")]
fn tempdir_with_conf(artifact: &Path) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("logref-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(artifact, dir.join("large.artifact"))?;
    std::fs::write(dir.join("logref.conf"), "artifact = \"large.artifact\"\n")?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_value_is_a_term() {
        for v in STRINGS.iter().chain(TEXTS) {
            assert!(v.split(' ').all(|t| !is_term(t)), "{v}");
        }
        assert!(!is_term(NOT_A_TERM));
    }

    #[test]
    fn trigrams_are_three_adjacent_terms() {
        let t = trigrams("link down <p0:int> peer up lost state");
        assert_eq!(
            t,
            vec![(3, ["peer", "up", "lost"]), (4, ["up", "lost", "state"])]
        );
    }
}

//! `logref bench`: throughput of logref and of the peers a user would
//! otherwise pick, measured side by side in one run on one corpus (the
//! machines are shared and noisy: compare ratios, not absolute numbers).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use crate::enrich_cmd::{line_record, wasm_path_or_hint};
use crate::peers::{message_text, RegexLoop, RegexSetThenCaptures};
use crate::wasm_host::{Probe, RecordFilter, WasmiFilter, WasmtimeFilter};
use logref_engine::probe::Phase;

/// One measured peer.
#[derive(Debug, Clone)]
pub struct BenchResult {
    pub name: &'static str,
    pub what: &'static str,
    pub records: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    pub matched: u64,
    /// What building the peer took, where it is built in this process.
    pub setup: Option<Setup>,
}

/// The cost of building a peer before its first record: time (a Vector
/// user waits for it at start), and how much the process's resident memory
/// grew (what the built peer holds; memory freed by peers measured earlier
/// may be reused, so this can understate, never overstate).
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub time: Duration,
    pub rss_growth: u64,
}

/// Builds a peer with `f`, timing it and reading the resident set before
/// and after (`/proc/self/status`; 0 growth where that cannot be read).
fn build<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Setup)> {
    let before = resident_bytes();
    let t0 = Instant::now();
    let v = f()?;
    let time = t0.elapsed();
    let rss_growth = resident_bytes().saturating_sub(before);
    Ok((v, Setup { time, rss_growth }))
}

/// The process's resident set (`VmRSS`), in bytes.
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

impl BenchResult {
    fn with_setup(mut self, setup: Setup) -> BenchResult {
        self.setup = Some(setup);
        self
    }

    pub fn records_per_sec(&self) -> f64 {
        self.records as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / (1 << 20) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The benchmark corpus: the generated fixture lines (every entry in every
/// wire form, plus negatives), repeated to `n` lines.
pub fn corpus(n: usize) -> Result<Vec<String>> {
    Ok(corpus_lines()?.iter().cycle().take(n).cloned().collect())
}

/// The generated corpus's lines, each once.
fn corpus_lines() -> Result<Vec<String>> {
    let path = crate::repo_root().join("fixtures/generated/corpus.jsonl");
    let cases = crate::check::load_cases(&path)?;
    Ok(cases
        .into_iter()
        .map(|c| c.line)
        .filter(|l| !l.is_empty())
        .collect())
}

/// A progress bar on stderr (indicatif draws nothing when stderr is not a
/// terminal: never into a log or a pipe).
struct Progress(indicatif::ProgressBar);

impl Progress {
    fn new(label: &'static str, total: usize) -> Progress {
        let bar = indicatif::ProgressBar::new(total as u64).with_style(
            indicatif::ProgressStyle::with_template("{prefix:<12} {bar:30} {percent:>3}%")
                .expect("a valid template"),
        );
        Progress(bar.with_prefix(label))
    }
    /// Every 1024 records, so that the bar costs the measured loop nothing.
    fn tick(&mut self, done: usize) {
        if done % 1024 == 0 {
            self.0.set_position(done as u64);
        }
    }
    fn done(self) {
        self.0.finish_and_clear();
    }
}

/// Runs `f` over `lines` (at most `budget` long), counting matches.
fn measure(
    name: &'static str,
    what: &'static str,
    lines: &[String],
    budget: Duration,
    mut f: impl FnMut(&str) -> bool,
) -> BenchResult {
    let mut p = Progress::new(name, lines.len());
    let start = Instant::now();
    let (mut records, mut bytes, mut matched) = (0u64, 0u64, 0u64);
    for (i, l) in lines.iter().enumerate() {
        if f(l) {
            matched += 1;
        }
        records += 1;
        bytes += l.len() as u64;
        p.tick(i + 1);
        if i % 256 == 255 && start.elapsed() > budget {
            break;
        }
    }
    let elapsed = start.elapsed();
    p.done();
    BenchResult {
        name,
        what,
        records,
        bytes,
        elapsed,
        matched,
        setup: None,
    }
}

pub fn run(
    lines_n: usize,
    json_out: bool,
    wasm: Option<PathBuf>,
    budget_secs: f64,
) -> Result<Vec<BenchResult>> {
    let lines = corpus(lines_n)?;
    let budget = Duration::from_secs_f64(budget_secs);
    let dir = logref_catalog::default_dir();
    let catalog = logref_catalog::load(&dir.join("catalog.json"))?;
    let (matcher, setup) = build(|| Ok(logref_default_artifact::matcher()?))?;
    let mut results = Vec::new();

    results.push(
        measure(
            "native",
            "engine: identify + extract",
            &lines,
            budget,
            |l| {
                matcher
                    .match_line(l)
                    .map(|m| std::hint::black_box(m.params.len()))
                    .is_some()
            },
        )
        .with_setup(setup),
    );
    let wasm_path = wasm_path_or_hint(wasm)?;
    let records: Vec<Vec<u8>> = lines.iter().map(|l| line_record(l)).collect();
    {
        let (mut w, setup) =
            build(|| WasmtimeFilter::new(&wasm_path, "logref_filter", None, false))?;
        let mut i = 0;
        results.push(measure("wasm", ".wasm under wasmtime, Fluent Bit ABI, JSON in/out", &lines, budget, |_| {
            let r = &records[i];
            i += 1;
            matches!(w.call(b"logs", r), Ok(crate::wasm_host::Output::Record(o)) if o.len() != r.len())
        }).with_setup(setup));
    }
    {
        let (mut w, setup) = build(|| WasmiFilter::new(&wasm_path, "logref_filter", false))?;
        let mut i = 0;
        results.push(measure("wasm-interp", "same .wasm under wasmi (interpreter)", &lines, budget, |_| {
            let r = &records[i];
            i += 1;
            matches!(w.call(b"logs", r), Ok(crate::wasm_host::Output::Record(o)) if o.len() != r.len())
        }).with_setup(setup));
    }
    {
        // Vector compiles the program when it starts: its start time and
        // the memory the compiled program holds.
        let (mut vrl, setup) = build(|| {
            Ok(logref_vector::runtime::VrlProgram::from_tables(
                matcher.tables(),
                matcher.catalog_checksum(),
                logref_vector::OutputStyle::Catalog,
                true,
            )?)
        })?;
        results.push(
            measure(
                "vrl",
                "logref export vector: the remap program under the vrl crate (Vector's runtime)",
                &lines,
                budget,
                |l| vrl.enrich_message(l).unwrap_or(false),
            )
            .with_setup(setup),
        );
    }
    {
        let (rl, setup) = build(|| RegexLoop::new(&catalog))?;
        results.push(
            measure(
                "regex-loop",
                "one regex::Regex with captures per template, in order",
                &lines,
                budget,
                |l| rl.match_text(message_text(l)).is_some(),
            )
            .with_setup(setup),
        );
    }
    {
        let (rs, setup) = build(|| RegexSetThenCaptures::new(&catalog))?;
        results.push(
            measure(
                "regex-set",
                "regex::RegexSet, then captures",
                &lines,
                budget,
                |l| rs.match_text(message_text(l)).is_some(),
            )
            .with_setup(setup),
        );
    }
    #[cfg(feature = "hyperscan")]
    {
        let (mut hs, setup) = build(|| crate::hyperscan::HyperscanPeer::new(&catalog))?;
        results.push(
            measure(
                "hyperscan",
                "Hyperscan database of all templates, identification only",
                &lines,
                budget,
                |l| hs.match_text(message_text(l)).is_some(),
            )
            .with_setup(setup),
        );
    }

    // syslog-ng runs as a process over a file: it is timed whole (start,
    // read, parse, JSON out), and once more without the database so that
    // its own pipeline's share is known.
    for (name, what, parse) in [
        (
            "syslog-ng",
            "syslog-ng 3.38, db-parser on logref export patterndb (whole process: file in, JSON out)",
            true,
        ),
        (
            "syslog-ng-io",
            "the same syslog-ng pipeline without db-parser (its own share of the above)",
            false,
        ),
    ] {
        match crate::syslog_ng_cmd::run_syslog_ng(&lines, None, parse) {
            Ok(run) => results.push(BenchResult {
                name,
                what,
                records: lines.len() as u64,
                bytes: lines.iter().map(|l| l.len() as u64).sum(),
                elapsed: run.elapsed,
                matched: run.keys.iter().filter(|k| k.is_some()).count() as u64,
                setup: None,
            }),
            Err(e) => eprintln!("logref: {name} skipped: {e:#}"),
        }
    }

    if json_out {
        let v = json!({"lines": lines.len(), "results": results.iter().map(|r| json!({
            "name": r.name, "records_per_sec": r.records_per_sec(), "mb_per_sec": r.mb_per_sec(),
            "records": r.records, "matched": r.matched, "seconds": r.elapsed.as_secs_f64(),
            "start_seconds": r.setup.map(|s| s.time.as_secs_f64()),
            "rss_growth_bytes": r.setup.map(|s| s.rss_growth),
        })).collect::<Vec<_>>()});
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let base = results.first().map(|r| r.records_per_sec()).unwrap_or(1.0);
        println!(
            "{:<12} {:>12} {:>9} {:>11} {:>9} {:>9} {:>9} {:>9}  what",
            "name", "records/s", "MB/s", "vs native", "records", "matched", "start", "memory"
        );
        for r in &results {
            let (start, memory) = match r.setup {
                Some(s) => (
                    format!("{:.2} s", s.time.as_secs_f64()),
                    format!("{:.0} MiB", s.rss_growth as f64 / (1 << 20) as f64),
                ),
                None => ("-".to_string(), "-".to_string()),
            };
            println!(
                "{:<12} {:>12.0} {:>9.1} {:>10.3}x {:>9} {:>8.1}% {:>9} {:>9}  {}",
                r.name,
                r.records_per_sec(),
                r.mb_per_sec(),
                r.records_per_sec() / base,
                r.records,
                100.0 * r.matched as f64 / r.records.max(1) as f64,
                start,
                memory,
                r.what
            );
        }
        println!(
            "({} corpus lines; each peer ran up to {budget_secs} s, so a slow peer's `matched` \
             is over the first `records` lines only; ratios are what matters. start: building \
             the peer in this process; memory: how much the resident set grew meanwhile, \
             which memory freed by earlier peers can understate)",
            lines.len()
        );
    }
    Ok(results)
}

/// `logref soak`: linear memory of the `.wasm` over many records; `false`
/// when it grew after the first thousand (which hold every kind).
pub fn soak(records_n: u64, wasm: Option<PathBuf>) -> Result<bool> {
    let normal: Vec<Vec<u8>> = corpus_lines()?.iter().map(|l| line_record(l)).collect();
    // The plugin renders an entry's output when it first meets the entry
    // and keeps it (memory bounded by the catalog): after one pass over
    // the corpus, which meets every entry, memory must stay flat.
    let warm_at = normal.len() as u64 + normal.len() as u64 / 96 + 1;
    if records_n <= warm_at {
        anyhow::bail!("give more than {warm_at} records (one pass over the corpus, which warms the plugin, and more)");
    }
    // Mixed sizes: a large record and bad ones, every 97th record, so the
    // first pass already holds every kind.
    let special: Vec<Vec<u8>> = vec![
        format!("{{\"log\":\"pppd[1]: Exit. {}\"}}", "x".repeat(256 << 10)).into_bytes(),
        b"{\"log\":\"\\ud800\"}".to_vec(),
        b"{\"log\":".to_vec(),
        format!(
            "{{\"log\":{}\"pppd[1]: Exit.\"{}}}",
            "[".repeat(1000),
            "]".repeat(1000)
        )
        .into_bytes(),
    ];
    let mut w = WasmtimeFilter::new(&wasm_path_or_hint(wasm)?, "logref_filter", None, false)?;
    let start = Instant::now();
    let checkpoints = [1_000u64, 10_000, 100_000, 1_000_000, 5_000_000, 10_000_000];
    let mut warm = None;
    let mut p = Progress::new("soak", records_n as usize);
    println!("{:>12}  {:>14}", "records", "linear memory");
    for i in 0..records_n {
        let rec = if i % 97 == 0 {
            &special[(i / 97) as usize % special.len()]
        } else {
            &normal[(i as usize) % normal.len()]
        };
        w.call(b"logs", rec)?;
        if i + 1 == warm_at {
            warm = Some(w.memory_bytes());
        }
        if checkpoints.contains(&(i + 1)) || i + 1 == warm_at || i + 1 == records_n {
            p.done();
            p = Progress::new("soak", records_n as usize);
            println!("{:>12}  {:>14}", i + 1, w.memory_bytes());
        }
        p.tick(i as usize + 1);
    }
    p.done();
    println!("time   {:.1?}", start.elapsed());
    println!("stats  {}", w.stats()?);
    let flat = w.memory_bytes() == warm.unwrap_or(0);
    if flat {
        println!("memory flat after the first pass over the corpus ({warm_at} records)");
    } else {
        println!(
            "memory GREW after the first pass over the corpus ({warm_at} records): {} -> {} bytes",
            warm.unwrap_or(0),
            w.memory_bytes()
        );
    }
    Ok(flat)
}

/// Fuel of one class of records (enriched, or passed through), in total
/// and by phase when the module has phase marks.
#[derive(Default)]
struct FuelTally {
    records: u64,
    fuel: u64,
    phases: [u64; Phase::ALL.len()],
}

impl FuelTally {
    fn add(&mut self, fuel: u64, probe: &Probe) {
        self.records += 1;
        self.fuel += fuel;
        for (t, p) in self.phases.iter_mut().zip(probe.phases) {
            *t += p;
        }
    }

    fn per_record(&self, fuel: u64) -> u64 {
        fuel / self.records.max(1)
    }
}

/// `logref bench --cost`: guest instructions (fuel) per record, and the
/// first call's time, for the record path of the `.wasm`; by phase when the
/// module was built with the `probe` feature.
pub fn cost(wasm: Option<PathBuf>) -> Result<()> {
    let path = wasm_path_or_hint(wasm)?;
    let size = std::fs::metadata(&path)?.len();
    let lines = corpus(2000)?;
    let t0 = Instant::now();
    let mut w = WasmtimeFilter::new(&path, "logref_filter", None, true)?;
    let load = t0.elapsed();
    let first_record = line_record(&lines[0]);
    let t1 = Instant::now();
    w.call(b"logs", &first_record)?;
    let first_call = t1.elapsed();
    w.take_probe();
    // Two passes: the first sees most entries for the first time (their
    // output is rendered then and cached), the second is the steady state
    // of a stream that repeats its messages, as real traffic does.
    let mut passes = Vec::new();
    let mut marked = false;
    for _ in 0..2 {
        let (mut enriched, mut other) = (FuelTally::default(), FuelTally::default());
        for l in &lines {
            let r = line_record(l);
            let f0 = w.fuel_used().unwrap_or(0);
            let out = w.call(b"logs", &r)?;
            let used = w.fuel_used().unwrap_or(0) - f0;
            let probe = w.take_probe();
            marked |= probe.marked();
            if matches!(out, crate::wasm_host::Output::Record(ref o) if o.len() != r.len()) {
                enriched.add(used, &probe);
            } else {
                other.add(used, &probe);
            }
        }
        passes.push((enriched, other));
    }
    let (first_enriched, first_other) = &passes[0];
    let (enriched, other) = &passes[1];
    println!(
        ".wasm size                 {} bytes ({:.1} MiB)",
        size,
        size as f64 / (1 << 20) as f64
    );
    println!("load + instantiate         {load:.2?} (wasmtime, includes compiling)");
    println!("first call                 {first_call:.2?} (loads the embedded artifact)");
    println!(
        "fuel per enriched record   {} (first pass over the corpus: {})",
        enriched.per_record(enriched.fuel),
        first_enriched.per_record(first_enriched.fuel)
    );
    println!(
        "fuel per other record      {} (first pass: {})",
        other.per_record(other.fuel),
        first_other.per_record(first_other.fuel)
    );
    if !marked {
        println!(
            "(by phase: build the module with phase marks and pass it with --wasm:\n \
             cargo build --profile probe -p logref-plugin --target wasm32-wasip1 --features probe\n \
             logref bench --cost --wasm target/wasm32-wasip1/probe/logref_plugin.wasm)"
        );
        return Ok(());
    }
    println!("\nfuel per record by phase, second pass   enriched     other");
    for (i, phase) in Phase::ALL.iter().enumerate() {
        println!(
            "  {:<37} {:>8}  {:>8}",
            phase.as_str(),
            enriched.per_record(enriched.phases[i]),
            other.per_record(other.phases[i])
        );
    }
    let rest = |t: &FuelTally| t.per_record(t.fuel - t.phases.iter().sum::<u64>());
    println!(
        "  {:<37} {:>8}  {:>8}",
        "call (host malloc/free)",
        rest(enriched),
        rest(other)
    );
    Ok(())
}

/// Fuel (guest instructions) for each NDJSON record of a file, one line
/// each: for finding where the record path spends its instructions.
pub fn cost_per_record(wasm: Option<PathBuf>, file: &std::path::Path) -> Result<()> {
    let path = wasm_path_or_hint(wasm)?;
    let mut w = WasmtimeFilter::new(&path, "logref_filter", None, true)?;
    w.call(b"logs", b"{\"log\":\"warm up\"}")?;
    w.take_probe();
    for line in std::fs::read_to_string(file)?.lines() {
        let f0 = w.fuel_used().unwrap_or(0);
        w.call(b"logs", line.as_bytes())?;
        let used = w.fuel_used().unwrap_or(0) - f0;
        let probe = w.take_probe();
        if probe.marked() {
            // By phase, in `Phase::ALL` order, then the host's share.
            let phases: Vec<String> = probe.phases.iter().map(u64::to_string).collect();
            let host = used - probe.phases.iter().sum::<u64>();
            println!("{used:>8} [{} +{host}]  {line}", phases.join(" "));
        } else {
            println!("{used:>8}  {line}");
        }
    }
    Ok(())
}

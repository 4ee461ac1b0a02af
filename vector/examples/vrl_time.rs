//! Times a VRL program under the `vrl` crate: how long it takes to compile
//! and how much the resident set grew meanwhile, then (with a file of
//! lines) its throughput on them, each line sent as `{"message": line}`.
//! What BENCHMARKS.md's Vector figures per step were measured with: cut the
//! generated program after a step and time what is left.
//!
//! ```sh
//! cargo run --release -p logref-vector --example vrl_time -- \
//!     examples/vector/logref.vrl examples/vector/logref.csv \
//!     examples/vector/logref_match.csv LINES.txt
//! ```

use std::time::Instant;

/// The process's resident set in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [program, table, match_table, rest @ ..] = args.as_slice() else {
        return Err("usage: vrl_time PROGRAM.vrl logref.csv logref_match.csv [LINES]".into());
    };
    let read = |p: &String| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let (source, table, match_table) = (read(program)?, read(table)?, read(match_table)?);
    let before = rss_kib();
    let started = Instant::now();
    let mut vrl = logref_vector::runtime::VrlProgram::new(&source, &table, &match_table)?;
    println!(
        "compile {:.2} s, resident set +{} MiB",
        started.elapsed().as_secs_f64(),
        rss_kib().saturating_sub(before) / 1024
    );
    let Some(lines) = rest.first() else {
        return Ok(());
    };
    let text = read(lines)?;
    let lines: Vec<&str> = text.lines().collect();
    let started = Instant::now();
    let (mut n, mut enriched) = (0u64, 0u64);
    while started.elapsed().as_secs_f64() < 5.0 {
        for line in &lines {
            enriched += u64::from(vrl.enrich_message(line)?);
            n += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{n} lines in {secs:.1} s: {:.1} µs a line, {:.1}% enriched, resident set +{} MiB",
        secs * 1e6 / n as f64,
        enriched as f64 * 100.0 / n as f64,
        rss_kib().saturating_sub(before) / 1024
    );
    Ok(())
}

//! `logref check`: the fixture corpus through both engines.
//!
//! For every fixture file (`fixtures/generated/*.jsonl`, `fixtures/devices/*.jsonl`;
//! one case per line: `{"line": ..., "key": ... or null, "params": {...}}`):
//! 1. each line, as Fluent Bit's tail input makes it (`{"log": line}`), goes
//!    through the native engine and the `.wasm` under wasmtime, whose
//!    outputs must be byte-identical;
//! 2. the output must name the expected entry (or none) with at least the
//!    expected parameters;
//! 3. the outputs must equal the checked-in `fixtures/expected/<file>`
//!    (`--bless` rewrites them; review the diff).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::enrich_cmd::{line_record, wasm_path_or_hint};
use crate::wasm_host::{NativeFilter, Output, RecordFilter};

/// One fixture case.
#[derive(Debug, Clone)]
pub struct FixtureCase {
    /// The 1-based line of the fixture file it was read from.
    pub at: usize,
    pub line: String,
    pub key: Option<String>,
    pub params: BTreeMap<String, String>,
    pub form: String,
}

/// Reads a fixture file; errors name the file and line.
pub fn load_cases(path: &Path) -> Result<Vec<FixtureCase>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (n, l) in text.lines().enumerate() {
        if l.trim().is_empty() || l.starts_with("//") {
            continue;
        }
        let v: Value = serde_json::from_str(l)
            .with_context(|| format!("{}:{}: not a JSON object", path.display(), n + 1))?;
        let line = v["line"]
            .as_str()
            .with_context(|| {
                format!(
                    "{}:{}: expected a string field `line`",
                    path.display(),
                    n + 1
                )
            })?
            .to_string();
        let key = v["key"].as_str().map(str::to_string);
        let params = string_map(&v["params"]);
        let form = v["form"].as_str().unwrap_or("device").to_string();
        out.push(FixtureCase {
            at: n + 1,
            line,
            key,
            params,
            form,
        });
    }
    Ok(out)
}

/// The fixture files under `dir`, in a stable order.
pub fn fixture_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for sub in ["generated", "devices"] {
        let d = dir.join(sub);
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd {
                let p = e?.path();
                if p.extension().is_some_and(|x| x == "jsonl") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

/// What the output says about the match: (key, params as written).
pub fn outcome(output: &[u8]) -> Result<(Option<String>, BTreeMap<String, Value>)> {
    let v: Value = serde_json::from_slice(output)
        .with_context(|| format!("output is not JSON: {}", String::from_utf8_lossy(output)))?;
    let Some(cat) = v.get("catalog") else {
        return Ok((None, BTreeMap::new()));
    };
    let key = cat["key"].as_str().map(str::to_string);
    let params = cat["params"]
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    Ok((key, params))
}

/// A JSON object of strings as a map (non-strings read as empty).
fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Where two output records differ, one line per JSON path (`  catalog.
/// params.PID: "812" / 812`), at most eight; the whole records when one is
/// not JSON.
pub fn differences(a: &[u8], b: &[u8]) -> String {
    fn walk(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match (x.get(k), y.get(k)) {
                        (Some(v), Some(w)) => walk(v, w, &p, out),
                        (v, w) => out.push(format!("  {p}: {} / {}", show(v), show(w))),
                    }
                }
            }
            _ if a != b => out.push(format!("  {path}: {a} / {b}")),
            _ => {}
        }
    }
    fn show(v: Option<&Value>) -> String {
        v.map_or_else(|| "(absent)".to_string(), Value::to_string)
    }
    match (
        serde_json::from_slice::<Value>(a),
        serde_json::from_slice::<Value>(b),
    ) {
        (Ok(x), Ok(y)) => {
            let mut out = Vec::new();
            walk(&x, &y, "", &mut out);
            if out.is_empty() {
                // The same values, written differently (order, spacing).
                out.push("  the same values, written differently (member order or spacing)".into());
            }
            let more = out.len().saturating_sub(8);
            out.truncate(8);
            if more > 0 {
                out.push(format!("  ... and {more} more"));
            }
            out.join("\n")
        }
        _ => format!(
            "  {}\n  {}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
        ),
    }
}

/// Whether an output value is the expected text: a string equal to it, or
/// a number (a typed `int`, written as an integer: `09[IKE]` gives 9) equal
/// to the integer the text reads as.
fn same_value(want: &str, got: &Value) -> bool {
    match got {
        Value::String(s) => s == want,
        Value::Number(n) => n.as_i64().is_some() && want.parse::<i64>().ok() == n.as_i64(),
        _ => false,
    }
}

/// Whether the outcome satisfies the case; a reason when not.
pub fn judge(
    case: &FixtureCase,
    key: &Option<String>,
    params: &BTreeMap<String, Value>,
) -> Option<String> {
    if *key != case.key {
        return Some(format!("expected entry {:?}, got {:?}", case.key, key));
    }
    for (name, want) in &case.params {
        match params.get(name) {
            Some(got) if same_value(want, got) => {}
            Some(got) => return Some(format!("param {name}: expected {want:?}, got {got:?}")),
            None => return Some(format!("param {name}: expected {want:?}, missing")),
        }
    }
    None
}

/// Lines, wrong results and engine differences per source (the expected
/// key's prefix: `nxr`, `cos-core`, ...; `negative` for lines that must not
/// match).
#[derive(Default)]
struct SourceTally {
    lines: usize,
    wrong: usize,
    engine_diffs: usize,
}

fn source_of(case: &FixtureCase) -> String {
    case.key
        .as_deref()
        .and_then(|k| k.split(':').next())
        .unwrap_or("negative")
        .to_string()
}

struct FileReport {
    name: String,
    lines: usize,
    wrong: usize,
    engine_diffs: usize,
    golden_diffs: usize,
}

pub fn run(dir: &Path, wasm: Option<PathBuf>, bless: bool, native_only: bool) -> Result<ExitCode> {
    Ok(if check(dir, wasm, bless, native_only)? {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Runs the checks, prints the summary; `true` when everything passed.
pub fn check(dir: &Path, wasm: Option<PathBuf>, bless: bool, native_only: bool) -> Result<bool> {
    let files = fixture_files(dir)?;
    if files.is_empty() {
        anyhow::bail!(
            "no fixture files under {} (run `logref fixtures generate`)",
            dir.display()
        );
    }
    let mut native = NativeFilter::new(None, None)?;
    let mut wasm_filter: Option<Box<dyn RecordFilter>> = if native_only {
        None
    } else {
        let p = wasm_path_or_hint(wasm)?;
        eprintln!("loading {} under wasmtime ...", p.display());
        Some(crate::wasm_host::compiled(&p, "logref_filter")?)
    };
    let mut reports = Vec::new();
    let mut by_source: BTreeMap<String, SourceTally> = BTreeMap::new();
    let mut shown = 0;
    let expected_dir = dir.join("expected");
    for file in &files {
        let cases = load_cases(file)?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut rep = FileReport {
            name: name.clone(),
            lines: cases.len(),
            wrong: 0,
            engine_diffs: 0,
            golden_diffs: 0,
        };
        let mut outputs = String::new();
        for (i, case) in cases.iter().enumerate() {
            let tally = by_source.entry(source_of(case)).or_default();
            tally.lines += 1;
            let record = line_record(&case.line);
            let out = match native.call(b"logs", &record)? {
                Output::Record(r) => r,
                Output::Dropped => b"(dropped)".to_vec(),
            };
            if let Some(w) = wasm_filter.as_mut() {
                let wout = match w
                    .call(b"logs", &record)
                    .with_context(|| format!("{name}:{}: wasm call", i + 1))?
                {
                    Output::Record(r) => r,
                    Output::Dropped => b"(dropped)".to_vec(),
                };
                if wout != out {
                    rep.engine_diffs += 1;
                    tally.engine_diffs += 1;
                    if shown < 10 {
                        shown += 1;
                        eprintln!(
                            "{name}:{}: native and wasm differ (native / wasm)\n{}",
                            case.at,
                            differences(&out, &wout)
                        );
                    }
                }
            }
            let (key, params) = outcome(&out)?;
            if let Some(why) = judge(case, &key, &params) {
                rep.wrong += 1;
                tally.wrong += 1;
                if shown < 10 {
                    shown += 1;
                    eprintln!(
                        "{name}:{}: {why}\n  line:   {}\n  output: {}",
                        case.at,
                        case.line,
                        String::from_utf8_lossy(&out)
                    );
                }
            }
            outputs.push_str(&String::from_utf8_lossy(&out));
            outputs.push('\n');
        }
        let golden = expected_dir.join(name.replace(".jsonl", ".out.jsonl"));
        if bless {
            std::fs::create_dir_all(&expected_dir)?;
            std::fs::write(&golden, &outputs)
                .with_context(|| format!("writing {}", golden.display()))?;
        } else {
            let want = std::fs::read_to_string(&golden).unwrap_or_default();
            for (i, (w, g)) in want.lines().zip(outputs.lines()).enumerate() {
                if w != g {
                    rep.golden_diffs += 1;
                    if shown < 10 {
                        shown += 1;
                        eprintln!(
                            "{}:{}: output differs from the expected output (expected / got)\n{}",
                            golden.display(),
                            i + 1,
                            differences(w.as_bytes(), g.as_bytes())
                        );
                    }
                }
            }
            let (nw, ng) = (want.lines().count(), outputs.lines().count());
            if nw != ng {
                rep.golden_diffs += nw.abs_diff(ng);
                eprintln!("{}: {nw} expected lines, {ng} produced (run `logref check --bless` after reviewing)", golden.display());
            }
        }
        reports.push(rep);
    }
    println!(
        "{:<34} {:>6} {:>8} {:>13} {:>13}",
        "fixture file", "lines", "wrong", "native!=wasm", "!=expected"
    );
    let mut failed = false;
    for r in &reports {
        println!(
            "{:<34} {:>6} {:>8} {:>13} {:>13}",
            r.name,
            r.lines,
            r.wrong,
            if native_only {
                "-".to_string()
            } else {
                r.engine_diffs.to_string()
            },
            r.golden_diffs
        );
        failed |= r.wrong + r.engine_diffs + r.golden_diffs > 0;
    }
    println!();
    println!(
        "{:<34} {:>6} {:>8} {:>13}",
        "source (expected)", "lines", "wrong", "native!=wasm"
    );
    for (source, t) in &by_source {
        let diffs = if native_only {
            "-".to_string()
        } else {
            t.engine_diffs.to_string()
        };
        println!("{source:<34} {:>6} {:>8} {diffs:>13}", t.lines, t.wrong);
    }
    if bless {
        println!(
            "expected outputs rewritten under {}",
            expected_dir.display()
        );
    }
    println!(
        "{}",
        if failed {
            "check FAILED"
        } else {
            "check passed"
        }
    );
    Ok(!failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_the_paths() {
        let d = differences(
            br#"{"log":"x","catalog":{"params":{"PID":"812"},"match":"exact"}}"#,
            br#"{"log":"x","catalog":{"params":{"PID":812},"match":"exact","relaxed":["pid"]}}"#,
        );
        assert_eq!(
            d,
            "  catalog.params.PID: \"812\" / 812\n  catalog.relaxed: (absent) / [\"pid\"]"
        );
        assert!(
            differences(br#"{"a":1,"b":2}"#, br#"{"b":2,"a":1}"#).contains("written differently")
        );
        assert_eq!(differences(b"x", b"{}"), "  x\n  {}");
    }
}

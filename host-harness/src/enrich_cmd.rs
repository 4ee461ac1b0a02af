//! `logref enrich`: pipe logs through the filter and see the enrichment.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;

use crate::wasm_host::{NativeFilter, Output, RecordFilter, WasmiFilter, WasmtimeFilter};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// The plugin's .wasm under wasmtime, called exactly as Fluent Bit calls it.
    Wasm,
    /// The same .wasm under the wasmi interpreter (like Fluent Bit's WAMR interpreter).
    WasmInterp,
    /// The plugin's code compiled natively (same output, no wasm).
    Native,
    /// The generated Vector remap program (`logref export vector`) under the
    /// `vrl` crate, Vector's own VRL runtime.
    Vrl,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Raw log lines; each becomes {"log": LINE} (Fluent Bit's tail input).
    Lines,
    /// One JSON record per line, passed as is.
    Ndjson,
}

/// Where `cargo build --release -p logref-plugin --target wasm32-wasip1` puts the module.
pub fn default_wasm_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("target"));
    target
        .join("wasm32-wasip1")
        .join("release")
        .join("logref_plugin.wasm")
}

pub fn wasm_path_or_hint(path: Option<PathBuf>) -> Result<PathBuf> {
    let p = path.unwrap_or_else(default_wasm_path);
    if !p.exists() {
        bail!(
            "{} not found: build the plugin first with `cargo build --release -p logref-plugin --target wasm32-wasip1` (or pass --wasm PATH)",
            p.display()
        );
    }
    Ok(p)
}

pub fn make_filter(
    engine: Engine,
    wasm: Option<PathBuf>,
    function: &str,
    dir: Option<&Path>,
    artifact: Option<&Path>,
) -> Result<Box<dyn RecordFilter>> {
    Ok(match engine {
        Engine::Native => Box::new(NativeFilter::new(function.ends_with("_ecs"), artifact)?),
        Engine::Wasm => Box::new(WasmtimeFilter::new(
            &wasm_path_or_hint(wasm)?,
            function,
            dir,
            false,
        )?),
        Engine::WasmInterp => Box::new(WasmiFilter::new(
            &wasm_path_or_hint(wasm)?,
            function,
            false,
        )?),
        Engine::Vrl => {
            let style = if function.ends_with("_ecs") {
                logref_vector::OutputStyle::Ecs
            } else {
                logref_vector::OutputStyle::Catalog
            };
            Box::new(crate::vector_cmd::VrlFilter::new(artifact, style)?)
        }
    })
}

/// The record Fluent Bit's tail input makes of a line.
pub fn line_record(line: &str) -> Vec<u8> {
    line_bytes_record(line.as_bytes())
}

/// [`line_record`] of any bytes: JSON's escapes for `"`, `\\` and control
/// characters (the ones serde_json writes), every other byte as it is. A line that is not UTF-8 thus
/// makes a record that is not valid JSON, which the plugin passes through
/// unchanged (counted as `not_utf8`): its bytes are kept, never replaced.
pub fn line_bytes_record(line: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(line.len() + 10);
    r.extend_from_slice(b"{\"log\":\"");
    for &b in line {
        match b {
            b'"' => r.extend_from_slice(b"\\\""),
            b'\\' => r.extend_from_slice(b"\\\\"),
            b'\n' => r.extend_from_slice(b"\\n"),
            b'\r' => r.extend_from_slice(b"\\r"),
            b'\t' => r.extend_from_slice(b"\\t"),
            0x08 => r.extend_from_slice(b"\\b"),
            0x0c => r.extend_from_slice(b"\\f"),
            0..=0x1f => {
                r.extend_from_slice(format!("\\u{b:04x}").as_bytes());
            }
            _ => r.push(b),
        }
    }
    r.extend_from_slice(b"\"}");
    r
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    engine: Engine,
    wasm: Option<PathBuf>,
    function: String,
    input: InputFormat,
    dir: Option<PathBuf>,
    tag: String,
) -> Result<ExitCode> {
    let mut filter = make_filter(engine, wasm, &function, dir.as_deref(), None)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut buf = Vec::new();
    let mut reader = stdin.lock();
    let mut n = 0u64;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .context("reading stdin")?;
        if read == 0 {
            break;
        }
        n += 1;
        // The line ending is framing, not part of the record.
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        // Every line is a record, an empty one too.
        let record = match input {
            InputFormat::Lines => line_bytes_record(&buf),
            InputFormat::Ndjson => buf.clone(),
        };
        match filter
            .call(tag.as_bytes(), &record)
            .with_context(|| format!("stdin line {n}"))?
        {
            Output::Record(r) => {
                out.write_all(&r)?;
                out.write_all(b"\n")?;
            }
            Output::Dropped => {
                eprintln!(
                    "logref: stdin line {n}: the filter dropped the record; writing it unchanged"
                );
                out.write_all(&record)?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    // The plugin's counters, as Fluent Bit's log would show them.
    if let Some(c) = filter.counters() {
        eprintln!("logref: {n} lines; {c}");
    }
    Ok(ExitCode::SUCCESS)
}

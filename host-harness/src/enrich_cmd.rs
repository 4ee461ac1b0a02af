//! `logref enrich`: pipe logs through the filter and see the enrichment.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;

use crate::wasm_host::{NativeFilter, Output, RecordFilter, WasmiFilter};
use logref_plugin::config::Style;

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

/// `--engine`'s default: wasmtime, or in a `logref` built without the
/// `full` feature (scripts/demo.sh) the wasmi interpreter.
#[cfg(feature = "full")]
pub const DEFAULT_ENGINE: Engine = Engine::Wasm;
#[cfg(not(feature = "full"))]
pub const DEFAULT_ENGINE: Engine = Engine::WasmInterp;

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

/// What `logref enrich` runs: every engine takes the same configuration.
pub struct EnrichArgs {
    pub engine: Engine,
    pub wasm: Option<PathBuf>,
    /// The style's export (`logref_filter_ecs`, `logref_filter_otel`);
    /// `None`: `logref_filter`, the configuration's style.
    pub style: Option<logref_plugin::config::Style>,
    pub input: InputFormat,
    /// A directory holding `logref.conf`.
    pub dir: Option<PathBuf>,
    /// An artifact to use instead of the embedded one.
    pub artifact: Option<PathBuf>,
    pub tag: String,
    /// Files to read in turn; none or `-` is standard input.
    pub files: Vec<PathBuf>,
}

/// The plugin's enricher built natively exactly as the module builds
/// itself (`logref_plugin::load_enricher`): its `logref.conf` and artifact
/// read from `dir` where the module sees `.`, a bad file reported on
/// stderr with the embedded defaults kept. Absolute paths are not
/// readable, as in the module under these hosts.
fn native_enricher(dir: Option<&Path>) -> Result<logref_plugin::enrich::Enricher> {
    let host_path = |guest: &str| match dir {
        Some(d) if !guest.starts_with('/') => Some(d.join(guest)),
        _ => None,
    };
    logref_plugin::load_enricher(
        |p| host_path(p).and_then(|h| std::fs::read_to_string(h).ok()),
        |p| host_path(p).and_then(|h| std::fs::read(h).ok()),
    )
    .map_err(anyhow::Error::msg)
}

/// A scratch directory with a `logref.conf` naming a copy of `artifact`,
/// for the module to read as Fluent Bit would give it; removed when the
/// returned guard is dropped.
fn artifact_dir(artifact: &Path) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("logref-enrich-")
        .tempdir()?;
    std::fs::copy(artifact, dir.path().join("site.artifact"))
        .with_context(|| format!("reading {}", artifact.display()))?;
    std::fs::write(
        dir.path().join("logref.conf"),
        "artifact = \"./site.artifact\"\n",
    )?;
    Ok(dir)
}

/// A filter, and the scratch directory it reads while it runs (if any).
pub struct Filter {
    pub filter: Box<dyn RecordFilter>,
    _scratch: Option<tempfile::TempDir>,
}

pub fn make_filter(args: &EnrichArgs) -> Result<Filter> {
    let function = match args.style {
        None | Some(Style::Catalog) => "logref_filter",
        Some(Style::Ecs) => "logref_filter_ecs",
        Some(Style::Otel) => "logref_filter_otel",
    };
    // The module reads logref.conf (and the artifact it names) from the
    // directory it is given; the native and VRL engines read the same.
    let scratch = args.artifact.as_deref().map(artifact_dir).transpose()?;
    let module_dir = match &scratch {
        Some(t) => Some(t.path().to_path_buf()),
        None => args.dir.clone(),
    };
    let filter: Box<dyn RecordFilter> = match args.engine {
        Engine::Native => Box::new(NativeFilter::from_enricher(
            native_enricher(module_dir.as_deref())?,
            args.style,
        )),
        #[cfg(feature = "full")]
        Engine::Wasm => Box::new(crate::wasm_host::WasmtimeFilter::new(
            &wasm_path_or_hint(args.wasm.clone())?,
            function,
            module_dir.as_deref(),
            false,
        )?),
        Engine::WasmInterp => Box::new(WasmiFilter::with_dir(
            &wasm_path_or_hint(args.wasm.clone())?,
            function,
            module_dir.as_deref(),
            false,
        )?),
        #[cfg(not(feature = "full"))]
        Engine::Wasm | Engine::Vrl => anyhow::bail!(
            "--engine {}: this logref was built without the `full` cargo feature \
             (wasmtime, Vector's VRL); use --engine wasm-interp or native, or build with default features",
            if args.engine == Engine::Wasm { "wasm" } else { "vrl" }
        ),
        #[cfg(feature = "full")]
        Engine::Vrl => {
            // The program has the artifact and the style of the
            // configuration; the other keys are the remap's to set.
            let enricher = native_enricher(module_dir.as_deref())?;
            let style = match args.style.unwrap_or(enricher.config().style) {
                Style::Catalog => logref_vector::OutputStyle::Catalog,
                Style::Ecs => logref_vector::OutputStyle::Ecs,
                Style::Otel => logref_vector::OutputStyle::Otel,
            };
            Box::new(crate::vector_cmd::VrlFilter::from_matcher(
                enricher.matcher(),
                style,
                enricher.config().typed_values,
            )?)
        }
    };
    Ok(Filter {
        filter,
        _scratch: scratch,
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

pub fn run(args: EnrichArgs) -> Result<ExitCode> {
    let Filter {
        mut filter,
        _scratch,
    } = make_filter(&args)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // No file, or `-`: standard input (as rg and jq).
    let mut n = 0u64;
    for file in crate::input::files_or_stdin(&args.files) {
        let (mut reader, name) = crate::input::open(&file)?;
        n += enrich_lines(reader.as_mut(), &name, &args, filter.as_mut(), &mut out)?;
    }
    out.flush()?;
    // The plugin's counters, as Fluent Bit's log would show them.
    if let Some(c) = filter.counters() {
        eprintln!("logref: {n} lines; {c}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Every line of `reader` through `filter` into `out`; the number of lines.
fn enrich_lines(
    reader: &mut dyn BufRead,
    name: &str,
    args: &EnrichArgs,
    filter: &mut dyn RecordFilter,
    out: &mut impl Write,
) -> Result<u64> {
    crate::input::for_each_line(reader, name, |line, n, _| {
        // Every line is a record, an empty one too.
        let record = match args.input {
            InputFormat::Lines => line_bytes_record(line),
            InputFormat::Ndjson => line.to_vec(),
        };
        match filter
            .call(args.tag.as_bytes(), &record)
            .with_context(|| format!("{name}:{n}"))?
        {
            Output::Record(r) => {
                out.write_all(&r)?;
                out.write_all(b"\n")?;
            }
            Output::Dropped => {
                eprintln!(
                    "logref: {name}:{n}: the filter dropped the record; writing it unchanged"
                );
                out.write_all(&record)?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    })
}

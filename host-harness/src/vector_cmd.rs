//! `logref export vector` and the `vrl` engine: the catalog as native
//! Vector configuration, and that configuration run through Vector's own
//! VRL runtime (the `vrl` crate) so that it can be checked and measured
//! against the plugin on the same records.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use logref_vector::runtime::VrlProgram;
use logref_vector::OutputStyle;

use crate::wasm_host::{Output, RecordFilter};

/// Generates the three files, compiles the program with VRL to prove it
/// loads, and writes them into `out`.
pub fn export(
    out: &Path,
    artifact: Option<&Path>,
    log_file: &str,
    style: OutputStyle,
    typed_values: bool,
    syslog_source: bool,
) -> Result<()> {
    let matcher = crate::load_matcher(artifact)?;
    let dir = out.to_string_lossy().trim_end_matches('/').to_string();
    let ex = logref_vector::export_with(
        matcher.tables(),
        matcher.catalog_checksum(),
        &dir,
        log_file,
        style,
        typed_values,
        syslog_source,
    );
    eprintln!(
        "logref: checking the program with VRL ({} entries, {} KiB)...",
        matcher.entries().len(),
        ex.program.len() / 1024
    );
    let started = Instant::now();
    VrlProgram::from_export(&ex)?;
    let compile = started.elapsed();
    ex.write(out)
        .with_context(|| format!("writing into {}", out.display()))?;
    let s = &ex.stats;
    println!(
        "wrote {dir}/{}, {dir}/{}, {dir}/{}, {dir}/{}",
        logref_vector::TABLE_FILE,
        logref_vector::MATCH_FILE,
        logref_vector::PROGRAM_FILE,
        logref_vector::CONFIG_FILE
    );
    println!(
        "  {} entries; {} templates dispatched on {} first words/programs (largest group {}), {} tried on every line, {} by vendor key only",
        matcher.entries().len(),
        matcher.tables().patterns.len() - s.key_only,
        s.dispatch_keys,
        s.largest_group,
        s.always,
        s.key_only
    );
    println!(
        "  VRL compiles it in {:.1} s (Vector 0.57 compiles it about three times at start, for its schema checks)",
        compile.as_secs_f64()
    );
    println!(
        "run it: vector --config {dir}/{}",
        logref_vector::CONFIG_FILE
    );
    Ok(())
}

/// The generated program under the `vrl` runtime, as a record filter: a
/// JSON object in, the object the program leaves out.
pub struct VrlFilter {
    program: VrlProgram,
}

impl VrlFilter {
    pub fn new(artifact: Option<&Path>, style: OutputStyle) -> Result<VrlFilter> {
        VrlFilter::from_matcher(&crate::load_matcher(artifact)?, style, true)
    }

    /// The program generated from `matcher`'s tables (`typed_values`: as
    /// the plugin's configuration key).
    pub fn from_matcher(
        matcher: &logref_engine::Matcher,
        style: OutputStyle,
        typed_values: bool,
    ) -> Result<VrlFilter> {
        let started = Instant::now();
        let program = VrlProgram::from_tables(
            matcher.tables(),
            matcher.catalog_checksum(),
            style,
            typed_values,
        )?;
        eprintln!(
            "logref: VRL compiled the generated program in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(VrlFilter { program })
    }
}

impl RecordFilter for VrlFilter {
    fn call(&mut self, _tag: &[u8], record: &[u8]) -> Result<Output> {
        // Vector decodes records before a transform sees them; one that is
        // not a JSON object goes on unchanged, as the plugin does.
        let event: serde_json::Value = match serde_json::from_slice(record) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            _ => return Ok(Output::Record(record.to_vec())),
        };
        let out = self.program.run(event)?;
        Ok(Output::Record(serde_json::to_vec(&out)?))
    }

    fn memory_bytes(&mut self) -> usize {
        0
    }

    fn fuel_used(&mut self) -> Option<u64> {
        None
    }
}

/// Where `logref export vector` writes by default.
pub fn default_out() -> PathBuf {
    PathBuf::from("examples/vector")
}

//! logref for Vector: the catalog exported as native Vector configuration.
//!
//! Vector has no WASM host (its `wasm` transform was removed in 0.17), so
//! the Vector path is the catalog turned into what Vector runs natively: a
//! CSV enrichment table ([`table`]), a VRL program for a `remap` transform
//! that finds the entry and its parameters ([`program`]) with the table of
//! dispatch and template data it reads (`logref_match`), and an example
//! `vector.yaml` ([`config`]). All three are generated from the same
//! artifact tables the plugin embeds, so both paths name lines alike; the
//! [`runtime`] module (feature `runtime`) runs the program through the
//! `vrl` crate, Vector's own compiler and runtime, to prove it. Nothing
//! here is on the plugin's path.

pub mod config;
pub mod program;
#[cfg(feature = "runtime")]
pub mod runtime;
pub mod table;
pub mod template_regex;

use logref_engine::artifact::Tables;

pub use program::{OutputStyle, ProgramStats};

/// File names written by [`Export::write`].
pub const TABLE_FILE: &str = "logref.csv";
pub const MATCH_FILE: &str = "logref_match.csv";
pub const PROGRAM_FILE: &str = "logref.vrl";
pub const CONFIG_FILE: &str = "vector.yaml";

/// The generated files.
#[derive(Debug, Clone)]
pub struct Export {
    pub table_csv: String,
    /// The table `logref_match` the program reads (see [`program`]).
    pub match_csv: String,
    pub program: String,
    pub config_yaml: String,
    pub stats: ProgramStats,
}

/// Generates the files for `tables`; `dir` and `log_file` are how the
/// example configuration refers to the output directory and its input.
pub fn export(tables: &Tables, catalog_checksum: u64, dir: &str, log_file: &str) -> Export {
    export_with_style(
        tables,
        catalog_checksum,
        dir,
        log_file,
        OutputStyle::Catalog,
    )
}

/// [`export`], with the program writing `style`'s fields.
pub fn export_with_style(
    tables: &Tables,
    catalog_checksum: u64,
    dir: &str,
    log_file: &str,
    style: OutputStyle,
) -> Export {
    export_with(tables, catalog_checksum, dir, log_file, style, true, false)
}

/// [`export_with_style`]; `typed_values` false keeps every parameter value
/// a string (the plugin's `typed_values = false`); `syslog_source` for
/// events from Vector's `syslog` source, which may have taken a line's
/// first word for `appname` (see `program.rs`, `VIEWS_CHOOSE`).
#[allow(clippy::too_many_arguments)]
pub fn export_with(
    tables: &Tables,
    catalog_checksum: u64,
    dir: &str,
    log_file: &str,
    style: OutputStyle,
    typed_values: bool,
    syslog_source: bool,
) -> Export {
    let generated = program::program(tables, catalog_checksum, style, syslog_source);
    Export {
        table_csv: table::csv(tables, typed_values),
        match_csv: generated.match_csv,
        program: generated.text,
        config_yaml: config::vector_yaml(dir, log_file),
        stats: generated.stats,
    }
}

impl Export {
    /// Writes the four files into `dir` (created if missing).
    pub fn write(&self, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(TABLE_FILE), &self.table_csv)?;
        std::fs::write(dir.join(MATCH_FILE), &self.match_csv)?;
        std::fs::write(dir.join(PROGRAM_FILE), &self.program)?;
        std::fs::write(dir.join(CONFIG_FILE), &self.config_yaml)?;
        Ok(())
    }
}

//! The library half of the `logref` command: the wasm hosts that call the
//! plugin exactly as Fluent Bit does, the Vector export and its VRL
//! runtime, the fixture corpus, and the checks and benchmarks built on them. `src/main.rs` is the command line.

pub mod aot_cmd;
#[cfg(feature = "full")]
pub mod bench;
pub mod check;
pub mod coverage;
pub mod enrich_cmd;
pub mod fixtures;
#[cfg(feature = "hyperscan")]
pub mod hyperscan;
pub mod input;
pub mod large;
pub mod peers;
pub mod score;
pub mod shards;
pub mod syslog_ng_cmd;
#[cfg(feature = "full")]
pub mod vector_cmd;
pub mod wasm_host;

use std::path::PathBuf;

/// The logref checkout (where `fixtures/`, `catalog/` and `examples/`
/// are), which every default path names: `$LOGREF_ROOT` when set, else the
/// checkout the binary was built from. `--help` shows the paths in force.
pub fn repo_root() -> PathBuf {
    if let Some(root) = std::env::var_os("LOGREF_ROOT").filter(|r| !r.is_empty()) {
        return PathBuf::from(root);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Loads `--artifact PATH` (fully validated), or the artifact embedded at
/// build time.
pub fn load_matcher(artifact: Option<&std::path::Path>) -> anyhow::Result<logref_engine::Matcher> {
    match artifact {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            logref_engine::Matcher::from_bytes(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        }
        None => Ok(logref_default_artifact::matcher()?),
    }
}

/// A value parser for a share from 0 to 1 (`--similarity`, `--fraction`).
pub fn unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        Ok(_) => Err("must be between 0 and 1".into()),
        Err(e) => Err(e.to_string()),
    }
}

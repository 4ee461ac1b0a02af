//! Compiles `catalog/catalog.json` into the default artifact at build time,
//! validates it with the full, checked loader, and leaves it in OUT_DIR for
//! `include_bytes!`. Everything costly (reading documents, compiling the
//! DFA) thus stays out of the runtime. The catalog is the only input.
//! The DFA's own validation is skipped at run time only for automata; an
//! index shard's tables are validated on every load.

use std::path::PathBuf;

fn main() {
    let catalog_path = logref_catalog::built_in_dir().join("catalog.json");
    println!("cargo:rerun-if-changed={}", catalog_path.display());
    let catalog = logref_catalog::load(&catalog_path).unwrap_or_else(|e| panic!("{e}"));
    // `LOGREF_SHARDS=index` embeds token indexes instead of automata: a
    // module of 0.6 MiB instead of 11, at about twice the cost per record
    // (README, "A smaller module"). `auto` (or unset): the compiler's
    // default; `dfa`: automata only.
    println!("cargo:rerun-if-env-changed=LOGREF_SHARDS");
    let name = std::env::var("LOGREF_SHARDS").unwrap_or_default();
    let engines = logref_catalog::compile::ShardEngines::from_name(match name.as_str() {
        "" => "auto",
        n => n,
    })
    .unwrap_or_else(|| panic!("LOGREF_SHARDS={name}: expected auto, dfa or index"));
    let (bytes, _report) =
        logref_catalog::compile::compile_with(&catalog, engines).unwrap_or_else(|e| panic!("{e}"));
    // The full validation (DFA::from_bytes and every table) that lets the
    // runtime use `from_bytes_unchecked` on exactly these bytes.
    if let Err(e) = logref_engine::Matcher::from_bytes(&bytes) {
        panic!("the compiled default artifact does not validate: {e}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("default.artifact");
    std::fs::write(&out, &bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

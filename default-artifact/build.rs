//! Compiles `catalog/catalog.json` into the default artifact at build time,
//! validates it with the full, checked loader, and leaves it in OUT_DIR for
//! `include_bytes!`. Everything costly (reading documents, compiling the
//! DFA) thus stays out of the runtime. The catalog is the only input.

use std::path::PathBuf;

fn main() {
    let catalog_path = logref_catalog::built_in_dir().join("catalog.json");
    println!("cargo:rerun-if-changed={}", catalog_path.display());
    let catalog = logref_catalog::load(&catalog_path).unwrap_or_else(|e| panic!("{e}"));
    let (bytes, _report) =
        logref_catalog::compile::compile(&catalog).unwrap_or_else(|e| panic!("{e}"));
    // The full validation (DFA::from_bytes and every table) that lets the
    // runtime use `from_bytes_unchecked` on exactly these bytes.
    if let Err(e) = logref_engine::Matcher::from_bytes(&bytes) {
        panic!("the compiled default artifact does not validate: {e}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("default.artifact");
    std::fs::write(&out, &bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

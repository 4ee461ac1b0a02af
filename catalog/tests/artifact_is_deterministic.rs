//! The same catalog compiles to the same artifact bytes, and the artifact
//! embedded at build time is exactly what `logref compile` produces.

#[test]
fn same_catalog_same_bytes() {
    let dir = logref_catalog::default_dir();
    let catalog = logref_catalog::load(&dir.join("catalog.json")).unwrap();
    let (a, report) = logref_catalog::compile::compile(&catalog).unwrap();
    let (b, _) = logref_catalog::compile::compile(&catalog).unwrap();
    assert!(a == b, "two compilations of one catalog differ");
    // One pattern per template, and one per wider reading (a variant).
    assert!(report.patterns >= catalog.entries.len());
    assert!(
        report.artifact_bytes < 16 << 20,
        "artifact over the 16 MiB budget: {} bytes",
        report.artifact_bytes
    );
    // The header records the catalog's checksum.
    let header = logref_engine::artifact::read_header(&a).unwrap();
    assert_eq!(
        header.catalog_checksum,
        logref_engine::fnv1a64(logref_catalog::to_json(&catalog).as_bytes())
    );
}

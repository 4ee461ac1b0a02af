//! `catalog/lint.txt` is generated from the embedded artifact; this fails
//! when it is stale. Fix: `cargo run --release --bin logref -- lint --write`,
//! then review every new overlap.

#[test]
fn lint_report_is_current() {
    let overlaps =
        logref_catalog::lint::overlaps(&logref_default_artifact::ARTIFACT.bytes).unwrap();
    let fresh = logref_catalog::lint::report(&overlaps);
    let path = logref_catalog::default_dir().join("lint.txt");
    let checked_in = std::fs::read_to_string(&path).unwrap();
    assert!(
        fresh == checked_in,
        "{} is stale: run `logref lint --write` and review the diff",
        path.display()
    );
    // The only true ambiguities are the documents' own duplicates.
    let ambiguous: Vec<(&str, &str)> = overlaps
        .iter()
        .filter(|o| o.ambiguous)
        .map(|o| (o.a.as_str(), o.b.as_str()))
        .collect();
    assert_eq!(ambiguous.len(), 5, "{ambiguous:?}");
}

//! `catalog/lint.txt` is generated from the embedded artifact; this fails
//! when it is stale. Fix: `cargo run --release --bin logref -- lint --write`,
//! then review every new overlap.

#[test]
fn lint_report_is_current() {
    let overlaps = logref_catalog::lint::overlaps(logref_default_artifact::bytes()).unwrap();
    let fresh = logref_catalog::lint::report(&overlaps);
    let path = logref_catalog::default_dir().join("lint.txt");
    let checked_in = std::fs::read_to_string(&path).unwrap();
    assert!(
        fresh == checked_in,
        "{} is stale: run `logref lint --write` and review the diff",
        path.display()
    );
    // The only true ambiguities are the documents' own duplicates, and the
    // NXR messages documented word for word under two programs, which only
    // a line that lost its program cannot tell apart.
    let ambiguous: Vec<(&str, &str)> = overlaps
        .iter()
        .filter(|o| o.ambiguous)
        .map(|o| (o.a.as_str(), o.b.as_str()))
        .collect();
    let two_programs = |(a, b): &&(&str, &str)| {
        a.starts_with("nxr:mobile-activate-") && b.starts_with("nxr:ppp-mobile-dialer-")
    };
    let same_text_two_programs = ambiguous.iter().filter(two_programs).count();
    let duplicates = ambiguous.len() - same_text_two_programs;
    assert_eq!(duplicates, 5, "{ambiguous:?}");
    assert_eq!(same_text_two_programs, 3, "{ambiguous:?}");
}

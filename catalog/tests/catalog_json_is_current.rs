//! `catalog/catalog.json` is generated; this fails when it is stale with
//! respect to the sources or `overrides.toml`. Fix: `cargo run --release
//! --bin logref -- catalog build`.

#[test]
fn checked_in_catalog_matches_a_fresh_build() {
    let dir = logref_catalog::default_dir();
    let (catalog, _) = logref_catalog::build(&dir).expect("catalog builds");
    let fresh = logref_catalog::to_json(&catalog);
    let checked_in =
        std::fs::read_to_string(dir.join("catalog.json")).expect("catalog.json exists");
    assert!(
        fresh == checked_in,
        "catalog/catalog.json is out of date: run `cargo run --release --bin logref -- catalog build`"
    );
    // A second build gives the same bytes.
    let (again, _) = logref_catalog::build(&dir).expect("catalog builds");
    assert_eq!(fresh, logref_catalog::to_json(&again));
    // And the file reads back into the same catalog.
    let parsed = logref_catalog::load(&dir.join("catalog.json")).expect("loads");
    assert_eq!(parsed, catalog);
}

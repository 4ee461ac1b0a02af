//! `fixtures/generated/corpus.jsonl` is generated; this fails when it is
//! stale. Fix: `cargo run --release --bin logref -- fixtures generate`
//! then `logref check --bless` (review the diff).

#[test]
fn generated_corpus_is_current() {
    let (_, cases) = logref::fixtures::generate_from_checkout(1).unwrap();
    let text = logref::fixtures::to_jsonl(&cases);
    let path = logref::repo_root().join("fixtures/generated/corpus.jsonl");
    let checked_in = std::fs::read_to_string(&path).unwrap();
    assert!(
        text == checked_in,
        "{} is stale: run `logref fixtures generate`, then `logref check --bless`",
        path.display()
    );
}

#[test]
fn every_entry_is_matched_by_a_line_generated_from_its_own_template() {
    let (catalog, cases) = logref::fixtures::generate_from_checkout(1).unwrap();
    let matcher = logref_default_artifact::matcher().unwrap();
    let mut covered = std::collections::BTreeSet::new();
    for c in &cases {
        let got = matcher.match_line(&c.line);
        let key = got.as_ref().map(|m| matcher.entries()[m.entry].key.clone());
        assert_eq!(key, c.key, "line {:?}", c.line);
        if let Some(m) = got {
            for (name, want) in &c.params {
                let v = m
                    .params
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.value.to_string());
                assert_eq!(
                    v.as_deref(),
                    Some(want.as_str()),
                    "param {name} of {:?}",
                    c.line
                );
            }
            // Each line also matches when generated for the entry it names
            // (ties go to the first entry of a shared template).
            covered.insert(matcher.entries()[m.entry].key.clone());
        }
    }
    // Every entry that is not the loser of a documented tie is identified.
    let ties = [
        "cos-core:02800037",
        "cos-core:02800038",
        "cos-core:02800047",
        "cos-stream:766",
        "nxr:pluto-pid-tunnel-num1-num2-sending-encry-347ec5",
    ];
    for e in &catalog.entries {
        assert!(
            covered.contains(&e.key) || ties.contains(&e.key.as_str()),
            "no generated line identifies {}",
            e.key
        );
    }
}

#[test]
fn check_passes_on_both_engines() {
    let wasm = logref::enrich_cmd::default_wasm_path();
    assert!(
        wasm.exists(),
        "{} missing: scripts/test.sh builds it",
        wasm.display()
    );
    let ok =
        logref::check::check(&logref::repo_root().join("fixtures"), None, false, false).unwrap();
    assert!(ok, "logref check failed (see the output above)");
}

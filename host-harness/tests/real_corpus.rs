//! The figures on lines real devices and daemons wrote (`fixtures/real/`)
//! are pinned in `fixtures/real/SCORE.txt`: any change in what the engine
//! identifies there, better or worse, fails here until the report is
//! reviewed and rewritten with `logref score --write`.

#[test]
fn real_corpus_score_is_pinned() {
    let dir = logref::repo_root().join("fixtures").join("real");
    let m = logref::load_matcher(None).unwrap();
    let (report, failures) = logref::score::run(&m, std::slice::from_ref(&dir)).unwrap();
    let pinned = std::fs::read_to_string(logref::score::score_file(&dir)).unwrap_or_default();
    assert!(
        report == pinned,
        "fixtures/real/SCORE.txt differs: review, then `logref score --write`.\n\
         fresh report:\n{report}\nlines handled wrongly:\n{failures}"
    );
}

#[test]
fn every_real_line_has_a_source_a_known_class_and_a_known_key() {
    // `load` refuses the whole corpus on any bad record; this names them.
    let dir = logref::repo_root().join("fixtures").join("real");
    let m = logref::load_matcher(None).unwrap();
    let keys: std::collections::HashSet<&str> =
        m.entries().iter().map(|e| e.key.as_str()).collect();
    let lines = logref::score::load(&[dir], &|k| keys.contains(k)).unwrap();
    assert!(lines.len() >= 400, "{} real lines", lines.len());
    let near = lines.iter().filter(|l| l.expected_key().is_none()).count();
    assert!(near >= 150, "{near} near misses");
}

#[test]
fn a_bad_record_is_named_by_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("logref-real-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("x.jsonl");
    std::fs::write(
        &f,
        "{\"line\":\"a\",\"expect\":\"NONE\",\"class\":\"near-miss\",\"source\":\"s\"}\n\
         {\"line\":\"b\",\"expect\":\"nope\",\"class\":\"exact\",\"source\":\"s\"}\n\
         {\"line\":\"c\",\"expect\":\"NONE\",\"class\":\"odd\",\"source\":\"s\"}\n",
    )
    .unwrap();
    let err = logref::score::load(std::slice::from_ref(&f), &|_| false)
        .unwrap_err()
        .to_string();
    std::fs::remove_dir_all(&dir).ok();
    assert!(err.contains("x.jsonl:2: expect"), "{err}");
    assert!(err.contains("x.jsonl:3: class"), "{err}");
    assert!(!err.contains("x.jsonl:1"), "{err}");
}

/// The two example catalogs of vendors nobody here wrote a parser for, on
/// their real lines (`examples/catalogs/real/`): the README's figures.
#[test]
fn example_catalogs_on_their_real_lines() {
    use logref::score::Outcome;
    let root = logref::repo_root();
    // (catalog, real lines, documented lines identified, near misses matched)
    for (file, lines, correct, false_matches) in [
        ("cisco-ios.yaml", "cisco-ios.jsonl", 88, 1),
        ("postfix.yaml", "postfix.jsonl", 141, 0),
    ] {
        let mut catalog = logref_catalog::load_default().unwrap();
        let path = root.join("examples/catalogs").join(file);
        let (source, entries) = logref_catalog::user::read(&path).unwrap();
        logref_catalog::user::merge(&mut catalog, vec![(file.to_string(), source, entries)])
            .unwrap();
        let (bytes, _) = logref_catalog::compile::compile(&catalog).unwrap();
        let m = logref_engine::Matcher::from_bytes(&bytes).unwrap();
        let keys: std::collections::HashSet<&str> =
            m.entries().iter().map(|e| e.key.as_str()).collect();
        let real = root.join("examples/catalogs/real").join(lines);
        let real = logref::score::load(&[real], &|k| keys.contains(k)).unwrap();
        let outcomes: Vec<Outcome> = real.iter().map(|l| logref::score::judge(&m, l)).collect();
        let n_correct = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Correct))
            .count();
        let n_false = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::FalseMatch(_)))
            .count();
        assert_eq!((n_correct, n_false), (correct, false_matches), "{file}");
    }
}

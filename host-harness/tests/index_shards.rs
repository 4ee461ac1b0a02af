//! A shard's token index and verification (`logref_engine::verify`) must
//! answer exactly as its automaton does: the shipped catalog and the
//! example catalogs, compiled once with automata only and once with
//! indexes only, give the same match (entry, kind, relaxations, parameters,
//! rivals) on every line of every corpus.

use std::path::Path;

use logref_catalog::compile::{self, ShardEngines};
use logref_engine::Matcher;

/// Every `line` of the JSON-lines files under `dir` (and below).
fn corpus_lines(dir: &Path, out: &mut Vec<String>) {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            corpus_lines(&p, out);
        } else if p.extension().is_some_and(|x| x == "jsonl") {
            for l in std::fs::read_to_string(&p).unwrap().lines() {
                // The device fixtures open with `//` comments.
                if l.starts_with("//") || l.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                if let Some(line) = v.get("line").and_then(|x| x.as_str()) {
                    out.push(line.to_string());
                }
            }
        }
    }
}

fn both(catalog: &logref_catalog::Catalog) -> (Matcher, Matcher) {
    let dfa = ShardEngines::Dfa {
        max_dfa_bytes: compile::SHARD_MAX_BYTES,
    };
    let (a, _) = compile::compile_with(catalog, dfa).unwrap();
    let (b, _) = compile::compile_with(catalog, ShardEngines::Index).unwrap();
    let (a, b) = (
        Matcher::from_bytes(&a).unwrap(),
        Matcher::from_bytes(&b).unwrap(),
    );
    assert!(a
        .tables()
        .shards
        .iter()
        .all(|s| matches!(s.engine, logref_engine::artifact::ShardEngine::Dfa(..))));
    assert!(b
        .tables()
        .shards
        .iter()
        .all(|s| matches!(s.engine, logref_engine::artifact::ShardEngine::Index(_))));
    (a, b)
}

fn assert_same(a: &Matcher, b: &Matcher, lines: &[String]) -> usize {
    let mut named = 0;
    for line in lines {
        let (x, y) = (a.match_line(line), b.match_line(line));
        match (x, y) {
            (None, None) => {}
            (Some(x), Some(y)) => {
                named += 1;
                assert_eq!(
                    (x.entry, x.kind, x.relaxed, &x.params, &x.ambiguous),
                    (y.entry, y.kind, y.relaxed, &y.params, &y.ambiguous),
                    "{line}"
                );
            }
            (x, y) => panic!(
                "{line}: automata {:?}, index {:?}",
                x.map(|m| m.entry),
                y.map(|m| m.entry)
            ),
        }
        assert_eq!(
            a.line_candidates(line)
                .iter()
                .map(|c| (c.pattern, c.end, c.kind))
                .collect::<Vec<_>>(),
            b.line_candidates(line)
                .iter()
                .map(|c| (c.pattern, c.end, c.kind))
                .collect::<Vec<_>>(),
            "candidates of {line}"
        );
    }
    named
}

#[test]
fn index_shards_answer_as_automata_on_every_corpus() {
    let root = logref::repo_root();
    let mut lines = Vec::new();
    corpus_lines(&root.join("fixtures"), &mut lines);
    assert!(lines.len() > 2_500, "{} lines", lines.len());
    let catalog = logref_catalog::load_default().unwrap();
    let (a, b) = both(&catalog);
    let named = assert_same(&a, &b, &lines);
    assert!(named > 2_000, "{named} lines named");
}

#[test]
fn index_shards_answer_as_automata_with_the_example_catalogs() {
    let root = logref::repo_root();
    let mut catalog = logref_catalog::load_default().unwrap();
    let mut sources = Vec::new();
    for file in ["cisco-ios.yaml", "postfix.yaml"] {
        let (source, entries) =
            logref_catalog::user::read(&root.join("examples/catalogs").join(file)).unwrap();
        sources.push((file.to_string(), source, entries));
    }
    logref_catalog::user::merge(&mut catalog, sources).unwrap();
    let mut lines = Vec::new();
    corpus_lines(&root.join("examples/catalogs/real"), &mut lines);
    assert!(lines.len() > 200, "{} lines", lines.len());
    let (a, b) = both(&catalog);
    assert_same(&a, &b, &lines);
}

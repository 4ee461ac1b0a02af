//! The record path allocates nothing once warm: every line of the
//! project's corpora (generated, device fixtures, real lines), as Fluent
//! Bit's tail input and as its syslog parser would hand them over, goes
//! through [`Enricher::process`] twice; the second pass must not call the
//! allocator at all. A counting global allocator (this test binary only)
//! counts the calls made on this test's thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use logref_plugin::config::{Config, Style};
use logref_plugin::enrich::Enricher;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = CALLS.try_with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count();
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The `line` of every case in the corpora (comment lines skipped).
fn corpus_lines() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![root.join("fixtures/generated/corpus.jsonl")];
    for dir in ["fixtures/devices", "fixtures/real"] {
        let mut more: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        more.sort();
        files.extend(more);
    }
    let mut lines = Vec::new();
    for f in files {
        for l in std::fs::read_to_string(&f).unwrap().lines() {
            if l.starts_with("//") || l.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(line) = v["line"].as_str() {
                lines.push(line.to_string());
            }
        }
    }
    assert!(lines.len() > 2000, "{} lines", lines.len());
    lines
}

/// Each line as `{"log": ...}` and as a split syslog record
/// (`ident`, `pid`, `message`).
fn records(lines: &[String]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for l in lines {
        out.push(serde_json::to_vec(&serde_json::json!({ "log": l })).unwrap());
        out.push(
            serde_json::to_vec(&serde_json::json!({
                "host": "fw1", "ident": "pluto", "pid": "42", "message": l
            }))
            .unwrap(),
        );
    }
    out
}

#[test]
fn the_record_path_allocates_nothing_once_warm() {
    // The counter counts.
    COUNTING.with(|on| on.set(true));
    drop(std::hint::black_box(vec![1u8; 3]));
    COUNTING.with(|on| on.set(false));
    assert_eq!(CALLS.with(Cell::get), 2);

    let records = records(&corpus_lines());
    assert_warm_path_allocates_nothing(logref_default_artifact::matcher().unwrap(), &records);
}

/// The same with token-index shards instead of automata (what a large
/// catalog's artifact holds): the index's lookups and the verification's
/// position sets reuse their buffers too.
#[test]
fn the_record_path_allocates_nothing_once_warm_with_index_shards() {
    let catalog = logref_catalog::load_default().unwrap();
    let (bytes, _) = logref_catalog::compile::compile_with(
        &catalog,
        logref_catalog::compile::ShardEngines::Index,
    )
    .unwrap();
    let matcher = logref_engine::Matcher::from_bytes(&bytes).unwrap();
    assert!(matcher
        .tables()
        .shards
        .iter()
        .all(|s| matches!(s.engine, logref_engine::artifact::ShardEngine::Index(_))));
    assert_warm_path_allocates_nothing(matcher, &records(&corpus_lines()));
}

fn assert_warm_path_allocates_nothing(matcher: logref_engine::Matcher, records: &[Vec<u8>]) {
    let mut enricher = Enricher::new(matcher, Config::default());
    for style in [Style::Catalog, Style::Ecs, Style::Otel] {
        // Warm up: output fragments are built on first use, and buffers
        // grow to the largest record.
        for r in records {
            enricher.process(r, style);
        }
        let mut allocating = Vec::new();
        for r in records {
            CALLS.with(|c| c.set(0));
            COUNTING.with(|on| on.set(true));
            enricher.process(r, style);
            COUNTING.with(|on| on.set(false));
            let calls = CALLS.with(Cell::get);
            if calls > 0 {
                allocating.push(format!("{calls} calls: {}", String::from_utf8_lossy(r)));
            }
        }
        assert!(
            allocating.is_empty(),
            "{} of {} records allocated ({style:?}), e.g.:\n{}",
            allocating.len(),
            records.len(),
            allocating
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(enricher.stats().enriched > 1000);
}

//! Criterion benchmarks for logref live in `benches/benches/`; run them
//! with `cargo bench -p logref-benches`. Record the figures in
//! BENCHMARKS.md together with the machine, date and command; compare
//! ratios between rows measured in the same run, not absolute numbers.

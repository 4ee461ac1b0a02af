//! Runs the record path natively over a file of raw lines, each as a
//! `{"log": LINE}` record, `--passes N` times, for profilers:
//!
//! ```sh
//! cargo build --release -p logref-plugin --example record_path
//! valgrind --tool=callgrind target/release/examples/record_path LINES --passes 2
//! ```
//!
//! Nothing is printed per record, so the profile is the record path's.

use logref_plugin::config::{Config, Style};
use logref_plugin::enrich::Enricher;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: record_path LINES [--passes N]");
    let passes: usize = match (args.next().as_deref(), args.next()) {
        (Some("--passes"), Some(n)) => n.parse().expect("--passes N"),
        _ => 1,
    };
    let text = std::fs::read_to_string(&path).expect("read the lines");
    let records: Vec<Vec<u8>> = text
        .lines()
        .map(|l| {
            let mut r = b"{\"log\":".to_vec();
            r.extend_from_slice(serde_json::to_string(l).unwrap().as_bytes());
            r.push(b'}');
            r
        })
        .collect();
    let matcher = logref_default_artifact::matcher().expect("the embedded artifact");
    let mut enricher = Enricher::new(matcher, Config::default());
    let mut bytes = 0usize;
    for _ in 0..passes {
        for r in &records {
            bytes += enricher.process(r, Style::Catalog).len();
        }
    }
    eprintln!("{}; {bytes} bytes out", enricher.stats().to_json());
}

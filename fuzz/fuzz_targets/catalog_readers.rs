//! The catalog readers: the five vendor document parsers and the user
//! catalog formats (YAML, CSV) return entries or errors, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logref_catalog::parse::{Doc, SOURCES};
use logref_catalog::Overrides;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let n = usize::from(which) % (SOURCES.len() + 2);
    if let Some(info) = SOURCES.get(n) {
        let doc = Doc::new(info.file, &text);
        let _ = (info.parse)(&doc, info, &Overrides::default());
    } else if n == SOURCES.len() {
        let _ = logref_catalog::user::from_yaml("fuzz.yaml", "fuzz", &text);
    } else {
        let _ = logref_catalog::user::from_csv("fuzz.csv", "fuzz", &text);
    }
});

//! The record path, differential against serde_json: for any bytes, if
//! serde_json reads a JSON object, the plugin's output is a JSON object
//! with the same members plus at most the enrichment key; otherwise the
//! output is the input, byte for byte.
#![no_main]

use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use logref_plugin::config::{Config, Style};
use logref_plugin::enrich::Enricher;
use serde_json::{Map, Value};

static ENRICHER: Mutex<Option<Enricher>> = Mutex::new(None);

/// serde_json's reading of `data` as an object, without its depth limit
/// (serde_stacker grows the stack for deep documents).
fn as_object(data: &[u8]) -> Option<Map<String, Value>> {
    let mut de = serde_json::Deserializer::from_slice(data);
    de.disable_recursion_limit();
    let v: Value =
        serde::Deserialize::deserialize(serde_stacker::Deserializer::new(&mut de)).ok()?;
    de.end().ok()?;
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut guard = ENRICHER.lock().unwrap();
    let enricher = guard.get_or_insert_with(|| {
        Enricher::new(
            logref_default_artifact::matcher().unwrap(),
            Config::default(),
        )
    });
    let out = enricher.process(data, Style::Catalog).to_vec();
    let (body, nul) = out.split_at(out.len() - 1);
    assert_eq!(nul, [0], "the output ends with NUL");
    match as_object(data) {
        None => assert_eq!(body, data, "not an object: passed through unchanged"),
        Some(input) => {
            let output = as_object(body).unwrap_or_else(|| {
                panic!(
                    "an object went out as invalid JSON: {:?}",
                    String::from_utf8_lossy(body)
                )
            });
            for (k, v) in &input {
                if k != "catalog" {
                    assert_eq!(output.get(k), Some(v), "member {k:?} changed");
                }
            }
            for k in output.keys() {
                assert!(
                    k == "catalog" || input.contains_key(k),
                    "member {k:?} appeared"
                );
            }
        }
    }
    // The ECS and OpenTelemetry styles write their own fields: the output
    // is still an object whenever the input is.
    for style in [Style::Ecs, Style::Otel] {
        let out = enricher.process(data, style).to_vec();
        let body = &out[..out.len() - 1];
        if as_object(data).is_some() {
            assert!(as_object(body).is_some(), "{style:?} output is not an object");
        } else {
            assert_eq!(body, data);
        }
    }
});

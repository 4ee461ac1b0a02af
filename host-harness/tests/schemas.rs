//! Each output style against its JSON Schema (`plugin/schemas/`): every
//! record the plugin enriches from the generated corpus and the real lines,
//! behind Fluent Bit's `log` and behind `message`, validates; and a record
//! with a field of the wrong type does not, so the schemas say something.

use logref::wasm_host::{NativeFilter, Output, RecordFilter};
use logref_plugin::config::Style;
use serde_json::{json, Value};

fn lines() -> Vec<String> {
    let root = logref::repo_root();
    let mut out = Vec::new();
    let mut files = vec![root.join("fixtures/generated/corpus.jsonl")];
    files.extend(logref::score::jsonl_files(&[root.join("fixtures/real")]).unwrap());
    for f in files {
        for l in std::fs::read_to_string(&f).unwrap().lines() {
            if let Ok(v) = serde_json::from_str::<Value>(l) {
                if let Some(line) = v["line"].as_str() {
                    out.push(line.to_string());
                }
            }
        }
    }
    out
}

fn validator(file: &str) -> jsonschema::Validator {
    let path = logref::repo_root().join("plugin/schemas").join(file);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_style_validates_against_its_schema() {
    let lines = lines();
    for (style, file, marker) in [
        (Style::Catalog, "catalog.schema.json", "catalog"),
        (Style::Ecs, "ecs.schema.json", "event"),
        (Style::Otel, "otel.schema.json", "attributes"),
    ] {
        let schema = validator(file);
        let mut filter = NativeFilter::new(Some(style), None).unwrap();
        let mut enriched = 0;
        let mut example = None;
        for (i, l) in lines.iter().enumerate() {
            let field = if i % 2 == 0 { "log" } else { "message" };
            let record = serde_json::to_vec(&json!({ field: l })).unwrap();
            let Output::Record(out) = filter.call(b"t", &record).unwrap() else {
                panic!("dropped")
            };
            let v: Value = serde_json::from_slice(&out).unwrap();
            if v.get(marker).is_none() {
                continue;
            }
            enriched += 1;
            let errors: Vec<String> = schema.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{file}: {v}\n{}", errors.join("\n"));
            example.get_or_insert(v);
        }
        assert!(enriched > 1500, "{file}: only {enriched} records enriched");
        // The schema rejects a wrong type in what the style adds.
        let mut bad = example.unwrap();
        match style {
            Style::Catalog => bad["catalog"]["severity_code"] = json!("4"),
            Style::Ecs => bad["event"]["severity"] = json!("warning"),
            Style::Otel => bad["attributes"]["logref.vendor"] = Value::Null,
        }
        assert!(!schema.is_valid(&bad), "{file} accepts {bad}");
    }
}

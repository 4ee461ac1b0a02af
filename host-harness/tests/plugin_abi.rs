//! The `.wasm` as Fluent Bit calls it: every bad record passes through
//! unchanged, nothing traps, the output is always one valid JSON object,
//! memory stays flat, and the native engine gives byte-identical output.
//!
//! Needs the module built first (`scripts/test.sh` does it):
//! `cargo build --release -p logref-plugin --target wasm32-wasip1`.

use logref::enrich_cmd::{default_wasm_path, line_record};
use logref::wasm_host::{NativeFilter, Output, RecordFilter, WasmtimeFilter};

fn wasm() -> WasmtimeFilter {
    let p = default_wasm_path();
    assert!(p.exists(), "{} missing: run `cargo build --release -p logref-plugin --target wasm32-wasip1` (scripts/test.sh does)", p.display());
    WasmtimeFilter::new(&p, "logref_filter", None, false).expect("module loads")
}

fn both(record: &[u8]) -> (Output, Output) {
    let mut w = wasm();
    let mut n = NativeFilter::new(None, None).unwrap();
    (
        w.call(b"t", record).expect("no trap"),
        n.call(b"t", record).unwrap(),
    )
}

/// The record as both engines enrich it (they must agree), parsed.
fn enriched_by_both(record: &[u8]) -> serde_json::Value {
    let (w, n) = both(record);
    assert_eq!(w, n);
    let Output::Record(out) = w else {
        panic!("dropped")
    };
    serde_json::from_slice(&out).unwrap()
}

/// Records the plugin must hand back byte for byte.
fn bad_records() -> Vec<(&'static str, Vec<u8>)> {
    let mut v: Vec<(&'static str, Vec<u8>)> = vec![
        ("malformed JSON", br#"{"log": "pppd[1]: Exit.""#.to_vec()),
        (
            "trailing garbage",
            br#"{"log":"pppd[1]: Exit."} x"#.to_vec(),
        ),
        ("not an object", br#"["pppd[1]: Exit."]"#.to_vec()),
        ("a bare string", br#""pppd[1]: Exit.""#.to_vec()),
        ("empty object", b"{}".to_vec()),
        ("no text field", br#"{"other":"pppd[1]: Exit."}"#.to_vec()),
        ("text not a string", br#"{"log":42}"#.to_vec()),
        (
            "text is an object",
            br#"{"log":{"a":"pppd[1]: Exit."}}"#.to_vec(),
        ),
        ("invalid escape", br#"{"log":"pppd[1]: Exit.\q"}"#.to_vec()),
        (
            "lone high surrogate",
            br#"{"log":"pppd[1]: Exit. \ud800"}"#.to_vec(),
        ),
        (
            "lone low surrogate",
            br#"{"log":"\udc00 pppd[1]: Exit."}"#.to_vec(),
        ),
        (
            "non-UTF-8 bytes",
            b"{\"log\":\"pppd[1]: Exit.\xff\xfe\"}".to_vec(),
        ),
        (
            "control character",
            b"{\"log\":\"pppd[1]:\x01 Exit.\"}".to_vec(),
        ),
        (
            "target key exists",
            br#"{"log":"pppd[1]: Exit.","catalog":"mine"}"#.to_vec(),
        ),
        (
            "unmatched line",
            br#"{"log":"sshd[1]: Accepted password for root"}"#.to_vec(),
        ),
        ("empty line", br#"{"log":""}"#.to_vec()),
    ];
    let deep = format!(
        "{{\"log\":\"sshd[1]: x\",\"n\":{}1{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    v.push(("unmatched, nested 5000 deep", deep.into_bytes()));
    let broken_deep = format!(
        "{{\"log\":\"pppd[1]: Exit.\",\"n\":{}1{}}}",
        "[".repeat(5000),
        "]".repeat(4999)
    );
    v.push(("unbalanced, nested 5000 deep", broken_deep.into_bytes()));
    let huge = format!("{{\"log\":\"pppd[1]: Exit. {}\"}}", "x".repeat(2 << 20));
    v.push(("huge (2 MiB)", huge.into_bytes()));
    v
}

#[test]
fn bad_records_pass_through_unchanged_on_both_engines() {
    let mut w = wasm();
    let mut n = NativeFilter::new(None, None).unwrap();
    for (what, rec) in bad_records() {
        let out_w = w
            .call(b"t", &rec)
            .unwrap_or_else(|e| panic!("{what}: trap {e}"));
        let out_n = n.call(b"t", &rec).unwrap();
        assert!(
            out_w == Output::Record(rec.clone()),
            "{what}: wasm must return the record unchanged"
        );
        assert!(out_n == out_w, "{what}: engines differ");
    }
    // The module counted them.
    let stats: serde_json::Value = serde_json::from_str(&w.stats().unwrap()).unwrap();
    assert_eq!(stats["records"], bad_records().len());
    assert_eq!(stats["enriched"], 0);
    assert!(stats["malformed_json"].as_u64().unwrap() >= 2, "{stats}");
    assert_eq!(stats["lone_surrogate"], 2);
    assert_eq!(stats["too_large"], 1);
    assert_eq!(stats["target_exists"], 1);
}

#[test]
fn deeply_nested_records_are_enriched_without_trapping() {
    let rec = format!(
        "{{\"log\":\"pppd[1]: Exit.\",\"n\":{}1{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    )
    .into_bytes();
    let (w, n) = both(&rec);
    assert!(w == n, "engines differ");
    let Output::Record(out) = w else {
        panic!("dropped")
    };
    assert!(
        out.starts_with(&rec[..rec.len() - 1]),
        "the record's own bytes come first"
    );
    let tail = String::from_utf8_lossy(&out[rec.len() - 1..]).into_owned();
    assert!(
        tail.starts_with(",\"catalog\":{\"key\":\"nxr:pppd-pid-exit-"),
        "{tail}"
    );
}

#[test]
fn a_call_without_a_record_returns_a_valid_object() {
    let mut w = wasm();
    let out = w.call_without_record(b"t").expect("no trap");
    let Output::Record(r) = out else {
        panic!("record_ptr=0 must not drop silently")
    };
    let v: serde_json::Value = serde_json::from_slice(&r).unwrap();
    assert!(v["logref_error"].as_str().unwrap().contains("record_ptr=0"));
    // And the module keeps working afterwards.
    let (w2, n2) = both(&line_record("pppd[1]: Exit."));
    assert_eq!(w2, n2);
}

#[test]
fn enrichment_keeps_the_record_and_its_field_order() {
    let rec = br#"{"a":1,"log":"<30>Nov 22 10:15:02 nxr1 pppd[812]: local  IP address 203.0.113.45","z":{"k":[1,2]}}"#;
    let (w, n) = both(rec);
    assert_eq!(w, n);
    let Output::Record(out) = w else {
        panic!("dropped")
    };
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with(r#"{"a":1,"log":"<30>Nov 22 10:15:02 nxr1 pppd[812]: local  IP address 203.0.113.45","z":{"k":[1,2]},"catalog":{"key":"nxr:"#), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["catalog"]["params"]["A.B.C.D"], "203.0.113.45");
    // A typed `int` parameter is a number (logref.conf `typed_values`).
    assert_eq!(v["catalog"]["params"]["PID"], 812);
    assert_eq!(v["catalog"]["severity_code"], 5);
    assert_eq!(v["catalog"]["match"], "exact");
}

#[test]
fn escaped_text_is_unescaped_before_matching() {
    // Fluent Bit sends quotes as \" and non-ASCII as \uXXXX.
    let rec = br#"{"log":"pluto[9]: \"tunnel1\" #2: xauth user 'caf\u00e9' sent wrong password"}"#;
    let v = enriched_by_both(rec);
    assert_eq!(v["catalog"]["params"]["XXXX"], "café");
    assert_eq!(v["catalog"]["match"], "prefix");
}

#[test]
fn fluent_bit_syslog_parser_fields_are_used() {
    let rec = br#"{"pri":"30","time":"Nov 22 10:15:02","host":"nxr1","ident":"charon","pid":"812","message":"05[IKE] IKE_SA deleted"}"#;
    let v = enriched_by_both(rec);
    assert_eq!(
        v["catalog"]["template"],
        "charon: <NUM1>[IKE] IKE_SA deleted"
    );

    // `syslog-rfc5424` also splits off msgid and the structured data
    // (`extradata`): a Junos tag and its parameters are still used.
    let rec = br#"{"pri":"35","time":"2026-11-22T10:15:04.120Z","host":"srx1","ident":"fwauthd","pid":"1893","msgid":"DYNAMIC_VPN_LICENSE_CHECK_FAILED","extradata":"[junos@2636.1.1.1.2.40 username=\"bob\"]","message":"Dynamic VPN license check failed for user bob"}"#;
    let v = enriched_by_both(rec);
    assert_eq!(
        v["catalog"]["key"],
        "junos:DYNAMIC_VPN_LICENSE_CHECK_FAILED"
    );
    assert_eq!(v["catalog"]["match"], "key");
    assert_eq!(v["catalog"]["params"]["username"], "bob");
}

#[test]
fn ecs_style() {
    let p = default_wasm_path();
    let mut w = WasmtimeFilter::new(&p, "logref_filter_ecs", None, false).unwrap();
    let mut n = NativeFilter::new(Some(logref_plugin::config::Style::Ecs), None).unwrap();
    let rec = line_record("<134>[2026-11-22 10:15:02] EFW: L2TP: prio=2 id=02800002 rev=1 event=l2tpclient_resolve_failed iface=l2tp_cli remotegwname=vpn.example.net");
    let out = w.call(b"t", &rec).unwrap();
    assert_eq!(out, n.call(b"t", &rec).unwrap());
    let Output::Record(out) = out else {
        panic!("dropped")
    };
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["event"]["code"], "02800002");
    assert_eq!(v["event"]["action"], "l2tpclient_resolve_failed");
    assert_eq!(v["event"]["severity"], 4);
    assert_eq!(v["observer"]["vendor"], "Clavister");
    assert_eq!(v["observer"]["product"], "cOS Core");
    assert_eq!(v["catalog"]["params"]["iface"], "l2tp_cli");
    assert_eq!(v["catalog"]["match"], "key");
    // Fluent Bit's tail names the line `log`: the ECS `log` object cannot
    // go there, and the text is copied to `message`.
    assert!(v["log"].is_string());
    assert_eq!(v["message"], v["log"]);
    // Behind `message`, the `log` object is added.
    let rec =
        br#"{"message":"<30>Nov 22 10:15:02 nxr1 pppd[812]: local  IP address 203.0.113.45"}"#;
    let Output::Record(out) = w.call(b"t", rec).unwrap() else {
        panic!("dropped")
    };
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["log"]["level"], "notice");
    assert_eq!(v["log"]["syslog"]["severity"]["code"], 5);
    assert_eq!(v["log"]["syslog"]["severity"]["name"], "notice");
    // NXR entries have no vendor id or name: no event.code, no event.action.
    assert_eq!(v["event"], serde_json::json!({"severity": 5}));
}

#[test]
fn otel_style() {
    let p = default_wasm_path();
    let mut w = WasmtimeFilter::new(&p, "logref_filter_otel", None, false).unwrap();
    let mut n = NativeFilter::new(Some(logref_plugin::config::Style::Otel), None).unwrap();
    let rec = line_record("<134>[2026-11-22 10:15:02] EFW: L2TP: prio=2 id=02800002 rev=1 event=l2tpclient_resolve_failed iface=l2tp_cli remotegwname=vpn.example.net");
    let out = w.call(b"t", &rec).unwrap();
    assert_eq!(out, n.call(b"t", &rec).unwrap());
    let Output::Record(out) = out else {
        panic!("dropped")
    };
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    // warning: WARN.
    assert_eq!(v["severity_number"], 13);
    assert_eq!(v["severity_text"], "warning");
    let a = &v["attributes"];
    assert_eq!(a["event.name"], "cos-core:02800002");
    assert_eq!(a["logref.id"], "02800002");
    assert_eq!(a["logref.params"]["iface"], "l2tp_cli");
    // No nulls among attributes (this entry has no recommended action).
    assert!(a.as_object().unwrap().values().all(|x| !x.is_null()), "{a}");
}

#[test]
fn memory_does_not_grow_with_records() {
    let mut w = wasm();
    let lines = [
        "<30>Nov 22 10:15:02 nxr1 pppd[812]: local  IP address 203.0.113.45",
        "<134>[2026-11-22 10:15:02] EFW: L2TP: prio=2 id=02800001 rev=1 event=x iface=a remotegwname=b remotegw=c",
        "Nov 22 10:15:11 host sshd[2211]: Accepted publickey for admin from 192.0.2.44 port 51234 ssh2",
    ];
    let mut records: Vec<Vec<u8>> = lines.iter().map(|l| line_record(l)).collect();
    records.push(format!("{{\"log\":\"pppd[1]: Exit. {}\"}}", "y".repeat(200_000)).into_bytes());
    records.push(b"{\"log\":\"\\ud800\"}".to_vec());
    for i in 0..1000 {
        w.call(b"t", &records[i % records.len()]).unwrap();
    }
    let after_warmup = w.memory_bytes();
    for i in 0..100_000 {
        w.call(b"t", &records[i % records.len()]).unwrap();
    }
    assert_eq!(w.memory_bytes(), after_warmup, "linear memory grew");
}

#[test]
fn arbitrary_bytes_never_trap_and_always_give_a_valid_object_or_the_input() {
    let mut w = wasm();
    let mut rng = logref::fixtures::Rng::new(7);
    let seeds: Vec<Vec<u8>> = bad_records()
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.len() < 10_000)
        .chain([
            line_record("pppd[1]: Exit."),
            line_record("<134>[2026-11-22 10:15:02] EFW: L2TP: prio=2 id=02800001 iface=\"a b\""),
        ])
        .collect();
    for i in 0..3000 {
        let mut rec = seeds[i % seeds.len()].clone();
        for _ in 0..1 + rng.below(4) {
            let op = rng.below(4);
            let at = rng.below(rec.len() as u64 + 1) as usize;
            match op {
                0 if !rec.is_empty() => {
                    let at = at.min(rec.len() - 1);
                    rec[at] = rng.next_u64() as u8;
                }
                1 => rec.insert(at, rng.next_u64() as u8),
                2 if at < rec.len() => {
                    rec.remove(at);
                }
                _ => {
                    let from = rng.below(rec.len() as u64 + 1) as usize;
                    let chunk: Vec<u8> = rec[from..].iter().take(8).copied().collect();
                    for (k, b) in chunk.into_iter().enumerate() {
                        rec.insert((at + k).min(rec.len()), b);
                    }
                }
            }
        }
        let out = w
            .call(b"t", &rec)
            .unwrap_or_else(|e| panic!("trap on {:?}: {e}", String::from_utf8_lossy(&rec)));
        // The output is a C string: a raw NUL (which Fluent Bit's JSON never
        // holds) ends it.
        let as_c_string = rec.split(|b| *b == 0).next().unwrap_or(&[]).to_vec();
        match out {
            Output::Dropped if as_c_string.is_empty() => {}
            Output::Dropped => panic!("dropped {:?}", String::from_utf8_lossy(&rec)),
            Output::Record(o) if o == as_c_string => {}
            Output::Record(o) => {
                let v: serde_json::Value = serde_json::from_slice(&o).unwrap_or_else(|e| {
                    panic!(
                        "invalid JSON out ({e}) for {:?}",
                        String::from_utf8_lossy(&rec)
                    )
                });
                assert!(v.is_object());
            }
        }
    }
}

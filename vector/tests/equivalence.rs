//! The generated VRL program, run by the `vrl` crate (Vector's compiler and
//! runtime), must add the same `catalog` object as the plugin to every
//! record of the fixture corpus.
//!
//! Where VRL cannot express what the engine does, the difference is
//! counted and pinned here (and explained in the README): a change in
//! either count is a change in behaviour someone must look at.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use logref_engine::syslog;
use logref_plugin::config::{Config, Style};
use logref_plugin::enrich::Enricher;
use logref_vector::runtime::VrlProgram;
use logref_vector::OutputStyle;
use serde_json::{json, Value};

/// Records whose `catalog` differs between VRL and the plugin (see the
/// README, "What VRL cannot express"). The corpus and its split form agree
/// on every record; the perturbed corpus differs only where VRL's
/// `parse_key_value` reads Clavister pairs differently: a quoted value cut
/// short by the end of the line keeps its quote, and a quoted value
/// holding a tab gets a space.
const PINNED_LINE_DIFFERENCES: usize = 0;
const PINNED_SPLIT_DIFFERENCES: usize = 0;
const PINNED_PERTURBED_DIFFERENCES: usize = 9;
/// Real lines whose header only the engine reads (see the test).
const PINNED_REAL_DIFFERENCES: usize = 0;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every line of the fixture corpus: generated, hand-written device logs
/// and the example log.
fn corpus() -> Vec<String> {
    let mut lines = Vec::new();
    let mut files = vec![root().join("fixtures/generated/corpus.jsonl")];
    let mut devices: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/devices"))
        .expect("fixtures/devices")
        .map(|e| e.expect("dir entry").path())
        .collect();
    devices.sort();
    files.extend(devices);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("fixture file");
        for l in text.lines() {
            if l.trim().is_empty() || l.starts_with("//") {
                continue;
            }
            let v: Value = serde_json::from_str(l).expect("fixture JSON");
            if let Some(s) = v.get("line").and_then(Value::as_str) {
                lines.push(s.to_string());
            }
        }
    }
    let example = std::fs::read_to_string(root().join("examples/device-logs.log"))
        .expect("examples/device-logs.log");
    lines.extend(example.lines().map(str::to_string));
    lines
}

struct Engines {
    vrl: VrlProgram,
    plugin: Enricher,
}

fn engines() -> &'static Mutex<Engines> {
    static ENGINES: OnceLock<Mutex<Engines>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let m = logref_default_artifact::matcher().expect("default artifact");
        let vrl =
            VrlProgram::from_tables(m.tables(), m.catalog_checksum(), OutputStyle::Catalog, true)
                .unwrap_or_else(|e| panic!("{e}"));
        let plugin = Enricher::new(m, Config::default());
        Mutex::new(Engines { vrl, plugin })
    })
}

fn plugin_catalog(plugin: &mut Enricher, record: &Value) -> Option<Value> {
    let bytes = serde_json::to_vec(record).expect("serialise");
    let out = plugin.process(&bytes, Style::Catalog);
    let out = out.strip_suffix(b"\0").unwrap_or(out);
    let v: Value = serde_json::from_slice(out).expect("plugin output is JSON");
    v.get("catalog").cloned()
}

/// Runs both engines over `records` (VRL event, plugin record) and returns
/// the differences, printing the first few.
fn differences(records: &[(Value, Value)]) -> usize {
    let mut e = engines().lock().unwrap_or_else(|p| p.into_inner());
    let mut diffs = 0;
    for (event, record) in records {
        let out = e
            .vrl
            .run(event.clone())
            .unwrap_or_else(|err| panic!("{err}"));
        let vrl = out.get("catalog").cloned();
        let plugin = plugin_catalog(&mut e.plugin, record);
        if vrl != plugin {
            diffs += 1;
            if diffs <= 15 {
                eprintln!(
                    "DIFF {event}\n  vrl:    {}\n  plugin: {}",
                    vrl.map_or("none".into(), |v| v.to_string()),
                    plugin.map_or("none".into(), |v| v.to_string())
                );
            }
        }
    }
    diffs
}

/// Each line as both engines get it from a file: `{"message": line}`.
fn message_records(lines: &[String]) -> Vec<(Value, Value)> {
    lines
        .iter()
        .map(|l| (json!({ "message": l }), json!({ "message": l })))
        .collect()
}

#[test]
fn vrl_enriches_every_corpus_line_like_the_plugin() {
    let lines = corpus();
    assert!(lines.len() > 2000, "corpus too small: {}", lines.len());
    let records = message_records(&lines);
    let diffs = differences(&records);
    eprintln!("{diffs} of {} lines differ", records.len());
    assert_eq!(diffs, PINNED_LINE_DIFFERENCES);
}

/// The lines real daemons wrote (`fixtures/real/`): the program reads
/// every header form the engine reads; a difference would be pinned here.
#[test]
fn vrl_enriches_real_lines_like_the_plugin() {
    let mut lines = Vec::new();
    for f in ["ipsec", "l2tp-vendors", "ppp-dhcp-ntp", "routing-misc"] {
        let path = root().join("fixtures/real").join(format!("{f}.jsonl"));
        for l in std::fs::read_to_string(&path).unwrap().lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            lines.push(v["line"].as_str().unwrap().to_string());
        }
    }
    assert!(lines.len() >= 400, "{}", lines.len());
    let diffs = differences(&message_records(&lines));
    eprintln!("{diffs} of {} real lines differ", lines.len());
    assert_eq!(diffs, PINNED_REAL_DIFFERENCES);
}

/// The header forms' edges, where the engine's parser and the program's
/// expressions could part: an archive prefix, a log viewer's columns
/// (with and without a severity, a year before the tab, a severity
/// column followed by no process), a daemon's own timestamp (bracketed,
/// BSD with a year before a colon, a number in brackets, nothing after it).
#[test]
fn vrl_reads_archive_viewer_and_own_timestamp_headers_like_the_plugin() {
    let body = "pppd[7]: Timeout waiting for PADO packets";
    let lines: Vec<String> = [
        format!("- 1131566463 2005.11.09 cn142 Nov 9 12:01:03 cn142/cn142 {body}"),
        format!("KERNDTLB 1131566463 2005.11.09 cn142 Nov 9 12:01:03 src@cn142 {body}"),
        "2025-05-11T12:13:18\tNotice\tpppd[7]\tTimeout waiting for PADO packets".into(),
        "2025-05-11T12:13:18\tpppd\tTimeout waiting for PADO packets".into(),
        "Sun May 21 05:08:02 2017\tpppd[7]\tTimeout waiting for PADO packets".into(),
        format!("- 1131566463 2005.11.09 Nov 9 12:01:03 h {body}"),
        "2025-05-11T12:13:18\tNotice\tpp d\tTimeout waiting for PADO packets".into(),
        "2025-05-11T12:13:18\tNotice\tTimeout waiting for PADO packets".into(),
        "Apr 02 14:15:55 h pppd[7]: Apr  2 14:15:55 Timeout waiting for PADO packets".into(),
        "Apr 02 14:15:55 h pppd[7]: [2022-03-17T10:06:21.588173] Timeout waiting for PADO packets"
            .into(),
        "Apr 02 14:15:55 h pppd[7]: Fri Apr  3 00:47:43 2020: Timeout waiting for PADO packets"
            .into(),
        "Apr 02 14:15:55 h pppd[7]: [12] Timeout waiting for PADO packets".into(),
        "Apr 02 14:15:55 h pppd[7]: 2021-03-17 12:35:41".into(),
        "pppd[7]: 2021-03-17 12:35:41 Timeout waiting for PADO packets".into(),
    ]
    .into_iter()
    .collect();
    // The forms the engine reads name pppd and its message.
    for l in &lines[..5] {
        let h = syslog::parse(l);
        assert_eq!(h.program, Some("pppd"), "{l}");
        assert!(l[h.msg_start..].starts_with("Timeout"), "{l}");
    }
    assert_eq!(differences(&message_records(&lines)), 0);
}

/// Vector's `syslog` source splits the header off (`appname`, `procid`),
/// as Fluent Bit's syslog parser does (`ident`, `pid`).
#[test]
fn vrl_enriches_split_syslog_records_like_the_plugin() {
    let lines = corpus();
    let mut records = Vec::new();
    for l in &lines {
        let h = syslog::parse(l);
        let Some(prog) = h.program else {
            continue;
        };
        let msg = &l[h.msg_start..];
        let mut event = json!({ "message": msg, "appname": prog });
        let mut record = json!({ "message": msg, "ident": prog });
        if let Some(pid) = h.pid {
            event["procid"] = json!(pid);
            record["pid"] = json!(pid);
        }
        // Fluent Bit's `syslog-rfc5424` parser's names for both.
        for (field, value) in [("msgid", h.msgid), ("extradata", h.structured_data)] {
            if let Some(v) = value {
                event[field] = json!(v);
                record[field] = json!(v);
            }
        }
        records.push((event, record));
    }
    assert!(
        records.len() > 500,
        "too few split records: {}",
        records.len()
    );
    let diffs = differences(&records);
    eprintln!("{diffs} of {} split records differ", records.len());
    assert_eq!(diffs, PINNED_SPLIT_DIFFERENCES);
}

/// Vector's `syslog` source reads a BSD line without a program tag loosely:
/// the first word after the host becomes `appname` and the rest `message`.
/// Every such record gets the entry the plugin gives the raw line.
#[test]
fn vrl_reads_back_the_first_word_vectors_syslog_source_took_for_appname() {
    let mut records = Vec::new();
    for l in corpus() {
        // A message without a header, as a device sends it over syslog
        // without a tag.
        let l = match syslog::parse(&l).format.as_str() {
            "bare" => format!("Nov 22 10:15:02 fw1 {l}"),
            _ => l,
        };
        let h = syslog::parse(&l);
        if h.program.is_some() || h.host.is_none() || h.format.as_str() != "rfc3164" {
            continue;
        }
        let msg = &l[h.msg_start..];
        let Some((word, rest)) = msg.split_once(' ') else {
            continue;
        };
        let event = json!({ "message": rest, "appname": word, "hostname": h.host });
        records.push((event, json!({ "log": l })));
    }
    // 179 today: the corpus's lines with a header and no tag, and its
    // headerless lines sent with one.
    assert!(
        records.len() > 150,
        "too few lines without a tag: {}",
        records.len()
    );
    let m = logref_default_artifact::matcher().expect("default artifact");
    let mut vrl = VrlProgram::for_syslog_source(
        m.tables(),
        m.catalog_checksum(),
        OutputStyle::Catalog,
        true,
        true,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut plugin = Enricher::new(m, Config::default());
    let mut diffs = 0;
    for (event, record) in &records {
        let out = vrl.run(event.clone()).unwrap_or_else(|e| panic!("{e}"));
        let (vrl, plugin) = (
            out.get("catalog").cloned(),
            plugin_catalog(&mut plugin, record),
        );
        if vrl != plugin {
            diffs += 1;
            eprintln!("DIFF {event}\n  vrl:    {vrl:?}\n  plugin: {plugin:?}");
        }
    }
    eprintln!("{diffs} of {} records differ", records.len());
    assert_eq!(diffs, 0);
}

/// Vector's `syslog` source puts each structured-data element in an object
/// keyed by its SD-ID; the program reads it as Fluent Bit's `extradata`.
#[test]
fn vrl_reads_structured_data_as_vectors_syslog_source_splits_it() {
    let mut e = engines().lock().unwrap_or_else(|p| p.into_inner());
    let event = json!({
        "message": "Xauth al\"ice is invalid",
        "appname": "fwauthd", "procid": 1893, "hostname": "srx1",
        "msgid": "DYNAMIC_VPN_AUTH_INVALID",
        "junos@2636.1.1.1.2.40": { "username": "al\"ice", "type": "Xauth" }
    });
    let record = json!({
        "message": "Xauth al\"ice is invalid",
        "ident": "fwauthd", "pid": "1893",
        "msgid": "DYNAMIC_VPN_AUTH_INVALID",
        "extradata": "[junos@2636.1.1.1.2.40 type=\"Xauth\" username=\"al\\\"ice\"]"
    });
    let out = e.vrl.run(event).unwrap_or_else(|err| panic!("{err}"));
    let plugin = plugin_catalog(&mut e.plugin, &record);
    assert_eq!(out["catalog"]["key"], "junos:DYNAMIC_VPN_AUTH_INVALID");
    assert_eq!(out["catalog"]["params"]["username"], "al\"ice");
    assert_eq!(out.get("catalog"), plugin.as_ref());
}

/// Records the program must leave alone.
#[test]
fn vrl_leaves_other_records_unchanged() {
    let mut e = engines().lock().unwrap_or_else(|p| p.into_inner());
    for event in [
        json!({ "message": "" }),
        json!({ "message": 42 }),
        json!({ "other": "L2TP client office7 resolved vpn-gw1 to tun0" }),
        json!({ "message": "L2TP client office7 resolved vpn-gw1 to tun0", "catalog": "mine" }),
        json!({ "message": "nothing documented here" }),
    ] {
        let out = e
            .vrl
            .run(event.clone())
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(out, event);
    }
}

/// Every corpus line changed the ways lines change on the wire (cut short,
/// something appended, blanks doubled or turned into tabs, `key= value`):
/// the rules the two engines share are tested where they are tight (token
/// boundaries, truncated structured data, key=value parsing).
#[test]
fn vrl_enriches_perturbed_lines_like_the_plugin() {
    let mut cases = Vec::new();
    for l in corpus() {
        for suffix in [
            " x",
            ".",
            "\u{e9}",
            "\u{2014}x",
            " z=1 y=\"a b\"",
            "x",
            " [1]",
        ] {
            cases.push(format!("{l}{suffix}"));
        }
        let n = l.len();
        for cut in [n / 3, n / 2, n * 2 / 3, n.saturating_sub(2)] {
            let mut c = cut;
            while !l.is_char_boundary(c) {
                c -= 1;
            }
            cases.push(l[..c].to_string());
        }
        cases.push(l.replace(' ', "  "));
        cases.push(l.replace(' ', "\t"));
        cases.push(l.replacen('=', "= ", 2));
    }
    let records = message_records(&cases);
    let diffs = differences(&records);
    eprintln!("{diffs} of {} perturbed lines differ", records.len());
    assert_eq!(diffs, PINNED_PERTURBED_DIFFERENCES);
}

/// Vector types events from a source's schema; VRL rejects error handling
/// it can prove unneeded, so the program must compile for precise event
/// types too (a `file` source's string `message`, a `syslog` source's
/// fields), not only for "any".
#[test]
fn program_compiles_behind_typed_sources() {
    use std::collections::BTreeMap;
    use vrl::value::kind::{Collection, Field};
    use vrl::value::Kind;

    let m = logref_default_artifact::matcher().expect("default artifact");
    let ex = logref_vector::export(m.tables(), m.catalog_checksum(), "x", "x.log");
    let file: BTreeMap<Field, Kind> = [
        (Field::from("message"), Kind::bytes()),
        (Field::from("file"), Kind::bytes()),
        (Field::from("host"), Kind::bytes()),
    ]
    .into();
    let syslog: BTreeMap<Field, Kind> = [
        (Field::from("message"), Kind::bytes()),
        (Field::from("appname"), Kind::bytes()),
        (Field::from("procid"), Kind::integer().or_bytes()),
        (Field::from("msgid"), Kind::bytes()),
        (Field::from("hostname"), Kind::bytes()),
    ]
    .into();
    for (name, fields) in [("file", file), ("syslog", syslog)] {
        let kind = Kind::object(Collection::from(fields));
        if let Err(e) = VrlProgram::for_events(&ex.program, &ex.table_csv, &ex.match_csv, kind) {
            panic!("behind a {name} source: {e}");
        }
    }
}

/// The ECS and OpenTelemetry styles (`logref export vector --style ecs`,
/// `--style otel`) write the same fields as the plugin's
/// `logref_filter_ecs` and `logref_filter_otel`, behind a `message` field
/// and behind Fluent Bit's `log` (where ECS's `log` object cannot go).
#[test]
fn vrl_ecs_and_otel_styles_write_the_plugins_fields() {
    for (vrl_style, style, marker) in [
        (OutputStyle::Ecs, Style::Ecs, "event"),
        (OutputStyle::Otel, Style::Otel, "attributes"),
    ] {
        let m = logref_default_artifact::matcher().expect("default artifact");
        let mut vrl = VrlProgram::from_tables(m.tables(), m.catalog_checksum(), vrl_style, true)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut plugin = Enricher::new(m, Config::default());
        let lines = corpus();
        let (mut diffs, mut enriched) = (0, 0);
        for (i, l) in lines.iter().enumerate() {
            let field = if i % 2 == 0 { "message" } else { "log" };
            let record = json!({ field: l });
            let out = vrl.run(record.clone()).unwrap_or_else(|e| panic!("{e}"));
            let bytes = serde_json::to_vec(&record).expect("serialise");
            let p = plugin.process(&bytes, style);
            let p: Value =
                serde_json::from_slice(p.strip_suffix(b"\0").unwrap_or(p)).expect("JSON");
            if out != p {
                diffs += 1;
                if diffs <= 5 {
                    eprintln!("DIFF {l}\n  vrl:    {out}\n  plugin: {p}");
                }
            }
            if out.get(marker).is_some() {
                enriched += 1;
            }
        }
        assert!(enriched > 1500, "{marker}: only {enriched} lines enriched");
        assert_eq!(diffs, 0, "{marker}");
        // Already enriched (a key the style adds is there): left alone.
        let done = json!({ "message": "L2TP client a resolved b to c", marker: {} });
        assert_eq!(
            vrl.run(done.clone()).unwrap_or_else(|e| panic!("{e}")),
            done
        );
        let bytes = serde_json::to_vec(&done).expect("serialise");
        let p = plugin.process(&bytes, style);
        assert_eq!(p.strip_suffix(b"\0").unwrap_or(p), &bytes[..]);
    }
}

/// A user catalog (`examples/catalogs/`, without the built-in one) runs in
/// VRL as in the plugin: program-scoped templates, typed placeholders,
/// strict, relaxed and unmatched lines.
#[test]
fn vrl_enriches_a_user_catalog_like_the_plugin() {
    let dir = root().join("examples/catalogs");
    let mut catalog = logref_catalog::Catalog {
        version: logref_catalog::CATALOG_VERSION,
        sources: Vec::new(),
        entries: Vec::new(),
    };
    let files = ["postfix.yaml", "postfix.csv"]
        .iter()
        .map(|f| {
            let (s, e) = logref_catalog::user::read(&dir.join(f)).unwrap_or_else(|e| panic!("{e}"));
            (f.to_string(), s, e)
        })
        .collect();
    logref_catalog::user::merge(&mut catalog, files).unwrap();
    let (bytes, _) = logref_catalog::compile::compile(&catalog).unwrap();
    let m = logref_engine::Matcher::from_bytes(&bytes).unwrap();
    let mut vrl =
        VrlProgram::from_tables(m.tables(), m.catalog_checksum(), OutputStyle::Catalog, true)
            .unwrap_or_else(|e| panic!("{e}"));
    let mut plugin = Enricher::new(m, Config::default());
    let lines = [
        "Nov 22 10:15:02 mx1 postfix/smtpd[4711]: connect from mail.example.net[192.0.2.7]",
        "<22>1 2026-11-22T10:15:02Z mx1 postfix/smtpd 4711 - - connect from a[192.0.2.7]",
        "Nov 22 10:15:02 mx1 postfix/smtpd[4711]: disconnect from unknown[198.51.100.3] ehlo=1 quit=1 commands=2",
        "lost connection after AUTH from unknown[198.51.100.3]",
        "Nov 22 10:15:02 mx1 postfix/smtpd[1]: warning: hostname h.example does not resolve to address 192.0.2.9",
        "Nov 22 10:15:02 mx1 sendmail[1]: connect from a[192.0.2.7]",
        "postfix/smtpd[1]: connect from a[not-an-ip]",
    ];
    let mut matched = 0;
    for l in lines {
        let event = json!({ "message": l });
        let out = vrl.run(event.clone()).unwrap_or_else(|e| panic!("{e}"));
        let v = out.get("catalog").cloned();
        let p = plugin_catalog(&mut plugin, &event);
        assert_eq!(v, p, "{l}");
        matched += usize::from(p.is_some());
    }
    assert_eq!(matched, 5);
}

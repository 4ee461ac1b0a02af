//! The matching semantics the README documents, one test each, on small
//! catalogs compiled for the test (so each rule is shown in isolation).

use logref_catalog::{compile, Catalog, Entry, Source};
use logref_engine::{ArtifactError, MatchKind, Matcher};
use serde_json::json;

const CORE: &str = "000_3b287c3cc12531ae.txt";
const SEIL: &str = "001_57ef9ff72fe33cb2.txt";
const STREAM: &str = "002_a27fc28df689adb3.txt";
const NXR: &str = "003_36d23bcc90e79fc9.txt";
const JUNOS: &str = "004_26a94f5f5b7d6a2d.txt";

/// An entry with the fields that matter here.
fn entry(source: &str, key: &str, template: &str, params: &[(&str, &str)]) -> Entry {
    serde_json::from_value(json!({
        "key": key, "source": source, "source_line": 1, "vendor": "V", "product": "P", "category": "C",
        "vendor_id": key.split(':').nth(1), "name": null, "severity": "notice", "severity_raw": "NOTICE",
        "template": template,
        "params": params.iter().map(|(n, t)| json!({"name": n, "type": t})).collect::<Vec<_>>(),
        "truncated": false, "explanation": null, "action": null, "lang": "en", "extra": {}
    }))
    .expect("valid entry")
}

/// The shipped sources with their key rules only (no programs, key-only
/// scope or infixes), each changed by the fields `patch` gives for it by
/// source name: so each test shows one rule in isolation.
fn sources(patch: serde_json::Value) -> Vec<Source> {
    logref_catalog::load_default()
        .expect("catalog.json")
        .sources
        .into_iter()
        .map(|s| {
            let mut v = serde_json::to_value(Source {
                programs: Vec::new(),
                key_only: false,
                infixes: Vec::new(),
                ..s
            })
            .unwrap();
            if let Some(fields) = patch.get(v["name"].as_str().unwrap()) {
                for (k, x) in fields.as_object().unwrap() {
                    v[k] = x.clone();
                }
            }
            serde_json::from_value(v).expect("valid source")
        })
        .collect()
}

fn catalog_of(entries: Vec<Entry>, patch: serde_json::Value) -> Catalog {
    Catalog {
        version: logref_catalog::CATALOG_VERSION,
        sources: sources(patch),
        entries,
    }
}

fn matcher_with(entries: Vec<Entry>, patch: serde_json::Value) -> Matcher {
    let (bytes, _) = compile::compile(&catalog_of(entries, patch)).expect("compiles");
    Matcher::from_bytes(&bytes).expect("loads")
}

fn matcher(entries: Vec<Entry>) -> Matcher {
    matcher_with(entries, json!({}))
}

fn key_of(m: &Matcher, line: &str) -> Option<String> {
    m.match_line(line).map(|r| m.entries()[r.entry].key.clone())
}

fn params(m: &Matcher, line: &str) -> Vec<(String, String)> {
    m.match_line(line)
        .map(|r| {
            r.params
                .iter()
                .map(|p| (p.name.to_string(), p.value.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn pv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn clavister_id_decides_with_or_without_leading_zeros() {
    let m = matcher(vec![
        entry(
            CORE,
            "cos-core:02800001",
            "L2TP client <iface> resolved <remotegwname> to <remotegw>",
            &[
                ("iface", "string"),
                ("remotegwname", "string"),
                ("remotegw", "string"),
            ],
        ),
        entry(
            CORE,
            "cos-core:02800002",
            "L2TP client <iface> failed to resolve <remotegwname>",
            &[("iface", "string"), ("remotegwname", "string")],
        ),
    ]);
    let line = "<134>[2026-11-22 10:15:02] EFW: L2TP: prio=2 id=02800002 rev=1 event=x iface=l2tp_cli remotegwname=\"vpn example\"";
    let r = m.match_line(line).unwrap();
    assert_eq!(r.kind, MatchKind::Key);
    assert_eq!(m.entries()[r.entry].key, "cos-core:02800002");
    assert_eq!(
        params(&m, line),
        pv(&[("iface", "l2tp_cli"), ("remotegwname", "vpn example")])
    );
    assert_eq!(
        key_of(
            &m,
            "EFW: L2TP: prio=2 id=2800001 event=l2tpclient_resolve_successful"
        )
        .as_deref(),
        Some("cos-core:02800001")
    );
    // The id decides even when the prose would say otherwise.
    assert_eq!(
        key_of(
            &m,
            "prio=2 id=2800001 event=x text=L2TP client a failed to resolve b"
        )
        .as_deref(),
        Some("cos-core:02800001")
    );
    // An unknown id is not a key match; neither is an id without Clavister's other keys.
    assert_eq!(key_of(&m, "prio=2 id=9999999 event=x"), None);
    assert_eq!(key_of(&m, "user id=2800001 logged in"), None);
}

#[test]
fn junos_tag_decides_in_bsd_and_structured_forms() {
    let m = matcher_with(
        vec![
            entry(
                JUNOS,
                "junos:DYNAMIC_VPN_AUTH_INVALID",
                "<type> <username> is invalid",
                &[("type", "string"), ("username", "string")],
            ),
            entry(SEIL, "seil:x", "<tag>: is invalid", &[]),
        ],
        json!({JUNOS: {"key_only": true}}),
    );
    let bsd = "Nov 22 10:15:02 srx1 fwauthd[1893]: DYNAMIC_VPN_AUTH_INVALID: Xauth bob is invalid";
    let r = m.match_line(bsd).unwrap();
    assert_eq!(
        (m.entries()[r.entry].key.as_str(), r.kind),
        ("junos:DYNAMIC_VPN_AUTH_INVALID", MatchKind::Key)
    );
    assert_eq!(
        params(&m, bsd),
        pv(&[("type", "Xauth"), ("username", "bob")])
    );
    let sd = "<38>1 2026-11-22T10:15:02.120Z srx1 fwauthd 1893 DYNAMIC_VPN_AUTH_INVALID [junos@2636.1.1.1.2.40 username=\"al ice\" type=\"Xauth\"] Xauth al ice is invalid";
    assert_eq!(
        params(&m, sd),
        pv(&[("username", "al ice"), ("type", "Xauth")])
    );
    // Without the tag, the Junos template identifies nothing.
    assert_eq!(key_of(&m, "Xauth bob is invalid"), None);

    // A parser split the RFC 5424 header off (Fluent Bit's `syslog-rfc5424`:
    // ident, pid, msgid, extradata): the MSGID and structured data still count.
    let split = logref_engine::SplitFields {
        program: Some("fwauthd"),
        pid: Some("1893"),
        msgid: Some("DYNAMIC_VPN_AUTH_INVALID"),
        structured_data: Some("[junos@2636.1.1.1.2.40 username=\"al ice\" type=\"Xauth\"]"),
    };
    let r = m
        .match_split_fields(split, "Xauth al ice is invalid")
        .unwrap();
    assert_eq!(m.entries()[r.entry].key, "junos:DYNAMIC_VPN_AUTH_INVALID");
    let got: Vec<(&str, &str)> = r
        .params
        .iter()
        .map(|p| (p.name, p.value.as_ref()))
        .collect();
    assert_eq!(got, [("username", "al ice"), ("type", "Xauth")]);
    let nil = logref_engine::SplitFields {
        msgid: Some("-"),
        structured_data: Some("-"),
        ..split
    };
    assert!(m
        .match_split_fields(nil, "Xauth al ice is invalid")
        .is_none());
}

#[test]
fn exact_beats_prefix_and_prefix_needs_a_token_boundary() {
    let m = matcher(vec![
        entry(NXR, "nxr:a", "pppd[<PID>]: Exit.", &[("PID", "int")]),
        entry(NXR, "nxr:b", "pppd[<PID>]: Exit. Bye", &[("PID", "int")]),
        entry(SEIL, "seil:start", "l2tpd start", &[]),
    ]);
    let r = m.match_line("pppd[1]: Exit.").unwrap();
    assert_eq!(
        (m.entries()[r.entry].key.as_str(), r.kind),
        ("nxr:a", MatchKind::Exact)
    );
    let r = m.match_line("pppd[1]: Exit. Bye").unwrap();
    assert_eq!(
        (m.entries()[r.entry].key.as_str(), r.kind),
        ("nxr:b", MatchKind::Exact)
    );
    let r = m.match_line("pppd[1]: Exit. Later").unwrap();
    assert_eq!(
        (m.entries()[r.entry].key.as_str(), r.kind),
        ("nxr:a", MatchKind::Prefix)
    );
    assert_eq!(
        m.match_line("l2tpd start now").map(|r| r.kind),
        Some(MatchKind::Prefix)
    );
    // `start` followed by `ed` is inside a word: no match.
    assert_eq!(key_of(&m, "l2tpd started"), None);
}

#[test]
fn more_literal_text_beats_less_and_true_ties_are_ambiguous() {
    let m = matcher(vec![
        entry(
            CORE,
            "cos-core:1",
            "Closed session <id>",
            &[("id", "string")],
        ),
        entry(
            CORE,
            "cos-core:2",
            "Closed session <id> now",
            &[("id", "string")],
        ),
        entry(CORE, "cos-core:3", "Tunnel <t> up", &[("t", "int")]),
        entry(CORE, "cos-core:4", "Tunnel <t> up", &[("t", "int")]),
    ]);
    // Both match "Closed session 7 now" (the first as a string `7` then
    // prefix); the exact and more literal one wins.
    let r = m.match_line("Closed session 7 now").unwrap();
    assert_eq!(m.entries()[r.entry].key, "cos-core:2");
    assert!(r.ambiguous.is_empty());
    let r = m.match_line("Tunnel 5 up").unwrap();
    assert_eq!(
        m.entries()[r.entry].key,
        "cos-core:3",
        "a tie is decided by catalog order"
    );
    assert_eq!(r.ambiguous, vec![3]);
}

#[test]
fn truncated_templates_match_as_prefix() {
    let mut e = entry(
        NXR,
        "nxr:t",
        "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: extended authentication was",
        &[("PID", "int"), ("NUM1", "int"), ("NUM2", "int")],
    );
    e.truncated = true;
    let m = matcher(vec![e]);
    let r = m
        .match_line(
            "Nov 22 10:15:02 nxr pluto[7]: \"tunnel1\" #3: extended authentication was successful",
        )
        .unwrap();
    assert_eq!(r.kind, MatchKind::Prefix);
}

#[test]
fn placeholders_are_typed() {
    let m = matcher(vec![entry(
        NXR,
        "nxr:d",
        "dhcpd: DHCPACK on <A.B.C.D> to <HH:HH:HH:HH:HH:HH> via <IFNAME>",
        &[
            ("A.B.C.D", "ipv4"),
            ("HH:HH:HH:HH:HH:HH", "mac"),
            ("IFNAME", "ifname"),
        ],
    )]);
    assert!(m
        .match_line("dhcpd: DHCPACK on 192.0.2.10 to 00:11:22:aa:bb:cc via eth0")
        .is_some());
    assert!(
        m.match_line("dhcpd: DHCPACK on 192.0.2 to 00:11:22:aa:bb:cc via eth0")
            .is_none(),
        "not an IPv4 address"
    );
    assert!(
        m.match_line("dhcpd: DHCPACK on 192.0.2.10 to 00:11:22:aa:bb via eth0")
            .is_none(),
        "not a MAC"
    );
    assert!(m
        .match_line("dhcpd: DHCPACK on host.example to 00:11:22:aa:bb:cc via eth0")
        .is_none());
    let m = matcher(vec![entry(
        NXR,
        "nxr:n",
        "ntpd[<PID>]: precision = <NUM> usec",
        &[("PID", "int"), ("NUM", "int")],
    )]);
    assert!(
        m.match_line("ntpd[1]: precision = 1.5 usec").is_none(),
        "NUM is digits"
    );
}

#[test]
fn strings_stop_at_the_following_literal_and_blanks_are_flexible() {
    let m = matcher(vec![entry(
        NXR,
        "nxr:s",
        "charon: <NUM>[IKE] no shared key found for '<A.B.C.D>' - '<XXXXXXX>'",
        &[("NUM", "int"), ("A.B.C.D", "ipv4"), ("XXXXXXX", "string")],
    )]);
    let line = "charon:   05[IKE]  no shared key found for '192.0.2.1'\t- 'vpn'gw'";
    assert_eq!(
        params(&m, line),
        pv(&[
            ("NUM", "05"),
            ("A.B.C.D", "192.0.2.1"),
            ("XXXXXXX", "vpn'gw")
        ])
    );
    let m = matcher(vec![entry(
        SEIL,
        "seil:e",
        "failed to accept: <error>",
        &[("error", "text")],
    )]);
    assert_eq!(
        params(&m, "l2tpd: failed to accept: Connection refused"),
        pv(&[("error", "Connection refused")])
    );
}

#[test]
fn lines_not_in_the_catalog_never_match() {
    let m = matcher(vec![
        entry(
            NXR,
            "nxr:p",
            "pppd[<PID>]: Connect time <NUM> minutes.",
            &[("PID", "int"), ("NUM", "int")],
        ),
        entry(
            SEIL,
            "seil:tun",
            "<tun_name>: <tag>: <param>",
            &[("tun_name", "string"), ("tag", "string"), ("param", "text")],
        ),
    ]);
    for line in [
        "Nov 22 10:15:02 host sshd[99]: Accepted password for root from 192.0.2.4 port 22 ssh2",
        "pppd[1]: Connect time 3.2 minutes.",
        "pppd[1]: Connect time minutes.",
        "kernel: eth0: link up: 1000 Mbps",
        "",
        "   ",
    ] {
        assert_eq!(key_of(&m, line), None, "{line}");
    }
}

#[test]
fn a_template_starting_with_a_placeholder_needs_its_program() {
    let m = matcher_with(
        vec![entry(
            SEIL,
            "seil:tun",
            "<tun_name>: <tag>: <param>",
            &[("tun_name", "string"), ("tag", "string"), ("param", "text")],
        )],
        json!({SEIL: {"programs": ["l2tpd"]}}),
    );
    assert_eq!(key_of(&m, "kernel: eth0: link up").as_deref(), None);
    assert_eq!(
        key_of(&m, "Nov 22 10:15:02 seil l2tpd: tun0: hostname: lac1").as_deref(),
        Some("seil:tun")
    );
    assert_eq!(
        params(&m, "<30>Nov 22 10:15:02 seil l2tpd: tun0: hostname: lac 1"),
        pv(&[
            ("tun_name", "tun0"),
            ("tag", "hostname"),
            ("param", "lac 1")
        ])
    );
}

#[test]
fn program_tags_with_or_without_pid_and_in_rfc5424_and_split_fields() {
    let m = matcher(vec![entry(
        NXR,
        "nxr:c",
        "charon: <NUM>[IKE] IKE_SA deleted",
        &[("NUM", "int")],
    )]);
    for line in [
        "charon: 05[IKE] IKE_SA deleted",
        "Nov 22 10:15:02 nxr charon[812]: 05[IKE] IKE_SA deleted",
        "<30>1 2026-11-22T10:15:02Z nxr charon 812 - - 05[IKE] IKE_SA deleted",
    ] {
        assert_eq!(key_of(&m, line).as_deref(), Some("nxr:c"), "{line}");
    }
    let r = m
        .match_fields(Some("charon"), Some("812"), "05[IKE] IKE_SA deleted")
        .unwrap();
    assert_eq!(
        r.params
            .iter()
            .find(|p| p.name == "NUM")
            .map(|p| p.value.as_ref()),
        Some("05")
    );
    assert!(
        m.match_line("pluto[1]: 05[IKE] IKE_SA deleted").is_none(),
        "another program"
    );
}

#[test]
fn reviewed_infixes_are_accepted() {
    let m = matcher_with(
        vec![entry(
            NXR,
            "nxr:i",
            "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: ISAKMP SA established",
            &[("PID", "int"), ("NUM1", "int"), ("NUM2", "int")],
        )],
        json!({NXR: {"infixes": [{
            "applies_to_prefix": "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: ",
            "before": "STATE_<state>: ",
            "after": " {<details>}",
            "types": {"details": "text"},
            "why": "Openswan"
        }]}}),
    );
    let line =
        "pluto[9]: \"tunnel1\" #2: STATE_MAIN_I4: ISAKMP SA established {auth=PSK cipher=aes_128}";
    let r = m.match_line(line).unwrap();
    assert_eq!(r.kind, MatchKind::Exact);
    assert_eq!(
        params(&m, line),
        pv(&[
            ("PID", "9"),
            ("NUM1", "1"),
            ("NUM2", "2"),
            ("state", "MAIN_I4"),
            ("details", "auth=PSK cipher=aes_128")
        ])
    );
    assert_eq!(
        m.match_line("pluto[9]: \"tunnel1\" #2: ISAKMP SA established")
            .map(|r| r.kind),
        Some(MatchKind::Exact)
    );
}

#[test]
fn sentence_then_key_value_parameters() {
    let m = matcher(vec![entry(
        STREAM,
        "cos-stream:278",
        "Anti-replay check failed.",
        &[("seqno", "int"), ("windowbase", "int")],
    )]);
    let line =
        "<133>Nov 22 10:15:02 gw ipsec: Anti-replay check failed. seqno=12 windowbase=\"100\"";
    let r = m.match_line(line).unwrap();
    assert_eq!(r.kind, MatchKind::Prefix);
    assert_eq!(
        params(&m, line),
        pv(&[("seqno", "12"), ("windowbase", "100")])
    );
    let p = &r.params[0];
    assert_eq!(&line[p.span.unwrap().0..p.span.unwrap().1], "12");
}

#[test]
fn bad_artifacts_are_refused_with_typed_errors_and_never_panic() {
    let catalog = catalog_of(
        vec![entry(NXR, "nxr:a", "pppd[<PID>]: Exit.", &[("PID", "int")])],
        json!({}),
    );
    let (bytes, _) = compile::compile(&catalog).unwrap();
    assert!(Matcher::from_bytes(&bytes).is_ok());
    assert!(matches!(
        Matcher::from_bytes(&[]),
        Err(ArtifactError::Truncated { .. })
    ));
    assert!(matches!(Matcher::from_bytes(b"\x7fELF and then some bytes that are not an artifact at all, long enough for a header"), Err(ArtifactError::BadMagic)));
    let mut v = bytes.clone();
    v[8] = 99;
    assert!(matches!(
        Matcher::from_bytes(&v),
        Err(ArtifactError::FormatVersion { found: 99, .. })
    ));
    let mut v = bytes.clone();
    v[24..30].copy_from_slice(b"0.3.99");
    assert!(matches!(
        Matcher::from_bytes(&v),
        Err(ArtifactError::RegexAutomataVersion { .. })
    ));
    let mut v = bytes.clone();
    let last = v.len() - 1;
    v[last] ^= 0x55;
    assert!(matches!(
        Matcher::from_bytes(&v),
        Err(ArtifactError::Checksum { .. })
    ));
    // Every truncation is an error, none a panic.
    for cut in (0..bytes.len()).step_by(97) {
        assert!(Matcher::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn an_index_shards_key_that_is_not_a_literal_between_blanks_is_refused() {
    use logref_engine::artifact::{self, ShardEngine, Tables};
    use logref_engine::verify::Key;
    let catalog = catalog_of(
        vec![entry(
            NXR,
            "nxr:a",
            "pppd[<PID>]: LCP terminated by peer",
            &[("PID", "int")],
        )],
        json!({}),
    );
    let (bytes, _) = compile::compile_with(&catalog, compile::ShardEngines::Index).unwrap();
    let header = artifact::read_header(&bytes).unwrap();
    let tables =
        Tables::decode(&bytes[header.tables.0..header.tables.0 + header.tables.1]).unwrap();
    let ShardEngine::Index(keys) = &tables.shards[0].engine else {
        panic!("an index shard")
    };
    assert!(keys[0].is_some(), "the template has a key");
    assert!(Matcher::from_bytes(&artifact::write(&tables, &[], header.catalog_checksum)).is_ok());
    // Out of bounds, on the placeholder, past the end's literal.
    for key in [
        Key {
            start: 60_000,
            tokens: 1,
        },
        Key {
            start: 0,
            tokens: 1,
        },
        Key {
            start: 5,
            tokens: 2,
        },
        Key {
            start: 1,
            tokens: 0,
        },
    ] {
        let mut bad = tables.clone();
        bad.shards[0].engine = ShardEngine::Index(vec![Some(key)]);
        let v = artifact::write(&bad, &[], header.catalog_checksum);
        assert!(
            matches!(Matcher::from_bytes(&v), Err(ArtifactError::Reference(_))),
            "{key:?}"
        );
    }
}

#[test]
fn templates_that_may_stand_alone_have_their_own_shard_run_for_every_line() {
    use logref_engine::artifact::ShardKind;
    use logref_engine::Relaxed;
    let m = matcher(vec![
        // Enough literal text: may identify a line without its program.
        entry(
            NXR,
            "nxr:lcp",
            "pppd[<PID>]: LCP terminated by peer",
            &[("PID", "int")],
        ),
        // A leading placeholder that could hold another program's tag:
        // needs its program.
        entry(
            NXR,
            "nxr:closed",
            "pppd[<PID>]: <what> closed by peer",
            &[("PID", "int"), ("what", "string")],
        ),
        entry(NXR, "nxr:none", "Connection lost to the tunnel server", &[]),
    ]);
    let kind_of = |key: &str| {
        let e = m.entries().iter().position(|e| e.key == key).unwrap();
        let p = m.patterns_of(e)[0] as u32;
        let shard = m.tables().shards.iter().find(|s| s.patterns.contains(&p));
        (shard.unwrap().kind, shard.unwrap().programs.clone())
    };
    assert_eq!(
        kind_of("nxr:lcp"),
        (ShardKind::StandAlone, vec!["pppd".to_string()])
    );
    assert_eq!(
        kind_of("nxr:closed"),
        (ShardKind::Lines, vec!["pppd".to_string()])
    );
    assert_eq!(kind_of("nxr:none"), (ShardKind::Lines, vec![]));
    // A line without a known program runs the stand-alone shard
    // (relaxed)...
    let r = m
        .match_line("Nov 22 10:15:02 gw LCP terminated by peer")
        .expect("stand-alone template, no program");
    assert_eq!(m.entries()[r.entry].key, "nxr:lcp");
    assert_eq!(r.relaxed, Relaxed::NO_PROGRAM);
    // ... but not the program's shard, whose templates need their program.
    assert!(m
        .match_line("Nov 22 10:15:02 gw link closed by peer")
        .is_none());
    // The program's own line runs both.
    for (line, key) in [
        (
            "Nov 22 10:15:02 gw pppd[7]: LCP terminated by peer",
            "nxr:lcp",
        ),
        (
            "Nov 22 10:15:02 gw pppd[7]: link closed by peer",
            "nxr:closed",
        ),
        (
            "Nov 22 10:15:02 gw pppd[7]: Connection lost to the tunnel server",
            "nxr:none",
        ),
    ] {
        let r = m.match_line(line).expect(line);
        assert_eq!(m.entries()[r.entry].key, key, "{line}");
        assert!(r.relaxed.is_empty(), "{line}");
    }
}

#[test]
fn a_group_too_large_for_one_automaton_is_split_and_matches_the_same() {
    use logref_engine::artifact::ShardKind;
    let words = [
        "link", "peer", "tunnel", "lease", "route", "timer", "queue", "state",
    ];
    let entries: Vec<Entry> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            entry(
                NXR,
                &format!("nxr:e{i}"),
                &format!("pppd[<PID>]: the {w} went away after <N> tries, <WHO> said"),
                &[("PID", "int"), ("N", "int"), ("WHO", "string")],
            )
        })
        .collect();
    let catalog = catalog_of(entries, json!({}));
    let (whole, _) = compile::compile(&catalog).unwrap();
    let (split, _) = compile::compile_with(
        &catalog,
        compile::ShardEngines::Dfa {
            max_dfa_bytes: 4 << 10,
        },
    )
    .unwrap();
    let (whole, split) = (
        Matcher::from_bytes(&whole).unwrap(),
        Matcher::from_bytes(&split).unwrap(),
    );
    let stand_alone = |m: &Matcher| {
        m.tables()
            .shards
            .iter()
            .filter(|s| s.kind == ShardKind::StandAlone)
            .count()
    };
    assert_eq!(stand_alone(&whole), 1);
    assert!(stand_alone(&split) > 1, "{} shards", stand_alone(&split));
    for w in words {
        for line in [
            format!("Nov 22 10:15:02 gw pppd[7]: the {w} went away after 3 tries, peer said"),
            format!("Nov 22 10:15:02 gw the {w} went away after 3 tries, nobody said"),
        ] {
            let (a, b) = (whole.match_line(&line), split.match_line(&line));
            let (a, b) = (a.expect(&line), b.expect(&line));
            assert_eq!(a.entry, b.entry, "{line}");
            assert_eq!(a.relaxed, b.relaxed, "{line}");
            assert_eq!(a.params, b.params, "{line}");
        }
    }
}

#[test]
fn the_program_is_a_scope_and_a_line_without_one_matches_relaxed() {
    use logref_engine::Relaxed;
    let m = matcher(vec![
        entry(
            NXR,
            "nxr:lcp",
            "pppd[<PID>]: LCP terminated by peer",
            &[("PID", "int")],
        ),
        entry(NXR, "nxr:exit", "pppd[<PID>]: Exit.", &[("PID", "int")]),
        entry(
            NXR,
            "nxr:ike",
            "charon: <NUM1>[IKE] giving up after <NUM2> retransmits",
            &[("NUM1", "int"), ("NUM2", "int")],
        ),
    ]);
    // The daemon's own tag, with or without a PID: strict.
    for line in [
        "Nov 22 10:15:02 gw pppd[812]: LCP terminated by peer",
        "Nov 22 10:15:02 gw pppd: LCP terminated by peer",
        "<30>1 2026-11-22T10:15:02Z gw pppd 812 - - LCP terminated by peer",
    ] {
        let r = m.match_line(line).expect(line);
        assert_eq!(m.entries()[r.entry].key, "nxr:lcp", "{line}");
        assert!(r.relaxed.is_empty(), "{line}");
    }
    // The PID comes from the header when the shipper split the tag off.
    assert_eq!(
        params(
            &m,
            "<30>1 2026-11-22T10:15:02Z gw pppd 812 - - LCP terminated by peer"
        ),
        pv(&[("PID", "812")])
    );
    // No program: the body alone is specific enough; relaxed, and says so.
    for line in [
        "LCP terminated by peer",
        "Nov 22 10:15:02 gw LCP terminated by peer",
        "13[IKE] giving up after 3 retransmits",
    ] {
        let r = m.match_line(line).expect(line);
        assert_eq!(r.relaxed, Relaxed::NO_PROGRAM, "{line}");
        assert_eq!(r.relaxed.names().collect::<Vec<_>>(), ["no-program"]);
    }
    // Too little literal text to stand without its program.
    assert_eq!(key_of(&m, "Exit."), None);
    assert_eq!(key_of(&m, "Nov 22 10:15:02 gw Exit."), None);
    // The template's `[<PID>]` is a number, whether in the tag or split off.
    assert_eq!(
        key_of(&m, "Nov 22 10:15:02 gw pppd[8x]: LCP terminated by peer"),
        None
    );
    assert_eq!(
        key_of(
            &m,
            "<30>1 2026-11-22T10:15:02Z gw pppd 8x - - LCP terminated by peer"
        ),
        None
    );
    // Another daemon's line, however similar: no match.
    assert_eq!(
        key_of(&m, "Nov 22 10:15:02 gw xl2tpd[9]: LCP terminated by peer"),
        None
    );
    assert_eq!(key_of(&m, "Nov 22 10:15:02 gw sshd[1]: Exit."), None);
}

#[test]
fn header_forms_of_daemons_own_files_and_collectors() {
    let m = matcher(vec![entry(
        NXR,
        "nxr:ng",
        "syslog-ng[<PID>]: syslog-ng starting up; version='<VERSION>'",
        &[("PID", "int"), ("VERSION", "version")],
    )]);
    let body = "syslog-ng starting up; version='3.9.1'";
    for line in [
        // A single-digit day after one blank; the day first (ntpd's files).
        format!("Mar 7 02:09:33 h syslog-ng[1]: {body}"),
        format!("20 Oct 10:28:01 syslog-ng[1]: {body}"),
        format!(" 1 Feb 16:03:27 syslog-ng[1]: {body}"),
        // The ISO date and time with a blank; fractional seconds.
        format!("2021-03-17 12:35:41 syslog-ng[1]: {body}"),
        format!("Nov 18 14:49:43.848976 h syslog-ng[1]: {body}"),
        // A severity word in capitals after the host (SONiC).
        format!("Oct 28 04:57:11.748425 sonic NOTICE syslog-ng[1]: {body}"),
        // `docker compose logs`, and a collector's timestamp before the line's.
        format!("mail_1    | Jul 19 08:03:44 mail syslog-ng[1]: {body}"),
        format!("2017-07-21T06:22:36.875029166Z Jul 21 06:22:36 mail syslog-ng[1]: {body}"),
    ] {
        let r = m.match_line(&line).expect(&line);
        assert!(r.relaxed.is_empty(), "{line}");
        assert_eq!(r.header.program, Some("syslog-ng"), "{line}");
    }
    // A daemon's own file: the time, a colon, the message (no program).
    for line in [
        format!("Nov 18 14:49:43.848976: {body}"),
        format!("Fri Apr  3 00:47:43 2020: {body}"),
        // A bracketed date and time without a tag; a second one too.
        format!("[2017-05-29T20:14:52.676323] {body}"),
        format!("[2022-10-12 10:03:09] [2022-10-12T10:03:09.845477] {body}"),
    ] {
        let r = m.match_line(&line).expect(&line);
        assert_eq!(r.header.program, None, "{line}");
        assert_eq!(
            r.relaxed.names().collect::<Vec<_>>(),
            ["no-program"],
            "{line}"
        );
    }
}

#[test]
fn header_forms_of_archives_log_viewers_and_daemons_own_timestamps() {
    let m = matcher(vec![entry(
        NXR,
        "nxr:ng",
        "syslog-ng[<PID>]: syslog-ng starting up; version='<VERSION>'",
        &[("PID", "int"), ("VERSION", "version")],
    )]);
    let body = "syslog-ng starting up; version='3.9.1'";
    for (line, pid) in [
        // Loghub's archive prefix: alert category, Unix time, date, node.
        (
            format!(
                "- 1131566463 2005.11.09 cn142 Nov 9 12:01:03 cn142/cn142 syslog-ng[7]: {body}"
            ),
            Some("7"),
        ),
        (
            format!(
                "R_ECC 1131566463 2005.11.09 cn142 Nov 9 12:01:03 src@cn142 syslog-ng[7]: {body}"
            ),
            Some("7"),
        ),
        // A log viewer's columns: timestamp, severity, process, message.
        (
            format!("2025-05-11T12:13:18\tInformational\tsyslog-ng\t{body}"),
            None,
        ),
        (
            format!("2021-01-12T20:03:29\tsyslog-ng[7]\t{body}"),
            Some("7"),
        ),
        // A timestamp the daemon wrote itself after its tag.
        (
            format!("Apr 02 14:15:55 h syslog-ng[7]: Apr  2 14:15:55 {body}"),
            Some("7"),
        ),
        (
            format!("Mar 17 10:06:21 h syslog-ng[7]: [2022-03-17T10:06:21.588173] {body}"),
            Some("7"),
        ),
        (
            format!("syslog-ng[7]: 2021-03-17 12:35:41 {body}"),
            Some("7"),
        ),
    ] {
        let r = m.match_line(&line).expect(&line);
        assert!(r.relaxed.is_empty(), "{line}");
        assert_eq!(r.header.program, Some("syslog-ng"), "{line}");
        assert_eq!(r.header.pid, pid, "{line}");
    }
    // Not these forms: a number in brackets is no timestamp; the archive
    // prefix needs its date; a column that is no process leaves the line
    // a bare message.
    for line in [
        format!("Apr 02 14:15:55 h syslog-ng[7]: [12] {body}"),
        format!("- 1131566463 cn142 Nov 9 12:01:03 cn142 syslog-ng[7]: x {body}"),
        format!("2025-05-11T12:13:18\tInformational\tsyslog ng\t{body} x"),
    ] {
        assert_eq!(key_of(&m, &line), None, "{line}");
    }
}

#[test]
fn program_aliases_are_data_and_match_relaxed() {
    use logref_engine::Relaxed;
    let patch = json!({ NXR: { "aliases": {
        "charon": ["charon-systemd"],
        "postfix/smtpd": ["postfix*/smtpd"],
    }}});
    let m = matcher_with(
        vec![
            entry(
                NXR,
                "nxr:ike",
                "charon: <NUM1>[IKE] giving up after <NUM2> retransmits",
                &[("NUM1", "int"), ("NUM2", "int")],
            ),
            {
                // A user catalog's entry names its program.
                let mut e = entry(
                    NXR,
                    "nxr:connect",
                    "connect from <client>[<ip>]",
                    &[("client", "string"), ("ip", "ip")],
                );
                e.program = Some("postfix/smtpd".into());
                e
            },
        ],
        patch,
    );
    let r = m
        .match_line("Apr 02 14:15:55 h charon-systemd[4]: 14[IKE] giving up after 5 retransmits")
        .unwrap();
    assert_eq!(m.entries()[r.entry].key, "nxr:ike");
    assert_eq!(r.relaxed, Relaxed::PROGRAM_ALIAS);
    // `*`: any run of characters; the program's own name is no alias.
    for (line, relaxed) in [
        (
            "Jan 1 00:00:00 mx postfix/submission/smtpd[9]: connect from a[2001:db8::1]",
            true,
        ),
        (
            "Jan 1 00:00:00 mx postfix-in/smtpd[9]: connect from a[192.0.2.1]",
            true,
        ),
        (
            "Jan 1 00:00:00 mx postfix/smtpd[9]: connect from a[192.0.2.1]",
            false,
        ),
    ] {
        let r = m.match_line(line).expect(line);
        assert_eq!(m.entries()[r.entry].key, "nxr:connect");
        assert_eq!(!r.relaxed.is_empty(), relaxed, "{line}");
    }
    // Not an alias: another daemon.
    assert_eq!(
        key_of(
            &m,
            "Jan 1 00:00:00 mx sendmail[9]: connect from a[192.0.2.1]"
        ),
        None
    );
}

#[test]
fn the_most_specific_glob_alias_names_the_program() {
    let patch = json!({ NXR: { "aliases": {
        "Keepalived": ["Keepalived_*"],
        "Keepalived_vrrp": ["Keepalived_vrrp_*"],
    }}});
    let m = matcher_with(
        vec![
            entry(
                NXR,
                "nxr:parent",
                "Keepalived[<PID>]: Starting VRRP child process, pid=<NUM>",
                &[("PID", "int"), ("NUM", "int")],
            ),
            entry(
                NXR,
                "nxr:child",
                "Keepalived_vrrp[<PID>]: Registering Kernel netlink reflector",
                &[("PID", "int")],
            ),
        ],
        patch,
    );
    // `Keepalived_vrrp_default` matches both globs: the longer names it.
    for (line, key) in [
        (
            "Jul 08 04:49:47 h Keepalived_default[9266]: Starting VRRP child process, pid=9267",
            "nxr:parent",
        ),
        (
            "Jul 08 04:49:47 h Keepalived_vrrp_default[9267]: Registering Kernel netlink reflector",
            "nxr:child",
        ),
    ] {
        let r = m.match_line(line).expect(line);
        assert_eq!(m.entries()[r.entry].key, key, "{line}");
        assert_eq!(
            r.relaxed.names().collect::<Vec<_>>(),
            ["program-alias"],
            "{line}"
        );
    }
    assert_eq!(
        key_of(
            &m,
            "Jul 08 04:49:47 h Keepalived_default[9266]: Registering Kernel netlink reflector"
        ),
        None
    );
}

#[test]
fn a_known_programs_line_only_matches_its_own_templates() {
    let m = matcher(vec![
        entry(
            NXR,
            "nxr:lcp",
            "pppd[<PID>]: LCP terminated by peer",
            &[("PID", "int")],
        ),
        entry(
            NXR,
            "nxr:x",
            "charon: <NUM>[IKE] sending keep alive",
            &[("NUM", "int")],
        ),
        // Starts with a value that could hold a tag: never without its program.
        entry(
            NXR,
            "nxr:lost",
            "smtpd[<PID>]: <queue_id>: lost connection after <cmd>",
            &[("PID", "int"), ("queue_id", "string"), ("cmd", "string")],
        ),
    ]);
    // RFC 5424 carries the program outside the message: charon's line
    // with pppd's text is still charon's.
    assert_eq!(
        key_of(
            &m,
            "<30>1 2026-11-22T10:15:02Z gw charon 1 - - LCP terminated by peer"
        ),
        None
    );
    assert_eq!(
        key_of(&m, "LCP terminated by peer").as_deref(),
        Some("nxr:lcp")
    );
    // The value does not read the program tag as a queue id.
    assert_eq!(
        key_of(
            &m,
            "Jan 1 00:00:00 mx smtpd[4]: lost connection after CONNECT"
        ),
        None
    );
    assert_eq!(
        key_of(
            &m,
            "Jan 1 00:00:00 mx sendmail[4]: lost connection after CONNECT"
        ),
        None
    );
    assert_eq!(
        key_of(
            &m,
            "Jan 1 00:00:00 mx smtpd[4]: 3F2A41C: lost connection after DATA"
        )
        .as_deref(),
        Some("nxr:lost")
    );
}

#[test]
fn wider_readings_match_relaxed_and_the_documented_text_wins() {
    use logref_engine::Relaxed;
    let patch = json!({ NXR: {
        "variants": [{"replace": "tunnel<NUM1>", "with": "<conn>", "relaxed": "connection-name", "why": "t"}],
        "infixes": [{"applies_to_prefix": "pluto[<PID>]: \"<conn>\"", "before": "[<instance>] <peer>",
                     "types": {"instance": "int"}, "why": "t"}],
    }});
    let m = matcher_with(
        vec![entry(
            NXR,
            "nxr:isakmp",
            "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: ISAKMP SA established",
            &[("PID", "int"), ("NUM1", "int"), ("NUM2", "int")],
        )],
        patch,
    );
    let r = m
        .match_line("Nov 22 10:15:05 nxr1 pluto[2231]: \"tunnel1\" #3: ISAKMP SA established")
        .unwrap();
    assert!(r.relaxed.is_empty());
    let line =
        "Mar 12 09:32:14 c7 pluto[3776]: \"l2tp-psk\"[2] 192.0.2.141 #3: ISAKMP SA established";
    let r = m.match_line(line).unwrap();
    assert_eq!(r.relaxed, Relaxed::CONNECTION_NAME);
    assert_eq!(
        params(&m, line),
        pv(&[
            ("PID", "3776"),
            ("conn", "l2tp-psk"),
            ("instance", "2"),
            ("peer", "192.0.2.141"),
            ("NUM2", "3")
        ])
    );
}

#[test]
fn variants_compose_and_another_form_matches_relaxed() {
    use logref_engine::Relaxed;
    let patch = json!({ NXR: {
        "variants": [
            {"replace": "tunnel<NUM1>", "with": "<conn>", "relaxed": "connection-name", "why": "t"},
            {"replace": "{ESP=>0x<X1> DPD}", "with": "{<proto>=>0x<X1> <attributes>}",
             "relaxed": "other-form", "types": {"attributes": "text"}, "why": "t"},
        ],
    }});
    let m = matcher_with(
        vec![entry(
            NXR,
            "nxr:sa",
            "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: IPsec SA established {ESP=>0x<X1> DPD}",
            &[
                ("PID", "int"),
                ("NUM1", "int"),
                ("NUM2", "int"),
                ("X1", "hex"),
            ],
        )],
        patch,
    );
    for (line, relaxed) in [
        (
            "pluto[1]: \"tunnel1\" #2: IPsec SA established {ESP=>0x0a DPD}",
            Relaxed::default(),
        ),
        (
            "pluto[1]: \"office\" #2: IPsec SA established {ESP=>0x0a DPD}",
            Relaxed::CONNECTION_NAME,
        ),
        (
            "pluto[1]: \"tunnel1\" #2: IPsec SA established {ESP/NAT=>0x0a NATOA=none DPD=active}",
            Relaxed::OTHER_FORM,
        ),
        // Both readings in one line: the variants compose.
        (
            "pluto[1]: \"office\" #2: IPsec SA established {ESP=>0x0a NATOA=0.0.0.0}",
            Relaxed::CONNECTION_NAME.union(Relaxed::OTHER_FORM),
        ),
    ] {
        let r = m.match_line(line).expect(line);
        assert_eq!(r.relaxed, relaxed, "{line}");
        assert_eq!(r.kind, MatchKind::Exact, "{line}");
    }
    let r = m
        .match_line("pluto[1]: \"office\" #2: IPsec SA established {ESP=>0x0a NATOA=0.0.0.0}")
        .unwrap();
    assert_eq!(
        r.relaxed.names().collect::<Vec<_>>(),
        ["other-form", "connection-name"]
    );
}

#[test]
fn an_id_pattern_key_rule_names_the_entry_anywhere_in_the_line() {
    let patch = json!({ NXR: { "key_only": true, "key_rules": [
        {"kind": "pattern", "pattern": "%([A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)?-[0-7]-[A-Z0-9_]+):"}
    ]}});
    let mut e = entry(
        NXR,
        "cisco:LINEPROTO-5-UPDOWN",
        "Line protocol on Interface <interface>, changed state to <state>",
        &[("interface", "ifname"), ("state", "string")],
    );
    e.vendor_id = Some("LINEPROTO-5-UPDOWN".into());
    let m = matcher_with(vec![e], patch);
    let line = "<189>1440: sw1: *Jun  1 13:35:45.562: %LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/2, changed state to up";
    let r = m.match_line(line).unwrap();
    assert_eq!(r.kind, MatchKind::Key);
    assert_eq!(
        params(&m, line),
        pv(&[("interface", "FastEthernet0/2"), ("state", "up")])
    );
    // Another id, the same text: the id decides, and it is not ours.
    assert_eq!(
        key_of(
            &m,
            "%LINEPROTO-5-DOWNUP: Line protocol on Interface Fa0/2, changed state to up"
        ),
        None
    );
    // A pattern without exactly one top-level capture is refused.
    for bad in ["%[A-Z]+:", "%(A)|(B):", "(?:%([A-Z]+))*:"] {
        let patch = json!({ NXR: { "key_rules": [{"kind": "pattern", "pattern": bad}] }});
        let mut e = entry(NXR, "x:A", "a", &[]);
        e.vendor_id = Some("A".into());
        assert!(
            compile::compile(&catalog_of(vec![e], patch)).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn wildcards_and_wider_value_types() {
    let m = matcher(vec![
        entry(
            NXR,
            "nxr:sent",
            "smtp[<PID>]: to=<<rcpt>>, status=sent (<*>)",
            &[("PID", "int"), ("rcpt", "any"), ("*", "any")],
        ),
        entry(
            NXR,
            "nxr:time",
            "pppd[<PID>]: Connect time <NUM> minutes.",
            &[("PID", "int"), ("NUM", "number")],
        ),
        entry(
            NXR,
            "nxr:step",
            "ntpdate[<PID>]: step time server <ip> offset <off> sec",
            &[("PID", "int"), ("ip", "ip"), ("off", "number")],
        ),
    ]);
    let line = "Jan 1 00:00:00 mx smtp[4]: to=<>, status=sent (250 2.0.0 Ok: queued as 3F2A)";
    assert_eq!(
        params(&m, line),
        pv(&[
            ("PID", "4"),
            ("rcpt", ""),
            ("*", "250 2.0.0 Ok: queued as 3F2A")
        ])
    );
    assert_eq!(
        key_of(&m, "Jan 1 00:00:00 h pppd[4]: Connect time 46.0 minutes.").as_deref(),
        Some("nxr:time")
    );
    assert_eq!(
        key_of(&m, "Jan 1 00:00:00 h pppd[4]: Connect time 4.6.0 minutes."),
        None
    );
    assert_eq!(
        params(&m, "16 Jul 17:30:14 ntpdate[3357]: step time server 2001:4428:0:dc::20 offset -0.005959 sec"),
        pv(&[("PID", "3357"), ("ip", "2001:4428:0:dc::20"), ("off", "-0.005959")])
    );
}

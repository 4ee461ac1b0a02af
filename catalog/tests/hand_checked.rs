//! Entries checked by hand against the documents, field by field: about a
//! dozen per document, chosen to cover each document's quirks. The
//! expected values are written out here, not derived from the code.
//!
//! Each case is a JSON object holding a subset of the entry's fields; every
//! field it names must be equal in the built catalog. `explanation_starts`
//! checks the start of a long explanation.

use serde_json::{json, Value};

fn catalog() -> Vec<Value> {
    let (catalog, _) =
        logref_catalog::build(&logref_catalog::default_dir()).expect("catalog builds");
    let v = serde_json::to_value(&catalog).expect("serialises");
    v["entries"].as_array().cloned().expect("entries")
}

fn check(entries: &[Value], cases: &[Value]) {
    for case in cases {
        let key = case["key"].as_str().expect("case has a key");
        let entry = entries
            .iter()
            .find(|e| e["key"] == key)
            .unwrap_or_else(|| panic!("no entry {key}"));
        for (field, expected) in case.as_object().expect("object") {
            if field == "explanation_starts" {
                let got = entry["explanation"].as_str().unwrap_or("");
                let want = expected.as_str().expect("string");
                assert!(
                    got.starts_with(want),
                    "{key}: explanation {got:?} should start with {want:?}"
                );
                continue;
            }
            if field == "param_types" {
                let got: Vec<String> = entry["params"]
                    .as_array()
                    .expect("params")
                    .iter()
                    .map(|p| {
                        format!(
                            "{}:{}",
                            p["name"].as_str().unwrap_or(""),
                            p["type"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                let want: Vec<String> = expected
                    .as_array()
                    .expect("array")
                    .iter()
                    .map(|s| s.as_str().unwrap_or("").to_string())
                    .collect();
                assert_eq!(got, want, "{key}: params");
                continue;
            }
            if let Some(extra_key) = field.strip_prefix("extra.") {
                assert_eq!(&entry["extra"][extra_key], expected, "{key}: {field}");
                continue;
            }
            assert_eq!(&entry[field], expected, "{key}: {field}");
        }
    }
}

fn count(entries: &[Value], source: &str) -> usize {
    entries.iter().filter(|e| e["source"] == source).count()
}

#[test]
fn every_entry_of_every_document() {
    let e = catalog();
    assert_eq!(count(&e, "000_3b287c3cc12531ae.txt"), 25);
    assert_eq!(count(&e, "001_57ef9ff72fe33cb2.txt"), 87);
    assert_eq!(count(&e, "002_a27fc28df689adb3.txt"), 23);
    assert_eq!(count(&e, "003_36d23bcc90e79fc9.txt"), 324);
    assert_eq!(count(&e, "004_26a94f5f5b7d6a2d.txt"), 24);
    assert_eq!(e.len(), 483);
    // No entry carries PDF artefacts or lost markup into its template.
    for entry in &e {
        let t = entry["template"].as_str().unwrap_or("");
        assert!(!t.contains("27/40"), "{t}");
        assert!(!t.contains("< "), "space inside a placeholder: {t}");
        assert!(!t.contains('\u{a0}') && !t.contains('１'), "{t}");
        assert!(!t.is_empty());
    }
}

#[test]
fn cos_core_000() {
    let e = catalog();
    check(
        &e,
        &[
            json!({"key": "cos-core:02800001", "vendor": "Clavister", "product": "cOS Core", "category": "L2TP",
               "vendor_id": "02800001", "name": "l2tpclient_resolve_successful", "severity": "notice",
               "severity_raw": "NOTICE", "template": "L2TP client <iface> resolved <remotegwname> to <remotegw>",
               "param_types": ["iface:string", "remotegwname:string", "remotegw:string"], "truncated": false,
               "explanation": "The L2TP client successfully resolved the DNS name of the remote gateway.",
               "action": null, "lang": "en", "extra.revision": 1, "extra.firewall_action": null, "source_line": 5}),
            json!({"key": "cos-core:02800002", "severity": "warning",
               "action": "Make sure you have configured the DNS name of the remote gateway and the DNS servers correctly."}),
            // Parameters listed even when the template does not use them.
            json!({"key": "cos-core:02800003", "template": "L2TP client initialized, request sent to server on <remotegw>",
               "param_types": ["iface:string", "remotegw:string"]}),
            json!({"key": "cos-core:02800006", "extra.firewall_action": "drop", "severity": "warning",
               "template": "L2TP server <iface> received a packet routed by a route not set up by the interface itself. Dropping packet"}),
            json!({"key": "cos-core:02800007", "param_types": ["iface:string", "sessionid:int", "tunnelid:int"],
               "template": "Closed L2TP session. Session ID: <sessionid>, Tunnel ID: <tunnelid>"}),
            // Names are not unique; ids are.
            json!({"key": "cos-core:02800011", "name": "l2tp_session_up"}),
            json!({"key": "cos-core:02800016", "name": "l2tp_session_up",
               "template": "L2TP session up. Tunnel ID: <tunnelid>, Session ID: <sessionid>, User: <user>, Auth: <auth>, MPPE: <mppe>, Assigned IP: <assigned_ip>"}),
            // No Parameters block.
            json!({"key": "cos-core:02800017", "name": "failure_init_radius_accounting", "param_types": [],
               "template": "Failed to send Accounting Start to RADIUS Accounting Server. Accounting will be disabled",
               "extra.firewall_action": "accounting_disabled"}),
            json!({"key": "cos-core:02800019", "param_types": ["iface:string", "remotegw:string", "error_code:int"]}),
            // Same name and template, two ids.
            json!({"key": "cos-core:02800046", "name": "l2tp_session_up",
               "template": "L2TP session up. Control Connection ID: <ctrlconnid>, Session ID: <sessionid>"}),
            json!({"key": "cos-core:02800047", "name": "l2tp_session_up",
               "template": "L2TP session up. Control Connection ID: <ctrlconnid>, Session ID: <sessionid>"}),
            json!({"key": "cos-core:02800060", "extra.section": "2.42.25", "severity": "warning",
               "template": "No session found for message sent from <remotegw> on tunnel <iface>."}),
        ],
    );
}

#[test]
fn seil_001() {
    let e = catalog();
    let seil = |t: &str| -> String {
        e.iter()
            .find(|x| x["source"] == "001_57ef9ff72fe33cb2.txt" && x["template"] == t)
            .unwrap_or_else(|| panic!("no SEIL entry with template {t:?}"))["key"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    check(
        &e,
        &[
            json!({"key": seil("/dev/urandom open error: <error>"), "vendor": "IIJ", "product": "SEIL", "category": "l2tp",
               "vendor_id": null, "name": null, "severity": "error", "severity_raw": "error", "lang": "ja",
               "explanation": "ランダム値の生成に失敗した。", "param_types": ["error:text"], "action": null}),
            json!({"key": seil("<tag>: Invalid address"), "explanation": "コンフィグファイルが不正。"}),
            json!({"key": seil("set_pwe_param() failed"), "explanation": "l2tpパラメータのカーネルへのセットに失敗した。"}),
            // The meaning begins with English words ([[split]] in overrides.toml).
            json!({"key": seil("failed to send control message. tunnel shutdown"), "severity": "warning", "severity_raw": "warn",
               "explanation": "Control Message 送信に失敗した。",
               "extra.note": "Hello キープアライブ等の制御パケットの送信について、リトライによる再送信も含めて失敗しました。このため、トンネルを切断する処理を行います。ネットワークの状態を確認してください。"}),
            // The template itself starts with `<`.
            json!({"key": seil("<Unknown Vendor-ID, Vendor=<vendor_code>, Type=<type>, Length=<len>"),
               "param_types": ["vendor_code:int", "type:int", "len:int"],
               "explanation": "未知のVendor-IDを持つAVP headerを受信した。", "extra.note": "対向機器に問題がある可能性があります。"}),
            json!({"key": seil("[<tunnel_id>] <func>: only support HMAC-MD5 digest type(<n>) in <msg_type>, Ignoreing"),
               "explanation": "Message DigestアルゴリズムがHMAC-MD5ではない。",
               "extra.note": "現状、Message DigestアルゴリズムはHMAC-MD5のみのサポートとなっており、それ以外のアルゴリズム(HMAC-SHA1など)はサポートしていません。対向機器の設定を確認してください。"}),
            json!({"key": seil("[<tunnel_id>] win tie break check"), "severity": "info", "explanation": "Tie Breakに勝った。", "extra": {}}),
            json!({"key": seil("[<tunnel_id>] receive Explicit ACK"), "severity": "debug", "explanation": "Explicit ACKを受信した。"}),
            json!({"key": seil("== OLDER \"l2tp\" LOG MESSAGES WERE TRIMMED =="), "severity": "notice"}),
            json!({"key": seil("[<tunnel_id>] control connection tie break check: local=<tie>, remote=<tie>"),
               "param_types": ["tunnel_id:int", "tie:string", "tie_2:string"]}),
            json!({"key": seil("<func>: L bit is not set"), "explanation": "L2TP HeaderにL bitがセットされていない。"}),
            json!({"key": seil("[<tunnel_id>][<session_id>] cleanup session: <name>"),
               "param_types": ["tunnel_id:int", "session_id:int", "name:string"], "explanation": "sessionをクリア。"}),
            json!({"key": seil("tunnel create suceeded: my connection ID = <id>(<0xid>)"), "param_types": ["id:string", "0xid:hex"]}),
        ],
    );
}

#[test]
fn cos_stream_002() {
    let e = catalog();
    check(
        &e,
        &[
            json!({"key": "cos-stream:1683", "vendor": "Clavister", "product": "cOS Stream", "category": "IPSEC",
               "vendor_id": "1683", "name": null, "severity": "error", "severity_raw": "Error",
               "template": "Failed to add dynamic route.", "param_types": ["table:string", "network:string", "iface:string"],
               "action": "Disconnect and reconnect the IPsec tunnel.", "extra.title": "Failed to add dynamic route",
               "extra.gateway_action": null, "extra.action_description": null, "extra.categories": ["IPSEC"]}),
            json!({"key": "cos-stream:278", "template": "Anti-replay check failed.", "extra.title": "Anti-replay check failed",
               "extra.gateway_action": "Drop", "severity": "notice", "action": null,
               "param_types": ["seqno:int", "windowbase:int", "windowsize:int", "matchkey:string"]}),
            // Two ids, one sentence.
            json!({"key": "cos-stream:768", "template": "ECN codepoint mismatch."}),
            json!({"key": "cos-stream:766", "template": "ECN codepoint mismatch."}),
            json!({"key": "cos-stream:1682", "severity": "critical", "extra.action_description": null,
               "action": "While it is possible that the system may recover by itself, proper operation can no longer be guaranteed and a manual reboot is recommended."}),
            json!({"key": "cos-stream:1696", "param_types": ["localip:string", "remoteip:string", "spi:string", "proto:string", "localts:string", "remotets:string", "iface:string"]}),
            json!({"key": "cos-stream:632", "severity": "warning", "extra.gateway_action": "Adjust",
               "extra.action_description": "The security association database has been configured for a lower number of entries"}),
            json!({"key": "cos-stream:633", "extra.gateway_action": "Abort", "param_types": ["size:int"]}),
            json!({"key": "cos-stream:339", "action": null, "template": "Sequence number overflow."}),
            json!({"key": "cos-stream:133", "extra.categories": ["IPSEC", "FRAG"], "category": "IPSEC"}),
            json!({"key": "cos-stream:1057", "template": "Failed to generate IV."}),
            json!({"key": "cos-stream:413", "explanation_starts": "The"}),
        ],
    );
}

#[test]
fn nxr_003() {
    let e = catalog();
    check(
        &e,
        &[
            // A wrapped template, then a running section title between Priority and 説明.
            json!({"key": "nxr:dhcpd-dhcprequest-for-a-b-c-d1-a-b-c-d2-d59078", "vendor": "Century Systems", "product": "FutureNet NXR",
               "category": "dhcpd", "severity": "info", "severity_raw": "INFO", "lang": "ja", "truncated": false,
               "template": "dhcpd: DHCPREQUEST for <A.B.C.D1> (<A.B.C.D2>) from <HH:HH:HH:HH:HH:HH> via <IFNAME>",
               // `via` names an interface or a relay's address
               // (overrides.toml).
               "param_types": ["A.B.C.D1:ipv4", "A.B.C.D2:ipv4", "HH:HH:HH:HH:HH:HH:mac", "IFNAME:string"],
               "explanation_starts": "DHCP REQUESTパケットを受信したことを示す。"}),
            // Cut inside a placeholder at the end of a line.
            json!({"key": "nxr:bgp-a-b-c-d-outgoing-network-sock-status-251d57", "truncated": true,
               "template": "BGP: <A.B.C.D>-Outgoing [NETWORK] Sock Status: <ERRNO>-"}),
            // Cut at the end of a PDF line (overrides.toml).
            json!({"key": "nxr:pluto-pid-tunnel-num1-num2-extended-auth-500d50", "truncated": true, "severity": "warning",
               "template": "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: extended authentication was"}),
            // A placeholder split over two lines: `<A.` + `B.C.D4/M4>`.
            json!({"key": "nxr:pluto-pid-tunnel-num1-num2-cannot-respon-2ff888",
               "template": "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: cannot respond to IPsec SA request because no connection is known for <A.B.C.D1/M1> ===<A.B.C.D2>[<XXXXXX>]...<A.B.C.D3>[<YYYYYY>]===<A.B.C.D4/M4>"}),
            // Full-width digit inside a placeholder.
            json!({"key": "nxr:charon-num1-ike-deleting-ike-sa-tunnel-n-d6ea61",
               "template": "charon: <NUM1>[IKE] deleting IKE_SA tunnel<NUM2>[<NUM3>] between <A.B.C.D1>[<XXXXXXX1>]...<A.B.C.D2>[<XXXXXXX2>]"}),
            // `< PID>` and a lost `[` corrected in overrides.toml.
            json!({"key": "nxr:mobile-inactivate-pid-card-removed-b86df4", "template": "mobile_inactivate[<PID>]: card removed.",
               "extra.documented_template": "mobile_inactivate<PID>]: card removed."}),
            // Page number `27/40` and the title `MOBILE` between two entries.
            json!({"key": "nxr:mobile-reset-reset-is-already-started-2aac5e", "template": "mobile-reset: Reset is already started."}),
            // `NXR` glued before メッセージ.
            json!({"key": "nxr:system-cpu-num1-mem-num2-kb-session-num3-1228b8", "category": "system",
               "template": "system: cpu:<NUM1> mem:<NUM2> kb  session:<NUM3> temper:<NUM4>"}),
            json!({"key": "nxr:pluto-pid-tunnel-num1-num2-error-asynchr-605063", "severity": "error", "severity_raw": "ERR",
               "param_types": ["PID:int", "NUM1:int", "NUM2:int", "IFNAME:ifname", "A.B.C.D:ipv4", "A.B.C.D_2:ipv4"]}),
            json!({"key": "nxr:bgp-bgp-3-notification-sending-to-a-b-c-8b1eec",
               "template": "BGP: %BGP-3-NOTIFICATION: sending to <A.B.C.D> <ERRCODE>/<ERR SUBCODE> (<CODE STRINGS>/<SUBCODE STRINGS>) <LEN> data-bytes",
               "param_types": ["A.B.C.D:ipv4", "ERRCODE:int", "ERR SUBCODE:int", "CODE STRINGS:text", "SUBCODE STRINGS:text", "LEN:int"]}),
            json!({"key": "nxr:pppd-pid-local-ip-address-a-b-c-d-f924b4", "severity": "notice",
               "template": "pppd[<PID>]: local  IP address <A.B.C.D>"}),
            json!({"key": "nxr:charon-num1-ike-closing-child-sa-tunnel-da3998",
               "param_types": ["NUM1:int", "NUM2:int", "NUM3:int", "XXXXXXXX1:hex", "NUM4:int", "XXXXXXXX2:hex", "NUM5:int", "A.B.C.D/M1:ipv4_prefix", "A.B.C.D/M2:ipv4_prefix"]}),
            // Same template twice, different explanations: two keys.
            json!({"key": "nxr:pluto-pid-tunnel-num1-num2-sending-encry-5087a1", "explanation_starts": "tunnelNUM1で設定されているID"}),
            json!({"key": "nxr:pluto-pid-tunnel-num1-num2-sending-encry-347ec5", "explanation_starts": "tunnelNUM1でIPsec Policyの通知"}),
        ],
    );
}

#[test]
fn junos_004() {
    let e = catalog();
    check(
        &e,
        &[
            json!({"key": "junos:DYNAMIC_VPN_AUTH_CONNECT_FAIL", "vendor": "Juniper Networks", "product": "Junos OS",
               "category": "DYNAMIC", "vendor_id": "DYNAMIC_VPN_AUTH_CONNECT_FAIL", "name": "DYNAMIC_VPN_AUTH_CONNECT_FAIL",
               "severity": "error", "severity_raw": "error", "lang": "en", "action": null,
               "template": "Unable to connect to fwauthd on socket <file-descriptor>: <error-message>",
               "param_types": ["file-descriptor:string", "error-message:text"],
               "explanation": "The connection manager authentication process could not connect to fwauthd daemon on the indicated socket.",
               "extra.facility": "LOG_AUTH", "extra.type": "Event",
               "extra.documented_template": "Unable to connect to fwauthd on socket file-descriptor: error-message"}),
            json!({"key": "junos:DYNAMIC_VPN_AUTH_FAIL", "template": "Username/password and token are <username>"}),
            json!({"key": "junos:DYNAMIC_VPN_AUTH_INVALID", "template": "<type> <username> is invalid", "param_types": ["type:string", "username:string"]}),
            json!({"key": "junos:DYNAMIC_VPN_AUTH_MUL_CONN", "param_types": ["type:string", "username:string", "client-name:string", "client-id:string"]}),
            json!({"key": "junos:DYNAMIC_VPN_AUTH_OK", "severity": "notice",
               "template": "<type> <username> with <client-name> <client-id> authenticated successfully."}),
            json!({"key": "junos:DYNAMIC_VPN_CONN_DEL_REQUEST",
               "template": "Connection manager receives delete request from the client for user <username> <ike-id> <gateway-id>"}),
            json!({"key": "junos:DYNAMIC_VPN_INIT_SUCCESSFUL", "template": "Connection manager initialization succeeded.", "param_types": []}),
            json!({"key": "junos:DYNAMIC_VPN_LICENSE_ASSIGNED",
               "template": "Dynamic VPN license granted, license limit <free>, count <overdrafted>, <current-value> used"}),
            json!({"key": "junos:DYNAMIC_VPN_LICENSE_EXHAUSTED", "template": "Dynamic VPN license denied, no available license"}),
            json!({"key": "junos:DYNAMIC_VPN_LICENSE_REQUIRED", "extra.facility": "LOG_FIREWALL", "extra.type": "Error",
               "template": "Dynamic VPN license denied, no license installed"}),
            json!({"key": "junos:DYNAMIC_VPN_LICENSE_INSTALLED", "param_types": ["name:string", "total:string", "free:string"]}),
            json!({"key": "junos:DYNAMIC_VPN_LICENSE_UNINSTALLED", "severity": "info",
               "explanation": "An Access Manager license is removed from this device."}),
        ],
    );
}

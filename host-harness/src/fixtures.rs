//! The fixture corpus: lines generated from every catalog entry, in every
//! wire form that applies, each with the entry and parameters it must
//! yield; plus negative lines that must match nothing.
//!
//! The expectations come from the catalog (the template and the values put
//! into it), never from the matcher, so a matcher bug shows up as a
//! mismatch. Generation is deterministic for a seed.

use std::collections::BTreeMap;

use logref_catalog::{Catalog, Entry, ParamType};
use serde_json::{json, Value};

/// SplitMix64: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "alice",
    "vpn-gw1",
    "tun0",
    "SCCRQ",
    "lac01",
    "main",
    "corp.example",
    "bob",
    "Xauth",
    "office7",
];
const TEXTS: &[&str] = &[
    "Connection refused",
    "No route to host",
    "Operation timed out",
    "Permission denied",
    "Resource temporarily unavailable",
];
const IFNAMES: &[&str] = &["ether0", "ether1", "ppp0", "tunnel1", "eth0.100", "lan1"];

/// A typed random value that a device could send.
pub fn value(ty: ParamType, rng: &mut Rng) -> String {
    match ty {
        ParamType::Int => (1 + rng.below(65534)).to_string(),
        ParamType::Hex => format!("{:08x}", rng.next_u64() as u32),
        ParamType::Ipv4 => {
            let nets = ["192.0.2", "198.51.100", "203.0.113"];
            format!("{}.{}", rng.pick(&nets), 1 + rng.below(254))
        }
        ParamType::Ipv4Prefix => format!("10.{}.{}.0/24", rng.below(256), rng.below(256)),
        ParamType::Ipv6 => format!("2001:db8::{:x}", 1 + rng.below(0xfffe)),
        ParamType::Ipv6Prefix => format!("2001:db8:{:x}::/48", rng.below(0xffff)),
        ParamType::Mac => {
            let b: Vec<String> = (0..6).map(|_| format!("{:02x}", rng.below(256))).collect();
            b.join(":")
        }
        ParamType::Ifname => rng.pick(IFNAMES).to_string(),
        ParamType::Version => format!("{}.{}.{}", rng.below(10), rng.below(20), rng.below(100)),
        ParamType::String => rng.pick(WORDS).to_string(),
        ParamType::Text => rng.pick(TEXTS).to_string(),
        ParamType::Number => format!("{}.{}", rng.below(1000), rng.below(10)),
        ParamType::Ip => format!("2001:db8::{:x}", 1 + rng.below(0xfffe)),
        ParamType::Any => rng.pick(TEXTS).to_string(),
    }
}

/// One generated line and what it must yield.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub line: String,
    pub form: &'static str,
    /// Expected entry key (`None`: must not match).
    pub key: Option<String>,
    /// Expected parameters (a subset check: these names with these values).
    pub params: BTreeMap<String, String>,
}

impl Case {
    pub fn to_json(&self) -> Value {
        json!({"line": self.line, "form": self.form, "key": self.key, "params": self.params})
    }
}

/// A template filled with values: the message text, the values by param,
/// and the byte ranges of the text that are the template's literals.
struct Rendered {
    text: String,
    values: BTreeMap<String, String>,
    literals: Vec<(usize, usize)>,
}

fn render(e: &Entry, rng: &mut Rng) -> Rendered {
    let types: BTreeMap<&str, ParamType> =
        e.params.iter().map(|p| (p.name.as_str(), p.ty)).collect();
    let mut text = String::new();
    let mut values = BTreeMap::new();
    let mut literals = Vec::new();
    for seg in logref_catalog::template::parse(&e.template) {
        match seg {
            logref_catalog::template::Segment::Literal(l) => {
                literals.push((text.len(), text.len() + l.len()));
                text.push_str(&l);
            }
            logref_catalog::template::Segment::Placeholder { param, .. } => {
                let ty = types
                    .get(param.as_str())
                    .copied()
                    .unwrap_or(ParamType::String);
                let v = values
                    .entry(param)
                    .or_insert_with(|| value(ty, rng))
                    .clone();
                text.push_str(&v);
            }
        }
    }
    Rendered {
        text,
        values,
        literals,
    }
}

/// `prog[<PID>]: rest` -> (prog, Some(pid param), rest) for NXR templates.
fn split_program(rendered: &str, e: &Entry) -> Option<(String, Option<String>, String)> {
    let prog = e.extra.get("program")?.as_str()?;
    let rest = rendered.strip_prefix(prog)?;
    if let Some(r) = rest.strip_prefix('[') {
        let close = r.find(']')?;
        let pid = r[..close].to_string();
        let msg = r[close + 1..].strip_prefix(':')?.trim_start().to_string();
        return Some((prog.to_string(), Some(pid), msg));
    }
    let msg = rest.strip_prefix(':')?.trim_start().to_string();
    Some((prog.to_string(), None, msg))
}

fn quote_kv(v: &str) -> String {
    if v.contains([' ', '"']) {
        format!("\"{}\"", v.replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

const TS_BSD: &str = "Nov 22 10:15:02";
const TS_ISO: &str = "2026-11-22T10:15:02.120Z";

/// Every wire form of every entry, with expectations.
///
/// Near misses that another template legitimately matches (breaking `card`
/// in `card removed.` gives an instance of `<STRING> removed.`) are
/// screened out with the independent regex peer.
pub fn generate(catalog: &Catalog, seed: u64) -> anyhow::Result<Vec<Case>> {
    let oracle = crate::peers::RegexLoop::new(catalog)?;
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    // Of entries whose templates read the same (placeholders reduced to
    // their types), the first in catalog order wins the tie.
    let mut first_with_template: BTreeMap<String, &Entry> = BTreeMap::new();
    for e in &catalog.entries {
        first_with_template.entry(typed_shape(e)).or_insert(e);
    }
    for e in &catalog.entries {
        let r = render(e, &mut rng);
        let winner = first_with_template
            .get(&typed_shape(e))
            .copied()
            .unwrap_or(e);
        let prose_key = Some(winner.key.clone());
        // A tie's winner reports its own parameters (same values, its names
        // where they are the same).
        let winner_params = |params: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            params
                .iter()
                .filter(|(k, _)| winner.params.iter().any(|p| &p.name == *k) || winner.key == e.key)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let expect = |line: String,
                      form: &'static str,
                      key: Option<String>,
                      params: BTreeMap<String, String>| {
            let params = if key.as_deref() == Some(winner.key.as_str()) {
                winner_params(&params)
            } else {
                params
            };
            Case {
                line,
                form,
                key,
                params,
            }
        };
        let starts_with_placeholder = e.template.starts_with('<')
            && logref_catalog::template::param_names(&e.template)
                .first()
                .is_some_and(|p| e.template.starts_with(&format!("<{p}>")));
        match e.source.as_str() {
            // cOS Core: key=value with the id, and the prose.
            "000_3b287c3cc12531ae.txt" => {
                let id = e.vendor_id.clone().unwrap_or_default();
                let mut kv = String::new();
                let mut params = BTreeMap::new();
                for p in &e.params {
                    let v = r.values.get(&p.name).cloned().unwrap_or_else(|| {
                        if p.ty == ParamType::String {
                            format!("{} {}", value(p.ty, &mut rng), value(p.ty, &mut rng))
                        } else {
                            value(p.ty, &mut rng)
                        }
                    });
                    kv.push_str(&format!(" {}={}", p.name, quote_kv(&v)));
                    params.insert(p.name.clone(), v);
                }
                let name = e.name.clone().unwrap_or_default();
                let line = format!(
                    "<134>[2026-11-22 10:15:02] EFW: {}: prio=2 id={id} rev=1 event={name}{kv}",
                    e.category
                );
                cases.push(expect(
                    line,
                    "clavister-kv",
                    Some(e.key.clone()),
                    params.clone(),
                ));
                let short = id.trim_start_matches('0');
                let line = format!(
                    "EFW: {}: prio=2 id={short} rev=1 event={name}{kv}",
                    e.category
                );
                cases.push(expect(
                    line,
                    "clavister-kv-no-zeros",
                    Some(e.key.clone()),
                    params,
                ));
                cases.push(expect(
                    r.text.clone(),
                    "bare",
                    prose_key.clone(),
                    r.values.clone(),
                ));
            }
            // SEIL: the documented text after a syslog header from l2tpd.
            "001_57ef9ff72fe33cb2.txt" => {
                cases.push(expect(
                    format!("<29>{TS_BSD} seil1 l2tpd: {}", r.text),
                    "rfc3164",
                    prose_key.clone(),
                    r.values.clone(),
                ));
                cases.push(expect(
                    format!("{TS_BSD} seil1 l2tpd[311]: {}", r.text),
                    "rfc3164-nopri",
                    prose_key.clone(),
                    r.values.clone(),
                ));
                cases.push(expect(
                    format!("<29>1 {TS_ISO} seil1 l2tpd 311 - - {}", r.text),
                    "rfc5424",
                    prose_key.clone(),
                    r.values.clone(),
                ));
                if !starts_with_placeholder {
                    cases.push(expect(
                        r.text.clone(),
                        "bare",
                        prose_key.clone(),
                        r.values.clone(),
                    ));
                }
            }
            // cOS Stream: the sentence, then its parameters as key=value.
            "002_a27fc28df689adb3.txt" => {
                let mut kv = String::new();
                let mut params = BTreeMap::new();
                for p in &e.params {
                    let v = value(p.ty, &mut rng);
                    kv.push_str(&format!(" {}={}", p.name, quote_kv(&v)));
                    params.insert(p.name.clone(), v);
                }
                cases.push(expect(
                    format!("<131>{TS_BSD} gw1 ipsec: {}{kv}", r.text),
                    "rfc3164-kv",
                    prose_key.clone(),
                    params.clone(),
                ));
                cases.push(expect(
                    format!("<131>1 {TS_ISO} gw1 ipsec - - - {}{kv}", r.text),
                    "rfc5424-kv",
                    prose_key.clone(),
                    params,
                ));
                cases.push(expect(
                    r.text.clone(),
                    "bare",
                    prose_key.clone(),
                    BTreeMap::new(),
                ));
            }
            // NXR: daemons' lines through syslog-ng.
            "003_36d23bcc90e79fc9.txt" => {
                let suffix = if e.truncated { " (and more)" } else { "" };
                let text = format!("{}{suffix}", r.text);
                cases.push(expect(
                    format!("<30>{TS_BSD} nxr1 {text}"),
                    "rfc3164",
                    prose_key.clone(),
                    r.values.clone(),
                ));
                cases.push(expect(
                    format!("{TS_BSD} nxr1 {text}"),
                    "rfc3164-nopri",
                    prose_key.clone(),
                    r.values.clone(),
                ));
                if let Some((prog, pid, msg)) = split_program(&text, e) {
                    let line = format!(
                        "<30>1 {TS_ISO} nxr1 {prog} {} - - {msg}",
                        pid.as_deref().unwrap_or("-")
                    );
                    cases.push(expect(line, "rfc5424", prose_key.clone(), r.values.clone()));
                }
                cases.push(expect(
                    text.clone(),
                    "bare",
                    prose_key.clone(),
                    r.values.clone(),
                ));
            }
            // Junos: the tag, in BSD and structured-data forms.
            "004_26a94f5f5b7d6a2d.txt" => {
                let tag = e.vendor_id.clone().unwrap_or_default();
                cases.push(expect(
                    format!("<35>{TS_BSD} srx1 fwauthd[1893]: {tag}: {}", r.text),
                    "junos-bsd",
                    Some(e.key.clone()),
                    r.values.clone(),
                ));
                let sd: Vec<String> = r
                    .values
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{v}\""))
                    .collect();
                let sd = if sd.is_empty() {
                    "-".to_string()
                } else {
                    format!("[junos@2636.1.1.1.2.40 {}]", sd.join(" "))
                };
                cases.push(expect(
                    format!("<35>1 {TS_ISO} srx1 fwauthd 1893 {tag} {sd} {}", r.text),
                    "junos-structured",
                    Some(e.key.clone()),
                    r.values.clone(),
                ));
            }
            _ => {}
        }
    }
    let matches_a_template = |line: &str| {
        oracle
            .match_text(crate::peers::message_text(line))
            .is_some()
    };
    cases.extend(
        negatives(catalog, &mut rng)
            .into_iter()
            .filter(|c| c.form == "other-daemon" || !matches_a_template(&c.line)),
    );
    Ok(cases)
}

/// The checked-in catalog, and the corpus generated from it.
pub fn generate_from_checkout(seed: u64) -> anyhow::Result<(Catalog, Vec<Case>)> {
    let dir = logref_catalog::default_dir();
    let catalog = logref_catalog::load(&dir.join("catalog.json"))?;
    let cases = generate(&catalog, seed)?;
    Ok((catalog, cases))
}

/// The corpus file's text: one JSON case per line.
pub fn to_jsonl(cases: &[Case]) -> String {
    let mut text = String::new();
    for c in cases {
        text.push_str(&c.to_json().to_string());
        text.push('\n');
    }
    text
}

/// Other daemons' lines, and near misses of documented ones.
fn negatives(catalog: &Catalog, rng: &mut Rng) -> Vec<Case> {
    let none = |line: String, form: &'static str| Case {
        line,
        form,
        key: None,
        params: BTreeMap::new(),
    };
    let mut out: Vec<Case> = OTHER_DAEMONS
        .iter()
        .map(|l| none(l.to_string(), "other-daemon"))
        .collect();
    // Near misses: the first letter of the message after the program tag
    // changed, or a typed value replaced by one of the wrong type.
    let shapes: BTreeMap<String, usize> =
        catalog.entries.iter().fold(BTreeMap::new(), |mut m, e| {
            *m.entry(shape(&e.template)).or_insert(0) += 1;
            m
        });
    for e in catalog.entries.iter().filter(|e| {
        e.source == "003_36d23bcc90e79fc9.txt" || e.source == "000_3b287c3cc12531ae.txt"
    }) {
        let r = render(e, rng);
        let skip = e
            .extra
            .get("program")
            .and_then(Value::as_str)
            .and_then(|p| {
                let after = r.text.strip_prefix(p)?;
                Some(p.len() + after.find(": ")? + 2)
            });
        let at = skip.unwrap_or(0);
        let in_literal = |p: usize| r.literals.iter().any(|&(a, b)| a <= p && p < b);
        let pos = r
            .text
            .char_indices()
            .find(|&(p, c)| p >= at && c.is_ascii_alphabetic() && in_literal(p))
            .map(|(p, _)| p);
        if let Some(pos) = pos {
            let mut broken = r.text.clone();
            let c = broken.as_bytes()[pos];
            let replacement = if c == b'q' { "z" } else { "q" };
            broken.replace_range(pos..pos + 1, replacement);
            out.push(none(broken, "near-miss-literal"));
        }
        // A wrong type, where no other template has the same shape.
        if shapes.get(&shape(&e.template)).copied().unwrap_or(0) == 1 {
            if let Some(p) = e
                .params
                .iter()
                .find(|p| matches!(p.ty, ParamType::Ipv4 | ParamType::Int | ParamType::Mac))
            {
                if let Some(v) = r.values.get(&p.name) {
                    let wrong = match p.ty {
                        ParamType::Ipv4 => "192.0.2",
                        ParamType::Int => "12x4",
                        _ => "00:11:22",
                    };
                    if let Some(pos) = r.text.find(v.as_str()) {
                        let mut broken = r.text.clone();
                        broken.replace_range(pos..pos + v.len(), wrong);
                        // Only when the value is followed by literal text:
                        // a final placeholder's prefix is a legal prefix match.
                        if pos + v.len() < r.text.len() {
                            out.push(none(broken, "near-miss-type"));
                        }
                    }
                }
            }
        }
    }
    out
}

/// A template with every placeholder reduced to its type.
fn typed_shape(e: &Entry) -> String {
    let types: BTreeMap<&str, ParamType> =
        e.params.iter().map(|p| (p.name.as_str(), p.ty)).collect();
    logref_catalog::template::parse(&e.template)
        .into_iter()
        .map(|s| match s {
            logref_catalog::template::Segment::Literal(l) => l,
            logref_catalog::template::Segment::Placeholder { param, .. } => {
                format!(
                    "<{}>",
                    types
                        .get(param.as_str())
                        .copied()
                        .unwrap_or(ParamType::String)
                        .as_str()
                )
            }
        })
        .collect()
}

/// A template with every placeholder reduced to `<>`.
fn shape(t: &str) -> String {
    logref_catalog::template::parse(t)
        .into_iter()
        .map(|s| match s {
            logref_catalog::template::Segment::Literal(l) => l,
            logref_catalog::template::Segment::Placeholder { .. } => "<>".to_string(),
        })
        .collect()
}

/// Real lines from daemons the catalog does not document.
pub const OTHER_DAEMONS: &[&str] = &[
    "<38>Nov 22 10:15:02 host sshd[2211]: Accepted publickey for admin from 192.0.2.44 port 51234 ssh2: ED25519 SHA256:abc",
    "<86>Nov 22 10:15:02 host sshd[2211]: pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)",
    "<78>Nov 22 10:17:01 host CRON[3120]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)",
    "<6>Nov 22 10:15:02 host kernel: [12345.678901] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    "<30>Nov 22 10:15:02 host systemd[1]: Started Session 12 of user admin.",
    "<22>Nov 22 10:15:02 mx postfix/smtpd[1881]: connect from unknown[198.51.100.23]",
    "<30>Nov 22 10:15:02 host dnsmasq-dhcp[911]: DHCPACK(eth0) 192.168.1.50 00:11:22:33:44:55 laptop",
    "<29>Nov 22 10:15:02 vpn openvpn[1410]: 203.0.113.9:1194 TLS: Initial packet from [AF_INET]203.0.113.9:1194, sid=5f2a 3c1b",
    "<30>Nov 22 10:15:02 ns named[700]: client @0x7f 192.0.2.5#53124 (example.com): query: example.com IN A +E(0)K (192.0.2.1)",
    "<30>Nov 22 10:15:02 host chronyd[640]: Selected source 192.0.2.123 (pool.ntp.org)",
    "<30>Nov 22 10:15:02 host dhclient[812]: DHCPREQUEST for 192.0.2.10 on eth0 to 192.0.2.1 port 67 (xid=0x1a2b3c)",
    "<30>Nov 22 10:15:02 nxr1 pppd[812]: Script /etc/ppp/ip-up finished (pid 900), status = 0x0",
    "<30>Nov 22 10:15:02 nxr1 pluto[1234]: \"tunnel1\" #2: max number of retransmissions (2) reached STATE_MAIN_I1",
    "<30>Nov 22 10:15:02 nxr1 charon: 09[NET] received packet: from 203.0.113.5[500] to 192.0.2.1[500] (464 bytes)",
    "<30>Nov 22 10:15:02 nxr1 Keepalived_vrrp[900]: VRRP_Script(check_ping) succeeded",
    "<30>1 2026-11-22T10:15:02.120Z srx1 mgd 4242 UI_COMMIT [junos@2636.1.1.1.2.40 username=\"admin\"] User 'admin' requested 'commit' operation",
    "<35>Nov 22 10:15:02 srx1 fwauthd[1893]: FWAUTH_FTP_USER_AUTH_FAIL: User bob failed authentication",
    "<134>[2026-11-22 10:15:02] EFW: CONN: prio=1 id=00600001 rev=1 event=conn_open action=allow",
    "Nov 22 10:15:02 seil1 l2tpd: session table is full",
    "Nov 22 10:15:02 gw1 ipsec: SA installed for peer 203.0.113.7",
    "L2TP client started",
    "",
    "{\"not\":\"a syslog line\"}",
    "Failed to add dynamic route",
];

/// Terms a network OS's messages are made of, for synthetic catalogs.
const TERMS: &[&str] = &[
    "session",
    "tunnel",
    "interface",
    "peer",
    "address",
    "route",
    "neighbor",
    "state",
    "changed",
    "down",
    "up",
    "failed",
    "accepted",
    "rejected",
    "timeout",
    "retry",
    "negotiation",
    "authentication",
    "user",
    "login",
    "logout",
    "link",
    "packet",
    "dropped",
    "received",
    "sent",
    "queue",
    "buffer",
    "overflow",
    "limit",
    "exceeded",
    "license",
    "expired",
    "configuration",
    "saved",
    "loaded",
    "error",
    "module",
    "restart",
    "started",
    "stopped",
    "process",
    "memory",
    "allocation",
    "cpu",
    "temperature",
    "fan",
    "power",
    "supply",
    "voltage",
    "port",
    "vlan",
    "trunk",
    "spanning",
    "tree",
    "loop",
    "detected",
    "duplicate",
    "mac",
    "flapping",
    "hello",
    "dead",
    "interval",
    "adjacency",
    "full",
    "exchange",
    "loading",
    "proposal",
    "mismatch",
    "certificate",
    "invalid",
    "revoked",
    "lease",
    "offer",
    "request",
    "release",
    "sync",
    "lost",
    "stratum",
    "clock",
    "adjusted",
    "table",
    "entry",
    "added",
    "removed",
    "policy",
    "matched",
    "denied",
    "allowed",
    "client",
    "server",
    "connection",
    "closed",
    "opened",
    "reset",
    "keepalive",
];

/// A synthetic user catalog (YAML) of `n` templates, for measuring scale:
/// 40 programs; 3 to 8 terms each, up to three typed placeholders (int,
/// string, ip); a third of them starting with one of `n / 8` shared
/// prefixes of 2 to 4 terms (as related messages in real references do);
/// every fourth with a `<*>` wildcard. Deterministic for a seed.
pub fn large_catalog_yaml(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = format!(
        "# logref fixtures large --templates {n} --seed {seed}: a synthetic catalog\n\
         vendor: Synthetic\nproduct: Synthetic OS\nsource: synthetic\nentries:\n"
    );
    let phrase = |rng: &mut Rng, k: u64| {
        (0..k)
            .map(|_| *rng.pick(TERMS))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let prefixes: Vec<String> = (0..(n / 8).max(1))
        .map(|_| {
            let k = 2 + rng.below(3);
            phrase(&mut rng, k)
        })
        .collect();
    for i in 0..n {
        let mut words: Vec<String> = Vec::new();
        if rng.below(3) == 0 {
            words.push(rng.pick(&prefixes).clone());
        }
        let mut holes = 0;
        for _ in 0..3 + rng.below(6) {
            if holes < 3 && rng.below(5) == 0 {
                let ty = *rng.pick(&["int", "string", "ip"]);
                words.push(format!("<p{holes}:{ty}>"));
                holes += 1;
            } else {
                words.push(rng.pick(TERMS).to_string());
            }
        }
        if i % 4 == 0 {
            let at = 1 + rng.below(words.len() as u64) as usize;
            words.insert(at.min(words.len()), "<*>".into());
        }
        out.push_str(&format!(
            "  - key: synthetic:e{i}\n    program: daemon{}\n    template: \"{}\"\n    severity: info\n",
            rng.below(40),
            words.join(" ")
        ));
    }
    out
}

/// Lines for a synthetic catalog: each entry's template filled with values,
/// as its daemon writes it (`Mmm dd hh:mm:ss host prog[pid]: text`), each
/// with the entry it is written from; and a near miss of it, the same line
/// with the first word of its longest literal replaced by a word no
/// template has, which must match nothing (unless a wildcard of another
/// template fits it: the report counts those). Another template may match
/// a line as well or better: the report counts those apart from misses.
pub fn large_lines(catalog: &Catalog, seed: u64) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    for e in &catalog.entries {
        let r = render(e, &mut rng);
        let prog = e.program.clone().unwrap_or_default();
        let header = format!("{TS_BSD} host1 {prog}[{}]: ", 1 + rng.below(65534));
        cases.push(Case {
            line: format!("{header}{}", r.text),
            form: "rfc3164",
            key: Some(e.key.clone()),
            params: r.values.clone(),
        });
        let longest = r.literals.iter().max_by_key(|(a, b)| b - a);
        let word = longest.and_then(|&(a, b)| {
            let lit = &r.text[a..b];
            let start = lit.find(|c: char| c.is_ascii_alphabetic())?;
            let len = lit[start..]
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(lit.len() - start);
            Some((a + start, a + start + len))
        });
        if let Some((a, b)) = word {
            let mut text = r.text.clone();
            text.replace_range(a..b, "zqxv");
            cases.push(Case {
                line: format!("{header}{text}"),
                form: "near-miss",
                key: None,
                params: BTreeMap::new(),
            });
        }
    }
    cases
}

/// `logref fixtures large`: writes a synthetic catalog of `n` templates and
/// its lines to `dir`, compiles the catalog alone, and reports the
/// artifact's size, the time to build it, and how the lines are identified.
pub fn large(n: usize, seed: u64, dir: &std::path::Path) -> anyhow::Result<()> {
    use std::time::Instant;
    std::fs::create_dir_all(dir)?;
    let yaml_path = dir.join(format!("large-{n}.yaml"));
    let yaml = large_catalog_yaml(n, seed);
    std::fs::write(&yaml_path, &yaml)?;
    let (source, entries) = logref_catalog::user::from_yaml(
        &yaml_path.display().to_string(),
        &format!("large-{n}"),
        &yaml,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut catalog = Catalog {
        version: logref_catalog::CATALOG_VERSION,
        sources: Vec::new(),
        entries: Vec::new(),
    };
    logref_catalog::user::merge(
        &mut catalog,
        vec![(yaml_path.display().to_string(), source, entries)],
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let cases = large_lines(&catalog, seed);
    let lines_path = dir.join(format!("large-{n}.jsonl"));
    std::fs::write(&lines_path, to_jsonl(&cases))?;
    eprintln!("wrote {} and {}", yaml_path.display(), lines_path.display());
    let t0 = Instant::now();
    let (bytes, report) = logref_catalog::compile::compile(&catalog)?;
    let build = t0.elapsed();
    let matcher = logref_engine::Matcher::from_bytes(&bytes)?;
    let (mut right, mut other, mut missed, mut near, mut near_matched) = (0, 0, 0, 0, 0);
    let t1 = Instant::now();
    let mut cache = logref_engine::Cache::new();
    for c in &cases {
        let found = matcher.match_with(&c.line, None, &mut cache);
        match (&c.key, found) {
            (None, m) => {
                near += 1;
                if let Some(m) = m {
                    near_matched += 1;
                    cache.recycle(m);
                }
            }
            (Some(want), Some(m)) => {
                if &matcher.entries()[m.entry].key == want {
                    right += 1;
                } else {
                    other += 1;
                }
                cache.recycle(m);
            }
            (Some(_), None) => missed += 1,
        }
    }
    let matching = t1.elapsed();
    println!("templates      {n} (seed {seed})");
    println!(
        "artifact       {:.2} MiB ({:.1} KiB a template), {} shards, built in {build:.2?}",
        report.artifact_bytes as f64 / (1 << 20) as f64,
        report.artifact_bytes as f64 / 1024.0 / n.max(1) as f64,
        report.shards
    );
    println!(
        "lines          {}: {right} their own entry, {other} another entry (overlapping templates), {missed} none",
        right + other + missed
    );
    println!(
        "near misses    {near}: {} unmatched, {near_matched} matched (a wildcard of another template fits)",
        near - near_matched
    );
    println!(
        "native         {:.0} lines/s",
        cases.len() as f64 / matching.as_secs_f64().max(1e-9)
    );
    Ok(())
}

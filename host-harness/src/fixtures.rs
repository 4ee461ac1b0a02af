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
pub(crate) struct Rendered {
    pub(crate) text: String,
    pub(crate) values: BTreeMap<String, String>,
    literals: Vec<(usize, usize)>,
}

fn render(e: &Entry, rng: &mut Rng) -> Rendered {
    render_with(e, rng, value)
}

/// `e`'s template filled with values that `value` draws for each type (the
/// same value for a parameter written twice).
pub(crate) fn render_with(
    e: &Entry,
    rng: &mut Rng,
    value: impl Fn(ParamType, &mut Rng) -> String,
) -> Rendered {
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

//! The record path: one JSON record in, one JSON object out.
//!
//! [`Enricher::process`] is everything the exported functions do per
//! record, written so that it cannot fail: a record it cannot or need not
//! enrich is returned byte for byte as it came in. The output buffer is
//! reused, so memory does not grow with the number of records.

use logref_engine::bytes;
use logref_engine::probe::{self, Phase};
use logref_engine::{
    severity_name, Cache, EntryInfo, Match, MatchKind, Matcher, SplitFields, ValueType,
};

use crate::config::{Config, Style};
use crate::json::{self, Reject};

/// Counters, exported by `logref_stats`.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub records: u64,
    pub enriched: u64,
    pub unmatched: u64,
    pub rejected: [u64; Reject::ALL.len()],
    pub host_null_record: u64,
}

pub struct Enricher {
    matcher: Matcher,
    config: Config,
    /// Output pieces rendered on first use.
    rendered: Rendered,
    text: String,
    /// The matcher's buffers, reused for every record.
    cache: Cache,
    /// The unescaped structured data of a split RFC 5424 record.
    structured_data: String,
    out: Vec<u8>,
    pub stats: Stats,
    /// Per style, the keys whose presence means "leave the record".
    style_keys: [Vec<String>; 3],
}

fn push_opt(out: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => json::push_string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn catalog_fragment(e: &EntryInfo) -> Box<[u8]> {
    let mut o = Vec::with_capacity(256);
    o.extend_from_slice(b"\"key\":");
    json::push_string(&mut o, &e.key);
    o.extend_from_slice(b",\"vendor\":");
    json::push_string(&mut o, &e.vendor);
    o.extend_from_slice(b",\"product\":");
    json::push_string(&mut o, &e.product);
    o.extend_from_slice(b",\"id\":");
    push_opt(&mut o, e.vendor_id.as_deref());
    o.extend_from_slice(b",\"name\":");
    push_opt(&mut o, e.name.as_deref());
    o.extend_from_slice(b",\"category\":");
    json::push_string(&mut o, &e.category);
    o.extend_from_slice(b",\"severity\":");
    json::push_string(&mut o, severity_name(e.severity));
    o.extend_from_slice(b",\"severity_code\":");
    o.push(b'0' + e.severity.min(7));
    o.extend_from_slice(b",\"template\":");
    json::push_string(&mut o, &e.template);
    o.extend_from_slice(b",\"explanation\":");
    push_opt(&mut o, e.explanation.as_deref());
    o.extend_from_slice(b",\"action\":");
    push_opt(&mut o, e.action.as_deref());
    o.into_boxed_slice()
}

/// ECS (Elastic Common Schema 8): `event` (the vendor's id as `code` and
/// name as `action` where the vendor has them; the syslog severity as
/// `severity`), `observer` (who documents the message), then the rest under
/// `catalog`, up to its parameters' `{`. `log` and `message` depend on the
/// record: [`write_enriched`] adds them.
fn ecs_fragment(e: &EntryInfo) -> Box<[u8]> {
    let mut o = Vec::with_capacity(256);
    o.extend_from_slice(b"\"event\":{");
    if let Some(id) = &e.vendor_id {
        o.extend_from_slice(b"\"code\":");
        json::push_string(&mut o, id);
        o.push(b',');
    }
    if let Some(name) = &e.name {
        o.extend_from_slice(b"\"action\":");
        json::push_string(&mut o, name);
        o.push(b',');
    }
    o.extend_from_slice(b"\"severity\":");
    o.push(b'0' + e.severity.min(7));
    o.extend_from_slice(b"},\"observer\":{\"vendor\":");
    json::push_string(&mut o, &e.vendor);
    o.extend_from_slice(b",\"product\":");
    json::push_string(&mut o, &e.product);
    o.extend_from_slice(b"},\"catalog\":{\"key\":");
    json::push_string(&mut o, &e.key);
    o.extend_from_slice(b",\"category\":");
    json::push_string(&mut o, &e.category);
    o.extend_from_slice(b",\"template\":");
    json::push_string(&mut o, &e.template);
    o.extend_from_slice(b",\"explanation\":");
    push_opt(&mut o, e.explanation.as_deref());
    o.extend_from_slice(b",\"action\":");
    push_opt(&mut o, e.action.as_deref());
    o.extend_from_slice(b",\"params\":{");
    o.into_boxed_slice()
}

/// OpenTelemetry's `SeverityNumber` for a syslog severity code, as the log
/// data model's appendix maps syslog (emergency FATAL, alert ERROR3,
/// critical ERROR2, error ERROR, warning WARN, notice INFO2, info INFO,
/// debug DEBUG).
pub const OTEL_SEVERITY: [u8; 8] = [21, 19, 18, 17, 13, 10, 9, 5];

/// OpenTelemetry: `severity_number`, `severity_text`, and the entry under
/// `attributes`: the catalog key as `event.name`, the rest in the
/// `logref.` namespace (absent values left out: attributes hold no nulls),
/// up to `logref.params`' `{`.
fn otel_fragment(e: &EntryInfo) -> Box<[u8]> {
    let mut o = Vec::with_capacity(256);
    let code = e.severity.min(7);
    o.extend_from_slice(b"\"severity_number\":");
    let n = OTEL_SEVERITY[usize::from(code)];
    if n >= 10 {
        o.push(b'0' + n / 10);
    }
    o.push(b'0' + n % 10);
    o.extend_from_slice(b",\"severity_text\":");
    json::push_string(&mut o, severity_name(code));
    o.extend_from_slice(b",\"attributes\":{\"event.name\":");
    json::push_string(&mut o, &e.key);
    let members: [(&[u8], Option<&str>); 8] = [
        (b"vendor", Some(&e.vendor)),
        (b"product", Some(&e.product)),
        (b"id", e.vendor_id.as_deref()),
        (b"name", e.name.as_deref()),
        (b"category", Some(&e.category)),
        (b"template", Some(&e.template)),
        (b"explanation", e.explanation.as_deref()),
        (b"action", e.action.as_deref()),
    ];
    for (k, v) in members {
        if let Some(v) = v {
            o.extend_from_slice(b",\"logref.");
            o.extend_from_slice(k);
            o.extend_from_slice(b"\":");
            json::push_string(&mut o, v);
        }
    }
    o.extend_from_slice(b",\"logref.params\":{");
    o.into_boxed_slice()
}

impl Enricher {
    pub fn new(matcher: Matcher, config: Config) -> Enricher {
        let style_keys = [Style::Catalog, Style::Ecs, Style::Otel].map(|s| s.keys(&config.target));
        let rendered = Rendered::new(matcher.entries().len(), &config.target, config.typed_values);
        Enricher {
            matcher,
            config,
            rendered,
            text: String::new(),
            cache: Cache::new(),
            structured_data: String::new(),
            out: Vec::new(),
            stats: Stats::default(),
            style_keys,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// The counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The record, enriched or unchanged, followed by a NUL byte (what
    /// Fluent Bit reads). The slice borrows the reused output buffer.
    pub fn process(&mut self, record: &[u8], style: Style) -> &[u8] {
        self.stats.records += 1;
        self.out.clear();
        match self.try_enrich(record, style) {
            Ok(true) => self.stats.enriched += 1,
            Ok(false) => {
                self.stats.unmatched += 1;
                self.out.clear();
                self.out.extend_from_slice(record);
            }
            Err(r) => {
                if let Some(i) = Reject::ALL.iter().position(|x| *x == r) {
                    if let Some(c) = self.stats.rejected.get_mut(i) {
                        *c += 1;
                    }
                }
                self.out.clear();
                self.out.extend_from_slice(record);
            }
        }
        self.out.push(0);
        probe::mark(Phase::Output);
        &self.out
    }

    /// The output for a call that arrived without its record (Fluent Bit
    /// could not copy it into the guest): a valid object saying so, rather
    /// than a dropped record.
    pub fn host_null_record(&mut self) -> &[u8] {
        self.stats.records += 1;
        self.stats.host_null_record += 1;
        self.out.clear();
        self.out.extend_from_slice(b"{\"logref_error\":\"the host passed no record (record_ptr=0): raise wasm_heap_size\"}\0");
        &self.out
    }

    fn try_enrich(&mut self, record: &[u8], style: Style) -> Result<bool, Reject> {
        if record.len() > self.config.max_record_bytes {
            return Err(Reject::TooLarge);
        }
        // A record with invalid UTF-8 anywhere must not be enriched, or the
        // output would be invalid JSON. Fluent Bit's JSON is ASCII (it
        // escapes the rest): a word-at-a-time test, and the full check only
        // for other records.
        let record_str = if bytes::is_ascii(record) {
            // SAFETY: ASCII is valid UTF-8.
            unsafe { std::str::from_utf8_unchecked(record) }
        } else {
            std::str::from_utf8(record).map_err(|_| Reject::NotUtf8)?
        };
        let loc = json::locate(
            record,
            &self.config.text_fields,
            &self.style_keys[style as usize],
        )?;
        if loc.target_exists {
            return Err(Reject::TargetExists);
        }
        let (a, b) = loc.text.ok_or(Reject::NoTextField)?;
        let raw = record_str.get(a..b).ok_or(Reject::Malformed)?;
        let mut text = std::mem::take(&mut self.text);
        let unescaped = json::unescape_into(raw, &mut text);
        probe::mark(Phase::Scan);
        let result = match unescaped {
            Err(e) => Err(e),
            Ok(()) => {
                let ident = loc
                    .ident
                    .and_then(|(a, b)| record.get(a..b))
                    .and_then(plain_string);
                let pid = loc
                    .pid
                    .and_then(|(a, b)| record.get(a..b))
                    .and_then(plain_string_or_number);
                let msgid = loc
                    .msgid
                    .and_then(|(a, b)| record.get(a..b))
                    .and_then(plain_string);
                // Structured data holds quotes, escaped in JSON: unescape it.
                let sd = loc
                    .extradata
                    .and_then(|(a, b)| record_str.get(a..b))
                    .filter(|raw| json::unescape_into(raw, &mut self.structured_data).is_ok())
                    .map(|_| self.structured_data.as_str());
                let split = ident.map(|prog| SplitFields {
                    program: Some(prog),
                    pid,
                    msgid,
                    structured_data: sd,
                });
                let m = self.matcher.match_with(&text, split, &mut self.cache);
                match m {
                    None => Ok(false),
                    Some(m) => {
                        write_enriched(
                            &mut self.out,
                            record,
                            &loc,
                            &m,
                            &self.matcher,
                            style,
                            &mut self.rendered,
                        );
                        self.cache.recycle(m);
                        Ok(true)
                    }
                }
            }
        };
        self.text = text;
        result
    }
}

/// The content of a JSON string without escapes (else `None`).
fn plain_string(raw: &[u8]) -> Option<&str> {
    let inner = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if inner.contains(&b'\\') {
        return None;
    }
    std::str::from_utf8(inner).ok()
}

fn plain_string_or_number(raw: &[u8]) -> Option<&str> {
    plain_string(raw).or_else(|| {
        raw.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(raw).ok())
            .flatten()
    })
}

/// The parts of the output that do not depend on the line, rendered once:
/// the interpreter Fluent Bit runs the module in pays for every byte
/// scanned for escapes and every call, so a part written the same way for
/// every record of an entry is copied instead.
struct Rendered {
    /// Per style and entry, the added members up to the parameters' `{`:
    /// catalog style `"catalog":{"key":...,"action":...,"params":{`; ECS
    /// `"event":{...},...,"catalog":{...,"params":{`; OpenTelemetry
    /// `"severity_number":...,"attributes":{...,"logref.params":{`.
    heads: [Vec<Option<Box<[u8]>>>; 3],
    /// Per entry, its parameter names as rendered.
    names: Vec<Vec<RenderedName>>,
    /// The catalog style's output key.
    target: String,
    /// `typed_values`: integers of `int` parameters as JSON numbers.
    typed: bool,
}

/// `"name":` for a parameter name, keyed by the name's address and length
/// (names borrow the matcher's tables, which live as long as the enricher:
/// the key names the same bytes every time).
#[derive(Clone)]
struct RenderedName {
    at: usize,
    len: usize,
    json: Box<[u8]>,
    /// Its values go out as JSON numbers when they are integers.
    int: bool,
}

impl Rendered {
    fn new(entries: usize, target: &str, typed: bool) -> Rendered {
        Rendered {
            heads: [
                vec![None; entries],
                vec![None; entries],
                vec![None; entries],
            ],
            names: vec![Vec::new(); entries],
            target: target.to_string(),
            typed,
        }
    }

    /// `"catalog":{...,"params":{` (or the ECS head) of `entry`.
    fn head(&mut self, e: usize, entry: &EntryInfo, style: Style) -> &[u8] {
        let target = &self.target;
        let slot = &mut self.heads[style as usize][e];
        slot.get_or_insert_with(|| {
            let mut o = Vec::with_capacity(512);
            match style {
                Style::Catalog => {
                    json::push_string(&mut o, target);
                    o.extend_from_slice(b":{");
                    o.extend_from_slice(&catalog_fragment(entry));
                    o.extend_from_slice(b",\"params\":{");
                }
                Style::Ecs => o.extend_from_slice(&ecs_fragment(entry)),
                Style::Otel => o.extend_from_slice(&otel_fragment(entry)),
            }
            o.into_boxed_slice()
        })
    }

    /// `"name":` for a parameter of entry `e`, and whether its values are
    /// typed `int` (and `typed_values` is on).
    fn name(&mut self, e: usize, entry: &EntryInfo, name: &str) -> (&[u8], bool) {
        let (at, len) = (name.as_ptr() as usize, name.len());
        let names = &mut self.names[e];
        let i = match names.iter().position(|n| n.at == at && n.len == len) {
            Some(i) => i,
            None => {
                let mut json = Vec::with_capacity(name.len() + 3);
                json::push_string(&mut json, name);
                json.push(b':');
                let int = self.typed
                    && entry
                        .params
                        .iter()
                        .any(|(n, t)| n == name && *t == ValueType::Int);
                names.push(RenderedName {
                    at,
                    len,
                    json: json.into_boxed_slice(),
                    int,
                });
                names.len() - 1
            }
        };
        (&names[i].json, names[i].int)
    }
}

fn write_enriched(
    out: &mut Vec<u8>,
    record: &[u8],
    loc: &json::Located,
    m: &Match<'_>,
    matcher: &Matcher,
    style: Style,
    rendered: &mut Rendered,
) {
    let Some(entry) = matcher.entries().get(m.entry) else {
        out.extend_from_slice(record);
        return;
    };
    // The record up to its closing brace, untouched.
    out.extend_from_slice(record.get(..loc.close).unwrap_or(record));
    while matches!(out.last(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        out.pop();
    }
    if !loc.empty {
        out.push(b',');
    }
    out.extend_from_slice(rendered.head(m.entry, entry, style));
    let mut params = |out: &mut Vec<u8>| {
        let mut first = true;
        for (i, p) in m.params.iter().enumerate() {
            if m.params.iter().take(i).any(|q| q.name == p.name) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            let (name, int) = rendered.name(m.entry, entry, p.name);
            out.extend_from_slice(name);
            match p.value.parse::<i64>() {
                Ok(n) if int => json::push_i64(out, n),
                _ => json::push_string(out, &p.value),
            }
        }
        out.push(b'}');
    };
    let ambiguous = |out: &mut Vec<u8>| {
        out.push(b'[');
        for (i, &e) in m.ambiguous.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::push_string(out, matcher.entries().get(e).map_or("", |x| x.key.as_str()));
        }
        out.push(b']');
    };
    // A relaxed match says so, and what it relaxed (a prefix match's
    // trailing text among it), so that it never looks like an exact one.
    let kind = |out: &mut Vec<u8>, prefix: &[u8]| {
        out.extend_from_slice(prefix);
        out.extend_from_slice(b"match\":");
        if m.relaxed.is_empty() {
            json::push_string(out, m.kind.as_str());
            return;
        }
        json::push_string(out, "relaxed");
        out.extend_from_slice(prefix);
        out.extend_from_slice(b"relaxed\":[");
        for (i, r) in m.relaxed.names().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::push_string(out, r);
        }
        if m.kind == MatchKind::Prefix {
            out.extend_from_slice(b",\"prefix\"");
        }
        out.push(b']');
    };
    // The parameters, how it matched and its rivals close the entry's
    // object (`catalog`, or OpenTelemetry's `attributes`, whose members
    // are in the `logref.` namespace).
    let member = match style {
        Style::Catalog | Style::Ecs => &b",\""[..],
        Style::Otel => b",\"logref.",
    };
    params(out);
    kind(out, member);
    if !m.ambiguous.is_empty() {
        out.extend_from_slice(member);
        out.extend_from_slice(b"ambiguous\":");
        ambiguous(out);
    }
    out.push(b'}');
    if style == Style::Ecs {
        // ECS `log` and `message` where the record has none (with Fluent
        // Bit's tail, whose line is `log`, set its `Key message`).
        let sev = entry.severity.min(7);
        if !loc.has_log {
            out.extend_from_slice(b",\"log\":{\"level\":");
            json::push_string(out, severity_name(sev));
            out.extend_from_slice(b",\"syslog\":{\"severity\":{\"code\":");
            out.push(b'0' + sev);
            out.extend_from_slice(b",\"name\":");
            json::push_string(out, severity_name(sev));
            out.extend_from_slice(b"}}}");
        }
        if let (false, Some((a, b))) = (loc.has_message, loc.text) {
            // The text field's JSON string, copied as it is.
            out.extend_from_slice(b",\"message\":");
            out.extend_from_slice(record.get(a..b).unwrap_or(b"\"\""));
        }
    }
    out.push(b'}');
}

impl Stats {
    /// The counters as a JSON object.
    pub fn to_json(&self) -> String {
        let mut s = format!(
            "{{\"records\":{},\"enriched\":{},\"unmatched\":{},\"host_null_record\":{}",
            self.records, self.enriched, self.unmatched, self.host_null_record
        );
        for (r, n) in Reject::ALL.iter().zip(self.rejected.iter()) {
            s.push_str(&format!(",\"{}\":{}", r.as_str(), n));
        }
        s.push('}');
        s
    }
}

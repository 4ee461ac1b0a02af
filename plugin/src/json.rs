//! Just enough JSON for the record path, without building a tree.
//!
//! Fluent Bit hands the filter the record body as JSON text. Parsing it
//! into a tree and serialising it again costs more guest instructions than
//! everything else the plugin does (see the plugin issue's probes), so the
//! record is *scanned*: the top-level members are walked once, the fields
//! the plugin needs are located, only the message text is unescaped, and
//! the enrichment is spliced in before the final `}`. The walk is
//! iterative (no recursion on nesting depth) and never indexes out of
//! bounds.

use logref_engine::bytes;

/// Why a record is passed through unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    NotUtf8,
    NotAnObject,
    Malformed,
    NoTextField,
    TextNotAString,
    BadEscape,
    LoneSurrogate,
    TooLarge,
    TargetExists,
}

impl Reject {
    pub const ALL: [Reject; 9] = [
        Reject::NotUtf8,
        Reject::NotAnObject,
        Reject::Malformed,
        Reject::NoTextField,
        Reject::TextNotAString,
        Reject::BadEscape,
        Reject::LoneSurrogate,
        Reject::TooLarge,
        Reject::TargetExists,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reject::NotUtf8 => "not_utf8",
            Reject::NotAnObject => "not_an_object",
            Reject::Malformed => "malformed_json",
            Reject::NoTextField => "no_text_field",
            Reject::TextNotAString => "text_not_a_string",
            Reject::BadEscape => "bad_escape",
            Reject::LoneSurrogate => "lone_surrogate",
            Reject::TooLarge => "too_large",
            Reject::TargetExists => "target_exists",
        }
    }
}

/// The fields of one record the plugin looks at: spans of their raw JSON
/// values (strings include their quotes).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The text to match, by the configured order of field names.
    pub text: Option<(usize, usize)>,
    /// Its rank in that order (lower is preferred).
    text_rank: usize,
    /// Fluent Bit's syslog parser fields (`syslog-rfc5424` adds `msgid`
    /// and the structured data as `extradata`).
    pub ident: Option<(usize, usize)>,
    pub pid: Option<(usize, usize)>,
    pub msgid: Option<(usize, usize)>,
    pub extradata: Option<(usize, usize)>,
    /// One of the output's keys is already taken.
    pub target_exists: bool,
    /// The record has a top-level `log` / `message` member (ECS adds its
    /// `log` object and the `message` copy only where they are absent).
    pub has_log: bool,
    pub has_message: bool,
    /// Offset of the closing `}` of the top-level object.
    pub close: usize,
    /// The object has no members.
    pub empty: bool,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// `b[i]` is `"`: the index after the closing quote. Validates the string
/// as JSON does: no raw control characters, only the escapes JSON defines,
/// and `\u` escapes that do not leave a surrogate unpaired (serde_json
/// and Fluent Bit refuse those). UTF-8 is checked once for the whole
/// record by the caller.
fn skip_string(b: &[u8], i: usize) -> Result<usize, Reject> {
    let mut j = i + 1;
    // A `\u` high surrogate waiting for its low half.
    let mut pending_high = false;
    loop {
        // Runs of ordinary bytes in one tight scan.
        let rest = b.get(j..).ok_or(Reject::Malformed)?;
        let k = bytes::find_json_special(rest).ok_or(Reject::Malformed)?;
        if pending_high && k > 0 {
            return Err(Reject::LoneSurrogate);
        }
        j += k;
        match b.get(j) {
            Some(b'"') if pending_high => return Err(Reject::LoneSurrogate),
            Some(b'"') => return Ok(j + 1),
            Some(b'\\') => match b.get(j + 1) {
                Some(b'u') => {
                    let cp = b.get(j + 2..).and_then(hex4).ok_or(Reject::BadEscape)?;
                    let low = (0xDC00..0xE000).contains(&cp);
                    if low != pending_high {
                        return Err(Reject::LoneSurrogate);
                    }
                    pending_high = (0xD800..0xDC00).contains(&cp);
                    j += 6;
                }
                Some(_) if pending_high => return Err(Reject::LoneSurrogate),
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => j += 2,
                _ => return Err(Reject::BadEscape),
            },
            _ => return Err(Reject::Malformed),
        }
    }
}

/// A JSON number at `i` (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`):
/// the index after it.
fn skip_number(b: &[u8], i: usize) -> Result<usize, Reject> {
    let digits = |mut j: usize| {
        let from = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        (j > from).then_some(j)
    };
    let mut j = i + usize::from(b.get(i) == Some(&b'-'));
    j = match b.get(j) {
        Some(b'0') => j + 1,
        Some(b'1'..=b'9') => digits(j).ok_or(Reject::Malformed)?,
        _ => return Err(Reject::Malformed),
    };
    if b.get(j) == Some(&b'.') {
        j = digits(j + 1).ok_or(Reject::Malformed)?;
    }
    if matches!(b.get(j), Some(b'e' | b'E')) {
        j += 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        j = digits(j).ok_or(Reject::Malformed)?;
    }
    Ok(j)
}

/// Which containers are open, one bit per level (set = object): inline for
/// the first 256 levels, so that ordinary records allocate nothing; deeper
/// nesting spills to the heap.
struct Nesting {
    inline: [u64; 4],
    spill: Vec<u64>,
    depth: usize,
}

impl Nesting {
    fn new() -> Nesting {
        Nesting {
            inline: [0; 4],
            spill: Vec::new(),
            depth: 0,
        }
    }

    fn word(&mut self, level: usize) -> &mut u64 {
        let w = level / 64;
        if w < self.inline.len() {
            &mut self.inline[w]
        } else {
            let w = w - self.inline.len();
            if self.spill.len() <= w {
                self.spill.resize(w + 1, 0);
            }
            &mut self.spill[w]
        }
    }

    fn push(&mut self, object: bool) {
        let level = self.depth;
        let bit = 1u64 << (level % 64);
        let word = self.word(level);
        if object {
            *word |= bit;
        } else {
            *word &= !bit;
        }
        self.depth += 1;
    }

    /// Whether the innermost open container is an object.
    fn top_is_object(&mut self) -> bool {
        let level = self.depth - 1;
        *self.word(level) & (1u64 << (level % 64)) != 0
    }
}

/// `b[i]` starts an object member: its key, the colon and the blanks after
/// it are skipped; the index of its value.
fn skip_member_key(b: &[u8], i: usize) -> Result<usize, Reject> {
    if b.get(i) != Some(&b'"') {
        return Err(Reject::Malformed);
    }
    let i = skip_ws(b, skip_string(b, i)?);
    if b.get(i) != Some(&b':') {
        return Err(Reject::Malformed);
    }
    Ok(skip_ws(b, i + 1))
}

/// Skips one value starting at `i`, checking that it is valid JSON: the
/// index after it. Iterative, so nesting depth costs no call stack.
fn skip_value(b: &[u8], mut i: usize) -> Result<usize, Reject> {
    let mut nest = Nesting::new();
    loop {
        // A value starts at `i`.
        i = match b.get(i) {
            Some(b'"') => skip_string(b, i)?,
            Some(&open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                let j = skip_ws(b, i + 1);
                if b.get(j) == Some(&close) {
                    j + 1
                } else {
                    nest.push(open == b'{');
                    i = if open == b'{' {
                        skip_member_key(b, j)?
                    } else {
                        j
                    };
                    continue;
                }
            }
            Some(b't') if b.get(i..i + 4) == Some(b"true") => i + 4,
            Some(b'f') if b.get(i..i + 5) == Some(b"false") => i + 5,
            Some(b'n') if b.get(i..i + 4) == Some(b"null") => i + 4,
            Some(b'-' | b'0'..=b'9') => skip_number(b, i)?,
            _ => return Err(Reject::Malformed),
        };
        // After a value: close containers, or go on to the next element.
        loop {
            if nest.depth == 0 {
                return Ok(i);
            }
            i = skip_ws(b, i);
            let object = nest.top_is_object();
            match b.get(i) {
                Some(b',') => {
                    let j = skip_ws(b, i + 1);
                    i = if object { skip_member_key(b, j)? } else { j };
                    break;
                }
                Some(b'}') if object => {}
                Some(b']') if !object => {}
                _ => return Err(Reject::Malformed),
            }
            nest.depth -= 1;
            i += 1;
        }
    }
}

/// Walks the top-level object, locating `text_fields` (in preference
/// order), Fluent Bit syslog fields and `target`.
pub fn locate<F: AsRef<str>, T: AsRef<str>>(
    b: &[u8],
    text_fields: &[F],
    targets: &[T],
) -> Result<Located, Reject> {
    let mut loc = Located {
        text_rank: usize::MAX,
        ..Located::default()
    };
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Err(Reject::NotAnObject);
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        loc.close = i;
        loc.empty = true;
        return if skip_ws(b, i + 1) == b.len() {
            Ok(loc)
        } else {
            Err(Reject::Malformed)
        };
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return Err(Reject::Malformed);
        }
        let key_end = skip_string(b, i)?;
        let key = b.get(i + 1..key_end - 1).unwrap_or(&[]);
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return Err(Reject::Malformed);
        }
        i = skip_ws(b, i + 1);
        let v0 = i;
        i = skip_value(b, i)?;
        let span = Some((v0, i));
        if let Some(rank) = text_fields
            .iter()
            .position(|f| f.as_ref().as_bytes() == key)
        {
            if rank < loc.text_rank {
                loc.text_rank = rank;
                loc.text = span;
            }
        }
        match key {
            b"ident" => loc.ident = span,
            b"pid" => loc.pid = span,
            b"msgid" => loc.msgid = span,
            b"extradata" => loc.extradata = span,
            _ => {}
        }
        if targets.iter().any(|t| t.as_ref().as_bytes() == key) {
            loc.target_exists = true;
        }
        match key {
            b"log" => loc.has_log = true,
            b"message" => loc.has_message = true,
            _ => {}
        }
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => {
                loc.close = i;
                return if skip_ws(b, i + 1) == b.len() {
                    Ok(loc)
                } else {
                    Err(Reject::Malformed)
                };
            }
            _ => return Err(Reject::Malformed),
        }
    }
}

fn hex4(b: &[u8]) -> Option<u32> {
    let s = b.get(..4)?;
    let mut v = 0u32;
    for &c in s {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Unescapes the JSON string `raw` (with its quotes) into `out`. `raw` is
/// a `str` (the caller checked the record's UTF-8 once), so the runs
/// between escapes are copied without checking them again.
pub fn unescape_into(raw: &str, out: &mut String) -> Result<(), Reject> {
    out.clear();
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or(Reject::TextNotAString)?;
    let mut rest = inner;
    loop {
        // Copy the run up to the next escape in one go.
        let Some(k) = bytes::find_byte(rest.as_bytes(), b'\\') else {
            out.push_str(rest);
            return Ok(());
        };
        out.push_str(rest.get(..k).ok_or(Reject::BadEscape)?);
        let esc = rest
            .as_bytes()
            .get(k + 1)
            .copied()
            .ok_or(Reject::BadEscape)?;
        let mut used = 2;
        let ch = match esc {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = |at: usize| rest.as_bytes().get(at..).and_then(hex4);
                let hi = hex(k + 2).ok_or(Reject::BadEscape)?;
                used = 6;
                let cp = if (0xD800..0xDC00).contains(&hi) {
                    if rest.as_bytes().get(k + 6..k + 8) != Some(b"\\u") {
                        return Err(Reject::LoneSurrogate);
                    }
                    let lo = hex(k + 8).ok_or(Reject::BadEscape)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Reject::LoneSurrogate);
                    }
                    used = 12;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(Reject::LoneSurrogate);
                } else {
                    hi
                };
                char::from_u32(cp).ok_or(Reject::BadEscape)?
            }
            _ => return Err(Reject::BadEscape),
        };
        out.push(ch);
        rest = rest.get(k + used..).ok_or(Reject::BadEscape)?;
    }
}

/// Appends `n` as a JSON number (decimal, without the formatting
/// machinery: this runs per parameter on the record path).
pub fn push_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut v = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends `s` as a JSON string (with quotes). Most strings need no escape:
/// one word-at-a-time scan and one copy; the escaping loop only runs from
/// the first byte that needs it.
pub fn push_string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    match bytes::find_json_special(b) {
        None => out.extend_from_slice(b),
        Some(k) => push_escaped(out, b, k),
    }
    out.push(b'"');
}

/// `b` escaped for JSON, where `b[k]` is the first byte that needs it.
#[cold]
fn push_escaped(out: &mut Vec<u8>, b: &[u8], k: usize) {
    let (plain, mut rest) = b.split_at(k);
    out.extend_from_slice(plain);
    while let Some((&c, tail)) = rest.split_first() {
        rest = tail;
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            c if c < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 15)]);
            }
            c => {
                // The run up to the next byte that needs an escape.
                let k = bytes::find_json_special(rest).unwrap_or(rest.len());
                out.push(c);
                out.extend_from_slice(&rest[..k]);
                rest = &rest[k..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_json_numbers() {
        for n in [0, 7, -7, 500, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            push_i64(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn locates_fields_in_order_of_preference() {
        let r = br#" {"message":"m","nested":{"a":[1,{"log":"x"}]},"log":"the \"line\"","n":-1.5e3,"t":true} "#;
        let loc = locate(r, &["log", "message", "msg"], &["catalog"]).unwrap();
        let (a, b) = loc.text.unwrap();
        assert_eq!(&r[a..b], br#""the \"line\"""#);
        assert!(!loc.target_exists);
        assert_eq!(r[loc.close], b'}');
        let loc = locate(
            br#"{"msg":"a","catalog":{}}"#,
            &["log", "message", "msg"],
            &["catalog"],
        )
        .unwrap();
        assert!(loc.target_exists && loc.text.is_some());
        assert!(locate(b"{}", &["log"], &["catalog"]).unwrap().empty);
    }

    #[test]
    fn malformed_records_are_rejected_not_panicked_on() {
        for bad in [
            &b""[..],
            b"[]",
            b"{",
            b"{\"a\"}",
            b"{\"a\":}",
            b"{\"a\":1,}",
            b"{\"a\":1} x",
            b"{\"a\":\"\x01\"}",
            b"{\"a\":nope}",
            b"\"str\"",
            b"{\"a\":{\"b\":[}",
            b"{\"a\":]}",
            // Valid text field, malformed later members: the whole record
            // must be refused, or the output would be invalid JSON.
            br#"{"log":"pppd[1]: Exit.","n":[1}}"#,
            br#"{"log":"pppd[1]: Exit.","n":{"a" 1 2 3}}"#,
            br#"{"log":"pppd[1]: Exit.","n":01x}"#,
            br#"{"log":"x","n":01}"#,
            br#"{"log":"x","n":1.}"#,
            br#"{"log":"x","n":-}"#,
            br#"{"log":"x","n":1e}"#,
            br#"{"log":"x","n":tru}"#,
            br#"{"log":"x","n":nul}"#,
            br#"{"log":"x","n":[1,]}"#,
            br#"{"log":"x","n":[,1]}"#,
            br#"{"log":"x","n":{"a":1,}}"#,
            br#"{"log":"x","n":{1:2}}"#,
            br#"{"log":"x","n":[1 2]}"#,
            br#"{"log":"x","n":"\q"}"#,
            br#"{"log":"x","n":"\u12g4"}"#,
            br#"{"log":"x","n":"\ud800"}"#,
            br#"{"log":"x","n":"\udc00\ud800"}"#,
            br#"{"log":"x","n\x":1}"#,
            br#"{"log":"x","n":[{"a":[}]]}"#,
        ] {
            assert!(
                locate(bad, &["log"], &["catalog"]).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn valid_values_are_skipped() {
        for good in [
            &br#"{"log":"x","n":[1,-0.5e+3,0,1E9,true,false,null,"\u00e9\ud83d\ude00\n",{},[],{"a":{"b":[[]]}}]}"#[..],
            br#"{ "log" : "x" , "n" : { "a" : [ 1 , 2 ] } }"#,
            br#"{"n":-0,"log":"x"}"#,
        ] {
            assert!(
                locate(good, &["log"], &["catalog"]).is_ok(),
                "{}",
                String::from_utf8_lossy(good)
            );
        }
        let deep = format!("{{\"n\":{}1{}}}", "[{\"a\":".repeat(400), "}]".repeat(400));
        assert!(locate(deep.as_bytes(), &["log"], &["catalog"]).is_ok());
        let crossed = format!("{{\"n\":{}1{}}}", "[{\"a\":".repeat(400), "]}".repeat(400));
        assert!(locate(crossed.as_bytes(), &["log"], &["catalog"]).is_err());
    }

    /// Every case above agrees with serde_json on what is a JSON object.
    #[test]
    fn agrees_with_serde_json() {
        let cases: &[&[u8]] = &[
            br#"{"a":[1,2]}"#,
            br#"{"a":[1,2}}"#,
            br#"{"a":"\ud800\udc00"}"#,
            br#"{"a":"\ud800"}"#,
            br#"{"a":01}"#,
            br#"{"a":1.5e-3}"#,
            br#"{"a":{"b":{}}}"#,
            br#"{"a":{"b" 1}}"#,
        ];
        for c in cases {
            let ours = locate(c, &["log"], &["catalog"]).is_ok();
            let theirs =
                serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(c).is_ok();
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(c));
        }
    }

    #[test]
    fn unescapes_the_text() {
        let mut s = String::new();
        unescape_into(r#""a\"b\\c\u00e9\ud83d\ude00\/\n""#, &mut s).unwrap();
        assert_eq!(s, "a\"b\\cé😀/\n");
        assert_eq!(
            unescape_into(r#""\ud83d""#, &mut s),
            Err(Reject::LoneSurrogate)
        );
        assert_eq!(
            unescape_into(r#""\ude00x""#, &mut s),
            Err(Reject::LoneSurrogate)
        );
        assert_eq!(unescape_into(r#""\x""#, &mut s), Err(Reject::BadEscape));
        assert_eq!(unescape_into(r#""\u12""#, &mut s), Err(Reject::BadEscape));
        assert_eq!(unescape_into("42", &mut s), Err(Reject::TextNotAString));
    }

    #[test]
    fn escapes_values() {
        let mut out = Vec::new();
        push_string(&mut out, "a\"b\\\u{1}\té");
        assert_eq!(out, "\"a\\\"b\\\\\\u0001\\té\"".as_bytes());
    }
}

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
    /// The output key is already taken.
    pub target_exists: bool,
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

/// `b[i]` is `"`: the index after the closing quote.
fn skip_string(b: &[u8], i: usize) -> Result<usize, Reject> {
    let mut j = i + 1;
    loop {
        // Runs of ordinary bytes in one tight scan.
        let rest = b.get(j..).ok_or(Reject::Malformed)?;
        let k = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            .ok_or(Reject::Malformed)?;
        j += k;
        match b.get(j) {
            Some(b'"') => return Ok(j + 1),
            Some(b'\\') => j += 2,
            _ => return Err(Reject::Malformed),
        }
    }
}

/// Skips one value starting at `i`: the index after it.
fn skip_value(b: &[u8], i: usize) -> Result<usize, Reject> {
    match b.get(i) {
        None => Err(Reject::Malformed),
        Some(b'"') => skip_string(b, i),
        Some(b'{') | Some(b'[') => {
            // Nested: count brackets, skipping strings. No recursion.
            let mut depth: usize = 0;
            let mut j = i;
            loop {
                match b.get(j) {
                    None => return Err(Reject::Malformed),
                    Some(b'"') => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    Some(b'{') | Some(b'[') => depth += 1,
                    Some(b'}') | Some(b']') => {
                        depth = depth.checked_sub(1).ok_or(Reject::Malformed)?;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    Some(_) => {}
                }
                j += 1;
            }
        }
        Some(c) if c.is_ascii_digit() || *c == b'-' || c.is_ascii_alphabetic() => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')) {
                    break;
                }
                j += 1;
            }
            let word = b.get(i..j).unwrap_or(&[]);
            let ok = matches!(word, b"true" | b"false" | b"null")
                || word
                    .first()
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'-');
            if ok {
                Ok(j)
            } else {
                Err(Reject::Malformed)
            }
        }
        Some(_) => Err(Reject::Malformed),
    }
}

/// Walks the top-level object, locating `text_fields` (in preference
/// order), Fluent Bit syslog fields and `target`.
pub fn locate<F: AsRef<str>>(b: &[u8], text_fields: &[F], target: &str) -> Result<Located, Reject> {
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
        if key == target.as_bytes() {
            loc.target_exists = true;
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

/// Unescapes the JSON string `raw` (with its quotes) into `out`.
pub fn unescape_into(raw: &[u8], out: &mut String) -> Result<(), Reject> {
    out.clear();
    let inner = match raw {
        [b'"', inner @ .., b'"'] => inner,
        _ => return Err(Reject::TextNotAString),
    };
    let mut bytes: Vec<u8> = std::mem::take(out).into_bytes();
    let mut i = 0;
    while i < inner.len() {
        // Copy the run up to the next escape in one go.
        let run = inner.get(i..).unwrap_or(&[]);
        let k = run.iter().position(|&c| c == b'\\').unwrap_or(run.len());
        bytes.extend_from_slice(run.get(..k).unwrap_or(&[]));
        i += k;
        if i >= inner.len() {
            break;
        }
        let e = *inner.get(i + 1).ok_or(Reject::BadEscape)?;
        i += 2;
        match e {
            b'"' => bytes.push(b'"'),
            b'\\' => bytes.push(b'\\'),
            b'/' => bytes.push(b'/'),
            b'b' => bytes.push(0x08),
            b'f' => bytes.push(0x0c),
            b'n' => bytes.push(b'\n'),
            b'r' => bytes.push(b'\r'),
            b't' => bytes.push(b'\t'),
            b'u' => {
                let hi = hex4(inner.get(i..).unwrap_or(&[])).ok_or(Reject::BadEscape)?;
                i += 4;
                let cp = if (0xD800..0xDC00).contains(&hi) {
                    let lo = match (inner.get(i), inner.get(i + 1)) {
                        (Some(b'\\'), Some(b'u')) => {
                            hex4(inner.get(i + 2..).unwrap_or(&[])).ok_or(Reject::BadEscape)?
                        }
                        _ => return Err(Reject::LoneSurrogate),
                    };
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Reject::LoneSurrogate);
                    }
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(Reject::LoneSurrogate);
                } else {
                    hi
                };
                let ch = char::from_u32(cp).ok_or(Reject::BadEscape)?;
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            _ => return Err(Reject::BadEscape),
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => {
            *out = s;
            Ok(())
        }
        Err(e) => {
            let mut v = e.into_bytes();
            v.clear();
            // Keep the allocation for next time.
            *out = String::from_utf8(v).unwrap_or_default();
            Err(Reject::NotUtf8)
        }
    }
}

/// Appends `s` as a JSON string (with quotes).
pub fn push_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut rest = s.as_bytes();
    while !rest.is_empty() {
        // Copy the run of bytes that need no escape in one go.
        let k = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            .unwrap_or(rest.len());
        out.extend_from_slice(&rest[..k]);
        let Some((&c, tail)) = rest[k..].split_first() else {
            break;
        };
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
            c => out.push(c),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_fields_in_order_of_preference() {
        let r = br#" {"message":"m","nested":{"a":[1,{"log":"x"}]},"log":"the \"line\"","n":-1.5e3,"t":true} "#;
        let loc = locate(r, &["log", "message", "msg"], "catalog").unwrap();
        let (a, b) = loc.text.unwrap();
        assert_eq!(&r[a..b], br#""the \"line\"""#);
        assert!(!loc.target_exists);
        assert_eq!(r[loc.close], b'}');
        let loc = locate(
            br#"{"msg":"a","catalog":{}}"#,
            &["log", "message", "msg"],
            "catalog",
        )
        .unwrap();
        assert!(loc.target_exists && loc.text.is_some());
        assert!(locate(b"{}", &["log"], "catalog").unwrap().empty);
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
        ] {
            assert!(
                locate(bad, &["log"], "catalog").is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn unescapes_the_text() {
        let mut s = String::new();
        unescape_into(br#""a\"b\\c\u00e9\ud83d\ude00\/\n""#, &mut s).unwrap();
        assert_eq!(s, "a\"b\\cé😀/\n");
        assert_eq!(
            unescape_into(br#""\ud83d""#, &mut s),
            Err(Reject::LoneSurrogate)
        );
        assert_eq!(
            unescape_into(br#""\ude00x""#, &mut s),
            Err(Reject::LoneSurrogate)
        );
        assert_eq!(unescape_into(br#""\x""#, &mut s), Err(Reject::BadEscape));
        assert_eq!(unescape_into(br#""\u12""#, &mut s), Err(Reject::BadEscape));
        assert_eq!(unescape_into(b"42", &mut s), Err(Reject::TextNotAString));
        assert_eq!(unescape_into(b"\"\xff\"", &mut s), Err(Reject::NotUtf8));
    }

    #[test]
    fn escapes_values() {
        let mut out = Vec::new();
        push_string(&mut out, "a\"b\\\u{1}\té");
        assert_eq!(out, "\"a\\\"b\\\\\\u0001\\té\"".as_bytes());
    }
}

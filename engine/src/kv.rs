//! `key=value` pairs as devices send them (Clavister (`iface=l2tp_cli
//! remotegw=203.0.113.7 user="John Doe"`), and RFC 5424 structured-data
//! parameters (`[junos@2636.1.1.1.2.40 username="alice"]`).

use std::borrow::Cow;

/// One pair: the key, the value (unquoted and unescaped) and the value's
/// byte span in the input (inside the quotes when quoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair<'a> {
    pub key: &'a str,
    pub value: Cow<'a, str>,
    pub span: (usize, usize),
}

/// A numeric id as a key rule compares it: decimal digits without their
/// leading zeros (`02800001` and `2800001` are one id). `None` when `s` is
/// not all digits.
pub fn numeric_id(s: &str) -> Option<&str> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = s.trim_start_matches('0');
    Some(if t.is_empty() { "0" } else { t })
}

/// Whether `s` starts with a `key=` pair (after blanks): the cheap test
/// that a message is a list of pairs before they are parsed.
pub fn starts_with_pair(s: &str) -> bool {
    let b = s.trim_start_matches([' ', '\t']).as_bytes();
    let n = b.iter().take_while(|&&c| is_key_byte(c)).count();
    n > 0 && b.get(n) == Some(&b'=')
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Every `key=value` pair in `s`, in order; words that are not pairs are
/// skipped. Quoted values may contain blanks and `\"`, `\\`, `\]`.
pub fn pairs(s: &str) -> Vec<Pair<'_>> {
    let mut out = Vec::new();
    pairs_into(s, &mut out);
    out
}

/// [`pairs`] into the caller's vector (cleared first), so that a reused one
/// allocates nothing.
pub fn pairs_into<'a>(s: &'a str, out: &mut Vec<Pair<'a>>) {
    out.clear();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Start of a token.
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t' || b[i] == b'[' || b[i] == b']') {
            i += 1;
        }
        let k0 = i;
        while i < b.len() && is_key_byte(b[i]) {
            i += 1;
        }
        if i > k0 && b.get(i) == Some(&b'=') {
            let key = &s[k0..i];
            i += 1;
            if b.get(i) == Some(&b'"') {
                let v0 = i + 1;
                let mut j = v0;
                let mut escaped = false;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' && j + 1 < b.len() {
                        escaped = true;
                        j += 1;
                    }
                    j += 1;
                }
                let raw = s.get(v0..j.min(b.len())).unwrap_or("");
                let value = if escaped {
                    Cow::Owned(unescape(raw))
                } else {
                    Cow::Borrowed(raw)
                };
                out.push(Pair {
                    key,
                    value,
                    span: (v0, j.min(b.len())),
                });
                i = j.saturating_add(1);
            } else {
                let v0 = i;
                while i < b.len() && b[i] != b' ' && b[i] != b'\t' && b[i] != b']' {
                    i += 1;
                }
                out.push(Pair {
                    key,
                    value: Cow::Borrowed(&s[v0..i]),
                    span: (v0, i),
                });
            }
        } else {
            // Not a pair: skip the rest of this token.
            while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
                i += 1;
            }
        }
    }
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\' | ']')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_lose_their_leading_zeros() {
        assert_eq!(numeric_id("02800001"), Some("2800001"));
        assert_eq!(numeric_id("2800001"), Some("2800001"));
        assert_eq!(numeric_id("000"), Some("0"));
        assert_eq!(numeric_id("12a"), None);
        assert_eq!(numeric_id(""), None);
        // Longer than any integer type: still compared, as text.
        assert_eq!(
            numeric_id("00123456789012345678901234"),
            Some("123456789012345678901234")
        );
    }

    #[test]
    fn a_message_of_pairs_starts_with_one() {
        assert!(starts_with_pair("prio=2 id=1"));
        assert!(starts_with_pair(" logid=\"0100032001\" type=x"));
        assert!(!starts_with_pair("L2TP: prio=2"));
        assert!(!starts_with_pair("=x"));
        assert!(!starts_with_pair("a b=c"));
    }

    #[test]
    fn clavister_pairs() {
        let s = "prio=2 id=02800001 rev=1 event=x user=\"John \\\"JD\\\" Doe\" iface=l2tp_cli";
        let p = pairs(s);
        let kv: Vec<(&str, &str)> = p.iter().map(|p| (p.key, p.value.as_ref())).collect();
        assert_eq!(
            kv,
            [
                ("prio", "2"),
                ("id", "02800001"),
                ("rev", "1"),
                ("event", "x"),
                ("user", "John \"JD\" Doe"),
                ("iface", "l2tp_cli")
            ]
        );
        assert_eq!(&s[p[1].span.0..p[1].span.1], "02800001");
    }

    #[test]
    fn sentence_then_pairs_and_structured_data() {
        let p = pairs("Anti-replay check failed. seqno=12 windowbase=4");
        assert_eq!(p.len(), 2);
        let p = pairs("[junos@2636.1.1.1.2.40 username=\"alice\" client-name=\"laptop 1\"]");
        assert_eq!(p[1].key, "client-name");
        assert_eq!(p[1].value, "laptop 1");
        assert!(pairs("x=\"unterminated").len() == 1);
        assert!(pairs("").is_empty());
    }
}

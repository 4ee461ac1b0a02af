//! The template syntax shared by every document: literal text with `<name>`
//! placeholders.
//!
//! A `<` starts a placeholder only when it is followed by a *name* and a `>`:
//! a name starts with an ASCII letter or digit and holds letters, digits and
//! `_ . : / ( ) -` and single inner spaces (`<ERR MESSAGE>`). Any other `<`
//! is literal text, which is how SEIL's `<Unknown Vendor-ID, Vendor=<vendor_code>`
//! keeps its leading `<` and pppd's `<IFNAME1> <--> <DEVICE>` its arrow.
//!
//! The n-th occurrence (n >= 2) of the same placeholder name in one template
//! is the parameter `name_n`: `local=<tie>, remote=<tie>` has the parameters
//! `tie` and `tie_2`.

/// One piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Placeholder {
        /// The name as written between `<` and `>`.
        name: String,
        /// The parameter this occurrence fills (`name`, `name_2`, ...).
        param: String,
    },
}

/// Splits a template into literals and placeholders.
pub fn parse(template: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find('<') {
        literal.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        match placeholder_len(after) {
            Some(len) => {
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                let name = after[..len].to_string();
                let count = match seen.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, c)) => {
                        *c += 1;
                        *c
                    }
                    None => {
                        seen.push((name.clone(), 1));
                        1
                    }
                };
                let param = if count == 1 {
                    name.clone()
                } else {
                    format!("{name}_{count}")
                };
                segments.push(Segment::Placeholder { name, param });
                rest = &after[len + 1..];
            }
            None => {
                literal.push('<');
                rest = after;
            }
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    segments
}

/// If `s` (the text after a `<`) starts with a placeholder name followed by
/// `>`, the name's length in bytes.
pub fn placeholder_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    // `<*>`: the anonymous wildcard (its parameters are `*`, `*_2`, ...).
    if s.starts_with("*>") {
        return Some(1);
    }
    let first = *bytes.first()?;
    if !first.is_ascii_alphanumeric() {
        return None;
    }
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'>' => {
                // No trailing space, no double space.
                let name = &s[..i];
                if name.ends_with(' ') || name.contains("  ") {
                    return None;
                }
                return Some(i);
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => {}
            b'_' | b'.' | b':' | b'/' | b'(' | b')' | b'-' | b' ' => {}
            _ => return None,
        }
    }
    None
}

/// The parameter names of a template, in order of first appearance.
pub fn param_names(template: &str) -> Vec<String> {
    parse(template)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Placeholder { param, .. } => Some(param),
            Segment::Literal(_) => None,
        })
        .collect()
}

/// The template with every placeholder replaced by its bare name: what a
/// document shows when its italics were lost (Junos). Used to check that a
/// hand-written template still says what the document says.
pub fn without_markup(template: &str) -> String {
    parse(template)
        .into_iter()
        .map(|s| match s {
            Segment::Literal(l) => l,
            Segment::Placeholder { name, .. } => name,
        })
        .collect()
}

/// A placeholder name without the numbers that tell its occurrences
/// apart: `NUM1` -> `NUM`, `A.B.C.D1/M1` -> `A.B.C.D/M`, `XXXXXXXX2` ->
/// `XXXXXXXX`. Digits that do not follow a letter stay (`0xid`).
pub fn base_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut after_letter = false;
    for c in name.chars() {
        if c.is_ascii_digit() && after_letter {
            continue;
        }
        after_letter = c.is_ascii_alphabetic();
        out.push(c);
    }
    out
}

/// The number of literal, non-space bytes: how specific a template is.
pub fn literal_weight(template: &str) -> usize {
    parse(template)
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => l.bytes().filter(|b| !b.is_ascii_whitespace()).count(),
            Segment::Placeholder { .. } => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ph(name: &str, param: &str) -> Segment {
        Segment::Placeholder {
            name: name.into(),
            param: param.into(),
        }
    }

    #[test]
    fn literal_angle_bracket_stays_literal() {
        let t = "<Unknown Vendor-ID, Vendor=<vendor_code>, Type=<type>, Length=<len>";
        let segs = parse(t);
        assert_eq!(
            segs[0],
            Segment::Literal("<Unknown Vendor-ID, Vendor=".into())
        );
        assert_eq!(segs[1], ph("vendor_code", "vendor_code"));
        assert_eq!(param_names(t), ["vendor_code", "type", "len"]);
    }

    #[test]
    fn arrow_and_hex_prefix_are_literal() {
        assert_eq!(
            param_names("pppd[<PID>]: Connect: <IFNAME1> <--> <DEVICE>"),
            ["PID", "IFNAME1", "DEVICE"]
        );
        let t = "{ESP=>0x<XXXXXXXX1> <0x<XXXXXXXX2> DPD}";
        assert_eq!(param_names(t), ["XXXXXXXX1", "XXXXXXXX2"]);
        assert_eq!(without_markup(t), "{ESP=>0xXXXXXXXX1 <0xXXXXXXXX2 DPD}");
    }

    #[test]
    fn repeated_names_are_numbered() {
        assert_eq!(param_names("local=<tie>, remote=<tie>"), ["tie", "tie_2"]);
    }

    #[test]
    fn names_with_spaces_and_parentheses() {
        assert_eq!(
            param_names("Err: <ERRNO>-<ERR MESSAGE> <STATE(X)>-><STATE(Y)>"),
            ["ERRNO", "ERR MESSAGE", "STATE(X)", "STATE(Y)"]
        );
        assert_eq!(param_names("a < b > c"), Vec::<String>::new());
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name("NUM1"), "NUM");
        assert_eq!(base_name("A.B.C.D1/M1"), "A.B.C.D/M");
        assert_eq!(base_name("XXXXXXXX2"), "XXXXXXXX");
        assert_eq!(base_name("0xid"), "0xid");
        assert_eq!(base_name("HH:HH:HH:HH:HH:HH"), "HH:HH:HH:HH:HH:HH");
    }

    #[test]
    fn weight_counts_literal_bytes_only() {
        assert_eq!(literal_weight("ab <x> c d"), 4);
    }
}

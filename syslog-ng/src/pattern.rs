//! A compiled template's items written as patterndb patterns.
//!
//! patterndb (syslog-ng's `db-parser`) matches a message with a radix tree:
//! literal text byte for byte, and at each `@PARSER:name:arg@` a typed
//! parser that takes what it can and never gives any of it back. The
//! engine describes a value by a regex and its DFA tries every split; here
//! a value must instead be a parser that knows where to stop on its own:
//!
//! * a type syslog-ng has a parser for is that parser (`int` is
//!   `@NUMBER@`, `ipv4` `@IPv4@`, `ipv6` `@IPv6@`, `mac` `@MACADDR@`);
//! * a value without blanks is `@STRING:name:chars@` (letters, digits and
//!   the `chars` its type allows) where what follows it cannot be part of
//!   it: a blank, the end, or a character the type does not hold; `@STRING@`
//!   stops there exactly as the regex does;
//! * any other value followed by text is `@ESTRING:name:stop@`, where
//!   `stop` is all the template's text up to its next value (so
//!   `<file>: No such file` stops at `: No such file`, not at the first
//!   `:`);
//! * a value that ends the template is `@ANYSTRING@` (text) or
//!   `@STRING@` with the characters its type allows (a `string` takes
//!   every printable ASCII character but blanks and `@`).
//!
//! What this cannot say the same way is listed in the README's syslog-ng
//! section: `@MACADDR@` only takes `:`, a value that contains its own
//! stop text is cut short, a trailing `text` takes anything, a trailing
//! `string` only ASCII. A blank is one space: the example configuration
//! gives `db-parser` the message with each run of blanks made one space,
//! as the engine reads any run of blanks and tabs where a template has one.
//!
//! Optional groups (the reviewed infixes) have no patterndb form, so a
//! template with `n` of them becomes up to 2^n patterns of one rule.

use logref_engine::artifact::{Item, PatternInfo};
use logref_engine::ValueType;

/// At most this many patterns for one template (2^4 optional groups).
const MAX_VARIANTS: usize = 16;

/// One pattern of a rule and the parameters its parsers fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub pattern: String,
    /// The value names the pattern sets, in order (`prefix` + name).
    pub params: Vec<String>,
}

/// A flattened item: optional groups already chosen.
#[derive(Debug, Clone, Copy)]
enum Flat<'a> {
    Lit(&'a str),
    Blank,
    Hole(u16, ValueType),
}

/// The patterns of one compiled template, its leading program tag left
/// out (syslog-ng parses that into `${PROGRAM}` itself), one per choice of
/// its optional groups. Value names are `prefix` + the parameter's name
/// made safe by [`value_name`].
pub fn patterns(info: &PatternInfo, prefix: &str) -> Vec<Rendered> {
    let body = match info.items.split_first() {
        // Every compiled template starts with its optional tag: the
        // template's own `prog[<PID>]: ` or any tag.
        Some((Item::Opt(_), rest)) => rest,
        _ => &info.items[..],
    };
    let mut variants = vec![Vec::new()];
    for item in body {
        expand(item, &mut variants);
    }
    variants
        .iter()
        .map(|flat| render(flat, &info.names, prefix))
        .filter(|r| !r.pattern.is_empty())
        .collect()
}

/// Appends `item` to every variant; an optional group doubles them (up to
/// [`MAX_VARIANTS`]; past that, only its absence is kept).
fn expand<'a>(item: &'a Item, variants: &mut Vec<Vec<Flat<'a>>>) {
    match item {
        Item::Lit(s) => variants.iter_mut().for_each(|v| v.push(Flat::Lit(s))),
        Item::Blank => variants.iter_mut().for_each(|v| v.push(Flat::Blank)),
        Item::Hole { name, ty } => variants
            .iter_mut()
            .for_each(|v| v.push(Flat::Hole(*name, *ty))),
        Item::Opt(inner) => {
            let mut with = variants.clone();
            for i in inner {
                expand(i, &mut with);
            }
            if variants.len() + with.len() <= MAX_VARIANTS {
                // The longer form first: it is the one the document shows
                // least, so listing it first keeps the rule readable.
                with.append(variants);
                *variants = with;
            }
        }
        // Any program tag: only ever the optional leading tag, which
        // syslog-ng parses itself.
        Item::AnyTag => {}
    }
}

/// Writes one variant.
fn render(flat: &[Flat], names: &[String], prefix: &str) -> Rendered {
    let mut pattern = String::new();
    let mut params = Vec::new();
    let mut i = 0;
    while i < flat.len() {
        match flat[i] {
            Flat::Lit(s) => push_literal(&mut pattern, s),
            Flat::Blank => pattern.push(' '),
            Flat::Hole(n, ty) => {
                let name = format!(
                    "{prefix}{}",
                    value_name(names.get(usize::from(n)).map_or("", String::as_str))
                );
                // The template's text up to its next value.
                let mut j = i + 1;
                let mut stop = String::new();
                while let Some(f) = flat.get(j) {
                    match f {
                        Flat::Lit(s) => stop.push_str(s),
                        Flat::Blank => stop.push(' '),
                        Flat::Hole(..) => break,
                    }
                    j += 1;
                }
                // A stop text cannot hold `@`: stop before it, and the
                // rest is written as literal text again.
                if let Some(at) = stop.find('@') {
                    let (items, bytes) = whole_items(&flat[i + 1..], at);
                    stop.truncate(bytes);
                    j = i + 1 + items;
                }
                // A value without blanks that stops where its characters
                // end (at a blank, or at text it cannot hold) is exactly
                // `@STRING@`, which cannot run past the blank.
                let extra = extra_chars(ty);
                let ends_itself = !ty.spans_blanks()
                    && stop.chars().next().is_none_or(|c| {
                        c == ' ' || !(c.is_ascii_alphanumeric() || extra.contains(c))
                    });
                match typed_parser(ty) {
                    Some(p) => pattern.push_str(&format!("@{p}:{name}@")),
                    None if ends_itself => {
                        pattern.push_str(&format!("@STRING:{name}:{extra}@"));
                    }
                    None if !stop.is_empty() => {
                        pattern.push_str(&format!("@ESTRING:{name}:{stop}@"));
                        params.push(name);
                        i = j;
                        continue;
                    }
                    None if ty.spans_blanks() && j == flat.len() => {
                        pattern.push_str(&format!("@ANYSTRING:{name}@"));
                    }
                    None => pattern.push_str(&format!("@STRING:{name}:{extra}@")),
                }
                params.push(name);
            }
        }
        i += 1;
    }
    Rendered { pattern, params }
}

/// How many of `flat`'s leading literal items fit whole in its first
/// `bytes` bytes of text, and their length (an item cut by the limit is
/// written again as literal text).
fn whole_items(flat: &[Flat], bytes: usize) -> (usize, usize) {
    let mut len = 0;
    for (k, f) in flat.iter().enumerate() {
        let l = match f {
            Flat::Lit(s) => s.len(),
            Flat::Blank => 1,
            Flat::Hole(..) => return (k, len),
        };
        if len + l > bytes {
            return (k, len);
        }
        len += l;
    }
    (flat.len(), len)
}

/// syslog-ng's own parser for a type, where it has one.
fn typed_parser(ty: ValueType) -> Option<&'static str> {
    match ty {
        ValueType::Int => Some("NUMBER"),
        ValueType::Ipv4 => Some("IPv4"),
        ValueType::Ipv6 => Some("IPv6"),
        ValueType::Mac => Some("MACADDR"),
        _ => None,
    }
}

/// Characters besides letters and digits that `@STRING@` takes for a type
/// (the type's characters, as `ValueType::regex` lists them).
fn extra_chars(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Hex => "",
        ValueType::Ipv4Prefix => "./",
        ValueType::Ipv6Prefix => ":/",
        ValueType::Ifname => "_.:/-",
        ValueType::Version => "._+~-",
        ValueType::Number => "+-.",
        ValueType::Ip => ".:",
        ValueType::String | ValueType::Text | ValueType::Any => STRING_EXTRA,
        _ => "",
    }
}

/// Every printable ASCII character but blanks, letters, digits and `@`:
/// a `string` value that no text follows.
const STRING_EXTRA: &str = "!\"#$%&'()*+,-./:;<=>?[\\]^_`{|}~";

/// Literal text: `@` is written `@@`.
fn push_literal(out: &mut String, s: &str) {
    out.push_str(&s.replace('@', "@@"));
}

/// A parameter name as a syslog-ng value name: letters, digits, `_` and
/// `-` kept, anything else `_` (a blank, `/`, `:`, and `.`, which
/// `format-json` would read as nesting: `A.B.C.D` is `A_B_C_D`).
pub fn value_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use logref_engine::artifact::Scope;

    fn info(items: Vec<Item>, names: &[&str]) -> PatternInfo {
        PatternInfo {
            entry: 0,
            weight: 0,
            scope: Scope::Any,
            program: None,
            tag_pid: None,
            relaxed: 0,
            names: names.iter().map(|s| s.to_string()).collect(),
            items,
        }
    }

    fn hole(name: u16, ty: ValueType) -> Item {
        Item::Hole { name, ty }
    }

    #[test]
    fn values_stop_at_the_text_that_follows_them() {
        let p = info(
            vec![
                Item::Opt(vec![Item::AnyTag]),
                hole(0, ValueType::String),
                Item::Lit(":".into()),
                Item::Blank,
                Item::Lit("No".into()),
                Item::Blank,
                Item::Lit("param".into()),
            ],
            &["tag"],
        );
        let r = patterns(&p, "p.");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].pattern, "@ESTRING:p.tag:: No param@");
        assert_eq!(r[0].params, ["p.tag"]);
    }

    #[test]
    fn typed_values_use_syslog_ngs_parsers_and_trailing_text_takes_the_rest() {
        let p = info(
            vec![
                Item::Opt(vec![Item::Lit("pppd".into())]),
                Item::Lit("peer".into()),
                Item::Blank,
                hole(0, ValueType::Ipv4),
                Item::Blank,
                Item::Lit("code".into()),
                Item::Blank,
                hole(1, ValueType::Int),
                Item::Lit(",".into()),
                Item::Blank,
                hole(2, ValueType::Text),
            ],
            &["ip", "code", "ERR MESSAGE"],
        );
        let r = patterns(&p, "");
        assert_eq!(
            r[0].pattern,
            "peer @IPv4:ip@ code @NUMBER:code@, @ANYSTRING:ERR_MESSAGE@"
        );
    }

    #[test]
    fn optional_groups_become_variants_and_at_signs_are_doubled() {
        let p = info(
            vec![
                Item::Opt(vec![Item::AnyTag]),
                Item::Lit("user@host".into()),
                Item::Opt(vec![Item::Blank, Item::Lit("(again)".into())]),
            ],
            &[],
        );
        let r: Vec<_> = patterns(&p, "").into_iter().map(|r| r.pattern).collect();
        assert_eq!(r, ["user@@host (again)", "user@@host"]);
    }

    #[test]
    fn a_value_without_blanks_ends_at_a_blank_or_a_character_it_cannot_hold() {
        let p = info(
            vec![
                Item::Opt(vec![Item::AnyTag]),
                Item::Lit("Interface".into()),
                Item::Blank,
                hole(0, ValueType::Ifname),
                Item::Lit(",".into()),
                Item::Blank,
                Item::Lit("state".into()),
                Item::Blank,
                hole(1, ValueType::String),
                Item::Blank,
                Item::Lit("now".into()),
            ],
            &["IFNAME", "STATE"],
        );
        assert_eq!(
            patterns(&p, "")[0].pattern,
            format!("Interface @STRING:IFNAME:_.:/-@, state @STRING:STATE:{STRING_EXTRA}@ now")
        );
    }

    #[test]
    fn a_stop_text_ends_before_an_at_sign() {
        let p = info(
            vec![
                Item::Opt(vec![Item::AnyTag]),
                hole(0, ValueType::Text),
                Item::Blank,
                Item::Lit("at".into()),
                Item::Blank,
                Item::Lit("a@b".into()),
            ],
            &["x"],
        );
        assert_eq!(patterns(&p, "")[0].pattern, "@ESTRING:x: at @a@@b");
    }
}

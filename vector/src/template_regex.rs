//! A compiled template's items written as regular expressions for VRL.
//!
//! VRL's regexes are Rust's `regex` crate with Unicode on, and it has no
//! automaton of its own, so each template becomes two expressions:
//!
//! - the *capture* form, anchored at both ends, with one named group per
//!   placeholder. Strings and text are lazy and numbers and addresses
//!   greedy, so that the leftmost-first preference of the regex engine
//!   picks the same split as the engine's extractor (which tries the
//!   shortest string first and the longest number first);
//! - the *prefix* form, anchored at the start only, everything greedy,
//!   followed by the engine's token-boundary rule: the template may stop
//!   before the end of the message only where it does not cut a word.
//!
//! The languages are those of the DFA (`logref_engine::ValueType::regex`);
//! only the order in which the regex engine tries them differs.

use logref_engine::artifact::Item;
use logref_engine::ValueType;

/// The engine's optional program tag (`prog: `, `prog[12]: `).
pub const ANY_TAG: &str = r"[A-Za-z0-9_./\-]+(?:\[[0-9]+\])?:[ \t]+";

/// The first word of a message (`w`) and, when the message starts with a
/// program tag as [`ANY_TAG`] matches it, the first word after the tag
/// (`w2`; valid when `w` or `t` is not empty, as the tag needs a name). The
/// first word is where a tag would start, and a tag's name may go on past
/// it with `.`, `/` or `-`.
pub const FIRST_WORDS: &str = r"\A(?P<w>[A-Za-z0-9_]*)(?:(?P<t>[A-Za-z0-9_./\-]*)(?:\[[0-9]+\])?:[ \t]+(?P<w2>[A-Za-z0-9_]*))?";

/// What may follow a prefix match: the engine's token boundary. It counts
/// ASCII letters, digits, `_` and every non-ASCII character as word
/// characters and lets a template stop anywhere but between two of them.
/// The regex cannot see the template's last character, only boundary
/// assertions about it, so: the end; an ASCII non-word character next; an
/// ASCII word character next after a character that is neither an ASCII
/// (`(?-u:\b)`) nor a Unicode (`\b`) word character; a non-ASCII character
/// next after one that is not an ASCII word character and on the same side
/// of Unicode's word boundary. The one case this gets wrong (a non-ASCII
/// punctuation mark ending the template, a word character after it) is
/// counted by the equivalence test.
pub const BOUNDARY: &str = r"(?:\z|[\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]|(?-u:\b)\b[A-Za-z0-9_]|(?-u:\B)(?:\b[\w&&[^\x00-\x7F]]|\B[\W&&[^\x00-\x7F]]))";

/// A placeholder's expression in the capture form.
fn capture_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Ifname => r"[A-Za-z][A-Za-z0-9_.:/\-]*?",
        ValueType::Version => r"[vV]?[0-9][0-9A-Za-z._+~\-]*?",
        ValueType::String => r"[^ \t\r\n]+?",
        ValueType::Text => r"[^ \t\r\n]+?(?:[ \t]+[^ \t\r\n]+?)*?",
        ValueType::Any => r"[^\r\n]*?",
        // Numbers and addresses: longest first, as the DFA's expression.
        other => other.regex(),
    }
}

/// How the holes of a pattern are named in its capture expression.
pub fn group_name(hole: usize) -> String {
    format!("g{hole}")
}

fn write(items: &[Item], capture: bool, holes: &mut usize, out: &mut String) {
    for it in items {
        match it {
            Item::Lit(s) => out.push_str(&regex_syntax::escape(s)),
            Item::Blank => out.push_str(r"[ \t]+"),
            Item::AnyTag => out.push_str(ANY_TAG),
            Item::Hole { ty, .. } => {
                if capture {
                    out.push_str("(?P<");
                    out.push_str(&group_name(*holes));
                    out.push('>');
                    out.push_str(capture_type(*ty));
                    out.push(')');
                } else {
                    out.push_str("(?:");
                    out.push_str(ty.regex());
                    out.push(')');
                }
                *holes += 1;
            }
            Item::Opt(inner) => {
                out.push_str("(?:");
                write(inner, capture, holes, out);
                out.push_str(")?");
            }
        }
    }
}

/// The holes of `items` in order: (name index, type).
pub fn holes(items: &[Item]) -> Vec<u16> {
    let mut v = Vec::new();
    for it in items {
        match it {
            Item::Hole { name, .. } => v.push(*name),
            Item::Opt(inner) => v.extend(holes(inner)),
            _ => {}
        }
    }
    v
}

/// `open`, the items (with named groups for the holes if `capture`), `close`.
fn wrapped(items: &[Item], capture: bool, open: &str, close: &str) -> String {
    let mut s = String::from(open);
    write(items, capture, &mut 0, &mut s);
    s.push_str(close);
    s
}

/// `\A(?:...)\z` with one named group per hole.
pub fn capture(items: &[Item]) -> String {
    wrapped(items, true, r"\A(?:", r")\z")
}

/// `\A(?P<p>...)(?P<rest>BOUNDARY...)`: the template as a prefix, and the
/// rest of the message after it.
pub fn prefix(items: &[Item]) -> String {
    wrapped(
        items,
        false,
        r"\A(?P<p>",
        &format!(r")(?P<rest>{BOUNDARY}[\s\S]*)"),
    )
}

/// The prefix form without groups: a cheap first test, as most templates
/// tried on a line do not match it.
pub fn prefix_test(items: &[Item]) -> String {
    wrapped(items, false, r"\A(?:", &format!("){BOUNDARY}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_become_named_groups_with_the_extractors_preference() {
        let items = vec![
            Item::Opt(vec![Item::AnyTag]),
            Item::Lit("peer".into()),
            Item::Blank,
            Item::Hole {
                name: 0,
                ty: ValueType::String,
            },
            Item::Lit("(".into()),
            Item::Hole {
                name: 1,
                ty: ValueType::Int,
            },
            Item::Lit(")".into()),
        ];
        assert_eq!(
            capture(&items),
            r"\A(?:(?:[A-Za-z0-9_./\-]+(?:\[[0-9]+\])?:[ \t]+)?peer[ \t]+(?P<g0>[^ \t\r\n]+?)\((?P<g1>[+\-]?[0-9]+)\))\z"
        );
        assert!(prefix(&items).starts_with(r"\A(?P<p>(?:[A-Za-z0-9_./\-]+"));
        assert_eq!(holes(&items), [0, 1]);
    }
}

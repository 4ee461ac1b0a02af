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
/// program tag as [`ANY_TAG`] or a template's own optional tag (its pid an
/// `int`, maybe signed) matches it, the first word after the tag
/// (`w2`; valid when `w` or `t` is not empty, as the tag needs a name). The
/// first word is where a tag would start, and a tag's name may go on past
/// it with `.`, `/` or `-`.
pub const FIRST_WORDS: &str = r"\A(?P<w>[A-Za-z0-9_]*)(?:(?P<t>[A-Za-z0-9_./\-]*)(?:\[[+\-]?[0-9]+\])?:[ \t]+(?P<w2>[A-Za-z0-9_]*))?";

/// What may follow a prefix match after a template whose last character
/// is a word character, in the engine's sense (an ASCII letter, digit or
/// `_`, or any non-ASCII character): the end, or an ASCII non-word
/// character. (Two word characters in a row would cut a token.)
pub const AFTER_WORD: &str = r"(?:\z|[\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F])";

/// What may follow a prefix match after a template whose last character
/// is not known in advance (it ends with a placeholder or an optional
/// part): the end; an ASCII non-word character next; an ASCII word
/// character or a non-ASCII character next after a character that is not
/// an ASCII word character (`(?-u:\b)`, `(?-u:\B)`, which look at bytes).
/// It takes a non-ASCII last character for a non-word one; a placeholder
/// that may hold non-ASCII text (a string, text, `<*>`) is greedy in the
/// prefix form, so its longest value, which ends before a blank or at the
/// end, is tried first and succeeds. Only an optional part at the very end
/// whose literal ends in a non-ASCII character can be cut wrongly.
///
/// Why not Unicode's `\b` and `\w`: each Unicode class is an automaton of
/// thousands of states in the `regex` crate, and with one per template
/// they held three quarters of the program's memory in Vector.
pub const AFTER_ANY: &str =
    r"(?:\z|[\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]|(?-u:\b)[A-Za-z0-9_]|(?-u:\B)[^\x00-\x7F])";

/// How a template's text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// With a word character: a token may not go on.
    Word,
    /// With a blank or punctuation: anything may follow.
    Other,
    /// It depends on a value.
    Unknown,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()
}

fn end(items: &[Item]) -> End {
    match items.last() {
        None => End::Unknown,
        Some(Item::Lit(s)) => match s.chars().last() {
            None => end(&items[..items.len() - 1]),
            Some(c) if is_word_char(c) => End::Word,
            Some(_) => End::Other,
        },
        Some(Item::Blank) => End::Other,
        Some(Item::Hole { .. } | Item::AnyTag | Item::Opt(_)) => End::Unknown,
    }
}

/// The token-boundary test after `items` in their prefix form.
fn boundary(items: &[Item]) -> &'static str {
    match end(items) {
        End::Word => AFTER_WORD,
        End::Other => "",
        End::Unknown => AFTER_ANY,
    }
}

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

/// The template's one expression: `\A(?:EXACT\z|(?P<p>PREFIX)(?P<rest>...))`.
/// The first branch is the capture form, anchored at both ends, with one
/// named group per hole; the second the prefix form, with the matched part
/// as `p` and the rest of the message (after a token boundary) as `rest`.
/// The regex engine prefers the first branch whenever it matches, so an
/// exact match wins over a prefix one as in the engine; and a prefix
/// match's `p` is split into its parameters by the same expression (whose
/// first branch then matches it whole). One expression per template rather
/// than two or three: each compiled regex costs Vector memory and caches.
pub fn matcher(items: &[Item]) -> String {
    let mut s = String::from(r"\A(?:");
    write(items, true, &mut 0, &mut s);
    s.push_str(r"\z|(?P<p>");
    write(items, false, &mut 0, &mut s);
    s.push_str(")(?P<rest>");
    s.push_str(boundary(items));
    s.push_str(r"[\s\S]*))");
    s
}

/// The prefix form without groups, for a test of several templates at once
/// (most templates tried on a line do not match).
pub fn prefix_test(items: &[Item]) -> String {
    let mut s = String::from(r"(?:");
    write(items, false, &mut 0, &mut s);
    s.push(')');
    s.push_str(boundary(items));
    s
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
            matcher(&items),
            concat!(
                r"\A(?:(?:[A-Za-z0-9_./\-]+(?:\[[0-9]+\])?:[ \t]+)?peer[ \t]+(?P<g0>[^ \t\r\n]+?)\((?P<g1>[+\-]?[0-9]+)\)\z",
                r"|(?P<p>(?:[A-Za-z0-9_./\-]+(?:\[[0-9]+\])?:[ \t]+)?peer[ \t]+(?:[^ \t\r\n]+)\((?:[+\-]?[0-9]+)\))",
                r"(?P<rest>[\s\S]*))"
            )
        );
        assert_eq!(holes(&items), [0, 1]);
    }

    #[test]
    fn the_boundary_after_a_template_follows_its_last_character() {
        let lit = |s: &str| Item::Lit(s.into());
        let hole = Item::Hole {
            name: 0,
            ty: ValueType::String,
        };
        assert_eq!(boundary(&[lit("up")]), AFTER_WORD);
        assert_eq!(boundary(&[lit("état")]), AFTER_WORD);
        assert_eq!(boundary(&[lit("up:")]), "");
        assert_eq!(boundary(&[lit("up"), Item::Blank]), "");
        assert_eq!(boundary(&[lit("up"), hole.clone()]), AFTER_ANY);
        assert_eq!(boundary(&[hole, lit("")]), AFTER_ANY);
        assert_eq!(boundary(&[Item::Opt(vec![lit(".")])]), AFTER_ANY);
    }

    /// What the expressions accept, run through the `regex` crate as VRL
    /// runs them: an exact match fills the groups, a prefix match stops
    /// only at a token boundary (the engine's rule), and a prefix part is
    /// split by the same expression.
    #[test]
    fn one_expression_gives_exact_and_prefix_matches() {
        let lit = |s: &str| Item::Lit(s.into());
        let items = vec![
            lit("user"),
            Item::Blank,
            Item::Hole {
                name: 0,
                ty: ValueType::String,
            },
            Item::Blank,
            lit("up"),
        ];
        let re = regex::Regex::new(&matcher(&items)).unwrap();
        let c = re.captures("user bob up").unwrap();
        assert_eq!((&c["g0"], c.name("p")), ("bob", None));
        let c = re.captures("user bob up, since 3s").unwrap();
        assert_eq!((&c["p"], &c["rest"]), ("user bob up", ", since 3s"));
        assert_eq!(&re.captures(&c["p"]).unwrap()["g0"], "bob");
        // `up` may not stop inside a word, ASCII or not.
        assert!(re.captures("user bob upper").is_none());
        assert!(re.captures("user bob upé").is_none());
        let items = vec![
            lit("user"),
            Item::Blank,
            Item::Hole {
                name: 0,
                ty: ValueType::Int,
            },
        ];
        let re = regex::Regex::new(&matcher(&items)).unwrap();
        assert!(re.captures("user 12ab").is_none());
        assert!(re.captures("user 12é").is_none());
        assert_eq!(&re.captures("user 12, x").unwrap()["rest"], ", x");
        let test = regex::Regex::new(&format!(r"\A{}", prefix_test(&items))).unwrap();
        assert!(test.is_match("user 12 x") && !test.is_match("user 12x"));
    }
}

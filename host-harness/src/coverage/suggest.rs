//! `logref coverage --suggest`: the largest shapes of the unidentified
//! lines, written as draft entries of a user catalog (`catalog/SCHEMA.md`,
//! "User catalogs") for a person to review and compile.
//!
//! A shape's words are the template's literal text; a masked value is a
//! typed placeholder (`<ip:ipv4>`, `<n:int>`; a path or a time, which the
//! catalog has no type for, one token: `<path>`); a position where the lines
//! differ is `<*>` (any text), and wildcards separated only by blanks are
//! one `<*>`. The entry's `program` is the lines' program, its `severity`
//! the most frequent syslog severity of their PRI, and a comment above it
//! says how often it was seen with one line as an example. `explanation`
//! and `action` are written empty: only a person who knows the device can
//! fill them.
//!
//! The YAML is written by hand, not serialised, because it carries those
//! comments; every string is a JSON string, which is a YAML double-quoted
//! scalar, so no value can break the file.

use std::collections::HashSet;
use std::fmt::Write as _;

use logref_engine::severity_name;

use super::drain::{Shape, Slot};
use super::shape::Mask;

/// A drafted entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub key: String,
    pub program: Option<String>,
    pub severity: Option<u8>,
    pub template: String,
    pub count: u64,
    pub example: String,
}

/// The template of a shape, or `None` when it has no literal word to
/// anchor it (it would match anything of its program).
pub fn template(shape: &Shape) -> Option<String> {
    if !shape
        .slots
        .iter()
        .any(|s| matches!(s, Slot::Word(w) if w.bytes().any(|b| b.is_ascii_alphabetic())))
    {
        return None;
    }
    let mut t = String::new();
    let mut last_wild = false;
    for (i, (slot, &blank)) in shape.slots.iter().zip(&shape.blank_before).enumerate() {
        if *slot == Slot::Wild && last_wild {
            // `<*>` spans blanks: two wildcards apart by blanks are one.
            continue;
        }
        if blank {
            t.push(' ');
        }
        last_wild = *slot == Slot::Wild;
        match slot {
            Slot::Wild => t.push_str("<*>"),
            Slot::Masked(m) => push_mask(&mut t, *m),
            Slot::Word(w) => {
                // `<word>` on the line would read as a placeholder: the
                // word between angle brackets becomes one.
                let bracketed = t.ends_with('<')
                    && matches!(shape.slots.get(i + 1), Some(Slot::Word(n)) if &**n == ">")
                    && logref_catalog::template::placeholder_len(&format!("{w}>")).is_some();
                if bracketed {
                    t.push_str("<*>");
                } else {
                    t.push_str(w);
                }
            }
        }
    }
    Some(t)
}

fn push_mask(t: &mut String, m: Mask) {
    match m.placeholder() {
        None => t.push_str(m.label()),
        Some((name, ty)) => {
            if m == Mask::Hex0x {
                t.push_str("0x");
            }
            t.push('<');
            t.push_str(name);
            if let Some(ty) = ty {
                t.push(':');
                t.push_str(ty.as_str());
            }
            t.push('>');
        }
    }
}

/// Drafts for the first `top` shapes that have a template, with unique keys.
pub fn drafts(shapes: &[Shape], top: usize) -> Vec<Draft> {
    let mut keys = HashSet::new();
    shapes
        .iter()
        .filter_map(|s| Some((s, template(s)?)))
        .take(top)
        .map(|(s, template)| {
            let base = key_of(s);
            let mut key = base.clone();
            let mut n = 2;
            while !keys.insert(key.clone()) {
                key = format!("{base}-{n}");
                n += 1;
            }
            Draft {
                key,
                program: s.program.as_deref().map(String::from),
                severity: s.severity(),
                template,
                count: s.count,
                example: s.example.clone(),
            }
        })
        .collect()
}

/// `program-first-words-of-the-shape`, lower case, `-` between words, at
/// most five words.
fn key_of(s: &Shape) -> String {
    let mut words: Vec<String> = Vec::new();
    if let Some(p) = &s.program {
        words.push(slug(p));
    }
    words.extend(
        s.slots
            .iter()
            .filter_map(|slot| match slot {
                Slot::Word(w) => Some(slug(w)),
                _ => None,
            })
            .filter(|w| !w.is_empty())
            .take(5),
    );
    words.retain(|w| !w.is_empty());
    if words.is_empty() {
        return "drafted".into();
    }
    words.join("-")
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// What the file says about where its drafts came from.
pub struct Origin<'a> {
    pub files: &'a [String],
    pub lines: u64,
    pub unmatched: u64,
}

/// The user catalog holding `drafts`.
pub fn yaml(drafts: &[Draft], origin: &Origin<'_>) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("a string serialises");
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Drafted by `logref coverage --suggest` from {} lines ({} not identified) of {}.",
        origin.lines,
        origin.unmatched,
        origin.files.join(", ")
    );
    y.push_str(
        "# Review every entry before you compile it: name the vendor and product, give the\n\
         # placeholders better names, check each `<*>` (any text) and fill in explanation\n\
         # and action. Then: logref compile --catalog THIS_FILE --out logref.artifact\n\
         # (format: catalog/SCHEMA.md, \"User catalogs\").\n",
    );
    y.push_str("vendor: \"Unknown\"\nproduct: \"Drafted by logref coverage\"\nentries:\n");
    for d in drafts {
        let example: String = d
            .example
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(200)
            .collect();
        let _ = writeln!(y, "  # seen {} times, e.g. {example}", d.count);
        let _ = writeln!(y, "  - key: {}", q(&d.key));
        if let Some(p) = &d.program {
            let _ = writeln!(y, "    program: {}", q(p));
        }
        if let Some(s) = d.severity {
            let _ = writeln!(y, "    severity: {}", severity_name(s));
        }
        let _ = writeln!(y, "    template: {}", q(&d.template));
        y.push_str("    explanation:\n    action:\n");
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::drain::{mine_lines, Params};

    fn shapes(program: Option<&str>, lines: &[&str]) -> Vec<Shape> {
        let lines: Vec<(Option<&str>, &str)> = lines.iter().map(|l| (program, *l)).collect();
        mine_lines(&lines, 4, Params::default())
    }

    #[test]
    fn masks_become_typed_placeholders_and_differences_wildcards() {
        let s = shapes(
            Some("vpnd"),
            &[
                "tunnel to 192.0.2.1 up after 3 tries (peer \"branch office\") id 0x1f",
                "tunnel to 192.0.2.9 up after 12 tries (peer \"hq\") id 0xff",
            ],
        );
        assert_eq!(
            template(&s[0]).as_deref(),
            Some("tunnel to <ip:ipv4> up after <n:int> tries (peer \"<*>\") id 0x<hex:hex>")
        );
        let d = drafts(&s, 10);
        assert_eq!(d[0].key, "vpnd-tunnel-to-up-after-tries");
        assert_eq!(d[0].severity, Some(4));
    }

    #[test]
    fn neighbouring_wildcards_are_one() {
        let s = shapes(
            None,
            &[
                "user alice logged in from lab",
                "user bob logged out from hq",
            ],
        );
        assert_eq!(
            template(&s[0]).as_deref(),
            Some("user <*> logged <*> from <*>")
        );
        let s = shapes(None, &["a b c d e", "a y z d e"]);
        assert_eq!(template(&s[0]).as_deref(), Some("a <*> d e"));
        let s = shapes(None, &["to=<root> ok", "to=<root> ok"]);
        assert_eq!(template(&s[0]).as_deref(), Some("to=<<*>> ok"));
    }

    #[test]
    fn a_shape_without_words_is_not_drafted() {
        let s = shapes(None, &["192.0.2.1 42", "192.0.2.2 43"]);
        assert_eq!(template(&s[0]), None);
        assert!(drafts(&s, 10).is_empty());
    }

    #[test]
    fn keys_are_unique_and_the_yaml_parses() {
        let mut s = shapes(Some("d"), &["link up on port 3"]);
        s.extend(shapes(Some("d"), &["link: up on port 4 \"x\""]));
        let d = drafts(&s, 10);
        assert_eq!(d[0].key, "d-link-up-on-port");
        assert_eq!(d[1].key, "d-link-up-on-port-2");
        let y = yaml(
            &d,
            &Origin {
                files: &["a.log".into()],
                lines: 2,
                unmatched: 2,
            },
        );
        let (source, entries) = logref_catalog::user::from_yaml("drafts.yaml", "drafts", &y)
            .unwrap_or_else(|e| panic!("{e}\n{y}"));
        assert_eq!(source.vendor, "Unknown");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].template, "link: up on port <n> \"<*>\"");
        assert_eq!(entries[0].explanation, None);
        assert_eq!(entries[0].program.as_deref(), Some("d"));
    }
}

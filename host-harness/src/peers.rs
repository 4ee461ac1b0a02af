//! The peers a user would otherwise pick, built from the same catalog:
//! one `regex::Regex` with captures per template tried in order (what a
//! chain of Fluent Bit `parser` filters or grok patterns does), and a
//! `regex::RegexSet` to find the candidates, then captures.
//!
//! They see the same text the engine sees (after the syslog header) and
//! use the same per-template expressions, so the comparison is about the
//! matching machinery, not about different patterns.

use anyhow::{anyhow, Result};
use logref_catalog::{compile, Catalog};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// Wraps a pattern's expression the way the peers run it: anchored at the
/// message start, ending at the end or before a non-word byte (the prefix
/// rule), with capture groups for the values.
fn peer_regex(spec: &compile::PatternSpec) -> String {
    format!(r"^(?:{})(?:$|[^A-Za-z0-9_])", spec.regex)
}

fn build(re: &str) -> Result<Regex> {
    RegexBuilder::new(re)
        .unicode(false)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| anyhow!("{e}"))
}

/// One regex per template, tried in catalog order; the first match wins.
pub struct RegexLoop {
    regexes: Vec<(usize, Regex)>,
}

impl RegexLoop {
    pub fn new(catalog: &Catalog) -> Result<RegexLoop> {
        let specs = compile::patterns(catalog)?;
        let regexes = specs
            .iter()
            .map(|s| Ok((s.entry, build(&capturing(&peer_regex(s)))?)))
            .collect::<Result<_>>()?;
        Ok(RegexLoop { regexes })
    }

    /// The entry and the number of captured values.
    pub fn match_text(&self, text: &str) -> Option<(usize, usize)> {
        for (entry, re) in &self.regexes {
            if let Some(c) = re.captures(text.as_bytes()) {
                return Some((*entry, c.iter().flatten().count()));
            }
        }
        None
    }
}

/// A `RegexSet` to find which templates match, then the first one's captures.
pub struct RegexSetThenCaptures {
    set: RegexSet,
    regexes: Vec<(usize, Regex)>,
}

impl RegexSetThenCaptures {
    pub fn new(catalog: &Catalog) -> Result<RegexSetThenCaptures> {
        let specs = compile::patterns(catalog)?;
        let plain: Vec<String> = specs.iter().map(peer_regex).collect();
        let set = RegexSetBuilder::new(&plain)
            .unicode(false)
            .size_limit(256 << 20)
            .dfa_size_limit(256 << 20)
            .build()
            .map_err(|e| anyhow!("{e}"))?;
        let regexes = specs
            .iter()
            .map(|s| Ok((s.entry, build(&capturing(&peer_regex(s)))?)))
            .collect::<Result<_>>()?;
        Ok(RegexSetThenCaptures { set, regexes })
    }

    pub fn match_text(&self, text: &str) -> Option<(usize, usize)> {
        let first = self.set.matches(text.as_bytes()).into_iter().next()?;
        let (entry, re) = &self.regexes[first];
        re.captures(text.as_bytes())
            .map(|c| (*entry, c.iter().flatten().count()))
    }
}

/// Turns the non-capturing groups that wrap typed holes into capturing ones
/// (`(?:` followed by a hole's class) so the peers extract values.
fn capturing(re: &str) -> String {
    // Holes are emitted as `(?:<type regex>)`; wrapping every group the
    // same way is close enough for a throughput peer: all `(?:[` openings
    // become captures.
    re.replace("(?:[", "([")
}

/// The message text the engine would match for a line (after the syslog
/// header, from the program tag on).
pub fn message_text(line: &str) -> &str {
    let h = logref_engine::syslog::parse(line);
    line.get(h.tag_start..).unwrap_or("")
}

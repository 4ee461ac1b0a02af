//! Compiles a [`Catalog`] into the artifact the runtime loads: multi-pattern
//! dense DFAs (regex-automata), one per shard of programs ([`shard_plan`]),
//! and the tables that name each pattern's entry and describe its holes.
//!
//! Each template becomes one pattern built from the same items the runtime
//! extractor walks ([`Item`]), so the DFA and the extractor agree by
//! construction:
//! - literals are matched byte for byte, any run of blanks as `[ \t]+`;
//! - a placeholder is its type's expression ([`ValueType::regex`]);
//! - a leading `prog:` / `prog[<PID>]:` accepts the tag with or without a
//!   pid; a template without a program tag accepts an optional one;
//! - reviewed infixes (the source's `infixes`) add optional text;
//! - each of the source's `variants` that applies gives the template wider
//!   patterns whose matches are relaxed (variants compose: see
//!   [`entry_patterns`]).
//!
//! The catalog is the only input: a source's key rules, programs, aliases,
//! infixes and variants come from its [`Source`], never from code. An id
//! `pattern` key rule is compiled here into automata, so the engine never
//! compiles a regex.
//!
//! Each DFA is anchored and built with `MatchKind::All`, so one pass reports
//! every template matching a prefix of the message; the runtime ranks them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use logref_engine::artifact::{
    self, EntryInfo, Item, PatternInfo, Scope, ShardEngine, ShardKind, Tables, VendorKey,
};
use logref_engine::verify;
use logref_engine::ValueType;
use regex_automata::dfa::{dense, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::MatchKind;

use crate::model::{Catalog, Entry, KeyRule, ParamType, Relaxation, Source};
use crate::template::{self, Segment};
use crate::Error;
use logref_engine::matcher::{may_match_without_program, Relaxed};

/// The expression for an optional program tag (`prog: `, `prog[12]: `).
pub const ANY_TAG_REGEX: &str = r"[A-Za-z0-9_./\-]+(?:\[[0-9]+\])?:[ \t]+";

/// Size limits for the build (the artifact budget is 16 MiB).
pub const DFA_SIZE_LIMIT: usize = 64 << 20;

/// Numbers about one compilation, for `logref compile`.
#[derive(Debug, Clone)]
pub struct CompileReport {
    pub patterns: usize,
    /// Shards (see [`shard_plan`]): automata in the DFA section, and
    /// token indexes.
    pub shards: usize,
    /// Shards that are token indexes ([`ShardEngines`]).
    pub index_shards: usize,
    pub dfa_bytes: usize,
    pub artifact_bytes: usize,
    pub build_time: Duration,
    pub catalog_checksum: u64,
}

/// The pieces of one pattern before it is serialised.
#[derive(Debug, Clone)]
pub struct PatternSpec {
    pub entry: usize,
    /// The name of the entry's source (its document or user catalog).
    pub source: String,
    pub regex: String,
    pub info: PatternInfo,
}

fn items_regex(items: &[Item], out: &mut String) {
    for it in items {
        match it {
            Item::Lit(s) => out.push_str(&regex_syntax::escape(s)),
            Item::Blank => out.push_str("[ \\t]+"),
            Item::Hole { ty, .. } => {
                out.push_str("(?:");
                out.push_str(ty.regex());
                out.push(')');
            }
            Item::Opt(inner) => {
                out.push_str("(?:");
                items_regex(inner, out);
                out.push_str(")?");
            }
            Item::AnyTag => out.push_str(ANY_TAG_REGEX),
        }
    }
}

/// The expression a list of items compiles to.
pub fn regex_for(items: &[Item]) -> String {
    let mut s = String::new();
    items_regex(items, &mut s);
    s
}

/// Builds items from template text; holes are named through `names`.
struct ItemBuilder<'a> {
    names: Vec<String>,
    type_of: &'a dyn Fn(&str) -> ValueType,
}

impl ItemBuilder<'_> {
    fn name_index(&mut self, name: &str) -> u16 {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i as u16,
            None => {
                self.names.push(name.to_string());
                (self.names.len() - 1) as u16
            }
        }
    }

    fn literal(&mut self, text: &str, out: &mut Vec<Item>) {
        let mut first = true;
        for part in text.split([' ', '\t']) {
            if !first && !matches!(out.last(), Some(Item::Blank)) {
                out.push(Item::Blank);
            }
            first = false;
            if !part.is_empty() {
                match out.last_mut() {
                    Some(Item::Lit(prev)) => prev.push_str(part),
                    _ => out.push(Item::Lit(part.to_string())),
                }
            }
        }
    }

    fn segments(&mut self, segs: &[Segment], out: &mut Vec<Item>) {
        for s in segs {
            match s {
                Segment::Literal(l) => self.literal(l, out),
                Segment::Placeholder { param, .. } => {
                    let ty = (self.type_of)(param);
                    let name = self.name_index(param);
                    out.push(Item::Hole { name, ty });
                }
            }
        }
    }
}

fn trim_blanks(items: &mut Vec<Item>) {
    while matches!(items.last(), Some(Item::Blank)) {
        items.pop();
    }
    while matches!(items.first(), Some(Item::Blank)) {
        items.remove(0);
    }
}

/// A program's tag, optional: `prog: ` or `prog[<pid>]: `.
fn optional_tag(program: &str, pid: u16) -> Item {
    Item::Opt(vec![
        Item::Lit(program.to_string()),
        Item::Opt(vec![
            Item::Lit("[".into()),
            Item::Hole {
                name: pid,
                ty: ValueType::Int,
            },
            Item::Lit("]".into()),
        ]),
        Item::Lit(":".into()),
        Item::Blank,
    ])
}

/// One entry's pattern.
pub fn pattern_for(
    entry_index: usize,
    entry: &Entry,
    source: &Source,
) -> Result<PatternSpec, Error> {
    pattern_with(entry_index, entry, source, false)
}

/// [`pattern_for`]; `piece` builds a piece of a template (an infix's
/// prefix), which may be its program tag alone.
fn pattern_with(
    entry_index: usize,
    entry: &Entry,
    source: &Source,
    piece: bool,
) -> Result<PatternSpec, Error> {
    let types: BTreeMap<&str, ParamType> = entry
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.ty))
        .collect();
    let type_of = |name: &str| types.get(name).copied().unwrap_or(ParamType::String);
    let mut b = ItemBuilder {
        names: Vec::new(),
        type_of: &type_of,
    };
    let segs = template::parse(&entry.template);
    let mut items = Vec::new();

    // A leading program tag, `prog: ` or `prog[<PID>]: `, names the
    // daemon: it is optional in the pattern (a shipper may have split it
    // off, or the line lost it), and the matcher compares it with the
    // line's own program.
    let mut rest: &[Segment] = &segs;
    let mut has_tag = false;
    let mut program = None;
    let mut tag_pid = None;
    // An entry that names its program (user catalogs) has none in its
    // template: `warning: hostname ...` is text there, not a tag.
    let leading = segs.first().filter(|_| entry.program.is_none());
    if let Some(Segment::Literal(first)) = leading {
        if let Some((prog, after)) = leading_program(first, segs.get(1)) {
            has_tag = true;
            program = Some(prog.to_string());
            let pid_name = match after {
                TagShape::Plain { .. } => "pid".to_string(),
                TagShape::Pid { ref param } => param.clone(),
            };
            let pid = b.name_index(&pid_name);
            tag_pid = Some(pid);
            items.push(optional_tag(prog, pid));
            let (lit_rest, skip) = match after {
                TagShape::Plain { rest } => (rest, 1),
                TagShape::Pid { .. } => {
                    // segs: Literal("prog["), Placeholder(PID), Literal("]: ...")
                    let tail = match segs.get(2) {
                        Some(Segment::Literal(t)) => t
                            .trim_start_matches(']')
                            .trim_start_matches(':')
                            .to_string(),
                        _ => String::new(),
                    };
                    (tail, 3)
                }
            };
            let lit_rest = lit_rest.trim_start_matches([' ', '\t']);
            if !lit_rest.is_empty() {
                b.literal(lit_rest, &mut items);
            }
            rest = segs.get(skip..).unwrap_or(&[]);
        }
    }
    if let (false, Some(prog)) = (has_tag, &entry.program) {
        has_tag = true;
        program = Some(prog.clone());
        let pid = b.name_index("pid");
        tag_pid = Some(pid);
        items.push(optional_tag(prog, pid));
    }
    if !has_tag {
        items.push(Item::Opt(vec![Item::AnyTag]));
    }
    b.segments(rest, &mut items);
    trim_blanks(&mut items);
    if items.len() <= 1 && !piece {
        return Err(Error::Compile {
            key: entry.key.clone(),
            message: "empty template".into(),
        });
    }

    // Reviewed infixes, longest prefix first: an infix inserts its items
    // after its prefix, so a shorter prefix's insertion never moves a
    // longer one's (infixes with the same prefix keep the file's order).
    let mut infixes: Vec<&crate::model::Infix> = source.infixes.iter().collect();
    infixes.sort_by_key(|i| std::cmp::Reverse(i.applies_to_prefix.trim_end().len()));
    for infix in infixes {
        let Some(at) = prefix_len(&items, entry, &infix.applies_to_prefix)? else {
            continue;
        };
        let infix_type = |n: &str| infix.types.get(n).copied().unwrap_or(ValueType::String);
        let mut ib = ItemBuilder {
            names: std::mem::take(&mut b.names),
            type_of: &infix_type,
        };
        if let Some(before) = &infix.before {
            let mut opt = Vec::new();
            ib.segments(&template::parse(before), &mut opt);
            items.insert(at, Item::Opt(opt));
        }
        if let Some(after) = &infix.after {
            let mut opt = Vec::new();
            ib.segments(&template::parse(after), &mut opt);
            items.push(Item::Opt(opt));
        }
        b.names = ib.names;
    }

    let first_real = items.iter().find(|i| !matches!(i, Item::Opt(_)));
    let scope = if source.key_only {
        Scope::KeyOnly
    } else if program.is_none() && matches!(first_real, Some(Item::Hole { .. })) {
        Scope::Programs(source.programs.clone())
    } else {
        Scope::Any
    };
    let regex = regex_for(&items);
    let weight = template::literal_weight(&entry.template) as u32;
    Ok(PatternSpec {
        entry: entry_index,
        source: source.name.clone(),
        regex,
        info: PatternInfo {
            entry: entry_index as u32,
            weight,
            scope,
            program,
            tag_pid,
            relaxed: 0,
            names: b.names,
            items,
        },
    })
}

/// Every pattern of one entry: its documented reading first, then the
/// wider readings its source's variants give, each `relaxed` with the
/// names of the variants it applies. Variants compose: each one that
/// applies to a reading so far adds that reading with its text replaced
/// (a connection name and another release's attribute list in one line).
/// At most [`MAX_VARIANTS_PER_ENTRY`] apply, so an entry has at most 2^4
/// readings.
pub fn entry_patterns(
    entry_index: usize,
    entry: &Entry,
    source: &Source,
) -> Result<Vec<PatternSpec>, Error> {
    let mut readings: Vec<(Entry, u8)> = vec![(entry.clone(), 0)];
    let mut applied = 0;
    for v in &source.variants {
        let before = readings.len();
        for i in 0..before {
            let (reading, bits) = &readings[i];
            if !reading.template.contains(&v.replace) {
                continue;
            }
            let mut wider = reading.clone();
            wider.template = reading.template.replace(&v.replace, &v.with);
            for (name, ty) in &v.types {
                if !wider.params.iter().any(|p| &p.name == name) {
                    wider.params.push(crate::model::Param {
                        name: name.clone(),
                        ty: *ty,
                    });
                }
            }
            let bits = bits | relaxation_bits(v.relaxed);
            readings.push((wider, bits));
        }
        if readings.len() > before {
            applied += 1;
            if applied > MAX_VARIANTS_PER_ENTRY {
                return Err(Error::Compile {
                    key: entry.key.clone(),
                    message: format!(
                        "more than {MAX_VARIANTS_PER_ENTRY} variants apply to this template"
                    ),
                });
            }
        }
    }
    readings
        .iter()
        .map(|(reading, bits)| {
            let mut spec = pattern_for(entry_index, reading, source)?;
            spec.info.relaxed = *bits;
            Ok(spec)
        })
        .collect()
}

/// How many of a source's variants may apply to one template: their
/// readings multiply.
pub const MAX_VARIANTS_PER_ENTRY: usize = 4;

/// Every (alias, program) pair the sources declare, sorted. An alias that
/// two sources give to different programs is an error.
pub fn alias_table(catalog: &Catalog) -> Result<Vec<(String, String)>, Error> {
    let mut table: BTreeMap<String, String> = BTreeMap::new();
    for source in &catalog.sources {
        for (program, aliases) in &source.aliases {
            for alias in aliases {
                if alias == program {
                    continue;
                }
                match table.insert(alias.clone(), program.clone()) {
                    Some(other) if other != *program => {
                        return Err(Error::Compile {
                            key: source.name.clone(),
                            message: format!(
                                "program alias {alias:?} names both {other:?} and {program:?}"
                            ),
                        })
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(table.into_iter().collect())
}

/// The engine's bit for a catalog relaxation.
fn relaxation_bits(r: Relaxation) -> u8 {
    match r {
        Relaxation::ConnectionName => Relaxed::CONNECTION_NAME.bits(),
        Relaxation::OtherForm => Relaxed::OTHER_FORM.bits(),
    }
}

/// How many of `items` the template text `prefix` accounts for, when the
/// entry's template starts with it (built the same way, so the item lists
/// compare equal).
fn prefix_len(items: &[Item], entry: &Entry, prefix: &str) -> Result<Option<usize>, Error> {
    if !entry.template.starts_with(prefix.trim_end()) {
        return Ok(None);
    }
    let spec = Entry {
        template: prefix.trim_end().to_string(),
        ..entry.clone()
    };
    let bare = Source {
        infixes: Vec::new(),
        ..source_stub(&entry.source)
    };
    let mut p = pattern_with(0, &spec, &bare, true)?.info.items;
    // A prefix's final blank; a prefix that is the program tag alone ends
    // with the tag's own blanks.
    if prefix.ends_with([' ', '\t']) && !matches!(p.as_slice(), [Item::Opt(_)]) {
        p.push(Item::Blank);
    }
    Ok(items.starts_with(&p).then_some(p.len()))
}

enum TagShape {
    /// `prog: rest`
    Plain { rest: String },
    /// `prog[<PID>]: ...`
    Pid { param: String },
}

/// `prog: ...` or `prog[` + `<PID>` + `]: ...` at the start of a template.
fn leading_program<'s>(first: &'s str, second: Option<&Segment>) -> Option<(&'s str, TagShape)> {
    let end = first.find(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))?;
    if end == 0 || !first.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let prog = &first[..end];
    let rest = &first[end..];
    if let Some(r) = rest.strip_prefix(':') {
        if r.starts_with(' ') {
            return Some((
                prog,
                TagShape::Plain {
                    rest: r.to_string(),
                },
            ));
        }
        return None;
    }
    if rest == "[" {
        if let Some(Segment::Placeholder { param, .. }) = second {
            return Some((
                prog,
                TagShape::Pid {
                    param: param.clone(),
                },
            ));
        }
    }
    None
}

/// A source with no rules, for building pieces of templates.
fn source_stub(name: &str) -> Source {
    Source {
        name: name.to_string(),
        vendor: String::new(),
        product: String::new(),
        programs: Vec::new(),
        key_rules: Vec::new(),
        key_only: false,
        infixes: Vec::new(),
        aliases: BTreeMap::new(),
        variants: Vec::new(),
        why: None,
    }
}

/// The source each entry names, in entry order; an error for an entry whose
/// source the catalog does not declare.
pub fn sources_of(catalog: &Catalog) -> Result<Vec<&Source>, Error> {
    catalog
        .entries
        .iter()
        .map(|e| {
            catalog
                .sources
                .iter()
                .find(|s| s.name == e.source)
                .ok_or_else(|| Error::Compile {
                    key: e.key.clone(),
                    message: format!(
                        "names source {:?}, which the catalog does not declare",
                        e.source
                    ),
                })
        })
        .collect()
}

/// The engine's form of a catalog key rule.
fn engine_rule(rule: &KeyRule) -> Result<artifact::KeyRule, Error> {
    Ok(match rule {
        KeyRule::Field {
            field,
            numeric,
            with_any_of,
            programs,
        } => artifact::KeyRule::Field {
            field: field.clone(),
            numeric: *numeric,
            with_any_of: with_any_of.clone(),
            programs: programs.clone(),
        },
        KeyRule::Tag => artifact::KeyRule::Tag,
        KeyRule::Pattern { pattern } => artifact::KeyRule::Pattern(pattern_rule(pattern)?),
    })
}

/// The parts of an id pattern around its one capture group: `A(B)C`. The
/// group must stand at the top level of the pattern (not inside an
/// alternation or a repetition), so that the three parts in sequence are
/// the pattern.
pub fn split_id_pattern(pattern: &str) -> Result<(String, String, String), String> {
    use regex_syntax::ast::{self, Ast};
    let ast = ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("not a regular expression: {e}"))?;
    let captures = |a: &Ast| -> usize {
        fn count(a: &Ast) -> usize {
            match a {
                Ast::Group(g) => usize::from(g.capture_index().is_some()) + count(&g.ast),
                Ast::Concat(c) => c.asts.iter().map(count).sum(),
                Ast::Alternation(x) => x.asts.iter().map(count).sum(),
                Ast::Repetition(r) => count(&r.ast),
                _ => 0,
            }
        }
        count(a)
    };
    if captures(&ast) != 1 {
        return Err("needs exactly one capture group, the id: `%(...):`".into());
    }
    let top: Vec<&Ast> = match &ast {
        Ast::Concat(c) => c.asts.iter().collect(),
        other => vec![other],
    };
    let group = top
        .iter()
        .find_map(|a| match a {
            Ast::Group(g) if g.capture_index().is_some() => Some(g),
            _ => None,
        })
        .ok_or("its capture group must stand at the top level, not inside `|` or a repetition")?;
    let (open, close) = (group.span.start.offset, group.span.end.offset);
    let inner = &pattern[group.ast.span().start.offset..group.ast.span().end.offset];
    Ok((
        pattern[..open].to_string(),
        inner.to_string(),
        pattern[close..].to_string(),
    ))
}

/// Builds a `pattern` key rule's automata (see [`artifact::PatternRule`]).
fn pattern_rule(pattern: &str) -> Result<artifact::PatternRule, Error> {
    let err = |message: String| Error::Compile {
        key: "(key rule)".into(),
        message: format!("id pattern {pattern:?}: {message}"),
    };
    let (before, id, after) = split_id_pattern(pattern).map_err(err)?;
    let syntax = syntax::Config::new().unicode(false).utf8(false);
    let build = |re: &str, reverse: bool, kind: MatchKind, start: StartKind| {
        dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(kind)
                    .start_kind(start)
                    .dfa_size_limit(Some(1 << 20))
                    .determinize_size_limit(Some(4 << 20)),
            )
            .syntax(syntax)
            .thompson(thompson::Config::new().utf8(false).reverse(reverse))
            .build(re)
            .map(|d| {
                let (b, pad) = d.to_bytes_little_endian();
                b[pad..].to_vec()
            })
            .map_err(|e| err(format!("building its automaton: {e}")))
    };
    let part = |re: &str| build(re, false, MatchKind::All, StartKind::Anchored);
    Ok(artifact::PatternRule {
        pattern: pattern.to_string(),
        split: [before.clone(), id.clone(), after.clone()],
        forward: build(
            pattern,
            false,
            MatchKind::LeftmostFirst,
            StartKind::Unanchored,
        )?,
        reverse: build(pattern, true, MatchKind::All, StartKind::Anchored)?,
        before: part(&before)?,
        id: part(&id)?,
        after: part(&after)?,
    })
}

/// The key rules of all sources (each distinct rule once) and every
/// entry's id under its source's rules.
fn key_tables(
    catalog: &Catalog,
    sources: &[&Source],
) -> Result<(Vec<artifact::KeyRule>, Vec<VendorKey>), Error> {
    let mut rules: Vec<artifact::KeyRule> = Vec::new();
    let mut keys = Vec::new();
    // Each source's rules, built once (a pattern rule builds automata).
    let mut built: BTreeMap<&str, Vec<artifact::KeyRule>> = BTreeMap::new();
    for (i, (entry, source)) in catalog.entries.iter().zip(sources).enumerate() {
        let Some(id) = entry.vendor_id.as_deref() else {
            continue;
        };
        if !built.contains_key(source.name.as_str()) {
            let list = source
                .key_rules
                .iter()
                .map(engine_rule)
                .collect::<Result<Vec<_>, _>>()?;
            built.insert(&source.name, list);
        }
        for rule in &built[source.name.as_str()] {
            let rule = rule.clone();
            let value = match &rule {
                artifact::KeyRule::Field { numeric: true, .. } => {
                    match logref_engine::kv::numeric_id(id) {
                        Some(n) => n.to_string(),
                        None => {
                            return Err(Error::Compile {
                                key: entry.key.clone(),
                                message: format!("id {id:?} is not a number, but its source's key rule compares ids as numbers"),
                            })
                        }
                    }
                }
                _ => id.to_string(),
            };
            let at = match rules.iter().position(|r| *r == rule) {
                Some(at) => at,
                None => {
                    rules.push(rule);
                    rules.len() - 1
                }
            };
            keys.push(VendorKey {
                rule: at as u16,
                value,
                entry: i as u32,
            });
        }
    }
    Ok((rules, keys))
}

fn entry_info(e: &Entry) -> EntryInfo {
    EntryInfo {
        key: e.key.clone(),
        vendor: e.vendor.clone(),
        product: e.product.clone(),
        vendor_id: e.vendor_id.clone(),
        name: e.name.clone(),
        category: e.category.clone(),
        severity: e.severity.code(),
        template: e.template.clone(),
        explanation: e.explanation.clone(),
        action: e.action.clone(),
        truncated: e.truncated,
        params: e.params.iter().map(|p| (p.name.clone(), p.ty)).collect(),
    }
}

/// All patterns of a catalog. An entry without a template (a user's entry
/// that a key rule identifies by its id) has none.
pub fn patterns(catalog: &Catalog) -> Result<Vec<PatternSpec>, Error> {
    let sources = sources_of(catalog)?;
    catalog
        .entries
        .iter()
        .zip(sources)
        .enumerate()
        .filter(|(_, (e, _))| !e.template.trim().is_empty())
        .map(|(i, (e, s))| entry_patterns(i, e, s))
        .collect::<Result<Vec<_>, _>>()
        .map(|v| v.into_iter().flatten().collect())
}

/// Builds the DFA for `regexes` (one pattern each, in order).
pub fn build_dfa(regexes: &[String]) -> Result<dense::DFA<Vec<u32>>, Error> {
    build_dfa_within(regexes, DFA_SIZE_LIMIT)
}

/// [`build_dfa`] with another size limit (an error beyond it).
fn build_dfa_within(regexes: &[String], limit: usize) -> Result<dense::DFA<Vec<u32>>, Error> {
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::All)
                .start_kind(StartKind::Anchored)
                .byte_classes(true)
                .minimize(false)
                .dfa_size_limit(Some(limit))
                .determinize_size_limit(Some(4 * limit)),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .thompson(thompson::Config::new().utf8(false).shrink(false))
        .build_many(regexes)
        .map_err(|e| Error::Compile {
            key: "(all)".into(),
            message: format!("building the DFA: {e}"),
        })
}

/// Programs with fewer templates than this share one shard.
pub const SHARD_MIN_PATTERNS: usize = 16;

/// Up to this many templates that may stand alone share one shard; more
/// are sharded by program like the others.
///
/// Why: a line from a program no template names runs every stand-alone
/// shard, and one automaton costs it less than one per program (measured
/// on the shipped catalog: 6% more guest instructions per unmatched record
/// when split); a line from a known program runs only its own program's,
/// which is what keeps a catalog of thousands of templates fast.
pub const STAND_ALONE_SPLIT: usize = 512;

/// Which patterns go into which shard ([`ShardKind`]): one for the
/// templates that name no program; one per program with at least
/// [`SHARD_MIN_PATTERNS`] templates that need their program, and one for
/// the programs with fewer; one for the templates that name a program but
/// may identify a line without it ([`may_match_without_program`]), split
/// the same way by program when there are more than
/// [`STAND_ALONE_SPLIT`]; one for the key-only templates (run only for a
/// line a key rule named). (programs, patterns, kind).
///
/// Why the stand-alone templates have shards of their own: a line from a
/// program no template names then skips every program shard, whose
/// templates could not identify it anyway; those are mostly templates
/// that start with a placeholder, which keep an automaton running to the
/// end of every line. (Merged into the shard of templates without a
/// program instead, the automata grow by a sixth.) Why by program: a line
/// from a known program runs only its own program's (another program's
/// could not win), which keeps a catalog of thousands of templates from
/// running all of them on every line.
pub fn shard_plan(specs: &[PatternSpec]) -> Vec<(Vec<String>, Vec<u32>, ShardKind)> {
    let mut by_program: BTreeMap<Option<&str>, Vec<u32>> = BTreeMap::new();
    let mut stand_alone: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut key_only = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        if s.info.scope == Scope::KeyOnly {
            key_only.push(i as u32);
            continue;
        }
        match s.info.program.as_deref() {
            Some(p) if may_match_without_program(&s.info) => {
                stand_alone.entry(p).or_default().push(i as u32)
            }
            program => by_program.entry(program).or_default().push(i as u32),
        }
    }
    let mut plan = Vec::new();
    if let Some(pats) = by_program.remove(&None) {
        plan.push((Vec::new(), pats, ShardKind::Lines));
    }
    let named = by_program
        .into_iter()
        .filter_map(|(p, pats)| Some((p?, pats)));
    plan.extend(by_size(specs, named, ShardKind::Lines));
    let alone: usize = stand_alone.values().map(Vec::len).sum();
    if alone > STAND_ALONE_SPLIT {
        plan.extend(by_size(
            specs,
            stand_alone.into_iter(),
            ShardKind::StandAlone,
        ));
    } else if alone > 0 {
        let programs = stand_alone.keys().map(|p| p.to_string()).collect();
        let mut pats: Vec<u32> = stand_alone.into_values().flatten().collect();
        pats.sort_unstable();
        plan.push((programs, pats, ShardKind::StandAlone));
    }
    if !key_only.is_empty() {
        plan.push((Vec::new(), key_only, ShardKind::KeyOnly));
    }
    plan
}

/// Groups of one kind, by program: one per program with at least
/// [`SHARD_MIN_PATTERNS`] templates, then one for the smaller ones of each
/// source (of a program's first template), in catalog order. Why by
/// source: a small program of the built-in catalog then never shares a
/// group, and so an automaton or a token index, with a user's large
/// catalog's (see [`DFA_BUDGET`]).
fn by_size<'p>(
    specs: &[PatternSpec],
    programs: impl Iterator<Item = (&'p str, Vec<u32>)>,
    kind: ShardKind,
) -> Vec<(Vec<String>, Vec<u32>, ShardKind)> {
    let mut plan = Vec::new();
    let mut small: Vec<(&str, Vec<String>, Vec<u32>)> = Vec::new();
    for (p, pats) in programs {
        if pats.len() >= SHARD_MIN_PATTERNS {
            plan.push((vec![p.to_string()], pats, kind));
            continue;
        }
        let source = specs[pats[0] as usize].source.as_str();
        match small.iter_mut().find(|(s, _, _)| *s == source) {
            Some((_, programs, all)) => {
                programs.push(p.to_string());
                all.extend(pats);
            }
            None => small.push((source, vec![p.to_string()], pats)),
        }
    }
    for (_, programs, mut pats) in small {
        pats.sort_unstable();
        plan.push((programs, pats, kind));
    }
    plan
}

/// A shard's automaton is at most this large; a group whose automaton
/// would be larger is split in halves until each fits.
///
/// Why: an automaton grows faster than the number of its templates
/// (templates with wildcards multiply each other's states), so one group of
/// thousands of templates would not fit the edge, or not even be built;
/// automata of a bounded size add up to about the sum of their templates.
/// A line pays one more automaton run per extra shard of a group it runs,
/// most of them dead within a few bytes. The shipped catalog's groups fit.
pub const SHARD_MAX_BYTES: usize = 8 << 20;

/// Which shards get an automaton and which a token index
/// ([`logref_engine::verify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardEngines {
    /// An automaton for every group of at most `index_from` templates whose
    /// automaton fits in `max_dfa_bytes` and in what is left of
    /// `dfa_budget` (all automata together, given to the groups in catalog order); a token
    /// index for the others.
    Auto {
        index_from: usize,
        max_dfa_bytes: usize,
        dfa_budget: usize,
    },
    /// Automata only: a group whose automaton exceeds `max_dfa_bytes` is
    /// split in halves until each fits.
    Dfa { max_dfa_bytes: usize },
    /// Token indexes only: no automaton at all.
    Index,
}

impl ShardEngines {
    /// The choice by name, as `logref compile --shards` and the
    /// `LOGREF_SHARDS` of the default artifact's build write it: `auto`
    /// (the default), `dfa` (automata only, split to fit) or `index`.
    pub fn from_name(name: &str) -> Option<ShardEngines> {
        match name {
            "auto" => Some(ShardEngines::default()),
            "dfa" => Some(ShardEngines::Dfa {
                max_dfa_bytes: SHARD_MAX_BYTES,
            }),
            "index" => Some(ShardEngines::Index),
            _ => None,
        }
    }
}

impl Default for ShardEngines {
    fn default() -> ShardEngines {
        ShardEngines::Auto {
            index_from: INDEX_FROM_PATTERNS,
            max_dfa_bytes: SHARD_MAX_BYTES,
            dfa_budget: DFA_BUDGET,
        }
    }
}

/// Groups of more templates than this get a token index rather than an
/// automaton (under [`ShardEngines::Auto`]).
///
/// Why: an automaton costs about 25 KiB a template and, once past a few
/// hundred templates, time to build that grows faster than the group; the
/// index costs a few bytes a template and a line pays for the templates it
/// may match, not for the group's size. Natively an automaton is about
/// three times faster on the shipped catalog, so the groups a catalog of
/// the shipped size has keep theirs. (Measured in `BENCHMARKS.md`,
/// "Scale".)
pub const INDEX_FROM_PATTERNS: usize = 512;

/// All the automata of one artifact together are at most this large
/// (under [`ShardEngines::Auto`]): the edge's budget. The groups past it
/// get token indexes.
pub const DFA_BUDGET: usize = 16 << 20;

/// Below this much budget left, a group gets a token index without trying
/// an automaton (the try would fail, and take time).
const MIN_DFA_BYTES: usize = 256 << 10;

/// What is left for automata as the groups are built ([`ShardEngines::Auto`]).
struct Budget {
    /// Bytes left.
    bytes: usize,
    /// The fewest templates of a group whose automaton did not fit: a group
    /// at least as large is not tried (trying takes seconds, and it would
    /// most likely not fit either).
    too_large: usize,
}

impl Budget {
    fn worth_trying(&self, templates: usize) -> bool {
        self.bytes >= MIN_DFA_BYTES && templates < self.too_large
    }
}

/// A built shard: its programs, patterns, kind and engine (an automaton,
/// or the key tokens of an index).
type BuiltShard = (Vec<String>, Vec<u32>, ShardKind, Built);

enum Built {
    Dfa(Box<dense::DFA<Vec<u32>>>),
    Index(Vec<Option<verify::Key>>),
}

/// One group of [`shard_plan`] as built shards: an automaton, or, when that
/// exceeds the size limit, its halves' (recursively; under
/// [`ShardEngines::Auto`] down to groups of [`SHARD_MIN_PATTERNS`]), or a
/// token index.
/// Each shard names the programs of its own templates (none for the group
/// without a program).
fn build_group(
    specs: &[PatternSpec],
    (programs, patterns, kind): (Vec<String>, Vec<u32>, ShardKind),
    engines: ShardEngines,
    budget: &mut Budget,
    out: &mut Vec<BuiltShard>,
) -> Result<(), Error> {
    let index = |patterns: Vec<u32>| {
        let keys = key_tokens(specs, &patterns);
        (programs.clone(), patterns, kind, Built::Index(keys))
    };
    let max_bytes = match engines {
        ShardEngines::Index => {
            out.push(index(patterns));
            return Ok(());
        }
        // Key-only templates never identify a line, they only give the
        // parameters of an entry a key named: an automaton would buy no
        // speed that matters, for its size.
        ShardEngines::Auto { index_from, .. }
            if patterns.len() > index_from || kind == ShardKind::KeyOnly =>
        {
            out.push(index(patterns));
            return Ok(());
        }
        ShardEngines::Auto { .. } if !budget.worth_trying(patterns.len()) => {
            out.push(index(patterns));
            return Ok(());
        }
        ShardEngines::Auto { max_dfa_bytes, .. } => max_dfa_bytes.min(budget.bytes),
        ShardEngines::Dfa { max_dfa_bytes } => max_dfa_bytes,
    };
    let regexes: Vec<String> = patterns
        .iter()
        .map(|&i| specs[i as usize].regex.clone())
        .collect();
    match build_dfa_within(&regexes, max_bytes) {
        Ok(dfa) => {
            budget.bytes = budget.bytes.saturating_sub(dfa.memory_usage());
            out.push((programs, patterns, kind, Built::Dfa(Box::new(dfa))));
            Ok(())
        }
        // Too large under Auto: a group too small to halve gets an index.
        Err(_)
            if matches!(engines, ShardEngines::Auto { .. })
                && patterns.len() < 2 * SHARD_MIN_PATTERNS =>
        {
            budget.too_large = budget.too_large.min(patterns.len());
            out.push(index(patterns));
            Ok(())
        }
        // Too large: halves, each an automaton if it fits (or, under Auto,
        // an index if it does not).
        Err(_) if patterns.len() > 1 => {
            if matches!(engines, ShardEngines::Auto { .. }) {
                budget.too_large = budget.too_large.min(patterns.len());
            }
            let (a, b) = patterns.split_at(patterns.len() / 2);
            for half in [a, b] {
                let mut own: Vec<String> = half
                    .iter()
                    .filter_map(|&i| specs[i as usize].info.program.clone())
                    .filter(|p| programs.contains(p))
                    .collect();
                own.sort();
                own.dedup();
                build_group(specs, (own, half.to_vec(), kind), engines, budget, out)?;
            }
            Ok(())
        }
        // One template alone: its automaton as large as the general limit.
        Err(_) => {
            out.push((
                programs,
                patterns,
                kind,
                Built::Dfa(Box::new(build_dfa(&regexes)?)),
            ));
            Ok(())
        }
    }
}

/// The key of each of an index shard's patterns: among the runs of one to
/// [`verify::MAX_KEY_TOKENS`] literals that [`verify::Key::fits`] allows,
/// the one that the fewest of the shard's patterns may use (then the one
/// of more tokens, more bytes, the first): the rarer the key, the fewer
/// templates a line that holds it must verify.
fn key_tokens(specs: &[PatternSpec], patterns: &[u32]) -> Vec<Option<verify::Key>> {
    let choices: Vec<Vec<(verify::Key, String)>> = patterns
        .iter()
        .map(|&p| {
            let items = &specs[p as usize].info.items;
            let mut keys = Vec::new();
            for start in 0..items.len().min(usize::from(u16::MAX)) {
                for tokens in 1..=verify::MAX_KEY_TOKENS as u8 {
                    let key = verify::Key {
                        start: start as u16,
                        tokens,
                    };
                    if key.fits(items) {
                        let text: Vec<&str> = key
                            .tokens(items)
                            .map(|t| std::str::from_utf8(t).unwrap_or_default())
                            .collect();
                        keys.push((key, text.join(" ")));
                    }
                }
            }
            keys
        })
        .collect();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &choices {
        let mut own: Vec<&str> = c.iter().map(|(_, t)| t.as_str()).collect();
        own.sort_unstable();
        own.dedup();
        for t in own {
            *uses.entry(t).or_default() += 1;
        }
    }
    choices
        .iter()
        .map(|c| {
            c.iter()
                .min_by_key(|(k, t)| {
                    (
                        uses[t.as_str()],
                        std::cmp::Reverse(k.tokens),
                        std::cmp::Reverse(t.len()),
                        k.start,
                    )
                })
                .map(|(k, _)| *k)
        })
        .collect()
}

/// Builds every shard: the shard tables and the DFA section.
fn build_shards(
    specs: &[PatternSpec],
    engines: ShardEngines,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Vec<artifact::Shard>, Vec<u8>), Error> {
    let mut done = 0;
    let mut budget = Budget {
        bytes: match engines {
            ShardEngines::Auto { dfa_budget, .. } => dfa_budget,
            _ => usize::MAX,
        },
        too_large: usize::MAX,
    };
    // The budget goes to the groups in catalog order (of their first
    // template): the sources a catalog lists first (the built-in one,
    // before a user's) keep their automata when a large catalog is added.
    // The shards stay in plan order.
    let mut plan: Vec<_> = shard_plan(specs).into_iter().enumerate().collect();
    plan.sort_by_key(|(_, g)| g.1.iter().min().copied());
    let mut built: Vec<(usize, Vec<BuiltShard>)> = Vec::new();
    for (at, group) in plan {
        let size = group.1.len();
        let mut own = Vec::new();
        build_group(specs, group, engines, &mut budget, &mut own)?;
        built.push((at, own));
        done += size;
        progress(done, specs.len());
    }
    built.sort_by_key(|(at, _)| *at);
    let mut section = Vec::new();
    let mut shards = Vec::new();
    for (programs, patterns, kind, engine) in built.into_iter().flat_map(|(_, b)| b) {
        let engine = match engine {
            Built::Dfa(dfa) => {
                let (bytes, pad) = dfa.to_bytes_little_endian();
                let off = section.len();
                section.extend_from_slice(&bytes[pad..]);
                let len = section.len() - off;
                section.resize(section.len().div_ceil(8) * 8, 0);
                ShardEngine::Dfa(off as u32, len as u32)
            }
            Built::Index(keys) => ShardEngine::Index(keys),
        };
        shards.push(artifact::Shard {
            programs,
            kind,
            patterns,
            engine,
        });
    }
    Ok((shards, section))
}

/// The whole compilation: catalog -> artifact bytes.
pub fn compile(catalog: &Catalog) -> Result<(Vec<u8>, CompileReport), Error> {
    compile_with(catalog, ShardEngines::default())
}

/// [`compile`] with another choice of shard engines (tests split small
/// catalogs with a small size bound, or index every shard).
pub fn compile_with(
    catalog: &Catalog,
    engines: ShardEngines,
) -> Result<(Vec<u8>, CompileReport), Error> {
    compile_with_progress(catalog, engines, &mut |_, _| {})
}

/// [`compile_with`], calling `progress(templates built, templates)` after
/// each group of templates (for a progress bar: a large group's automaton
/// takes seconds).
pub fn compile_with_progress(
    catalog: &Catalog,
    engines: ShardEngines,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Vec<u8>, CompileReport), Error> {
    let started = Instant::now();
    if catalog.version != crate::CATALOG_VERSION {
        return Err(Error::Schema(format!(
            "schema version {}, expected {}",
            catalog.version,
            crate::CATALOG_VERSION
        )));
    }
    let specs = patterns(catalog)?;
    let (key_rules, keys) = key_tables(catalog, &sources_of(catalog)?)?;
    let (shards, section) = build_shards(&specs, engines, progress)?;
    let tables = Tables {
        entries: catalog.entries.iter().map(entry_info).collect(),
        patterns: specs.into_iter().map(|s| s.info).collect(),
        key_rules,
        keys,
        aliases: alias_table(catalog)?,
        shards,
    };
    let checksum = logref_engine::fnv1a64(crate::to_json(catalog).as_bytes());
    let bytes = artifact::write(&tables, &section, checksum);
    let report = CompileReport {
        patterns: tables.patterns.len(),
        shards: tables.shards.len(),
        index_shards: tables
            .shards
            .iter()
            .filter(|s| matches!(s.engine, ShardEngine::Index(_)))
            .count(),
        dfa_bytes: section.len(),
        artifact_bytes: bytes.len(),
        build_time: started.elapsed(),
        catalog_checksum: checksum,
    };
    Ok((bytes, report))
}

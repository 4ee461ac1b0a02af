//! Compiles a [`Catalog`] into the artifact the runtime loads: one
//! multi-pattern dense DFA (regex-automata) and the tables that name each
//! pattern's entry and describe its holes.
//!
//! Each template becomes one pattern built from the same items the runtime
//! extractor walks ([`Item`]), so the DFA and the extractor agree by
//! construction:
//! - literals are matched byte for byte, any run of blanks as `[ \t]+`;
//! - a placeholder is its type's expression ([`ValueType::regex`]);
//! - a leading `prog:` / `prog[<PID>]:` accepts the tag with or without a
//!   pid; a template without a program tag accepts an optional one;
//! - reviewed infixes (the source's `infixes`) add optional text.
//!
//! The catalog is the only input: a source's key rules, programs and
//! infixes come from its [`Source`], never from code.
//!
//! The DFA is anchored and built with `MatchKind::All`, so one pass reports
//! every template matching a prefix of the message; the runtime ranks them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use logref_engine::artifact::{self, EntryInfo, Item, PatternInfo, Scope, Tables, VendorKey};
use logref_engine::ValueType;
use regex_automata::dfa::{dense, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::MatchKind;

use crate::model::{Catalog, Entry, KeyRule, ParamType, Source};
use crate::template::{self, Segment};
use crate::Error;

/// The expression for an optional program tag (`prog: `, `prog[12]: `).
pub const ANY_TAG_REGEX: &str = r"[A-Za-z0-9_./\-]+(?:\[[0-9]+\])?:[ \t]+";

/// Size limits for the build (the artifact budget is 16 MiB).
pub const DFA_SIZE_LIMIT: usize = 64 << 20;

/// Numbers about one compilation, for `logref compile`.
#[derive(Debug, Clone)]
pub struct CompileReport {
    pub patterns: usize,
    pub dfa_bytes: usize,
    pub artifact_bytes: usize,
    pub build_time: Duration,
    pub catalog_checksum: u64,
}

/// The pieces of one pattern before it is serialised.
#[derive(Debug, Clone)]
pub struct PatternSpec {
    pub entry: usize,
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
    if items.len() <= 1 {
        return Err(Error::Compile {
            key: entry.key.clone(),
            message: "empty template".into(),
        });
    }

    // Reviewed infixes.
    for infix in &source.infixes {
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
        regex,
        info: PatternInfo {
            entry: entry_index as u32,
            weight,
            scope,
            program,
            tag_pid,
            names: b.names,
            items,
        },
    })
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
    let mut p = pattern_for(0, &spec, &bare)?.info.items;
    if prefix.ends_with([' ', '\t']) {
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
fn engine_rule(rule: &KeyRule) -> artifact::KeyRule {
    match rule {
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
    }
}

/// The key rules of all sources (each distinct rule once) and every
/// entry's id under its source's rules.
fn key_tables(
    catalog: &Catalog,
    sources: &[&Source],
) -> Result<(Vec<artifact::KeyRule>, Vec<VendorKey>), Error> {
    let mut rules: Vec<artifact::KeyRule> = Vec::new();
    let mut keys = Vec::new();
    for (i, (entry, source)) in catalog.entries.iter().zip(sources).enumerate() {
        let Some(id) = entry.vendor_id.as_deref() else {
            continue;
        };
        for rule in &source.key_rules {
            let rule = engine_rule(rule);
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
        .map(|(i, (e, s))| pattern_for(i, e, s))
        .collect()
}

/// Builds the DFA for `regexes` (one pattern each, in order).
pub fn build_dfa(regexes: &[String]) -> Result<dense::DFA<Vec<u32>>, Error> {
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::All)
                .start_kind(StartKind::Anchored)
                .byte_classes(true)
                .minimize(false)
                .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                .determinize_size_limit(Some(4 * DFA_SIZE_LIMIT)),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .thompson(thompson::Config::new().utf8(false).shrink(false))
        .build_many(regexes)
        .map_err(|e| Error::Compile {
            key: "(all)".into(),
            message: format!("building the DFA: {e}"),
        })
}

/// The whole compilation: catalog -> artifact bytes.
pub fn compile(catalog: &Catalog) -> Result<(Vec<u8>, CompileReport), Error> {
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
    let regexes: Vec<String> = specs.iter().map(|s| s.regex.clone()).collect();
    let dfa = build_dfa(&regexes)?;
    let (dfa_bytes, pad) = dfa.to_bytes_little_endian();
    let tables = Tables {
        entries: catalog.entries.iter().map(entry_info).collect(),
        patterns: specs.into_iter().map(|s| s.info).collect(),
        key_rules,
        keys,
    };
    let checksum = logref_engine::fnv1a64(crate::to_json(catalog).as_bytes());
    let bytes = artifact::write(&tables, &dfa_bytes[pad..], checksum);
    let report = CompileReport {
        patterns: tables.patterns.len(),
        dfa_bytes: dfa_bytes.len() - pad,
        artifact_bytes: bytes.len(),
        build_time: started.elapsed(),
        catalog_checksum: checksum,
    };
    Ok((bytes, report))
}

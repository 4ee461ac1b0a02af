//! Matching a whole log line against the compiled catalog.
//!
//! Order of decisions (documented in the README, each tested):
//! 1. The syslog header is taken off ([`crate::syslog`]).
//! 2. A key decides the entry when present, by the catalog's key rules:
//!    an id in a `key=value` field of the message, a tag word starting the
//!    message (`TAG: text`) or the RFC 5424 MSGID, or the capture of an id
//!    pattern anywhere in the line. The rules are data ([`KeyRule`]); this
//!    module names no vendor.
//! 3. Otherwise the shards run over the message, anchored at its start,
//!    reporting every template that matches a prefix of it (an automaton
//!    in one pass, a token index by verifying the templates whose key the
//!    message holds, [`crate::verify`]; the two report the same): for a
//!    line from a program the catalog knows (after its aliases), that
//!    program's shards and the shard of templates without a program; for
//!    any other line, that shard and the shards of templates that may stand
//!    alone. A line from another program needs no program shard: their
//!    templates could not identify it. A template matches *exactly* when it spans the
//!    whole message, or as a *prefix* when the message goes on after a
//!    token boundary. Strict beats relaxed (the mildest relaxation first:
//!    [`Relaxed`]), exact beats prefix, then more literal text beats less; a
//!    remaining tie between entries is reported as ambiguous and decided by
//!    catalog order.
//! 4. The winner's parameters are pulled out ([`crate::extract`]); for
//!    entries whose documented parameters are sent as key=value after the
//!    sentence (cOS Stream), those pairs fill them.

use std::borrow::Cow;
use std::collections::HashMap;

use regex_automata::dfa::{dense, Automaton};
use regex_automata::util::primitives::StateID;
use regex_automata::{Anchored, Input};

use crate::artifact::{
    self, ArtifactError, EntryInfo, KeyRule, Scope, ShardEngine, ShardKind, Tables,
};
use crate::extract::{self, Scratch};
use crate::probe::{self, Phase};
use crate::syslog::{self, SyslogHeader, WireFormat};
use crate::verify::{self, TokenIndex};

/// How the entry was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// A key rule named the entry (an id field, a tag).
    Key,
    /// The template spans the whole message.
    Exact,
    /// The message starts with the template and goes on.
    Prefix,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Key => "key",
            MatchKind::Exact => "exact",
            MatchKind::Prefix => "prefix",
        }
    }
}

/// What a relaxed match let go of, so that a lenient match never looks
/// like an exact one. A bit set; empty for a strict match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
///
/// The bits are ordered by leniency: among candidates, the lower value
/// ranks first (a connection name is a smaller step than another program
/// name, which is smaller than no program at all, which is smaller than
/// another form of the text; a higher bit outweighs all lower ones).
pub struct Relaxed(u8);

impl Relaxed {
    /// The template names a program, and the line has none (a shipper or a
    /// paste lost the tag) or its first word only looked like a tag.
    pub const NO_PROGRAM: Relaxed = Relaxed(4);
    /// The line's program is another name of the template's (a wrapper, a
    /// systemd unit, a distribution's name), listed in the catalog.
    pub const PROGRAM_ALIAS: Relaxed = Relaxed(2);
    /// The line names its connection, tunnel or instance as any host
    /// would, not as the document's device does (a catalog variant).
    pub const CONNECTION_NAME: Relaxed = Relaxed(1);
    /// The line has another reviewed form of the documented text (a
    /// catalog variant): another release's list of an SA's attributes.
    pub const OTHER_FORM: Relaxed = Relaxed(8);
    /// Every bit this version knows (an artifact may set no other).
    pub const ALL: u8 = 15;

    /// The bits an artifact stores.
    pub fn from_bits(bits: u8) -> Relaxed {
        Relaxed(bits & Relaxed::ALL)
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn union(self, other: Relaxed) -> Relaxed {
        Relaxed(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, other: Relaxed) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// The names of what was relaxed, as the output lists them.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        [
            (Relaxed::OTHER_FORM, "other-form"),
            (Relaxed::NO_PROGRAM, "no-program"),
            (Relaxed::PROGRAM_ALIAS, "program-alias"),
            (Relaxed::CONNECTION_NAME, "connection-name"),
        ]
        .into_iter()
        .filter(move |(r, _)| self.contains(*r))
        .map(|(_, n)| n)
    }
}

/// Literal bytes a template's text must have, its program tag not
/// counted, to identify a line that lacks the program the template names.
/// Below it, a body such as `Exit.` or `<tun_name>: <tag>: <param>` would
/// name lines of any daemon; above it, the near misses of the real corpus
/// (`fixtures/real/`, other daemons' lines sharing words with a documented
/// message) stay unmatched.
pub const MIN_NO_PROGRAM_WEIGHT: u32 = 12;

/// Whether a template that names a program may identify a line that lacks
/// it (a relaxed `no-program` match): its text has at least
/// [`MIN_NO_PROGRAM_WEIGHT`] literal bytes, and it does not start with a
/// placeholder that could hold another program's tag (`<queue_id>: ...`
/// would read `sendmail[42]: ...` as its value).
pub fn may_match_without_program(p: &artifact::PatternInfo) -> bool {
    let first = p
        .items
        .iter()
        .find(|i| !matches!(i, artifact::Item::Opt(_)));
    let eats_tag = matches!(first, Some(artifact::Item::Hole { ty, .. }) if ty.accepts(b"prog[1]"));
    p.body_weight() >= MIN_NO_PROGRAM_WEIGHT && !eats_tag
}

/// One parameter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamValue<'l> {
    pub name: &'l str,
    pub value: Cow<'l, str>,
    /// Byte span of the value in the line, when it is a slice of it.
    pub span: Option<(usize, usize)>,
}

/// Header fields a shipper already split off a syslog line (Fluent Bit's
/// syslog parsers: `ident`, `pid`, `msgid`, `extradata`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SplitFields<'l> {
    pub program: Option<&'l str>,
    pub pid: Option<&'l str>,
    /// RFC 5424 MSGID; `-` counts as absent.
    pub msgid: Option<&'l str>,
    /// RFC 5424 structured data, brackets included; `-` counts as absent.
    pub structured_data: Option<&'l str>,
}

/// The result of matching one line.
#[derive(Debug, Clone)]
pub struct Match<'l> {
    /// Index of the entry in [`Matcher::entries`].
    pub entry: usize,
    pub kind: MatchKind,
    pub params: Vec<ParamValue<'l>>,
    pub header: SyslogHeader<'l>,
    /// Other entries that matched equally well (same kind and specificity).
    pub ambiguous: Vec<usize>,
    /// What was relaxed to match (empty: a strict match).
    pub relaxed: Relaxed,
}

/// Runners-up, for `logref explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub entry: usize,
    pub pattern: usize,
    pub kind: MatchKind,
    pub weight: u32,
    /// Where the match ends: a byte offset in the text given to
    /// [`Matcher::candidates`], in the line for [`Matcher::line_candidates`].
    pub end: usize,
    /// What the match relaxed.
    pub relaxed: Relaxed,
    /// Why it lost or was not allowed, if it did not win.
    pub note: Option<&'static str>,
}

/// Reusable buffers for matching, owned by the caller (like
/// regex-automata's `Cache`): with one kept across lines and each match
/// given back with [`Cache::recycle`], matching allocates nothing once
/// warm. The convenience methods without a cache make a new one per line.
#[derive(Default)]
pub struct Cache {
    scratch: Scratch,
    sets: verify::Sets,
    candidates: Vec<Candidate>,
    params: Vec<ParamValue<'static>>,
    ambiguous: Vec<usize>,
    pairs: Vec<crate::kv::Pair<'static>>,
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// Takes back the buffers of a match the caller is done with.
    pub fn recycle(&mut self, m: Match<'_>) {
        self.params = emptied(m.params);
        let mut a = m.ambiguous;
        a.clear();
        self.ambiguous = a;
    }
}

/// `v`'s allocation, emptied, for values of another lifetime: the in-place
/// `collect` reuses it when the layouts agree (they do: only the lifetime
/// differs), so no memory moves. Safe code; at worst it allocates (the
/// counting-allocator test in the plugin would see it).
fn emptied<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

/// The line's program, resolved once per line: its name as the templates
/// see it, whether the line wrote an alias of it, whether some template
/// names it, and its own shards.
#[derive(Debug, Clone, Copy, Default)]
struct LineProgram<'a> {
    name: Option<&'a str>,
    alias: bool,
    known: bool,
    /// The shards of the program's templates (those that may stand alone
    /// included).
    shards: &'a [usize],
}

/// How a loaded shard finds its templates ([`ShardEngine`]): an automaton
/// (in place in the embedded artifact, or owned), or an index shard.
enum Runner {
    Static(dense::DFA<&'static [u32]>),
    Owned(dense::DFA<Vec<u32>>),
    /// An index shard: its templates without a key (verified for every
    /// line it runs); the others are in [`Matcher::index`].
    Index(Vec<u32>),
}

/// A loaded artifact, ready to match lines. Cheap to share by reference;
/// matching needs `&mut` scratch space only in a [`Cache`] the caller keeps
/// ([`Matcher::match_with`]) or one made per call ([`Matcher::match_line`]).
pub struct Matcher {
    /// How each shard of the tables finds its templates (same order).
    runners: Vec<Runner>,
    /// Every program some template names and every exact alias, for the
    /// one lookup per line ([`ProgramIndex`]).
    programs: ProgramIndex,
    /// The shards of templates that name no program (run for every line).
    any_shards: Vec<usize>,
    /// The keys of every index shard's templates.
    index: TokenIndex,
    /// Each pattern's shard.
    shard_of_pattern: Vec<u32>,
    /// Whether a line from a program no template names must run the
    /// program shards too: only when one of them holds a template that may
    /// stand alone (an artifact that did not sort them into the shard of
    /// every line).
    unknown_runs_program_shards: bool,
    tables: Tables,
    catalog_checksum: u64,
    /// Per key rule of the tables (same order): id -> entry.
    key_ids: Vec<HashMap<String, usize>>,
    /// Index of the tag rule in `key_ids`, if the catalog has one.
    tag_rule: Option<usize>,
    /// Per key rule of the tables: a `pattern` rule's automata.
    pattern_rules: Vec<Option<PatternDfas>>,
    /// Patterns of each entry (for key-only extraction).
    patterns_of: Vec<Vec<usize>>,
    /// The shards holding each entry's patterns, in shard order (a key
    /// rule's parameters run only those).
    shards_of: Vec<Vec<usize>>,
    /// Each pattern's items, flattened for the extractor once.
    extractors: Vec<extract::Program>,
    /// Each entry's params whose values come from key=value pairs: those no
    /// pattern of the entry has a hole for.
    kv_params: Vec<Vec<usize>>,
    /// Each pattern: [`may_match_without_program`].
    stands_alone: Vec<bool>,
}

/// 8-aligned bytes, so that an embedded artifact's DFA can be used in
/// place (`include_bytes!` alone gives no alignment).
#[repr(C, align(8))]
pub struct Aligned<B: ?Sized> {
    pub bytes: B,
}

fn dfa_error(e: impl std::fmt::Display) -> ArtifactError {
    ArtifactError::Dfa(e.to_string())
}

impl Matcher {
    /// Loads an artifact from any bytes (a user's file): validates the
    /// header, checksum, tables and the DFA, and copies what it keeps.
    pub fn from_bytes(bytes: &[u8]) -> Result<Matcher, ArtifactError> {
        let header = artifact::read_header(bytes)?;
        let tables = Tables::decode(&bytes[header.tables.0..header.tables.0 + header.tables.1])?;
        let section = &bytes[header.dfa.0..header.dfa.0 + header.dfa.1];
        let mut runners = Vec::with_capacity(tables.shards.len());
        for shard in &tables.shards {
            let Some(dfa_bytes) = shard_bytes(section, shard)? else {
                runners.push(Runner::Index(keyless(shard)));
                continue;
            };
            // Copy into u32-aligned storage: the caller's buffer has no
            // alignment guarantee.
            let mut words = vec![0u32; dfa_bytes.len().div_ceil(4)];
            for (w, c) in words.iter_mut().zip(dfa_bytes.chunks(4)) {
                let mut a = [0u8; 4];
                a[..c.len()].copy_from_slice(c);
                *w = u32::from_ne_bytes(a);
            }
            let word_bytes: &[u8] = words_as_bytes(&words);
            let (dfa, _) =
                dense::DFA::from_bytes(&word_bytes[..dfa_bytes.len()]).map_err(dfa_error)?;
            runners.push(Runner::Owned(dfa.to_owned()));
        }
        Matcher::assemble(runners, tables, header.catalog_checksum)
    }

    /// Loads an artifact embedded in a binary at build time. The header,
    /// checksum and tables are verified; the DFA's own (slower) validation
    /// is skipped. Only `logref-default-artifact` calls this, on bytes its
    /// build script compiled and validated; everyone else has
    /// [`Matcher::from_bytes`].
    ///
    /// # Safety
    ///
    /// `artifact` must hold bytes that [`Matcher::from_bytes`] accepted
    /// (as `logref compile` writes them and the build script of
    /// `logref-default-artifact` checks them). The checksum cannot stand in
    /// for that check: anyone can stamp a valid checksum on crafted bytes
    /// with [`artifact::write`], and a DFA that was not validated can make
    /// the search read out of bounds.
    pub unsafe fn from_embedded(
        artifact: &'static Aligned<[u8]>,
    ) -> Result<Matcher, ArtifactError> {
        let bytes = &artifact.bytes;
        let header = artifact::read_header(bytes)?;
        let tables = Tables::decode(&bytes[header.tables.0..header.tables.0 + header.tables.1])?;
        let section: &'static [u8] = &bytes[header.dfa.0..header.dfa.0 + header.dfa.1];
        let mut runners = Vec::with_capacity(tables.shards.len());
        for shard in &tables.shards {
            let Some(dfa_bytes) = shard_bytes(section, shard)? else {
                runners.push(Runner::Index(keyless(shard)));
                continue;
            };
            if (dfa_bytes.as_ptr() as usize) % 8 != 0 {
                return Err(ArtifactError::Layout("embedded DFA not aligned"));
            }
            // SAFETY: the caller promises these bytes passed `from_bytes`
            // (which runs `DFA::from_bytes` on every shard); they are
            // 8-aligned (checked above).
            let (dfa, _) =
                unsafe { dense::DFA::from_bytes_unchecked(dfa_bytes) }.map_err(dfa_error)?;
            runners.push(Runner::Static(dfa));
        }
        Matcher::assemble(runners, tables, header.catalog_checksum)
    }

    fn assemble(
        runners: Vec<Runner>,
        tables: Tables,
        catalog_checksum: u64,
    ) -> Result<Matcher, ArtifactError> {
        for (dfa, shard) in runners.iter().zip(&tables.shards) {
            let npat = match dfa {
                Runner::Static(d) => d.pattern_len(),
                Runner::Owned(d) => d.pattern_len(),
                Runner::Index(_) => shard.patterns.len(),
            };
            if npat != shard.patterns.len() {
                return Err(ArtifactError::Reference(format!(
                    "a shard's DFA has {npat} patterns, its table lists {}",
                    shard.patterns.len()
                )));
            }
        }
        // A group of templates may span several shards (a large group is
        // split so that no automaton grows too large).
        let mut shard_of_program: Vec<(String, usize)> = Vec::new();
        let mut any_shards = Vec::new();
        for (i, shard) in tables.shards.iter().enumerate() {
            match shard.kind {
                ShardKind::KeyOnly => continue,
                ShardKind::Lines if shard.programs.is_empty() => any_shards.push(i),
                _ => {}
            }
            shard_of_program.extend(shard.programs.iter().map(|p| (p.clone(), i)));
        }
        let programs = ProgramIndex::new(&tables, &shard_of_program);
        let mut key_ids = vec![HashMap::new(); tables.key_rules.len()];
        for k in &tables.keys {
            key_ids[usize::from(k.rule)]
                .entry(k.value.clone())
                .or_insert(k.entry as usize);
        }
        let tag_rule = tables
            .key_rules
            .iter()
            .position(|r| matches!(r, KeyRule::Tag));
        let pattern_rules = tables
            .key_rules
            .iter()
            .map(|r| match r {
                KeyRule::Pattern(p) => PatternDfas::load(p).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut shard_of_pattern = vec![0u32; tables.patterns.len()];
        for (i, shard) in tables.shards.iter().enumerate() {
            for &p in &shard.patterns {
                shard_of_pattern[p as usize] = i as u32;
            }
        }
        let mut shards_of = vec![Vec::new(); tables.entries.len()];
        for (i, shard) in tables.shards.iter().enumerate() {
            for &p in &shard.patterns {
                let e = tables.patterns[p as usize].entry as usize;
                if shards_of[e].last() != Some(&i) {
                    shards_of[e].push(i);
                }
            }
        }
        let mut patterns_of = vec![Vec::new(); tables.entries.len()];
        for (i, p) in tables.patterns.iter().enumerate() {
            patterns_of[p.entry as usize].push(i);
        }
        let kv_params = tables
            .entries
            .iter()
            .enumerate()
            .map(|(e, entry)| {
                (0..entry.params.len())
                    .filter(|&pi| {
                        let name = &entry.params[pi].0;
                        !patterns_of[e]
                            .iter()
                            .any(|&p| tables.patterns[p].names.iter().any(|n| n == name))
                    })
                    .collect()
            })
            .collect();
        let extractors = tables
            .patterns
            .iter()
            .map(|p| extract::Program::new(&p.items))
            .collect();
        let stands_alone: Vec<bool> = tables
            .patterns
            .iter()
            .map(may_match_without_program)
            .collect();
        let unknown_runs_program_shards = tables
            .shards
            .iter()
            .filter(|sh| sh.kind == ShardKind::Lines && !sh.programs.is_empty())
            .any(|sh| sh.patterns.iter().any(|&p| stands_alone[p as usize]));
        Ok(Matcher {
            runners,
            programs,
            any_shards,
            index: token_index(&tables),
            shard_of_pattern,
            unknown_runs_program_shards,
            extractors,
            tables,
            catalog_checksum,
            key_ids,
            tag_rule,
            pattern_rules,
            patterns_of,
            shards_of,
            kv_params,
            stands_alone,
        })
    }

    pub fn entries(&self) -> &[EntryInfo] {
        &self.tables.entries
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    pub fn catalog_checksum(&self) -> u64 {
        self.catalog_checksum
    }

    /// Identifies `line` and pulls out its parameters. `None` when the line
    /// is not a documented message.
    pub fn match_line<'l>(&'l self, line: &'l str) -> Option<Match<'l>> {
        self.match_with(line, None, &mut Cache::new())
    }

    /// Like [`Matcher::match_line`], for records a shipper already split:
    /// `program` and `pid` (Fluent Bit's syslog parser `ident` and `pid`)
    /// and the message without a syslog header.
    pub fn match_fields<'l>(
        &'l self,
        program: Option<&'l str>,
        pid: Option<&'l str>,
        message: &'l str,
    ) -> Option<Match<'l>> {
        self.match_split_fields(
            SplitFields {
                program,
                pid,
                ..SplitFields::default()
            },
            message,
        )
    }

    /// Like [`Matcher::match_fields`], with the RFC 5424 fields a parser
    /// may also have split off: the MSGID (a tag key) and the structured
    /// data (its parameters).
    pub fn match_split_fields<'l>(
        &'l self,
        fields: SplitFields<'l>,
        message: &'l str,
    ) -> Option<Match<'l>> {
        self.match_with(message, Some(fields), &mut Cache::new())
    }

    /// [`Matcher::match_line`] (`split` is `None`) or
    /// [`Matcher::match_split_fields`], with the caller's buffers: the
    /// record path's form, allocation-free once `cache` is warm (give the
    /// match back with [`Cache::recycle`]).
    pub fn match_with<'l>(
        &'l self,
        line: &'l str,
        split: Option<SplitFields<'l>>,
        cache: &mut Cache,
    ) -> Option<Match<'l>> {
        let line = line.trim_end_matches(['\n', '\r', ' ', '\t']);
        let header = match split {
            None => syslog::parse(line),
            Some(SplitFields {
                program,
                pid,
                msgid,
                structured_data,
            }) => {
                let mut h = syslog::parse("");
                h.program = program;
                h.pid = pid;
                // RFC 5424 writes `-` for a missing field.
                h.msgid = msgid.filter(|m| *m != "-" && !m.is_empty());
                h.structured_data = structured_data.filter(|sd| sd.starts_with('['));
                h.format = WireFormat::Bare;
                // The message may still carry a tag of its own.
                if program.is_none() {
                    let t = syslog::parse(line);
                    h.program = t.program;
                    h.pid = t.pid;
                    h.msg_start = t.msg_start;
                }
                h
            }
        };
        probe::mark(Phase::Header);
        let by_key = self.match_by_key(line, &header, cache);
        probe::mark(Phase::Keys);
        if let Some(m) = by_key {
            return Some(m);
        }
        self.match_by_template(line, header, split.is_some(), cache)
    }

    /// Step 2: the catalog's key rules, in order.
    fn match_by_key<'l>(
        &'l self,
        line: &'l str,
        h: &SyslogHeader<'l>,
        cache: &mut Cache,
    ) -> Option<Match<'l>> {
        if let Some(m) = self.match_by_tag(line, h, cache) {
            return Some(m);
        }
        self.tables
            .key_rules
            .iter()
            .enumerate()
            .find_map(|(i, rule)| match rule {
                KeyRule::Field {
                    field,
                    numeric,
                    with_any_of,
                    programs,
                } => self.match_by_field(
                    line,
                    h,
                    FieldRule {
                        ids: &self.key_ids[i],
                        field,
                        numeric: *numeric,
                        with_any_of,
                        programs,
                    },
                    cache,
                ),
                KeyRule::Tag => None,
                KeyRule::Pattern(_) => self.match_by_pattern(line, h, i, cache),
            })
    }

    /// A pattern rule: the id the pattern captures anywhere in the line;
    /// parameters from the entry's template on the text after the match.
    fn match_by_pattern<'l>(
        &'l self,
        line: &'l str,
        h: &SyslogHeader<'l>,
        rule: usize,
        cache: &mut Cache,
    ) -> Option<Match<'l>> {
        let runners = self.pattern_rules.get(rule)?.as_ref()?;
        let (start, id, end) = runners.find(line.as_bytes())?;
        let id = line.get(start + id.0..start + id.1)?;
        let entry = *self.key_ids[rule].get(id)?;
        let text_start = syslog::skip_blanks(line.as_bytes(), end);
        let mut params = emptied(std::mem::take(&mut cache.params));
        self.template_params(line, text_start, entry, &mut params, cache);
        Some(key_match(entry, params, h, cache))
    }

    /// Parameters of `entry`, identified by a key, from its template on
    /// `line[text_start..]` (those `params` does not hold yet).
    fn template_params<'l>(
        &'l self,
        line: &'l str,
        text_start: usize,
        entry: usize,
        params: &mut Vec<ParamValue<'l>>,
        cache: &mut Cache,
    ) {
        let text = line.get(text_start..).unwrap_or("");
        let Some((pat, end, _)) = self.best_end_for_entry(text.as_bytes(), entry, &mut cache.sets)
        else {
            return;
        };
        let Some(values) = extract::extract(
            &self.extractors[pat],
            text.as_bytes(),
            end,
            &mut cache.scratch,
        ) else {
            return;
        };
        for &(ni, a, b) in values {
            let name = self.tables.patterns[pat].names[ni as usize].as_str();
            if !params.iter().any(|p| p.name == name) {
                params.push(ParamValue {
                    name,
                    value: Cow::Borrowed(text.get(a..b).unwrap_or("")),
                    span: Some((text_start + a, text_start + b)),
                });
            }
        }
    }

    /// A tag rule: the RFC 5424 MSGID, or `TAG: text` at the start of the
    /// message; parameters from the structured data, then the template.
    fn match_by_tag<'l>(
        &'l self,
        line: &'l str,
        h: &SyslogHeader<'l>,
        cache: &mut Cache,
    ) -> Option<Match<'l>> {
        let tags = &self.key_ids[self.tag_rule?];
        let content = line.get(h.msg_start..)?;
        let (entry, text_start) = match h.msgid.and_then(|m| tags.get(m)) {
            Some(&e) => (e, h.msg_start),
            None => {
                let (t, used) = tag_word(content)?;
                (*tags.get(t)?, h.msg_start + used)
            }
        };
        let mut params = emptied(std::mem::take(&mut cache.params));
        if let Some(sd) = h.structured_data {
            let sd_start = offset_in(line, sd);
            let mut pairs = emptied(std::mem::take(&mut cache.pairs));
            crate::kv::pairs_into(sd, &mut pairs);
            for p in pairs.drain(..) {
                if let Some((name, _)) = self.tables.entries[entry]
                    .params
                    .iter()
                    .find(|(n, _)| same_param(n, p.key))
                {
                    params.push(ParamValue {
                        name: name.as_str(),
                        span: sd_start.map(|s| (s + p.span.0, s + p.span.1)),
                        value: p.value,
                    });
                }
            }
            cache.pairs = emptied(pairs);
        }
        self.template_params(line, text_start, entry, &mut params, cache);
        Some(key_match(entry, params, h, cache))
    }

    /// A field rule: the message is `[CATEGORY: ]key=value ...` and one
    /// field holds the id; the entry's parameters are the other keys.
    fn match_by_field<'l>(
        &'l self,
        line: &'l str,
        h: &SyslogHeader<'l>,
        rule: FieldRule<'_>,
        cache: &mut Cache,
    ) -> Option<Match<'l>> {
        let content = line.get(h.msg_start..)?;
        let body = strip_category(content);
        let from_program = h
            .program
            .is_some_and(|p| rule.programs.iter().any(|q| q == p));
        // A constant-time test first, so that other lines pay nothing.
        if !(from_program || crate::kv::starts_with_pair(body)) {
            return None;
        }
        let body_start = h.msg_start + (content.len() - body.len());
        let mut pairs = emptied(std::mem::take(&mut cache.pairs));
        crate::kv::pairs_into(body, &mut pairs);
        let found = self.field_match(h, rule, from_program, &pairs, body_start, cache);
        cache.pairs = emptied(pairs);
        found
    }

    /// The entry a field rule names among `pairs`, with its parameters.
    fn field_match<'l>(
        &'l self,
        h: &SyslogHeader<'l>,
        rule: FieldRule<'_>,
        from_program: bool,
        pairs: &[crate::kv::Pair<'l>],
        body_start: usize,
        cache: &mut Cache,
    ) -> Option<Match<'l>> {
        let id = pairs.iter().find(|p| p.key == rule.field)?;
        let marked = from_program
            || rule.with_any_of.is_empty()
            || pairs
                .iter()
                .any(|p| rule.with_any_of.iter().any(|k| k == p.key));
        if !marked {
            return None;
        }
        let value = if rule.numeric {
            crate::kv::numeric_id(&id.value)?
        } else {
            id.value.as_ref()
        };
        let entry = *rule.ids.get(value)?;
        let mut params = emptied(std::mem::take(&mut cache.params));
        for (name, _) in &self.tables.entries[entry].params {
            if let Some(p) = pairs.iter().find(|p| p.key == name) {
                params.push(ParamValue {
                    name: name.as_str(),
                    value: p.value.clone(),
                    span: Some((body_start + p.span.0, body_start + p.span.1)),
                });
            }
        }
        Some(key_match(entry, params, h, cache))
    }

    /// The best (pattern, end, kind) among `entry`'s own patterns, scopes
    /// ignored (the key already decided the entry).
    fn best_end_for_entry(
        &self,
        text: &[u8],
        entry: usize,
        sets: &mut verify::Sets,
    ) -> Option<(usize, usize, MatchKind)> {
        let mut best: Option<(usize, usize, MatchKind)> = None;
        let mut f = |pat: usize, end: usize| {
            if self.tables.patterns[pat].entry as usize != entry {
                return;
            }
            let Some(kind) = end_kind(text, end) else {
                return;
            };
            // Exact first, then the longer match, then the pattern's order
            // (whatever order the shards report in).
            let better = match best {
                None => true,
                Some((p, e, k)) => {
                    (kind == MatchKind::Exact && k != MatchKind::Exact)
                        || (kind == k && (end > e || (end == e && pat < p)))
                }
            };
            if better {
                best = Some((pat, end, kind));
            }
        };
        sets.new_text();
        // Only the shards that hold the entry's patterns (in shard order);
        // in an index shard, only the entry's own patterns, verified
        // without a lookup.
        for &i in self.shards_of.get(entry).map_or(&[][..], Vec::as_slice) {
            if let Runner::Index(_) = self.runners[i] {
                for &p in self.patterns_of(entry) {
                    if self.shard_of_pattern[p] as usize == i {
                        if let Some(end) =
                            verify::best_end(&self.extractors[p], text, sets, is_boundary)
                        {
                            f(p, end);
                        }
                    }
                }
            } else {
                self.run_shard(i, text, sets, &mut f);
            }
        }
        best
    }

    /// Runs shard `i` over `text`: `f(pattern, end)` per match (a DFA
    /// reports every end of a pattern's matches, an index shard only the
    /// best; the callers keep the best of each pattern either way).
    fn run_shard(
        &self,
        i: usize,
        text: &[u8],
        sets: &mut verify::Sets,
        f: &mut impl FnMut(usize, usize),
    ) {
        let global = &self.tables.shards[i].patterns;
        let g = |pat: usize, end: usize| f(global[pat] as usize, end);
        match &self.runners[i] {
            Runner::Static(d) => run_dfa(d, text, g),
            Runner::Owned(d) => run_dfa(d, text, g),
            Runner::Index(_) => {
                sets.running.clear();
                sets.running.push(i);
                self.run_index_shards(text, sets, f);
            }
        }
    }

    /// All candidates for `text`, best first, with notes on those that
    /// cannot win. The first one without a note is the winner.
    ///
    /// `program` is the line's own; an alias the catalog lists stands for
    /// its program, and what matches through it is `program-alias`.
    pub fn candidates(
        &self,
        text: &[u8],
        program: Option<&str>,
        pid: Option<&str>,
    ) -> Vec<Candidate> {
        let resolved = self.resolve(program.or_else(|| leading_tag_program(text)));
        let mut cands = Vec::new();
        let mut sets = verify::Sets::default();
        self.candidates_into(text, resolved, pid, &mut cands, &mut sets);
        cands.sort_by(rank);
        cands
    }

    /// Every template match in `text` (one per pattern: its best end), with
    /// what it relaxed and, if it may not win, why; unsorted (see [`rank`]).
    fn candidates_into(
        &self,
        text: &[u8],
        line: LineProgram<'_>,
        pid: Option<&str>,
        per_pattern: &mut Vec<Candidate>,
        sets: &mut verify::Sets,
    ) {
        per_pattern.clear();
        sets.new_text();
        // A line from a program no template names: the templates that
        // name a program can only match it relaxed (`no-program`), so a
        // strict match among those without a program beats them all and
        // no relaxed one can tie with it. Those run first, the others only
        // when needed.
        let any_first = !line.known;
        if any_first {
            for &a in &self.any_shards {
                self.run_shard(a, text, sets, &mut |pat, end| {
                    add_candidate(&self.tables, text, per_pattern, pat, end)
                });
            }
            self.annotate(per_pattern, line, pid, 0);
            if per_pattern
                .iter()
                .any(|c| c.note.is_none() && c.relaxed.is_empty())
            {
                return;
            }
        }
        // Then, in shard order, the shards run for every line and a known
        // program's own; a line from another program runs the program
        // shards only if one of them holds a template that may stand alone
        // (their other templates need their program). The templates that
        // may stand alone run for a line from no program the catalog
        // knows; for a line from a known program, only its own (another
        // program's could not win: "names another program").
        let done = per_pattern.len();
        for i in 0..self.runners.len() {
            let shard = &self.tables.shards[i];
            let run = match shard.kind {
                ShardKind::KeyOnly => false,
                ShardKind::StandAlone => !line.known || line.shards.contains(&i),
                // Templates without a program: run first above, or now.
                ShardKind::Lines if shard.programs.is_empty() => !any_first,
                ShardKind::Lines => {
                    line.shards.contains(&i) || (!line.known && self.unknown_runs_program_shards)
                }
            };
            match (run, &self.runners[i]) {
                (false, _) => {}
                // The index shards together, below: one pass over what the
                // index found.
                (true, Runner::Index(_)) => sets.running.push(i),
                (true, _) => self.run_shard(i, text, sets, &mut |pat, end| {
                    add_candidate(&self.tables, text, per_pattern, pat, end)
                }),
            }
        }
        if !sets.running.is_empty() {
            self.run_index_shards(text, sets, &mut |pat, end| {
                add_candidate(&self.tables, text, per_pattern, pat, end)
            });
        }
        self.annotate(per_pattern, line, pid, done);
    }

    /// Runs the index shards listed in `sets.running` (ascending), then
    /// empties the list: the templates the index found for `text` that are
    /// theirs, then their templates without a key; `f(pattern, end)` per
    /// match, as [`Matcher::run_shard`].
    fn run_index_shards(
        &self,
        text: &[u8],
        sets: &mut verify::Sets,
        f: &mut impl FnMut(usize, usize),
    ) {
        self.index.look_up(text, sets);
        let found = std::mem::take(&mut sets.found);
        let running = std::mem::take(&mut sets.running);
        let mine = found.iter().filter(|&&p| {
            running
                .binary_search(&(self.shard_of_pattern[p as usize] as usize))
                .is_ok()
        });
        let keyless = running.iter().flat_map(|&i| match &self.runners[i] {
            Runner::Index(keyless) => keyless.as_slice(),
            _ => &[],
        });
        for &p in mine.chain(keyless) {
            let ex = &self.extractors[p as usize];
            if let Some(end) = verify::best_end(ex, text, sets, is_boundary) {
                f(p as usize, end);
            }
        }
        sets.found = found;
        sets.running = running;
        sets.running.clear();
    }

    /// Sets what each candidate from `from` on relaxed, and why it may not
    /// win (if so), for a line from `line`'s program.
    fn annotate(
        &self,
        per_pattern: &mut [Candidate],
        line: LineProgram<'_>,
        pid: Option<&str>,
        from: usize,
    ) {
        let via_alias = if line.alias {
            Relaxed::PROGRAM_ALIAS
        } else {
            Relaxed::default()
        };
        let line_program = line.name;
        let known = line.known;
        for c in per_pattern.iter_mut().skip(from) {
            let p = &self.tables.patterns[c.pattern];
            let names_program = p.program.is_some() || matches!(p.scope, Scope::Programs(_));
            if names_program
                && line_program.is_some_and(|l| p.program.as_deref().is_none_or(|o| o == l))
            {
                c.relaxed = c.relaxed.union(via_alias);
            }
            if let Some(own) = &p.program {
                if known && line_program != Some(own.as_str()) {
                    // The line comes from another program the catalog
                    // knows: its text is that program's, however similar.
                    c.note = Some("names another program than the line's");
                } else if line_program == Some(own.as_str())
                    && p.tag_pid.is_some()
                    && pid.is_some_and(|x| x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()))
                {
                    // The template's `[<PID>]` is a number.
                    c.note = Some("the line's pid is not a number");
                } else if line_program != Some(own.as_str()) {
                    if self.stands_alone[c.pattern] {
                        c.relaxed = c.relaxed.union(Relaxed::NO_PROGRAM);
                    } else {
                        c.note = Some("names a program the line lacks, and its text is too short or too open to stand alone");
                    }
                }
            }
            match &p.scope {
                Scope::Any => {}
                Scope::KeyOnly => c.note = Some("only after a key rule named its entry"),
                Scope::Programs(list) => {
                    if !line_program.is_some_and(|p| list.iter().any(|l| l == p)) {
                        c.note =
                            Some("starts with a placeholder: needs one of its source's programs");
                    }
                }
            }
        }
    }

    /// The line's program as the templates see it (an alias the catalog
    /// lists stands for its program), resolved once per line.
    fn resolve<'a>(&'a self, program: Option<&'a str>) -> LineProgram<'a> {
        let Some(p) = program else {
            return LineProgram::default();
        };
        match self.programs.get(p) {
            Some(Named::Program { shards }) => LineProgram {
                name: Some(p),
                alias: false,
                known: true,
                shards,
            },
            Some(Named::Alias { program }) => self.alias_of(program),
            // A glob alias (`postfix*/smtpd`), tried last: few lines need it.
            None => match self.tables.program_of_alias(p) {
                Some(own) => self.alias_of(own),
                None => LineProgram {
                    name: Some(p),
                    ..LineProgram::default()
                },
            },
        }
    }

    /// A line that wrote an alias of `own`.
    fn alias_of<'a>(&'a self, own: &'a str) -> LineProgram<'a> {
        let shards = match self.programs.get(own) {
            Some(Named::Program { shards }) => Some(shards.as_slice()),
            _ => None,
        };
        LineProgram {
            name: Some(own),
            alias: true,
            known: shards.is_some(),
            shards: shards.unwrap_or(&[]),
        }
    }

    /// Where the templates start in `line`: at the tag (a template's tag is
    /// optional in its pattern), but after it when the tag is an alias (the
    /// pattern spells its program's own name).
    /// `resolved` is the header's program after [`Matcher::resolve`].
    fn text_start(
        &self,
        h: &SyslogHeader<'_>,
        line: &str,
        split: bool,
        resolved: LineProgram<'_>,
    ) -> usize {
        let start = template_start(h, split);
        let spelled = |p: &str| line.get(start..).is_some_and(|t| t.starts_with(p));
        match h.program {
            // A program some template names (or an alias of one), or a tag
            // not written `prog:` / `prog[pid]:` (Android's `I/charon:`):
            // the tag is the line's, and the templates start after it. An
            // unknown program's "tag" may be the message's first word
            // (`Connect: ppp0 <--> /dev/ttyS0`): they start at it.
            Some(p) if !split => {
                let known = resolved.known;
                if resolved.alias || known || !spelled(p) {
                    h.msg_start
                } else {
                    start
                }
            }
            _ => start,
        }
    }

    /// Steps 3 and 4.
    fn match_by_template<'l>(
        &'l self,
        line: &'l str,
        h: SyslogHeader<'l>,
        split: bool,
        cache: &mut Cache,
    ) -> Option<Match<'l>> {
        // The line's program, resolved once: from the header, else from a
        // tag-like first word of the text.
        let resolved = self.resolve(h.program);
        let start = self.text_start(&h, line, split, resolved);
        let text: &'l str = line.get(start..).unwrap_or("");
        let bytes = text.as_bytes();
        let resolved = match h.program {
            Some(_) => resolved,
            None => self.resolve(leading_tag_program(bytes)),
        };
        let mut cands = std::mem::take(&mut cache.candidates);
        self.candidates_into(bytes, resolved, h.pid, &mut cands, &mut cache.sets);
        let (winner, ambiguous) = pick(&cands, std::mem::take(&mut cache.ambiguous));
        cache.candidates = cands;
        probe::mark(Phase::Dfa);
        let Some(winner) = winner else {
            cache.ambiguous = ambiguous;
            return None;
        };
        let pattern = &self.tables.patterns[winner.pattern];
        let mut params: Vec<ParamValue<'l>> = emptied(std::mem::take(&mut cache.params));
        if let Some(values) = extract::extract(
            &self.extractors[winner.pattern],
            bytes,
            winner.end,
            &mut cache.scratch,
        ) {
            for &(ni, a, b) in values {
                let name = pattern.names[ni as usize].as_str();
                let value = Cow::Borrowed(text.get(a..b).unwrap_or(""));
                params.push(ParamValue {
                    name,
                    value,
                    span: Some((start + a, start + b)),
                });
            }
        }
        // The tag's pid, when the header (or the shipper) read the tag.
        // (Not when the line lacks the template's program: its pid is
        // another program's.)
        let own_program = !winner.relaxed.contains(Relaxed::NO_PROGRAM);
        if let (Some(ni), Some(pid), true) = (pattern.tag_pid, h.pid, own_program) {
            let name = pattern.names[usize::from(ni)].as_str();
            if !params.iter().any(|p| p.name == name) {
                // First, where the tag stands in the template.
                params.insert(
                    0,
                    ParamValue {
                        name,
                        value: Cow::Borrowed(pid),
                        span: offset_in(line, pid).map(|o| (o, o + pid.len())),
                    },
                );
            }
        }
        // Parameters sent as key=value after the sentence (cOS Stream).
        let kv_wanted = &self.kv_params[winner.entry];
        if !kv_wanted.is_empty() && winner.end < bytes.len() {
            let la = start + winner.end;
            if let Some(rest) = line.get(la..) {
                let mut pairs = emptied(std::mem::take(&mut cache.pairs));
                crate::kv::pairs_into(rest, &mut pairs);
                for p in pairs.drain(..) {
                    let entry = &self.tables.entries[winner.entry];
                    if let Some(&pi) = kv_wanted.iter().find(|&&pi| entry.params[pi].0 == p.key) {
                        params.push(ParamValue {
                            name: entry.params[pi].0.as_str(),
                            value: p.value,
                            span: Some((la + p.span.0, la + p.span.1)),
                        });
                    }
                }
                cache.pairs = emptied(pairs);
            }
        }
        probe::mark(Phase::Extract);
        Some(Match {
            entry: winner.entry,
            kind: winner.kind,
            params,
            header: h,
            ambiguous,
            relaxed: winner.relaxed,
        })
    }

    /// The template candidates for a raw line, as step 3 sees them (for
    /// `logref explain`).
    pub fn line_candidates(&self, line: &str) -> Vec<Candidate> {
        let h = syslog::parse(line);
        let start = self
            .text_start(&h, line, false, self.resolve(h.program))
            .min(line.len());
        let text = line.get(start..).unwrap_or("");
        let mut cands = self.candidates(text.as_bytes(), h.program, h.pid);
        for c in &mut cands {
            c.end += start;
        }
        cands
    }

    /// The patterns compiled for entry `e`.
    pub fn patterns_of(&self, e: usize) -> &[usize] {
        self.patterns_of.get(e).map_or(&[], Vec::as_slice)
    }
}

/// Records that `pattern` matched `text[..end]`: one candidate per pattern,
/// at its best end (exact, else the longest prefix at a token boundary).
fn add_candidate(
    tables: &Tables,
    text: &[u8],
    per_pattern: &mut Vec<Candidate>,
    pat: usize,
    end: usize,
) {
    let Some(kind) = end_kind(text, end) else {
        return;
    };
    let p = &tables.patterns[pat];
    match per_pattern.iter_mut().find(|c| c.pattern == pat) {
        Some(c) => {
            if (kind == MatchKind::Exact && c.kind != MatchKind::Exact)
                || (kind == c.kind && end > c.end)
            {
                c.kind = kind;
                c.end = end;
            }
        }
        None => per_pattern.push(Candidate {
            entry: p.entry as usize,
            pattern: pat,
            kind,
            weight: p.weight,
            end,
            relaxed: Relaxed::from_bits(p.relaxed),
            note: None,
        }),
    }
}

/// What a name in a line's tag is to the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Named {
    /// A program some template names, with the shards of its templates
    /// that may not stand alone (none if it has none).
    Program { shards: Vec<usize> },
    /// An exact alias of this program.
    Alias { program: String },
}

/// The known programs and exact aliases by name: an open-addressing table
/// keyed by FNV-1a. Why not a sorted list: every line looks its program up,
/// and a binary search costs a string comparison (a `memcmp` call in the
/// guest) per step; here it is one hash of the name and, almost always,
/// one comparison.
struct ProgramIndex {
    /// Power-of-two sized; `None` is an empty slot.
    slots: Vec<Option<(u64, String, Named)>>,
}

impl ProgramIndex {
    fn new(tables: &Tables, shard_of_program: &[(String, usize)]) -> ProgramIndex {
        let mut named: Vec<(String, Named)> = tables
            .known_programs()
            .into_iter()
            .map(|p| {
                let shards = shard_of_program
                    .iter()
                    .filter(|(q, _)| q == p)
                    .map(|&(_, i)| i)
                    .collect();
                (p.to_string(), Named::Program { shards })
            })
            .collect();
        for (alias, program) in &tables.aliases {
            if !alias.contains('*') && !named.iter().any(|(n, _)| n == alias) {
                named.push((
                    alias.clone(),
                    Named::Alias {
                        program: program.clone(),
                    },
                ));
            }
        }
        let size = (named.len() * 2).next_power_of_two().max(8);
        let mut slots: Vec<Option<(u64, String, Named)>> = vec![None; size];
        for (name, what) in named {
            let h = crate::fnv1a64(name.as_bytes());
            let mut i = (h as usize) & (size - 1);
            while slots[i].is_some() {
                i = (i + 1) & (size - 1);
            }
            slots[i] = Some((h, name, what));
        }
        ProgramIndex { slots }
    }

    fn get(&self, name: &str) -> Option<&Named> {
        let h = crate::fnv1a64(name.as_bytes());
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        while let Some((k, n, what)) = &self.slots[i] {
            if *k == h && n == name {
                return Some(what);
            }
            i = (i + 1) & mask;
        }
        None
    }
}

/// The order of candidates, best first: allowed before noted, strict before
/// relaxed (the mildest relaxation first), exact before prefix, more
/// literal text, catalog order, the longer match, then the pattern's own
/// order (so that the order in which shards report never matters).
fn rank(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    a.note
        .is_some()
        .cmp(&b.note.is_some())
        .then(a.relaxed.0.cmp(&b.relaxed.0))
        .then((a.kind != MatchKind::Exact).cmp(&(b.kind != MatchKind::Exact)))
        .then(b.weight.cmp(&a.weight))
        .then(a.entry.cmp(&b.entry))
        .then(b.end.cmp(&a.end))
        .then(a.pattern.cmp(&b.pattern))
}

/// The winner among `cands` (the first best by [`rank`] without a note)
/// and the other entries that tie with it, in catalog order, into
/// `ambiguous` (cleared first): what sorting by [`rank`] would give,
/// without sorting.
fn pick(cands: &[Candidate], mut ambiguous: Vec<usize>) -> (Option<Candidate>, Vec<usize>) {
    ambiguous.clear();
    let mut best: Option<&Candidate> = None;
    for c in cands.iter().filter(|c| c.note.is_none()) {
        if best.is_none_or(|b| rank(c, b) == std::cmp::Ordering::Less) {
            best = Some(c);
        }
    }
    let Some(w) = best else {
        return (None, ambiguous);
    };
    for c in cands {
        let ties = c.note.is_none()
            && c.entry != w.entry
            && c.kind == w.kind
            && c.relaxed == w.relaxed
            && c.weight == w.weight;
        if ties && !ambiguous.contains(&c.entry) {
            ambiguous.push(c.entry);
        }
    }
    ambiguous.sort_unstable();
    (Some(w.clone()), ambiguous)
}

/// Where the text the templates are anchored at starts: at the program tag
/// (a template's tag is optional in its pattern). RFC 5424 and split records
/// carry the program outside the message: the message alone.
fn template_start(h: &SyslogHeader<'_>, split: bool) -> usize {
    if split {
        0
    } else if h.format == WireFormat::Rfc5424 {
        h.msg_start
    } else {
        h.tag_start
    }
}

/// A match a key rule decided: strict, never ambiguous.
fn key_match<'l>(
    entry: usize,
    params: Vec<ParamValue<'l>>,
    h: &SyslogHeader<'l>,
    cache: &mut Cache,
) -> Match<'l> {
    Match {
        entry,
        kind: MatchKind::Key,
        params,
        header: h.clone(),
        ambiguous: std::mem::take(&mut cache.ambiguous),
        relaxed: Relaxed::default(),
    }
}

/// The longest match an id pattern may have: its capture is found by
/// trying splits, which must stay cheap.
pub const MAX_ID_MATCH: usize = 256;

/// A `pattern` key rule's automata, loaded (see [`artifact::PatternRule`]).
struct PatternDfas {
    forward: dense::DFA<Vec<u32>>,
    reverse: dense::DFA<Vec<u32>>,
    before: dense::DFA<Vec<u32>>,
    id: dense::DFA<Vec<u32>>,
    after: dense::DFA<Vec<u32>>,
}

impl PatternDfas {
    fn load(p: &artifact::PatternRule) -> Result<PatternDfas, ArtifactError> {
        let one = |bytes: &[u8]| -> Result<dense::DFA<Vec<u32>>, ArtifactError> {
            let mut words = vec![0u32; bytes.len().div_ceil(4)];
            for (w, c) in words.iter_mut().zip(bytes.chunks(4)) {
                let mut a = [0u8; 4];
                a[..c.len()].copy_from_slice(c);
                *w = u32::from_ne_bytes(a);
            }
            let (dfa, _) = dense::DFA::from_bytes(&words_as_bytes(&words)[..bytes.len()])
                .map_err(dfa_error)?;
            Ok(dfa.to_owned())
        };
        let [f, r, a, i, c] = p.parts();
        Ok(PatternDfas {
            forward: one(f)?,
            reverse: one(r)?,
            before: one(a)?,
            id: one(i)?,
            after: one(c)?,
        })
    }

    /// The leftmost-first match in `text`: (start, the id's span relative
    /// to start, end).
    fn find(&self, text: &[u8]) -> Option<(usize, (usize, usize), usize)> {
        let end = self
            .forward
            .try_search_fwd(&Input::new(text))
            .ok()??
            .offset();
        let start = self
            .reverse
            .try_search_rev(&Input::new(text).range(..end).anchored(Anchored::Yes))
            .ok()??
            .offset();
        let m = text.get(start..end).filter(|m| m.len() <= MAX_ID_MATCH)?;
        let ends = |dfa: &dense::DFA<Vec<u32>>, t: &[u8]| {
            let mut v = Vec::new();
            run_dfa(dfa, t, |_, e| v.push(e));
            v.dedup();
            v
        };
        // `A` ending earliest, then `B` longest, such that `C` ends the match.
        for p in ends(&self.before, m) {
            for q in ends(&self.id, &m[p..]).into_iter().rev() {
                if ends(&self.after, &m[p + q..]).last() == Some(&(m.len() - p - q)) {
                    return Some((start, (p, p + q), end));
                }
            }
        }
        None
    }
}

/// A shard's DFA bytes inside the DFA section (`None`: an index shard).
fn shard_bytes<'a>(
    section: &'a [u8],
    shard: &artifact::Shard,
) -> Result<Option<&'a [u8]>, ArtifactError> {
    let ShardEngine::Dfa(off, len) = shard.engine else {
        return Ok(None);
    };
    let (off, len) = (off as usize, len as usize);
    section
        .get(off..off.saturating_add(len))
        .map(Some)
        .ok_or(ArtifactError::Layout("shard DFA outside the DFA section"))
}

/// The keys of every index shard's templates (validated when the tables
/// were decoded), in one index.
fn token_index(tables: &Tables) -> TokenIndex {
    let keys = tables.shards.iter().flat_map(|shard| {
        let keys: &[Option<verify::Key>] = match &shard.engine {
            ShardEngine::Index(keys) => keys,
            ShardEngine::Dfa(..) => &[],
        };
        shard.patterns.iter().zip(keys).filter_map(|(&p, k)| {
            let items = &tables.patterns[p as usize].items;
            k.map(|k| (k.tokens(items), p))
        })
    });
    TokenIndex::new(keys)
}

/// An index shard's templates without a key.
fn keyless(shard: &artifact::Shard) -> Vec<u32> {
    match &shard.engine {
        ShardEngine::Index(keys) => shard
            .patterns
            .iter()
            .zip(keys)
            .filter(|(_, k)| k.is_none())
            .map(|(&p, _)| p)
            .collect(),
        ShardEngine::Dfa(..) => Vec::new(),
    }
}

fn words_as_bytes(words: &[u32]) -> &[u8] {
    // SAFETY: u32 has no padding and any byte pattern is a valid u8; the
    // length is the words' size in bytes.
    unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), std::mem::size_of_val(words)) }
}

fn run_dfa<A: Automaton>(dfa: &A, text: &[u8], mut f: impl FnMut(usize, usize)) {
    let start = match dfa.universal_start_state(Anchored::Yes) {
        Some(s) => s,
        None => match dfa.start_state_forward(&Input::new(text).anchored(Anchored::Yes)) {
            Ok(s) => s,
            Err(_) => return,
        },
    };
    let mut s: StateID = start;
    for (i, &b) in text.iter().enumerate() {
        // SAFETY: every DFA the matcher holds was validated when loaded
        // (`DFA::from_bytes`, or at build time for the embedded artifact),
        // so its start state and every transition are valid state ids, as
        // `next_state_unchecked` requires. This is the record path's
        // innermost loop: the unchecked form saves a bounds check a byte.
        s = unsafe { dfa.next_state_unchecked(s, b) };
        if dfa.is_special_state(s) {
            if dfa.is_match_state(s) {
                for k in 0..dfa.match_len(s) {
                    f(dfa.match_pattern(s, k).as_usize(), i);
                }
            } else if dfa.is_dead_state(s) || dfa.is_quit_state(s) {
                return;
            }
        }
    }
    s = dfa.next_eoi_state(s);
    if dfa.is_match_state(s) {
        for k in 0..dfa.match_len(s) {
            f(dfa.match_pattern(s, k).as_usize(), text.len());
        }
    }
}

/// How a match ending at `end` counts: exact at the end of the text, a
/// prefix at a token boundary, not at all inside a word.
fn end_kind(text: &[u8], end: usize) -> Option<MatchKind> {
    if end == text.len() {
        Some(MatchKind::Exact)
    } else if is_boundary(text, end) {
        Some(MatchKind::Prefix)
    } else {
        None
    }
}

/// A match may end before the end of the message only between two tokens:
/// not inside a word.
pub fn is_boundary(text: &[u8], end: usize) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    match (end.checked_sub(1).and_then(|i| text.get(i)), text.get(end)) {
        (Some(&a), Some(&b)) => !(word(a) && word(b)),
        _ => true,
    }
}

/// One field key rule, borrowed from the matcher.
struct FieldRule<'m> {
    ids: &'m HashMap<String, usize>,
    field: &'m str,
    numeric: bool,
    with_any_of: &'m [String],
    programs: &'m [String],
}

/// A tag word at the start of the message (`DYNAMIC_VPN_AUTH_OK: `: upper
/// case, digits, `_`, at least 3): (tag, bytes used incl. blanks).
fn tag_word(s: &str) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i].is_ascii_uppercase() || b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    if i < 3 || b.get(i) != Some(&b':') {
        return None;
    }
    let tag = &s[..i];
    let mut j = i + 1;
    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
        j += 1;
    }
    Some((tag, j))
}

/// `L2TP: prio=...` -> `prio=...`: a category word before the pairs.
fn strip_category(s: &str) -> &str {
    // A plain byte loop: `str::split_once` sets up a substring searcher,
    // which costs more guest instructions than the whole scan.
    let b = s.as_bytes();
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
        .count();
    if n > 0 && b.get(n) == Some(&b':') && b.get(n + 1) == Some(&b' ') {
        return s.get(n + 2..).unwrap_or(s);
    }
    s
}

/// Structured-data parameter names are hyphenated; catalog names may use
/// either spelling.
fn same_param(catalog: &str, sd: &str) -> bool {
    catalog.len() == sd.len()
        && catalog
            .bytes()
            .zip(sd.bytes())
            .all(|(a, b)| a == b || (matches!(a, b'-' | b'_') && matches!(b, b'-' | b'_')))
}

/// The program of a tag at the start of `text`, if any.
fn leading_tag_program(text: &[u8]) -> Option<&str> {
    let t = syslog::parse_tag(text, 0)?;
    std::str::from_utf8(text.get(t.program.0..t.program.1)?).ok()
}

/// Byte offset of `part` inside `whole`, when it is a subslice.
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let w = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    (p >= w && p + part.len() <= w + whole.len()).then(|| p - w)
}

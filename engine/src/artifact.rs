//! The compiled artifact: one file holding the shards (automata or token
//! indexes) and the tables needed to name the matched entry and pull out
//! its parameters.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "LOGREF\0A"
//! 8       4     format version (u32 LE)
//! 12      4     reserved (0)
//! 16      8     checksum of the catalog.json it was built from
//! 24      16    regex-automata version that serialised the DFA, NUL padded
//! 40      8     checksum of the whole file, this field counted as zeros
//! 48      4+4   tables offset, length
//! 56      4+4   DFA section offset (8-aligned), length
//! 64      ...   tables, padding, DFA section
//! ```
//! The templates are sharded by the program they name: a line from a
//! program the catalog knows only runs that program's shards and the shard
//! of templates that name no program, and many small automata are smaller
//! than one that holds them all (no product states between unrelated
//! templates, fewer byte classes each). A shard is either an automaton, a
//! little-endian dense DFA in the DFA section at the 8-aligned offset its
//! [`ShardEngine::Dfa`] gives, or a token index ([`ShardEngine::Index`]:
//! each template's key, in the tables; see [`crate::verify`]), which a
//! large catalog uses where automata would not fit.
//! Everything is validated on load: the header, the checksum, the bounds and
//! cross-references of every table (an index shard's keys included), and
//! each DFA itself (`DFA::from_bytes`).
//! Only the artifact embedded at build time skips the DFA's own validation,
//! through the `unsafe` `Matcher::from_embedded`: its build script ran the
//! full validation on exactly those bytes. A checksum proves no validity
//! (anyone can stamp one with [`write`]), only that the bytes did not
//! change since.

use std::fmt;

use crate::codec::{CodecError, Reader, Writer};
use crate::types::ValueType;

pub const MAGIC: [u8; 8] = *b"LOGREF\0A";
pub const FORMAT_VERSION: u32 = 5;
/// An index shard's pattern without a key token.
const NO_KEY: u16 = u16::MAX;
/// The regex-automata version whose serialisation format the DFA uses. A
/// test keeps it equal to the version in Cargo.lock.
pub const REGEX_AUTOMATA_VERSION: &str = "0.4.19";
pub const HEADER_LEN: usize = 64;

/// Why an artifact was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactError {
    /// Shorter than its header or than the sections it announces.
    Truncated {
        len: usize,
        needed: usize,
    },
    /// Not a logref artifact at all.
    BadMagic,
    /// Written by another format version of logref.
    FormatVersion {
        found: u32,
        expected: u32,
    },
    /// Its DFA was serialised by another regex-automata version.
    RegexAutomataVersion {
        found: String,
        expected: &'static str,
    },
    /// The bytes after the header do not hash to the recorded checksum.
    Checksum {
        found: u64,
        expected: u64,
    },
    /// A section lies outside the file or the DFA is misaligned.
    Layout(&'static str),
    Tables(CodecError),
    /// A table refers to something that does not exist.
    Reference(String),
    /// `DFA::from_bytes` refused the DFA.
    Dfa(String),
}

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArtifactError::Truncated { len, needed } => {
                write!(f, "artifact truncated: {len} bytes, needs at least {needed}")
            }
            ArtifactError::BadMagic => write!(f, "not a logref artifact (bad magic bytes)"),
            ArtifactError::FormatVersion { found, expected } => write!(
                f,
                "artifact format version {found}, this logref reads version {expected}: rebuild it with `logref compile`"
            ),
            ArtifactError::RegexAutomataVersion { found, expected } => write!(
                f,
                "artifact DFA serialised by regex-automata {found}, this logref uses {expected}: rebuild it with `logref compile`"
            ),
            ArtifactError::Checksum { found, expected } => write!(
                f,
                "artifact corrupt: checksum {found:016x}, header says {expected:016x}"
            ),
            ArtifactError::Layout(what) => write!(f, "artifact corrupt: {what}"),
            ArtifactError::Tables(e) => write!(f, "artifact corrupt: {e}"),
            ArtifactError::Reference(what) => write!(f, "artifact corrupt: {what}"),
            ArtifactError::Dfa(e) => write!(f, "artifact DFA invalid: {e}"),
        }
    }
}

impl std::error::Error for ArtifactError {}

impl From<CodecError> for ArtifactError {
    fn from(e: CodecError) -> Self {
        ArtifactError::Tables(e)
    }
}

/// A documented message, as the runtime needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    pub key: String,
    pub vendor: String,
    pub product: String,
    pub vendor_id: Option<String>,
    pub name: Option<String>,
    pub category: String,
    /// Syslog severity code, 0 (emergency) to 7 (debug).
    pub severity: u8,
    pub template: String,
    pub explanation: Option<String>,
    pub action: Option<String>,
    pub truncated: bool,
    pub params: Vec<(String, ValueType)>,
}

/// Where a pattern may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Any line.
    Any,
    /// Only lines whose program (syslog tag, app-name) is one of these.
    Programs(Vec<String>),
    /// Only after a vendor key (Junos tag) named its entry: used to pull the
    /// parameters out of the text, never to identify.
    KeyOnly,
}

/// One piece of a pattern, in the order the text must have them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Literal bytes.
    Lit(String),
    /// One or more blanks (space or tab).
    Blank,
    /// A parameter value: index into the pattern's `names`, and its type.
    Hole { name: u16, ty: ValueType },
    /// An optional group (nested at most once: a template's optional
    /// program tag holds its optional `[pid]`).
    Opt(Vec<Item>),
    /// Any syslog program tag with its blanks: `prog: ` or `prog[digits]: `.
    /// Always inside an [`Item::Opt`].
    AnyTag,
}

/// One compiled template: `patterns[i]`, which its shard's DFA reports as
/// the position of `i` in [`Shard::patterns`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternInfo {
    pub entry: u32,
    /// Literal bytes of the template: the more, the more specific.
    pub weight: u32,
    pub scope: Scope,
    /// The program the template names (`pluto` of `pluto[<PID>]: ...`):
    /// the tag is optional in the pattern, and the matcher decides from
    /// the line's own program whether the match is strict or relaxed.
    pub program: Option<String>,
    /// The hole of the tag's pid (index into `names`), filled from the
    /// header when the line's tag was read by the header parser.
    pub tag_pid: Option<u16>,
    /// What every match of this pattern relaxes, decided when it was
    /// compiled (a bit set of [`crate::matcher::Relaxed`]: a program
    /// alias's copy, a wider reading of the template); 0 for the
    /// documented text.
    pub relaxed: u8,
    /// Parameter names the holes fill.
    pub names: Vec<String>,
    pub items: Vec<Item>,
}

impl PatternInfo {
    /// Literal bytes the pattern needs outside its optional groups (its
    /// program tag not counted): how specific its text is on its own.
    pub fn body_weight(&self) -> u32 {
        self.items
            .iter()
            .map(|i| match i {
                Item::Lit(s) => s.len() as u32,
                _ => 0,
            })
            .sum()
    }
}

/// How a line carries an entry's id (the catalog's key rules, generic:
/// the engine knows no vendor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRule {
    /// The id is the value of a `key=value` field of the message.
    Field {
        field: String,
        /// Compared as a decimal number (leading zeros do not count).
        numeric: bool,
        /// One of these fields must be present too, unless the line comes
        /// from one of `programs` (empty: no such condition).
        with_any_of: Vec<String>,
        programs: Vec<String>,
    },
    /// A tag word starting the message (`TAG: text`) or the RFC 5424 MSGID.
    Tag,
    /// An id embedded in the text (`%LINEPROTO-5-UPDOWN:`), found by a
    /// pattern with one capture that the catalog compiler turned into
    /// automata (the engine compiles no regex).
    Pattern(PatternRule),
}

/// A `pattern` key rule's automata, each a serialised dense DFA (little
/// endian): the whole pattern `A(B)C` forward (unanchored, leftmost-first)
/// and reverse (anchored), and its three parts, each anchored and
/// reporting every match end. The id is `B` where `A` ends earliest and
/// `B` is longest such that `A`, `B`, `C` span the match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternRule {
    /// The pattern as the catalog writes it.
    pub pattern: String,
    /// The pattern's text before, inside and after its capture group
    /// (`%`, `[A-Z]...`, `:`), for exports to other regex engines.
    pub split: [String; 3],
    pub forward: Vec<u8>,
    pub reverse: Vec<u8>,
    pub before: Vec<u8>,
    pub id: Vec<u8>,
    pub after: Vec<u8>,
}

impl PatternRule {
    /// The five automata, in the order above.
    pub fn parts(&self) -> [&[u8]; 5] {
        [
            &self.forward,
            &self.reverse,
            &self.before,
            &self.id,
            &self.after,
        ]
    }
}

/// One id of one entry, under one key rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorKey {
    /// Index into [`Tables::key_rules`].
    pub rule: u16,
    /// The id as the rule compares it (numeric ids without leading zeros).
    pub value: String,
    pub entry: u32,
}

/// One automaton of the DFA section and the patterns it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// The programs whose templates it holds; empty for the shard of
    /// templates that name no program.
    pub programs: Vec<String>,
    /// When it runs (see [`ShardKind`]).
    pub kind: ShardKind,
    /// Pattern `i` of this shard is `patterns[i]` of the tables.
    pub patterns: Vec<u32>,
    /// How the shard finds its templates in a line.
    pub engine: ShardEngine,
}

/// How a shard finds which of its templates match a prefix of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardEngine {
    /// A dense DFA of the DFA section: offset (8-aligned, from the start of
    /// the section) and length.
    Dfa(u32, u32),
    /// No automaton: a token index and verification (see
    /// [`crate::verify`]). Per pattern of the shard, its key, if it has one.
    Index(Vec<Option<crate::verify::Key>>),
}

/// When a shard's automaton runs (the matcher's step 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ShardKind {
    /// The templates of its programs: for lines from them; or, with no
    /// programs, the templates that name none: for every line.
    Lines = 0,
    /// Templates that only yield the parameters of a line a key rule named
    /// ([`Scope::KeyOnly`]): never run to identify a line.
    KeyOnly = 1,
    /// Templates that name a program but may identify a line without it
    /// (`may_match_without_program`): for every line. They are kept out of
    /// their programs' shards so that a line from a program no template
    /// names skips those, whose templates could not identify it.
    StandAlone = 2,
}

impl ShardKind {
    fn from_u8(v: u8) -> Option<ShardKind> {
        match v {
            0 => Some(ShardKind::Lines),
            1 => Some(ShardKind::KeyOnly),
            2 => Some(ShardKind::StandAlone),
            _ => None,
        }
    }
}

/// Everything of the artifact but the DFAs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tables {
    pub entries: Vec<EntryInfo>,
    pub patterns: Vec<PatternInfo>,
    pub key_rules: Vec<KeyRule>,
    pub keys: Vec<VendorKey>,
    /// Other names of programs, sorted by alias: (alias, program). A line
    /// from an alias is matched as a line from the program, `relaxed` with
    /// `program-alias`.
    pub aliases: Vec<(String, String)>,
    /// The DFA section's automata; every pattern is in exactly one.
    pub shards: Vec<Shard>,
}

/// The parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub format_version: u32,
    pub catalog_checksum: u64,
    pub regex_automata_version: String,
    pub body_checksum: u64,
    pub tables: (usize, usize),
    pub dfa: (usize, usize),
}

/// A fast 64-bit checksum over 8-byte words (the artifact is megabytes and
/// may be checked inside a wasm interpreter, so byte-at-a-time FNV would
/// cost too much there).
pub fn checksum(bytes: &[u8]) -> u64 {
    checksum_parts(&[bytes])
}

/// [`checksum`] of the concatenation of `parts`, each but the last a
/// multiple of 8 bytes long.
fn checksum_parts(parts: &[&[u8]]) -> u64 {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ len as u64;
    for part in parts {
        let mut chunks = part.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    h
}

/// The artifact's checksum: every byte of the file, the header included,
/// with the checksum field (bytes 40..48) counted as zeros.
fn artifact_checksum(bytes: &[u8]) -> u64 {
    checksum_parts(&[&bytes[..40], &[0u8; 8], &bytes[48..]])
}

/// Writes the checksum of `bytes` (an artifact at least a header long)
/// into its header, as [`write`] does. For tools that change an artifact
/// on purpose, such as the loader's fuzz target, which uses it to reach
/// the validation beyond the checksum: a checksum proves no validity.
pub fn stamp_checksum(bytes: &mut [u8]) {
    if bytes.len() >= HEADER_LEN {
        let sum = artifact_checksum(bytes);
        bytes[40..48].copy_from_slice(&sum.to_le_bytes());
    }
}

fn encode_items(w: &mut Writer, items: &[Item]) {
    w.len(items.len());
    for it in items {
        match it {
            Item::Lit(s) => {
                w.u8(0);
                w.str(s);
            }
            Item::Blank => w.u8(1),
            Item::Hole { name, ty } => {
                w.u8(2);
                w.u16(*name);
                w.u8(*ty as u8);
            }
            Item::Opt(inner) => {
                w.u8(3);
                encode_items(w, inner);
            }
            Item::AnyTag => w.u8(4),
        }
    }
}

fn decode_items(r: &mut Reader, depth: u8, names: usize) -> Result<Vec<Item>, ArtifactError> {
    let n = r.count(1, "item count")?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let item = match r.u8("item kind")? {
            0 => Item::Lit(r.str("literal")?),
            1 => Item::Blank,
            2 => {
                let name = r.u16("hole name")?;
                let ty = ValueType::from_u8(r.u8("hole type")?)
                    .ok_or_else(|| ArtifactError::Reference("unknown value type".into()))?;
                if usize::from(name) >= names {
                    return Err(ArtifactError::Reference(format!(
                        "hole names parameter {name} of {names}"
                    )));
                }
                Item::Hole { name, ty }
            }
            3 if depth < 2 => Item::Opt(decode_items(r, depth + 1, names)?),
            4 => Item::AnyTag,
            _ => {
                return Err(ArtifactError::Reference(
                    "unknown or nested item kind".into(),
                ))
            }
        };
        items.push(item);
    }
    Ok(items)
}

impl Tables {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.len(self.entries.len());
        for e in &self.entries {
            w.str(&e.key);
            w.str(&e.vendor);
            w.str(&e.product);
            w.opt_str(e.vendor_id.as_deref());
            w.opt_str(e.name.as_deref());
            w.str(&e.category);
            w.u8(e.severity);
            w.str(&e.template);
            w.opt_str(e.explanation.as_deref());
            w.opt_str(e.action.as_deref());
            w.u8(u8::from(e.truncated));
            w.len(e.params.len());
            for (name, ty) in &e.params {
                w.str(name);
                w.u8(*ty as u8);
            }
        }
        w.len(self.patterns.len());
        for p in &self.patterns {
            w.u32(p.entry);
            w.u32(p.weight);
            match &p.scope {
                Scope::Any => w.u8(0),
                Scope::Programs(list) => {
                    w.u8(1);
                    w.len(list.len());
                    for s in list {
                        w.str(s);
                    }
                }
                Scope::KeyOnly => w.u8(2),
            }
            w.opt_str(p.program.as_deref());
            w.u16(p.tag_pid.unwrap_or(u16::MAX));
            w.u8(p.relaxed);
            w.len(p.names.len());
            for n in &p.names {
                w.str(n);
            }
            encode_items(&mut w, &p.items);
        }
        w.len(self.key_rules.len());
        for rule in &self.key_rules {
            match rule {
                KeyRule::Field {
                    field,
                    numeric,
                    with_any_of,
                    programs,
                } => {
                    w.u8(0);
                    w.str(field);
                    w.u8(u8::from(*numeric));
                    w.len(with_any_of.len());
                    for s in with_any_of {
                        w.str(s);
                    }
                    w.len(programs.len());
                    for s in programs {
                        w.str(s);
                    }
                }
                KeyRule::Tag => w.u8(1),
                KeyRule::Pattern(p) => {
                    w.u8(2);
                    w.str(&p.pattern);
                    for t in &p.split {
                        w.str(t);
                    }
                    for part in p.parts() {
                        w.len(part.len());
                        w.bytes(part);
                    }
                }
            }
        }
        w.len(self.keys.len());
        for k in &self.keys {
            w.u16(k.rule);
            w.str(&k.value);
            w.u32(k.entry);
        }
        w.len(self.aliases.len());
        for (alias, program) in &self.aliases {
            w.str(alias);
            w.str(program);
        }
        w.len(self.shards.len());
        for sh in &self.shards {
            w.u8(sh.kind as u8);
            w.len(sh.programs.len());
            for p in &sh.programs {
                w.str(p);
            }
            w.len(sh.patterns.len());
            for &p in &sh.patterns {
                w.u32(p);
            }
            match &sh.engine {
                ShardEngine::Dfa(off, len) => {
                    w.u8(0);
                    w.u32(*off);
                    w.u32(*len);
                }
                ShardEngine::Index(keys) => {
                    w.u8(1);
                    for k in keys {
                        match k {
                            Some(k) => {
                                w.u16(k.start);
                                w.u8(k.tokens);
                            }
                            None => {
                                w.u16(NO_KEY);
                                w.u8(0);
                            }
                        }
                    }
                }
            }
        }
        w.buf
    }

    pub fn decode(bytes: &[u8]) -> Result<Tables, ArtifactError> {
        let mut r = Reader::new(bytes);
        let n = r.count(20, "entry count")?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let key = r.str("key")?;
            let vendor = r.str("vendor")?;
            let product = r.str("product")?;
            let vendor_id = r.opt_str("vendor id")?;
            let name = r.opt_str("name")?;
            let category = r.str("category")?;
            let severity = r.u8("severity")?;
            if severity > 7 {
                return Err(ArtifactError::Reference(format!(
                    "severity {severity} of {key}"
                )));
            }
            let template = r.str("template")?;
            let explanation = r.opt_str("explanation")?;
            let action = r.opt_str("action")?;
            let truncated = r.u8("truncated")? != 0;
            let np = r.count(5, "param count")?;
            let mut params = Vec::with_capacity(np);
            for _ in 0..np {
                let pname = r.str("param name")?;
                let ty = ValueType::from_u8(r.u8("param type")?)
                    .ok_or_else(|| ArtifactError::Reference("unknown value type".into()))?;
                params.push((pname, ty));
            }
            entries.push(EntryInfo {
                key,
                vendor,
                product,
                vendor_id,
                name,
                category,
                severity,
                template,
                explanation,
                action,
                truncated,
                params,
            });
        }
        let n = r.count(13, "pattern count")?;
        let mut patterns = Vec::with_capacity(n);
        for _ in 0..n {
            let entry = r.u32("pattern entry")?;
            if entry as usize >= entries.len() {
                return Err(ArtifactError::Reference(format!(
                    "pattern names entry {entry}"
                )));
            }
            let weight = r.u32("weight")?;
            let scope = match r.u8("scope")? {
                0 => Scope::Any,
                1 => {
                    let k = r.count(4, "program count")?;
                    let mut list = Vec::with_capacity(k);
                    for _ in 0..k {
                        list.push(r.str("program")?);
                    }
                    Scope::Programs(list)
                }
                2 => Scope::KeyOnly,
                _ => return Err(ArtifactError::Reference("unknown scope".into())),
            };
            let program = r.opt_str("program")?;
            let tag_pid = Some(r.u16("tag pid")?).filter(|&n| n != u16::MAX);
            let relaxed = r.u8("relaxed")?;
            if relaxed & !crate::matcher::Relaxed::ALL != 0 {
                return Err(ArtifactError::Reference(format!(
                    "pattern relaxes unknown bits {relaxed:#x}"
                )));
            }
            let k = r.count(4, "name count")?;
            let mut names = Vec::with_capacity(k);
            for _ in 0..k {
                names.push(r.str("name")?);
            }
            if tag_pid.is_some_and(|n| usize::from(n) >= names.len()) {
                return Err(ArtifactError::Reference(
                    "tag pid names no parameter".into(),
                ));
            }
            let items = decode_items(&mut r, 0, names.len())?;
            patterns.push(PatternInfo {
                entry,
                weight,
                scope,
                program,
                tag_pid,
                relaxed,
                names,
                items,
            });
        }
        let n = r.count(1, "key rule count")?;
        let mut key_rules = Vec::with_capacity(n);
        let strings = |r: &mut Reader, what| -> Result<Vec<String>, ArtifactError> {
            let k = r.count(4, what)?;
            (0..k).map(|_| Ok(r.str(what)?)).collect()
        };
        for _ in 0..n {
            key_rules.push(match r.u8("key rule kind")? {
                0 => KeyRule::Field {
                    field: r.str("key field")?,
                    numeric: r.u8("numeric")? != 0,
                    with_any_of: strings(&mut r, "key rule fields")?,
                    programs: strings(&mut r, "key rule programs")?,
                },
                1 => KeyRule::Tag,
                2 => {
                    let pattern = r.str("key pattern")?;
                    let split = [
                        r.str("key pattern part")?,
                        r.str("key pattern part")?,
                        r.str("key pattern part")?,
                    ];
                    let mut part = || -> Result<Vec<u8>, ArtifactError> {
                        let n = r.count(1, "key pattern automaton")?;
                        Ok(r.take(n, "key pattern automaton")?.to_vec())
                    };
                    KeyRule::Pattern(PatternRule {
                        pattern,
                        split,
                        forward: part()?,
                        reverse: part()?,
                        before: part()?,
                        id: part()?,
                        after: part()?,
                    })
                }
                _ => return Err(ArtifactError::Reference("unknown key rule kind".into())),
            });
        }
        let n = r.count(10, "key count")?;
        let mut keys = Vec::with_capacity(n);
        for _ in 0..n {
            let rule = r.u16("key rule")?;
            if usize::from(rule) >= key_rules.len() {
                return Err(ArtifactError::Reference(format!(
                    "vendor key names rule {rule}"
                )));
            }
            let value = r.str("key value")?;
            let entry = r.u32("key entry")?;
            if entry as usize >= entries.len() {
                return Err(ArtifactError::Reference(format!(
                    "vendor key names entry {entry}"
                )));
            }
            keys.push(VendorKey { rule, value, entry });
        }
        let n = r.count(2, "alias count")?;
        let mut aliases: Vec<(String, String)> = Vec::with_capacity(n);
        for _ in 0..n {
            let alias = r.str("alias")?;
            let program = r.str("aliased program")?;
            if aliases.last().is_some_and(|(prev, _)| *prev >= alias) {
                return Err(ArtifactError::Reference(
                    "program aliases are not sorted".into(),
                ));
            }
            aliases.push((alias, program));
        }
        let n = r.count(12, "shard count")?;
        let mut shards = Vec::with_capacity(n);
        let mut owner = vec![false; patterns.len()];
        for _ in 0..n {
            let kind = ShardKind::from_u8(r.u8("shard kind")?)
                .ok_or_else(|| ArtifactError::Reference("unknown shard kind".into()))?;
            let k = r.count(4, "shard program count")?;
            let programs = (0..k)
                .map(|_| r.str("shard program"))
                .collect::<Result<Vec<_>, _>>()?;
            let k = r.count(4, "shard pattern count")?;
            let mut list = Vec::with_capacity(k);
            for _ in 0..k {
                let p = r.u32("shard pattern")?;
                match owner.get_mut(p as usize) {
                    Some(seen @ false) => *seen = true,
                    _ => {
                        return Err(ArtifactError::Reference(format!(
                            "shard pattern {p} is unknown or in two shards"
                        )))
                    }
                }
                list.push(p);
            }
            let engine = match r.u8("shard engine")? {
                0 => {
                    let dfa = (r.u32("shard offset")?, r.u32("shard length")?);
                    if dfa.0 % 8 != 0 {
                        return Err(ArtifactError::Layout("shard DFA not 8-aligned"));
                    }
                    ShardEngine::Dfa(dfa.0, dfa.1)
                }
                1 => {
                    let mut keys = Vec::with_capacity(list.len());
                    for &p in &list {
                        let key = crate::verify::Key {
                            start: r.u16("shard key start")?,
                            tokens: r.u8("shard key length")?,
                        };
                        if key.start == NO_KEY && key.tokens == 0 {
                            keys.push(None);
                        } else if key.fits(&patterns[p as usize].items) {
                            keys.push(Some(key));
                        } else {
                            return Err(ArtifactError::Reference(format!(
                                "pattern {p}'s key ({key:?}) is not a run of literals between blanks"
                            )));
                        }
                    }
                    ShardEngine::Index(keys)
                }
                _ => return Err(ArtifactError::Reference("unknown shard engine".into())),
            };
            shards.push(Shard {
                programs,
                kind,
                patterns: list,
                engine,
            });
        }
        if owner.iter().any(|o| !o) {
            return Err(ArtifactError::Reference("a pattern is in no shard".into()));
        }
        if !r.is_empty() {
            return Err(ArtifactError::Layout("trailing bytes after the tables"));
        }
        Ok(Tables {
            entries,
            patterns,
            key_rules,
            keys,
            aliases,
            shards,
        })
    }

    /// The programs some template names (key-only templates aside), sorted,
    /// each once: a line from one of them only matches its own templates
    /// and those that name none (README, rule 3). The one place this set
    /// is defined; the matcher and the Vector and syslog-ng exports use it.
    pub fn known_programs(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .shards
            .iter()
            .filter(|s| s.kind != ShardKind::KeyOnly)
            .flat_map(|s| s.programs.iter().map(String::as_str))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The program an alias stands for: an exact alias, else the first of
    /// [`Tables::glob_aliases`] that matches. `*` stands for any run of
    /// characters (`postfix*/smtpd` for `postfix/submission/smtpd`).
    pub fn program_of_alias(&self, name: &str) -> Option<&str> {
        if let Ok(i) = self.aliases.binary_search_by(|(a, _)| a.as_str().cmp(name)) {
            return Some(self.aliases[i].1.as_str());
        }
        // The first in `glob_aliases` order, found without sorting (this
        // runs for every line from a program the catalog does not know).
        let mut best: Option<(&str, &str)> = None;
        for (a, p) in self.aliases.iter().filter(|(a, _)| a.contains('*')) {
            let better = best.is_none_or(|(b, _)| glob_literal_len(a) > glob_literal_len(b));
            if better && glob_matches(a.as_bytes(), name.as_bytes()) {
                best = Some((a, p));
            }
        }
        best.map(|(_, p)| p)
    }

    /// The aliases written with `*`, in the order they are tried: the most
    /// specific first (more literal characters: `Keepalived_vrrp_*` before
    /// `Keepalived_*`, so that each names its own daemon), then by name.
    pub fn glob_aliases(&self) -> Vec<(&str, &str)> {
        let mut globs: Vec<(&str, &str)> = self
            .aliases
            .iter()
            .filter(|(a, _)| a.contains('*'))
            .map(|(a, p)| (a.as_str(), p.as_str()))
            .collect();
        // Stable: equals stay in name order.
        globs.sort_by_key(|(a, _)| std::cmp::Reverse(glob_literal_len(a)));
        globs
    }
}

/// The characters of a glob alias other than `*`: how specific it is.
fn glob_literal_len(glob: &str) -> usize {
    glob.bytes().filter(|b| *b != b'*').count()
}

/// `*` in `pattern` matches any run of bytes; every other byte itself.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob_matches(rest, &text[i..])),
        Some((c, rest)) => text.first() == Some(c) && glob_matches(rest, &text[1..]),
    }
}

/// Writes an artifact: header, tables, then the DFA section at an 8-aligned
/// offset. `dfa_bytes` is the section: the shards' DFAs (each the output of
/// `DFA::to_bytes_little_endian` without its leading padding) at the
/// offsets the tables' shards give.
pub fn write(tables: &Tables, dfa_bytes: &[u8], catalog_checksum: u64) -> Vec<u8> {
    let tables_bytes = tables.encode();
    let tables_off = HEADER_LEN;
    let dfa_off = (tables_off + tables_bytes.len()).div_ceil(8) * 8;
    let mut out = vec![0u8; dfa_off + dfa_bytes.len()];
    out[0..8].copy_from_slice(&MAGIC);
    out[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    out[16..24].copy_from_slice(&catalog_checksum.to_le_bytes());
    let v = REGEX_AUTOMATA_VERSION.as_bytes();
    out[24..24 + v.len().min(16)].copy_from_slice(&v[..v.len().min(16)]);
    out[48..52].copy_from_slice(&(tables_off as u32).to_le_bytes());
    out[52..56].copy_from_slice(&(tables_bytes.len() as u32).to_le_bytes());
    out[56..60].copy_from_slice(&(dfa_off as u32).to_le_bytes());
    out[60..64].copy_from_slice(&(dfa_bytes.len() as u32).to_le_bytes());
    out[tables_off..tables_off + tables_bytes.len()].copy_from_slice(&tables_bytes);
    out[dfa_off..].copy_from_slice(dfa_bytes);
    stamp_checksum(&mut out);
    out
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Reads and checks the header and the body checksum. Does not look inside
/// the tables or the DFA.
pub fn read_header(bytes: &[u8]) -> Result<Header, ArtifactError> {
    if bytes.len() < HEADER_LEN {
        if bytes.len() >= 8 && bytes[..8] != MAGIC {
            return Err(ArtifactError::BadMagic);
        }
        return Err(ArtifactError::Truncated {
            len: bytes.len(),
            needed: HEADER_LEN,
        });
    }
    if bytes[..8] != MAGIC {
        return Err(ArtifactError::BadMagic);
    }
    let format_version = le_u32(bytes, 8);
    if format_version != FORMAT_VERSION {
        return Err(ArtifactError::FormatVersion {
            found: format_version,
            expected: FORMAT_VERSION,
        });
    }
    let ver_raw = &bytes[24..40];
    let ver_end = ver_raw.iter().position(|b| *b == 0).unwrap_or(16);
    let regex_automata_version = String::from_utf8_lossy(&ver_raw[..ver_end]).into_owned();
    if regex_automata_version != REGEX_AUTOMATA_VERSION {
        return Err(ArtifactError::RegexAutomataVersion {
            found: regex_automata_version,
            expected: REGEX_AUTOMATA_VERSION,
        });
    }
    let tables = (le_u32(bytes, 48) as usize, le_u32(bytes, 52) as usize);
    let dfa = (le_u32(bytes, 56) as usize, le_u32(bytes, 60) as usize);
    for (off, len) in [tables, dfa] {
        let end = off
            .checked_add(len)
            .ok_or(ArtifactError::Layout("section overflows"))?;
        if off < HEADER_LEN {
            return Err(ArtifactError::Layout("section overlaps the header"));
        }
        if end > bytes.len() {
            return Err(ArtifactError::Truncated {
                len: bytes.len(),
                needed: end,
            });
        }
    }
    if dfa.0 % 8 != 0 {
        return Err(ArtifactError::Layout("DFA offset not 8-aligned"));
    }
    let body_checksum = le_u64(bytes, 40);
    let found = artifact_checksum(bytes);
    if found != body_checksum {
        return Err(ArtifactError::Checksum {
            found,
            expected: body_checksum,
        });
    }
    Ok(Header {
        format_version,
        catalog_checksum: le_u64(bytes, 16),
        regex_automata_version,
        body_checksum,
        tables,
        dfa,
    })
}

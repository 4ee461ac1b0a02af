//! The VRL remap program: `program.vrl` (the steps, written by hand) with
//! the catalog's parts filled in, and the table `logref_match` it reads.
//!
//! Why the program is shaped as it is: Vector compiles a remap program at
//! start, and VRL's type checker pays for every expression times the
//! variables in scope times its nesting; every regex literal is a compiled
//! `regex::Regex` with its own automata and, per thread, caches. The first
//! program written one block of code per template took Vector 10 s and
//! 900 MB to start. So the program holds as little per template as VRL
//! allows:
//!
//! - each template is **one regex literal** ([`template_regex::matcher`]:
//!   the exact and the prefix form in one expression). VRL cannot build a
//!   regex from a string at speed, nor keep a constant array between
//!   events, so the literals sit in the leaves of a binary tree of integer
//!   comparisons: a dispatch key's templates are tried behind *tests* (one
//!   regex without groups for up to [`CHUNK`] templates, and tests of tests
//!   for larger groups), the tests are numbered, and the leaf of a test
//!   holds its templates' regexes ([`Dispatch`]);
//! - everything else is **data in an enrichment table** (`logref_match`,
//!   [`match_table`]), looked up by key as Vector indexes it: each dispatch
//!   key's first test (`w:WORD`, `@prog`, `*` for every line), and, for a
//!   template that matched, its entry, parameter names, rank and program
//!   scope (`p:N`, as JSON), the programs' other names and the programs
//!   templates name.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use logref_engine::artifact::{EntryInfo, Item, KeyRule, PatternInfo, Scope, Tables};
use logref_engine::matcher::may_match_without_program;
use logref_engine::ValueType;

use crate::template_regex::{self, FIRST_WORDS};

/// The hand-written steps; `@NAME@` marks what is generated.
const SKELETON: &str = include_str!("program.vrl");
/// Step 2a of the program, for catalogs with a tag key rule.
const TAG_RULE: &str = include_str!("tag_rule.vrl");

/// A syslog timestamp at the start of a text, as `engine::syslog` reads
/// one (`parse_bsd_timestamp` or `parse_iso_timestamp`): `[Www ]Mmm dd
/// hh:mm:ss[.f][ yyyy]` (or `Mmm d`, or `dd Mmm`), the year only before a
/// blank, a colon or the end (the character after it is `yend`), or an RFC
/// 3339 timestamp, or an ISO date and time with a blank. The skeleton's
/// `@TIMESTAMP@`.
const TIMESTAMP: &str = r"(?:(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}[0-9]{1,2}|[0-9]{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)) [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?: [0-9]{4}(?P<yend>[ \t:]|\z))?|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][^ \t]{2}:[^ \t]{5,}| [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?[^ \t]*))";

/// Nodes with at most this many numbers in a leaf of the tree are compared
/// one by one.
const LEAF_KEYS: usize = 4;

/// Groups larger than this are tried in chunks of this many templates, and
/// a test has at most this many nodes below it. 16 rather than 8: fewer,
/// larger tests started faster and took less memory at the same speed
/// (BENCHMARKS.md, "Vector in a real Vector").
const CHUNK: usize = 16;

/// A VRL string literal.
pub fn vrl_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '{' => o.push_str("\\{"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A VRL regex literal (`r'...'`); a quote inside is written `\x27`.
pub fn vrl_regex(re: &str) -> String {
    format!("r'{}'", re.replace('\'', r"\x27"))
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first words a message matching `items` can start with (the run of
/// ASCII letters, digits and `_` at its start, maybe empty), or `None`
/// when that depends on a placeholder's value. An optional program tag in
/// front is skipped: the program tries the word after a tag as well.
fn first_words(items: &[Item]) -> Option<Vec<String>> {
    let Some((first, rest)) = items.split_first() else {
        return Some(vec![String::new()]);
    };
    match first {
        Item::Opt(inner) if matches!(inner.as_slice(), [Item::AnyTag]) || is_program_tag(inner) => {
            first_words(rest)
        }
        Item::Opt(inner) => {
            let mut with: Vec<Item> = inner.clone();
            with.extend_from_slice(rest);
            let mut a = first_words(&with)?;
            for w in first_words(rest)? {
                if !a.contains(&w) {
                    a.push(w);
                }
            }
            Some(a)
        }
        Item::Lit(s) => {
            let word: String = s.chars().take_while(|c| is_word(*c)).collect();
            if word.len() < s.len() {
                return Some(vec![word]);
            }
            // The literal is all word characters: the word on the wire ends
            // with it only if what follows cannot continue it.
            (!may_start_with_word(rest)).then(|| vec![word])
        }
        Item::Blank => Some(vec![String::new()]),
        Item::Hole { .. } | Item::AnyTag => None,
    }
}

/// Whether `inner` is a template's own optional program tag as the catalog
/// writes it (`prog` with an optional `[<PID>]`, `:`, a blank): the
/// dispatch reads the first word after any such tag on the line (`w2` of
/// [`FIRST_WORDS`]), so the tag's name needs no key of its own.
fn is_program_tag(inner: &[Item]) -> bool {
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
    };
    match inner {
        [Item::Lit(name), Item::Opt(pid), Item::Lit(colon), Item::Blank] => {
            name_ok(name)
                && colon == ":"
                && matches!(pid.as_slice(), [Item::Lit(open), Item::Hole { ty: ValueType::Int, .. }, Item::Lit(close)]
                    if open == "[" && close == "]")
        }
        _ => false,
    }
}

/// Whether a message matching `items` may start with a word character.
fn may_start_with_word(items: &[Item]) -> bool {
    let Some((first, rest)) = items.split_first() else {
        return false;
    };
    match first {
        Item::Lit(s) if s.is_empty() => may_start_with_word(rest),
        Item::Lit(s) => s.starts_with(is_word),
        Item::Blank => false,
        Item::Hole { .. } | Item::AnyTag => true,
        Item::Opt(inner) => {
            let mut with: Vec<Item> = inner.clone();
            with.extend_from_slice(rest);
            may_start_with_word(&with) || may_start_with_word(rest)
        }
    }
}

/// Where a template is tried.
enum Placement {
    /// Under each of these dispatch keys (`w:WORD`, `@prog`).
    Keys(Vec<String>),
    /// For every line (its first word cannot be known in advance).
    Always,
    /// Never by its text (Junos: the tag decides), or never at all (a
    /// template starting with a placeholder and no program to send it).
    Never,
}

fn placement(p: &PatternInfo) -> Placement {
    match &p.scope {
        Scope::KeyOnly => Placement::Never,
        Scope::Programs(list) if list.is_empty() => Placement::Never,
        Scope::Programs(list) => Placement::Keys(list.iter().map(|p| format!("@{p}")).collect()),
        Scope::Any => match first_words(&p.items) {
            Some(words) => Placement::Keys(words.iter().map(|w| format!("w:{w}")).collect()),
            None => Placement::Always,
        },
    }
}

/// Parameters of entry `e` that no template hole fills: sent as key=value
/// after the sentence (cOS Stream).
fn kv_params(entry: &EntryInfo, patterns: &[&PatternInfo]) -> Vec<String> {
    entry
        .params
        .iter()
        .map(|(n, _)| n)
        .filter(|n| !patterns.iter().any(|p| p.names.contains(n)))
        .cloned()
        .collect()
}

fn vrl_list(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|s| vrl_string(s)).collect();
    format!("[{}]", v.join(", "))
}

fn indent(code: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    code.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

struct Generator<'t> {
    tables: &'t Tables,
    weight_width: usize,
    entry_width: usize,
}

impl Generator<'_> {
    /// A pattern's place in the ranking, kind aside: `weight|entry`, so
    /// that sorted ranks put more literal text first, then catalog order.
    /// (The compiler makes one pattern per entry; were there several, the
    /// engine's last tie-break, the longer match, is not written here.)
    fn rank(&self, p: &PatternInfo) -> String {
        let max = 10u64.pow(self.weight_width as u32) - 1;
        format!(
            "{:0ww$}|{:0ew$}",
            max - u64::from(p.weight),
            p.entry,
            ww = self.weight_width,
            ew = self.entry_width
        )
    }

    /// Length of `relaxed kind|weight|` in a ranked key (the relaxation
    /// bits in two digits).
    fn rank_prefix_len(&self) -> usize {
        self.weight_width + 5
    }

    fn entry(&self, p: &PatternInfo) -> &EntryInfo {
        &self.tables.entries[p.entry as usize]
    }

    /// Matches one template against `text`: `lr_c` gets the captures of
    /// an exact match, or the prefix and the rest of a prefix match, and
    /// `lr_re` the expression (to split a prefix match later).
    fn match_template(&self, p: &PatternInfo, text: &str) -> String {
        format!(
            "lr_re = {}\nlr_c = parse_regex({text}, lr_re) ?? null\n",
            vrl_regex(&template_regex::matcher(&p.items)),
        )
    }

    /// `# key template`, to find a template in the program.
    fn comment(&self, p: &PatternInfo) -> String {
        let e = self.entry(p);
        format!("# {} {}\n", e.key, one_line(&e.template))
    }

    /// The names of a pattern's holes, in order (`g0`, `g1`, ...).
    fn hole_names(&self, p: &PatternInfo) -> Vec<String> {
        template_regex::holes(&p.items)
            .iter()
            .map(|n| p.names.get(usize::from(*n)).cloned().unwrap_or_default())
            .collect()
    }

    /// What the program needs of a template that matched (its row `p:N`):
    /// the entry (`k`), the names of its holes (`n`), its `rank`, the
    /// program it names (`prog`) and whether its text may stand without it
    /// (`alone`: the engine's program scope), the parameter its tag's
    /// `[<PID>]` fills (`pid`), parameters sent as key=value after the
    /// sentence (`kv`, cOS Stream), its own relaxation bits (`o`, a wider
    /// reading) and whether a program alias counts against it (`v`).
    fn hit_data(&self, p: &PatternInfo) -> serde_json::Value {
        let e = self.entry(p);
        let of_entry: Vec<&PatternInfo> = self
            .tables
            .patterns
            .iter()
            .filter(|q| q.entry == p.entry)
            .collect();
        let mut o = serde_json::json!({
            "k": e.key,
            "n": self.hole_names(p),
            "rank": self.rank(p),
            "prog": p.program,
            "alone": p.program.is_some() && may_match_without_program(p),
            "pid": p.tag_pid.map(|n| p.names[usize::from(n)].clone()),
        });
        let kv = kv_params(e, &of_entry);
        if !kv.is_empty() {
            o["kv"] = kv.into();
        }
        if p.relaxed != 0 {
            o["o"] = p.relaxed.into();
        }
        if p.program.is_some() || matches!(p.scope, Scope::Programs(_)) {
            o["v"] = true.into();
        }
        o
    }
}

/// One node of a group's tests: a test of several templates at once (the
/// alternation of their [`template_regex::prefix_test`]s, no groups), and
/// what to try when it passes: nodes below it, or its templates, whose
/// regexes are written inline in the node's leaf of the tree.
struct Node {
    /// `None`: always tried (a group of at most [`CHUNK`] templates).
    test: Option<String>,
    children: Vec<usize>,
    templates: Vec<usize>,
}

/// Each dispatch key's tests, as a tree of [`Node`]s. A group of more than
/// [`CHUNK`] templates is tried behind tests: chunks of up to [`CHUNK`]
/// templates each get a test, up to [`CHUNK`] chunk tests get a test above
/// them, and so on up to one test for the whole group. A line that matches
/// none of a group's templates (most lines, for most groups) then pays for
/// one test; one that does, for about `CHUNK` × levels. Only the nodes are
/// numbered (reached through a tree of comparisons in rounds, one level
/// per round); a template's regex is written in each node that holds it.
struct Dispatch {
    nodes: Vec<Node>,
    /// `w:WORD`, `@prog`, `*` → the group's top node.
    groups: BTreeMap<String, usize>,
    /// Rounds of tries the deepest group needs.
    rounds: usize,
}

impl Dispatch {
    fn new(tables: &Tables, groups: &BTreeMap<String, Vec<usize>>) -> Dispatch {
        let mut d = Dispatch {
            nodes: Vec::new(),
            groups: BTreeMap::new(),
            rounds: 1,
        };
        for (key, pats) in groups {
            let top = d.group(tables, pats);
            d.groups.insert(key.clone(), top);
        }
        d
    }

    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The top node for `pats`.
    fn group(&mut self, tables: &Tables, pats: &[usize]) -> usize {
        if pats.len() <= CHUNK {
            return self.push(Node {
                test: None,
                children: Vec::new(),
                templates: pats.to_vec(),
            });
        }
        let test = |pats: &[usize]| {
            let alts: Vec<String> = pats
                .iter()
                .map(|&pi| template_regex::prefix_test(&tables.patterns[pi].items))
                .collect();
            Some(format!(r"\A(?:{})", alts.join("|")))
        };
        let mut level: Vec<(usize, Vec<usize>)> = Vec::new();
        for chunk in pats.chunks(CHUNK) {
            let id = self.push(Node {
                test: test(chunk),
                children: Vec::new(),
                templates: chunk.to_vec(),
            });
            level.push((id, chunk.to_vec()));
        }
        let mut depth = 1;
        while level.len() > 1 {
            depth += 1;
            let mut up = Vec::new();
            for nodes in level.chunks(CHUNK) {
                let all: Vec<usize> = nodes.iter().flat_map(|(_, p)| p.clone()).collect();
                let id = self.push(Node {
                    test: test(&all),
                    children: nodes.iter().map(|(id, _)| *id).collect(),
                    templates: Vec::new(),
                });
                up.push((id, all));
            }
            level = up;
        }
        self.rounds = self.rounds.max(depth);
        level[0].0
    }

    /// What node `n` does when reached: its test, then its children (for
    /// the next round, in `lr_next`) or its templates (their regexes in
    /// `lr_xs`, their pattern numbers in `lr_ps`, tried after the tree).
    /// The regexes are array literals rather than one statement each: VRL's
    /// type checker pays per expression, and one call site of
    /// `parse_regex` serves them all.
    fn leaf(&self, tables: &Tables, n: usize) -> String {
        let node = &self.nodes[n];
        let mut body = String::new();
        if !node.children.is_empty() {
            let ids: Vec<String> = node.children.iter().map(usize::to_string).collect();
            let _ = writeln!(body, "lr_next = append(lr_next, [{}])", ids.join(", "));
        }
        if !node.templates.is_empty() {
            let res: Vec<String> = node
                .templates
                .iter()
                .map(|&pi| vrl_regex(&template_regex::matcher(&tables.patterns[pi].items)))
                .collect();
            let ids: Vec<String> = node.templates.iter().map(usize::to_string).collect();
            let _ = writeln!(body, "lr_ps = [{}]", ids.join(", "));
            let _ = writeln!(body, "lr_xs = [\n  {}\n]", res.join(",\n  "));
        }
        match &node.test {
            None => body,
            // `parse_regex` rather than `match`: VRL's `match` compiles a
            // constant pattern a second time.
            Some(test) => format!(
                "if (parse_regex(lr_t, {}) ?? null) != null {{\n{}}}\n",
                vrl_regex(test),
                indent(&body, 2)
            ),
        }
    }

    /// The binary tree of comparisons on `lr_i` that runs node `lr_i`'s
    /// leaf. Leaves of up to [`LEAF_KEYS`] tests one after the other:
    /// VRL's type checker pays for every level of nesting.
    fn tree(&self, tables: &Tables) -> String {
        let ids: Vec<usize> = (0..self.nodes.len()).collect();
        self.subtree(tables, &ids)
    }

    fn subtree(&self, tables: &Tables, ids: &[usize]) -> String {
        let mut s = String::new();
        if ids.len() <= LEAF_KEYS {
            for &i in ids {
                let _ = writeln!(s, "if lr_i == {i} {{");
                s.push_str(&indent(&self.leaf(tables, i), 2));
                s.push_str("}\n");
            }
            return s;
        }
        let mid = ids.len() / 2;
        let _ = writeln!(s, "if lr_i < {} {{", ids[mid]);
        s.push_str(&indent(&self.subtree(tables, &ids[..mid]), 2));
        s.push_str("} else {\n");
        s.push_str(&indent(&self.subtree(tables, &ids[mid..]), 2));
        s.push_str("}\n");
        s
    }

    /// Whether pattern `pi` is tried for some key.
    fn dispatches(&self, pi: usize) -> bool {
        self.nodes.iter().any(|n| n.templates.contains(&pi))
    }
}

/// The table `logref_match` as CSV (`key,data`, data as JSON): a row per
/// dispatch key (`w:WORD`, `@prog`, `*`) with its top node, a row `p:N` per
/// dispatched template ([`Generator::hit_data`]), a row `a:ALIAS` per other
/// name of a program (the program) and `k:PROGRAM` per program some
/// template names. Lookups by key are what Vector indexes; the same data
/// as VRL literals would be rebuilt on every event.
fn match_table(g: &Generator<'_>, dispatch: &Dispatch) -> String {
    let mut out = String::from("key,data\n");
    let mut row = |key: &str, data: &serde_json::Value| {
        crate::table::push_row(&mut out, &[key, &data.to_string()]);
    };
    for (key, top) in &dispatch.groups {
        row(key, &serde_json::json!(top));
    }
    for (i, p) in g.tables.patterns.iter().enumerate() {
        if dispatch.dispatches(i) {
            row(&format!("p:{i}"), &g.hit_data(p));
        }
    }
    // Plain text, not JSON: the program reads these as they are. An alias
    // is unique in the artifact; should one repeat, its first row is kept
    // (Vector refuses a lookup that finds two rows).
    let mut seen = std::collections::BTreeSet::new();
    for (alias, program) in g.tables.aliases.iter().filter(|(a, _)| !a.contains('*')) {
        if seen.insert(alias) {
            crate::table::push_row(&mut out, &[&format!("a:{alias}"), program]);
        }
    }
    for program in g.tables.known_programs() {
        crate::table::push_row(&mut out, &[&format!("k:{program}"), program]);
    }
    out
}

impl Generator<'_> {
    /// One Junos entry: the tag named it; its template gives parameters.
    fn junos_leaf(&self, tag: &str, entry: usize) -> String {
        let e = &self.tables.entries[entry];
        let names: Vec<String> = e.params.iter().map(|(n, _)| n.clone()).collect();
        let mut s = String::new();
        let _ = writeln!(s, "if lr_jtag == {} {{", vrl_string(tag));
        let _ = writeln!(s, "  lr_key = {}", vrl_string(&e.key));
        let _ = writeln!(s, "  lr_names = {}", vrl_list(&names));
        if let Some(p) = self
            .tables
            .patterns
            .iter()
            .find(|p| p.entry as usize == entry)
        {
            s.push_str(&indent(&self.comment(p), 2));
            s.push_str(&indent(&self.match_template(p, "lr_jtext"), 2));
            let _ = writeln!(s, "  lr_jn = {}", vrl_list(&self.hole_names(p)));
        }
        s.push_str("}\n");
        s
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the program adds to a record: the plugin's two styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputStyle {
    /// One `catalog` object (`logref_filter`).
    #[default]
    Catalog,
    /// Elastic Common Schema objects (`logref_filter_ecs`).
    Ecs,
    /// OpenTelemetry's log data model (`logref_filter_otel`).
    Otel,
}

impl OutputStyle {
    /// A VRL condition: the record has a key the style adds whatever the
    /// record holds, so it is left unchanged (the plugin's
    /// `target_exists`).
    fn taken(self) -> &'static str {
        match self {
            OutputStyle::Catalog => "exists(.catalog)",
            OutputStyle::Ecs => "exists(.event) || exists(.observer) || exists(.catalog)",
            OutputStyle::Otel => {
                "exists(.severity_number) || exists(.severity_text) || exists(.attributes)"
            }
        }
    }

    fn adds(self) -> &'static str {
        match self {
            OutputStyle::Catalog => "`.catalog`",
            OutputStyle::Ecs => "ECS objects (`event`, `observer`, `log`, `message`, `catalog`)",
            OutputStyle::Otel => {
                "OpenTelemetry fields (`severity_number`, `severity_text`, `attributes`)"
            }
        }
    }

    /// Writes the row `lr_row` (with `lr_opt` for its optional columns),
    /// `lr_params`, `lr_kind` and `lr_amb` into the event.
    fn output(self) -> &'static str {
        match self {
            OutputStyle::Catalog => {
                r#"@TYPED@.catalog = {
  "key": lr_row.key,
  "vendor": lr_row.vendor,
  "product": lr_row.product,
  "id": lr_opt.id,
  "name": lr_opt.name,
  "category": lr_row.category,
  "severity": lr_row.severity,
  "severity_code": to_int(lr_row.severity_code) ?? null,
  "template": lr_row.template,
  "explanation": lr_opt.explanation,
  "action": lr_opt.action,
  "params": lr_params,
  "match": lr_kind
}
if lr_relaxed != null { .catalog.relaxed = lr_relaxed }
if length(lr_amb) > 0 { .catalog.ambiguous = lr_amb }
"#
            }
            OutputStyle::Ecs => {
                r#"@TYPED@# ECS: event.code and event.action only where the vendor has an id and a name.
lr_event = {"severity": to_int(lr_row.severity_code) ?? null}
if lr_opt.id != null { lr_event.code = lr_opt.id }
if lr_opt.name != null { lr_event.action = lr_opt.name }
.event = lr_event
.observer = {"vendor": lr_row.vendor, "product": lr_row.product}
.catalog = {
  "key": lr_row.key,
  "category": lr_row.category,
  "template": lr_row.template,
  "explanation": lr_opt.explanation,
  "action": lr_opt.action,
  "params": lr_params,
  "match": lr_kind
}
if lr_relaxed != null { .catalog.relaxed = lr_relaxed }
if length(lr_amb) > 0 { .catalog.ambiguous = lr_amb }
# The original text as `message`, and the `log` object, where absent.
if !exists(.message) {
  lr_m = get(., ["log"]) ?? null
  if lr_m == null { lr_m = get(., ["msg"]) ?? null }
  if is_string(lr_m) { .message = lr_m }
}
if !exists(.log) {
  .log = {"level": lr_row.severity, "syslog": {"severity": {"code": to_int(lr_row.severity_code) ?? null, "name": lr_row.severity}}}
}
"#
            }
            OutputStyle::Otel => {
                r#"@TYPED@# OpenTelemetry: SeverityNumber as the log data model maps syslog.
lr_code = to_int(lr_row.severity_code) ?? 6
.severity_number = get([21, 19, 18, 17, 13, 10, 9, 5], [lr_code]) ?? 9
.severity_text = lr_row.severity
lr_attrs = {
  "event.name": lr_row.key,
  "logref.vendor": lr_row.vendor,
  "logref.product": lr_row.product,
  "logref.id": lr_opt.id,
  "logref.name": lr_opt.name,
  "logref.category": lr_row.category,
  "logref.template": lr_row.template,
  "logref.explanation": lr_opt.explanation,
  "logref.action": lr_opt.action,
  "logref.params": lr_params,
  "logref.match": lr_kind
}
if lr_relaxed != null { lr_attrs."logref.relaxed" = lr_relaxed }
if length(lr_amb) > 0 { lr_attrs."logref.ambiguous" = lr_amb }
# Attributes hold no nulls.
.attributes = compact(lr_attrs, recursive: false, null: true, string: false, object: false, array: false)
"#
            }
        }
    }
}

/// Counts of how templates are placed, for `logref export vector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramStats {
    pub dispatch_keys: usize,
    pub largest_group: usize,
    pub always: usize,
    pub key_only: usize,
}

/// Integer values of the parameters the table's `ints` column names become
/// numbers, as the plugin writes them (`to_int` reads a string as Rust's
/// `i64` parser does, the plugin's test).
const TYPED_VALUES: &str = r#"# Typed values: an `int` parameter holding an integer is a number.
lr_ints = split(string(lr_row.ints) ?? "", "|")
for_each(lr_ints) -> |_i, n| {
  lr_iv = get(lr_params, [n]) ?? null
  if is_string(lr_iv) {
    lr_n, lr_err = to_int(lr_iv)
    if lr_err == null { lr_params = set(lr_params, [n], lr_n) ?? lr_params }
  }
}
"#;

/// With `--syslog-source`: the step that decides whether a record from
/// Vector's `syslog` source is also tried with its `appname` read back into
/// the line, and the loop that runs the header and template steps once per
/// reading. Left out otherwise: the loop costs VRL about a quarter more
/// compile time and memory at start (BENCHMARKS.md, session 7).
const VIEWS_CHOOSE: &str = r#"# Vector's `syslog` source reads a line without a program tag loosely: it
# takes the first word after the host for `appname` (`fw1 L2TP client x
# resolved ...` arrives as `L2TP` and `client x resolved ...`), and a line
# with the tag `L2TP: ...` arrives the same. So an appname without a procid
# that no template names as its program (nor as another name of one) is
# first read back into the line, as the plugin reads the raw line `L2TP
# client ...`; if that matches nothing, it is taken as the program it says.
lr_views = ["split"]
lr_va = get(., ["appname"]) ?? null
if is_string(lr_va) && (get(., ["procid"]) ?? null) == null {
  lr_ap = string!(lr_va)
  lr_alias = @ALIAS_OF@lr_ap@
@GLOB_ALIASES@
  if lr_alias == null && !@IS_KNOWN@lr_ap@ { lr_views = ["rebuilt", "split"] }
}
"#;
const VIEWS_BEGIN: &str =
    "for_each(lr_views) -> |_v, lr_view| {\nif lr_key == null && length(lr_hits) == 0 {\n";
const VIEWS_END: &str = "}\n}\n";
const VIEWS_REBUILD: &str = r#"    if lr_view == "rebuilt" {
      lr_line = (string(lr_app) ?? "") + " " + lr_line
      lr_tagtext = lr_line
      lr_msg = lr_line
      lr_app = null
    }
"#;

/// The generated program, the table it reads, and how it placed the
/// templates.
#[derive(Debug, Clone)]
pub struct Generated {
    pub text: String,
    /// The table `logref_match` (CSV).
    pub match_csv: String,
    pub stats: ProgramStats,
}

/// The whole program for `tables` (the artifact's).
pub fn program(
    tables: &Tables,
    catalog_checksum: u64,
    style: OutputStyle,
    syslog_source: bool,
) -> Generated {
    let max_weight = tables.patterns.iter().map(|p| p.weight).max().unwrap_or(0);
    let g = Generator {
        tables,
        weight_width: max_weight.to_string().len().max(1),
        entry_width: tables.entries.len().to_string().len(),
    };
    let mut stats = ProgramStats::default();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in tables.patterns.iter().enumerate() {
        match placement(p) {
            Placement::Keys(keys) => {
                for k in keys {
                    groups.entry(k).or_default().push(i);
                }
            }
            Placement::Always => {
                stats.always += 1;
                groups.entry("*".to_string()).or_default().push(i);
            }
            Placement::Never => stats.key_only += 1,
        }
    }
    stats.dispatch_keys = groups.len() - usize::from(groups.contains_key("*"));
    stats.largest_group = groups
        .iter()
        .filter(|(k, _)| *k != "*")
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(0);
    let dispatch = Dispatch::new(tables, &groups);

    // Key rules: the tag rule's tags, then one block per field rule.
    let mut junos_tags: Vec<(&str, usize)> = Vec::new();
    let mut field_ids: Vec<Vec<(&str, usize)>> = vec![Vec::new(); tables.key_rules.len()];
    for k in &tables.keys {
        match tables.key_rules[usize::from(k.rule)] {
            KeyRule::Tag => junos_tags.push((k.value.as_str(), k.entry as usize)),
            KeyRule::Field { .. } | KeyRule::Pattern(_) => {
                field_ids[usize::from(k.rule)].push((k.value.as_str(), k.entry as usize))
            }
        }
    }
    let tags_regex = if junos_tags.is_empty() {
        // Matches nothing.
        r"[^\s\S]".to_string()
    } else {
        let alts: Vec<String> = junos_tags
            .iter()
            .map(|(t, _)| regex_syntax::escape(t))
            .collect();
        format!(r"\A(?:{})\z", alts.join("|"))
    };
    let mut junos = String::new();
    for (tag, entry) in &junos_tags {
        junos.push_str(&g.junos_leaf(tag, *entry));
    }
    let mut field_rules = String::new();
    for (rule, ids) in tables.key_rules.iter().zip(&field_ids) {
        if let KeyRule::Pattern(p) = rule {
            field_rules.push_str(&pattern_rule_block(&g, &p.pattern, ids));
        }
        if let KeyRule::Field {
            field,
            numeric,
            with_any_of,
            programs,
        } = rule
        {
            field_rules.push_str(&field_rule_block(
                tables,
                FieldRuleSpec {
                    field,
                    numeric: *numeric,
                    with_any_of,
                    programs,
                },
                ids,
            ));
        }
    }

    let views = |text: &'static str| if syslog_source { text } else { "" };
    let text = SKELETON
        .replace("@VIEWS_CHOOSE@\n", views(VIEWS_CHOOSE))
        .replace("@VIEWS_BEGIN@\n", views(VIEWS_BEGIN))
        .replace("@VIEWS_END@\n", views(VIEWS_END))
        .replace("@VIEWS_REBUILD@\n", views(VIEWS_REBUILD))
        .replace(
            "@TAG_RULE@\n",
            // Without a tag rule the step would be dead code, which VRL's
            // type checker refuses.
            if junos_tags.is_empty() { "" } else { TAG_RULE },
        )
        .replace("@TAKEN@", style.taken())
        .replace("@ADDS@", style.adds())
        .replace(
            "@OUTPUT@\n",
            &indent(&style.output().replace("@TYPED@", TYPED_VALUES), 4),
        )
        .replace("@CHECKSUM@", &format!("{catalog_checksum:016x}"))
        .replace("@ENTRIES@", &tables.entries.len().to_string())
        .replace("@JUNOS_TAGS@", &tags_regex.replace('\'', r"\x27"))
        .replace("@FIRST_WORDS@", FIRST_WORDS)
        .replace("@TIMESTAMP@", TIMESTAMP)
        .replace("@JUNOS@\n", &indent(&junos, 6))
        .replace("@FIELD_RULES@\n", &indent(&field_rules, 4))
        .replace("@NODE_TREE@\n", &indent(&dispatch.tree(tables), 4))
        .replace("@RANK_LEN@", &g.rank_prefix_len().to_string())
        .replace("@GLOB_ALIASES@\n", &glob_aliases(tables))
        .replace(
            "@ROUNDS@",
            &serde_json::json!((0..dispatch.rounds).collect::<Vec<_>>()).to_string(),
        );
    let text = expand_lookups(&text);
    Generated {
        text,
        match_csv: match_table(&g, &dispatch),
        stats,
    }
}

/// The aliases written with `*` (any run of characters), tried in order
/// after the exact ones on `lr_ap`, setting `lr_alias`.
fn glob_aliases(tables: &Tables) -> String {
    let mut s = String::new();
    for (alias, program) in tables.glob_aliases() {
        let re: Vec<String> = alias.split('*').map(regex_syntax::escape).collect();
        let _ = writeln!(
            s,
            "        if lr_alias == null && match(lr_ap, {}) {{ lr_alias = {} }}",
            vrl_regex(&format!(r"\A{}\z", re.join("[\\s\\S]*"))),
            vrl_string(program)
        );
    }
    s
}

/// Writes the lookups in `logref_match` that the skeleton names
/// `@ALIAS_OF@expr@` (the program `expr` is another name of, or null) and
/// `@IS_KNOWN@expr@` (whether some template names program `expr`: a line
/// from it then only matches its own templates and those naming none).
fn expand_lookups(text: &str) -> String {
    const MARKERS: [(&str, &str); 2] = [("@ALIAS_OF@", "a:"), ("@IS_KNOWN@", "k:")];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, marker, prefix)) = MARKERS
        .iter()
        .filter_map(|&(m, p)| rest.find(m).map(|at| (at, m, p)))
        .min_by_key(|&(at, _, _)| at)
    {
        out.push_str(&rest[..at]);
        let after = &rest[at + marker.len()..];
        let end = after.find('@').unwrap_or(after.len());
        let lookup = format!(
            r#"get_enrichment_table_record("logref_match", {{"key": "{prefix}" + {}}})"#,
            &after[..end]
        );
        if prefix == "a:" {
            let _ = write!(out, r#"(get({lookup} ?? {{}}, ["data"]) ?? null)"#);
        } else {
            let _ = write!(out, "(({lookup} ?? null) != null)");
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A `pattern` key rule: the id its capture group finds anywhere in the
/// line names the entry, whose template gives the parameters from the text
/// after the match (as the engine). VRL runs the pattern with its own regex
/// engine (leftmost-first, Unicode on): the same id for patterns whose
/// capture is unambiguous, as ids are.
fn pattern_rule_block(g: &Generator<'_>, pattern: &str, ids: &[(&str, usize)]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# -- 2c. key rule: an id pattern ---------------------------------"
    );
    s.push_str("if lr_key == null {\n");
    let _ = writeln!(
        s,
        "  lr_pm = parse_regex(lr_line, {}, numeric_groups: true) ?? null",
        vrl_regex(&format!(r"\A[\s\S]*?(?:{pattern})(?P<lr_rest>[\s\S]*)\z"))
    );
    s.push_str("  if lr_pm != null {\n");
    s.push_str("    lr_jtag = get(lr_pm, [\"1\"]) ?? null\n");
    s.push_str("    lr_jtext = replace(string(lr_pm.lr_rest) ?? \"\", r'\\A[ \\t]+', \"\")\n");
    s.push_str("    lr_names = []\n    lr_jn = []\n    lr_c = null\n    lr_re = r'^$'\n");
    let mut leaves = String::new();
    for (id, entry) in ids {
        leaves.push_str(&g.junos_leaf(id, *entry));
    }
    s.push_str(&indent(&leaves, 4));
    s.push_str("    if lr_key != null {\n      lr_kind = \"key\"\n");
    s.push_str("      if lr_c != null { lr_hit = set({\"k\": lr_key, \"n\": lr_jn, \"x\": lr_re}, [\"c\"], lr_c) ?? null }\n");
    s.push_str("    }\n  }\n}\n");
    s
}

/// A field key rule, as the program needs it.
struct FieldRuleSpec<'a> {
    field: &'a str,
    numeric: bool,
    with_any_of: &'a [String],
    programs: &'a [String],
}

/// The program's step for one field key rule (the engine's
/// `Matcher::match_by_field`): the message is `[CATEGORY: ]key=value ...`
/// (read with `parse_key_value`, as a Vector user would), one field holds
/// the id, and the entry's parameters are the other keys.
fn field_rule_block(tables: &Tables, rule: FieldRuleSpec<'_>, ids: &[(&str, usize)]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# -- 2b. key rule: the id in field `{}`{} ----------",
        rule.field,
        if rule.numeric { " (a number)" } else { "" }
    );
    s.push_str("if lr_key == null {\n");
    s.push_str("  lr_body = lr_msg\n");
    s.push_str("  lr_m = parse_regex(lr_msg, r'\\A[A-Z0-9_]+: (?P<b>[\\s\\S]*)\\z') ?? null\n");
    s.push_str("  if lr_m != null { lr_body = string(lr_m.b) ?? lr_body }\n");
    let _ = writeln!(
        s,
        "  lr_fromprog = includes({}, lr_prog)",
        vrl_list(rule.programs)
    );
    s.push_str("  # A constant-time test first: the pairs must start the body.\n");
    s.push_str("  if lr_fromprog || match(lr_body, r'\\A[ \\t]*[A-Za-z0-9_.\\-]+=') {\n");
    s.push_str("    lr_kv = parse_key_value(replace(lr_body, \"\\t\", \" \"), whitespace: \"strict\") ?? {}\n");
    let _ = writeln!(
        s,
        "    lr_id = get(lr_kv, [{}]) ?? null",
        vrl_string(rule.field)
    );
    s.push_str("    if is_array(lr_id) { lr_id = get(lr_id, [0]) ?? null }\n");
    let mut marked = String::from("lr_fromprog");
    if rule.with_any_of.is_empty() {
        marked.push_str(" || true");
    }
    for k in rule.with_any_of {
        let _ = write!(
            marked,
            " || (get(lr_kv, [{}]) ?? null) != null",
            vrl_string(k)
        );
    }
    let _ = writeln!(s, "    lr_marked = {marked}");
    s.push_str("    lr_idv = null\n");
    s.push_str("    if lr_marked && is_string(lr_id) {\n");
    if rule.numeric {
        s.push_str("      if match(string!(lr_id), r'\\A[0-9]+\\z') {\n");
        s.push_str("        lr_idv = replace(string!(lr_id), r'\\A0+', \"\")\n");
        s.push_str("        if lr_idv == \"\" { lr_idv = \"0\" }\n");
        s.push_str("      }\n");
    } else {
        s.push_str("      lr_idv = lr_id\n");
    }
    s.push_str("    }\n");
    s.push_str("    lr_names = []\n");
    for (id, entry) in ids {
        let e = &tables.entries[*entry];
        let names: Vec<String> = e.params.iter().map(|(n, _)| n.clone()).collect();
        let _ = writeln!(
            s,
            "    if lr_idv == {} {{ lr_key = {}; lr_names = {} }}",
            vrl_string(id),
            vrl_string(&e.key),
            vrl_list(&names)
        );
    }
    s.push_str("    if lr_key != null { lr_kind = \"key\" }\n");
    s.push_str("    for_each(lr_names) -> |_i, n| {\n");
    s.push_str("      lr_v = get(lr_kv, [n]) ?? null\n");
    s.push_str("      if is_array(lr_v) { lr_v = get(lr_v, [0]) ?? null }\n");
    s.push_str("      if is_string(lr_v) { lr_params = set(lr_params, [n], lr_v) ?? lr_params }\n");
    s.push_str("    }\n");
    s.push_str("  }\n");
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` templates of the shipped catalog, all under one key.
    fn dispatch_of(n: usize) -> (logref_engine::Matcher, BTreeMap<String, Vec<usize>>) {
        let m = logref_default_artifact::matcher().unwrap();
        let pats: Vec<usize> = (0..m.tables().patterns.len())
            .filter(|&i| !matches!(placement(&m.tables().patterns[i]), Placement::Never))
            .take(n)
            .collect();
        assert_eq!(pats.len(), n);
        (m, BTreeMap::from([("w:k".to_string(), pats)]))
    }

    #[test]
    fn a_small_group_is_one_node_without_a_test() {
        let (m, groups) = dispatch_of(CHUNK);
        let d = Dispatch::new(m.tables(), &groups);
        assert_eq!((d.nodes.len(), d.rounds), (1, 1));
        assert!(d.nodes[0].test.is_none());
        assert_eq!(d.nodes[0].templates, groups["w:k"]);
    }

    #[test]
    fn a_large_group_is_tried_behind_tests_level_by_level() {
        // 3 chunks of at most CHUNK templates, and one test above them.
        let (m, groups) = dispatch_of(2 * CHUNK + 1);
        let d = Dispatch::new(m.tables(), &groups);
        assert_eq!((d.nodes.len(), d.rounds), (4, 2));
        let top = &d.nodes[d.groups["w:k"]];
        assert!(top.test.is_some() && top.templates.is_empty());
        assert_eq!(top.children.len(), 3);
        let mut tried: Vec<usize> = Vec::new();
        for &c in &top.children {
            let chunk = &d.nodes[c];
            assert!(chunk.test.is_some() && chunk.children.is_empty());
            assert!(chunk.templates.len() <= CHUNK);
            tried.extend(&chunk.templates);
        }
        assert_eq!(tried, groups["w:k"]);
        // Every node has its leaf in the tree.
        let tree = d.tree(m.tables());
        for i in 0..d.nodes.len() {
            assert!(tree.contains(&format!("if lr_i == {i} {{")), "{i}");
        }
    }

    #[test]
    fn lookups_in_the_table_are_written_out() {
        assert_eq!(
            expand_lookups("a = @ALIAS_OF@lr_ap@; b = @IS_KNOWN@string!(x)@"),
            concat!(
                r#"a = (get(get_enrichment_table_record("logref_match", {"key": "a:" + lr_ap}) ?? {}, ["data"]) ?? null); "#,
                r#"b = ((get_enrichment_table_record("logref_match", {"key": "k:" + string!(x)}) ?? null) != null)"#
            )
        );
    }

    #[test]
    fn strings_and_regexes_are_quoted_for_vrl() {
        assert_eq!(vrl_string(r#"a "b" {c} \d"#), r#""a \"b\" \{c} \\d""#);
        assert_eq!(vrl_regex(r"it's"), r"r'it\x27s'");
    }

    #[test]
    fn first_words_follow_the_wire() {
        let lit = |s: &str| Item::Lit(s.into());
        let tag = Item::Opt(vec![Item::AnyTag]);
        let hole = Item::Hole {
            name: 0,
            ty: ValueType::String,
        };
        assert_eq!(
            first_words(&[tag.clone(), lit("L2TP"), Item::Blank, hole.clone()]),
            Some(vec!["L2TP".to_string()])
        );
        assert_eq!(
            first_words(&[lit("BGP:"), Item::Blank]),
            Some(vec!["BGP".to_string()])
        );
        assert_eq!(first_words(&[lit("%BGP-5")]), Some(vec![String::new()]));
        // `ID<n>`: the word on the wire goes on into the value.
        assert_eq!(first_words(&[lit("ID"), hole.clone()]), None);
        assert_eq!(first_words(&[tag, hole.clone()]), None);
        // A template's own optional tag: the dispatch reads the word after
        // a line's tag, so only the word after it is a key.
        let own_tag = Item::Opt(vec![
            lit("BGP"),
            Item::Opt(vec![lit("["), hole.clone(), lit("]")]),
            lit(":"),
            Item::Blank,
        ]);
        let int_hole = Item::Hole {
            name: 1,
            ty: ValueType::Int,
        };
        let own_tag_int = Item::Opt(vec![
            lit("BGP"),
            Item::Opt(vec![lit("["), int_hole, lit("]")]),
            lit(":"),
            Item::Blank,
        ]);
        assert_eq!(
            first_words(&[own_tag_int, lit("[NETWORK]")]),
            Some(vec![String::new()])
        );
        assert_eq!(
            first_words(&[own_tag, lit("[NETWORK]")]),
            Some(vec!["BGP".to_string(), String::new()])
        );
        assert_eq!(
            first_words(&[Item::Opt(vec![lit("STATE_X:"), Item::Blank]), lit("down")]),
            Some(vec!["STATE_X".to_string(), "down".to_string()])
        );
    }
}

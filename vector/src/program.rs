//! The VRL remap program: `program.vrl` (the steps, written by hand) with
//! the catalog's parts filled in.
//!
//! Why generated VRL and not a table the program interprets: VRL cannot
//! build a regular expression from a string at speed (each `to_regex`
//! compiles anew), so every template must be a regex *literal* in the
//! program, where Vector compiles it once at start-up. To keep each line
//! from trying all of them, templates are grouped by the first word they
//! can start with (or, for templates that start with a placeholder, by
//! the program allowed to send them) and the program branches on that
//! word through a binary tree of string comparisons.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use logref_engine::artifact::{EntryInfo, Item, KeyRule, PatternInfo, Scope, Tables};
use logref_engine::matcher::may_match_without_program;

use crate::template_regex::{self, FIRST_WORDS};

/// The hand-written steps; `@NAME@` marks what is generated.
const SKELETON: &str = include_str!("program.vrl");
/// Step 2a of the program, for catalogs with a tag key rule.
const TAG_RULE: &str = include_str!("tag_rule.vrl");

/// Keys with at most this many templates in a tree leaf are compared one
/// by one.
const LEAF_KEYS: usize = 4;

/// Groups larger than this are tried in chunks of this many templates.
const CHUNK: usize = 8;

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
        Item::Opt(inner) if matches!(inner.as_slice(), [Item::AnyTag]) => first_words(rest),
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
    /// Under each of these dispatch keys.
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
            Some(words) => Placement::Keys(words),
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

    /// Length of `relaxed kind|weight|` in a ranked key.
    fn rank_prefix_len(&self) -> usize {
        self.weight_width + 4
    }

    fn entry(&self, p: &PatternInfo) -> &EntryInfo {
        &self.tables.entries[p.entry as usize]
    }

    /// Matches one template against `text`: `lr_c` gets the captures of
    /// an exact match, or the prefix and the rest of a prefix match, and
    /// `lr_re` the capture expression (to split a prefix match later).
    fn match_template(&self, p: &PatternInfo, text: &str) -> String {
        format!(
            "lr_re = {}\nlr_c = parse_regex({text}, lr_re) ?? parse_regex({text}, {}) ?? null\n",
            vrl_regex(&template_regex::capture(&p.items)),
            vrl_regex(&template_regex::prefix(&p.items)),
        )
    }

    /// `# key template`, to find a template in the program.
    fn comment(&self, p: &PatternInfo) -> String {
        let e = self.entry(p);
        format!("# {} {}\n", e.key, one_line(&e.template))
    }

    /// The names of a pattern's holes, in order (`g0`, `g1`, ...).
    fn hole_names(&self, p: &PatternInfo) -> String {
        let names: Vec<String> = template_regex::holes(&p.items)
            .iter()
            .map(|n| p.names.get(usize::from(*n)).cloned().unwrap_or_default())
            .collect();
        vrl_list(&names)
    }

    /// Tries one template on `lr_t` and records it in `lr_hits`.
    fn try_template(&self, p: &PatternInfo) -> String {
        let e = self.entry(p);
        let of_entry: Vec<&PatternInfo> = self
            .tables
            .patterns
            .iter()
            .filter(|q| q.entry == p.entry)
            .collect();
        let kv = kv_params(e, &of_entry);
        let kv_field = if kv.is_empty() {
            String::new()
        } else {
            format!(", \"kv\": {}", vrl_list(&kv))
        };
        let mut s = self.comment(p);
        let _ = writeln!(
            s,
            "if match(lr_t, {}) {{",
            vrl_regex(&template_regex::prefix_test(&p.items))
        );
        s.push_str(&indent(&self.match_template(p, "lr_t"), 2));
        // The engine's program scope: a template that names a program
        // matches strictly for that program, relaxed for a line without it
        // when its text is specific enough on its own, else not at all.
        // A strict match needs the line's pid to be a number when the tag
        // has a `[<PID>]`.
        // A line from another program the catalog knows never matches.
        // `lr_r`: the template's program is not the line's (4 in the
        // engine's relaxation bits); the hit also records the pattern's own
        // bits (`o`, a wider reading) and whether an alias counts (`v`),
        // which the ranking adds up once per hit rather than per template.
        let (relaxed, allowed) = match &p.program {
            None => ("false".to_string(), "true".to_string()),
            Some(prog) => (
                format!("lr_sp != {}", vrl_string(prog)),
                format!(
                    "(!lr_r && lr_pidok) || (lr_r && !lr_known && {})",
                    may_match_without_program(p)
                ),
            ),
        };
        let mut bits = String::new();
        if p.relaxed != 0 {
            let _ = write!(bits, ", \"o\": {}", p.relaxed);
        }
        if p.program.is_some() || matches!(p.scope, Scope::Programs(_)) {
            bits.push_str(", \"v\": true");
        }
        let pid = match p.tag_pid {
            Some(n) => vrl_string(&p.names[usize::from(n)]),
            None => "null".to_string(),
        };
        let _ = writeln!(s, "  lr_r = {relaxed}");
        let _ = writeln!(
            s,
            "  if {allowed} {{ lr_hits = set(lr_hits, [\"{}\"], {{\"k\": {}, \"n\": {}, \"c\": lr_c, \"x\": lr_re, \"r\": lr_r, \"pid\": {pid}{kv_field}{bits}}}) ?? lr_hits }}\n}}",
            self.rank(p),
            vrl_string(&e.key),
            self.hole_names(p),
        );
        s
    }

    /// The templates of one dispatch key. A large group is tried in chunks,
    /// each behind one test of all its templates at once (one regex, no
    /// captures): most lines then pay for a few chunk tests instead of a
    /// call per template, VRL's cost being mostly per call.
    fn group(&self, pats: &[usize]) -> String {
        let mut s = String::new();
        if pats.len() <= CHUNK {
            for &pi in pats {
                s.push_str(&self.try_template(&self.tables.patterns[pi]));
            }
            return s;
        }
        for chunk in pats.chunks(CHUNK) {
            let alts: Vec<String> = chunk
                .iter()
                .map(|&pi| template_regex::prefix_test(&self.tables.patterns[pi].items))
                .map(|re| format!("(?:{})", re.trim_start_matches(r"\A")))
                .collect();
            let _ = writeln!(
                s,
                "if match(lr_t, {}) {{",
                vrl_regex(&format!(r"\A(?:{})", alts.join("|")))
            );
            for &pi in chunk {
                s.push_str(&indent(&self.try_template(&self.tables.patterns[pi]), 2));
            }
            s.push_str("}\n");
        }
        s
    }

    /// Binary tree of comparisons on `lr_k` over sorted groups.
    fn tree(&self, groups: &[(&String, &Vec<usize>)]) -> String {
        if groups.len() <= LEAF_KEYS {
            let mut s = String::new();
            // Sequential rather than `else if`: VRL's type checker pays for
            // every level of nesting.
            for (k, pats) in groups {
                let _ = writeln!(s, "if lr_k == {} {{", vrl_string(k));
                s.push_str(&indent(&self.group(pats), 2));
                s.push_str("}\n");
            }
            return s;
        }
        let mid = groups.len() / 2;
        let mut s = String::new();
        let _ = writeln!(s, "if lr_k < {} {{", vrl_string(groups[mid].0));
        s.push_str(&indent(&self.tree(&groups[..mid]), 2));
        s.push_str("} else {\n");
        s.push_str(&indent(&self.tree(&groups[mid..]), 2));
        s.push_str("}\n");
        s
    }

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
            let _ = writeln!(s, "  lr_jn = {}", self.hole_names(p));
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
  lr_alias = get(@ALIASES@, [lr_ap]) ?? null
@GLOB_ALIASES@
  if lr_alias == null && (get(@KNOWN@, [lr_ap]) ?? null) == null { lr_views = ["rebuilt", "split"] }
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

/// The whole program for `tables` (the artifact's), and how it placed
/// the templates.
pub fn program(
    tables: &Tables,
    catalog_checksum: u64,
    style: OutputStyle,
    syslog_source: bool,
) -> (String, ProgramStats) {
    let max_weight = tables.patterns.iter().map(|p| p.weight).max().unwrap_or(0);
    let g = Generator {
        tables,
        weight_width: max_weight.to_string().len().max(1),
        entry_width: tables.entries.len().to_string().len(),
    };
    let mut stats = ProgramStats::default();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut always = String::new();
    for (i, p) in tables.patterns.iter().enumerate() {
        match placement(p) {
            Placement::Keys(keys) => {
                for k in keys {
                    groups.entry(k).or_default().push(i);
                }
            }
            Placement::Always => {
                stats.always += 1;
                always.push_str(&g.try_template(p));
            }
            Placement::Never => stats.key_only += 1,
        }
    }
    stats.dispatch_keys = groups.len();
    stats.largest_group = groups.values().map(Vec::len).max().unwrap_or(0);
    let sorted: Vec<(&String, &Vec<usize>)> = groups.iter().collect();
    let dispatch = g.tree(&sorted);

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

    let always_block = if always.is_empty() {
        String::new()
    } else {
        format!(
            "# Templates whose first word cannot be known in advance: every line.\nif lr_t != \"\" {{\n{}}}\n",
            indent(&always, 2)
        )
    };
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
        .replace("@JUNOS@\n", &indent(&junos, 6))
        .replace("@FIELD_RULES@\n", &indent(&field_rules, 4))
        .replace("@DISPATCH@\n", &indent(&dispatch, 2))
        .replace("@ALWAYS@\n", &always_block)
        .replace("@RANK_LEN@", &g.rank_prefix_len().to_string())
        .replace("@GLOB_ALIASES@\n", &glob_aliases(tables))
        .replace(
            "@ALIASES@",
            &vrl_object(
                &tables
                    .aliases
                    .iter()
                    .filter(|(a, _)| !a.contains('*'))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
        )
        .replace("@KNOWN@", &vrl_object(&known_programs(tables)));
    (text, stats)
}

/// The aliases written with `*` (any run of characters), tried in order
/// after the exact ones on `lr_ap`, setting `lr_alias`.
fn glob_aliases(tables: &Tables) -> String {
    let mut s = String::new();
    for (alias, program) in tables.aliases.iter().filter(|(a, _)| a.contains('*')) {
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

/// A VRL object literal of string pairs.
fn vrl_object(pairs: &[(String, String)]) -> String {
    let v: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}: {}", vrl_string(k), vrl_string(v)))
        .collect();
    format!("{{{}}}", v.join(", "))
}

/// The programs some template names ([`Tables::known_programs`]), each
/// mapped to itself: a line from one of them only matches its own templates.
fn known_programs(tables: &Tables) -> Vec<(String, String)> {
    tables
        .known_programs()
        .into_iter()
        .map(|p| (p.to_string(), p.to_string()))
        .collect()
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
    use logref_engine::ValueType;

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
        assert_eq!(first_words(&[tag, hole]), None);
        assert_eq!(
            first_words(&[Item::Opt(vec![lit("STATE_X:"), Item::Blank]), lit("down")]),
            Some(vec!["STATE_X".to_string(), "down".to_string()])
        );
    }
}

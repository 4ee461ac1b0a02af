//! logref for syslog-ng: the catalog exported as a pattern database.
//!
//! syslog-ng's `db-parser` classifies messages against a patterndb XML
//! file: rulesets chosen by the message's program, rules whose patterns
//! are literal text with typed parsers, and values a rule attaches to the
//! message it names. That is logref's catalog in syslog-ng's own terms, so
//! the export is a translation of the same artifact tables the plugin
//! embeds (like the Vector export), and nothing of it is on the plugin's
//! path:
//!
//! * each compiled template is a rule in the ruleset of its program (the
//!   program its template names, or each program of its source when it
//!   starts with a value), or in the ruleset for messages without a
//!   program; a template that names a program and has at least
//!   [`logref_engine::matcher::MIN_NO_PROGRAM_WEIGHT`] literal bytes is also a rule of a ruleset
//!   for messages without a program, as the engine's relaxed no-program
//!   match;
//! * each key rule is a ruleset of its own, looked up by the example
//!   configuration ([`conf`]) with the key's value as the message: an id
//!   field after syslog-ng's `kv-parser`, a tag word in the message or the
//!   RFC 5424 MSGID;
//! * every rule sets `logref.key`, `.id`, `.name`, `.severity`, ... and the
//!   template's parameters as `logref.params.<name>`, and carries test
//!   messages (`<examples>`) that `pdbtool test` checks.
//!
//! The XML is written by hand: it is a few element kinds and one escaping
//! function, and the output must be byte-stable for the checked-in copy.

pub mod conf;
pub mod pattern;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use logref_engine::artifact::{EntryInfo, KeyRule, Scope, Tables};
use logref_engine::matcher::{may_match_without_program, Relaxed};

/// File names written by [`Export::write`].
pub const PDB_FILE: &str = "logref.pdb";
pub const CONF_FILE: &str = "syslog-ng.conf";

/// The ruleset program of each key rule's lookup: `db-parser` is given this
/// as the program and the key's value as the message.
pub fn key_ruleset_program(rule: usize, key_rule: &KeyRule) -> String {
    match key_rule {
        KeyRule::Field { field, .. } => {
            format!("logref-key-{rule}-{}", pattern::value_name(field))
        }
        KeyRule::Tag => format!("logref-key-{rule}-tag"),
        KeyRule::Pattern(_) => format!("logref-key-{rule}-pattern"),
    }
}

/// The ruleset program of a tag rule's lookup with the text after the
/// tag: the key-only templates that pull the parameters out of it.
pub fn tag_text_ruleset_program(rule: usize) -> String {
    format!("logref-key-{rule}-tag-text")
}

/// The ruleset program of the relaxed copies of templates that name a
/// program, looked up for messages without one.
pub const RELAXED_RULESET_PROGRAM: &str = "logref-relaxed-no-program";

/// The prefix of parameter values (`logref.params.iface`).
pub const PARAM_PREFIX: &str = "logref.params.";

/// A message of the fixture corpus for one entry, as syslog-ng would see
/// it: the program (empty for none) and the message after the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub program: String,
    pub message: String,
    /// The parameters the engine extracts from it.
    pub params: BTreeMap<String, String>,
}

/// What goes into the export besides the tables.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Test messages per entry key (the fixture corpus); entries without
    /// one get no `<examples>`.
    pub examples: BTreeMap<String, Vec<Example>>,
    /// Rule ids (`key@ruleset`) whose test message is left out: the
    /// caller found that `pdbtool test` fails on it (see the README).
    pub omit_examples: std::collections::BTreeSet<String>,
    /// Where the example configuration reads lines from.
    pub log_file: String,
    /// Where the example configuration writes JSON.
    pub out_file: String,
    /// The directory the configuration names for the database.
    pub dir: String,
}

/// The generated files and what they hold.
#[derive(Debug, Clone)]
pub struct Export {
    pub pdb: String,
    pub conf: String,
    pub stats: Stats,
    /// Each test message written: (rule id, program, message).
    pub examples: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub rulesets: usize,
    pub rules: usize,
    pub patterns: usize,
    pub examples: usize,
    /// Entries with no rule at all.
    pub entries_without_rule: usize,
}

impl Export {
    pub fn write(&self, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(PDB_FILE), &self.pdb)?;
        std::fs::write(dir.join(CONF_FILE), &self.conf)
    }
}

/// Where a rule goes: syslog-ng picks a ruleset by the message's program.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ruleset {
    /// Messages of this program.
    Program(String),
    /// Templates without a program: messages without one, and (through
    /// the configuration's later lookups) any message its program's
    /// ruleset did not name.
    NoProgram,
    /// Templates that name a program, for messages without one: the
    /// engine's relaxed no-program match.
    Relaxed,
    /// The values of key rule `n`: an id, or a tag alone (`TAG`, `TAG:`,
    /// `TAG: anything`).
    Key(usize),
    /// A tag of key rule `n` and the text after it, as its entry's
    /// key-only template describes it (with the parameters). Apart from
    /// [`Ruleset::Key`], or the catch-all `TAG: anything` would match the
    /// same messages.
    KeyText(usize),
}

impl Ruleset {
    fn program(&self, tables: &Tables) -> Option<String> {
        match self {
            Ruleset::Program(p) => Some(p.clone()),
            Ruleset::NoProgram => None,
            Ruleset::Relaxed => Some(RELAXED_RULESET_PROGRAM.into()),
            Ruleset::Key(n) => Some(key_ruleset_program(*n, &tables.key_rules[*n])),
            Ruleset::KeyText(n) => Some(tag_text_ruleset_program(*n)),
        }
    }
    fn name(&self, tables: &Tables) -> String {
        self.program(tables)
            .unwrap_or_else(|| "logref: messages without a program".into())
    }
    /// The part of a rule id that tells rulesets apart.
    fn id(&self, tables: &Tables) -> String {
        match self {
            Ruleset::NoProgram => "-".into(),
            _ => self.name(tables),
        }
    }
}

/// One rule: an entry's patterns in one ruleset.
#[derive(Debug, Default)]
struct Rule {
    patterns: Vec<pattern::Rendered>,
    /// What its matches relax, as the engine's bits (a wider reading, a
    /// program alias, a template's program not on the line); 0: strict.
    relaxed: u8,
    /// The rule names its entry by a key rule.
    by_key: bool,
}

/// Generates the pattern database and the example configuration.
pub fn export(tables: &Tables, options: &Options) -> Export {
    let rulesets = rulesets(tables);
    let mut stats = Stats {
        rulesets: rulesets.len(),
        ..Stats::default()
    };
    let mut named = vec![false; tables.entries.len()];
    let mut examples = Vec::new();
    let mut pdb = String::new();
    pdb.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    pdb.push_str(
        "<!-- Generated by `logref export patterndb` from the logref artifact. Do not edit. -->\n",
    );
    // A fixed date: the file is reproducible from the artifact alone.
    pdb.push_str("<patterndb version=\"4\" pub_date=\"2026-12-01\">\n");
    for (rs, rules) in &rulesets {
        let rs_id = rs.id(tables);
        let _ = writeln!(
            pdb,
            "  <ruleset name=\"{}\" id=\"logref-ruleset:{}\">",
            xml(&rs.name(tables)),
            xml(&rs_id)
        );
        if let Some(p) = rs.program(tables) {
            let _ = writeln!(pdb, "    <pattern>{}</pattern>", xml(&p.replace('@', "@@")));
        }
        pdb.push_str("    <rules>\n");
        for (&(entry, relaxed), rule) in rules {
            let e = &tables.entries[entry];
            named[entry] = true;
            stats.rules += 1;
            stats.patterns += rule.patterns.len();
            // A wider reading of the same entry is a rule of its own.
            let rule_id = match relaxed {
                0 => format!("{}@{rs_id}", e.key),
                r => format!("{}~{r}@{rs_id}", e.key),
            };
            let example = if options.omit_examples.contains(&rule_id) {
                None
            } else {
                example_for(rs, rule, e, tables, options)
            };
            write_rule(
                &mut pdb,
                &rule_id,
                rule,
                e,
                example.as_ref().map(|x| x.xml.as_str()),
            );
            if let Some(x) = example {
                stats.examples += 1;
                examples.push((rule_id, x.program, x.message));
            }
        }
        pdb.push_str("    </rules>\n");
        pdb.push_str("  </ruleset>\n");
    }
    pdb.push_str("</patterndb>\n");
    stats.entries_without_rule = named.iter().filter(|n| !**n).count();
    let conf = conf::conf(tables, options);
    Export {
        pdb,
        conf,
        stats,
        examples,
    }
}

/// Writes one `<rule>`: its patterns, its test message (XML) if any, and
/// the values it sets.
fn write_rule(out: &mut String, id: &str, rule: &Rule, e: &EntryInfo, example: Option<&str>) {
    let _ = writeln!(
        out,
        "      <rule provider=\"logref\" id=\"{}\" class=\"logref\">",
        xml(id)
    );
    out.push_str("        <patterns>\n");
    for p in &rule.patterns {
        let _ = writeln!(out, "          <pattern>{}</pattern>", xml(&p.pattern));
    }
    out.push_str("        </patterns>\n");
    out.push_str(example.unwrap_or(""));
    out.push_str("        <values>\n");
    for (name, value) in values(e, rule) {
        let _ = writeln!(
            out,
            "          <value name=\"{}\">{}</value>",
            xml(&name),
            xml(&value)
        );
    }
    out.push_str("        </values>\n      </rule>\n");
}

/// Every rule, by ruleset then entry (both in a stable order).
fn rulesets(tables: &Tables) -> BTreeMap<Ruleset, BTreeMap<(usize, u8), Rule>> {
    let mut out: BTreeMap<Ruleset, BTreeMap<(usize, u8), Rule>> = BTreeMap::new();
    let mut add = |rs: Ruleset, entry: usize, patterns: &[pattern::Rendered], relaxed: u8| {
        if patterns.is_empty() {
            return;
        }
        let by_key = matches!(rs, Ruleset::Key(_) | Ruleset::KeyText(_));
        let rule = out
            .entry(rs)
            .or_default()
            .entry((entry, relaxed))
            .or_default();
        for p in patterns {
            if !rule.patterns.contains(p) {
                rule.patterns.push(p.clone());
            }
        }
        rule.relaxed = relaxed;
        rule.by_key |= by_key;
    };
    // Key-only templates pull the parameters out of the text after a key.
    let mut key_only: BTreeMap<usize, Vec<pattern::Rendered>> = BTreeMap::new();
    for info in &tables.patterns {
        // A wider reading (a catalog variant) would share the documented
        // template's ruleset, and syslog-ng's radix tree gives a message to
        // one rule only: the documented text is exported, its variants
        // are not (README, syslog-ng).
        if info.relaxed != 0 {
            continue;
        }
        let entry = info.entry as usize;
        let rendered = pattern::patterns(info, PARAM_PREFIX);
        let own = 0;
        // A program's other names (`charon-systemd`) get its rules too.
        let aliases_of = |p: &str| -> Vec<String> {
            tables
                .aliases
                .iter()
                // (Aliases written with `*` are not exported: a ruleset's
                // program is a literal name.)
                .filter(|(a, to)| to == p && !a.contains('*'))
                .map(|(a, _)| a.clone())
                .collect()
        };
        let alias = Relaxed::PROGRAM_ALIAS.bits();
        let no_program = Relaxed::NO_PROGRAM.bits();
        match (&info.scope, &info.program) {
            (Scope::KeyOnly, _) => key_only.entry(entry).or_default().extend(rendered),
            (Scope::Programs(programs), _) => {
                for p in programs {
                    add(Ruleset::Program(p.clone()), entry, &rendered, own);
                    for a in aliases_of(p) {
                        add(Ruleset::Program(a), entry, &rendered, own | alias);
                    }
                }
            }
            (Scope::Any, Some(p)) => {
                add(Ruleset::Program(p.clone()), entry, &rendered, own);
                for a in aliases_of(p) {
                    add(Ruleset::Program(a), entry, &rendered, own | alias);
                }
                if may_match_without_program(info) {
                    add(Ruleset::Relaxed, entry, &rendered, own | no_program);
                }
            }
            (Scope::Any, None) => add(Ruleset::NoProgram, entry, &rendered, own),
        }
    }
    for k in &tables.keys {
        let entry = k.entry as usize;
        let rule = usize::from(k.rule);
        let mut patterns = Vec::new();
        let plain = |p: String| pattern::Rendered {
            pattern: p,
            params: Vec::new(),
        };
        let value = k.value.replace('@', "@@");
        match &tables.key_rules[rule] {
            KeyRule::Pattern(_) => patterns.push(plain(value.clone())),
            KeyRule::Field { numeric, .. } => {
                patterns.push(plain(value.clone()));
                // Lines write the id as the document does, often with
                // leading zeros the numeric key dropped.
                if let Some(id) = &tables.entries[entry].vendor_id {
                    let id = id.replace('@', "@@");
                    if *numeric && id != value {
                        patterns.push(plain(id));
                    }
                }
            }
            KeyRule::Tag => {
                // `TAG: text` in the message, with the text's parameters
                // when a key-only template describes it ...
                let with_text: Vec<_> = key_only
                    .get(&entry)
                    .into_iter()
                    .flatten()
                    .map(|body| pattern::Rendered {
                        pattern: format!("{value}: {}", body.pattern),
                        params: body.params.clone(),
                    })
                    .collect();
                add(Ruleset::KeyText(rule), entry, &with_text, 0);
                // ... else the tag with any text, or alone (the MSGID).
                patterns.push(plain(format!("{value}: @ANYSTRING::@")));
                patterns.push(plain(format!("{value}:")));
                patterns.push(plain(value.clone()));
            }
        }
        add(Ruleset::Key(rule), entry, &patterns, 0);
    }
    // A pattern two entries share (a template documented twice, or the
    // relaxed copies of two programs' same text) can name only one of
    // them in a radix tree: the first in catalog order keeps it.
    for rules in out.values_mut() {
        let mut seen = std::collections::HashSet::new();
        for rule in rules.values_mut() {
            rule.patterns.retain(|p| seen.insert(p.pattern.clone()));
        }
        rules.retain(|_, r| !r.patterns.is_empty());
    }
    out
}

/// The values a rule sets: the entry as the plugin's `catalog` object
/// writes it, flattened under `logref.`.
fn values(e: &EntryInfo, rule: &Rule) -> Vec<(String, String)> {
    let mut v = vec![
        ("logref.key".to_string(), e.key.clone()),
        ("logref.vendor".into(), e.vendor.clone()),
        ("logref.product".into(), e.product.clone()),
    ];
    if let Some(id) = &e.vendor_id {
        v.push(("logref.id".into(), id.clone()));
    }
    if let Some(name) = &e.name {
        v.push(("logref.name".into(), name.clone()));
    }
    v.push(("logref.category".into(), e.category.clone()));
    v.push((
        "logref.severity".into(),
        logref_engine::severity_name(e.severity).into(),
    ));
    v.push(("logref.severity_code".into(), e.severity.to_string()));
    v.push(("logref.template".into(), e.template.clone()));
    if let Some(x) = &e.explanation {
        v.push(("logref.explanation".into(), x.clone()));
    }
    if let Some(a) = &e.action {
        v.push(("logref.action".into(), a.clone()));
    }
    let kind = if rule.by_key { "key" } else { "exact" };
    v.push(("logref.match".into(), kind.into()));
    if rule.relaxed != 0 {
        let names: Vec<&str> = Relaxed::from_bits(rule.relaxed).names().collect();
        v.push(("logref.relaxed".into(), names.join(",")));
    }
    v
}

/// A rule's test message, and its `<examples>` element.
struct TestMessage {
    program: String,
    message: String,
    xml: String,
}

/// The `<examples>` of a rule: one corpus message of its entry, as the
/// configuration hands it to this ruleset, with the key and the parameters
/// every pattern of the rule sets.
fn example_for(
    rs: &Ruleset,
    rule: &Rule,
    e: &EntryInfo,
    tables: &Tables,
    options: &Options,
) -> Option<TestMessage> {
    let examples = options.examples.get(&e.key)?;
    let (program, message, params) = match rs {
        Ruleset::Program(p) => {
            let ex = examples
                .iter()
                .find(|x| &x.program == p)
                .or_else(|| examples.first())?;
            (p.clone(), ex.message.clone(), &ex.params)
        }
        Ruleset::NoProgram | Ruleset::Relaxed => {
            let ex = examples.first()?;
            let program = rs.program(tables).unwrap_or_default();
            (program, ex.message.clone(), &ex.params)
        }
        Ruleset::Key(n) | Ruleset::KeyText(n) => {
            let ex = examples.first()?;
            let message = match &tables.key_rules[*n] {
                KeyRule::Field { .. } | KeyRule::Pattern(_) => e.vendor_id.clone()?,
                KeyRule::Tag => ex.message.clone(),
            };
            (rs.program(tables)?, message, &ex.params)
        }
    };
    // Only values every pattern of the rule sets: the example may match any.
    let common: Vec<&String> = params
        .keys()
        .filter(|k| {
            let name = format!("{PARAM_PREFIX}{}", pattern::value_name(k));
            !rule.patterns.is_empty() && rule.patterns.iter().all(|p| p.params.contains(&name))
        })
        .collect();
    // The configuration gives db-parser the message with each run of
    // blanks made one space (see `conf`).
    let message = one_space(&message);
    let mut s = String::new();
    s.push_str("        <examples>\n          <example>\n");
    let _ = writeln!(
        s,
        "            <test_message program=\"{}\">{}</test_message>",
        xml(&program),
        xml(&message)
    );
    s.push_str("            <test_values>\n");
    let _ = writeln!(
        s,
        "              <test_value name=\"logref.key\">{}</test_value>",
        xml(&e.key)
    );
    for k in common {
        let _ = writeln!(
            s,
            "              <test_value name=\"{PARAM_PREFIX}{}\">{}</test_value>",
            xml(&pattern::value_name(k)),
            xml(&params[k])
        );
    }
    s.push_str("            </test_values>\n          </example>\n        </examples>\n");
    Some(TestMessage {
        program,
        message,
        xml: s,
    })
}

/// `s` with each run of blanks (spaces, tabs) one space and none in front:
/// the text as the configuration hands it to db-parser.
pub fn one_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = true;
    for c in s.chars() {
        if c == ' ' || c == '\t' {
            if !blank {
                out.push(' ');
            }
            // (`blank` starts true: no space in front.)
            blank = true;
        } else {
            out.push(c);
            blank = false;
        }
    }
    out
}

/// XML text and attribute escaping.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

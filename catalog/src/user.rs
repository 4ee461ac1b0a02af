//! Catalogs users write: YAML, or CSV for people who keep their messages
//! in a spreadsheet. Each file is one [`Source`] and its entries, merged
//! with the built-in catalog by [`merge`] before `logref compile`.
//!
//! The formats are documented in `catalog/SCHEMA.md` ("User catalogs").
//! Placeholders are `<name>` (typed by the file's `types` table, default
//! one token) or `<name:type>`; the stored template keeps `<name>` only, so
//! that the compiler reads every catalog the same way.
//!
//! Errors name the file, the line and the field, and every error of a file
//! is reported, not only the first. The YAML reader (`serde_yaml_ng`, a
//! maintained fork of `serde_yaml`) stops at a malformed or mistyped field
//! and gives its line; the checks after it (keys, severities, types,
//! templates) run over every entry and find each entry's line by its key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::model::{Catalog, Entry, KeyRule, Param, ParamType, Severity, Source};
use crate::template::{self, Segment};

/// One problem in a user catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub file: String,
    /// 1-based line (CSV: the row's line), when known.
    pub line: Option<usize>,
    /// The field, when the problem is in one.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every error of one or more files, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserErrors(pub Vec<UserError>);

impl fmt::Display for UserErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UserErrors {}

/// A YAML catalog file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlFile {
    vendor: String,
    product: String,
    /// The source's name (default: the file name).
    source: Option<String>,
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    key_rules: Vec<KeyRule>,
    #[serde(default)]
    key_only: bool,
    /// Program -> other names its lines carry (`relaxed`, `program-alias`).
    #[serde(default)]
    aliases: BTreeMap<String, Vec<String>>,
    /// Placeholder name -> type, for the whole file.
    #[serde(default)]
    types: BTreeMap<String, String>,
    entries: Vec<RawEntry>,
}

/// One entry as a person writes it (YAML item or CSV row).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    key: String,
    template: Option<String>,
    /// A syslog name (`warning`, `err`, ...) or number 0-7.
    severity: Option<SeverityIn>,
    id: Option<String>,
    name: Option<String>,
    category: Option<String>,
    explanation: Option<String>,
    action: Option<String>,
    program: Option<String>,
    #[serde(default)]
    types: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SeverityIn {
    Code(i64),
    Name(String),
}

/// The columns a CSV catalog may have (`key` and `template` required; the
/// file-level ones repeat on every row and must agree).
const CSV_COLUMNS: &[&str] = &[
    "key",
    "template",
    "severity",
    "id",
    "name",
    "category",
    "explanation",
    "action",
    "program",
    "vendor",
    "product",
    "source",
];

/// Reads a user catalog (`.yaml`/`.yml` or `.csv`) into its source and
/// entries.
pub fn read(path: &Path) -> Result<(Source, Vec<Entry>), UserErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| one(&file, None, None, e.to_string()))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => from_yaml(&file, &stem, &text),
        Some("csv") => from_csv(&file, &stem, &text),
        _ => Err(one(
            &file,
            None,
            None,
            "a user catalog is a .yaml, .yml or .csv file".into(),
        )),
    }
}

fn one(file: &str, line: Option<usize>, field: Option<&str>, message: String) -> UserErrors {
    UserErrors(vec![UserError {
        file: file.to_string(),
        line,
        field: field.map(str::to_string),
        message,
    }])
}

/// Reads a YAML catalog's text.
pub fn from_yaml(file: &str, stem: &str, text: &str) -> Result<(Source, Vec<Entry>), UserErrors> {
    let y: YamlFile = serde_yaml_ng::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        // serde_yaml_ng prefixes the path of the failing field.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        one(file, line, None, msg)
    })?;
    let source = Source {
        name: y.source.unwrap_or_else(|| stem.to_string()),
        vendor: y.vendor,
        product: y.product,
        programs: y.programs,
        key_rules: y.key_rules,
        key_only: y.key_only,
        infixes: Vec::new(),
        aliases: y.aliases,
        variants: Vec::new(),
        why: None,
    };
    // Each entry's line: where its `key:` is written.
    let mut from = 0;
    let lines: Vec<Option<usize>> = y
        .entries
        .iter()
        .map(|e| {
            let found = text
                .lines()
                .enumerate()
                .skip(from)
                .find(|(_, l)| {
                    let t = l.trim_start().trim_start_matches("- ").trim_start();
                    t.strip_prefix("key:")
                        .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == e.key)
                })
                .map(|(i, _)| i);
            if let Some(i) = found {
                from = i + 1;
            }
            found.map(|i| i + 1)
        })
        .collect();
    build(file, source, &y.types, y.entries, &lines)
}

/// Reads a CSV catalog's text: a header row naming the columns, then one
/// entry per row.
pub fn from_csv(file: &str, stem: &str, text: &str) -> Result<(Source, Vec<Entry>), UserErrors> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let headers = rdr
        .headers()
        .map_err(|e| one(file, Some(1), None, e.to_string()))?
        .clone();
    for h in headers.iter() {
        if !CSV_COLUMNS.contains(&h) {
            errors.push(UserError {
                file: file.into(),
                line: Some(1),
                field: Some(h.to_string()),
                message: format!(
                    "unknown column; expected some of {}",
                    CSV_COLUMNS.join(", ")
                ),
            });
        }
    }
    for required in ["key", "vendor", "product"] {
        if !headers.iter().any(|h| h == required) {
            errors.push(UserError {
                file: file.into(),
                line: Some(1),
                field: Some(required.into()),
                message: "missing column".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(UserErrors(errors));
    }
    let mut entries = Vec::new();
    let mut lines = Vec::new();
    let mut file_fields: BTreeMap<&str, (String, usize)> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                errors.push(UserError {
                    file: file.into(),
                    line,
                    field: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let mut e = RawEntry::default();
        for (h, v) in headers.iter().zip(rec.iter()) {
            let v = v.trim();
            let opt = (!v.is_empty()).then(|| v.to_string());
            match h {
                "key" => e.key = v.to_string(),
                "template" => e.template = opt,
                "severity" => {
                    e.severity = opt.map(|s| match s.parse::<i64>() {
                        Ok(n) => SeverityIn::Code(n),
                        Err(_) => SeverityIn::Name(s),
                    })
                }
                "id" => e.id = opt,
                "name" => e.name = opt,
                "category" => e.category = opt,
                "explanation" => e.explanation = opt,
                "action" => e.action = opt,
                "program" => e.program = opt,
                field @ ("vendor" | "product" | "source") => match file_fields.get(field) {
                    Some((seen, at)) if seen != v => errors.push(UserError {
                        file: file.into(),
                        line: Some(line),
                        field: Some(field.into()),
                        message: format!(
                            "{v:?} differs from {seen:?} on line {at}: one file is one source"
                        ),
                    }),
                    Some(_) => {}
                    None => {
                        file_fields.insert(field, (v.to_string(), line));
                    }
                },
                _ => {}
            }
        }
        entries.push(e);
        lines.push(Some(line));
    }
    let field = |f: &str| file_fields.get(f).map(|(v, _)| v.clone());
    let source = Source {
        name: field("source").unwrap_or_else(|| stem.to_string()),
        vendor: field("vendor").unwrap_or_default(),
        product: field("product").unwrap_or_default(),
        programs: Vec::new(),
        key_rules: Vec::new(),
        key_only: false,
        infixes: Vec::new(),
        aliases: BTreeMap::new(),
        variants: Vec::new(),
        why: None,
    };
    match build(file, source, &BTreeMap::new(), entries, &lines) {
        Ok(x) if errors.is_empty() => Ok(x),
        Ok(_) => Err(UserErrors(errors)),
        Err(UserErrors(more)) => {
            errors.extend(more);
            Err(UserErrors(errors))
        }
    }
}

/// Checks every entry and turns it into a catalog [`Entry`].
fn build(
    file: &str,
    source: Source,
    file_types: &BTreeMap<String, String>,
    raw: Vec<RawEntry>,
    lines: &[Option<usize>],
) -> Result<(Source, Vec<Entry>), UserErrors> {
    let mut errors = Vec::new();
    let mut err = |line: Option<usize>, field: &str, message: String| {
        errors.push(UserError {
            file: file.into(),
            line,
            field: Some(field.into()),
            message,
        })
    };
    for (k, t) in file_types {
        if ParamType::parse(t).is_none() {
            err(None, &format!("types.{k}"), unknown_type(t));
        }
    }
    if source.vendor.trim().is_empty() {
        err(None, "vendor", "empty".into());
    }
    let mut keys: BTreeMap<String, Option<usize>> = BTreeMap::new();
    let mut entries = Vec::new();
    for (i, e) in raw.into_iter().enumerate() {
        let line = lines.get(i).copied().flatten();
        if e.key.trim().is_empty() {
            err(line, "key", "required".into());
        } else if let Some(first) = keys.insert(e.key.clone(), line) {
            let at = first.map_or(String::new(), |l| format!(" (first on line {l})"));
            err(line, "key", format!("{:?} is used twice{at}", e.key));
        }
        let severity = match &e.severity {
            None => Some(Severity::Info),
            Some(SeverityIn::Code(n)) => u8::try_from(*n)
                .ok()
                .filter(|n| *n <= 7)
                .map(severity_of_code),
            Some(SeverityIn::Name(s)) => Severity::from_vendor(s),
        };
        if severity.is_none() {
            err(
                line,
                "severity",
                "a syslog name (emergency ... debug, err, warn, ...) or a number 0-7".into(),
            );
        }
        for (k, t) in &e.types {
            if ParamType::parse(t).is_none() {
                err(line, &format!("types.{k}"), unknown_type(t));
            }
        }
        let identified_by_key = !source.key_rules.is_empty() && e.id.is_some();
        let raw_template = match (&e.template, identified_by_key) {
            (Some(t), _) if !t.trim().is_empty() => t.clone(),
            (_, true) => String::new(),
            _ => {
                err(
                    line,
                    "template",
                    "required (unless a key rule of the file identifies the entry by its id)"
                        .into(),
                );
                continue;
            }
        };
        // `<name:type>`: the type moves to the parameter list.
        let mut inline_types = BTreeMap::new();
        let template_text = strip_inline_types(&raw_template, &mut inline_types);
        for (k, t) in &inline_types {
            if ParamType::parse(t).is_none() {
                err(line, &format!("template <{k}:{t}>"), unknown_type(t));
            }
        }
        let type_of = |param: &str| {
            // `<*>`: any text, blanks included, possibly empty.
            if param == "*" || param.starts_with("*_") {
                return ParamType::Any;
            }
            let base = template::base_name(param);
            [&inline_types, &e.types, file_types]
                .iter()
                .find_map(|m| m.get(param).or_else(|| m.get(&base)))
                .and_then(|t| ParamType::parse(t))
                .unwrap_or(ParamType::String)
        };
        let params: Vec<Param> = template::parse(&template_text)
            .into_iter()
            .filter_map(|s| match s {
                Segment::Placeholder { param, .. } => Some(Param {
                    ty: type_of(&param),
                    name: param,
                }),
                Segment::Literal(_) => None,
            })
            .collect();
        let severity = severity.unwrap_or(Severity::Info);
        entries.push(Entry {
            key: e.key,
            source: source.name.clone(),
            source_line: line.unwrap_or(0),
            vendor: source.vendor.clone(),
            product: source.product.clone(),
            category: e.category.unwrap_or_default(),
            vendor_id: e.id,
            name: e.name,
            severity,
            severity_raw: severity.as_str().to_string(),
            template: template_text,
            params,
            truncated: false,
            explanation: e.explanation,
            action: e.action,
            lang: "en".into(),
            extra: BTreeMap::new(),
            program: e.program,
        });
    }
    if errors.is_empty() {
        Ok((source, entries))
    } else {
        Err(UserErrors(errors))
    }
}

fn unknown_type(t: &str) -> String {
    let all: Vec<&str> = ParamType::ALL.iter().map(|t| t.as_str()).collect();
    format!("unknown type {t:?}; expected one of {}", all.join(", "))
}

fn severity_of_code(n: u8) -> Severity {
    Severity::from_vendor(logref_engine::severity_name(n)).unwrap_or(Severity::Info)
}

/// `<ip:ipv4>` -> `<ip>`, recording `ip -> ipv4`. A `:` inside a
/// placeholder starts a type only when the rest is a known type name or
/// looks like one (letters, digits, `_`): other placeholders keep their
/// colons (`<HH:HH:HH:HH:HH:HH>`).
fn strip_inline_types(template: &str, types: &mut BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    for seg in template::parse(template) {
        match seg {
            Segment::Literal(l) => out.push_str(&l),
            Segment::Placeholder { name, .. } => match name.rsplit_once(':') {
                Some((n, t))
                    if !n.is_empty()
                        && t.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        && t.bytes().next().is_some_and(|b| b.is_ascii_lowercase()) =>
                {
                    types.insert(n.to_string(), t.to_string());
                    out.push('<');
                    out.push_str(n);
                    out.push('>');
                }
                _ => {
                    out.push('<');
                    out.push_str(&name);
                    out.push('>');
                }
            },
        }
    }
    out
}

/// Adds user sources and entries to `base` (the built-in catalog, or an
/// empty one): an error for a key or a source name used twice, naming both
/// places.
pub fn merge(
    base: &mut Catalog,
    files: Vec<(String, Source, Vec<Entry>)>,
) -> Result<(), UserErrors> {
    let mut errors = Vec::new();
    let mut keys: BTreeMap<String, String> = base
        .entries
        .iter()
        .map(|e| {
            (
                e.key.clone(),
                format!("the built-in catalog ({})", e.source),
            )
        })
        .collect();
    let mut sources: BTreeSet<String> = base.sources.iter().map(|s| s.name.clone()).collect();
    for (file, source, entries) in files {
        if !sources.insert(source.name.clone()) {
            errors.push(UserError {
                file: file.clone(),
                line: None,
                field: Some("source".into()),
                message: format!("source name {:?} is used by another catalog", source.name),
            });
        }
        for e in &entries {
            let here = format!("{file}:{}", e.source_line);
            if let Some(first) = keys.insert(e.key.clone(), here) {
                errors.push(UserError {
                    file: file.clone(),
                    line: Some(e.source_line),
                    field: Some("key".into()),
                    message: format!("{:?} is already defined in {first}", e.key),
                });
            }
        }
        base.sources.push(source);
        base.entries.extend(entries);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(UserErrors(errors))
    }
}

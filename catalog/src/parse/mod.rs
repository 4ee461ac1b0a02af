//! One parser per vendor document format, and what they share.
//!
//! Each parser turns one document's text into [`Entry`] values with the
//! document's own words; quirks of a format are handled in that format's
//! module, next to a test holding the quirky text. Hand decisions come
//! from [`Overrides`], never from code.

pub mod cos_core;
pub mod cos_stream;
pub mod junos;
pub mod nxr;
pub mod seil;

use std::collections::BTreeMap;

use crate::model::{Entry, Param, ParamType, Severity};
use crate::overrides::Overrides;
use crate::Error;

/// A document being parsed: its file name and its lines, numbered from 1.
pub struct Doc<'a> {
    pub file: &'a str,
    lines: Vec<&'a str>,
}

impl<'a> Doc<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Doc<'a> {
        Doc {
            file,
            lines: text.lines().collect(),
        }
    }

    /// `(line number, text)` pairs.
    pub fn numbered(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        self.lines.iter().enumerate().map(|(i, l)| (i + 1, *l))
    }

    pub fn err(&self, line: usize, expected: impl Into<String>) -> Error {
        let found = self
            .lines
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or("(end of file)");
        Error::parse(self.file, line, expected, found)
    }
}

/// Who wrote a document and how to read it.
pub struct SourceInfo {
    pub file: &'static str,
    pub vendor: &'static str,
    pub product: &'static str,
    /// Prefix of the entry keys of this document.
    pub key_prefix: &'static str,
    pub lang: &'static str,
    pub parse: fn(&Doc, &SourceInfo, &Overrides) -> Result<Vec<Entry>, Error>,
}

/// The five documents under `catalog/sources/`, in catalog order.
pub const SOURCES: &[SourceInfo] = &[
    SourceInfo {
        file: "000_3b287c3cc12531ae.txt",
        vendor: "Clavister",
        product: "cOS Core",
        key_prefix: "cos-core",
        lang: "en",
        parse: cos_core::parse,
    },
    SourceInfo {
        file: "001_57ef9ff72fe33cb2.txt",
        vendor: "IIJ",
        product: "SEIL",
        key_prefix: "seil",
        lang: "ja",
        parse: seil::parse,
    },
    SourceInfo {
        file: "002_a27fc28df689adb3.txt",
        vendor: "Clavister",
        product: "cOS Stream",
        key_prefix: "cos-stream",
        lang: "en",
        parse: cos_stream::parse,
    },
    SourceInfo {
        file: "003_36d23bcc90e79fc9.txt",
        vendor: "Century Systems",
        product: "FutureNet NXR",
        key_prefix: "nxr",
        lang: "ja",
        parse: nxr::parse,
    },
    SourceInfo {
        file: "004_26a94f5f5b7d6a2d.txt",
        vendor: "Juniper Networks",
        product: "Junos OS",
        key_prefix: "junos",
        lang: "en",
        parse: junos::parse,
    },
];

/// A key for entries that have no vendor id: a readable slug of the
/// template plus a hash of the entry's own template and explanation, so
/// that it depends on nothing but the entry itself.
pub fn derived_key(prefix: &str, template: &str, explanation: Option<&str>) -> String {
    let mut slug = String::new();
    for c in template.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let mut hashed = template.as_bytes().to_vec();
    hashed.push(b'\n');
    hashed.extend_from_slice(explanation.unwrap_or("").as_bytes());
    let h = logref_engine::fnv1a64(&hashed);
    format!("{prefix}:{slug}-{:06x}", h & 0xff_ffff)
}

/// The fields of an entry that every parser fills the same way.
pub struct EntryDraft<'a> {
    pub info: &'a SourceInfo,
    pub line: usize,
    pub key: String,
    pub category: String,
    pub vendor_id: Option<String>,
    pub name: Option<String>,
    pub severity_raw: String,
    pub template: String,
    /// The documented parameter list, or `None` when the parameters are the
    /// template's placeholders.
    pub params: Option<Vec<Param>>,
    pub truncated: bool,
    pub explanation: Option<String>,
    pub action: Option<String>,
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl EntryDraft<'_> {
    /// Applies the entry's reviewed correction (if any), types the
    /// parameters and checks the severity. `default_type` types a
    /// placeholder that neither the correction nor the per-source table
    /// types (the NXR document's own type table).
    pub fn finish(
        mut self,
        doc: &Doc,
        severity_line: usize,
        overrides: &Overrides,
        default_type: &dyn Fn(&str) -> Option<ParamType>,
    ) -> Result<Entry, Error> {
        let severity = Severity::from_vendor(&self.severity_raw).ok_or_else(|| {
            doc.err(
                severity_line,
                "a severity (emergency, alert, critical, error, warning, notice, info, debug)",
            )
        })?;
        let fix = overrides.entry_fix(&self.key);
        if let Some(fix) = fix {
            if let Some(t) = &fix.template {
                let before = crate::template::without_markup(&self.template);
                let after = crate::template::without_markup(t);
                if before != after && !fix.rewrites_text {
                    return Err(Error::Override {
                        file: crate::overrides::FILE_NAME.into(),
                        message: format!(
                            "[[entry]] {}: the template must read like the document without its \
                             markup (document: {before:?}, override: {after:?}); set \
                             `rewrites_text = true` if the text itself is corrected",
                            self.key
                        ),
                    });
                }
                let documented = std::mem::replace(&mut self.template, t.clone());
                self.extra.insert(
                    "documented_template".into(),
                    serde_json::Value::String(documented),
                );
            }
            if let Some(truncated) = fix.truncated {
                self.truncated = truncated;
            }
            if let Some(category) = &fix.category {
                self.category = category.clone();
            }
        }
        let type_of = |name: &str, param: &str| -> ParamType {
            fix.and_then(|f| f.types.get(param).or_else(|| f.types.get(name)))
                .and_then(|t| ParamType::parse(t))
                .or_else(|| overrides.placeholder_type(self.info.file, name))
                .or_else(|| default_type(name))
                .unwrap_or(ParamType::String)
        };
        let params = match self.params {
            Some(documented) => documented
                .into_iter()
                .map(|p| Param {
                    ty: type_of(&p.name, &p.name),
                    name: p.name,
                })
                .collect(),
            None => crate::template::parse(&self.template)
                .into_iter()
                .filter_map(|s| match s {
                    crate::template::Segment::Placeholder { name, param } => Some(Param {
                        ty: type_of(&name, &param),
                        name: param,
                    }),
                    crate::template::Segment::Literal(_) => None,
                })
                .collect(),
        };
        Ok(Entry {
            key: self.key,
            source: self.info.file.to_string(),
            source_line: self.line,
            vendor: self.info.vendor.to_string(),
            product: self.info.product.to_string(),
            category: self.category,
            vendor_id: self.vendor_id,
            name: self.name,
            severity,
            severity_raw: self.severity_raw,
            template: self.template,
            params,
            truncated: self.truncated,
            explanation: self.explanation,
            action: self.action,
            lang: self.info.lang.to_string(),
            extra: self.extra,
            program: None,
        })
    }
}

/// `None` for the documents' ways of saying "nothing": `None`, empty, or a
/// lone (non-breaking) space.
pub fn none_if_empty(value: &str) -> Option<String> {
    let v = value.trim_matches(|c: char| c.is_whitespace());
    if v.is_empty() || v == "None" {
        None
    } else {
        Some(v.to_string())
    }
}

/// The labelled fields of one entry: `(label, line of the label, value lines)`.
pub type Fields<'a> = Vec<(&'static str, usize, Vec<&'a str>)>;

/// One entry of a Clavister chapter: its heading, split by the format's
/// heading parser into two parts (name and id, or id and title), and the
/// lines below it.
pub struct Block<'a> {
    pub line: usize,
    /// The section number, `2.42.1`.
    pub section: String,
    pub heading: (String, String),
    pub body: Vec<(usize, &'a str)>,
}

/// `2.42.1.` followed by a space or NBSP: the section number and the rest.
pub fn section_heading(line: &str) -> Option<(&str, &str)> {
    let end = line.find(['\u{a0}', ' '])?;
    let (num, rest) = line.split_at(end);
    let rest = rest.trim_start_matches(['\u{a0}', ' ']);
    let ok = num.ends_with('.')
        && num.len() > 1
        && num.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !num.starts_with('.');
    ok.then_some((num.trim_end_matches('.'), rest))
}

/// Splits a Clavister chapter (`2.42. L2TP`, then `2.42.N. heading` per
/// entry; cOS Core and cOS Stream share this shape) into its title and its
/// entry blocks. `entry_heading` splits an entry heading's text; `expected`
/// says what it accepts, for the error.
pub fn clavister_chapter<'a>(
    doc: &Doc<'a>,
    entry_heading: fn(&str) -> Option<(&str, &str)>,
    expected: &str,
) -> Result<(String, Vec<Block<'a>>), Error> {
    let mut chapter: Option<String> = None;
    let mut blocks: Vec<Block<'a>> = Vec::new();
    for (n, line) in doc.numbered() {
        if let Some((num, rest)) = section_heading(line) {
            match num.split('.').count() {
                2 => {
                    chapter = Some(rest.trim().to_string());
                    continue;
                }
                3 => {
                    let (a, b) = entry_heading(rest).ok_or_else(|| doc.err(n, expected))?;
                    blocks.push(Block {
                        line: n,
                        section: num.to_string(),
                        heading: (a.to_string(), b.to_string()),
                        body: Vec::new(),
                    });
                    continue;
                }
                _ => {}
            }
        }
        // Lines before the first entry are the chapter introduction.
        if let Some(b) = blocks.last_mut() {
            b.body.push((n, line));
        }
    }
    let chapter = chapter.ok_or_else(|| doc.err(1, "a chapter heading `N.N. Category`"))?;
    if blocks.is_empty() {
        return Err(doc.err(1, "at least one entry heading"));
    }
    Ok((chapter, blocks))
}

/// Splits the lines of one labelled entry (Clavister style: a label line,
/// then its value on the following lines) into `(label, first line, value
/// lines)`, in document order. Lines before the first label are an error.
pub fn labelled_fields<'a>(
    doc: &Doc,
    lines: &[(usize, &'a str)],
    labels: &[&'static str],
) -> Result<Fields<'a>, Error> {
    let mut out: Fields<'a> = Vec::new();
    for &(n, line) in lines {
        let trimmed = line.trim_end();
        if let Some(&label) = labels.iter().find(|l| **l == trimmed) {
            out.push((label, n, Vec::new()));
            continue;
        }
        match out.last_mut() {
            Some((_, _, values)) => values.push(line),
            None if trimmed.trim().is_empty() => {}
            None => return Err(doc.err(n, format!("one of the labels {labels:?}"))),
        }
    }
    Ok(out)
}

/// Joins the value lines of a field: trailing blank lines dropped, lines
/// joined by one space.
pub fn join_value(values: &[&str]) -> String {
    let mut out = String::new();
    for v in values {
        let v = v.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r');
        if v.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(v);
    }
    out
}

//! `catalog/overrides.toml`: the reviewed hand corrections.
//!
//! The documents are kept unchanged; everything a person had to decide
//! about them lives here, each item with a `why`. The parsers and the
//! catalog builder read it; nothing in code special-cases an entry.
//! Every item must be used: a correction that no longer applies (because
//! the document or the key changed) is an error, not a silent no-op.

use std::cell::Cell;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{KeyRule, ParamType};
use crate::Error;

pub const FILE_NAME: &str = "overrides.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Placeholder types per source document, by placeholder name without
    /// its trailing number (`NUM` covers `NUM1`, `NUM2`, ...; see `template::base_name`).
    #[serde(default)]
    pub types: BTreeMap<String, BTreeMap<String, String>>,
    /// Where a table row's template ends, for rows whose explanation starts
    /// with English words (SEIL).
    #[serde(default)]
    pub split: Vec<Split>,
    /// Corrections of single entries, by key.
    #[serde(default)]
    pub entry: Vec<EntryFix>,
    /// Text that real daemons insert around a documented message, per
    /// source: written into the catalog's sources.
    #[serde(default)]
    pub infix: Vec<Infix>,
    /// Wider readings of a source's templates: written into the catalog's
    /// sources.
    #[serde(default)]
    pub variant: Vec<Variant>,
    /// How each source's lines are matched (programs, key rules, key-only
    /// templates): written into the catalog's sources.
    #[serde(default)]
    pub source: BTreeMap<String, SourceRules>,
    #[serde(skip)]
    used_splits: Vec<Cell<usize>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Split {
    pub source: String,
    pub template: String,
    pub why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryFix {
    pub key: String,
    pub why: String,
    /// A replacement template. Unless `rewrites_text` is set it may only add
    /// or move placeholder markup: without `<` `>` it must read as before.
    pub template: Option<String>,
    #[serde(default)]
    pub rewrites_text: bool,
    pub truncated: Option<bool>,
    pub category: Option<String>,
    /// Types of this entry's parameters, by parameter name.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
}

/// Matching rules of one source, as `catalog build` writes them into the
/// catalog's [`crate::model::Source`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRules {
    /// The templates identify nothing by themselves: they are only used to
    /// pull parameters out of a line whose key already named the entry.
    #[serde(default)]
    pub key_only: bool,
    /// Programs (syslog tags) that may send this source's messages.
    #[serde(default)]
    pub programs: Vec<String>,
    /// How a line names an entry by its id.
    #[serde(default)]
    pub key_rules: Vec<KeyRule>,
    /// Other names of the programs the templates name.
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    pub why: String,
}

/// Text a daemon really puts before or after a documented message: a
/// [`crate::model::Infix`] and the source it belongs to.
#[derive(Debug, Clone, Deserialize)]
pub struct Infix {
    pub source: String,
    #[serde(flatten)]
    pub infix: crate::model::Infix,
}

/// A [`crate::model::Variant`] and the source it belongs to.
#[derive(Debug, Clone, Deserialize)]
pub struct Variant {
    pub source: String,
    #[serde(flatten)]
    pub variant: crate::model::Variant,
}

impl Overrides {
    pub fn from_toml(text: &str) -> Result<Overrides, Error> {
        let mut o: Overrides = toml::from_str(text).map_err(|e| Error::Override {
            file: FILE_NAME.into(),
            message: e.to_string(),
        })?;
        for fix in &o.entry {
            if fix.why.trim().is_empty() {
                return Err(o.err(format!("[[entry]] {} has an empty `why`", fix.key)));
            }
            for t in fix.types.values() {
                o.check_type(t)?;
            }
        }
        for s in &o.split {
            if s.why.trim().is_empty() {
                return Err(o.err(format!("[[split]] {:?} has an empty `why`", s.template)));
            }
        }
        for i in &o.infix {
            if i.infix.why.trim().is_empty() {
                return Err(o.err(format!("[[infix]] for {} has an empty `why`", i.source)));
            }
        }
        for v in &o.variant {
            if v.variant.why.trim().is_empty() {
                return Err(o.err(format!("[[variant]] for {} has an empty `why`", v.source)));
            }
        }
        for (name, s) in &o.source {
            if s.why.trim().is_empty() {
                return Err(o.err(format!("[source.{name:?}] has an empty `why`")));
            }
        }
        for table in o.types.values() {
            for t in table.values() {
                o.check_type(t)?;
            }
        }
        o.used_splits = o.split.iter().map(|_| Cell::new(0)).collect();
        Ok(o)
    }

    fn err(&self, message: String) -> Error {
        Error::Override {
            file: FILE_NAME.into(),
            message,
        }
    }

    fn check_type(&self, t: &str) -> Result<ParamType, Error> {
        ParamType::parse(t).ok_or_else(|| {
            let all: Vec<&str> = ParamType::ALL.iter().map(|t| t.as_str()).collect();
            self.err(format!(
                "unknown parameter type {t:?}; expected one of {}",
                all.join(", ")
            ))
        })
    }

    /// The reviewed type of placeholder `name` in `source`, if any. The
    /// lookup tries the exact name first, then the name without its
    /// trailing digits.
    pub fn placeholder_type(&self, source: &str, name: &str) -> Option<ParamType> {
        let table = self.types.get(source)?;
        let base = crate::template::base_name(name);
        table
            .get(name)
            .or_else(|| table.get(&base))
            .and_then(|t| ParamType::parse(t))
    }

    /// The template a split correction gives for a row of `source` whose
    /// text (after the level) is `row`, marking the correction used.
    pub fn split_for(&self, source: &str, row: &str) -> Option<&str> {
        for (i, s) in self.split.iter().enumerate() {
            if s.source == source
                && row.starts_with(s.template.as_str())
                && row[s.template.len()..].starts_with(' ')
            {
                if let Some(c) = self.used_splits.get(i) {
                    c.set(c.get() + 1);
                }
                return Some(&s.template);
            }
        }
        None
    }

    /// Errors for split corrections of `source` that matched no row or
    /// several.
    pub fn check_splits_used(&self, source: &str) -> Result<(), Error> {
        for (s, used) in self.split.iter().zip(&self.used_splits) {
            if s.source == source && used.get() != 1 {
                return Err(self.err(format!(
                    "[[split]] {:?} for {} matched {} rows; it must match exactly one",
                    s.template,
                    s.source,
                    used.get()
                )));
            }
        }
        Ok(())
    }

    pub fn entry_fix(&self, key: &str) -> Option<&EntryFix> {
        self.entry.iter().find(|f| f.key == key)
    }
}

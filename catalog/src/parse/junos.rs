//! Juniper Networks Junos OS, System Log Messages reference (one chapter
//! per tag prefix).
//!
//! ```text
//! DYNAMIC System Log Messages      <- chapter: category is the prefix
//! DYNAMIC_VPN_AUTH_OK              <- the tag: vendor_id and name
//! System Log Message / Description / Type / Severity / Facility
//! ```
//! Each label and each value is a paragraph of its own. The variables of
//! the message were set in italics, which the extraction lost: `type
//! username is invalid` has two variables. The template with explicit
//! `<placeholders>` therefore comes from `overrides.toml`, which is
//! checked to read exactly like the document once the markup is removed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Doc, EntryDraft, SourceInfo};
use crate::model::Entry;
use crate::overrides::Overrides;
use crate::Error;

const LABELS: &[&str] = &[
    "System Log Message",
    "Description",
    "Type",
    "Severity",
    "Facility",
    "Action",
];

/// A tag of this chapter: `DYNAMIC_VPN_AUTH_OK` in chapter `DYNAMIC`
/// (`LOG_AUTH`, a facility, is not one).
fn is_tag(chapter: &str, line: &str) -> bool {
    line.strip_prefix(chapter)
        .is_some_and(|r| r.starts_with('_'))
        && line
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

pub fn parse(doc: &Doc, info: &SourceInfo, overrides: &Overrides) -> Result<Vec<Entry>, Error> {
    let mut chapter: Option<String> = None;
    // (tag line, tag, fields: (label, label line, paragraphs))
    type Fields<'a> = Vec<(&'static str, usize, Vec<&'a str>)>;
    let mut blocks: Vec<(usize, String, Fields)> = Vec::new();
    for (n, line) in doc.numbered() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if chapter.is_none() {
            let prefix = t
                .strip_suffix(" System Log Messages")
                .ok_or_else(|| doc.err(n, "a chapter title `PREFIX System Log Messages`"))?;
            chapter = Some(prefix.to_string());
            continue;
        }
        if chapter.as_deref().is_some_and(|c| is_tag(c, t)) {
            blocks.push((n, t.to_string(), Vec::new()));
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue; // chapter introduction
        };
        if let Some(&label) = LABELS.iter().find(|l| **l == t) {
            block.2.push((label, n, Vec::new()));
            continue;
        }
        match block.2.last_mut() {
            Some(field) => field.2.push(t),
            None => return Err(doc.err(n, format!("a label {LABELS:?} after the tag"))),
        }
    }
    let chapter = chapter.ok_or_else(|| doc.err(1, "a chapter title"))?;

    let mut entries = Vec::new();
    for (line, tag, fields) in blocks {
        let get = |label: &str| fields.iter().find(|f| f.0 == label);
        let text = |label: &str| get(label).map(|f| f.2.join(" ")).filter(|s| !s.is_empty());
        let (_, msg_line, _) = get("System Log Message")
            .ok_or_else(|| doc.err(line, "a `System Log Message` paragraph"))?;
        let documented =
            text("System Log Message").ok_or_else(|| doc.err(*msg_line + 1, "the message text"))?;
        let (_, sev_line, _) =
            get("Severity").ok_or_else(|| doc.err(line, "a `Severity` paragraph"))?;
        let key = format!("{}:{}", info.key_prefix, tag);
        let mut extra = BTreeMap::new();
        if let Some(facility) = text("Facility") {
            extra.insert("facility".into(), Value::String(facility));
        }
        if let Some(ty) = text("Type") {
            let (kind, description) = ty.split_once(':').unwrap_or((ty.as_str(), ""));
            extra.insert("type".into(), Value::String(kind.trim().to_string()));
            if !description.trim().is_empty() {
                extra.insert(
                    "type_description".into(),
                    Value::String(description.trim().to_string()),
                );
            }
        }
        let draft = EntryDraft {
            info,
            line,
            key,
            category: chapter.clone(),
            vendor_id: Some(tag.clone()),
            name: Some(tag),
            severity_raw: text("Severity").unwrap_or_default(),
            params: None,
            template: documented,
            truncated: false,
            explanation: text("Description"),
            action: text("Action"),
            extra,
        };
        entries.push(draft.finish(doc, *sev_line + 2, overrides, &|_| None)?);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIRKY: &str = "DYNAMIC System Log Messages\n\nThis chapter describes messages.\n\n\
DYNAMIC_VPN_AUTH_INVALID\n\nSystem Log Message\n\ntype username is invalid\n\nDescription\n\n\
The connection manager authentication failed due to invalid user/token\n\nType\n\n\
Event: This message reports an event, not an error\n\nSeverity\n\nerror\n\nFacility\n\nLOG_AUTH\n";

    #[test]
    fn paragraphs_and_lost_italics() {
        let doc = Doc::new("004_26a94f5f5b7d6a2d.txt", QUIRKY);
        let e = parse(&doc, &super::super::SOURCES[4], &Overrides::default()).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].key, "junos:DYNAMIC_VPN_AUTH_INVALID");
        assert_eq!(e[0].vendor_id, e[0].name);
        assert_eq!(e[0].category, "DYNAMIC");
        // Without the overrides the variables are plain words.
        assert_eq!(e[0].template, "type username is invalid");
        assert!(e[0].params.is_empty());
        assert_eq!(e[0].extra["facility"], "LOG_AUTH");
        assert_eq!(e[0].extra["type"], "Event");
    }
}

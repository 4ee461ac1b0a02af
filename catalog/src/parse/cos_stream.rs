//! Clavister cOS Stream, log reference (one chapter per category).
//!
//! ```text
//! 2.26. IPSEC
//! 2.26.1. [ID: 1683] Failed to add dynamic route     <- id and title
//! Log Categories / Log Message / Default Log Severity / Parameters /
//! Explanation / Gateway Action / Action Description / Proposed Action
//! ```
//! The `Log Message` is a fixed sentence; the parameters are a comma list
//! that the device sends as key=value pairs after the sentence. Quirks:
//! `Log Categories` may list several (`IPSEC,FRAG`); two ids share one
//! sentence (768 and 766); one `Action Description` is a lone space.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    clavister_chapter, join_value, labelled_fields, none_if_empty, Block, Doc, EntryDraft,
    SourceInfo,
};
use crate::model::{Entry, Param, ParamType};
use crate::overrides::Overrides;
use crate::Error;

const LABELS: &[&str] = &[
    "Log Categories",
    "Log Message",
    "Default Log Severity",
    "Parameters",
    "Explanation",
    "Gateway Action",
    "Action Description",
    "Proposed Action",
];

/// `[ID: 1683] Failed to add dynamic route`.
fn id_and_title(rest: &str) -> Option<(&str, &str)> {
    let rest = rest.strip_prefix("[ID: ")?;
    let close = rest.find(']')?;
    let id = &rest[..close];
    let title = rest[close + 1..].trim();
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !title.is_empty())
        .then_some((id, title))
}

pub fn parse(doc: &Doc, info: &SourceInfo, overrides: &Overrides) -> Result<Vec<Entry>, Error> {
    let (chapter, blocks) = clavister_chapter(
        doc,
        id_and_title,
        "an entry heading `N.N.N. [ID: digits] Title`",
    )?;
    let mut entries = Vec::new();
    for Block {
        line,
        section,
        heading: (id, title),
        body,
    } in blocks
    {
        let fields = labelled_fields(doc, &body, LABELS)?;
        let get = |label: &str| fields.iter().find(|f| f.0 == label);
        let need = |label: &str| {
            get(label).ok_or_else(|| doc.err(line, format!("a `{label}` field in this entry")))
        };
        let (_, sev_line, sev) = need("Default Log Severity")?;
        let (_, msg_line, msg) = need("Log Message")?;
        let template = join_value(msg);
        if template.is_empty() {
            return Err(doc.err(*msg_line + 1, "the log message sentence"));
        }
        let categories: Vec<String> = need("Log Categories")?
            .2
            .iter()
            .flat_map(|l| l.split(','))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        let category = if categories.contains(&chapter) {
            chapter.clone()
        } else {
            categories
                .first()
                .cloned()
                .unwrap_or_else(|| chapter.clone())
        };
        let params: Vec<Param> = get("Parameters")
            .map(|(_, _, v)| {
                v.iter()
                    .flat_map(|l| l.split(','))
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Param {
                        name: p.to_string(),
                        ty: ParamType::String,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let text = |label: &str| get(label).and_then(|(_, _, v)| none_if_empty(&join_value(v)));
        let mut extra = BTreeMap::new();
        extra.insert("section".into(), Value::String(section));
        extra.insert("title".into(), Value::String(title));
        extra.insert(
            "categories".into(),
            Value::Array(categories.into_iter().map(Value::String).collect()),
        );
        extra.insert(
            "gateway_action".into(),
            text("Gateway Action").map_or(Value::Null, Value::String),
        );
        extra.insert(
            "action_description".into(),
            text("Action Description").map_or(Value::Null, Value::String),
        );
        let draft = EntryDraft {
            info,
            line,
            key: format!("{}:{}", info.key_prefix, id),
            category,
            vendor_id: Some(id),
            name: None,
            severity_raw: join_value(sev),
            template,
            params: Some(params),
            truncated: false,
            explanation: text("Explanation"),
            action: text("Proposed Action"),
            extra,
        };
        entries.push(draft.finish(doc, *sev_line + 1, overrides, &|_| None)?);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIRKY: &str = "2.26.\u{a0}IPSEC\n\n\
2.26.16.\u{a0}[ID: 1682] Failed to remove dynamic route\n\nLog Categories\nIPSEC\nLog Message\n\
Failed to remove dynamic route.\nDefault Log Severity\nCritical\nParameters\ntable, network, iface\n\
Explanation\nThe system failed.\nGateway Action\nNone\nAction Description\n\u{a0}\nProposed Action\nReboot.\n\n\
2.26.19.\u{a0}[ID: 264] Packet too small\n\nLog Categories\nIPSEC,FRAG\nLog Message\nPacket too small.\n\
Default Log Severity\nNotice\nParameters\nseqno, pktlen, pkt\nExplanation\nToo small.\nGateway Action\nDrop\n\
Action Description\nNone\nProposed Action\n";

    #[test]
    fn lone_space_multi_category_and_empty_last_field() {
        let doc = Doc::new("002_a27fc28df689adb3.txt", QUIRKY);
        let e = parse(&doc, &super::super::SOURCES[2], &Overrides::default()).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].key, "cos-stream:1682");
        assert_eq!(e[0].extra["action_description"], Value::Null);
        assert_eq!(e[0].severity_raw, "Critical");
        assert_eq!(e[0].params.len(), 3);
        assert_eq!(e[1].category, "IPSEC");
        assert_eq!(
            e[1].extra["categories"],
            serde_json::json!(["IPSEC", "FRAG"])
        );
        assert_eq!(e[1].extra["gateway_action"], "Drop");
        assert_eq!(e[1].action, None);
    }
}

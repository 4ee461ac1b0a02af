//! Clavister cOS Core, Log Reference Guide (one chapter per category).
//!
//! ```text
//! 2.42. L2TP                                   <- chapter: category (NBSP after the number)
//! 2.42.1. l2tpclient_resolve_successful (ID: 02800001)
//! Default Severity / Log Message / Explanation / Firewall Action /
//! Recommended Action / Revision / Parameters   <- label lines, value below
//! ```
//! Quirks: the section number is followed by U+00A0; some entries have no
//! `Parameters` block; names are not unique (the id is).

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
    "Default Severity",
    "Log Message",
    "Explanation",
    "Firewall Action",
    "Recommended Action",
    "Revision",
    "Parameters",
];

/// `name (ID: 02800001)`.
fn name_and_id(rest: &str) -> Option<(&str, &str)> {
    let open = rest.rfind(" (ID: ")?;
    let id = rest[open + 6..].strip_suffix(')')?;
    let name = &rest[..open];
    let valid = !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && !name.contains(' ');
    valid.then_some((name, id))
}

pub fn parse(doc: &Doc, info: &SourceInfo, overrides: &Overrides) -> Result<Vec<Entry>, Error> {
    let (category, blocks) = clavister_chapter(
        doc,
        name_and_id,
        "an entry heading `N.N.N. name (ID: digits)`",
    )?;
    let mut entries = Vec::new();
    for Block {
        line,
        section,
        heading: (name, id),
        body,
    } in blocks
    {
        let fields = labelled_fields(doc, &body, LABELS)?;
        let get = |label: &str| fields.iter().find(|f| f.0 == label);
        let need = |label: &str| {
            get(label).ok_or_else(|| doc.err(line, format!("a `{label}` field in this entry")))
        };
        let (_, sev_line, sev) = need("Default Severity")?;
        let (_, msg_line, msg) = need("Log Message")?;
        let template = join_value(msg);
        if template.is_empty() {
            return Err(doc.err(*msg_line + 1, "the log message template"));
        }
        let mut extra = BTreeMap::new();
        extra.insert("section".into(), Value::String(section));
        if let Some((_, _, v)) = get("Firewall Action") {
            extra.insert(
                "firewall_action".into(),
                none_if_empty(&join_value(v)).map_or(Value::Null, Value::String),
            );
        }
        if let Some((_, _, v)) = get("Revision") {
            let rev = join_value(v);
            let value = rev.parse::<u64>().map_or(Value::String(rev), Value::from);
            extra.insert("revision".into(), value);
        }
        // Parameters: the documented list, in order, even those that do not
        // appear in the template; none when the block is absent.
        let params: Vec<Param> = get("Parameters")
            .map(|(_, _, v)| {
                v.iter()
                    .map(|p| p.trim())
                    .filter(|p| !p.is_empty())
                    .map(|p| Param {
                        name: p.to_string(),
                        ty: ParamType::String,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let draft = EntryDraft {
            info,
            line,
            key: format!("{}:{}", info.key_prefix, id),
            category: category.clone(),
            vendor_id: Some(id),
            name: Some(name),
            severity_raw: join_value(sev),
            template,
            params: Some(params),
            truncated: false,
            explanation: get("Explanation").and_then(|(_, _, v)| none_if_empty(&join_value(v))),
            action: get("Recommended Action").and_then(|(_, _, v)| none_if_empty(&join_value(v))),
            extra,
        };
        entries.push(draft.finish(doc, *sev_line + 1, overrides, &|_| None)?);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIRKY: &str = "2.42.\u{a0}L2TP\n\nThese log messages refer to the L2TP category.\n\n\
2.42.15.\u{a0}failure_init_radius_accounting (ID: 02800017)\n\nDefault Severity\nWARNING\n\
Log Message\nFailed to send Accounting Start to RADIUS Accounting Server. Accounting will be disabled\n\
Explanation\nFailed to send START message.\nFirewall Action\naccounting_disabled\nRecommended Action\n\
Make sure the server is reachable.\nRevision\n1\n\n\
2.42.16.\u{a0}l2tpclient_tunnel_up (ID: 02800018)\n\nDefault Severity\nNOTICE\nLog Message\n\
L2TP tunnel to <remotegw> is up. Tunnel ID: <tunnelid>\nExplanation\nL2TP tunnel negotiated successfully.\n\
Firewall Action\nNone\nRecommended Action\nNone\nRevision\n1\nParameters\niface\nremotegw\ntunnelid\n";

    #[test]
    fn nbsp_headings_and_missing_parameters() {
        let doc = Doc::new("000_3b287c3cc12531ae.txt", QUIRKY);
        let info = &super::super::SOURCES[0];
        let e = parse(&doc, info, &Overrides::default()).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].key, "cos-core:02800017");
        assert_eq!(e[0].category, "L2TP");
        assert!(e[0].params.is_empty());
        assert_eq!(e[0].extra["firewall_action"], "accounting_disabled");
        assert_eq!(e[0].source_line, 5);
        let names: Vec<_> = e[1].params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["iface", "remotegw", "tunnelid"]);
        assert_eq!(e[1].action, None);
        assert_eq!(e[1].extra["firewall_action"], Value::Null);
        assert_eq!(e[1].extra["revision"], 1);
    }

    #[test]
    fn bad_heading_names_file_and_line() {
        let text = "2.42.\u{a0}L2TP\n2.42.1.\u{a0}broken heading\n";
        let doc = Doc::new("000_x.txt", text);
        let err = parse(&doc, &super::super::SOURCES[0], &Overrides::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("000_x.txt:2: expected an entry heading"),
            "{err}"
        );
    }
}

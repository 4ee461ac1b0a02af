//! IIJ SEIL, log message list of one function (`function: l2tp`).
//!
//! ```text
//! function: l2tp
//! level ログ 意味                                  <- column header
//! error failed to accept: <error> ソケットの確立に失敗した。
//! 補足: ...                                         <- note on the row above
//! ```
//! Each row is `level template meaning`; the template is English, the
//! meaning Japanese. The template ends where the token holding the first
//! non-ASCII character starts, unless the meaning itself starts with
//! English words (`Control Message 送信に失敗した。`): those rows are named
//! in `overrides.toml` (`[[split]]`). A template may itself start with `<`
//! (`<Unknown Vendor-ID, Vendor=<vendor_code>, ...`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{derived_key, Doc, EntryDraft, SourceInfo};
use crate::model::{Entry, Severity};
use crate::overrides::Overrides;
use crate::Error;

const NOTE_PREFIX: &str = "補足:";

/// Splits `template meaning` at the token that holds the first non-ASCII
/// character.
fn default_split(row: &str) -> Option<(&str, &str)> {
    let first_non_ascii = row.char_indices().find(|(_, c)| !c.is_ascii())?.0;
    let token_start = row[..first_non_ascii].rfind(' ').map_or(0, |i| i + 1);
    let template = row[..token_start].trim_end();
    (!template.is_empty()).then(|| (template, row[token_start..].trim()))
}

pub fn parse(doc: &Doc, info: &SourceInfo, overrides: &Overrides) -> Result<Vec<Entry>, Error> {
    let mut function: Option<String> = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut notes: Vec<Vec<String>> = Vec::new();
    for (n, line) in doc.numbered() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some(f) = line.strip_prefix("function:") {
            function = Some(f.trim().to_string());
            continue;
        }
        if line.starts_with("level ") && entries.is_empty() {
            continue; // column header: level ログ 意味
        }
        if let Some(note) = line.strip_prefix(NOTE_PREFIX) {
            let Some(last) = notes.last_mut() else {
                return Err(doc.err(n, "a log row before the first `補足:` note"));
            };
            last.push(note.trim().to_string());
            continue;
        }
        let category = function
            .clone()
            .ok_or_else(|| doc.err(n, "a `function: NAME` line before the first row"))?;
        let (level, row) = line
            .split_once(' ')
            .ok_or_else(|| doc.err(n, "a row `level template meaning`"))?;
        if Severity::from_vendor(level).is_none() {
            return Err(doc.err(
                n,
                "a row starting with a level (error, warn, notice, info, debug)",
            ));
        }
        let (template, meaning) = match overrides.split_for(info.file, row) {
            Some(t) => (t, row[t.len()..].trim()),
            None => default_split(row)
                .ok_or_else(|| doc.err(n, "an English template followed by a Japanese meaning"))?,
        };
        let draft = EntryDraft {
            info,
            line: n,
            key: derived_key(info.key_prefix, template, Some(meaning)),
            category,
            vendor_id: None,
            name: None,
            severity_raw: level.to_string(),
            template: template.to_string(),
            params: None,
            truncated: false,
            explanation: Some(meaning.to_string()),
            action: None,
            extra: BTreeMap::new(),
        };
        entries.push(draft.finish(doc, n, overrides, &|_| None)?);
        notes.push(Vec::new());
    }
    for (entry, notes) in entries.iter_mut().zip(notes) {
        if !notes.is_empty() {
            let text = notes.join("\n");
            entry.extra.insert("note".into(), Value::String(text));
        }
    }
    overrides.check_splits_used(info.file)?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIRKY: &str = "function: l2tp\n\nlevel ログ 意味\n\
error set_pwe_param() failed l2tpパラメータのカーネルへのセットに失敗した。\n\
warn <Unknown Vendor-ID, Vendor=<vendor_code>, Type=<type>, Length=<len> 未知のVendor-IDを持つAVP headerを受信した。\n\
補足: 対向機器に問題がある可能性があります。\n\
warn failed to send control message. tunnel shutdown Control Message 送信に失敗した。\n\
debug [<tunnel_id>] control connection tie break check: local=<tie>, remote=<tie> トンネル確立のための Tie Break Check を行う。\n";

    const SPLIT: &str = r#"
[[split]]
source = "001_57ef9ff72fe33cb2.txt"
template = "failed to send control message. tunnel shutdown"
why = "the meaning starts with the English words `Control Message`"
"#;

    #[test]
    fn rows_notes_and_split_corrections() {
        let doc = Doc::new("001_57ef9ff72fe33cb2.txt", QUIRKY);
        let o = Overrides::from_toml(SPLIT).unwrap();
        let e = parse(&doc, &super::super::SOURCES[1], &o).unwrap();
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].template, "set_pwe_param() failed");
        assert_eq!(
            e[0].explanation.as_deref(),
            Some("l2tpパラメータのカーネルへのセットに失敗した。")
        );
        assert_eq!(
            e[1].template,
            "<Unknown Vendor-ID, Vendor=<vendor_code>, Type=<type>, Length=<len>"
        );
        assert_eq!(e[1].extra["note"], "対向機器に問題がある可能性があります。");
        assert_eq!(e[1].severity, Severity::Warning);
        assert_eq!(
            e[2].template,
            "failed to send control message. tunnel shutdown"
        );
        assert_eq!(
            e[2].explanation.as_deref(),
            Some("Control Message 送信に失敗した。")
        );
        let names: Vec<_> = e[3].params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["tunnel_id", "tie", "tie_2"]);
        assert!(
            e[3].key
                .starts_with("seil:tunnel-id-control-connection-tie-break"),
            "{}",
            e[3].key
        );
    }

    #[test]
    fn unused_split_is_an_error() {
        let doc = Doc::new(
            "001_57ef9ff72fe33cb2.txt",
            "function: l2tp\nerror l2tpd exit. 終了。\n",
        );
        let o = Overrides::from_toml(SPLIT).unwrap();
        let err = parse(&doc, &super::super::SOURCES[1], &o).unwrap_err();
        assert!(err.to_string().contains("matched 0 rows"), "{err}");
    }
}

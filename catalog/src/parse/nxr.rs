//! Century Systems FutureNet NXR series, syslog message list (a PDF turned
//! into text).
//!
//! ```text
//!  型 意味                          <- placeholder type table
//! <A.B.C.D> IPv4アドレス
//!  BGP                              <- section title (leading space)
//! メッセージ BGP: <A.B.C.D> -Outgoing [NETWORK] Connect Start
//! Priority INFO
//! 説明 ピアA.B.C.D に対し、...
//! ```
//! What the PDF did, and how this module undoes it:
//! - templates wrap over several lines until `Priority`: joined with one
//!   space, or none inside a placeholder cut after `.` or `/` (`<A.` +
//!   `B.C.D4/M4>`);
//! - page numbers (`27/40`), running section titles (a line with a leading
//!   space, a title after a page number, or a title glued before
//!   `メッセージ`) are dropped wherever they fall;
//! - spaces inside placeholders are removed (`< PID>`, `<NUM １ >` with a
//!   full-width digit, `<STRING1 >`), real inner spaces kept (`<ERR MESSAGE>`);
//! - the space inserted after a placeholder is removed before closing
//!   punctuation (`<PID> ]`, `<A.B.C.D> :500`, `"tunnel<NUM> "`) and a
//!   doubled one collapsed (`<STRING>  Mode`);
//! - a template whose last placeholder was cut at the end of a PDF line
//!   (`-<ERR`) is marked `truncated`; other cut templates are named in
//!   `overrides.toml`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{derived_key, Doc, EntryDraft, SourceInfo};
use crate::model::{Entry, ParamType};
use crate::overrides::Overrides;
use crate::Error;

const MARKER: &str = "メッセージ";
const EXPLANATION: &str = "説明";

/// The type a description in the document's type table stands for.
fn type_for_description(desc: &str) -> Option<ParamType> {
    Some(match desc.trim() {
        "プロセス番号" => ParamType::Int,
        "IPv4アドレス" => ParamType::Ipv4,
        "IPv4 Prefix" => ParamType::Ipv4Prefix,
        "IPv6アドレス" => ParamType::Ipv6,
        "IPv6 Prefix" => ParamType::Ipv6Prefix,
        "MACアドレス" => ParamType::Mac,
        "インタフェース名" => ParamType::Ifname,
        "数字、数値" => ParamType::Int,
        "文字列" => ParamType::String,
        "バージョン番号" => ParamType::Version,
        _ => return None,
    })
}

fn is_page_number(line: &str) -> bool {
    let t = line.trim();
    match t.split_once('/') {
        Some((a, b)) => {
            let (a, b) = (a.trim(), b.trim());
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// `Priority INFO` (sometimes with a leading space).
fn priority(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("Priority")?;
    let level = rest.trim();
    (!level.is_empty() && !level.contains(' ') && rest.starts_with([' ', '\t'])).then_some(level)
}

/// `メッセージ text`, possibly after a running title (`NXR メッセージ ...`).
/// Returns (glued title, text after the marker).
fn marker(line: &str) -> Option<(Option<&str>, &str)> {
    let t = line.trim();
    let pos = t.find(MARKER)?;
    let before = t[..pos].trim();
    let after = &t[pos + MARKER.len()..];
    if !(after.is_empty() || after.starts_with([' ', '\t', '\u{3000}'])) {
        return None;
    }
    if before.is_empty() {
        return Some((None, after.trim()));
    }
    // A glued title is a single ASCII word (`NXR`).
    (before.bytes().all(|b| b.is_ascii_alphanumeric())).then_some((Some(before), after.trim()))
}

/// A running section title: a line with one leading space that is not one
/// of the entry's own lines.
fn section_title(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(' ')?;
    let t = rest.trim();
    if t.is_empty() || rest.starts_with(' ') {
        return None;
    }
    if t.starts_with(MARKER) || t.starts_with(EXPLANATION) || priority(t).is_some() {
        return None;
    }
    Some(t)
}

/// A title that follows a page number on its own line (`MOBILE`).
fn bare_title(line: &str) -> Option<&str> {
    let t = line.trim();
    let ok = !t.is_empty()
        && t.len() <= 32
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b == b' ' || b.is_ascii_digit());
    ok.then_some(t)
}

/// Appends a wrapped template line.
fn join_template(acc: &mut String, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    if acc.is_empty() {
        acc.push_str(line);
        return;
    }
    let open = acc.rfind('<');
    let inside = open.is_some_and(|o| acc.rfind('>').is_none_or(|c| c < o));
    if !(inside && (acc.ends_with('.') || acc.ends_with('/'))) {
        acc.push(' ');
    }
    acc.push_str(line);
}

/// Appends a wrapped line of Japanese prose.
fn join_prose(acc: &mut String, line: &str) {
    let line = line.trim_matches(|c: char| c == ' ' || c == '\t');
    if line.is_empty() {
        return;
    }
    if acc.is_empty() {
        acc.push_str(line);
        return;
    }
    let starts_item = line.starts_with(['・', '\u{3000}', '【', '例', '"']);
    let prev = acc.chars().last().unwrap_or(' ');
    let next = line.chars().next().unwrap_or(' ');
    if starts_item {
        acc.push('\n');
    } else if prev.is_ascii() && next.is_ascii() && prev != '-' {
        acc.push(' ');
    }
    acc.push_str(line);
}

fn fullwidth_digit_to_ascii(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Undoes the spaces the PDF put inside and after placeholders. Returns the
/// cleaned template and whether its end was cut inside a placeholder.
pub fn clean_template(raw: &str) -> (String, bool) {
    // 1. Inside `<...>` (no nested `<`): full-width digits, edge spaces,
    //    and the space before a trailing number (`NUM 1`).
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('>');
        let next_open = after.find('<');
        match close {
            Some(c) if next_open.is_none_or(|o| o > c) => {
                let inner: String = after[..c].chars().map(fullwidth_digit_to_ascii).collect();
                let mut inner = inner.trim().to_string();
                if let Some((head, num)) = inner.rsplit_once(' ') {
                    if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) {
                        inner = format!("{}{num}", head.trim_end());
                    }
                }
                out.push('<');
                out.push_str(&inner);
                out.push('>');
                rest = &after[c + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);

    // 2. After a placeholder: `> ]` -> `>]`, `>  x` -> `> x`.
    let mut cleaned = String::with_capacity(out.len());
    let chars: Vec<char> = out.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        cleaned.push(c);
        i += 1;
        let closes_placeholder = c == '>' && placeholder_closed_at(&cleaned);
        if closes_placeholder && chars.get(i) == Some(&' ') {
            let spaces = chars[i..].iter().take_while(|c| **c == ' ').count();
            let next = chars.get(i + spaces).copied();
            let next2 = chars.get(i + spaces + 1).copied();
            let glue = spaces == 1
                && match next {
                    Some(
                        ']' | ')' | '.' | ',' | ':' | ';' | '\'' | '"' | '/' | '}' | '_' | '['
                        | '{',
                    ) => true,
                    Some('-') => next2.is_some_and(|n| n.is_ascii_alphanumeric() || n == '<'),
                    _ => false,
                };
            if glue {
                i += spaces;
            } else if spaces >= 2 {
                cleaned.push(' ');
                i += spaces;
            }
        }
    }

    // 3. A placeholder cut at the end: drop the fragment, mark truncated.
    let mut truncated = false;
    if let Some(open) = cleaned.rfind('<') {
        let tail = &cleaned[open + 1..];
        if !tail.contains('>') && crate::template::placeholder_len(&format!("{tail}>")).is_some() {
            cleaned.truncate(open);
            truncated = true;
        }
    }
    (cleaned.trim().to_string(), truncated)
}

/// Whether the `>` just pushed closes a `<name>` placeholder.
fn placeholder_closed_at(s: &str) -> bool {
    let body = &s[..s.len() - 1];
    match body.rfind('<') {
        Some(open) => crate::template::placeholder_len(&s[open + 1..]).is_some(),
        None => false,
    }
}

/// The program that wrote the message: `pluto[<PID>]:` -> `pluto`.
pub fn program(template: &str) -> Option<&str> {
    let end = template.find(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))?;
    if end == 0 {
        return None;
    }
    let name = &template[..end];
    let rest = &template[end..];
    let rest = if let Some(r) = rest.strip_prefix('[') {
        &r[r.find(']')? + 1..]
    } else if rest.starts_with('<') {
        &rest[rest.find(']')? + 1..]
    } else {
        rest
    };
    rest.starts_with(':').then_some(name)
}

struct Pending {
    line: usize,
    template: String,
    severity: Option<(usize, String)>,
    explanation: String,
    in_explanation: bool,
}

pub fn parse(doc: &Doc, info: &SourceInfo, overrides: &Overrides) -> Result<Vec<Entry>, Error> {
    let mut types: BTreeMap<String, ParamType> = BTreeMap::new();
    let mut in_type_table = false;
    let mut section: Option<String> = None;
    let mut after_page_number = false;
    let mut pending: Vec<(Pending, Option<String>)> = Vec::new();

    for (n, line) in doc.numbered() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if is_page_number(t) {
            after_page_number = true;
            continue;
        }
        if after_page_number {
            after_page_number = false;
            if let Some(title) = bare_title(t) {
                section = Some(title.to_string());
                continue;
            }
        }
        if let Some((glued, text)) = marker(line) {
            if let Some(title) = glued {
                section = Some(title.to_string());
            }
            pending.push((
                Pending {
                    line: n,
                    template: text.to_string(),
                    severity: None,
                    explanation: String::new(),
                    in_explanation: false,
                },
                section.clone(),
            ));
            continue;
        }
        if let Some(title) = section_title(line) {
            if title.starts_with('型') {
                in_type_table = true;
            } else if title.starts_with("ver") && pending.is_empty() {
                // revision history header
            } else {
                in_type_table = false;
                section = Some(title.to_string());
            }
            continue;
        }
        let Some((entry, _)) = pending.last_mut() else {
            if in_type_table {
                let (name, desc) = t
                    .strip_prefix('<')
                    .and_then(|r| r.split_once('>'))
                    .ok_or_else(|| doc.err(n, "a type table row `<NAME> description`"))?;
                let ty = type_for_description(desc).ok_or_else(|| {
                    doc.err(
                        n,
                        "a known type description (IPv4アドレス, 数字、数値, ...)",
                    )
                })?;
                types.insert(name.to_string(), ty);
            }
            continue; // revision history
        };
        if let Some(level) = priority(t) {
            if entry.severity.is_some() {
                return Err(doc.err(n, "one `Priority` line per entry"));
            }
            entry.severity = Some((n, level.to_string()));
            continue;
        }
        if entry.severity.is_none() {
            join_template(&mut entry.template, t);
            continue;
        }
        if let Some(rest) = t.strip_prefix(EXPLANATION) {
            entry.in_explanation = true;
            join_prose(&mut entry.explanation, rest);
            continue;
        }
        if !entry.in_explanation {
            return Err(doc.err(n, "`説明` or the next `メッセージ` after `Priority`"));
        }
        join_prose(&mut entry.explanation, t);
    }

    let mut entries = Vec::new();
    for (p, section) in pending {
        let (sev_line, severity) = p
            .severity
            .ok_or_else(|| doc.err(p.line, "a `Priority LEVEL` line after the message"))?;
        let (template, truncated) = clean_template(&p.template);
        if template.is_empty() {
            return Err(doc.err(p.line, "a message template after `メッセージ`"));
        }
        let explanation = (!p.explanation.is_empty()).then_some(p.explanation);
        let mut extra = BTreeMap::new();
        let program = program(&template).map(str::to_string);
        if let Some(prog) = &program {
            extra.insert("program".into(), Value::String(prog.clone()));
        }
        let category = program
            .or(section)
            .ok_or_else(|| doc.err(p.line, "a section title before the first entry"))?;
        let draft = EntryDraft {
            info,
            line: p.line,
            key: derived_key(info.key_prefix, &template, explanation.as_deref()),
            category,
            vendor_id: None,
            name: None,
            severity_raw: severity,
            template,
            params: None,
            truncated,
            explanation,
            action: None,
            extra,
        };
        let table_type = |name: &str| {
            let base = crate::template::base_name(name);
            types.get(name).or_else(|| types.get(&base)).copied()
        };
        entries.push(draft.finish(doc, sev_line, overrides, &table_type)?);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_spaces_are_undone() {
        assert_eq!(
            clean_template("pdnsd[<PID> ]: Caught signal 15.").0,
            "pdnsd[<PID>]: Caught signal 15."
        );
        assert_eq!(
            clean_template("mobile_activate[< PID> ]: x").0,
            "mobile_activate[<PID>]: x"
        );
        assert_eq!(
            clean_template("charon: <NUM １ > [IKE] IKE_SA deleted").0,
            "charon: <NUM1>[IKE] IKE_SA deleted"
        );
        assert_eq!(
            clean_template("pluto[<PID> ]: \"tunnel<NUM1> \" #<NUM2> : initiating <STRING>  Mode")
                .0,
            "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: initiating <STRING> Mode"
        );
        assert_eq!(
            clean_template("dhclient: bound to <A.B.C.D> -- renewal in <NUM> seconds.").0,
            "dhclient: bound to <A.B.C.D> -- renewal in <NUM> seconds."
        );
        assert_eq!(
            clean_template("pppd[<PID> ]: Connect: <IFNAME1> <--> <DEVICE>").0,
            "pppd[<PID>]: Connect: <IFNAME1> <--> <DEVICE>"
        );
        assert_eq!(
            clean_template("ppp-mobile-dialer: <STRING1 > dialer").0,
            "ppp-mobile-dialer: <STRING1> dialer"
        );
    }

    #[test]
    fn cut_placeholder_marks_truncated() {
        let (t, cut) =
            clean_template("BGP: <A.B.C.D> -Outgoing [NETWORK] Sock Status: <ERRNO> -<ERR");
        assert!(cut);
        assert_eq!(t, "BGP: <A.B.C.D>-Outgoing [NETWORK] Sock Status: <ERRNO>-");
    }

    #[test]
    fn wrapped_placeholder_is_joined() {
        let mut acc = String::from("<A.B.C.D3> [<YYYYYY> ]===<A.");
        join_template(&mut acc, "B.C.D4/M4>");
        assert_eq!(acc, "<A.B.C.D3> [<YYYYYY> ]===<A.B.C.D4/M4>");
        let mut acc = String::from("Err: <ERRNO> -<ERR");
        join_template(&mut acc, "MESSAGE>");
        assert_eq!(acc, "Err: <ERRNO> -<ERR MESSAGE>");
    }

    #[test]
    fn programs() {
        assert_eq!(program("pluto[<PID>]: shutting down"), Some("pluto"));
        assert_eq!(program("charon: <NUM> [DMN] x"), Some("charon"));
        assert_eq!(
            program("mobile_inactivate<PID>]: card removed."),
            Some("mobile_inactivate")
        );
        assert_eq!(program("Killing pppd"), None);
        assert_eq!(program("-- MARK --"), None);
    }

    const QUIRKY: &str = " 型 意味\n<PID> プロセス番号\n<A.B.C.D> IPv4アドレス\n<NUM> 数字、数値\n BGP\n\n\
メッセージ BGP: <A.B.C.D> -Outgoing [NETWORK] Sock Status: <ERRNO> -<ERR\nPriority INFO\n\n説明\n\
ピアA.B.C.D とのTCP接続の結果を示す。ERRNOはエラー番号を、ERR MESSAGE\nはその意味を示す。\n\
メッセージ\npluto[<PID> ]: \"tunnel<NUM1> \" #<NUM2> : NAT-Traversal: Result using RFC\n3947: i am NATed\n\n IPsec\n\n\
Priority WARNING\n説明 tunnelNUM1で自身がNATされた。\n27/40\nMOBILE\n\
NXR メッセージ system: cpu:<NUM1> mem:<NUM2> kb  session:<NUM3>  temper:<NUM4>\n Priority ERR\n";

    #[test]
    fn artefacts_wraps_and_titles() {
        let doc = Doc::new("003_36d23bcc90e79fc9.txt", QUIRKY);
        let e = parse(&doc, &super::super::SOURCES[3], &Overrides::default()).unwrap();
        assert_eq!(e.len(), 3);
        assert!(e[0].truncated);
        assert_eq!(e[0].category, "BGP");
        assert_eq!(
            e[0].explanation.as_deref(),
            Some("ピアA.B.C.D とのTCP接続の結果を示す。ERRNOはエラー番号を、ERR MESSAGEはその意味を示す。")
        );
        let types: Vec<_> = e[0]
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.ty))
            .collect();
        assert_eq!(
            types,
            [("A.B.C.D", ParamType::Ipv4), ("ERRNO", ParamType::String)]
        );
        assert_eq!(
            e[1].template,
            "pluto[<PID>]: \"tunnel<NUM1>\" #<NUM2>: NAT-Traversal: Result using RFC 3947: i am NATed"
        );
        assert_eq!(e[1].params[1].ty, ParamType::Int);
        assert_eq!(
            e[1].explanation.as_deref(),
            Some("tunnelNUM1で自身がNATされた。")
        );
        assert_eq!(
            e[2].template,
            "system: cpu:<NUM1> mem:<NUM2> kb  session:<NUM3> temper:<NUM4>"
        );
        assert_eq!(e[2].severity, crate::model::Severity::Error);
    }
}

//! The enrichment table: one CSV row per catalog entry, read by Vector's
//! `file` enrichment table and looked up by `key`.
//!
//! Vector's CSV reader takes RFC 4180 quoting (a field with a comma, quote
//! or line break is quoted, quotes doubled), which is what is written. A
//! missing value (no vendor id, no recommended action) is an empty field;
//! the program turns it back into `null`.

use logref_engine::artifact::Tables;
use logref_engine::severity_name;

/// The columns, in order.
pub const COLUMNS: [&str; 11] = [
    "key",
    "vendor",
    "product",
    "id",
    "name",
    "category",
    "severity",
    "severity_code",
    "template",
    "explanation",
    "action",
];

fn push_field(out: &mut String, v: &str) {
    if v.contains([',', '"', '\n', '\r']) || v.starts_with(' ') || v.ends_with(' ') {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// The table as CSV text with a header row.
pub fn csv(tables: &Tables) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for e in &tables.entries {
        let code = e.severity.min(7).to_string();
        let row: [&str; 11] = [
            &e.key,
            &e.vendor,
            &e.product,
            e.vendor_id.as_deref().unwrap_or(""),
            e.name.as_deref().unwrap_or(""),
            &e.category,
            severity_name(e.severity),
            &code,
            &e.template,
            e.explanation.as_deref().unwrap_or(""),
            e.action.as_deref().unwrap_or(""),
        ];
        for (i, f) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(&mut out, f);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let mut s = String::new();
        push_field(&mut s, "a, \"b\"\nc");
        assert_eq!(s, "\"a, \"\"b\"\"\nc\"");
        let mut s = String::new();
        push_field(&mut s, "plain");
        assert_eq!(s, "plain");
    }
}

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

/// Reads the CSV back (for the tests' enrichment-table function and
/// `logref enrich --engine vrl`): rows of (column, value).
pub fn parse_csv(text: &str) -> Result<Vec<Vec<(String, String)>>, String> {
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut field = String::new();
    let mut record: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut line = 1usize;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                line += 1;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(format!("line {line}: unterminated quoted field"));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    let mut it = records.into_iter();
    let header = it.next().ok_or("empty table: expected a header row")?;
    let mut rows = Vec::new();
    for (i, r) in it.enumerate() {
        if r.len() != header.len() {
            return Err(format!(
                "row {}: {} fields, the header has {}",
                i + 2,
                r.len(),
                header.len()
            ));
        }
        rows.push(header.iter().cloned().zip(r).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips() {
        let mut s = String::new();
        push_field(&mut s, "a, \"b\"\nc");
        assert_eq!(s, "\"a, \"\"b\"\"\nc\"");
        let rows = parse_csv(&format!("x,y\n{s},plain\n")).unwrap();
        assert_eq!(rows[0][0].1, "a, \"b\"\nc");
        assert_eq!(rows[0][1].1, "plain");
        assert!(parse_csv("x,y\n1\n").unwrap_err().contains("row 2"));
    }
}

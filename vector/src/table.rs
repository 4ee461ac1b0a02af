//! The enrichment table: one CSV row per catalog entry, read by Vector's
//! `file` enrichment table and looked up by `key`.
//!
//! Vector's CSV reader takes RFC 4180 quoting (a field with a comma, quote
//! or line break is quoted, quotes doubled), which is what is written. A
//! missing value (no vendor id, no recommended action) is an empty field;
//! the program turns it back into `null`. The last column, `ints`, names
//! the entry's parameters of type `int` (separated by `|`): the program
//! writes their integer values as numbers, as the plugin does; it is empty
//! for every row when values are to stay strings.

use logref_engine::artifact::Tables;
use logref_engine::{severity_name, ValueType};

/// The columns, in order.
pub const COLUMNS: [&str; 12] = [
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
    "ints",
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

/// The table as CSV text with a header row; `typed_values` fills `ints`.
pub fn csv(tables: &Tables, typed_values: bool) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for e in &tables.entries {
        let code = e.severity.min(7).to_string();
        let ints: Vec<&str> = e
            .params
            .iter()
            .filter(|(_, t)| typed_values && *t == ValueType::Int)
            .map(|(n, _)| n.as_str())
            .collect();
        let ints = ints.join("|");
        let row: [&str; 12] = [
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
            &ints,
        ];
        push_row(&mut out, &row);
    }
    out
}

/// One CSV record (fields quoted where needed) and its line break.
pub fn push_row(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, f);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_names_the_int_parameters_unless_values_stay_strings() {
        let m = logref_default_artifact::matcher().unwrap();
        let ints = |typed: bool| -> Vec<String> {
            csv(m.tables(), typed)
                .lines()
                .skip(1)
                .filter(|l| l.starts_with("nxr:pppd-pid-connect-ifname1-device-"))
                .map(|l| l.rsplit(',').next().unwrap().to_string())
                .collect()
        };
        assert_eq!(ints(true), ["PID"]);
        assert_eq!(ints(false), [""]);
    }

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

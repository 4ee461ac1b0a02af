//! `logref coverage --html`: the report as one self-contained page (inline
//! style, no script, no network), for people who would rather look than
//! read: a bar per program (identified exactly, by prefix or key, relaxed,
//! not identified) and the table of shapes.

use std::fmt::Write as _;

use super::report::{Report, Tally};
use super::NO_PROGRAM;

/// Escapes text for HTML element content and attribute values: the
/// escaping the syslog-ng export already does for XML (`&apos;` is HTML5 too;
/// control characters, which a page cannot show, become U+FFFD).
pub fn escape(s: &str) -> String {
    logref_syslog_ng::xml(s)
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{padding:2px 8px;text-align:left;vertical-align:top}\
th{border-bottom:1px solid #999}td.n{text-align:right;font-variant-numeric:tabular-nums}\
.bar{display:flex;width:360px;height:14px;background:#eee}.bar span{display:block;height:14px}\
.exact{background:#2e7d32}.relaxed{background:#fbc02d}.miss{background:#c62828}\
code{font-size:13px}.ex{color:#666}";

/// The page, with the `top` largest programs and shapes.
pub fn page(r: &Report, top: usize) -> String {
    let mut h = String::new();
    let t = &r.total;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>logref coverage</title><style>{STYLE}</style></head><body>\n\
         <h1>logref coverage</h1>\n<p>{} lines, {} identified ({:.1}%), {} not identified, \
         in {} shapes.</p>\n",
        t.lines,
        t.identified(),
        t.share(),
        t.unmatched,
        r.shapes.len()
    );
    h.push_str("<p>");
    for (class, what) in [
        ("exact", "identified"),
        (
            "relaxed",
            "identified by a relaxed match (another program name, no program, PID, case, blanks)",
        ),
        ("miss", "not identified"),
    ] {
        let _ = write!(
            h,
            "<span class=\"bar\" style=\"display:inline-flex;width:14px\"><span class=\"{class}\" style=\"width:14px\"></span></span> {what} &nbsp; "
        );
    }
    h.push_str("</p>\n");
    let products: Vec<(&str, &Tally)> = r.products.iter().map(|(n, t)| (n.as_str(), t)).collect();
    for (what, rows) in [
        ("program", &r.programs_ranked()[..]),
        ("product", &products[..]),
    ] {
        let _ = writeln!(
            h,
            "<h2>By {what}</h2>\n<table><tr><th>{what}</th><th>lines</th><th>identified</th><th></th></tr>"
        );
        for (name, t) in rows.iter().take(top) {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td><td>{}</td></tr>",
                escape(name),
                t.lines,
                t.share(),
                bar(t)
            );
        }
        h.push_str("</table>\n");
    }
    let _ = writeln!(
        h,
        "<h2>Shapes of the lines not identified</h2>\n<p>The largest {} of {}.</p>\n\
         <table><tr><th>lines</th><th>share</th><th>first</th><th>last</th><th>program</th><th>shape and example</th></tr>",
        top.min(r.shapes.len()),
        r.shapes.len()
    );
    for s in r.shapes.iter().take(top) {
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td><td>{}:{}</td><td>{}:{}</td><td>{}</td>\
             <td><code>{}</code><br><code class=\"ex\">{}</code></td></tr>",
            s.count,
            100.0 * s.count as f64 / t.unmatched.max(1) as f64,
            escape(r.file_name(s.first.file)),
            s.first.line,
            escape(r.file_name(s.last.file)),
            s.last.line,
            escape(s.program.as_deref().unwrap_or(NO_PROGRAM)),
            escape(&s.text()),
            escape(&s.example)
        );
    }
    h.push_str("</table>\n</body></html>\n");
    h
}

/// A stacked bar of one row, 360 px wide: identified strictly, identified
/// by a relaxed match, not identified.
fn bar(t: &Tally) -> String {
    let total = t.lines.max(1) as f64;
    let mut b = String::from("<span class=\"bar\">");
    for (class, n) in [
        ("exact", t.identified() - t.relaxed),
        ("relaxed", t.relaxed),
        ("miss", t.unmatched),
    ] {
        if n > 0 {
            let _ = write!(
                b,
                "<span class=\"{class}\" style=\"width:{:.1}%\" title=\"{n}\"></span>",
                100.0 * n as f64 / total
            );
        }
    }
    b.push_str("</span>");
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{fffd}"
        );
    }
}

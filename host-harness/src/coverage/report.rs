//! What `logref coverage` found, as text for people and JSON for scripts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use logref_engine::MatchKind;
use serde::Serialize;

use super::drain::Shape;
use super::{bounded, Outcome, MAX_PROGRAMS, NOT_IDENTIFIED, NO_PROGRAM, OTHER_PROGRAMS};

/// Lines of one row: how many, and how they were identified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub lines: u64,
    /// Named by a key rule (an id field, a tag).
    pub key: u64,
    /// The template spans the whole message.
    pub exact: u64,
    /// The message starts with the template and goes on.
    pub prefix: u64,
    /// Of the identified: matched leniently (another program name, no
    /// program, a PID, case or blanks).
    pub relaxed: u64,
    pub unmatched: u64,
}

impl Tally {
    pub fn identified(&self) -> u64 {
        self.lines - self.unmatched
    }

    /// Identified lines, in percent (0 for no lines).
    pub fn share(&self) -> f64 {
        if self.lines == 0 {
            0.0
        } else {
            100.0 * self.identified() as f64 / self.lines as f64
        }
    }

    fn add(&mut self, o: &Outcome<'_>) {
        self.lines += 1;
        match o {
            Outcome::Unmatched => self.unmatched += 1,
            Outcome::Identified(_, kind, relaxed) => {
                match kind {
                    MatchKind::Key => self.key += 1,
                    MatchKind::Exact => self.exact += 1,
                    MatchKind::Prefix => self.prefix += 1,
                }
                self.relaxed += u64::from(*relaxed);
            }
        }
    }
}

/// Everything one run counted.
#[derive(Debug, Default)]
pub struct Report {
    pub total: Tally,
    /// Per input, in the order read.
    pub files: Vec<(String, Tally)>,
    /// Per product (`vendor product`) of the identified entry.
    pub products: BTreeMap<String, Tally>,
    /// Per program of the line's header or record.
    pub programs: BTreeMap<String, Tally>,
    /// Blank lines (not counted as lines).
    pub empty: u64,
    /// Lines that were not UTF-8 (read with U+FFFD in place of bad bytes).
    pub not_utf8: u64,
    /// With `--input ndjson`: lines that were not records (skipped).
    pub not_records: u64,
    /// Unmatched lines that found no shape because the shape limit was hit.
    pub overflow: u64,
    /// Shapes of the unmatched lines, largest first.
    pub shapes: Vec<Shape>,
}

impl Report {
    pub(super) fn count(&mut self, program: Option<&str>, o: &Outcome<'_>) {
        self.total.add(o);
        if let Some((_, t)) = self.files.last_mut() {
            t.add(o);
        }
        let product = match o {
            Outcome::Identified(p, ..) => p,
            Outcome::Unmatched => NOT_IDENTIFIED,
        };
        bounded(&mut self.products, product, usize::MAX, NOT_IDENTIFIED).add(o);
        bounded(
            &mut self.programs,
            program.unwrap_or(NO_PROGRAM),
            MAX_PROGRAMS,
            OTHER_PROGRAMS,
        )
        .add(o);
    }

    /// Programs, most lines first.
    pub fn programs_ranked(&self) -> Vec<(&str, &Tally)> {
        let mut v: Vec<(&str, &Tally)> =
            self.programs.iter().map(|(k, t)| (k.as_str(), t)).collect();
        v.sort_by(|a, b| b.1.lines.cmp(&a.1.lines).then(a.0.cmp(b.0)));
        v
    }

    /// The plain-text report: totals, tables by file, product and program
    /// (the `top` largest), and the `top` largest shapes.
    pub fn text(&self, top: usize) -> String {
        let mut s = String::new();
        let t = &self.total;
        let _ = writeln!(
            s,
            "{} lines, {} identified ({:.1}%), {} not identified",
            t.lines,
            t.identified(),
            t.share(),
            t.unmatched
        );
        for (n, what) in [
            (self.empty, "blank lines skipped"),
            (self.not_utf8, "lines not UTF-8 (bad bytes read as U+FFFD)"),
            (self.not_records, "lines not JSON records (skipped)"),
            (
                self.overflow,
                "unmatched lines past the shape limit (--max-shapes), not grouped",
            ),
        ] {
            if n > 0 {
                let _ = writeln!(s, "{n} {what}");
            }
        }
        let files: Vec<(&str, &Tally)> = self.files.iter().map(|(n, t)| (n.as_str(), t)).collect();
        table(&mut s, "file", &files, usize::MAX);
        let products: Vec<(&str, &Tally)> =
            self.products.iter().map(|(n, t)| (n.as_str(), t)).collect();
        table(&mut s, "product", &products, usize::MAX);
        table(&mut s, "program", &self.programs_ranked(), top);
        let _ = writeln!(
            s,
            "\nshapes of the lines not identified: {} (largest {} shown)",
            self.shapes.len(),
            top.min(self.shapes.len())
        );
        for sh in self.shapes.iter().take(top) {
            // Line numbers, with the file when there are several.
            let span = match (self.files.len(), sh.first.file == sh.last.file) {
                (0 | 1, _) => format!("lines {}-{}", sh.first.line, sh.last.line),
                (_, true) => format!(
                    "{}:{}-{}",
                    self.file_name(sh.first.file),
                    sh.first.line,
                    sh.last.line
                ),
                (_, false) => format!(
                    "{}:{} to {}:{}",
                    self.file_name(sh.first.file),
                    sh.first.line,
                    self.file_name(sh.last.file),
                    sh.last.line
                ),
            };
            let _ = writeln!(
                s,
                "{:>9} {:>5.1}%  {span}  {}: {}",
                sh.count,
                100.0 * sh.count as f64 / t.unmatched.max(1) as f64,
                sh.program.as_deref().unwrap_or(NO_PROGRAM),
                sh.text()
            );
            let _ = writeln!(s, "{:>18}e.g. {}", "", sh.example);
        }
        s
    }

    /// The same as [`Report::text`], for scripts.
    pub fn to_json(&self, top: usize) -> serde_json::Value {
        let rows = |v: Vec<(&str, &Tally)>| -> Vec<serde_json::Value> {
            v.into_iter()
                .map(|(name, t)| {
                    let mut o = serde_json::to_value(t).expect("a tally serialises");
                    o["name"] = name.into();
                    o["identified"] = t.identified().into();
                    o
                })
                .collect()
        };
        let shapes: Vec<serde_json::Value> = self
            .shapes
            .iter()
            .take(top)
            .map(|sh| {
                serde_json::json!({
                    "program": sh.program.as_deref(),
                    "shape": sh.text(),
                    "template": super::suggest::template(sh),
                    "count": sh.count,
                    "first": {"file": self.file_name(sh.first.file), "line": sh.first.line},
                    "last": {"file": self.file_name(sh.last.file), "line": sh.last.line},
                    "example": sh.example,
                    "severity": sh.severity().map(logref_engine::severity_name),
                })
            })
            .collect();
        serde_json::json!({
            "total": rows(vec![("total", &self.total)]).remove(0),
            "blank_lines": self.empty,
            "not_utf8": self.not_utf8,
            "not_records": self.not_records,
            "ungrouped": self.overflow,
            "files": rows(self.files.iter().map(|(n, t)| (n.as_str(), t)).collect()),
            "products": rows(self.products.iter().map(|(n, t)| (n.as_str(), t)).collect()),
            "programs": rows(self.programs_ranked()),
            "shape_count": self.shapes.len(),
            "shapes": shapes,
        })
    }

    pub fn file_name(&self, i: usize) -> &str {
        self.files.get(i).map_or("-", |(n, _)| n.as_str())
    }
}

fn table(s: &mut String, what: &str, rows: &[(&str, &Tally)], top: usize) {
    let width = rows
        .iter()
        .take(top)
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(what.len());
    let _ = writeln!(
        s,
        "\n{what:<width$}  {:>9}  {:>10}  {:>6}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
        "lines", "identified", "share", "key", "exact", "prefix", "relaxed", "unmatched"
    );
    for (name, t) in rows.iter().take(top) {
        let _ = writeln!(
            s,
            "{name:<width$}  {:>9}  {:>10}  {:>5.1}%  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
            t.lines,
            t.identified(),
            t.share(),
            t.key,
            t.exact,
            t.prefix,
            t.relaxed,
            t.unmatched
        );
    }
    if rows.len() > top {
        let _ = writeln!(s, "({} more; --top to show them)", rows.len() - top);
    }
}

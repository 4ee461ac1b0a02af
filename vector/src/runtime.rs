//! Runs the generated program through the `vrl` crate: Vector's own VRL
//! compiler and runtime, so that what is tested is what Vector runs.
//!
//! Vector's enrichment-table functions live in Vector, not in the `vrl`
//! crate, so [`GetEnrichmentTableRecord`] registers an equivalent of
//! `get_enrichment_table_record` over the generated CSV, behaving as
//! Vector documents it for a `file` table: the table name must be a
//! literal, the condition is an object of column = value (case-sensitive
//! unless `case_sensitive: false`), exactly one row must match (else the
//! call fails: "no rows found" / "more than one row found"), and the row
//! comes back as an object whose values are typed by the table's `schema`
//! (`severity_code: integer` in the generated `vector.yaml`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use vrl::compiler::prelude::*;
use vrl::compiler::runtime::Runtime;
use vrl::compiler::state::{ExternalEnv, RuntimeState};
use vrl::compiler::{CompileConfig, Program, TargetValue, TimeZone};
use vrl::value::{KeyString, Secrets};

/// Why the program could not be loaded or run.
#[derive(Debug, Clone)]
pub enum VrlError {
    /// The enrichment table's CSV is malformed.
    Table(String),
    /// VRL rejected the program (the formatted diagnostics).
    Compile(String),
    /// The program failed on an event (it should never: every fallible call
    /// in it is handled).
    Run(String),
}

impl fmt::Display for VrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VrlError::Table(m) => write!(f, "enrichment table: {m}"),
            VrlError::Compile(m) => write!(f, "VRL program does not compile:\n{m}"),
            VrlError::Run(m) => write!(f, "VRL program failed: {m}"),
        }
    }
}

impl std::error::Error for VrlError {}

/// Columns typed `integer` in the generated table's schema.
const INTEGER_COLUMNS: [&str; 1] = ["severity_code"];

/// An in-memory `file` enrichment table.
#[derive(Debug)]
pub struct EnrichmentTable {
    name: String,
    rows: Vec<Value>,
    /// Row indices by `key` (Vector indexes condition fields the same way).
    by_key: HashMap<String, Vec<usize>>,
}

impl EnrichmentTable {
    /// Reads the generated CSV as table `name`, with the `csv` crate set up
    /// as Vector's `file` table sets it up (headers, `,`).
    pub fn from_csv(name: &str, csv_text: &str) -> Result<EnrichmentTable, VrlError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .delimiter(b',')
            .from_reader(csv_text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| VrlError::Table(e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut values = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| VrlError::Table(e.to_string()))?;
            let mut obj = BTreeMap::new();
            for (col, v) in header.iter().zip(record.iter()) {
                let (col, v) = (col.clone(), v.to_string());
                if col == "key" {
                    by_key.entry(v.clone()).or_default().push(i);
                }
                let value = if INTEGER_COLUMNS.contains(&col.as_str()) {
                    match v.parse::<i64>() {
                        Ok(n) => Value::Integer(n),
                        Err(_) => {
                            return Err(VrlError::Table(format!(
                                "row {}: column {col}: expected an integer, found {v:?}",
                                i + 2
                            )))
                        }
                    }
                } else {
                    Value::from(v)
                };
                obj.insert(KeyString::from(col), value);
            }
            values.push(Value::Object(obj));
        }
        Ok(EnrichmentTable {
            name: name.to_string(),
            rows: values,
            by_key,
        })
    }

    fn find(&self, condition: &ObjectMap, case_sensitive: bool) -> Result<Value, String> {
        let as_str = |v: &Value| v.to_str_lossy().map(|s| s.into_owned());
        let wanted: Vec<(String, Option<String>)> = condition
            .iter()
            .map(|(k, v)| (k.to_string(), as_str(v)))
            .collect();
        let candidates: Box<dyn Iterator<Item = usize>> =
            match (case_sensitive, condition.get("key").and_then(as_str)) {
                (true, Some(k)) => Box::new(self.by_key.get(&k).into_iter().flatten().copied()),
                _ => Box::new(0..self.rows.len()),
            };
        let mut found: Option<&Value> = None;
        for i in candidates {
            let row = &self.rows[i];
            let ok = wanted.iter().all(|(col, want)| {
                let have = row
                    .as_object()
                    .and_then(|o| o.get(col.as_str()))
                    .and_then(as_str);
                match (have, want) {
                    (Some(h), Some(w)) if case_sensitive => h == *w,
                    (Some(h), Some(w)) => h.to_lowercase() == w.to_lowercase(),
                    _ => false,
                }
            });
            if ok {
                if found.is_some() {
                    return Err("more than one row found".into());
                }
                found = Some(row);
            }
        }
        found.cloned().ok_or_else(|| "no rows found".into())
    }
}

/// `get_enrichment_table_record(table, condition, [select], [case_sensitive])`.
#[derive(Clone, Debug)]
pub struct GetEnrichmentTableRecord {
    pub tables: Arc<Vec<EnrichmentTable>>,
}

impl Function for GetEnrichmentTableRecord {
    fn identifier(&self) -> &'static str {
        "get_enrichment_table_record"
    }

    fn usage(&self) -> &'static str {
        "Searches an enrichment table for the one row that matches `condition` (as Vector's function of this name does for `file` tables)."
    }

    fn category(&self) -> &'static str {
        Category::Object.as_ref()
    }

    fn return_kind(&self) -> u16 {
        kind::OBJECT
    }

    fn parameters(&self) -> &'static [Parameter] {
        const PARAMETERS: &[Parameter] = &[
            Parameter::required("table", kind::BYTES, "The enrichment table's name."),
            Parameter::required("condition", kind::OBJECT, "Column = value."),
            Parameter::optional("select", kind::ARRAY, "Columns to return."),
            Parameter::optional("case_sensitive", kind::BOOLEAN, "Compare case-sensitively."),
        ];
        PARAMETERS
    }

    fn examples(&self) -> &'static [Example] {
        &[]
    }

    fn compile(
        &self,
        state: &TypeState,
        _ctx: &mut FunctionCompileContext,
        arguments: ArgumentList,
    ) -> Compiled {
        let name = arguments
            .required_literal("table", state)?
            .to_str_lossy()
            .map(|s| s.into_owned())
            .unwrap_or_default();
        let index = self.tables.iter().position(|t| t.name == name).ok_or_else(
            || -> Box<dyn DiagnosticMessage> {
                Box::new(ExpressionError::from(format!(
                    "enrichment table {name:?} does not exist"
                )))
            },
        )?;
        Ok(GetRecordFn {
            tables: self.tables.clone(),
            index,
            condition: arguments.required("condition"),
            select: arguments.optional("select"),
            case_sensitive: arguments.optional("case_sensitive"),
        }
        .as_expr())
    }
}

#[derive(Debug, Clone)]
struct GetRecordFn {
    tables: Arc<Vec<EnrichmentTable>>,
    index: usize,
    condition: Box<dyn Expression>,
    select: Option<Box<dyn Expression>>,
    case_sensitive: Option<Box<dyn Expression>>,
}

impl FunctionExpression for GetRecordFn {
    fn resolve(&self, ctx: &mut Context) -> Resolved {
        let condition = self.condition.resolve(ctx)?.try_object()?;
        let case_sensitive = match &self.case_sensitive {
            Some(e) => e.resolve(ctx)?.try_boolean()?,
            None => true,
        };
        let row = self.tables[self.index]
            .find(&condition, case_sensitive)
            .map_err(ExpressionError::from)?;
        match &self.select {
            None => Ok(row),
            Some(e) => {
                let cols = e.resolve(ctx)?.try_array()?;
                let mut obj = row.try_object()?;
                obj.retain(|k, _| {
                    cols.iter()
                        .any(|c| c.to_str_lossy().is_some_and(|c| c == k.as_str()))
                });
                Ok(Value::Object(obj))
            }
        }
    }

    fn type_def(&self, _: &TypeState) -> TypeDef {
        TypeDef::object(Collection::any()).fallible()
    }
}

/// The generated program, compiled, with its table.
pub struct VrlProgram {
    program: Program,
    runtime: Runtime,
    timezone: TimeZone,
}

impl VrlProgram {
    /// Compiles `source` with VRL's standard library and the enrichment
    /// tables `logref` and `logref_match` read from their CSV text.
    pub fn new(source: &str, table_csv: &str, match_csv: &str) -> Result<VrlProgram, VrlError> {
        VrlProgram::for_events(
            source,
            table_csv,
            match_csv,
            Kind::object(Collection::any()),
        )
    }

    /// The exported program with its tables.
    pub fn from_export(ex: &crate::Export) -> Result<VrlProgram, VrlError> {
        VrlProgram::new(&ex.program, &ex.table_csv, &ex.match_csv)
    }

    /// The program [`crate::export_with_style`] generates for `tables`,
    /// compiled with its table: what a Vector user would run.
    pub fn from_tables(
        tables: &logref_engine::Tables,
        catalog_checksum: u64,
        style: crate::OutputStyle,
        typed_values: bool,
    ) -> Result<VrlProgram, VrlError> {
        VrlProgram::for_syslog_source(tables, catalog_checksum, style, typed_values, false)
    }

    /// [`VrlProgram::from_tables`]; `syslog_source` as `logref export
    /// vector --syslog-source` writes it.
    pub fn for_syslog_source(
        tables: &logref_engine::Tables,
        catalog_checksum: u64,
        style: crate::OutputStyle,
        typed_values: bool,
        syslog_source: bool,
    ) -> Result<VrlProgram, VrlError> {
        let ex = crate::export_with(
            tables,
            catalog_checksum,
            ".",
            "-",
            style,
            typed_values,
            syslog_source,
        );
        VrlProgram::from_export(&ex)
    }

    /// Like [`VrlProgram::new`], with the events' type known in advance,
    /// as Vector knows it from a source's schema: VRL rejects error
    /// handling on what it can prove infallible, so a program must compile
    /// for precise types as well as for "any".
    pub fn for_events(
        source: &str,
        table_csv: &str,
        match_csv: &str,
        event: Kind,
    ) -> Result<VrlProgram, VrlError> {
        let tables = vec![
            EnrichmentTable::from_csv("logref", table_csv)?,
            EnrichmentTable::from_csv("logref_match", match_csv)?,
        ];
        let mut fns = vrl::stdlib::all();
        fns.push(Box::new(GetEnrichmentTableRecord {
            tables: Arc::new(tables),
        }));
        let external = ExternalEnv::new_with_kind(event, Kind::object(Collection::any()));
        let compiled =
            vrl::compiler::compile_with_external(source, &fns, &external, CompileConfig::default())
                .map_err(|d| {
                    VrlError::Compile(vrl::diagnostic::Formatter::new(source, d).to_string())
                })?;
        Ok(VrlProgram {
            program: compiled.program,
            runtime: Runtime::new(RuntimeState::default()),
            timezone: TimeZone::default(),
        })
    }

    /// Runs the program on one event and returns the event as the program
    /// left it.
    fn resolve(&mut self, event: Value) -> Result<Value, VrlError> {
        let mut target = TargetValue {
            value: event,
            metadata: Value::Object(BTreeMap::new()),
            secrets: Secrets::default(),
        };
        let result = self
            .runtime
            .resolve(&mut target, &self.program, &self.timezone);
        self.runtime.clear();
        result.map_err(|e| VrlError::Run(e.to_string()))?;
        Ok(target.value)
    }

    /// Runs the program on one event (a JSON object) and returns the event
    /// as the program left it.
    pub fn run(&mut self, event: serde_json::Value) -> Result<serde_json::Value, VrlError> {
        let out = self.resolve(Value::from(event))?;
        serde_json::to_value(&out).map_err(|e| VrlError::Run(e.to_string()))
    }

    /// Runs the program on a line as Vector's `file` source delivers it
    /// (`{"message": line}`).
    pub fn run_line(&mut self, line: &str) -> Result<serde_json::Value, VrlError> {
        self.run(serde_json::json!({ "message": line }))
    }

    /// Runs the program on `{"message": line}` and says whether it added
    /// `catalog`, without converting the event to or from JSON (Vector's
    /// events reach a transform as VRL values): what the benchmark times.
    pub fn enrich_message(&mut self, line: &str) -> Result<bool, VrlError> {
        let mut event = BTreeMap::new();
        event.insert(KeyString::from("message"), Value::from(line));
        let out = self.resolve(Value::Object(event))?;
        Ok(out.as_object().is_some_and(|o| o.contains_key("catalog")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_table_reads_back() {
        let mut csv_text = crate::table::COLUMNS[..3].join(",");
        csv_text.push_str("\nk1,\"a, \"\"b\"\"\nc\",plain\n");
        let t = EnrichmentTable::from_csv("t", &csv_text).unwrap();
        let mut cond = ObjectMap::new();
        cond.insert("key".into(), Value::from("k1"));
        let row = t.find(&cond, true).unwrap();
        assert_eq!(
            row.as_object().unwrap()["vendor"],
            Value::from("a, \"b\"\nc")
        );
        cond.insert("key".into(), Value::from("K1"));
        assert_eq!(t.find(&cond, true).unwrap_err(), "no rows found");
        assert!(t.find(&cond, false).is_ok());
        assert!(EnrichmentTable::from_csv("t", "key,vendor\nk1\n").is_err());
    }
}

//! `logref.conf`: configuration without recompiling.
//!
//! Fluent Bit's wasm filter passes no arguments and no environment, so the
//! module reads a small file once, on the first record, from the first of
//! [`SEARCH_PATHS`] that exists (the directory must be listed in the
//! filter's `accessible_paths`). A bad file produces one line on stderr
//! (Fluent Bit's log) and the embedded defaults stay in force.
//!
//! ```text
//! # logref.conf
//! text_field = "log"           # tried before log, message, msg
//! style = "catalog"            # or "ecs", "otel": output of logref_filter
//! target = "catalog"           # key of the added object (catalog style)
//! artifact = "/etc/logref/site.artifact"   # your own `logref compile` output
//! max_record_bytes = 1048576   # larger records pass through unchanged
//! typed_values = true          # false: every parameter value a JSON string
//! ```

/// Where the module looks for its configuration, in order.
pub const SEARCH_PATHS: [&str; 3] = [
    "logref.conf",
    "/etc/logref/logref.conf",
    "/fluent-bit/etc/logref.conf",
];

/// The output shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// One object under `target` (default `catalog`).
    Catalog,
    /// Elastic Common Schema objects (`event`, `observer`, `log.level`,
    /// `log.syslog.severity`, `message`), the rest under `catalog`.
    Ecs,
    /// OpenTelemetry's log data model: `severity_number`, `severity_text`
    /// and the entry under `attributes` (`event.name`, `logref.*`).
    Otel,
}

impl Style {
    /// The top-level keys the style adds whatever the record holds: a
    /// record that has one already passes through (`target_exists`).
    pub fn keys(self, target: &str) -> Vec<String> {
        match self {
            Style::Catalog => vec![target.to_string()],
            Style::Ecs => vec!["event".into(), "observer".into(), "catalog".into()],
            Style::Otel => vec![
                "severity_number".into(),
                "severity_text".into(),
                "attributes".into(),
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Fields holding the message, in order of preference.
    pub text_fields: Vec<String>,
    pub style: Style,
    pub target: String,
    pub artifact: Option<String>,
    pub max_record_bytes: usize,
    /// Parameters of type `int` whose value is a 64-bit integer come out as
    /// JSON numbers (`"port":500`); off, every value is a string.
    pub typed_values: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            text_fields: vec!["log".into(), "message".into(), "msg".into()],
            style: Style::Catalog,
            target: "catalog".into(),
            artifact: None,
            max_record_bytes: 1 << 20,
            typed_values: true,
        }
    }
}

/// Parses a config file; errors say `file:line: what`.
pub fn parse(file: &str, text: &str) -> Result<Config, String> {
    let mut c = Config::default();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split_once('#').map_or(raw, |(a, _)| a).trim();
        if line.is_empty() {
            continue;
        }
        let at = |msg: String| format!("{file}:{}: {msg}", n + 1);
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| at(format!("expected `key = value`, found {line:?}")))?;
        let k = k.trim();
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        match k {
            "text_field" => {
                if v.is_empty() {
                    return Err(at("text_field is empty".into()));
                }
                c.text_fields.retain(|f| f != v);
                c.text_fields.insert(0, v.to_string());
            }
            "style" => {
                c.style = match v {
                    "catalog" => Style::Catalog,
                    "ecs" => Style::Ecs,
                    "otel" => Style::Otel,
                    _ => {
                        return Err(at(format!(
                            "style must be \"catalog\", \"ecs\" or \"otel\", found {v:?}"
                        )))
                    }
                }
            }
            "target" => {
                if v.is_empty() || v.contains(['"', '\\']) {
                    return Err(at(format!("target must be a plain key name, found {v:?}")));
                }
                c.target = v.to_string();
            }
            "artifact" => c.artifact = Some(v.to_string()),
            "max_record_bytes" => {
                c.max_record_bytes = v
                    .parse()
                    .map_err(|_| at(format!("max_record_bytes must be a number, found {v:?}")))?;
            }
            "typed_values" => {
                c.typed_values = match v {
                    "true" => true,
                    "false" => false,
                    _ => return Err(at(format!("typed_values must be true or false, found {v:?}"))),
                }
            }
            _ => {
                return Err(at(format!(
                "unknown key {k:?} (known: text_field, style, target, artifact, max_record_bytes, typed_values)"
            )))
            }
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_file_and_line() {
        let c = parse(
            "logref.conf",
            "# c\ntext_field = \"raw\"\nstyle = ecs\nmax_record_bytes = 10\n",
        )
        .unwrap();
        assert_eq!(c.text_fields, ["raw", "log", "message", "msg"]);
        assert_eq!(c.style, Style::Ecs);
        assert_eq!(c.max_record_bytes, 10);
        let e = parse("logref.conf", "style = \"loud\"\n").unwrap_err();
        assert_eq!(
            e,
            "logref.conf:1: style must be \"catalog\", \"ecs\" or \"otel\", found \"loud\""
        );
        assert!(parse("x", "\n\nwhat\n")
            .unwrap_err()
            .starts_with("x:3: expected"));
        assert!(!parse("x", "typed_values = false").unwrap().typed_values);
        assert!(parse("x", "typed_values = no")
            .unwrap_err()
            .contains("true or false"));
        assert!(parse("x", "colour = red")
            .unwrap_err()
            .contains("unknown key"));
    }
}

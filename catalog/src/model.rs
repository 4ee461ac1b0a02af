//! The normalised catalog: what every vendor parser produces and what
//! `catalog.json` holds. See `catalog/SCHEMA.md` for the field-by-field
//! contract; this module is its Rust side.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The schema version written to `catalog.json`.
pub const CATALOG_VERSION: u32 = 2;

/// The whole catalog, in source order then document order. It is the only
/// input of [`crate::compile::compile`]: every matching rule (key rules,
/// program scopes, infixes, types) is data here, never code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub version: u32,
    /// How each source's lines are matched; every entry's `source` names one.
    pub sources: Vec<Source>,
    pub entries: Vec<Entry>,
}

/// One source of entries (a vendor document, a user's catalog file) and
/// the rules its lines follow on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The name entries refer to in their `source` field.
    pub name: String,
    pub vendor: String,
    pub product: String,
    /// Programs (syslog tags) that send this source's messages. A template
    /// that starts with a placeholder only matches lines of one of them.
    #[serde(default)]
    pub programs: Vec<String>,
    /// How a line names one of this source's entries by its id
    /// (`vendor_id`), tried before any template.
    #[serde(default)]
    pub key_rules: Vec<KeyRule>,
    /// The templates identify nothing on their own: they only pull the
    /// parameters out of a line whose key already named the entry.
    #[serde(default)]
    pub key_only: bool,
    /// Text real daemons add around this source's documented messages.
    #[serde(default)]
    pub infixes: Vec<Infix>,
    /// Other names the same daemon's lines carry, by the program the
    /// templates name (`charon` → `charon-systemd`): a line from an alias
    /// matches as `relaxed` with `program-alias`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Wider readings of the templates (a device's own naming replaced by
    /// what any host writes): each is compiled as an extra pattern whose
    /// matches are `relaxed`, so the documented text still wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// Why the rules above are what they are (reviewed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// How a line carries an entry's id (its `vendor_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyRule {
    /// The id is the value of a `key=value` field of the message
    /// (Clavister `id=02800001`, FortiGate `logid="0100032001"`). The
    /// message is a list of pairs, optionally after a `CATEGORY: ` word.
    Field {
        /// The field holding the id.
        field: String,
        /// Compare as a decimal number: leading zeros do not count.
        #[serde(default)]
        numeric: bool,
        /// When not empty, one of these fields must be present too, unless
        /// the line comes from one of `programs`: an `id=` alone is too
        /// common to name a vendor's message.
        #[serde(default)]
        with_any_of: Vec<String>,
        /// Programs whose lines carry this rule's pairs.
        #[serde(default)]
        programs: Vec<String>,
    },
    /// The id is a tag word at the start of the message (`TAG: text`, in
    /// upper case, digits and `_`) or the RFC 5424 MSGID; parameters come
    /// from the structured data and the entry's template.
    Tag,
    /// The id is embedded in the text, anywhere in the line: a regular
    /// expression with exactly one capture group, the id
    /// (`'%([A-Z][A-Z0-9_]*-[0-7]-[A-Z0-9_]+):'` for Cisco's
    /// `%LINEPROTO-5-UPDOWN:`). It is compiled into automata when the
    /// artifact is built; the entry's template is matched on the text after
    /// the pattern's match.
    Pattern { pattern: String },
}

/// Optional text a daemon adds around a documented message, compiled into
/// every template of its source that starts with `applies_to_prefix`. Its
/// placeholders become extra parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Infix {
    /// The templates this applies to: those that start with this text.
    pub applies_to_prefix: String,
    /// Optional text (template syntax) right after the prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Optional text (template syntax) after the documented text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Types of the infix's placeholders (default `string`).
    #[serde(default, with = "type_map_by_name")]
    pub types: BTreeMap<String, ParamType>,
    pub why: String,
}

/// A wider reading of every template of a source that contains `replace`:
/// the text `replace` becomes `with` (template syntax), and a line that
/// matches only this reading is `relaxed` with the variant's `relaxed` name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Template text to replace (every occurrence).
    pub replace: String,
    /// Its replacement, in template syntax.
    pub with: String,
    /// What a match of this reading relaxed, as the output names it.
    pub relaxed: Relaxation,
    /// Types of the replacement's placeholders (default `string`).
    #[serde(default, with = "type_map_by_name")]
    pub types: BTreeMap<String, ParamType>,
    pub why: String,
}

/// What a relaxed match let go of, in the catalog's terms (the engine's
/// [`logref_engine::matcher::Relaxed`] bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relaxation {
    /// The device's own name for a connection, tunnel or instance was
    /// replaced by any name.
    ConnectionName,
    /// Another reviewed form of the documented text: what other releases
    /// or tools print for the same event.
    OtherForm,
}

/// One documented log message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique, stable identifier (see `key` in SCHEMA.md).
    pub key: String,
    /// File name of the document under `catalog/sources/`.
    pub source: String,
    /// 1-based line of the document where the entry starts.
    pub source_line: usize,
    pub vendor: String,
    pub product: String,
    pub category: String,
    pub vendor_id: Option<String>,
    pub name: Option<String>,
    pub severity: Severity,
    pub severity_raw: String,
    /// The message template; placeholders are `<name>` (see SCHEMA.md).
    pub template: String,
    pub params: Vec<Param>,
    pub truncated: bool,
    pub explanation: Option<String>,
    pub action: Option<String>,
    pub lang: String,
    /// Everything else the document says about the entry.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The program that sends the message, when the template does not
    /// start with its tag (user catalogs): a scope, as a leading
    /// `prog[<PID>]: ` in the template is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
}

/// A documented parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type", with = "param_type_by_name")]
    pub ty: ParamType,
}

/// What a parameter's value looks like on the wire. This is the engine's
/// own type (one definition for the catalog, the compiler and the runtime),
/// written in JSON by name: `int`, `hex`, `ipv4`, `ipv4_prefix`, `ipv6`,
/// `ipv6_prefix`, `mac`, `ifname`, `version`, `string`, `text`.
pub use logref_engine::ValueType as ParamType;

/// `ParamType` as its name in `catalog.json`.
mod param_type_by_name {
    use super::ParamType;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &ParamType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ParamType, D::Error> {
        let name = String::deserialize(d)?;
        ParamType::parse(&name)
            .ok_or_else(|| D::Error::custom(format!("unknown parameter type {name:?}")))
    }
}

/// A map of parameter types, written by name.
mod type_map_by_name {
    use std::collections::BTreeMap;

    use super::ParamType;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<String, ParamType>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(m.iter().map(|(k, v)| (k, v.as_str())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, ParamType>, D::Error> {
        let raw = BTreeMap::<String, String>::deserialize(d)?;
        raw.into_iter()
            .map(|(k, v)| match ParamType::parse(&v) {
                Some(t) => Ok((k, t)),
                None => Err(D::Error::custom(format!("unknown parameter type {v:?}"))),
            })
            .collect()
    }
}

/// Syslog severities (RFC 5424 names, lower case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Info,
    Debug,
}

impl Severity {
    /// The syslog numeric code, 0 (emergency) to 7 (debug).
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        logref_engine::severity_name(self.code())
    }

    /// Reads the spellings the five documents use (`NOTICE`, `warn`, `ERR`,
    /// `Critical`, `emerg`, ...). Case-insensitive.
    pub fn from_vendor(raw: &str) -> Option<Severity> {
        let s = raw.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "emergency" | "emerg" | "panic" => Severity::Emergency,
            "alert" => Severity::Alert,
            "critical" | "crit" => Severity::Critical,
            "error" | "err" => Severity::Error,
            "warning" | "warn" => Severity::Warning,
            "notice" => Severity::Notice,
            "info" | "informational" => Severity::Info,
            "debug" => Severity::Debug,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_spellings_of_the_documents() {
        assert_eq!(Severity::from_vendor("NOTICE"), Some(Severity::Notice));
        assert_eq!(Severity::from_vendor("warn"), Some(Severity::Warning));
        assert_eq!(Severity::from_vendor("ERR"), Some(Severity::Error));
        assert_eq!(Severity::from_vendor("Critical"), Some(Severity::Critical));
        assert_eq!(Severity::from_vendor("loud"), None);
        assert_eq!(Severity::Emergency.code(), 0);
        assert_eq!(Severity::Debug.code(), 7);
    }

    #[test]
    fn param_types_are_written_by_name() {
        for ty in ParamType::ALL {
            let p = Param {
                name: "x".into(),
                ty,
            };
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(
                json,
                format!("{{\"name\":\"x\",\"type\":\"{}\"}}", ty.as_str())
            );
            assert_eq!(serde_json::from_str::<Param>(&json).unwrap(), p);
        }
        assert!(serde_json::from_str::<Param>(r#"{"name":"x","type":"float"}"#).is_err());
    }
}

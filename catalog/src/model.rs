//! The normalised catalog: what every vendor parser produces and what
//! `catalog.json` holds. See `catalog/SCHEMA.md` for the field-by-field
//! contract; this module is its Rust side.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The schema version written to `catalog.json`.
pub const CATALOG_VERSION: u32 = 1;

/// The whole catalog, in source order then document order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub version: u32,
    pub entries: Vec<Entry>,
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
}

/// A documented parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ParamType,
}

/// What a parameter's value looks like on the wire. Drives the regular
/// expression a placeholder compiles to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// Decimal digits, optionally signed.
    Int,
    /// Hexadecimal digits (no `0x`; the template carries it when the wire does).
    Hex,
    Ipv4,
    Ipv4Prefix,
    Ipv6,
    Ipv6Prefix,
    Mac,
    /// An interface name (`ether0`, `ppp0`, `tunnel1.0`).
    Ifname,
    /// A version number (`4.2.1`, `1.2.3-rc1`).
    Version,
    /// One token without whitespace.
    String,
    /// Free text that may contain spaces; stops at the literal that follows.
    Text,
}

impl ParamType {
    pub const ALL: [ParamType; 11] = [
        ParamType::Int,
        ParamType::Hex,
        ParamType::Ipv4,
        ParamType::Ipv4Prefix,
        ParamType::Ipv6,
        ParamType::Ipv6Prefix,
        ParamType::Mac,
        ParamType::Ifname,
        ParamType::Version,
        ParamType::String,
        ParamType::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Int => "int",
            ParamType::Hex => "hex",
            ParamType::Ipv4 => "ipv4",
            ParamType::Ipv4Prefix => "ipv4_prefix",
            ParamType::Ipv6 => "ipv6",
            ParamType::Ipv6Prefix => "ipv6_prefix",
            ParamType::Mac => "mac",
            ParamType::Ifname => "ifname",
            ParamType::Version => "version",
            ParamType::String => "string",
            ParamType::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<ParamType> {
        ParamType::ALL.into_iter().find(|t| t.as_str() == s)
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
        match self {
            Severity::Emergency => "emergency",
            Severity::Alert => "alert",
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
            Severity::Info => "info",
            Severity::Debug => "debug",
        }
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
    fn param_type_round_trips() {
        for t in ParamType::ALL {
            assert_eq!(ParamType::parse(t.as_str()), Some(t));
        }
    }
}

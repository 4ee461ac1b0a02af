//! The runtime half of logref.
//!
//! This crate is what goes into the `.wasm`: it loads a compiled artifact
//! (dense DFAs or token indexes, plus tables, written by `logref-catalog`)
//! and matches log lines against it. It deliberately has no regex
//! *compiler* in it, so the plugin stays small and starts fast; everything
//! costly happens at build time in `logref-catalog`.
//!
//! - [`syslog`] takes the syslog header off a line;
//! - [`matcher`] decides which documented message a line is;
//! - [`extract`] pulls the parameter values out of it;
//! - [`verify`] stands in for the automata in the shards of a large
//!   catalog: a token index, then a check of the few candidates;
//! - [`artifact`] is the file format, validated on load.

pub mod artifact;
pub mod bytes;
pub mod codec;
pub mod extract;
pub mod kv;
pub mod matcher;
pub mod probe;
pub mod syslog;
pub mod types;
pub mod verify;

pub use artifact::{ArtifactError, EntryInfo, Tables};
pub use matcher::{Aligned, Cache, Match, MatchKind, Matcher, ParamValue, Relaxed, SplitFields};
pub use types::ValueType;

/// Syslog severity names (RFC 5424, lower case) by code 0 to 7.
pub const SEVERITY_NAMES: [&str; 8] = [
    "emergency",
    "alert",
    "critical",
    "error",
    "warning",
    "notice",
    "info",
    "debug",
];

/// The name of syslog severity `code` (`info` for a code out of range,
/// which a validated artifact never holds).
pub fn severity_name(code: u8) -> &'static str {
    SEVERITY_NAMES
        .get(usize::from(code))
        .copied()
        .unwrap_or("info")
}

/// 64-bit FNV-1a. Used for derived catalog keys and the catalog checksum;
/// stable across versions and platforms by construction.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv_known_values() {
        assert_eq!(super::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}

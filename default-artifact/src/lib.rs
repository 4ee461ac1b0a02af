//! The default artifact: `catalog/catalog.json` compiled by this crate's
//! build script, embedded 8-aligned so the DFA is used in place.
//!
//! ```
//! let m = logref_default_artifact::matcher().unwrap();
//! assert!(m.entries().len() > 400);
//! ```

use logref_engine::{Aligned, ArtifactError, Matcher};

/// The artifact bytes, 8-aligned. Private: only the bytes the build script
/// validated may reach `Matcher::from_embedded`.
static ARTIFACT: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/default.artifact")),
};

/// Loads the embedded artifact (checksum verified, DFA used in place).
pub fn matcher() -> Result<Matcher, ArtifactError> {
    // SAFETY: `ARTIFACT` is exactly the file build.rs wrote after
    // `Matcher::from_bytes` accepted it, and nothing else can name it.
    unsafe { Matcher::from_embedded(ARTIFACT) }
}

/// The embedded artifact's bytes (to copy, write out or load with the
/// checked `Matcher::from_bytes`).
pub fn bytes() -> &'static [u8] {
    &ARTIFACT.bytes
}

//! The default artifact: `catalog/catalog.json` compiled by this crate's
//! build script, embedded 8-aligned so the DFA is used in place.
//!
//! ```
//! let m = logref_default_artifact::matcher().unwrap();
//! assert!(m.entries().len() > 400);
//! ```

use logref_engine::{Aligned, ArtifactError, Matcher};

/// The artifact bytes, 8-aligned.
pub static ARTIFACT: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/default.artifact")),
};

/// Loads the embedded artifact (checksum verified, DFA used in place).
pub fn matcher() -> Result<Matcher, ArtifactError> {
    Matcher::from_embedded(ARTIFACT)
}

//! logref's Fluent Bit filter: a `wasm32-wasip1` module that enriches each
//! record with the documented vendor message it carries.
//!
//! Exports (the ABI, see the README):
//! - `logref_filter(tag_ptr, tag_len, time_sec, time_nsec, record_ptr,
//!   record_len) -> *const u8`: the `catalog` object style (or what
//!   `logref.conf` says);
//! - `logref_filter_ecs(...)`: the same with ECS objects;
//! - `logref_filter_otel(...)`: the same in OpenTelemetry's log data model;
//! - `logref_stats() -> *const u8`: counters as a NUL-terminated JSON object;
//! - `malloc(size) -> *mut u8` and `free(ptr)`: wasi-libc's allocator (the
//!   one Rust's std uses on this target), exported by `build.rs` so that
//!   the host (WAMR) puts the records it passes in the module's own heap,
//!   whatever their size.
//!
//! The record path ([`enrich::Enricher`]) never fails: a record it cannot
//! enrich goes out exactly as it came in, and every output is a valid JSON
//! object in one reused buffer (Fluent Bit copies it and never frees it).
//! The same code is an `rlib` for the native harness (`logref enrich
//! --engine native`), so both engines give byte-identical output.

pub mod config;
pub mod enrich;
pub mod json;

use logref_engine::Matcher;

use crate::config::Config;
use crate::enrich::Enricher;

/// Builds the enricher from the configuration file (if any) and the
/// artifact it names or the embedded one. Problems go to stderr once.
pub fn load_enricher(
    read: impl Fn(&str) -> Option<String>,
    read_bytes: impl Fn(&str) -> Option<Vec<u8>>,
) -> Result<Enricher, String> {
    let mut config = Config::default();
    for path in config::SEARCH_PATHS {
        if let Some(text) = read(path) {
            match config::parse(path, &text) {
                Ok(c) => config = c,
                Err(e) => eprintln!("[logref] {e}; using the embedded defaults"),
            }
            break;
        }
    }
    let embedded = || {
        logref_default_artifact::matcher().map_err(|e| format!("[logref] embedded artifact: {e}"))
    };
    let matcher = match config.artifact.clone() {
        Some(path) => match read_bytes(&path).map(|b| Matcher::from_bytes(&b)) {
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                eprintln!("[logref] {path}: {e}; using the embedded artifact");
                embedded()?
            }
            None => {
                eprintln!("[logref] {path}: cannot read (is its directory in accessible_paths?); using the embedded artifact");
                embedded()?
            }
        },
        None => embedded()?,
    };
    Ok(Enricher::new(matcher, config))
}

#[cfg(target_family = "wasm")]
mod exports {
    use std::cell::RefCell;

    use super::*;
    use crate::config::Style;

    thread_local! {
        static ENRICHER: RefCell<Option<Result<Enricher, Vec<u8>>>> = const { RefCell::new(None) };
    }

    fn with_enricher<R>(f: impl FnOnce(&mut Result<Enricher, Vec<u8>>) -> R) -> Option<R> {
        ENRICHER
            .try_with(|cell| {
                let mut slot = cell.try_borrow_mut().ok()?;
                let e = slot.get_or_insert_with(|| {
                    load_enricher(
                        |p| std::fs::read_to_string(p).ok(),
                        |p| std::fs::read(p).ok(),
                    )
                    .map_err(|msg| {
                        eprintln!("{msg}");
                        Vec::new()
                    })
                });
                Some(f(e))
            })
            .ok()
            .flatten()
    }

    /// # Safety
    /// The host passes a record of `record_len` bytes at `record_ptr` (or
    /// NULL), as Fluent Bit's wasm filter does.
    unsafe fn filter(record_ptr: *const u8, record_len: u32, style: Option<Style>) -> *const u8 {
        let record: Option<&[u8]> = if record_ptr.is_null() {
            None
        } else {
            // SAFETY: the host guarantees `record_len` readable bytes.
            Some(unsafe { std::slice::from_raw_parts(record_ptr, record_len as usize) })
        };
        let out = with_enricher(|e| match e {
            Ok(en) => {
                let style = style.unwrap_or(en.config().style);
                match record {
                    Some(r) => en.process(r, style).as_ptr(),
                    None => en.host_null_record().as_ptr(),
                }
            }
            Err(buf) => {
                // No matcher: pass records through unchanged.
                buf.clear();
                buf.extend_from_slice(record.unwrap_or(b"{}"));
                buf.push(0);
                buf.as_ptr()
            }
        });
        out.unwrap_or(record_ptr)
    }

    /// Fluent Bit's wasm filter entry point (catalog style by default).
    ///
    /// # Safety
    /// See [`filter`].
    #[no_mangle]
    pub unsafe extern "C" fn logref_filter(
        _tag: *const u8,
        _tag_len: u32,
        _sec: u32,
        _nsec: u32,
        record: *const u8,
        record_len: u32,
    ) -> *const u8 {
        unsafe { filter(record, record_len, None) }
    }

    /// The same with ECS field names.
    ///
    /// # Safety
    /// See [`filter`].
    #[no_mangle]
    pub unsafe extern "C" fn logref_filter_ecs(
        _tag: *const u8,
        _tag_len: u32,
        _sec: u32,
        _nsec: u32,
        record: *const u8,
        record_len: u32,
    ) -> *const u8 {
        unsafe { filter(record, record_len, Some(Style::Ecs)) }
    }

    /// The same in OpenTelemetry's log data model.
    ///
    /// # Safety
    /// See [`filter`].
    #[no_mangle]
    pub unsafe extern "C" fn logref_filter_otel(
        _tag: *const u8,
        _tag_len: u32,
        _sec: u32,
        _nsec: u32,
        record: *const u8,
        record_len: u32,
    ) -> *const u8 {
        unsafe { filter(record, record_len, Some(Style::Otel)) }
    }

    thread_local! {
        static STATS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    /// Counters as a NUL-terminated JSON object.
    #[no_mangle]
    pub extern "C" fn logref_stats() -> *const u8 {
        let json = with_enricher(|e| match e {
            Ok(en) => en.stats.to_json(),
            Err(_) => "{\"error\":\"no artifact\"}".to_string(),
        })
        .unwrap_or_default();
        STATS
            .try_with(|s| {
                let mut s = s.borrow_mut();
                s.clear();
                s.extend_from_slice(json.as_bytes());
                s.push(0);
                s.as_ptr()
            })
            .unwrap_or(std::ptr::null())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration file that reads `text` and an artifact of `bytes`.
    fn load(text: &'static str, bytes: Vec<u8>) -> Enricher {
        load_enricher(
            move |p| (p == config::SEARCH_PATHS[0]).then(|| text.to_string()),
            move |_| Some(bytes.clone()),
        )
        .unwrap()
    }

    #[test]
    fn a_corrupt_artifact_keeps_the_embedded_one() {
        let mut bytes = logref_default_artifact::bytes().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let e = load("artifact = \"/etc/logref/site.artifact\"\n", bytes);
        let embedded = logref_default_artifact::matcher().unwrap();
        assert_eq!(e.matcher().entries(), embedded.entries());
        // The rest of the configuration still applies.
        assert_eq!(
            e.config().artifact.as_deref(),
            Some("/etc/logref/site.artifact")
        );
    }

    #[test]
    fn a_bad_configuration_keeps_the_defaults() {
        let e = load("style = \"ecs\"\nno_such_key = 1\n", Vec::new());
        assert_eq!(e.config(), &Config::default());
    }

    #[test]
    fn int_values_are_numbers_unless_typed_values_is_off() {
        let record =
            br#"{"log":"Nov 22 10:15:05 nxr1 pppd[812]: Connect: ppp0 <--> /dev/ttyUSB0"}"#;
        let params = |conf: &'static str| {
            let mut e = load(conf, Vec::new());
            let out = e.process(record, config::Style::Catalog);
            // The host reads a C string: the output ends with a NUL.
            let out = out.strip_suffix(b"\0").unwrap_or(out);
            let out: serde_json::Value = serde_json::from_slice(out).unwrap();
            out["catalog"]["params"].clone()
        };
        let typed = params("");
        assert_eq!(typed["PID"], 812);
        assert_eq!(typed["IFNAME1"], "ppp0");
        let strings = params("typed_values = false\n");
        assert_eq!(strings["PID"], "812");
    }

    #[test]
    fn a_good_artifact_is_used() {
        // The embedded artifact, as a file a user compiled.
        let e = load(
            "artifact = \"/etc/logref/site.artifact\"\n",
            logref_default_artifact::bytes().to_vec(),
        );
        assert!(e.matcher().entries().len() > 400);
    }
}

//! The Hyperscan peer (identification only), behind the `hyperscan` cargo
//! feature: it needs Debian's `libhyperscan-dev` (CI installs it). A few
//! hand-written FFI declarations instead of a bindings crate, so the build
//! needs nothing but the library.
//!
//! All templates go into one Hyperscan block-mode database with
//! `HS_FLAG_SINGLEMATCH`, anchored at the message start like the other
//! peers; the scan stops at the first match. Hyperscan reports no captures,
//! so this peer only says *which* template matched, never its parameters.

use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void, CStr, CString};

use anyhow::{anyhow, bail, Result};
use logref_catalog::{compile, Catalog};

#[repr(C)]
struct HsDatabase {
    _private: [u8; 0],
}
#[repr(C)]
struct HsScratch {
    _private: [u8; 0],
}
#[repr(C)]
struct HsCompileError {
    message: *const c_char,
    expression: c_int,
}

type MatchHandler = extern "C" fn(
    id: c_uint,
    from: c_ulonglong,
    to: c_ulonglong,
    flags: c_uint,
    ctx: *mut c_void,
) -> c_int;

#[link(name = "hs")]
extern "C" {
    fn hs_compile_multi(
        expressions: *const *const c_char,
        flags: *const c_uint,
        ids: *const c_uint,
        elements: c_uint,
        mode: c_uint,
        platform: *const c_void,
        db: *mut *mut HsDatabase,
        error: *mut *mut HsCompileError,
    ) -> c_int;
    fn hs_free_compile_error(error: *mut HsCompileError) -> c_int;
    fn hs_alloc_scratch(db: *const HsDatabase, scratch: *mut *mut HsScratch) -> c_int;
    fn hs_scan(
        db: *const HsDatabase,
        data: *const c_char,
        length: c_uint,
        flags: c_uint,
        scratch: *mut HsScratch,
        on_event: MatchHandler,
        ctx: *mut c_void,
    ) -> c_int;
    fn hs_free_scratch(scratch: *mut HsScratch) -> c_int;
    fn hs_free_database(db: *mut HsDatabase) -> c_int;
}

const HS_SUCCESS: c_int = 0;
const HS_SCAN_TERMINATED: c_int = -3;
const HS_FLAG_SINGLEMATCH: c_uint = 8;
const HS_MODE_BLOCK: c_uint = 1;

/// One Hyperscan database of every template.
pub struct HyperscanPeer {
    db: *mut HsDatabase,
    scratch: *mut HsScratch,
    entries: Vec<usize>,
}

extern "C" fn on_match(
    id: c_uint,
    _from: c_ulonglong,
    _to: c_ulonglong,
    _flags: c_uint,
    ctx: *mut c_void,
) -> c_int {
    // SAFETY: ctx is the `Option<u32>` passed to hs_scan below.
    let found = unsafe { &mut *ctx.cast::<Option<u32>>() };
    *found = Some(id);
    1 // stop scanning: identification only
}

impl HyperscanPeer {
    pub fn new(catalog: &Catalog) -> Result<HyperscanPeer> {
        let specs = compile::patterns(catalog)?;
        let exprs: Vec<CString> = specs
            .iter()
            .map(|s| {
                CString::new(format!("^(?:{})(?:$|[^A-Za-z0-9_])", s.regex))
                    .map_err(|e| anyhow!("{e}"))
            })
            .collect::<Result<_>>()?;
        let ptrs: Vec<*const c_char> = exprs.iter().map(|c| c.as_ptr()).collect();
        let flags = vec![HS_FLAG_SINGLEMATCH; exprs.len()];
        let ids: Vec<c_uint> = (0..exprs.len() as c_uint).collect();
        let mut db = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        // SAFETY: the arrays have `exprs.len()` elements and outlive the call.
        let rc = unsafe {
            hs_compile_multi(
                ptrs.as_ptr(),
                flags.as_ptr(),
                ids.as_ptr(),
                exprs.len() as c_uint,
                HS_MODE_BLOCK,
                std::ptr::null(),
                &mut db,
                &mut err,
            )
        };
        if rc != HS_SUCCESS {
            // SAFETY: on failure Hyperscan fills `err`, which we free.
            let msg = unsafe {
                if err.is_null() {
                    format!("error {rc}")
                } else {
                    let m = format!(
                        "{} (pattern {})",
                        CStr::from_ptr((*err).message).to_string_lossy(),
                        (*err).expression
                    );
                    hs_free_compile_error(err);
                    m
                }
            };
            bail!("hyperscan: {msg}");
        }
        let mut scratch = std::ptr::null_mut();
        // SAFETY: db is a valid database.
        if unsafe { hs_alloc_scratch(db, &mut scratch) } != HS_SUCCESS {
            // SAFETY: db came from hs_compile_multi.
            unsafe { hs_free_database(db) };
            bail!("hyperscan: cannot allocate scratch");
        }
        Ok(HyperscanPeer {
            db,
            scratch,
            entries: specs.iter().map(|s| s.entry).collect(),
        })
    }

    /// The entry whose template matches `text` (some match, not ranked).
    pub fn match_text(&mut self, text: &str) -> Option<usize> {
        let mut found: Option<u32> = None;
        // SAFETY: db and scratch are valid; `found` outlives the call.
        let rc = unsafe {
            hs_scan(
                self.db,
                text.as_ptr().cast(),
                text.len() as c_uint,
                0,
                self.scratch,
                on_match,
                (&mut found as *mut Option<u32>).cast(),
            )
        };
        if rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED {
            return None;
        }
        found.and_then(|id| self.entries.get(id as usize).copied())
    }
}

impl Drop for HyperscanPeer {
    fn drop(&mut self) {
        // SAFETY: both came from Hyperscan and are freed once.
        unsafe {
            hs_free_scratch(self.scratch);
            hs_free_database(self.db);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn identifies_a_documented_line_and_not_an_other_one() {
        let dir = logref_catalog::default_dir();
        let catalog = logref_catalog::load(&dir.join("catalog.json")).unwrap();
        let mut hs = super::HyperscanPeer::new(&catalog).unwrap();
        let e = hs
            .match_text("pppd[812]: local  IP address 203.0.113.45")
            .expect("matches");
        assert_eq!(
            catalog.entries[e].template,
            "pppd[<PID>]: local  IP address <A.B.C.D>"
        );
        assert_eq!(hs.match_text("sshd[1]: Accepted publickey for admin"), None);
    }
}

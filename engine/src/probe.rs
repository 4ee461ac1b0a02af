//! Phase marks, for measuring where the record path spends its guest
//! instructions (`logref bench --cost` with a module built with the `probe`
//! feature).
//!
//! Why marks and not a profiler: the figure that matters is wasm
//! instructions in an interpreter (Fluent Bit runs the module in WAMR's
//! interpreter by default), and wasmtime's fuel counts exactly those. A
//! mark is a call to the host import `logref_probe.mark(phase)`, where the
//! host reads the fuel used since the previous mark and books it to the
//! phase that just ended. Without the feature (every shipped build), or
//! natively, [`mark`] compiles to nothing.

/// A phase of the record path; a mark names the phase that just ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Phase {
    /// The record's JSON: UTF-8 check, locating the fields, unescaping the
    /// text.
    Scan = 0,
    /// The syslog header.
    Header = 1,
    /// The catalog's key rules (with the parameters of a key match).
    Keys = 2,
    /// The template DFAs and choosing the winner.
    Dfa = 3,
    /// Extracting the winner's parameters.
    Extract = 4,
    /// Writing the output record.
    Output = 5,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Scan,
        Phase::Header,
        Phase::Keys,
        Phase::Dfa,
        Phase::Extract,
        Phase::Output,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Scan => "record scan",
            Phase::Header => "header",
            Phase::Keys => "key rules",
            Phase::Dfa => "DFA and ranking",
            Phase::Extract => "extraction",
            Phase::Output => "output",
        }
    }
}

/// Marks the end of `phase` (nothing unless built with `probe` for wasm).
#[inline(always)]
pub fn mark(phase: Phase) {
    #[cfg(all(feature = "probe", target_family = "wasm"))]
    {
        #[link(wasm_import_module = "logref_probe")]
        extern "C" {
            fn mark(phase: u32);
        }
        // SAFETY: the host's import takes one i32 and touches no guest
        // memory.
        unsafe { mark(phase as u32) }
    }
    #[cfg(not(all(feature = "probe", target_family = "wasm")))]
    let _ = phase;
}

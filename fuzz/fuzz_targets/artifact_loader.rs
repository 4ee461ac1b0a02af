//! The artifact loader: any bytes, and a real (small) artifact with bytes
//! changed and its checksum stamped again so that validation beyond the
//! checksum is reached, load as `Ok` or a typed error, never a panic; an
//! `Ok` matcher never panics on any line.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use logref_engine::artifact::stamp_checksum;
use logref_engine::Matcher;

/// A real artifact of a few dozen entries from every source (key rules,
/// program scopes, infixes included), compiled once.
fn small_artifact() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let mut catalog = logref_catalog::load_default().unwrap();
        let mut n = 0;
        catalog.entries.retain(|_| {
            n += 1;
            n % 16 == 0
        });
        logref_catalog::compile::compile(&catalog).unwrap().0
    })
}

const LINES: &[&str] = &[
    "<30>Nov 22 10:15:05 nxr1 pluto[2231]: \"tunnel1\" #3: STATE_MAIN_I4: ISAKMP SA established",
    "EFW: L2TP: prio=2 id=02800001 rev=1 event=l2tpclient_resolve_successful iface=a remotegwname=b remotegw=c",
    "<35>1 2026-11-22T10:15:02.120Z srx1 kmd 1893 KMD_VPN_UP_ALARM_USER [junos@2636.1.1.1.2.40 a=\"b\"] text",
    "pppd[1]: Exit.",
    "",
];

fn exercise(m: &Matcher, data: &[u8]) {
    for l in LINES {
        let _ = m.match_line(l);
    }
    let _ = m.match_line(&String::from_utf8_lossy(data));
}

fuzz_target!(|data: &[u8]| {
    // 1. The bytes as an artifact.
    if let Ok(m) = Matcher::from_bytes(data) {
        exercise(&m, data);
    }
    // 2. The real artifact with the input as edits: each 5 bytes are a
    //    position (4 bytes) and a byte to xor there.
    let mut a = small_artifact().to_vec();
    for edit in data.chunks_exact(5) {
        let at = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize % a.len();
        a[at] ^= edit[4];
    }
    stamp_checksum(&mut a);
    if let Ok(m) = Matcher::from_bytes(&a) {
        exercise(&m, data);
    }
});

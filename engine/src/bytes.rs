//! Byte scans eight bytes at a time, for the record path.
//!
//! Why by hand: the plugin runs in WebAssembly, most often in Fluent Bit's
//! interpreter, which pays for every instruction. `wasm32` has 64-bit
//! integers but (in the shipped target) no SIMD, and `memchr`'s fast paths
//! are SIMD; a byte loop costs about ten interpreted instructions a byte.
//! Testing eight bytes per 64-bit word ("SWAR") costs about two. Natively
//! the compiler vectorises the simple forms anyway, so these are written
//! for the guest and checked against the plain loops in the tests.
//!
//! The classic zero-byte test `(x - 0x01..) & !x & 0x80..` may flag bytes
//! *above* a true hit (a borrow), never below one, so the lowest flag is
//! always exact: each function only ever uses the lowest.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn word(chunk: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(chunk);
    u64::from_le_bytes(a)
}

/// Flags (high bit of each byte) the bytes of `x` equal to `b`.
#[inline(always)]
fn eq(x: u64, b: u8) -> u64 {
    let y = x ^ (LO * u64::from(b));
    y.wrapping_sub(LO) & !y & HI
}

/// Flags the bytes of `x` below `n` (`n <= 0x80`).
#[inline(always)]
fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(LO * u64::from(n)) & !x & HI
}

/// The first index in `b` where `flags` (a word test) or `one` (the same
/// test on one byte) holds.
#[inline(always)]
fn find(b: &[u8], flags: impl Fn(u64) -> u64, one: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let f = flags(word(c));
        if f != 0 {
            return Some(at + (f.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| one(c))
        .map(|i| at + i)
}

/// Whether every byte is ASCII.
pub fn is_ascii(b: &[u8]) -> bool {
    let mut chunks = b.chunks_exact(8);
    let mut acc = 0u64;
    for c in &mut chunks {
        acc |= word(c);
    }
    acc & HI == 0 && chunks.remainder().iter().all(|&c| c < 0x80)
}

/// The first `"`, `\` or control byte (below 0x20): where a JSON string's
/// plain run ends.
pub fn find_json_special(b: &[u8]) -> Option<usize> {
    find(
        b,
        |x| eq(x, b'"') | eq(x, b'\\') | below(x, 0x20),
        |c| c == b'"' || c == b'\\' || c < 0x20,
    )
}

/// The first occurrence of `needle`.
pub fn find_byte(b: &[u8], needle: u8) -> Option<usize> {
    find(b, |x| eq(x, needle), |c| c == needle)
}

/// The first blank (space or tab).
pub fn find_blank(b: &[u8]) -> Option<usize> {
    find(
        b,
        |x| eq(x, b' ') | eq(x, b'\t'),
        |c| c == b' ' || c == b'\t',
    )
}

/// The first blank (space or tab), CR or LF: where a token ends.
pub fn find_token_end(b: &[u8]) -> Option<usize> {
    find(
        b,
        |x| eq(x, b' ') | eq(x, b'\t') | eq(x, b'\r') | eq(x, b'\n'),
        |c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position and neighbour pattern, against the plain loops.
    #[test]
    fn scans_agree_with_plain_loops() {
        let alphabet = [
            b'a', b'"', b'\\', 0x1f, 0x20, b' ', b'\t', b'\n', 0x7f, 0x80, 0xff, 0,
        ];
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for len in 0..20 {
            for &x in &alphabet {
                for at in 0..len {
                    let mut t = vec![b'a'; len];
                    t[at] = x;
                    texts.push(t.clone());
                    // A second hit after the first, and a byte before it
                    // that borrows in the word test.
                    for &y in &alphabet {
                        let mut u = t.clone();
                        if at + 1 < len {
                            u[at + 1] = y;
                        }
                        if at > 0 {
                            u[at - 1] = y;
                        }
                        texts.push(u);
                    }
                }
            }
        }
        for t in &texts {
            assert_eq!(is_ascii(t), t.is_ascii(), "{t:?}");
            assert_eq!(
                find_json_special(t),
                t.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20),
                "{t:?}"
            );
            assert_eq!(find_byte(t, b'\\'), t.iter().position(|&c| c == b'\\'));
            assert_eq!(find_byte(t, 0), t.iter().position(|&c| c == 0));
            assert_eq!(
                find_blank(t),
                t.iter().position(|&c| c == b' ' || c == b'\t')
            );
            assert_eq!(
                find_token_end(t),
                t.iter()
                    .position(|&c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')),
                "{t:?}"
            );
        }
    }
}

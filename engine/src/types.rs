//! Parameter value types and how text is checked against them.
//!
//! The compiler (in `logref-catalog`) turns each type into a regular
//! expression for the DFA; [`ValueType::candidates`] here is the same
//! language, written by hand, for pulling values out of a matched line.
//! A test in `logref-catalog` checks that the two agree.

/// What a parameter's value looks like on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    Int = 0,
    Hex = 1,
    Ipv4 = 2,
    Ipv4Prefix = 3,
    Ipv6 = 4,
    Ipv6Prefix = 5,
    Mac = 6,
    Ifname = 7,
    Version = 8,
    String = 9,
    Text = 10,
    /// A decimal number with an optional fraction, as daemons print `%.1f`.
    Number = 11,
    /// An IPv4 or IPv6 address, where a daemon prints either.
    Ip = 12,
    /// Any text on the line, blanks included, possibly empty: the `<*>`
    /// wildcard of template miners (Drain and its successors).
    Any = 13,
}

impl ValueType {
    pub const ALL: [ValueType; 14] = [
        ValueType::Int,
        ValueType::Hex,
        ValueType::Ipv4,
        ValueType::Ipv4Prefix,
        ValueType::Ipv6,
        ValueType::Ipv6Prefix,
        ValueType::Mac,
        ValueType::Ifname,
        ValueType::Version,
        ValueType::String,
        ValueType::Text,
        ValueType::Number,
        ValueType::Ip,
        ValueType::Any,
    ];

    pub fn from_u8(v: u8) -> Option<ValueType> {
        ValueType::ALL.get(usize::from(v)).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Int => "int",
            ValueType::Hex => "hex",
            ValueType::Ipv4 => "ipv4",
            ValueType::Ipv4Prefix => "ipv4_prefix",
            ValueType::Ipv6 => "ipv6",
            ValueType::Ipv6Prefix => "ipv6_prefix",
            ValueType::Mac => "mac",
            ValueType::Ifname => "ifname",
            ValueType::Version => "version",
            ValueType::String => "string",
            ValueType::Text => "text",
            ValueType::Number => "number",
            ValueType::Ip => "ip",
            ValueType::Any => "any",
        }
    }

    pub fn parse(s: &str) -> Option<ValueType> {
        ValueType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The regular expression (regex-syntax, Unicode off) that the DFA uses
    /// for this type.
    pub fn regex(self) -> &'static str {
        match self {
            ValueType::Int => r"[+\-]?[0-9]+",
            ValueType::Hex => r"[0-9A-Fa-f]+",
            ValueType::Ipv4 => r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}",
            ValueType::Ipv4Prefix => r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}",
            ValueType::Ipv6 => r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}",
            ValueType::Ipv6Prefix => r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}/[0-9]{1,3}",
            ValueType::Mac => r"[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}",
            ValueType::Ifname => r"[A-Za-z][A-Za-z0-9_.:/\-]*",
            ValueType::Version => r"[vV]?[0-9][0-9A-Za-z._+~\-]*",
            ValueType::String => r"[^ \t\r\n]+",
            ValueType::Text => r"[^ \t\r\n]+(?:[ \t]+[^ \t\r\n]+)*",
            ValueType::Number => r"[+\-]?[0-9]+(?:\.[0-9]+)?",
            ValueType::Ip => {
                r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
            }
            ValueType::Any => r"[^\r\n]*",
        }
    }

    /// Whether `v` is entirely a value of this type (the same language as
    /// [`ValueType::regex`]).
    pub fn accepts(self, v: &[u8]) -> bool {
        if self == ValueType::Any {
            return !v.iter().any(|&b| b == b'\r' || b == b'\n');
        }
        if v.is_empty() {
            return false;
        }
        let blank = |b: u8| b == b' ' || b == b'\t';
        let nl = |b: u8| b == b'\r' || b == b'\n';
        match self {
            ValueType::Int => {
                let digits = match v[0] {
                    b'+' | b'-' => &v[1..],
                    _ => v,
                };
                !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
            }
            ValueType::Hex => v.iter().all(u8::is_ascii_hexdigit),
            ValueType::Ipv4 => is_ipv4(v),
            ValueType::Ipv4Prefix => match split_prefix(v, 2) {
                Some(addr) => is_ipv4(addr),
                None => false,
            },
            ValueType::Ipv6 => is_ipv6(v),
            ValueType::Ipv6Prefix => match split_prefix(v, 3) {
                Some(addr) => is_ipv6(addr),
                None => false,
            },
            ValueType::Mac => {
                v.len() == 17
                    && v.chunks(3).all(|c| {
                        c[0].is_ascii_hexdigit()
                            && c[1].is_ascii_hexdigit()
                            && (c.len() == 2 || c[2] == b':' || c[2] == b'-')
                    })
            }
            ValueType::Ifname => {
                v[0].is_ascii_alphabetic()
                    && v.iter().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'/' | b'-')
                    })
            }
            ValueType::Version => {
                let rest = match v[0] {
                    b'v' | b'V' => &v[1..],
                    _ => v,
                };
                !rest.is_empty()
                    && rest[0].is_ascii_digit()
                    && rest.iter().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'~' | b'-')
                    })
            }
            ValueType::String => v.iter().all(|&b| !blank(b) && !nl(b)),
            ValueType::Text => !blank(v[0]) && !blank(v[v.len() - 1]) && v.iter().all(|&b| !nl(b)),
            ValueType::Number => {
                let digits = match v[0] {
                    b'+' | b'-' => &v[1..],
                    _ => v,
                };
                let mut parts = digits.splitn(2, |b| *b == b'.');
                let whole = parts.next().unwrap_or_default();
                let frac = parts.next();
                !whole.is_empty()
                    && whole.iter().all(u8::is_ascii_digit)
                    && frac.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
            }
            ValueType::Ip => is_ipv4(v) || is_ipv6(v),
            ValueType::Any => unreachable!("handled above"),
        }
    }

    /// Calls `f(len)` for every `len`, ascending, such that `rest[..len]`
    /// is a value of this type ([`ValueType::accepts`]): the ends a value
    /// starting at `rest` may have, as the DFA's expression allows them.
    ///
    /// Why not `accepts` on every prefix: that is quadratic in the token's
    /// length, and a hostile line may hold a token of kilobytes. Each type
    /// here is one scan: the unbounded ones are a first byte and then a run
    /// of allowed bytes (whose every end is a value), the addresses are at
    /// most [`ValueType::MAX_ADDRESS_LEN`] bytes long. A test checks the
    /// scan against `accepts` on every prefix.
    pub fn ends(self, rest: &[u8], mut f: impl FnMut(usize)) {
        let blank = |b: u8| b == b' ' || b == b'\t';
        let nl = |b: u8| b == b'\r' || b == b'\n';
        // The end of the run of bytes `ok` allows, from `from`.
        let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
            from + rest
                .get(from..)
                .map_or(0, |r| r.iter().take_while(|&&b| ok(b)).count())
        };
        // Every end from `from` to `to`, both included.
        let mut all = |from: usize, to: usize| (from..=to).for_each(&mut f);
        let sign = usize::from(matches!(rest.first(), Some(b'+' | b'-')));
        match self {
            ValueType::Any => all(0, run(0, &|b| !nl(b))),
            ValueType::Text => {
                if rest.first().is_some_and(|&b| !blank(b) && !nl(b)) {
                    let stop = run(0, &|b| !nl(b));
                    (1..=stop).filter(|&e| !blank(rest[e - 1])).for_each(f);
                }
            }
            ValueType::String => {
                let stop = run(0, &|b| !blank(b) && !nl(b));
                if stop > 0 {
                    all(1, stop);
                }
            }
            ValueType::Hex => {
                let stop = run(0, &|b| b.is_ascii_hexdigit());
                if stop > 0 {
                    all(1, stop);
                }
            }
            ValueType::Int | ValueType::Number => {
                let whole = run(sign, &|b| b.is_ascii_digit());
                if whole > sign {
                    all(sign + 1, whole);
                    if self == ValueType::Number && rest.get(whole) == Some(&b'.') {
                        let frac = run(whole + 1, &|b| b.is_ascii_digit());
                        if frac > whole + 1 {
                            all(whole + 2, frac);
                        }
                    }
                }
            }
            ValueType::Ifname => {
                if rest.first().is_some_and(u8::is_ascii_alphabetic) {
                    let ok = |b: u8| {
                        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'/' | b'-')
                    };
                    all(1, run(1, &ok));
                }
            }
            ValueType::Version => {
                let v = usize::from(matches!(rest.first(), Some(b'v' | b'V')));
                if rest.get(v).is_some_and(u8::is_ascii_digit) {
                    let ok = |b: u8| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'~' | b'-')
                    };
                    all(v + 1, run(v + 1, &ok));
                }
            }
            ValueType::Ipv4
            | ValueType::Ipv4Prefix
            | ValueType::Ipv6
            | ValueType::Ipv6Prefix
            | ValueType::Mac
            | ValueType::Ip => {
                let ok = |b: u8| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/' | b'-');
                let stop = run(0, &ok).min(ValueType::MAX_ADDRESS_LEN);
                (1..=stop).filter(|&e| self.accepts(&rest[..e])).for_each(f);
            }
        }
    }

    /// The longest value of an address type (an IPv6 prefix: 39 bytes of
    /// address, `/` and three digits).
    pub const MAX_ADDRESS_LEN: usize = 43;

    /// Whether a value of this type may contain blanks.
    pub fn spans_blanks(self) -> bool {
        matches!(self, ValueType::Text | ValueType::Any)
    }

    /// Whether the extractor prefers the shortest value (strings and text
    /// stop at the first place the rest of the template fits) rather than
    /// the longest (numbers, addresses).
    pub fn lazy(self) -> bool {
        matches!(
            self,
            ValueType::String
                | ValueType::Text
                | ValueType::Ifname
                | ValueType::Version
                | ValueType::Any
        )
    }
}

fn split_prefix(v: &[u8], max_digits: usize) -> Option<&[u8]> {
    let slash = v.iter().rposition(|b| *b == b'/')?;
    let bits = &v[slash + 1..];
    (!bits.is_empty() && bits.len() <= max_digits && bits.iter().all(u8::is_ascii_digit))
        .then(|| &v[..slash])
}

fn is_ipv4(v: &[u8]) -> bool {
    let mut groups = 0;
    for part in v.split(|b| *b == b'.') {
        groups += 1;
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    groups == 4
}

fn is_ipv6(v: &[u8]) -> bool {
    let mut groups = 0;
    for part in v.split(|b| *b == b':') {
        groups += 1;
        if part.len() > 4 || !part.iter().all(u8::is_ascii_hexdigit) {
            return false;
        }
    }
    (3..=8).contains(&groups)
}

#[cfg(test)]
mod tests {
    use super::ValueType::*;

    /// `ends` reports exactly the prefixes `accepts` takes, on strings
    /// built from the bytes that matter to some type (every string of up to
    /// four of them, and longer ones from a fixed generator).
    #[test]
    fn ends_are_the_accepted_prefixes() {
        let alphabet = b"09aFgv.:/-+ \t\nx";
        let mut cases: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=4 {
            let mut n = 1usize;
            for _ in 0..len {
                n *= alphabet.len();
            }
            for mut k in 0..n {
                let mut v = Vec::with_capacity(len);
                for _ in 0..len {
                    v.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                cases.push(v);
            }
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let len = (seed % 48) as usize;
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                v.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            cases.push(v);
        }
        cases.push(b"2001:db8::1/64 x".to_vec());
        cases.push(b"192.168.100.254/24".to_vec());
        cases.push(b"00:11:22:aa:bb:cc-".to_vec());
        for ty in super::ValueType::ALL {
            for v in &cases {
                let mut got = Vec::new();
                ty.ends(v, |e| got.push(e));
                let want: Vec<usize> = (0..=v.len()).filter(|&e| ty.accepts(&v[..e])).collect();
                assert_eq!(
                    got,
                    want,
                    "{ty:?} on {:?}",
                    std::string::String::from_utf8_lossy(v)
                );
            }
        }
    }

    #[test]
    fn accepts_what_the_wire_sends() {
        assert!(Int.accepts(b"1893") && Int.accepts(b"-1") && !Int.accepts(b"12a"));
        assert!(
            Ipv4.accepts(b"203.0.113.7")
                && !Ipv4.accepts(b"203.0.113")
                && !Ipv4.accepts(b"1.2.3.4.5")
        );
        assert!(Ipv4Prefix.accepts(b"10.0.0.0/24") && !Ipv4Prefix.accepts(b"10.0.0.0"));
        assert!(Ipv6.accepts(b"2001:db8::1") && Ipv6.accepts(b"::1") && !Ipv6.accepts(b"1:2"));
        assert!(
            Mac.accepts(b"00:11:22:aa:BB:cc")
                && Mac.accepts(b"00-11-22-aa-bb-cc")
                && !Mac.accepts(b"00:11:22:aa:bb")
        );
        assert!(
            Ifname.accepts(b"ether0") && Ifname.accepts(b"tunnel1.0") && !Ifname.accepts(b"0eth")
        );
        assert!(
            Version.accepts(b"1.2.9a-par") && Version.accepts(b"v5.9.1") && !Version.accepts(b"x1")
        );
        assert!(String.accepts(b"abc") && !String.accepts(b"a b"));
        assert!(
            Text.accepts(b"Connection refused") && !Text.accepts(b" a") && !Text.accepts(b"a ")
        );
        assert!(Hex.accepts(b"c1a2b3d4") && !Hex.accepts(b"0xc1"));
        assert!(
            Number.accepts(b"46.0")
                && Number.accepts(b"-3")
                && !Number.accepts(b"1.")
                && !Number.accepts(b"1.2.3")
        );
        assert!(Ip.accepts(b"192.0.2.1") && Ip.accepts(b"2001:db8::c7") && !Ip.accepts(b"x"));
        assert!(Any.accepts(b"") && Any.accepts(b" a b ") && !Any.accepts(b"a\nb"));
    }
}

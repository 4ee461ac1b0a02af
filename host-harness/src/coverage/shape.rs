//! A message's *shape*: its tokens, with the variable ones masked by type.
//!
//! Template miners (Drain and its successors) compare lines token by token,
//! so that `connect from 192.0.2.7 port 500` and `connect from 198.51.100.9
//! port 4500` fall into one group. They first mask the tokens whose kind is
//! obvious (numbers, addresses); a masked token then compares equal to any
//! token of the same kind, and a suggested template can say `<ip:ipv4>`
//! instead of `<*>`.
//!
//! Tokens are the runs between blanks, further cut at the punctuation that
//! daemons put around values (`[pid]`, `key=value,`, `(reason)`, `<addr>`,
//! `;`) so that `mail.example.net[192.0.2.7]:` is a name, a bracket, an
//! address, a bracket and a colon. Each token remembers whether a blank came
//! before it, so the shape can be written back as a template with the line's
//! own spacing. A quoted string (`"..."`, `'...'`) is one token even when it
//! holds blanks: it is the value of something.
//!
//! The masks reuse [`ValueType::accepts`], the same languages the engine's
//! placeholders have, so a suggested `<n:int>` matches every value that was
//! masked as an int.

use logref_engine::ValueType;

/// Characters that always stand alone as a token: daemons put them around
/// values (`pid[123]`, `key=value`, `(why)`, `<addr>`, `a, b; c`).
const DELIMITERS: &[u8] = b"[](){}<>,;=|";

/// What a masked token was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mask {
    Int,
    /// A decimal with a fraction (`46.0`).
    Number,
    /// Hexadecimal digits after a literal `0x` (`0x1f`).
    Hex0x,
    /// Eight or more hexadecimal digits with at least one digit and one
    /// letter (an id, a hash, a queue id).
    Hex,
    Ipv4,
    Ipv4Prefix,
    Ipv6,
    Ipv6Prefix,
    Mac,
    /// A clock time (`12:34:56`, `12:34:56.789`).
    Time,
    /// An absolute path (`/var/run/x.pid`).
    Path,
    /// A quoted string; the byte is the quote.
    Quoted(u8),
}

impl Mask {
    /// How the mask reads in a shape (`<ipv4>`).
    pub fn label(self) -> &'static str {
        match self {
            Mask::Int => "<int>",
            Mask::Number => "<number>",
            Mask::Hex0x => "0x<hex>",
            Mask::Hex => "<hex>",
            Mask::Ipv4 => "<ipv4>",
            Mask::Ipv4Prefix => "<ipv4_prefix>",
            Mask::Ipv6 => "<ipv6>",
            Mask::Ipv6Prefix => "<ipv6_prefix>",
            Mask::Mac => "<mac>",
            Mask::Time => "<time>",
            Mask::Path => "<path>",
            Mask::Quoted(b'\'') => "'<*>'",
            Mask::Quoted(_) => "\"<*>\"",
        }
    }

    /// The placeholder a suggested template gets: a parameter name and a
    /// type of the catalog (`None`: the default type, `string`, one token).
    /// `None` for a quoted string, written as its quotes around `<*>`.
    pub fn placeholder(self) -> Option<(&'static str, Option<ValueType>)> {
        Some(match self {
            Mask::Int => ("n", Some(ValueType::Int)),
            Mask::Number => ("x", Some(ValueType::Number)),
            Mask::Hex0x | Mask::Hex => ("hex", Some(ValueType::Hex)),
            Mask::Ipv4 => ("ip", Some(ValueType::Ipv4)),
            Mask::Ipv4Prefix => ("prefix", Some(ValueType::Ipv4Prefix)),
            Mask::Ipv6 => ("ip6", Some(ValueType::Ipv6)),
            Mask::Ipv6Prefix => ("prefix6", Some(ValueType::Ipv6Prefix)),
            Mask::Mac => ("mac", Some(ValueType::Mac)),
            Mask::Time => ("time", None),
            Mask::Path => ("path", None),
            Mask::Quoted(_) => return None,
        })
    }
}

/// One token of a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Token<'a> {
    /// Literal text, compared as is.
    Word(&'a str),
    Masked(Mask),
}

/// A token and whether a blank came before it (the first token of a
/// message never has one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub token: Token<'a>,
    pub blank_before: bool,
}

impl Piece<'_> {
    /// A token of one punctuation character (a delimiter, or a `:` cut
    /// off a word): structure rather than content.
    pub fn is_punctuation(&self) -> bool {
        matches!(self.token, Token::Word(w) if w.len() == 1 && w.as_bytes()[0].is_ascii_punctuation())
    }
}

/// Cuts `message` into masked tokens, appending to `out` (cleared first;
/// the caller keeps it between lines).
pub fn tokenize<'a>(message: &'a str, out: &mut Vec<Piece<'a>>) {
    out.clear();
    let b = message.as_bytes();
    let mut i = 0;
    let mut blank_before = false;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' {
            blank_before = !out.is_empty();
            i += 1;
            continue;
        }
        // A quoted string at the start of a token runs to its closing quote.
        if (b[i] == b'"' || b[i] == b'\'') && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            if let Some(len) = b[i + 1..].iter().position(|&c| c == b[i]) {
                out.push(Piece {
                    token: Token::Masked(Mask::Quoted(b[i])),
                    blank_before,
                });
                blank_before = false;
                i += len + 2;
                continue;
            }
        }
        let end = b[i..]
            .iter()
            .position(|&c| c == b' ' || c == b'\t')
            .map_or(b.len(), |p| i + p);
        chunk(&message[i..end], blank_before, out);
        blank_before = false;
        i = end;
    }
}

/// Cuts one blank-free run at the delimiters and masks its parts.
fn chunk<'a>(run: &'a str, mut blank_before: bool, out: &mut Vec<Piece<'a>>) {
    let b = run.as_bytes();
    let mut start = 0;
    for (i, c) in b.iter().enumerate() {
        if DELIMITERS.contains(c) {
            if start < i {
                part(&run[start..i], blank_before, out);
                blank_before = false;
            }
            out.push(Piece {
                token: Token::Word(&run[i..i + 1]),
                blank_before,
            });
            blank_before = false;
            start = i + 1;
        }
    }
    if start < b.len() {
        part(&run[start..], blank_before, out);
    }
}

/// One part between delimiters: masked whole when it is an address, a
/// number or a time; else with a trailing `:` or `.` taken off (`port
/// 500.`, `eth0:`); else cut at `:` (`user:root`, `192.0.2.1:500`).
fn part<'a>(p: &'a str, blank_before: bool, out: &mut Vec<Piece<'a>>) {
    if classify(p).is_some() {
        return leaf(p, blank_before, out);
    }
    if let Some(head) = p.strip_suffix(':').or_else(|| p.strip_suffix('.')) {
        if let Some(m) = classify(head) {
            out.push(Piece {
                token: Token::Masked(m),
                blank_before,
            });
            out.push(Piece {
                token: Token::Word(&p[head.len()..]),
                blank_before: false,
            });
            return;
        }
    }
    if p.len() > 1 && p.contains(':') {
        let mut blank = blank_before;
        for (i, piece) in p.split(':').enumerate() {
            if i > 0 {
                out.push(Piece {
                    token: Token::Word(":"),
                    blank_before: blank,
                });
                blank = false;
            }
            if !piece.is_empty() {
                leaf(piece, blank, out);
                blank = false;
            }
        }
        return;
    }
    leaf(p, blank_before, out);
}

fn leaf<'a>(p: &'a str, blank_before: bool, out: &mut Vec<Piece<'a>>) {
    let token = match classify(p) {
        Some(m) => Token::Masked(m),
        None => Token::Word(p),
    };
    out.push(Piece {
        token,
        blank_before,
    });
}

/// The mask of a token, if it is a value.
pub fn classify(p: &str) -> Option<Mask> {
    let v = p.as_bytes();
    if v.is_empty() || !v.iter().any(u8::is_ascii_digit) {
        // Every mask but a path needs a digit (`::` alone is an address,
        // but not one worth a placeholder).
        return is_path(v).then_some(Mask::Path);
    }
    let typed = [
        (ValueType::Int, Mask::Int),
        (ValueType::Number, Mask::Number),
        (ValueType::Ipv4, Mask::Ipv4),
        (ValueType::Ipv4Prefix, Mask::Ipv4Prefix),
        (ValueType::Mac, Mask::Mac),
    ];
    if let Some(&(_, m)) = typed.iter().find(|(t, _)| t.accepts(v)) {
        return Some(m);
    }
    if is_time(v) {
        return Some(Mask::Time);
    }
    if v.iter().filter(|&&c| c == b':').count() >= 2 {
        if ValueType::Ipv6.accepts(v) {
            return Some(Mask::Ipv6);
        }
        if ValueType::Ipv6Prefix.accepts(v) {
            return Some(Mask::Ipv6Prefix);
        }
    }
    if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
        if !h.is_empty() && ValueType::Hex.accepts(h.as_bytes()) {
            return Some(Mask::Hex0x);
        }
    }
    if v.len() >= 8 && ValueType::Hex.accepts(v) && v.iter().any(u8::is_ascii_alphabetic) {
        return Some(Mask::Hex);
    }
    is_path(v).then_some(Mask::Path)
}

/// `/` followed by a name: `/var/log/messages`, `/dev/ttyS0`.
/// A trailing `:` or `.` is punctuation, not part of the path.
fn is_path(v: &[u8]) -> bool {
    v.len() > 1
        && v[0] == b'/'
        && v[1] != b'/'
        && !matches!(v[v.len() - 1], b':' | b'.')
        && v.iter().all(|c| c.is_ascii_graphic())
}

/// `H:MM`, `HH:MM:SS`, with an optional fraction.
fn is_time(v: &[u8]) -> bool {
    let (clock, frac) = match v.iter().position(|&c| c == b'.') {
        Some(p) => (&v[..p], Some(&v[p + 1..])),
        None => (v, None),
    };
    let fields: Vec<&[u8]> = clock.split(|&c| c == b':').collect();
    (2..=3).contains(&fields.len())
        && (1..=2).contains(&fields[0].len())
        && fields[1..].iter().all(|f| f.len() == 2)
        && fields.iter().all(|f| f.iter().all(u8::is_ascii_digit))
        && frac.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(s: &str) -> String {
        let mut out = Vec::new();
        tokenize(s, &mut out);
        let mut text = String::new();
        for p in &out {
            if p.blank_before {
                text.push(' ');
            }
            match &p.token {
                Token::Word(w) => text.push_str(w),
                Token::Masked(m) => text.push_str(m.label()),
            }
        }
        text
    }

    #[test]
    fn values_are_masked_by_type() {
        assert_eq!(
            shape("connect from mail.example.net[192.0.2.7]:"),
            "connect from mail.example.net[<ipv4>]:"
        );
        assert_eq!(
            shape("link eth0 up, speed 1000 Mb/s, mtu=1500 (took 2.5 s)"),
            "link eth0 up, speed <int> Mb/s, mtu=<int> (took <number> s)"
        );
        assert_eq!(
            shape("peer 2001:db8::1 via 00:11:22:aa:bb:cc net 10.0.0.0/8 at 12:34:56.789"),
            "peer <ipv6> via <mac> net <ipv4_prefix> at <time>"
        );
        assert_eq!(
            shape("wrote /var/run/x.pid: 0x1F queue 3F2A41C0B12 user:root"),
            "wrote <path>: 0x<hex> queue <hex> user:root"
        );
        assert_eq!(shape("port 500."), "port <int>.");
        assert_eq!(shape("to 192.0.2.1:4500"), "to <ipv4>:<int>");
    }

    #[test]
    fn a_quoted_string_is_one_token_with_its_blanks() {
        assert_eq!(
            shape(r#"user "John Smith" failed, reason 'bad password' don't"#),
            r#"user "<*>" failed, reason '<*>' don't"#
        );
        // An unclosed quote is a word.
        assert_eq!(shape(r#"say "hi"#), r#"say "hi"#);
    }

    #[test]
    fn words_without_digits_stay_literal() {
        assert_eq!(classify("deadbeef"), None);
        assert_eq!(classify("added"), None);
        assert_eq!(classify("::"), None);
        assert_eq!(classify("a1"), None);
        assert_eq!(classify("1.2.3"), None);
        assert_eq!(classify("-42"), Some(Mask::Int));
    }
}

//! Splits a log line into its syslog header and message.
//!
//! The DFA is anchored at the start of the message, so the header must be
//! taken off first (searching through it would blow the DFA up). Forms:
//!
//! - RFC 3164: `<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`, also without
//!   `<PRI>` (files), without host (local sockets), or with an RFC 3339
//!   timestamp (rsyslog's file format);
//! - RFC 5424: `<PRI>1 timestamp host app procid msgid [sd...] msg`;
//! - Clavister: `<PRI>[2026-11-22 10:15:02] EFW: L2TP: key=value ...`;
//! - what syslog daemons and collectors print around those: a weekday
//!   before the date and a year after the time (OpenWrt's `logread`), a
//!   `facility.level` word (busybox, `logread`) or `<facility.severity>`
//!   before the tag, an empty tag (` : msg`), a program in brackets
//!   (`[pluto] msg`), Android's `I/charon: ` and `I/charon  (1234): `;
//!   Loghub's archive prefix before the line ([`archive_prefix`]); a log
//!   viewer's tab-separated columns ([`tab_columns`]); and, after the tag,
//!   a timestamp the daemon wrote itself ([`own_timestamp`]);
//! - anything else: the bare message.
//!
//! Parsing never fails: a line that fits no header is a bare message.

/// Which form the line had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    Rfc3164,
    Rfc5424,
    /// `[timestamp] PROG: ...` (Clavister cOS Core).
    Bracketed,
    Bare,
}

impl WireFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WireFormat::Rfc3164 => "rfc3164",
            WireFormat::Rfc5424 => "rfc5424",
            WireFormat::Bracketed => "bracketed",
            WireFormat::Bare => "bare",
        }
    }
}

/// The header fields found in a line. String fields borrow the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogHeader<'a> {
    pub format: WireFormat,
    pub pri: Option<u8>,
    pub timestamp: Option<&'a str>,
    pub host: Option<&'a str>,
    pub program: Option<&'a str>,
    pub pid: Option<&'a str>,
    pub msgid: Option<&'a str>,
    /// RFC 5424 structured data, brackets included.
    pub structured_data: Option<&'a str>,
    /// Byte offset in the line where the program tag starts (the text NXR
    /// templates include), or where the message starts when there is no tag.
    pub tag_start: usize,
    /// Byte offset in the line where the message after the tag starts.
    pub msg_start: usize,
}

impl<'a> SyslogHeader<'a> {
    /// Takes the program, pid and message start from a tag found in `line`.
    /// The message starts after the tag, and after a timestamp the daemon
    /// wrote itself at its start ([`own_timestamp`]).
    fn set_tag(&mut self, line: &'a str, t: &TagSpan) {
        let s = line.as_bytes();
        self.program = sub(line, t.program.0, t.program.1);
        self.pid = t.pid.and_then(|(a, b)| sub(line, a, b));
        let m = skip_blanks(s, t.end);
        self.msg_start = own_timestamp(s, m).map_or(m, |end| skip_blanks(s, end));
    }

    pub fn facility(&self) -> Option<u8> {
        self.pri.map(|p| p >> 3)
    }
    pub fn severity(&self) -> Option<u8> {
        self.pri.map(|p| p & 7)
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Skips blanks from `i`.
pub(crate) fn skip_blanks(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_blank(s[i]) {
        i += 1;
    }
    i
}

/// The end of the token starting at `i` (first blank or end).
fn token_end(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && !is_blank(s[i]) {
        i += 1;
    }
    i
}

/// `<PRI>` at the start: (pri, bytes used).
fn parse_pri(s: &[u8]) -> Option<(u8, usize)> {
    if s.first() != Some(&b'<') {
        return None;
    }
    let mut v: u16 = 0;
    for (i, &b) in s.iter().enumerate().skip(1).take(4) {
        if b == b'>' {
            return (i > 1 && v <= 191).then_some((v as u8, i + 1));
        }
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u16::from(b - b'0');
    }
    None
}

// Month and weekday names are matched as byte arrays: a `match` compiles
// to a few integer comparisons, where a list of strings costs a `memcmp`
// call per name (the guest pays for every instruction).

/// A month's English abbreviation at the start of `s`.
fn is_month(s: &[u8]) -> bool {
    matches!(
        s.get(..3),
        Some(
            b"Jan"
                | b"Feb"
                | b"Mar"
                | b"Apr"
                | b"May"
                | b"Jun"
                | b"Jul"
                | b"Aug"
                | b"Sep"
                | b"Oct"
                | b"Nov"
                | b"Dec"
        )
    )
}

/// A weekday's English abbreviation and a blank at the start of `s`.
fn is_weekday(s: &[u8]) -> bool {
    matches!(
        s.get(..4),
        Some(b"Mon " | b"Tue " | b"Wed " | b"Thu " | b"Fri " | b"Sat " | b"Sun ")
    )
}

/// One or two digits (a day of the month) at `i`: the end.
fn day_at(s: &[u8], i: usize) -> Option<usize> {
    let n = s[i.min(s.len())..]
        .iter()
        .take(3)
        .take_while(|b| b.is_ascii_digit())
        .count();
    (1..=2).contains(&n).then_some(i + n)
}

/// `hh:mm:ss` at `i`, with optional fractional seconds: the end.
fn time_at(s: &[u8], i: usize) -> Option<usize> {
    let t = s.get(i..i + 8)?;
    let d = |k: usize| t[k].is_ascii_digit();
    if !(d(0) && d(1) && t[2] == b':' && d(3) && d(4) && t[5] == b':' && d(6) && d(7)) {
        return None;
    }
    let mut end = i + 8;
    if s.get(end) == Some(&b'.') {
        end += 1;
        while end < s.len() && s[end].is_ascii_digit() {
            end += 1;
        }
    }
    Some(end)
}

/// A syslog-style date and time at the start of `s`: bytes used. The forms
/// syslog writers and daemons' own log files print:
/// `Mmm dd hh:mm:ss` (day padded with a blank or a zero, or a single digit
/// after one blank), optionally after a weekday (`logread`, ctime) and
/// before a year; `dd Mmm hh:mm:ss` (ntpd's and ntpdate's files); fractional
/// seconds on the time. A year is only taken when a blank, a colon or the
/// end follows it.
fn parse_bsd_timestamp(s: &[u8]) -> Option<usize> {
    let i = if is_weekday(s) { 4 } else { 0 };
    let time_start = if is_month(&s[i..]) && s.get(i + 3) == Some(&b' ') {
        // `Mmm dd`, `Mmm  d` or `Mmm d`.
        let d0 = if s.get(i + 4) == Some(&b' ') {
            i + 5
        } else {
            i + 4
        };
        let d1 = day_at(s, d0)?;
        (s.get(d1) == Some(&b' ')).then_some(d1 + 1)?
    } else {
        // `dd Mmm`.
        let d1 = day_at(s, i)?;
        (s.get(d1) == Some(&b' ') && is_month(&s[d1 + 1..]) && s.get(d1 + 4) == Some(&b' '))
            .then_some(d1 + 5)?
    };
    let mut end = time_at(s, time_start)?;
    // An optional year (`Nov 22 10:15:02 2026`).
    if s.len() >= end + 5
        && s[end] == b' '
        && s[end + 1..end + 5].iter().all(u8::is_ascii_digit)
        && s.get(end + 5).is_none_or(|b| is_blank(*b) || *b == b':')
    {
        end += 5;
    }
    Some(end)
}

/// `daemon.info`, `authpriv.warn`: the facility and level some syslog
/// daemons (busybox, OpenWrt's `logread`) print before the tag.
fn is_facility_level(tok: &[u8]) -> bool {
    const LEVELS: [&[u8]; 11] = [
        b"emerg", b"alert", b"crit", b"err", b"error", b"warn", b"warning", b"notice", b"info",
        b"debug", b"panic",
    ];
    let Some(dot) = tok.iter().position(|&b| b == b'.') else {
        return false;
    };
    let (fac, level) = (&tok[..dot], &tok[dot + 1..]);
    (1..=8).contains(&fac.len())
        && fac
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && LEVELS.contains(&level)
}

/// `name  | `: the prefix `docker compose logs` writes before each line of
/// a service (`postfix-mailcow_1    | Feb  7 11:17:56 mail postfix/qmgr...`):
/// bytes used, 0 without one.
fn compose_prefix(s: &[u8]) -> usize {
    let name = s
        .iter()
        .take(64)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    if name == 0 || !s[0].is_ascii_alphanumeric() {
        return 0;
    }
    let blanks = s[name..].iter().take_while(|b| **b == b' ').count();
    let bar = name + blanks;
    if blanks > 0 && s.get(bar) == Some(&b'|') && s.get(bar + 1) == Some(&b' ') {
        bar + 2
    } else {
        0
    }
}

/// `INFO`, `NOTICE`: a severity in capitals after the host, as some
/// network operating systems' syslog templates print it (SONiC:
/// `Oct 28 04:57:11.748425 sonic NOTICE ntpd[46252]: ...`).
fn is_level_word(tok: &[u8]) -> bool {
    const LEVELS: [&[u8]; 11] = [
        b"EMERG", b"ALERT", b"CRIT", b"ERR", b"ERROR", b"WARN", b"WARNING", b"NOTICE", b"INFO",
        b"DEBUG", b"PANIC",
    ];
    LEVELS.contains(&tok)
}

/// `[2026-11-22 10:15:02]` at `i`: a date and time in brackets (digits, a
/// colon, at least 8 bytes of date characters). The closing bracket's offset.
fn bracketed_timestamp(s: &[u8], i: usize) -> Option<usize> {
    if s.get(i) != Some(&b'[') {
        return None;
    }
    let c = s[i..].iter().position(|b| *b == b']')?;
    let inner = &s[i + 1..i + c];
    (inner.len() >= 8
        && inner.contains(&b':')
        && inner.iter().any(u8::is_ascii_digit)
        && inner
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b" -:.+/T".contains(b)))
    .then_some(i + c)
}

/// `<10.4>`: facility and severity in brackets before the host.
fn is_bracketed_priority(tok: &[u8]) -> bool {
    tok.len() >= 5
        && tok[0] == b'<'
        && tok[tok.len() - 1] == b'>'
        && tok[1..tok.len() - 1]
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'.')
        && tok.contains(&b'.')
}

/// `[pluto]`: a program name in brackets, as some collectors print it: (program span, bytes used).
fn bracketed_program(s: &[u8], i: usize) -> Option<((usize, usize), usize)> {
    if s.get(i) != Some(&b'[') || !s.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let end = token_end(s, i);
    let close = end.checked_sub(1)?;
    (s[close] == b']'
        && s[i + 1..close]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')))
    .then_some(((i + 1, close), end))
}

/// An RFC 3339 timestamp token (`2026-11-22T10:15:02.120Z`), or the date
/// and time with a blank between them (`2021-03-17 12:35:41`, as daemons'
/// own log files write it): bytes used.
fn parse_iso_timestamp(s: &[u8]) -> Option<usize> {
    let date = s.get(..10)?;
    let d = |k: usize| date[k].is_ascii_digit();
    if !(d(0)
        && d(1)
        && d(2)
        && d(3)
        && date[4] == b'-'
        && d(5)
        && d(6)
        && date[7] == b'-'
        && d(8)
        && d(9))
    {
        return None;
    }
    match s.get(10) {
        Some(b'T' | b't') => {
            let end = token_end(s, 0);
            (end >= 19 && s[13] == b':').then_some(end)
        }
        Some(b' ') => {
            let t = time_at(s, 11)?;
            // A zone or anything else glued to the time belongs to it.
            Some(token_end(s, t))
        }
        _ => None,
    }
}

/// A timestamp a daemon wrote at the start of its own message, after the
/// syslog tag: its end, when a blank and more text follow. Daemons that log
/// through a format of their own print one (charon-systemd with a
/// `time_format`: `charon-systemd[499408]: Apr  2 14:15:55 14[IKE] ...`;
/// syslog-ng's internal messages: `syslog-ng[734]: [2022-03-17T10:06:21.588173]
/// Initiating connection failed ...`); the documented message follows it.
/// The forms are the header's: [`parse_bsd_timestamp`],
/// [`parse_iso_timestamp`], [`bracketed_timestamp`].
fn own_timestamp(s: &[u8], m: usize) -> Option<usize> {
    let rest = s.get(m..)?;
    // Every form starts with `[`, a digit, or a month's or weekday's
    // three letters and a blank: most messages are ruled out by their
    // first bytes.
    let end = match rest.first()? {
        b'[' => bracketed_timestamp(s, m)? + 1,
        b'0'..=b'9' => m + parse_bsd_timestamp(rest).or_else(|| parse_iso_timestamp(rest))?,
        b'A'..=b'Z' if rest.get(3) == Some(&b' ') => m + parse_bsd_timestamp(rest)?,
        _ => return None,
    };
    let next = skip_blanks(s, end);
    (next > end && next < s.len()).then_some(end)
}

/// The prefix Loghub's archives of supercomputer syslog (Thunderbird,
/// Spirit, Liberty) put before each line: an alert category (`-` for none,
/// else a word in capitals), the Unix time, the date as `yyyy.mm.dd` and
/// the node, each followed by one blank (`- 1131566463 2005.11.09 cn142
/// Nov 9 12:01:03 cn142/cn142 ntpd[7467]: ...`): bytes used, 0 without one.
/// The syslog line follows.
fn archive_prefix(s: &[u8]) -> usize {
    if !s
        .first()
        .is_some_and(|b| *b == b'-' || b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return 0;
    }
    let alert = token_end(s, 0);
    let alert_ok = alert > 0
        && (&s[..alert] == b"-"
            || s[..alert]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_'));
    if !alert_ok || s.get(alert) != Some(&b' ') {
        return 0;
    }
    let epoch = alert + 1;
    let epoch_end = token_end(s, epoch);
    if !(9..=11).contains(&(epoch_end - epoch))
        || !s[epoch..epoch_end].iter().all(u8::is_ascii_digit)
        || s.get(epoch_end) != Some(&b' ')
    {
        return 0;
    }
    let date = epoch_end + 1;
    let d = |k: usize| s.get(date + k).is_some_and(u8::is_ascii_digit);
    let dot = |k: usize| s.get(date + k) == Some(&b'.');
    if !((0..4).all(d) && dot(4) && d(5) && d(6) && dot(7) && d(8) && d(9))
        || s.get(date + 10) != Some(&b' ')
    {
        return 0;
    }
    let node = date + 11;
    let node_end = token_end(s, node);
    if node_end == node || s[node..node_end].contains(&b'[') || s.get(node_end) != Some(&b' ') {
        return 0;
    }
    node_end + 1
}

/// The columns a log viewer's table gives when copied, after the
/// timestamp and a tab: an optional severity name, the process (`prog` or
/// `prog[pid]`), the message, each separated by a tab (OPNsense's and
/// pfSense's log views: `2025-05-11T12:13:18\tInformational\tcharon\t15[IKE]
/// ...`, `2021-01-12T20:03:29\tdhclient[4998]\tDHCPDISCOVER on igb0 ...`).
/// `i` is just after the tab.
fn tab_columns(s: &[u8], i: usize) -> Option<TagSpan> {
    const SEVERITIES: [&[u8]; 8] = [
        b"Emergency",
        b"Alert",
        b"Critical",
        b"Error",
        b"Warning",
        b"Notice",
        b"Informational",
        b"Debug",
    ];
    // The process column: `prog` or `prog[pid]`, then a tab.
    let process_at = |at: usize| {
        program_and_pid(s, at)
            .filter(|t| s.get(t.end) == Some(&b'\t'))
            .map(|t| TagSpan {
                end: t.end + 1,
                ..t
            })
    };
    // A severity name first, else the process (as the generated VRL's
    // expression, which tries the severity column first, then none).
    let first = i + s[i..].iter().take_while(|b| **b != b'\t').count();
    if SEVERITIES.contains(&&s[i..first]) {
        if let Some(t) = process_at(first + 1) {
            return Some(t);
        }
    }
    process_at(i)
}

/// Where a program tag's parts are, as byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagSpan {
    pub program: (usize, usize),
    pub pid: Option<(usize, usize)>,
    /// Just after the colon.
    pub end: usize,
}

/// A program tag at `i`: `prog:`, `prog[pid]:`, and Android's
/// `I/prog:` or `I/prog  (pid):` (a priority letter, then the tag).
pub fn parse_tag(s: &[u8], i: usize) -> Option<TagSpan> {
    if s.get(i + 1) == Some(&b'/') && s.get(i).is_some_and(|b| b"VDIWEF".contains(b)) {
        if let Some(t) = parse_logcat_tag(s, i + 2) {
            return Some(t);
        }
    }
    let t = program_and_pid(s, i)?;
    (s.get(t.end) == Some(&b':') && s.get(t.end + 1).is_none_or(|b| is_blank(*b))).then_some(
        TagSpan {
            end: t.end + 1,
            ..t
        },
    )
}

/// `prog` or `prog[pid]` at `i`, its `end` just after them (before the
/// colon or tab each form of tag puts next).
fn program_and_pid(s: &[u8], i: usize) -> Option<TagSpan> {
    let mut j = i;
    // A program name is short: stop after 64 bytes instead of walking a
    // long token to its end.
    while j < s.len()
        && j - i <= 64
        && (s[j].is_ascii_alphanumeric() || matches!(s[j], b'_' | b'-' | b'.' | b'/'))
    {
        j += 1;
    }
    if j == i || j - i > 64 {
        return None;
    }
    let prog_end = j;
    let mut pid = None;
    if s.get(j) == Some(&b'[') {
        let p0 = j + 1;
        let mut k = p0;
        while k < s.len() && s[k] != b']' && !is_blank(s[k]) && k - p0 < 32 {
            k += 1;
        }
        if s.get(k) != Some(&b']') {
            return None;
        }
        pid = Some((p0, k));
        j = k + 1;
    }
    Some(TagSpan {
        program: (i, prog_end),
        pid,
        end: j,
    })
}

/// Android's `prog: ` or `prog  (1234): ` after the priority letter.
fn parse_logcat_tag(s: &[u8], i: usize) -> Option<TagSpan> {
    let mut j = i;
    while j < s.len()
        && j - i <= 64
        && (s[j].is_ascii_alphanumeric() || matches!(s[j], b'_' | b'-' | b'.'))
    {
        j += 1;
    }
    if j == i || j - i > 64 {
        return None;
    }
    let prog = (i, j);
    let k = skip_blanks(s, j);
    let mut pid = None;
    let mut end = j;
    if s.get(k) == Some(&b'(') {
        let p0 = skip_blanks(s, k + 1);
        let p1 = p0 + s[p0..].iter().take_while(|b| b.is_ascii_digit()).count();
        if p1 == p0 || s.get(p1) != Some(&b')') {
            return None;
        }
        pid = Some((p0, p1));
        end = p1 + 1;
    }
    (s.get(end) == Some(&b':') && s.get(end + 1).is_none_or(|b| is_blank(*b))).then_some(TagSpan {
        program: prog,
        pid,
        end: end + 1,
    })
}

fn sub(line: &str, a: usize, b: usize) -> Option<&str> {
    line.get(a..b)
}

/// Splits `line` into header and message. Never fails.
pub fn parse(line: &str) -> SyslogHeader<'_> {
    let s = line.as_bytes();
    let mut h = SyslogHeader {
        format: WireFormat::Bare,
        pri: None,
        timestamp: None,
        host: None,
        program: None,
        pid: None,
        msgid: None,
        structured_data: None,
        tag_start: 0,
        msg_start: 0,
    };
    let mut i = match compose_prefix(s) {
        0 => archive_prefix(s),
        n => n,
    };
    if let Some((pri, used)) = parse_pri(&s[i..]) {
        h.pri = Some(pri);
        i += used;
    }
    // RFC 5424: `<PRI>1 `.
    if h.pri.is_some() && s.get(i) == Some(&b'1') && s.get(i + 1) == Some(&b' ') {
        if let Some(done) = parse_5424(line, i + 2, &mut h) {
            if done {
                return h;
            }
        }
    }
    // Clavister: `[timestamp] PROG: `. The brackets must hold a date and
    // time (SEIL's `[12] begin new tunnel` must stay a message). Without a
    // tag after them (a daemon's own log file: syslog-ng's
    // `[2017-05-29T20:14:52.676323] syslog-ng starting up`, or a collector's
    // timestamp before the daemon's; up to three more are skipped), the
    // message follows.
    if let Some(close) = bracketed_timestamp(s, i) {
        let mut after = skip_blanks(s, close + 1);
        for _ in 0..3 {
            match bracketed_timestamp(s, after) {
                Some(c) => after = skip_blanks(s, c + 1),
                None => break,
            }
        }
        h.format = WireFormat::Bracketed;
        h.timestamp = sub(line, i + 1, close);
        h.tag_start = after;
        h.msg_start = after;
        if let Some(t) = parse_tag(s, after) {
            h.set_tag(line, &t);
        }
        return h;
    }
    // RFC 3164. Without a PRI, a line may start with a blank (a day
    // padded with one: ` 1 Feb 16:03:27 ntpd[2307]: ...`).
    let t0 = if h.pri.is_none() {
        skip_blanks(s, i)
    } else {
        i
    };
    let ts = parse_bsd_timestamp(&s[t0..]).or_else(|| parse_iso_timestamp(&s[t0..]));
    if let Some(used) = ts {
        let mut t0 = t0;
        let mut ts_end = t0 + used;
        // A collector's timestamp before the daemon's own line (Docker's
        // `2017-07-21T06:22:36.875029166Z Jul 21 06:22:36 mail postfix/...`):
        // the inner one is the line's.
        let inner = skip_blanks(s, ts_end);
        if let Some(used) =
            parse_bsd_timestamp(&s[inner..]).or_else(|| parse_iso_timestamp(&s[inner..]))
        {
            t0 = inner;
            ts_end = inner + used;
        }
        h.format = WireFormat::Rfc3164;
        h.timestamp = sub(line, t0, ts_end);
        // A log viewer's columns, separated by tabs.
        if s.get(ts_end) == Some(&b'\t') {
            if let Some(t) = tab_columns(s, ts_end + 1) {
                h.tag_start = t.program.0;
                h.set_tag(line, &t);
                return h;
            }
        }
        // `timestamp: message`: a daemon's own log file (Libreswan's
        // `Nov 18 14:49:43.848976: "conn" #5: ...`, keepalived's
        // `Fri Apr  3 00:47:43 2020: Starting ...`): no host, no tag.
        if s.get(ts_end) == Some(&b':') && s.get(ts_end + 1).is_none_or(|b| is_blank(*b)) {
            let m = skip_blanks(s, ts_end + 1);
            h.tag_start = m;
            h.msg_start = m;
            return h;
        }
        let after_ts = skip_blanks(s, ts_end);
        // Up to the tag: a host, a `facility.level` word or a
        // `<facility.severity>`, each optional. A host has no brackets.
        let mut tag_at = after_ts;
        let mut tag = None;
        for _ in 0..3 {
            tag = parse_tag(s, tag_at);
            if tag.is_some() || bracketed_program(s, tag_at).is_some() {
                break;
            }
            let end = token_end(s, tag_at);
            let tok = &s[tag_at..end];
            if tok == b":" {
                // An empty tag: the message follows.
                let m = skip_blanks(s, end);
                h.tag_start = m;
                h.msg_start = m;
                return h;
            }
            if is_facility_level(tok)
                || is_bracketed_priority(tok)
                || (h.host.is_some() && is_level_word(tok))
            {
                tag_at = skip_blanks(s, end);
            } else if h.host.is_none() && !tok.is_empty() && !tok.contains(&b'[') {
                h.host = sub(line, tag_at, end);
                tag_at = skip_blanks(s, end);
            } else {
                break;
            }
        }
        h.tag_start = tag_at;
        h.msg_start = tag_at;
        // The tag the loop found (none when it stopped for another reason).
        let tag = tag.filter(|t| t.program.0 == tag_at);
        if let Some(t) = tag.or_else(|| parse_tag(s, tag_at)) {
            h.set_tag(line, &t);
        } else if let Some((prog, end)) = bracketed_program(s, tag_at) {
            h.program = sub(line, prog.0, prog.1);
            h.tag_start = skip_blanks(s, end);
            h.msg_start = h.tag_start;
        }
        return h;
    }
    // A bare message, maybe with a PRI and a tag.
    h.tag_start = i;
    h.msg_start = i;
    if let Some(t) = parse_tag(s, i) {
        h.set_tag(line, &t);
    }
    h
}

/// RFC 5424 after `<PRI>1 `. Returns Some(true) when the line was taken.
fn parse_5424<'a>(line: &'a str, mut i: usize, h: &mut SyslogHeader<'a>) -> Option<bool> {
    let s = line.as_bytes();
    let mut fields = [(0usize, 0usize); 5];
    for f in &mut fields {
        let end = token_end(s, i);
        if end == i {
            return None;
        }
        *f = (i, end);
        i = skip_blanks(s, end);
    }
    let nil = |(a, b): (usize, usize)| -> Option<&'a str> { sub(line, a, b).filter(|v| *v != "-") };
    h.format = WireFormat::Rfc5424;
    h.timestamp = nil(fields[0]);
    h.host = nil(fields[1]);
    h.program = nil(fields[2]);
    h.pid = nil(fields[3]);
    h.msgid = nil(fields[4]);
    // Structured data: `-` or one or more `[...]` with quoted values.
    let sd_start = i;
    if s.get(i) == Some(&b'-') && s.get(i + 1).is_none_or(|b| is_blank(*b)) {
        i += 1;
    } else {
        while s.get(i) == Some(&b'[') {
            let mut j = i + 1;
            let mut in_quotes = false;
            while j < s.len() {
                match s[j] {
                    b'\\' if in_quotes => j += 1,
                    b'"' => in_quotes = !in_quotes,
                    b']' if !in_quotes => break,
                    _ => {}
                }
                j += 1;
            }
            if j >= s.len() {
                // Unterminated: a line cut short in transit (UDP syslog
                // truncates at 1 or 2 KiB). The header stands; the
                // structured data runs to the end and there is no message.
                i = s.len();
                break;
            }
            i = j + 1;
        }
        if i > sd_start {
            h.structured_data = sub(line, sd_start, i);
        }
    }
    let mut msg = skip_blanks(s, i);
    // A UTF-8 byte order mark may start the message.
    if s[msg..].starts_with(&[0xEF, 0xBB, 0xBF]) {
        msg += 3;
    }
    h.tag_start = msg;
    h.msg_start = msg;
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3164_with_and_without_pri() {
        let line = "<38>Nov 22 10:15:02 srx1 fwauthd[1893]: DYNAMIC_VPN_AUTH_OK: text";
        let h = parse(line);
        assert_eq!(h.format, WireFormat::Rfc3164);
        assert_eq!(
            (h.pri, h.facility(), h.severity()),
            (Some(38), Some(4), Some(6))
        );
        assert_eq!(h.timestamp, Some("Nov 22 10:15:02"));
        assert_eq!(h.host, Some("srx1"));
        assert_eq!((h.program, h.pid), (Some("fwauthd"), Some("1893")));
        assert_eq!(
            &line[h.tag_start..],
            "fwauthd[1893]: DYNAMIC_VPN_AUTH_OK: text"
        );
        assert_eq!(&line[h.msg_start..], "DYNAMIC_VPN_AUTH_OK: text");

        let line = "Nov  2 01:02:03 nxr pppd[812]: Exit.";
        let h = parse(line);
        assert_eq!(
            (h.pri, h.host, h.program),
            (None, Some("nxr"), Some("pppd"))
        );
        assert_eq!(&line[h.tag_start..], "pppd[812]: Exit.");
    }

    #[test]
    fn what_syslog_daemons_print_around_the_tag() {
        // OpenWrt `logread`: weekday, year, facility.level, no host.
        let line = "Tue Aug  6 00:06:27 2019 daemon.err pppd[2391]: Exit.";
        let h = parse(line);
        assert_eq!(
            (h.host, h.program, h.pid),
            (None, Some("pppd"), Some("2391"))
        );
        assert_eq!(&line[h.msg_start..], "Exit.");
        // busybox: host, then facility.level.
        let h = parse("Aug 22 14:53:26 ng authpriv.warn pluto[7015]: x");
        assert_eq!((h.host, h.program), (Some("ng"), Some("pluto")));
        // `<facility.severity>` before the host.
        let h = parse("Feb 26 06:26:52 <10.4> localhost pluto[2531]: x");
        assert_eq!((h.host, h.program), (Some("localhost"), Some("pluto")));
        // An empty tag: no program, the message follows.
        let line = "Wed Jul  6 17:35:58 2022 daemon.info : 11[IKE] x";
        let h = parse(line);
        assert_eq!((h.host, h.program), (None, None));
        assert_eq!(&line[h.msg_start..], "11[IKE] x");
        // A program in brackets.
        let line = "Jul 31 20:25:16 [pluto] added connection";
        let h = parse(line);
        assert_eq!((h.host, h.program), (None, Some("pluto")));
        assert_eq!(&line[h.msg_start..], "added connection");
        // A host never holds brackets: `08[KNL]` is the message.
        let line = "2022-01-31T13:48:38+00:00 08[KNL] interface x activated";
        let h = parse(line);
        assert_eq!((h.host, h.program), (None, None));
        assert_eq!(&line[h.msg_start..], "08[KNL] interface x activated");
        // Android's logcat tags.
        let h = parse("I/charon: 10[IKE] x");
        assert_eq!((h.program, h.pid), (Some("charon"), None));
        let h = parse("I/charon  (14804): 13[IKE] x");
        assert_eq!((h.program, h.pid), (Some("charon"), Some("14804")));
        // SEIL's `[12] ...` stays a message.
        let h = parse("Nov 22 10:15:02 seil [12] begin new tunnel");
        assert_eq!((h.host, h.program), (Some("seil"), None));
    }

    #[test]
    fn rfc3164_without_host_and_with_iso_time() {
        let h = parse("<30>Nov 22 10:15:02 pluto[42]: shutting down");
        assert_eq!((h.host, h.program), (None, Some("pluto")));
        let line = "2026-11-22T10:15:02+09:00 nxr charon: 05[IKE] IKE_SA deleted";
        let h = parse(line);
        assert_eq!((h.host, h.program), (Some("nxr"), Some("charon")));
        assert_eq!(&line[h.msg_start..], "05[IKE] IKE_SA deleted");
    }

    #[test]
    fn rfc5424_with_structured_data() {
        let line = "<38>1 2026-11-22T10:15:02.120Z srx1 fwauthd 1893 DYNAMIC_VPN_AUTH_OK [junos@2636.1.1.1.2.40 username=\"al]ice\" type=\"x\"] text here";
        let h = parse(line);
        assert_eq!(h.format, WireFormat::Rfc5424);
        assert_eq!(
            (h.host, h.program, h.pid, h.msgid),
            (
                Some("srx1"),
                Some("fwauthd"),
                Some("1893"),
                Some("DYNAMIC_VPN_AUTH_OK")
            )
        );
        assert_eq!(
            h.structured_data,
            Some("[junos@2636.1.1.1.2.40 username=\"al]ice\" type=\"x\"]")
        );
        assert_eq!(&line[h.msg_start..], "text here");
        let h = parse("<13>1 - - - - - - just text");
        assert_eq!((h.host, h.program, h.structured_data), (None, None, None));
    }

    #[test]
    fn rfc5424_cut_inside_structured_data_keeps_its_header() {
        let line = "<35>1 2026-11-22T10:15:02.120Z srx1 fwauthd 1893 DYNAMIC_VPN_AUTH_FAIL [junos@2636.1.1.1.2.40 username=\"al";
        let h = parse(line);
        assert_eq!(h.format, WireFormat::Rfc5424);
        assert_eq!(h.msgid, Some("DYNAMIC_VPN_AUTH_FAIL"));
        assert_eq!(
            h.structured_data,
            Some("[junos@2636.1.1.1.2.40 username=\"al")
        );
        assert_eq!(h.msg_start, line.len());
    }

    #[test]
    fn clavister_bracketed() {
        let line = "<134>[2026-11-22 10:15:02] EFW: L2TP: prio=2 id=02800001";
        let h = parse(line);
        assert_eq!(h.format, WireFormat::Bracketed);
        assert_eq!(
            (h.timestamp, h.program),
            (Some("2026-11-22 10:15:02"), Some("EFW"))
        );
        assert_eq!(&line[h.msg_start..], "L2TP: prio=2 id=02800001");
    }

    #[test]
    fn bracketed_numbers_are_not_a_timestamp() {
        let h = parse("[47252] alice: invalid cookie length (41904)");
        assert_eq!((h.format, h.msg_start), (WireFormat::Bare, 0));
    }

    #[test]
    fn a_log_viewers_columns_with_or_without_a_severity() {
        let h = parse("2025-05-11T12:13:18\tInformational\tcharon\t15[IKE] x");
        assert_eq!((h.program, h.pid), (Some("charon"), None));
        assert_eq!(
            &"2025-05-11T12:13:18\tInformational\tcharon\t15[IKE] x"[h.msg_start..],
            "15[IKE] x"
        );
        let h = parse("2021-01-12T20:03:29\tdhclient[4998]\tDHCPDISCOVER on igb0");
        assert_eq!((h.program, h.pid), (Some("dhclient"), Some("4998")));
        // A severity column followed by no process: the first column is
        // the process (as the generated VRL reads it).
        let h = parse("2025-05-11T12:13:18\tNotice\tsyslog ng\tx");
        assert_eq!(h.program, Some("Notice"));
    }

    #[test]
    fn bare_and_odd_lines_never_fail() {
        for line in [
            "",
            "<",
            "<999>x",
            "<1>",
            "Nov",
            "[unclosed",
            "<13>1 ",
            "<13>1 a b c d e [x",
            "\u{feff}",
        ] {
            let h = parse(line);
            assert!(h.msg_start <= line.len());
        }
        let h = parse("failed to create tunnel");
        assert_eq!(
            (h.format, h.program, h.msg_start),
            (WireFormat::Bare, None, 0)
        );
    }
}

//! The syslog header parser and the matcher on arbitrary lines: no panic,
//! every span inside the line and on character boundaries, every borrowed
//! field and parameter a slice of the line.
#![no_main]

use std::borrow::Cow;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use logref_engine::Matcher;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| logref_default_artifact::matcher().unwrap())
}

fn inside(line: &str, s: &str) -> bool {
    let (a, b) = (line.as_ptr() as usize, line.as_ptr() as usize + line.len());
    let p = s.as_ptr() as usize;
    p >= a && p + s.len() <= b
}

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let line: &str = &line;
    let h = logref_engine::syslog::parse(line);
    assert!(h.tag_start <= h.msg_start && h.msg_start <= line.len());
    assert!(line.is_char_boundary(h.tag_start) && line.is_char_boundary(h.msg_start));
    for f in [
        h.timestamp,
        h.host,
        h.program,
        h.pid,
        h.msgid,
        h.structured_data,
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            inside(line, f),
            "header field {f:?} is not part of the line"
        );
    }
    let m = matcher();
    if let Some(r) = m.match_line(line) {
        assert!(r.entry < m.entries().len());
        for p in &r.params {
            if let Some((a, b)) = p.span {
                assert!(a <= b && b <= line.len(), "span {a}..{b} outside the line");
                assert!(line.is_char_boundary(a) && line.is_char_boundary(b));
            }
            if let Cow::Borrowed(v) = &p.value {
                assert!(
                    inside(line, v) || v.is_empty(),
                    "parameter {:?} = {v:?} is not part of the line",
                    p.name
                );
            }
        }
    }
    let _ = m.line_candidates(line);
});

//! Pulls parameter values out of a line the DFA has matched.
//!
//! The DFA says *which* template matched and where the match ends; it
//! cannot say where each placeholder's value lies. Generic capture engines
//! are slow here (see the compile issue's measurements), but a template is
//! just literals with typed holes between them, known at build time, so a
//! small backtracking walk over the pattern's [`Item`]s finds the split:
//! strings and text take the shortest value after which the rest of the
//! template fits (a string never swallows the literal that follows it),
//! numbers and addresses the longest. The walk is iterative, bounded by a
//! step budget, and never panics on any input.

use crate::artifact::Item;
use crate::types::ValueType;

/// Steps one extraction may take before giving up (a pathological line
/// then matches without parameters rather than taking unbounded time).
pub const STEP_BUDGET: usize = 20_000;

/// One step of a flattened pattern: `Opt(inner)` becomes `OptStart(len)`
/// then `inner`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Lit(Box<[u8]>),
    Blank,
    Hole(u16, ValueType),
    AnyTag,
    /// An optional group of the next `n` ops.
    OptStart(usize),
}

/// A pattern's items flattened once, when the artifact is loaded, so the
/// record path only walks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    ops: Vec<Op>,
}

impl Program {
    pub fn new(items: &[Item]) -> Program {
        let mut ops = Vec::new();
        flatten(items, &mut ops);
        Program { ops }
    }
}

fn flatten(items: &[Item], out: &mut Vec<Op>) {
    for it in items {
        match it {
            Item::Lit(s) => out.push(Op::Lit(s.as_bytes().into())),
            Item::Blank => out.push(Op::Blank),
            Item::Hole { name, ty } => out.push(Op::Hole(*name, *ty)),
            Item::AnyTag => out.push(Op::AnyTag),
            Item::Opt(inner) => {
                let at = out.len();
                out.push(Op::OptStart(0));
                flatten(inner, out);
                let n = out.len() - at - 1;
                out[at] = Op::OptStart(n);
            }
        }
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-')
}

/// `[A-Za-z0-9_./-]+(\[[0-9]+\])?:[ \t]+` at `pos`: the possible ends
/// (the tag is unambiguous but for how many blanks follow; the longest
/// run is taken, as the next item never starts with a blank).
fn any_tag_end(text: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos;
    while i < text.len() && is_tag_byte(text[i]) {
        i += 1;
    }
    if i == pos {
        return None;
    }
    if text.get(i) == Some(&b'[') {
        let d0 = i + 1;
        let mut j = d0;
        while j < text.len() && text[j].is_ascii_digit() {
            j += 1;
        }
        if j == d0 || text.get(j) != Some(&b']') {
            return None;
        }
        i = j + 1;
    }
    if text.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let b0 = i;
    while i < text.len() && is_blank(text[i]) {
        i += 1;
    }
    (i > b0).then_some(i)
}

/// The span of the program name inside a tag matched by `any_tag_end`.
pub fn tag_program(text: &[u8], start: usize) -> (usize, usize) {
    let mut i = start;
    while i < text.len() && is_tag_byte(text[i]) {
        i += 1;
    }
    (start, i)
}

/// What one extraction found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    /// (name index, start, end) per hole, in template order.
    pub values: Vec<(u16, usize, usize)>,
    /// The span of an optional program tag the pattern consumed.
    pub tag: Option<(usize, usize)>,
}

/// A choice point to come back to.
enum Choice {
    /// Skip the optional group: continue at `pc` with `pos`.
    Skip {
        pc: usize,
        pos: usize,
        nvals: usize,
        tag: Option<(usize, usize)>,
    },
    /// Try the next value end for the hole at `pc` (ends in `ends[from..to]`).
    Hole {
        pc: usize,
        start: usize,
        nvals: usize,
        from: usize,
        to: usize,
        tag: Option<(usize, usize)>,
    },
}

/// Reusable buffers so that extraction allocates nothing once warm.
#[derive(Default)]
pub struct Scratch {
    ends: Vec<usize>,
    stack: Vec<Choice>,
}

/// Finds values for the pattern's holes such that the whole pattern
/// matches `text[..end]` exactly. `None` when there is no such split or the
/// step budget ran out.
pub fn extract(
    program: &Program,
    text: &[u8],
    end: usize,
    scratch: &mut Scratch,
) -> Option<Extraction> {
    let ops = &program.ops;
    let text = text.get(..end)?;
    scratch.ends.clear();
    scratch.stack.clear();
    let mut out = Extraction::default();
    let mut pc = 0usize;
    let mut pos = 0usize;
    let mut steps = 0usize;
    loop {
        steps += 1;
        if steps > STEP_BUDGET {
            return None;
        }
        // Run forward until failure or success.
        let ok = match ops.get(pc) {
            None => {
                if pos == text.len() {
                    return Some(out);
                }
                false
            }
            Some(Op::Lit(l)) => {
                if text.get(pos..).is_some_and(|t| t.starts_with(l)) {
                    pos += l.len();
                    pc += 1;
                    true
                } else {
                    false
                }
            }
            Some(Op::Blank) => {
                let b0 = pos;
                while pos < text.len() && is_blank(text[pos]) {
                    pos += 1;
                }
                pc += 1;
                pos > b0
            }
            Some(Op::AnyTag) => match any_tag_end(text, pos) {
                Some(e) => {
                    out.tag = Some(tag_program(text, pos));
                    pos = e;
                    pc += 1;
                    true
                }
                None => false,
            },
            Some(Op::OptStart(n)) => {
                scratch.stack.push(Choice::Skip {
                    pc: pc + 1 + n,
                    pos,
                    nvals: out.values.len(),
                    tag: out.tag,
                });
                pc += 1;
                true
            }
            Some(Op::Hole(name, ty)) => {
                let (name, ty) = (*name, *ty);
                let from = scratch.ends.len();
                candidate_ends(ty, text, pos, ops.get(pc + 1), &mut scratch.ends);
                let to = scratch.ends.len();
                if from == to {
                    false
                } else {
                    let e = scratch.ends[from];
                    if to - from > 1 {
                        scratch.stack.push(Choice::Hole {
                            pc,
                            start: pos,
                            nvals: out.values.len(),
                            from: from + 1,
                            to,
                            tag: out.tag,
                        });
                    }
                    out.values.push((name, pos, e));
                    pos = e;
                    pc += 1;
                    true
                }
            }
        };
        if ok {
            continue;
        }
        // Backtrack.
        match scratch.stack.pop()? {
            Choice::Skip {
                pc: p,
                pos: q,
                nvals,
                tag,
            } => {
                out.values.truncate(nvals);
                out.tag = tag;
                pc = p;
                pos = q;
            }
            Choice::Hole {
                pc: p,
                start,
                nvals,
                from,
                to,
                tag,
            } => {
                out.values.truncate(nvals);
                out.tag = tag;
                let e = scratch.ends[from];
                if from + 1 < to {
                    scratch.stack.push(Choice::Hole {
                        pc: p,
                        start,
                        nvals,
                        from: from + 1,
                        to,
                        tag,
                    });
                }
                if let Some(&Op::Hole(name, _)) = ops.get(p) {
                    out.values.push((name, start, e));
                }
                pos = e;
                pc = p + 1;
            }
        }
    }
}

/// Pushes the possible ends of a `ty` value starting at `pos`, in order of
/// preference, keeping only ends where `next` can start.
fn candidate_ends(
    ty: ValueType,
    text: &[u8],
    pos: usize,
    next: Option<&Op>,
    ends: &mut Vec<usize>,
) {
    // A wildcard may be empty and start with a blank; other values may not.
    let any = ty == ValueType::Any;
    if !any && (pos >= text.len() || is_blank(text[pos])) {
        return;
    }
    // The furthest a value may reach: the end of the token, or of the text.
    let limit = if ty.spans_blanks() {
        text.len()
    } else {
        let mut i = pos;
        while i < text.len() && !is_blank(text[i]) && text[i] != b'\n' && text[i] != b'\r' {
            i += 1;
        }
        i
    };
    let fits_next = |e: usize| -> bool {
        // Never split a UTF-8 sequence.
        if text.get(e).is_some_and(|b| (0x80..0xC0).contains(b)) {
            return false;
        }
        match next {
            None => e == text.len(),
            Some(Op::Lit(l)) => text.get(e..).is_some_and(|t| t.starts_with(l)),
            Some(Op::Blank) => text.get(e).is_some_and(|b| is_blank(*b)),
            _ => true,
        }
    };
    let start = ends.len();
    let first = if any { pos } else { pos + 1 };
    for e in first..=limit {
        if fits_next(e) && text.get(pos..e).is_some_and(|v| ty.accepts(v)) {
            ends.push(e);
            if ends.len() - start >= 4096 {
                break;
            }
        }
    }
    if !ty.lazy() {
        ends[start..].reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::Item::*;

    fn lit(s: &str) -> Item {
        Lit(s.into())
    }

    fn run<'t>(items: &[Item], text: &'t str) -> Option<Vec<&'t str>> {
        let mut scratch = Scratch::default();
        let x = extract(
            &Program::new(items),
            text.as_bytes(),
            text.len(),
            &mut scratch,
        )?;
        Some(x.values.iter().map(|(_, a, b)| &text[*a..*b]).collect())
    }

    #[test]
    fn string_stops_at_the_following_literal() {
        let items = [
            lit("for"),
            Blank,
            lit("'"),
            Hole {
                name: 0,
                ty: ValueType::String,
            },
            lit("'"),
            Blank,
            lit("-"),
            Blank,
            lit("'"),
            Hole {
                name: 1,
                ty: ValueType::String,
            },
            lit("'"),
        ];
        assert_eq!(
            run(&items, "for '1.2.3.4' - 'a'b'").unwrap(),
            ["1.2.3.4", "a'b"]
        );
    }

    #[test]
    fn text_spans_words_until_the_literal() {
        let items = [
            lit("("),
            Hole {
                name: 0,
                ty: ValueType::Int,
            },
            lit(":"),
            Blank,
            Hole {
                name: 1,
                ty: ValueType::Text,
            },
            lit("),"),
        ];
        assert_eq!(
            run(&items, "(111: Connection refused),").unwrap(),
            ["111", "Connection refused"]
        );
    }

    #[test]
    fn optional_tag_and_types() {
        let items = [
            Opt(vec![AnyTag]),
            lit("["),
            Hole {
                name: 0,
                ty: ValueType::Int,
            },
            lit("]"),
            Blank,
            lit("peer:"),
            Hole {
                name: 1,
                ty: ValueType::Ipv4,
            },
        ];
        let text = "l2tpd[12]: [7] peer:192.0.2.1";
        let mut scratch = Scratch::default();
        let x = extract(
            &Program::new(&items),
            text.as_bytes(),
            text.len(),
            &mut scratch,
        )
        .unwrap();
        assert_eq!(x.tag, Some((0, 5)));
        assert_eq!(
            run(&items, "[7] peer:192.0.2.1").unwrap(),
            ["7", "192.0.2.1"]
        );
        assert!(run(&items, "[x] peer:192.0.2.1").is_none());
        assert!(run(&items, "[7] peer:192.0.2").is_none());
    }

    #[test]
    fn budget_bounds_pathological_input() {
        let items = [
            Hole {
                name: 0,
                ty: ValueType::Text,
            },
            Blank,
            Hole {
                name: 1,
                ty: ValueType::Text,
            },
            Blank,
            Hole {
                name: 2,
                ty: ValueType::Text,
            },
            lit("!"),
        ];
        let text = "a ".repeat(400) + "b";
        assert!(run(&items, &text).is_none());
    }
}

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
use crate::bytes;
use crate::types::ValueType;

/// Steps one extraction may take before giving up (a pathological line
/// then matches without parameters rather than taking unbounded time).
pub const STEP_BUDGET: usize = 20_000;

/// One step of a flattened pattern: `Opt(inner)` becomes `OptStart(len)`
/// then `inner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
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
    pub(crate) ops: Vec<Op>,
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

pub(crate) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-')
}

/// `[A-Za-z0-9_./-]+(\[[0-9]+\])?:[ \t]+` at `pos`: the possible ends
/// (the tag is unambiguous but for how many blanks follow; the longest
/// run is taken, as the next item never starts with a blank).
pub(crate) fn any_tag_end(text: &[u8], pos: usize) -> Option<usize> {
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

/// A choice point to come back to.
enum Choice {
    /// Skip the optional group: continue at `pc` with `pos`.
    Skip { pc: usize, pos: usize, nvals: usize },
    /// The hole at `pc` took `text[start..end]`; its next value, if the
    /// rest fails, is the next end after `end` in the type's order, up to
    /// `limit` (see [`next_end`]).
    Hole {
        pc: usize,
        start: usize,
        end: usize,
        limit: usize,
        nvals: usize,
    },
}

/// Reusable buffers, so that extraction allocates nothing once warm (the
/// caller keeps one, like regex-automata's `Cache`).
#[derive(Default)]
pub struct Scratch {
    stack: Vec<Choice>,
    /// (name index, start, end) per hole, in template order: the last
    /// extraction's values.
    values: Vec<(u16, usize, usize)>,
}

/// Finds values for the pattern's holes such that the whole pattern
/// matches `text[..end]` exactly: (name index, start, end) per hole, in
/// template order. `None` when there is no such split or the step budget
/// ran out.
///
/// A hole's values are tried lazily, one end at a time in the type's order
/// of preference, so a line that fits at the first try costs one scan of
/// each value.
pub fn extract<'s>(
    program: &Program,
    text: &[u8],
    end: usize,
    scratch: &'s mut Scratch,
) -> Option<&'s [(u16, usize, usize)]> {
    let ops = &program.ops;
    let text = text.get(..end)?;
    let Scratch { stack, values } = scratch;
    stack.clear();
    values.clear();
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
                    return Some(values);
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
                    pos = e;
                    pc += 1;
                    true
                }
                None => false,
            },
            Some(Op::OptStart(n)) => {
                stack.push(Choice::Skip {
                    pc: pc + 1 + n,
                    pos,
                    nvals: values.len(),
                });
                pc += 1;
                true
            }
            Some(&Op::Hole(name, ty)) => {
                let hole = HoleAt {
                    ty,
                    text,
                    start: pos,
                    next: ops.get(pc + 1),
                };
                let limit = hole.limit();
                match hole.next_end(None, limit, &mut steps) {
                    Some(e) => {
                        stack.push(Choice::Hole {
                            pc,
                            start: pos,
                            end: e,
                            limit,
                            nvals: values.len(),
                        });
                        values.push((name, pos, e));
                        pos = e;
                        pc += 1;
                        true
                    }
                    None => false,
                }
            }
        };
        if ok {
            continue;
        }
        // Backtrack to the latest choice that has another way.
        loop {
            match stack.pop()? {
                Choice::Skip {
                    pc: p,
                    pos: q,
                    nvals,
                } => {
                    values.truncate(nvals);
                    pc = p;
                    pos = q;
                    break;
                }
                Choice::Hole {
                    pc: p,
                    start,
                    end,
                    limit,
                    nvals,
                } => {
                    let Some(&Op::Hole(name, ty)) = ops.get(p) else {
                        return None;
                    };
                    let hole = HoleAt {
                        ty,
                        text,
                        start,
                        next: ops.get(p + 1),
                    };
                    if let Some(e) = hole.next_end(Some(end), limit, &mut steps) {
                        values.truncate(nvals);
                        stack.push(Choice::Hole {
                            pc: p,
                            start,
                            end: e,
                            limit,
                            nvals,
                        });
                        values.push((name, start, e));
                        pos = e;
                        pc = p + 1;
                        break;
                    }
                }
            }
        }
    }
}

/// One hole being filled: a value of `ty` starting at `start`, followed by
/// the op `next`.
struct HoleAt<'a> {
    ty: ValueType,
    text: &'a [u8],
    start: usize,
    next: Option<&'a Op>,
}

impl HoleAt<'_> {
    /// The furthest a value may reach: the end of the token, or of the text.
    fn limit(&self) -> usize {
        let rest = self.text.get(self.start..).unwrap_or(&[]);
        if self.ty.spans_blanks() {
            self.text.len()
        } else {
            self.start + bytes::find_token_end(rest).unwrap_or(rest.len())
        }
    }

    /// The next end to try after `after` (`None`: the first), in order of
    /// preference: shortest first for lazy types, longest first for the
    /// others; only ends where the next op can start and the value is one
    /// of the type's. Each end examined is a step.
    fn next_end(&self, after: Option<usize>, limit: usize, steps: &mut usize) -> Option<usize> {
        let (text, pos, ty) = (self.text, self.start, self.ty);
        // A wildcard may be empty and start with a blank; other values may not.
        let any = ty == ValueType::Any;
        if !any && (pos >= text.len() || is_blank(text[pos])) {
            return None;
        }
        let first = if any { pos } else { pos + 1 };
        if first > limit {
            return None;
        }
        if ty.lazy() {
            let mut e = after.map_or(first, |a| a + 1);
            while e <= limit {
                *steps += 1;
                if *steps > STEP_BUDGET {
                    return None;
                }
                // Jump to where the next op can start.
                match self.next {
                    Some(Op::Lit(l)) if !l.is_empty() => {
                        let rest = text.get(e..limit).unwrap_or(&[]);
                        let from_limit = limit < text.len() && text[limit..].starts_with(l);
                        match bytes::find_byte(rest, l[0]) {
                            Some(k) => e += k,
                            None if from_limit => e = limit,
                            None => return None,
                        }
                    }
                    // The end of the text, or (a value without blanks) of
                    // the token: the only place the op may start.
                    None => e = e.max(text.len()),
                    Some(Op::Blank) if !ty.spans_blanks() => e = e.max(limit),
                    Some(Op::Blank) => {
                        let rest = text.get(e..).unwrap_or(&[]);
                        e += bytes::find_blank(rest)?;
                    }
                    _ => {}
                }
                if e > limit {
                    return None;
                }
                if self.fits(e) {
                    return Some(e);
                }
                e += 1;
            }
            None
        } else {
            let mut e = after.map_or(limit, |a| a.wrapping_sub(1));
            while e >= first && e <= limit {
                *steps += 1;
                if *steps > STEP_BUDGET {
                    return None;
                }
                if self.fits(e) {
                    return Some(e);
                }
                e -= 1;
            }
            None
        }
    }

    /// Whether the value may end at `e`.
    fn fits(&self, e: usize) -> bool {
        let text = self.text;
        // Never split a UTF-8 sequence.
        if text.get(e).is_some_and(|b| (0x80..0xC0).contains(b)) {
            return false;
        }
        let next_fits = match self.next {
            None => e == text.len(),
            Some(Op::Lit(l)) => text.get(e..).is_some_and(|t| t.starts_with(l)),
            Some(Op::Blank) => text.get(e).is_some_and(|b| is_blank(*b)),
            _ => true,
        };
        next_fits && text.get(self.start..e).is_some_and(|v| self.ty.accepts(v))
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
        Some(x.iter().map(|(_, a, b)| &text[*a..*b]).collect())
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
        assert_eq!(
            run(&items, "l2tpd[12]: [7] peer:192.0.2.1").unwrap(),
            ["7", "192.0.2.1"]
        );
        assert_eq!(
            run(&items, "[7] peer:192.0.2.1").unwrap(),
            ["7", "192.0.2.1"]
        );
        assert!(run(&items, "[x] peer:192.0.2.1").is_none());
        assert!(run(&items, "[7] peer:192.0.2").is_none());
    }

    #[test]
    fn an_empty_literal_after_a_value_is_no_panic() {
        // A validated artifact from elsewhere may hold one.
        let items = [
            Hole {
                name: 0,
                ty: ValueType::String,
            },
            lit(""),
            Blank,
            lit("x"),
        ];
        assert_eq!(run(&items, "abc x").unwrap(), ["abc"]);
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

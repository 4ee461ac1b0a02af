//! Online, single-pass grouping of messages into shapes, in the manner of
//! Drain (He, Zhu, Zheng, Lyu: "Drain: An Online Log Parsing Approach with
//! Fixed Depth Tree", ICWS 2017), the miner behind the `drain3` package.
//!
//! Each message is a sequence of masked tokens ([`super::shape`]). A fixed
//! depth prefix tree narrows the shapes a message is compared with: first
//! by the line's program (lines of two daemons are never one shape), then
//! by the number of tokens, then by the first `depth - 3` tokens (a masked token
//! goes down the wildcard branch, and a node with `max_children` children
//! sends new words there too, so the tree stays small). In the leaf, the
//! message joins the shape it shares the most tokens with, if at least
//! `similarity` of its tokens are equal; the positions where they differ
//! become wildcards. Otherwise it starts a new shape.
//!
//! Memory grows with the number of shapes, not of lines: each shape keeps
//! its tokens, one example and a few counters. At `max_shapes` no new shape
//! is made and the lines that would need one are only counted.
//!
//! Written here rather than taken from a crate: the tree is small, the
//! tokens are the engine's own masked types, and no maintained Rust crate
//! implements Drain.

use std::collections::HashMap;

use super::shape::{Mask, Piece, Token};

/// The miner's knobs; the defaults and meanings are `drain3`'s.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// The tree's depth as `drain3` counts it: the root, the token count
    /// and the leaf take three levels, so a message is routed by its first
    /// `depth - 3` tokens (never by its last one).
    pub depth: usize,
    /// The share of equal tokens (0 to 1) a message needs to join a shape.
    pub similarity: f64,
    /// Children of a tree node before new words go down the wildcard branch.
    pub max_children: usize,
    /// Shapes kept; lines that would need more are counted in `overflow`.
    pub max_shapes: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            depth: 4,
            similarity: 0.4,
            max_children: 100,
            max_shapes: 50_000,
        }
    }
}

/// One position of a shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    Word(Box<str>),
    Masked(Mask),
    /// The messages differ here.
    Wild,
}

impl Slot {
    fn of(t: &Token<'_>) -> Slot {
        match t {
            Token::Word(w) => Slot::Word((*w).into()),
            Token::Masked(m) => Slot::Masked(*m),
        }
    }

    fn equals(&self, t: &Token<'_>) -> bool {
        match (self, t) {
            (Slot::Word(a), Token::Word(b)) => &**a == *b,
            (Slot::Masked(a), Token::Masked(b)) => a == b,
            _ => false,
        }
    }
}

/// Where a line was: the index of its input file and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    pub file: usize,
    pub line: u64,
}

/// A group of messages of one program that look alike.
#[derive(Debug, Clone)]
pub struct Shape {
    pub program: Option<Box<str>>,
    pub slots: Vec<Slot>,
    /// Whether a blank comes before each slot (from the first line).
    pub blank_before: Vec<bool>,
    pub count: u64,
    pub first: Pos,
    pub last: Pos,
    /// The first line of the shape, whole.
    pub example: String,
    /// Lines by syslog severity (from the PRI), where the line had one.
    pub severities: [u64; 8],
}

impl Shape {
    /// The shape as text: words, masks as `<ipv4>`, wildcards as `<*>`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (slot, &blank) in self.slots.iter().zip(&self.blank_before) {
            if blank {
                s.push(' ');
            }
            match slot {
                Slot::Word(w) => s.push_str(w),
                Slot::Masked(m) => s.push_str(m.label()),
                Slot::Wild => s.push_str("<*>"),
            }
        }
        s
    }

    /// The most frequent severity of the lines that carried one.
    pub fn severity(&self) -> Option<u8> {
        let (code, n) = self
            .severities
            .iter()
            .enumerate()
            .max_by_key(|&(code, n)| (*n, std::cmp::Reverse(code)))?;
        (*n > 0).then_some(code as u8)
    }

    /// The share of equal tokens, and the number of wildcards (Drain's
    /// tie-break: the more general shape wins).
    ///
    /// Only content is counted: a position where the line has punctuation
    /// (the brackets, `=`, `,` and `:` the tokenizer cuts off as tokens of
    /// their own) is structure, and counting it would make two short
    /// messages that share only their punctuation look alike
    /// (`peer: Invalid address` and `peer: No param`).
    fn similarity(&self, pieces: &[Piece<'_>]) -> (f64, usize) {
        let mut equal = 0;
        let mut wild = 0;
        let mut content = 0;
        for (slot, p) in self.slots.iter().zip(pieces) {
            if *slot == Slot::Wild {
                wild += 1;
            }
            if p.is_punctuation() {
                continue;
            }
            content += 1;
            if *slot != Slot::Wild && slot.equals(&p.token) {
                equal += 1;
            }
        }
        if content == 0 {
            // Punctuation only: all of it must agree.
            let same = self
                .slots
                .iter()
                .zip(pieces)
                .all(|(s, p)| s.equals(&p.token));
            return (if same { 1.0 } else { 0.0 }, wild);
        }
        (equal as f64 / content as f64, wild)
    }
}

#[derive(Default)]
struct Node {
    children: HashMap<Box<str>, Node>,
    wild: Option<Box<Node>>,
    /// Shapes, at the last layer.
    shapes: Vec<u32>,
}

/// The tree and its shapes.
pub struct Miner {
    params: Params,
    roots: Roots,
    shapes: Vec<Shape>,
    overflow: u64,
}

/// One message to add.
pub struct Message<'a, 'p> {
    pub program: Option<&'a str>,
    pub pieces: &'p [Piece<'a>],
    /// The whole line, kept as the example of a new shape.
    pub line: &'a str,
    pub pos: Pos,
    pub severity: Option<u8>,
}

impl Miner {
    pub fn new(params: Params) -> Miner {
        Miner {
            params,
            roots: Roots::default(),
            shapes: Vec::new(),
            overflow: 0,
        }
    }

    /// Adds a message; the index of its shape, or `None` when the shape
    /// would be new and `max_shapes` are kept already.
    pub fn add(&mut self, m: &Message<'_, '_>) -> Option<usize> {
        let full = self.shapes.len() >= self.params.max_shapes;
        let Some(node) = leaf(&mut self.roots, &self.params, m, full) else {
            self.overflow += 1;
            return None;
        };
        let similarity = self.params.similarity;
        let best = node
            .shapes
            .iter()
            .map(|&i| (i, self.shapes[i as usize].similarity(m.pieces)))
            .filter(|(_, (sim, _))| *sim >= similarity)
            .max_by(|(_, a), (_, b)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(i, _)| i as usize);
        let i = match best {
            Some(i) => {
                let s = &mut self.shapes[i];
                for (slot, p) in s.slots.iter_mut().zip(m.pieces) {
                    if *slot != Slot::Wild && !slot.equals(&p.token) {
                        *slot = Slot::Wild;
                    }
                }
                s.count += 1;
                s.last = m.pos;
                i
            }
            None if full => {
                self.overflow += 1;
                return None;
            }
            None => {
                node.shapes.push(self.shapes.len() as u32);
                self.shapes.push(Shape {
                    program: m.program.map(Box::from),
                    slots: m.pieces.iter().map(|p| Slot::of(&p.token)).collect(),
                    blank_before: m.pieces.iter().map(|p| p.blank_before).collect(),
                    count: 1,
                    first: m.pos,
                    last: m.pos,
                    example: m.line.to_string(),
                    severities: [0; 8],
                });
                self.shapes.len() - 1
            }
        };
        if let Some(sev) = m.severity.filter(|s| *s < 8) {
            self.shapes[i].severities[usize::from(sev)] += 1;
        }
        Some(i)
    }

    /// Lines that found no shape because `max_shapes` were kept.
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    pub fn shapes(&self) -> &[Shape] {
        &self.shapes
    }

    /// The shapes, largest first (ties: first seen first).
    pub fn into_ranked(self) -> Vec<Shape> {
        let mut shapes = self.shapes;
        shapes.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.line.cmp(&b.first.line)));
        shapes
    }
}

/// The first two layers: by program, then by token count.
#[derive(Default)]
struct Roots {
    by_program: HashMap<Box<str>, HashMap<usize, Node>>,
    no_program: HashMap<usize, Node>,
}

/// The leaf `m` belongs in, made on the way unless `full` (when all shapes
/// are kept already, a message that needs a new node can only overflow,
/// so no node is made for it and memory stays bounded).
fn leaf<'r>(
    roots: &'r mut Roots,
    params: &Params,
    m: &Message<'_, '_>,
    full: bool,
) -> Option<&'r mut Node> {
    let by_len = match m.program {
        None => &mut roots.no_program,
        Some(p) if roots.by_program.contains_key(p) => roots.by_program.get_mut(p)?,
        Some(_) if full => return None,
        Some(p) => roots.by_program.entry(p.into()).or_default(),
    };
    let n = m.pieces.len();
    let mut node = match by_len.contains_key(&n) {
        true => by_len.get_mut(&n)?,
        false if full => return None,
        false => by_len.entry(n).or_default(),
    };
    let routed = params.depth.saturating_sub(3).min(n.saturating_sub(1));
    for p in &m.pieces[..routed] {
        let word = match &p.token {
            // Drain's rule: a token with a digit in it is likely a value.
            Token::Word(w) if !w.bytes().any(|b| b.is_ascii_digit()) => Some(*w),
            _ => None,
        };
        node = match word {
            Some(w) if node.children.contains_key(w) => node.children.get_mut(w)?,
            Some(w) if node.children.len() < params.max_children && !full => {
                node.children.entry(w.into()).or_default()
            }
            Some(_) if node.children.len() < params.max_children => return None,
            _ if full => node.wild.as_deref_mut()?,
            _ => node.wild.get_or_insert_with(Box::default),
        };
    }
    Some(node)
}

/// The shapes of `lines` (program, line), each with syslog severity
/// `severity`, largest first: for the tests here and in `suggest`.
#[cfg(test)]
pub(crate) fn mine_lines(
    lines: &[(Option<&str>, &str)],
    severity: u8,
    params: Params,
) -> Vec<Shape> {
    let mut miner = Miner::new(params);
    for (n, (program, line)) in lines.iter().enumerate() {
        let mut pieces = Vec::new();
        super::shape::tokenize(line, &mut pieces);
        miner.add(&Message {
            program: *program,
            pieces: &pieces,
            line,
            pos: Pos {
                file: 0,
                line: n as u64 + 1,
            },
            severity: Some(severity),
        });
    }
    miner.into_ranked()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::shape::tokenize;

    fn mine(lines: &[(&str, &str)], params: Params) -> Vec<Shape> {
        let lines: Vec<(Option<&str>, &str)> = lines.iter().map(|(p, l)| (Some(*p), *l)).collect();
        mine_lines(&lines, 6, params)
    }

    #[test]
    fn lines_that_differ_in_values_are_one_shape() {
        let shapes = mine(
            &[
                (
                    "sshd",
                    "Accepted password for alice from 192.0.2.7 port 50122 ssh2",
                ),
                (
                    "sshd",
                    "Accepted password for bob from 198.51.100.9 port 4022 ssh2",
                ),
                (
                    "sshd",
                    "Accepted publickey for carol from 2001:db8::1 port 22 ssh2",
                ),
                ("sshd", "Connection closed by 192.0.2.7 port 50122"),
                ("cron", "Connection closed by 192.0.2.7 port 50122"),
            ],
            Params::default(),
        );
        let texts: Vec<String> = shapes.iter().map(Shape::text).collect();
        assert_eq!(
            texts,
            [
                "Accepted <*> for <*> from <*> port <int> ssh2",
                "Connection closed by <ipv4> port <int>",
                "Connection closed by <ipv4> port <int>",
            ]
        );
        assert_eq!(shapes[0].count, 3);
        assert_eq!((shapes[0].first.line, shapes[0].last.line), (1, 3));
        assert_eq!(shapes[0].example, lines_first());
        assert_eq!(shapes[0].severity(), Some(6));
        assert_eq!(shapes[2].program.as_deref(), Some("cron"));
    }

    fn lines_first() -> &'static str {
        "Accepted password for alice from 192.0.2.7 port 50122 ssh2"
    }

    #[test]
    fn dissimilar_lines_of_one_length_stay_apart() {
        let shapes = mine(
            &[
                ("d", "link up on port 3"),
                ("d", "fan failed in slot 3"),
                ("d", "link up on port 4"),
            ],
            Params::default(),
        );
        assert_eq!(shapes.len(), 2);
        assert_eq!(shapes[0].text(), "link up on port <int>");
    }

    #[test]
    fn past_max_shapes_lines_are_counted_not_kept() {
        let params = Params {
            max_shapes: 1,
            ..Params::default()
        };
        let mut miner = Miner::new(params);
        let mut pieces = Vec::new();
        for line in ["a b c", "x y z", "a b c"] {
            tokenize(line, &mut pieces);
            miner.add(&Message {
                program: None,
                pieces: &pieces,
                line,
                pos: Pos { file: 0, line: 1 },
                severity: None,
            });
        }
        assert_eq!(miner.shapes().len(), 1);
        assert_eq!(miner.shapes()[0].count, 2);
        assert_eq!(miner.overflow(), 1);
        assert_eq!(miner.shapes()[0].severity(), None);
    }

    #[test]
    fn a_full_miner_makes_no_new_nodes() {
        let params = Params {
            max_shapes: 1,
            ..Params::default()
        };
        let mut miner = Miner::new(params);
        let programs: Vec<String> = (0..100).map(|i| format!("daemon{i}")).collect();
        for (i, program) in programs.iter().enumerate() {
            let line = format!("word{i} other words here");
            let mut pieces = Vec::new();
            tokenize(&line, &mut pieces);
            miner.add(&Message {
                program: Some(program),
                pieces: &pieces,
                line: &line,
                pos: Pos { file: 0, line: 1 },
                severity: None,
            });
        }
        assert_eq!(miner.overflow(), 99);
        assert_eq!(miner.roots.by_program.len(), 1);
    }
}

//! Prefilter and verify: the shards of a large catalog, without automata.
//!
//! Why: a dense DFA grows by about 25 KiB a template, and templates with a
//! `<*>` wildcard multiply each other's states, so a catalog of thousands of
//! templates does not fit the edge as automata (`BENCHMARKS.md`, "Scale").
//! A shard of the [`Index`](crate::artifact::ShardEngine::Index) kind holds
//! no automaton. Each of its templates has a *key*: one to three adjacent
//! literals that any text the template matches holds as whole
//! blank-delimited tokens ([`Key`]; chosen at compile time, the rarest
//! among the shard's templates). A line looks its runs of tokens up
//! ([`TokenIndex`]); only the templates whose key it holds, and the few
//! that have none, are verified.
//!
//! Verification ([`best_end`]) computes what the DFA would have reported:
//! the ends at which the template's expression matches a prefix of the
//! text. It walks the template's items once, carrying the *set* of
//! positions reachable after each item (a bit set), so it never backtracks
//! and its cost is bounded by items × positions; a value's ends come from
//! [`ValueType::ends`], the same language as the DFA's expressions (a test
//! in `logref-catalog` keeps the two equal). An index shard therefore
//! reports exactly the (template, best end) pairs a DFA shard of the same
//! templates reports, and the matcher ranks them the same way.

use crate::artifact::Item;
use crate::extract::{is_blank, Op, Program};

/// The longest key, in tokens.
pub const MAX_KEY_TOKENS: usize = 3;

/// Steps one verification may take (positions tried and ends considered)
/// before it gives up, the template then taken not to match. Ordinary
/// lines take tens to hundreds; the bound keeps a hostile line (a token of
/// kilobytes after a wildcard: every start, every end) from costing
/// quadratic time, as the extractor's `STEP_BUDGET` does. An automaton
/// needs no such bound, so only on such a line may the two disagree.
pub const VERIFY_BUDGET: usize = 100_000;

/// A template's key: `tokens` literals from `items[start]`, every other
/// item (the items between are blanks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub start: u16,
    pub tokens: u8,
}

impl Key {
    /// Whether this key is one `items` may have: 1 to [`MAX_KEY_TOKENS`]
    /// literals without blanks, each followed by a blank, that stand
    /// between blanks in every text the template matches.
    ///
    /// On the left: the template's start, a blank, or an optional group
    /// that ends with blanks (a program tag) after such a place. On the
    /// right: a blank. (A literal at the template's end is no key: a prefix
    /// match may go on inside its token, `failed.` for `failed`.)
    pub fn fits(self, items: &[Item]) -> bool {
        let start = usize::from(self.start);
        // The literals first: they check that `start` is in bounds.
        (1..=MAX_KEY_TOKENS).contains(&usize::from(self.tokens))
            && (0..usize::from(self.tokens)).all(|k| {
                let i = start + 2 * k;
                matches!(items.get(i), Some(Item::Lit(l)) if !l.is_empty() && !l.bytes().any(is_blank))
                    && matches!(items.get(i + 1), Some(Item::Blank))
            })
            && left_bounded(items, start)
    }

    /// The key's tokens.
    pub fn tokens<'i>(self, items: &'i [Item]) -> impl Iterator<Item = &'i [u8]> + 'i {
        (0..usize::from(self.tokens)).filter_map(move |k| {
            match items.get(usize::from(self.start) + 2 * k) {
                Some(Item::Lit(l)) => Some(l.as_bytes()),
                _ => None,
            }
        })
    }
}

/// Whether whatever precedes `items[i]` ends at a blank or at the start.
fn left_bounded(items: &[Item], i: usize) -> bool {
    match i.checked_sub(1).map(|j| &items[j]) {
        None | Some(Item::Blank) => true,
        Some(Item::Opt(inner)) => {
            matches!(inner.last(), Some(Item::Blank | Item::AnyTag)) && left_bounded(items, i - 1)
        }
        _ => false,
    }
}

/// The hash of a run of tokens, from each token's FNV-1a hash in order.
fn run_hash(token_hashes: &[u64]) -> u64 {
    token_hashes
        .iter()
        .fold(token_hashes.len() as u64, |h, &t| {
            (h.rotate_left(23) ^ t).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        })
}

/// The keys of the templates of every index shard of an artifact, hashed.
/// Built when the artifact is loaded, from the key each template was given
/// at compile time; one index for all shards, so that a line is looked up
/// once however many index shards it runs (the matcher then verifies, per
/// shard, the templates found that are the shard's).
///
/// Why a hash table written here: every line looks up each of its tokens
/// (and runs of two and three where some key is such a run); in the guest
/// a lookup must cost one hash and, almost always, one probe.
#[derive(Debug, Clone, Default)]
pub struct TokenIndex {
    /// Open addressing, a power of two long: (run hash, start and length
    /// in `lists`); a length of 0 is an empty slot.
    slots: Vec<(u64, u32, u32)>,
    /// The templates of each key.
    lists: Vec<u32>,
    /// Bit `m`: some key is a run of `m` tokens.
    runs: u8,
}

impl TokenIndex {
    /// An index of `keys`: (the key's tokens, the template it stands for).
    pub fn new<'k, K>(keys: impl IntoIterator<Item = (K, u32)>) -> TokenIndex
    where
        K: IntoIterator<Item = &'k [u8]>,
    {
        let mut index = TokenIndex::default();
        let mut by_hash: Vec<(u64, u32)> = Vec::new();
        for (tokens, template) in keys {
            let hashes: Vec<u64> = tokens.into_iter().map(crate::fnv1a64).collect();
            index.runs |= 1 << hashes.len().min(7);
            by_hash.push((run_hash(&hashes), template));
        }
        by_hash.sort_unstable();
        let distinct = by_hash.chunk_by(|a, b| a.0 == b.0).count();
        let size = (distinct * 2).next_power_of_two().max(8);
        index.slots = vec![(0, 0, 0); size];
        for group in by_hash.chunk_by(|a, b| a.0 == b.0) {
            let h = group[0].0;
            let start = index.lists.len() as u32;
            index.lists.extend(group.iter().map(|&(_, p)| p));
            let mut s = (h as usize) & (size - 1);
            while index.slots[s].2 != 0 {
                s = (s + 1) & (size - 1);
            }
            index.slots[s] = (h, start, group.len() as u32);
        }
        index
    }

    /// The templates of the key whose run hash is `h`.
    fn get(&self, h: u64) -> &[u32] {
        let mask = self.slots.len().wrapping_sub(1);
        let mut s = (h as usize) & mask;
        while let Some(&(k, start, len)) = self.slots.get(s) {
            if len == 0 {
                break;
            }
            if k == h {
                return &self.lists[start as usize..(start + len) as usize];
            }
            s = (s + 1) & mask;
        }
        &[]
    }

    /// The templates whose key is a run of tokens of `text`, into
    /// `sets.found` (more than once if the key is there more than once, or
    /// on a hash collision: the verification decides). Done once per text
    /// (see [`Sets::new_text`]); later calls keep what the first found.
    pub fn look_up(&self, text: &[u8], sets: &mut Sets) {
        if sets.looked_up {
            return;
        }
        sets.looked_up = true;
        sets.found.clear();
        if self.runs == 0 {
            return;
        }
        token_hashes(text, &mut sets.hashes);
        let hashes = &sets.hashes;
        for t in 0..hashes.len() {
            for m in 1..=MAX_KEY_TOKENS.min(hashes.len() - t) {
                if self.runs & (1 << m) != 0 {
                    sets.found
                        .extend_from_slice(self.get(run_hash(&hashes[t..t + m])));
                }
            }
        }
    }
}

/// The FNV-1a hash of each blank-delimited token of `text`, in order.
fn token_hashes(text: &[u8], hashes: &mut Vec<u64>) {
    hashes.clear();
    let mut i = 0;
    while i < text.len() {
        if is_blank(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && !is_blank(text[i]) {
            i += 1;
        }
        hashes.push(crate::fnv1a64(&text[start..i]));
    }
}

/// Position sets kept between calls, so that verification allocates
/// nothing once warm (part of the matcher's cache).
#[derive(Debug, Default)]
pub struct Sets {
    free: Vec<Vec<u64>>,
    /// The most words a set has needed.
    max_words: usize,
    /// The current text's token hashes and the templates its keys name
    /// ([`TokenIndex::look_up`]), shared by the index shards one text runs.
    hashes: Vec<u64>,
    /// Templates the index found for the current text.
    pub(crate) found: Vec<u32>,
    looked_up: bool,
    /// The index shards to run over the current text (the matcher's list).
    pub(crate) running: Vec<usize>,
    /// Steps the current verification took ([`VERIFY_BUDGET`]).
    steps: usize,
}

impl Sets {
    /// Forgets what the index found: the next index shard looks the text
    /// up. Called whenever the text the shards run over changes.
    pub fn new_text(&mut self) {
        self.looked_up = false;
    }

    /// An empty set of positions `0..=n`.
    ///
    /// Every set kept has room for the longest text seen so far, so that
    /// which set a later text gets never makes it allocate.
    fn take(&mut self, n: usize) -> Vec<u64> {
        let words = n / 64 + 1;
        if words > self.max_words {
            self.max_words = words;
            for s in &mut self.free {
                s.reserve(words);
            }
        }
        let mut s = self.free.pop().unwrap_or_default();
        s.clear();
        s.reserve(self.max_words);
        s.resize(words, 0);
        s
    }

    fn give(&mut self, mut s: Vec<u64>) {
        s.clear();
        s.reserve(self.max_words);
        self.free.push(s);
    }
}

fn insert(set: &mut [u64], p: usize) {
    set[p / 64] |= 1 << (p % 64);
}

/// The positions in `set`, ascending.
fn positions(set: &[u64]) -> impl Iterator<Item = usize> + '_ {
    set.iter().enumerate().flat_map(|(w, &bits)| {
        let mut b = bits;
        std::iter::from_fn(move || {
            (b != 0).then(|| {
                let t = b.trailing_zeros() as usize;
                b &= b - 1;
                w * 64 + t
            })
        })
    })
}

/// Where the template matches `text` best, as the DFA's caller would rank
/// its reports: the whole text when it matches it exactly, else the
/// longest prefix it matches that ends at a token boundary (`is_boundary`,
/// the matcher's). `None` when no such prefix exists.
pub fn best_end(
    program: &Program,
    text: &[u8],
    sets: &mut Sets,
    is_boundary: impl Fn(&[u8], usize) -> bool,
) -> Option<usize> {
    let mut cur = sets.take(text.len());
    insert(&mut cur, 0);
    sets.steps = 0;
    walk(&program.ops, None, text, &mut cur, sets);
    let n = text.len();
    let best = if sets.steps > VERIFY_BUDGET {
        None
    } else if cur[n / 64] & (1 << (n % 64)) != 0 {
        Some(n)
    } else {
        let mut last = None;
        for e in positions(&cur) {
            if is_boundary(text, e) {
                last = Some(e);
            }
        }
        last
    };
    sets.give(cur);
    best
}

/// Calls `f` with every position the op (not an optional group) may end
/// at when it starts at `p`.
fn each_end(op: &Op, text: &[u8], p: usize, mut f: impl FnMut(usize)) {
    match op {
        Op::Lit(l) => {
            if text[p..].starts_with(l) {
                f(p + l.len());
            }
        }
        Op::Blank => {
            let mut e = p;
            while e < text.len() && is_blank(text[e]) {
                e += 1;
                f(e);
            }
        }
        Op::AnyTag => {
            if let Some(end) = crate::extract::any_tag_end(text, p) {
                // One or more of the blanks after the colon.
                let mut first = end;
                while first > p && is_blank(text[first - 1]) {
                    first -= 1;
                }
                (first + 1..=end).for_each(f);
            }
        }
        Op::Hole(_, ty) => ty.ends(&text[p..], |len| f(p + len)),
        Op::OptStart(_) => {}
    }
}

/// Whether the op `next` may start at `e`: a cheap test of its first byte
/// that only rules out what could never match (a literal's bytes, a blank,
/// a value's first byte, which is never a blank but for a wildcard's, a
/// tag's first byte). Keeps the position sets small, most often one.
fn viable(next: Option<&Op>, text: &[u8], e: usize) -> bool {
    match next {
        Some(Op::Lit(l)) => text[e..].starts_with(l),
        Some(Op::Blank) => text.get(e).is_some_and(|&b| is_blank(b)),
        Some(Op::Hole(_, ty)) if *ty != crate::ValueType::Any => {
            text.get(e).is_some_and(|&b| !is_blank(b))
        }
        Some(Op::AnyTag) => text
            .get(e)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-')),
        _ => true,
    }
}

/// Replaces `cur` (positions before `ops`) by the positions after them
/// from which `follow` (the op after `ops`, if any) may start.
///
/// While the set holds one position (most of the time: the viability test
/// leaves one end of most values and blanks) the walk keeps it in `one`
/// and leaves the bit set alone; it writes the set back when an op leaves
/// several positions, at an optional group, and at the end.
fn walk(ops: &[Op], follow: Option<&Op>, text: &[u8], cur: &mut Vec<u64>, sets: &mut Sets) {
    let n = text.len();
    let mut one = single(cur);
    let mut next = sets.take(n);
    let mut pc = 0;
    while pc < ops.len() {
        if sets.steps > VERIFY_BUDGET {
            one = None;
            cur.iter_mut().for_each(|w| *w = 0);
            break;
        }
        let op = &ops[pc];
        if let (Some(p), false) = (one, matches!(op, Op::OptStart(_))) {
            let after = ops.get(pc + 1).or(follow);
            let (mut count, mut last, mut steps) = (0, 0, 1);
            each_end(op, text, p, |e| {
                steps += 1;
                if viable(after, text, e) {
                    count += 1;
                    last = e;
                }
            });
            sets.steps += steps;
            match count {
                0 => {
                    one = None;
                    cur.iter_mut().for_each(|w| *w = 0);
                    break;
                }
                1 => one = Some(last),
                // Several: back to the set.
                _ => {
                    one = None;
                    cur.iter_mut().for_each(|w| *w = 0);
                    each_end(op, text, p, |e| {
                        if viable(after, text, e) {
                            insert(cur, e);
                        }
                    });
                }
            }
            pc += 1;
            continue;
        }
        if let Some(p) = one.take() {
            cur.iter_mut().for_each(|w| *w = 0);
            insert(cur, p);
        }
        if cur.iter().all(|&w| w == 0) {
            break;
        }
        next.iter_mut().for_each(|w| *w = 0);
        match op {
            Op::OptStart(len) => {
                let end = (pc + 1 + len).min(ops.len());
                let after = ops.get(end).or(follow);
                next.copy_from_slice(cur);
                walk(&ops[pc + 1..end], after, text, &mut next, sets);
                // Skipped: the positions before it, where `after` may start.
                for p in positions(cur) {
                    if viable(after, text, p) {
                        insert(&mut next, p);
                    }
                }
                pc = end - 1;
            }
            op => {
                let after = ops.get(pc + 1).or(follow);
                // A value that may span blanks reaches, from a start, every
                // end a value from a later start in the same line of text
                // reaches: those starts add nothing.
                let spans = matches!(op, Op::Hole(_, ty) if ty.spans_blanks());
                let mut covered: Option<usize> = None;
                let mut steps = 0;
                for p in positions(cur) {
                    if covered.is_some_and(|c| p <= c) {
                        continue;
                    }
                    steps += 1;
                    if steps > VERIFY_BUDGET {
                        break;
                    }
                    let mut reached = false;
                    each_end(op, text, p, |e| {
                        reached = true;
                        steps += 1;
                        if viable(after, text, e) {
                            insert(&mut next, e);
                        }
                    });
                    if spans && reached {
                        let nl = text[p..].iter().position(|&b| b == b'\r' || b == b'\n');
                        covered = Some(nl.map_or(n, |k| p + k));
                    }
                }
                sets.steps += steps;
            }
        }
        std::mem::swap(cur, &mut next);
        one = single(cur);
        pc += 1;
    }
    if let Some(p) = one {
        cur.iter_mut().for_each(|w| *w = 0);
        insert(cur, p);
    }
    sets.give(next);
}

/// The set's only position, if it holds exactly one.
fn single(set: &[u64]) -> Option<usize> {
    let mut found = None;
    for (w, &bits) in set.iter().enumerate() {
        if bits != 0 {
            if found.is_some() || bits & (bits - 1) != 0 {
                return None;
            }
            found = Some(w * 64 + bits.trailing_zeros() as usize);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::Item;
    use crate::ValueType;

    fn hole(ty: ValueType) -> Item {
        Item::Hole { name: 0, ty }
    }

    /// A wildcard then a string: from every start, every end. On a token of
    /// 20,000 bytes that is 200 million steps; the verification gives up
    /// within its budget (the template taken not to match) instead.
    #[test]
    fn a_hostile_line_is_given_up_on_within_the_budget() {
        let program = Program::new(&[hole(ValueType::Any), hole(ValueType::String)]);
        let boundary = |_: &[u8], _: usize| true;
        let mut sets = Sets::default();
        assert_eq!(best_end(&program, b"abc", &mut sets, boundary), Some(3));
        let long = vec![b'a'; 20_000];
        assert_eq!(best_end(&program, &long, &mut sets, boundary), None);
        assert!(sets.steps <= 2 * VERIFY_BUDGET, "{} steps", sets.steps);
    }
}

//! `logref lint`: every pair of templates that can match the same message,
//! found exactly from the automaton rather than by sampling.
//!
//! The DFA is built with `MatchKind::All`, so a state that
//! matches several patterns proves that one message matches all of them.
//! A breadth-first walk of the reachable states finds each such set with a
//! shortest witness message; the runtime's own precedence rules are then
//! applied to the witness to say how the overlap is resolved, or that it
//! is a true ambiguity.

use std::collections::{BTreeMap, HashMap, VecDeque};

use logref_engine::artifact::{self, Scope};
use logref_engine::Matcher;
use regex_automata::dfa::{dense, Automaton};
use regex_automata::util::primitives::StateID;
use regex_automata::Anchored;

use crate::Error;

fn artifact_error(e: impl std::fmt::Display) -> Error {
    Error::Compile {
        key: "(artifact)".into(),
        message: e.to_string(),
    }
}

/// Every shard's DFA of an artifact, as the runtime loads them (index
/// shards have none).
fn load_dfas(bytes: &[u8]) -> Result<Vec<dense::DFA<Vec<u32>>>, Error> {
    let header = artifact::read_header(bytes).map_err(artifact_error)?;
    let tables =
        artifact::Tables::decode(&bytes[header.tables.0..header.tables.0 + header.tables.1])
            .map_err(artifact_error)?;
    let section = &bytes[header.dfa.0..header.dfa.0 + header.dfa.1];
    let mut out = Vec::new();
    for shard in &tables.shards {
        let artifact::ShardEngine::Dfa(off, len) = shard.engine else {
            continue;
        };
        let (off, len) = (off as usize, len as usize);
        let raw = section
            .get(off..off + len)
            .ok_or_else(|| artifact_error("shard outside the DFA section"))?;
        let mut words = vec![0u32; raw.len().div_ceil(4)];
        for (w, c) in words.iter_mut().zip(raw.chunks(4)) {
            let mut a = [0u8; 4];
            a[..c.len()].copy_from_slice(c);
            *w = u32::from_ne_bytes(a);
        }
        // SAFETY: u32 slice viewed as bytes; no padding, any bit pattern valid.
        let view = unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), raw.len()) };
        let (dfa, _) = dense::DFA::from_bytes(view).map_err(artifact_error)?;
        out.push(dfa.to_owned());
    }
    Ok(out)
}

/// A readable byte for each equivalence class (a letter or digit where the
/// class has one, then other printable ASCII, then anything).
fn class_representatives(dfa: &dense::DFA<Vec<u32>>) -> Vec<u8> {
    let classes = dfa.byte_classes();
    let mut best: BTreeMap<u8, u8> = BTreeMap::new();
    let rank = |b: u8| -> u8 {
        if b.is_ascii_lowercase() {
            0
        } else if b.is_ascii_digit() {
            1
        } else if b.is_ascii_uppercase() {
            2
        } else if b == b' ' {
            3
        } else if b.is_ascii_graphic() {
            4
        } else {
            5
        }
    };
    for b in 0..=255u8 {
        let c = classes.get(b);
        match best.get(&c) {
            Some(&cur) if rank(cur) <= rank(b) => {}
            _ => {
                best.insert(c, b);
            }
        }
    }
    let mut reps: Vec<u8> = best.into_values().collect();
    // Readable bytes first, so that shortest witnesses use them.
    reps.sort_by_key(|&b| (rank(b), b));
    reps
}

/// The number of states reachable from the anchored start.
pub fn state_count(artifact: &[u8]) -> Result<usize, Error> {
    Ok(load_dfas(artifact)?
        .iter()
        .map(|dfa| walk(dfa, |_, _| {}).len())
        .sum())
}

/// BFS from the anchored start; calls `on_match(patterns, witness)` for each
/// state whose match set (delayed or at end of input) holds several
/// patterns. Returns every reached state.
fn walk(
    dfa: &dense::DFA<Vec<u32>>,
    mut on_match: impl FnMut(Vec<usize>, Vec<u8>),
) -> HashMap<StateID, (StateID, u8)> {
    let reps = class_representatives(dfa);
    let Some(start) = dfa.universal_start_state(Anchored::Yes) else {
        return HashMap::new();
    };
    let mut parent: HashMap<StateID, (StateID, u8)> = HashMap::new();
    parent.insert(start, (start, 0));
    let mut queue = VecDeque::from([start]);
    let path = |parent: &HashMap<StateID, (StateID, u8)>, mut s: StateID| -> Vec<u8> {
        let mut out = Vec::new();
        while s != start {
            let (p, b) = parent[&s];
            out.push(b);
            s = p;
        }
        out.reverse();
        out
    };
    let patterns = |s: StateID| -> Vec<usize> {
        (0..dfa.match_len(s))
            .map(|i| dfa.match_pattern(s, i).as_usize())
            .collect()
    };
    while let Some(s) = queue.pop_front() {
        // A match state reached by byte b: the match ended before b.
        if dfa.is_match_state(s) && dfa.match_len(s) > 1 {
            let mut w = path(&parent, s);
            w.pop();
            on_match(patterns(s), w);
        }
        let eoi = dfa.next_eoi_state(s);
        if dfa.is_match_state(eoi) && dfa.match_len(eoi) > 1 {
            on_match(patterns(eoi), path(&parent, s));
        }
        for &b in &reps {
            let n = dfa.next_state(s, b);
            if dfa.is_dead_state(n) || parent.contains_key(&n) {
                continue;
            }
            parent.insert(n, (s, b));
            queue.push_back(n);
        }
    }
    parent
}

/// One overlap between two entries.
#[derive(Debug, Clone)]
pub struct Overlap {
    pub a: String,
    pub b: String,
    pub witness: String,
    pub verdict: String,
    pub ambiguous: bool,
}

/// Every pair of entries whose templates can match one message, with a
/// shortest witness and how the runtime decides it.
///
/// The artifact's shards keep programs apart; overlaps are looked for in
/// one automaton of all its patterns, built here, so that two programs'
/// templates that a line without a program could match are found too.
/// When that automaton is too large to build, this says so: see
/// [`overlaps_in_parts`].
pub fn overlaps(artifact: &[u8]) -> Result<Vec<Overlap>, Error> {
    let matcher = Matcher::from_bytes(artifact).map_err(artifact_error)?;
    let all: Vec<usize> = (0..matcher.tables().patterns.len()).collect();
    let mut seen = BTreeMap::new();
    overlaps_among(&matcher, &all, &mut seen).map_err(|e| Error::Compile {
        key: "(lint)".into(),
        message: format!(
            "the {} patterns do not fit one automaton ({e}): lint decides overlaps \
             exactly only from automata, so it cannot say which of them overlap; \
             `logref lint --artifact` then lints them in parts",
            all.len()
        ),
    })?;
    Ok(judge(&matcher, seen))
}

/// Templates whose overlaps lint could not decide: one automaton of them
/// could not be built.
#[derive(Debug, Clone)]
pub struct Undecided {
    /// Which lines they compete for.
    pub scope: String,
    pub templates: usize,
    pub reason: String,
}

/// [`overlaps`] for a catalog too large for one automaton: the templates
/// that can compete for one line, scope by scope (a program's own templates
/// with those that name none; and, for lines without a known program,
/// those that name none with those that may stand alone), each in one
/// automaton. Pairs of two programs' templates that need their program
/// cannot compete, so every pair that can is in some scope; a scope whose
/// automaton cannot be built is reported as undecided, with its size.
pub fn overlaps_in_parts(artifact: &[u8]) -> Result<(Vec<Overlap>, Vec<Undecided>), Error> {
    let matcher = Matcher::from_bytes(artifact).map_err(artifact_error)?;
    let tables = matcher.tables();
    let unnamed: Vec<usize> = (0..tables.patterns.len())
        .filter(|&p| tables.patterns[p].program.is_none())
        .collect();
    let mut scopes: Vec<(String, Vec<usize>)> = Vec::new();
    let mut alone = unnamed.clone();
    alone.extend(
        (0..tables.patterns.len())
            .filter(|&p| logref_engine::matcher::may_match_without_program(&tables.patterns[p])),
    );
    alone.sort_unstable();
    alone.dedup();
    scopes.push(("lines without a known program".into(), alone));
    for program in tables.known_programs() {
        let mut own: Vec<usize> = (0..tables.patterns.len())
            .filter(|&p| tables.patterns[p].program.as_deref() == Some(program))
            .collect();
        own.extend(&unnamed);
        own.sort_unstable();
        scopes.push((format!("lines from {program}"), own));
    }
    let mut seen = BTreeMap::new();
    let mut undecided = Vec::new();
    for (scope, patterns) in scopes {
        if let Err(e) = overlaps_among(&matcher, &patterns, &mut seen) {
            undecided.push(Undecided {
                scope,
                templates: patterns.len(),
                reason: e.to_string(),
            });
        }
    }
    Ok((judge(&matcher, seen), undecided))
}

/// Adds to `seen` every pair of entries among `patterns` (indexes into the
/// tables) that one message matches, with the shortest witness found.
fn overlaps_among(
    matcher: &Matcher,
    patterns: &[usize],
    seen: &mut BTreeMap<(usize, usize), Vec<u8>>,
) -> Result<(), Error> {
    let tables = matcher.tables();
    let regexes: Vec<String> = patterns
        .iter()
        .map(|&p| crate::compile::regex_for(&tables.patterns[p].items))
        .collect();
    let dfa = crate::compile::build_dfa(&regexes)?;
    walk(&dfa, |pats, witness| {
        let mut entries: Vec<usize> = pats
            .iter()
            .map(|&p| tables.patterns[patterns[p]].entry as usize)
            .collect();
        entries.sort_unstable();
        entries.dedup();
        for i in 0..entries.len() {
            for j in i + 1..entries.len() {
                let w = seen
                    .entry((entries[i], entries[j]))
                    .or_insert_with(|| witness.clone());
                if witness.len() < w.len() {
                    *w = witness.clone();
                }
            }
        }
    });
    Ok(())
}

/// How the runtime decides each pair `seen` holds.
fn judge(matcher: &Matcher, seen: BTreeMap<(usize, usize), Vec<u8>>) -> Vec<Overlap> {
    let tables = matcher.tables();
    let mut out = Vec::new();
    for ((a, b), w) in seen {
        let witness = String::from_utf8_lossy(&w).into_owned();
        let key_only = |e: usize| {
            matcher
                .patterns_of(e)
                .iter()
                .all(|&p| tables.patterns[p].scope == Scope::KeyOnly)
        };
        let ea = &tables.entries[a];
        let eb = &tables.entries[b];
        let (verdict, ambiguous) = if key_only(a) || key_only(b) {
            (
                "resolved: Junos templates only run after their tag named the entry".to_string(),
                false,
            )
        } else {
            let cands = matcher.candidates(w.as_slice(), None, None);
            let allowed: Vec<_> = cands.iter().filter(|c| c.note.is_none()).collect();
            match allowed.first() {
                None => (
                    "resolved: neither may match without its program (scope)".to_string(),
                    false,
                ),
                Some(win) => {
                    let tie: Vec<_> = allowed
                        .iter()
                        .filter(|c| {
                            c.entry != win.entry && c.kind == win.kind && c.weight == win.weight
                        })
                        .collect();
                    if tie.is_empty() {
                        (
                            format!(
                                "resolved: {} wins ({}, {} literal bytes)",
                                tables.entries[win.entry].key,
                                win.kind.as_str(),
                                win.weight
                            ),
                            false,
                        )
                    } else {
                        (
                            format!(
                                "AMBIGUOUS: reported with candidates; {} chosen by catalog order",
                                tables.entries[win.entry].key
                            ),
                            true,
                        )
                    }
                }
            }
        };
        out.push(Overlap {
            a: ea.key.clone(),
            b: eb.key.clone(),
            witness,
            verdict,
            ambiguous,
        });
    }
    out
}

/// The checked-in report's text.
pub fn report(overlaps: &[Overlap]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let amb = overlaps.iter().filter(|o| o.ambiguous).count();
    let _ = writeln!(
        s,
        "# logref lint: templates that can match the same message"
    );
    let _ = writeln!(
        s,
        "# generated by `cargo run --release --bin logref -- lint --write`; do not edit"
    );
    let _ = writeln!(
        s,
        "# {} overlapping pairs, {} true ambiguities",
        overlaps.len(),
        amb
    );
    for o in overlaps {
        let _ = writeln!(s);
        let _ = writeln!(s, "{}\n{}", o.a, o.b);
        let _ = writeln!(s, "  witness: {:?}", o.witness);
        let _ = writeln!(s, "  {}", o.verdict);
    }
    s
}

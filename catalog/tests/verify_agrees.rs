//! `logref_engine::verify::best_end` (an index shard's verification) finds
//! the same best end as the template's automaton, on random templates and
//! random texts made of the pieces that make matching hard: blanks of both
//! kinds, optional program tags, wildcards and text values that span
//! blanks, values that are a prefix of one another, near-miss literals.

use logref_catalog::compile::{build_dfa, regex_for};
use logref_engine::artifact::Item;
use logref_engine::extract::Program;
use logref_engine::matcher::is_boundary;
use logref_engine::verify::{self, Sets};
use logref_engine::ValueType;
use regex_automata::dfa::Automaton;
use regex_automata::{Anchored, Input};

/// A small xorshift generator: the test is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.next(v.len())]
    }
}

const WORDS: [&str; 8] = ["link", "up", "peer", "[", "]", ":", "=", "id"];

fn item(rng: &mut Rng, depth: u8) -> Item {
    match rng.next(if depth == 0 { 7 } else { 5 }) {
        0 | 1 => Item::Lit(rng.pick(&WORDS).to_string()),
        2 => Item::Blank,
        3 | 4 => Item::Hole {
            name: 0,
            ty: *rng.pick(&ValueType::ALL),
        },
        5 => Item::Opt(vec![Item::AnyTag]),
        _ => Item::Opt((0..1 + rng.next(3)).map(|_| item(rng, 1)).collect()),
    }
}

fn text(rng: &mut Rng) -> String {
    const PIECES: [&str; 18] = [
        "link",
        "up",
        "peer",
        "[",
        "]",
        ":",
        "=",
        "id",
        " ",
        "  ",
        "\t",
        "12",
        "-3",
        "4.5",
        "192.0.2.1",
        "fe80::1",
        "pluto[42]: ",
        "é",
    ];
    (0..rng.next(12)).map(|_| *rng.pick(&PIECES)).collect()
}

/// The best end as the matcher ranks a DFA's reports: the whole text, else
/// the longest end at a token boundary.
fn dfa_best_end(dfa: &regex_automata::dfa::dense::DFA<Vec<u32>>, text: &[u8]) -> Option<usize> {
    let mut ends = Vec::new();
    let mut s = dfa
        .start_state_forward(&Input::new(text).anchored(Anchored::Yes))
        .unwrap();
    for (i, &b) in text.iter().enumerate() {
        s = dfa.next_state(s, b);
        if dfa.is_match_state(s) {
            ends.push(i);
        }
        if dfa.is_dead_state(s) {
            break;
        }
    }
    if !dfa.is_dead_state(s) && dfa.is_match_state(dfa.next_eoi_state(s)) {
        ends.push(text.len());
    }
    if ends.last() == Some(&text.len()) {
        return Some(text.len());
    }
    ends.into_iter().rev().find(|&e| is_boundary(text, e))
}

#[test]
fn verification_finds_the_automatons_best_end() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut sets = Sets::default();
    let mut matched = 0;
    for _ in 0..1_500 {
        let items: Vec<Item> = (0..1 + rng.next(5)).map(|_| item(&mut rng, 0)).collect();
        let dfa = build_dfa(&[regex_for(&items)]).unwrap();
        let program = Program::new(&items);
        for _ in 0..60 {
            let t = text(&mut rng);
            let want = dfa_best_end(&dfa, t.as_bytes());
            let got = verify::best_end(&program, t.as_bytes(), &mut sets, is_boundary);
            assert_eq!(got, want, "{items:?} on {t:?}");
            matched += usize::from(want.is_some());
        }
    }
    // The generator must make matches, not only misses.
    assert!(matched > 10_000, "{matched} matches");
}

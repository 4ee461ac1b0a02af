//! Lint scope by scope (for catalogs too large for one automaton) finds
//! the same overlapping pairs as lint from one automaton, on the shipped
//! catalog, where both can run: a pair of templates that can match one
//! line is always in some scope.

use std::collections::BTreeSet;

#[test]
fn lint_in_parts_finds_the_pairs_one_automaton_finds() {
    let catalog = logref_catalog::load_default().unwrap();
    let (bytes, _) = logref_catalog::compile::compile(&catalog).unwrap();
    let whole = logref_catalog::lint::overlaps(&bytes).unwrap();
    let (parts, undecided) = logref_catalog::lint::overlaps_in_parts(&bytes).unwrap();
    assert!(undecided.is_empty(), "{undecided:?}");
    let pairs = |o: &[logref_catalog::lint::Overlap]| -> BTreeSet<(String, String, bool)> {
        o.iter()
            .map(|o| (o.a.clone(), o.b.clone(), o.ambiguous))
            .collect()
    };
    assert!(whole.len() > 50, "{} pairs", whole.len());
    assert_eq!(pairs(&whole), pairs(&parts));
}

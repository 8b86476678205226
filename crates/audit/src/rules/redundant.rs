//! Rules of a group that admit nothing the group's other rules do not already admit.

use sgaudit_snapshot::SecurityGroup;

use super::atom::{atoms, RuleAtom};
use super::cover::covers;

/// An atom of a group that another atom of the same group covers: removing it changes nothing the group
/// admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redundant {
    /// The atom that adds nothing.
    pub covered: RuleAtom,
    /// An atom that admits all it admits, and is not itself redundant: removing every `covered` atom of a
    /// group at once keeps every `by` atom.
    pub by: RuleAtom,
}

/// Every atom of the group that another of its atoms covers, in the order of [`atoms`] (ingress first, then
/// by rule).
///
/// Of two equal atoms (EC2 refuses the second, a snapshot may hold both) only the later is reported, covered
/// by the earlier. Covering is otherwise a strict order, so the atoms left once all reported ones are gone
/// admit exactly what the group admits; each entry names the first such atom (in the order of [`atoms`])
/// that covers the redundant one.
pub fn redundant(group: &SecurityGroup) -> Vec<Redundant> {
    let all = atoms(group);
    // Whether the atom at `i` is covered by another: by a different atom, or by an equal one before it.
    let covered_by =
        |i: usize, j: usize| i != j && covers(&all[j].atom, &all[i].atom) && (j < i || all[j].atom != all[i].atom);
    let is_covered: Vec<bool> = (0..all.len()).map(|i| (0..all.len()).any(|j| covered_by(i, j))).collect();
    (0..all.len())
        .filter(|&i| is_covered[i])
        .filter_map(|i| {
            // Some cover survives: the covers of `i` that are themselves covered lead, by a chain that
            // cannot loop (covering is strict between different atoms, and equal ones defer to the
            // first), to one that is not.
            let by = (0..all.len()).find(|&j| !is_covered[j] && covered_by(i, j))?;
            Some(Redundant { covered: all[i].clone(), by: all[by].clone() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{group, rule};

    fn shown(group: &SecurityGroup) -> Vec<String> {
        redundant(group)
            .iter()
            .map(|r| {
                format!(
                    "{} #{} by {} #{}",
                    r.covered.atom.describe(&group.group_id),
                    r.covered.rule,
                    r.by.atom.describe(&group.group_id),
                    r.by.rule
                )
            })
            .collect()
    }

    #[test]
    fn a_narrower_rule_is_covered_by_a_wider_one() {
        let g = group(
            "sg-0a",
            vec![
                rule("tcp", Some(22), Some(22), &["10.1.0.0/16"], &[]),
                rule("tcp", Some(0), Some(1024), &["10.0.0.0/8"], &[]),
                rule("udp", Some(22), Some(22), &["10.1.0.0/16"], &[]),
            ],
            vec![
                rule("-1", None, None, &["0.0.0.0/0"], &["::/0"]),
                rule("tcp", Some(443), Some(443), &["0.0.0.0/0"], &[]),
            ],
        );
        assert_eq!(
            shown(&g),
            [
                "ingress tcp 22 from 10.1.0.0/16 #0 by ingress tcp 0-1024 from 10.0.0.0/8 #1",
                "egress tcp 443 to 0.0.0.0/0 #1 by egress all to 0.0.0.0/0 #0",
            ]
        );
    }

    #[test]
    fn of_equal_atoms_only_the_later_is_reported() {
        let g = group(
            "sg-0a",
            vec![
                rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]),
                rule("6", Some(22), Some(22), &["10.0.0.1/8"], &[]),
                rule("TCP", Some(22), Some(22), &["10.0.0.0/8"], &[]),
            ],
            vec![],
        );
        assert_eq!(
            shown(&g),
            [
                "ingress tcp 22 from 10.0.0.0/8 #1 by ingress tcp 22 from 10.0.0.0/8 #0",
                "ingress tcp 22 from 10.0.0.0/8 #2 by ingress tcp 22 from 10.0.0.0/8 #0",
            ]
        );
    }

    #[test]
    fn the_cover_named_is_never_itself_redundant() {
        // 10.1.1.0/24 is covered by 10.1.0.0/16 and by 10.0.0.0/8; 10.1.0.0/16 goes too, so /8 is named.
        let g = group(
            "sg-0a",
            vec![
                rule("tcp", Some(22), Some(22), &["10.1.0.0/16"], &[]),
                rule("tcp", Some(22), Some(22), &["10.1.1.0/24"], &[]),
                rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]),
                rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]),
            ],
            vec![],
        );
        let found = redundant(&g);
        assert_eq!(found.iter().map(|r| r.covered.rule).collect::<Vec<_>>(), [0, 1, 3]);
        assert!(found.iter().all(|r| r.by.rule == 2), "{found:?}");
    }

    #[test]
    fn different_peers_and_self_references_are_not_redundant() {
        let mut own = rule("tcp", None, None, &[], &[]);
        own.groups.push(sgaudit_snapshot::GroupPeer {
            group_id: "sg-0a".into(),
            user_id: None,
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        });
        let mut list = rule("tcp", None, None, &["0.0.0.0/0"], &[]);
        list.prefix_lists.push(sgaudit_snapshot::Peer { id: "pl-0a".into(), description: None });
        let g = group(
            "sg-0a",
            vec![
                own,
                list,
                rule("tcp", Some(22), Some(22), &["2001:db8::/32"], &[]),
                rule("gre", None, None, &["10.0.0.0/8"], &[]),
            ],
            vec![rule("-1", None, None, &["0.0.0.0/0"], &[])],
        );
        assert!(redundant(&g).is_empty(), "{:?}", shown(&g));
    }

    #[test]
    fn an_empty_group_has_nothing_redundant() {
        assert!(redundant(&group("sg-0a", vec![], vec![])).is_empty());
    }
}

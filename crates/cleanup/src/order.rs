//! The order of deletion in one account-region. Groups that name each other in their rules (a chain, a
//! cycle) cannot be deleted while they do: AWS answers `DependencyViolation`. So the rules *between groups
//! being deleted* are revoked first, and only those: a rule of a group that stays is never touched. Then the
//! groups are deleted, referencing groups before the groups they name, so that even a revocation that failed
//! leaves the best order.

use std::collections::{BTreeMap, BTreeSet};

use sgaudit_snapshot::{Rule, SecurityGroup};

/// Rules of one group to revoke before the deletions: each keeps only the group pairs that name other groups
/// being deleted (the rule's other peers go with the group itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub group_id: String,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
}

/// The revocations to make, then the deletion order, for `groups` (the fresh definitions of the groups to
/// delete in one account-region).
pub fn order(groups: &[SecurityGroup]) -> (Vec<Revocation>, Vec<String>) {
    let ids: BTreeSet<&str> = groups.iter().map(|g| g.group_id.as_str()).collect();
    let between = |rules: &[Rule], own: &str| -> Vec<Rule> {
        rules
            .iter()
            .filter_map(|r| {
                // A group naming itself does not stop its own deletion.
                let pairs: Vec<_> = r
                    .groups
                    .iter()
                    .filter(|p| p.group_id != own && ids.contains(p.group_id.as_str()))
                    .cloned()
                    .collect();
                (!pairs.is_empty()).then(|| Rule {
                    groups: pairs,
                    ipv4_ranges: Vec::new(),
                    ipv6_ranges: Vec::new(),
                    prefix_lists: Vec::new(),
                    ..r.clone()
                })
            })
            .collect()
    };
    let revocations: Vec<Revocation> = groups
        .iter()
        .map(|g| Revocation {
            group_id: g.group_id.clone(),
            ingress: between(&g.ingress, &g.group_id),
            egress: between(&g.egress, &g.group_id),
        })
        .filter(|r| !r.ingress.is_empty() || !r.egress.is_empty())
        .collect();

    // Kahn's algorithm over "x names y" (x before y); what a cycle leaves is appended in id order.
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut named_by: BTreeMap<&str, usize> = ids.iter().map(|&id| (id, 0)).collect();
    for g in groups {
        let targets: BTreeSet<&str> =
            g.referenced_groups().into_iter().filter(|t| *t != g.group_id && ids.contains(t)).collect();
        for &t in &targets {
            *named_by.entry(t).or_default() += 1;
        }
        names.insert(g.group_id.as_str(), targets);
    }
    let mut ready: BTreeSet<&str> = named_by.iter().filter(|(_, &n)| n == 0).map(|(&id, _)| id).collect();
    let mut sequence: Vec<String> = Vec::new();
    while let Some(id) = ready.pop_first() {
        sequence.push(id.to_string());
        for &t in names.get(id).into_iter().flatten() {
            let n = named_by.get_mut(t).expect("every target is a candidate");
            *n -= 1;
            if *n == 0 {
                ready.insert(t);
            }
        }
    }
    for &id in &ids {
        if !sequence.iter().any(|s| s == id) {
            sequence.push(id.to_string());
        }
    }
    (revocations, sequence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgaudit_snapshot::{GroupPeer, Peer};

    fn group(id: &str, names: &[&str]) -> SecurityGroup {
        SecurityGroup {
            group_id: id.to_string(),
            group_name: id.to_string(),
            description: String::new(),
            vpc_id: Some("vpc-1".into()),
            owner_id: "111122223333".into(),
            tags: Default::default(),
            ingress: names
                .iter()
                .map(|n| Rule {
                    protocol: "tcp".into(),
                    from_port: Some(443),
                    to_port: Some(443),
                    ipv4_ranges: vec![Peer { id: "10.0.0.0/8".into(), description: None }],
                    ipv6_ranges: Vec::new(),
                    prefix_lists: Vec::new(),
                    groups: vec![GroupPeer {
                        group_id: n.to_string(),
                        user_id: None,
                        vpc_id: None,
                        vpc_peering_connection_id: None,
                        description: Some("from chain".into()),
                    }],
                })
                .collect(),
            egress: Vec::new(),
        }
    }

    #[test]
    fn a_chain_revokes_only_the_links_and_deletes_the_head_first() {
        // a names b, b names c; c names sg-stays (not deleted) and itself.
        let groups = vec![group("sg-c", &["sg-stays", "sg-c"]), group("sg-a", &["sg-b"]), group("sg-b", &["sg-c"])];
        let (revocations, sequence) = order(&groups);
        assert_eq!(sequence, ["sg-a", "sg-b", "sg-c"]);
        let ids: Vec<&str> = revocations.iter().map(|r| r.group_id.as_str()).collect();
        assert_eq!(ids, ["sg-a", "sg-b"], "sg-c names no other candidate");
        let link = &revocations[0].ingress[0];
        assert_eq!(link.groups.len(), 1);
        assert_eq!(link.groups[0].group_id, "sg-b");
        assert_eq!(link.groups[0].description.as_deref(), Some("from chain"));
        assert!(link.ipv4_ranges.is_empty(), "the CIDR of the same rule is not revoked on its own");
    }

    #[test]
    fn a_cycle_still_yields_every_group_once() {
        let groups = vec![group("sg-1", &["sg-2"]), group("sg-2", &["sg-1"])];
        let (revocations, sequence) = order(&groups);
        assert_eq!(revocations.len(), 2);
        assert_eq!(sequence.len(), 2);
        assert!(sequence.contains(&"sg-1".to_string()) && sequence.contains(&"sg-2".to_string()));
    }
}

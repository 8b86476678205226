//! Groups of one VPC with the same rules: consolidation candidates, what AWS Firewall Manager's usage audit calls
//! redundant security groups. Two groups are the same when their rule signatures are equal
//! ([`crate::rules::signature`]): the same atoms in both directions, however the rules were written.

use std::collections::{BTreeMap, BTreeSet};

use sgaudit_snapshot::{Direction, RegionSnapshot, SecurityGroup, Target, Via};

use super::{group_failure, named, region_pass};
use crate::checks::{Check, Evaluate, Family, Fixer, Observation, RegionScope, Severity};
use crate::fix::shell::Command;
use crate::fix::{ec2, Fix};
use crate::rules::{atoms, signature, Signature};

pub const CHECK: Check = Check {
    id: "net-sg-duplicate-rules",
    title: "Security group has the same rules as another group of its VPC",
    family: Family::Network,
    severity: Severity::Low,
    controls: &[],
    description: "Every VPC of the region: security groups whose rules, inbound and outbound, admit exactly the same \
                  traffic as another group's (compared rule by rule, whatever their order, grouping or descriptions). \
                  Of each set the group with the most holders is kept and every other one reported. Left out: \
                  default groups, groups without inbound rules (alike by nature, and often used as identities), and \
                  groups named by any other group's rule (merging such a group changes whom those rules admit).",
    remediation: "Move the reported group's holders (instances, network interfaces, load balancers, ...) to the group \
                  the finding names, check that nothing else refers to the reported group (launch templates, \
                  infrastructure code), then delete it: one group to review instead of several.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(evaluate),
    fix: Fixer::Judged,
};

fn evaluate(scope: &RegionScope) -> Vec<Observation> {
    let region = scope.region;
    // A group another group's rule names is an identity for that rule: whom it admits is who holds the group.
    let mut named_by_rules: BTreeSet<&str> = BTreeSet::new();
    for group in &region.security_groups {
        named_by_rules.extend(group.referenced_groups().into_iter().filter(|id| *id != group.group_id));
    }
    // Rules of other accounts' groups in peered VPCs (`ec2-peered-vpc-references`) name it too.
    for a in region.attachments.iter().filter(|a| a.via == Via::Rule) {
        if let Target::Group(id) = &a.target {
            named_by_rules.insert(id);
        }
    }

    let mut sets: BTreeMap<(&str, Signature), Vec<&SecurityGroup>> = BTreeMap::new();
    for group in &region.security_groups {
        // A group outside any VPC (EC2-Classic, retired) has no VPC to consolidate within.
        let Some(vpc) = group.vpc_id.as_deref() else { continue };
        let has_ingress = atoms(group).iter().any(|a| a.atom.direction == Direction::Ingress);
        if group.is_default() || !has_ingress || named_by_rules.contains(group.group_id.as_str()) {
            continue;
        }
        sets.entry((vpc, signature(group))).or_default().push(group);
    }

    let whole = holders_whole(region);
    let mut out = Vec::new();
    for ((vpc, signature), groups) in sets.iter().filter(|(_, groups)| groups.len() > 1) {
        let counted: Vec<(&SecurityGroup, usize)> = groups.iter().map(|g| (*g, holders(region, g))).collect();
        // The most holders, then the lowest id.
        let Some(&(kept, _)) = counted.iter().min_by_key(|(g, n)| (std::cmp::Reverse(*n), g.group_id.as_str())) else {
            continue;
        };
        for &(group, n) in counted.iter().filter(|(g, _)| g.group_id != kept.group_id) {
            let move_them = if whole {
                format!("move its {n} holder(s)")
            } else {
                format!("move its holders ({n} seen; not every source of use could be read in the region)")
            };
            let evidence = format!(
                "{} has the same rules as {} in {vpc}: {move_them} to {} and delete it (rules digest {})",
                named(group),
                named(kept),
                kept.group_id,
                signature.digest()
            );
            out.push(group_failure(scope, group, evidence).with_fix(Some(fix(scope, group, kept, whole))));
        }
    }
    if out.is_empty() {
        out.push(region_pass(
            scope,
            format!(
                "none of the {} security group(s) of {} has the same rules as another group of its VPC",
                region.security_groups.len(),
                region.region
            ),
        ));
    }
    out
}

/// Keep `kept`; move each interface holding `group` to it (the interface's other groups stay), name the holders
/// whose own settings name the group, then delete it through `sgaudit cleanup` once nothing uses it.
fn fix(scope: &RegionScope, group: &SecurityGroup, kept: &SecurityGroup, whole: bool) -> Fix {
    let region = &scope.region.region;
    let (mut cli, others) = ec2::move_holders(scope.region, &group.group_id, &kept.group_id);
    let interfaces = cli.len();
    cli.push(Command::sgaudit("cleanup").arg("--accounts", scope.account_id).arg("--region", region).line());
    let mut summary = format!(
        "Keep {} and retire {}, which has the same rules: move its {interfaces} network interface(s) to {} (the \
         commands keep each interface's other groups; an interface a service manages refuses, change that \
         service's settings instead)",
        named(kept),
        named(group),
        kept.group_id
    );
    if others.is_empty() {
        summary.push('.');
    } else {
        summary.push_str(&format!(
            "; these name it in their own settings, change each to {}: {}.",
            kept.group_id,
            others.join(", ")
        ));
    }
    if !whole {
        summary.push_str(" Not every source of use could be read in the region: there may be holders not listed.");
    }
    summary.push_str(
        " Then check that nothing else names it (launch templates, infrastructure code) and delete it with sgaudit \
         cleanup, which shows it in its plan once it is unused (run it again with --apply).",
    );
    Fix::commands(summary, cli)
}

/// How many resources hold the group: each resource, network interface or share with another account seen
/// holding it (by id, or by name as launch templates may name a group of a default VPC), once. A rule naming the
/// group is no holder (such groups are left out).
pub(super) fn holders(region: &RegionSnapshot, group: &SecurityGroup) -> usize {
    region
        .attachments
        .iter()
        .filter(|a| a.via != Via::Rule)
        .filter(|a| match &a.target {
            Target::Group(id) => *id == group.group_id,
            Target::GroupName(name) => *name == group.group_name,
            Target::NetworkInterface(_) => false,
        })
        .map(|a| (a.kind, a.resource_id.as_str()))
        .collect::<BTreeSet<_>>()
        .len()
}

/// Whether every source of evidence of use was read whole in the region, so the holders counted are all there
/// are.
pub(super) fn holders_whole(region: &RegionSnapshot) -> bool {
    sgaudit_snapshot::SOURCES.iter().all(|&source| {
        let mut missing = Vec::new();
        crate::unread(&region.coverage, source, &mut missing);
        missing.is_empty()
    })
}

//! How AWS counts a group's rules against its quota, in the words of the Amazon VPC User Guide ("Amazon VPC
//! quotas", Security groups, "Inbound or outbound rules per security group", default 60, quota code
//! L-0EA8095F): "This quota is enforced separately for IPv4 rules and IPv6 rules; for example, a security group
//! can have 60 inbound rules for IPv4 traffic and 60 inbound rules for IPv6 traffic. A rule that references a
//! security group or AWS-managed prefix list ID counts as one rule for IPv4 and one rule for IPv6. [...] If you
//! reference a customer-managed prefix list in a security group rule, the maximum number of entries for the
//! prefix lists equals the same number of security group rules."
//!
//! So a rule here is one peer of one permission (AWS's `SecurityGroupRule`), counted in four tallies: inbound
//! and outbound, each for IPv4 and IPv6. An IPv4 block counts toward IPv4, an IPv6 block toward IPv6, and a group
//! or prefix list reference toward both. A prefix list's maximum entries (or an AWS-managed list's weight) are
//! not in the snapshot, so each reference counts as one: the tallies are a floor, and a finding says so.

use sgaudit_snapshot::text::printable;
use sgaudit_snapshot::{Direction, SecurityGroup};

use super::{group_failure, named, quota_warning, region_pass, QUOTA_WARNING_PERCENT};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::Fix;

/// AWS's default quota of inbound or outbound rules per security group, per address family (L-0EA8095F).
pub const DEFAULT_RULES_PER_GROUP: u32 = 60;

/// The tally at which a group is reported: [`QUOTA_WARNING_PERCENT`] of [`DEFAULT_RULES_PER_GROUP`] (48).
pub const WARN_AT: u32 = quota_warning(DEFAULT_RULES_PER_GROUP);

pub const CHECK: Check = Check {
    id: "net-sg-rules-quota",
    title: "Security group is near AWS's quota of rules per group",
    family: Family::Network,
    severity: Severity::Low,
    controls: &[],
    description: "Every security group of the region: its rules counted as AWS counts them against the quota of \
                  inbound or outbound rules per security group (60 by default), separately per direction and per \
                  address family, a security group or prefix list reference counting toward both IPv4 and IPv6. A \
                  group with 48 (80 %) or more in one tally is reported: at 60, the next rule added, by hand or by a \
                  deployment, is refused. A prefix list counts as one rule (its maximum size, which AWS counts, is not \
                  in the snapshot), so the tallies are a floor.",
    remediation: "Remove the group's redundant rules (`net-sg-redundant-rule`), gather many address blocks into a \
                  customer-managed prefix list, or split the rules over two groups by role; if the rules are all \
                  needed, ask for a higher quota in Service Quotas (L-0EA8095F), remembering that rules per group \
                  times groups per network interface may not exceed 1,000.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(|scope| {
        let mut out = Vec::new();
        let mut with_lists = 0;
        for group in &scope.region.security_groups {
            let lists = prefix_lists(group);
            with_lists += usize::from(!lists.is_empty());
            let near: Vec<String> = tallies(group)
                .into_iter()
                .filter(|t| t.rules >= WARN_AT)
                .map(|t| format!("{} {} {} rule(s)", t.rules, t.direction, t.family))
                .collect();
            if near.is_empty() {
                continue;
            }
            let mut evidence = format!(
                "{} has {}, at or above {WARN_AT} ({QUOTA_WARNING_PERCENT} % of AWS's default quota of \
                 {DEFAULT_RULES_PER_GROUP} rules per direction and address family)",
                named(group),
                near.join(" and ")
            );
            match lists.as_slice() {
                [] => {}
                [one] => evidence
                    .push_str(&format!("; prefix list {one} counted as one entry (its size is not in the snapshot)")),
                many => evidence.push_str(&format!(
                    "; prefix lists {} counted as one entry each (their sizes are not in the snapshot)",
                    many.join(", ")
                )),
            }
            let fix = Fix::summary(format!(
                "No one command fixes this. For {}: revoke its redundant rules (see net-sg-redundant-rule), gather \
                 address blocks into a customer-managed prefix list, or split the rules over two groups by role; if \
                 every rule is needed, ask for more in Service Quotas (VPC, L-0EA8095F, 'Inbound or outbound rules \
                 per security group'), keeping rules per group times groups per interface within 1,000.",
                named(group)
            ));
            out.push(group_failure(scope, group, evidence).with_fix(Some(fix)));
        }
        if out.is_empty() {
            let mut evidence = format!(
                "none of the {} security group(s) of {} has {WARN_AT} or more rules in one direction and address \
                 family",
                scope.region.security_groups.len(),
                scope.region.region
            );
            if with_lists > 0 {
                evidence.push_str(&format!(
                    " (the prefix lists of {with_lists} of them counted as one entry each: their sizes are not in the \
                     snapshot)"
                ));
            }
            out.push(region_pass(scope, evidence));
        }
        out
    }),
    // Words only (the fix attached to each failure): which rules to drop or merge is the owners' choice.
    fix: Fixer::Judged,
};

/// One of a group's four tallies of rules.
struct Tally {
    direction: &'static str,
    family: &'static str,
    rules: u32,
}

/// Inbound IPv4, inbound IPv6, outbound IPv4 and outbound IPv6, as the quota counts them.
fn tallies(group: &SecurityGroup) -> Vec<Tally> {
    let mut out = Vec::with_capacity(4);
    for (direction, name) in [(Direction::Ingress, "inbound"), (Direction::Egress, "outbound")] {
        let (mut v4, mut v6) = (0usize, 0usize);
        for (_, rule) in group.rules().filter(|(d, _)| *d == direction) {
            let both = rule.prefix_lists.len() + rule.groups.len();
            v4 += rule.ipv4_ranges.len() + both;
            v6 += rule.ipv6_ranges.len() + both;
        }
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        out.push(Tally { direction: name, family: "IPv4", rules: count(v4) });
        out.push(Tally { direction: name, family: "IPv6", rules: count(v6) });
    }
    out
}

/// The prefix lists the group's rules name, each once, made safe to show.
fn prefix_lists(group: &SecurityGroup) -> Vec<String> {
    let mut ids: Vec<String> =
        group.rules().flat_map(|(_, r)| r.prefix_lists.iter().map(|p| printable(&p.id).into_owned())).collect();
    ids.sort();
    ids.dedup();
    ids
}

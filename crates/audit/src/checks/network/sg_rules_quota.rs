//! How AWS counts a group's rules against its quota, in the words of the Amazon VPC User Guide ("Amazon VPC
//! quotas", Security groups, "Inbound or outbound rules per security group", default 60, quota code
//! L-0EA8095F): "This quota is enforced separately for IPv4 rules and IPv6 rules; for example, a security group
//! can have 60 inbound rules for IPv4 traffic and 60 inbound rules for IPv6 traffic. A rule that references a
//! security group or AWS-managed prefix list ID counts as one rule for IPv4 and one rule for IPv6. [...] If you
//! reference a customer-managed prefix list in a security group rule, the maximum number of entries for the
//! prefix lists equals the same number of security group rules." And of an AWS-managed list ("AWS-managed prefix
//! lists", "AWS-managed prefix list weight"): "The weight of an AWS-managed prefix list refers to the number of
//! entries that it takes up for a resource" (the CloudFront origin-facing list counts as 55 rules).
//!
//! So a rule here is one peer of one permission (AWS's `SecurityGroupRule`), counted in four tallies: inbound
//! and outbound, each for IPv4 and IPv6. An IPv4 block counts one toward IPv4, an IPv6 block one toward IPv6, a
//! group reference one toward both. A prefix list reference counts its size:
//! - a customer-managed list (the account's own or one shared with it) its maximum entries (`MaxEntries`, not
//!   the entries it holds now), toward its own address family only: a list holds blocks of one family, and the
//!   quota page names only group and AWS-managed references as counting toward both;
//! - an AWS-managed list its documented weight ([`AWS_MANAGED_WEIGHTS`]), toward both families, as the quota
//!   page says of AWS-managed references (the page gives no family rule for the weight; both is the side that
//!   warns early rather than late);
//! - a list whose size is not known counts one toward both, a floor the evidence names: an AWS-managed list of
//!   no documented weight, or a list `DescribeManagedPrefixLists` did not return (another account's that is no
//!   longer shared, or deleted).
//!
//! The tallies are judged against the account's applied quota in the region (Service Quotas, `servicequotas-vpc`),
//! or AWS's default of 60 where Service Quotas holds none; the evidence says which.

use std::collections::{BTreeMap, BTreeSet};

use sgaudit_snapshot::posture::{PrefixList, QUOTA_RULES_PER_GROUP};
use sgaudit_snapshot::text::printable;
use sgaudit_snapshot::{Direction, RegionPosture, SecurityGroup};

use super::{group_failure, named, quota_warning, region_pass, Quota, QUOTA_WARNING_PERCENT};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::Fix;

/// AWS's default quota of inbound or outbound rules per security group, per address family (L-0EA8095F).
pub const DEFAULT_RULES_PER_GROUP: u32 = 60;

/// The tally at which a group is reported under the default quota: [`QUOTA_WARNING_PERCENT`] of
/// [`DEFAULT_RULES_PER_GROUP`] (48). Under an applied quota, the same share of it.
pub const WARN_AT: u32 = quota_warning(DEFAULT_RULES_PER_GROUP);

/// The weight of each AWS-managed prefix list, as the Amazon VPC User Guide documents it ("AWS-managed prefix
/// lists", section "AWS-managed prefix list weight",
/// <https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html>, read
/// 2026-12): the list's name (`{region}` stands for the region it is read in) and the rules it counts as. A
/// list AWS manages that is not here counts as one, a floor.
pub const AWS_MANAGED_WEIGHTS: &[(&str, u32)] = &[
    ("com.amazonaws.global.cloudfront.origin-facing", 55),
    ("com.amazonaws.global.ipv6.cloudfront.origin-facing", 55),
    ("com.amazonaws.{region}.dynamodb", 1),
    ("com.amazonaws.{region}.ec2-instance-connect", 2),
    ("com.amazonaws.{region}.ipv6.ec2-instance-connect", 2),
    ("com.amazonaws.global.groundstation", 5),
    ("com.amazonaws.{region}.route53-healthchecks", 25),
    ("com.amazonaws.{region}.ipv6.route53-healthchecks", 25),
    ("com.amazonaws.{region}.s3", 1),
    ("com.amazonaws.{region}.s3express", 6),
    ("com.amazonaws.{region}.vpc-lattice", 10),
    ("com.amazonaws.{region}.ipv6.vpc-lattice", 10),
];

/// The documented weight of the AWS-managed list named `name`, read in `region`.
pub fn aws_managed_weight(name: &str, region: &str) -> Option<u32> {
    AWS_MANAGED_WEIGHTS.iter().find_map(|&(pattern, weight)| {
        let matches = match pattern.split_once("{region}") {
            Some((before, after)) => name
                .strip_prefix(before)
                .and_then(|rest| rest.strip_suffix(after))
                .is_some_and(|middle| middle == region),
            None => name == pattern,
        };
        matches.then_some(weight)
    })
}

/// What one reference to a prefix list costs against the quota, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCost {
    /// Rules it counts as, in each family it counts toward.
    pub rules: u32,
    pub ipv4: bool,
    pub ipv6: bool,
    pub basis: Basis,
}

/// Why a prefix list counts as it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A customer-managed list, at its maximum entries.
    MaxEntries,
    /// An AWS-managed list, at its documented weight.
    Weight,
    /// An AWS-managed list of no documented weight: one, a floor.
    UndocumentedWeight,
    /// Not among the lists the region returned: one, a floor.
    NotReturned,
}

impl ListCost {
    /// Whether the size was not known and the list counts as one, a floor.
    pub fn is_floor(&self) -> bool {
        matches!(self.basis, Basis::UndocumentedWeight | Basis::NotReturned)
    }
}

/// What a reference to the list `id` costs in `region`, given the region's lists (`ec2-managed-prefix-lists`).
pub fn list_cost(id: &str, lists: &BTreeMap<&str, &PrefixList>, region: &str) -> ListCost {
    let floor = |basis| ListCost { rules: 1, ipv4: true, ipv6: true, basis };
    let Some(list) = lists.get(id) else {
        return floor(Basis::NotReturned);
    };
    if list.is_aws_managed() {
        return match aws_managed_weight(&list.name, region) {
            Some(rules) => ListCost { rules, ipv4: true, ipv6: true, basis: Basis::Weight },
            None => floor(Basis::UndocumentedWeight),
        };
    }
    match list.max_entries {
        // A list of an unknown family (never, from EC2) counts toward both, as an AWS-managed one.
        Some(rules) => {
            let family = list.address_family.as_str();
            ListCost {
                rules,
                ipv4: !family.eq_ignore_ascii_case("IPv6"),
                ipv6: !family.eq_ignore_ascii_case("IPv4"),
                basis: Basis::MaxEntries,
            }
        }
        None => floor(Basis::UndocumentedWeight),
    }
}

pub const CHECK: Check = Check {
    id: "net-sg-rules-quota",
    title: "Security group is near AWS's quota of rules per group",
    family: Family::Network,
    severity: Severity::Low,
    controls: &[],
    description: "Every security group of the region: its rules counted as AWS counts them against the quota of \
                  inbound or outbound rules per security group (60 by default), or the account's applied quota from \
                  Service Quotas where it has one, separately per direction and per address family. A group \
                  reference counts toward both IPv4 and IPv6; a customer-managed prefix list counts its maximum \
                  entries toward its own address family, an AWS-managed one its documented weight (CloudFront's \
                  55) toward both. A group with 48 (80 %) or more in one tally under the default quota, or 80 % of \
                  the applied one, is reported: at the quota, the next rule added, by hand or by a deployment, is \
                  refused. A prefix list whose size is not known (not returned by the region, or AWS-managed with \
                  no documented weight) counts as one, and the evidence names it as a floor.",
    remediation: "Remove the group's redundant rules (`net-sg-redundant-rule`), lower the maximum entries of a \
                  customer-managed prefix list it names to what the list needs, gather many address blocks into \
                  one prefix list, or split the rules over two groups by role; if the rules are all needed, ask \
                  for a higher quota in Service Quotas (L-0EA8095F), remembering that rules per group times \
                  groups per network interface may not exceed 1,000.",
    reads: &["ec2-security-groups", "ec2-managed-prefix-lists", "servicequotas-vpc"],
    evaluate: Evaluate::Region(|scope| {
        let region = scope.region.region.as_str();
        let posture = &scope.region.posture;
        let quota = Quota::of(posture, QUOTA_RULES_PER_GROUP, DEFAULT_RULES_PER_GROUP);
        let warn_at = quota.warn_at();
        let lists = lists_by_id(posture);
        let mut out = Vec::new();
        let mut floors: BTreeSet<String> = BTreeSet::new();
        for group in &scope.region.security_groups {
            let costs: BTreeMap<String, ListCost> =
                prefix_lists(group).into_iter().map(|id| (id.clone(), list_cost(&id, &lists, region))).collect();
            floors.extend(costs.iter().filter(|(_, c)| c.is_floor()).map(|(id, _)| printable(id).into_owned()));
            let near: Vec<String> = tallies(group, &costs)
                .into_iter()
                .filter(|t| t.rules >= warn_at)
                .map(|t| format!("{} {} {} rule(s)", t.rules, t.direction, t.family))
                .collect();
            if near.is_empty() {
                continue;
            }
            let mut evidence = format!(
                "{} has {}, at or above {warn_at} ({QUOTA_WARNING_PERCENT} % of {})",
                named(group),
                near.join(" and "),
                quota.describe("rules per direction and address family")
            );
            if !costs.is_empty() {
                let counted: Vec<String> = costs.iter().map(|(id, cost)| counted(id, cost, &lists)).collect();
                evidence.push_str(&format!("; prefix lists counted: {}", counted.join(", ")));
            }
            let fix = Fix::summary(format!(
                "No one command fixes this. For {}: revoke its redundant rules (see net-sg-redundant-rule), lower the \
                 maximum entries of a customer-managed prefix list it names (`aws ec2 modify-managed-prefix-list \
                 --max-entries`), gather address blocks into a prefix list, or split the rules over two groups by \
                 role; if every rule is needed, ask for more in Service Quotas (VPC, L-0EA8095F, 'Inbound or \
                 outbound rules per security group', now {}), keeping rules per group times groups per interface \
                 within 1,000.",
                named(group),
                quota.value
            ));
            out.push(group_failure(scope, group, evidence).with_fix(Some(fix)));
        }
        if out.is_empty() {
            let mut evidence = format!(
                "none of the {} security group(s) of {region} has {warn_at} or more rules in one direction and \
                 address family ({QUOTA_WARNING_PERCENT} % of {})",
                scope.region.security_groups.len(),
                quota.describe("rules per direction and address family")
            );
            if !floors.is_empty() {
                evidence.push_str(&format!(
                    "; counted as one entry each, a floor (their sizes are not known): prefix list(s) {}",
                    floors.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
            out.push(region_pass(scope, evidence));
        }
        out
    }),
    // Words only (the fix attached to each failure): which rules to drop or merge is the owners' choice.
    fix: Fixer::Judged,
};

/// The region's prefix lists by id.
fn lists_by_id(posture: &RegionPosture) -> BTreeMap<&str, &PrefixList> {
    posture.prefix_lists.iter().map(|p| (p.prefix_list_id.as_str(), p)).collect()
}

/// How a list was counted, for evidence: `pl-0a (partners) at its maximum of 40 entries (IPv4)`.
fn counted(id: &str, cost: &ListCost, lists: &BTreeMap<&str, &PrefixList>) -> String {
    let shown = match lists.get(id).map(|l| l.name.as_str()).filter(|n| !n.is_empty()) {
        Some(name) => format!("{} ({})", printable(id), printable(name)),
        None => printable(id).into_owned(),
    };
    let family = match (cost.ipv4, cost.ipv6) {
        (true, false) => "IPv4",
        (false, true) => "IPv6",
        _ => "IPv4 and IPv6",
    };
    match cost.basis {
        Basis::MaxEntries => format!("{shown} at its maximum of {} entries ({family})", cost.rules),
        Basis::Weight => format!("{shown} at its documented weight of {} ({family})", cost.rules),
        Basis::UndocumentedWeight => format!("{shown} as one, a floor (its size is not documented)"),
        Basis::NotReturned => format!("{shown} as one, a floor (not among the region's prefix lists)"),
    }
}

/// One of a group's four tallies of rules.
struct Tally {
    direction: &'static str,
    family: &'static str,
    rules: u32,
}

/// Inbound IPv4, inbound IPv6, outbound IPv4 and outbound IPv6, as the quota counts them, each prefix list at
/// its cost in `costs` (every list the group names is there).
fn tallies(group: &SecurityGroup, costs: &BTreeMap<String, ListCost>) -> Vec<Tally> {
    let mut out = Vec::with_capacity(4);
    for (direction, name) in [(Direction::Ingress, "inbound"), (Direction::Egress, "outbound")] {
        let (mut v4, mut v6) = (0u64, 0u64);
        for (_, rule) in group.rules().filter(|(d, _)| *d == direction) {
            let groups = rule.groups.len() as u64;
            v4 += rule.ipv4_ranges.len() as u64 + groups;
            v6 += rule.ipv6_ranges.len() as u64 + groups;
            for list in &rule.prefix_lists {
                let Some(cost) = costs.get(&list.id) else { continue };
                v4 += u64::from(if cost.ipv4 { cost.rules } else { 0 });
                v6 += u64::from(if cost.ipv6 { cost.rules } else { 0 });
            }
        }
        let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        out.push(Tally { direction: name, family: "IPv4", rules: count(v4) });
        out.push(Tally { direction: name, family: "IPv6", rules: count(v6) });
    }
    out
}

/// The prefix lists the group's rules name, each once, sorted (raw ids: made safe where shown).
fn prefix_lists(group: &SecurityGroup) -> Vec<String> {
    let mut ids: Vec<String> = group.rules().flat_map(|(_, r)| r.prefix_lists.iter().map(|p| p.id.clone())).collect();
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_weights_match_by_name_in_their_region() {
        assert_eq!(aws_managed_weight("com.amazonaws.global.cloudfront.origin-facing", "eu-west-1"), Some(55));
        assert_eq!(aws_managed_weight("com.amazonaws.global.ipv6.cloudfront.origin-facing", "us-east-1"), Some(55));
        assert_eq!(aws_managed_weight("com.amazonaws.eu-west-1.s3", "eu-west-1"), Some(1));
        assert_eq!(aws_managed_weight("com.amazonaws.us-east-1.route53-healthchecks", "us-east-1"), Some(25));
        assert_eq!(aws_managed_weight("com.amazonaws.us-east-1.ipv6.vpc-lattice", "us-east-1"), Some(10));
        // Another region's name, a name AWS documents no weight for, and a near miss.
        assert_eq!(aws_managed_weight("com.amazonaws.us-west-2.s3", "eu-west-1"), None);
        assert_eq!(aws_managed_weight("com.amazonaws.us-east-1.new-service", "us-east-1"), None);
        assert_eq!(aws_managed_weight("com.amazonaws.us-east-1.s3express-more", "us-east-1"), None);
        // Every name of the table is one of AWS's (`com.amazonaws.`), and none is listed twice.
        let names: BTreeSet<&str> = AWS_MANAGED_WEIGHTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), AWS_MANAGED_WEIGHTS.len());
        assert!(names.iter().all(|n| n.starts_with("com.amazonaws.")));
    }

    #[test]
    fn each_kind_of_list_costs_what_aws_counts() {
        let own = PrefixList::new("pl-0own", "partners", "111122223333", "IPv4", Some(40));
        let own6 = PrefixList::new("pl-0own6", "partners-v6", "111122223333", "IPv6", Some(12));
        let cf = PrefixList::new("pl-0cf", "com.amazonaws.global.cloudfront.origin-facing", "AWS", "IPv4", None);
        let new = PrefixList::new("pl-0new", "com.amazonaws.us-east-1.new-service", "AWS", "IPv4", None);
        let lists: BTreeMap<&str, &PrefixList> =
            [&own, &own6, &cf, &new].into_iter().map(|l| (l.prefix_list_id.as_str(), l)).collect();
        let cost = |id| list_cost(id, &lists, "us-east-1");
        assert_eq!(cost("pl-0own"), ListCost { rules: 40, ipv4: true, ipv6: false, basis: Basis::MaxEntries });
        assert_eq!(cost("pl-0own6"), ListCost { rules: 12, ipv4: false, ipv6: true, basis: Basis::MaxEntries });
        assert_eq!(cost("pl-0cf"), ListCost { rules: 55, ipv4: true, ipv6: true, basis: Basis::Weight });
        let undocumented = cost("pl-0new");
        assert_eq!((undocumented.rules, undocumented.is_floor()), (1, true));
        let missing = cost("pl-0gone");
        assert_eq!(missing, ListCost { rules: 1, ipv4: true, ipv6: true, basis: Basis::NotReturned });
        assert!(!cost("pl-0own").is_floor() && !cost("pl-0cf").is_floor());
    }
}

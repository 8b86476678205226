//! Groups of different VPCs, regions or accounts with the same rules: templates to share. Where
//! `net-sg-duplicate-rules` finds groups to merge (the same rules in one VPC), a group cannot hold interfaces of
//! another VPC, so across VPCs the same rule set is one template written many times: one module, one
//! CloudFormation StackSet or one AWS Firewall Manager common security group policy could own it, and a change
//! to it (a port closed) would then land everywhere at once. Judged once over the whole estate
//! ([`Evaluate::Estate`]), from the same rule signatures ([`crate::rules::signature`]).

use std::collections::{BTreeMap, BTreeSet};

use sgaudit_snapshot::text::printable;
use sgaudit_snapshot::{Direction, RegionSnapshot, SecurityGroup};

use super::sg_duplicate_rules::{holders, holders_whole};
use super::{group_arn, named};
use crate::checks::{resource, Check, EstateScope, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::Fix;
use crate::rules::{atoms, signature, Signature};

/// The members a finding names; the rest are counted.
pub const LISTED: usize = 10;

pub const CHECK: Check = Check {
    id: "net-sg-shared-rule-templates",
    title: "The same rules are written as separate groups in several VPCs",
    family: Family::Network,
    severity: Severity::Informational,
    controls: &[],
    description: "The whole estate, every account and region read: sets of security groups in two or more VPCs whose \
                  rules, inbound and outbound, admit exactly the same traffic (compared as net-sg-duplicate-rules \
                  compares them). Each set is reported once, at the member with the most holders, naming up to 10 \
                  members with their account, region, VPC and holders: one rule set maintained as many copies, a \
                  template to share. Default groups and groups without inbound rules are left out.",
    remediation: "Own the rule set in one place and deploy it to each VPC from there: one infrastructure-as-code \
                  module, a CloudFormation StackSet, or an AWS Firewall Manager common security group policy; so that \
                  the next change to it (a port closed, a range narrowed) lands in every copy at once.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Estate(evaluate),
    fix: Fixer::Judged,
};

/// One member of a set: the group and the region it is in.
type Member<'a> = (&'a RegionSnapshot, &'a SecurityGroup);

fn evaluate(scope: &EstateScope) -> Vec<(String, Observation)> {
    let mut sets: BTreeMap<Signature, Vec<Member>> = BTreeMap::new();
    for region in scope.regions {
        for group in &region.security_groups {
            let has_ingress = atoms(group).iter().any(|a| a.atom.direction == Direction::Ingress);
            if group.vpc_id.is_none() || group.is_default() || !has_ingress {
                continue;
            }
            sets.entry(signature(group)).or_default().push((region, group));
        }
    }
    // Whether each region's holders are all known, asked once per region rather than once per member.
    let whole: std::collections::HashMap<*const RegionSnapshot, bool> =
        scope.regions.iter().map(|r| (std::ptr::from_ref(*r), holders_whole(r))).collect();
    let mut out = Vec::new();
    for (signature, members) in &sets {
        let vpcs: BTreeSet<(&str, &str, &str)> = members
            .iter()
            .map(|(r, g)| (r.account_id.as_str(), r.region.as_str(), g.vpc_id.as_deref().unwrap_or_default()))
            .collect();
        if vpcs.len() < 2 {
            continue;
        }
        let accounts: BTreeSet<&str> = vpcs.iter().map(|v| v.0).collect();
        let mut counted: Vec<(Member, Option<usize>)> =
            members.iter().map(|&(r, g)| ((r, g), whole[&std::ptr::from_ref(r)].then(|| holders(r, g)))).collect();
        // The most holders first (holders unknown last), then by place and id: the first is where it is reported.
        counted.sort_by(|((ra, ga), a), ((rb, gb), b)| {
            (std::cmp::Reverse(*a), &ra.account_id, &ra.region, &ga.group_id).cmp(&(
                std::cmp::Reverse(*b),
                &rb.account_id,
                &rb.region,
                &gb.group_id,
            ))
        });
        let listed: Vec<String> = counted
            .iter()
            .take(LISTED)
            .map(|((r, g), n)| {
                let holders = n.map_or("holders unknown".to_string(), |n| format!("{n} holder(s)"));
                format!(
                    "{} ({} {} {}, {holders})",
                    named(g),
                    r.account_id,
                    r.region,
                    printable(g.vpc_id.as_deref().unwrap_or_default())
                )
            })
            .collect();
        let more = counted.len().saturating_sub(LISTED);
        let mut evidence = format!(
            "{} groups in {} VPCs of {} account(s) have the same rules (rules digest {}): {}",
            counted.len(),
            vpcs.len(),
            accounts.len(),
            signature.digest(),
            listed.join("; ")
        );
        if more > 0 {
            evidence.push_str(&format!("; and {more} more"));
        }
        let ((region, first), _) = counted[0];
        let fix = Fix::summary(format!(
            "No command makes copies one template. Take the rules of {} as the template (the digest {} names the \
             rule set in sgaudit's reports), own them in one module, StackSet or Firewall Manager common security \
             group policy, and import the {} groups above into it one by one (Terraform `import` blocks, or \
             CloudFormation resource import), so that each keeps its id and its holders.",
            named(first),
            signature.digest(),
            counted.len()
        ));
        let observation = Observation::fail(
            resource::EC2_SECURITY_GROUP,
            group_arn(&region.account_id, &region.region, &first.group_id),
            evidence,
        )
        .in_region(region.region.as_str())
        .with_fix(Some(fix));
        out.push((region.account_id.clone(), observation));
    }
    if out.is_empty() {
        let groups: usize = scope.regions.iter().map(|r| r.security_groups.len()).sum();
        let accounts: BTreeSet<&str> = scope.regions.iter().map(|r| r.account_id.as_str()).collect();
        for account in accounts {
            let evidence = format!(
                "no two VPCs of the {} region(s) read whole hold groups with the same rules ({groups} group(s) compared)",
                scope.regions.len()
            );
            out.push((
                account.to_string(),
                Observation::pass(resource::ACCOUNT, super::super::account_resource(account), evidence),
            ));
        }
    }
    out
}

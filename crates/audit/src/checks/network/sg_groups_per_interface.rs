//! How many security groups a network interface holds, against AWS's quota: the Amazon VPC User Guide ("Amazon
//! VPC quotas", Security groups, "Security groups per network interface", default 5, adjustable to 16, quota
//! code L-2AFB9258; rules per group times groups per interface may not exceed 1,000). An interface at the quota
//! cannot take one more group: a deployment that adds one (a new service's group on a shared instance, a
//! monitoring agent's) is refused.
//!
//! The groups of each interface are what `ec2-network-interfaces` lists (the `eni` attachments), the same
//! evidence the groups' use is judged on. The account's own quota (Service Quotas) is not read: a raised quota
//! makes the check warn early, never late, and the finding says which quota it assumed.

use super::{quota_warning, region_pass, QUOTA_WARNING_PERCENT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::Fix;

/// AWS's default quota of security groups per network interface (L-2AFB9258).
pub const DEFAULT_GROUPS_PER_INTERFACE: u32 = 5;

/// The count at which an interface is reported: [`QUOTA_WARNING_PERCENT`] of the quota (4 of 5).
pub const WARN_AT: u32 = quota_warning(DEFAULT_GROUPS_PER_INTERFACE);

pub const CHECK: Check = Check {
    id: "net-sg-groups-per-interface-quota",
    title: "Network interface is near AWS's quota of security groups per interface",
    family: Family::Network,
    severity: Severity::Low,
    controls: &[],
    description: "Every network interface of the region: how many security groups it holds, against AWS's quota of \
                  security groups per network interface (5 by default). An interface with 4 (80 %) or more is \
                  reported: at the quota, the next group added to it, by hand or by a deployment, is refused. The \
                  account's own quota is not read (Service Quotas); where it was raised, the check warns early.",
    remediation: "Merge groups that serve the same role into one (`net-sg-duplicate-rules` finds identical ones), \
                  replace per-peer groups by a prefix list, or ask for a higher quota in Service Quotas (L-2AFB9258), \
                  remembering that rules per group times groups per interface may not exceed 1,000.",
    reads: &["ec2-network-interfaces"],
    evaluate: Evaluate::Region(|scope| {
        let region = scope.region.region.as_str();
        let mut groups = scope.region.interface_groups();
        let mut out = Vec::new();
        for (eni, held) in &mut groups {
            held.sort_unstable();
            let count = u32::try_from(held.len()).unwrap_or(u32::MAX);
            if count < WARN_AT {
                continue;
            }
            let evidence = format!(
                "{eni} holds {count} security groups ({}), at or above {WARN_AT} ({QUOTA_WARNING_PERCENT} % of AWS's \
                 default quota of {DEFAULT_GROUPS_PER_INTERFACE} per network interface)",
                held.join(", ")
            );
            let fix = Fix::summary(format!(
                "No one command fixes this. For {eni}: merge the groups it holds that serve one role into one \
                 (net-sg-duplicate-rules lists identical groups), then move the interface to the merged group with \
                 `aws ec2 modify-network-interface-attribute --groups`; or ask for more in Service Quotas (VPC, \
                 L-2AFB9258, 'Security groups per network interface'), keeping rules per group times groups per \
                 interface within 1,000."
            ));
            let arn =
                format!("arn:{}:ec2:{region}:{}:network-interface/{eni}", crate::partition(region), scope.account_id);
            out.push(
                Observation::fail(resource::EC2_NETWORK_INTERFACE, arn, evidence).in_region(region).with_fix(Some(fix)),
            );
        }
        if out.is_empty() {
            out.push(region_pass(
                scope,
                format!("none of the {} network interface(s) holds {WARN_AT} or more security groups", groups.len()),
            ));
        }
        out
    }),
    fix: Fixer::Judged,
};

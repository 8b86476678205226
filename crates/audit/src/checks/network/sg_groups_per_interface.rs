//! How many security groups a network interface holds, against AWS's quota: the Amazon VPC User Guide ("Amazon
//! VPC quotas", Security groups, "Security groups per network interface", default 5, adjustable to 16, quota
//! code L-2AFB9258; rules per group times groups per interface may not exceed 1,000). An interface at the quota
//! cannot take one more group: a deployment that adds one (a new service's group on a shared instance, a
//! monitoring agent's) is refused.
//!
//! The groups of each interface are what `ec2-network-interfaces` lists (the `eni` attachments), the same
//! evidence the groups' use is judged on. The quota is the account's applied one in the region, from Service
//! Quotas (`servicequotas-vpc`), or AWS's default where Service Quotas holds none; the finding says which.

use sgaudit_snapshot::posture::QUOTA_GROUPS_PER_INTERFACE;

use super::{quota_warning, region_pass, Quota, QUOTA_WARNING_PERCENT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::Fix;

/// AWS's default quota of security groups per network interface (L-2AFB9258).
pub const DEFAULT_GROUPS_PER_INTERFACE: u32 = 5;

/// The count at which an interface is reported under the default quota: [`QUOTA_WARNING_PERCENT`] of it (4 of
/// 5). Under an applied quota, the same share of it.
pub const WARN_AT: u32 = quota_warning(DEFAULT_GROUPS_PER_INTERFACE);

pub const CHECK: Check = Check {
    id: "net-sg-groups-per-interface-quota",
    title: "Network interface is near AWS's quota of security groups per interface",
    family: Family::Network,
    severity: Severity::Low,
    controls: &[],
    description: "Every network interface of the region: how many security groups it holds, against AWS's quota of \
                  security groups per network interface (5 by default), or the account's applied quota from Service \
                  Quotas where it has one. An interface with 4 (80 %) or more under the default quota, or 80 % of \
                  the applied one, is reported: at the quota, the next group added to it, by hand or by a \
                  deployment, is refused.",
    remediation: "Merge groups that serve the same role into one (`net-sg-duplicate-rules` finds identical ones), \
                  replace per-peer groups by a prefix list, or ask for a higher quota in Service Quotas (L-2AFB9258), \
                  remembering that rules per group times groups per interface may not exceed 1,000.",
    reads: &["ec2-network-interfaces", "servicequotas-vpc"],
    evaluate: Evaluate::Region(|scope| {
        let region = scope.region.region.as_str();
        let quota = Quota::of(&scope.region.posture, QUOTA_GROUPS_PER_INTERFACE, DEFAULT_GROUPS_PER_INTERFACE);
        let warn_at = quota.warn_at();
        let mut groups = scope.region.interface_groups();
        let mut out = Vec::new();
        for (eni, held) in &mut groups {
            held.sort_unstable();
            let count = u32::try_from(held.len()).unwrap_or(u32::MAX);
            if count < warn_at {
                continue;
            }
            let evidence = format!(
                "{eni} holds {count} security groups ({}), at or above {warn_at} ({QUOTA_WARNING_PERCENT} % of {})",
                held.join(", "),
                quota.describe("per network interface")
            );
            let fix = Fix::summary(format!(
                "No one command fixes this. For {eni}: merge the groups it holds that serve one role into one \
                 (net-sg-duplicate-rules lists identical groups), then move the interface to the merged group with \
                 `aws ec2 modify-network-interface-attribute --groups`; or ask for more in Service Quotas (VPC, \
                 L-2AFB9258, 'Security groups per network interface', now {}), keeping rules per group times \
                 groups per interface within 1,000.",
                quota.value
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
                format!(
                    "none of the {} network interface(s) holds {warn_at} or more security groups ({QUOTA_WARNING_PERCENT} \
                     % of {})",
                    groups.len(),
                    quota.describe("per network interface")
                ),
            ));
        }
        out
    }),
    fix: Fixer::Judged,
};

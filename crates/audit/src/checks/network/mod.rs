//! The network checks: ports open to the world beyond the allowed ones, administration ports by address
//! family, network ACLs, EBS encryption by default, instances outside a VPC; and the hygiene of groups' rules
//! (issue 16): duplicate groups, redundant rules, broad public sources, wide port ranges, every protocol from
//! a public block, and groups near AWS's quota of rules.

use sgaudit_snapshot::{Direction, Rule, SecurityGroup};

use super::{resource, GroupFixer, Observation, RegionScope};
use crate::exposure::{covers_port, RDP, SSH};
use crate::fix::ec2::{self, Added, Entry};
use crate::fix::{Choice, Fix, ADMIN_CIDR, ADMIN_CIDR_V6, PORT};
use crate::rules::{atoms, Atom, RulePeer};

pub mod ebs_default_encryption;
pub mod instance_outside_vpc;
pub mod nacl_admin_port;
pub mod sg_all_protocols_public;
pub mod sg_broad_public_source;
pub mod sg_duplicate_rules;
pub mod sg_groups_per_interface;
pub mod sg_ipv4_admin_port;
pub mod sg_ipv6_admin_port;
pub mod sg_open_port;
pub mod sg_redundant_rule;
pub mod sg_rules_quota;
pub mod sg_shared_rule_templates;
pub mod sg_wide_port_range;

/// The remote administration ports of FSBP EC2.21/EC2.53/EC2.54 and CIS 5.x.
pub(crate) const ADMIN_PORTS: [u16; 2] = [SSH, RDP];

/// Judges every group of the region with `open` (which names what the group opens, or `None`): a failure
/// per group that opens something, with its fix (`fix`), or one pass for the region when none does.
pub(crate) fn per_group(
    scope: &RegionScope,
    what: &str,
    open: impl Fn(&SecurityGroup) -> Option<String>,
    fix: GroupFixer,
) -> Vec<Observation> {
    let mut out: Vec<Observation> = scope
        .region
        .security_groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            open(g)
                .map(|detail| group_failure(scope, g, format!("{} {detail}", named(g))).with_group_fix(scope, i, fix))
        })
        .collect();
    if out.is_empty() {
        let groups = scope.region.security_groups.len();
        out.push(region_pass(
            scope,
            format!("none of the {groups} security group(s) of {} {what}", scope.region.region),
        ));
    }
    out
}

/// `sg-0abc (web)`: a group as evidence names it, its name (AWS text, chosen by whoever created the group) made
/// safe to show; the fixes name it alike.
pub(crate) use crate::fix::ec2::named;

/// A failure located at a group of the region.
pub(crate) fn group_failure(scope: &RegionScope, group: &SecurityGroup, evidence: String) -> Observation {
    let region = scope.region.region.as_str();
    Observation::fail(resource::EC2_SECURITY_GROUP, group_arn(scope.account_id, region, &group.group_id), evidence)
        .in_region(region)
}

/// The one pass of a region where nothing failed, located at the account in that region.
pub(crate) fn region_pass(scope: &RegionScope, evidence: String) -> Observation {
    Observation::pass(resource::ACCOUNT, super::account_resource(scope.account_id), evidence)
        .in_region(scope.region.region.as_str())
}

/// Whether an atom's peer is every address of its family (0.0.0.0/0 or ::/0): rules with such a peer belong
/// to the world-open checks (`net-sg-open-port`, `net-sg-ipv4-admin-port`, `sg-world-open-*`), so the hygiene
/// checks leave them out rather than report one rule twice.
pub(crate) fn is_world(atom: &Atom) -> bool {
    matches!(&atom.peer, RulePeer::Cidr(c) if c.is_world())
}

/// The group's ingress atoms that `pick` picks, as people read them (`ingress tcp 22 from 8.0.0.0/7`), each
/// once, in the group's order; `None` when there is none.
pub(crate) fn ingress_atoms(group: &SecurityGroup, pick: impl Fn(&Atom) -> bool) -> Option<String> {
    let mut shown: Vec<String> = Vec::new();
    for a in atoms(group).iter().filter(|a| a.atom.direction == Direction::Ingress && pick(&a.atom)) {
        let text = a.atom.describe(&group.group_id);
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    (!shown.is_empty()).then(|| shown.join(", "))
}

/// The group's ingress entries that `pick` picks, judged in the rule algebra's normal form as
/// [`ingress_atoms`] judges them.
pub(crate) fn ingress_entries<'a>(group: &'a SecurityGroup, pick: impl Fn(&Atom) -> bool) -> Vec<Entry<'a>> {
    ec2::entries(group)
        .into_iter()
        .filter(|e| e.direction == Direction::Ingress && pick(&e.atom(&group.group_id)))
        .collect()
}

/// The fix of the group's world-open ingress entries that `open` picks, narrowed to the user's `ranges`.
pub(crate) fn narrow_world(
    region: &str,
    group: &SecurityGroup,
    open: impl Fn(&Entry) -> bool,
    ranges: (Choice, Choice),
    what: &str,
    advice: &str,
) -> Option<Fix> {
    let offending: Vec<Entry> = ec2::entries(group)
        .into_iter()
        .filter(|e| e.direction == Direction::Ingress && e.is_world() && open(e))
        .collect();
    ec2::narrow(region, group, &offending, ranges, what, advice)
}

/// The fix of entries whose peer is right but whose protocol or ports are too wide: revoke them and admit, from
/// the same peer, the one TCP port the service listens on.
pub(crate) fn one_port(region: &str, group: &SecurityGroup, offending: &[Entry], what: &str) -> Option<Fix> {
    if offending.is_empty() {
        return None;
    }
    let mut added: Vec<Added> = Vec::new();
    for e in offending {
        if !added.iter().any(|a| a.like.peer == e.peer && a.like.direction == e.direction) {
            added.push(Added::on_port(*e, PORT));
        }
    }
    let mut cli = ec2::revoke(region, group, offending);
    let authorize = ec2::authorize(region, group, &added);
    cli.extend(authorize.iter().map(|c| c.line()));
    let summary = format!(
        "Revoke the rule(s) of {} that admit {what}: {}; then admit, from the same peers, only the port the \
         service listens on (TCP $PORT; change IpProtocol for UDP, or add a rule per port).{}",
        ec2::named(group),
        ec2::described(group, offending),
        crate::fix::set_first(&[PORT])
    );
    Some(Fix::commands(summary, cli).with_terraform(ec2::resulting_rules(group, offending, &added)))
}

/// The admin ranges, IPv4 and IPv6.
pub(crate) const ADMIN_RANGES: (Choice, Choice) = (ADMIN_CIDR, ADMIN_CIDR_V6);

/// What the quota checks warn at: this share, in per cent, of a quota.
pub(crate) const QUOTA_WARNING_PERCENT: u32 = 80;

/// The count at which a quota check warns: [`QUOTA_WARNING_PERCENT`] of `quota`, rounded up (48 of 60).
pub(crate) const fn quota_warning(quota: u32) -> u32 {
    let at = (quota as u64 * QUOTA_WARNING_PERCENT as u64).div_ceil(100);
    if at > u32::MAX as u64 {
        u32::MAX
    } else {
        at as u32
    }
}

/// The quota a quota check judges against in a region: the account's applied value, as Service Quotas gave it
/// (`servicequotas-vpc`), or AWS's default where Service Quotas holds none. The check reads that source, so
/// the runner has already left it not evaluated where the quotas could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quota {
    pub value: u32,
    /// Whether `value` is the account's applied quota rather than AWS's default.
    pub applied: bool,
    pub code: &'static str,
}

impl Quota {
    pub(crate) fn of(posture: &sgaudit_snapshot::RegionPosture, code: &'static str, default: u32) -> Quota {
        match posture.quota(code).and_then(|q| q.value) {
            Some(value) => Quota { value, applied: true, code },
            None => Quota { value: default, applied: false, code },
        }
    }

    /// The count at which the check warns: [`QUOTA_WARNING_PERCENT`] of the quota.
    pub(crate) fn warn_at(&self) -> u32 {
        quota_warning(self.value)
    }

    /// The quota in words, for evidence, with what it counts (`rules per direction and address family`):
    /// `the account's applied quota of 100 rules ..., read from Service Quotas (L-0EA8095F)`, or `AWS's default
    /// quota of 60 rules ...: Service Quotas holds no applied value of L-0EA8095F`.
    pub(crate) fn describe(&self, counts: &str) -> String {
        let (value, code) = (self.value, self.code);
        if self.applied {
            format!("the account's applied quota of {value} {counts}, read from Service Quotas ({code})")
        } else {
            format!("AWS's default quota of {value} {counts}: Service Quotas holds no applied value of {code}")
        }
    }
}

/// Whether the rule admits TCP 22, or TCP or UDP 3389.
pub(crate) fn opens_admin_port(rule: &Rule) -> bool {
    ADMIN_PORTS.iter().any(|&port| covers_port(rule, port, port == RDP))
}

/// The admin ports a group's ingress rules open to the addresses `world` picks out (0.0.0.0/0 or ::/0).
pub(crate) fn admin_ports_open(group: &SecurityGroup, world: fn(&Rule) -> bool, cidr: &str) -> Option<String> {
    let ports: Vec<String> = ADMIN_PORTS
        .iter()
        .filter(|&&port| group.ingress.iter().any(|r| world(r) && covers_port(r, port, port == RDP)))
        .map(|p| p.to_string())
        .collect();
    (!ports.is_empty()).then(|| format!("admits port(s) {} from {cidr}", ports.join(", ")))
}

/// `arn:aws:ec2:us-east-1:111122223333:security-group/sg-0abc`, in the region's partition.
pub(crate) fn group_arn(account_id: &str, region: &str, group_id: &str) -> String {
    format!("arn:{}:ec2:{region}:{account_id}:security-group/{group_id}", crate::partition(region))
}

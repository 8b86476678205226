//! The group checks: judged on each security group's verdict (its use, its exposure); their failures are
//! the group's findings.

use sgaudit_snapshot::{Direction, Rule};

use super::Severity;
use crate::exposure::{covers_port, HIGH_RISK_PORTS, RDP, SSH};
use crate::fix::ec2::{self, Entry, NO_OPEN_ADMIN_PORT};
use crate::fix::{Fix, ADMIN_CIDR, ADMIN_CIDR_V6, ALLOWED_CIDR, ALLOWED_CIDR_V6};
use crate::GroupVerdict;

pub mod default_allows_traffic;
pub mod default_in_use;
pub mod internet_reachable_admin_port;
pub mod internet_reachable_high_risk_port;
pub mod stale_rule;
pub mod status_unknown;
pub mod unused_group;
pub mod world_open_all_traffic;
pub mod world_open_high_risk_port;
pub mod world_open_rdp;
pub mod world_open_ssh;

/// Exposure findings weigh more when the group is (or may be) in use.
fn exposure_severity(group: &GroupVerdict, in_use: Severity) -> Severity {
    if group.status == crate::Status::Unused {
        Severity::Medium
    } else {
        in_use
    }
}

/// The fix of the group's world-open ingress rules that `open` picks (its entries from 0.0.0.0/0 or ::/0):
/// revoke them and admit the same ports from the user's range, an administrator's for SSH and RDP (`admin`).
/// `None` when no world-open rule is picked.
fn world_open_fix(g: &GroupVerdict, open: impl Fn(&Rule) -> bool, admin: bool, what: &str) -> Option<Fix> {
    let offending: Vec<Entry> = ec2::entries(g.group)
        .into_iter()
        .filter(|e| e.direction == Direction::Ingress && e.is_world() && open(e.rule))
        .collect();
    let (ranges, advice) =
        if admin { ((ADMIN_CIDR, ADMIN_CIDR_V6), NO_OPEN_ADMIN_PORT) } else { ((ALLOWED_CIDR, ALLOWED_CIDR_V6), "") };
    ec2::narrow(g.region, g.group, &offending, ranges, what, advice)
}

/// Whether the rule admits one of the high-risk ports of FSBP EC2.19 other than SSH and RDP (which have checks
/// of their own), TCP or UDP.
fn opens_other_high_risk_port(rule: &Rule) -> bool {
    HIGH_RISK_PORTS.iter().filter(|&&p| p != SSH && p != RDP).any(|&p| covers_port(rule, p, true))
}

/// The fix of TCP `ports` the internet reaches through the group: its world-open rules that admit one of the
/// ports reached are revoked and admitted from the user's range; where none does (the port is reached through a
/// load balancer in front of what the group guards), what to change instead, with the paths.
fn reachable_fix(g: &GroupVerdict, ports: &[u16], admin: bool, what: &str) -> Option<Fix> {
    let reached: Vec<u16> = ports.iter().copied().filter(|&p| g.reach.reaches_tcp_port(p)).collect();
    if reached.is_empty() {
        return None;
    }
    let open = |r: &Rule| reached.iter().any(|&p| covers_port(r, p, false));
    if let Some(fix) = world_open_fix(g, open, admin, what) {
        return Some(fix);
    }
    let mut paths: Vec<&str> = reached.iter().flat_map(|&p| g.reach.tcp_paths(p)).map(|p| p.text.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    Some(Fix::summary(format!(
        "No rule of {} admits the port from the world: the internet reaches it through a load balancer ({}). \
         Remove that listener or make the load balancer internal, or admit the port on the targets only from \
         what must reach it.",
        ec2::named(g.group),
        sgaudit_snapshot::text::printable(&paths.join("; "))
    )))
}

/// What the exposure checks read: the groups' own rules.
const RULES: &[&str] = &["ec2-security-groups"];

/// What the reachability checks read: the groups' rules and every source of `sgaudit_snapshot::REACH_SOURCES`
/// (the test below holds the two lists together).
const REACH: &[&str] = &[
    "ec2-internet-gateways",
    "ec2-network-acls",
    "ec2-network-interfaces",
    "ec2-route-tables",
    "ec2-security-groups",
    "ec2-subnets",
    "elb-classic-load-balancers",
    "elbv2-listeners",
    "elbv2-load-balancers",
    "elbv2-target-groups",
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_reachability_checks_read_every_reachability_source() {
        let mut want: Vec<&str> = sgaudit_snapshot::REACH_SOURCES.to_vec();
        want.extend(super::RULES);
        want.sort_unstable();
        assert_eq!(super::REACH, want);
    }
}

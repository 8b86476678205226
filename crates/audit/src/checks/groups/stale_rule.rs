use sgaudit_snapshot::{Direction, StaleRule};

use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::ec2::{self, Entry, EntryPeer};
use crate::fix::shell::Json;
use crate::fix::Fix;
use crate::GroupVerdict;

pub const CHECK: Check = Check {
    id: "sg-stale-rule",
    title: "Rule names a group across a peering that is gone, or whose peering is gone",
    family: Family::Groups,
    severity: Severity::Low,
    controls: &[],
    description: "Rules that name a group across a VPC peering or transit gateway that was deleted, or whose group no longer exists (`DescribeStaleSecurityGroups`).",
    remediation: "Remove the rules that name a group across a VPC peering that was deleted, or a group that no longer exists in the peered VPC; if the access is still needed, name a group that exists.",
    reads: &[crate::STALE_SOURCE],
    evaluate: Evaluate::Group(|g| {
        let first = g.stale_rules.first()?;
        let peer = first.peer_group_id.as_deref().unwrap_or("a group");
        let direction = first.direction.id();
        let ports = match (first.from_port, first.to_port) {
            (Some(a), Some(b)) if a == b => format!(" port {a}"),
            (Some(a), Some(b)) => format!(" ports {a}-{b}"),
            _ => String::new(),
        };
        let through = match (&first.vpc_peering_connection_id, &first.peering_status) {
            (Some(pcx), Some(status)) => format!(" through {pcx} ({status})"),
            (Some(pcx), None) => format!(" through {pcx}"),
            _ => String::new(),
        };
        let more = match g.stale_rules.len() {
            1 => String::new(),
            n => format!("; and {} more", n - 1),
        };
        Some((
            Severity::Low,
            format!(
                "{} has {} stale rule(s), which allow nothing and no longer say what they were for: \
                 {direction} {}{ports} naming {peer}{through}{more}",
                g.group.group_id,
                g.stale_rules.len(),
                first.protocol,
            ),
        ))
    }),
    fix: Fixer::Group(fix),
};

/// Revoke each stale rule, naming the peer group (and its account) as the stale rule does; a stale rule that
/// names no group cannot be named in a revoke, and is left to the console.
fn fix(g: &GroupVerdict) -> Option<Fix> {
    let mut cli = Vec::new();
    for direction in Direction::ALL {
        let permissions: Vec<Json> = g
            .stale_rules
            .iter()
            .filter(|s| s.direction == direction)
            .filter_map(|s| {
                let peer = s.peer_group_id.as_deref()?;
                Some(ec2::group_permission(&s.protocol, s.from_port, s.to_port, peer, s.peer_account_id.as_deref()))
            })
            .collect();
        if !permissions.is_empty() {
            cli.push(ec2::revoke_permissions(g.region, &g.group.group_id, direction, &Json::Array(permissions)));
        }
    }
    let unnamed = g.stale_rules.iter().filter(|s| s.peer_group_id.is_none()).count();
    let mut summary = format!(
        "Revoke the {} stale rule(s) of {}: they admit nothing, since the group or the peering they name is gone. If \
         the access is still needed, add a rule naming a group that exists.",
        g.stale_rules.len(),
        ec2::named(g.group)
    );
    if unnamed > 0 {
        summary.push_str(&format!(" {unnamed} of them name no group: remove them in the console."));
    }
    // The group's rules still list a stale reference: the Terraform is the rest of them.
    let stale: Vec<Entry> =
        ec2::entries(g.group).into_iter().filter(|e| g.stale_rules.iter().any(|s| is_stale(e, s))).collect();
    let terraform = if stale.is_empty() { None } else { ec2::resulting_rules(g.group, &stale, &[]) };
    Some(Fix::commands(summary, cli).with_terraform(terraform))
}

/// Whether the entry is the rule the stale rule describes.
fn is_stale(e: &Entry, s: &StaleRule) -> bool {
    let names_peer = matches!(e.peer, EntryPeer::Group(p) if Some(p.group_id.as_str()) == s.peer_group_id.as_deref());
    names_peer
        && e.direction == s.direction
        && e.rule.protocol == s.protocol
        && e.rule.from_port == s.from_port
        && e.rule.to_port == s.to_port
}

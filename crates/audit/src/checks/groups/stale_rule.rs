use crate::checks::{Check, Evaluate, Family, Severity};

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
};

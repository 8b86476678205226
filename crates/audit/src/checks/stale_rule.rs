use sgaudit_snapshot::Direction;

use super::{Check, Severity};

pub const CHECK: Check = Check {
    id: "sg-stale-rule",
    title: "Rule names a group across a peering that is gone, or whose peering is gone",
    controls: &[],
    evaluate: |g| {
        let first = g.stale_rules.first()?;
        let peer = first.peer_group_id.as_deref().unwrap_or("a group");
        let direction = match first.direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        };
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
    },
};

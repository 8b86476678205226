use super::{exposure_severity, world_open_fix, RULES};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::is_all_traffic;

pub const CHECK: Check = Check {
    id: "sg-world-open-all-traffic",
    title: "All ports or all protocols open to the internet",
    family: Family::Groups,
    severity: Severity::Critical,
    controls: &["AWS FSBP EC2.18"],
    description: "Ingress rules that admit every protocol, or every TCP or UDP port, from 0.0.0.0/0 or ::/0.",
    remediation: "Replace the inbound rules that open all ports or all protocols to the internet with rules for the ports the workload serves, from the sources that need them.",
    reads: RULES,
    evaluate: Evaluate::Group(|g| {
        g.exposure.all_traffic.then(|| {
            (
                exposure_severity(g, Severity::Critical),
                format!("{} admits every port or protocol from 0.0.0.0/0 or ::/0", g.group.group_id),
            )
        })
    }),
    fix: Fixer::Group(|g| world_open_fix(g, is_all_traffic, false, "every port or protocol to the internet")),
};

use super::{exposure_severity, world_open_fix, RULES};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::{covers_port, RDP};

pub const CHECK: Check = Check {
    id: "sg-world-open-rdp",
    title: "RDP (3389) open to the internet",
    family: Family::Groups,
    severity: Severity::Critical,
    controls: &["AWS Security Hub EC2.14"],
    description: "Ingress rules that admit TCP or UDP 3389 (RDP) from 0.0.0.0/0 or ::/0; critical while the group is or may be in use, medium when unused.",
    remediation: "Remove the inbound rules that admit TCP/UDP 3389 from 0.0.0.0/0 or ::/0. Reach instances through Systems Manager Fleet Manager, or admit RDP only from known address ranges or security groups.",
    reads: RULES,
    evaluate: Evaluate::Group(|g| {
        g.exposure.rdp.then(|| {
            (
                exposure_severity(g, Severity::Critical),
                format!("{} admits RDP (3389) from 0.0.0.0/0 or ::/0", g.group.group_id),
            )
        })
    }),
    fix: Fixer::Group(|g| world_open_fix(g, |r| covers_port(r, RDP, true), true, "RDP (3389) to the internet")),
};

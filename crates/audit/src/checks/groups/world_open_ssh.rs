use super::{exposure_severity, world_open_fix, RULES};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::{covers_port, SSH};

pub const CHECK: Check = Check {
    id: "sg-world-open-ssh",
    title: "SSH (TCP 22) open to the internet",
    family: Family::Groups,
    severity: Severity::Critical,
    controls: &["AWS Security Hub EC2.13"],
    description: "Ingress rules that admit TCP 22 (SSH) from 0.0.0.0/0 or ::/0; critical while the group is or may be in use, medium when unused.",
    remediation: "Remove the inbound rules that admit TCP 22 from 0.0.0.0/0 or ::/0. Reach instances through Systems Manager Session Manager, or admit SSH only from known address ranges or security groups.",
    reads: RULES,
    evaluate: Evaluate::Group(|g| {
        g.exposure.ssh.then(|| {
            (
                exposure_severity(g, Severity::Critical),
                format!("{} admits SSH (TCP 22) from 0.0.0.0/0 or ::/0", g.group.group_id),
            )
        })
    }),
    fix: Fixer::Group(|g| world_open_fix(g, |r| covers_port(r, SSH, false), true, "SSH (TCP 22) to the internet")),
};

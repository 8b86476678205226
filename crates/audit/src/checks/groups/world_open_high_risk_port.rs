use super::{exposure_severity, opens_other_high_risk_port, world_open_fix, RULES};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::{RDP, SSH};

pub const CHECK: Check = Check {
    id: "sg-world-open-high-risk-port",
    title: "High-risk port open to the internet",
    family: Family::Groups,
    severity: Severity::High,
    controls: &["AWS FSBP EC2.19"],
    description: "Ingress rules that admit one of the high-risk ports of FSBP EC2.19 (other than 22 and 3389) from 0.0.0.0/0 or ::/0.",
    remediation: "Admit the high-risk ports named in the finding only from known address ranges or security groups, or remove those rules.",
    reads: RULES,
    evaluate: Evaluate::Group(|g| {
        // SSH and RDP have checks of their own.
        let ports: Vec<String> =
            g.exposure.high_risk_ports.iter().filter(|&&p| p != SSH && p != RDP).map(u16::to_string).collect();
        (!ports.is_empty()).then(|| {
            (
                exposure_severity(g, Severity::High),
                format!("{} admits high-risk ports {} from 0.0.0.0/0 or ::/0", g.group.group_id, ports.join(", ")),
            )
        })
    }),
    fix: Fixer::Group(|g| world_open_fix(g, opens_other_high_risk_port, false, "high-risk ports to the internet")),
};

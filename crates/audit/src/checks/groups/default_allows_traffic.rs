use super::RULES;
use crate::checks::{Check, Evaluate, Family, Severity};

pub const CHECK: Check = Check {
    id: "sg-default-allows-traffic",
    title: "Default security group has rules",
    family: Family::Groups,
    severity: Severity::Medium,
    controls: &["AWS FSBP EC2.2", "CIS AWS v3.0.0 5.4", "CIS AWS v5.0.0 5.5"],
    description: "A VPC's default security group with any inbound or outbound rule.",
    remediation: "Remove every inbound and outbound rule of the VPC's default security group, after moving its resources to security groups of their own.",
    reads: RULES,
    evaluate: Evaluate::Group(|g| {
        let rules = g.group.ingress.len() + g.group.egress.len();
        (g.is_default && rules > 0).then(|| {
            (
                Severity::Medium,
                format!("default group {} has {rules} rule(s); it should allow no traffic", g.group.group_id),
            )
        })
    }),
};

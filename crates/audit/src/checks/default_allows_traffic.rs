use super::{Check, Severity};

pub const CHECK: Check = Check {
    id: "sg-default-allows-traffic",
    title: "Default security group has rules",
    controls: &["AWS FSBP EC2.2", "CIS AWS 5.4"],
    evaluate: |g| {
        let rules = g.group.ingress.len() + g.group.egress.len();
        (g.is_default && rules > 0).then(|| {
            (
                Severity::Medium,
                format!("default group {} has {rules} rule(s); it should allow no traffic", g.group.group_id),
            )
        })
    },
};

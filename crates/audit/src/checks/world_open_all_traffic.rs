use super::{exposure_severity, Check, Severity};

pub const CHECK: Check = Check {
    id: "sg-world-open-all-traffic",
    title: "All ports or all protocols open to the internet",
    controls: &["AWS FSBP EC2.18", "CIS AWS 5.2"],
    evaluate: |g| {
        g.exposure.all_traffic.then(|| {
            (
                exposure_severity(g, Severity::Critical),
                format!("{} admits every port or protocol from 0.0.0.0/0 or ::/0", g.group.group_id),
            )
        })
    },
};

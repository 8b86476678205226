use super::{exposure_severity, Check, Severity};

pub const CHECK: Check = Check {
    id: "sg-world-open-rdp",
    title: "RDP (3389) open to the internet",
    controls: &["AWS FSBP EC2.14", "CIS AWS 5.2", "CIS AWS 5.3"],
    evaluate: |g| {
        g.exposure.rdp.then(|| {
            (
                exposure_severity(g, Severity::Critical),
                format!("{} admits RDP (3389) from 0.0.0.0/0 or ::/0", g.group.group_id),
            )
        })
    },
};

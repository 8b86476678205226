use super::{exposure_severity, Check, Severity};

pub const CHECK: Check = Check {
    id: "sg-world-open-ssh",
    title: "SSH (TCP 22) open to the internet",
    controls: &["AWS FSBP EC2.13", "CIS AWS 5.2", "CIS AWS 5.3"],
    evaluate: |g| {
        g.exposure.ssh.then(|| {
            (
                exposure_severity(g, Severity::Critical),
                format!("{} admits SSH (TCP 22) from 0.0.0.0/0 or ::/0", g.group.group_id),
            )
        })
    },
};

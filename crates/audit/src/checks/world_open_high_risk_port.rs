use super::{exposure_severity, Check, Severity};
use crate::exposure::{RDP, SSH};

pub const CHECK: Check = Check {
    id: "sg-world-open-high-risk-port",
    title: "High-risk port open to the internet",
    controls: &["AWS FSBP EC2.19"],
    evaluate: |g| {
        // SSH and RDP have checks of their own.
        let ports: Vec<String> =
            g.exposure.high_risk_ports.iter().filter(|&&p| p != SSH && p != RDP).map(u16::to_string).collect();
        (!ports.is_empty()).then(|| {
            (
                exposure_severity(g, Severity::High),
                format!("{} admits high-risk ports {} from 0.0.0.0/0 or ::/0", g.group.group_id, ports.join(", ")),
            )
        })
    },
};

use super::{admin_ports_open, narrow_world, opens_admin_port, per_group, ADMIN_RANGES};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::is_world_open_v6;
use crate::fix::ec2::NO_OPEN_ADMIN_PORT;

pub const CHECK: Check = Check {
    id: "net-sg-ipv6-admin-port",
    title: "Security group admits remote administration ports from ::/0",
    family: Family::Network,
    severity: Severity::High,
    controls: &["AWS Security Hub EC2.54", "CIS AWS v3.0.0 5.3", "CIS AWS v5.0.0 5.4"],
    description: "Every security group of the region, used or not: ingress rules that admit TCP 22 or TCP/UDP 3389 \
                  from ::/0.",
    remediation: "Remove the inbound rules that admit ports 22 and 3389 from ::/0; admit them only from known \
                  address ranges or security groups, or reach instances through Systems Manager.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(|scope| {
        per_group(
            scope,
            "admits 22 or 3389 from ::/0",
            |g| admin_ports_open(g, is_world_open_v6, "::/0"),
            |at| {
                let open = |e: &crate::fix::ec2::Entry| e.is_v6() && opens_admin_port(e.rule);
                narrow_world(at.region, at.group, open, ADMIN_RANGES, "ports 22 and 3389 to ::/0", NO_OPEN_ADMIN_PORT)
            },
        )
    }),
    fix: Fixer::Judged,
};

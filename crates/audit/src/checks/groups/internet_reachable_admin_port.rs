use super::{reachable_fix, REACH};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::{RDP, SSH};

pub const CHECK: Check = Check {
    id: "sg-internet-reachable-admin-port",
    title: "SSH or RDP reachable from the internet",
    family: Family::Groups,
    severity: Severity::Critical,
    controls: &[],
    description: "A rule of the group opens SSH (22) or RDP (3389) to the world, and the internet can actually reach \
                  that port on something the group guards: an interface with a public address in a subnet routed \
                  to an internet gateway, whose network ACL lets the port in and the replies out, or an \
                  internet-facing load balancer and its targets. The finding gives the path. Ranked before every \
                  other finding.",
    remediation: "Close the path: revoke the world-open rule and admit the port only from known address ranges or \
                  security groups (or reach the host through Session Manager or EC2 Instance Connect instead), or \
                  take the resource off the internet (no public address, a private subnet, a network ACL).",
    reads: REACH,
    evaluate: Evaluate::Group(|g| {
        let mut lines: Vec<&str> =
            [SSH, RDP].iter().flat_map(|&port| g.reach.tcp_paths(port)).map(|p| p.text.as_str()).collect();
        lines.sort_unstable();
        lines.dedup();
        (!lines.is_empty()).then(|| (Severity::Critical, lines.join("; ")))
    }),
    fix: Fixer::Group(|g| reachable_fix(g, &[SSH, RDP], true, "SSH or RDP to the internet")),
};

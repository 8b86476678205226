use super::{reachable_fix, REACH};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::{HIGH_RISK_PORTS, RDP, SSH};

pub const CHECK: Check = Check {
    id: "sg-internet-reachable-high-risk-port",
    title: "High-risk port reachable from the internet",
    family: Family::Groups,
    severity: Severity::High,
    controls: &[],
    description: "One of the high-risk ports of FSBP EC2.19 other than SSH and RDP (databases, caches, remote \
                  shells, file sharing) is open in the group to the world, or behind an internet-facing load \
                  balancer, and the internet can actually reach it on something the group guards. The finding \
                  gives the path.",
    remediation: "Admit the port only from known address ranges or security groups, put the service behind a \
                  private subnet or an internal load balancer, or close the network ACL to it.",
    reads: REACH,
    evaluate: Evaluate::Group(|g| {
        let mut lines: Vec<&str> = HIGH_RISK_PORTS
            .iter()
            .filter(|&&p| p != SSH && p != RDP)
            .flat_map(|&port| g.reach.tcp_paths(port))
            .map(|p| p.text.as_str())
            .collect();
        lines.sort_unstable();
        lines.dedup();
        (!lines.is_empty()).then(|| (Severity::High, lines.join("; ")))
    }),
    fix: Fixer::Group(|g| {
        let ports: Vec<u16> = HIGH_RISK_PORTS.iter().copied().filter(|&p| p != SSH && p != RDP).collect();
        reachable_fix(g, &ports, false, "high-risk ports the internet reaches")
    }),
};

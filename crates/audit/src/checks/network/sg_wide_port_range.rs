use super::{ingress_atoms, ingress_entries, is_world, one_port, per_group};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::rules::{wide_port_range, Protocol, RulePeer};

/// The most TCP or UDP ports one rule may open before it is reported: a service uses a handful of ports, and a
/// range wider than this is usually "everything above 1024" or "everything".
pub const MAX_PORTS: u32 = 1000;

pub const CHECK: Check = Check {
    id: "net-sg-wide-port-range",
    title: "Security group admits a wide range of ports",
    family: Family::Network,
    severity: Severity::Low,
    controls: &[],
    description: "Every security group of the region: ingress TCP or UDP rules from an address block or a managed \
                  prefix list that open more than 1,000 ports in one range. Rules of every protocol, rules that name \
                  a security group (the group itself included), and rules from 0.0.0.0/0 or ::/0 (judged by the \
                  world-open checks) are left out.",
    remediation: "Replace the range with the ports the service listens on (one rule per port or small range), then \
                  revoke the wide rule; where a peer really needs every port, name it by security group rather than \
                  by address block.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(|scope| {
        let what =
            format!("admits more than {MAX_PORTS} TCP or UDP ports in one rule from an address block or prefix list");
        per_group(
            scope,
            &what,
            |g| {
                ingress_atoms(g, picked).map(|rules| format!("admits more than {MAX_PORTS} ports in one rule: {rules}"))
            },
            |at| one_port(at.region, at.group, &ingress_entries(at.group, picked), "more than 1,000 ports in one rule"),
        )
    }),
    fix: Fixer::Judged,
};

/// The atoms the check reports: TCP or UDP, from an address block or prefix list that is not the whole internet,
/// over more than [`MAX_PORTS`] ports.
fn picked(a: &crate::rules::Atom) -> bool {
    matches!(a.protocol, Protocol::Tcp | Protocol::Udp)
        && matches!(a.peer, RulePeer::Cidr(_) | RulePeer::PrefixList(_))
        && !is_world(a)
        && wide_port_range(a, MAX_PORTS)
}

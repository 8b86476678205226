use super::{ingress_atoms, ingress_entries, is_world, one_port, per_group};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::rules::all_protocols_to_public;

pub const CHECK: Check = Check {
    id: "net-sg-all-protocols-public",
    title: "Security group admits every protocol from a public address block",
    family: Family::Network,
    severity: Severity::High,
    controls: &[],
    description: "Every security group of the region: ingress rules of every protocol (`-1`: every port of TCP and \
                  UDP, ICMP and the rest) whose source holds internet addresses, however small the block. 0.0.0.0/0 \
                  and ::/0 are judged by the world-open checks (`net-sg-open-port`, `sg-world-open-all-traffic`).",
    remediation: "Replace the rule with rules for the protocols and ports the peer needs (for example TCP 443), then \
                  revoke the all-protocols rule; if the peer is one of your own networks reached over the internet, \
                  prefer a VPN or private connectivity.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(|scope| {
        per_group(
            scope,
            "admits every protocol from a public block other than 0.0.0.0/0 and ::/0",
            |g| ingress_atoms(g, pick).map(|rules| format!("admits every protocol from a public block: {rules}")),
            |at| one_port(at.region, at.group, &ingress_entries(at.group, pick), "every protocol from a public block"),
        )
    }),
    fix: Fixer::Judged,
};

/// The atoms the check reports: every protocol, from a public block that is not the whole internet.
fn pick(a: &crate::rules::Atom) -> bool {
    all_protocols_to_public(a) && !is_world(a)
}

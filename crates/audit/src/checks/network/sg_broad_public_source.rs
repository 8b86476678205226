use super::{ingress_atoms, ingress_entries, is_world, per_group};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::{ec2, ALLOWED_CIDR, ALLOWED_CIDR_V6};
use crate::rules::broad_public_source;

/// The longest IPv4 prefix that counts as a broad public source: a /8 holds 16.7 million addresses, more than
/// any one organisation's egress, so a rule that names one (or a larger block) admits strangers. /0 is left to
/// the world-open checks.
pub const MAX_PREFIX_V4: u8 = 8;

/// The longest IPv6 prefix that counts as a broad public source: a /32 is what a regional registry allocates to
/// a whole internet provider, far more than any one organisation's egress. ::/0 is left to the world-open
/// checks.
pub const MAX_PREFIX_V6: u8 = 32;

pub const CHECK: Check = Check {
    id: "net-sg-broad-public-source",
    title: "Security group admits traffic from a very large public address block",
    family: Family::Network,
    severity: Severity::Medium,
    controls: &[],
    description: "Every security group of the region: ingress rules whose source is a public IPv4 block of /1 \
                  to /8 or a public IPv6 block of /1 to /32 (one that holds internet addresses, not only private \
                  ones). Such a block is nearly the internet: often a typo (8.0.0.0/8 for 8.8.8.8/32) or a \
                  shortcut. 0.0.0.0/0 and ::/0 are judged by the world-open checks (`net-sg-open-port`, \
                  `sg-world-open-*`).",
    remediation: "Replace the block with the addresses that really need access (a partner's or an office's egress \
                  addresses, a managed prefix list, or a security group), then revoke the rule that names the broad \
                  block.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(|scope| {
        let what = format!(
            "admits traffic from a public block of /{MAX_PREFIX_V4} or larger (IPv6: /{MAX_PREFIX_V6} or larger) \
             other than 0.0.0.0/0 and ::/0"
        );
        per_group(
            scope,
            &what,
            |g| {
                ingress_atoms(g, pick).map(|rules| {
                    format!(
                        "admits traffic from a public block of /{MAX_PREFIX_V4} or larger (IPv6: /{MAX_PREFIX_V6} or \
                         larger): {rules}"
                    )
                })
            },
            |at| {
                let ranges = (ALLOWED_CIDR, ALLOWED_CIDR_V6);
                let offending = ingress_entries(at.group, pick);
                ec2::narrow(at.region, at.group, &offending, ranges, "a very large public block", "")
            },
        )
    }),
    fix: Fixer::Judged,
};

/// The atoms the check reports: from a public block this large, not the whole internet.
fn pick(a: &crate::rules::Atom) -> bool {
    broad_public_source(a, MAX_PREFIX_V4, MAX_PREFIX_V6) && !is_world(a)
}

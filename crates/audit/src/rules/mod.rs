//! The rule algebra: a group's rules as sets of packets, to compare and measure them.
//!
//! EC2 groups a group's permissions (`IpPermission`, [`sgaudit_snapshot::Rule`]) as a protocol and port range
//! with several peers; its newer model (`SecurityGroupRule`) has one rule per peer. Here every permission is
//! split into such [`Atom`]s and normalised (protocol spellings, port order, host bits, a group naming
//! itself), so that:
//!
//! - one atom can cover another ([`covers`]: it admits every packet the other admits, as [`matches`] says
//!   for one [`Packet`]), and the atoms that another atom of their group covers are [`redundant`];
//! - a group has a [`signature`], equal for groups with the same rules however they are written, with a
//!   stable digest;
//! - an atom has measures of breadth (ports, public peer, prefix length) for checks to set thresholds on.
//!
//! It judges nothing and reads nothing: the checks that use it decide what is a finding.

mod atom;
mod broad;
mod cidr;
mod cover;
mod redundant;
mod signature;

pub use atom::{atoms, Atom, GroupRef, IcmpMatch, PortRange, Ports, Protocol, RuleAtom, RulePeer, MAX_PORT};
pub use broad::{all_protocols_to_public, broad_public_source, wide_port_range};
pub use cidr::{Cidr, CidrError, NON_PUBLIC_V4, NON_PUBLIC_V6};
pub use cover::{covers, matches, Packet, PacketPeer, Service};
pub use redundant::{redundant, Redundant};
pub use signature::{fnv1a64, signature, Signature};

/// Groups and permissions written briefly, for the unit tests of this module.
#[cfg(test)]
pub(crate) mod test_support {
    use sgaudit_snapshot::{Peer, Rule, SecurityGroup};

    pub fn rule(protocol: &str, from: Option<i32>, to: Option<i32>, v4: &[&str], v6: &[&str]) -> Rule {
        let peers = |ids: &[&str]| ids.iter().map(|id| Peer { id: id.to_string(), description: None }).collect();
        Rule {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            ipv4_ranges: peers(v4),
            ipv6_ranges: peers(v6),
            prefix_lists: vec![],
            groups: vec![],
        }
    }

    pub fn group(id: &str, ingress: Vec<Rule>, egress: Vec<Rule>) -> SecurityGroup {
        SecurityGroup {
            group_id: id.into(),
            group_name: "g".into(),
            description: String::new(),
            vpc_id: Some("vpc-0a".into()),
            owner_id: "111122223333".into(),
            tags: Default::default(),
            ingress,
            egress,
        }
    }
}

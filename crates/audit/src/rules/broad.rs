//! How broad an atom is: how many ports, how public and how large its peer. Measures only; the thresholds
//! that make a finding belong to the checks that use them.

use super::atom::{Atom, PortRange, Ports, Protocol};

impl Atom {
    /// How many TCP or UDP ports it opens: its range's width (1 to 65,536); every port (65,536) for all
    /// protocols; none for ICMP and protocols without ports.
    pub fn port_count(&self) -> u32 {
        match (&self.protocol, &self.ports) {
            (Protocol::All, _) => PortRange::ALL.len(),
            (_, Ports::Range(range)) => range.len(),
            (p, Ports::All) if p.has_ports() => PortRange::ALL.len(),
            _ => 0,
        }
    }

    /// Whether its peer is a CIDR block with an address on the internet ([`super::Cidr::is_public`]).
    pub fn peer_is_public(&self) -> bool {
        self.peer.as_cidr().is_some_and(|c| c.is_public())
    }

    /// The prefix length of its peer, for a CIDR peer.
    pub fn prefix_len(&self) -> Option<u8> {
        self.peer.as_cidr().map(|c| c.prefix_len())
    }
}

/// Whether the atom's peer (the source of an ingress rule, the destination of an egress one) is a public
/// block at least as large as the threshold of its family: a prefix length of at most `max_prefix_v4` (IPv4)
/// or `max_prefix_v6` (IPv6). With thresholds of 0, only 0.0.0.0/0 and ::/0.
pub fn broad_public_source(atom: &Atom, max_prefix_v4: u8, max_prefix_v6: u8) -> bool {
    atom.peer.as_cidr().is_some_and(|c| {
        let max = if c.is_ipv4() { max_prefix_v4 } else { max_prefix_v6 };
        c.is_public() && c.prefix_len() <= max
    })
}

/// Whether the atom opens more than `max_ports` TCP or UDP ports ([`Atom::port_count`]).
pub fn wide_port_range(atom: &Atom, max_ports: u32) -> bool {
    atom.port_count() > max_ports
}

/// Whether the atom admits every protocol from (or to) a public block.
pub fn all_protocols_to_public(atom: &Atom) -> bool {
    atom.protocol == Protocol::All && atom.peer_is_public()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::atom::RulePeer;
    use sgaudit_snapshot::Direction::{Egress, Ingress};

    fn atom(protocol: &str, from: Option<i32>, to: Option<i32>, peer: &str) -> Atom {
        Atom::new(Ingress, protocol, from, to, RulePeer::cidr(peer))
    }

    #[test]
    fn ports_opened() {
        assert_eq!(atom("tcp", Some(22), Some(22), "0.0.0.0/0").port_count(), 1);
        assert_eq!(atom("udp", Some(1000), Some(1999), "0.0.0.0/0").port_count(), 1000);
        assert_eq!(atom("tcp", None, None, "0.0.0.0/0").port_count(), 65536);
        assert_eq!(atom("-1", Some(22), Some(22), "0.0.0.0/0").port_count(), 65536);
        assert_eq!(atom("icmp", None, None, "0.0.0.0/0").port_count(), 0);
        assert_eq!(atom("47", None, None, "0.0.0.0/0").port_count(), 0);
        assert!(wide_port_range(&atom("tcp", Some(0), Some(1024), "10.0.0.0/8"), 1024));
        assert!(!wide_port_range(&atom("tcp", Some(1), Some(1024), "10.0.0.0/8"), 1024));
        assert!(wide_port_range(&atom("-1", None, None, "10.0.0.0/8"), 65535));
        assert!(!wide_port_range(&atom("-1", None, None, "10.0.0.0/8"), 65536));
        assert!(!wide_port_range(&atom("icmp", None, None, "0.0.0.0/0"), 0));
    }

    #[test]
    fn peers_public_and_their_size() {
        assert!(atom("tcp", None, None, "8.0.0.0/7").peer_is_public());
        assert!(!atom("tcp", None, None, "10.1.0.0/16").peer_is_public());
        assert!(!Atom::new(Ingress, "tcp", None, None, RulePeer::SelfGroup).peer_is_public());
        assert!(!Atom::new(Ingress, "tcp", None, None, RulePeer::PrefixList("pl-0a".into())).peer_is_public());
        assert_eq!(atom("tcp", None, None, "10.1.0.0/16").prefix_len(), Some(16));
        assert_eq!(atom("tcp", None, None, "2001:db8::/32").prefix_len(), Some(32));
        assert_eq!(Atom::new(Ingress, "tcp", None, None, RulePeer::SelfGroup).prefix_len(), None);
        assert_eq!(atom("tcp", None, None, "10.0.0.0/99").prefix_len(), None, "unreadable");
    }

    #[test]
    fn broad_public_peers_by_family_threshold() {
        assert!(broad_public_source(&atom("tcp", None, None, "0.0.0.0/0"), 0, 0));
        assert!(broad_public_source(&atom("tcp", None, None, "::/0"), 0, 0));
        assert!(!broad_public_source(&atom("tcp", None, None, "8.0.0.0/7"), 0, 0));
        assert!(broad_public_source(&atom("tcp", None, None, "8.0.0.0/7"), 8, 0));
        assert!(broad_public_source(&atom("tcp", None, None, "203.0.113.0/24"), 24, 0));
        assert!(!broad_public_source(&atom("tcp", None, None, "203.0.113.0/25"), 24, 128), "v4 threshold");
        assert!(broad_public_source(&atom("tcp", None, None, "2001:db8::/32"), 0, 48));
        assert!(!broad_public_source(&atom("tcp", None, None, "2001:db8::/64"), 32, 48), "v6 threshold");
        assert!(!broad_public_source(&atom("tcp", None, None, "10.0.0.0/8"), 32, 128), "private");
        assert!(!broad_public_source(&atom("tcp", None, None, "fc00::/7"), 32, 128), "unique local");
        assert!(!broad_public_source(&Atom::new(Ingress, "tcp", None, None, RulePeer::SelfGroup), 32, 128));
    }

    #[test]
    fn all_protocols_to_a_public_block() {
        assert!(all_protocols_to_public(&atom("-1", None, None, "0.0.0.0/0")));
        assert!(all_protocols_to_public(&Atom::new(Egress, "all", None, None, RulePeer::cidr("8.8.8.8/32"))));
        assert!(!all_protocols_to_public(&atom("-1", None, None, "192.168.0.0/16")));
        assert!(!all_protocols_to_public(&atom("tcp", None, None, "0.0.0.0/0")));
        assert!(!all_protocols_to_public(&Atom::new(Ingress, "-1", None, None, RulePeer::SelfGroup)));
    }
}

//! What an atom admits: one packet ([`matches`]), or everything another atom admits ([`covers`]).

use std::net::IpAddr;

use sgaudit_snapshot::Direction;

use super::atom::{Atom, Ports, Protocol, RulePeer};

/// One packet as a security group sees it, the model that [`covers`] is tested against: its direction, its
/// IP protocol, what it is addressed to within that protocol, and its peer (the source of an ingress packet,
/// the destination of an egress one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Packet {
    pub direction: Direction,
    /// The IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...).
    pub protocol: u8,
    pub service: Service,
    pub peer: PacketPeer,
}

/// What a packet is addressed to within its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// A TCP or UDP port.
    Port(u16),
    /// An ICMP or ICMPv6 message.
    Icmp { icmp_type: u8, code: u8 },
    /// Nothing: a protocol without ports.
    None,
}

/// Where a packet comes from (or goes to), as the rules can tell it. The snapshot does not hold what a prefix
/// list or a group contains, so each stands as a peer of its own rather than as addresses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PacketPeer {
    Address(IpAddr),
    /// An address in this prefix list, by id.
    PrefixList(String),
    /// A member of this group, by id.
    Group(String),
    /// A member of the group that holds the rules.
    OwnGroup,
}

/// Whether the atom admits the packet. A packet of a TCP or UDP protocol needs a [`Service::Port`], one of
/// ICMP a [`Service::Icmp`], unless the atom admits every protocol. An atom of an unknown protocol, or whose
/// block does not parse, admits no packet: what it means cannot be known.
pub fn matches(atom: &Atom, packet: &Packet) -> bool {
    if atom.direction != packet.direction {
        return false;
    }
    let protocol = match &atom.protocol {
        Protocol::All => true,
        Protocol::Unknown(_) => false,
        known => known.number() == Some(packet.protocol),
    };
    let service = match (&atom.ports, &packet.service) {
        (Ports::All, _) => true,
        (Ports::Range(range), Service::Port(port)) => range.contains_port(*port),
        (Ports::Icmp(icmp), Service::Icmp { icmp_type, code }) => icmp.admits(*icmp_type, *code),
        _ => false,
    };
    let peer = match (&atom.peer, &packet.peer) {
        (RulePeer::Cidr(block), PacketPeer::Address(addr)) => block.contains_addr(*addr),
        (RulePeer::PrefixList(mine), PacketPeer::PrefixList(theirs)) => mine == theirs,
        (RulePeer::Group(mine), PacketPeer::Group(theirs)) => &mine.group_id == theirs,
        (RulePeer::SelfGroup, PacketPeer::OwnGroup) => true,
        _ => false,
    };
    protocol && service && peer
}

/// Whether `a` admits every packet that `b` admits, so that `b` adds nothing beside `a`:
///
/// - the same direction;
/// - `a` is of every protocol, or of `b`'s;
/// - `a`'s port range holds `b`'s (TCP, UDP); `a`'s ICMP type is any or `b`'s, and so is its code;
/// - `a`'s block holds `b`'s, in the same family; any other peer (prefix list, group, the group itself)
///   covers only itself, a group being its id whatever owner is given.
///
/// Atoms of an unknown protocol or an unreadable block are covered only by an equal atom (or, for the
/// former, by one of every protocol): [`matches`] gives them no packet, but what they admit is not nothing.
/// Every atom covers itself.
pub fn covers(a: &Atom, b: &Atom) -> bool {
    if a.direction != b.direction {
        return false;
    }
    let protocol = a.protocol == Protocol::All || a.protocol == b.protocol;
    let ports = a.protocol == Protocol::All || a.ports.contains(&b.ports);
    let peer = match (&a.peer, &b.peer) {
        (RulePeer::Cidr(mine), RulePeer::Cidr(theirs)) => mine.contains(theirs),
        (mine, theirs) => mine == theirs,
    };
    protocol && ports && peer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::atom::GroupRef;
    use Direction::{Egress, Ingress};

    fn atom(direction: Direction, protocol: &str, from: Option<i32>, to: Option<i32>, peer: &str) -> Atom {
        Atom::new(direction, protocol, from, to, RulePeer::cidr(peer))
    }

    fn tcp(from: i32, to: i32, peer: &str) -> Atom {
        atom(Ingress, "tcp", Some(from), Some(to), peer)
    }

    fn group(id: &str, user: Option<&str>) -> RulePeer {
        RulePeer::Group(GroupRef { group_id: id.into(), user_id: user.map(str::to_string) })
    }

    fn packet(direction: Direction, protocol: u8, service: Service, peer: &str) -> Packet {
        Packet { direction, protocol, service, peer: PacketPeer::Address(peer.parse().unwrap()) }
    }

    #[test]
    fn port_ranges_and_blocks_nest() {
        assert!(covers(&tcp(0, 65535, "0.0.0.0/0"), &tcp(22, 22, "10.0.0.0/8")));
        assert!(covers(&tcp(20, 30, "10.0.0.0/8"), &tcp(22, 25, "10.1.0.0/16")));
        assert!(!covers(&tcp(22, 25, "10.0.0.0/8"), &tcp(20, 30, "10.0.0.0/8")), "wider ports");
        assert!(!covers(&tcp(20, 30, "10.1.0.0/16"), &tcp(22, 25, "10.0.0.0/8")), "wider block");
        assert!(!covers(&tcp(0, 65535, "0.0.0.0/0"), &tcp(22, 22, "::/0")), "families never cover each other");
        assert!(covers(&tcp(0, 65535, "::/0"), &tcp(22, 22, "2001:db8::/32")));
        assert!(covers(&tcp(22, 22, "10.0.0.1/8"), &tcp(22, 22, "10.0.0.0/8")), "host bits");
        let udp = atom(Ingress, "udp", Some(22), Some(22), "10.0.0.0/8");
        assert!(!covers(&tcp(0, 65535, "0.0.0.0/0"), &udp), "tcp never covers udp");
    }

    #[test]
    fn all_protocols_cover_every_protocol_but_not_the_other_way() {
        let all = atom(Ingress, "-1", None, None, "10.0.0.0/8");
        for p in ["tcp", "udp", "icmp", "icmpv6", "47", "gre-ish", "-1"] {
            assert!(covers(&all, &atom(Ingress, p, Some(3), Some(4), "10.1.0.0/16")), "{p}");
        }
        assert!(!covers(&tcp(0, 65535, "10.0.0.0/8"), &all));
        assert!(!covers(&all, &atom(Egress, "tcp", None, None, "10.0.0.0/8")), "another direction");
        assert!(covers(
            &atom(Ingress, "47", None, None, "10.0.0.0/8"),
            &atom(Ingress, "47", Some(1), Some(1), "10.0.0.0/8")
        ));
        assert!(!covers(
            &atom(Ingress, "47", None, None, "10.0.0.0/8"),
            &atom(Ingress, "50", None, None, "10.0.0.0/8")
        ));
    }

    #[test]
    fn icmp_any_covers_one_type_or_code() {
        let icmp = |t, c| atom(Ingress, "icmp", t, c, "10.0.0.0/8");
        assert!(covers(&icmp(Some(-1), Some(-1)), &icmp(Some(8), Some(0))));
        assert!(covers(&icmp(Some(8), Some(-1)), &icmp(Some(8), Some(0))));
        assert!(covers(&icmp(Some(8), Some(0)), &icmp(Some(8), Some(0))));
        assert!(!covers(&icmp(Some(8), Some(0)), &icmp(Some(8), Some(-1))));
        assert!(!covers(&icmp(Some(8), Some(-1)), &icmp(Some(0), Some(-1))));
        assert!(!covers(&icmp(Some(-1), Some(0)), &icmp(Some(3), Some(-1))), "type any but code 0");
        let v6 = atom(Ingress, "icmpv6", None, None, "::/0");
        assert!(!covers(&v6, &atom(Ingress, "icmp", None, None, "::/0")), "icmpv6 is not icmp");
    }

    #[test]
    fn prefix_lists_groups_and_self_cover_only_themselves() {
        let with = |peer: RulePeer| Atom::new(Ingress, "tcp", None, None, peer);
        let pl = |id: &str| with(RulePeer::PrefixList(id.into()));
        assert!(covers(&pl("pl-0a"), &pl("pl-0a")));
        assert!(!covers(&pl("pl-0a"), &pl("pl-0b")));
        assert!(!covers(&with(RulePeer::cidr("0.0.0.0/0")), &pl("pl-0a")), "a prefix list's entries are unknown");
        assert!(covers(&with(group("sg-0a", None)), &with(group("sg-0a", Some("111122223333")))));
        assert!(covers(&with(group("sg-0a", Some("111122223333"))), &with(group("sg-0a", None))));
        assert!(!covers(&with(group("sg-0a", None)), &with(group("sg-0b", None))));
        assert!(covers(&with(RulePeer::SelfGroup), &with(RulePeer::SelfGroup)));
        assert!(!covers(&with(RulePeer::SelfGroup), &with(group("sg-0a", None))));
        assert!(!covers(&with(group("sg-0a", None)), &with(RulePeer::SelfGroup)));
        assert!(!covers(&with(RulePeer::cidr("0.0.0.0/0")), &with(RulePeer::SelfGroup)));
    }

    #[test]
    fn what_cannot_be_read_is_covered_only_by_its_equal() {
        let bad = atom(Ingress, "tcp", None, None, "10.0.0.0/33");
        assert!(covers(&bad, &bad.clone()));
        assert!(!covers(&atom(Ingress, "-1", None, None, "0.0.0.0/0"), &bad));
        assert!(!covers(&bad, &atom(Ingress, "tcp", None, None, "10.0.0.0/32")));
        let gre = atom(Ingress, "gre", None, None, "10.0.0.0/8");
        assert!(covers(&gre, &gre.clone()));
        assert!(covers(&atom(Ingress, "-1", None, None, "10.0.0.0/8"), &gre), "every protocol holds it");
        assert!(!covers(&atom(Ingress, "esp", None, None, "10.0.0.0/8"), &gre));
        assert!(!covers(&atom(Ingress, "47", None, None, "10.0.0.0/8"), &gre));
        // Neither admits a packet: matching says nothing of them.
        let any = packet(Ingress, 6, Service::Port(22), "10.0.0.1");
        assert!(!matches(&bad, &any) && !matches(&gre, &any));
    }

    #[test]
    fn packets_match_by_direction_protocol_service_and_peer() {
        let ssh = tcp(22, 22, "10.0.0.0/8");
        assert!(matches(&ssh, &packet(Ingress, 6, Service::Port(22), "10.9.9.9")));
        assert!(!matches(&ssh, &packet(Egress, 6, Service::Port(22), "10.9.9.9")));
        assert!(!matches(&ssh, &packet(Ingress, 17, Service::Port(22), "10.9.9.9")));
        assert!(!matches(&ssh, &packet(Ingress, 6, Service::Port(23), "10.9.9.9")));
        assert!(!matches(&ssh, &packet(Ingress, 6, Service::Port(22), "11.0.0.0")));
        assert!(!matches(&ssh, &packet(Ingress, 6, Service::None, "10.9.9.9")), "tcp without a port");
        let all = atom(Ingress, "-1", None, None, "::/0");
        assert!(matches(&all, &packet(Ingress, 47, Service::None, "2001:db8::1")));
        assert!(matches(&all, &packet(Ingress, 6, Service::Port(1), "::1")));
        assert!(!matches(&all, &packet(Ingress, 6, Service::Port(1), "10.0.0.1")), "an IPv4 source");
        let echo = atom(Ingress, "icmp", Some(8), Some(-1), "0.0.0.0/0");
        assert!(matches(&echo, &packet(Ingress, 1, Service::Icmp { icmp_type: 8, code: 5 }, "1.2.3.4")));
        assert!(!matches(&echo, &packet(Ingress, 1, Service::Icmp { icmp_type: 0, code: 0 }, "1.2.3.4")));
        assert!(!matches(&echo, &packet(Ingress, 58, Service::Icmp { icmp_type: 8, code: 0 }, "1.2.3.4")));
        let gre = atom(Egress, "47", None, None, "10.0.0.0/8");
        assert!(matches(&gre, &packet(Egress, 47, Service::None, "10.0.0.1")));

        let from = |peer| Packet { direction: Ingress, protocol: 6, service: Service::Port(80), peer };
        let by_group = Atom::new(Ingress, "tcp", None, None, group("sg-0a", Some("111122223333")));
        assert!(matches(&by_group, &from(PacketPeer::Group("sg-0a".into()))));
        assert!(!matches(&by_group, &from(PacketPeer::Group("sg-0b".into()))));
        assert!(!matches(&by_group, &from(PacketPeer::OwnGroup)));
        let own = Atom::new(Ingress, "tcp", None, None, RulePeer::SelfGroup);
        assert!(matches(&own, &from(PacketPeer::OwnGroup)));
        assert!(!matches(&own, &from(PacketPeer::Group("sg-0a".into()))));
        let list = Atom::new(Ingress, "tcp", None, None, RulePeer::PrefixList("pl-0a".into()));
        assert!(matches(&list, &from(PacketPeer::PrefixList("pl-0a".into()))));
        assert!(!matches(&list, &from(PacketPeer::PrefixList("pl-0b".into()))));
        assert!(!matches(&list, &from(PacketPeer::Address("10.0.0.1".parse().unwrap()))));
    }
}

//! Properties of the rule algebra (`sgaudit_audit::rules`) against brute-force oracles: CIDR containment as
//! intervals of numbers, port ranges port by port, covering packet by packet over a universe built from the
//! atoms' own boundaries, and signatures and redundancy over groups rewritten in ways that change nothing.
//!
//! proptest runs here without its `std` feature (see crates/audit/Cargo.toml): the cases come from a fixed
//! seed, the same each run, and a failure is shrunk and printed but not saved.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use sgaudit_audit::exposure;
use sgaudit_audit::rules::{
    atoms, covers, matches, redundant, signature, Atom, Cidr, GroupRef, Packet, PacketPeer, PortRange, Ports, RuleAtom,
    RulePeer, Service, NON_PUBLIC_V4, NON_PUBLIC_V6,
};
use sgaudit_snapshot::{Direction, GroupPeer, Peer, Rule, SecurityGroup};

// ---------------------------------------------------------------------------------------------------------
// CIDR blocks, as numbers.

/// A block as the oracle sees it: family, the number of its first and last address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    v4: bool,
    first: u128,
    last: u128,
}

fn span_v4(addr: u32, len: u8) -> Span {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
    Span { v4: true, first: u128::from(addr & mask), last: u128::from(addr | !mask) }
}

fn span_v6(addr: u128, len: u8) -> Span {
    let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
    Span { v4: false, first: addr & mask, last: addr | !mask }
}

fn span_of(cidr: &Cidr) -> Span {
    let n = |a: IpAddr| match a {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    };
    Span { v4: cidr.is_ipv4(), first: n(cidr.first()), last: n(cidr.last()) }
}

fn addr(v4: bool, n: u128) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(n).expect("an IPv4 number")))
    } else {
        IpAddr::V6(Ipv6Addr::from(n))
    }
}

/// An IPv4 address near one of a few bases (so that blocks nest often), and a prefix length.
fn v4_parts() -> impl Strategy<Value = (u32, u8)> {
    let base = prop::sample::select(vec![0u32, 0x0a00_0000, 0x0a01_0000, 0xac10_0000, 0xc0a8_0000, 0x0808_0808]);
    (base, any::<u32>(), 0u32..=32, 0u8..=32).prop_map(|(base, noise, shift, len)| {
        let noise = noise.checked_shr(shift).unwrap_or(0);
        (base ^ noise, len)
    })
}

fn v6_parts() -> impl Strategy<Value = (u128, u8)> {
    let base = prop::sample::select(vec![0u128, 0x2001_0db8 << 96, 0xfd00 << 112, 0xfe80 << 112]);
    (base, any::<u128>(), 0u32..=128, 0u8..=128).prop_map(|(base, noise, shift, len)| {
        let noise = noise.checked_shr(shift).unwrap_or(0);
        (base ^ noise, len)
    })
}

/// A block written as EC2 might write it (host bits and all), and its oracle.
fn block() -> impl Strategy<Value = (String, Span)> {
    prop_oneof![
        v4_parts().prop_map(|(a, len)| (format!("{}/{len}", Ipv4Addr::from(a)), span_v4(a, len))),
        v6_parts().prop_map(|(a, len)| (format!("{}/{len}", Ipv6Addr::from(a)), span_v6(a, len))),
    ]
}

/// Public by splitting, an oracle that knows only the non-public blocks: a block is public when it is
/// disjoint from all of them, not when it lies inside one, and otherwise when either half is.
fn public_by_halves(block: Span, special: &[Span]) -> bool {
    let same: Vec<&Span> = special.iter().filter(|s| s.v4 == block.v4).collect();
    if same.iter().any(|s| s.first <= block.first && block.last <= s.last) {
        return false;
    }
    if same.iter().all(|s| s.last < block.first || block.last < s.first) {
        return true;
    }
    let middle = block.first + (block.last - block.first) / 2;
    public_by_halves(Span { last: middle, ..block }, special)
        || public_by_halves(Span { first: middle + 1, ..block }, special)
}

fn non_public_spans() -> Vec<Span> {
    NON_PUBLIC_V4.iter().chain(NON_PUBLIC_V6.iter()).map(|b| span_of(&Cidr::parse(b).expect("a block"))).collect()
}

proptest! {
    #[test]
    fn a_block_parses_to_its_network((text, span) in block()) {
        let cidr = Cidr::parse(&text).expect("generated blocks parse");
        prop_assert_eq!(span_of(&cidr), span);
        prop_assert!(cidr.contains(&cidr));
        let network = cidr.to_string();
        prop_assert_eq!(Cidr::parse(&network).expect("its network parses"), cidr);
        prop_assert_eq!(cidr.is_world(), span.first == 0 && span.last == if span.v4 { u128::from(u32::MAX) } else { u128::MAX });
    }

    #[test]
    fn block_containment_is_interval_containment((a, sa) in block(), (b, sb) in block()) {
        let (a, b) = (Cidr::parse(&a).expect("a"), Cidr::parse(&b).expect("b"));
        let oracle = sa.v4 == sb.v4 && sa.first <= sb.first && sb.last <= sa.last;
        prop_assert_eq!(a.contains(&b), oracle, "{} contains {}", a, b);
        // An address is a block of one.
        prop_assert_eq!(a.contains_addr(addr(sb.v4, sb.first)), sa.v4 == sb.v4 && sa.first <= sb.first && sb.first <= sa.last);
    }

    #[test]
    fn public_blocks_agree_with_splitting_in_halves((text, span) in block()) {
        let cidr = Cidr::parse(&text).expect("generated blocks parse");
        prop_assert_eq!(cidr.is_public(), public_by_halves(span, &non_public_spans()), "{}", cidr);
    }

    #[test]
    fn port_range_containment_is_port_by_port(a in any::<u16>(), b in any::<u16>(), c in any::<u16>(), d in any::<u16>()) {
        let (outer, inner) = (PortRange::new(a, b), PortRange::new(c, d));
        let every = (c.min(d)..=c.max(d)).all(|p| a.min(b) <= p && p <= a.max(b));
        prop_assert_eq!(outer.contains(&inner), every);
        prop_assert_eq!(outer.len(), u32::from(a.max(b)) - u32::from(a.min(b)) + 1);
        for p in [a, b, c, d, c.saturating_sub(1), d.saturating_add(1)] {
            prop_assert_eq!(outer.contains_port(p), (a.min(b)..=a.max(b)).contains(&p));
        }
    }

    /// The atoms read a permission's ports as exposure.rs does: whatever a world-open rule admits on TCP (or
    /// TCP and UDP), its atoms admit.
    #[test]
    fn atoms_agree_with_exposure_on_ports(protocol in protocol_spelling(), from in port_value(), to in port_value(), probe in any::<u16>()) {
        let rule = Rule {
            protocol: protocol.clone(),
            from_port: from,
            to_port: to,
            ipv4_ranges: vec![Peer { id: "0.0.0.0/0".into(), description: None }],
            ipv6_ranges: vec![],
            prefix_lists: vec![],
            groups: vec![],
        };
        let group = group_of("sg-0self", vec![rule.clone()], vec![]);
        let all = atoms(&group);
        let ports = [probe, 0, 65535].into_iter().chain(from.into_iter().chain(to).filter_map(|p| u16::try_from(p).ok()));
        for port in ports {
            let admits = |protocol: u8| {
                let packet = Packet { direction: Direction::Ingress, protocol, service: Service::Port(port), peer: PacketPeer::Address("203.0.113.1".parse().expect("an address")) };
                all.iter().any(|a| matches(&a.atom, &packet))
            };
            prop_assert_eq!(exposure::covers_port(&rule, port, false), admits(6), "{} port {}", protocol, port);
            prop_assert_eq!(exposure::covers_port(&rule, port, true), admits(6) || admits(17), "{} port {}", protocol, port);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Atoms and the packets they admit.

fn protocol_spelling() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["tcp", "6", "TCP", "udp", "17", "icmp", "1", "icmpv6", "58", "-1", "all", "47", "50"])
        .prop_map(str::to_string)
}

/// A `FromPort` or `ToPort`: absent, -1, a few values rules use, or any port.
fn port_value() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![
        3 => prop::sample::select(vec![None, Some(-1), Some(0), Some(8), Some(21), Some(22), Some(23), Some(443), Some(1024), Some(65535)]),
        1 => (0i32..=65535).prop_map(Some),
        1 => (0i32..=255).prop_map(Some),
    ]
}

/// A peer spelled as in a snapshot, with the group it belongs to being `sg-0self`.
#[derive(Debug, Clone)]
enum PeerSpec {
    V4(String),
    V6(String),
    PrefixList(&'static str),
    Group(&'static str, Option<&'static str>),
}

fn peer_spec() -> impl Strategy<Value = PeerSpec> {
    prop_oneof![
        4 => v4_parts().prop_map(|(a, len)| PeerSpec::V4(format!("{}/{len}", Ipv4Addr::from(a)))),
        2 => v6_parts().prop_map(|(a, len)| PeerSpec::V6(format!("{}/{len}", Ipv6Addr::from(a)))),
        1 => prop::sample::select(vec!["pl-0a", "pl-0b"]).prop_map(PeerSpec::PrefixList),
        2 => (prop::sample::select(vec!["sg-0self", "sg-0a", "sg-0b"]), prop::option::of(Just("111122223333")))
            .prop_map(|(g, u)| PeerSpec::Group(g, u)),
    ]
}

fn rule_peer(spec: &PeerSpec) -> RulePeer {
    match spec {
        PeerSpec::V4(t) | PeerSpec::V6(t) => RulePeer::cidr(t),
        PeerSpec::PrefixList(id) => RulePeer::PrefixList(id.to_string()),
        PeerSpec::Group("sg-0self", _) => RulePeer::SelfGroup,
        PeerSpec::Group(g, u) => RulePeer::Group(GroupRef { group_id: g.to_string(), user_id: u.map(str::to_string) }),
    }
}

fn direction() -> impl Strategy<Value = Direction> {
    prop::sample::select(Direction::ALL.to_vec())
}

fn atom() -> impl Strategy<Value = Atom> {
    (direction(), protocol_spelling(), port_value(), port_value(), peer_spec())
        .prop_map(|(d, p, from, to, peer)| Atom::new(d, &p, from, to, rule_peer(&peer)))
}

/// An atom `b` that `a` covers by construction: a narrower protocol, ports and block, chosen by `seed`; each
/// of them is kept as it is half of the time, so that its boundary is shared.
fn narrowed(a: &Atom, seed: u64) -> Atom {
    let mut b = a.clone();
    let pick = |i: u32, n: u64| (seed.rotate_left(i * 7) % n.max(1)) as usize;
    let narrow = |bit: u32| seed & (1 << (60 + bit)) != 0;
    if a.protocol == sgaudit_audit::rules::Protocol::All && narrow(0) {
        let protocols = ["-1", "tcp", "udp", "icmp", "icmpv6", "47"];
        b = Atom::new(
            a.direction,
            protocols[pick(1, 6)],
            Some(pick(2, 100) as i32),
            Some(pick(3, 3000) as i32),
            a.peer.clone(),
        );
    }
    b.ports = match b.ports {
        _ if !narrow(1) => b.ports,
        Ports::Range(r) => {
            let width = u64::from(r.len());
            let from = r.from() + pick(4, width) as u16;
            let to = from + pick(5, u64::from(r.to() - from) + 1) as u16;
            Ports::Range(PortRange::new(from, to))
        }
        Ports::Icmp(mut icmp) => {
            if icmp.icmp_type.is_none() && pick(6, 2) == 0 {
                icmp.icmp_type = Some(pick(7, 256) as u8);
            }
            if icmp.code.is_none() && pick(8, 2) == 0 {
                icmp.code = Some(pick(9, 256) as u8);
            }
            Ports::Icmp(icmp)
        }
        Ports::All => Ports::All,
    };
    if let (RulePeer::Cidr(c), true) = (&a.peer, narrow(2)) {
        let span = span_of(c);
        let bits: u8 = if span.v4 { 32 } else { 128 };
        let len = c.prefix_len() + pick(10, u64::from(bits - c.prefix_len()) + 1) as u8;
        let inside = span.first + u128::from(seed) % (span.last - span.first).saturating_add(1).max(1);
        b.peer = RulePeer::cidr(&format!("{}/{len}", addr(span.v4, inside)));
    }
    b
}

/// `a` moved one step outward in one of its dimensions, chosen by `seed`: the other direction or protocol, a
/// port or ICMP value more, a block one bit shorter or next door, another prefix list or group.
fn nudged(a: &Atom, seed: u64) -> Atom {
    use sgaudit_audit::rules::{IcmpMatch, Protocol};
    let mut b = a.clone();
    match seed % 5 {
        0 => {
            b.direction = match a.direction {
                Direction::Ingress => Direction::Egress,
                Direction::Egress => Direction::Ingress,
            }
        }
        1 => {
            b.protocol = match &a.protocol {
                Protocol::Tcp => Protocol::Udp,
                Protocol::Udp => Protocol::Tcp,
                Protocol::Icmp => Protocol::Icmpv6,
                Protocol::Icmpv6 => Protocol::Icmp,
                Protocol::All => Protocol::Tcp,
                other => Protocol::from_number(other.number().map_or(47, |n| n.wrapping_add(1))),
            };
            b.ports = Ports::of(&b.protocol, None, None);
        }
        2 => {
            b.ports = match a.ports {
                Ports::Range(r) if r.to() < u16::MAX && seed & 8 == 0 => {
                    Ports::Range(PortRange::new(r.from(), r.to() + 1))
                }
                Ports::Range(r) if r.from() > 0 => Ports::Range(PortRange::new(r.from() - 1, r.to())),
                Ports::Range(r) => Ports::Range(PortRange::new(r.from(), r.to().saturating_sub(1))),
                Ports::Icmp(icmp) => {
                    let step = |v: Option<u8>| match v {
                        Some(v) if seed & 8 == 0 => Some(v.wrapping_add(1)),
                        _ => None,
                    };
                    if seed & 16 == 0 {
                        Ports::Icmp(IcmpMatch { icmp_type: step(icmp.icmp_type), ..icmp })
                    } else {
                        Ports::Icmp(IcmpMatch { code: step(icmp.code), ..icmp })
                    }
                }
                Ports::All => Ports::All,
            }
        }
        3 => {
            b.peer = match &a.peer {
                RulePeer::Cidr(c) => {
                    let s = span_of(c);
                    let top = if s.v4 { u128::from(u32::MAX) } else { u128::MAX };
                    let next = if s.last < top { s.last + 1 } else { s.first.wrapping_sub(s.last - s.first + 1) & top };
                    let text = if seed & 8 == 0 && c.prefix_len() > 0 {
                        format!("{}/{}", c.first(), c.prefix_len() - 1)
                    } else {
                        format!("{}/{}", addr(s.v4, next), c.prefix_len())
                    };
                    RulePeer::cidr(&text)
                }
                RulePeer::PrefixList(id) => RulePeer::PrefixList(if id == "pl-0a" { "pl-0b" } else { "pl-0a" }.into()),
                RulePeer::Group(g) => RulePeer::Group(GroupRef {
                    group_id: if g.group_id == "sg-0a" { "sg-0b" } else { "sg-0a" }.into(),
                    user_id: g.user_id.clone(),
                }),
                RulePeer::SelfGroup => RulePeer::Group(GroupRef { group_id: "sg-0a".into(), user_id: None }),
                RulePeer::Unreadable(t) => RulePeer::Unreadable(t.clone()),
            }
        }
        _ => {
            // The other family's whole space.
            if let RulePeer::Cidr(c) = &a.peer {
                b.peer = RulePeer::cidr(if c.is_ipv4() { "::/0" } else { "0.0.0.0/0" });
            }
        }
    }
    b
}

/// Two atoms: unrelated; the second narrowed from the first (so that covering holds), or the other way; or
/// the second narrowed then nudged one step outward (so that covering fails, or holds, at a boundary).
fn atom_pair() -> impl Strategy<Value = (Atom, Atom)> {
    prop_oneof![
        (atom(), atom()),
        (atom(), any::<u64>()).prop_map(|(a, seed)| {
            let b = narrowed(&a, seed);
            (a, b)
        }),
        (atom(), any::<u64>()).prop_map(|(a, seed)| {
            let b = narrowed(&a, seed);
            (b, a)
        }),
        (atom(), any::<u64>(), any::<u64>()).prop_map(|(a, seed, nudge)| {
            let b = nudged(&narrowed(&a, seed), nudge);
            (a, b)
        }),
    ]
}

/// Every packet worth asking about the atoms: both directions; protocols 1, 6, 17, 58, 47 and the atoms' own;
/// each port-range end and its neighbours; each ICMP type and code given and its neighbours, with 0 and 255;
/// each block's first and last address and those just outside; each prefix list and group named; the group
/// itself. Two atoms differ in what they admit only if some packet here tells them apart.
fn universe<'a>(atoms: impl IntoIterator<Item = &'a Atom> + Clone) -> Vec<Packet> {
    let mut protocols: BTreeSet<u8> = [1, 6, 17, 58, 47].into_iter().collect();
    let mut ports: BTreeSet<u16> = [0, 65535].into_iter().collect();
    let mut types: BTreeSet<u8> = [0, 255].into_iter().collect();
    let mut codes: BTreeSet<u8> = [0, 255].into_iter().collect();
    let mut peers: BTreeSet<PacketPeer> = [PacketPeer::OwnGroup].into_iter().collect();
    let near16 = |v: u16| [v.checked_sub(1), Some(v), v.checked_add(1)].into_iter().flatten();
    let near8 = |v: u8| [v.checked_sub(1), Some(v), v.checked_add(1)].into_iter().flatten();
    for atom in atoms {
        protocols.extend(atom.protocol.number());
        match atom.ports {
            Ports::Range(r) => ports.extend(near16(r.from()).chain(near16(r.to()))),
            Ports::Icmp(icmp) => {
                types.extend(icmp.icmp_type.into_iter().flat_map(near8));
                codes.extend(icmp.code.into_iter().flat_map(near8));
            }
            Ports::All => {}
        }
        match &atom.peer {
            RulePeer::Cidr(c) => {
                let s = span_of(c);
                let top = if s.v4 { u128::from(u32::MAX) } else { u128::MAX };
                let around =
                    [s.first.checked_sub(1), Some(s.first), Some(s.last), s.last.checked_add(1).filter(|&n| n <= top)];
                peers.extend(around.into_iter().flatten().map(|n| PacketPeer::Address(addr(s.v4, n))));
            }
            RulePeer::PrefixList(id) => {
                peers.insert(PacketPeer::PrefixList(id.clone()));
            }
            RulePeer::Group(g) => {
                peers.insert(PacketPeer::Group(g.group_id.clone()));
            }
            RulePeer::SelfGroup => {}
            RulePeer::Unreadable(text) => panic!("the generators write no unreadable block: {text}"),
        }
    }
    let mut out = Vec::new();
    for direction in Direction::ALL {
        for &protocol in &protocols {
            let services: Vec<Service> = match protocol {
                6 | 17 => ports.iter().map(|&p| Service::Port(p)).collect(),
                1 | 58 => types
                    .iter()
                    .flat_map(|&t| codes.iter().map(move |&c| Service::Icmp { icmp_type: t, code: c }))
                    .collect(),
                _ => vec![Service::None],
            };
            for service in services {
                for peer in &peers {
                    out.push(Packet { direction, protocol, service, peer: peer.clone() });
                }
            }
        }
    }
    out
}

/// Covering, by brute force: every packet of the universe that `b` admits, `a` admits.
fn covers_by_packets(a: &Atom, b: &Atom) -> bool {
    universe([a, b]).iter().all(|p| !matches(b, p) || matches(a, p))
}

proptest! {
    #[test]
    fn covering_is_admitting_every_packet((a, b) in atom_pair()) {
        prop_assert_eq!(covers(&a, &b), covers_by_packets(&a, &b), "{} covers {}", a, b);
        prop_assert!(covers(&a, &a));
        if covers(&a, &b) && covers(&b, &a) {
            prop_assert_eq!(&a, &b, "covering both ways is equality");
        }
    }

    #[test]
    fn a_narrowed_atom_is_covered(a in atom(), seed in any::<u64>()) {
        let b = narrowed(&a, seed);
        prop_assert!(covers(&a, &b), "{} covers {}", a, b);
    }
}

/// The pairs exercise both answers, often enough for the comparison with the oracle to mean something.
#[test]
fn the_pairs_cover_and_fail_to_cover() {
    let mut runner = TestRunner::default();
    let strategy = atom_pair();
    let (mut yes, mut no) = (0, 0);
    for _ in 0..1000 {
        let (a, b) = strategy.new_tree(&mut runner).expect("a pair").current();
        if covers(&a, &b) {
            yes += 1;
        } else {
            no += 1;
        }
    }
    assert!(yes >= 200 && no >= 200, "covered {yes}, not covered {no}");
}

// ---------------------------------------------------------------------------------------------------------
// Groups: signatures and redundancy.

/// A permission as generated: direction, protocol, ports and peers with descriptions.
#[derive(Debug, Clone)]
struct RuleSpec {
    direction: Direction,
    protocol: String,
    from: Option<i32>,
    to: Option<i32>,
    peers: Vec<PeerSpec>,
}

fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    (direction(), protocol_spelling(), port_value(), port_value(), prop::collection::vec(peer_spec(), 1..=3))
        .prop_map(|(direction, protocol, from, to, peers)| RuleSpec { direction, protocol, from, to, peers })
}

/// Up to six permissions, and now and then a respelled copy of one of them or a second copy of one of a
/// permission's peers: EC2 refuses duplicates, snapshots may hold them.
fn rules() -> impl Strategy<Value = Vec<RuleSpec>> {
    (prop::collection::vec(rule_spec(), 0..=6), any::<u64>()).prop_map(|(mut specs, seed)| {
        if !specs.is_empty() {
            let k = (seed >> 8) as usize % specs.len();
            if seed & 1 == 1 {
                specs.push(respelled(&specs[k..=k]).remove(0));
            }
            if seed & 2 == 2 {
                let peer = specs[k].peers[0].clone();
                specs[k].peers.push(peer);
            }
        }
        specs
    })
}

fn group_of(id: &str, ingress: Vec<Rule>, egress: Vec<Rule>) -> SecurityGroup {
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

/// The group `id` with these permissions, a peer `sg-0self` written as the group's own id; every peer gets
/// `description`.
fn build(id: &str, specs: &[RuleSpec], description: Option<&str>) -> SecurityGroup {
    let described = |id: &str| Peer { id: id.to_string(), description: description.map(str::to_string) };
    let rule = |spec: &RuleSpec| {
        let mut rule = Rule {
            protocol: spec.protocol.clone(),
            from_port: spec.from,
            to_port: spec.to,
            ipv4_ranges: vec![],
            ipv6_ranges: vec![],
            prefix_lists: vec![],
            groups: vec![],
        };
        for peer in &spec.peers {
            match peer {
                PeerSpec::V4(t) => rule.ipv4_ranges.push(described(t)),
                PeerSpec::V6(t) => rule.ipv6_ranges.push(described(t)),
                PeerSpec::PrefixList(p) => rule.prefix_lists.push(described(p)),
                PeerSpec::Group(g, user) => rule.groups.push(GroupPeer {
                    group_id: if *g == "sg-0self" { id.to_string() } else { g.to_string() },
                    user_id: user.map(str::to_string),
                    vpc_id: None,
                    vpc_peering_connection_id: None,
                    description: description.map(str::to_string),
                }),
            }
        }
        rule
    };
    let of = |d: Direction| specs.iter().filter(|s| s.direction == d).map(rule).collect();
    group_of(id, of(Direction::Ingress), of(Direction::Egress))
}

/// The permissions in another order (a shuffle driven by `seed`), each peer's order within its permission
/// reversed.
fn shuffled(specs: &[RuleSpec], mut seed: u64) -> Vec<RuleSpec> {
    let mut out: Vec<RuleSpec> = specs.to_vec();
    for i in (1..out.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    for spec in &mut out {
        spec.peers.reverse();
    }
    out
}

/// Each permission split into one permission per peer.
fn split(specs: &[RuleSpec]) -> Vec<RuleSpec> {
    specs.iter().flat_map(|s| s.peers.iter().map(|p| RuleSpec { peers: vec![p.clone()], ..s.clone() })).collect()
}

/// The same permissions spelled otherwise: protocol names and numbers swapped, blocks as their networks.
fn respelled(specs: &[RuleSpec]) -> Vec<RuleSpec> {
    fn protocol(p: &str) -> &str {
        match p {
            "tcp" => "6",
            "6" | "TCP" => "Tcp",
            "udp" => "17",
            "17" => "UDP",
            "icmp" => "1",
            "1" => "ICMP",
            "icmpv6" => "58",
            "58" => "ICMPv6",
            "-1" => "all",
            "all" => "-1",
            other => other,
        }
    }
    let network = |t: &String| Cidr::parse(t).expect("generated blocks parse").to_string();
    specs
        .iter()
        .map(|s| RuleSpec {
            protocol: protocol(&s.protocol).to_string(),
            peers: s
                .peers
                .iter()
                .map(|p| match p {
                    PeerSpec::V4(t) => PeerSpec::V4(network(t)),
                    PeerSpec::V6(t) => PeerSpec::V6(network(t)),
                    other => other.clone(),
                })
                .collect(),
            ..s.clone()
        })
        .collect()
}

/// Whether the atoms admit the same packets of the universe.
fn same_packets(universe: &[Packet], a: &[Atom], b: &[Atom]) -> bool {
    universe.iter().all(|p| a.iter().any(|x| matches(x, p)) == b.iter().any(|x| matches(x, p)))
}

proptest! {
    #[test]
    fn a_signature_ignores_order_grouping_spelling_descriptions_and_the_group_id(specs in rules(), seed in any::<u64>()) {
        let original = signature(&build("sg-0self", &specs, Some("first")));
        for (what, other) in [
            ("shuffled", build("sg-0self", &shuffled(&specs, seed), Some("first"))),
            ("split", build("sg-0self", &split(&specs), Some("first"))),
            ("respelled", build("sg-0self", &respelled(&specs), Some("first"))),
            ("described otherwise", build("sg-0self", &specs, None)),
            ("copied from the template", build("sg-0copy", &shuffled(&split(&specs), seed), Some("second"))),
        ] {
            prop_assert_eq!(&signature(&other), &original, "{}", what);
            prop_assert_eq!(signature(&other).digest(), original.digest(), "{}", what);
        }
    }

    /// The digest tells apart what the signature tells apart, here a group and its mirror image (every
    /// permission in the other direction), equal only when the group is symmetric.
    #[test]
    fn digests_differ_where_signatures_do(specs in rules()) {
        let mirrored: Vec<RuleSpec> = specs
            .iter()
            .map(|s| RuleSpec {
                direction: if s.direction == Direction::Ingress { Direction::Egress } else { Direction::Ingress },
                ..s.clone()
            })
            .collect();
        let (a, b) = (signature(&build("sg-0self", &specs, None)), signature(&build("sg-0self", &mirrored, None)));
        prop_assert_eq!(a == b, a.digest() == b.digest(), "{:?} / {:?}", a.canonical_text(), b.canonical_text());
    }

    #[test]
    fn one_more_atom_changes_a_signature(specs in rules(), extra in rule_spec(), seed in any::<u64>()) {
        // The permission added: one of the group's, with one peer and one thing changed (its direction,
        // its first port, its peer), or one of its own.
        let mut extra = match specs.get((seed >> 8) as usize % specs.len().max(1)) {
            Some(like) if seed & 3 != 0 => {
                let mut like = like.clone();
                match seed & 3 {
                    1 => like.direction = if like.direction == Direction::Ingress { Direction::Egress } else { Direction::Ingress },
                    2 => like.from = Some(like.from.map_or(1, |p| (p + 1).min(65535))),
                    _ => like.peers[0] = extra.peers[0].clone(),
                }
                like
            }
            _ => extra,
        };
        extra.peers.truncate(1);
        let before = signature(&build("sg-0self", &specs, None));
        let mut more = specs.clone();
        more.push(extra.clone());
        let after = signature(&build("sg-0self", &more, None));
        let added = atoms(&build("sg-0self", &[extra], None)).remove(0).atom;
        if before.atoms().any(|a| a == &added) {
            prop_assert_eq!(&after, &before, "{} was there already", added);
        } else {
            prop_assert_ne!(&after, &before, "{} is new", added);
            prop_assert_ne!(after.digest(), before.digest());
            prop_assert_eq!(after.atoms().len(), before.atoms().len() + 1);
        }
    }

    #[test]
    fn removing_the_redundant_atoms_changes_nothing_admitted(specs in rules()) {
        let group = build("sg-0self", &specs, None);
        let all = atoms(&group);
        let found = redundant(&group);
        // An atom is redundant when another place holds an atom that covers it: a different atom, or an
        // equal one earlier. Places are told apart by (direction, rule, atom), equal atoms of one permission
        // being interchangeable.
        let key = |a: &RuleAtom| (a.atom.direction, a.rule, a.atom.clone());
        let expected: Vec<_> = (0..all.len())
            .filter(|&i| {
                (0..all.len()).any(|j| j != i && covers(&all[j].atom, &all[i].atom) && (j < i || all[j].atom != all[i].atom))
            })
            .map(|i| key(&all[i]))
            .collect();
        let reported: Vec<_> = found.iter().map(|r| key(&r.covered)).collect();
        prop_assert_eq!(&reported, &expected, "every covered atom, in the order of the atoms");
        for r in &found {
            prop_assert!(covers(&r.by.atom, &r.covered.atom), "{} by {}", r.covered.atom, r.by.atom);
            // Never covered only by itself: by a different atom, or by an equal one of an earlier place.
            if r.by.atom == r.covered.atom {
                prop_assert!(r.by.rule <= r.covered.rule);
                prop_assert!(all.iter().filter(|a| a.atom == r.covered.atom).count() >= 2, "{} is there once", r.covered.atom);
            }
            // The cover named stays: some place with its key is not reported.
            let k = key(&r.by);
            let places = all.iter().filter(|a| key(a) == k).count();
            prop_assert!(places > reported.iter().filter(|x| **x == k).count(), "{} by {}, itself redundant", r.covered.atom, r.by.atom);
        }
        // Remove one peer of its permission for each report.
        let mut pruned = group.clone();
        for r in &found {
            let direction = r.covered.atom.direction;
            let position = atoms(&pruned)
                .iter()
                .filter(|a| a.atom.direction == direction && a.rule == r.covered.rule)
                .position(|a| a.atom == r.covered.atom)
                .expect("the reported atom is in its permission");
            let rules = match direction {
                Direction::Ingress => &mut pruned.ingress,
                Direction::Egress => &mut pruned.egress,
            };
            remove_peer(&mut rules[r.covered.rule], position);
        }
        let left: Vec<Atom> = atoms(&pruned).into_iter().map(|a| a.atom).collect();
        prop_assert_eq!(left.len(), all.len() - found.len());
        let before: Vec<Atom> = all.into_iter().map(|a| a.atom).collect();
        prop_assert!(same_packets(&universe(&before), &before, &left));
        prop_assert!(redundant(&pruned).is_empty(), "what is left covers nothing else");
    }
}

/// Removes the `position`th peer of a permission, counted as [`atoms`] counts them (IPv4 blocks, IPv6 blocks,
/// prefix lists, groups).
fn remove_peer(rule: &mut Rule, mut position: usize) {
    for list in [&mut rule.ipv4_ranges, &mut rule.ipv6_ranges, &mut rule.prefix_lists] {
        if position < list.len() {
            list.remove(position);
            return;
        }
        position -= list.len();
    }
    rule.groups.remove(position);
}

/// The groups generated hold redundant atoms often, equal ones among them, so that the properties above are
/// tried on them; and groups without any.
#[test]
fn the_groups_have_redundant_atoms_often_enough() {
    let mut runner = TestRunner::default();
    let strategy = rules();
    let (mut some, mut equal, mut none) = (0, 0, 0);
    for _ in 0..1000 {
        let group = build("sg-0self", &strategy.new_tree(&mut runner).expect("rules").current(), None);
        let found = redundant(&group);
        some += usize::from(!found.is_empty());
        equal += usize::from(found.iter().any(|r| r.by.atom == r.covered.atom));
        none += usize::from(found.is_empty());
    }
    assert!(some >= 300 && equal >= 150 && none >= 150, "redundant {some}, of equal atoms {equal}, none {none}");
}

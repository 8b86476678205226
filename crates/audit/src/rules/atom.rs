//! Atomic rules: one direction, one protocol, one port range (or ICMP type and code), one peer.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use sgaudit_snapshot::text::printable;
use sgaudit_snapshot::{Direction, Rule, SecurityGroup};

use super::cidr::Cidr;

/// The highest TCP or UDP port.
pub const MAX_PORT: u16 = u16::MAX;

/// A rule's protocol, whichever way EC2 spelled it (`tcp` or `6`, `-1` or `all`, in any case).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// Every protocol (`-1`, `all`): ports are ignored.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IP protocol number (GRE is 47, ESP 50); never 1, 6, 17 or 58, which have names above.
    Other(u8),
    /// A protocol that is neither a known name nor a number from 0 to 255, lowercased. It is equal only to
    /// the same text, and matches no packet: what it admits cannot be known.
    Unknown(String),
}

impl Protocol {
    /// Reads the protocol of an EC2 permission: case does not matter, and a number means its protocol.
    pub fn parse(text: &str) -> Protocol {
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "all" => return Protocol::All,
            "tcp" => return Protocol::Tcp,
            "udp" => return Protocol::Udp,
            "icmp" => return Protocol::Icmp,
            "icmpv6" => return Protocol::Icmpv6,
            _ => {}
        }
        match lower.parse::<i64>() {
            Ok(-1) => Protocol::All,
            Ok(n) => u8::try_from(n).map_or(Protocol::Unknown(lower), Protocol::from_number),
            Err(_) => Protocol::Unknown(lower),
        }
    }

    /// The protocol with this IP protocol number, by its name where it has one.
    pub fn from_number(number: u8) -> Protocol {
        match number {
            1 => Protocol::Icmp,
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            58 => Protocol::Icmpv6,
            n => Protocol::Other(n),
        }
    }

    /// Its IP protocol number; none for all protocols and for an unknown one.
    pub fn number(&self) -> Option<u8> {
        match self {
            Protocol::All | Protocol::Unknown(_) => None,
            Protocol::Tcp => Some(6),
            Protocol::Udp => Some(17),
            Protocol::Icmp => Some(1),
            Protocol::Icmpv6 => Some(58),
            Protocol::Other(n) => Some(*n),
        }
    }

    /// Whether its rules name ports (TCP and UDP).
    pub fn has_ports(&self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    /// Whether its rules name an ICMP type and code.
    pub fn is_icmp(&self) -> bool {
        matches!(self, Protocol::Icmp | Protocol::Icmpv6)
    }
}

/// A closed range of TCP or UDP ports, `from..=to`, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    from: u16,
    to: u16,
}

impl PortRange {
    /// Every port, 0 to 65535.
    pub const ALL: PortRange = PortRange { from: 0, to: MAX_PORT };

    /// The range between two ports, in either order (EC2 has been seen to report them swapped).
    pub fn new(a: u16, b: u16) -> PortRange {
        PortRange { from: a.min(b), to: a.max(b) }
    }

    pub fn from(&self) -> u16 {
        self.from
    }

    pub fn to(&self) -> u16 {
        self.to
    }

    /// How many ports it holds (1 to 65,536).
    #[allow(clippy::len_without_is_empty)] // A range always holds at least one port.
    pub fn len(&self) -> u32 {
        u32::from(self.to) - u32::from(self.from) + 1
    }

    pub fn contains(&self, other: &PortRange) -> bool {
        self.from <= other.from && other.to <= self.to
    }

    pub fn contains_port(&self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }
}

impl fmt::Display for PortRange {
    /// `22` for one port, `1024-65535` for more.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// The ICMP (or ICMPv6) messages a rule admits: a type and a code, each either one value or any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IcmpMatch {
    /// `None` is any type.
    pub icmp_type: Option<u8>,
    /// `None` is any code.
    pub code: Option<u8>,
}

impl IcmpMatch {
    pub const ANY: IcmpMatch = IcmpMatch { icmp_type: None, code: None };

    /// Whether every message this admits, `self` admits.
    pub fn contains(&self, other: &IcmpMatch) -> bool {
        let field = |mine: Option<u8>, theirs: Option<u8>| mine.is_none() || mine == theirs;
        field(self.icmp_type, other.icmp_type) && field(self.code, other.code)
    }

    pub fn admits(&self, icmp_type: u8, code: u8) -> bool {
        self.icmp_type.is_none_or(|t| t == icmp_type) && self.code.is_none_or(|c| c == code)
    }
}

/// What of its protocol a rule admits beyond the protocol itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ports {
    /// Everything: the rules of all protocols and of protocols without ports (their ports are ignored).
    All,
    /// TCP and UDP: a port range.
    Range(PortRange),
    /// ICMP and ICMPv6: a type and a code.
    Icmp(IcmpMatch),
}

impl Ports {
    /// What a permission of this protocol admits, from EC2's `FromPort` and `ToPort`.
    ///
    /// TCP and UDP, as [`crate::exposure`] reads them: both ports present and not negative make a range
    /// (swapped if need be), anything else (absent, -1) every port. ICMP: `FromPort` is the type and `ToPort`
    /// the code, -1 or absent meaning any. Values EC2 refuses (a port above 65535, a type or code above 255)
    /// are read as the widest they could mean, so that no exposure hides behind a bad value: a port is cut to
    /// 65535, a type or code is any.
    pub fn of(protocol: &Protocol, from_port: Option<i32>, to_port: Option<i32>) -> Ports {
        match protocol {
            Protocol::Tcp | Protocol::Udp => Ports::Range(match (from_port, to_port) {
                (Some(from), Some(to)) if from >= 0 && to >= 0 => PortRange::new(port(from), port(to)),
                _ => PortRange::ALL,
            }),
            Protocol::Icmp | Protocol::Icmpv6 => {
                let field = |v: Option<i32>| v.and_then(|v| u8::try_from(v).ok());
                Ports::Icmp(IcmpMatch { icmp_type: field(from_port), code: field(to_port) })
            }
            Protocol::All | Protocol::Other(_) | Protocol::Unknown(_) => Ports::All,
        }
    }

    /// Whether everything `other` admits, `self` admits. Ports of different kinds only meet through
    /// [`Ports::All`]; an atom's ports always have its protocol's kind.
    pub fn contains(&self, other: &Ports) -> bool {
        match (self, other) {
            (Ports::All, _) => true,
            (Ports::Range(a), Ports::Range(b)) => a.contains(b),
            (Ports::Icmp(a), Ports::Icmp(b)) => a.contains(b),
            _ => false,
        }
    }
}

/// A port number as EC2 reports it, not negative, cut to the highest port.
fn port(value: i32) -> u16 {
    u16::try_from(value.clamp(0, i32::from(MAX_PORT))).unwrap_or(MAX_PORT)
}

/// A group named as a peer. Its identity is its id alone: a group id names one group in every account, so the
/// owner's account (`user_id`), which EC2 reports for some rules and not others, is kept for messages but
/// never compared. `sg-0a` owned by 111122223333 and `sg-0a` with no owner given are the same peer.
#[derive(Debug, Clone)]
pub struct GroupRef {
    pub group_id: String,
    pub user_id: Option<String>,
}

impl PartialEq for GroupRef {
    fn eq(&self, other: &Self) -> bool {
        self.group_id == other.group_id
    }
}

impl Eq for GroupRef {}

impl Ord for GroupRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.group_id.cmp(&other.group_id)
    }
}

impl PartialOrd for GroupRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for GroupRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.group_id.hash(state);
    }
}

/// Whom a rule admits traffic from (ingress) or to (egress).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RulePeer {
    /// An IPv4 or IPv6 block.
    Cidr(Cidr),
    /// A managed prefix list, by id. Its entries are not in the snapshot, so it is a peer of its own: it
    /// covers, and is covered by, only itself.
    PrefixList(String),
    /// Another group (its members), by id; like a prefix list, it covers only itself.
    Group(GroupRef),
    /// The group that holds the rule: the members of the group itself. Kept apart from [`RulePeer::Group`]
    /// so that two groups made from one template, each naming itself, have the same rules.
    SelfGroup,
    /// A CIDR peer that does not parse, as written. It is equal only to the same text and matches no
    /// packet.
    Unreadable(String),
}

impl RulePeer {
    /// The peer of an `ipv4_ranges` or `ipv6_ranges` entry (the text says its family).
    pub fn cidr(text: &str) -> RulePeer {
        Cidr::parse(text).map_or_else(|_| RulePeer::Unreadable(text.to_string()), RulePeer::Cidr)
    }

    /// The block, for a CIDR peer.
    pub fn as_cidr(&self) -> Option<&Cidr> {
        match self {
            RulePeer::Cidr(c) => Some(c),
            _ => None,
        }
    }
}

/// One atomic rule: a direction, a protocol, what of it, and one peer; AWS's own model of a rule
/// (`SecurityGroupRule`), normalised so that two spellings of one rule are equal. Equality, order and hash are
/// over this content alone: no description, no position in the group.
///
/// `ports` always has the kind of `protocol` ([`Ports::of`]): a range for TCP and UDP, a type and code for
/// ICMP, all for the rest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Atom {
    pub direction: Direction,
    pub protocol: Protocol,
    pub ports: Ports,
    pub peer: RulePeer,
}

impl Atom {
    /// The atom of one peer of a permission whose protocol and ports are written as EC2 writes them.
    pub fn new(
        direction: Direction,
        protocol: &str,
        from_port: Option<i32>,
        to_port: Option<i32>,
        peer: RulePeer,
    ) -> Atom {
        let protocol = Protocol::parse(protocol);
        let ports = Ports::of(&protocol, from_port, to_port);
        Atom { direction, protocol, ports, peer }
    }

    /// The atom as people read it, naming the group itself where the rule does: `ingress tcp 0-65535 from
    /// sg-0abc (self)`. [`fmt::Display`] writes `self` alone.
    pub fn describe(&self, group_id: &str) -> String {
        Shown { atom: self, group_id: Some(group_id) }.to_string()
    }
}

impl fmt::Display for Atom {
    /// `ingress tcp 22 from 0.0.0.0/0`, `egress all to ::/0`, `ingress icmp type 8 code any from 10.0.0.0/8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Shown { atom: self, group_id: None }.fmt(f)
    }
}

struct Shown<'a> {
    atom: &'a Atom,
    group_id: Option<&'a str>,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let atom = self.atom;
        write!(f, "{} ", atom.direction.id())?;
        match &atom.protocol {
            Protocol::All => write!(f, "all")?,
            Protocol::Tcp => write!(f, "tcp")?,
            Protocol::Udp => write!(f, "udp")?,
            Protocol::Icmp => write!(f, "icmp")?,
            Protocol::Icmpv6 => write!(f, "icmpv6")?,
            Protocol::Other(n) => write!(f, "protocol {n}")?,
            Protocol::Unknown(name) => write!(f, "protocol \"{}\"", printable(name))?,
        }
        match &atom.ports {
            Ports::All if atom.protocol.has_ports() => write!(f, " {}", PortRange::ALL)?,
            Ports::All => {}
            Ports::Range(range) => write!(f, " {range}")?,
            Ports::Icmp(icmp) => {
                let any = |v: Option<u8>| v.map_or_else(|| "any".to_string(), |v| v.to_string());
                write!(f, " type {} code {}", any(icmp.icmp_type), any(icmp.code))?;
            }
        }
        let towards = match atom.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        write!(f, " {towards} ")?;
        match &atom.peer {
            RulePeer::Cidr(c) => write!(f, "{c}"),
            RulePeer::PrefixList(id) => write!(f, "{}", printable(id)),
            RulePeer::Group(GroupRef { group_id, user_id: Some(user) }) => {
                write!(f, "{}/{}", printable(user), printable(group_id))
            }
            RulePeer::Group(GroupRef { group_id, user_id: None }) => write!(f, "{}", printable(group_id)),
            RulePeer::SelfGroup => match self.group_id {
                Some(id) => write!(f, "{} (self)", printable(id)),
                None => write!(f, "self"),
            },
            RulePeer::Unreadable(text) => write!(f, "\"{}\" (not a CIDR block)", printable(text)),
        }
    }
}

/// An atom of a group, with where it came from: the index of its permission in the group's `ingress` or
/// `egress` list (by its direction), for messages that point at the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleAtom {
    pub atom: Atom,
    pub rule: usize,
}

/// Every atom of a group, one per direction, permission and peer: ingress before egress, permissions in
/// the group's order, and within one its IPv4 blocks, IPv6 blocks, prefix lists and groups in turn. A
/// permission that names the group itself gives [`RulePeer::SelfGroup`]; one with no peer admits nothing
/// and gives no atom. Equal atoms are all kept (EC2 refuses a duplicate rule, a snapshot may still hold one).
pub fn atoms(group: &SecurityGroup) -> Vec<RuleAtom> {
    let mut out = Vec::new();
    for (direction, rules) in [(Direction::Ingress, &group.ingress), (Direction::Egress, &group.egress)] {
        for (index, rule) in rules.iter().enumerate() {
            let protocol = Protocol::parse(&rule.protocol);
            let ports = Ports::of(&protocol, rule.from_port, rule.to_port);
            for peer in peers(group, rule) {
                out.push(RuleAtom { atom: Atom { direction, protocol: protocol.clone(), ports, peer }, rule: index });
            }
        }
    }
    out
}

fn peers<'a>(group: &'a SecurityGroup, rule: &'a Rule) -> impl Iterator<Item = RulePeer> + 'a {
    let blocks = rule.ipv4_ranges.iter().chain(&rule.ipv6_ranges).map(|p| RulePeer::cidr(&p.id));
    let lists = rule.prefix_lists.iter().map(|p| RulePeer::PrefixList(p.id.clone()));
    let groups = rule.groups.iter().map(move |g| {
        if g.group_id == group.group_id {
            RulePeer::SelfGroup
        } else {
            RulePeer::Group(GroupRef { group_id: g.group_id.clone(), user_id: g.user_id.clone() })
        }
    });
    blocks.chain(lists).chain(groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{group, rule};
    use sgaudit_snapshot::GroupPeer;

    #[test]
    fn protocol_spellings_are_one_protocol() {
        for (spellings, expected) in [
            (&["-1", "all", "ALL", "All"][..], Protocol::All),
            (&["tcp", "TCP", "6", "06"][..], Protocol::Tcp),
            (&["udp", "Udp", "17"][..], Protocol::Udp),
            (&["icmp", "ICMP", "1"][..], Protocol::Icmp),
            (&["icmpv6", "ICMPv6", "58"][..], Protocol::Icmpv6),
            (&["47"][..], Protocol::Other(47)),
            (&["0"][..], Protocol::Other(0)),
            (&["255"][..], Protocol::Other(255)),
        ] {
            for s in spellings {
                assert_eq!(Protocol::parse(s), expected, "{s}");
            }
        }
    }

    #[test]
    fn unknown_protocols_keep_their_name_and_differ_from_each_other() {
        assert_eq!(Protocol::parse("GRE"), Protocol::Unknown("gre".into()));
        assert_eq!(Protocol::parse("gre"), Protocol::parse("Gre"), "case does not matter");
        assert_ne!(Protocol::parse("gre"), Protocol::parse("esp"));
        assert_eq!(Protocol::parse("256"), Protocol::Unknown("256".into()));
        assert_eq!(Protocol::parse("-2"), Protocol::Unknown("-2".into()));
        assert_ne!(Protocol::parse("256"), Protocol::parse("0"));
        assert_eq!(Protocol::parse(" tcp"), Protocol::Unknown(" tcp".into()));
        assert_eq!(Protocol::parse("gre").number(), None);
        assert_eq!(Protocol::All.number(), None);
        for n in 0..=255u8 {
            assert_eq!(Protocol::from_number(n).number(), Some(n));
            assert_eq!(Protocol::parse(&n.to_string()), Protocol::from_number(n));
        }
    }

    #[test]
    fn tcp_and_udp_ports_are_a_range_read_as_exposure_reads_them() {
        let tcp = Protocol::Tcp;
        let range = |a, b| Ports::Range(PortRange::new(a, b));
        assert_eq!(Ports::of(&tcp, Some(22), Some(22)), range(22, 22));
        assert_eq!(Ports::of(&tcp, Some(8080), Some(80)), range(80, 8080), "swapped");
        assert_eq!(Ports::of(&tcp, None, None), range(0, 65535));
        assert_eq!(Ports::of(&tcp, Some(-1), Some(-1)), range(0, 65535));
        assert_eq!(Ports::of(&tcp, Some(22), None), range(0, 65535), "one port missing: all, as exposure.rs");
        assert_eq!(Ports::of(&Protocol::Udp, Some(-1), Some(53)), range(0, 65535));
        assert_eq!(Ports::of(&tcp, Some(1024), Some(70000)), range(1024, 65535), "cut to the last port");
        assert_eq!(PortRange::new(9, 3), PortRange::new(3, 9));
        assert_eq!((PortRange::new(3, 9).from(), PortRange::new(3, 9).to()), (3, 9));
        assert_eq!(PortRange::ALL.len(), 65536);
        assert_eq!(PortRange::new(22, 22).len(), 1);
        assert_eq!(PortRange::new(80, 89).len(), 10);
    }

    #[test]
    fn icmp_type_and_code_come_from_from_port_and_to_port() {
        let icmp = |t, c| Ports::Icmp(IcmpMatch { icmp_type: t, code: c });
        assert_eq!(Ports::of(&Protocol::Icmp, Some(8), Some(0)), icmp(Some(8), Some(0)));
        assert_eq!(Ports::of(&Protocol::Icmp, Some(8), Some(-1)), icmp(Some(8), None));
        assert_eq!(Ports::of(&Protocol::Icmpv6, Some(-1), Some(-1)), icmp(None, None));
        assert_eq!(Ports::of(&Protocol::Icmp, None, None), icmp(None, None));
        assert_eq!(Ports::of(&Protocol::Icmp, Some(3), Some(300)), icmp(Some(3), None), "out of range: any");
        assert!(IcmpMatch::ANY.admits(0, 0) && IcmpMatch::ANY.admits(255, 255));
        let echo = IcmpMatch { icmp_type: Some(8), code: None };
        assert!(echo.admits(8, 0) && echo.admits(8, 9) && !echo.admits(0, 0));
    }

    #[test]
    fn ports_of_all_and_other_protocols_are_ignored() {
        assert_eq!(Ports::of(&Protocol::All, Some(22), Some(22)), Ports::All);
        assert_eq!(Ports::of(&Protocol::Other(47), Some(1), Some(2)), Ports::All);
        assert_eq!(Ports::of(&Protocol::Unknown("x".into()), None, None), Ports::All);
        assert_eq!(
            Atom::new(Direction::Ingress, "-1", Some(22), Some(22), RulePeer::cidr("10.0.0.0/8")),
            Atom::new(Direction::Ingress, "all", None, None, RulePeer::cidr("10.0.0.0/8")),
        );
    }

    #[test]
    fn atoms_split_permissions_by_peer_and_name_self_references() {
        let mut r = rule("tcp", Some(443), Some(443), &["10.0.0.0/8", "10.0.0.1/8"], &["2001:db8::/32"]);
        r.prefix_lists.push(sgaudit_snapshot::Peer { id: "pl-0a".into(), description: Some("vpn".into()) });
        r.groups.push(GroupPeer {
            group_id: "sg-0self".into(),
            user_id: Some("111122223333".into()),
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        });
        r.groups.push(GroupPeer {
            group_id: "sg-0other".into(),
            user_id: None,
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        });
        let mut g = group("sg-0self", vec![rule("udp", Some(53), Some(53), &[], &[]), r], vec![]);
        g.egress.push(rule("-1", None, None, &["0.0.0.0/0"], &[]));
        let all = atoms(&g);
        let shown: Vec<(String, usize)> = all.iter().map(|a| (a.atom.describe("sg-0self"), a.rule)).collect();
        assert_eq!(
            shown,
            [
                ("ingress tcp 443 from 10.0.0.0/8".to_string(), 1),
                ("ingress tcp 443 from 10.0.0.0/8".to_string(), 1),
                ("ingress tcp 443 from 2001:db8::/32".to_string(), 1),
                ("ingress tcp 443 from pl-0a".to_string(), 1),
                ("ingress tcp 443 from sg-0self (self)".to_string(), 1),
                ("ingress tcp 443 from sg-0other".to_string(), 1),
                ("egress all to 0.0.0.0/0".to_string(), 0),
            ],
            "the udp permission has no peer: no atom"
        );
        assert_eq!(all[0].atom, all[1].atom, "host bits cleared: one peer");
        assert_eq!(all[4].atom.peer, RulePeer::SelfGroup);
    }

    #[test]
    fn a_group_peer_is_its_id_whatever_owner_is_given() {
        let with = RulePeer::Group(GroupRef { group_id: "sg-0a".into(), user_id: Some("111122223333".into()) });
        let without = RulePeer::Group(GroupRef { group_id: "sg-0a".into(), user_id: None });
        let other = RulePeer::Group(GroupRef { group_id: "sg-0b".into(), user_id: Some("111122223333".into()) });
        assert_eq!(with, without);
        assert_ne!(with, other);
        assert_eq!(with.cmp(&without), Ordering::Equal);
        let hash = |p: &RulePeer| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            p.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&with), hash(&without));
        assert_ne!(with, RulePeer::SelfGroup);
        assert_ne!(RulePeer::PrefixList("sg-0a".into()), without, "a prefix list is never a group");
    }

    #[test]
    fn unreadable_blocks_are_kept_as_written() {
        assert_eq!(RulePeer::cidr("10.0.0.0/33"), RulePeer::Unreadable("10.0.0.0/33".into()));
        assert_ne!(RulePeer::cidr("10.0.0.0/33"), RulePeer::cidr("10.0.0.0/34"));
        assert_eq!(RulePeer::cidr("10.0.0.0/8").as_cidr().map(Cidr::prefix_len), Some(8));
        assert_eq!(RulePeer::cidr("nonsense").as_cidr(), None);
    }

    #[test]
    fn renders_for_people() {
        let atom = |d, p: &str, f, t, peer: &str| Atom::new(d, p, f, t, RulePeer::cidr(peer));
        use Direction::{Egress, Ingress};
        assert_eq!(atom(Ingress, "tcp", Some(22), Some(22), "0.0.0.0/0").to_string(), "ingress tcp 22 from 0.0.0.0/0");
        assert_eq!(atom(Egress, "-1", None, None, "::/0").to_string(), "egress all to ::/0");
        assert_eq!(
            atom(Ingress, "icmp", Some(8), Some(-1), "10.0.0.0/8").to_string(),
            "ingress icmp type 8 code any from 10.0.0.0/8"
        );
        assert_eq!(
            atom(Ingress, "58", Some(-1), Some(-1), "::/0").to_string(),
            "ingress icmpv6 type any code any from ::/0"
        );
        assert_eq!(
            atom(Egress, "udp", Some(53), Some(1053), "10.0.0.2/32").to_string(),
            "egress udp 53-1053 to 10.0.0.2/32"
        );
        assert_eq!(atom(Ingress, "47", None, None, "10.0.0.0/8").to_string(), "ingress protocol 47 from 10.0.0.0/8");
        assert_eq!(
            atom(Ingress, "Bogus\u{1b}", None, None, "10.0.0.0/x").to_string(),
            r#"ingress protocol "bogus\u{1b}" from "10.0.0.0/x" (not a CIDR block)"#
        );
        let own = Atom::new(Ingress, "tcp", None, None, RulePeer::SelfGroup);
        assert_eq!(own.describe("sg-0abc"), "ingress tcp 0-65535 from sg-0abc (self)");
        assert_eq!(own.to_string(), "ingress tcp 0-65535 from self");
        let cross = RulePeer::Group(GroupRef { group_id: "sg-0b".into(), user_id: Some("444455556666".into()) });
        assert_eq!(
            Atom::new(Egress, "tcp", Some(5432), Some(5432), cross).to_string(),
            "egress tcp 5432 to 444455556666/sg-0b"
        );
    }
}

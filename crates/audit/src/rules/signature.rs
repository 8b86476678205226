//! A group's rules as one comparable value, for finding groups that admit the same traffic the same way.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use sgaudit_snapshot::SecurityGroup;

use super::atom::{atoms, Atom, Ports, Protocol, RulePeer};

/// The set of a group's atoms, both directions: what it admits, with the order of its rules, their
/// grouping into permissions, their descriptions and duplicates left out, and a reference to the group
/// itself written as [`RulePeer::SelfGroup`]. Two groups with equal signatures have the same rules.
///
/// The default egress rule AWS gives every new group (all traffic to 0.0.0.0/0) is part of it like any
/// other: a group whose egress was emptied differs from one that kept it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signature {
    atoms: BTreeSet<Atom>,
}

/// The signature of a group's rules.
pub fn signature(group: &SecurityGroup) -> Signature {
    Signature { atoms: atoms(group).into_iter().map(|a| a.atom).collect() }
}

impl Signature {
    /// Its atoms, sorted, each once.
    pub fn atoms(&self) -> impl ExactSizeIterator<Item = &Atom> {
        self.atoms.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.atoms.is_empty()
    }

    /// One line per atom, the lines sorted as text and joined by `\n`: the input of [`Signature::digest`].
    /// A line is `direction|protocol|ports|peer`, for example `ingress|tcp|22-22|cidr:10.0.0.0/8`,
    /// `egress|all|all|cidr:::/0`, `ingress|icmp|type:8,code:any|self`, `ingress|proto:47|all|sg:sg-0b`,
    /// `ingress|tcp|0-65535|pl:pl-0a`. Text from the snapshot (ids, an unknown protocol, an unreadable
    /// block) has every byte outside `A-Z a-z 0-9 . _ / : -` written as `%XX`, so no value can forge a
    /// separator. The owner of a group peer is not written: it is not part of the peer's identity.
    ///
    /// The rendering and its order depend on nothing but the atoms (not on the order of Rust types), so
    /// the digest stays the same across versions while this text does.
    pub fn canonical_text(&self) -> String {
        let mut lines: Vec<String> = self.atoms.iter().map(canonical_line).collect();
        lines.sort_unstable();
        lines.join("\n")
    }

    /// A short stable digest of the rules: FNV-1a (64 bits) of [`Signature::canonical_text`] as UTF-8, in 16
    /// lowercase hex digits. Stable across runs, machines and versions, for reports and for grouping
    /// duplicates in a store; not a defence against anyone choosing rules to collide on purpose (compare the
    /// signatures themselves for that).
    pub fn digest(&self) -> String {
        format!("{:016x}", fnv1a64(self.canonical_text().as_bytes()))
    }
}

/// FNV-1a, 64 bits (Fowler, Noll, Vo): for each byte, xor it in, then multiply by the FNV prime.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(PRIME))
}

fn canonical_line(atom: &Atom) -> String {
    let protocol = match &atom.protocol {
        Protocol::All => "all".to_string(),
        Protocol::Tcp => "tcp".to_string(),
        Protocol::Udp => "udp".to_string(),
        Protocol::Icmp => "icmp".to_string(),
        Protocol::Icmpv6 => "icmpv6".to_string(),
        Protocol::Other(n) => format!("proto:{n}"),
        Protocol::Unknown(name) => format!("unknown:{}", escape(name)),
    };
    let ports = match &atom.ports {
        Ports::All => "all".to_string(),
        Ports::Range(r) => format!("{}-{}", r.from(), r.to()),
        Ports::Icmp(icmp) => {
            let any = |v: Option<u8>| v.map_or_else(|| "any".to_string(), |v| v.to_string());
            format!("type:{},code:{}", any(icmp.icmp_type), any(icmp.code))
        }
    };
    let peer = match &atom.peer {
        RulePeer::Cidr(c) => format!("cidr:{c}"),
        RulePeer::PrefixList(id) => format!("pl:{}", escape(id)),
        RulePeer::Group(g) => format!("sg:{}", escape(&g.group_id)),
        RulePeer::SelfGroup => "self".to_string(),
        RulePeer::Unreadable(text) => format!("unreadable:{}", escape(text)),
    };
    format!("{}|{protocol}|{ports}|{peer}", atom.direction.id())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b':' | b'-') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{group, rule};
    use sgaudit_snapshot::{GroupPeer, Peer, Rule};

    fn web(id: &str) -> SecurityGroup {
        let mut https = rule("tcp", Some(443), Some(443), &["0.0.0.0/0"], &["::/0"]);
        https.ipv4_ranges[0].description = Some("public web".into());
        let mut own = rule("-1", None, None, &[], &[]);
        own.groups.push(GroupPeer {
            group_id: id.into(),
            user_id: Some("111122223333".into()),
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        });
        group(
            id,
            vec![https, rule("icmp", Some(8), Some(-1), &["10.0.0.0/8"], &[]), own],
            vec![rule("-1", None, None, &["0.0.0.0/0"], &[])],
        )
    }

    #[test]
    fn fnv1a64_matches_the_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_canonical_text_and_digest_are_pinned() {
        let s = signature(&web("sg-0a"));
        assert_eq!(
            s.canonical_text(),
            "egress|all|all|cidr:0.0.0.0/0\n\
             ingress|all|all|self\n\
             ingress|icmp|type:8,code:any|cidr:10.0.0.0/8\n\
             ingress|tcp|443-443|cidr:0.0.0.0/0\n\
             ingress|tcp|443-443|cidr:::/0"
        );
        // FNV-1a 64 of the text above, computed apart from this code (Python, 2026-12).
        assert_eq!(s.digest(), "b496121d39d620e3");
        assert_eq!(signature(&group("sg-0a", vec![], vec![])).digest(), "cbf29ce484222325", "empty: the basis");
    }

    #[test]
    fn groups_made_from_one_template_have_one_signature() {
        let (a, mut b) = (web("sg-0a"), web("sg-0b"));
        b.ingress.reverse();
        b.ingress[2].ipv4_ranges[0].description = Some("another description".into());
        b.group_name = "copy".into();
        assert_eq!(signature(&a), signature(&b));
        assert_eq!(signature(&a).digest(), signature(&b).digest());
        assert_eq!(signature(&a).atoms().len(), 5);
    }

    #[test]
    fn one_more_rule_or_one_lost_default_egress_changes_it() {
        let a = web("sg-0a");
        let mut more = a.clone();
        more.ingress.push(rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]));
        assert_ne!(signature(&a), signature(&more));
        assert_ne!(signature(&a).digest(), signature(&more).digest());
        let mut closed = a.clone();
        closed.egress.clear();
        assert_ne!(signature(&a), signature(&closed));
        // A rule naming the other template group is not a self-reference.
        let mut crossed = web("sg-0b");
        crossed.ingress[2].groups[0].group_id = "sg-0a".into();
        assert_ne!(signature(&a), signature(&crossed));
    }

    #[test]
    fn duplicates_and_owner_ids_do_not_count() {
        let mut a = group("sg-0a", vec![rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[])], vec![]);
        let twice = group(
            "sg-0b",
            vec![
                rule("6", Some(22), Some(22), &["10.0.0.0/8", "10.0.0.7/8"], &[]),
                rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]),
            ],
            vec![],
        );
        assert_eq!(signature(&a), signature(&twice));
        let peer = |user: Option<&str>| GroupPeer {
            group_id: "sg-0c".into(),
            user_id: user.map(str::to_string),
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        };
        let mut b = a.clone();
        a.ingress[0].groups.push(peer(None));
        b.ingress[0].groups.push(peer(Some("444455556666")));
        assert_eq!(signature(&a), signature(&b));
        assert_eq!(signature(&a).digest(), signature(&b).digest());
    }

    #[test]
    fn every_part_of_an_atom_is_in_the_digest() {
        let one = |ingress: Vec<Rule>, egress: Vec<Rule>| signature(&group("sg-0a", ingress, egress)).digest();
        let ssh = || rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]);
        let base = one(vec![ssh()], vec![]);
        let mut others = vec![
            one(vec![], vec![ssh()]),
            one(vec![rule("udp", Some(22), Some(22), &["10.0.0.0/8"], &[])], vec![]),
            one(vec![rule("tcp", Some(22), Some(23), &["10.0.0.0/8"], &[])], vec![]),
            one(vec![rule("tcp", Some(22), Some(22), &["10.0.0.0/9"], &[])], vec![]),
            one(vec![rule("icmp", Some(22), Some(22), &["10.0.0.0/8"], &[])], vec![]),
            one(vec![rule("icmp", Some(22), Some(-1), &["10.0.0.0/8"], &[])], vec![]),
            one(vec![rule("50", None, None, &["10.0.0.0/8"], &[])], vec![]),
        ];
        others.push(base.clone());
        let distinct: BTreeSet<&String> = others.iter().collect();
        assert_eq!(distinct.len(), others.len(), "{others:?}");
    }

    #[test]
    fn snapshot_text_cannot_forge_a_separator() {
        let mut a = group("sg-0a", vec![rule("tcp", None, None, &[], &[])], vec![]);
        a.ingress[0].prefix_lists.push(Peer { id: "pl-0a|x\n%".into(), description: None });
        assert_eq!(signature(&a).canonical_text(), "ingress|tcp|0-65535|pl:pl-0a%7Cx%0A%25");
        let mut b = group("sg-0a", vec![rule("tcp", None, None, &["10.0.0.0/8|x"], &[])], vec![]);
        b.ingress[0].protocol = "gre ".into();
        assert_eq!(signature(&b).canonical_text(), "ingress|unknown:gre%20|all|unreadable:10.0.0.0/8%7Cx");
    }
}

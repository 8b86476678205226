//! What a network ACL lets through between a subnet and the internet at large.
//!
//! An ACL's entries are judged in rule-number order, and the first that matches a packet decides. For "the
//! internet at large" only the entries for the whole address family (0.0.0.0/0, ::/0) decide: an entry for a
//! narrower block (an office's range) decides for that block alone, which is not the internet. A packet no
//! entry matches is denied (AWS's `*` entry).

use sgaudit_snapshot::posture::{AclEntry, NetworkAcl};

use crate::rules::{Cidr, PortRange, Protocol};

/// The TCP and UDP ports replies are sent to (the clients' ephemeral ports), as AWS's documentation of network
/// ACLs advises opening them: 1024-65535.
pub fn ephemeral() -> PortRange {
    PortRange::new(1024, 65535)
}

/// The ports of `range` on which traffic of `protocol` between the internet at large (of IPv6 when `v6`) and
/// the subnet gets through the ACL, inbound (`egress` false) or outbound: the ranges, merged, in order. For a
/// protocol without ports the answer is `range` whole or nothing.
pub fn allowed(acl: &NetworkAcl, egress: bool, v6: bool, protocol: &Protocol, range: PortRange) -> Vec<PortRange> {
    let entries = world_entries(acl, egress, v6, protocol);
    let entry_range = |e: &AclEntry| entry_range(e, protocol);
    // Every port where the deciding entry may change, within the range.
    let mut cuts: Vec<u32> = vec![u32::from(range.from()), u32::from(range.to()) + 1];
    for e in &entries {
        let r = entry_range(e);
        for cut in [u32::from(r.from()), u32::from(r.to()) + 1] {
            if cut > u32::from(range.from()) && cut <= u32::from(range.to()) {
                cuts.push(cut);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<PortRange> = Vec::new();
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1] - 1);
        let Ok(probe) = u16::try_from(from) else { continue };
        let decides = entries.iter().find(|e| entry_range(e).contains_port(probe));
        if decides.is_some_and(|e| e.action.eq_ignore_ascii_case("allow")) {
            let to = u16::try_from(to).unwrap_or(u16::MAX);
            match out.last_mut() {
                Some(last) if u32::from(last.to()) + 1 == from => *last = PortRange::new(last.from(), to),
                _ => out.push(PortRange::new(probe, to)),
            }
        }
    }
    out
}

/// The entry that decides for traffic of `protocol` to `port` between the internet at large (of IPv6 when `v6`)
/// and the subnet: the first, in rule-number order, of those for the whole family that match it; `None` when
/// none does (the traffic is denied).
pub fn deciding<'a>(
    acl: &'a NetworkAcl,
    egress: bool,
    v6: bool,
    protocol: &Protocol,
    port: u16,
) -> Option<&'a AclEntry> {
    world_entries(acl, egress, v6, protocol).into_iter().find(|e| entry_range(e, protocol).contains_port(port))
}

/// The entries for the whole family (0.0.0.0/0 or ::/0) that apply to `protocol`, in rule-number order.
fn world_entries<'a>(acl: &'a NetworkAcl, egress: bool, v6: bool, protocol: &Protocol) -> Vec<&'a AclEntry> {
    let mut entries: Vec<&AclEntry> =
        acl.entries.iter().filter(|e| e.egress == egress && is_world(e, v6) && same_protocol(e, protocol)).collect();
    entries.sort_by_key(|e| e.rule_number);
    entries
}

/// The ports an entry applies to, for traffic of `protocol`: its range for TCP and UDP (every port when it
/// names none), every port otherwise.
fn entry_range(e: &AclEntry, protocol: &Protocol) -> PortRange {
    if !protocol.has_ports() || !Protocol::parse(&e.protocol).has_ports() {
        return PortRange::ALL;
    }
    match (e.from_port, e.to_port) {
        (Some(from), Some(to)) if from >= 0 && to >= 0 => PortRange::new(port(from), port(to)),
        _ => PortRange::ALL,
    }
}

/// Whether replies to the internet at large get out: some ephemeral port for TCP and UDP, the protocol at
/// all for the others.
pub fn replies_get_out(acl: &NetworkAcl, v6: bool, protocol: &Protocol) -> bool {
    let range = if protocol.has_ports() { ephemeral() } else { PortRange::ALL };
    !allowed(acl, true, v6, protocol, range).is_empty()
}

fn is_world(entry: &AclEntry, v6: bool) -> bool {
    let block = if v6 { entry.ipv6_cidr.as_deref() } else { entry.cidr.as_deref() };
    block.and_then(|b| Cidr::parse(b).ok()).is_some_and(|c| c.is_world())
}

/// Whether the entry applies to traffic of `protocol` (an entry of every protocol applies to all; an entry of
/// one protocol to that one; a rule of every protocol is judged by the entries of every protocol, since those
/// are the ones that decide for all of its traffic at once).
fn same_protocol(entry: &AclEntry, protocol: &Protocol) -> bool {
    match Protocol::parse(&entry.protocol) {
        Protocol::All => true,
        Protocol::Unknown(_) => false,
        theirs => &theirs == protocol,
    }
}

fn port(value: i32) -> u16 {
    u16::try_from(value.clamp(0, i32::from(u16::MAX))).unwrap_or(u16::MAX)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An entry written briefly: its family follows from the block.
    pub(crate) fn entry(
        n: i32,
        egress: bool,
        protocol: &str,
        action: &str,
        cidr: &str,
        ports: Option<(i32, i32)>,
    ) -> AclEntry {
        AclEntry {
            rule_number: n,
            egress,
            protocol: protocol.into(),
            action: action.into(),
            cidr: (!cidr.contains(':')).then(|| cidr.to_string()),
            ipv6_cidr: cidr.contains(':').then(|| cidr.to_string()),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        }
    }

    fn acl(entries: Vec<AclEntry>) -> NetworkAcl {
        NetworkAcl { network_acl_id: "acl-1".into(), vpc_id: None, is_default: false, subnets: vec![], entries }
    }

    #[test]
    fn the_first_world_entry_decides_port_by_port() {
        let a = acl(vec![
            entry(90, false, "6", "deny", "0.0.0.0/0", Some((22, 22))),
            entry(95, false, "6", "allow", "10.0.0.0/8", Some((0, 65535))),
            entry(100, false, "-1", "allow", "0.0.0.0/0", None),
            entry(32767, false, "-1", "deny", "0.0.0.0/0", None),
        ]);
        let all = PortRange::ALL;
        assert_eq!(allowed(&a, false, false, &Protocol::Tcp, all), [PortRange::new(0, 21), PortRange::new(23, 65535)]);
        assert_eq!(allowed(&a, false, false, &Protocol::Tcp, PortRange::new(22, 22)), []);
        assert_eq!(allowed(&a, false, false, &Protocol::Udp, PortRange::new(22, 22)), [PortRange::new(22, 22)]);
        // IPv6 has no entry: denied. Egress has none: denied.
        assert_eq!(allowed(&a, false, true, &Protocol::Tcp, all), []);
        assert!(!replies_get_out(&a, false, &Protocol::Tcp));
    }

    #[test]
    fn replies_need_some_ephemeral_port() {
        let out = acl(vec![
            entry(100, true, "6", "allow", "0.0.0.0/0", Some((443, 443))),
            entry(110, true, "6", "allow", "::/0", Some((1024, 65535))),
        ]);
        assert!(!replies_get_out(&out, false, &Protocol::Tcp));
        assert!(replies_get_out(&out, true, &Protocol::Tcp));
        let wide = acl(vec![entry(100, true, "-1", "allow", "0.0.0.0/0", None)]);
        assert!(replies_get_out(&wide, false, &Protocol::Udp));
        assert!(replies_get_out(&wide, false, &Protocol::Icmp));
    }

    #[test]
    fn agrees_with_a_port_by_port_oracle() {
        let a = acl(vec![
            entry(10, false, "6", "allow", "0.0.0.0/0", Some((80, 90))),
            entry(20, false, "6", "deny", "0.0.0.0/0", Some((85, 1000))),
            entry(30, false, "6", "allow", "0.0.0.0/0", Some((900, 2000))),
            entry(40, false, "17", "allow", "0.0.0.0/0", None),
        ]);
        let got = allowed(&a, false, false, &Protocol::Tcp, PortRange::new(0, 3000));
        for p in 0..=3000u16 {
            let oracle = (80..=90).contains(&p) || (1001..=2000).contains(&p);
            assert_eq!(got.iter().any(|r| r.contains_port(p)), oracle, "port {p}: {got:?}");
        }
    }
}

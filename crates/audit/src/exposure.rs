//! What a group's ingress rules open to the whole internet.

use sgaudit_snapshot::{Rule, SecurityGroup};

/// Ports that AWS Foundational Security Best Practices control EC2.19 treats as high risk when open to
/// the world.
pub const HIGH_RISK_PORTS: &[u16] = &[
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088,
    8888, 9200, 9300,
];

pub const SSH: u16 = 22;
pub const RDP: u16 = 3389;

/// A protocol as a rule names it, normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    All,
    Tcp,
    Udp,
    Other,
}

pub(crate) fn protocol(rule: &Rule) -> Protocol {
    match rule.protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => Protocol::All,
        "tcp" | "6" => Protocol::Tcp,
        "udp" | "17" => Protocol::Udp,
        _ => Protocol::Other,
    }
}

/// Whether the rule admits anyone: 0.0.0.0/0 or ::/0.
pub fn is_world_open(rule: &Rule) -> bool {
    is_world_open_v4(rule) || is_world_open_v6(rule)
}

/// Whether the rule admits every IPv4 address (0.0.0.0/0).
pub fn is_world_open_v4(rule: &Rule) -> bool {
    rule.ipv4_ranges.iter().any(|p| p.id == "0.0.0.0/0")
}

/// Whether the rule admits every IPv6 address (::/0).
pub fn is_world_open_v6(rule: &Rule) -> bool {
    rule.ipv6_ranges.iter().any(|p| p.id == "::/0")
}

/// The port range of a TCP or UDP rule; a rule without ports (or with -1) covers all of them.
pub(crate) fn port_range(rule: &Rule) -> (i32, i32) {
    match (rule.from_port, rule.to_port) {
        (Some(from), Some(to)) if from >= 0 && to >= 0 => (from.min(to), from.max(to)),
        _ => (0, 65535),
    }
}

/// Whether the rule admits TCP (or UDP, when `udp_too`) traffic to `port`. All-protocol rules cover every port.
pub fn covers_port(rule: &Rule, port: u16, udp_too: bool) -> bool {
    let (from, to) = port_range(rule);
    let in_range = from <= i32::from(port) && i32::from(port) <= to;
    match protocol(rule) {
        Protocol::All => true,
        Protocol::Tcp => in_range,
        Protocol::Udp => udp_too && in_range,
        Protocol::Other => false,
    }
}

/// Whether the rule admits every protocol, or every TCP or UDP port.
pub fn is_all_traffic(rule: &Rule) -> bool {
    match protocol(rule) {
        Protocol::All => true,
        Protocol::Tcp | Protocol::Udp => port_range(rule) == (0, 65535),
        Protocol::Other => false,
    }
}

/// What of a group is open to the world, from its ingress rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Exposure {
    pub ssh: bool,
    pub rdp: bool,
    pub all_traffic: bool,
    /// High-risk ports (EC2.19's list, 22 and 3389 included) open to the world, ascending.
    pub high_risk_ports: Vec<u16>,
}

impl Exposure {
    pub fn of(group: &SecurityGroup) -> Self {
        let open: Vec<&Rule> = group.ingress.iter().filter(|r| is_world_open(r)).collect();
        let any = |f: &dyn Fn(&Rule) -> bool| open.iter().any(|r| f(r));
        Self {
            ssh: any(&|r| covers_port(r, SSH, false)),
            rdp: any(&|r| covers_port(r, RDP, true)),
            all_traffic: any(&|r| is_all_traffic(r)),
            high_risk_ports: HIGH_RISK_PORTS.iter().copied().filter(|&p| any(&|r| covers_port(r, p, true))).collect(),
        }
    }

    /// Open to the world on SSH, RDP, every port or every protocol.
    pub fn is_critical(&self) -> bool {
        self.ssh || self.rdp || self.all_traffic
    }

    pub fn any_high_risk(&self) -> bool {
        self.is_critical() || !self.high_risk_ports.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgaudit_snapshot::Peer;

    fn rule(protocol: &str, from: Option<i32>, to: Option<i32>, v4: &[&str], v6: &[&str]) -> Rule {
        Rule {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            ipv4_ranges: v4.iter().map(|c| Peer { id: c.to_string(), description: None }).collect(),
            ipv6_ranges: v6.iter().map(|c| Peer { id: c.to_string(), description: None }).collect(),
            prefix_lists: vec![],
            groups: vec![],
        }
    }

    fn group(ingress: Vec<Rule>) -> SecurityGroup {
        SecurityGroup {
            group_id: "sg-1".into(),
            group_name: "g".into(),
            description: String::new(),
            vpc_id: None,
            owner_id: "1".into(),
            tags: Default::default(),
            ingress,
            egress: vec![],
        }
    }

    #[test]
    fn ssh_from_world_v4() {
        let e = Exposure::of(&group(vec![rule("tcp", Some(22), Some(22), &["0.0.0.0/0"], &[])]));
        assert!(e.ssh && !e.rdp && !e.all_traffic);
        assert_eq!(e.high_risk_ports, vec![22]);
    }

    #[test]
    fn rdp_from_world_v6() {
        let e = Exposure::of(&group(vec![rule("tcp", Some(3389), Some(3389), &[], &["::/0"])]));
        assert!(e.rdp && e.is_critical());
    }

    #[test]
    fn ranges_cover_ports() {
        let e = Exposure::of(&group(vec![rule("tcp", Some(1000), Some(4000), &["0.0.0.0/0"], &[])]));
        assert_eq!(e.high_risk_ports, vec![1433, 1434, 3000, 3306, 3389]);
        assert!(e.rdp, "3389 lies in 1000-4000");
        assert!(!e.ssh);
    }

    #[test]
    fn all_protocols_is_everything() {
        let e = Exposure::of(&group(vec![rule("-1", None, None, &["0.0.0.0/0"], &[])]));
        assert!(e.all_traffic && e.ssh && e.rdp);
        assert_eq!(e.high_risk_ports.len(), HIGH_RISK_PORTS.len());
    }

    #[test]
    fn private_cidr_and_icmp_are_not_exposure() {
        let e = Exposure::of(&group(vec![
            rule("tcp", Some(22), Some(22), &["10.0.0.0/8"], &[]),
            rule("icmp", Some(-1), Some(-1), &["0.0.0.0/0"], &[]),
        ]));
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn udp_counts_for_rdp_but_not_ssh() {
        let e = Exposure::of(&group(vec![rule("udp", Some(0), Some(65535), &["0.0.0.0/0"], &[])]));
        assert!(!e.ssh && e.rdp && e.all_traffic);
    }

    #[test]
    fn https_is_not_high_risk() {
        let e = Exposure::of(&group(vec![rule("tcp", Some(443), Some(443), &["0.0.0.0/0"], &[])]));
        assert!(!e.any_high_risk());
    }
}

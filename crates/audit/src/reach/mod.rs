//! What the internet can actually reach through each security group, and by which path.
//!
//! A world-open rule (0.0.0.0/0, ::/0) is only an exposure where a packet from the internet can arrive. Over
//! one account-region's evidence ([`sgaudit_snapshot::RegionNetwork`] and the network ACLs), for every group:
//!
//! - **directly**: an interface holding the group, with a public IPv4 address (for a rule of 0.0.0.0/0) or an
//!   IPv6 address (for ::/0), in a subnet whose route table (its own, else its VPC's main table) sends that
//!   family's traffic to an internet gateway, whose network ACL lets the rule's ports in from the internet and
//!   the replies out (the ephemeral ports, [`nacl::ephemeral`]);
//! - **through a load balancer**: an internet-facing load balancer (application, network or classic) that the
//!   group guards, on a listener port one of its groups opens to the world (any port for a load balancer
//!   without groups), in a subnet whose network ACL lets it in;
//! - **as a load balancer's target**: an interface of an instance or IP target of such a load balancer holding
//!   a group that admits the target port from the load balancer (one of its groups, a block holding one of its
//!   subnets, or the world).
//!
//! Each path found is kept, with the words that show it. A group with world-open rules and no path is *not
//! reachable*, with the reason for each interface that holds it (no public address, a private subnet, a
//! network ACL); but where a piece of the evidence is missing (a source not whole, a subnet with no route
//! table or network ACL in the evidence) it is *unknown*, never "not reachable". A path that was found
//! stands whatever else is missing: it is proof.
//!
//! Not modelled (said in the README): security appliances and firewalls in the path (Gateway Load Balancer,
//! AWS Network Firewall), Global Accelerator, CloudFront origins, API Gateway private integrations, NAT
//! gateways' port forwarding (they have none), VPC peering and transit gateways from other networks, load
//! balancer rules that route to some target groups only (every target of a load balancer counts), and the
//! network ACLs between a load balancer and its targets.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use sgaudit_snapshot::network::{InterfaceAddressing, LoadBalancer, RegionNetwork, RouteTable};
use sgaudit_snapshot::posture::NetworkAcl;
use sgaudit_snapshot::{Direction, RegionSnapshot, SecurityGroup, REACH_SOURCES};

use crate::rules::{atoms, Atom, Cidr, PortRange, Ports, Protocol, RulePeer};

pub mod nacl;

/// The reachability of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachState {
    /// The internet reaches something the group guards, through it: [`GroupReach::paths`] say how.
    Reachable,
    /// The group opens ports to the world (or guards an internet-facing load balancer or its targets), and
    /// nothing it guards can be reached: [`GroupReach::blocked`] says why.
    NotReachable,
    /// A piece of the evidence could not be read: [`GroupReach::missing`] says which.
    Unknown,
    /// No world-open rule and no internet-facing load balancer in front of it: nothing to reach through it.
    NotExposed,
}

impl ReachState {
    /// The word every report writes for it, as serde spells it.
    pub fn id(self) -> &'static str {
        match self {
            ReachState::Reachable => "reachable",
            ReachState::NotReachable => "not_reachable",
            ReachState::Unknown => "unknown",
            ReachState::NotExposed => "not_exposed",
        }
    }
}

/// How a path enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// To an interface's public address, through an internet gateway.
    Direct,
    /// To an internet-facing load balancer's listener.
    LoadBalancer,
    /// To a target, through an internet-facing load balancer.
    Target,
}

/// One way in from the internet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Path {
    pub via: Via,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `all`, or a protocol number.
    pub protocol: String,
    /// The ports reached (TCP and UDP); `None` for a protocol without ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRangeText>,
    /// What is reached: an interface, a load balancer, a target's interface.
    pub resource: String,
    /// The path in words: `tcp 22 reachable from the internet on eni-0a (instance i-0a, 54.1.2.3) via igw-0a
    /// (route table rtb-0a, network ACL acl-0a)`.
    pub text: String,
}

/// A port range as the reports write it: `from` and `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PortRangeText {
    pub from: u16,
    pub to: u16,
}

impl From<PortRange> for PortRangeText {
    fn from(r: PortRange) -> Self {
        PortRangeText { from: r.from(), to: r.to() }
    }
}

impl PortRangeText {
    pub fn contains(&self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }
}

/// What was found for one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupReach {
    pub state: ReachState,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<Path>,
    /// Why its world-open rules reach nothing, one line per interface or load balancer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<String>,
    /// What evidence was missing, for `unknown`: a source of the region that is not whole (its id), or a piece
    /// of a path (`the network ACL of subnet-0a`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Cow<'static, str>>,
}

impl GroupReach {
    /// Nothing to reach through it (the start of every group's judgement).
    pub fn not_exposed() -> Self {
        GroupReach { state: ReachState::NotExposed, paths: Vec::new(), blocked: Vec::new(), missing: Vec::new() }
    }

    /// The paths that reach TCP `port` (or every protocol's traffic, which holds it).
    pub fn tcp_paths(&self, port: u16) -> impl Iterator<Item = &Path> {
        self.paths.iter().filter(move |p| match (p.protocol.as_str(), p.ports) {
            ("tcp", Some(r)) => r.contains(port),
            ("all", _) => true,
            _ => false,
        })
    }

    /// Whether a path reaches TCP `port` (or every protocol's traffic, which holds it).
    pub fn reaches_tcp_port(&self, port: u16) -> bool {
        self.paths.iter().any(|p| match (p.protocol.as_str(), p.ports) {
            ("tcp", Some(r)) => r.contains(port),
            ("all", _) => true,
            _ => false,
        })
    }
}

/// The reachability of every group of the region, by group id.
pub fn region(region: &RegionSnapshot) -> BTreeMap<&str, GroupReach> {
    region_with(region, &region.network)
}

/// [`region`], with the region's network evidence given apart from it: judging an organisation takes it out of
/// the snapshot, to free it as soon as every group's reachability is judged (nothing after that reads it).
pub fn region_with<'a>(region: &'a RegionSnapshot, network: &RegionNetwork) -> BTreeMap<&'a str, GroupReach> {
    let net = Net::new(region, network);
    let mut out: BTreeMap<&str, GroupReach> =
        region.security_groups.iter().map(|g| (g.group_id.as_str(), GroupReach::not_exposed())).collect();

    // Directly: every interface holding a group with world-open rules.
    for group in &region.security_groups {
        let open = world_open(group);
        if open.is_empty() {
            continue;
        }
        let reach = out.get_mut(group.group_id.as_str()).expect("every group has an entry");
        reach.state = ReachState::NotReachable;
        let holders = net.holders.get(group.group_id.as_str()).map(Vec::as_slice).unwrap_or_default();
        if holders.is_empty() {
            reach.blocked.push("held by no network interface".to_string());
        }
        for eni in holders {
            for atom in &open {
                net.direct(eni, atom, reach);
            }
        }
    }

    // Through internet-facing load balancers, and on to their targets.
    for lb in network.load_balancers.iter().filter(|lb| lb.internet_facing && lb.kind != "gateway") {
        net.load_balancer(lb, &mut out);
    }

    let missing: Vec<&'static str> = missing_sources(region);
    for reach in out.values_mut() {
        reach.paths.sort();
        reach.paths.dedup();
        reach.blocked.sort();
        reach.blocked.dedup();
        reach.missing.sort();
        reach.missing.dedup();
        if reach.paths.is_empty() && reach.state != ReachState::NotExposed && !reach.missing.is_empty() {
            reach.state = ReachState::Unknown;
        }
        if !missing.is_empty() && reach.state != ReachState::Reachable {
            // Without the whole evidence, no path found is not proof of none (nor is "not exposed": a load
            // balancer that could not be listed may stand in front of any group).
            reach.state = ReachState::Unknown;
            reach.missing.extend(missing.iter().map(|s| Cow::Borrowed(*s)));
        }
    }
    out
}

/// The reachability sources that are not whole in the region (denied, failed, or not in the snapshot: the
/// region's coverage says which and why).
fn missing_sources(region: &RegionSnapshot) -> Vec<&'static str> {
    REACH_SOURCES
        .iter()
        .copied()
        .filter(|source| !region.coverage.iter().any(|c| c.source == *source && c.state.is_whole()))
        .collect()
}

/// The ingress atoms of `group` open to the whole of an address family.
fn world_open(group: &SecurityGroup) -> Vec<Atom> {
    // Most groups have none: only those with a block of prefix length 0 are split into atoms.
    let any =
        group.ingress.iter().flat_map(|r| r.ipv4_ranges.iter().chain(&r.ipv6_ranges)).any(|p| p.id.ends_with("/0"));
    if !any {
        return Vec::new();
    }
    atoms(group)
        .into_iter()
        .map(|a| a.atom)
        .filter(|a| a.direction == Direction::Ingress && a.peer.as_cidr().is_some_and(Cidr::is_world))
        .collect()
}

/// The region's network, indexed.
struct Net<'a> {
    network: &'a RegionNetwork,
    groups: HashMap<&'a str, &'a SecurityGroup>,
    /// The interfaces holding each group.
    holders: HashMap<&'a str, Vec<&'a InterfaceAddressing>>,
    /// The groups each interface holds (its `eni` attachments).
    held: BTreeMap<&'a str, Vec<&'a str>>,
    subnets: HashMap<&'a str, &'a sgaudit_snapshot::network::Subnet>,
    /// The route table of each subnet that has its own.
    explicit: HashMap<&'a str, &'a RouteTable>,
    /// Each VPC's main route table.
    main: HashMap<&'a str, &'a RouteTable>,
    acls: HashMap<&'a str, &'a NetworkAcl>,
    /// Internet gateways, with the VPCs each is attached to.
    gateways: HashMap<&'a str, &'a [String]>,
}

impl<'a> Net<'a> {
    fn new(region: &'a RegionSnapshot, network: &'a RegionNetwork) -> Self {
        let held = region.interface_groups();
        let mut holders: HashMap<&str, Vec<&InterfaceAddressing>> = HashMap::new();
        for eni in &network.interfaces {
            for g in held.get(eni.network_interface_id.as_str()).map(Vec::as_slice).unwrap_or_default() {
                holders.entry(g).or_default().push(eni);
            }
        }
        let mut explicit = HashMap::new();
        let mut main = HashMap::new();
        for table in &network.route_tables {
            for subnet in &table.subnets {
                explicit.insert(subnet.as_str(), table);
            }
            if table.main {
                main.insert(table.vpc_id.as_str(), table);
            }
        }
        let mut acls = HashMap::new();
        for acl in &region.posture.network_acls {
            for subnet in &acl.subnets {
                acls.insert(subnet.as_str(), acl);
            }
        }
        Net {
            network,
            groups: region.security_groups.iter().map(|g| (g.group_id.as_str(), g)).collect(),
            holders,
            held,
            subnets: network.subnets.iter().map(|s| (s.subnet_id.as_str(), s)).collect(),
            explicit,
            main,
            acls,
            gateways: network
                .internet_gateways
                .iter()
                .map(|g| (g.internet_gateway_id.as_str(), g.vpcs.as_slice()))
                .collect(),
        }
    }

    /// The route table a subnet follows: its own, else its VPC's main table.
    fn route_table(&self, subnet: &str, vpc: Option<&str>) -> Option<&'a RouteTable> {
        self.explicit.get(subnet).copied().or_else(|| {
            let vpc = vpc.or_else(|| self.subnets.get(subnet).map(|s| s.vpc_id.as_str()))?;
            self.main.get(vpc).copied()
        })
    }

    /// The internet gateway the table routes the family's internet traffic to, and the route's destination.
    fn gateway_route(&self, table: &'a RouteTable, v6: bool) -> Option<(&'a str, &'a str)> {
        table
            .routes
            .iter()
            .filter(|r| r.target.starts_with("igw-") && !r.state.eq_ignore_ascii_case("blackhole"))
            .filter(|r| match Cidr::parse(&r.destination) {
                Ok(dest) => dest.is_ipv4() != v6 && dest.is_public(),
                // A prefix list (`pl-…`) of either family: its entries are not in the evidence.
                Err(_) => r.destination.starts_with("pl-"),
            })
            .filter(|r| self.gateways.get(r.target.as_str()).is_none_or(|vpcs| vpcs.contains(&table.vpc_id)))
            // The widest destination first: 0.0.0.0/0 says "the internet" better than one block of it.
            .min_by_key(|r| Cidr::parse(&r.destination).map_or(u8::MAX, |c| c.prefix_len()))
            .map(|r| (r.target.as_str(), r.destination.as_str()))
    }

    /// Whether the internet reaches `eni` through the world-open `atom`; the path, or why not, goes in `reach`.
    fn direct(&self, eni: &InterfaceAddressing, atom: &Atom, reach: &mut GroupReach) {
        let Some(block) = atom.peer.as_cidr() else { return };
        let v6 = !block.is_ipv4();
        let who = holder_words(eni);
        let address = if v6 { eni.ipv6_addresses.first() } else { eni.public_ips.first() };
        let Some(address) = address else {
            reach.blocked.push(format!("{who}: no public {} address", if v6 { "IPv6" } else { "IPv4" }));
            return;
        };
        let Some(subnet) = eni.subnet_id.as_deref() else {
            reach.blocked.push(format!("{who}: in no subnet"));
            return;
        };
        let Some(table) = self.route_table(subnet, eni.vpc_id.as_deref()) else {
            reach.missing.push(Cow::Owned(format!("the route table of {subnet}")));
            return;
        };
        let Some((gateway, destination)) = self.gateway_route(table, v6) else {
            reach.blocked.push(format!(
                "{who}: {subnet} is private (route table {} sends no {} traffic to an internet gateway)",
                table.route_table_id,
                if v6 { "IPv6" } else { "IPv4" }
            ));
            return;
        };
        let Some(acl) = self.acls.get(subnet) else {
            reach.missing.push(Cow::Owned(format!("the network ACL of {subnet}")));
            return;
        };
        let service = service_words(atom);
        let world = if v6 { "::/0" } else { "0.0.0.0/0" };
        for (protocol, range) in services(atom) {
            let open = nacl::allowed(acl, false, v6, &protocol, range);
            if open.is_empty() {
                reach.blocked.push(format!(
                    "{who}: {service} blocked by network ACL {} (inbound from {world})",
                    acl.network_acl_id
                ));
                continue;
            }
            if !nacl::replies_get_out(acl, v6, &protocol) {
                reach.blocked.push(format!(
                    "{who}: {service} blocked by network ACL {} (no reply gets out to {world})",
                    acl.network_acl_id
                ));
                continue;
            }
            let from = if destination == world || destination.starts_with("pl-") {
                "the internet".to_string()
            } else {
                format!("the internet ({destination})")
            };
            for ports in ported(&protocol, &open) {
                let what = path_words(&protocol, ports);
                reach.paths.push(Path {
                    via: Via::Direct,
                    protocol: protocol_id(&protocol),
                    ports: ports.map(PortRangeText::from),
                    resource: eni.network_interface_id.clone(),
                    text: format!(
                        "{what} reachable from {from} on {} at {address} via {gateway} (route table {}, network ACL \
                         {})",
                        who, table.route_table_id, acl.network_acl_id
                    ),
                });
                reach.state = ReachState::Reachable;
            }
        }
    }

    /// An internet-facing load balancer: its groups that admit a listener from the world, and the groups of
    /// its targets that admit the load balancer.
    fn load_balancer(&self, lb: &'a LoadBalancer, out: &mut BTreeMap<&str, GroupReach>) {
        let name = format!("{} load balancer {}", lb.kind, lb.name);
        let listeners: Vec<_> = self.network.listeners.iter().filter(|l| l.load_balancer == lb.id).collect();
        for group in &lb.groups {
            if let Some(reach) = out.get_mut(group.as_str()) {
                if reach.state == ReachState::NotExposed {
                    reach.state = ReachState::NotReachable;
                }
                if listeners.is_empty() {
                    reach.blocked.push(format!("{name}: no listener"));
                }
            }
        }
        // Each listener's reach: which of the load balancer's groups let it in (all of them "guard" it when it
        // has none), and whether a subnet's network ACL does.
        let mut open_listeners: Vec<(Protocol, u16)> = Vec::new();
        for listener in &listeners {
            for protocol in listener_protocols(&listener.protocol) {
                let range = PortRange::new(listener.port, listener.port);
                let admitting: Vec<(&str, bool)> = if lb.groups.is_empty() {
                    Vec::new()
                } else {
                    lb.groups
                        .iter()
                        .filter_map(|g| self.groups.get(g.as_str()))
                        .flat_map(|g| {
                            world_open(g)
                                .into_iter()
                                .filter(|a| admits(a, &protocol, listener.port))
                                .map(|a| (g.group_id.as_str(), !a.peer.as_cidr().is_some_and(Cidr::is_ipv4)))
                        })
                        .collect()
                };
                if !lb.groups.is_empty() && admitting.is_empty() {
                    for group in &lb.groups {
                        if let Some(reach) = out.get_mut(group.as_str()) {
                            reach.blocked.push(format!(
                                "{name}: listener {} {} is not open to the internet in its groups",
                                protocol_id(&protocol),
                                listener.port
                            ));
                        }
                    }
                    continue;
                }
                // The families that get in: those of the admitting rules (both for a load balancer with none).
                let families: BTreeSet<bool> = if lb.groups.is_empty() {
                    [false, true].into()
                } else {
                    admitting.iter().map(|(_, v6)| *v6).collect()
                };
                let nacl = self.subnets_let_in(lb, &protocol, range, &families);
                let Ok(acl) = nacl else {
                    let why = nacl.err().unwrap_or_default();
                    for group in &lb.groups {
                        if let Some(reach) = out.get_mut(group.as_str()) {
                            if why.starts_with("unknown: ") {
                                reach.missing.push(Cow::Owned(why.trim_start_matches("unknown: ").to_string()));
                            } else {
                                reach.blocked.push(format!("{name}: {why}"));
                            }
                        }
                    }
                    continue;
                };
                open_listeners.push((protocol.clone(), listener.port));
                for &(group, _) in &admitting {
                    if let Some(reach) = out.get_mut(group) {
                        reach.paths.push(Path {
                            via: Via::LoadBalancer,
                            protocol: protocol_id(&protocol),
                            ports: Some(range.into()),
                            resource: lb.id.clone(),
                            text: format!(
                                "{} {} reachable from the internet through {name} (network ACL {acl})",
                                protocol_id(&protocol),
                                listener.port
                            ),
                        });
                        reach.state = ReachState::Reachable;
                    }
                }
            }
        }
        if open_listeners.is_empty() {
            return;
        }
        self.targets(lb, &name, &open_listeners, out);
    }

    /// The network ACL of one of the load balancer's subnets that lets the listener in (and replies out) for
    /// one of `families`; else why none does (`unknown: …` where a subnet's ACL is not in the evidence).
    fn subnets_let_in(
        &self,
        lb: &LoadBalancer,
        protocol: &Protocol,
        range: PortRange,
        families: &BTreeSet<bool>,
    ) -> Result<String, String> {
        let mut unknown = None;
        for subnet in &lb.subnets {
            let Some(acl) = self.acls.get(subnet.as_str()) else {
                unknown = Some(format!("unknown: the network ACL of {subnet}"));
                continue;
            };
            for &v6 in families {
                if !nacl::allowed(acl, false, v6, protocol, range).is_empty()
                    && nacl::replies_get_out(acl, v6, protocol)
                {
                    return Ok(acl.network_acl_id.clone());
                }
            }
        }
        Err(unknown.unwrap_or_else(|| {
            format!("listener {} {} blocked by the network ACLs of its subnets", protocol_id(protocol), range.from())
        }))
    }

    /// The targets of a load balancer with open listeners: the groups of each target's interfaces that admit
    /// the target port from the load balancer.
    fn targets(
        &self,
        lb: &LoadBalancer,
        name: &str,
        listeners: &[(Protocol, u16)],
        out: &mut BTreeMap<&str, GroupReach>,
    ) {
        let lb_blocks: Vec<Cidr> = lb
            .subnets
            .iter()
            .filter_map(|s| self.subnets.get(s.as_str()))
            .filter_map(|s| s.cidr_ipv4.as_deref().and_then(|c| Cidr::parse(c).ok()))
            .collect();
        let from_lb = |atom: &Atom| match &atom.peer {
            RulePeer::Group(g) => lb.groups.contains(&g.group_id),
            RulePeer::Cidr(c) => c.is_world() || lb_blocks.iter().any(|b| c.contains(b)),
            _ => false,
        };
        for target in self.network.targets.iter().filter(|t| t.load_balancer == lb.id) {
            let enis: Vec<&InterfaceAddressing> = match target.kind.as_str() {
                "instance" => self
                    .network
                    .interfaces
                    .iter()
                    .filter(|e| e.instance_id.as_deref() == Some(target.id.as_str()))
                    .collect(),
                "ip" => self.network.interfaces.iter().filter(|e| e.private_ips.contains(&target.id)).collect(),
                // A Lambda function or an application load balancer behind a network one: not followed.
                _ => Vec::new(),
            };
            for (protocol, listener_port) in listeners {
                let port = target.port.unwrap_or(*listener_port);
                for eni in &enis {
                    let held = self.held.get(eni.network_interface_id.as_str()).map(Vec::as_slice).unwrap_or_default();
                    for &group_id in held {
                        let Some(group) = self.groups.get(group_id) else { continue };
                        let admitted = atoms(group)
                            .into_iter()
                            .map(|a| a.atom)
                            .any(|a| a.direction == Direction::Ingress && admits(&a, protocol, port) && from_lb(&a));
                        let Some(reach) = out.get_mut(group_id) else { continue };
                        if reach.state == ReachState::NotExposed {
                            reach.state = ReachState::NotReachable;
                        }
                        if admitted {
                            reach.paths.push(Path {
                                via: Via::Target,
                                protocol: protocol_id(protocol),
                                ports: Some(PortRange::new(port, port).into()),
                                resource: eni.network_interface_id.clone(),
                                text: format!(
                                    "{} {port} reachable from the internet through {name} (listener {listener_port}) \
                                     to {}",
                                    protocol_id(protocol),
                                    holder_words(eni)
                                ),
                            });
                            reach.state = ReachState::Reachable;
                        } else {
                            reach.blocked.push(format!(
                                "{}: target of {name}, but admits no {} {port} from it",
                                holder_words(eni),
                                protocol_id(protocol)
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Whether the atom admits `protocol` traffic to `port`.
fn admits(atom: &Atom, protocol: &Protocol, port: u16) -> bool {
    let protocol_ok = atom.protocol == Protocol::All || &atom.protocol == protocol;
    let port_ok = match &atom.ports {
        Ports::All => true,
        Ports::Range(r) => r.contains_port(port),
        Ports::Icmp(_) => false,
    };
    protocol_ok && port_ok
}

/// The protocols a listener's traffic arrives on.
fn listener_protocols(protocol: &str) -> Vec<Protocol> {
    match protocol.to_ascii_uppercase().as_str() {
        "UDP" => vec![Protocol::Udp],
        "TCP_UDP" => vec![Protocol::Tcp, Protocol::Udp],
        // GENEVE is a gateway load balancer's, which is not internet-facing.
        "GENEVE" => Vec::new(),
        _ => vec![Protocol::Tcp],
    }
}

/// The protocols and port ranges through which a world-open atom is judged: its own; TCP and UDP over every
/// port for a rule of every protocol (the traffic that network ACLs decide port by port).
fn services(atom: &Atom) -> Vec<(Protocol, PortRange)> {
    match (&atom.protocol, &atom.ports) {
        (Protocol::All, _) => vec![(Protocol::Tcp, PortRange::ALL), (Protocol::Udp, PortRange::ALL)],
        (protocol, Ports::Range(r)) => vec![(protocol.clone(), *r)],
        (Protocol::Unknown(_), _) => Vec::new(),
        (protocol, _) => vec![(protocol.clone(), PortRange::ALL)],
    }
}

/// The port ranges of a path: those the ACL lets in for TCP and UDP, one `None` for the rest.
fn ported(protocol: &Protocol, open: &[PortRange]) -> Vec<Option<PortRange>> {
    if protocol.has_ports() {
        open.iter().copied().map(Some).collect()
    } else {
        vec![None]
    }
}

fn protocol_id(protocol: &Protocol) -> String {
    match protocol {
        Protocol::All => "all".to_string(),
        Protocol::Tcp => "tcp".to_string(),
        Protocol::Udp => "udp".to_string(),
        Protocol::Icmp => "icmp".to_string(),
        Protocol::Icmpv6 => "icmpv6".to_string(),
        Protocol::Other(n) => n.to_string(),
        Protocol::Unknown(text) => sgaudit_snapshot::text::printable(text).into_owned(),
    }
}

fn path_words(protocol: &Protocol, ports: Option<PortRange>) -> String {
    match ports {
        Some(r) => format!("{} {r}", protocol_id(protocol)),
        None => protocol_id(protocol),
    }
}

fn service_words(atom: &Atom) -> String {
    match &atom.ports {
        Ports::Range(r) => format!("{} {r}", protocol_id(&atom.protocol)),
        _ => protocol_id(&atom.protocol),
    }
}

/// `eni-0a (instance i-0a)`, or with the interface's type or description where it has no instance.
fn holder_words(eni: &InterfaceAddressing) -> String {
    let id = &eni.network_interface_id;
    match (&eni.instance_id, &eni.interface_type, &eni.description) {
        (Some(instance), _, _) => format!("{id} (instance {instance})"),
        (None, _, Some(d)) if !d.is_empty() => format!("{id} ({})", sgaudit_snapshot::text::printable(d)),
        (None, Some(t), _) if t != "interface" => format!("{id} ({t})"),
        _ => id.clone(),
    }
}

#[cfg(test)]
mod tests;

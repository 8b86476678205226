//! Evidence of the paths from the internet into an account-region (issue 16): its subnets and the routes they
//! follow, its internet gateways, the addresses of its network interfaces and its load balancers with their
//! listeners and targets. Network ACLs are in [`crate::RegionPosture`] (`ec2-network-acls`), read for this too.
//!
//! As everywhere in the snapshot, this is what AWS said, with no judgement: whether the internet can reach a
//! group is decided by the audit (`sgaudit_audit::reach`). Whether a piece was read at all is said by its
//! source's coverage: an empty list with whole coverage means AWS has none; with missing coverage, nothing,
//! and reachability there is *unknown*.

use serde::{Deserialize, Serialize};

/// The sources of the reachability evidence, read once per account-region with the groups, sorted by id. They
/// are not evidence of use (they are not in [`crate::SOURCES`]): a snapshot without them has every group's
/// reachability unknown, and its verdicts of use unchanged.
pub const REACH_SOURCES: &[&str] = &[
    "ec2-internet-gateways",
    "ec2-network-acls",
    "ec2-network-interfaces",
    "ec2-route-tables",
    "ec2-subnets",
    "elb-classic-load-balancers",
    "elbv2-listeners",
    "elbv2-load-balancers",
    "elbv2-target-groups",
];

/// The paths from the internet into one account-region, each list sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionNetwork {
    /// `ec2-subnets`: `DescribeSubnets`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<Subnet>,
    /// `ec2-route-tables`: `DescribeRouteTables`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<RouteTable>,
    /// `ec2-internet-gateways`: `DescribeInternetGateways`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internet_gateways: Vec<InternetGateway>,
    /// `ec2-network-interfaces`: the addressing of every interface (the same list that tells their groups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<InterfaceAddressing>,
    /// `elbv2-load-balancers` and `elb-classic-load-balancers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<LoadBalancer>,
    /// What each load balancer listens on: `elbv2-listeners` (`DescribeListeners`, one call per load
    /// balancer: the API has no list of every listener) and `elb-classic-load-balancers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listeners: Vec<Listener>,
    /// What each load balancer sends to: `elbv2-target-groups` (`DescribeTargetGroups`, then
    /// `DescribeTargetHealth` per target group) and `elb-classic-load-balancers` (its registered instances).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<LbTarget>,
}

impl RegionNetwork {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Gives back the spare capacity of every list, nested ones too (a parsed list grows by doubling).
    pub fn shrink_to_fit(&mut self) {
        self.subnets.shrink_to_fit();
        self.subnets.iter_mut().for_each(|s| s.cidrs_ipv6.shrink_to_fit());
        self.route_tables.shrink_to_fit();
        for table in &mut self.route_tables {
            table.subnets.shrink_to_fit();
            table.routes.shrink_to_fit();
        }
        self.internet_gateways.shrink_to_fit();
        self.internet_gateways.iter_mut().for_each(|g| g.vpcs.shrink_to_fit());
        self.interfaces.shrink_to_fit();
        for eni in &mut self.interfaces {
            eni.private_ips.shrink_to_fit();
            eni.public_ips.shrink_to_fit();
            eni.ipv6_addresses.shrink_to_fit();
        }
        self.load_balancers.shrink_to_fit();
        for lb in &mut self.load_balancers {
            lb.subnets.shrink_to_fit();
            lb.groups.shrink_to_fit();
        }
        self.listeners.shrink_to_fit();
        self.targets.shrink_to_fit();
    }

    /// Sorts every list by id, so that two scans of the same estate compare equal.
    pub fn normalize(&mut self) {
        self.subnets.sort_by(|a, b| a.subnet_id.cmp(&b.subnet_id));
        self.route_tables.sort_by(|a, b| a.route_table_id.cmp(&b.route_table_id));
        for table in &mut self.route_tables {
            table.subnets.sort();
            table.routes.sort();
        }
        self.internet_gateways.sort_by(|a, b| a.internet_gateway_id.cmp(&b.internet_gateway_id));
        self.interfaces.sort_by(|a, b| a.network_interface_id.cmp(&b.network_interface_id));
        self.load_balancers.sort_by(|a, b| a.id.cmp(&b.id));
        self.listeners.sort();
        self.targets.sort();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub subnet_id: String,
    pub vpc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_ipv4: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cidrs_ipv6: Vec<String>,
}

/// A route table: the subnets associated with it explicitly (the VPC's main table serves every other subnet of
/// the VPC) and its routes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    pub route_table_id: String,
    pub vpc_id: String,
    /// Whether it is the VPC's main route table.
    pub main: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Route {
    /// An IPv4 or IPv6 CIDR, or a prefix list id.
    pub destination: String,
    /// What the route sends to: `igw-…`, `eigw-…`, `nat-…`, `pcx-…`, `tgw-…`, `vpce-…`, `eni-…`, `i-…`,
    /// `local`, as AWS names it.
    pub target: String,
    /// `blackhole` for a route whose target is gone; `active` otherwise.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternetGateway {
    pub internet_gateway_id: String,
    /// The VPCs it is attached to (state `available`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpcs: Vec<String>,
}

/// Where a network interface sits and which addresses reach it. The groups it holds are the region's `eni`
/// attachments of `ec2-network-interfaces` (the evidence of use), not repeated here: an estate of half a million
/// interfaces would hold them twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceAddressing {
    pub network_interface_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private_ips: Vec<String>,
    /// Public IPv4 addresses: auto-assigned or Elastic IPs (the associations of its private addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_ips: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_addresses: Vec<String>,
    /// The instance it is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// `interface`, `network_load_balancer`, `lambda`, ... as AWS gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface_type: Option<String>,
    /// AWS's description (an ECS task's or a load balancer's interface says whose it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A load balancer (what it listens on and sends to are [`RegionNetwork::listeners`] and `targets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    /// The ARN (v2) or the name (classic).
    pub id: String,
    pub name: String,
    /// `application`, `network`, `gateway` or `classic`.
    pub kind: String,
    /// Whether its scheme is `internet-facing` (else `internal`).
    pub internet_facing: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// Its security groups (none for a network load balancer created without any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Listener {
    /// The load balancer's id ([`LoadBalancer::id`]).
    pub load_balancer: String,
    /// `TCP`, `HTTP`, `HTTPS`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`, as AWS gives it.
    pub protocol: String,
    pub port: u16,
}

/// One target: an instance, an IP address, a Lambda function or a load balancer, on a port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LbTarget {
    /// The load balancer's id ([`LoadBalancer::id`]); a target group serving several is listed once for each.
    pub load_balancer: String,
    /// The target group's ARN (v2); absent for a classic load balancer's instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group: Option<String>,
    /// `instance`, `ip`, `lambda` or `alb`.
    pub kind: String,
    /// The instance id, the IP address, or the ARN.
    pub id: String,
    /// The port traffic is sent to (the target group's, or the target's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

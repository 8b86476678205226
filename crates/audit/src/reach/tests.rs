use sgaudit_snapshot::network::{
    InterfaceAddressing, InternetGateway, LbTarget, Listener, LoadBalancer, RegionNetwork, Route, RouteTable, Subnet,
};
use sgaudit_snapshot::posture::{NetworkAcl, RegionPosture};
use sgaudit_snapshot::{
    Attachment, CoverageState, GroupPeer, Peer, RegionSnapshot, ResourceKind, Rule, SecurityGroup, SourceCoverage,
    SourceError, Target,
};

use super::nacl::tests::entry;
use super::*;

fn tcp(port: i32, v4: &[&str], v6: &[&str], groups: &[&str]) -> Rule {
    let peers = |ids: &[&str]| ids.iter().map(|id| Peer { id: id.to_string(), description: None }).collect();
    Rule {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        ipv4_ranges: peers(v4),
        ipv6_ranges: peers(v6),
        prefix_lists: vec![],
        groups: groups
            .iter()
            .map(|g| GroupPeer {
                group_id: g.to_string(),
                user_id: None,
                vpc_id: None,
                vpc_peering_connection_id: None,
                description: None,
            })
            .collect(),
    }
}

fn group(id: &str, ingress: Vec<Rule>) -> SecurityGroup {
    SecurityGroup {
        group_id: id.into(),
        group_name: id.trim_start_matches("sg-").into(),
        description: String::new(),
        vpc_id: Some("vpc-1".into()),
        owner_id: "111122223333".into(),
        tags: Default::default(),
        ingress,
        egress: vec![],
    }
}

/// The groups each interface of [`estate`] holds, as `ec2-network-interfaces` records them (its `eni`
/// attachments).
const HOLDERS: &[(&str, &[&str])] = &[
    ("eni-pub", &["sg-ssh-pub", "sg-ssh-v6"]),
    ("eni-priv", &["sg-ssh-priv"]),
    ("eni-acl", &["sg-ssh-acl"]),
    ("eni-app", &["sg-app"]),
];

fn eni(id: &str, subnet: &str, public: Option<&str>, v6: Option<&str>) -> InterfaceAddressing {
    InterfaceAddressing {
        network_interface_id: id.into(),
        subnet_id: Some(subnet.into()),
        vpc_id: Some("vpc-1".into()),
        private_ips: vec![format!("10.0.0.{}", id.len())],
        public_ips: public.map(|p| vec![p.to_string()]).unwrap_or_default(),
        ipv6_addresses: v6.map(|p| vec![p.to_string()]).unwrap_or_default(),
        instance_id: Some(id.replace("eni-", "i-")),
        interface_type: Some("interface".into()),
        description: None,
    }
}

fn route(destination: &str, target: &str) -> Route {
    Route { destination: destination.into(), target: target.into(), state: "active".into() }
}

/// A VPC with a public subnet, a private one and a public one whose network ACL denies 22; an instance in each,
/// an internet-facing load balancer with an application target behind it, and an internal one.
fn estate() -> RegionSnapshot {
    let allow_all = |egress: bool| {
        vec![entry(100, egress, "-1", "allow", "0.0.0.0/0", None), entry(101, egress, "-1", "allow", "::/0", None)]
    };
    let mut no22 = vec![entry(90, false, "6", "deny", "0.0.0.0/0", Some((22, 22)))];
    no22.extend(allow_all(false));
    no22.extend(allow_all(true));
    let mut open = allow_all(false);
    open.extend(allow_all(true));
    RegionSnapshot {
        account_id: "111122223333".into(),
        region: "eu-west-1".into(),
        security_groups: vec![
            group("sg-ssh-pub", vec![tcp(22, &["0.0.0.0/0"], &[], &[])]),
            group("sg-ssh-priv", vec![tcp(22, &["0.0.0.0/0"], &[], &[])]),
            group("sg-ssh-acl", vec![tcp(22, &["0.0.0.0/0"], &[], &[])]),
            group("sg-ssh-v6", vec![tcp(22, &[], &["::/0"], &[])]),
            group("sg-web-lb", vec![tcp(443, &["0.0.0.0/0"], &[], &[])]),
            group("sg-app", vec![tcp(8080, &[], &[], &["sg-web-lb"])]),
            group("sg-int-lb", vec![tcp(443, &["0.0.0.0/0"], &[], &[])]),
            group("sg-plain", vec![tcp(5432, &["10.0.0.0/8"], &[], &[])]),
            group("sg-orphan", vec![tcp(3389, &["0.0.0.0/0"], &[], &[])]),
        ],
        attachments: HOLDERS
            .iter()
            .flat_map(|(eni, groups)| {
                groups.iter().map(|g| Attachment {
                    target: Target::Group(g.to_string()),
                    kind: ResourceKind::NetworkInterface,
                    resource_id: eni.to_string(),
                    via: sgaudit_snapshot::Via::Eni,
                    source: "ec2-network-interfaces".into(),
                    detail: None,
                })
            })
            .collect(),
        coverage: REACH_SOURCES
            .iter()
            .map(|s| SourceCoverage { source: (*s).into(), state: CoverageState::Complete, requests: 1, items: 1 })
            .collect(),
        stale_rules: vec![],
        posture: RegionPosture {
            network_acls: vec![
                NetworkAcl {
                    network_acl_id: "acl-open".into(),
                    vpc_id: Some("vpc-1".into()),
                    is_default: true,
                    subnets: vec!["subnet-pub".into(), "subnet-priv".into()],
                    entries: open,
                },
                NetworkAcl {
                    network_acl_id: "acl-no22".into(),
                    vpc_id: Some("vpc-1".into()),
                    is_default: false,
                    subnets: vec!["subnet-acl".into()],
                    entries: no22,
                },
            ],
            ..Default::default()
        },
        network: RegionNetwork {
            subnets: ["subnet-pub", "subnet-priv", "subnet-acl"]
                .iter()
                .enumerate()
                .map(|(i, s)| Subnet {
                    subnet_id: s.to_string(),
                    vpc_id: "vpc-1".into(),
                    cidr_ipv4: Some(format!("10.0.{i}.0/24")),
                    cidrs_ipv6: vec![],
                })
                .collect(),
            route_tables: vec![
                RouteTable {
                    route_table_id: "rtb-main".into(),
                    vpc_id: "vpc-1".into(),
                    main: true,
                    subnets: vec![],
                    routes: vec![route("10.0.0.0/16", "local")],
                },
                RouteTable {
                    route_table_id: "rtb-pub".into(),
                    vpc_id: "vpc-1".into(),
                    main: false,
                    subnets: vec!["subnet-pub".into(), "subnet-acl".into()],
                    routes: vec![route("10.0.0.0/16", "local"), route("0.0.0.0/0", "igw-1")],
                },
            ],
            internet_gateways: vec![InternetGateway {
                internet_gateway_id: "igw-1".into(),
                vpcs: vec!["vpc-1".into()],
            }],
            interfaces: vec![
                eni("eni-pub", "subnet-pub", Some("54.1.2.3"), Some("2a05:d018::1")),
                eni("eni-priv", "subnet-priv", None, None),
                eni("eni-acl", "subnet-acl", Some("54.1.2.4"), None),
                eni("eni-app", "subnet-priv", None, None),
            ],
            load_balancers: vec![
                LoadBalancer {
                    id: "arn:alb/web".into(),
                    name: "web".into(),
                    kind: "application".into(),
                    internet_facing: true,
                    vpc_id: Some("vpc-1".into()),
                    subnets: vec!["subnet-pub".into()],
                    groups: vec!["sg-web-lb".into()],
                },
                LoadBalancer {
                    id: "arn:alb/int".into(),
                    name: "int".into(),
                    kind: "application".into(),
                    internet_facing: false,
                    vpc_id: Some("vpc-1".into()),
                    subnets: vec!["subnet-priv".into()],
                    groups: vec!["sg-int-lb".into()],
                },
            ],
            listeners: vec![
                Listener { load_balancer: "arn:alb/web".into(), protocol: "HTTPS".into(), port: 443 },
                Listener { load_balancer: "arn:alb/int".into(), protocol: "HTTPS".into(), port: 443 },
            ],
            targets: vec![LbTarget {
                load_balancer: "arn:alb/web".into(),
                target_group: Some("arn:tg/app".into()),
                kind: "instance".into(),
                id: "i-app".into(),
                port: Some(8080),
            }],
        },
    }
}

#[test]
fn each_world_open_group_is_judged_with_its_path() {
    let region = estate();
    let reach = super::region(&region);
    let state = |g: &str| reach[g].state;

    assert_eq!(state("sg-ssh-pub"), ReachState::Reachable, "{:?}", reach["sg-ssh-pub"]);
    let path = &reach["sg-ssh-pub"].paths[0];
    assert_eq!(path.via, Via::Direct);
    assert_eq!(
        path.text,
        "tcp 22 reachable from the internet on eni-pub (instance i-pub) at 54.1.2.3 via igw-1 (route table rtb-pub, \
         network ACL acl-open)"
    );
    assert!(reach["sg-ssh-pub"].reaches_tcp_port(22));
    assert!(!reach["sg-ssh-pub"].reaches_tcp_port(23));

    assert_eq!(state("sg-ssh-priv"), ReachState::NotReachable);
    assert_eq!(reach["sg-ssh-priv"].blocked, ["eni-priv (instance i-priv): no public IPv4 address"]);

    assert_eq!(state("sg-ssh-acl"), ReachState::NotReachable);
    assert_eq!(
        reach["sg-ssh-acl"].blocked,
        ["eni-acl (instance i-acl): tcp 22 blocked by network ACL acl-no22 (inbound from 0.0.0.0/0)"]
    );

    // An IPv6 address, but the route table sends no IPv6 traffic to the gateway.
    assert_eq!(state("sg-ssh-v6"), ReachState::NotReachable);
    assert!(reach["sg-ssh-v6"].blocked[0].contains("subnet-pub is private (route table rtb-pub sends no IPv6"));

    // Through the internet-facing load balancer, and on to its target.
    assert_eq!(state("sg-web-lb"), ReachState::Reachable);
    assert_eq!(
        reach["sg-web-lb"].paths[0].text,
        "tcp 443 reachable from the internet through application load balancer web (network ACL acl-open)"
    );
    assert_eq!(state("sg-app"), ReachState::Reachable, "{:?}", reach["sg-app"]);
    assert_eq!(reach["sg-app"].paths[0].via, Via::Target);
    assert!(reach["sg-app"].paths[0].text.contains("tcp 8080 reachable from the internet through application load"));
    assert!(reach["sg-app"].reaches_tcp_port(8080));

    // The internal load balancer's group is open to the world, but nothing of it faces the internet.
    assert_eq!(state("sg-int-lb"), ReachState::NotReachable);
    assert_eq!(reach["sg-int-lb"].blocked, ["held by no network interface"]);
    assert_eq!(state("sg-orphan"), ReachState::NotReachable);
    assert_eq!(state("sg-plain"), ReachState::NotExposed);
}

#[test]
fn missing_evidence_makes_unknown_but_a_found_path_stands() {
    let mut region = estate();
    let routes = region.coverage.iter_mut().find(|c| c.source == "ec2-route-tables").unwrap();
    routes.state = CoverageState::Denied {
        error: Box::new(SourceError {
            code: "UnauthorizedOperation".into(),
            message: "no".into(),
            action: Some("ec2:DescribeRouteTables".into()),
            scp_deny: false,
        }),
    };
    let reach = super::region(&region);
    assert_eq!(reach["sg-ssh-pub"].state, ReachState::Reachable);
    for g in ["sg-ssh-priv", "sg-ssh-acl", "sg-plain", "sg-int-lb"] {
        assert_eq!(reach[g].state, ReachState::Unknown, "{g}");
        assert!(reach[g].missing.iter().any(|m| m == "ec2-route-tables"), "{g}: {:?}", reach[g].missing);
    }

    // A subnet whose network ACL is not in the evidence: unknown for that group alone.
    let mut region = estate();
    region.posture.network_acls.retain(|a| a.network_acl_id != "acl-no22");
    let reach = super::region(&region);
    assert_eq!(reach["sg-ssh-acl"].state, ReachState::Unknown);
    assert_eq!(reach["sg-ssh-acl"].missing, ["the network ACL of subnet-acl"]);
    assert_eq!(reach["sg-ssh-priv"].state, ReachState::NotReachable);
}

#[test]
fn a_load_balancer_listener_closed_in_its_groups_reaches_nothing() {
    let mut region = estate();
    region.network.listeners[0].port = 8443;
    let reach = super::region(&region);
    assert_eq!(reach["sg-web-lb"].state, ReachState::NotReachable);
    assert!(reach["sg-web-lb"].blocked[0].contains("listener tcp 8443 is not open to the internet"));
    // Its target is then not reachable through it either.
    assert_eq!(reach["sg-app"].state, ReachState::NotExposed);
}

#[test]
fn a_network_load_balancer_without_groups_passes_the_world_to_targets_that_admit_it() {
    let mut region = estate();
    let lb = &mut region.network.load_balancers[0];
    lb.kind = "network".into();
    lb.groups.clear();
    region.network.listeners[0].protocol = "TCP".into();
    // The target admits 8080 from the load balancer's group only, which it no longer has: not reachable.
    let reach = super::region(&region);
    assert_eq!(reach["sg-app"].state, ReachState::NotReachable, "{:?}", reach["sg-app"]);
    // Admitting its subnet's block, it is.
    region.security_groups.iter_mut().find(|g| g.group_id == "sg-app").unwrap().ingress =
        vec![tcp(8080, &["10.0.0.0/16"], &[], &[])];
    let reach = super::region(&region);
    assert_eq!(reach["sg-app"].state, ReachState::Reachable, "{:?}", reach["sg-app"]);
}

/// Unknown reachability leaves a reachability check *not evaluated* exactly for the groups that admit one of its
/// ports from anyone (the world or a load balancer that could not be read); a group admitting none of them
/// cannot fail it. And a run with such a gap is partial (exit 3).
#[test]
fn unknown_reachability_is_not_evaluated_for_the_groups_that_admit_a_checked_port() {
    let mut region = estate();
    region.coverage.retain(|c| c.source != "elbv2-listeners");
    region.security_groups.push(group("sg-https", vec![tcp(443, &["10.0.0.0/8"], &[], &[])]));
    let mut snapshot = sgaudit_snapshot::Snapshot::new("test", None);
    snapshot.regions = vec![region];
    snapshot.normalize();
    let audit = crate::audit(&snapshot);
    let not_evaluated = |id: &str| -> Vec<&str> {
        let g = audit.groups.iter().find(|g| g.group.group_id == id).expect(id);
        // (The estate records no stale rules source: that check is not evaluated for every group.)
        g.not_evaluated.iter().map(|n| n.check().id).filter(|id| *id != "sg-stale-rule").collect()
    };
    // SSH from the world, and from the load balancer's group: the admin check.
    assert_eq!(not_evaluated("sg-ssh-priv"), ["sg-internet-reachable-admin-port"]);
    // 5432 from a private block (a load balancer in it could forward the internet's traffic): the high-risk one.
    assert_eq!(not_evaluated("sg-plain"), ["sg-internet-reachable-high-risk-port"]);
    // 443 only: neither.
    assert!(not_evaluated("sg-https").is_empty());
    // A path found stands, and its group is judged.
    let public = audit.groups.iter().find(|g| g.group.group_id == "sg-ssh-pub").unwrap();
    assert!(public.findings.iter().any(|f| f.check.id == "sg-internet-reachable-admin-port"));
    assert!(audit.is_partial());
}

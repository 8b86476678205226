//! Reachability from the internet end to end (issue 16): the built binary against moto seeded with a VPC whose
//! world-open groups are reachable or not, each for a known reason, and the same estate with a piece of the
//! evidence denied, where reachability must be unknown and never "not reachable".
//!
//! The estate (`SEED`, below): a VPC with an internet gateway; public subnets routed to it (one giving instances
//! a public address, one not), a third public one whose network ACL denies 22, and private subnets (the main
//! route table: no route out); one instance per group; an internet-facing and an internal Application Load
//! Balancer, each forwarding port 80 to an instance target on 8080.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::proxy::{Fault, FaultProxy, Rule};
use common::{coverage, group, sgaudit_at, Moto, Run};
use serde_json::Value;

/// The boto3 seed of the estate; prints a manifest of the ids it made (moto picks them).
const SEED: &str = r#"
import argparse, json
import boto3

p = argparse.ArgumentParser()
p.add_argument("--endpoint", required=True)
p.add_argument("--region", required=True)
a = p.parse_args()
ec2 = boto3.client("ec2", endpoint_url=a.endpoint, region_name=a.region)
elbv2 = boto3.client("elbv2", endpoint_url=a.endpoint, region_name=a.region)

ami = ec2.describe_images()["Images"][0]["ImageId"]
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

def subnet(cidr, az, public_ips):
    s = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
    if public_ips:
        ec2.modify_subnet_attribute(SubnetId=s, MapPublicIpOnLaunch={"Value": True})
    return s

subnets = {
    "public-a": subnet("10.0.0.0/24", azs[0], True),
    "public-b": subnet("10.0.1.0/24", azs[1], False),
    "guarded": subnet("10.0.2.0/24", azs[0], True),
    "private-a": subnet("10.0.10.0/24", azs[0], False),
    "private-b": subnet("10.0.11.0/24", azs[1], False),
}
public_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
for name in ("public-a", "public-b", "guarded"):
    ec2.associate_route_table(RouteTableId=public_table, SubnetId=subnets[name])
main_table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                {"Name": "association.main", "Values": ["true"]}])
main_table = main_table["RouteTables"][0]["RouteTableId"]

# The guarded subnet's own ACL: 22 denied from anywhere, everything else in, everything out.
acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
for number, egress, protocol, action, ports in [(90, False, "6", "deny", (22, 22)), (100, False, "-1", "allow", None),
                                                (100, True, "-1", "allow", None)]:
    entry = dict(NetworkAclId=acl, RuleNumber=number, Egress=egress, Protocol=protocol, RuleAction=action,
                 CidrBlock="0.0.0.0/0")
    if ports:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    ec2.create_network_acl_entry(**entry)
default_acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                 {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]
association = next(x["NetworkAclAssociationId"] for x in default_acl["Associations"]
                   if x["SubnetId"] == subnets["guarded"])
ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)

def group(name, rules):
    g = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=rules)
    return g

def world(port):
    return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]

def from_group(port, g):
    return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": g}]}]

groups = {name: group(name, world(22)) for name in ("ssh-public", "ssh-eip", "ssh-private", "ssh-private-eip",
                                                    "ssh-acl")}
groups["web-lb"] = group("web-lb", world(80))
groups["internal-lb"] = group("internal-lb", world(80))
groups["app"] = group("app", from_group(8080, groups["web-lb"]))
groups["backend"] = group("backend", from_group(8080, groups["internal-lb"]))

def instance(subnet_name, group_name):
    return ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                             SubnetId=subnets[subnet_name], SecurityGroupIds=[groups[group_name]])["Instances"][0]

placed = {"ssh-public": "public-a", "ssh-eip": "public-b", "ssh-private": "private-a",
          "ssh-private-eip": "private-a", "ssh-acl": "guarded", "app": "private-a", "backend": "private-b"}
instances = {name: instance(where, name)["InstanceId"] for name, where in placed.items()}
elastic_ips = {}
for name in ("ssh-eip", "ssh-private-eip"):
    address = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=address["AllocationId"], InstanceId=instances[name])
    elastic_ips[name] = address["PublicIp"]
described = ec2.describe_instances(InstanceIds=list(instances.values()))["Reservations"]
public_ips = {i["InstanceId"]: i.get("PublicIpAddress") for r in described for i in r["Instances"]}

def load_balancer(name, scheme, subnet_names, group_name, target):
    lb = elbv2.create_load_balancer(Name=name, Subnets=[subnets[s] for s in subnet_names], Scheme=scheme,
                                    SecurityGroups=[groups[group_name]], Type="application")["LoadBalancers"][0]
    tg = elbv2.create_target_group(Name=f"{name}-targets", Protocol="HTTP", Port=8080, VpcId=vpc,
                                   TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": instances[target]}])
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    return {"arn": lb["LoadBalancerArn"], "target_group": tg}

load_balancers = {
    "web": load_balancer("web", "internet-facing", ["public-a", "public-b"], "web-lb", "app"),
    "internal": load_balancer("internal", "internal", ["private-a", "private-b"], "internal-lb", "backend"),
}
print(json.dumps({
    "vpc": vpc, "igw": igw, "acl": acl, "default_acl": default_acl["NetworkAclId"], "public_table": public_table,
    "main_table": main_table, "subnets": subnets, "groups": groups, "instances": instances,
    "public_ips": {name: public_ips[i] for name, i in instances.items()}, "elastic_ips": elastic_ips,
    "load_balancers": load_balancers,
}))
"#;

fn seed(moto: &Moto) -> Value {
    moto.python(&["-c", SEED, "--endpoint", &moto.url, "--region", "us-east-1"], &[])
}

/// Scans us-east-1 through `endpoint` (moto, or a proxy in front of it), saving the snapshot; returns the run
/// and the snapshot.
fn scan(endpoint: &str) -> (Run, Value) {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let run = sgaudit_at(
        endpoint,
        &["scan", "--region", "us-east-1", "--format", "json", "--quiet", "--save-snapshot", snap.to_str().unwrap()],
        "testing",
        "testing",
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let text = std::fs::read_to_string(&snap).unwrap_or_else(|e| panic!("no snapshot ({e}); stderr:\n{}", run.stderr));
    (run, serde_json::from_str(&text).unwrap())
}

/// The judged group the manifest names.
fn judged<'a>(doc: &'a Value, manifest: &Value, name: &str) -> &'a Value {
    group(doc, manifest["groups"][name].as_str().unwrap())
}

/// A group's `reachability`.
fn reach<'a>(doc: &'a Value, manifest: &Value, name: &str) -> &'a Value {
    &judged(doc, manifest, name)["reachability"]
}

/// A list of strings of the report, empty where it is absent (the report leaves empty lists out).
fn strings<'a>(value: &'a Value, key: &str) -> Vec<&'a str> {
    value[key].as_array().map(|a| a.iter().map(|v| v.as_str().unwrap()).collect()).unwrap_or_default()
}

/// The messages of a group's findings of `check`.
fn findings<'a>(doc: &'a Value, manifest: &Value, name: &str, check: &str) -> Vec<&'a str> {
    judged(doc, manifest, name)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == check)
        .map(|f| f["message"].as_str().unwrap())
        .collect()
}

/// The lines of a group's `not_evaluated` that name `check`.
fn not_evaluated<'a>(doc: &'a Value, manifest: &Value, name: &str, check: &str) -> Vec<&'a str> {
    strings(judged(doc, manifest, name), "not_evaluated")
        .into_iter()
        .filter(|line| line.starts_with(&format!("{check}:")))
        .collect()
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|v| v[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list:#}"))
}

/// `eni-… (instance i-…)`: an instance's interface as the paths and reasons name it, from the snapshot's
/// evidence (moto picks the interface's id).
fn holder(network: &Value, manifest: &Value, name: &str) -> (String, String) {
    let instance = manifest["instances"][name].as_str().unwrap();
    let eni = find(&network["interfaces"], "instance_id", instance)["network_interface_id"].as_str().unwrap();
    (eni.to_string(), format!("{eni} (instance {instance})"))
}

const ADMIN: &str = "sg-internet-reachable-admin-port";
const HIGH_RISK: &str = "sg-internet-reachable-high-risk-port";
const SSH_GROUPS: [&str; 5] = ["ssh-public", "ssh-eip", "ssh-private", "ssh-private-eip", "ssh-acl"];

#[test]
fn each_world_open_group_is_reachable_or_not_by_its_path() {
    let moto = Moto::start();
    let m = seed(&moto);
    let id = |path: &[&str]| -> String { path.iter().fold(&m, |v, k| &v[*k]).as_str().unwrap().to_string() };
    let (run, snap) = scan(&moto.url);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    for source in sgaudit_snapshot::REACH_SOURCES {
        assert_eq!(coverage(&doc, source)["state"], "complete", "{source}: {}", coverage(&doc, source));
    }

    // The evidence read back is the estate that was seeded.
    let network = &find(&snap["regions"], "region", "us-east-1")["network"];
    let public_ips = |name: &str| {
        strings(find(&network["interfaces"], "instance_id", &id(&["instances", name])), "public_ips")
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let auto = m["public_ips"]["ssh-public"].as_str().expect("moto gives an address in a MapPublicIpOnLaunch subnet");
    let elastic = id(&["elastic_ips", "ssh-eip"]);
    assert_eq!(public_ips("ssh-public"), [auto]);
    assert_eq!(public_ips("ssh-eip"), [elastic.as_str()], "an Elastic IP's association");
    assert_eq!(public_ips("ssh-private"), Vec::<String>::new());
    let public_table = find(&network["route_tables"], "route_table_id", &id(&["public_table"]));
    assert_eq!(public_table["main"], false);
    let routed = strings(public_table, "subnets");
    for name in ["public-a", "public-b", "guarded"] {
        assert!(routed.contains(&id(&["subnets", name]).as_str()), "{name} in {public_table}");
    }
    assert!(
        public_table["routes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["destination"] == "0.0.0.0/0" && r["target"] == m["igw"]),
        "{public_table}"
    );
    assert_eq!(find(&network["route_tables"], "route_table_id", &id(&["main_table"]))["main"], true);
    assert_eq!(find(&network["internet_gateways"], "internet_gateway_id", &id(&["igw"]))["vpcs"][0], m["vpc"]);
    let acls = &find(&snap["regions"], "region", "us-east-1")["posture"]["network_acls"];
    let acl = find(acls, "network_acl_id", &id(&["acl"]));
    assert_eq!(strings(acl, "subnets"), [id(&["subnets", "guarded"])]);
    assert!(
        acl["entries"].as_array().unwrap().iter().any(|e| e["rule_number"] == 90
            && e["action"] == "deny"
            && e["from_port"] == 22
            && e["to_port"] == 22
            && e["egress"] == false),
        "{acl}"
    );
    let web = id(&["load_balancers", "web", "arn"]);
    let internal = id(&["load_balancers", "internal", "arn"]);
    assert_eq!(find(&network["load_balancers"], "id", &web)["internet_facing"], true);
    assert_eq!(find(&network["load_balancers"], "id", &internal)["internet_facing"], false);
    assert_eq!(strings(find(&network["load_balancers"], "id", &web), "groups"), [id(&["groups", "web-lb"])]);
    // Only the internet-facing load balancer's listeners are read.
    assert_eq!(network["listeners"], serde_json::json!([{"load_balancer": web, "protocol": "HTTP", "port": 80}]));
    let target = find(&network["targets"], "load_balancer", &web);
    assert_eq!(
        (target["kind"].as_str(), target["id"].as_str(), target["port"].as_u64()),
        (Some("instance"), Some(id(&["instances", "app"]).as_str()), Some(8080))
    );

    // SSH open to the world on each: the seeds' finding stands, reachable or not.
    for name in SSH_GROUPS {
        assert_eq!(findings(&doc, &m, name, "sg-world-open-ssh").len(), 1, "{name}: {}", judged(&doc, &m, name));
    }
    // Reachable: a public address (auto-assigned, or an Elastic IP) in a subnet routed to the internet gateway,
    // whose network ACL lets 22 in and the replies out. The path is the evidence, and the finding gives it.
    for (name, address) in [("ssh-public", auto), ("ssh-eip", elastic.as_str())] {
        let (eni, who) = holder(network, &m, name);
        let text = format!(
            "tcp 22 reachable from the internet on {who} at {address} via {} (route table {}, network ACL {})",
            id(&["igw"]),
            id(&["public_table"]),
            id(&["default_acl"])
        );
        let r = reach(&doc, &m, name);
        assert_eq!(r["state"], "reachable", "{name}: {r}");
        assert_eq!(
            r["paths"],
            serde_json::json!([{"via": "direct", "protocol": "tcp", "ports": {"from": 22, "to": 22},
                                "resource": eni, "text": text}]),
            "{name}"
        );
        assert_eq!(findings(&doc, &m, name, ADMIN), [text.as_str()], "{name}");
    }
    // Not reachable, each for its reason: no public address; an Elastic IP in a subnet with no route to the
    // internet gateway; a network ACL that denies 22. No finding of reachability.
    let blocked = [
        ("ssh-private", "no public IPv4 address".to_string()),
        (
            "ssh-private-eip",
            format!(
                "{} is private (route table {} sends no IPv4 traffic to an internet gateway)",
                id(&["subnets", "private-a"]),
                id(&["main_table"])
            ),
        ),
        ("ssh-acl", format!("tcp 22 blocked by network ACL {} (inbound from 0.0.0.0/0)", id(&["acl"]))),
    ];
    for (name, why) in blocked {
        let (_, who) = holder(network, &m, name);
        let r = reach(&doc, &m, name);
        assert_eq!(r["state"], "not_reachable", "{name}: {r}");
        assert_eq!(strings(r, "blocked"), [format!("{who}: {why}")], "{name}");
        assert_eq!(strings(r, "paths"), Vec::<&str>::new(), "{name}");
        assert_eq!(findings(&doc, &m, name, ADMIN), Vec::<&str>::new(), "{name}: {}", judged(&doc, &m, name));
    }

    // The internet-facing load balancer's group: its listener is open to the world (moto makes no interfaces
    // for load balancers, so the group is held by none).
    let r = reach(&doc, &m, "web-lb");
    assert_eq!(r["state"], "reachable", "{r}");
    assert_eq!(
        r["paths"],
        serde_json::json!([{"via": "load_balancer", "protocol": "tcp", "ports": {"from": 80, "to": 80},
                            "resource": web, "text": format!(
                                "tcp 80 reachable from the internet through application load balancer web (network ACL {})",
                                id(&["default_acl"]))}])
    );
    // Its target, an instance of a private subnet with no public address, admits 8080 from the load balancer's
    // group: reachable through it, and 8080 is a high-risk port (FSBP EC2.19).
    let (app_eni, app) = holder(network, &m, "app");
    let text =
        format!("tcp 8080 reachable from the internet through application load balancer web (listener 80) to {app}");
    let r = reach(&doc, &m, "app");
    assert_eq!(r["state"], "reachable", "{r}");
    assert_eq!(
        r["paths"],
        serde_json::json!([{"via": "target", "protocol": "tcp", "ports": {"from": 8080, "to": 8080},
                            "resource": app_eni, "text": text}])
    );
    assert_eq!(findings(&doc, &m, "app", HIGH_RISK), [text.as_str()]);
    // The internal load balancer is not followed: its world-open group reaches nothing, its target's group is
    // not exposed at all.
    let r = reach(&doc, &m, "internal-lb");
    assert_eq!(
        (r["state"].as_str(), strings(r, "blocked")),
        (Some("not_reachable"), vec!["held by no network interface"])
    );
    assert_eq!(reach(&doc, &m, "backend")["state"], "not_exposed");
    for name in ["backend", "internal-lb", "web-lb"] {
        assert_eq!(findings(&doc, &m, name, HIGH_RISK), Vec::<&str>::new(), "{name}");
        assert_eq!(findings(&doc, &m, name, ADMIN), Vec::<&str>::new(), "{name}");
    }
    // Every piece of the evidence was read: nothing is missing, nothing left undecided.
    for g in doc["security_groups"].as_array().unwrap() {
        assert_ne!(g["reachability"]["state"], "unknown", "{g}");
        assert!(g["reachability"].get("missing").is_none(), "{g}");
        assert!(!strings(g, "not_evaluated").iter().any(|l| l.contains("reach")), "{g}");
    }
}

/// A reachability source that could not be read leaves the groups it would decide `unknown`: never "not
/// reachable" (nor "not exposed": a load balancer that was not seen may stand in front of any group), and never
/// a verdict of use changed. A path proven by what was read stands.
#[test]
fn a_denied_reach_source_makes_reachability_unknown_never_not_reachable() {
    let moto = Moto::start();
    let m = seed(&moto);
    let deny = |action: &str| {
        Fault::Deny(format!(
            "User: arn:aws:sts::123456789012:assumed-role/Audit/sgaudit is not authorized to perform: {action}"
        ))
    };
    let states = |doc: &Value| -> Vec<(String, String)> {
        doc["security_groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (g["group_name"].as_str().unwrap().to_string(), g["reachability"]["state"].as_str().unwrap().into())
            })
            .collect()
    };

    // Without the route tables, no interface's path can be proven, nor disproven.
    let proxy =
        FaultProxy::start(&moto.url, vec![Rule::always("DescribeRouteTables", deny("ec2:DescribeRouteTables"))]);
    let (run, _) = scan(&proxy.url);
    let doc = run.json();
    let tables = coverage(&doc, "ec2-route-tables");
    assert_eq!(tables["state"], "denied", "{tables}");
    assert_eq!(tables["error"]["action"], "ec2:DescribeRouteTables");
    for name in SSH_GROUPS {
        let g = judged(&doc, &m, name);
        assert_eq!(g["status"], "in_use", "reachability is not evidence of use: {g}");
        assert_eq!(g["reachability"]["state"], "unknown", "{name}: {g}");
        assert!(strings(&g["reachability"], "missing").contains(&"ec2-route-tables"), "{name}: {g}");
        assert_eq!(findings(&doc, &m, name, ADMIN), Vec::<&str>::new(), "{name}: {g}");
        let why = not_evaluated(&doc, &m, name, ADMIN);
        assert!(why.len() == 1 && why[0].contains("ec2-route-tables"), "{name}: not judged, never passed: {g}");
        assert_eq!(findings(&doc, &m, name, "sg-world-open-ssh").len(), 1, "{name}");
    }
    // The load balancer's paths need no route table: they stand.
    for name in ["web-lb", "app"] {
        assert_eq!(reach(&doc, &m, name)["state"], "reachable", "{name}");
    }
    assert_eq!(findings(&doc, &m, "app", HIGH_RISK).len(), 1, "{}", judged(&doc, &m, "app"));
    for (name, state) in states(&doc) {
        assert!(state == "reachable" || state == "unknown", "{name}: {state}");
    }
    let first = (run.code, doc["summary"]["partial"].clone(), run.stderr.clone());

    // Without the targets, what stands behind the load balancer is not known.
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule::always("DescribeTargetHealth", deny("elasticloadbalancing:DescribeTargetHealth"))],
    );
    let (run, _) = scan(&proxy.url);
    let doc = run.json();
    assert_eq!(coverage(&doc, "elbv2-target-groups")["state"], "denied");
    let app = reach(&doc, &m, "app");
    assert_eq!(app["state"], "unknown", "{app}");
    assert!(strings(app, "missing").contains(&"elbv2-target-groups"), "{app}");
    assert_eq!(findings(&doc, &m, "app", HIGH_RISK), Vec::<&str>::new());
    // The interfaces' own paths and the listener's were read whole: still proven.
    for name in ["ssh-public", "ssh-eip", "web-lb"] {
        assert_eq!(reach(&doc, &m, name)["state"], "reachable", "{name}");
    }
    assert_eq!(findings(&doc, &m, "ssh-public", ADMIN).len(), 1, "{}", judged(&doc, &m, "ssh-public"));
    for (name, state) in states(&doc) {
        assert!(state == "reachable" || state == "unknown", "{name}: {state}");
    }

    // Checks not evaluated make each run partial: exit 3, as for missing evidence of use.
    for (code, partial, stderr) in [first, (run.code, doc["summary"]["partial"].clone(), run.stderr.clone())] {
        assert_eq!(partial, true);
        assert_eq!(code, 3, "{stderr}");
    }
}

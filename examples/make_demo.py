#!/usr/bin/env python3
"""Writes examples/demo-snapshot.json: a small, realistic estate that shows every status and risk level, and
world-open groups that the internet can and cannot reach.

The snapshot is hand-made data (no AWS account needed); `sgaudit scan --from-snapshot` judges it exactly as it
judges a real scan. Run again after changing the source list: `python3 examples/make_demo.py`.
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SNAPSHOT_LIB = os.path.join(HERE, "..", "crates", "snapshot", "src", "lib.rs")
SNAPSHOT_NETWORK = os.path.join(HERE, "..", "crates", "snapshot", "src", "network.rs")
SNAPSHOT_POSTURE = os.path.join(HERE, "..", "crates", "snapshot", "src", "posture.rs")
ACCOUNT = "123456789012"


def const_ids(path, name):
    """The ids of a `pub const NAME: &[&str]` list of the snapshot schema."""
    text = open(path).read()
    block = text[text.index(f"pub const {name}: &[&str] = &["):]
    block = block[: block.index("];")]
    return re.findall(r'"([a-z0-9-]+)"', block)


# Evidence of the account checks (issue 11), read in every region.
POSTURE_SOURCES = sorted(const_ids(SNAPSHOT_POSTURE, "REGION_POSTURE_SOURCES"))


def source_ids():
    """The group sources every account-region records (`SOURCES`), and the sources of the reachability evidence
    that are not also group or posture sources (`REACH_SOURCES`: subnets, route tables, gateways, listeners,
    target groups)."""
    groups = const_ids(SNAPSHOT_LIB, "SOURCES")
    reach = [s for s in const_ids(SNAPSHOT_NETWORK, "REACH_SOURCES") if s not in groups and s not in POSTURE_SOURCES]
    return sorted(groups + reach)


def rule(proto, lo=None, hi=None, v4=(), v6=(), groups=(), desc=None, lists=()):
    r = {"protocol": proto}
    if lo is not None:
        r["from_port"], r["to_port"] = lo, hi
    if v4:
        r["ipv4_ranges"] = [{"id": c, **({"description": desc} if desc else {})} for c in v4]
    if v6:
        r["ipv6_ranges"] = [{"id": c} for c in v6]
    if lists:
        r["prefix_lists"] = [{"id": p} for p in lists]
    if groups:
        r["groups"] = [{"group_id": g, "user_id": ACCOUNT} for g in groups]
    return r


ALL_OUT = rule("-1", v4=["0.0.0.0/0"])


def group(gid, name, desc, vpc, ingress=(), egress=(ALL_OUT,), tags=None):
    return {
        "group_id": gid, "group_name": name, "description": desc, "vpc_id": vpc, "owner_id": ACCOUNT,
        "tags": tags or {}, "ingress": list(ingress), "egress": list(egress),
    }


def use(gid, kind, rid, via, source, detail=None):
    a = {"target": {"group": gid}, "kind": kind, "resource_id": rid, "via": via, "source": source}
    if detail:
        a["detail"] = detail
    return a


def coverage(ids, overrides):
    out = []
    for s in ids:
        entry = {"source": s, "state": "complete", "requests": 1, "items": 0}
        entry.update(overrides.get(s, {}))
        out.append(entry)
    return out


ids = source_ids()
arn = lambda svc, rest: f"arn:aws:{svc}:us-east-1:{ACCOUNT}:{rest}"
V1, V2 = "vpc-0a11c0ffee0000001", "vpc-0a11c0ffee0000002"
# V1's subnets: two routed to the internet gateway (the load balancer's and the bastion's), one private.
PUBLIC_A, PUBLIC_B, PRIVATE_A = "subnet-0a11c0ffee0000001", "subnet-0a11c0ffee0000002", "subnet-0a11c0ffee0000003"
WEB_ALB = arn("elasticloadbalancing", "loadbalancer/app/web/50dc6c495c0c9188")
PARTNERS_LIST = "pl-0a11c0ffee00000a1"
use1 = {
    "account_id": ACCOUNT, "region": "us-east-1",
    "security_groups": [
        group("sg-0a200000000000a1b", "web-alb", "Public HTTPS", V1,
              [rule("tcp", 443, 443, v4=["0.0.0.0/0"], v6=["::/0"])], tags={"Team": "web", "Name": "web-alb"}),
        group("sg-0a300000000ba5710", "bastion", "SSH bastion", V1,
              [rule("tcp", 22, 22, v4=["0.0.0.0/0"], desc="temporary, remove!")], tags={"Team": "ops"}),
        group("sg-0a100000000000a99", "app", "App tasks", V1,
              [rule("tcp", 8080, 8080, groups=["sg-0a200000000000a1b"])],
              [rule("tcp", 443, 443, groups=["sg-0ab000000000e6e55"])]),
        # The reporting partners' prefix list was made with room for 50 entries (it holds 3): a reference costs all
        # 50 against the group's quota of rules, which puts db near it.
        group("sg-0a0000000000000db", "db", "Postgres", V1,
              [rule("tcp", 5432, 5432, groups=["sg-0a100000000000a99"], lists=[PARTNERS_LIST])]),
        group("sg-0a7000000000def01", "default", "default VPC security group", V1,
              [rule("-1", groups=["sg-0a7000000000def01"])]),
        group("sg-0ad00000001e6acdb", "legacy-mysql", "old MySQL, open to all", V1,
              [rule("tcp", 3306, 3306, v4=["0.0.0.0/0"])]),
        group("sg-0a400000000001dc1", "old-ci-runner", "Jenkins agents (decommissioned)", V1,
              [rule("tcp", 22, 22, v4=["10.0.0.0/8"])], tags={"Owner": "=HYPERLINK(\"http://evil\")"}),
        group("sg-0a500000000cab1ea", "batch-old-a", "chain head", V1, [rule("tcp", 9000, 9000, groups=["sg-0a600000000cab1eb"])]),
        group("sg-0a600000000cab1eb", "batch-old-b", "chain tail", V1, [rule("tcp", 9000, 9000, groups=["sg-0a500000000cab1ea"])]),
        group("sg-0a90000000005ca1e", "asg-workers", "only in a launch template", V1),
        group("sg-0ab000000000e6e55", "egress-target", "named in app's egress rule", V1),
        group("sg-0aa00000000ad3389", "<b>rdp-admin</b>", "RDP for admins", V1,
              [rule("tcp", 3389, 3389, v6=["::/0"])]),
        group("sg-0ae000000006afa0a", "metrics", "Grafana", V1, [rule("tcp", 3000, 3000, v4=["0.0.0.0/0"])]),
        group("sg-0ac000000001abda1", "orders-lambda", "Lambda that never ran", V1),
        group("sg-0a8000000000def02", "default", "default VPC security group", V2,
              [rule("-1", groups=["sg-0a8000000000def02"])]),
        group("sg-0af000000005e1fef", "cluster-internal", "self-referencing only", V2,
              [rule("-1", groups=["sg-0af000000005e1fef"])]),
    ],
    "attachments": [
        use("sg-0a200000000000a1b", "elbv2-load-balancer", WEB_ALB, "config", "elbv2-load-balancers"),
        use("sg-0a200000000000a1b", "network-interface", "eni-0a000000000000001", "eni", "ec2-network-interfaces", "interface; ELB app/web/50dc6c495c0c9188"),
        use("sg-0a300000000ba5710", "ec2-instance", "i-0a00000000000bast", "config", "ec2-instances", "running"),
        use("sg-0a300000000ba5710", "network-interface", "eni-0a000000000000002", "eni", "ec2-network-interfaces", "interface; attached to i-0a00000000000bast"),
        use("sg-0a100000000000a99", "ecs-service", f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/app", "config", "ecs-services", "desired count 0"),
        use("sg-0a0000000000000db", "rds-db-instance", arn("rds", "db:orders"), "config", "rds-db-instances"),
        use("sg-0a0000000000000db", "peered-vpc-reference", "vpc-0c33feed00000001", "rule", "ec2-peered-vpc-references",
            "referenced by a rule in vpc-0c33feed00000001 of account 210987654321 through pcx-0a1b2c3d4e5f60718"),
        use("sg-0a7000000000def01", "ec2-instance", "i-0a00000000000old1", "config", "ec2-instances", "stopped"),
        use("sg-0a90000000005ca1e", "launch-template", "lt-0a000000000000001", "config", "ec2-launch-templates", "version 3 (default, latest)"),
        use("sg-0a90000000005ca1e", "autoscaling-group",
            f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:6d3c1f6e-0a1b-4c2d-9e8f-0a1b2c3d4e5f:autoScalingGroupName/workers",
            "config", "autoscaling-groups", "desired 0 (min 0, max 10): launch template lt-0a000000000000001 version 2"),
        use("sg-0a100000000000a99", "scheduler-schedule", f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/nightly-report",
            "config", "scheduler-schedules", "ECS task target (awsvpc), schedule DISABLED"),
        use("sg-0a100000000000a99", "emr-serverless-application", arn("emr-serverless", "/applications/00fabcde12345678"),
            "config", "emr-serverless-applications", "networkConfiguration, state STOPPED"),
        use("sg-0aa00000000ad3389", "network-interface", "eni-0a000000000000003", "eni", "ec2-network-interfaces", "interface; detached"),
        use("sg-0ae000000006afa0a", "ec2-instance", "i-0a000000000graf1", "config", "ec2-instances", "running"),
        use("sg-0ae000000006afa0a", "network-interface", "eni-0a000000000000004", "eni", "ec2-network-interfaces", "interface; attached to i-0a000000000graf1"),
        use("sg-0ac000000001abda1", "lambda-function", arn("lambda", "function:orders"), "config", "lambda-functions"),
    ],
    "coverage": coverage(ids, {"workspaces-directories": {"state": "not_applicable", "reason": "the service has no endpoint in this region"}}),
    # The bastion's old rule to a database group of a peered account whose peering was deleted.
    "stale_rules": [{"group_id": "sg-0a300000000ba5710", "direction": "ingress", "protocol": "tcp",
                     "from_port": 5432, "to_port": 5432, "peer_group_id": "sg-0c33feed0000000db",
                     "peer_account_id": "210987654321", "vpc_peering_connection_id": "pcx-0a1b2c3d4e5f60799",
                     "peering_status": "deleted"}],
}
W1 = "vpc-0b22c0ffee0000001"
euw1 = {
    "account_id": ACCOUNT, "region": "eu-west-1",
    "security_groups": [
        # SSH open in the group, but denied by the subnet's network ACL: only 443 is reachable.
        group("sg-0b0000000000000eb", "eu-web", "EU web", W1,
              [rule("tcp", 443, 443, v4=["0.0.0.0/0"]),
               rule("tcp", 22, 22, v4=["0.0.0.0/0"], desc="break-glass; the subnet's network ACL denies 22")]),
        group("sg-0b300000000e90475", "reports-lambda", "reports", W1),
        group("sg-0b2000000000e5522", "eu-ssh-open", "SSH from anywhere", W1, [rule("tcp", 22, 22, v4=["0.0.0.0/0"])]),
        group("sg-0b1000000000def01", "default", "default VPC security group", W1,
              [rule("-1", groups=["sg-0b1000000000def01"])]),
    ],
    "attachments": [
        # Shared with a partner account through RAM: unknown unless that account is scanned too.
        {"target": {"group": "sg-0b300000000e90475"}, "kind": "ram-resource-share", "resource_id": "210987654321",
         "via": "shared", "source": "ram-shared-security-groups",
         "detail": f"shared with 210987654321 through arn:aws:ram:eu-west-1:{ACCOUNT}:resource-share/7e57c0de-0000-4000-8000-000000000001"},
        use("sg-0b0000000000000eb", "network-interface", "eni-0b000000000000001", "eni", "ec2-network-interfaces", "interface; attached to i-0b000000000web01"),
        use("sg-0b0000000000000eb", "ec2-instance", "i-0b000000000web01", "config", "ec2-instances", "running"),
    ],
    "coverage": coverage(ids, {"lambda-functions": {"state": "denied", "error": {
        "code": "AccessDeniedException", "action": "lambda:ListFunctions", "scp_deny": True,
        "message": f"User: arn:aws:sts::{ACCOUNT}:assumed-role/Audit/sgaudit is not authorized to perform: "
                   "lambda:ListFunctions with an explicit deny in a service control policy"}}}),
}
# Evidence of the account checks (issue 11): regional, then account-wide.
SCP_DENY = lambda action: {"state": "denied", "error": {
    "code": "AccessDeniedException", "action": action, "scp_deny": True,
    "message": f"User: arn:aws:sts::{ACCOUNT}:assumed-role/Audit/sgaudit is not authorized to perform: {action} "
               "with an explicit deny in a service control policy"}}
ORG_TRAIL = {
    "name": "org-audit", "arn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org-audit", "home_region": "us-east-1",
    "multi_region": True, "organization": True, "log_file_validation": True, "s3_bucket": f"demo-logs-{ACCOUNT}",
    "logging": True, "selectors": {"basic": [{"read_write_type": "All", "include_management_events": True}]},
}
DEV_TRAIL = {
    "name": "dev-writes", "arn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/dev-writes", "home_region": "us-east-1",
    "multi_region": False, "organization": False, "log_file_validation": False, "s3_bucket": f"demo-logs-{ACCOUNT}",
    "kms_key_id": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-0000-4000-8000-00000000c0de",
    "logging": False, "selectors": {"basic": [{"read_write_type": "WriteOnly", "include_management_events": True}]},
}
use1["coverage"] += coverage(POSTURE_SOURCES, {})
use1["posture"] = {
    "trails": [DEV_TRAIL, ORG_TRAIL],
    "ebs_encryption_by_default": True,
    # AWS's default network ACL: everything in, then the catch-all deny.
    "network_acls": [{"network_acl_id": "acl-0a11c0ffee0000001", "vpc_id": V1, "is_default": True,
                      "subnets": [PUBLIC_A, PUBLIC_B, PRIVATE_A], "entries": [
                          {"rule_number": 100, "egress": False, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"},
                          {"rule_number": 32767, "egress": False, "protocol": "-1", "action": "deny", "cidr": "0.0.0.0/0"},
                          {"rule_number": 100, "egress": True, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"}]}],
    # The account's own list, and two of AWS's (which carry no maximum: AWS documents their weight).
    "prefix_lists": [
        {"prefix_list_id": "pl-02cd2c6b", "name": "com.amazonaws.us-east-1.dynamodb", "owner_id": "AWS",
         "address_family": "IPv4"},
        {"prefix_list_id": "pl-3b927c52", "name": "com.amazonaws.global.cloudfront.origin-facing", "owner_id": "AWS",
         "address_family": "IPv4"},
        {"prefix_list_id": PARTNERS_LIST, "name": "reporting-partners", "owner_id": ACCOUNT,
         "address_family": "IPv4", "max_entries": 50},
    ],
    # Service Quotas' applied values, at AWS's defaults here.
    "quotas": [{"service_code": "vpc", "code": "L-0EA8095F", "value": 60},
               {"service_code": "vpc", "code": "L-2AFB9258", "value": 5}],
}
# CloudTrail denied by an SCP in eu-west-1: its CloudTrail checks are not evaluated there.
euw1["coverage"] += coverage(POSTURE_SOURCES, {"cloudtrail-trails": SCP_DENY("cloudtrail:DescribeTrails")})
euw1["posture"] = {
    "ebs_encryption_by_default": False,
    "network_acls": [{"network_acl_id": "acl-0b22c0ffee0000001", "vpc_id": W1, "is_default": False,
                      "subnets": ["subnet-0b22c0ffee0000001"], "entries": [
                          {"rule_number": 90, "egress": False, "protocol": "6", "action": "deny", "cidr": "0.0.0.0/0",
                           "from_port": 22, "to_port": 22},
                          {"rule_number": 91, "egress": False, "protocol": "6", "action": "deny", "cidr": "0.0.0.0/0",
                           "from_port": 3389, "to_port": 3389},
                          {"rule_number": 100, "egress": False, "protocol": "6", "action": "allow", "cidr": "0.0.0.0/0",
                           "from_port": 0, "to_port": 65535},
                          # Replies out: without an outbound entry, nothing in the subnet could answer anyone.
                          {"rule_number": 100, "egress": True, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"}]}],
    "prefix_lists": [{"prefix_list_id": "pl-6da54004", "name": "com.amazonaws.eu-west-1.s3", "owner_id": "AWS",
                      "address_family": "IPv4"}],
    # Groups per interface raised to 10 in this region; Service Quotas holds no applied value of rules per group
    # (NoSuchResourceException), so AWS's default of 60 holds.
    "quotas": [{"service_code": "vpc", "code": "L-0EA8095F"},
               {"service_code": "vpc", "code": "L-2AFB9258", "value": 10}],
}
def eni(eni_id, subnet, vpc, groups, private, public=(), instance=None, description=None):
    """An interface's addressing. The groups it holds are its `eni` attachments, which must name exactly `groups`
    (checked below): the snapshot does not repeat them here."""
    e = {"network_interface_id": eni_id, "subnet_id": subnet, "vpc_id": vpc, "private_ips": [private],
         "interface_type": "interface", "_groups": groups}
    if public:
        e["public_ips"] = list(public)
    if instance:
        e["instance_id"] = instance
    if description:
        e["description"] = description
    return e


def local(cidr):
    return {"destination": cidr, "target": "local", "state": "active"}


def default_route(target):
    return {"destination": "0.0.0.0/0", "target": target, "state": "active"}


# The paths from the internet (issue 16), side by side in us-east-1: the bastion's SSH is reachable (a public
# address in a subnet routed to the internet gateway), the admins' RDP is not (a detached interface in the private
# subnet, with no IPv6 address for its ::/0 rule), and Grafana, on an instance of the private subnet with no
# public address, is reachable all the same: it is a target of the internet-facing load balancer, and its group
# admits 3000 from anywhere, the load balancer included. web-alb is reachable through its load balancer's
# listener (and on the load balancer's own public interface); legacy-mysql, open to all, is held by nothing.
use1["network"] = {
    "subnets": [
        {"subnet_id": PUBLIC_A, "vpc_id": V1, "cidr_ipv4": "10.0.0.0/24"},
        {"subnet_id": PUBLIC_B, "vpc_id": V1, "cidr_ipv4": "10.0.1.0/24"},
        {"subnet_id": PRIVATE_A, "vpc_id": V1, "cidr_ipv4": "10.0.10.0/24"},
    ],
    "route_tables": [
        # The main table, followed by the private subnet: out through a NAT gateway, nothing in.
        {"route_table_id": "rtb-0a11c0ffee0000001", "vpc_id": V1, "main": True,
         "routes": [default_route("nat-0a11c0ffee0000001"), local("10.0.0.0/16")]},
        {"route_table_id": "rtb-0a11c0ffee0000002", "vpc_id": V1, "main": False, "subnets": [PUBLIC_A, PUBLIC_B],
         "routes": [default_route("igw-0a11c0ffee0000001"), local("10.0.0.0/16")]},
    ],
    "internet_gateways": [{"internet_gateway_id": "igw-0a11c0ffee0000001", "vpcs": [V1]}],
    "interfaces": [
        eni("eni-0a000000000000001", PUBLIC_A, V1, ["sg-0a200000000000a1b"], "10.0.0.10", ["203.0.113.10"],
            description="ELB app/web/50dc6c495c0c9188"),
        eni("eni-0a000000000000002", PUBLIC_A, V1, ["sg-0a300000000ba5710"], "10.0.0.20", ["203.0.113.20"],
            instance="i-0a00000000000bast"),
        eni("eni-0a000000000000003", PRIVATE_A, V1, ["sg-0aa00000000ad3389"], "10.0.10.30"),
        eni("eni-0a000000000000004", PRIVATE_A, V1, ["sg-0ae000000006afa0a"], "10.0.10.40",
            instance="i-0a000000000graf1"),
    ],
    "load_balancers": [{"id": WEB_ALB, "name": "web", "kind": "application", "internet_facing": True, "vpc_id": V1,
                        "subnets": [PUBLIC_A, PUBLIC_B], "groups": ["sg-0a200000000000a1b"]}],
    "listeners": [{"load_balancer": WEB_ALB, "protocol": "HTTPS", "port": 443}],
    "targets": [{"load_balancer": WEB_ALB, "target_group": arn("elasticloadbalancing", "targetgroup/grafana/0f1e2d3c4b5a6978"),
                 "kind": "instance", "id": "i-0a000000000graf1", "port": 3000}],
}
# eu-west-1: the web server has a public address in a subnet routed to the internet gateway; its group opens 443
# and 22 to the world, and the subnet's network ACL denies 22: 443 is reachable, SSH is not.
euw1["network"] = {
    "subnets": [{"subnet_id": "subnet-0b22c0ffee0000001", "vpc_id": W1, "cidr_ipv4": "10.1.0.0/24"}],
    "route_tables": [{"route_table_id": "rtb-0b22c0ffee0000001", "vpc_id": W1, "main": True,
                      "routes": [default_route("igw-0b22c0ffee0000001"), local("10.1.0.0/16")]}],
    "internet_gateways": [{"internet_gateway_id": "igw-0b22c0ffee0000001", "vpcs": [W1]}],
    "interfaces": [eni("eni-0b000000000000001", "subnet-0b22c0ffee0000001", W1, ["sg-0b0000000000000eb"], "10.1.0.10",
                       ["198.51.100.10"], instance="i-0b000000000web01")],
}
iam_user = lambda name: f"arn:aws:iam::{ACCOUNT}:user/{name}"
OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
PARTNER = "be2fe74dc7e8125d8f8fcae89d1e6ed07e6dfaed8e0a0a1fd4aa0b7d0a0dfe0f"
bucket_pab = {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True, "restrict_public_buckets": True}
ssl_policy = lambda b: json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
owner_grant = {"grantee_type": "CanonicalUser", "grantee": OWNER, "display_name": "demo-owner", "permission": "FULL_CONTROL"}
account_evidence = {
    "account_id": ACCOUNT, "region": "eu-west-1",
    "coverage": coverage(["iam-credential-report", "iam-password-policy", "s3-account-public-access-block", "s3-buckets"], {}),
    "credential_report": {"generated_at": "2026-11-23T03:41:07+00:00", "users": [
        {"user": "<root_account>", "arn": f"arn:aws:iam::{ACCOUNT}:root", "created": "2019-02-01T09:00:00+00:00",
         "mfa_active": True},
        {"user": "alice", "arn": iam_user("alice"), "created": "2021-05-04T10:00:00+00:00", "password_enabled": True,
         "password_last_used": "2026-11-22T17:02:00+00:00", "password_last_changed": "2026-08-01T08:00:00+00:00",
         "mfa_active": True, "access_keys": [
             {"slot": 1, "active": True, "last_rotated": "2026-10-01T12:00:00+00:00", "last_used": "2026-11-22T18:00:00+00:00"}]},
        {"user": "bob", "arn": iam_user("bob"), "created": "2020-01-10T10:00:00+00:00", "password_enabled": True,
         "password_last_used": "2026-09-01T08:30:00+00:00", "password_last_changed": "2025-01-10T10:00:00+00:00",
         "mfa_active": False, "access_keys": [
             {"slot": 1, "active": True, "last_rotated": "2026-03-01T09:00:00+00:00", "last_used": "2026-11-20T09:00:00+00:00"},
             {"slot": 2, "active": True, "last_rotated": "2026-11-01T09:00:00+00:00", "last_used": "2026-11-21T09:00:00+00:00"}]},
        {"user": "ci-deploy", "arn": iam_user("ci-deploy"), "created": "2024-06-01T10:00:00+00:00", "password_enabled": False,
         "mfa_active": False, "access_keys": [
             {"slot": 1, "active": True, "last_rotated": "2025-12-01T09:00:00+00:00", "last_used": "2026-09-01T02:00:00+00:00"},
             {"slot": 2, "active": False, "last_rotated": "2024-06-01T10:00:00+00:00"}]},
        # A user name IAM accepts that a spreadsheet would run as a formula.
        {"user": "=2+5", "arn": iam_user("=2+5"), "created": "2026-11-01T10:00:00+00:00", "password_enabled": False,
         "mfa_active": False},
    ]},
    "password_policy": {"minimum_length": 8, "require_symbols": True, "require_numbers": True,
                        "require_uppercase": True, "require_lowercase": True, "allow_users_to_change": True},
    "public_access_block": {"block_public_acls": True, "ignore_public_acls": False, "block_public_policy": True,
                            "restrict_public_buckets": False},
    "buckets": [
        {"name": "demo-data-lake", "region": "eu-west-1", "created": "2023-03-01T10:00:00+00:00", "owner_id": OWNER,
         "grants": [owner_grant], "ownership": "BucketOwnerEnforced", "policy": ssl_policy("demo-data-lake"),
         "public_access_block": bucket_pab, "encryption": ["aws:kms"]},
        {"name": f"demo-logs-{ACCOUNT}", "region": "us-east-1", "created": "2019-02-01T10:00:00+00:00", "owner_id": OWNER,
         "grants": [owner_grant,
                    {"grantee_type": "Group", "grantee": "http://acs.amazonaws.com/groups/s3/LogDelivery", "permission": "WRITE"},
                    {"grantee_type": "Group", "grantee": "http://acs.amazonaws.com/groups/s3/LogDelivery", "permission": "READ_ACP"}],
         "ownership": "BucketOwnerPreferred", "policy": ssl_policy(f"demo-logs-{ACCOUNT}"),
         "public_access_block": bucket_pab, "encryption": ["AES256"]},
        # The partner's drop bucket: another account may rewrite its ACL; its policy could not be read.
        {"name": "demo-partner-drop", "region": "eu-west-1", "created": "2022-07-01T10:00:00+00:00", "owner_id": OWNER,
         "grants": [owner_grant, {"grantee_type": "CanonicalUser", "grantee": PARTNER, "display_name": "partner-co",
                                  "permission": "WRITE_ACP"}],
         "ownership": "ObjectWriter", "encryption": ["aws:kms"],
         "errors": [{"code": "AccessDenied", "action": "s3:GetBucketPolicy",
                     "message": "User: arn:aws:sts::123456789012:assumed-role/Audit/sgaudit is not authorized to perform: "
                                "s3:GetBucketPolicy on resource: \"arn:aws:s3:::demo-partner-drop\" because no resource-based "
                                "policy allows the s3:GetBucketPolicy action"}]},
        {"name": "demo-public-site", "region": "us-east-1", "created": "2018-05-01T10:00:00+00:00", "owner_id": OWNER,
         "grants": [owner_grant, {"grantee_type": "Group", "grantee": "http://acs.amazonaws.com/groups/global/AllUsers",
                                  "permission": "READ"}],
         "ownership": "ObjectWriter", "encryption": ["AES256"],
         "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow",
                                "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::demo-public-site/*"}]})},
    ],
}
snapshot = {
    "schema_version": 1, "sgaudit_version": "demo", "collected_at": "2026-11-23T04:00:00Z",
    "accounts": [{"account_id": ACCOUNT, "profile": "demo"}],
    "regions": [euw1, use1],
    "families": ["groups", "network", "iam", "cloudtrail", "s3"],
    "account_evidence": [account_evidence],
}
for r in snapshot["regions"]:
    # Each interface's groups are the attachments of ec2-network-interfaces: they must agree with the story above.
    for e in r.get("network", {}).get("interfaces", []):
        held = sorted(a["target"]["group"] for a in r["attachments"]
                      if a["kind"] == "network-interface" and a["via"] == "eni"
                      and a["resource_id"] == e["network_interface_id"])
        assert held == sorted(e.pop("_groups")), (e["network_interface_id"], held)
    r["security_groups"].sort(key=lambda g: g["group_id"])
    r["attachments"].sort(key=lambda a: (a["target"]["group"], a["kind"], a["resource_id"]))
    r["coverage"].sort(key=lambda c: c["source"])
    for key, id_key in [("subnets", "subnet_id"), ("route_tables", "route_table_id"),
                        ("internet_gateways", "internet_gateway_id"), ("interfaces", "network_interface_id"),
                        ("load_balancers", "id")]:
        r["network"].get(key, []).sort(key=lambda x: x[id_key])
with open(os.path.join(HERE, "demo-snapshot.json"), "w") as f:
    json.dump(snapshot, f, indent=2)
    f.write("\n")
print("wrote examples/demo-snapshot.json:", sum(len(r["security_groups"]) for r in snapshot["regions"]), "groups")

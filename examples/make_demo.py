#!/usr/bin/env python3
"""Writes examples/demo-snapshot.json: a small, realistic estate that shows every status and risk level.

The snapshot is hand-made data (no AWS account needed); `sgaudit scan --from-snapshot` judges it exactly as it
judges a real scan. Run again after changing the source list: `python3 examples/make_demo.py`.
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SNAPSHOT_LIB = os.path.join(HERE, "..", "crates", "snapshot", "src", "lib.rs")
ACCOUNT = "123456789012"


def source_ids():
    """The group sources every account-region records: the snapshot schema's `SOURCES`."""
    text = open(SNAPSHOT_LIB).read()
    block = text[text.index("pub const SOURCES: &[&str] = &["):]
    block = block[: block.index("];")]
    return sorted(re.findall(r'"([a-z0-9-]+)"', block))


def rule(proto, lo=None, hi=None, v4=(), v6=(), groups=(), desc=None):
    r = {"protocol": proto}
    if lo is not None:
        r["from_port"], r["to_port"] = lo, hi
    if v4:
        r["ipv4_ranges"] = [{"id": c, **({"description": desc} if desc else {})} for c in v4]
    if v6:
        r["ipv6_ranges"] = [{"id": c} for c in v6]
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
        group("sg-0a0000000000000db", "db", "Postgres", V1, [rule("tcp", 5432, 5432, groups=["sg-0a100000000000a99"])]),
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
        use("sg-0a200000000000a1b", "elbv2-load-balancer", arn("elasticloadbalancing", "loadbalancer/app/web/50dc6c495c0c9188"), "config", "elbv2-load-balancers"),
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
        group("sg-0b0000000000000eb", "eu-web", "EU web", W1, [rule("tcp", 443, 443, v4=["0.0.0.0/0"])]),
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
POSTURE_SOURCES = ["cloudtrail-trails", "ec2-ebs-encryption-by-default", "ec2-network-acls"]
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
                      "subnets": ["subnet-0a11c0ffee0000001"], "entries": [
                          {"rule_number": 100, "egress": False, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"},
                          {"rule_number": 32767, "egress": False, "protocol": "-1", "action": "deny", "cidr": "0.0.0.0/0"},
                          {"rule_number": 100, "egress": True, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"}]}],
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
                           "from_port": 0, "to_port": 65535}]}],
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
    r["security_groups"].sort(key=lambda g: g["group_id"])
    r["attachments"].sort(key=lambda a: (a["target"]["group"], a["kind"], a["resource_id"]))
    r["coverage"].sort(key=lambda c: c["source"])
with open(os.path.join(HERE, "demo-snapshot.json"), "w") as f:
    json.dump(snapshot, f, indent=2)
    f.write("\n")
print("wrote examples/demo-snapshot.json:", sum(len(r["security_groups"]) for r in snapshot["regions"]), "groups")

#!/usr/bin/env python3
"""Writes examples/demo-snapshot.json: a small, realistic estate that shows every status and risk level.

The snapshot is hand-made data (no AWS account needed); `sgaudit scan --from-snapshot` judges it exactly as it
judges a real scan. Run again after changing the source list: `python3 examples/make_demo.py`.
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
REGISTRY = os.path.join(HERE, "..", "crates", "collect", "src", "registry.rs")
SOURCES_DIR = os.path.join(HERE, "..", "crates", "collect", "src", "sources")
ACCOUNT = "123456789012"


def source_ids():
    mods = re.findall(r"sources::(\w+)::SOURCE", open(REGISTRY).read())
    ids = []
    for m in mods:
        text = open(os.path.join(SOURCES_DIR, m + ".rs")).read()
        ids.append(re.search(r'id: "([^"]+)"', text).group(1))
    return sorted(ids)


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
snapshot = {
    "schema_version": 1, "sgaudit_version": "demo", "collected_at": "2026-11-23T04:00:00Z",
    "accounts": [{"account_id": ACCOUNT, "profile": "demo"}],
    "regions": [euw1, use1],
}
for r in snapshot["regions"]:
    r["security_groups"].sort(key=lambda g: g["group_id"])
    r["attachments"].sort(key=lambda a: (a["target"]["group"], a["kind"], a["resource_id"]))
with open(os.path.join(HERE, "demo-snapshot.json"), "w") as f:
    json.dump(snapshot, f, indent=2)
    f.write("\n")
print("wrote examples/demo-snapshot.json:", sum(len(r["security_groups"]) for r in snapshot["regions"]), "groups")

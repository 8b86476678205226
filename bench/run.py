#!/usr/bin/env python3
"""sgaudit's benchmark (not a test): a large estate in moto, then the offline audit of a synthetic one.

    python3 bench/run.py                    # the full benchmark (builds sgaudit first; ~10 minutes)
    python3 bench/run.py --groups 200 --enis 500 --offline-groups 10000 --offline-enis 50000   # a quick one

1. Seeds a moto server with an organization of --accounts accounts × --regions regions, each region with
   --groups security groups, --enis network interfaces (three quarters of the groups held by one), and
   resources of several services (Lambda functions, RDS instances, launch templates, ELBv2 load
   balancers, Auto Scaling launch configurations). Then runs `sgaudit scan --org` over it and prints wall
   time, peak memory (max RSS), the share of wall time spent waiting on responses (1 - CPU / wall), and the
   API requests per account-region next to the minimum possible (one request per page per source).
2. Writes a synthetic snapshot of --offline-groups groups and --offline-enis interfaces and times
   `sgaudit scan --from-snapshot` on it: wall time and peak memory.
"""
import argparse
import concurrent.futures
import io
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import zipfile

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
# The largest page each list allows (what sgaudit asks for), to count the minimum number of requests.
MAX_PAGE = {
    "ec2-security-groups": 1000,
    "ec2-network-interfaces": 1000,
    "lambda-functions": 50,
    "rds-db-instances": 100,
    "ec2-launch-templates": 200,
    "elbv2-load-balancers": 400,
    "autoscaling-launch-configurations": 100,
}
# Sources that read several lists even when there is nothing to find (ec2-peered-vpc-references: the peerings
# and the transit gateway attachments, and with no connected VPC nothing more; the stale rules: the VPCs, then
# one call per VPC, counted below); the same table as scan_moto.rs's request test.
LISTS = {
    "appstream-fleets": 3, "bedrock-agentcore-resources": 8, "comprehend-models": 3,
    "datasync-agents-locations": 2, "devicefarm-projects": 2, "drs-replication-settings": 2,
    "ec2-peered-vpc-references": 2, "ec2-spot-requests": 2, "events-rules": 2, "glue-connections": 2,
    "mgn-replication-settings": 2, "rtbfabric-gateways": 2, "sagemaker-domains": 2, "sagemaker-endpoints": 2,
    "sagemaker-monitoring": 5, "timestream-influxdb-databases": 2,
    # The account checks: IAM generates the credential report, then hands it over (a report not yet ready
    # costs one more request per few seconds of waiting).
    "iam-credential-report": 2,
}
# Sources that read each resource they list with calls of their own: (calls per resource).
PER_ITEM = {"cloudtrail-trails": 2, "s3-buckets": 5}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_measured(cmd, env=None):
    """Runs a command; returns (exit code, wall seconds, cpu seconds, max RSS in MiB)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    stderr = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        log(stderr)
        raise SystemExit(f"{cmd[0]} exited {code}")
    return code, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def seed_region(endpoint, creds, region, groups, enis, rng):
    def c(svc):
        return boto3.client(svc, endpoint_url=endpoint, region_name=region, **creds)

    ec2 = c("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i * 16}.0/20",
                                 AvailabilityZone=f"{region}{'ab'[i]}")["Subnet"]["SubnetId"] for i in range(2)]
    ids = [ec2.create_security_group(GroupName=f"bench-{i}", Description="bench", VpcId=vpc)["GroupId"]
           for i in range(groups)]
    held = ids[: max(1, groups * 3 // 4)]
    for i in range(enis):
        ec2.create_network_interface(SubnetId=subnets[i % 2], Groups=[held[i % len(held)]])
    # Resources of several services, holding a few groups that no interface holds.
    spare = ids[len(held):] or ids
    iam = c("iam")
    try:
        role = iam.create_role(RoleName="bench-lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="bench-lambda")["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return 1\n")
    lam = c("lambda")
    for i in range(10):
        lam.create_function(FunctionName=f"bench-{i}", Runtime="python3.12", Role=role, Handler="index.handler",
                            Code={"ZipFile": buf.getvalue()},
                            VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [spare[i % len(spare)]]})
    rds = c("rds")
    for i in range(5):
        rds.create_db_instance(DBInstanceIdentifier=f"bench-{i}", DBInstanceClass="db.t3.micro", Engine="postgres",
                               MasterUsername="u", MasterUserPassword="password123",
                               VpcSecurityGroupIds=[spare[(i + 10) % len(spare)]], AllocatedStorage=20)
    for i in range(10):
        ec2.create_launch_template(LaunchTemplateName=f"bench-{i}",
                                   LaunchTemplateData={"SecurityGroupIds": [spare[(i + 20) % len(spare)]]})
    elb = c("elbv2")
    for i in range(3):
        elb.create_load_balancer(Name=f"bench-{i}", Subnets=subnets, SecurityGroups=[spare[(i + 30) % len(spare)]])
    asg = c("autoscaling")
    for i in range(5):
        asg.create_launch_configuration(LaunchConfigurationName=f"bench-{i}", ImageId="ami-12345678",
                                        InstanceType="t3.micro", SecurityGroups=[spare[(i + 40) % len(spare)]])


def moto_scan(args, binary):
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        base = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        org = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1", **base)
        org.create_organization(FeatureSet="ALL")
        accounts = [(boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", **base)
                     .get_caller_identity()["Account"], base)]
        for i in range(args.accounts - 1):
            acct = org.create_account(AccountName=f"bench-{i}", Email=f"b{i}@example.com")["CreateAccountStatus"]
            c = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", **base).assume_role(
                RoleArn=f"arn:aws:iam::{acct['AccountId']}:role/OrganizationAccountAccessRole",
                RoleSessionName="seed")["Credentials"]
            accounts.append((acct["AccountId"], {"aws_access_key_id": c["AccessKeyId"],
                                                 "aws_secret_access_key": c["SecretAccessKey"],
                                                 "aws_session_token": c["SessionToken"]}))
        regions = REGIONS[: args.regions]
        log(f"seeding {len(accounts)} accounts x {len(regions)} regions x ({args.groups} groups, "
            f"{args.enis} interfaces) ...")
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            jobs = [pool.submit(seed_region, endpoint, creds, region, args.groups, args.enis, random.Random(1))
                    for _, creds in accounts for region in regions]
            for j in jobs:
                j.result()
        log(f"seeded in {time.monotonic() - t0:.0f}s")

        out = os.path.join(tempfile.mkdtemp(), "scan.json")
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                   AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                   AWS_EC2_METADATA_DISABLED="true")
        # moto lacks the lists of some services (the e2e tests answer them through a proxy of theirs): here
        # those answer an error at once, and one attempt keeps each to one request, as a canned answer would.
        cmd = [binary, "scan", "--org", "--region", ",".join(regions), "--format", "json", "--output", out, "--quiet",
               "--max-attempts", "1", "--checks", args.checks]
        code, wall, cpu, rss = run_measured(cmd, env)
        doc = json.load(open(out))
        return report_scan(doc, code, wall, cpu, rss, len(accounts), regions)
    finally:
        moto.terminate()
        moto.wait()


def minimum_requests(c):
    """The fewest requests a coverage entry's source could have made: one per page, or per list it reads."""
    lists = LISTS.get(c["source"], 1)
    if c["source"] == "ec2-stale-security-group-rules":
        lists = 1 + c["items"]  # the VPC list, then one call per VPC
    if c["source"] in PER_ITEM:
        # The list, then each trail's status and selectors, each bucket's ACL, ownership, policy, public access
        # block and encryption (and, where the list gives no region, as moto's does, its location: not counted).
        lists = 1 + PER_ITEM[c["source"]] * c["items"]
    pages = math.ceil(c["items"] / MAX_PAGE[c["source"]]) if c["source"] in MAX_PAGE else 1
    return max(lists, pages)


def report_scan(doc, code, wall, cpu, rss, accounts, regions):
    per_region = {}
    for c in doc["coverage"]:
        key = (c["account_id"], c["region"])
        actual, minimum = per_region.get(key, (0, 0))
        per_region[key] = (actual + c["requests"], minimum + minimum_requests(c))
    # The account checks' global evidence (IAM, S3's bucket list), read once per account.
    per_account = {}
    for c in doc.get("account_coverage", []):
        actual, minimum = per_account.get(c["account_id"], (0, 0))
        per_account[c["account_id"]] = (actual + c["requests"], minimum + minimum_requests(c))
    rows = list(per_region.values()) + list(per_account.values())
    total_actual = sum(a for a, _ in rows)
    total_min = sum(m for _, m in rows)
    print(f"moto scan: {accounts} accounts x {len(regions)} regions, {doc['summary']['groups']} groups "
          f"(exit {code}, {doc['summary']['estate']['sources_read']}/{doc['summary']['estate']['sources']} "
          f"source lists read)")
    print(f"  wall {wall:.1f}s, cpu {cpu:.1f}s, waiting on responses {100 * (1 - cpu / wall):.0f}% of wall, "
          f"peak memory {rss:.0f} MiB")
    print("  requests per account-region (actual / minimum = one per page per source):")
    for (account, region), (a, m) in sorted(per_region.items()):
        print(f"    {account} {region}: {a} / {m}")
    if per_account:
        print("  account-wide requests, once per account (IAM, S3):")
        for account, (a, m) in sorted(per_account.items()):
            print(f"    {account}: {a} / {m}")
    print(f"  total {total_actual} / {total_min} = {total_actual / total_min:.3f} x the minimum")
    return {"wall": wall, "cpu": cpu, "rss_mib": rss, "requests": total_actual, "minimum": total_min}


def snapshot_sources(network=True):
    """The source ids of `sgaudit_snapshot::SOURCES` (and of `REACH_SOURCES`), read from the snapshot crate."""
    def listed(file, const):
        text = open(os.path.join(ROOT, "crates", "snapshot", "src", file)).read()
        block = text[text.index(f"pub const {const}"):]
        return re.findall(r'"([a-z0-9-]+)"', block[:block.index("];")])
    ids = listed("lib.rs", "SOURCES")
    if network:
        ids += [s for s in listed("network.rs", "REACH_SOURCES") if s not in ids]
    return ids


def synthetic_network(r, region, enis_per_region, ids):
    """The paths from the internet into one region of the synthetic estate: 20 subnets of one VPC, half of them
    routed to an internet gateway, one network ACL allowing everything, every interface's addressing (one in
    ten with a public address, on an instance) and 5 internet-facing load balancers on 443 with 20 targets
    each. Returns (network, network ACLs)."""
    subnets = [f"subnet-{r:02x}{k:015x}" for k in range(20)]
    network = {
        "subnets": [{"subnet_id": s, "vpc_id": "vpc-1", "cidr_ipv4": f"10.{k}.0.0/16"} for k, s in enumerate(subnets)],
        "route_tables": [
            {"route_table_id": f"rtb-{r:02x}main", "vpc_id": "vpc-1", "main": True,
             "routes": [{"destination": "10.0.0.0/8", "target": "local", "state": "active"}]},
            {"route_table_id": f"rtb-{r:02x}public", "vpc_id": "vpc-1", "main": False, "subnets": subnets[::2],
             "routes": [{"destination": "0.0.0.0/0", "target": f"igw-{r:02x}", "state": "active"},
                        {"destination": "10.0.0.0/8", "target": "local", "state": "active"}]},
        ],
        "internet_gateways": [{"internet_gateway_id": f"igw-{r:02x}", "vpcs": ["vpc-1"]}],
        "interfaces": [],
        "load_balancers": [],
        "listeners": [],
        "targets": [],
    }
    for e in range(enis_per_region):
        # Its groups are the region's `eni` attachments, written by the caller.
        eni = {"network_interface_id": f"eni-{r:02x}{e:015x}", "subnet_id": subnets[e % 20], "vpc_id": "vpc-1",
               "private_ips": [f"10.{e % 20}.{e // 250 % 256}.{e % 250}"],
               "instance_id": f"i-{r:02x}{e:015x}", "interface_type": "interface"}
        if e % 10 == 0:
            eni["public_ips"] = [f"54.{r}.{e // 250 % 256}.{e % 250}"]
        network["interfaces"].append(eni)
    for b in range(5):
        arn = f"arn:aws:elasticloadbalancing:{region}:111122223333:loadbalancer/app/lb{b}/{r:02x}{b:014x}"
        network["load_balancers"].append({"id": arn, "name": f"lb{b}", "kind": "application", "internet_facing": True,
                                          "vpc_id": "vpc-1", "subnets": subnets[::2][:2], "groups": [ids[b]]})
        network["listeners"].append({"load_balancer": arn, "protocol": "HTTPS", "port": 443})
        for t in range(20):
            network["targets"].append({"load_balancer": arn, "kind": "instance",
                                       "id": f"i-{r:02x}{(b * 20 + t) * 7:015x}", "port": 8080})
    acl = {"network_acl_id": f"acl-{r:02x}", "vpc_id": "vpc-1", "is_default": True, "subnets": subnets,
           "entries": [{"rule_number": 100, "egress": egress, "protocol": "-1", "action": "allow",
                        "cidr": "0.0.0.0/0"} for egress in (False, True)]}
    return network, [acl]


def synthetic_snapshot(path, groups, enis, network=True):
    """A snapshot of one account with `groups` groups over 10 regions and `enis` interfaces; with `network`,
    the evidence of reachability too (`synthetic_network`)."""
    rng = random.Random(7)
    regions = [f"us-east-{i}" for i in range(1, 3)] + [f"eu-west-{i}" for i in range(1, 4)] + \
              [f"ap-south-{i}" for i in range(1, 3)] + ["sa-east-1", "ca-central-1", "me-south-1"]
    # Every source the snapshot's schema expects, read whole: a snapshot missing one has its groups unknown.
    sources = snapshot_sources(network)
    per_region = groups // len(regions)
    enis_per_region = enis // len(regions)
    with open(path, "w") as f:
        f.write('{"schema_version": 1, "sgaudit_version": "bench", "accounts": [{"account_id": "111122223333"}], '
                '"regions": [')
        for r, region in enumerate(regions):
            ids = [f"sg-{r:02x}{i:015x}" for i in range(per_region)]
            sgs = []
            for i, gid in enumerate(ids):
                ingress = [{"protocol": "tcp", "from_port": 443, "to_port": 443,
                            "ipv4_ranges": [{"id": "10.0.0.0/8"}]}]
                if i % 50 == 0:
                    ingress.append({"protocol": "tcp", "from_port": 22, "to_port": 22,
                                    "ipv4_ranges": [{"id": "0.0.0.0/0"}]})
                if i % 7 == 0 and i + 1 < len(ids):
                    ingress.append({"protocol": "tcp", "from_port": 5432, "to_port": 5432,
                                    "groups": [{"group_id": ids[i + 1]}]})
                sgs.append({"group_id": gid, "group_name": f"g{i}", "description": "bench", "vpc_id": "vpc-1",
                            "owner_id": "111122223333", "tags": {"Team": f"t{i % 13}"}, "ingress": ingress,
                            "egress": [{"protocol": "-1", "ipv4_ranges": [{"id": "0.0.0.0/0"}]}]})
            attachments = []
            for e in range(enis_per_region):
                eni = f"eni-{r:02x}{e:015x}"
                gid = ids[rng.randrange(per_region * 3 // 4)]
                attachments.append({"target": {"group": gid}, "kind": "network-interface", "resource_id": eni,
                                    "via": "eni", "source": "ec2-network-interfaces", "detail": "interface"})
            for i in range(0, per_region, 100):
                attachments.append({"target": {"group": ids[i]}, "kind": "lambda-function",
                                    "resource_id": f"arn:aws:lambda:{region}:111122223333:function:f{i}",
                                    "via": "config", "source": "lambda-functions"})
            region_doc = {"account_id": "111122223333", "region": region, "security_groups": sgs,
                          "attachments": attachments,
                          "coverage": [{"source": s, "state": "complete", "requests": 1, "items": 0}
                                       for s in sources]}
            if network:
                region_doc["network"], acls = synthetic_network(r, region, enis_per_region, ids)
                region_doc["posture"] = {"network_acls": acls}
            if r:
                f.write(",")
            json.dump(region_doc, f)
        f.write("]}\n")


def offline(args, binary):
    path = os.path.join(tempfile.mkdtemp(), "synthetic.json")
    log(f"writing a synthetic snapshot of {args.offline_groups} groups and {args.offline_enis} interfaces ...")
    synthetic_snapshot(path, args.offline_groups, args.offline_enis, network=not args.no_network)
    size = os.path.getsize(path) / 2**20
    results = {}
    for fmt in args.formats.split(","):
        out = os.path.join(os.path.dirname(path), f"audit.{fmt}")
        runs = [run_measured([binary, "scan", "--from-snapshot", path, "--format", fmt, "--output", out, "--quiet"])
                for _ in range(args.repeat)]
        walls = sorted(r[1] for r in runs)
        out_mib = os.path.getsize(out) / 2**20 if os.path.exists(out) else 0.0
        results[fmt] = (runs[0][0], walls[len(walls) // 2], walls[0], max(r[3] for r in runs), out_mib)
    print(f"offline audit ({args.repeat} runs each; this VM's timings vary by up to 2x between runs):")
    print(f"  snapshot: {args.offline_groups} groups, {args.offline_enis} interfaces, {size:.0f} MiB")
    for fmt, (code, median, best, rss, out_mib) in results.items():
        print(f"  --format {fmt:5}: wall median {median:.2f}s (best {best:.2f}s), peak memory {rss:.0f} MiB, "
              f"output {out_mib:.1f} MiB, exit {code}")
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=3)
    p.add_argument("--regions", type=int, default=3, choices=[1, 2, 3])
    p.add_argument("--groups", type=int, default=2000)
    p.add_argument("--enis", type=int, default=5000)
    p.add_argument("--offline-groups", type=int, default=100_000)
    p.add_argument("--offline-enis", type=int, default=500_000)
    p.add_argument("--binary", help="a built sgaudit (default: build the workspace's, then use it)")
    p.add_argument("--skip-moto", action="store_true")
    p.add_argument("--no-network", action="store_true",
                   help="leave the evidence of reachability out of the synthetic snapshot (its figures before issue 16)")
    p.add_argument("--checks", default="groups,network,iam,cloudtrail,s3",
                   help="the families of checks the moto scan runs (`--checks groups` for the groups alone)")
    p.add_argument("--repeat", type=int, default=5, help="runs of the offline audit (the median is reported)")
    p.add_argument("--formats", default="json,table,csv,xlsx,html,sarif,asff,ocsf",
                   help="the formats timed on the synthetic snapshot, comma-separated")
    args = p.parse_args()
    binary = args.binary
    if not binary:
        subprocess.run(["cargo", "build", "-q", "-p", "sgaudit"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "debug", "sgaudit")
    if not args.skip_moto:
        moto_scan(args, binary)
    offline(args, binary)


if __name__ == "__main__":
    main()

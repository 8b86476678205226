//! The rule-hygiene checks of the network family end to end (issue 16, "Rule hygiene"): the built binary against
//! moto seeded by `SEED` (below), each check's results read from the JSON report. The fixture tests of the same
//! checks are the audit's (`crates/audit/tests/hygiene.rs`); this one proves that what moto answers, as the SDK
//! reads it, reaches them whole: rules merged and re-ordered by EC2, interfaces and their groups.
//!
//! The estate, in us-east-1: two VPCs. In the first, `dup-keep` and `dup-retire` have the same rules written
//! differently (another order, one permission split in two calls, other descriptions, a block with a host bit
//! set); two interfaces hold `dup-keep` and one holds `dup-retire`, so `dup-keep` is kept. `template-copy` has the
//! same rules in the second VPC. Then one group per finding: `redundant` (tcp 22 from 10.1.0.0/16 beside tcp
//! 0-65535 from 10.0.0.0/8), `broad` (a /4 public source), `wide` (2,000 ports from a private block),
//! `all-protocols` (every protocol from a public /22), `quota` (50 inbound IPv4 rules), `listed` (8 blocks and a
//! customer-managed prefix list of 40 entries at most: near the quota because of the list), `origin` (moto's
//! CloudFront origin-facing list, which AWS counts at its weight of 55), `clean`; and an interface holding four
//! of them. us-west-2 holds only moto's default VPC: there each regional check passes. moto answers Service
//! Quotas' `GetServiceQuota` with AWS's defaults (60 and 5), which the quota checks use as the applied values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;

use common::{unread, Moto};
use serde_json::Value;

/// The boto3 seed; prints a manifest of the ids moto picked.
const SEED: &str = r#"
import argparse, json
import boto3

p = argparse.ArgumentParser()
p.add_argument("--endpoint", required=True)
p.add_argument("--region", required=True)
a = p.parse_args()
ec2 = boto3.client("ec2", endpoint_url=a.endpoint, region_name=a.region)
account = boto3.client("sts", endpoint_url=a.endpoint, region_name=a.region).get_caller_identity()["Account"]

def vpc_with_subnet(cidr, subnet_cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    return vpc, ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]

vpc1, subnet1 = vpc_with_subnet("10.0.0.0/16", "10.0.0.0/24")
vpc2, subnet2 = vpc_with_subnet("10.9.0.0/16", "10.9.0.0/24")

def group(name, vpc, *calls):
    """A group with one AuthorizeSecurityGroupIngress call per list of permissions in `calls`."""
    g = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    for permissions in calls:
        ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=permissions)
    return g

def rule(protocol, ports, *blocks, description=None):
    ranges = [dict(CidrIp=b, **({"Description": description} if description else {})) for b in blocks]
    permission = {"IpProtocol": protocol, "IpRanges": ranges}
    if ports:
        permission.update(FromPort=ports[0], ToPort=ports[1])
    return permission

groups = {
    "dup-keep": group("dup-keep", vpc1, [
        rule("tcp", (443, 443), "10.0.0.0/16", description="https"),
        rule("tcp", (80, 80), "10.0.0.0/16", "10.1.0.0/16", description="http"),
        rule("udp", (53, 53), "10.0.0.0/16"),
    ]),
    # The same rules: another order, tcp 80 split over two calls, other descriptions, and 10.0.0.1/16 (moto
    # keeps the host bit as written) for 10.0.0.0/16.
    "dup-retire": group("dup-retire", vpc1,
        [rule("udp", (53, 53), "10.0.0.1/16", description="dns")],
        [rule("tcp", (80, 80), "10.1.0.0/16", description="from the other office")],
        [rule("tcp", (443, 443), "10.0.0.0/16")],
        [rule("tcp", (80, 80), "10.0.0.0/16", description="web")],
    ),
    "template-copy": group("template-copy", vpc2, [
        rule("tcp", (80, 80), "10.1.0.0/16", "10.0.0.0/16"),
        rule("udp", (53, 53), "10.0.0.0/16"),
        rule("tcp", (443, 443), "10.0.0.0/16"),
    ]),
    "redundant": group("redundant", vpc1,
                       [rule("tcp", (0, 65535), "10.0.0.0/8"), rule("tcp", (22, 22), "10.1.0.0/16")]),
    "broad": group("broad", vpc1, [rule("tcp", (443, 443), "64.0.0.0/4")]),
    "wide": group("wide", vpc1, [rule("tcp", (3000, 4999), "172.16.0.0/12")]),
    "all-protocols": group("all-protocols", vpc1, [rule("-1", None, "52.94.76.0/22")]),
    "quota": group("quota", vpc1, [rule("tcp", (443, 443), *[f"10.{i}.0.0/16" for i in range(50)])]),
    "clean": group("clean", vpc1, [rule("tcp", (8443, 8443), "10.0.0.0/16")]),
}

# moto refuses the 61st inbound rule, as AWS does (moto counts per direction only, AWS per direction and family).
try:
    eleven = [f"10.{i}.0.0/16" for i in range(50, 61)]
    ec2.authorize_security_group_ingress(GroupId=groups["quota"], IpPermissions=[rule("tcp", (443, 443), *eleven)])
    over_quota = "accepted"
except ec2.exceptions.ClientError as e:
    over_quota = e.response["Error"]["Code"]

# A customer-managed list of 40 entries at most (holding one), and moto's AWS-managed CloudFront list.
partners = ec2.create_managed_prefix_list(PrefixListName="partners", AddressFamily="IPv4", MaxEntries=40,
                                          Entries=[{"Cidr": "198.51.100.0/24"}])["PrefixList"]["PrefixListId"]
cloudfront = next(l["PrefixListId"] for l in ec2.describe_managed_prefix_lists()["PrefixLists"]
                  if l["PrefixListName"] == "com.amazonaws.global.cloudfront.origin-facing")

def listed(protocol, ports, *lists, blocks=()):
    permission = rule(protocol, ports, *blocks)
    permission["PrefixListIds"] = [{"PrefixListId": pl} for pl in lists]
    return permission

groups["listed"] = group("listed", vpc1,
                         [listed("tcp", (5432, 5432), partners, blocks=[f"10.{i}.0.0/16" for i in range(8)])])
groups["origin"] = group("origin", vpc1, [listed("tcp", (443, 443), cloudfront)])

def interface(*names):
    return ec2.create_network_interface(SubnetId=subnet1, Groups=[groups[n] for n in names])[
        "NetworkInterface"]["NetworkInterfaceId"]

interfaces = {
    "keep-1": interface("dup-keep"),
    "keep-2": interface("dup-keep"),
    "retire": interface("dup-retire"),
    "four": interface("broad", "wide", "all-protocols", "quota"),
}
print(json.dumps({"account": account, "vpcs": [vpc1, vpc2], "groups": groups, "interfaces": interfaces,
                  "over_quota": over_quota, "lists": {"partners": partners, "cloudfront": cloudfront}}))
"#;

const HOME: &str = "us-east-1";
/// A region with nothing seeded: moto's default VPC and its default group.
const EMPTY: &str = "us-west-2";

/// The checks under test, with the severity of their failures.
const HYGIENE: [(&str, &str); 8] = [
    ("net-sg-duplicate-rules", "low"),
    ("net-sg-shared-rule-templates", "informational"),
    ("net-sg-redundant-rule", "low"),
    ("net-sg-broad-public-source", "medium"),
    ("net-sg-wide-port-range", "low"),
    ("net-sg-all-protocols-public", "high"),
    ("net-sg-rules-quota", "low"),
    ("net-sg-groups-per-interface-quota", "low"),
];

/// The rules `dup-keep`, `dup-retire` and `template-copy` share, as `Signature::canonical_text` writes them (one
/// line per atom: the default egress rule included, the host bit cleared, descriptions left out).
const SHARED_RULES: [&str; 5] = [
    "egress|all|all|cidr:0.0.0.0/0",
    "ingress|tcp|443-443|cidr:10.0.0.0/16",
    "ingress|tcp|80-80|cidr:10.0.0.0/16",
    "ingress|tcp|80-80|cidr:10.1.0.0/16",
    "ingress|udp|53-53|cidr:10.0.0.0/16",
];

/// The rules digest the reports print, computed here from its definition (FNV-1a, 64 bits, of the sorted lines
/// joined by `\n`) rather than by the code under test: it is documented as stable across versions.
fn digest(lines: &[&str]) -> String {
    let mut sorted = lines.to_vec();
    sorted.sort_unstable();
    let hash = sorted
        .join("\n")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{hash:016x}")
}

/// Scans `regions` for the families `checks`; the JSON report.
fn scan(moto: &Moto, regions: &str, checks: &str) -> Value {
    let run = moto.sgaudit(&["scan", "--region", regions, "--checks", checks, "--format", "json", "--quiet"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let doc = run.json();
    assert_eq!(run.code, 0, "{}\nunread: {:?}", run.stderr, unread(&doc));
    doc
}

/// The results of `check` in `region` with `outcome`.
fn results<'a>(doc: &'a Value, check: &str, region: &str, outcome: &str) -> Vec<&'a Value> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check"] == check && r["region"] == region && r["outcome"] == outcome)
        .collect()
}

/// The one failure of `check` in us-east-1.
fn only_failure<'a>(doc: &'a Value, check: &str) -> &'a Value {
    let found = results(doc, check, HOME, "fail");
    assert_eq!(found.len(), 1, "{check}: {found:#?}");
    found[0]
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_else(|| panic!("no {key} in {value:#}"))
}

/// A fix's CLI commands; none when it has none.
fn cli(result: &Value) -> Vec<&str> {
    result["fix"]["cli"].as_array().map(|c| c.iter().map(|l| l.as_str().unwrap()).collect()).unwrap_or_default()
}

/// `aws ec2 revoke-security-group-ingress` of one permission, as the fixes write it.
fn revoke(group: &str, permission: &str) -> String {
    format!(
        "aws ec2 revoke-security-group-ingress --region {HOME} --group-id {group} --ip-permissions '[{permission}]'"
    )
}

#[test]
fn each_hygiene_check_reports_the_seeded_group_with_its_fix_and_passes_the_clean_ones() {
    let moto = Moto::start();
    let m = moto.python(&["-c", SEED, "--endpoint", &moto.url, "--region", HOME], &[]);
    let account = text(&m, "account");
    let id = |name: &str| -> String { text(&m["groups"], name).to_string() };
    let arn = |name: &str| format!("arn:aws:ec2:{HOME}:{account}:security-group/{}", id(name));
    let named = |name: &str| format!("{} ({name})", id(name));
    let (vpc1, vpc2) = (m["vpcs"][0].as_str().unwrap(), m["vpcs"][1].as_str().unwrap());
    let shared = digest(&SHARED_RULES);
    assert_eq!(m["over_quota"], "RulesPerSecurityGroupLimitExceeded", "moto refuses the 61st rule, as AWS does");

    let doc = scan(&moto, &format!("{HOME},{EMPTY}"), "network");
    assert_eq!(doc["families"], serde_json::json!(["network"]));

    // Every result of a hygiene check is judged (never `not_evaluated`) and located where it belongs; a failure
    // has its severity and a fix with a summary.
    for (check, severity) in HYGIENE {
        let all: Vec<&Value> = doc["results"].as_array().unwrap().iter().filter(|r| r["check"] == check).collect();
        assert!(!all.is_empty(), "{check}: no result");
        for r in all {
            assert_eq!(r["account_id"], account, "{r:#}");
            match r["outcome"].as_str().unwrap() {
                "fail" => {
                    assert_eq!(r["severity"], severity, "{r:#}");
                    assert!(text(&r["fix"], "summary").len() > 40, "{r:#}");
                }
                "pass" => assert_eq!(r["severity"], "informational", "{r:#}"),
                other => panic!("{check}: {other}: {r:#}"),
            }
        }
    }

    // Duplicates within a VPC: `dup-retire` is reported and `dup-keep`, with more holders, kept. The network family
    // alone reads the interfaces but not every source of use, so the holders counted are a floor and it says so.
    let dup = only_failure(&doc, "net-sg-duplicate-rules");
    assert_eq!(text(dup, "resource"), arn("dup-retire"));
    assert_eq!(
        text(dup, "evidence"),
        format!(
            "{} has the same rules as {} in {vpc1}: move its holders (1 seen; not every source of use could be read \
             in the region) to {} and delete it (rules digest {shared})",
            named("dup-retire"),
            named("dup-keep"),
            id("dup-keep")
        )
    );
    assert_eq!(
        cli(dup),
        [
            format!(
                "aws ec2 modify-network-interface-attribute --region {HOME} --network-interface-id {} --groups {}",
                text(&m["interfaces"], "retire"),
                id("dup-keep")
            ),
            format!("sgaudit cleanup --accounts {account} --region {HOME}"),
        ]
    );
    let summary = text(&dup["fix"], "summary");
    assert!(
        summary.starts_with(&format!("Keep {} and retire {}", named("dup-keep"), named("dup-retire"))),
        "{summary}"
    );
    assert!(summary.contains("there may be holders not listed"), "{summary}");

    // The same rules across the two VPCs: one informational result for the set, naming its three members. Holders
    // unknown for each (see above), so they are listed by id and reported at the first.
    let templates = only_failure(&doc, "net-sg-shared-rule-templates");
    let mut members = [("dup-keep", vpc1), ("dup-retire", vpc1), ("template-copy", vpc2)];
    members.sort_by_key(|(name, _)| id(name));
    assert_eq!(text(templates, "resource"), arn(members[0].0));
    let listed: Vec<String> = members
        .iter()
        .map(|(name, vpc)| format!("{} ({account} {HOME} {vpc}, holders unknown)", named(name)))
        .collect();
    assert_eq!(
        text(templates, "evidence"),
        format!(
            "3 groups in 2 VPCs of 1 account(s) have the same rules (rules digest {shared}): {}",
            listed.join("; ")
        )
    );
    let summary = text(&templates["fix"], "summary");
    assert!(summary.contains(&shared) && summary.contains("import the 3 groups"), "{summary}");
    assert!(templates["fix"].get("cli").is_none() && templates["fix"].get("terraform").is_none(), "{templates:#}");

    // A redundant rule: the covered one is revoked, the covering one stays (in the Terraform of the rules after).
    let redundant = only_failure(&doc, "net-sg-redundant-rule");
    assert_eq!(text(redundant, "resource"), arn("redundant"));
    assert_eq!(
        text(redundant, "evidence"),
        format!(
            "{} has 1 redundant rule(s): ingress tcp 22 from 10.1.0.0/16 is covered by ingress tcp 0-65535 from \
             10.0.0.0/8",
            named("redundant")
        )
    );
    assert_eq!(
        cli(redundant),
        [revoke(
            &id("redundant"),
            r#"{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"10.1.0.0/16"}]}"#
        )]
    );
    let terraform = text(&redundant["fix"], "terraform");
    assert!(terraform.contains("\"10.0.0.0/8\"") && !terraform.contains("10.1.0.0/16"), "{terraform}");

    // A /4 public source: revoked, and the same port admitted from the user's range.
    let broad = only_failure(&doc, "net-sg-broad-public-source");
    assert_eq!(text(broad, "resource"), arn("broad"));
    assert_eq!(
        text(broad, "evidence"),
        format!(
            "{} admits traffic from a public block of /8 or larger (IPv6: /32 or larger): ingress tcp 443 from \
             64.0.0.0/4",
            named("broad")
        )
    );
    let commands = cli(broad);
    assert_eq!(commands.len(), 2, "{commands:#?}");
    assert_eq!(
        commands[0],
        revoke(
            &id("broad"),
            r#"{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"64.0.0.0/4"}]}"#
        )
    );
    assert!(
        commands[1].starts_with(&format!(
            "aws ec2 authorize-security-group-ingress --region {HOME} --group-id {} ",
            id("broad")
        )) && commands[1].contains("$ALLOWED_CIDR"),
        "{}",
        commands[1]
    );
    let terraform = text(&broad["fix"], "terraform");
    assert!(terraform.contains("var.allowed_cidr") && !terraform.contains("64.0.0.0/4"), "{terraform}");

    // More than 1,000 ports from a block: the 2,000-port group, and the redundant group's 0-65535.
    let wide = results(&doc, "net-sg-wide-port-range", HOME, "fail");
    let reported: BTreeSet<&str> = wide.iter().map(|r| text(r, "resource")).collect();
    assert_eq!(reported, BTreeSet::from([arn("wide").as_str(), arn("redundant").as_str()]), "{wide:#?}");
    for (name, rule, permission) in [
        (
            "wide",
            "ingress tcp 3000-4999 from 172.16.0.0/12",
            r#"{"IpProtocol":"tcp","FromPort":3000,"ToPort":4999,"IpRanges":[{"CidrIp":"172.16.0.0/12"}]}"#,
        ),
        (
            "redundant",
            "ingress tcp 0-65535 from 10.0.0.0/8",
            r#"{"IpProtocol":"tcp","FromPort":0,"ToPort":65535,"IpRanges":[{"CidrIp":"10.0.0.0/8"}]}"#,
        ),
    ] {
        let r = wide.iter().find(|r| r["resource"] == arn(name)).unwrap();
        assert_eq!(text(r, "evidence"), format!("{} admits more than 1000 ports in one rule: {rule}", named(name)));
        let commands = cli(r);
        assert_eq!(commands.len(), 2, "{commands:#?}");
        assert_eq!(commands[0], revoke(&id(name), permission));
        assert!(commands[1].contains("\"FromPort\":'\"$PORT\"'"), "one port, the user's: {}", commands[1]);
    }

    // Every protocol from a small public block.
    let all = only_failure(&doc, "net-sg-all-protocols-public");
    assert_eq!(text(all, "resource"), arn("all-protocols"));
    assert_eq!(
        text(all, "evidence"),
        format!("{} admits every protocol from a public block: ingress all from 52.94.76.0/22", named("all-protocols"))
    );
    let commands = cli(all);
    assert_eq!(commands.len(), 2, "{commands:#?}");
    assert_eq!(
        commands[0],
        revoke(&id("all-protocols"), r#"{"IpProtocol":"-1","IpRanges":[{"CidrIp":"52.94.76.0/22"}]}"#)
    );
    assert!(commands[1].contains(r#""IpProtocol":"tcp""#) && commands[1].contains("52.94.76.0/22"), "{}", commands[1]);

    // Every command of every fix is an EC2 call, but the duplicate's last, which deletes through sgaudit's cleanup.
    for (check, _) in HYGIENE {
        for r in results(&doc, check, HOME, "fail") {
            for line in cli(r) {
                assert!(
                    line.starts_with("aws ec2 ")
                        || (check == "net-sg-duplicate-rules" && line.starts_with("sgaudit cleanup ")),
                    "{check}: {line}"
                );
            }
        }
    }

    // Near the quota of rules, judged against the quota Service Quotas gave (moto's: AWS's default of 60): `quota`
    // with 50 inbound IPv4 rules; `listed` with 8 blocks and the partners' list at its maximum of 40 entries
    // (IPv4 only); `origin` with CloudFront's list at its weight of 55, in both families. Words only: no command
    // fixes it.
    let quotas = results(&doc, "net-sg-rules-quota", HOME, "fail");
    let reported: BTreeSet<&str> = quotas.iter().map(|r| text(r, "resource")).collect();
    assert_eq!(
        reported,
        BTreeSet::from([arn("quota").as_str(), arn("listed").as_str(), arn("origin").as_str()]),
        "{quotas:#?}"
    );
    let applied = "80 % of the account's applied quota of 60 rules per direction and address family, read from \
                   Service Quotas (L-0EA8095F)";
    let (partners, cloudfront) = (text(&m["lists"], "partners"), text(&m["lists"], "cloudfront"));
    for (name, evidence) in [
        ("quota", format!("{} has 50 inbound IPv4 rule(s), at or above 48 ({applied})", named("quota"))),
        (
            "listed",
            format!(
                "{} has 48 inbound IPv4 rule(s), at or above 48 ({applied}); prefix lists counted: {partners} \
                 (partners) at its maximum of 40 entries (IPv4)",
                named("listed")
            ),
        ),
        (
            "origin",
            format!(
                "{} has 55 inbound IPv4 rule(s) and 55 inbound IPv6 rule(s), at or above 48 ({applied}); prefix lists \
                 counted: {cloudfront} (com.amazonaws.global.cloudfront.origin-facing) at its documented weight of 55 \
                 (IPv4 and IPv6)",
                named("origin")
            ),
        ),
    ] {
        let quota = quotas.iter().find(|r| r["resource"] == arn(name)).unwrap();
        assert_eq!(text(quota, "evidence"), evidence, "{name}");
        let summary = text(&quota["fix"], "summary");
        assert!(summary.contains(&named(name)) && summary.contains("L-0EA8095F"), "{summary}");
        assert!(cli(quota).is_empty(), "{quota:#}");
    }

    // The interface with four groups; those with one are not reported.
    let eni = text(&m["interfaces"], "four");
    let per_interface = only_failure(&doc, "net-sg-groups-per-interface-quota");
    assert_eq!(text(per_interface, "resource"), format!("arn:aws:ec2:{HOME}:{account}:network-interface/{eni}"));
    assert_eq!(per_interface["resource_type"], "AwsEc2NetworkInterface");
    let mut four: Vec<String> = ["broad", "wide", "all-protocols", "quota"].iter().map(|n| id(n)).collect();
    four.sort();
    assert_eq!(
        text(per_interface, "evidence"),
        format!(
            "{eni} holds 4 security groups ({}), at or above 4 (80 % of the account's applied quota of 5 per network \
             interface, read from Service Quotas (L-2AFB9258))",
            four.join(", ")
        )
    );
    let summary = text(&per_interface["fix"], "summary");
    assert!(summary.contains(eni) && summary.contains("L-2AFB9258"), "{summary}");
    assert!(cli(per_interface).is_empty(), "{per_interface:#}");

    // The clean group, the kept duplicate and the copy in the other VPC fail no hygiene check of their own: the
    // copy only as a member of the template set, which is reported at one group for all.
    for (check, _) in HYGIENE {
        for r in results(&doc, check, HOME, "fail") {
            let at = text(r, "resource");
            assert_ne!(at, arn("clean"), "{check}: {r:#}");
            if check != "net-sg-shared-rule-templates" {
                assert!(at != arn("dup-keep") && at != arn("template-copy"), "{check}: {r:#}");
            }
        }
    }

    // A region with nothing to report: one pass per regional check, saying what was judged.
    let passes = [
        ("net-sg-duplicate-rules", "has the same rules as another group of its VPC"),
        ("net-sg-redundant-rule", "has a rule that another of its rules covers"),
        (
            "net-sg-broad-public-source",
            "admits traffic from a public block of /8 or larger (IPv6: /32 or larger) other than 0.0.0.0/0 and ::/0",
        ),
        (
            "net-sg-wide-port-range",
            "admits more than 1000 TCP or UDP ports in one rule from an address block or prefix list",
        ),
        ("net-sg-all-protocols-public", "admits every protocol from a public block other than 0.0.0.0/0 and ::/0"),
        (
            "net-sg-rules-quota",
            "has 48 or more rules in one direction and address family (80 % of the account's applied quota of 60 \
             rules per direction and address family, read from Service Quotas (L-0EA8095F))",
        ),
    ];
    for (check, what) in passes {
        assert!(results(&doc, check, EMPTY, "fail").is_empty(), "{check}");
        let pass = results(&doc, check, EMPTY, "pass");
        assert_eq!(pass.len(), 1, "{check}: {pass:#?}");
        assert_eq!(text(pass[0], "evidence"), format!("none of the 1 security group(s) of {EMPTY} {what}"), "{check}");
        assert!(pass[0].get("fix").is_none(), "{check}: {:#}", pass[0]);
    }
    let pass = results(&doc, "net-sg-groups-per-interface-quota", EMPTY, "pass");
    assert_eq!(pass.len(), 1, "{pass:#?}");
    assert_eq!(
        text(pass[0], "evidence"),
        "none of the 0 network interface(s) holds 4 or more security groups (80 % of the account's applied quota of 5 \
         per network interface, read from Service Quotas (L-2AFB9258))"
    );

    // With the groups family too, every source of use is read: the holders are counted whole, the duplicate's
    // evidence is exact, and the template set is reported at its member with the most holders. The other hygiene
    // results are the same as before.
    let whole = scan(&moto, HOME, "groups,network");
    for c in whole["coverage"].as_array().unwrap() {
        assert!(c["state"] == "complete" || c["state"] == "not_applicable", "{c}");
    }
    let dup = only_failure(&whole, "net-sg-duplicate-rules");
    assert_eq!(text(dup, "resource"), arn("dup-retire"));
    assert_eq!(
        text(dup, "evidence"),
        format!(
            "{} has the same rules as {} in {vpc1}: move its 1 holder(s) to {} and delete it (rules digest {shared})",
            named("dup-retire"),
            named("dup-keep"),
            id("dup-keep")
        )
    );
    assert!(!text(&dup["fix"], "summary").contains("holders not listed"), "{dup:#}");
    let templates = only_failure(&whole, "net-sg-shared-rule-templates");
    assert_eq!(text(templates, "resource"), arn("dup-keep"));
    assert_eq!(
        text(templates, "evidence"),
        format!(
            "3 groups in 2 VPCs of 1 account(s) have the same rules (rules digest {shared}): {} ({account} {HOME} \
             {vpc1}, 2 holder(s)); {} ({account} {HOME} {vpc1}, 1 holder(s)); {} ({account} {HOME} {vpc2}, 0 \
             holder(s))",
            named("dup-keep"),
            named("dup-retire"),
            named("template-copy")
        )
    );
    for (check, _) in &HYGIENE[2..] {
        let before: Vec<&Value> =
            doc["results"].as_array().unwrap().iter().filter(|r| r["check"] == *check && r["region"] == HOME).collect();
        let after: Vec<&Value> = whole["results"].as_array().unwrap().iter().filter(|r| r["check"] == *check).collect();
        assert_eq!(before, after, "{check}");
    }
}

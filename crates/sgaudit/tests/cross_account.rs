//! Evidence across account boundaries, end to end against moto: an organisation whose members A and B are
//! peered, with a rule in B naming a group of A. Scanning the organisation sees B's rule; scanning A alone
//! sees only what `DescribeSecurityGroupReferences` tells (moto lacks it: our proxy answers in EC2's wire
//! format), and never calls A's group unused when that cannot be read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::proxy::{Fault, FaultProxy, Rule};
use common::{group, Moto, Run};
use serde_json::Value;

fn seed(moto: &Moto) -> Value {
    moto.python(&[&format!("{}/seed_cross_account.py", common::FIXTURES), "--endpoint", &moto.url], &[])
}

/// `sgaudit scan` of member A only, through `endpoint`: a profile that assumes A's role.
fn scan_member(endpoint: &str, member: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile mgmt]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\n\n\
             [profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::{member}:role/OrganizationAccountAccessRole\n\
             source_profile = mgmt\n"
        ),
    )
    .unwrap();
    let out = common::sgaudit_cmd()
        // Groups alone: against moto the root user's checks are never evaluated (see common::sgaudit_at).
        .env("SGAUDIT_CHECKS", "groups")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_ENDPOINT_URL", endpoint)
        .args(["scan", "--profile", "a", "--region", "us-east-1", "--format", "json", "--quiet"])
        .output()
        .unwrap();
    Run::of(out)
}

fn kinds(g: &Value) -> Vec<String> {
    g["used_by"].as_array().unwrap().iter().map(|u| u["kind"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_rule_in_another_member_keeps_a_group_in_use_and_a_member_alone_never_calls_it_unused() {
    let moto = Moto::start();
    let s = seed(&moto);
    let (a, b) = (s["a"].as_str().unwrap(), s["b"].as_str().unwrap());
    let (target, spare, consumer) =
        (s["target"].as_str().unwrap(), s["spare"].as_str().unwrap(), s["consumer"].as_str().unwrap());

    // AWS answers DescribeSecurityGroupReferences (moto cannot) for A's group: B's VPC names it across the
    // peering. For any other group, no reference.
    let (vpc_b, pcx) = (s["vpc_b"].as_str().unwrap(), s["pcx"].as_str().unwrap());
    let answer = common::canned::ec2_family::references(&[(target, vpc_b, pcx)]);
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule::always(
            &format!("service=ec2 && DescribeSecurityGroupReferences && {target}"),
            Fault::Answer { status: 200, content_type: "text/xml".into(), body: answer },
        )],
    );

    // 1. The organisation: B's rule is read, and B's group is in use, so A's group is in use, said so.
    let run = common::sgaudit_at(
        &proxy.url,
        &["scan", "--org", "--region", "us-east-1", "--format", "json", "--quiet"],
        "testing",
        "testing",
    );
    let doc = run.json();
    assert_eq!(run.code, 0, "{}\n{:#?}", run.stderr, common::unread(&doc));
    let t = group(&doc, target);
    assert_eq!(t["account_id"], a);
    assert_eq!(t["status"], "in_use", "{t}");
    let by_rule = t["used_by"].as_array().unwrap().iter().find(|u| u["kind"] == "security-group").expect("rule");
    assert_eq!(by_rule["id"], consumer, "{t}");
    assert!(by_rule["detail"].as_str().unwrap().contains(b), "the evidence names account B: {by_rule}");
    assert_eq!(group(&doc, consumer)["status"], "in_use");

    // 2. Member A alone: B's rule is not read, but the reference across the peering is. In use, through it.
    let run = scan_member(&proxy.url, a);
    let doc = run.json();
    assert_eq!(run.code, 0, "{}\n{:#?}", run.stderr, common::unread(&doc));
    assert!(doc["security_groups"].as_array().unwrap().iter().all(|g| g["account_id"] == a), "A only");
    let t = group(&doc, target);
    assert_eq!(t["status"], "in_use", "{t}");
    assert_eq!(kinds(t), ["peered-vpc-reference"], "{t}");
    assert_eq!(t["used_by"][0]["id"], vpc_b);
    assert_eq!(group(&doc, spare)["status"], "unused", "the control: A's coverage is whole");
    drop(proxy);

    // 3. Member A alone, the references cannot be read: A's group is unknown, never unused, and so is the
    //    spare (the region's evidence is incomplete); exit 3.
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule::always(
            "service=ec2 && DescribeSecurityGroupReferences",
            Fault::Deny("not authorized to perform: ec2:DescribeSecurityGroupReferences".into()),
        )],
    );
    let run = scan_member(&proxy.url, a);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    for id in [target, spare] {
        let g = group(&doc, id);
        assert_eq!(g["status"], "unknown", "{g}");
        let missing = g["missing_evidence"].to_string();
        assert!(missing.contains("ec2-peered-vpc-references"), "{missing}");
    }
}

//! Launch template versions that only what pins them holds, and groups shared with other accounts, end to
//! end against moto (RAM and security group VPC associations, which moto lacks, answered by our proxy in
//! their real wire formats).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::canned::{json, xml};
use common::{coverage, group, used_by, Moto};
use serde_json::Value;

fn scan(moto: &Moto) -> Value {
    let run = moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "json", "--quiet"]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    run.json()
}

/// A version that is neither default nor latest is held by what pins it: an Auto Scaling group at zero, an
/// override of a mixed-instances policy, an EC2 Fleet. Default and latest versions are held by the template.
#[test]
fn pinned_launch_template_versions_are_held_by_what_pins_them() {
    let moto = Moto::start();
    let seed = moto.python(
        &[&format!("{}/seed_ec2_family.py", common::FIXTURES), "--endpoint", &moto.url, "--region", "us-east-1"],
        &[],
    );
    let doc = scan(&moto);
    for source in ["autoscaling-groups", "ec2-fleets", "ec2-launch-templates"] {
        assert_eq!(coverage(&doc, source)["state"], "complete", "{}", coverage(&doc, source));
    }
    let g = |name: &str| seed["groups"][name].as_str().unwrap().to_string();

    let pinned = used_by(&doc, &g("asg-pinned"));
    assert!(
        pinned.iter().any(|(k, id, d)| *k == "autoscaling-group"
            && id.contains("asg-pinned")
            && d.contains("version 1")
            && d.contains("desired 0")),
        "{pinned:?}"
    );
    assert!(pinned.iter().all(|(k, ..)| *k == "autoscaling-group"), "only the group holds version 1: {pinned:?}");
    assert_eq!(group(&doc, &g("asg-pinned"))["status"], "in_use");

    let over = used_by(&doc, &g("asg-override"));
    assert!(
        over.iter()
            .any(|(k, id, d)| *k == "autoscaling-group" && id.contains("asg-override") && d.contains("version 1")),
        "{over:?}"
    );
    assert_eq!(group(&doc, &g("asg-override"))["status"], "in_use");

    let fleet = used_by(&doc, &g("fleet-pinned"));
    let fleet_id = seed["resources"]["fleet-pinned"].as_str().unwrap();
    assert!(fleet.iter().any(|(k, id, _)| *k == "ec2-fleet" && *id == fleet_id), "{fleet:?}");

    // The default and latest versions stay held by the template itself.
    for name in ["pinned-default", "pinned-latest", "override-latest", "fleet-latest"] {
        let by = used_by(&doc, &g(name));
        assert!(by.iter().any(|(k, ..)| *k == "launch-template"), "{name}: {by:?}");
    }
    assert_eq!(group(&doc, &g("unused-control"))["status"], "unused", "every source read against moto");
}

/// A group shared through RAM with an account this scan did not read, or associated with a VPC of one, is
/// `unknown`, never `unused`, and says why; a group shared with no one stays `unused`.
#[test]
fn groups_shared_with_accounts_not_read_are_unknown() {
    const OTHER: &str = "444455556666";
    const THIRD: &str = "777788889999";
    // Seeded first (moto makes the ids), then a proxy in front answers RAM and the associations with them.
    let moto = Moto::start();
    let seed = moto.python(
        &[&format!("{}/seed_ec2_family.py", common::FIXTURES), "--endpoint", &moto.url, "--region", "us-east-1"],
        &[],
    );
    let shared = seed["groups"]["unused-control"].as_str().unwrap();
    let associated = seed["groups"]["unused-associated"].as_str().unwrap();
    let share = "arn:aws:ram:us-east-1:123456789012:resource-share/0f1e2d3c-aaaa-bbbb-cccc-000000000001";
    let answers = vec![
        json(
            "service=ram && POST /listresources",
            &format!(
                r#"{{"resources":[{{"arn":"arn:aws:ec2:us-east-1:123456789012:security-group/{shared}","type":"ec2:SecurityGroup","resourceShareArn":"{share}","status":"AVAILABLE"}}]}}"#
            ),
        ),
        json(
            "service=ram && POST /listprincipals",
            &format!(r#"{{"principals":[{{"id":"{OTHER}","resourceShareArn":"{share}","external":false}}]}}"#),
        ),
        xml(
            "service=ec2 && DescribeSecurityGroupVpcAssociations",
            &common::canned::ec2_family::vpc_associations(&[(associated, "vpc-0123456789abcdef0", THIRD)]),
        ),
    ];
    let front = common::proxy::FaultProxy::start(&moto.url, answers);
    let run = common::sgaudit_at(
        &front.url,
        &["scan", "--region", "us-east-1", "--format", "json", "--quiet"],
        "testing",
        "testing",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    for source in ["ram-shared-security-groups", "ec2-security-group-vpc-associations"] {
        assert_eq!(coverage(&doc, source)["state"], "complete", "{}", coverage(&doc, source));
    }
    let g = group(&doc, shared);
    assert_eq!(g["status"], "unknown", "{g}");
    let why = g["missing_evidence"].to_string();
    assert!(why.contains(OTHER) && why.contains(share), "{why}");
    assert!(g["used_by"].as_array().unwrap().is_empty(), "a share is not a use: {g}");
    let g = group(&doc, associated);
    assert_eq!(g["status"], "unknown", "{g}");
    let why = g["missing_evidence"].to_string();
    assert!(why.contains(THIRD) && why.contains("vpc-0123456789abcdef0"), "{why}");
    // Nothing else turned unknown: sharing one group says nothing about the others.
    let mut unknown: Vec<&str> = doc["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["status"] == "unknown")
        .map(|g| g["group_id"].as_str().unwrap())
        .collect();
    unknown.sort_unstable();
    let mut want = vec![shared, associated];
    want.sort_unstable();
    assert_eq!(unknown, want, "only the shared and the associated group are unknown");
}

/// A rule naming a group across a deleted peering is a finding with a stable id (`sg-stale-rule`); where
/// the stale rules cannot be read, that check is not evaluated (said so per group), never passed, and the
/// region's evidence is incomplete.
#[test]
fn stale_rules_are_a_finding_and_unread_stale_rules_are_not_evaluated() {
    let moto = Moto::start();
    let seed = moto.python(
        &[&format!("{}/seed_ec2_family.py", common::FIXTURES), "--endpoint", &moto.url, "--region", "us-east-1"],
        &[],
    );
    let stale = seed["groups"]["asg-pinned"].as_str().unwrap();
    let clean = seed["groups"]["fleet-pinned"].as_str().unwrap();
    let answer =
        common::canned::ec2_family::stale_groups(&[(stale, "sg-0fedcba9876543210", "444455556666", "pcx-0a1b2c3d")]);
    let front =
        common::proxy::FaultProxy::start(&moto.url, vec![xml("service=ec2 && DescribeStaleSecurityGroups", &answer)]);
    let run = common::sgaudit_at(
        &front.url,
        &["scan", "--region", "us-east-1", "--format", "json", "--quiet"],
        "testing",
        "testing",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let g = group(&doc, stale);
    let finding = g["findings"].as_array().unwrap().iter().find(|f| f["id"] == "sg-stale-rule").expect("finding");
    assert_eq!(finding["severity"], "low");
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("sg-0fedcba9876543210") && message.contains("pcx-0a1b2c3d (deleted)"), "{message}");
    assert_eq!(g["status"], "in_use", "a stale rule is not evidence either way");
    assert!(group(&doc, clean)["findings"].as_array().unwrap().iter().all(|f| f["id"] != "sg-stale-rule"));
    assert!(g["not_evaluated"].as_array().unwrap().is_empty(), "{g}");
    drop(front);

    let front = common::proxy::FaultProxy::start(
        &moto.url,
        vec![common::proxy::Rule::always(
            "service=ec2 && DescribeStaleSecurityGroups",
            common::proxy::Fault::Deny("not authorized to perform: ec2:DescribeStaleSecurityGroups".into()),
        )],
    );
    let run = common::sgaudit_at(
        &front.url,
        &["scan", "--region", "us-east-1", "--format", "json", "--quiet"],
        "testing",
        "testing",
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    for id in [stale, clean] {
        let g = group(&doc, id);
        assert!(g["findings"].as_array().unwrap().iter().all(|f| f["id"] != "sg-stale-rule"), "{g}");
        assert!(g["not_evaluated"].to_string().contains("sg-stale-rule"), "{g}");
    }
    assert_eq!(coverage(&doc, "ec2-stale-security-group-rules")["state"], "denied");
    assert_eq!(group(&doc, seed["groups"]["unused-control"].as_str().unwrap())["status"], "unknown");
}

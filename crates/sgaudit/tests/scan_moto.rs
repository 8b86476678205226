//! End to end: the built binary against a real moto server speaking the AWS wire protocols.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;

use common::{coverage, group, Moto};
use serde_json::Value;

/// Every seeded group gets the status, risk and kinds of evidence the seed script expects.
#[test]
fn every_seeded_group_is_judged_right() {
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let run =
        moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "json", "--save-snapshot", snap.to_str().unwrap()]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let doc = run.json();

    for c in doc["coverage"].as_array().unwrap() {
        assert!(c["state"] == "complete" || c["state"] == "not_applicable", "source not read against moto: {c}");
    }

    // Every report format from a live scan of the same estate, read back against this document.
    let out = dir.path().join("reports");
    let all =
        moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "all", "--output-dir", out.to_str().unwrap()]);
    assert_eq!(all.code, 0, "stderr: {}", all.stderr);
    common::reports::check_report_dir(&out, &doc);

    let mut wrong = Vec::new();
    let groups = manifest["groups"].as_object().unwrap();
    for (name, want) in groups {
        let id = want["group_id"].as_str().unwrap();
        let got = group(&doc, id);
        let kinds: BTreeSet<&str> =
            got["used_by"].as_array().unwrap().iter().map(|u| u["kind"].as_str().unwrap()).collect();
        let want_kinds: BTreeSet<&str> =
            want["used_by_kinds"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        if got["status"] != want["status"] || got["risk"] != want["risk"] || kinds != want_kinds {
            wrong.push(format!(
                "{name} ({id}): got {} / {} / {kinds:?}, want {} / {} / {want_kinds:?}",
                got["status"], got["risk"], want["status"], want["risk"]
            ));
        }
        // The resources the seed created are the ones reported, by any of their names (sgaudit reports
        // the ARN where the service gives one; the manifest keeps every spelling).
        for rid in want["resource_ids"].as_array().unwrap() {
            let rid = rid.as_str().unwrap();
            let mut spellings: BTreeSet<&str> = BTreeSet::from([rid]);
            for resource in manifest["resources"].as_object().unwrap().values() {
                let names: Vec<&str> = resource.as_object().unwrap().values().filter_map(Value::as_str).collect();
                if names.contains(&rid) {
                    spellings.extend(names);
                }
            }
            let seen = got["used_by"].as_array().unwrap().iter().any(|u| {
                let uid = u["id"].as_str().unwrap();
                spellings
                    .iter()
                    .any(|s| uid == *s || uid.ends_with(&format!("/{s}")) || uid.ends_with(&format!(":{s}")))
            });
            if !seen {
                wrong.push(format!("{name} ({id}): resource {rid} not in used_by {}", got["used_by"]));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} groups judged wrong:\n{}", wrong.len(), groups.len(), wrong.join("\n"));
    eprintln!("{} seeded groups judged as expected; skipped kinds: {}", groups.len(), manifest["skipped"]);

    // Unused and in-use both occur, and the chain's relation is kept.
    let chain_c = group(&doc, manifest["groups"]["chain-c"]["group_id"].as_str().unwrap());
    assert_eq!(chain_c["status"], "unused");
    assert_eq!(chain_c["referenced_by"][0]["group_id"], manifest["groups"]["chain-b"]["group_id"]);

    // The same judgement offline, from the saved snapshot, with no endpoint at all.
    let offline = common::sgaudit_cmd()
        .args(["scan", "--from-snapshot", snap.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let offline = common::Run::of(offline);
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert_eq!(offline.json(), doc, "offline audit differs from the live one");
}

/// A user whose policy lacks one source's action: that source is denied, groups without other evidence
/// are `unknown` (never `unused`), coverage names the action, exit code 3. The action withheld is the one
/// that reads launch templates: the classic false "unused" of ENI-only tools.
#[test]
fn a_denied_source_makes_groups_unknown_and_exits_3() {
    const WITHHELD: &str = "ec2:DescribeLaunchTemplateVersions";
    // moto's IAM enforcement miscomputes SigV4 for these REST-JSON APIs and answers 403
    // SignatureDoesNotMatch even to a user allowed `*` (checked with boto3): they are denied whatever the
    // policy, which the test requires rather than hides.
    const MOTO_REST_JSON: &[&str] = &[
        "apigatewayv2-vpc-links",
        "efs-mount-targets",
        "eks-clusters",
        "emr-containers-managed-endpoints",
        "emr-serverless-applications",
        "lambda-event-source-mappings",
        "lambda-functions",
        "mediaconnect-flows",
        "medialive-channels",
        "mq-brokers",
        "msk-clusters",
        "opensearch-domains",
        "osis-pipelines",
        "pipes-pipes",
        "scheduler-schedules",
        "vpc-lattice-service-network-vpc-associations",
        "workspaces-web-network-settings",
    ];
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let permissions = common::sgaudit_cmd().args(["permissions"]).output().unwrap();
    let policy: Value = serde_json::from_slice(&permissions.stdout).unwrap();
    // What every scan calls, and the groups family's sources (the scan judges groups: SGAUDIT_CHECKS).
    let actions: Vec<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Sid"] == "SgauditScan" || s["Sid"] == "SgauditChecksGroups")
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .filter(|a| a != WITHHELD)
        .collect();
    let user = moto.python(
        &[&format!("{}/make_user.py", common::FIXTURES), "--endpoint", &moto.url, "--actions", &actions.join(",")],
        &[],
    );
    moto.enforce_iam();
    let run = moto.sgaudit_as(
        &["scan", "--region", "us-east-1", "--format", "json"],
        user["AccessKeyId"].as_str().unwrap(),
        user["SecretAccessKey"].as_str().unwrap(),
    );
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    let doc = run.json();

    let templates = coverage(&doc, "ec2-launch-templates");
    assert_eq!(templates["state"], "denied", "{templates}");
    assert_eq!(templates["error"]["action"], WITHHELD);
    assert!(templates["error"]["message"].as_str().unwrap().contains("DescribeLaunchTemplateVersions"), "{templates}");
    // Every other source moto can enforce is read in full: the declared actions are the ones the calls need.
    for c in doc["coverage"].as_array().unwrap() {
        let source = c["source"].as_str().unwrap();
        if source == "ec2-launch-templates" {
            continue;
        }
        if MOTO_REST_JSON.contains(&source) {
            assert_eq!(c["state"], "denied", "{c}");
        } else {
            assert!(c["state"] == "complete" || c["state"] == "not_applicable", "{c}\n{:#?}", common::unread(&doc));
        }
    }

    // The groups held only by launch templates are unknown, never unused; so is everything else without
    // evidence, since the region's evidence is incomplete.
    for name in ["sg-for-launch-template", "sg-for-launch-template-toplevel", "unused-plain", "chain-c"] {
        let g = group(&doc, manifest["groups"][name]["group_id"].as_str().unwrap());
        assert_eq!(g["status"], "unknown", "{name}: {g}");
    }
    let lt = group(&doc, manifest["groups"]["sg-for-launch-template"]["group_id"].as_str().unwrap());
    assert!(lt["missing_evidence"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().contains(WITHHELD)), "{lt}");
    assert_eq!(doc["summary"]["by_status"]["unused"], 0, "nothing may be unused with a source denied");
    // Evidence that was read still counts.
    for name in ["sg-for-ec2-instance", "sg-for-rds-db-instance", "world-ssh-used"] {
        let g = group(&doc, manifest["groups"][name]["group_id"].as_str().unwrap());
        assert_eq!(g["status"], "in_use", "{name}");
    }
}

/// Collecting a region makes one paginated list per source (plus per-resource describes), never a call
/// per security group: 200 more groups cost no more requests.
#[test]
fn requests_do_not_grow_with_the_number_of_groups() {
    let moto = Moto::start();
    // The region's sources, then the account-wide ones of the account checks (read once per account).
    let requests = |doc: &Value| -> Vec<(String, u64)> {
        let account = doc["account_coverage"].as_array().into_iter().flatten();
        doc["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .chain(account)
            .map(|c| (c["source"].as_str().unwrap().to_string(), c["requests"].as_u64().unwrap()))
            .collect()
    };
    let before = moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "json"]);
    let before_doc = before.json();
    assert_eq!(before.code, 0, "{}\n{:#?}", before.stderr, common::unread(&before_doc));
    moto.python(
        &[
            &format!("{}/many_groups.py", common::FIXTURES),
            "--endpoint",
            &moto.url,
            "--region",
            "us-east-1",
            "--count",
            "200",
        ],
        &[],
    );
    let after = moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "json"]);
    let after_doc = after.json();
    assert_eq!(after.code, 0, "{}\n{:#?}", after.stderr, common::unread(&after_doc));
    assert!(after_doc["security_groups"].as_array().unwrap().len() >= 200);
    let (before_n, after_n) = (requests(&before_doc), requests(&after_doc));
    // The groups came in one new VPC: the stale rules are asked per VPC (one more call), nothing else grew.
    // The credential report the first scan had IAM generate is ready for the second: one call fewer.
    let grew: Vec<_> = before_n
        .iter()
        .zip(&after_n)
        .filter(|(b, a)| match b.0.as_str() {
            "ec2-stale-security-group-rules" => a.1 != b.1 + 1,
            "iam-credential-report" => a.0 != b.0 || a.1 > b.1,
            _ => a != b,
        })
        .collect();
    assert!(grew.is_empty(), "requests grew with the groups: {grew:?}");
    // With no resources of their kind, a source makes one request per list it reads: one, or as many as the
    // lists it reads (Spot Fleet and Spot Instance requests; Glue connections and jobs; SageMaker models and
    // endpoints; VPC peerings and transit gateway attachments, after which a region with no connected VPC asks
    // nothing more; AppStream fleets, image builders and app block builders; the eight kinds of AgentCore
    // resource; ...). The stale rules are asked per VPC: the VPC list, then one call for each of the two VPCs
    // (moto's default one and the bulk groups' one). The credential report is generated, then fetched.
    let lists: std::collections::BTreeMap<&str, u64> = [
        ("appstream-fleets", 3),
        ("bedrock-agentcore-resources", 8),
        ("comprehend-models", 3),
        ("datasync-agents-locations", 2),
        ("devicefarm-projects", 2),
        ("drs-replication-settings", 2),
        ("ec2-peered-vpc-references", 2),
        ("ec2-spot-requests", 2),
        ("ec2-stale-security-group-rules", 3),
        ("events-rules", 2),
        ("glue-connections", 2),
        ("iam-credential-report", 2),
        ("mgn-replication-settings", 2),
        ("rtbfabric-gateways", 2),
        ("sagemaker-domains", 2),
        ("sagemaker-endpoints", 2),
        ("sagemaker-monitoring", 5),
        ("timestream-influxdb-databases", 2),
    ]
    .into_iter()
    .collect();
    let wrong: Vec<_> = requests(&after_doc)
        .into_iter()
        .filter(|(source, n)| *n != lists.get(source.as_str()).copied().unwrap_or(1))
        .collect();
    assert!(wrong.is_empty(), "requests for an estate with no resources of their kind: {wrong:?}");
    let total: u64 = requests(&after_doc).iter().map(|(_, n)| n).sum();
    eprintln!("{} sources, {total} requests for an account-region with nothing but groups", requests(&after_doc).len());
    // Attached groups: the ENI list is still one request however many interfaces hold groups.
    assert_eq!(coverage(&after_doc, "ec2-network-interfaces")["requests"], 1);
}

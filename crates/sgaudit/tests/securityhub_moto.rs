//! `scan --push-security-hub` against moto's Security Hub: every ASFF finding lands (read back with
//! GetFindings), in batches of 100, and a batch that fails is reported, not hidden.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;

use common::proxy::{Fault, FaultProxy, Rule};
use common::{sgaudit_at, Moto, FIXTURES};
use serde_json::Value;

const REGION: &str = "us-east-1";

/// moto with 130 groups whose SSH is open to the world: well over 100 findings, so more than one batch.
fn estate() -> Moto {
    let moto = Moto::start();
    moto.python(
        &[
            &format!("{FIXTURES}/many_groups.py"),
            "--endpoint",
            &moto.url,
            "--region",
            REGION,
            "--count",
            "130",
            "--open-ssh",
        ],
        &[],
    );
    moto
}

fn findings_in_hub(moto: &Moto) -> Value {
    moto.python(&[&format!("{FIXTURES}/securityhub_findings.py"), "--endpoint", &moto.url, "--region", REGION], &[])
}

#[test]
fn every_finding_lands_in_security_hub_in_batches_of_100() {
    let moto = estate();
    let dir = tempfile::tempdir().unwrap();
    let asff = dir.path().join("findings.asff.json");
    let r = moto.sgaudit(&["scan", "--format", "asff", "--output", asff.to_str().unwrap(), "--push-security-hub"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let written: Value = serde_json::from_str(&std::fs::read_to_string(&asff).unwrap()).unwrap();
    let written: BTreeSet<&str> = written.as_array().unwrap().iter().map(|f| f["Id"].as_str().unwrap()).collect();
    assert!(written.len() > 100, "{} findings", written.len());
    let batches = written.len().div_ceil(100);
    let line = format!("{n} of {n} finding(s) imported in {batches} call(s), 0 failed", n = written.len());
    assert!(r.stderr.contains(&line), "`{line}` not in:\n{}", r.stderr);

    let hub = findings_in_hub(&moto);
    let landed: BTreeSet<&str> = hub["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(landed, written, "Security Hub holds other findings than the file");
    assert_eq!(hub["resource_types"], serde_json::json!(["AwsEc2SecurityGroup"]));
    assert!(hub["severities"].as_array().unwrap().contains(&Value::from("CRITICAL")), "{hub}");

    // The same scan again updates the same findings (stable ids) rather than adding new ones.
    let r = moto.sgaudit(&["scan", "--quiet", "--format", "json", "--push-security-hub"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(findings_in_hub(&moto)["ids"].as_array().unwrap().len(), written.len());
}

#[test]
fn a_failed_batch_is_reported_and_the_others_still_land() {
    let moto = estate();
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule {
            needle: "POST /findings/import".into(),
            every: 1,
            times: Some(1),
            fault: Fault::Deny("not authorized to perform: securityhub:BatchImportFindings".into()),
        }],
    );
    let r = sgaudit_at(&proxy.url, &["scan", "--format", "json", "--push-security-hub"], "testing", "testing");
    // Findings that did not land make the run incomplete: exit 3, with the count and the reason said.
    assert_eq!(r.code, 3, "{}", r.stderr);
    let doc = r.json();
    let total: usize =
        doc["security_groups"].as_array().unwrap().iter().map(|g| g["findings"].as_array().unwrap().len()).sum();
    let line = format!("{} of {total} finding(s) imported", total - 100);
    assert!(r.stderr.contains(&line) && r.stderr.contains(", 100 failed"), "`{line}` not in:\n{}", r.stderr);
    assert!(r.stderr.contains("AccessDenied"), "{}", r.stderr);
    assert_eq!(findings_in_hub(&moto)["ids"].as_array().unwrap().len(), total - 100);
}

/// The account checks' results land next to the group findings: passes, failures and the root checks moto
/// cannot answer (`NOT_AVAILABLE`), each account-wide one in the region its evidence was read from.
#[test]
fn the_account_checks_results_land_too() {
    let moto = estate();
    let dir = tempfile::tempdir().unwrap();
    let asff = dir.path().join("findings.asff.json");
    let r = moto.sgaudit(&[
        "scan",
        "--checks",
        "network,iam",
        "--format",
        "asff",
        "--output",
        asff.to_str().unwrap(),
        "--push-security-hub",
    ]);
    // moto's credential report has no root row: the root checks are not evaluated.
    assert_eq!(r.code, 3, "{}", r.stderr);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&asff).unwrap()).unwrap();
    let statuses: BTreeSet<&str> =
        written.as_array().unwrap().iter().map(|f| f["Compliance"]["Status"].as_str().unwrap()).collect();
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), ["FAILED", "NOT_AVAILABLE", "PASSED"]);
    let written: BTreeSet<&str> = written.as_array().unwrap().iter().map(|f| f["Id"].as_str().unwrap()).collect();
    let hub = findings_in_hub(&moto);
    let landed: BTreeSet<&str> = hub["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(landed, written, "Security Hub holds other findings than the file");
    let types: BTreeSet<&str> = hub["resource_types"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(types.contains("AwsAccount") && types.contains("AwsEc2SecurityGroup"), "{types:?}");
}

//! Faults a real cloud makes and moto cannot: a proxy of our own between sgaudit and moto injects them.
//! The conservative rule must hold under each: evidence that could not be read makes groups `unknown`,
//! never `unused`, and the run ends with exit code 3, without a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::proxy::{Fault, FaultProxy, Rule};
use common::{coverage, group, sgaudit_at, Moto, Run};
use serde_json::Value;

fn scan(endpoint: &str, extra: &[&str]) -> Run {
    let mut args = vec!["scan", "--region", "us-east-1", "--format", "json"];
    args.extend_from_slice(extra);
    sgaudit_at(endpoint, &args, "testing", "testing")
}

fn verdicts(doc: &Value) -> Vec<(String, String, String, Value)> {
    doc["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group_id"].as_str().unwrap().to_string(),
                g["status"].as_str().unwrap().to_string(),
                g["risk"].as_str().unwrap().to_string(),
                g["used_by"].clone(),
            )
        })
        .collect()
}

fn assert_no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// The group the manifest names, as judged.
fn judged<'a>(doc: &'a Value, manifest: &Value, name: &str) -> &'a Value {
    group(doc, manifest["groups"][name]["group_id"].as_str().unwrap())
}

#[test]
fn throttling_on_a_share_of_calls_is_retried_to_the_same_result() {
    let moto = Moto::start();
    moto.seed("us-east-1");
    let direct = scan(&moto.url, &[]);
    assert_eq!(direct.code, 0, "{}", direct.stderr);

    // Every fourth request of every kind (twelve in all) is throttled, in its service's own protocol.
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule { needle: String::new(), every: 4, times: Some(12), fault: Fault::Throttle }],
    );
    let throttled = scan(&proxy.url, &[]);
    assert_no_panic(&throttled);
    assert_eq!(throttled.code, 0, "{}", throttled.stderr);
    assert_eq!(proxy.faults(), 12, "throttles injected");
    assert_eq!(verdicts(&throttled.json()), verdicts(&direct.json()), "throttling changed the verdicts");
    // The retries are counted against the sources that made them.
    let requests = |doc: &Value| -> u64 {
        doc["coverage"].as_array().unwrap().iter().map(|c| c["requests"].as_u64().unwrap()).sum()
    };
    assert!(requests(&throttled.json()) > requests(&direct.json()));
}

#[test]
fn a_source_that_keeps_failing_leaves_its_groups_unknown() {
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let proxy = FaultProxy::start(&moto.url, vec![Rule::always("DescribeLaunchTemplateVersions", Fault::Status(500))]);
    let run = scan(&proxy.url, &["--max-attempts", "3"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    let lt = coverage(&doc, "ec2-launch-templates");
    assert_eq!(lt["state"], "failed", "{lt}");
    assert_eq!(lt["requests"], 3, "three attempts: {lt}");
    assert_eq!(judged(&doc, &manifest, "sg-for-launch-template")["status"], "unknown");
    assert_eq!(judged(&doc, &manifest, "unused-plain")["status"], "unknown");
    assert_eq!(doc["summary"]["by_status"]["unused"], 0);
    assert_eq!(judged(&doc, &manifest, "sg-for-ec2-instance")["status"], "in_use");
}

#[test]
fn a_5xx_burst_longer_than_the_retries_leaves_groups_unknown_and_a_shorter_one_does_not() {
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    // Lambda answers 503 to its next 10 requests: with 3 attempts, the list cannot complete.
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule { needle: "/functions".into(), every: 1, times: Some(10), fault: Fault::Status(503) }],
    );
    let run = scan(&proxy.url, &["--max-attempts", "3"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(coverage(&doc, "lambda-functions")["state"], "failed");
    assert_eq!(judged(&doc, &manifest, "sg-for-lambda-function")["status"], "unknown");
    assert_ne!(judged(&doc, &manifest, "egress-ref-target")["status"], "unused");

    // A burst of 2 within 8 attempts is absorbed.
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule { needle: "/functions".into(), every: 1, times: Some(2), fault: Fault::Status(503) }],
    );
    let run = scan(&proxy.url, &["--max-attempts", "8"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(judged(&run.json(), &manifest, "sg-for-lambda-function")["status"], "in_use");
}

#[test]
fn a_timeout_leaves_groups_unknown() {
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let proxy = FaultProxy::start(&moto.url, vec![Rule::always("ListServers", Fault::Hang(Duration::from_secs(4)))]);
    let started = std::time::Instant::now();
    let run = scan(&proxy.url, &["--call-timeout", "1", "--max-attempts", "2"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(30), "a hung call must not hang the scan");
    let doc = run.json();
    let transfer = coverage(&doc, "transfer-servers");
    assert_eq!(transfer["state"], "failed", "{transfer}");
    assert_eq!(transfer["error"]["code"], "timeout", "{transfer}");
    assert_eq!(judged(&doc, &manifest, "sg-for-transfer-server")["status"], "unknown");
}

#[test]
fn a_truncated_page_leaves_groups_unknown() {
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let proxy = FaultProxy::start(&moto.url, vec![Rule::always("DescribeNetworkInterfaces", Fault::Truncate)]);
    let run = scan(&proxy.url, &["--max-attempts", "2"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(coverage(&doc, "ec2-network-interfaces")["state"], "failed");
    // A group held only by a bare interface has no other evidence.
    assert_eq!(judged(&doc, &manifest, "sg-for-network-interface")["status"], "unknown");
    assert_eq!(doc["summary"]["by_status"]["unused"], 0);
}

#[test]
fn an_scp_deny_is_said_in_plain_words() {
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let message = "User: arn:aws:sts::123456789012:assumed-role/Audit/sgaudit is not authorized to perform: \
                   elasticloadbalancing:DescribeLoadBalancers with an explicit deny in a service control policy";
    let proxy = FaultProxy::start(&moto.url, vec![Rule::always("DescribeLoadBalancers", Fault::Deny(message.into()))]);
    let run = scan(&proxy.url, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    let elb = coverage(&doc, "elbv2-load-balancers");
    assert_eq!(elb["state"], "denied", "{elb}");
    assert_eq!(elb["error"]["scp_deny"], true);
    assert_eq!(elb["error"]["action"], "elasticloadbalancing:DescribeLoadBalancers");
    assert_eq!(judged(&doc, &manifest, "sg-for-elbv2-load-balancer")["status"], "unknown");
    let table = sgaudit_at(&proxy.url, &["scan", "--region", "us-east-1"], "testing", "testing");
    assert!(
        table.stdout.contains("denied explicitly by a service control policy")
            && table.stdout.contains("elasticloadbalancing:DescribeLoadBalancers"),
        "{}",
        table.stdout
    );
}

#[test]
fn an_account_whose_regions_cannot_be_listed_is_reported_not_fatal() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(
        &moto.url,
        vec![Rule::always("DescribeRegions", Fault::Deny("not authorized to perform: ec2:DescribeRegions".into()))],
    );
    let run = sgaudit_at(&proxy.url, &["scan", "--all-regions", "--format", "json", "--quiet"], "testing", "testing");
    assert_no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    let account = &doc["accounts"][0];
    assert_eq!(account["state"], "unreachable", "{account}");
    assert_eq!(account["error"]["action"], "ec2:DescribeRegions");
    assert_eq!(doc["summary"]["estate"]["accounts_read"], 0);
    assert_eq!(doc["summary"]["partial"], true);
}

#[test]
fn an_endpoint_that_does_not_resolve_is_a_failure_not_an_absent_service() {
    // Lambda is offered in us-east-1: its endpoint not resolving (a resolver failing, a mistyped
    // AWS_ENDPOINT_URL_LAMBDA) says nothing about whether functions hold groups there.
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let out = common::sgaudit_cmd()
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_ENDPOINT_URL_LAMBDA", "http://nonexistent.invalid")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args(["scan", "--region", "us-east-1", "--format", "json", "--max-attempts", "2", "--quiet"])
        .output()
        .unwrap();
    let run = Run::of(out);
    assert_no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    let lambda = coverage(&doc, "lambda-functions");
    assert_eq!(lambda["state"], "failed", "{lambda}");
    assert_eq!(lambda["error"]["code"], "endpoint-unresolved", "{lambda}");
    let message = lambda["error"]["message"].as_str().unwrap();
    assert!(message.contains("dns error"), "the resolver's error is kept: {lambda}");
    assert_eq!(judged(&doc, &manifest, "sg-for-lambda-function")["status"], "unknown");
    assert_eq!(judged(&doc, &manifest, "unused-plain")["status"], "unknown");
    assert_eq!(doc["summary"]["by_status"]["unused"], 0);
    // Every other Lambda source fails the same way; every source of another service reached moto and was read.
    for c in doc["coverage"].as_array().unwrap() {
        if c["source"].as_str().unwrap().starts_with("lambda-") {
            assert_eq!(c["error"]["code"], "endpoint-unresolved", "{c}");
        } else {
            assert_eq!(c["state"], "complete", "{c}");
        }
    }
    // The table names the source and says why it was not read.
    let out = common::sgaudit_cmd()
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_ENDPOINT_URL_LAMBDA", "http://nonexistent.invalid")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args(["scan", "--region", "us-east-1", "--max-attempts", "2", "--quiet"])
        .output()
        .unwrap();
    let table = Run::of(out);
    assert_eq!(table.code, 3, "{}", table.stderr);
    assert!(table.stdout.contains("lambda-functions") && table.stdout.contains("dns error"), "{}", table.stdout);
}

#[test]
fn call_timeout_bounds_a_whole_call_with_its_retries() {
    let moto = Moto::start();
    let manifest = moto.seed("us-east-1");
    let proxy = FaultProxy::start(&moto.url, vec![Rule::always("ListServers", Fault::Hang(Duration::from_secs(30)))]);
    let started = std::time::Instant::now();
    // The default 8 attempts: were each attempt allowed the whole timeout, this would take 8 × 2 s plus backoff.
    let run = scan(&proxy.url, &["--call-timeout", "2", "--quiet"]);
    let took = started.elapsed();
    assert_no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(took < Duration::from_secs(20), "the scan took {took:?}");
    let doc = run.json();
    let transfer = coverage(&doc, "transfer-servers");
    assert_eq!(transfer["state"], "failed", "{transfer}");
    assert_eq!(transfer["error"]["code"], "timeout", "{transfer}");
    assert_eq!(judged(&doc, &manifest, "sg-for-transfer-server")["status"], "unknown");
    assert_eq!(doc["summary"]["by_status"]["unused"], 0);
}

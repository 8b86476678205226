//! `sgaudit permissions`: every `--for` prints a policy that parses and that IAM's linters accept (parliament,
//! and cfn-lint's copy of the Service Authorization Reference for the action names); the CloudFormation template
//! passes cfn-lint and its managed policies, each within IAM's 6,144 characters, hold exactly the scan's
//! actions; the Terraform module parses (terraform itself where installed) and holds the same; bad input is one
//! line and exit 2. Needs `parliament` and `cfn-lint` from PyPI (`.ci/run` installs them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Run;
use serde_json::Value;

const MANAGED_POLICY_LIMIT: usize = 6_144;

/// Every value `--for` takes.
const USES: [&str; 12] = [
    "scan",
    "checks:groups",
    "checks:network",
    "checks:iam",
    "checks:cloudtrail",
    "checks:s3",
    "org",
    "security-hub",
    "cleanup",
    "restore",
    "preflight",
    "all",
];

fn permissions(args: &[&str]) -> Run {
    Run::of(common::sgaudit_cmd().arg("permissions").args(args).output().unwrap())
}

/// IAM's size of a policy: its JSON without whitespace, in characters.
fn size(policy: &Value) -> usize {
    policy.to_string().chars().filter(|c| !c.is_whitespace()).count()
}

fn sids(policy: &Value) -> Vec<String> {
    policy["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap().to_string()).collect()
}

/// Every action of a policy, each as often as it is granted.
fn actions(policy: &Value) -> Vec<String> {
    let mut all: Vec<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| match &s["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
            other => panic!("Action {other}"),
        })
        .collect();
    all.sort();
    all
}

fn once(mut actions: Vec<String>) -> Vec<String> {
    actions.sort();
    actions.dedup();
    actions
}

/// A read, by IAM's naming.
fn is_read(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, v)| v);
    verb == "GET" || ["Describe", "Get", "List", "Lookup", "BatchGet"].iter().any(|p| verb.starts_with(p))
}

/// The actions IAM does not know, by cfn-lint's copy of the Service Authorization Reference (its
/// `Policies.json`, newer than parliament's database).
fn unknown_to_iam(actions: &[String]) -> Vec<String> {
    const SCRIPT: &str = r#"
import json, pathlib, sys, cfnlint
db = json.loads((pathlib.Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text())
for line in sys.stdin.read().split():
    prefix, _, action = line.partition(":")
    if action.lower() not in {a.lower() for a in db.get(prefix, {}).get("Actions", {})}:
        print(line)
"#;
    let out = pipe(Command::new("python3").args(["-c", SCRIPT]), &actions.join("\n"));
    assert!(
        out.status.success(),
        "cfn-lint's IAM data (pip install cfn-lint): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

fn pipe(cmd: &mut Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (pip install parliament cfn-lint: .ci/run installs them)"));
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Which of parliament's findings a policy may have.
#[derive(Clone, Copy, PartialEq)]
enum Resources {
    /// `sgaudit permissions --for X`: least privilege by action. The resources are whatever the accounts
    /// hold, not known when the policy is printed, so every statement names `*`: parliament's RESOURCE_STAR
    /// (LOW, "unnecessary use of Resource *") is allowed for any action there.
    Any,
    /// A deployable policy: `*` only for reads (what sgaudit reads it cannot name ahead); every write is scoped.
    ScopedWrites,
}

/// parliament's findings on a policy, those allowed dropped. Also allowed: UNKNOWN_PREFIX and UNKNOWN_ACTION
/// for an action IAM knows (cfn-lint's copy of the reference): parliament's database (last released 2023)
/// predates services such as bedrock-agentcore, evs, rtbfabric or s3files, and some newer actions.
fn parliament(policy: &Value, resources: Resources) -> Vec<String> {
    let out = pipe(Command::new("parliament").arg("--json"), &serde_json::to_string_pretty(policy).unwrap());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0: no finding; 1: findings. Anything else is parliament failing (it reads a policy from stdin only when
    // its standard input is not a terminal, as here).
    assert!(matches!(out.status.code(), Some(0 | 1)), "parliament failed: {stderr}");
    let findings: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let named: Vec<String> = findings
        .iter()
        .filter(|f| matches!(f["issue"].as_str(), Some("UNKNOWN_PREFIX" | "UNKNOWN_ACTION")))
        .map(|f| f["location"]["string"].as_str().unwrap().to_string())
        .collect();
    let unknown = if named.is_empty() { Vec::new() } else { unknown_to_iam(&named) };
    findings
        .into_iter()
        .filter(|f| match f["issue"].as_str().unwrap() {
            "UNKNOWN_PREFIX" | "UNKNOWN_ACTION" => unknown.iter().any(|u| f["location"]["string"] == u.as_str()),
            "RESOURCE_STAR" => {
                resources == Resources::ScopedWrites
                    && f["detail"].as_array().unwrap().iter().any(|a| !is_read(a.as_str().unwrap()))
            }
            _ => true,
        })
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn every_use_prints_a_policy_that_iams_linters_accept() {
    let mut problems = Vec::new();
    let mut sizes = BTreeMap::new();
    let mut every_action = BTreeSet::new();
    for u in USES {
        let r = permissions(&["--for", u]);
        assert_eq!(r.code, 0, "--for {u}: {}", r.stderr);
        let policy = r.json();
        let keys: Vec<&String> = policy.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Statement", "Version"], "--for {u}");
        assert_eq!(policy["Version"], "2012-10-17");
        for s in policy["Statement"].as_array().unwrap() {
            assert_eq!(s["Effect"], "Allow");
            assert_eq!(s["Resource"], "*");
            let a = actions(&serde_json::json!({ "Statement": [s] }));
            assert!(!a.is_empty(), "--for {u}: {s}");
            assert_eq!(once(a.clone()), a, "--for {u}: each action once in a statement");
        }
        // Keys in the order IAM's documents use, two-space indentation.
        assert!(r.stdout.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["), "{}", r.stdout);
        assert!(r.stdout.contains("\"Sid\"") && r.stdout.find("\"Sid\"") < r.stdout.find("\"Effect\""));

        let n = size(&policy);
        sizes.insert(u, n);
        // Over the limit of a managed policy: one line on stderr says so, and what to do.
        let note: Vec<&str> = r.stderr.lines().collect();
        if n > MANAGED_POLICY_LIMIT {
            assert_eq!(note.len(), 1, "--for {u} ({n}): {}", r.stderr);
            assert!(note[0].contains(&format!("{},{:03}", n / 1000, n % 1000)), "{}", note[0]);
            assert!(note[0].contains("6,144") && note[0].contains("--format cloudformation|terraform"), "{}", note[0]);
        } else {
            assert!(note.is_empty(), "--for {u} ({n}): {}", r.stderr);
        }

        for finding in parliament(&policy, Resources::Any) {
            problems.push(format!("--for {u}: parliament: {finding}"));
        }
        every_action.extend(actions(&policy));
    }
    let every_action: Vec<String> = every_action.into_iter().collect();
    for a in unknown_to_iam(&every_action) {
        problems.push(format!("{a}: not an IAM action (Service Authorization Reference, as cfn-lint ships it)"));
    }
    println!("policy sizes, characters without whitespace (limit {MANAGED_POLICY_LIMIT} for a managed policy):");
    for (u, n) in &sizes {
        println!("  --for {u:<18} {n}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_use_is_its_own_statement_and_the_composite_uses_are_what_they_name() {
    let sids_for = |args: &[&str]| sids(&permissions(args).json());
    let families = ["Groups", "Network", "Iam", "CloudTrail", "S3"];
    let scan: Vec<String> = std::iter::once("SgauditScan".to_string())
        .chain(families.iter().map(|f| format!("SgauditChecks{f}")))
        .collect();
    assert_eq!(sids_for(&["--for", "scan"]), scan);
    let mut preflight = scan.clone();
    preflight.push("SgauditOrganization".into());
    assert_eq!(sids_for(&["--for", "preflight"]), preflight, "the preflight calls what it proves: scan and org");
    let mut all = preflight.clone();
    all.extend(["SgauditSecurityHub", "SgauditCleanup", "SgauditRestore"].map(String::from));
    assert_eq!(sids_for(&[]), all);
    assert_eq!(sids_for(&["--for", "all"]), all);
    assert_eq!(sids_for(&["--for", "org"]), ["SgauditOrganization"]);
    assert_eq!(sids_for(&["--for", "checks:iam"]), ["SgauditChecksIam"]);
    // --checks narrows what scan brings; the order is the policy's, whatever the order asked.
    assert_eq!(
        sids_for(&["--for", "cleanup,scan", "--checks", "s3,iam"]),
        ["SgauditScan", "SgauditChecksIam", "SgauditChecksS3", "SgauditCleanup"]
    );
    assert_eq!(sids_for(&["--for", "scan,scan, checks:iam"]).len(), 6, "each use once");

    // `all` is the union of its parts, and so is `scan` of the families'.
    let union = |uses: &[&str]| once(uses.iter().flat_map(|u| actions(&permissions(&["--for", u]).json())).collect());
    assert_eq!(union(&["scan", "org", "security-hub", "cleanup", "restore"]), once(actions(&permissions(&[]).json())));
    let families: Vec<&str> = USES.iter().copied().filter(|u| u.starts_with("checks:")).collect();
    let mut with_scan = families.clone();
    with_scan.push("scan");
    assert_eq!(union(&families).len() + 2, union(&with_scan).len(), "scan adds its own two actions");
}

#[test]
fn the_text_form_says_where_each_use_belongs_and_what_it_does() {
    let r = permissions(&["--for", "scan,org,cleanup", "--checks", "iam", "--format", "text"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let policy = permissions(&["--for", "scan,org,cleanup", "--checks", "iam"]).json();
    for (sid, home, kind) in [
        ("SgauditScan (--for scan)", "every account scanned", "read-only, 2 actions:"),
        ("SgauditChecksIam (--for checks:iam)", "every account scanned", "read-only, 3 actions:"),
        ("SgauditOrganization (--for org)", "the account that runs sgaudit --org", "read-only, 2 actions:"),
        ("SgauditCleanup (--for cleanup)", "every account scanned", "writes,"),
    ] {
        let at = r.stdout.find(sid).unwrap_or_else(|| panic!("{sid} in:\n{}", r.stdout));
        let block = &r.stdout[at..];
        let block = &block[..block.find("\n\n").unwrap()];
        assert!(block.contains(&format!("belongs in: {home}")), "{block}");
        assert!(block.contains(kind), "{block}");
    }
    for a in actions(&policy) {
        assert!(r.stdout.contains(&format!("\n    {a}\n")), "{a}");
    }
    let last = r.stdout.lines().last().unwrap();
    assert!(last.starts_with("4 statements,"), "{last}");
    assert!(last.contains(&format!("{} characters without whitespace", size(&policy))), "{last}");
}

#[test]
fn bad_uses_are_one_line_and_exit_2() {
    permissions(&["--for", "nope"]).assert_one_line_error("unknown use `nope`");
    permissions(&["--for", "scan,checks:nope"]).assert_one_line_error("checks:nope");
    permissions(&["--for", ""]).assert_one_line_error("--for");
    // The member accounts' roles need a read-only use: org belongs in the account that runs sgaudit.
    permissions(&["--for", "org", "--format", "cloudformation"]).assert_one_line_error("audit role");
    permissions(&["--for", "cleanup", "--format", "terraform"]).assert_one_line_error("audit role");
}

// ----- CloudFormation -------------------------------------------------------------------------------------------

/// The template's values as deployed with the defaults, for `Ref` and `Fn::Sub`.
fn deployed() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("AWS::Partition", "aws"),
        ("AWS::AccountId", "123456789012"),
        ("RoleName", "sgaudit-audit"),
        ("CleanupRoleName", "sgaudit-cleanup"),
        ("ProtectTagKey", "Environment"),
        ("ProtectTagValue", "Production"),
    ])
}

/// A policy document of the template as IAM receives it: `Fn::Sub` of a JSON text, or an object.
fn resolved(document: &Value) -> Value {
    match document.get("Fn::Sub") {
        Some(Value::String(text)) => {
            let mut text = text.clone();
            for (k, v) in deployed() {
                text = text.replace(&format!("${{{k}}}"), v);
            }
            assert!(!text.contains("${"), "an unresolved placeholder:\n{text}");
            serde_json::from_str(&text).unwrap()
        }
        _ => {
            let mut document = document.clone();
            substitute(&mut document);
            document
        }
    }
}

fn substitute(v: &mut Value) {
    match v {
        Value::Object(o) if o.len() == 1 && o.contains_key("Fn::Sub") => {
            let mut text = o["Fn::Sub"].as_str().unwrap().to_string();
            for (k, val) in deployed() {
                text = text.replace(&format!("${{{k}}}"), val);
            }
            *v = Value::String(text);
        }
        Value::Object(o) => o.values_mut().for_each(substitute),
        Value::Array(a) => a.iter_mut().for_each(substitute),
        _ => {}
    }
}

fn cfn_lint(template: &Path) -> (Option<i32>, String) {
    let out = Command::new("cfn-lint")
        .arg(template)
        .output()
        .unwrap_or_else(|e| panic!("cfn-lint: {e} (pip install cfn-lint: .ci/run installs it)"));
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_cloudformation_template_passes_cfn_lint_and_splits_the_scan_within_the_limit() {
    let r = permissions(&["--format", "cloudformation"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sgaudit-roles.json");
    std::fs::write(&path, &r.stdout).unwrap();
    let (code, lint) = cfn_lint(&path);
    assert_eq!(code, Some(0), "cfn-lint:\n{lint}");
    assert!(lint.trim().is_empty(), "cfn-lint:\n{lint}");

    let template: Value = serde_json::from_str(&r.stdout).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let of_type = |t: &'static str| resources.iter().filter(move |(_, v)| v["Type"] == t);

    // The audit role: read-only managed policies, each within IAM's limit, together exactly the scan's actions.
    let audit: Vec<(&String, &Value)> =
        of_type("AWS::IAM::ManagedPolicy").filter(|(k, _)| k.starts_with("AuditPolicy")).collect();
    assert!(audit.len() >= 2, "the scan's policy is over 6,144: more than one managed policy");
    let mut granted = Vec::new();
    for (name, policy) in &audit {
        let document = &policy["Properties"]["PolicyDocument"];
        assert!(size(document) <= MANAGED_POLICY_LIMIT, "{name}: {}", size(document));
        // The audit role's; the cleanup role's too when it is created: cleanup scans before it plans.
        assert_eq!(
            policy["Properties"]["Roles"],
            serde_json::json!([
                { "Ref": "AuditRole" },
                { "Fn::If": ["WithCleanupRole", { "Ref": "CleanupRole" }, { "Ref": "AWS::NoValue" }] }
            ]),
            "{name}"
        );
        assert!(policy.get("Condition").is_none(), "{name}: always attached");
        granted.extend(actions(document));
        println!("{name}: {} characters, {} actions, {:?}", size(document), actions(document).len(), sids(document));
    }
    let scan = actions(&permissions(&["--for", "scan"]).json());
    // The same statements' actions, split: as often as the scan's statements grant them (a family may share an
    // action with another: each keeps its own), none lost, none added.
    granted.sort();
    assert_eq!(granted, scan, "the audit role's policies hold exactly the scan's actions");
    let again = permissions(&["--format", "cloudformation"]).stdout;
    assert_eq!(again, r.stdout, "the same template every time");

    // Trust: the principal that runs sgaudit, the external id only when set.
    let trust = &resources["AuditRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Principal"]["AWS"], serde_json::json!({ "Ref": "TrustedPrincipalArn" }));
    assert_eq!(trust["Action"], "sts:AssumeRole");
    assert_eq!(trust["Condition"]["Fn::If"][0], "WithExternalId");
    assert_eq!(template["Parameters"]["RoleName"]["Default"], "sgaudit-audit");
    assert_eq!(template["Parameters"]["ExternalId"]["Default"], "");
    assert_eq!(template["Parameters"]["CreateCleanupRole"]["Default"], "false");
    assert_eq!(template["Outputs"]["AuditRoleArn"]["Value"], serde_json::json!({ "Fn::GetAtt": ["AuditRole", "Arn"] }));

    // The cleanup role: optional, cleanup's and restore's actions, every write scoped by tag.
    let cleanup = &resources["CleanupPolicy"];
    assert_eq!(cleanup["Condition"], "WithCleanupRole");
    assert_eq!(resources["CleanupRole"]["Condition"], "WithCleanupRole");
    let document = resolved(&cleanup["Properties"]["PolicyDocument"]);
    assert!(size(&document) <= MANAGED_POLICY_LIMIT);
    let mut wanted = actions(&permissions(&["--for", "cleanup,restore"]).json());
    wanted.dedup();
    assert_eq!(once(actions(&document)), wanted);
    for s in document["Statement"].as_array().unwrap() {
        let writes = actions(&serde_json::json!({ "Statement": [s] })).iter().any(|a| !is_read(a));
        if writes {
            assert_ne!(s["Resource"], "*", "{s}");
            let condition = &s["Condition"]["StringNotEqualsIgnoreCase"];
            let keys: Vec<&String> = condition.as_object().unwrap_or_else(|| panic!("{s}")).keys().collect();
            assert!(
                keys.iter()
                    .any(|k| k.as_str() == "ec2:ResourceTag/Environment" || k.as_str() == "aws:RequestTag/Environment"),
                "{s}"
            );
        }
    }
    let delete = document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| actions(&serde_json::json!({ "Statement": [s] })).contains(&"ec2:DeleteSecurityGroup".to_string()))
        .unwrap();
    assert_eq!(delete["Condition"]["StringNotEqualsIgnoreCase"]["ec2:ResourceTag/Environment"], "Production");
    assert_eq!(delete["Condition"]["StringNotEqualsIgnoreCase"]["ec2:ResourceTag/DoNotDelete"][0], "true");

    // Every policy the template deploys, as IAM receives it, passes parliament.
    let mut problems = Vec::new();
    for (name, policy) in of_type("AWS::IAM::ManagedPolicy") {
        for finding in parliament(&resolved(&policy["Properties"]["PolicyDocument"]), Resources::ScopedWrites) {
            problems.push(format!("{name}: parliament: {finding}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_template_of_a_few_families_fits_one_managed_policy_and_has_no_cleanup_role() {
    let r = permissions(&["--for", "scan", "--checks", "iam,s3", "--format", "cloudformation"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let template: Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&String> = template["Resources"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["AuditPolicy1", "AuditRole"]);
    assert!(template["Parameters"].get("CreateCleanupRole").is_none());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    std::fs::write(&path, &r.stdout).unwrap();
    let (code, lint) = cfn_lint(&path);
    assert_eq!(code, Some(0), "cfn-lint:\n{lint}");
}

// ----- Terraform ------------------------------------------------------------------------------------------------

/// A statement of the module: its sid, actions and resources.
type TfStatement = (String, Vec<String>, Vec<String>);

/// The statements of each `data "aws_iam_policy_document"` of the module, by its name.
fn policy_documents(module: &str) -> BTreeMap<String, Vec<TfStatement>> {
    use hcl_edit::expr::Expression;
    let body = hcl_edit::parser::parse_body(module).unwrap_or_else(|e| panic!("the module does not parse: {e}"));
    let strings = |e: &Expression| -> Vec<String> {
        e.as_array()
            .unwrap()
            .iter()
            .map(|x| match x {
                Expression::String(s) => s.value().clone(),
                other => other.to_string().trim().to_string(),
            })
            .collect()
    };
    let mut documents = BTreeMap::new();
    for block in body.get_blocks("data") {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        if labels[0] != "aws_iam_policy_document" {
            continue;
        }
        let statements = block
            .body
            .get_blocks("statement")
            .map(|s| {
                let sid = s.body.get_attribute("sid").and_then(|a| a.value.as_str()).unwrap_or_default().to_string();
                let actions = strings(&s.body.get_attribute("actions").unwrap().value);
                let resources = s.body.get_attribute("resources").map(|a| strings(&a.value)).unwrap_or_default();
                (sid, actions, resources)
            })
            .collect();
        documents.insert(labels[1].to_string(), statements);
    }
    documents
}

/// `terraform init` (offline it cannot fetch the AWS provider) then `validate`; without the provider, `terraform
/// fmt -check`, which parses the file and finds it formatted as terraform writes it. `None` without terraform.
fn terraform_check(dir: &Path) -> Option<String> {
    let terraform = ["terraform", "/usr/local/bin/terraform"]
        .into_iter()
        .find(|t| Command::new(t).arg("version").output().is_ok_and(|o| o.status.success()))?;
    let run = |args: &[&str], limit: Duration| {
        let mut child = Command::new(terraform)
            .args(args)
            .current_dir(dir)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > limit {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        child.wait_with_output().unwrap()
    };
    let init = run(&["init", "-backend=false", "-input=false", "-no-color"], Duration::from_secs(120));
    if init.status.success() {
        let validate = run(&["validate", "-no-color"], Duration::from_secs(120));
        assert!(validate.status.success(), "terraform validate:\n{}", String::from_utf8_lossy(&validate.stderr));
        return Some("terraform validate".into());
    }
    let fmt = run(&["fmt", "-check", "-diff", "-no-color", "main.tf"], Duration::from_secs(60));
    assert!(
        fmt.status.success(),
        "terraform fmt -check:\n{}{}",
        String::from_utf8_lossy(&fmt.stdout),
        String::from_utf8_lossy(&fmt.stderr)
    );
    Some("terraform fmt -check (init could not fetch the AWS provider)".into())
}

#[test]
fn the_terraform_module_parses_and_holds_the_scan_actions() {
    let r = permissions(&["--format", "terraform"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), &r.stdout).unwrap();
    match terraform_check(dir.path()) {
        Some(how) => println!("the module passes {how}"),
        None => eprintln!("terraform is not installed: the module was parsed with hcl-edit only"),
    }

    let documents = policy_documents(&r.stdout);
    let scan: Vec<&String> = documents.keys().filter(|k| k.starts_with("scan_")).collect();
    assert!(scan.len() >= 2, "{:?}", documents.keys());
    let mut granted = Vec::new();
    for name in &scan {
        for (sid, actions, resources) in &documents[*name] {
            assert_eq!(resources, &["*"], "{sid}");
            granted.extend(actions.clone());
        }
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": documents[*name].iter().map(|(sid, a, _)| serde_json::json!({
                "Sid": sid, "Effect": "Allow", "Action": a, "Resource": "*"
            })).collect::<Vec<_>>(),
        });
        assert!(size(&policy) <= MANAGED_POLICY_LIMIT, "{name}: {}", size(&policy));
        // Each part is a managed policy attached to the audit role.
        assert!(r.stdout.contains(&format!("resource \"aws_iam_policy\" \"{name}\"")), "{name}");
        assert!(r.stdout.contains(&format!("resource \"aws_iam_role_policy_attachment\" \"{name}\"")), "{name}");
    }
    let want = actions(&permissions(&["--for", "scan"]).json());
    granted.sort();
    assert_eq!(granted, want, "the audit role's policies hold exactly the scan's actions");

    // The same split as the template's.
    let template: Value = serde_json::from_str(&permissions(&["--format", "cloudformation"]).stdout).unwrap();
    let cfn_parts = template["Resources"].as_object().unwrap().keys().filter(|k| k.starts_with("AuditPolicy")).count();
    assert_eq!(scan.len(), cfn_parts);

    // The cleanup role: optional, cleanup's and restore's actions, its writes scoped to security groups.
    let cleanup: Vec<String> = documents["cleanup"].iter().flat_map(|(_, a, _)| a.clone()).collect();
    assert_eq!(once(cleanup), once(actions(&permissions(&["--for", "cleanup,restore"]).json())));
    for (sid, actions, resources) in &documents["cleanup"] {
        if actions.iter().any(|a| !is_read(a)) {
            assert!(
                resources.iter().all(|r| r.contains(":security-group/") || r.contains(":vpc/")),
                "{sid}: {resources:?}"
            );
        }
    }
    assert!(r.stdout.contains("resource \"aws_iam_role\" \"cleanup\" {\n  count = var.create_cleanup_role ? 1 : 0"));
    // The cleanup role reads what a scan of the groups reads: cleanup scans before it plans.
    for name in &scan {
        let attachment = format!("resource \"aws_iam_role_policy_attachment\" \"cleanup_{name}\"");
        let at = r.stdout.find(&attachment).unwrap_or_else(|| panic!("{attachment}"));
        let body = &r.stdout[at..at + r.stdout[at..].find("\n}\n").unwrap()];
        assert!(body.contains("role       = aws_iam_role.cleanup[0].name"), "{body}");
        assert!(body.contains(&format!("policy_arn = aws_iam_policy.{name}.arn")), "{body}");
    }
    assert!(r.stdout.contains("variable = \"ec2:ResourceTag/${var.protect_tag_key}\""));
    assert!(r.stdout.contains("output \"audit_role_arn\""));
}

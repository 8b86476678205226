//! The fixes (`crates/audit/src/fix`) of the demo estate and of hostile fixtures, checked against what AWS and
//! Terraform accept: every command parses as the AWS CLI would read it from botocore's service models (the
//! operation exists, every option is a member of its input, the required ones are there, each JSON value uses
//! only members of its shape), every Terraform snippet parses with hcl-edit, every failure of a check that writes
//! fixes has one, and AWS text that could run as shell (`x'; rm -rf / #`, `$(reboot)`) comes back as one
//! argument, unchanged.
//!
//! botocore is read through `python3` (CI installs boto3); without it the tests fail, saying so.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;
use sgaudit_audit::checks::{Fixer, Options, Outcome, CHECKS};
use sgaudit_audit::fix::shell::split;
use sgaudit_audit::{audit_with, Audit, Fix, Severity};
use sgaudit_snapshot::Snapshot;

fn demo() -> Snapshot {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot.json");
    Snapshot::load(std::path::Path::new(path)).expect("the demo snapshot loads")
}

/// Every option on: the KMS check fails where it can.
fn options() -> Options {
    Options { require_kms: true, ..Options::default() }
}

/// Each fix of the audit, with what it fixes (`check-id resource`).
fn fixes(audit: &Audit) -> Vec<(String, Fix)> {
    let mut out = Vec::new();
    for g in &audit.groups {
        for f in &g.findings {
            out.extend(f.fix(g).map(|fix| (format!("{} {}", f.check.id, g.group.group_id), fix)));
        }
    }
    for r in &audit.results {
        let fix = audit.fix_of(r).map(std::borrow::Cow::into_owned);
        out.extend(fix.map(|fix| (format!("{} {}", r.check.id, r.location.resource), fix)));
    }
    out
}

/// What each shell variable of a fix stands for, for the checks below.
fn sample(name: &str) -> Option<String> {
    Some(
        match name {
            "ADMIN_CIDR" | "ALLOWED_CIDR" => "203.0.113.0/24",
            "ADMIN_CIDR_V6" | "ALLOWED_CIDR_V6" => "2001:db8::/48",
            "PORT" => "443",
            "KMS_KEY_ARN" => "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "ACCESS_KEY_ID" => "AKIAIOSFODNN7EXAMPLE",
            "TRAIL_BUCKET" => "trail-logs",
            "NEW_GROUP_ID" => "sg-0123456789abcdef0",
            _ => return None,
        }
        .to_string(),
    )
}

// ----- botocore ------------------------------------------------------------------------------------------------

/// A service's model, and the CLI's name of each of its operations and members (botocore's `xform_name`).
struct Model {
    raw: Value,
    operations: BTreeMap<String, String>,
    cli_names: BTreeMap<String, String>,
}

const LOAD_MODELS: &str = r#"
import json, sys
try:
    import botocore.session
    from botocore import xform_name
except ImportError as e:
    sys.exit("botocore is missing (%s): pip install boto3" % e)
session = botocore.session.get_session()
loader = session.get_component("data_loader")
out = {}
for service in sys.argv[1:]:
    raw = loader.load_service_model(service, "service-2")
    names = set()
    for shape in raw["shapes"].values():
        names.update(shape.get("members", {}).keys())
    out[service] = {
        "raw": raw,
        "operations": {xform_name(op, "-"): op for op in raw["operations"]},
        "cli_names": {n: xform_name(n, "-") for n in names},
    }
json.dump(out, sys.stdout)
"#;

fn models(services: &BTreeSet<String>) -> BTreeMap<String, Model> {
    let output = Command::new("python3")
        .arg("-c")
        .arg(LOAD_MODELS)
        .args(services)
        .output()
        .expect("python3 runs (the tests read botocore's models through it; CI installs boto3)");
    assert!(
        output.status.success(),
        "botocore's models could not be read (pip install boto3): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let all: BTreeMap<String, Value> = serde_json::from_slice(&output.stdout).expect("the models are JSON");
    all.into_iter()
        .map(|(service, mut v)| {
            let map = |v: Value| -> BTreeMap<String, String> { serde_json::from_value(v).expect("a map of names") };
            let model = Model {
                operations: map(v["operations"].take()),
                cli_names: map(v["cli_names"].take()),
                raw: v["raw"].take(),
            };
            (service, model)
        })
        .collect()
}

/// botocore's service name of a CLI service name.
fn botocore_service(cli: &str) -> &str {
    match cli {
        "s3api" => "s3",
        other => other,
    }
}

/// Options every command may take.
const GLOBAL: &[&str] = &["--region", "--profile", "--output", "--no-cli-pager"];

/// The options of a command line, each with its values: `--groups sg-1 sg-2` gives `("--groups", [sg-1, sg-2])`.
fn options_of(words: &[String]) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for w in words {
        if w.starts_with("--") {
            out.push((w.clone(), Vec::new()));
        } else {
            out.last_mut().ok_or_else(|| format!("{w:?} before any option"))?.1.push(w.clone());
        }
    }
    Ok(out)
}

/// Checks one `aws` command against its service's model.
fn validate_aws(line: &str, models: &BTreeMap<String, Model>) -> Result<(), String> {
    let words = split(line, sample)?;
    let [aws, service, operation, rest @ ..] = words.as_slice() else { return Err("too short".into()) };
    if aws != "aws" {
        return Err(format!("not an aws command: {aws}"));
    }
    let model = models.get(botocore_service(service)).ok_or_else(|| format!("no model for {service}"))?;
    let op_name = model.operations.get(operation).ok_or_else(|| format!("{service} has no operation {operation}"))?;
    let input = model.raw["operations"][op_name]["input"]["shape"].as_str().ok_or("the operation takes no input")?;
    let shape = &model.raw["shapes"][input];
    let members = shape["members"].as_object().ok_or("the input is not a structure")?;
    let by_cli: BTreeMap<&str, &str> = members
        .keys()
        .map(|m| (model.cli_names.get(m).map(String::as_str).unwrap_or(m.as_str()), m.as_str()))
        .collect();
    let mut given = BTreeSet::new();
    for (option, values) in options_of(rest)? {
        if GLOBAL.contains(&option.as_str()) {
            if option == "--region" && values.len() != 1 {
                return Err("--region takes one value".into());
            }
            continue;
        }
        let name = &option[2..];
        // `--no-egress`: the CLI's negation of a boolean member.
        let (member, negated) = match (by_cli.get(name), name.strip_prefix("no-").and_then(|n| by_cli.get(n))) {
            (Some(m), _) => (*m, false),
            (None, Some(m)) => (*m, true),
            (None, None) => return Err(format!("{option} is not a member of {input}")),
        };
        if !given.insert(member) {
            return Err(format!("{option} given twice"));
        }
        let target = members[member]["shape"].as_str().ok_or("a member without a shape")?;
        let kind = model.raw["shapes"][target]["type"].as_str().unwrap_or("");
        match (kind, values.as_slice()) {
            ("boolean", []) => {}
            ("boolean", _) => return Err(format!("{option} is a flag")),
            (_, _) if negated => return Err(format!("{option}: only a boolean has a --no- form")),
            ("list", values) if !values.is_empty() && !values[0].starts_with('[') => {
                let item = model.raw["shapes"][target]["member"]["shape"].as_str().unwrap_or("");
                for v in values {
                    check_json(&Value::String(v.clone()), item, &model.raw, &option)?;
                }
            }
            ("structure" | "list" | "map", [json]) => {
                let value: Value =
                    serde_json::from_str(json).map_err(|e| format!("{option}: not JSON ({e}): {json}"))?;
                check_json(&value, target, &model.raw, &option)?;
            }
            ("integer" | "long", [n]) => {
                n.parse::<i64>().map_err(|_| format!("{option}: {n} is not a number"))?;
            }
            ("string", [_]) => {}
            (kind, values) => return Err(format!("{option}: {} value(s) for a {kind}", values.len())),
        }
    }
    for required in shape["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !given.contains(required) {
            return Err(format!("{required} is required"));
        }
    }
    Ok(())
}

/// Checks a JSON value against a shape of the model: only its members, the required ones present, each of its
/// type.
fn check_json(value: &Value, shape_name: &str, raw: &Value, at: &str) -> Result<(), String> {
    let shape = &raw["shapes"][shape_name];
    let kind = shape["type"].as_str().ok_or_else(|| format!("{at}: no shape {shape_name}"))?;
    match (kind, value) {
        ("structure", Value::Object(fields)) => {
            let members = shape["members"].as_object().ok_or("a structure without members")?;
            for (key, v) in fields {
                let member = members.get(key).ok_or_else(|| format!("{at}: {key} is not a member of {shape_name}"))?;
                check_json(v, member["shape"].as_str().unwrap_or(""), raw, &format!("{at}.{key}"))?;
            }
            for required in shape["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !fields.contains_key(required) {
                    return Err(format!("{at}: {required} is required in {shape_name}"));
                }
            }
            Ok(())
        }
        ("list", Value::Array(items)) => {
            let member = shape["member"]["shape"].as_str().unwrap_or("");
            items.iter().enumerate().try_for_each(|(i, v)| check_json(v, member, raw, &format!("{at}[{i}]")))
        }
        ("map", Value::Object(_)) => Ok(()),
        ("string" | "timestamp" | "blob", Value::String(_)) => Ok(()),
        ("integer" | "long", Value::Number(n)) if n.is_i64() => Ok(()),
        ("boolean", Value::Bool(_)) => Ok(()),
        (kind, v) => Err(format!("{at}: {v} is not a {kind} ({shape_name})")),
    }
}

/// Checks an `sgaudit` command: only `cleanup`, with options it has.
fn validate_sgaudit(line: &str) -> Result<(), String> {
    let words = split(line, sample)?;
    if words.get(1).map(String::as_str) != Some("cleanup") {
        return Err(format!("sgaudit {:?} is not a command a fix may name", words.get(1)));
    }
    for (option, values) in options_of(&words[2..])? {
        if !["--accounts", "--region"].contains(&option.as_str()) || values.len() != 1 {
            return Err(format!("{option} {values:?}"));
        }
    }
    Ok(())
}

/// Checks every command of `fixes`, and that python's `shlex.split` (a second reading, by another hand) splits
/// each line as [`split`] does.
fn validate_commands(fixes: &[(String, Fix)]) -> BTreeMap<String, usize> {
    let lines: Vec<(&str, &str)> =
        fixes.iter().flat_map(|(what, fix)| fix.cli.iter().map(move |l| (what.as_str(), l.as_str()))).collect();
    let services: BTreeSet<String> = lines
        .iter()
        .filter_map(|(_, l)| split(l, sample).ok())
        .filter(|w| w[0] == "aws")
        .map(|w| botocore_service(&w[1]).to_string())
        .collect();
    let models = models(&services);
    let mut operations: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (what, line) in &lines {
        let checked = if line.starts_with("sgaudit ") { validate_sgaudit(line) } else { validate_aws(line, &models) };
        match checked {
            Ok(()) => {
                let words = split(line, sample).unwrap_or_default();
                *operations.entry(words[..3].join(" ")).or_default() += 1;
            }
            Err(e) => errors.push(format!("{what}: {e}\n    {line}")),
        }
    }
    assert!(errors.is_empty(), "{} invalid command(s):\n{}", errors.len(), errors.join("\n"));

    // python's shlex, each variable left as written.
    let literal: Vec<Vec<String>> =
        lines.iter().map(|(_, l)| split(l, |n| Some(format!("${n}"))).expect("splits")).collect();
    let mut child = Command::new("python3")
        .args(["-c", "import json, shlex, sys; json.dump([shlex.split(l) for l in json.load(sys.stdin)], sys.stdout)"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let input = serde_json::to_vec(&lines.iter().map(|(_, l)| *l).collect::<Vec<_>>()).expect("JSON");
    child.stdin.take().expect("stdin").write_all(&input).expect("python reads the lines");
    let output = child.wait_with_output().expect("python answers");
    let python: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).expect("shlex's words");
    assert_eq!(python, literal, "shlex.split reads the commands as the tests do");
    operations
}

// ----- Terraform -----------------------------------------------------------------------------------------------

/// The resources of a snippet, by type, with their attributes (strings decoded, other values as written).
fn resources(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let body: hcl_edit::structure::Body = text.parse().unwrap_or_else(|e| panic!("the snippet parses: {e}\n{text}"));
    body.blocks()
        .filter(|b| b.ident.as_str() == "resource")
        .map(|b| {
            let attrs = b
                .body
                .attributes()
                .map(|a| {
                    let value = match &a.value {
                        hcl_edit::expr::Expression::String(s) => s.value().to_string(),
                        other => other.to_string().trim().to_string(),
                    };
                    (a.key.as_str().to_string(), value)
                })
                .collect();
            (b.labels[0].as_str().to_string(), attrs)
        })
        .collect()
}

// ----- the tests -----------------------------------------------------------------------------------------------

#[test]
fn every_command_of_the_demo_is_valid_against_botocore() {
    let snapshot = demo();
    let audit = audit_with(&snapshot, &options());
    let fixes = fixes(&audit);
    let operations = validate_commands(&fixes);
    let commands: usize = operations.values().sum();
    eprintln!("{commands} command(s) of {} fix(es): {operations:#?}", fixes.len());
    // The demo has world-open groups and failing IAM, CloudTrail and S3 checks: their fixes are all here.
    for expected in ["aws ec2 revoke-security-group-ingress", "aws ec2 authorize-security-group-ingress"] {
        assert!(operations.contains_key(expected), "{expected} in {operations:?}");
    }
    for service in ["iam", "cloudtrail", "s3api"] {
        assert!(operations.keys().any(|k| k.starts_with(&format!("aws {service} "))), "{service}: {operations:?}");
    }
}

/// Every failure above informational of a check that writes fixes has one; nothing else has one. The ids of the
/// checks that gave a fix.
fn assert_every_failure_fixed<'a>(audit: &'a Audit) -> BTreeSet<&'a str> {
    let mut fixed: BTreeSet<&str> = BTreeSet::new();
    for g in &audit.groups {
        for f in &g.findings {
            let fix = f.fix(g);
            assert_eq!(fix.is_some(), f.check.writes_fixes(), "{} on {}", f.check.id, g.group.group_id);
            if fix.is_some() {
                fixed.insert(f.check.id);
            }
        }
    }
    for r in &audit.results {
        let expected = r.outcome == Outcome::Fail && r.check.writes_fixes() && r.severity > Severity::Informational;
        let fixed_here = audit.fix_of(r).is_some();
        match r.outcome {
            Outcome::Fail if r.severity == Severity::Informational => {}
            _ => assert_eq!(fixed_here, expected, "{} on {}: {:?}", r.check.id, r.location.resource, r.outcome),
        }
        if fixed_here {
            fixed.insert(r.check.id);
        }
    }
    fixed
}

#[test]
fn every_failure_of_a_check_that_writes_fixes_has_one() {
    let snapshot = demo();
    let audit = audit_with(&snapshot, &options());
    let fixed = assert_every_failure_fixed(&audit);
    // Every fix says what it does; one without commands says why in its words.
    for (what, fix) in fixes(&audit) {
        assert!(fix.summary.len() > 40, "{what}: {}", fix.summary);
    }
    eprintln!("checks with a fix in the demo: {fixed:?}");
    assert!(fixed.len() >= 10, "the demo fails many kinds of check: {fixed:?}");
    // A check without a fixer says why in its file; those are the few that take a person or more evidence.
    let without: Vec<&str> = CHECKS.iter().filter(|c| matches!(c.fix, Fixer::None)).map(|c| c.id).collect();
    assert_eq!(
        without,
        [
            "sg-status-unknown",
            "net-instance-outside-vpc",
            "iam-root-access-key",
            "iam-root-mfa",
            "iam-console-user-mfa",
            "iam-user-mfa"
        ]
    );
}

#[test]
fn every_terraform_snippet_of_the_demo_parses_and_holds_the_group_rules() {
    let snapshot = demo();
    let audit = audit_with(&snapshot, &options());
    let mut snippets = 0;
    for (what, fix) in fixes(&audit) {
        let Some(text) = &fix.terraform else { continue };
        snippets += 1;
        let found = resources(text);
        assert!(!found.is_empty(), "{what}: no resource in\n{text}");
        for (kind, attrs) in &found {
            assert!(kind.starts_with("aws_"), "{what}: {kind}");
            if kind.starts_with("aws_vpc_security_group_") {
                let group = what.split(' ').nth(1).expect("the group");
                let id = attrs.get("security_group_id").expect("the group's id");
                assert!(group == id || group.ends_with(&format!("/{id}")), "{what}: a rule of {id}");
                assert!(attrs.contains_key("ip_protocol"), "{what}: {attrs:?}");
            }
        }
    }
    assert!(snippets >= 5, "{snippets} snippets");

    // The fix of a world-open SSH rule: the group's rules after it, the user's range in the place of the world.
    let ssh = audit
        .groups
        .iter()
        .flat_map(|g| g.findings.iter().map(move |f| (g, f)))
        .find(|(_, f)| f.check.id == "sg-world-open-ssh")
        .expect("the demo opens SSH to the world");
    let fix = ssh.1.fix(ssh.0).expect("a fix");
    let text = fix.terraform.as_deref().expect("a snippet");
    let rules = resources(text);
    let ingress: Vec<_> = rules.iter().filter(|(k, _)| k == "aws_vpc_security_group_ingress_rule").collect();
    assert!(ingress.iter().any(|(_, a)| a.get("cidr_ipv4").map(String::as_str) == Some("var.admin_cidr")));
    let world_ssh = |a: &BTreeMap<String, String>| {
        a.get("from_port").map(String::as_str) == Some("22")
            && a.get("cidr_ipv4").map(String::as_str) == Some("0.0.0.0/0")
    };
    assert!(!ingress.iter().any(|(_, a)| world_ssh(a)), "{text}");
    assert!(text.contains("variable \"admin_cidr\""), "{text}");
}

const HOSTILE: [&str; 3] = ["x'; rm -rf / #", "$(reboot)", "`reboot` \"${file(\"/etc/passwd\")}\" %{if 1}\\"];

#[test]
fn hostile_text_stays_one_quoted_argument() {
    let mut snapshot = demo();
    let hostile = HOSTILE.join(" ");
    // Every description of a world-open group's rules, its name and description.
    let open = audit_with(&snapshot, &options())
        .groups
        .iter()
        .find(|g| g.findings.iter().any(|f| f.check.id == "sg-world-open-ssh"))
        .map(|g| g.group.group_id.clone())
        .expect("the demo opens SSH to the world");
    let group = snapshot.group_mut(&open).expect("the group");
    group.group_name = hostile.clone();
    group.description = hostile.clone();
    for rule in &mut group.ingress {
        for peer in rule.ipv4_ranges.iter_mut().chain(&mut rule.ipv6_ranges) {
            peer.description = Some(hostile.clone());
        }
    }
    // An IAM user whose console password is long unused, and a bucket without a policy.
    let evidence = snapshot.account_evidence.first_mut().expect("the demo has account evidence");
    let user = evidence
        .credential_report
        .as_mut()
        .and_then(|r| r.users.iter_mut().find(|u| !u.is_root()))
        .expect("an IAM user");
    user.user = hostile.clone();
    user.password_enabled = Some(true);
    user.password_last_used = Some("2000-01-01T00:00:00+00:00".into());
    let bucket = evidence.buckets.iter_mut().find(|b| b.errors.is_empty()).expect("a bucket read whole");
    bucket.name = hostile.clone();
    bucket.policy = None;

    let audit = audit_with(&snapshot, &options());
    assert_every_failure_fixed(&audit);
    let fixes = fixes(&audit);
    validate_commands(&fixes);

    let words: Vec<Vec<String>> =
        fixes.iter().flat_map(|(_, f)| f.cli.iter().map(|l| split(l, sample).expect("splits"))).collect();
    let after = |option: &str| -> Vec<&String> {
        words.iter().filter_map(|w| w.iter().position(|x| x == option).map(|i| &w[i + 1])).collect()
    };
    assert!(after("--user-name").contains(&&hostile), "the user's name is one argument");
    assert!(after("--bucket").contains(&&hostile), "the bucket's name is one argument");
    let policy = after("--policy").into_iter().find(|p| p.contains("DenyPlainHttp")).expect("the bucket's new policy");
    let policy: Value = serde_json::from_str(policy).expect("the policy is JSON");
    assert_eq!(policy["Statement"][0]["Resource"][0], format!("arn:aws:s3:::{hostile}"));
    // The world-open rule's replacement keeps its description, as written.
    let authorize: Vec<Value> = words
        .iter()
        .filter(|w| w[2] == "authorize-security-group-ingress" && w.contains(&open))
        .map(|w| serde_json::from_str(w.last().expect("the permissions")).expect("JSON"))
        .collect();
    assert!(!authorize.is_empty());
    for permissions in &authorize {
        for p in permissions.as_array().expect("a list") {
            for range in p["IpRanges"].as_array().into_iter().flatten() {
                assert_eq!(range["Description"], hostile.as_str());
            }
        }
    }
    // And so does its Terraform; a group's name appears in words only, made printable.
    let (_, ssh) = fixes.iter().find(|(w, _)| *w == format!("sg-world-open-ssh {open}")).expect("the SSH fix");
    let text = ssh.terraform.as_deref().expect("a snippet");
    let described = resources(text).into_iter().filter(|(_, a)| a.get("description") == Some(&hostile)).count();
    assert!(described > 0, "{text}");
    assert!(!text.contains("\"${file") && text.contains("$${file") && text.contains("%%{if"), "{text}");
}

/// A group of the fixture estate.
fn group(id: &str, vpc: &str, ingress: Vec<sgaudit_snapshot::Rule>) -> sgaudit_snapshot::SecurityGroup {
    let all_out = rule("-1", None, None, &["0.0.0.0/0"]);
    sgaudit_snapshot::SecurityGroup {
        group_id: id.into(),
        group_name: format!("{id} name"),
        description: String::new(),
        vpc_id: Some(vpc.into()),
        owner_id: "123456789012".into(),
        tags: Default::default(),
        ingress,
        egress: vec![all_out],
    }
}

/// A permission from address blocks, IPv4 and IPv6 told apart by their text.
fn rule(protocol: &str, from: Option<i32>, to: Option<i32>, blocks: &[&str]) -> sgaudit_snapshot::Rule {
    let peers = |v6: bool| {
        blocks
            .iter()
            .filter(|b| b.contains(':') == v6)
            .map(|b| sgaudit_snapshot::Peer { id: b.to_string(), description: None })
            .collect()
    };
    sgaudit_snapshot::Rule {
        protocol: protocol.into(),
        from_port: from,
        to_port: to,
        ipv4_ranges: peers(false),
        ipv6_ranges: peers(true),
        prefix_lists: vec![],
        groups: vec![],
    }
}

#[test]
fn the_hygiene_fixes_of_a_fixture_estate_are_valid_and_undo_what_they_fix() {
    use sgaudit_snapshot::{Attachment, ResourceKind, Target, Via};
    let mut snapshot = demo();
    let region = snapshot.regions.iter_mut().find(|r| r.region == "us-east-1").expect("the demo's us-east-1");
    let vpc = "vpc-0f1f0000000000001";
    let web = || {
        vec![rule("tcp", Some(443), Some(443), &["10.0.0.0/8"]), rule("tcp", Some(8443), Some(8443), &["10.1.0.0/16"])]
    };
    // Two groups with the same rules; the first has more holders and is kept.
    region.security_groups.push(group("sg-0f10000000000dup1", vpc, web()));
    region.security_groups.push(group("sg-0f10000000000dup2", vpc, web()));
    for (eni, groups) in [
        ("eni-0f1000000000000a1", ["sg-0f10000000000dup1", "sg-0f10000000000dup1"]),
        ("eni-0f1000000000000a2", ["sg-0f10000000000dup1", "sg-0f10000000000dup2"]),
    ] {
        for g in groups {
            region.attachments.push(Attachment {
                target: Target::Group(g.into()),
                kind: ResourceKind::NetworkInterface,
                resource_id: eni.into(),
                via: Via::Eni,
                source: "ec2-network-interfaces".into(),
                detail: Some("interface; detached".into()),
            });
        }
    }
    // A redundant rule, a very large public block, a wide range and every protocol from a public block.
    region.security_groups.push(group(
        "sg-0f10000000hygiene",
        vpc,
        vec![
            rule("tcp", Some(20), Some(30), &["10.0.0.0/8"]),
            rule("tcp", Some(22), Some(22), &["10.1.0.0/16"]),
            rule("tcp", Some(443), Some(443), &["16.0.0.0/4"]),
            rule("tcp", Some(1024), Some(65535), &["198.51.100.0/24"]),
            rule("-1", None, None, &["203.0.113.0/24"]),
        ],
    ));
    // A group near the quota of rules.
    let blocks: Vec<String> = (0..50).map(|i| format!("10.2.{i}.0/24")).collect();
    let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
    region.security_groups.push(group("sg-0f100000000quota1", vpc, vec![rule("tcp", Some(443), Some(443), &blocks)]));
    region.attachments.sort();
    // A region no trail covers.
    let region = snapshot.regions.iter_mut().find(|r| r.region == "us-east-1").expect("us-east-1");
    region.posture.trails.clear();

    let audit = audit_with(&snapshot, &options());
    let fixed = assert_every_failure_fixed(&audit);
    for check in ["net-sg-duplicate-rules", "net-sg-redundant-rule", "net-sg-rules-quota", "cloudtrail-region-logged"] {
        assert!(fixed.contains(check), "{check}: {fixed:?}");
    }
    let fixes = fixes(&audit);
    let operations = validate_commands(&fixes);
    for expected in ["aws ec2 modify-network-interface-attribute", "aws cloudtrail create-trail"] {
        assert!(operations.contains_key(expected), "{expected}: {operations:?}");
    }
    let fix_of = |check: &str, group: &str| -> &Fix {
        fixes
            .iter()
            .find(|(what, _)| what.starts_with(&format!("{check} ")) && what.ends_with(group))
            .map(|(_, f)| f)
            .unwrap_or_else(|| panic!("no fix of {check} on {group}"))
    };

    let duplicate = fix_of("net-sg-duplicate-rules", "sg-0f10000000000dup2");
    assert_eq!(
        duplicate.cli[0],
        "aws ec2 modify-network-interface-attribute --region us-east-1 --network-interface-id eni-0f1000000000000a2 \
         --groups sg-0f10000000000dup1"
    );
    assert!(duplicate.cli[1].starts_with("sgaudit cleanup "), "{:?}", duplicate.cli);
    assert!(duplicate.summary.starts_with("Keep sg-0f10000000000dup1"), "{}", duplicate.summary);

    // The redundant rule goes, as written; the rule covering it stays in the Terraform.
    let redundant = fix_of("net-sg-redundant-rule", "sg-0f10000000hygiene");
    assert_eq!(redundant.cli.len(), 1, "{:?}", redundant.cli);
    assert!(redundant.cli[0]
        .contains(r#"'[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"10.1.0.0/16"}]}]'"#));
    let kept = resources(redundant.terraform.as_deref().expect("a snippet"));
    assert!(kept.iter().any(|(_, a)| a.get("to_port").map(String::as_str) == Some("30")));
    assert!(!kept.iter().any(|(_, a)| a.get("cidr_ipv4").map(String::as_str) == Some("10.1.0.0/16")));

    // Judged again after the change, the group passes these checks: the fixes undo what the checks found.
    let fixed_rules = vec![
        rule("tcp", Some(20), Some(30), &["10.0.0.0/8"]),
        rule("tcp", Some(443), Some(443), &["203.0.113.0/24"]), // $ALLOWED_CIDR in place of 16.0.0.0/4
        rule("tcp", Some(443), Some(443), &["198.51.100.0/24"]), // $PORT in place of 1024-65535
        rule("tcp", Some(8443), Some(8443), &["203.0.113.0/24"]), // $PORT (8443 here) in place of every protocol
    ];
    for check in ["net-sg-broad-public-source", "net-sg-wide-port-range", "net-sg-all-protocols-public"] {
        let fix = fix_of(check, "sg-0f10000000hygiene");
        assert_eq!(fix.cli.len(), 2, "{check}: a revoke and an authorize: {:?}", fix.cli);
        assert!(fix.summary.contains("Set "), "{check}: names the value to supply: {}", fix.summary);
    }
    // The quota: words only.
    let quota = fix_of("net-sg-rules-quota", "sg-0f100000000quota1");
    assert!(quota.cli.is_empty() && quota.summary.contains("L-0EA8095F"), "{quota:?}");

    let region = snapshot.regions.iter_mut().find(|r| r.region == "us-east-1").expect("us-east-1");
    let hygiene = region.security_groups.iter_mut().find(|g| g.group_id == "sg-0f10000000hygiene").expect("the group");
    hygiene.ingress = fixed_rules;
    let audit = audit_with(&snapshot, &options());
    for r in audit.results.iter().filter(|r| r.location.resource.ends_with("sg-0f10000000hygiene")) {
        assert_ne!(r.outcome, Outcome::Fail, "{} still fails: {}", r.check.id, r.evidence);
    }
}

#[test]
fn the_validator_refuses_what_the_cli_would_refuse() {
    let services = ["ec2".to_string(), "iam".to_string()].into_iter().collect();
    let models = models(&services);
    let good = "aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-1 --ip-permissions \
                '[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]'";
    validate_aws(good, &models).expect("a valid command");
    for bad in [
        "aws ec2 revoke-security-group-ingres --group-id sg-1",
        "aws ec2 revoke-security-group-ingress --group sg-1",
        "aws ec2 revoke-security-group-ingress --group-id sg-1 --ip-permissions '[{\"IpProtocol\":\"tcp\",\"Port\":22}]'",
        "aws ec2 revoke-security-group-ingress --group-id sg-1 --ip-permissions '[{\"IpProtocol\":\"tcp\",\"FromPort\":\"22\"}]'",
        "aws ec2 create-network-acl-entry --network-acl-id acl-1 --rule-number 1 --protocol 6 --rule-action deny",
        "aws ec2 create-network-acl-entry --network-acl-id acl-1 --no-rule-number --egress --protocol 6 --rule-action deny",
        "aws iam update-access-key --user-name a --access-key-id \"$UNKNOWN\" --status Inactive",
        "aws iam update-access-key --user-name a $(reboot)",
    ] {
        assert!(validate_aws(bad, &models).is_err(), "accepted: {bad}");
    }
}

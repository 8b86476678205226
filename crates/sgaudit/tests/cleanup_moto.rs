//! `sgaudit cleanup` and `sgaudit restore` end to end, against moto: the plan and its reasons, the dry run,
//! the typed-confirmation rules, the backup before any delete, the re-check, the order for chains, and a
//! restore that gives back the same groups.
//!
//! moto lacks CloudTrail `LookupEvents` and `DescribeSecurityGroupReferences`: a proxy of ours answers those
//! two (in their wire formats) and forwards the rest, so the code that reads them runs over HTTP too.
//! moto also never answers `DependencyViolation`, so the order of a chain is asserted from the log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::proxy::{Fault, FaultProxy, Rule};
use common::{sgaudit_at, Moto, Run, FIXTURES};
use serde_json::Value;

const REGION: &str = "us-east-1";
const DAY: u64 = 86_400;

struct Estate {
    moto: Moto,
    manifest: Value,
}

impl Estate {
    fn seed() -> Estate {
        let moto = Moto::start();
        let manifest = moto.python(&[&script(), "--endpoint", &moto.url, "--region", REGION], &[]);
        Estate { moto, manifest }
    }

    fn id(&self, name: &str) -> String {
        self.manifest["groups"][name].as_str().unwrap_or_else(|| panic!("{name} not seeded")).to_string()
    }

    /// Every group of the region with its rules and tags, as moto has them now.
    fn state(&self) -> Value {
        self.moto.python(&[&script(), "--endpoint", &self.moto.url, "--region", REGION, "--state"], &[])
    }

    /// A scan of the estate saved as a snapshot in `dir`, through `proxy` (which answers
    /// `DescribeSecurityGroupReferences` for the peered VPCs, as moto cannot), said to be collected two hours
    /// ago: long enough for CloudTrail's event history to show any group it holds created since then (the
    /// plan's age rule), recent enough for `--apply`.
    fn scan_to(&self, proxy: &FaultProxy, dir: &Path) -> std::path::PathBuf {
        self.scan_aged(proxy, dir, 2 * 3600)
    }

    /// A scan through `proxy` saved as a snapshot whose `collected_at` is `secs_ago` seconds in the past.
    fn scan_aged(&self, proxy: &FaultProxy, dir: &Path, secs_ago: u64) -> std::path::PathBuf {
        let snapshot = dir.join("snapshot.json");
        let r = sgaudit(
            &proxy.url,
            &["scan", "--quiet", "--format", "json", "--save-snapshot", snapshot.to_str().unwrap()],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        doc["collected_at"] = Value::String(sgaudit_report::time::format_rfc3339((now - secs_ago) as i64));
        std::fs::write(&snapshot, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        snapshot
    }

    fn attach(&self, group_id: &str) {
        let subnet = self.manifest["subnet"].as_str().unwrap();
        self.moto.python(
            &[&script(), "--endpoint", &self.moto.url, "--region", REGION, "--attach", group_id, "--subnet", subnet],
            &[],
        );
    }

    /// A proxy in front of moto that answers what moto lacks: `young` was created a day ago (and
    /// `old-unused` a month ago, both inside CloudTrail's window), and a peered VPC names `peered-ref`.
    fn proxy(&self, extra: Vec<Rule>) -> FaultProxy {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let event = |id: &str, secs_ago: u64| {
            serde_json::json!({
                "EventId": format!("ev-{id}"),
                "EventName": "CreateSecurityGroup",
                "EventTime": now - secs_ago,
                "CloudTrailEvent": serde_json::json!({
                    "eventName": "CreateSecurityGroup",
                    "responseElements": {"groupId": id}
                }).to_string(),
                "Resources": [{"ResourceType": "AWS::EC2::SecurityGroup", "ResourceName": id}]
            })
        };
        let events = serde_json::json!({
            "Events": [event(&self.id("young"), DAY), event(&self.id("old-unused"), 30 * DAY)]
        });
        let references = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeSecurityGroupReferencesResponse \
             xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-1</requestId>\
             <securityGroupReferenceSet><item><groupId>{}</groupId><referencingVpcId>{}</referencingVpcId>\
             <vpcPeeringConnectionId>{}</vpcPeeringConnectionId></item></securityGroupReferenceSet>\
             </DescribeSecurityGroupReferencesResponse>",
            self.id("peered-ref"),
            self.manifest["other_vpc"].as_str().unwrap(),
            self.manifest["pcx"].as_str().unwrap(),
        );
        let mut rules = extra;
        rules.push(Rule::always(
            "LookupEvents",
            Fault::Answer { status: 200, content_type: "application/x-amz-json-1.1".into(), body: events.to_string() },
        ));
        rules.push(Rule::always(
            "DescribeSecurityGroupReferences",
            Fault::Answer { status: 200, content_type: "text/xml;charset=UTF-8".into(), body: references },
        ));
        FaultProxy::start(&self.moto.url, rules)
    }
}

fn script() -> String {
    format!("{FIXTURES}/seed_cleanup.py")
}

fn sgaudit(endpoint: &str, args: &[&str]) -> Run {
    sgaudit_at(endpoint, args, "testing", "testing")
}

/// `cleanup --from-snapshot SNAPSHOT --apply --yes --backup-dir DIR`, and `extra`.
fn apply_from(endpoint: &str, snapshot: &Path, backup_dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "cleanup",
        "--quiet",
        "--from-snapshot",
        snapshot.to_str().unwrap(),
        "--apply",
        "--yes",
        "--backup-dir",
        backup_dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    sgaudit(endpoint, &args)
}

fn plan_of(path: &Path) -> BTreeMap<String, (String, String)> {
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["group_name"].as_str().unwrap().to_string() + "/" + e["group_id"].as_str().unwrap(),
                (e["decision"].as_str().unwrap().to_string(), e["reason"].as_str().unwrap().to_string()),
            )
        })
        .collect()
}

/// The decision and reason for the group named `name` (the seeded names are unique, defaults aside).
/// Each group's `reason_code` in a `--plan-out` file, by name.
fn reason_codes(path: &Path) -> BTreeMap<String, String> {
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let entries = plan["entries"].as_array().unwrap().iter();
    entries.map(|e| (e["group_name"].as_str().unwrap().into(), e["reason_code"].as_str().unwrap().into())).collect()
}

fn decision<'a>(plan: &'a BTreeMap<String, (String, String)>, name: &str) -> &'a (String, String) {
    plan.iter().find(|(k, _)| k.starts_with(&format!("{name}/"))).map(|(_, v)| v).unwrap_or_else(|| {
        panic!("{name} not in the plan: {plan:#?}");
    })
}

fn names_deleted(plan: &BTreeMap<String, (String, String)>) -> BTreeSet<&str> {
    plan.iter().filter(|(_, (d, _))| d == "delete").map(|(k, _)| k.split('/').next().unwrap()).collect()
}

fn log_lines(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("sgaudit-cleanup-log.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn backups(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    found.retain(|p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().starts_with("sgaudit-backup-"));
    found
}

#[test]
fn the_plan_keeps_what_must_stay_and_a_dry_run_changes_nothing() {
    let estate = Estate::seed();
    let proxy = estate.proxy(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");
    let before = estate.state();

    // From a fresh scan, a group CloudTrail does not know may have been created a minute ago (its event
    // history lags): only old-unused, whose creation CloudTrail shows a month ago, may go.
    let r = sgaudit(&proxy.url, &["cleanup", "--quiet", "--region", REGION, "--plan-out", plan_path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("Dry run: nothing was changed"), "{}", r.stdout);
    let plan = plan_of(&plan_path);
    assert_eq!(names_deleted(&plan), ["old-unused"].into_iter().collect(), "{plan:#?}");
    let lag = &decision(&plan, "chain-a").1;
    assert!(lag.starts_with("age unknown: not in CloudTrail's event history, which can lag"), "{lag}");
    assert_eq!(reason_codes(&plan_path)["chain-a"], "age-unknown-yet");

    // From a snapshot saved two hours ago, their absence from CloudTrail proves their age.
    let snapshot = estate.scan_to(&proxy, dir.path());
    let r = sgaudit(
        &proxy.url,
        &[
            "cleanup",
            "--quiet",
            "--from-snapshot",
            snapshot.to_str().unwrap(),
            "--plan-out",
            plan_path.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let plan = plan_of(&plan_path);

    let expected: BTreeSet<&str> =
        ["old-unused", "chain-a", "chain-b", "chain-c", "late-user", "peered-free"].into_iter().collect();
    assert_eq!(names_deleted(&plan), expected, "{plan:#?}");
    let reason = |name: &str| decision(&plan, name).1.clone();
    assert!(reason("tagged").contains("protected by tag DoNotDelete=true"), "{}", reason("tagged"));
    assert!(reason("prod-api").contains("name pattern `prod-*`"), "{}", reason("prod-api"));
    assert!(reason("young").starts_with("too young: created 1 day(s) ago"), "{}", reason("young"));
    // A rule in the peered VPC names peered-ref: the scan's evidence (ec2-peered-vpc-references) has it in
    // use, so it is not a candidate at all. The plan's own references check, read live at cleanup time, stays
    // as a second check for the candidates of peered VPCs (peered-free, which no other VPC names).
    assert!(!plan.keys().any(|k| k.starts_with("peered-ref/")), "peered-ref is in use: {plan:#?}");
    assert!(reason("default").contains("default group"), "{}", reason("default"));
    assert!(reason("chain-b").contains("named only by unused group(s)"), "{}", reason("chain-b"));
    assert!(!plan.keys().any(|k| k.starts_with("used-by-eni/")), "groups in use are not in the plan");
    // Programs read each reason's stable code, not its sentence.
    let codes = reason_codes(&plan_path);
    for (name, code) in [
        ("tagged", "protected-by-tag"),
        ("prod-api", "protected-by-name"),
        ("young", "too-young"),
        ("default", "default-group"),
        ("chain-b", "unused"),
    ] {
        assert_eq!(codes[name], code, "{name}: {codes:#?}");
    }
    // One CloudTrail query per plan; one references query per scan (the source) and per plan (its live check
    // of the candidates in peered VPCs): never one per group. Two scans (the first cleanup's, the saved one)
    // and two plans so far.
    let seen = proxy.seen();
    let calls = |needle: &str| seen.iter().filter(|(k, _)| k.contains(needle)).map(|(_, n)| n).sum::<usize>();
    assert_eq!(calls("LookupEvents"), 2, "one per plan: {seen:?}");
    assert_eq!(calls("DescribeSecurityGroupReferences"), 4, "one per scan and one per plan: {seen:?}");
    assert_eq!(calls("DeleteSecurityGroup") + calls("RevokeSecurityGroup"), 0, "{seen:?}");

    assert_eq!(estate.state(), before, "a dry run changed the estate");
    assert!(backups(dir.path()).is_empty());

    // --protect-name and --protect-tag add to the defaults; --min-age 0 lets the young group go.
    let r = sgaudit(
        &proxy.url,
        &[
            "cleanup",
            "--quiet",
            "--from-snapshot",
            snapshot.to_str().unwrap(),
            "--protect-name",
            "chain-?",
            "--min-age",
            "0",
            "--plan-out",
            plan_path.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan = plan_of(&plan_path);
    let expected: BTreeSet<&str> = ["old-unused", "late-user", "peered-free", "young"].into_iter().collect();
    assert_eq!(names_deleted(&plan), expected, "{plan:#?}");
    assert!(decision(&plan, "chain-c").1.contains("`chain-?`"));
}

/// A group that only a rule in a peered VPC names is in use, with that reference as its evidence; its
/// neighbour in the same VPC that no other VPC names is not. (moto cannot answer the references call: the
/// proxy does, as AWS would.)
#[test]
fn a_reference_from_a_peered_vpc_is_evidence_of_use() {
    let estate = Estate::seed();
    let proxy = estate.proxy(Vec::new());
    let r = sgaudit(&proxy.url, &["scan", "--quiet", "--format", "json", "--region", REGION]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let groups = doc["security_groups"].as_array().unwrap();
    let group = |name: &str| {
        let id = estate.id(name);
        groups.iter().find(|g| g["group_id"] == id.as_str()).unwrap_or_else(|| panic!("{name} not in the scan"))
    };
    let other_vpc = estate.manifest["other_vpc"].as_str().unwrap();
    let pcx = estate.manifest["pcx"].as_str().unwrap();

    let peered_ref = group("peered-ref");
    assert_eq!(peered_ref["status"], "in_use", "{peered_ref:#}");
    let used_by = peered_ref["used_by"].as_array().unwrap();
    assert_eq!(used_by.len(), 1, "{used_by:#?}");
    assert_eq!(used_by[0]["kind"], "peered-vpc-reference");
    assert_eq!(used_by[0]["id"], other_vpc);
    assert_eq!(used_by[0]["via"], "rule");
    assert_eq!(used_by[0]["source"], "ec2-peered-vpc-references");
    let detail = used_by[0]["detail"].as_str().unwrap();
    assert!(detail.starts_with(&format!("referenced by a rule in {other_vpc} of account ")), "{detail}");
    assert!(detail.ends_with(&format!(" through {pcx}")), "{detail}");

    let peered_free = group("peered-free");
    assert_eq!(peered_free["status"], "unused", "{peered_free:#}");
    assert!(peered_free["used_by"].as_array().unwrap().is_empty(), "{peered_free:#}");
}

#[test]
fn apply_deletes_the_plan_skips_what_became_used_and_restore_gives_the_groups_back() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    let proxy = estate.proxy(Vec::new());
    let snapshot = estate.scan_to(&proxy, dir.path());
    let before = estate.state();

    // Between the scan and the delete, `late-user` gets a network interface.
    estate.attach(&estate.id("late-user"));
    let backup_dir = dir.path().join("backups");
    let r = apply_from(&proxy.url, &snapshot, &backup_dir, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    // The fresh judgement before deleting sees the interface: late-user stays, and is not backed up.
    assert!(r.stdout.contains("Cleanup: 5 deleted, 0 skipped, 0 failed"), "{}", r.stdout);
    let late = format!(
        "{} (late-user) — in use by the fresh scan before deleting: network-interface eni-",
        estate.id("late-user")
    );
    assert!(r.stdout.contains(&late), "{}", r.stdout);

    let after = estate.state();
    let gone: BTreeSet<String> =
        before.as_object().unwrap().keys().filter(|k| after.get(*k).is_none()).cloned().collect();
    let expected: BTreeSet<String> =
        ["old-unused", "chain-a", "chain-b", "chain-c", "peered-free"].iter().map(|n| estate.id(n)).collect();
    assert_eq!(gone, expected);

    // The log: the chain's links revoked before any delete, the head deleted before the groups it names,
    // and the late user skipped with the reason.
    let log = log_lines(&backup_dir);
    let at = |action: &str, name: &str| {
        log.iter()
            .position(|l| l["action"] == action && l["group_id"] == estate.id(name).as_str())
            .unwrap_or_else(|| panic!("no {action} of {name} in {log:#?}"))
    };
    assert!(at("revoke", "chain-a") < at("delete", "chain-a"));
    assert!(at("revoke", "chain-b") < at("delete", "chain-a"));
    assert!(at("delete", "chain-a") < at("delete", "chain-b") && at("delete", "chain-b") < at("delete", "chain-c"));
    assert!(log.iter().all(|l| l["result"] != "failed"), "{log:#?}");
    assert!(!log.iter().any(|l| l["group_id"] == estate.id("late-user").as_str()), "{log:#?}");
    let backup = backups(&backup_dir);
    assert_eq!(backup.len(), 1);
    assert!(log.iter().all(|l| l["backup"] == backup[0].to_str().unwrap()));

    // Restore: the same groups (new ids), the chain's references mapped to the new ids.
    let r = sgaudit(&proxy.url, &["restore", backup[0].to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("Restore: 5 created, 0 already restored, 0 never deleted, 0 failed"), "{}", r.stdout);
    let restored = estate.state();
    let mut new_ids: BTreeMap<String, String> = BTreeMap::new();
    for (id, g) in restored.as_object().unwrap() {
        if let Some(old) = g["tags"]["sgaudit:restored-from"].as_str() {
            new_ids.insert(old.to_string(), id.clone());
        }
    }
    for old in &expected {
        let original = &before[old];
        let new = new_ids.get(old).unwrap_or_else(|| panic!("{old} was not restored: {}", r.stdout));
        let copy = &restored[new];
        assert_eq!(copy["name"], original["name"]);
        assert_eq!(copy["description"], original["description"]);
        assert_eq!(copy["vpc"], original["vpc"]);
        let mut tags = copy["tags"].as_object().unwrap().clone();
        tags.remove("sgaudit:restored-from");
        assert_eq!(Value::Object(tags), original["tags"], "{old}");
        for direction in ["ingress", "egress"] {
            assert_eq!(
                atoms(&copy[direction], &BTreeMap::new()),
                atoms(&original[direction], &new_ids),
                "{old} {direction}"
            );
        }
    }
    // A second run finds them and does nothing.
    let r = sgaudit(&proxy.url, &["restore", backup[0].to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Restore: 0 created, 5 already restored, 0 never deleted, 0 failed"), "{}", r.stdout);
    assert_eq!(estate.state(), restored, "a second restore changed something");
}

/// A rule list as a set of (protocol, ports, peer, description), each group peer renamed through `map`:
/// EC2 may group peers into permissions differently after a restore, which means the same.
fn atoms(rules: &Value, map: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in rules.as_array().unwrap() {
        let head = format!("{} {} {}", p["IpProtocol"], p["FromPort"], p["ToPort"]);
        for r in p["IpRanges"].as_array().into_iter().flatten() {
            out.insert(format!("{head} ip {} {}", r["CidrIp"], r["Description"]));
        }
        for r in p["Ipv6Ranges"].as_array().into_iter().flatten() {
            out.insert(format!("{head} ip6 {} {}", r["CidrIpv6"], r["Description"]));
        }
        for r in p["PrefixListIds"].as_array().into_iter().flatten() {
            out.insert(format!("{head} pl {} {}", r["PrefixListId"], r["Description"]));
        }
        for r in p["UserIdGroupPairs"].as_array().into_iter().flatten() {
            let id = r["GroupId"].as_str().unwrap();
            out.insert(format!("{head} sg {} {}", map.get(id).map(String::as_str).unwrap_or(id), r["Description"]));
        }
    }
    out
}

#[test]
fn a_fault_after_the_backup_leaves_the_backup_whole_and_nothing_deleted() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    // The re-check (network interfaces of the groups to delete, filtered by group id) fails: it comes after
    // the fresh scan (which lists every interface, unfiltered) and the backup, before any change.
    let proxy =
        estate.proxy(vec![Rule::always("DescribeNetworkInterfaces && Filter.1.Name=group-id", Fault::Status(503))]);
    let snapshot = estate.scan_to(&proxy, dir.path());
    let before = estate.state();
    let r = apply_from(&proxy.url, &snapshot, dir.path(), &["--max-attempts", "1"]);
    assert_eq!(r.code, 3, "a run that could not re-check is incomplete\n{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("the re-check could not be made"), "{}", r.stdout);
    assert_eq!(estate.state(), before, "something changed without a re-check");
    let seen = proxy.seen();
    assert!(!seen.keys().any(|k| k.contains("DeleteSecurityGroup") || k.contains("Revoke")), "{seen:?}");

    let backup = backups(dir.path());
    assert_eq!(backup.len(), 1, "the backup is written before the re-check");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&backup[0]).unwrap()).unwrap();
    assert_eq!(doc["kind"], "sgaudit-backup");
    let ids: BTreeSet<&str> =
        doc["groups"].as_array().unwrap().iter().map(|g| g["group"]["group_id"].as_str().unwrap()).collect();
    let planned: BTreeSet<String> = ["old-unused", "chain-a", "chain-b", "chain-c", "late-user", "peered-free"]
        .iter()
        .map(|n| estate.id(n))
        .collect();
    assert_eq!(ids, planned.iter().map(String::as_str).collect());
    // Whole definitions: chain-c's rule with both its descriptions and its tags, as moto has them.
    let c = doc["groups"].as_array().unwrap().iter().find(|g| g["group"]["group_id"] == estate.id("chain-c")).unwrap();
    assert_eq!(c["group"]["description"], "end of the chain");
    assert_eq!(c["group"]["tags"]["Owner"], "=cmd|' /C calc'!A0");
    let rule = &c["group"]["ingress"][0];
    assert_eq!(rule["ipv4_ranges"][0]["description"], "dns from office");
    assert_eq!(rule["ipv6_ranges"][0]["description"], "v6 office");
}

#[test]
fn apply_refuses_without_a_terminal_or_yes_and_in_production_without_the_flag() {
    let estate = Estate::seed();
    let proxy = estate.proxy(Vec::new());
    let before = estate.state();

    let r = sgaudit(&proxy.url, &["cleanup", "--quiet", "--region", REGION, "--apply"]);
    r.assert_one_line_error("--apply without a terminal needs --yes");
    assert!(r.stdout.is_empty());

    estate
        .moto
        .python(&[&script(), "--endpoint", &estate.moto.url, "--region", REGION, "--alias", "acme-prod-eu"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let r = sgaudit(
        &proxy.url,
        &["cleanup", "--quiet", "--region", REGION, "--apply", "--yes", "--backup-dir", dir.path().to_str().unwrap()],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("looks like production") && r.stderr.contains("--i-understand-production"),
        "{}",
        r.stderr
    );
    assert_eq!(estate.state(), before);
    assert!(backups(dir.path()).is_empty());

    // --apply --dry-run-aws proves the permissions with DryRun=true and changes nothing.
    let snapshot_dir = tempfile::tempdir().unwrap();
    let snapshot = estate.scan_to(&proxy, snapshot_dir.path());
    let r = sgaudit(
        &proxy.url,
        &[
            "cleanup",
            "--quiet",
            "--from-snapshot",
            snapshot.to_str().unwrap(),
            "--apply",
            "--dry-run-aws",
            "--backup-dir",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("6 would delete (DryRun accepted)"), "{}", r.stdout);
    assert_eq!(estate.state(), before, "a DryRun changed the estate");
    assert!(backups(dir.path()).is_empty(), "a DryRun needs no backup");
    let log = log_lines(dir.path());
    assert_eq!(log.iter().filter(|l| l["action"] == "delete" && l["result"] == "dry-run-ok").count(), 6, "{log:#?}");
}

#[test]
fn unknown_and_default_groups_of_the_demo_are_kept() {
    // The demo's account is moto's default one: the plan is made from the demo snapshot and checked live.
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");
    let r = moto.sgaudit(&[
        "cleanup",
        "--quiet",
        "--from-snapshot",
        "examples/demo-snapshot.json",
        "--ignore-age",
        "--plan-out",
        plan_path.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    let entries = plan["entries"].as_array().unwrap();
    let unknown: Vec<&Value> = entries.iter().filter(|e| e["status"] == "unknown").collect();
    assert!(!unknown.is_empty());
    for e in &unknown {
        assert_eq!(e["decision"], "keep", "{e}");
        assert!(e["reason"].as_str().unwrap().starts_with("unknown, not proven unused"), "{e}");
    }
    for e in entries.iter().filter(|e| e["group_name"] == "default") {
        assert_eq!(e["decision"], "keep", "{e}");
    }
    assert!(entries.iter().filter(|e| e["decision"] == "delete").all(|e| e["status"] == "unused"));
    assert!(entries.iter().any(|e| e["decision"] == "delete"), "{plan:#}");
}

/// On a terminal, `--apply` asks for the account id: a wrong answer leaves the account alone, the right one
/// deletes. The terminal is a real pseudo-terminal made by `script` (util-linux), answered on its input.
#[test]
fn on_a_terminal_apply_asks_for_the_typed_account_id() {
    let estate = Estate::seed();
    let proxy = estate.proxy(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let snapshot_dir = tempfile::tempdir().unwrap();
    let snapshot = estate.scan_to(&proxy, snapshot_dir.path());
    let before = estate.state();
    let in_terminal = |answer: &str| -> String {
        let command = format!(
            "{} cleanup --quiet --from-snapshot {} --apply --backup-dir {}",
            env!("CARGO_BIN_EXE_sgaudit"),
            snapshot.display(),
            dir.path().display()
        );
        // The environment `sgaudit_cmd` gives the binary (no profile files, no inherited keys), for `script`.
        let base = common::sgaudit_cmd();
        let mut script = std::process::Command::new("script");
        for (key, value) in base.get_envs() {
            match value {
                Some(v) => script.env(key, v),
                None => script.env_remove(key),
            };
        }
        let mut child = script
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(common::repo_root())
            .env("AWS_ENDPOINT_URL", &proxy.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", REGION)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux)");
        use std::io::Write;
        // The answer waits in the terminal's input until the prompt reads it.
        child.stdin.take().unwrap().write_all(format!("{answer}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let transcript = in_terminal("111111111111");
    assert!(transcript.contains("Type the account id to confirm"), "{transcript}");
    assert!(transcript.contains("not confirmed; account 123456789012 is left as it is"), "{transcript}");
    assert!(transcript.contains("Nothing was confirmed; nothing was changed."), "{transcript}");
    assert_eq!(estate.state(), before, "a wrong id deleted something");
    assert!(backups(dir.path()).is_empty());

    let transcript = in_terminal("123456789012");
    assert!(transcript.contains("Cleanup: 6 deleted, 0 skipped, 0 failed"), "{transcript}");
    assert_eq!(before.as_object().unwrap().len() - estate.state().as_object().unwrap().len(), 6);
}

/// The scope of a run is honoured with a saved snapshot too: excluded regions and accounts are never touched.
#[test]
fn scope_flags_hold_with_a_saved_snapshot() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    let proxy = estate.proxy(Vec::new());
    let snapshot = estate.scan_to(&proxy, dir.path());
    let before = estate.state();
    for (flag, value) in
        [("--exclude-region", REGION), ("--exclude-accounts", "123456789012"), ("--accounts", "111122223333")]
    {
        let r = apply_from(&proxy.url, &snapshot, dir.path(), &[flag, value]);
        assert_eq!(r.code, 2, "{flag}: {}\n{}", r.stderr, r.stdout);
        assert!(r.stderr.contains("nothing in scope"), "{flag}: {}", r.stderr);
        assert_eq!(estate.state(), before, "{flag} reached wider than asked");
    }
    assert!(backups(dir.path()).is_empty());
    let seen = proxy.seen();
    assert!(!seen.keys().any(|k| k.contains("DeleteSecurityGroup") || k.contains("Revoke")), "{seen:?}");
}

/// A snapshot is a plan's evidence, not a licence: too old or undated, it is refused for --apply; and right
/// before deleting, every source of the region is read again and judged again, so a group a launch template
/// took up since the scan (no interface: the old re-check could not see it) stays.
#[test]
fn apply_judges_again_from_fresh_evidence_and_refuses_old_snapshots() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    let proxy = estate.proxy(Vec::new());
    let before = estate.state();

    let old = estate.scan_aged(&proxy, dir.path(), 25 * 3600);
    let r = sgaudit(&proxy.url, &["cleanup", "--quiet", "--from-snapshot", old.to_str().unwrap(), "--apply", "--yes"]);
    r.assert_one_line_error("more than --max-snapshot-age 24");
    let r = apply_from(&proxy.url, &old, dir.path(), &["--max-snapshot-age", "48", "--protect-name", "*"]);
    // The limit raised, the snapshot is accepted (and, every group protected, nothing is to delete).
    assert_eq!(r.code, 0, "--max-snapshot-age raises the limit: {}", r.stderr);
    assert!(r.stdout.contains("Nothing to delete."), "{}", r.stdout);
    let mut undated: Value = serde_json::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    undated.as_object_mut().unwrap().remove("collected_at");
    let undated_path = dir.path().join("undated.json");
    std::fs::write(&undated_path, undated.to_string()).unwrap();
    let r = sgaudit(
        &proxy.url,
        &["cleanup", "--quiet", "--from-snapshot", undated_path.to_str().unwrap(), "--apply", "--yes"],
    );
    r.assert_one_line_error("does not say when it was collected");
    assert_eq!(estate.state(), before);

    let snapshot = estate.scan_to(&proxy, dir.path());
    let lt = estate.moto.python(
        &[&script(), "--endpoint", &estate.moto.url, "--region", REGION, "--template", &estate.id("old-unused")],
        &[],
    );
    let backup_dir = dir.path().join("backups");
    let r = apply_from(&proxy.url, &snapshot, &backup_dir, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("Kept after judging the fresh evidence again"), "{}", r.stdout);
    let lt_id = lt["launch_template"].as_str().unwrap();
    assert!(
        r.stdout.contains(&format!(
            "{} (old-unused) — in use by the fresh scan before deleting: launch-template {lt_id}",
            estate.id("old-unused")
        )),
        "{}",
        r.stdout
    );
    assert!(estate.state().get(estate.id("old-unused")).is_some(), "a group a launch template holds was deleted");
    assert!(r.stdout.contains("Cleanup: 5 deleted, 0 skipped, 0 failed"), "{}", r.stdout);
}

/// A log that cannot be written (a full disk) stops the run before any change; the backup is whole.
#[test]
fn a_log_that_cannot_be_written_stops_before_any_change() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    let proxy = estate.proxy(Vec::new());
    let snapshot = estate.scan_to(&proxy, dir.path());
    let before = estate.state();
    let r = apply_from(&proxy.url, &snapshot, dir.path(), &["--log", "/dev/full"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stderr.contains("the cleanup log could not be written"), "{}", r.stderr);
    assert_eq!(estate.state(), before, "a change was made without a log");
    let backup = backups(dir.path());
    assert_eq!(backup.len(), 1);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&backup[0]).unwrap()).unwrap();
    assert_eq!(doc["groups"].as_array().unwrap().len(), 6);
}

/// A delete that fails (AWS's DependencyViolation, which moto never answers: the proxy does) keeps the group
/// with its revoked rules put back, and the groups it names with it; restore then has nothing to put back.
#[test]
fn a_failed_delete_keeps_the_chain_whole() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    let violation = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>DependencyViolation\
        </Code><Message>resource has a dependent object</Message></Error></Errors><RequestID>r-1</RequestID></Response>";
    let chain_a = estate.id("chain-a");
    let proxy = estate.proxy(vec![Rule::always(
        &format!("DeleteSecurityGroup && {chain_a}"),
        Fault::Answer { status: 400, content_type: "text/xml;charset=UTF-8".into(), body: violation.into() },
    )]);
    let snapshot = estate.scan_to(&proxy, dir.path());
    let before = estate.state();
    let r = apply_from(&proxy.url, &snapshot, dir.path(), &[]);
    assert_eq!(r.code, 3, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("Cleanup: 3 deleted, 2 skipped, 1 failed"), "{}", r.stdout);
    let after = estate.state();
    for name in ["chain-a", "chain-b", "chain-c"] {
        let id = estate.id(name);
        for direction in ["ingress", "egress"] {
            let none = BTreeMap::new();
            assert_eq!(
                atoms(&after[&id][direction], &none),
                atoms(&before[&id][direction], &none),
                "{name} {direction}"
            );
        }
    }
    let log = log_lines(dir.path());
    assert!(log
        .iter()
        .any(|l| l["action"] == "reauthorize" && l["group_id"] == chain_a.as_str() && l["result"] == "ok"));
    let b = log.iter().find(|l| l["action"] == "skip" && l["group_id"] == estate.id("chain-b").as_str()).unwrap();
    assert!(b["reason"].as_str().unwrap().starts_with(&format!("named in a rule of {chain_a}, which stays")), "{b}");

    // A cleanup killed between its revocations and its put-backs leaves the links revoked: restore puts the
    // rules of the backup back on groups that still exist.
    estate.moto.python(&[&script(), "--endpoint", &estate.moto.url, "--region", REGION, "--strip", &chain_a], &[]);
    assert_ne!(
        atoms(&estate.state()[&chain_a]["ingress"], &BTreeMap::new()),
        atoms(&before[&chain_a]["ingress"], &BTreeMap::new())
    );
    let backup = backups(dir.path()).remove(0);
    let r = sgaudit(&proxy.url, &["restore", backup.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains(&format!("{chain_a}: still exists")), "{}", r.stdout);
    assert!(r.stdout.contains("3 never deleted, 0 failed, 0 rule(s) not restored (1 rule(s) added"), "{}", r.stdout);
    let none = BTreeMap::new();
    assert_eq!(atoms(&estate.state()[&chain_a]["ingress"], &none), atoms(&before[&chain_a]["ingress"], &none));
}

/// Restore applies every rule it can and names each one it cannot; references to groups restored by an
/// earlier run are mapped through their mark; `--groups ""` is refused.
#[test]
fn restore_applies_what_it_can_and_maps_earlier_restores() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    let proxy = estate.proxy(Vec::new());
    let snapshot = estate.scan_to(&proxy, dir.path());
    let backup_dir = dir.path().join("backups");
    let r = apply_from(&proxy.url, &snapshot, &backup_dir, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let backup = backups(&backup_dir).remove(0);

    let r = sgaudit(&proxy.url, &["restore", backup.to_str().unwrap(), "--groups", ""]);
    r.assert_one_line_error("--groups names no group");

    // chain-c first, alone; then chain-b, whose rules name chain-c: mapped through the mark of the first run.
    let (c, b) = (estate.id("chain-c"), estate.id("chain-b"));
    let r = sgaudit(&proxy.url, &["restore", backup.to_str().unwrap(), "--groups", &c]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let r = sgaudit(&proxy.url, &["restore", backup.to_str().unwrap(), "--groups", &b]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let state = estate.state();
    let new_of = |state: &Value, old: &str| -> String {
        state
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, g)| g["tags"]["sgaudit:restored-from"].as_str() == Some(old))
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let (new_b, new_c) = (new_of(&state, &b), new_of(&state, &c));
    let names: Vec<&str> = state[&new_b]["ingress"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["UserIdGroupPairs"].as_array().unwrap().iter().map(|g| g["GroupId"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [new_c.as_str()], "{}", state[&new_b]);

    // A backup whose group names a group that no longer exists: its CIDR rules still come back.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    let old_unused = estate.id("old-unused");
    let entry = doc["groups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["group"]["group_id"] == old_unused.as_str())
        .unwrap();
    entry["group"]["ingress"] = serde_json::json!([
        {"protocol": "tcp", "from_port": 443, "to_port": 443,
         "groups": [{"group_id": "sg-0123456789abcdef0", "user_id": "123456789012"}]},
        {"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv4_ranges": [{"id": "10.9.0.0/16"}]}
    ]);
    let edited = dir.path().join("edited-backup.json");
    std::fs::write(&edited, doc.to_string()).unwrap();
    let r = sgaudit(&proxy.url, &["restore", edited.to_str().unwrap(), "--groups", &old_unused]);
    assert_eq!(r.code, 3, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("rule not restored: ingress tcp 443-443 from sg-0123456789abcdef0"), "{}", r.stdout);
    assert!(r.stdout.contains("1 rule(s) not restored"), "{}", r.stdout);
    let state = estate.state();
    let restored = &state[&new_of(&state, &old_unused)];
    assert!(restored["ingress"].to_string().contains("10.9.0.0/16"), "{restored}");
}

/// Names and reasons from a snapshot are printed with their control characters made visible: a hostile
/// name cannot clear the screen, retitle the window or forge a line of the plan.
#[test]
fn hostile_names_in_a_snapshot_do_not_reach_the_terminal_raw() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::repo_root().join("examples/demo-snapshot.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    for region in doc["regions"].as_array_mut().unwrap() {
        for g in region["security_groups"].as_array_mut().unwrap() {
            if g["group_name"] != "default" {
                let name =
                    format!("\u{1b}]0;pwned\u{7}\u{1b}[2J{}\nDELETE sg-forged", g["group_name"].as_str().unwrap());
                g["group_name"] = Value::String(name);
            }
        }
    }
    let hostile = dir.path().join("hostile.json");
    std::fs::write(&hostile, doc.to_string()).unwrap();
    let r = moto.sgaudit(&["cleanup", "--quiet", "--from-snapshot", hostile.to_str().unwrap(), "--ignore-age"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    for out in [&r.stdout, &r.stderr] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out}");
        assert!(!out.lines().any(|l| l.trim_start().starts_with("DELETE sg-forged")), "{out}");
    }
    assert!(r.stdout.contains("\\u{1b}]0;pwned"), "{}", r.stdout);
}

/// Ctrl-C during the deletions: the run stops before its next change, puts the revoked rules back, and says
/// so (exit 3). The first delete hangs in the proxy; the signal comes while it does.
#[test]
fn an_interrupt_stops_the_run_before_its_next_change_and_puts_the_rules_back() {
    let estate = Estate::seed();
    let dir = tempfile::tempdir().unwrap();
    let proxy = estate.proxy(vec![Rule::always("DeleteSecurityGroup", Fault::Hang(std::time::Duration::from_secs(3)))]);
    let snapshot = estate.scan_to(&proxy, dir.path());
    let before = estate.state();
    let mut cmd = common::sgaudit_cmd();
    cmd.env("AWS_ENDPOINT_URL", &proxy.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .args([
            "cleanup",
            "--quiet",
            "--from-snapshot",
            snapshot.to_str().unwrap(),
            "--apply",
            "--yes",
            "--max-attempts",
            "1",
            "--backup-dir",
            dir.path().to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !proxy.seen().keys().any(|k| k.contains("DeleteSecurityGroup")) {
        assert!(std::time::Instant::now() < deadline, "no delete was sent: {:?}", proxy.seen());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let r = Run::of(child.wait_with_output().unwrap());
    assert_eq!(r.code, 3, "{}\n{}", r.stderr, r.stdout);
    assert!(r.stderr.contains("the cleanup stopped early: interrupted"), "{}", r.stderr);
    let deletes: usize = proxy.seen().iter().filter(|(k, _)| k.contains("DeleteSecurityGroup")).map(|(_, n)| n).sum();
    assert_eq!(deletes, 1, "a delete after the interrupt: {:?}", proxy.seen());
    // Nothing was deleted (the hung delete failed), and every revoked link is back.
    let after = estate.state();
    let none = BTreeMap::new();
    for (id, group) in before.as_object().unwrap() {
        for direction in ["ingress", "egress"] {
            assert_eq!(atoms(&after[id][direction], &none), atoms(&group[direction], &none), "{id} {direction}");
        }
    }
    assert_eq!(backups(dir.path()).len(), 1);
}

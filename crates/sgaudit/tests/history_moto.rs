//! The history against moto: scan, change the estate (a holder deleted, a port opened, a group added), scan
//! again; `diff` shows exactly those changes, "unused since" is the first run's time for the group unused in
//! both, `history` counts both runs, `cleanup --unused-for` plans only the group unused for long enough; and
//! `--push-security-hub` archives the finding resolved since the run before.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::{Moto, FIXTURES};
use serde_json::Value;

const REGION: &str = "us-east-1";

fn step(moto: &Moto, step: &str) -> Value {
    moto.python(
        &[&format!("{FIXTURES}/history_estate.py"), "--endpoint", &moto.url, "--region", REGION, "--step", step],
        &[],
    )
}

fn scan(moto: &Moto, store: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--quiet", "--region", REGION, "--format", "json", "--store", store.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = moto.sgaudit(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn group<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["security_groups"].as_array().unwrap().iter().find(|g| g["group_id"] == id).unwrap_or_else(|| panic!("{id}"))
}

fn ids(items: &Value, key: &str) -> BTreeSet<String> {
    items.as_array().unwrap().iter().map(|i| i[key].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_second_scan_knows_what_changed_and_since_when() {
    let moto = Moto::start();
    let seeded = step(&moto, "seed");
    let (old, held, web) = (
        seeded["groups"]["old-unused"].as_str().unwrap().to_string(),
        seeded["groups"]["held"].as_str().unwrap().to_string(),
        seeded["groups"]["web"].as_str().unwrap().to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");

    let first = scan(&moto, &store, &[]);
    let first_at = first["collected_at"].as_str().unwrap().to_string();
    assert_eq!(group(&first, &old)["status"], "unused");
    assert_eq!(group(&first, &old)["unused_since"], first_at.as_str());
    assert_eq!(group(&first, &held)["status"], "in_use");
    assert!(group(&first, &held).get("unused_since").is_none_or(Value::is_null));

    // Far enough apart for whole seconds to tell the runs apart, and for the grace period below (whose window
    // must also outlast the second scan and the commands after it on a loaded machine: at 4 s and 3 s, a run
    // beside other work once saw the second run's groups count as unused for 3 s too).
    std::thread::sleep(Duration::from_secs(10));
    let changed = step(&moto, "change");
    let newcomer = changed["groups"]["newcomer"].as_str().unwrap().to_string();
    let second = scan(&moto, &store, &[]);
    let second_at = second["collected_at"].as_str().unwrap().to_string();
    assert_ne!(first_at, second_at);

    // Unused since: the first run of the streak.
    assert_eq!(group(&second, &old)["unused_since"], first_at.as_str(), "unused in both runs");
    assert_eq!(group(&second, &held)["status"], "unused");
    assert_eq!(group(&second, &held)["unused_since"], second_at.as_str(), "unused since the second run only");
    assert_eq!(group(&second, &newcomer)["unused_since"], second_at.as_str());

    // The diff of the last two runs: exactly the three changes.
    let r = moto.sgaudit(&["diff", "--store", store.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let diff = r.json();
    assert_eq!(diff["schema_version"], 1);
    assert_eq!(ids(&diff["created"], "group_id"), BTreeSet::from([newcomer.clone()]));
    assert_eq!(ids(&diff["deleted"], "group_id"), BTreeSet::new());
    let status: Vec<(String, String, String)> = diff["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["group_id"].as_str().unwrap().into(),
                c["from"].as_str().unwrap().into(),
                c["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(status, vec![(held.clone(), "in_use".into(), "unused".into())]);
    // New findings: SSH open to the world on `web` (the exposure, first), and the two groups now unused.
    let new: Vec<(String, String)> = diff["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["check_id"].as_str().unwrap().into(), f["group_id"].as_str().unwrap_or_default().into()))
        .collect();
    assert_eq!(new.first(), Some(&("sg-world-open-ssh".to_string(), web.clone())), "{new:?}");
    let unused_findings: BTreeSet<&str> =
        new.iter().filter(|(check, _)| check == "sg-unused").map(|(_, g)| g.as_str()).collect();
    assert_eq!(unused_findings, BTreeSet::from([held.as_str(), newcomer.as_str()]), "{new:?}");
    assert!(new.iter().all(|(_, g)| [&web, &held, &newcomer].contains(&g)), "only the changed groups: {new:?}");
    assert_eq!(diff["resolved_findings"].as_array().unwrap().len(), 0, "{diff}");
    let risk: BTreeSet<String> = ids(&diff["risk_changes"], "group_id");
    assert!(risk.contains(&web), "web's risk rose: {diff}");

    // The terminal says the same, the exposure first.
    let r = moto.sgaudit(&["diff", "--store", store.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let new_at = r.stdout.find("New findings (").unwrap();
    assert!(r.stdout[new_at..].lines().nth(1).unwrap().contains("sg-world-open-ssh"), "{}", r.stdout);

    // The history: both runs, the second with two more unused groups than the first.
    let r = moto.sgaudit(&["history", "--store", store.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let history = r.json();
    let runs = history["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["trend"]["unused_change"], 2, "{history}");
    assert_eq!(runs[0]["trend"]["compared_with"], runs[1]["id"]);

    // The grace period: only the group unused since the first run (10 s or more ago) is planned.
    let plan = dir.path().join("plan.json");
    let r = moto.sgaudit(&[
        "cleanup",
        "--quiet",
        "--region",
        REGION,
        "--min-age",
        "0",
        "--ignore-age",
        "--unused-for",
        "8s",
        "--store",
        store.to_str().unwrap(),
        "--plan-out",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let entries = plan["entries"].as_array().or_else(|| plan.as_array()).expect("the plan's entries");
    let planned: BTreeSet<&str> =
        entries.iter().filter(|e| e["decision"] == "delete").map(|e| e["group_id"].as_str().unwrap()).collect();
    assert_eq!(planned, BTreeSet::from([old.as_str()]), "{plan}");
    let kept_recent: BTreeSet<&str> = entries
        .iter()
        .filter(|e| e["reason_code"] == "unused-too-recently")
        .map(|e| e["group_id"].as_str().unwrap())
        .collect();
    assert_eq!(kept_recent, BTreeSet::from([held.as_str(), newcomer.as_str()]), "{plan}");
}

#[test]
fn a_finding_resolved_since_the_last_push_is_archived_in_security_hub() {
    let moto = Moto::start();
    step(&moto, "seed");
    let web = step(&moto, "change")["groups"]["web"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let hub = || {
        moto.python(&[&format!("{FIXTURES}/securityhub_findings.py"), "--endpoint", &moto.url, "--region", REGION], &[])
    };
    let ssh = format!("sgaudit/123456789012/{REGION}/{web}/sg-world-open-ssh");

    scan(&moto, &store, &["--push-security-hub"]);
    assert_eq!(hub()["record_states"][&ssh], "ACTIVE", "{}", hub());

    step(&moto, "close");
    let r = moto.sgaudit(&[
        "scan",
        "--region",
        REGION,
        "--format",
        "json",
        "--store",
        store.to_str().unwrap(),
        "--push-security-hub",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("archived"), "{}", r.stderr);
    let states = hub()["record_states"].clone();
    assert_eq!(states[&ssh], "ARCHIVED", "{states}");
    // Only what was resolved: the findings still there stay active.
    let archived: Vec<&str> =
        states.as_object().unwrap().iter().filter(|(_, s)| *s == "ARCHIVED").map(|(id, _)| id.as_str()).collect();
    assert_eq!(archived, vec![ssh.as_str()], "{states}");
}

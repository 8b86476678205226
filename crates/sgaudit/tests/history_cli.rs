//! The history from the command line, offline (the demo snapshot): a store that cannot be used is one line and
//! exit 2 before anything else; `--no-store` leaves no trace; two runs make a trend in the HTML report and a
//! diff with nothing in it; a mark shows in the next run and in the false-positive rate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::Path;

use common::{sgaudit_cmd, Run};

const DEMO: &str = "examples/demo-snapshot.json";

fn sgaudit(args: &[&str]) -> Run {
    Run::of(sgaudit_cmd().args(args).output().unwrap())
}

fn scan(store: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["scan", "--from-snapshot", DEMO, "--store", store.to_str().unwrap()];
    args.extend_from_slice(extra);
    sgaudit(&args)
}

#[test]
fn a_store_that_cannot_be_used_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // A directory that does not exist.
    let missing = dir.path().join("no/such/dir/h.sqlite3");
    let r = scan(&missing, &["--format", "json"]);
    r.assert_one_line_error("no/such/dir");
    assert!(r.stdout.is_empty(), "no report before the store is usable: {}", r.stdout);

    // A store from a newer sgaudit.
    let store = dir.path().join("h.sqlite3");
    assert_eq!(scan(&store, &["--format", "json"]).code, 3, "the demo scan records a run (exit 3: partial)");
    let python = format!(
        "import sqlite3; c = sqlite3.connect({:?}); c.execute(\"INSERT INTO sgaudit_schema (version, name, applied_at) \
         VALUES (99, 'future', '2030-01-01T00:00:00Z')\"); c.commit()",
        store.to_str().unwrap()
    );
    assert!(std::process::Command::new("python3").args(["-c", &python]).status().unwrap().success());
    let r = scan(&store, &["--format", "json"]);
    r.assert_one_line_error("newer sgaudit");
    for command in [&["history"][..], &["diff"][..]] {
        let mut args = command.to_vec();
        args.extend(["--store", store.to_str().unwrap()]);
        (sgaudit(&args)).assert_one_line_error("newer sgaudit");
    }

    // Not a store at all.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "shopping list\n".repeat(200)).unwrap();
    assert_eq!(scan(&text, &["--format", "json"]).code, 2);

    // Reading a store that is not there creates nothing.
    let absent = dir.path().join("absent.sqlite3");
    (sgaudit(&["history", "--store", absent.to_str().unwrap()])).assert_one_line_error("absent.sqlite3");
    assert!(!absent.exists());

    // A server that is not there: told, fast, without the password.
    let started = std::time::Instant::now();
    let r = scan(Path::new("postgres://sgaudit:s3cret@127.0.0.1:9/sgaudit"), &["--format", "json"]);
    r.assert_one_line_error("127.0.0.1");
    assert!(!r.stderr.contains("s3cret"), "{}", r.stderr);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn no_store_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let r = scan(&store, &["--no-store", "--format", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(!store.exists(), "--no-store wrote {}", store.display());
    assert!(!r.stderr.contains("recorded run"), "{}", r.stderr);
}

#[test]
fn two_runs_make_a_trend_a_history_and_an_empty_diff() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let r = scan(&store, &["--format", "html", "-o", dir.path().join("one.html").to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("recorded run"), "{}", r.stderr);
    let one = std::fs::read_to_string(dir.path().join("one.html")).unwrap();
    assert!(!one.contains("id=\"trend\""), "one run is no trend");

    let r = scan(&store, &["--format", "html", "-o", dir.path().join("two.html").to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let two = std::fs::read_to_string(dir.path().join("two.html")).unwrap();
    assert!(two.contains("id=\"trend\""), "the second run's report has the trend");
    assert!(two.contains("<polyline"), "with its chart");

    let r = sgaudit(&["history", "--store", store.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 3, "a header and two runs:\n{}", r.stdout);

    let r = sgaudit(&["diff", "--store", store.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Nothing changed."), "{}", r.stdout);

    // A page is for a file, not a terminal; to a file it is written whole.
    let page = dir.path().join("diff.html");
    let r = sgaudit(&["diff", "--store", store.to_str().unwrap(), "--format", "html", "-o", page.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read_to_string(&page).unwrap().contains("Nothing changed."));

    // A run that is not there.
    let r = sgaudit(&["diff", "nope", "--store", store.to_str().unwrap()]);
    r.assert_one_line_error("no run nope");
}

#[test]
fn a_marked_group_is_muted_counted_and_can_be_taken_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h.sqlite3");
    let first = scan(&store, &["--format", "json"]).json();
    let unused: Vec<&str> = first["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["status"] == "unused")
        .map(|g| g["group_id"].as_str().unwrap())
        .collect();
    let group = unused[0];
    let r = sgaudit(&[
        "mark",
        group,
        "--in-use",
        "--reason",
        "=cmd|' /C calc'!A0 started by hand",
        "--owner",
        "team-data",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed = sgaudit(&["mark", "--list", "--store", store.to_str().unwrap()]);
    assert!(listed.stdout.contains(group) && listed.stdout.contains("team-data"), "{}", listed.stdout);

    let second = scan(&store, &["--format", "json"]).json();
    let g = second["security_groups"].as_array().unwrap().iter().find(|g| g["group_id"] == group).unwrap();
    assert_eq!(g["status"], "unused", "a mark does not change the verdict");
    assert_eq!(g["marked_in_use"]["owner"], "team-data");
    let finding = g["findings"].as_array().unwrap().iter().find(|f| f["id"] == "sg-unused").unwrap();
    assert_eq!(finding["muted"]["declared_at"], "mark");

    let history = sgaudit(&["history", "--store", store.to_str().unwrap(), "--format", "json"]).json();
    let latest = &history["runs"][0];
    assert_eq!(latest["counts"]["false_positives"], 1);
    let rate = latest["trend"]["false_positive_rate"].as_f64().unwrap();
    assert!((rate - 1.0 / unused.len() as f64).abs() < 1e-9, "{rate}");

    let r = sgaudit(&["mark", group, "--remove", "--store", store.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again = sgaudit(&["mark", group, "--remove", "--store", store.to_str().unwrap()]);
    again.assert_one_line_error("has no mark");
    (sgaudit(&["mark", "sg-nothex!", "--in-use", "--reason", "x"])).assert_one_line_error("not a security group id");
}

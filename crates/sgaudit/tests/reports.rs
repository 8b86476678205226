//! The report formats from the command line, on the demo snapshot: CSV, SARIF and the per-account audit log,
//! written to files and read back against the JSON document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::Path;

use common::{sgaudit_cmd, Run};
use serde_json::Value;

const DEMO: &str = "examples/demo-snapshot.json";

fn run(args: &[&str]) -> Run {
    Run::of(sgaudit_cmd().args(args).output().unwrap())
}

/// The demo as JSON on stdout: what the other formats must agree with.
fn demo_json() -> Value {
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    r.json()
}

/// Writes the demo in `format` to a file and returns its text.
fn demo_in(format: &str, dir: &Path) -> String {
    let path = dir.join(format!("demo.{format}"));
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", format, "--output", path.to_str().unwrap()]);
    // The demo has a source denied by an SCP: partial coverage, exit 3, and nothing on stdout.
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn csv_has_one_row_per_group_matching_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = demo_in("csv", dir.path());
    let doc = demo_json();
    let groups = doc["security_groups"].as_array().unwrap();

    // No cell of the demo holds a line break, so each CRLF-ended line is one record.
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("account_id,account_profile,region,security_group_id,group_name,"), "{}", lines[0]);
    // New columns go at the end, so positional readers keep working.
    assert!(
        lines[0].ends_with(
            ",used_by,referenced_by,missing_evidence,findings,tags,account_name,unused_since,unused_days,marked_in_use,\
             muted_findings,reachability,reach_paths,reach_why,fix"
        ),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len() - 1, groups.len());
    for g in groups {
        let id = g["group_id"].as_str().unwrap();
        let line = lines.iter().find(|l| l.contains(&format!(",{id},"))).unwrap_or_else(|| panic!("no row for {id}"));
        let status = g["status"].as_str().unwrap();
        assert!(line.contains(&format!(",{status},")), "{id} is {status} in JSON: {line}");
    }
    // The hostile tag value is quoted (it holds quotes) and, coming after its key, cannot start the cell.
    let oldci = lines.iter().find(|l| l.contains(",sg-0a400000000001dc1,")).unwrap();
    // (The next cell, account_name, is empty outside an organization.)
    assert!(oldci.contains(",\"Owner==HYPERLINK(\"\"http://evil\"\")\",,"), "{oldci}");
    assert!(!text.contains(",=") && !text.contains(",\"="), "a cell starts with `=`:\n{text}");
}

#[test]
fn sarif_has_a_result_per_finding_with_rules_of_the_driver() {
    let dir = tempfile::tempdir().unwrap();
    let sarif: Value = serde_json::from_str(&demo_in("sarif", dir.path())).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "sgaudit");
    let rules: Vec<&str> =
        run0["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();

    let doc = demo_json();
    let mut expected: Vec<(String, String)> = Vec::new();
    for g in doc["security_groups"].as_array().unwrap() {
        for f in g["findings"].as_array().unwrap() {
            let where_ = format!(
                "{}/{}/{}",
                g["account_id"].as_str().unwrap(),
                g["region"].as_str().unwrap(),
                g["group_id"].as_str().unwrap()
            );
            expected.push((f["id"].as_str().unwrap().to_string(), where_));
        }
    }
    // And each account check that failed or could not be evaluated, at its resource.
    for r in doc["results"].as_array().unwrap().iter().filter(|r| r["outcome"] != "pass") {
        let where_ = format!(
            "{}/{}/{}",
            r["account_id"].as_str().unwrap(),
            r["region"].as_str().unwrap_or("global"),
            r["resource"].as_str().unwrap()
        );
        expected.push((r["check"].as_str().unwrap().to_string(), where_));
    }
    let mut got: Vec<(String, String)> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let rule = r["ruleId"].as_str().unwrap();
            assert!(rules.contains(&rule), "{rule}");
            let level = r["level"].as_str().unwrap();
            // `none`: a check that could not be evaluated (SARIF's kind `open`).
            assert!(["error", "warning", "note", "none"].contains(&level), "{level}");
            let place = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap();
            (rule.to_string(), place.to_string())
        })
        .collect();
    expected.sort();
    got.sort();
    assert!(!got.is_empty());
    assert_eq!(got, expected);
}

#[test]
fn audit_log_dir_writes_one_log_per_account() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs/nested");
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json", "--audit-log-dir", logs.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    // The report still goes to stdout.
    let doc = r.json();

    let files: Vec<String> =
        std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(files, ["123456789012_sg_log.txt"]);
    let text = std::fs::read_to_string(logs.join("123456789012_sg_log.txt")).unwrap();

    let groups = doc["security_groups"].as_array().unwrap();
    let reviewing = text.lines().filter(|l| l.starts_with("Reviewing security group (")).count();
    assert_eq!(reviewing, groups.len());
    let mut unused: Vec<&str> =
        groups.iter().filter(|g| g["status"] == "unused").map(|g| g["group_id"].as_str().unwrap()).collect();
    // `grep UNUSED` lists exactly the unused groups.
    let mut grep: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("UNUSED"))
        .map(|l| l.split(": ").nth(1).unwrap().split(' ').next().unwrap())
        .collect();
    unused.sort();
    grep.sort();
    assert_eq!(grep, unused);
    let closing = text.lines().last().unwrap();
    assert!(closing.starts_with(&format!("Unused security groups ({} of {}): ", unused.len(), groups.len())));
    assert!(unused.iter().all(|id| closing.contains(id)), "{closing}");
}

#[test]
fn an_unwritable_audit_log_dir_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json", "--audit-log-dir", file.to_str().unwrap()]);
    r.assert_one_line_error("cannot create");
}

/// Every file format at once, into a folder, named `sgaudit-<UTC stamp>.<ext>`; each read back.
#[test]
fn format_all_writes_every_format_into_the_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "all", "--output-dir", out.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    common::reports::check_report_dir(&out, &demo_json());
}

#[test]
fn several_formats_need_an_output_dir() {
    run(&["scan", "--from-snapshot", DEMO, "--format", "json,csv"])
        .assert_one_line_error("several formats are written to files: give --output-dir DIR");
    run(&["scan", "--from-snapshot", DEMO, "--format", "audit-log"]).assert_one_line_error("give --output-dir");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.json");
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json,csv", "--output", file.to_str().unwrap()]);
    r.assert_one_line_error("give --output-dir");
}

/// The demo with its account named as `--org` names it, written to `dir`.
fn named_demo(dir: &Path, name: &str) -> std::path::PathBuf {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(common::repo_root().join(DEMO)).unwrap()).unwrap();
    doc["accounts"][0]["name"] = Value::from(name);
    let path = dir.join("named.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

#[test]
fn with_org_the_csv_and_the_workbook_name_the_account() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    let snap = named_demo(dir.path(), "Payments, production");
    let out = dir.path().join("reports");
    let r = run(&[
        "scan",
        "--from-snapshot",
        snap.to_str().unwrap(),
        "--format",
        "csv,xlsx",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let file = |ext: &str| {
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(ext))
            .unwrap()
    };

    let csv = std::fs::read_to_string(file(".csv")).unwrap();
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert!(lines
        .next()
        .unwrap()
        .ends_with(",tags,account_name,unused_since,unused_days,marked_in_use,muted_findings,reachability,reach_paths,reach_why,fix"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 20);
    // The account's name, then the four columns the history added (empty or 0 without a store's history).
    assert!(rows.iter().all(|l| l.contains(",\"Payments, production\",")), "{rows:#?}");

    let mut book: calamine::Xlsx<_> = calamine::open_workbook(file(".xlsx")).unwrap();
    for sheet in ["all_groups", "default_sg", "ssh_open", "ssh_world", "unused"] {
        let range = book.worksheet_range(sheet).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        let at = header.iter().position(|h| h == "account_name").unwrap_or_else(|| panic!("{sheet}: {header:?}"));
        let names: Vec<String> = rows.map(|r| r[at].to_string()).collect();
        assert!(!names.is_empty() && names.iter().all(|n| n == "Payments, production"), "{sheet}: {names:?}");
    }
}

/// What a hostile value carries: a cleared screen, a window title, a clickable link, C1 CSI, a bidi
/// override, and a line break that starts a forged `UNUSED` line.
const EVIL: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;https://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\\u{9b}31m\u{202e}\nUNUSED sg-0forged (x) in us-east-1: UNUSED";

#[test]
fn hostile_text_reaches_neither_the_terminal_nor_the_audit_log_raw() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(common::repo_root().join(DEMO)).unwrap()).unwrap();
    let evil = |what: &str| Value::from(format!("{what}{EVIL}"));
    doc["accounts"][0]["name"] = evil("org");
    for region in doc["regions"].as_array_mut().unwrap() {
        for g in region["security_groups"].as_array_mut().unwrap() {
            g["group_name"] = evil(g["group_name"].as_str().unwrap());
            g["description"] = evil("description");
            g["tags"]["Owner"] = evil("owner");
        }
        for a in region["attachments"].as_array_mut().unwrap() {
            a["detail"] = evil("detail");
        }
        for c in region["coverage"].as_array_mut().unwrap() {
            if c.get("error").is_some() {
                c["error"]["message"] = evil("message");
            }
        }
    }
    let snap = dir.path().join("hostile.json");
    std::fs::write(&snap, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let logs = dir.path().join("logs");
    let r = run(&["scan", "--from-snapshot", snap.to_str().unwrap(), "--audit-log-dir", logs.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let raw = |text: &str| {
        text.chars().find(|&c| (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c))
    };
    assert_eq!(raw(&r.stdout), None, "{}", r.stdout);
    assert!(r.stdout.contains("message\\u{1b}[2J"), "the error message is shown, escaped:\n{}", r.stdout);
    assert!(r.stdout.contains("bastion\\u{1b}[2J"), "the name is shown, escaped:\n{}", r.stdout);

    let log = std::fs::read_to_string(logs.join("123456789012_sg_log.txt")).unwrap();
    assert_eq!(raw(&log), None, "{log}");
    assert!(log.contains("(org\\u{1b}[2J"), "{log}");
    let starts = [
        "sgaudit security group log",
        "Collected at ",
        "Evidence not read in ",
        "Reviewing security group (",
        "\t",
        "Groups whose use could not be established",
        "Unused security groups",
        "Account checks (",
    ];
    for line in log.lines().filter(|l| !l.is_empty()) {
        assert!(starts.iter().any(|s| line.starts_with(s)), "a line the format does not write: {line:?}");
    }
    assert!(!log.lines().any(|l| l.starts_with("UNUSED")));
    let unused = log.lines().filter(|l| l.contains("UNUSED")).count();
    assert_eq!(unused, 6, "{log}");
}

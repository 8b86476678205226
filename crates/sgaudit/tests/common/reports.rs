//! Reads back a folder of reports written by `--format all --output-dir` and checks each file against the
//! JSON document of the same audit.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::Value;

/// Checks a folder written by `--format all` against the JSON document of the same audit.
pub fn check_report_dir(out: &Path, doc: &Value) {
    let files: Vec<String> =
        std::fs::read_dir(out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let stamped = |ext: &str| -> std::path::PathBuf {
        let name = files
            .iter()
            .find(|f| {
                let stamp = f.strip_prefix("sgaudit-").and_then(|r| r.strip_suffix(&format!(".{ext}")));
                stamp.is_some_and(|s| s.len() == 16 && s.as_bytes()[8] == b'T' && s.ends_with('Z'))
            })
            .unwrap_or_else(|| panic!("no sgaudit-<stamp>.{ext} in {files:?}"));
        out.join(name)
    };
    let groups = doc["security_groups"].as_array().unwrap();
    let findings: usize = groups.iter().map(|g| g["findings"].as_array().unwrap().len()).sum();
    // The account checks' results: every one in ASFF and OCSF, failures and gaps in SARIF.
    let results = doc["results"].as_array().unwrap();
    let not_passed = results.iter().filter(|r| r["outcome"] != "pass").count();

    let json: Value = serde_json::from_str(&std::fs::read_to_string(stamped("json")).unwrap()).unwrap();
    assert_eq!(json["security_groups"], doc["security_groups"]);
    let csv = std::fs::read_to_string(stamped("csv")).unwrap();
    assert_eq!(csv.split("\r\n").filter(|l| !l.is_empty()).count(), groups.len() + 1);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(stamped("sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), findings + not_passed);
    let asff: Value = serde_json::from_str(&std::fs::read_to_string(stamped("asff.json")).unwrap()).unwrap();
    assert_eq!(asff.as_array().unwrap().len(), findings + results.len());
    let ocsf: Value = serde_json::from_str(&std::fs::read_to_string(stamped("ocsf.json")).unwrap()).unwrap();
    assert_eq!(ocsf.as_array().unwrap().len(), findings + results.len());
    let checks_csv = std::fs::read_to_string(stamped("checks.csv")).unwrap();
    assert_eq!(checks_csv.split("\r\n").filter(|l| !l.is_empty()).count(), results.len() + 1);
    let html = std::fs::read_to_string(stamped("html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    for g in groups {
        assert!(html.contains(g["group_id"].as_str().unwrap()), "{} not in the HTML", g["group_id"]);
    }

    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(stamped("xlsx")).unwrap();
    let sheets = book.sheet_names();
    for sheet in ["summary", "default_sg", "ssh_open", "ssh_world", "all_groups", "unused", "findings", "coverage"] {
        assert!(sheets.iter().any(|s| s == sheet), "no sheet {sheet} in {sheets:?}");
    }
    let all = book.worksheet_range("all_groups").unwrap();
    assert_eq!(all.height(), groups.len() + 1, "all_groups: a header and a row per group");
    let ids: std::collections::BTreeSet<String> = all.rows().skip(1).map(|r| r[3].to_string()).collect();
    let expected: std::collections::BTreeSet<String> =
        groups.iter().map(|g| g["group_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, expected);
    let unused = groups.iter().filter(|g| g["status"] == "unused" && g["is_default"] == false).count();
    assert_eq!(book.worksheet_range("unused").unwrap().height(), unused + 1);
    assert_eq!(book.worksheet_range("findings").unwrap().height(), findings + 1);

    // The audit log of each account.
    for account in doc["accounts"].as_array().unwrap() {
        let id = account["account_id"].as_str().unwrap();
        let log = std::fs::read_to_string(out.join(format!("{id}_sg_log.txt"))).unwrap();
        assert!(log.contains("Reviewing security group (1/"), "{log}");
    }
}

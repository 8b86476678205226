//! The reports that follow a published format, validated by someone else's reading of that format:
//! SARIF against the OASIS SARIF 2.1.0 JSON Schema, OCSF against the JSON Schema of its Compliance Finding
//! class, ASFF against botocore's model of Security Hub's `BatchImportFindings` (there is no ASFF JSON
//! Schema). Where the schemas come from: `tests/schemas/README.md`. The demo holds the groups' findings and
//! results of the account checks of every outcome (pass, fail, not evaluated); each test checks that what
//! it validates has them.
//!
//! The validators are Python's (`jsonschema`, `botocore`), run by `tests/validate.py`; `.ci/run` installs
//! them where missing. Each validator is also shown a broken document, so that a validator that checks
//! nothing cannot pass these tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use sgaudit_report::Format;
use sgaudit_snapshot::Snapshot;

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn demo() -> Snapshot {
    Snapshot::load(&here().join("../../examples/demo-snapshot.json")).expect("the demo snapshot loads")
}

/// What someone hostile names things: JSON breakers, markup, control characters, formula starters and
/// characters outside the BMP.
fn hostile_name(i: usize) -> String {
    format!("\"}}],\"Id\":\"x{i}\\\n\r\t\u{0}\u{7f}</script><b>=cmd|' /c calc'!A0 𝕊𝔾")
}

/// The demo with names, descriptions and tags chosen by someone hostile, and a name longer than a title
/// may be; IAM users so named, whose ARNs (an IAM path may be 512 characters long) make ids longer than
/// Security Hub takes, and a bucket so named.
fn hostile() -> Snapshot {
    let mut snapshot = demo();
    let groups = snapshot.regions.iter_mut().flat_map(|r| r.security_groups.iter_mut());
    for (i, g) in groups.enumerate() {
        if g.is_default() {
            continue; // Default groups keep their name, which their checks depend on.
        }
        g.group_name = format!("{} {}", hostile_name(i), "ü".repeat(300));
        g.description = "\u{202e}reversed\u{2028}line".to_string();
        g.tags.insert("Owner".to_string(), "=HYPERLINK(\"http://evil\")".to_string());
        g.tags.insert("empty".to_string(), String::new());
    }
    let evidence = &mut snapshot.account_evidence[0];
    let report = evidence.credential_report.as_mut().expect("the demo has a credential report");
    for (i, u) in report.users.iter_mut().filter(|u| !u.is_root()).enumerate() {
        u.user = hostile_name(i);
        u.arn = format!("arn:aws:iam::123456789012:user/{}/{}", "ü".repeat(500), u.user);
    }
    evidence.buckets[0].name = hostile_name(99);
    snapshot
}

/// The values of `field` (a JSON pointer) across `items`.
fn values<'a>(items: &'a [Value], field: &str) -> std::collections::BTreeSet<&'a str> {
    items.iter().filter_map(|i| i.pointer(field).and_then(Value::as_str)).collect()
}

fn render(format: Format, snapshot: &Snapshot) -> Vec<u8> {
    let audit = sgaudit_audit::audit(snapshot);
    let mut out = Vec::new();
    sgaudit_report::write_to(format, snapshot, &audit, false, &mut out).unwrap();
    out
}

/// The demo as a run with a store and a config file leaves it ([`common::remember`]), its reason and owner
/// chosen by someone hostile: markup, quotes, control characters, a formula, characters outside the BMP.
fn remembered(format: Format, snapshot: &Snapshot) -> Vec<u8> {
    let mut audit = sgaudit_audit::audit(snapshot);
    common::remember(&mut audit, &format!("{} {}", hostile_name(1), "ü".repeat(600)), &hostile_name(2));
    let mut out = Vec::new();
    sgaudit_report::write_to(format, snapshot, &audit, false, &mut out).unwrap();
    out
}

/// Muted findings, groups marked in use and the exceptions' states keep every published format valid.
#[test]
fn formats_of_an_estate_with_a_memory_are_valid() {
    let snapshot = demo();
    let sarif = remembered(Format::Sarif, &snapshot);
    let doc: Value = serde_json::from_slice(&sarif).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(values(results, "/suppressions/0/status"), ["accepted"].into(), "the muted results are there");
    if let Err(problems) = validate(&["json-schema", &sarif_schema()], &sarif) {
        panic!("the SARIF of muted results is not valid SARIF 2.1.0:\n{problems}");
    }
    let ocsf = remembered(Format::Ocsf, &snapshot);
    let events: Vec<Value> = serde_json::from_slice(&ocsf).unwrap();
    assert_eq!(values(&events, "/status"), ["New", "Resolved", "Suppressed"].into());
    if let Err(problems) = validate(&["json-schema", &ocsf_schema(), "--each"], &ocsf) {
        panic!("the OCSF of muted results is not valid:\n{problems}");
    }
    let asff = remembered(Format::Asff, &snapshot);
    let findings: Vec<Value> = serde_json::from_slice(&asff).unwrap();
    assert_eq!(values(&findings, "/Workflow/Status"), ["NEW", "RESOLVED", "SUPPRESSED"].into());
    assert!(
        findings.iter().any(|f| f["Note"]["Text"].as_str().is_some_and(|t| t.ends_with('…'))),
        "a long reason, cut"
    );
    if let Err(problems) = validate(&["asff"], &asff) {
        panic!("the ASFF of muted findings does not fit BatchImportFindings:\n{problems}");
    }
    let json = remembered(Format::Json, &snapshot);
    let strict_schema = tempfile::NamedTempFile::new().unwrap();
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(here().join(REPORT_SCHEMA)).unwrap()).unwrap();
    strict(&mut schema);
    std::fs::write(strict_schema.path(), serde_json::to_vec(&schema).unwrap()).unwrap();
    for schema in [report_schema(), strict_schema.path().display().to_string()] {
        if let Err(problems) = validate(&["json-schema", &schema], &json) {
            panic!("the JSON document of an estate with a memory does not fit {schema}:\n{problems}");
        }
    }
    // The schema knows the words: a state it does not list is refused.
    let broken = edit(&json, |d| d["exceptions"][0]["state"] = "snoozed".into());
    validate(&["json-schema", &report_schema()], &broken).expect_err("the report schema accepted a state it lacks");
}

/// Runs `tests/validate.py ARGS` on `document`: `Ok` when valid, the validator's complaints when not.
fn validate(args: &[&str], document: &[u8]) -> Result<(), String> {
    let mut child = Command::new("python3")
        .arg(here().join("tests/validate.py"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (the schema tests need Python 3 with jsonschema and boto3)");
    child.stdin.take().unwrap().write_all(document).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    match output.status.code() {
        Some(0) => Ok(()),
        Some(1) => {
            assert!(!stdout.trim().is_empty(), "the validator failed without saying why");
            Err(stdout)
        }
        _ => panic!(
            "the validator could not run: {}\n(python3 -m pip install jsonschema boto3)",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

const SARIF_SCHEMA: &str = "tests/schemas/sarif-schema-2.1.0.json";
const OCSF_SCHEMA: &str = "tests/schemas/ocsf-1.5.0-compliance_finding-cloud.json";

fn sarif_schema() -> String {
    here().join(SARIF_SCHEMA).display().to_string()
}

fn ocsf_schema() -> String {
    here().join(OCSF_SCHEMA).display().to_string()
}

/// A named way to break a valid document.
type Breakage = (&'static str, fn(&mut Value));

fn edit(document: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(document).unwrap();
    change(&mut value);
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn sarif_of_the_demo_is_valid_sarif_2_1_0() {
    let sarif = render(Format::Sarif, &demo());
    let doc: Value = serde_json::from_slice(&sarif).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"].as_str().unwrap().starts_with("sg-")), "the groups' findings");
    assert_eq!(values(results, "/properties/outcome"), ["fail", "not_evaluated"].into(), "the checks' results");
    if let Err(problems) = validate(&["json-schema", &sarif_schema()], &sarif) {
        panic!("the demo's SARIF is not valid SARIF 2.1.0:\n{problems}");
    }
}

#[test]
fn sarif_of_hostile_names_is_valid_sarif_2_1_0() {
    let sarif = render(Format::Sarif, &hostile());
    if let Err(problems) = validate(&["json-schema", &sarif_schema()], &sarif) {
        panic!("{problems}");
    }
}

#[test]
fn the_sarif_schema_refuses_a_broken_log() {
    let sarif = render(Format::Sarif, &demo());
    let cases: [Breakage; 5] = [
        ("no version", |d| {
            d.as_object_mut().unwrap().remove("version");
        }),
        ("a level SARIF lacks", |d| d["runs"][0]["results"][0]["level"] = "fatal".into()),
        ("a property the schema does not have", |d| d["runs"][0]["tool"]["driver"]["colour"] = "red".into()),
        ("a result with no message", |d| {
            d["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
        }),
        ("a kind SARIF lacks", |d| {
            let open = d["runs"][0]["results"].as_array_mut().unwrap().iter_mut().find(|r| r["kind"] == "open");
            open.unwrap()["kind"] = "skipped".into();
        }),
    ];
    for (what, change) in cases {
        let problems = validate(&["json-schema", &sarif_schema()], &edit(&sarif, change))
            .expect_err(&format!("the SARIF schema accepted a log with {what}"));
        assert!(!problems.is_empty());
    }
}

#[test]
fn ocsf_of_the_demo_is_valid_compliance_findings() {
    let ocsf = render(Format::Ocsf, &demo());
    let events: Value = serde_json::from_slice(&ocsf).unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(values(events, "/compliance/status"), ["Fail", "Pass", "Unknown"].into());
    assert!(values(events, "/resources/0/type").len() > 5, "groups, IAM users, trails, buckets, ...");
    if let Err(problems) = validate(&["json-schema", &ocsf_schema(), "--each"], &ocsf) {
        panic!("the demo's OCSF is not valid OCSF 1.5.0 Compliance Finding:\n{problems}");
    }
}

#[test]
fn ocsf_of_hostile_names_is_valid_compliance_findings() {
    let ocsf = render(Format::Ocsf, &hostile());
    if let Err(problems) = validate(&["json-schema", &ocsf_schema(), "--each"], &ocsf) {
        panic!("{problems}");
    }
}

#[test]
fn the_ocsf_schema_refuses_a_broken_event() {
    let ocsf = render(Format::Ocsf, &demo());
    let cases: [Breakage; 5] = [
        ("another class", |d| d[0]["class_uid"] = 2004.into()),
        ("no cloud", |d| {
            d[0].as_object_mut().unwrap().remove("cloud");
        }),
        ("a severity id OCSF lacks", |d| d[0]["severity_id"] = 7.into()),
        ("a misspelt attribute", |d| d[0]["finding_info"]["tittle"] = "x".into()),
        ("a compliance status OCSF lacks, on a result", |d| {
            let pass = d.as_array_mut().unwrap().iter_mut().find(|e| e["compliance"]["status"] == "Pass");
            pass.unwrap()["compliance"]["status_id"] = 7.into();
        }),
    ];
    for (what, change) in cases {
        validate(&["json-schema", &ocsf_schema(), "--each"], &edit(&ocsf, change))
            .expect_err(&format!("the OCSF schema accepted an event with {what}"));
    }
}

#[test]
fn asff_of_the_demo_is_what_batch_import_findings_takes() {
    let asff = render(Format::Asff, &demo());
    let findings: Vec<Value> = serde_json::from_slice(&asff).unwrap();
    assert_eq!(values(&findings, "/Compliance/Status"), ["FAILED", "NOT_AVAILABLE", "PASSED"].into());
    assert!(values(&findings, "/Resources/0/Type").contains("AwsIamUser"));
    if let Err(problems) = validate(&["asff"], &asff) {
        panic!("the demo's ASFF does not fit BatchImportFindings:\n{problems}");
    }
}

#[test]
fn asff_of_hostile_names_is_what_batch_import_findings_takes() {
    let asff = render(Format::Asff, &hostile());
    let findings: Vec<Value> = serde_json::from_slice(&asff).unwrap();
    let long = findings.iter().filter(|f| f["Resources"][0]["Id"].as_str().unwrap().chars().count() > 512).count();
    assert!(long > 0, "results whose resource alone is longer than an id may be");
    // Security Hub's limit on an id (not in botocore's model), and ids stay unique once cut.
    let ids = values(&findings, "/Id");
    assert_eq!(ids.len(), findings.len());
    assert!(ids.iter().all(|id| id.encode_utf16().count() <= 512));
    if let Err(problems) = validate(&["asff"], &asff) {
        panic!("{problems}");
    }
}

/// Reachability and fixes, with hostile text and past Security Hub's lengths, keep SARIF, OCSF and ASFF valid:
/// SARIF's fixes (files to add), ASFF's remediation and product fields cut to their documented limits.
#[test]
fn formats_with_reachability_and_fixes_are_valid() {
    let snapshot = demo();
    let mut audit = sgaudit_audit::audit(&snapshot);
    common::advise(&mut audit, &hostile_name(3));
    let write = |format: Format| {
        let mut out = Vec::new();
        sgaudit_report::write_to(format, &snapshot, &audit, false, &mut out).unwrap();
        out
    };
    let sarif = write(Format::Sarif);
    let doc: Value = serde_json::from_slice(&sarif).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["fixes"][0]["artifactChanges"].as_array().is_some_and(|c| c.len() == 2)));
    assert!(values(results, "/properties/reachability/state").contains("reachable"), "group results say it");
    if let Err(problems) = validate(&["json-schema", &sarif_schema()], &sarif) {
        panic!("the SARIF with fixes is not valid SARIF 2.1.0:\n{problems}");
    }
    let ocsf = write(Format::Ocsf);
    if let Err(problems) = validate(&["json-schema", &ocsf_schema(), "--each"], &ocsf) {
        panic!("the OCSF with fixes is not valid:\n{problems}");
    }
    let asff = write(Format::Asff);
    let findings: Vec<Value> = serde_json::from_slice(&asff).unwrap();
    let cut = |f: &&Value| f["Remediation"]["Recommendation"]["Text"].as_str().is_some_and(|t| t.contains("[cut at"));
    assert!(findings.iter().any(|f| cut(&f)), "a long fix, cut saying where the rest is");
    let paths = findings.iter().filter_map(|f| f["ProductFields"]["sgaudit/ReachPaths"].as_str());
    assert!(paths.clone().count() > 0 && paths.clone().all(|p| p.encode_utf16().count() <= 2048));
    if let Err(problems) = validate(&["asff"], &asff) {
        panic!("the ASFF with fixes does not fit BatchImportFindings:\n{problems}");
    }
    // The documented limits are checked: a remediation one character too long is refused, and so is a
    // product field value past 2048.
    let long = edit(&asff, |d| d[0]["Remediation"]["Recommendation"]["Text"] = "x".repeat(513).into());
    validate(&["asff"], &long).expect_err("the ASFF check accepted a remediation of 513 characters");
    let long = edit(&asff, |d| d[0]["ProductFields"]["sgaudit/ReachPaths"] = "x".repeat(2049).into());
    validate(&["asff"], &long).expect_err("the ASFF check accepted a product field of 2049 characters");
    let json = write(Format::Json);
    if let Err(problems) = validate(&["json-schema", &report_schema()], &json) {
        panic!("the JSON document with fixes does not fit its schema:\n{problems}");
    }
}

#[test]
fn the_asff_check_refuses_a_broken_finding() {
    let asff = render(Format::Asff, &demo());
    let cases: [Breakage; 6] = [
        ("a field in the wrong case", |d| {
            let title = d[0].as_object_mut().unwrap().remove("Title").unwrap();
            d[0]["title"] = title;
        }),
        ("no resources", |d| {
            d[0].as_object_mut().unwrap().remove("Resources");
        }),
        ("a severity label ASFF lacks", |d| d[0]["Severity"]["Label"] = "SEVERE".into()),
        ("a partition AWS lacks", |d| d[0]["Resources"][0]["Partition"] = "aws-mars".into()),
        ("a blank tag value", |d| d[0]["Resources"][0]["Tags"] = serde_json::json!({"Owner": " "})),
        ("a compliance status ASFF lacks, on a result", |d| {
            let passed = d.as_array_mut().unwrap().iter_mut().find(|f| f["Compliance"]["Status"] == "PASSED");
            passed.unwrap()["Compliance"]["Status"] = "SKIPPED".into();
        }),
    ];
    for (what, change) in cases {
        validate(&["asff"], &edit(&asff, change)).expect_err(&format!("the ASFF check accepted a finding with {what}"));
    }
}

// ---- sgaudit's own JSON document ----

/// The published JSON Schema of the JSON document, named with its `schema_version`.
const REPORT_SCHEMA: &str = "../../docs/schema/sgaudit-report.v2.schema.json";

fn report_schema() -> String {
    here().join(REPORT_SCHEMA).display().to_string()
}

/// The schema is generated from the document's own types (`sgaudit_report::json::schema`); the published
/// file must be what they give. `SGAUDIT_UPDATE_SCHEMA=1 cargo test --workspace --test schemas` writes it
/// anew (then review the diff: a change that could break a reader needs a new `schema_version`).
#[test]
fn the_published_schema_is_the_documents() {
    let generated = sgaudit_report::json::schema_text();
    let path = here().join(REPORT_SCHEMA);
    assert!(
        path.file_name().unwrap().to_str().unwrap().contains(&format!(".v{}.", sgaudit_report::json::SCHEMA_VERSION)),
        "the schema's file is named with the document's schema_version"
    );
    if std::env::var_os("SGAUDIT_UPDATE_SCHEMA").is_some() {
        // Whole or not at all: the other tests read the file meanwhile.
        let partial = path.with_extension("json.new");
        std::fs::write(&partial, &generated).unwrap();
        std::fs::rename(&partial, &path).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == generated,
        "{} is not the schema of the JSON document: SGAUDIT_UPDATE_SCHEMA=1 cargo test --workspace --test schemas \
         writes it",
        path.display()
    );
}

/// The schema with `additionalProperties: false` on every object it describes: a document that validates
/// against it has no field the schema does not describe. (The published schema allows other fields, since
/// fields are added without a new `schema_version`.)
fn strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(strict);
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

#[test]
fn the_json_document_of_the_demo_and_of_hostile_names_is_valid_against_its_schema() {
    let strict_schema = tempfile::NamedTempFile::new().unwrap();
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(here().join(REPORT_SCHEMA)).unwrap()).unwrap();
    strict(&mut schema);
    std::fs::write(strict_schema.path(), serde_json::to_vec(&schema).unwrap()).unwrap();
    for (what, snapshot) in [("the demo", demo()), ("hostile names", hostile())] {
        let json = render(Format::Json, &snapshot);
        let doc: Value = serde_json::from_slice(&json).unwrap();
        assert!(
            !doc["security_groups"].as_array().unwrap().is_empty() && !doc["results"].as_array().unwrap().is_empty()
        );
        if let Err(problems) = validate(&["json-schema", &report_schema()], &json) {
            panic!("the JSON document of {what} does not fit its published schema:\n{problems}");
        }
        if let Err(problems) = validate(&["json-schema", strict_schema.path().to_str().unwrap()], &json) {
            panic!("the JSON document of {what} has fields its schema does not describe:\n{problems}");
        }
    }
}

#[test]
fn the_report_schema_refuses_a_broken_document() {
    let json = render(Format::Json, &demo());
    let cases: [Breakage; 7] = [
        ("another schema_version", |d| d["schema_version"] = 3.into()),
        ("no security_groups", |d| {
            d.as_object_mut().unwrap().remove("security_groups");
        }),
        ("a status sgaudit does not write", |d| d["security_groups"][0]["status"] = "maybe".into()),
        ("an outcome sgaudit does not write", |d| d["results"][0]["outcome"] = "passed".into()),
        ("a count that is not a number", |d| d["summary"]["by_status"]["unused"] = "six".into()),
        ("a summary without a status", |d| {
            d["summary"]["by_status"].as_object_mut().unwrap().remove("unknown");
        }),
        ("a result whose region is absent", |d| {
            d["results"][0].as_object_mut().unwrap().remove("region");
        }),
    ];
    for (what, change) in cases {
        validate(&["json-schema", &report_schema()], &edit(&json, change))
            .expect_err(&format!("the report schema accepted a document with {what}"));
    }
}

//! sgaudit.toml through the binary, on the demo estate (no network): exceptions muted, expired and unmatched,
//! seen in the reports and the exit code; malformed files refused in one line naming the file and line; the
//! file found where documented; and a flag, then its environment variable, winning over the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::PathBuf;

use common::{group, Run};
use serde_json::Value;

/// In use, SSH open to the world and a stale rule.
const BASTION: &str = "sg-0a300000000ba5710";
/// In use, RDP open to the world.
const RDP_ADMIN: &str = "sg-0aa00000000ad3389";
/// Unused, nothing else to say.
const CLUSTER_INTERNAL: &str = "sg-0af000000005e1fef";

fn demo() -> PathBuf {
    common::repo_root().join("examples/demo-snapshot.json")
}

/// A working directory of its own, with `sgaudit.toml` holding `config` (none when `None`), and the demo
/// estate without its partial region (eu-west-1, where Lambda was denied): judged on its groups alone, it
/// is whole, so the exit code says what `--fail-on` found rather than 3.
struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new(config: Option<&str>) -> Place {
        let dir = tempfile::tempdir().unwrap();
        if let Some(text) = config {
            std::fs::write(dir.path().join("sgaudit.toml"), text).unwrap();
        }
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(demo()).unwrap()).unwrap();
        doc["regions"].as_array_mut().unwrap().retain(|r| r["region"] == "us-east-1");
        std::fs::write(dir.path().join("whole.json"), doc.to_string()).unwrap();
        Place { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `sgaudit ARGS` in this directory, with `env` set.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = common::sgaudit_cmd();
        cmd.current_dir(self.dir.path()).env_remove("SGAUDIT_CHECKS");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::of(cmd.args(args).output().unwrap())
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// `scan` of the whole part of the demo, its groups judged, with `args`.
    fn scan_groups(&self, args: &[&str]) -> Run {
        let snapshot = self.path("whole.json");
        let mut all = vec!["scan", "--from-snapshot", snapshot.to_str().unwrap(), "--checks", "groups"];
        all.extend_from_slice(args);
        self.run(&all)
    }
}

/// `(check id, muted)` of each finding of a group in a JSON document.
fn findings(doc: &Value, group_id: &str) -> Vec<(String, Value)> {
    group(doc, group_id)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["check"].as_str().or_else(|| f["id"].as_str()).unwrap_or_default().to_string(), f["muted"].clone()))
        .collect()
}

const MUTE_SSH_AND_RDP: &str = r#"# The two groups open to the world on admin ports, accepted.
[[exception]]
group_id = ["sg-0a300000000ba5710", "sg-0aa00000000ad3389"]
checks = ["sg-world-open-ssh", "sg-world-open-rdp", "sg-internet-reachable-admin-port"]
reason = "jump hosts behind the VPN"
owner = "team-ops"
ticket = "SEC-142"
expires = 2099-12-31
"#;

#[test]
fn a_muted_finding_is_shown_muted_and_no_longer_trips_fail_on() {
    // Without the file: the critical findings trip --fail-on critical.
    let bare = Place::new(None);
    let run = bare.scan_groups(&["--fail-on", "critical", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);

    // ./sgaudit.toml is found by itself.
    let place = Place::new(Some(MUTE_SSH_AND_RDP));
    let run = place.scan_groups(&["--fail-on", "critical", "--format", "json"]);
    assert_eq!(run.code, 0, "the only critical findings are muted: {}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let doc = run.json();
    let bastion = findings(&doc, BASTION);
    let ssh = bastion.iter().find(|(id, _)| id == "sg-world-open-ssh").expect("the SSH finding is still reported");
    assert_eq!(ssh.1["owner"], "team-ops", "{bastion:?}");
    assert_eq!(ssh.1["reason"], "jump hosts behind the VPN");
    assert_eq!(ssh.1["declared_at"], "sgaudit.toml:2");
    let stale = bastion.iter().find(|(id, _)| id == "sg-stale-rule").expect("stale rule");
    assert!(stale.1.is_null(), "another check of the same group is not muted: {stale:?}");
    assert_eq!(findings(&doc, RDP_ADMIN)[0].1["owner"], "team-ops");
    assert_eq!(group(&doc, BASTION)["risk"], "critical", "the evidence's risk is still reported");
    assert_eq!(doc["exceptions"][0]["state"], "active", "{}", doc["exceptions"]);
    // SSH and its path on the bastion, RDP on the other.
    assert_eq!(doc["exceptions"][0]["matched"], 3);

    // The others still count.
    assert_eq!(place.scan_groups(&["--fail-on", "high"]).code, 1);
    // The table shows them, with who accepted them.
    let run = place.scan_groups(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("team-ops") && run.stdout.contains("jump hosts behind the VPN"), "{}", run.stdout);
}

#[test]
fn expired_and_unmatched_exceptions_are_warned_about_and_mute_nothing() {
    let config = r#"[[exception]]
group_id = "sg-0a300000000ba5710"
checks = ["sg-world-open-ssh"]
reason = "jump host"
owner = "team-ops"
expires = 2020-01-31

[[exception]]
group_id = "sg-0a300000000ba5710"
checks = ["sg-world-open-rdp"]
reason = "wrong check"
owner = "team-web"
expires = 2099-12-31
"#;
    let place = Place::new(Some(config));
    let run = place.scan_groups(&["--fail-on", "critical", "--format", "json"]);
    assert_eq!(run.code, 1, "the expired exception mutes nothing: {}", run.stderr);
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(
        warnings,
        [
            "sgaudit: warning: sgaudit.toml:1: exception expired on 2020-01-31 (owner team-ops): its findings count \
             again",
            "sgaudit: warning: sgaudit.toml:8: exception matched nothing in this run (owner team-web): check its \
             matchers, or remove it",
        ]
    );
    let doc = run.json();
    assert!(findings(&doc, BASTION).iter().all(|(_, muted)| muted.is_null()));
    assert_eq!(doc["exceptions"][0]["state"], "expired");
    assert_eq!(doc["exceptions"][1]["state"], "unmatched");
}

#[test]
fn the_example_config_mutes_marks_and_warns_on_the_demo() {
    let run = common::Run::of(
        common::sgaudit_cmd()
            .args(["--config", "examples/sgaudit.toml", "scan", "--from-snapshot", "examples/demo-snapshot.json"])
            .args(["--format", "json"])
            .output()
            .unwrap(),
    );
    // The demo is partial (eu-west-1): 3 whatever is muted.
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    let states: Vec<&str> =
        doc["exceptions"].as_array().unwrap().iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["active", "active", "expired", "unmatched"]);
    assert!(
        group(&doc, CLUSTER_INTERNAL)["marked_in_use"]["owner"] == "team-platform",
        "{}",
        group(&doc, CLUSTER_INTERNAL)
    );
    assert_eq!(group(&doc, CLUSTER_INTERNAL)["status"], "unused", "the evidence is not overruled");
    assert_eq!(run.stderr.lines().filter(|l| l.starts_with("sgaudit: warning: examples/sgaudit.toml:")).count(), 2);
}

#[test]
fn malformed_files_are_one_error_line_naming_file_and_line() {
    let exception = |extra: &str| {
        format!("[[exception]]\ngroup_id = \"sg-1\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2099-12-31\n{extra}\n")
    };
    let cases: Vec<(String, &str)> = vec![
        ("[scan]\nfail_on = \"high\"\nregoins = [\"eu-west-1\"]\n".into(), "sgaudit.toml:3: unknown field `regoins`"),
        (exception("").replace("2099-12-31", "2099-02-30"), "sgaudit.toml:5"),
        (
            exception("").replace("2099-12-31", "\"next year\""),
            "sgaudit.toml:5: exception 1: expires: `next year` is not a date",
        ),
        (exception("name = \"\""), "sgaudit.toml:6: exception 1: name: an empty value matches nothing"),
        (
            exception("checks = [\"sg-open-wide\"]"),
            "sgaudit.toml:6: exception 1: checks: unknown check id `sg-open-wide`",
        ),
        (exception("").replace("owner = \"o\"\n", ""), "sgaudit.toml:1: exception 1: owner: missing"),
        // A setting its flag refuses: the file's line, not the flag.
        ("[scan]\n\nformat = [\"table\", \"xml\"]\n".into(), "sgaudit.toml:3: scan.format: invalid value 'xml'"),
        ("[scan]\nfail_on = \"severe\"\n".into(), "sgaudit.toml:2: scan.fail_on: invalid value 'severe'"),
        ("[scan]\nconcurrency = 0\n".into(), "sgaudit.toml:2: scan.concurrency: invalid value '0'"),
    ];
    for (text, needle) in cases {
        let place = Place::new(Some(&text));
        let run = place.scan_groups(&[]);
        run.assert_one_line_error(needle);
    }
    // Cleanup's settings are checked the same way (before any AWS call).
    let place = Place::new(Some("[cleanup]\nunused_for = \"30 days\"\n"));
    place.run(&["cleanup"]).assert_one_line_error("sgaudit.toml:2: cleanup.unused_for: invalid value '30 days'");
    // On the command line, clap says it as for any flag.
    let run = Place::new(None).run(&["cleanup", "--unused-for", "3x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`3x` is not a duration"), "{}", run.stderr);
}

#[test]
fn a_broken_file_stops_only_the_commands_that_read_it() {
    let place = Place::new(Some("[scan\n"));
    for args in [&["completions", "bash"][..], &["permissions"], &["man"]] {
        let run = place.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    place.scan_groups(&[]).assert_one_line_error("sgaudit.toml:1");
}

#[test]
fn the_config_flag_and_variable_name_the_file() {
    let place = Place::new(Some("[scan]\ncheckz = 1\n"));
    // --config wins over ./sgaudit.toml (which is broken here), in both spellings, before or after the command.
    std::fs::write(place.path("team.toml"), MUTE_SSH_AND_RDP).unwrap();
    let team = place.path("team.toml");
    let team = team.to_str().unwrap();
    let whole = place.path("whole.json");
    let whole = whole.to_str().unwrap();
    for args in [
        vec!["--config", team, "scan", "--from-snapshot", whole, "--checks", "groups", "--fail-on", "critical"],
        vec!["scan", "--config", team, "--from-snapshot", whole, "--checks", "groups", "--fail-on", "critical"],
        vec![
            "scan",
            &format!("--config={team}"),
            "--from-snapshot",
            whole,
            "--checks",
            "groups",
            "--fail-on",
            "critical",
        ],
    ] {
        let run = place.run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let run = place.run_with(
        &["scan", "--from-snapshot", whole, "--checks", "groups", "--fail-on", "critical"],
        &[("SGAUDIT_CONFIG", team)],
    );
    assert_eq!(run.code, 0, "SGAUDIT_CONFIG: {}", run.stderr);

    let run = place.run(&["--config", "missing.toml", "scan", "--from-snapshot", whole]);
    run.assert_one_line_error("config file missing.toml: no such file");
}

/// The families a JSON document judged.
fn families(run: &Run) -> Vec<String> {
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    run.json()["families"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect()
}

#[test]
fn a_flag_then_its_variable_win_over_the_file() {
    let place = Place::new(Some("[scan]\nchecks = [\"network\"]\nformat = [\"json\"]\noutput_dir = \"reports\"\n"));
    let demo = demo();
    let demo = demo.to_str().unwrap();
    let out = place.path("out.json");
    let out = out.to_str().unwrap();
    let scan = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["scan", "--from-snapshot", demo, "--output", out];
        args.extend_from_slice(extra);
        let run = place.run_with(&args, env);
        // --output given: the file's output_dir gives way instead of conflicting with it.
        Run { stdout: std::fs::read_to_string(out).unwrap_or_default(), ..run }
    };
    assert_eq!(families(&scan(&[], &[])), ["network"], "the file's value");
    assert_eq!(families(&scan(&[], &[("SGAUDIT_CHECKS", "iam")])), ["iam"], "the variable over the file");
    assert_eq!(families(&scan(&["--checks", "s3"], &[("SGAUDIT_CHECKS", "iam")])), ["s3"], "the flag over both");
    assert!(!place.path("reports").exists(), "output_dir gave way to --output");

    // Without --output, the file's output_dir and format hold.
    let run = place.run(&["scan", "--from-snapshot", demo, "--quiet"]);
    assert_eq!(run.code, 0, "the demo's network evidence is whole: {}", run.stderr);
    let written: Vec<_> = std::fs::read_dir(place.path("reports")).unwrap().collect();
    assert_eq!(written.len(), 1, "one JSON report");

    // --help shows the defaults in effect.
    let help = place.run(&["scan", "--help"]).stdout;
    assert!(help.contains("[default: network]"), "{help}");
}

#[test]
fn a_snapshot_scan_ignores_the_files_scope() {
    // The scope keys choose what a live scan reads; a snapshot is audited whole, and refuses scope flags.
    let place = Place::new(Some(
        "[scan]\nprofiles = [\"prod\"]\nregions = [\"eu-west-1\"]\norg = true\nrole_name = \"audit\"\n",
    ));
    let run = place.scan_groups(&["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Given on the command line, they are still refused.
    place.scan_groups(&["--region", "eu-west-1"]).assert_one_line_error("--region cannot be used with --from-snapshot");
}

#[test]
fn org_from_the_file_lets_role_flags_be_given() {
    // `--role-name` needs `--org` on the command line; `org = true` in the file stands for it. Nothing answers
    // at the endpoint, so the command fails soon after clap: the point is that clap does not refuse it.
    let unreachable = [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ];
    let args = ["preflight", "--role-name", "audit", "--max-attempts", "1", "--call-timeout", "5"];
    let refused = "the following required arguments were not provided";
    let run = Place::new(Some("[scan]\norg = true\n")).run_with(&args, &unreachable);
    assert!(!run.stderr.contains(refused), "{}", run.stderr);
    let bare = Place::new(None).run_with(&args, &unreachable);
    assert!(bare.stderr.contains(refused) && bare.stderr.contains("--org"), "{}", bare.stderr);
}

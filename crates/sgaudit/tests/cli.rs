//! The command line: the demo, offline audits, and bad input (one clear error line and one help line, exit 2,
//! no panic).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{sgaudit_cmd, Moto, Run};

fn run(args: &[&str]) -> Run {
    Run::of(sgaudit_cmd().args(args).output().unwrap())
}

const DEMO: &str = "examples/demo-snapshot.json";

#[test]
fn the_demo_prints_a_table_with_every_status_and_risk() {
    let r = run(&["scan", "--from-snapshot", DEMO]);
    // The demo has a source denied by an SCP in eu-west-1: partial coverage, exit 3.
    assert_eq!(r.code, 3, "{}", r.stderr);
    for word in ["in_use", "unused", "unknown", "critical", "high", "medium", "low", "none", "lambda:ListFunctions"] {
        assert!(r.stdout.contains(word), "`{word}` missing from:\n{}", r.stdout);
    }
    assert!(r.stdout.contains("service control policy"), "{}", r.stdout);
}

#[test]
fn the_demo_as_json_follows_the_documented_schema() {
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json"]);
    assert_eq!(r.code, 3);
    let doc = r.json();
    assert_eq!(doc["schema_version"], 2);
    let first = &doc["security_groups"][0];
    for field in [
        "account_id",
        "region",
        "group_id",
        "group_name",
        "vpc_id",
        "description",
        "is_default",
        "status",
        "risk",
        "used_by",
        "tags",
    ] {
        assert!(first.get(field).is_some(), "{field} missing");
    }
    let statuses: std::collections::BTreeSet<&str> =
        doc["security_groups"].as_array().unwrap().iter().map(|g| g["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), ["in_use", "unknown", "unused"]);
    assert_eq!(doc["summary"]["partial"], true);
    // The account checks: every family judged, every outcome present, each result located.
    assert_eq!(doc["families"], serde_json::json!(["groups", "network", "iam", "cloudtrail", "s3"]));
    let outcomes: std::collections::BTreeSet<&str> =
        doc["results"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes.into_iter().collect::<Vec<_>>(), ["fail", "not_evaluated", "pass"]);
    for r in doc["results"].as_array().unwrap() {
        for field in ["check", "title", "family", "severity", "account_id", "resource_type", "resource", "evidence"] {
            assert!(r[field].is_string(), "{field} missing from {r}");
        }
    }
}

#[test]
fn checks_narrow_the_families_judged() {
    // IAM alone: its evidence is whole in the demo, so nothing is partial.
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json", "--checks", "iam"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["families"], serde_json::json!(["iam"]));
    assert!(doc["results"].as_array().unwrap().iter().all(|x| x["family"] == "iam"));
    assert_eq!(doc["security_groups"], serde_json::json!([]));
    // CloudTrail was denied in eu-west-1: not evaluated, exit 3.
    assert_eq!(run(&["scan", "--from-snapshot", DEMO, "--checks", "cloudtrail"]).code, 3);
    // A failed check counts for --fail-on as a group's risk does.
    assert_eq!(run(&["scan", "--from-snapshot", DEMO, "--checks", "iam", "--fail-on", "high"]).code, 1);
    assert_eq!(run(&["scan", "--from-snapshot", DEMO, "--checks", "iam", "--fail-on", "critical"]).code, 0);
    // A snapshot of groups alone judged for IAM: nothing to judge is bad usage, not an all-clear.
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::repo_root().join(DEMO)).unwrap()).unwrap();
    doc["families"] = serde_json::json!(["groups"]);
    let path = dir.path().join("groups.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    run(&["scan", "--from-snapshot", path.to_str().unwrap(), "--checks", "iam"])
        .assert_one_line_error("nothing to judge");
    // An unknown family is bad usage.
    assert_eq!(run(&["scan", "--from-snapshot", DEMO, "--checks", "dns"]).code, 2);
}

#[test]
fn output_goes_to_a_file_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.json");
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json", "--output", out.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(r.stdout.is_empty());
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(doc["summary"]["groups"], 20);
}

#[test]
fn fail_on_sets_exit_1_only_when_coverage_is_whole() {
    let dir = tempfile::tempdir().unwrap();
    // The demo minus its denied sources and calls: whole coverage.
    let text = std::fs::read_to_string(common::repo_root().join(DEMO)).unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&text.replace("\"state\": \"denied\"", "\"state\": \"complete\"")).unwrap();
    for bucket in doc["account_evidence"][0]["buckets"].as_array_mut().unwrap() {
        bucket.as_object_mut().unwrap().remove("errors");
    }
    let whole = doc.to_string();
    let path = dir.path().join("whole.json");
    std::fs::write(&path, whole).unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(run(&["scan", "--from-snapshot", p]).code, 0);
    assert_eq!(run(&["scan", "--from-snapshot", p, "--fail-on", "critical"]).code, 1);
}

#[test]
fn a_missing_snapshot_is_one_line() {
    run(&["scan", "--from-snapshot", "/nonexistent/snap.json"]).assert_one_line_error("/nonexistent/snap.json");
}

#[test]
fn a_malformed_snapshot_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{ not json").unwrap();
    run(&["scan", "--from-snapshot", path.to_str().unwrap()]).assert_one_line_error("is not a sgaudit snapshot");
}

#[test]
fn a_snapshot_of_another_schema_version_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v99.json");
    std::fs::write(&path, r#"{"schema_version": 99, "regions": []}"#).unwrap();
    run(&["scan", "--from-snapshot", path.to_str().unwrap()]).assert_one_line_error("schema version 99");
}

#[test]
fn an_unknown_profile_is_one_line() {
    run(&["scan", "--profile", "no-such-profile", "--region", "us-east-1"]).assert_one_line_error("no-such-profile");
}

#[test]
fn no_credentials_is_one_line() {
    // No keys, no profile files, no instance metadata: the chain finds nothing.
    let moto = Moto::start();
    let r = Run::of(
        sgaudit_cmd().env("AWS_ENDPOINT_URL", &moto.url).args(["scan", "--region", "us-east-1"]).output().unwrap(),
    );
    r.assert_one_line_error("credentials");
}

#[test]
fn an_unknown_region_is_one_line() {
    let moto = Moto::start();
    moto.sgaudit(&["scan", "--region", "mars-north-1"]).assert_one_line_error("unknown region `mars-north-1`");
}

#[test]
fn no_region_is_one_line() {
    let moto = Moto::start();
    let r = Run::of(
        sgaudit_cmd()
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args(["scan"])
            .output()
            .unwrap(),
    );
    r.assert_one_line_error("no region");
}

/// Each kind of error the user can fix says what it is and what to do, in a line each, and exits 2: a help
/// line of its own kind, not a generic one.
#[test]
fn each_kind_of_error_the_user_can_fix_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();

    // A value that cannot be used as given: the command's --help.
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json,csv"]);
    r.assert_one_line_error("several formats are written to files: give --output-dir DIR");
    assert_eq!(r.help(), "help: `sgaudit scan --help` says what each flag takes");
    let r = run(&["permissions", "--for", "nope"]);
    r.assert_one_line_error("unknown use `nope`");
    assert_eq!(r.help(), "help: `sgaudit permissions --help` says what each flag takes");

    // A snapshot that is not one, or is not there: where a snapshot comes from.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let r = run(&["scan", "--from-snapshot", bad.to_str().unwrap()]);
    r.assert_one_line_error("is not a sgaudit snapshot");
    assert!(r.help().contains("`sgaudit scan --save-snapshot FILE` writes, whole and unedited"), "{}", r.stderr);
    let r = run(&["scan", "--from-snapshot", "/nonexistent/snap.json"]);
    r.assert_one_line_error("cannot read snapshot /nonexistent/snap.json");
    assert!(r.help().starts_with("help: check the path"), "{}", r.stderr);
    let v99 = dir.path().join("v99.json");
    std::fs::write(&v99, r#"{"schema_version": 99, "regions": []}"#).unwrap();
    let r = run(&["scan", "--from-snapshot", v99.to_str().unwrap()]);
    r.assert_one_line_error("schema version 99");
    assert!(r.help().contains("collect it again"), "{}", r.stderr);

    // A backup that is not one: where a backup comes from (read before any AWS call).
    let r = run(&["restore", bad.to_str().unwrap(), "--region", "us-east-1"]);
    r.assert_one_line_error(bad.to_str().unwrap());
    assert!(r.help().contains("`sgaudit cleanup --apply` wrote"), "{}", r.stderr);

    // An output that cannot be written: where it can be.
    let r = run(&["scan", "--from-snapshot", DEMO, "--format", "json", "--output", "/nonexistent/dir/x.json"]);
    r.assert_one_line_error("cannot write --output /nonexistent/dir/x.json: directory /nonexistent/dir");
    assert!(r.help().contains("existing directory you may write to"), "{}", r.stderr);
    assert!(r.stdout.is_empty());

    // A profile that is not defined: the profiles that are. The hint is the help line, no longer the error's
    // tail in brackets.
    let r = run(&["scan", "--profile", "no-such-profile", "--region", "us-east-1"]);
    r.assert_one_line_error("profile `no-such-profile` is not defined in the AWS config or credentials files");
    assert!(!r.stderr.lines().next().unwrap().contains("list-profiles"), "{}", r.stderr);
    assert_eq!(r.help(), "help: `aws configure list-profiles` lists the profiles defined");

    // No credentials, and a region AWS does not know (moto answers DescribeRegions).
    let moto = Moto::start();
    let r = Run::of(
        sgaudit_cmd().env("AWS_ENDPOINT_URL", &moto.url).args(["scan", "--region", "us-east-1"]).output().unwrap(),
    );
    r.assert_one_line_error("no usable AWS credentials");
    assert!(r.help().contains("aws sso login") && r.help().contains("AWS_PROFILE"), "{}", r.stderr);
    let r = moto.sgaudit(&["scan", "--region", "mars-north-1"]);
    r.assert_one_line_error("unknown region `mars-north-1`");
    assert!(r.help().contains("aws ec2 describe-regions"), "{}", r.stderr);
}

/// AWS not answering is not the user's to fix (and no reason to tell them their command is wrong): exit 5,
/// with what to check and that running again may work.
#[test]
fn aws_not_answering_is_exit_5_not_a_usage_error() {
    // Keys and a region, but nothing listens at the endpoint: sts:GetCallerIdentity gets no answer.
    let r = Run::of(
        sgaudit_cmd()
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args(["scan", "--region", "us-east-1", "--max-attempts", "1"])
            .output()
            .unwrap(),
    );
    r.assert_error(5, "could not identify the account (sts:GetCallerIdentity)");
    assert!(r.help().contains("then run it again"), "{}", r.stderr);
    assert!(!r.stderr.contains("credentials"), "not a credentials problem: {}", r.stderr);
}

#[test]
fn the_permissions_policy_lists_every_declared_action() {
    let r = run(&["permissions"]);
    assert_eq!(r.code, 0);
    let doc = r.json();
    let statement = |sid: &str| -> Vec<&str> {
        let s =
            doc["Statement"].as_array().unwrap().iter().find(|s| s["Sid"] == sid).unwrap_or_else(|| panic!("{sid}"));
        s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect()
    };
    // One statement for every scan, then one per family of checks.
    assert_eq!(statement("SgauditScan"), ["ec2:DescribeRegions", "sts:GetCallerIdentity"]);
    let expected = [
        (
            "SgauditChecksGroups",
            &["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces", "lambda:ListFunctions"][..],
        ),
        (
            "SgauditChecksNetwork",
            &["ec2:DescribeNetworkAcls", "ec2:GetEbsEncryptionByDefault", "ec2:DescribeSecurityGroups"],
        ),
        (
            "SgauditChecksIam",
            &["iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountPasswordPolicy"],
        ),
        (
            "SgauditChecksCloudTrail",
            &["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
        ),
        (
            "SgauditChecksS3",
            &["s3:ListAllMyBuckets", "s3:GetBucketAcl", "s3:GetBucketPolicy", "s3:GetAccountPublicAccessBlock"],
        ),
    ];
    for (sid, wanted) in expected {
        let actions = statement(sid);
        for a in wanted {
            assert!(actions.contains(a), "{sid}: {a}");
        }
        assert!(!actions.iter().any(|a| a.starts_with("todo")), "a source still declares a placeholder action");
        let mut sorted = actions.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, actions, "{sid}: sorted and unique");
    }
}

#[test]
fn the_readme_lists_exactly_the_printed_policy() {
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    let begin = readme.find("<!-- permissions:begin -->").expect("begin marker");
    let end = readme.find("<!-- permissions:end -->").expect("end marker");
    let section = &readme[begin..end];
    let json = section.split("```json").nth(1).and_then(|s| s.split("```").next()).expect("a json block");
    let documented: serde_json::Value = serde_json::from_str(json).unwrap();
    let printed = run(&["permissions"]).json();
    assert_eq!(documented, printed, "README's IAM section is stale: paste the output of `cargo run -q -- permissions`");
}

#[test]
fn the_demo_snapshot_records_every_source() {
    let snap = sgaudit_snapshot::Snapshot::load(&common::repo_root().join(DEMO)).unwrap();
    // The group sources, the reachability sources and the regional sources of the account checks.
    let mut want: Vec<&str> = sgaudit_collect::registry::all_sources()
        .filter(|s| !sgaudit_collect::registry::is_account_wide(s))
        .map(|s| s.id)
        .collect();
    want.sort_unstable();
    for region in &snap.regions {
        let got: Vec<&str> = region.coverage.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(got, want, "{}: regenerate with `python3 examples/make_demo.py`", region.region);
    }
    for account in &snap.account_evidence {
        let got: Vec<&str> = account.coverage.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(got, sgaudit_snapshot::posture::ACCOUNT_SOURCES, "regenerate with `python3 examples/make_demo.py`");
    }
    assert_eq!(snap.account_evidence.len(), snap.accounts.len(), "every account of the demo has its evidence");
}

/// The demo copied into `dir`, to be used as an input that a test can check is left alone.
fn demo_copy(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("snap.json");
    std::fs::copy(common::repo_root().join(DEMO), &path).unwrap();
    path
}

#[test]
fn an_unwritable_snapshot_path_fails_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.json");
    let r = run(&[
        "scan",
        "--from-snapshot",
        DEMO,
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
        "--save-snapshot",
        "/nonexistent/dir/x.json",
    ]);
    r.assert_one_line_error("cannot write --save-snapshot /nonexistent/dir/x.json: directory /nonexistent/dir");
    assert!(r.stdout.is_empty());
    assert!(!out.exists(), "the report was written before the snapshot path was found bad");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_live_scan_checks_its_output_paths_before_any_aws_call() {
    // No credentials, and an endpoint nothing listens on: had sgaudit called AWS, the error would be about
    // credentials or the network.
    for (flag, path, says) in [
        ("--save-snapshot", "/nonexistent/dir/x.json", "cannot write --save-snapshot /nonexistent/dir/x.json"),
        ("--output", "/nonexistent/dir/x.txt", "cannot write --output /nonexistent/dir/x.txt"),
        ("--audit-log-dir", "/dev/null/logs", "cannot create --audit-log-dir /dev/null/logs"),
    ] {
        let r = Run::of(
            sgaudit_cmd()
                .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
                .args(["scan", "--region", "us-east-1", flag, path])
                .output()
                .unwrap(),
        );
        r.assert_one_line_error(says);
        assert!(!r.stderr.contains("credentials"), "{}", r.stderr);
    }
}

#[test]
fn an_output_that_is_the_snapshot_read_is_refused_and_the_snapshot_kept() {
    let dir = tempfile::tempdir().unwrap();
    let snap = demo_copy(dir.path());
    let before = std::fs::read(&snap).unwrap();
    let same = dir.path().join(".").join("snap.json");
    for flag in ["--output", "--save-snapshot"] {
        let r =
            run(&["scan", "--from-snapshot", snap.to_str().unwrap(), "--format", "json", flag, same.to_str().unwrap()]);
        r.assert_one_line_error(&format!("{flag} {} is the file --from-snapshot", same.display()));
        assert!(r.stdout.is_empty());
        assert_eq!(std::fs::read(&snap).unwrap(), before, "{flag} overwrote the snapshot");
    }
}

#[test]
fn two_outputs_to_one_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let also = dir.path().join("sub/../out.json");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let r = run(&[
        "scan",
        "--from-snapshot",
        DEMO,
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
        "--save-snapshot",
        also.to_str().unwrap(),
    ]);
    r.assert_one_line_error("are the same file");
    assert!(!out.exists());
}

#[test]
fn a_report_replaces_the_previous_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.csv");
    std::fs::write(&out, "an older report, longer than nothing at all\n".repeat(1000)).unwrap();
    let snap = dir.path().join("saved.json");
    let r = run(&[
        "scan",
        "--from-snapshot",
        DEMO,
        "--format",
        "csv",
        "--output",
        out.to_str().unwrap(),
        "--save-snapshot",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("account_id,") && !text.contains("older report"), "{text}");
    // The saved snapshot is the one read, and no temporary file is left beside them.
    let saved = sgaudit_snapshot::Snapshot::load(&snap).unwrap();
    assert_eq!(saved, sgaudit_snapshot::Snapshot::load(&common::repo_root().join(DEMO)).unwrap());
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["audit.csv", "saved.json"]);
}

#[test]
fn scope_flags_are_refused_with_a_snapshot() {
    for flags in [
        &["--accounts", "111122223333"][..],
        &["--exclude-accounts", "111122223333"],
        &["--exclude-region", "eu-west-1"],
        &["--region", "us-east-1"],
        &["--all-regions"],
        &["--profile", "prod"],
        &["--org"],
    ] {
        let mut args = vec!["scan", "--from-snapshot", DEMO];
        args.extend_from_slice(flags);
        let r = run(&args);
        r.assert_one_line_error(&format!(
            "{} cannot be used with --from-snapshot: a snapshot is audited whole",
            flags[0]
        ));
        assert!(r.stdout.is_empty(), "{flags:?}");
    }
    let r = run(&["scan", "--from-snapshot", DEMO, "--accounts", "1", "--exclude-region", "eu-west-1"]);
    r.assert_one_line_error("--accounts, --exclude-region cannot be used with --from-snapshot");
    // The role flags need --org, which clap says before sgaudit could.
    for flags in [&["--role-name", "Audit"][..], &["--external-id", "x"], &["--role-session-name", "s"]] {
        let mut args = vec!["scan", "--from-snapshot", DEMO];
        args.extend_from_slice(flags);
        let r = run(&args);
        assert_eq!(r.code, 2, "{flags:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{flags:?}");
    }
    // How hard to call AWS changes nothing offline: accepted.
    assert_eq!(run(&["scan", "--from-snapshot", DEMO, "--concurrency", "4", "--format", "json"]).code, 3);
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let r = run(&["--version"]);
    assert_eq!(r.code, 0);
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(common::repo_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let commit = head.as_deref().unwrap_or("unknown");
    assert_eq!(r.stdout.trim(), format!("sgaudit {} ({commit})", env!("CARGO_PKG_VERSION")));
}

#[test]
fn completions_and_the_manual_page_cover_every_command() {
    let commands = ["scan", "cleanup", "restore", "permissions", "preflight"];
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        for c in commands {
            assert!(r.stdout.contains(c), "{shell} completions lack {c}");
        }
    }
    // The bash script is valid bash.
    let bash = run(&["completions", "bash"]).stdout;
    let mut check =
        std::process::Command::new("bash").args(["-n"]).stdin(std::process::Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(check.stdin.as_mut().unwrap(), bash.as_bytes()).unwrap();
    drop(check.stdin.take());
    assert!(check.wait().unwrap().success(), "bash -n refused the completion script");
    let man = run(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH sgaudit 1"), "{}", &man.stdout[..200.min(man.stdout.len())]);
    for c in commands {
        assert!(man.stdout.contains(c), "the manual page lacks {c}");
    }
}

/// `sgaudit … | head`: a reader that leaves early is no failure and no bug — no `error:` line, never exit 4
/// (internal) or Rust's 101. The pipe's reader is closed before sgaudit starts, so every write meets it.
#[test]
fn a_reader_that_leaves_early_ends_the_run_quietly() {
    // The scan keeps its own exit code (the demo has findings and a gap: 3); printing the policy exits 0.
    for (args, code) in [
        (&["scan", "--from-snapshot", DEMO, "--format", "json"][..], 3),
        (&["permissions", "--for", "all", "--format", "cloudformation"][..], 0),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sgaudit"))
            .current_dir(common::repo_root())
            .env("SGAUDIT_STORE", common::test_store())
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("error:") && !stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    }
}

#[test]
fn explain_prints_one_group_with_its_path_and_its_fix() {
    // The demo's bastion: SSH open to the world on an instance with a public address in a public subnet.
    let bastion = "sg-0a300000000ba5710";
    let r = run(&["scan", "--from-snapshot", DEMO, "--explain", bastion, "--quiet"]);
    let table = run(&["scan", "--from-snapshot", DEMO, "--quiet"]);
    assert_eq!(r.code, table.code, "the exit code is the scan's, as with the table; {}", r.stderr);
    assert!(r.stdout.contains(bastion), "{}", r.stdout);
    assert!(r.stdout.contains("reachable from the internet"), "the path: {}", r.stdout);
    assert!(r.stdout.contains("sg-internet-reachable-admin-port"), "{}", r.stdout);
    assert!(r.stdout.contains("aws ec2 revoke-security-group-ingress"), "its fix: {}", r.stdout);
    // Only that group: no other group's id.
    assert!(!r.stdout.contains("sg-0aa00000000ad3389"), "{}", r.stdout);

    run(&["scan", "--from-snapshot", DEMO, "--explain", "sg-0000000000nothere"]).assert_error(2, "no group");
    run(&["scan", "--from-snapshot", DEMO, "--explain", bastion, "--format", "json"]).assert_error(2, "--explain");
}

//! A whole AWS Organization against moto: every account through an assumed role, every enabled region.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;

use common::{organization_refusing_one_member, sgaudit_at, Moto};

#[test]
fn an_organization_in_every_enabled_region() {
    // `_moto` keeps the server running to the end of the test.
    let (_moto, org, proxy) = organization_refusing_one_member();
    let unassumable = org["unassumable"].as_str().unwrap();
    let run = sgaudit_at(
        &proxy.url,
        // Two attempts: moto's 500s for services it keeps to other regions are not worth eight. 64 lists at once:
        // at the default of 1,024 (sized for AWS), the 72 account-regions open ~570 connections through the
        // proxy at once, and moto, one Python process, accepts some and closes them unanswered.
        &[
            "scan",
            "--org",
            "--all-regions",
            "--format",
            "json",
            "--quiet",
            "--max-attempts",
            "2",
            "--concurrency",
            "64",
        ],
        "testing",
        "testing",
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.code, 3, "an unreachable account is partial coverage: {}", run.stderr);
    let doc = run.json();

    // Every seeded group, in its own account and region.
    let found: BTreeSet<(String, String, String)> = doc["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["account_id"].as_str().unwrap().into(),
                g["region"].as_str().unwrap().into(),
                g["group_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let seeded = org["groups"].as_array().unwrap();
    assert!(seeded.len() >= 18, "seed made {} groups", seeded.len());
    for g in seeded {
        let key = (
            g["account_id"].as_str().unwrap().into(),
            g["region"].as_str().unwrap().into(),
            g["group_id"].as_str().unwrap().into(),
        );
        assert!(found.contains(&key), "{key:?} not found in its account and region");
    }
    let accounts_with_groups: BTreeSet<&str> = found.iter().map(|(a, ..)| a.as_str()).collect();
    for account in std::iter::once(&org["management"]).chain(org["members"].as_array().unwrap()) {
        assert!(accounts_with_groups.contains(account.as_str().unwrap()), "{account} scanned");
    }
    assert!(!accounts_with_groups.contains(unassumable));
    // The seeded groups' verdicts: the interface-held `app` groups are in use, the spares unused where
    // the region's coverage is whole.
    for g in seeded.iter().filter(|g| g["name"] == "app") {
        let judged = common::group(&doc, g["group_id"].as_str().unwrap());
        assert_eq!(judged["status"], "in_use", "{judged}");
        assert_eq!(judged["account_id"], g["account_id"]);
    }

    // Every region enabled in each account was scanned (moto enables them all).
    let regions: BTreeSet<&str> =
        doc["coverage"].as_array().unwrap().iter().map(|c| c["region"].as_str().unwrap()).collect();
    assert!(regions.len() > 10, "only {regions:?}");

    // The accounts it could not reach, and why; the suspended one is skipped and said so.
    let accounts = doc["accounts"].as_array().unwrap();
    let state =
        |id: &str| accounts.iter().find(|a| a["account_id"] == id).unwrap_or_else(|| panic!("{id} not listed")).clone();
    let denied = state(unassumable);
    assert_eq!(denied["state"], "unreachable", "{denied}");
    assert_eq!(denied["error"]["action"], "sts:AssumeRole");
    assert!(denied["error"]["message"].as_str().unwrap().contains("not authorized"), "{denied}");
    let suspended = state(org["suspended"].as_str().unwrap());
    assert_eq!(suspended["state"], "skipped", "{suspended}");
    let estate = &doc["summary"]["estate"];
    assert_eq!(estate["accounts"], 4, "{estate}");
    assert_eq!(estate["accounts_read"], 3, "{estate}");

    // Only moto's own gaps are unread sources: moto answers a service it keeps to some regions with an HTML 500
    // elsewhere, where AWS offers no endpoint at all (its region data says so); and a few it lacks in regions
    // AWS does offer them in.
    let moto_gaps = ["dax-clusters", "memorydb-clusters", "timestream-influxdb-databases", "workspaces-directories"];
    let mut unexpected = Vec::new();
    for c in doc["coverage"].as_array().unwrap() {
        if c["state"] == "failed" || c["state"] == "denied" {
            let source = c["source"].as_str().unwrap();
            let region = c["region"].as_str().unwrap();
            let def = sgaudit_collect::registry::source(source).unwrap();
            let offered = sgaudit_collect::regions::offered(def.service, region);
            if !moto_gaps.contains(&source) && offered == Some(true) {
                unexpected.push(format!("{source} in {region}: {}", c["error"]));
            }
        }
    }
    assert!(unexpected.is_empty(), "{unexpected:#?}");

    // The table says the same in words.
    let table = sgaudit_at(&proxy.url, &["scan", "--org", "--region", "us-east-1", "--quiet"], "testing", "testing");
    assert!(table.stdout.contains(&format!("account not read: {unassumable}")), "{}", table.stdout);
    assert!(table.stdout.contains("account is suspended"), "{}", table.stdout);
    assert!(table.stdout.contains("3/4 accounts"), "{}", table.stdout);
}

#[test]
fn several_profiles_are_several_accounts() {
    let moto = Moto::start();
    let org = moto.python(&[&format!("{}/seed_org.py", common::FIXTURES), "--endpoint", &moto.url], &[]);
    let member = org["members"][0].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile mgmt]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\n\n\
             [profile member]\nregion = us-east-1\nrole_arn = arn:aws:iam::{member}:role/OrganizationAccountAccessRole\n\
             source_profile = mgmt\n"
        ),
    )
    .unwrap();
    let out = common::sgaudit_cmd()
        // Groups alone: against moto the root user's checks are never evaluated (see common::sgaudit_at).
        .env("SGAUDIT_CHECKS", "groups")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_ENDPOINT_URL", &moto.url)
        .args(["scan", "--profile", "mgmt,member", "--format", "json", "--quiet"])
        .output()
        .unwrap();
    let run = common::Run::of(out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let accounts: BTreeSet<&str> =
        doc["accounts"].as_array().unwrap().iter().map(|a| a["account_id"].as_str().unwrap()).collect();
    assert_eq!(accounts, BTreeSet::from([org["management"].as_str().unwrap(), member]));
    let profiles: BTreeSet<&str> =
        doc["accounts"].as_array().unwrap().iter().map(|a| a["profile"].as_str().unwrap()).collect();
    assert_eq!(profiles, BTreeSet::from(["mgmt", "member"]));
    assert!(run.stderr.is_empty(), "--quiet: {}", run.stderr);

    // Without --quiet and without a terminal: a few plain progress lines on stderr.
    let out = common::sgaudit_cmd()
        // Groups alone: against moto the root user's checks are never evaluated (see common::sgaudit_at).
        .env("SGAUDIT_CHECKS", "groups")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_ENDPOINT_URL", &moto.url)
        .args(["scan", "--profile", "mgmt,member", "--format", "json"])
        .output()
        .unwrap();
    let run = common::Run::of(out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("2 account(s) to scan"), "{}", run.stderr);
    let lists = 2 * sgaudit_collect::registry::plan(&[sgaudit_collect::Family::Groups]).regional.len();
    assert!(run.stderr.contains(&format!("{lists}/{lists} source lists read, 0 not readable")), "{}", run.stderr);
}

/// A config file of two profiles with the same keys: two names for one account.
fn two_names_for_one_account(dir: &std::path::Path) -> std::path::PathBuf {
    let config = dir.join("config");
    let profile = |name: &str| {
        format!(
            "[profile {name}]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\n\n"
        )
    };
    std::fs::write(&config, profile("a") + &profile("b")).unwrap();
    config
}

#[test]
fn one_account_reached_twice_is_scanned_once() {
    let moto = Moto::start();
    moto.seed("us-east-1");
    let dir = tempfile::tempdir().unwrap();
    let config = two_names_for_one_account(dir.path());
    let scan = |profiles: &str| {
        let out = common::sgaudit_cmd()
            // Groups alone: against moto the root user's checks are never evaluated (see common::sgaudit_at).
            .env("SGAUDIT_CHECKS", "groups")
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_ENDPOINT_URL", &moto.url)
            .args(["scan", "--profile", profiles, "--format", "json", "--quiet"])
            .output()
            .unwrap();
        common::Run::of(out)
    };
    let single = scan("a");
    assert_eq!(single.code, 0, "{}", single.stderr);
    assert!(single.stderr.is_empty(), "{}", single.stderr);
    let single = single.json();
    let account = single["accounts"][0]["account_id"].as_str().unwrap().to_string();
    let group_ids = |doc: &serde_json::Value| -> Vec<String> {
        doc["security_groups"].as_array().unwrap().iter().map(|g| g["group_id"].as_str().unwrap().to_string()).collect()
    };

    for (profiles, note) in [
        ("a,b", format!("account {account} is reached by profiles a and b: using a")),
        ("a,a", "profile a is given 2 times: its account is read once".to_string()),
    ] {
        let run = scan(profiles);
        assert_eq!(run.code, 0, "{profiles}: {}", run.stderr);
        // Said once on stderr, even with --quiet: the user asked for something that was not done as asked.
        assert_eq!(run.stderr.trim(), format!("warning: {note}"), "{profiles}");
        let doc = run.json();
        let accounts = doc["accounts"].as_array().unwrap();
        assert_eq!(accounts.len(), 1, "{profiles}: {accounts:?}");
        assert_eq!(accounts[0]["account_id"], account.as_str());
        assert_eq!(accounts[0]["profile"], "a", "{profiles}: the first profile given is used");
        let ids = group_ids(&doc);
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{profiles}: a group listed twice");
        assert_eq!(ids, group_ids(&single), "{profiles}");
        assert_eq!(doc["summary"], single["summary"], "{profiles}");
        let lists = |d: &serde_json::Value| d["coverage"].as_array().unwrap().len();
        assert_eq!(lists(&doc), lists(&single), "{profiles}: every source read once");
    }
}

#[test]
fn a_scope_that_selects_nothing_is_a_usage_error() {
    let moto = Moto::start();
    moto.python(
        &[&format!("{}/seed_org.py", common::FIXTURES), "--endpoint", &moto.url, "--regions", "us-east-1"],
        &[],
    );
    // Every region asked for is excluded.
    let run = sgaudit_at(
        &moto.url,
        &["scan", "--region", "us-east-1", "--exclude-region", "us-east-1", "--format", "json"],
        "testing",
        "testing",
    );
    run.assert_one_line_error("nothing in scope");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // An account that is not in the organization.
    let run = sgaudit_at(
        &moto.url,
        &["scan", "--org", "--accounts", "999999999999", "--region", "us-east-1", "--format", "json"],
        "testing",
        "testing",
    );
    run.assert_one_line_error("nothing in scope");
    assert!(run.stderr.contains("999999999999: not an account of the organization"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // The one account the credentials reach, excluded.
    let run = sgaudit_at(
        &moto.url,
        &["scan", "--exclude-accounts", "123456789012", "--region", "us-east-1", "--format", "json"],
        "testing",
        "testing",
    );
    run.assert_one_line_error("nothing in scope: --exclude-accounts 123456789012 leaves no account to read");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

/// The account checks run org-wide in one scan: each reachable account's account-wide evidence is read once
/// (through its assumed role), each account gets its own results, and the account that cannot be assumed has
/// its account checks not evaluated, naming the refused call.
#[test]
fn the_account_checks_run_in_every_account_of_the_organization() {
    // `_moto` keeps the server running to the end of the test.
    let (_moto, org, proxy) = organization_refusing_one_member();
    let unassumable = org["unassumable"].as_str().unwrap();
    let run = sgaudit_at(
        &proxy.url,
        &[
            "scan",
            "--org",
            "--region",
            "us-east-1",
            "--checks",
            "network,iam,cloudtrail,s3",
            "--format",
            "json",
            "--quiet",
        ],
        "testing",
        "testing",
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["security_groups"], serde_json::json!([]), "groups were not asked for");
    let mut reachable: Vec<&str> = org["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    reachable.push(org["management"].as_str().unwrap());
    for account in &reachable {
        // Each account-wide source once per account, read whole.
        let sources: Vec<&str> = doc["account_coverage"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["account_id"] == *account)
            .map(|c| {
                assert_eq!(c["state"], "complete", "{c}");
                c["source"].as_str().unwrap()
            })
            .collect();
        assert_eq!(sources, sgaudit_snapshot::posture::ACCOUNT_SOURCES, "{account}");
        let mine: Vec<&serde_json::Value> =
            doc["results"].as_array().unwrap().iter().filter(|r| r["account_id"] == *account).collect();
        for family in ["network", "iam", "cloudtrail", "s3"] {
            assert!(mine.iter().any(|r| r["family"] == family), "{account}: no {family} result");
        }
        // What moto can answer is judged: the password policy (none set) fails, it is not "not evaluated".
        let policy = mine.iter().find(|r| r["check"] == "iam-password-length").unwrap();
        assert_eq!(policy["outcome"], "fail", "{policy}");
    }
    let refused: Vec<&serde_json::Value> =
        doc["results"].as_array().unwrap().iter().filter(|r| r["account_id"] == unassumable).collect();
    assert!(!refused.is_empty());
    for r in refused {
        assert_eq!(r["outcome"], "not_evaluated", "{r}");
        assert!(r["evidence"].as_str().unwrap().contains("sts:AssumeRole"), "{r}");
    }
}

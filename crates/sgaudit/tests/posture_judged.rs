//! Every account check judged end to end: the built binary scans moto seeded by `fixtures/seed_posture.py`
//! (turned by `fixtures/posture_turn.py` between two scans), and each check meets a pass and a fail where moto
//! can express both. The root user's checks are *not evaluated*: moto's credential report has no root row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::Moto;
use sgaudit_audit::checks::{Options, Outcome};
use sgaudit_audit::CheckResult;
use sgaudit_snapshot::Snapshot;

const HOME: &str = "us-east-1";
const OTHER: &str = "us-west-2";

/// Scans both regions with `checks`, saving the snapshot, and returns its exit code and the snapshot.
fn scan(moto: &Moto, checks: &str) -> (i32, Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    let regions = format!("{HOME},{OTHER}");
    let run = moto.sgaudit(&[
        "scan",
        "--region",
        &regions,
        "--checks",
        checks,
        "--format",
        "json",
        "--quiet",
        "--save-snapshot",
        path.to_str().unwrap(),
    ]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    (run.code, Snapshot::load(&path).unwrap_or_else(|e| panic!("{e}; stderr:\n{}", run.stderr)))
}

/// `outcome region resource` of each result of `check`.
fn results(results: &[CheckResult], check: &str) -> Vec<(Outcome, String)> {
    results
        .iter()
        .filter(|r| r.check.id == check)
        .map(|r| (r.outcome, format!("{} {}", r.location.region.as_deref().unwrap_or("global"), r.location.resource)))
        .collect()
}

/// The outcome of `check`'s one result whose location contains `at`.
fn outcome(all: &[CheckResult], check: &str, at: &str) -> Outcome {
    let mine = results(all, check);
    let found: Vec<&(Outcome, String)> = mine.iter().filter(|(_, l)| l.contains(at)).collect();
    assert_eq!(found.len(), 1, "{check} at {at}: {mine:#?}");
    found[0].0
}

fn all(all: &[CheckResult], check: &str) -> Vec<Outcome> {
    results(all, check).into_iter().map(|(o, _)| o).collect()
}

#[test]
fn every_account_check_meets_a_pass_and_a_fail() {
    use Outcome::{Fail, NotEvaluated, Pass};
    let moto = Moto::start();
    let seeded = moto.python(
        &[
            &format!("{}/seed_posture.py", common::FIXTURES),
            "--endpoint",
            &moto.url,
            "--region",
            HOME,
            "--other-region",
            OTHER,
        ],
        &[],
    );
    moto.python(&[&format!("{}/posture_turn.py", common::FIXTURES), "--endpoint", &moto.url, "--turn", "before"], &[]);
    let (code, before) = scan(&moto, "network,iam,cloudtrail,s3");
    assert_eq!(before.families.len(), 4, "{:?}", before.families);
    assert!(
        before.regions.iter().all(|r| r.coverage.iter().all(|c| c.source != "lambda-functions")),
        "no group source read"
    );
    let judged = sgaudit_audit::audit(&before);
    // moto's credential report has no root row: the root checks are not evaluated, and the exit code says so.
    assert_eq!(code, 3);
    assert_eq!(all(&judged.results, "iam-root-access-key"), [NotEvaluated]);
    assert_eq!(all(&judged.results, "iam-root-mfa"), [NotEvaluated]);
    let r = &judged.results;
    let user = |name: &str| seeded["users"][name]["arn"].as_str().unwrap().to_string();

    // IAM.
    assert_eq!(outcome(r, "iam-console-user-mfa", &user("console-mfa")), Pass);
    assert_eq!(outcome(r, "iam-console-user-mfa", &user("console-no-mfa")), Fail);
    assert_eq!(results(r, "iam-console-user-mfa").len(), 2, "only users with a console password");
    assert_eq!(outcome(r, "iam-user-mfa", &user("console-mfa")), Pass);
    for name in ["console-no-mfa", "keys-only", "nothing"] {
        assert_eq!(outcome(r, "iam-user-mfa", &user(name)), Fail, "{name}");
    }
    // Keys made a moment ago: young, active or not.
    assert_eq!(outcome(r, "iam-access-key-rotation", &format!("{}/access-key-1", user("console-no-mfa"))), Pass);
    assert_eq!(outcome(r, "iam-access-key-rotation", &format!("{}/access-key-2", user("console-no-mfa"))), Pass);
    assert_eq!(outcome(r, "iam-one-active-key", &user("console-no-mfa")), Pass, "one active, one inactive");
    assert!(all(r, "iam-unused-credentials").iter().all(|o| *o == Pass), "{:#?}", results(r, "iam-unused-credentials"));
    assert_eq!(all(r, "iam-password-length"), [Pass]);
    assert_eq!(all(r, "iam-password-reuse"), [Pass]);

    // CloudTrail: the logging multi-region trail covers both regions; the quiet trail has no validation or KMS.
    assert_eq!(all(r, "cloudtrail-region-logged"), [Pass, Pass]);
    let trails = &seeded["trails"];
    assert_eq!(outcome(r, "cloudtrail-log-validation", trails["logging"].as_str().unwrap()), Pass);
    assert_eq!(outcome(r, "cloudtrail-log-validation", trails["quiet"].as_str().unwrap()), Fail);
    assert_eq!(outcome(r, "cloudtrail-kms-encryption", trails["logging"].as_str().unwrap()), Pass);
    assert_eq!(outcome(r, "cloudtrail-kms-encryption", trails["quiet"].as_str().unwrap()), Fail);
    assert_eq!(results(r, "cloudtrail-kms-encryption").len(), 2, "each trail judged once, not once per region");

    // S3, with the account's Block Public Access leaving ACLs and policies in force.
    assert_eq!(all(r, "s3-account-public-access-block"), [Fail]);
    assert_eq!(outcome(r, "s3-bucket-public-access-block", "posture-blocked"), Pass);
    assert_eq!(outcome(r, "s3-bucket-public-access-block", "posture-public-read"), Fail);
    assert_eq!(outcome(r, "s3-acl-public", "posture-public-read"), Fail);
    assert_eq!(outcome(r, "s3-acl-public", "posture-authenticated-read"), Fail);
    assert_eq!(outcome(r, "s3-acl-public", "posture-write-acp"), Pass);
    assert_eq!(outcome(r, "s3-acl-public", "posture-kms"), Pass, "BucketOwnerEnforced: ACLs do not apply");
    assert_eq!(outcome(r, "s3-acl-other-account-write", "posture-write-acp"), Fail);
    assert_eq!(outcome(r, "s3-acl-other-account-write", "posture-public-read"), Pass);
    assert_eq!(outcome(r, "s3-policy-public", "posture-public-read"), Fail);
    assert_eq!(outcome(r, "s3-policy-public", "posture-policy"), Pass);
    assert_eq!(outcome(r, "s3-policy-ssl", "posture-policy"), Pass);
    assert_eq!(outcome(r, "s3-policy-ssl", "posture-public-read"), Fail);
    assert!(all(r, "s3-default-encryption").iter().all(|o| *o == Pass), "reported, not failed, by default");
    let strict = sgaudit_audit::audit_with(&before, &Options { require_kms: true, ..Options::default() });
    assert_eq!(outcome(&strict.results, "s3-default-encryption", "posture-kms"), Pass);
    assert_eq!(outcome(&strict.results, "s3-default-encryption", "posture-public-read"), Fail);

    // Network: EBS encryption by default on at home only; the seeded ACL admits SSH from anywhere; no group
    // opens anything (only default groups exist); no EC2-Classic.
    assert_eq!(outcome(r, "net-ebs-default-encryption", HOME), Pass);
    assert_eq!(outcome(r, "net-ebs-default-encryption", OTHER), Fail);
    let acl = seeded["network_acl"]["id"].as_str().unwrap();
    assert_eq!(outcome(r, "net-nacl-admin-port", acl), Fail);
    for check in ["net-sg-open-port", "net-sg-ipv4-admin-port", "net-sg-ipv6-admin-port", "net-instance-outside-vpc"] {
        assert_eq!(all(r, check), [Pass, Pass], "{check}");
    }

    // Turned: now the other way round.
    moto.python(
        &[&format!("{}/posture_turn.py", common::FIXTURES), "--endpoint", &moto.url, "--turn", "after", "--acl", acl],
        &[],
    );
    let (_, after) = scan(&moto, "network,iam,cloudtrail,s3");
    let judged = sgaudit_audit::audit(&after);
    let r = &judged.results;
    assert_eq!(all(r, "iam-password-length"), [Fail], "no password policy");
    assert_eq!(all(r, "iam-password-reuse"), [Fail]);
    assert_eq!(all(r, "cloudtrail-region-logged"), [Fail, Fail], "{:#?}", results(r, "cloudtrail-region-logged"));
    assert_eq!(all(r, "s3-account-public-access-block"), [Pass]);
    assert_eq!(outcome(r, "s3-acl-public", "posture-public-read"), Pass, "ignored by Block Public Access");
    assert_eq!(outcome(r, "s3-policy-public", "posture-public-read"), Pass, "restricted by Block Public Access");
    assert_eq!(outcome(r, "net-ebs-default-encryption", HOME), Fail);
    assert_eq!(outcome(r, "net-nacl-admin-port", acl), Pass, "the denies come first");
    for check in ["net-sg-open-port", "net-sg-ipv6-admin-port"] {
        let got = results(r, check);
        assert!(
            got.iter().any(|(o, l)| *o == Fail && l.contains(HOME) && l.contains(":security-group/")),
            "{check}: {got:#?}"
        );
    }
    let v4 = results(r, "net-sg-ipv4-admin-port");
    assert!(v4.iter().all(|(o, _)| *o == Pass), "SSH is open over IPv6 only: {v4:#?}");
}

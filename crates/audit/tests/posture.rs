//! The account and regional checks over the demo estate (examples/demo-snapshot.json), which has a pass, a
//! fail and a not-evaluated result in every family; and the rule that missing evidence is never a pass.

use sgaudit_audit::checks::{Evaluate, Options, Outcome, CHECKS};
use sgaudit_audit::{audit, audit_with, CheckResult, Family};
use sgaudit_snapshot::{CoverageState, Snapshot, SourceError};

fn demo() -> Snapshot {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot.json");
    Snapshot::load(std::path::Path::new(path)).expect("the demo snapshot loads")
}

/// `outcome resource-or-region: evidence` of one check's results, for compact assertions.
fn results_of(results: &[CheckResult], check: &str) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.check.id == check)
        .map(|r| {
            let at = r.location.region.as_deref().unwrap_or("global");
            format!("{} {at} {}: {}", r.outcome.id(), r.location.resource, r.evidence)
        })
        .collect()
}

fn outcomes(results: &[CheckResult], check: &str) -> Vec<Outcome> {
    results.iter().filter(|r| r.check.id == check).map(|r| r.outcome).collect()
}

#[test]
fn every_family_of_the_demo_is_judged_with_passes_failures_and_gaps() {
    let snapshot = demo();
    let audit = audit(&snapshot);
    assert_eq!(audit.families, Family::ALL.to_vec());
    assert!(audit.is_partial(), "a denied source is a gap");
    for family in [Family::Network, Family::Iam, Family::Cloudtrail, Family::S3] {
        let of = |o: Outcome| audit.results.iter().filter(|r| r.check.family == family && r.outcome == o).count();
        assert!(of(Outcome::Fail) > 0, "{family:?} has a failure");
        assert!(of(Outcome::Pass) > 0, "{family:?} has a pass");
        if matches!(family, Family::Cloudtrail | Family::S3) {
            assert!(of(Outcome::NotEvaluated) > 0, "{family:?} has a gap in the demo");
        }
    }
    // Every non-group check has at least one result: none is silently skipped.
    for check in CHECKS.iter().filter(|c| !c.is_group_check()) {
        assert!(audit.results.iter().any(|r| r.check.id == check.id), "{} gave no result", check.id);
    }
}

#[test]
fn network_checks_of_the_demo() {
    let snapshot = demo();
    let r = audit(&snapshot).results;
    let open = results_of(&r, "net-sg-open-port");
    // 443 is allowed; SSH, RDP over IPv6, MySQL and Grafana are not.
    assert!(
        open.iter().any(|l| l.starts_with("fail us-east-1") && l.contains("legacy-mysql) admits tcp 3306")),
        "{open:#?}"
    );
    assert!(open.iter().any(|l| l.contains("(<b>rdp-admin</b>) admits tcp 3389")), "{open:#?}");
    assert!(!open.iter().any(|l| l.contains("web-alb")), "443 is allowed: {open:#?}");
    let v4 = results_of(&r, "net-sg-ipv4-admin-port");
    let v6 = results_of(&r, "net-sg-ipv6-admin-port");
    assert!(v4.iter().any(|l| l.contains("bastion) admits port(s) 22 from 0.0.0.0/0")), "{v4:#?}");
    assert!(!v4.iter().any(|l| l.contains("rdp-admin")), "RDP is open over IPv6 only: {v4:#?}");
    assert!(v6.iter().any(|l| l.contains("rdp-admin</b>) admits port(s) 3389 from ::/0")), "{v6:#?}");
    assert!(v6.iter().any(|l| l.starts_with("pass eu-west-1")), "{v6:#?}");
    assert_eq!(
        results_of(&r, "net-nacl-admin-port"),
        [
            "pass eu-west-1 arn:aws:ec2:eu-west-1:123456789012:network-acl/acl-0b22c0ffee0000001: \
             acl-0b22c0ffee0000001 admits neither 22 nor 3389 from the internet",
            "fail us-east-1 arn:aws:ec2:us-east-1:123456789012:network-acl/acl-0a11c0ffee0000001: \
             acl-0a11c0ffee0000001 admits 22 from 0.0.0.0/0 (rule 100), 3389 from 0.0.0.0/0 (rule 100) from the internet",
        ]
    );
    assert_eq!(outcomes(&r, "net-ebs-default-encryption"), [Outcome::Fail, Outcome::Pass]);
    assert_eq!(outcomes(&r, "net-instance-outside-vpc"), [Outcome::Pass, Outcome::Pass]);
}

#[test]
fn iam_checks_of_the_demo_measure_ages_from_the_snapshot() {
    let snapshot = demo();
    let r = audit(&snapshot).results;
    assert_eq!(outcomes(&r, "iam-root-access-key"), [Outcome::Pass]);
    assert_eq!(outcomes(&r, "iam-root-mfa"), [Outcome::Pass]);
    let console = results_of(&r, "iam-console-user-mfa");
    assert_eq!(console.len(), 2, "alice and bob have passwords: {console:#?}");
    assert!(console.iter().any(|l| l.starts_with("fail global arn:aws:iam::123456789012:user/bob")));
    let mfa = results_of(&r, "iam-user-mfa");
    assert_eq!(mfa.iter().filter(|l| l.starts_with("fail")).count(), 3, "bob, ci-deploy, =2+5: {mfa:#?}");
    let keys = results_of(&r, "iam-access-key-rotation");
    assert!(
        keys.contains(
            &"fail global arn:aws:iam::123456789012:user/bob/access-key-1: bob's access key 1 is active, last rotated \
              266 day(s) ago"
                .to_string()
        ),
        "{keys:#?}"
    );
    assert!(
        keys.iter().any(|l| l.starts_with("pass") && l.contains("ci-deploy's access key 2 is inactive")),
        "{keys:#?}"
    );
    assert!(keys
        .iter()
        .any(|l| l.starts_with("pass") && l.contains("alice's access key 1 is active, last rotated 52")));
    assert_eq!(results_of(&r, "iam-one-active-key").iter().filter(|l| l.starts_with("fail")).count(), 1);
    let unused = results_of(&r, "iam-unused-credentials");
    assert!(unused.iter().any(|l| l.starts_with("fail") && l.contains("bob's console password was last used 82")));
    assert!(unused.iter().any(|l| l.starts_with("fail") && l.contains("ci-deploy's access key 1 was last used 83")));
    assert!(unused.iter().any(|l| l.starts_with("pass") && l.contains("alice's console password")));
    assert_eq!(outcomes(&r, "iam-password-length"), [Outcome::Fail]);
    assert_eq!(outcomes(&r, "iam-password-reuse"), [Outcome::Fail]);

    // The same snapshot judged as of an earlier day: bob's key was young then.
    let mut earlier = demo();
    earlier.collected_at = Some("2026-04-01T00:00:00Z".to_string());
    let r = audit(&earlier).results;
    let keys = results_of(&r, "iam-access-key-rotation");
    assert!(keys.iter().any(|l| l.starts_with("pass") && l.contains("bob's access key 1 is active, last rotated 30")));
    // And with no collection time, ages are unknown: not evaluated, never a pass.
    let mut undated = demo();
    undated.collected_at = None;
    let r = audit(&undated).results;
    assert!(outcomes(&r, "iam-access-key-rotation").contains(&Outcome::NotEvaluated));
    assert!(!results_of(&r, "iam-access-key-rotation").iter().any(|l| l.starts_with("pass") && l.contains("bob")));
}

#[test]
fn a_report_without_a_root_row_proves_nothing_about_root() {
    let mut snapshot = demo();
    let report = snapshot.account_evidence[0].credential_report.as_mut().unwrap();
    report.users.retain(|u| !u.is_root());
    let r = audit(&snapshot).results;
    for check in ["iam-root-access-key", "iam-root-mfa"] {
        let got = results_of(&r, check);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("not_evaluated") && got[0].contains("has no root user row"), "{got:?}");
    }
}

#[test]
fn cloudtrail_checks_of_the_demo() {
    let snapshot = demo();
    let r = audit(&snapshot).results;
    let regions = results_of(&r, "cloudtrail-region-logged");
    assert_eq!(regions.len(), 2, "one row per region: {regions:#?}");
    assert!(regions[0].starts_with("not_evaluated eu-west-1") && regions[0].contains("cloudtrail:DescribeTrails"));
    assert!(regions[1].starts_with("pass us-east-1") && regions[1].contains("org-audit"), "{regions:#?}");
    // Each trail judged once, in its home region; eu-west-1's trails could not be read.
    assert_eq!(outcomes(&r, "cloudtrail-log-validation"), [Outcome::NotEvaluated, Outcome::Fail, Outcome::Pass]);
    assert_eq!(outcomes(&r, "cloudtrail-kms-encryption"), [Outcome::NotEvaluated, Outcome::Pass, Outcome::Fail]);
    // Without the organisation trail, the writes-only trail that is not logging covers nothing.
    let mut snapshot = demo();
    let us = snapshot.regions.iter_mut().find(|r| r.region == "us-east-1").unwrap();
    us.posture.trails.retain(|t| t.name != "org-audit");
    let r = audit(&snapshot).results;
    let regions = results_of(&r, "cloudtrail-region-logged");
    assert!(
        regions[1].starts_with("fail us-east-1") && regions[1].contains("dev-writes is not logging"),
        "{regions:#?}"
    );
}

#[test]
fn s3_checks_of_the_demo() {
    let snapshot = demo();
    let r = audit(&snapshot).results;
    assert_eq!(outcomes(&r, "s3-account-public-access-block"), [Outcome::Fail]);
    let public = results_of(&r, "s3-acl-public");
    assert!(public
        .iter()
        .any(|l| l.starts_with("fail") && l.contains("demo-public-site: ACL grants READ to AllUsers")));
    assert!(public.iter().any(|l| l.starts_with("pass") && l.contains("BucketOwnerEnforced")));
    let write = results_of(&r, "s3-acl-other-account-write");
    assert!(write.iter().any(|l| l.starts_with("fail") && l.contains("WRITE_ACP to partner-co")), "{write:#?}");
    let log =
        r.iter().find(|x| x.check.id == "s3-acl-other-account-write" && x.evidence.contains("log delivery")).unwrap();
    assert_eq!((log.outcome, log.severity), (Outcome::Fail, sgaudit_audit::Severity::Informational));
    let policy = results_of(&r, "s3-policy-public");
    assert!(policy
        .iter()
        .any(|l| l.starts_with("fail") && l.contains("demo-public-site: the policy allows s3:GetObject")));
    // The partner bucket's policy could not be read: its policy checks are not evaluated, its others are.
    for check in ["s3-policy-public", "s3-policy-ssl"] {
        let got = results_of(&r, check);
        assert!(got.iter().any(|l| l.starts_with("not_evaluated") && l.contains("s3:GetBucketPolicy")), "{got:#?}");
    }
    assert!(results_of(&r, "s3-bucket-public-access-block").iter().any(|l| l.contains("demo-partner-drop has no")));
    // Default encryption is reported; it fails only when KMS is required.
    assert!(outcomes(&r, "s3-default-encryption").iter().all(|o| *o == Outcome::Pass));
    let strict = audit_with(&snapshot, &Options { require_kms: true, ..Options::default() }).results;
    let enc = results_of(&strict, "s3-default-encryption");
    assert_eq!(enc.iter().filter(|l| l.starts_with("fail")).count(), 2, "{enc:#?}");
}

/// For every non-group check: when the sources it reads are denied everywhere, each of its results is *not
/// evaluated* and names the refused action; none passes or fails. Proven over CHECKS, not a list.
#[test]
fn missing_evidence_is_never_a_pass_for_any_check() {
    for check in CHECKS.iter().filter(|c| !c.is_group_check()) {
        let mut snapshot = demo();
        let deny = |coverage: &mut Vec<sgaudit_snapshot::SourceCoverage>| {
            for c in coverage.iter_mut().filter(|c| check.reads.contains(&c.source.as_str())) {
                c.state = CoverageState::Denied {
                    error: Box::new(SourceError {
                        code: "AccessDenied".into(),
                        message: "no".into(),
                        action: Some(format!("x:Read{}", c.source)),
                        scp_deny: false,
                    }),
                };
            }
        };
        for region in &mut snapshot.regions {
            deny(&mut region.coverage);
        }
        for evidence in &mut snapshot.account_evidence {
            deny(&mut evidence.coverage);
        }
        let judged = audit(&snapshot);
        let mine: Vec<&CheckResult> = judged.results.iter().filter(|r| r.check.id == check.id).collect();
        assert!(!mine.is_empty(), "{}", check.id);
        for r in mine {
            assert_eq!(r.outcome, Outcome::NotEvaluated, "{}: {r:?}", check.id);
            assert!(r.evidence.contains("x:Read"), "{}: the reason names the action: {}", check.id, r.evidence);
        }
        assert!(judged.is_partial());
        // A source left out of the snapshot altogether is the same.
        let mut snapshot = demo();
        for region in &mut snapshot.regions {
            region.coverage.retain(|c| !check.reads.contains(&c.source.as_str()));
        }
        for evidence in &mut snapshot.account_evidence {
            evidence.coverage.retain(|c| !check.reads.contains(&c.source.as_str()));
        }
        let audit = audit(&snapshot);
        assert!(
            audit.results.iter().filter(|r| r.check.id == check.id).all(|r| r.outcome == Outcome::NotEvaluated),
            "{}",
            check.id
        );
    }
}

#[test]
fn an_unreachable_account_has_its_account_checks_not_evaluated() {
    let mut snapshot = demo();
    snapshot.account_evidence.clear();
    snapshot.accounts[0].error = Some(SourceError {
        code: "AccessDenied".into(),
        message: "cannot assume".into(),
        action: Some("sts:AssumeRole".into()),
        scp_deny: false,
    });
    let audit = audit(&snapshot);
    for check in CHECKS.iter().filter(|c| matches!(c.evaluate, Evaluate::Account(_))) {
        let got = results_of(&audit.results, check.id);
        assert_eq!(got.len(), 1, "{}", check.id);
        assert!(got[0].starts_with("not_evaluated") && got[0].contains("sts:AssumeRole"), "{got:?}");
    }
}

#[test]
fn families_narrow_what_is_judged() {
    let snapshot = demo();
    let only = Options { families: Some(vec![Family::Iam]), ..Options::default() };
    let judged = audit_with(&snapshot, &only);
    assert_eq!(judged.families, [Family::Iam]);
    assert!(judged.groups.is_empty() && judged.regions.is_empty());
    assert!(judged.results.iter().all(|r| r.check.family == Family::Iam));
    // The IAM evidence is whole: nothing is partial about this audit.
    assert!(!judged.is_partial());
    // A snapshot written before the account checks was collected for groups alone.
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.as_object_mut().unwrap().remove("families");
    let old = Snapshot::from_json(&value.to_string(), "old.json").unwrap();
    assert_eq!(old.families, [Family::Groups]);
    assert!(audit(&old).results.is_empty());
}

/// Judging with the network evidence taken out of the snapshot (as `sgaudit scan` does, to free it as soon as
/// it is read) gives the same audit, reachability included; and the evidence is read, not ignored: without it
/// the demo, which has groups the internet reaches and groups it does not, is judged otherwise.
#[test]
fn the_network_evidence_given_apart_is_judged_the_same() {
    use sgaudit_audit::reach::ReachState;
    let options = sgaudit_audit::checks::Options::default();
    let whole = demo();
    let judged = sgaudit_audit::audit_with(&whole, &options);
    let states: Vec<ReachState> = judged.groups.iter().map(|g| g.reach.state).collect();
    assert!(states.contains(&ReachState::Reachable) && states.contains(&ReachState::NotReachable), "{states:?}");
    let expected = serde_json::to_value(&judged).expect("an audit serialises");

    let mut apart = demo();
    let networks = apart.take_networks();
    assert!(apart.regions.iter().all(|r| r.network.is_empty()));
    assert!(!networks.iter().all(|n| n.is_empty()));
    let without = serde_json::to_value(sgaudit_audit::audit_with(&apart, &options)).expect("serialises");
    assert_ne!(without, expected, "the demo's reachability depends on its network evidence");
    let given = sgaudit_audit::audit_with_networks(&apart, networks, &options);
    assert_eq!(serde_json::to_value(&given).expect("serialises"), expected);
}

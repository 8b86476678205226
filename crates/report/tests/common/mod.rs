//! Estates for the report tests: the demo of examples/, and the demo widened so that every family of checks
//! has a pass, a failure and a result that could not be evaluated, in a second account whose IAM report and
//! one region's security groups were denied and a third account that could not be reached at all.
// Each test file uses some of these.
#![allow(dead_code)]

use std::path::Path;

use sgaudit_snapshot::posture::{AccountEvidence, PublicAccessBlock};
use sgaudit_snapshot::{Account, CoverageState, RegionPosture, RegionSnapshot, Snapshot, SourceCoverage, SourceError};

/// The second account: read, but its credential report and the security groups of eu-west-1 were denied.
pub const SECOND: &str = "222222222222";
/// The third account: its role could not be assumed.
pub const UNREACHABLE: &str = "333333333333";

/// What a hostile value carries: a cleared screen, a window title, an OSC 8 link, a forged line, markup
/// that would run, and a spreadsheet formula.
pub const EVIL: &str = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\u{202e}\nUNUSED sg-0forged <script>alert(1)</script><img src=x onerror=alert(2)>";
/// A value a spreadsheet would run, were it a formula.
pub const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

pub fn demo() -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-snapshot.json");
    let snapshot = Snapshot::load(&path).expect("the demo snapshot loads");
    assert!(!snapshot.account_evidence.is_empty(), "the demo has account evidence");
    snapshot
}

fn denied(action: &str) -> SourceError {
    SourceError {
        code: "AccessDenied".into(),
        message: format!(
            "User: arn:aws:sts::{SECOND}:assumed-role/Audit/sgaudit is not authorized to perform: {action}"
        ),
        action: Some(action.into()),
        scp_deny: false,
    }
}

fn complete(source: &str) -> SourceCoverage {
    SourceCoverage { source: source.into(), state: CoverageState::Complete, requests: 1, items: 0 }
}

/// The demo, plus [`SECOND`] and [`UNREACHABLE`].
pub fn fixture() -> Snapshot {
    let mut snapshot = demo();
    snapshot.accounts.push(Account {
        account_id: SECOND.into(),
        name: Some("second".into()),
        profile: None,
        error: None,
        skipped: None,
    });
    snapshot.accounts.push(Account {
        account_id: UNREACHABLE.into(),
        name: None,
        profile: None,
        error: Some(denied("sts:AssumeRole")),
        skipped: None,
    });
    // Its regions hold no group; every source was read but the security groups of eu-west-1; no trail at
    // all, EBS encryption by default on.
    for template in demo().regions {
        let mut coverage: Vec<SourceCoverage> = template.coverage.iter().map(|c| complete(&c.source)).collect();
        if template.region == "eu-west-1" {
            for c in coverage.iter_mut().filter(|c| c.source == "ec2-security-groups") {
                c.state = CoverageState::Denied { error: denied("ec2:DescribeSecurityGroups") };
            }
        }
        snapshot.regions.push(RegionSnapshot {
            account_id: SECOND.into(),
            region: template.region.clone(),
            security_groups: Vec::new(),
            attachments: Vec::new(),
            coverage,
            stale_rules: Vec::new(),
            posture: RegionPosture { ebs_encryption_by_default: Some(true), ..RegionPosture::default() },
        });
    }
    // Its credential report was denied; it has no password policy, every Block Public Access setting on and
    // no bucket.
    snapshot.account_evidence.push(AccountEvidence {
        account_id: SECOND.into(),
        region: "us-east-1".into(),
        coverage: vec![
            SourceCoverage {
                source: "iam-credential-report".into(),
                state: CoverageState::Denied { error: denied("iam:GenerateCredentialReport") },
                requests: 1,
                items: 0,
            },
            complete("iam-password-policy"),
            complete("s3-account-public-access-block"),
            complete("s3-buckets"),
        ],
        credential_report: None,
        password_policy: None,
        public_access_block: Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }),
        buckets: Vec::new(),
    });
    snapshot.normalize();
    snapshot
}

/// [`fixture`] with hostile text wherever AWS text reaches the account checks' reports: a user's name
/// (`bob`), a bucket's name (`demo-partner-drop`), a grantee's display name, and an error message.
pub fn hostile() -> Snapshot {
    let mut snapshot = fixture();
    let evidence = &mut snapshot.account_evidence[0];
    let report = evidence.credential_report.as_mut().expect("the demo has a credential report");
    let bob = report.users.iter_mut().find(|u| u.user == "bob").expect("bob");
    bob.user = format!("{FORMULA}bob{EVIL}");
    bob.arn = format!("arn:aws:iam::123456789012:user/{}", bob.user);
    let bucket = evidence.buckets.iter_mut().find(|b| b.name == "demo-partner-drop").expect("the partner bucket");
    bucket.name = format!("{FORMULA}drop{EVIL}");
    for grant in &mut bucket.grants {
        if grant.display_name.as_deref() == Some("partner-co") {
            grant.display_name = Some(format!("{FORMULA}partner{EVIL}"));
        }
    }
    for error in &mut bucket.errors {
        error.message = format!("denied{EVIL}");
    }
    snapshot
}

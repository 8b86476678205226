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
                c.state = CoverageState::Denied { error: Box::new(denied("ec2:DescribeSecurityGroups")) };
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
            network: Default::default(),
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
                state: CoverageState::Denied { error: Box::new(denied("iam:GenerateCredentialReport")) },
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

// ---- sgaudit's memory (issue 14): what exceptions, marks and the store's history add to an audit ----

/// The group whose `sg-world-open-ssh` finding [`remember`] mutes.
pub const MUTED_GROUP: &str = "sg-0a300000000ba5710";
/// The IAM user whose `iam-user-mfa` failure [`remember`] mutes.
pub const MUTED_USER: &str = "arn:aws:iam::123456789012:user/=2+5";
/// The unused group that [`remember`] marks in use; unused since 2026-10-01 too.
pub const MARKED_GROUP: &str = "sg-0a400000000001dc1";
/// Unused since a week before the demo was collected.
pub const RECENT_GROUP: &str = "sg-0ad00000001e6acdb";

/// The exception [`remember`] applies, as the config file would declare it.
pub fn accepted(reason: &str, owner: &str) -> sgaudit_audit::Muted {
    sgaudit_audit::Muted {
        reason: reason.into(),
        owner: owner.into(),
        ticket: Some("SEC-142".into()),
        expires: Some("2027-03-31".into()),
        declared_at: "sgaudit.toml:7".into(),
    }
}

/// The demo's audit as a run with a store and a config file would leave it, set by hand (the exceptions are
/// applied by `sgaudit_audit::exceptions`, the history by the store): the bastion's `sg-world-open-ssh`
/// finding and `=2+5`'s missing MFA muted by one active exception, an unused group marked in use with
/// `sgaudit mark` (which mutes its `sg-unused` finding, as `exceptions::apply` does), two unused groups with
/// a known `unused_since`, and the exceptions' states: one active, one expired, one that matched nothing,
/// and the mark.
pub fn remember(audit: &mut sgaudit_audit::Audit, reason: &str, owner: &str) {
    use sgaudit_audit::exceptions::{ExceptionState, ExceptionStatus};
    let muted = accepted(reason, owner);
    let group = |audit: &mut sgaudit_audit::Audit, id: &str| -> usize {
        audit.groups.iter().position(|g| g.group.group_id == id).unwrap_or_else(|| panic!("{id} is not in the demo"))
    };
    let bastion = group(audit, MUTED_GROUP);
    let finding = audit.groups[bastion]
        .findings
        .iter_mut()
        .find(|f| f.check.id == "sg-world-open-ssh")
        .expect("the bastion is open to SSH");
    finding.muted = Some(Box::new(muted.clone()));
    let result = audit
        .results
        .iter_mut()
        .find(|r| r.check.id == "iam-user-mfa" && r.location.resource == MUTED_USER)
        .expect("=2+5 has no MFA");
    assert_eq!(result.outcome, sgaudit_audit::Outcome::Fail);
    result.muted = Some(Box::new(muted.clone()));
    let marked = group(audit, MARKED_GROUP);
    let mark = sgaudit_audit::Muted {
        reason: "CI runners of the release pipeline start in it monthly".into(),
        owner: "ci-team".into(),
        ticket: None,
        expires: None,
        declared_at: "mark".into(),
    };
    audit.groups[marked].marked_in_use = Some(Box::new(mark.clone()));
    let unused = audit.groups[marked].findings.iter_mut().find(|f| f.check.id == "sg-unused");
    unused.expect("the marked group is unused").muted = Some(Box::new(mark.clone()));
    audit.groups[marked].unused_since = Some("2026-10-01T04:00:00Z".into());
    let recent = group(audit, RECENT_GROUP);
    audit.groups[recent].unused_since = Some("2026-11-16T04:00:00Z".into());
    audit.exceptions = vec![
        ExceptionState {
            declared_at: muted.declared_at.clone(),
            reason: muted.reason.clone(),
            owner: muted.owner.clone(),
            ticket: muted.ticket.clone(),
            expires: muted.expires.clone(),
            in_use: false,
            state: ExceptionStatus::Active,
            matched: 2,
        },
        ExceptionState {
            declared_at: "sgaudit.toml:15".into(),
            reason: "legacy MySQL until the migration".into(),
            owner: "dba".into(),
            ticket: None,
            expires: Some("2026-10-31".into()),
            in_use: false,
            state: ExceptionStatus::Expired,
            matched: 0,
        },
        ExceptionState {
            declared_at: "sgaudit.toml:22".into(),
            reason: "partner VPN group".into(),
            owner: "netops".into(),
            ticket: Some("NET-9".into()),
            expires: None,
            in_use: false,
            state: ExceptionStatus::Unmatched,
            matched: 0,
        },
        ExceptionState {
            declared_at: mark.declared_at.clone(),
            reason: mark.reason.clone(),
            owner: mark.owner.clone(),
            ticket: None,
            expires: None,
            in_use: true,
            state: ExceptionStatus::Active,
            matched: 1,
        },
    ];
}

/// The fix [`advise`] gives the bastion's findings (the first one it is asked for: the hostile text is the same
/// in every test).
static BASTION_FIX: std::sync::OnceLock<sgaudit_audit::Fix> = std::sync::OnceLock::new();

/// What the reachability judgement and the fixes add, with hostile text (markup, a formula, an escape, a
/// forged command line) and lengths past Security Hub's limits: the bastion reachable through many paths,
/// a long fix with a Terraform snippet on each of its findings and on `=2+5`'s MFA failure.
pub fn advise(audit: &mut sgaudit_audit::Audit, hostile: &str) {
    use sgaudit_audit::reach::{GroupReach, Path, PortRangeText, ReachState, Via};
    let fix = sgaudit_audit::Fix {
        summary: format!("Revoke the world-open rule of {hostile} {}", "ü".repeat(600)),
        cli: vec![
            format!("aws ec2 revoke-security-group-ingress --group-id sg-0a --description '{hostile}'"),
            "aws ec2 authorize-security-group-ingress --group-id sg-0a\nrm -rf ~".into(),
        ],
        terraform: Some(format!("resource \"aws_security_group_rule\" \"x\" {{\n  description = \"{hostile}\"\n}}")),
    };
    let bastion = audit.groups.iter_mut().find(|g| g.group.group_id == MUTED_GROUP).expect("the bastion");
    bastion.reach = GroupReach {
        state: ReachState::Reachable,
        paths: (0..100)
            .map(|i| Path {
                via: if i % 2 == 0 { Via::Direct } else { Via::Target },
                protocol: "tcp".into(),
                ports: Some(PortRangeText { from: 22, to: 22 }),
                resource: format!("eni-{i}{hostile}"),
                text: format!("tcp 22 reachable from the internet on eni-{i} ({hostile}) via igw-0a"),
            })
            .collect(),
        blocked: vec![format!("eni-0b ({hostile}): no public address")],
        missing: Vec::new(),
    };
    // A group finding's fix is written by its check from the verdict when a report asks: each finding is given
    // a copy of its check whose fixer (a plain function) returns this fix.
    let fix = BASTION_FIX.get_or_init(|| fix).clone();
    for f in &mut bastion.findings {
        let hostile = sgaudit_audit::checks::Fixer::Group(|_| BASTION_FIX.get().cloned());
        f.check = Box::leak(Box::new(sgaudit_audit::checks::Check { fix: hostile, ..*f.check }));
    }
    let user = audit.results.iter_mut().find(|r| r.check.id == "iam-user-mfa" && r.location.resource == MUTED_USER);
    user.expect("=2+5 has no MFA").fix = sgaudit_audit::checks::ResultFix::Written(Box::new(fix));
}

//! The JSON document: a frozen, versioned shape, separate from the internal types, so that internal
//! changes don't break the scripts that read it. `docs/formats.md` describes it field by field.
//!
//! Schema version 2 (issue 11, the account checks) added `families`, `results` (one entry per result of the
//! account and regional checks: IAM, CloudTrail, S3, network), `summary.by_outcome` and `account_coverage`
//! (the account-wide sources), and changed what a version-1 reader could misread, hence the bump:
//! - the `controls` of the group findings are named with their version and catalogue (`AWS Security Hub
//!   EC2.13`, `CIS AWS v3.0.0 5.4`, where version 1 wrote `AWS FSBP EC2.13`, `CIS AWS 5.2`);
//! - `summary.partial` is also true when a check could not be evaluated;
//! - `security_groups` is empty, and `summary.groups` 0, when the `groups` family was not judged
//!   (`families` says which were), which no longer means the estate has no groups.
//!
//! The `security_groups` entries themselves are unchanged.

use std::io::Write;

use serde::Serialize;
use sgaudit_audit::{Audit, CheckResult, GroupVerdict, Outcome, Risk, Status};
use sgaudit_snapshot::{CoverageState, Snapshot, SourceCoverage};

/// Bumped on any change that could break a reader; additions of fields keep it. 2: the account checks
/// (see the module's documentation).
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    sgaudit_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    collected_at: Option<&'a str>,
    /// The families judged (`groups`, `network`, `iam`, `cloudtrail`, `s3`).
    families: Vec<&'static str>,
    summary: Summary,
    security_groups: Vec<Group<'a>>,
    /// Every result of the account and regional checks, in the audit's order.
    results: Vec<ResultEntry<'a>>,
    coverage: Vec<Coverage<'a>>,
    /// The account-wide sources (IAM, the S3 account settings and bucket list), per account; `region` is
    /// the region their calls were made from.
    account_coverage: Vec<Coverage<'a>>,
    accounts: Vec<Account<'a>>,
}

#[derive(Serialize)]
struct Summary {
    groups: usize,
    by_status: std::collections::BTreeMap<&'static str, usize>,
    by_risk: std::collections::BTreeMap<&'static str, usize>,
    /// Results of the account and regional checks by outcome: `fail`, `not_evaluated`, `pass`.
    by_outcome: std::collections::BTreeMap<&'static str, usize>,
    /// True when some evidence could not be read, or a check could not be evaluated (exit code 3).
    partial: bool,
    /// How much of the estate was read.
    estate: sgaudit_audit::Estate,
}

/// One result of an account or regional check.
#[derive(Serialize)]
struct ResultEntry<'a> {
    /// The check's stable id (`iam-root-mfa`).
    check: &'static str,
    title: &'static str,
    family: &'static str,
    /// `pass`, `fail` or `not_evaluated` (its evidence could not be read: never a pass).
    outcome: &'static str,
    /// The failure's severity; `informational` for a pass.
    severity: &'static str,
    account_id: &'a str,
    /// `null` for an account-wide result (IAM, the S3 account settings).
    region: Option<&'a str>,
    /// Security Hub's name for the kind of resource (`AwsIamUser`, `AwsS3Bucket`, `AwsAccount`).
    resource_type: &'static str,
    /// Its ARN, or id where it has none.
    resource: &'a str,
    /// What was seen, in a sentence; for `not_evaluated`, what could not be read.
    evidence: &'a str,
    controls: &'static [&'static str],
}

#[derive(Serialize)]
struct Group<'a> {
    account_id: &'a str,
    region: &'a str,
    group_id: &'a str,
    group_name: &'a str,
    vpc_id: Option<&'a str>,
    description: &'a str,
    owner_id: &'a str,
    is_default: bool,
    status: Status,
    risk: Risk,
    used_by: Vec<UsedBy<'a>>,
    referenced_by: &'a [sgaudit_audit::Reference<'a>],
    missing_evidence: &'a [String],
    findings: Vec<Finding<'a>>,
    /// Checks not evaluated for this group, and why (their evidence was not read): never a pass.
    not_evaluated: &'a [String],
    world_open_ports: &'a [u16],
    tags: &'a std::collections::BTreeMap<String, String>,
    ingress: &'a [sgaudit_snapshot::Rule],
    egress: &'a [sgaudit_snapshot::Rule],
}

#[derive(Serialize)]
struct UsedBy<'a> {
    kind: &'static str,
    id: &'a str,
    via: sgaudit_snapshot::Via,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

#[derive(Serialize)]
struct Finding<'a> {
    id: &'static str,
    severity: sgaudit_audit::Severity,
    title: &'static str,
    message: &'a str,
    controls: &'static [&'static str],
}

#[derive(Serialize)]
struct Coverage<'a> {
    account_id: &'a str,
    region: &'a str,
    source: &'a str,
    state: &'static str,
    requests: u32,
    items: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a sgaudit_snapshot::SourceError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Account<'a> {
    account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    /// `read`, `unreachable` or `skipped`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a sgaudit_snapshot::SourceError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<&'a str>,
}

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        sgaudit_version: &snapshot.sgaudit_version,
        collected_at: snapshot.collected_at.as_deref(),
        summary: Summary {
            groups: audit.groups.len(),
            by_status: [Status::InUse, Status::Unused, Status::Unknown]
                .into_iter()
                .map(|s| (s.id(), audit.count_status(s)))
                .collect(),
            by_risk: Risk::ALL.into_iter().map(|r| (r.id(), audit.count_risk(r))).collect(),
            by_outcome: [Outcome::Fail, Outcome::NotEvaluated, Outcome::Pass]
                .into_iter()
                .map(|o| (o.id(), audit.count_outcome(o)))
                .collect(),
            partial: audit.is_partial(),
            estate: audit.estate,
        },
        families: audit.families.iter().map(|f| f.id()).collect(),
        security_groups: audit.groups.iter().map(group).collect(),
        results: audit.results.iter().map(result).collect(),
        coverage: snapshot
            .regions
            .iter()
            .flat_map(|r| r.coverage.iter().map(move |c| coverage(&r.account_id, &r.region, c)))
            .collect(),
        account_coverage: snapshot
            .account_evidence
            .iter()
            .flat_map(|e| e.coverage.iter().map(move |c| coverage(&e.account_id, &e.region, c)))
            .collect(),
        accounts: snapshot
            .accounts
            .iter()
            .map(|a| Account {
                account_id: &a.account_id,
                name: a.name.as_deref(),
                profile: a.profile.as_deref(),
                state: match (&a.error, &a.skipped) {
                    (Some(_), _) => "unreachable",
                    (None, Some(_)) => "skipped",
                    (None, None) => "read",
                },
                error: a.error.as_ref(),
                skipped: a.skipped.as_deref(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn coverage<'a>(account_id: &'a str, region: &'a str, c: &'a SourceCoverage) -> Coverage<'a> {
    let (state, error, reason) = match &c.state {
        CoverageState::Complete => ("complete", None, None),
        CoverageState::Denied { error } => ("denied", Some(error), None),
        CoverageState::Failed { error } => ("failed", Some(error), None),
        CoverageState::NotApplicable { reason } => ("not_applicable", None, Some(reason.as_str())),
    };
    Coverage { account_id, region, source: &c.source, state, requests: c.requests, items: c.items, error, reason }
}

fn result(r: &CheckResult) -> ResultEntry<'_> {
    ResultEntry {
        check: r.check.id,
        title: r.check.title,
        family: r.check.family.id(),
        outcome: r.outcome.id(),
        severity: r.severity.id(),
        account_id: &r.location.account_id,
        region: r.location.region.as_deref(),
        resource_type: r.location.resource_type,
        resource: &r.location.resource,
        evidence: &r.evidence,
        controls: r.check.controls,
    }
}

fn group<'a>(v: &'a GroupVerdict<'a>) -> Group<'a> {
    Group {
        account_id: v.account_id,
        region: v.region,
        group_id: &v.group.group_id,
        group_name: &v.group.group_name,
        vpc_id: v.group.vpc_id.as_deref(),
        description: &v.group.description,
        owner_id: &v.group.owner_id,
        is_default: v.is_default,
        status: v.status,
        risk: v.risk,
        used_by: v
            .used_by
            .iter()
            .map(|u| UsedBy { kind: u.kind.id(), id: u.id, via: u.via, source: u.source, detail: u.detail.as_deref() })
            .collect(),
        referenced_by: &v.referenced_by,
        missing_evidence: &v.missing_evidence,
        findings: v
            .findings
            .iter()
            .map(|f| Finding {
                id: f.id,
                severity: f.severity,
                title: f.title,
                message: &f.message,
                controls: f.controls,
            })
            .collect(),
        not_evaluated: &v.not_evaluated,
        world_open_ports: &v.exposure.high_risk_ports,
        tags: &v.group.tags,
        ingress: &v.group.ingress,
        egress: &v.group.egress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::demo;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn document(snapshot: &Snapshot) -> Value {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, snapshot, &audit).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn version_2_lists_the_families_and_every_result() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let doc = document(&snapshot);
        assert_eq!(doc["schema_version"], 2);
        assert_eq!(doc["families"], serde_json::json!(["groups", "network", "iam", "cloudtrail", "s3"]));
        let results = doc["results"].as_array().unwrap();
        assert_eq!(results.len(), audit.results.len());
        for (entry, r) in results.iter().zip(&audit.results) {
            let keys: BTreeSet<&str> = entry.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "check",
                    "title",
                    "family",
                    "outcome",
                    "severity",
                    "account_id",
                    "region",
                    "resource_type",
                    "resource",
                    "evidence",
                    "controls"
                ]),
                "every result has every field"
            );
            assert_eq!(entry["check"], r.check.id);
            assert_eq!(entry["outcome"], r.outcome.id());
            assert_eq!(entry["severity"], r.severity.id());
            assert_eq!(entry["family"], r.check.family.id());
            assert_eq!(entry["resource"], r.location.resource.as_str());
            assert_eq!(entry["resource_type"], r.location.resource_type);
            assert_eq!(entry["evidence"], r.evidence.as_str());
            assert_eq!(entry["controls"], serde_json::json!(r.check.controls));
            match &r.location.region {
                Some(region) => assert_eq!(entry["region"], region.as_str()),
                None => assert!(entry["region"].is_null(), "an account-wide result: region null"),
            }
        }
        let find = |check: &str, resource: &str| {
            results
                .iter()
                .find(|e| e["check"] == check && e["resource"] == resource)
                .unwrap_or_else(|| panic!("{check}"))
        };
        let root = find("iam-root-mfa", "arn:aws:iam::123456789012:root");
        assert_eq!((root["outcome"].as_str(), root["severity"].as_str()), (Some("pass"), Some("informational")));
        assert!(root["region"].is_null());
        let user = find("iam-user-mfa", "arn:aws:iam::123456789012:user/=2+5");
        assert_eq!((user["outcome"].as_str(), user["resource_type"].as_str()), (Some("fail"), Some("AwsIamUser")));
        let trail = find("cloudtrail-region-logged", "AWS::::Account:123456789012");
        assert_eq!(trail["outcome"], "not_evaluated");
    }

    #[test]
    fn the_summary_counts_outcomes_and_partial_covers_checks_not_evaluated() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let doc = document(&snapshot);
        let by_outcome = doc["summary"]["by_outcome"].as_object().unwrap();
        assert_eq!(by_outcome.keys().collect::<Vec<_>>(), ["fail", "not_evaluated", "pass"]);
        let sum: u64 = by_outcome.values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(sum as usize, audit.results.len());
        assert!(by_outcome.values().all(|v| v.as_u64() > Some(0)), "{by_outcome:?}");
        assert_eq!(doc["summary"]["partial"], true);

        // Every region and account read in full: partial only because a check was not evaluated.
        let mut whole = demo();
        for region in &mut whole.regions {
            for c in &mut region.coverage {
                c.state = sgaudit_snapshot::CoverageState::Complete;
            }
        }
        for bucket in &mut whole.account_evidence[0].buckets {
            bucket.errors.clear();
        }
        let audit = sgaudit_audit::audit(&whole);
        assert!(audit.regions.iter().all(|r| r.complete));
        let not_evaluated = audit.count_outcome(Outcome::NotEvaluated);
        assert_eq!(document(&whole)["summary"]["partial"], not_evaluated > 0);
        whole.account_evidence[0].coverage[0].state = sgaudit_snapshot::CoverageState::Denied {
            error: sgaudit_snapshot::SourceError {
                code: "AccessDenied".into(),
                message: "no".into(),
                action: Some("iam:GenerateCredentialReport".into()),
                scp_deny: false,
            },
        };
        let doc = document(&whole);
        assert_eq!(doc["summary"]["partial"], true, "a credential report not read leaves IAM checks not evaluated");
        assert!(doc["summary"]["by_outcome"]["not_evaluated"].as_u64() > Some(not_evaluated as u64));
    }

    #[test]
    fn account_wide_sources_have_their_own_coverage() {
        let snapshot = demo();
        let doc = document(&snapshot);
        let coverage = doc["account_coverage"].as_array().unwrap();
        let sources: Vec<&str> = coverage.iter().map(|c| c["source"].as_str().unwrap()).collect();
        assert_eq!(sources, sgaudit_snapshot::posture::ACCOUNT_SOURCES);
        for c in coverage {
            assert_eq!((c["account_id"].as_str(), c["region"].as_str()), (Some("123456789012"), Some("eu-west-1")));
            assert_eq!(c["state"], "complete");
        }
        // The regional coverage is what it was.
        assert!(doc["coverage"].as_array().unwrap().iter().all(|c| !sources.contains(&c["source"].as_str().unwrap())));
    }

    /// The group part of the document is frozen: version 2 changed none of its fields. (The document is read
    /// back into maps, which do not keep the order of keys: sets are compared.)
    #[test]
    fn a_group_has_the_fields_of_version_1() {
        let doc = document(&demo());
        let groups = doc["security_groups"].as_array().unwrap();
        assert_eq!(groups.len(), 20);
        for g in groups {
            let keys: BTreeSet<&str> = g.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "account_id",
                    "region",
                    "group_id",
                    "group_name",
                    "vpc_id",
                    "description",
                    "owner_id",
                    "is_default",
                    "status",
                    "risk",
                    "used_by",
                    "referenced_by",
                    "missing_evidence",
                    "findings",
                    "not_evaluated",
                    "world_open_ports",
                    "tags",
                    "ingress",
                    "egress"
                ])
            );
            for f in g["findings"].as_array().unwrap() {
                let keys: BTreeSet<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(keys, BTreeSet::from(["id", "severity", "title", "message", "controls"]));
            }
        }
        let top: BTreeSet<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            top,
            BTreeSet::from([
                "schema_version",
                "sgaudit_version",
                "collected_at",
                "families",
                "summary",
                "security_groups",
                "results",
                "coverage",
                "account_coverage",
                "accounts"
            ])
        );
    }

    #[test]
    fn a_scan_of_the_groups_alone_has_no_results() {
        let mut snapshot = demo();
        snapshot.families = vec![sgaudit_snapshot::Family::Groups];
        let doc = document(&snapshot);
        assert_eq!(doc["families"], serde_json::json!(["groups"]));
        assert_eq!(doc["results"], serde_json::json!([]));
        assert_eq!(doc["summary"]["by_outcome"], serde_json::json!({"fail": 0, "not_evaluated": 0, "pass": 0}));
        assert_eq!(doc["security_groups"].as_array().map(Vec::len), Some(20));
    }
}

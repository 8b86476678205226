//! The JSON document: a frozen, versioned shape, separate from the internal types, so that internal
//! changes don't break the scripts that read it.

use std::io::Write;

use serde::Serialize;
use sgaudit_audit::{Audit, GroupVerdict, Risk, Status};
use sgaudit_snapshot::{CoverageState, Snapshot};

/// Bumped on any change that could break a reader; additions of fields keep it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    sgaudit_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    collected_at: Option<&'a str>,
    summary: Summary,
    security_groups: Vec<Group<'a>>,
    coverage: Vec<Coverage<'a>>,
    accounts: Vec<Account<'a>>,
}

#[derive(Serialize)]
struct Summary {
    groups: usize,
    by_status: std::collections::BTreeMap<&'static str, usize>,
    by_risk: std::collections::BTreeMap<&'static str, usize>,
    /// True when some evidence could not be read (exit code 3).
    partial: bool,
    /// How much of the estate was read.
    estate: sgaudit_audit::Estate,
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
            partial: audit.is_partial(),
            estate: audit.estate,
        },
        security_groups: audit.groups.iter().map(group).collect(),
        coverage: snapshot
            .regions
            .iter()
            .flat_map(|r| {
                r.coverage.iter().map(move |c| {
                    let (state, error, reason) = match &c.state {
                        CoverageState::Complete => ("complete", None, None),
                        CoverageState::Denied { error } => ("denied", Some(error), None),
                        CoverageState::Failed { error } => ("failed", Some(error), None),
                        CoverageState::NotApplicable { reason } => ("not_applicable", None, Some(reason.as_str())),
                    };
                    Coverage {
                        account_id: &r.account_id,
                        region: &r.region,
                        source: &c.source,
                        state,
                        requests: c.requests,
                        items: c.items,
                        error,
                        reason,
                    }
                })
            })
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

//! What changed between two runs: groups created and deleted, status and risk changes, new and resolved
//! findings. Pure: it compares what the store gives back, and its result is a frozen, versioned document
//! (`schema_version`, described in docs/store.md) that the terminal, JSON and HTML outputs share.
//!
//! Only the account-regions both runs looked at are compared: a group absent from a run that did not look at
//! its region is not "deleted", and the document says which places were left out.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{CoverageRow, FindingRow, GroupRow, Place, RunKind, RunSummary};

/// The version of the [`Diff`] document. A field added is not a new version; a field renamed, removed or
/// changed in meaning is.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// One run as read back from the store, whole enough to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunData {
    pub summary: RunSummary,
    pub groups: Vec<GroupRow>,
    pub findings: Vec<FindingRow>,
    pub coverage: Vec<CoverageRow>,
}

/// Which run a side of the diff is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRef {
    pub id: String,
    pub kind: RunKind,
    pub started_at: String,
    /// When its estate was read (the snapshot's time for a re-judged snapshot).
    pub observed_at: String,
}

impl RunRef {
    fn of(summary: &RunSummary) -> RunRef {
        RunRef {
            id: summary.id.clone(),
            kind: summary.kind,
            started_at: summary.started_at.clone(),
            observed_at: summary.observed_at().to_string(),
        }
    }
}

/// A group whose status or risk is not what it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub account: String,
    pub region: String,
    pub group_id: String,
    /// Its name in the newer run.
    pub name: String,
    pub from: String,
    pub to: String,
}

/// The difference from run `from` (older) to run `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub schema_version: u32,
    pub from: RunRef,
    pub to: RunRef,
    /// The account-regions both runs looked at: everything below is about these only.
    pub places_compared: Vec<Place>,
    pub places_only_in_from: Vec<Place>,
    pub places_only_in_to: Vec<Place>,
    /// New groups, the riskiest first.
    pub created: Vec<GroupRow>,
    pub deleted: Vec<GroupRow>,
    /// Became unused first, then became unknown, then became in use.
    pub status_changes: Vec<Change>,
    /// Risk raised first (to the highest level first), then lowered.
    pub risk_changes: Vec<Change>,
    /// Findings (`fail` results) in `to` that `from` did not have: the most severe first.
    pub new_findings: Vec<FindingRow>,
    /// Findings of `from` that `to` no longer fails (passed, or its resource is gone).
    pub resolved_findings: Vec<FindingRow>,
}

impl Diff {
    /// Nothing changed in the places compared.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.deleted.is_empty()
            && self.status_changes.is_empty()
            && self.risk_changes.is_empty()
            && self.new_findings.is_empty()
            && self.resolved_findings.is_empty()
    }
}

/// A risk or severity id's rank: the higher, the worse; an unknown id ranks below `none`.
pub fn level_rank(level: &str) -> u8 {
    match level {
        "critical" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "informational" | "none" => 1,
        _ => 0,
    }
}

/// The order status changes are told in: what may be cleaned up first, then what lost its proof.
fn status_rank(status: &str) -> u8 {
    match status {
        "unused" => 0,
        "unknown" => 1,
        "in_use" => 2,
        _ => 3,
    }
}

type FindingKey<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

fn finding_key(finding: &FindingRow) -> FindingKey<'_> {
    (&finding.check_id, &finding.account, finding.region.as_deref(), &finding.resource)
}

fn group_key(group: &GroupRow) -> (&str, &str, &str) {
    (&group.account, &group.region, &group.group_id)
}

/// A run's findings (its `fail` results) in the places compared, by key.
fn fails<'r>(run: &'r RunData, in_scope: &dyn Fn(&FindingRow) -> bool) -> BTreeMap<FindingKey<'r>, &'r FindingRow> {
    run.findings.iter().filter(|f| f.outcome == "fail" && in_scope(f)).map(|f| (finding_key(f), f)).collect()
}

/// Compares run `a` (the older) with run `b`.
pub fn diff(a: &RunData, b: &RunData) -> Diff {
    let places_a: BTreeSet<Place> = a.coverage.iter().map(|c| Place::new(&c.account, &c.region)).collect();
    let places_b: BTreeSet<Place> = b.coverage.iter().map(|c| Place::new(&c.account, &c.region)).collect();
    let compared: BTreeSet<&Place> = places_a.intersection(&places_b).collect();
    let accounts: BTreeSet<&str> = compared.iter().map(|p| p.account.as_str()).collect();
    let in_place = |account: &str, region: &str| compared.iter().any(|p| p.account == account && p.region == region);
    // An account-wide finding (no region) is compared when both runs looked at some region of its account.
    let finding_in_scope = |f: &FindingRow| match &f.region {
        Some(region) => in_place(&f.account, region),
        None => accounts.contains(f.account.as_str()),
    };

    let groups_a: BTreeMap<_, &GroupRow> =
        a.groups.iter().filter(|g| in_place(&g.account, &g.region)).map(|g| (group_key(g), g)).collect();
    let groups_b: BTreeMap<_, &GroupRow> =
        b.groups.iter().filter(|g| in_place(&g.account, &g.region)).map(|g| (group_key(g), g)).collect();

    let mut created: Vec<GroupRow> =
        groups_b.iter().filter(|(key, _)| !groups_a.contains_key(*key)).map(|(_, g)| (*g).clone()).collect();
    created.sort_by(|x, y| {
        (Reverse(level_rank(&x.risk)), group_key(x)).cmp(&(Reverse(level_rank(&y.risk)), group_key(y)))
    });
    let deleted: Vec<GroupRow> =
        groups_a.iter().filter(|(key, _)| !groups_b.contains_key(*key)).map(|(_, g)| (*g).clone()).collect();

    let mut status_changes = Vec::new();
    let mut risk_changes = Vec::new();
    for (key, before) in &groups_a {
        let Some(after) = groups_b.get(key) else { continue };
        let change = |from: &str, to: &str| Change {
            account: after.account.clone(),
            region: after.region.clone(),
            group_id: after.group_id.clone(),
            name: after.name.clone(),
            from: from.to_string(),
            to: to.to_string(),
        };
        if before.status != after.status {
            status_changes.push(change(&before.status, &after.status));
        }
        if before.risk != after.risk {
            risk_changes.push(change(&before.risk, &after.risk));
        }
    }
    let change_place = |c: &Change| (c.account.clone(), c.region.clone(), c.group_id.clone());
    status_changes.sort_by_key(|c| (status_rank(&c.to), change_place(c)));
    // Raised before lowered; among the raised, the highest level reached first.
    risk_changes.sort_by_key(|c| {
        let raised = level_rank(&c.to) > level_rank(&c.from);
        (Reverse(raised), Reverse(level_rank(&c.to)), change_place(c))
    });

    let fails_a = fails(a, &finding_in_scope);
    let fails_b = fails(b, &finding_in_scope);
    let mut new_findings: Vec<FindingRow> =
        fails_b.iter().filter(|(key, _)| !fails_a.contains_key(*key)).map(|(_, f)| (*f).clone()).collect();
    let mut resolved_findings: Vec<FindingRow> =
        fails_a.iter().filter(|(key, _)| !fails_b.contains_key(*key)).map(|(_, f)| (*f).clone()).collect();
    let by_severity = |x: &FindingRow, y: &FindingRow| {
        (Reverse(level_rank(&x.severity)), &x.account, &x.region, &x.resource, &x.check_id).cmp(&(
            Reverse(level_rank(&y.severity)),
            &y.account,
            &y.region,
            &y.resource,
            &y.check_id,
        ))
    };
    new_findings.sort_by(by_severity);
    resolved_findings.sort_by(by_severity);

    Diff {
        schema_version: DIFF_SCHEMA_VERSION,
        from: RunRef::of(&a.summary),
        to: RunRef::of(&b.summary),
        places_compared: compared.into_iter().cloned().collect(),
        places_only_in_from: places_a.difference(&places_b).cloned().collect(),
        places_only_in_to: places_b.difference(&places_a).cloned().collect(),
        created,
        deleted,
        status_changes,
        risk_changes,
        new_findings,
        resolved_findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str) -> RunSummary {
        RunSummary {
            id: id.to_string(),
            kind: RunKind::Scan,
            started_at: "2026-12-01T00:00:00Z".to_string(),
            finished_at: "2026-12-01T00:01:00Z".to_string(),
            duration_ms: 60_000,
            caller_arn: None,
            sgaudit_version: "0.1.0".to_string(),
            from_snapshot: false,
            collected_at: None,
            families: vec!["ec2".to_string()],
            security_hub_pushed: false,
            counts: BTreeMap::new(),
            places: 0,
            places_complete: 0,
            scope: String::new(),
        }
    }

    fn place(account: &str, region: &str) -> CoverageRow {
        CoverageRow {
            account: account.to_string(),
            region: region.to_string(),
            complete: true,
            sources_read: 1,
            sources: 1,
            unreadable: String::new(),
        }
    }

    fn group(region: &str, id: &str, status: &str, risk: &str) -> GroupRow {
        GroupRow {
            account: "111111111111".to_string(),
            region: region.to_string(),
            group_id: id.to_string(),
            name: format!("name-{id}"),
            vpc_id: Some("vpc-1".to_string()),
            is_default: false,
            status: status.to_string(),
            risk: risk.to_string(),
            unused_since: None,
            uses: 0,
            evidence: String::new(),
            marked_in_use: None,
        }
    }

    fn finding(region: Option<&str>, check: &str, resource: &str, severity: &str, outcome: &str) -> FindingRow {
        FindingRow {
            check_id: check.to_string(),
            account: "111111111111".to_string(),
            region: region.map(str::to_string),
            resource_type: "AwsEc2SecurityGroup".to_string(),
            resource: resource.to_string(),
            group_id: Some(resource.to_string()),
            severity: severity.to_string(),
            outcome: outcome.to_string(),
            title: check.to_string(),
            message: String::new(),
            muted_reason: None,
            muted_owner: None,
            finding_id: None,
            filed_region: None,
        }
    }

    fn run(id: &str, regions: &[&str], groups: Vec<GroupRow>, findings: Vec<FindingRow>) -> RunData {
        RunData {
            summary: summary(id),
            groups,
            findings,
            coverage: regions.iter().map(|r| place("111111111111", r)).collect(),
        }
    }

    #[test]
    fn a_place_only_one_run_looked_at_is_left_out_not_deleted() {
        let a = run(
            "a",
            &["eu-west-1", "us-east-1"],
            vec![group("eu-west-1", "sg-1", "in_use", "none"), group("us-east-1", "sg-2", "unused", "none")],
            vec![finding(Some("us-east-1"), "sg-world-open-ssh", "sg-2", "high", "fail")],
        );
        let b = run("b", &["eu-west-1"], vec![group("eu-west-1", "sg-1", "in_use", "none")], vec![]);
        let d = diff(&a, &b);
        assert_eq!(d.places_compared, vec![Place::new("111111111111", "eu-west-1")]);
        assert_eq!(d.places_only_in_from, vec![Place::new("111111111111", "us-east-1")]);
        assert!(d.places_only_in_to.is_empty());
        assert!(d.deleted.is_empty(), "sg-2's region was not looked at: {:?}", d.deleted);
        assert!(d.resolved_findings.is_empty());
        assert!(d.is_empty());
    }

    #[test]
    fn groups_created_deleted_and_changed() {
        let a = run(
            "a",
            &["eu-west-1"],
            vec![
                group("eu-west-1", "sg-gone", "unused", "none"),
                group("eu-west-1", "sg-idle", "in_use", "none"),
                group("eu-west-1", "sg-blind", "in_use", "low"),
                group("eu-west-1", "sg-back", "unused", "high"),
            ],
            vec![],
        );
        let b = run(
            "b",
            &["eu-west-1"],
            vec![
                group("eu-west-1", "sg-idle", "unused", "none"),
                group("eu-west-1", "sg-blind", "unknown", "critical"),
                group("eu-west-1", "sg-back", "in_use", "low"),
                group("eu-west-1", "sg-new-low", "in_use", "low"),
                group("eu-west-1", "sg-new-crit", "in_use", "critical"),
            ],
            vec![],
        );
        let d = diff(&a, &b);
        let ids = |groups: &[GroupRow]| groups.iter().map(|g| g.group_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.created), ["sg-new-crit", "sg-new-low"], "the riskiest new group first");
        assert_eq!(ids(&d.deleted), ["sg-gone"]);
        let changes =
            |c: &[Change]| c.iter().map(|c| format!("{}:{}>{}", c.group_id, c.from, c.to)).collect::<Vec<_>>();
        assert_eq!(
            changes(&d.status_changes),
            ["sg-idle:in_use>unused", "sg-blind:in_use>unknown", "sg-back:unused>in_use"]
        );
        assert_eq!(changes(&d.risk_changes), ["sg-blind:low>critical", "sg-back:high>low"]);
    }

    #[test]
    fn only_failures_are_findings_and_the_most_severe_come_first() {
        let a = run(
            "a",
            &["eu-west-1"],
            vec![],
            vec![
                finding(Some("eu-west-1"), "sg-world-open-ssh", "sg-1", "high", "fail"),
                finding(Some("eu-west-1"), "sg-world-open-rdp", "sg-2", "high", "pass"),
                finding(Some("eu-west-1"), "sg-default-open", "sg-3", "medium", "fail"),
                finding(None, "iam-something", "acct", "low", "not_evaluated"),
            ],
        );
        let b = run(
            "b",
            &["eu-west-1"],
            vec![],
            vec![
                finding(Some("eu-west-1"), "sg-world-open-ssh", "sg-1", "high", "pass"),
                finding(Some("eu-west-1"), "sg-world-open-rdp", "sg-2", "high", "fail"),
                finding(Some("eu-west-1"), "sg-default-open", "sg-3", "medium", "fail"),
                finding(Some("eu-west-1"), "sg-world-open-all", "sg-4", "critical", "fail"),
                finding(None, "iam-something", "acct", "low", "fail"),
            ],
        );
        let d = diff(&a, &b);
        let keys = |f: &[FindingRow]| f.iter().map(|f| format!("{}@{}", f.check_id, f.resource)).collect::<Vec<_>>();
        assert_eq!(
            keys(&d.new_findings),
            ["sg-world-open-all@sg-4", "sg-world-open-rdp@sg-2", "iam-something@acct"],
            "pass→fail is new, an account-wide finding is compared too, critical first"
        );
        assert_eq!(
            keys(&d.resolved_findings),
            ["sg-world-open-ssh@sg-1"],
            "fail→pass is resolved; fail→fail is neither"
        );
    }

    #[test]
    fn the_document_is_versioned() {
        let a = run("a", &["eu-west-1"], vec![], vec![]);
        let json = serde_json::to_value(diff(&a, &a)).expect("serializes");
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["from"]["id"], "a");
        assert_eq!(json["places_compared"][0]["region"], "eu-west-1");
    }
}

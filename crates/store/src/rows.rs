//! The plain rows the store takes and gives. The store knows nothing of the audit's types: the binary turns a
//! judged estate into these, so the schema (and the people who query it) never follow an internal refactoring.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What a run did. Stored as its id (`scan`, `cleanup`, `restore`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    Scan,
    Cleanup,
    Restore,
}

impl RunKind {
    pub const ALL: [RunKind; 3] = [RunKind::Scan, RunKind::Cleanup, RunKind::Restore];

    /// The id stored in `runs.kind`.
    pub fn id(self) -> &'static str {
        match self {
            RunKind::Scan => "scan",
            RunKind::Cleanup => "cleanup",
            RunKind::Restore => "restore",
        }
    }

    pub fn from_id(id: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|kind| kind.id() == id)
    }
}

impl fmt::Display for RunKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Everything one run leaves in the store, written in one transaction by [`crate::Store::record`].
///
/// Timestamps are RFC 3339; the store keeps them as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds: see
/// [`crate::timestamp`]), so one given with an offset or a fraction reads back in that form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Given by the caller: [`crate::run_id`] of the start time.
    pub id: String,
    pub kind: RunKind,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: i64,
    pub caller_arn: Option<String>,
    pub sgaudit_version: String,
    /// A re-judgement of a saved snapshot, not a live read of AWS.
    pub from_snapshot: bool,
    /// When the estate was read (the snapshot's time); the store dates a run's evidence by it when given.
    pub collected_at: Option<String>,
    /// The evidence families the run read (stored sorted, comma-separated).
    pub families: Vec<String>,
    pub security_hub_pushed: bool,
    /// Named counts, an open set: `groups`, `in_use`, `unused`, `unknown`, `risk_critical`, `findings`,
    /// `findings_muted`, `results_fail`, `false_positives`, … One row each in `run_counts`, easy to chart.
    pub counts: Vec<(String, i64)>,
    /// One per account-region the run looked at.
    pub coverage: Vec<CoverageRow>,
    pub groups: Vec<GroupRow>,
    pub findings: Vec<FindingRow>,
    /// JSON text for cleanup and restore runs: what was deleted or restored.
    pub detail: Option<String>,
    /// The snapshot JSON (`--store-snapshot`), kept as-is in its own table.
    pub snapshot: Option<String>,
}

/// What a run read in one account-region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub account: String,
    pub region: String,
    /// Every evidence source was read.
    pub complete: bool,
    pub sources_read: i64,
    pub sources: i64,
    /// The sources that could not be read and why, as one line of text ("" when none).
    pub unreadable: String,
}

/// One security group as a run judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub account: String,
    pub region: String,
    pub group_id: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub is_default: bool,
    /// `in_use`, `unused` or `unknown`.
    pub status: String,
    /// `critical`, `high`, `medium`, `low` or `none`.
    pub risk: String,
    /// The first run of the current unbroken streak in which the group was unused.
    pub unused_since: Option<String>,
    /// How many uses the run found.
    pub uses: i64,
    /// A short summary of the evidence.
    pub evidence: String,
    /// The reason of a `sgaudit mark --in-use`, when the group carries one.
    pub marked_in_use: Option<String>,
}

/// One check result of a run (a finding when its outcome is `fail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    pub check_id: String,
    pub account: String,
    /// None for an account-wide check.
    pub region: Option<String>,
    pub resource_type: String,
    pub resource: String,
    pub group_id: Option<String>,
    /// `critical`, `high`, `medium`, `low` or `informational`.
    pub severity: String,
    /// `fail`, `pass` or `not_evaluated`.
    pub outcome: String,
    pub title: String,
    pub message: String,
    pub muted_reason: Option<String>,
    pub muted_owner: Option<String>,
    /// Its stable id, the `Id` of its Security Hub finding (the same in every run); none in runs recorded
    /// before schema 2.
    pub finding_id: Option<String>,
    /// The region its Security Hub finding is filed in (an account-wide result's is its account's home
    /// region); none before schema 2.
    pub filed_region: Option<String>,
}

/// A run as `history` lists it: its row of `runs`, its counts and how many places it covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: String,
    pub kind: RunKind,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: i64,
    pub caller_arn: Option<String>,
    pub sgaudit_version: String,
    pub from_snapshot: bool,
    pub collected_at: Option<String>,
    pub families: Vec<String>,
    pub security_hub_pushed: bool,
    pub counts: BTreeMap<String, i64>,
    /// How many account-regions the run looked at, and how many of them completely.
    pub places: i64,
    pub places_complete: i64,
    /// A digest of the set of account-regions the run looked at: two runs with the same scope and the same
    /// families are comparable (their counts and groups can be set side by side).
    pub scope: String,
}

impl RunSummary {
    /// When the estate this run judged was read: the snapshot's time, else the run's start.
    pub fn observed_at(&self) -> &str {
        self.collected_at.as_deref().unwrap_or(&self.started_at)
    }

    /// Same kind, same places, same families: a diff or a trend between the two means something.
    pub fn comparable_with(&self, other: &RunSummary) -> bool {
        self.kind == other.kind && self.scope == other.scope && self.families == other.families
    }
}

/// For "unused since": a group's row in the latest scan run that looked at its account-region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSeen {
    pub run_id: String,
    /// When that run's estate was read ([`RunSummary::observed_at`]).
    pub at: String,
    pub account: String,
    pub region: String,
    pub status: String,
    pub unused_since: Option<String>,
}

/// A known use that sgaudit could not see (`sgaudit mark GROUP --in-use`): the group is never planned for
/// cleanup, and the mark counts as a false positive. One per group: marking again replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub group_id: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub reason: String,
    /// Who marked it.
    pub owner: String,
    pub at: String,
    /// `YYYY-MM-DD`: the mark stops counting after that day.
    pub expires: Option<String>,
}

/// An account-region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Place {
    pub account: String,
    pub region: String,
}

impl Place {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Place {
        Place { account: account.into(), region: region.into() }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.account, self.region)
    }
}

/// The scope digest of [`RunSummary::scope`]: FNV-1a (64 bits) over the sorted, deduplicated places. Stable
/// across builds and platforms (unlike std's hasher), so it can be compared between runs of different versions.
pub(crate) fn scope_digest<'a>(places: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut sorted: Vec<(&str, &str)> = places.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (account, region) in sorted {
        for byte in account.bytes().chain([0]).chain(region.bytes()).chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_digest_ignores_order_and_repeats_but_not_content() {
        let a = scope_digest([("1", "eu-west-1"), ("1", "us-east-1")]);
        let b = scope_digest([("1", "us-east-1"), ("1", "eu-west-1"), ("1", "us-east-1")]);
        assert_eq!(a, b);
        assert_ne!(a, scope_digest([("1", "eu-west-1")]));
        // The separator keeps ("12", "3") apart from ("1", "23").
        assert_ne!(scope_digest([("12", "3")]), scope_digest([("1", "23")]));
        assert_eq!(scope_digest([]), "cbf29ce484222325");
    }

    #[test]
    fn run_kind_ids_round_trip() {
        for kind in RunKind::ALL {
            assert_eq!(RunKind::from_id(kind.id()), Some(kind));
        }
        assert_eq!(RunKind::from_id("Scan"), None);
    }
}

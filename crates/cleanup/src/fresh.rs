//! Freshness, the pure part: a saved snapshot is applied from only while it is recent (and planned from only
//! when something of it is in the run's scope), and right before
//! deleting, the evidence of every affected account-region (read again by `sgaudit-collect`) is judged again
//! with the rest of the snapshot: only what both the plan and this fresh judgement call unused may go.

use std::path::{Path, PathBuf};

use sgaudit_snapshot::text::printable;
use sgaudit_snapshot::time::parse_rfc3339_ms;
use sgaudit_snapshot::Snapshot;

use crate::plan::{judge, Entry, Plan, Scope};
use crate::reason::Reason;

/// Why a saved snapshot may not be applied from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaleSnapshot {
    #[error(
        "{} does not say when it was collected: --apply needs a snapshot of at most {max_hours} hour(s) (or plan \
         from a fresh scan)",
        .path.display()
    )]
    Undated { path: PathBuf, max_hours: u32 },
    #[error("{}: collected_at `{}` is not an RFC 3339 time", .path.display(), printable(.collected_at))]
    Unreadable { path: PathBuf, collected_at: String },
    #[error(
        "{} says it was collected at {collected_at}, in the future: check the clock; nothing was changed",
        .path.display()
    )]
    InTheFuture { path: PathBuf, collected_at: String },
    #[error(
        "{} was collected {} hour(s) ago, more than --max-snapshot-age {max_hours}: scan again (or plan from a fresh \
         scan); nothing was changed",
        .path.display(),
        .age_secs / 3600
    )]
    TooOld { path: PathBuf, age_secs: i64, max_hours: u32 },
}

/// Why a saved snapshot (`--from-snapshot`) cannot be planned or applied from.
#[derive(Debug, thiserror::Error)]
pub enum SavedSnapshotError {
    #[error(transparent)]
    Load(#[from] sgaudit_snapshot::LoadError),
    #[error(transparent)]
    Stale(#[from] StaleSnapshot),
    #[error(
        "nothing in scope: no account-region of {} is within --accounts/--exclude-accounts/--region/--exclude-region",
        .path.display()
    )]
    OutOfScope { path: PathBuf },
}

/// The saved snapshot at `path` to plan from: loaded, recent enough at `now` when the plan is to be applied
/// (`max_hours`: `--max-snapshot-age`; `None` when nothing will be deleted), with something in `scope`.
pub fn saved_snapshot(
    path: &Path,
    scope: &Scope,
    max_hours: Option<u32>,
    now: i64,
) -> Result<Snapshot, SavedSnapshotError> {
    let snapshot = Snapshot::load(path)?;
    if let Some(max_hours) = max_hours {
        check_snapshot_age(&snapshot, path, max_hours, now)?;
    }
    if !snapshot.regions.iter().any(|r| scope.contains(&r.account_id, &r.region)) {
        return Err(SavedSnapshotError::OutOfScope { path: path.to_path_buf() });
    }
    Ok(snapshot)
}

/// When the snapshot was collected (epoch seconds), if it says so in RFC 3339.
pub fn collected_at(snapshot: &Snapshot) -> Option<i64> {
    snapshot.collected_at.as_deref().and_then(parse_rfc3339_ms).map(|ms| ms / 1000)
}

/// `--apply` from a saved snapshot (`path`): only a recent one (its groups may have changed since), at most
/// `max_hours` old at `now` (epoch seconds).
pub fn check_snapshot_age(snapshot: &Snapshot, path: &Path, max_hours: u32, now: i64) -> Result<(), StaleSnapshot> {
    let path = path.to_path_buf();
    let Some(at) = snapshot.collected_at.as_deref() else {
        return Err(StaleSnapshot::Undated { path, max_hours });
    };
    let Some(secs) = collected_at(snapshot) else {
        return Err(StaleSnapshot::Unreadable { path, collected_at: at.to_string() });
    };
    let age_secs = now - secs;
    if age_secs < -300 {
        return Err(StaleSnapshot::InTheFuture { path, collected_at: at.to_string() });
    }
    if age_secs > i64::from(max_hours) * 3600 {
        return Err(StaleSnapshot::TooOld { path, age_secs, max_hours });
    }
    Ok(())
}

/// The snapshot with the account-regions of `fresh` replaced by their fresh reading.
pub fn with_fresh_regions(old: &Snapshot, fresh: &Snapshot) -> Snapshot {
    let mut merged = old.clone();
    merged.regions.retain(|r| !fresh.regions.iter().any(|f| f.account_id == r.account_id && f.region == r.region));
    merged.regions.extend(fresh.regions.iter().cloned());
    merged.normalize();
    merged
}

/// What the fresh judgement changed.
#[derive(Debug, Clone)]
pub struct FreshJudgement {
    /// The groups it kept, with what was found.
    pub dropped: Vec<Entry>,
    /// Some were kept because their fresh evidence could not be read: kept for want of an answer.
    pub incomplete: bool,
}

impl Plan {
    /// The fresh judgement right before deleting: `fresh` (the affected account-regions read again) replaces
    /// their part of `planned_from` (the plan's snapshot), the whole is judged again, and every candidate
    /// not `unused` there is kept ([`Plan::recheck`]).
    pub fn judge_again(&mut self, planned_from: &Snapshot, fresh: &Snapshot) -> FreshJudgement {
        let before: std::collections::BTreeSet<String> = self.deletions().map(|e| e.group_id.clone()).collect();
        let merged = with_fresh_regions(planned_from, fresh);
        let audit = judge(&merged);
        self.recheck(&merged, &audit);
        let dropped: Vec<Entry> = self.kept().filter(|e| before.contains(&e.group_id)).cloned().collect();
        let incomplete = dropped.iter().any(|e| matches!(e.reason, Reason::UnknownInFreshScan { .. }));
        FreshJudgement { dropped, incomplete }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(collected_at: Option<&str>) -> Snapshot {
        Snapshot::new("test", collected_at.map(str::to_string))
    }

    #[test]
    fn only_a_recent_dated_snapshot_is_applied_from() {
        let path = Path::new("plan.json");
        let now = 1_795_406_488; // 2026-11-23T...
        let at = sgaudit_snapshot::time::format_rfc3339(now - 3 * 3600);
        assert_eq!(check_snapshot_age(&snapshot(Some(&at)), path, 4, now), Ok(()));
        let old = check_snapshot_age(&snapshot(Some(&at)), path, 2, now).unwrap_err();
        assert_eq!(
            old.to_string(),
            "plan.json was collected 3 hour(s) ago, more than --max-snapshot-age 2: scan again (or plan from a fresh \
             scan); nothing was changed"
        );
        let undated = check_snapshot_age(&snapshot(None), path, 24, now).unwrap_err();
        assert_eq!(
            undated.to_string(),
            "plan.json does not say when it was collected: --apply needs a snapshot of at most 24 hour(s) (or plan \
             from a fresh scan)"
        );
        let bad = check_snapshot_age(&snapshot(Some("yesterday\u{1b}[2J")), path, 24, now).unwrap_err();
        assert_eq!(bad.to_string(), "plan.json: collected_at `yesterday\\u{1b}[2J` is not an RFC 3339 time");
        let future = sgaudit_snapshot::time::format_rfc3339(now + 301);
        let ahead = check_snapshot_age(&snapshot(Some(&future)), path, 24, now).unwrap_err();
        assert!(matches!(ahead, StaleSnapshot::InTheFuture { .. }), "{ahead}");
        assert!(ahead.to_string().ends_with("in the future: check the clock; nothing was changed"), "{ahead}");
        // A clock a few minutes behind is no reason to refuse.
        let skew = sgaudit_snapshot::time::format_rfc3339(now + 299);
        assert_eq!(check_snapshot_age(&snapshot(Some(&skew)), path, 24, now), Ok(()));
    }
}

//! The trend of the runs: per run its counts and the metrics the monthly-audit practice tracks (the number of
//! unused groups, the time an audit takes — a slower one may mean throttling —, the false-positive rate), each
//! with its change since the previous comparable run. Pure: it reads [`RunSummary`]s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{RunKind, RunSummary};

/// One run's line of the trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    pub run_id: String,
    pub kind: RunKind,
    pub started_at: String,
    /// The previous run this one is compared with: the latest earlier scan with the same places and families.
    /// None for the first of its kind, and for cleanup and restore runs (their counts are not an estate's).
    pub compared_with: Option<String>,
    pub duration_ms: i64,
    pub duration_change_ms: Option<i64>,
    /// The `unused` count, when the run gave it.
    pub unused: Option<i64>,
    pub unused_change: Option<i64>,
    /// false_positives / unused: of the groups the evidence called unused (marked ones among them: a mark does
    /// not change the verdict), the share people showed to be in use (`sgaudit mark --in-use`). None without
    /// both counts, or with no unused group.
    pub false_positive_rate: Option<f64>,
    pub false_positive_rate_change: Option<f64>,
    pub counts: BTreeMap<String, i64>,
    /// The change of every count the two runs both have.
    pub count_changes: BTreeMap<String, i64>,
}

/// The false-positive rate of a run's counts (see [`TrendRow::false_positive_rate`]).
pub fn false_positive_rate(counts: &BTreeMap<String, i64>) -> Option<f64> {
    let unused = *counts.get("unused")?;
    let false_positives = *counts.get("false_positives")?;
    (unused > 0).then(|| false_positives as f64 / unused as f64)
}

/// The trend of `runs`, one row each, in the order given (the store gives newest first). Each scan is compared
/// with the latest scan before it (by start time) that is comparable ([`RunSummary::comparable_with`]).
pub fn trend(runs: &[RunSummary]) -> Vec<TrendRow> {
    runs.iter()
        .map(|run| {
            let previous = (run.kind == RunKind::Scan)
                .then(|| {
                    runs.iter()
                        .filter(|other| {
                            (other.started_at.as_str(), other.id.as_str()) < (run.started_at.as_str(), run.id.as_str())
                                && other.comparable_with(run)
                        })
                        .max_by(|x, y| (&x.started_at, &x.id).cmp(&(&y.started_at, &y.id)))
                })
                .flatten();
            let rate = false_positive_rate(&run.counts);
            let count_changes: BTreeMap<String, i64> = match previous {
                Some(previous) => run
                    .counts
                    .iter()
                    .filter_map(|(name, value)| previous.counts.get(name).map(|before| (name.clone(), value - before)))
                    .collect(),
                None => BTreeMap::new(),
            };
            TrendRow {
                run_id: run.id.clone(),
                kind: run.kind,
                started_at: run.started_at.clone(),
                compared_with: previous.map(|p| p.id.clone()),
                duration_ms: run.duration_ms,
                duration_change_ms: previous.map(|p| run.duration_ms - p.duration_ms),
                unused: run.counts.get("unused").copied(),
                unused_change: count_changes.get("unused").copied(),
                false_positive_rate: rate,
                false_positive_rate_change: previous
                    .and_then(|p| false_positive_rate(&p.counts))
                    .and_then(|before| rate.map(|now| now - before)),
                counts: run.counts.clone(),
                count_changes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, kind: RunKind, scope: &str, duration_ms: i64, counts: &[(&str, i64)]) -> RunSummary {
        RunSummary {
            id: id.to_string(),
            kind,
            started_at: format!("2026-{id}-01T00:00:00Z"),
            finished_at: format!("2026-{id}-01T00:10:00Z"),
            duration_ms,
            caller_arn: None,
            sgaudit_version: "0.1.0".to_string(),
            from_snapshot: false,
            collected_at: None,
            families: vec!["ec2".to_string()],
            security_hub_pushed: false,
            counts: counts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            places: 1,
            places_complete: 1,
            scope: scope.to_string(),
        }
    }

    #[test]
    fn each_scan_is_compared_with_the_latest_comparable_one_before_it() {
        // Newest first, as the store lists them.
        let runs = vec![
            run("04", RunKind::Scan, "eu", 90_000, &[("unused", 7), ("false_positives", 3), ("groups", 50)]),
            run("03", RunKind::Cleanup, "eu", 5_000, &[("deleted", 2)]),
            run("02", RunKind::Scan, "us", 10_000, &[("unused", 100), ("false_positives", 0)]),
            run("01", RunKind::Scan, "eu", 60_000, &[("unused", 9), ("false_positives", 1)]),
        ];
        let rows = trend(&runs);
        assert_eq!(rows.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), ["04", "03", "02", "01"]);

        let latest = &rows[0];
        assert_eq!(latest.compared_with.as_deref(), Some("01"), "02 looked at other places, 03 is a cleanup");
        assert_eq!(latest.unused, Some(7));
        assert_eq!(latest.unused_change, Some(-2));
        assert_eq!(latest.duration_change_ms, Some(30_000));
        let rate = latest.false_positive_rate.expect("the rate");
        assert!((rate - 3.0 / 7.0).abs() < 1e-9, "{rate}");
        let change = latest.false_positive_rate_change.expect("both runs give the rate");
        assert!((change - (3.0 / 7.0 - 1.0 / 9.0)).abs() < 1e-9, "{change}");
        assert_eq!(latest.count_changes.get("groups"), None, "a count the older run lacks has no change");

        assert_eq!(rows[1].compared_with, None, "cleanup counts are not an estate's");
        assert_eq!(rows[2].compared_with, None);
        assert_eq!(rows[2].false_positive_rate, Some(0.0));
        assert_eq!(rows[3].unused_change, None);
    }

    #[test]
    fn the_rate_needs_both_counts_and_a_denominator() {
        let counts = |pairs: &[(&str, i64)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        assert_eq!(false_positive_rate(&counts(&[("unused", 4)])), None);
        assert_eq!(false_positive_rate(&counts(&[("unused", 0), ("false_positives", 0)])), None);
        assert_eq!(false_positive_rate(&counts(&[("unused", 4), ("false_positives", 1)])), Some(0.25));
    }
}

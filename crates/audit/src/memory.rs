//! What earlier runs knew, brought to this one: when each unused group's current streak of `unused` verdicts
//! began ("unused since"). The history itself lives in the store (crates/store); this is the pure rule.

use std::collections::HashMap;

use crate::{Audit, Status};

/// A group as the latest earlier run that looked at its account-region saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    pub status: Status,
    /// When that run's streak of `unused` began, if it found the group unused.
    pub unused_since: Option<String>,
}

/// Sets [`crate::GroupVerdict::unused_since`] for every `unused` group: the start of the streak the latest
/// earlier run (that looked at the group's account-region) recorded, when that run also found it unused;
/// otherwise `observed_at`, the time this run's evidence was read — the streak starts now. Any other verdict
/// (`in_use`, and `unknown`: nothing proves it was unused then) ends a streak, so a group that was unknown in
/// between starts again from this run. Runs that did not look at a region say nothing either way; the store
/// leaves them out of `previous`.
pub fn apply(audit: &mut Audit, previous: &HashMap<String, Previous>, observed_at: &str) {
    for verdict in &mut audit.groups {
        verdict.unused_since =
            (verdict.status == Status::Unused).then(|| match previous.get(verdict.group.group_id.as_str()) {
                Some(Previous { status: Status::Unused, unused_since: Some(since) })
                    if not_after(since, observed_at) =>
                {
                    since.clone()
                }
                _ => observed_at.to_string(),
            });
    }
}

/// Whether `a` is no later than `b`, both RFC 3339; false when either cannot be read (a streak is never carried
/// on unproven).
fn not_after(a: &str, b: &str) -> bool {
    matches!((crate::time::parse(a), crate::time::parse(b)), (Some(a), Some(b)) if a <= b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgaudit_snapshot::Snapshot;

    fn demo() -> Snapshot {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot.json");
        Snapshot::load(std::path::Path::new(path)).expect("the demo snapshot loads")
    }

    fn first(audit: &Audit, status: Status) -> String {
        audit.groups.iter().find(|g| g.status == status).map(|g| g.group.group_id.clone()).expect("a group")
    }

    #[test]
    fn a_streak_goes_on_only_from_an_unused_verdict() {
        let snapshot = demo();
        let mut audit = crate::audit(&snapshot);
        let unused = first(&audit, Status::Unused);
        let in_use = first(&audit, Status::InUse);
        let now = "2026-12-01T10:00:00Z";
        let was = |status, since: Option<&str>| Previous { status, unused_since: since.map(str::to_string) };

        // No history: the streak starts with this run, for unused groups only.
        apply(&mut audit, &HashMap::new(), now);
        let since = |audit: &Audit, id: &str| {
            audit.groups.iter().find(|g| g.group.group_id == id).and_then(|g| g.unused_since.clone())
        };
        assert_eq!(since(&audit, &unused).as_deref(), Some(now));
        assert_eq!(since(&audit, &in_use), None);

        // Unused before: the earlier start carries on.
        let earlier = "2026-10-01T10:00:00Z";
        let previous = HashMap::from([(unused.clone(), was(Status::Unused, Some(earlier)))]);
        apply(&mut audit, &previous, now);
        assert_eq!(since(&audit, &unused).as_deref(), Some(earlier));

        // In use, or unknown, before: the streak starts again now.
        for status in [Status::InUse, Status::Unknown] {
            let previous = HashMap::from([(unused.clone(), was(status, None))]);
            apply(&mut audit, &previous, now);
            assert_eq!(since(&audit, &unused).as_deref(), Some(now), "after {status:?}");
        }

        // A "previous" run from after this evidence (a saved snapshot judged late) cannot start its streak.
        let later = HashMap::from([(unused.clone(), was(Status::Unused, Some("2026-12-24T00:00:00Z")))]);
        apply(&mut audit, &later, now);
        assert_eq!(since(&audit, &unused).as_deref(), Some(now));
    }
}

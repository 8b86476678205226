//! The plan's cost on the benchmark's synthetic estate (100,000 groups over 10 regions; not a test, and not
//! committed: bench/run.py writes it). Ignored unless asked for:
//!
//! ```text
//! python3 -c "import sys; sys.path.insert(0, 'bench'); import run; \
//!     run.synthetic_snapshot('/tmp/synthetic.json', 100000, 500000)"
//! SGAUDIT_BENCH_SNAPSHOT=/tmp/synthetic.json cargo test --workspace --test plan_timing -- --ignored --nocapture
//! ```
//!
//! It times what a cleanup of that estate does to its plan: the first draft, a scope that leaves two regions
//! out, the age rule in every other region (CloudTrail unreadable in one, a tenth of the candidates young in
//! the others), and 500 groups kept one by one (as the apply keeps those that became used).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Instant;

use sgaudit_cleanup::apply::User;
use sgaudit_cleanup::plan::DAY;
use sgaudit_cleanup::{CreationTimes, Plan, Protections, Reason, Scope};
use sgaudit_snapshot::Snapshot;

const NOW: i64 = 1_795_406_488;

#[test]
#[ignore = "needs the benchmark's synthetic snapshot (SGAUDIT_BENCH_SNAPSHOT)"]
fn plan_on_the_benchmark_estate() {
    let path = std::env::var("SGAUDIT_BENCH_SNAPSHOT").expect("SGAUDIT_BENCH_SNAPSHOT: the synthetic snapshot");
    let t = Instant::now();
    let snapshot = Snapshot::load(std::path::Path::new(&path)).unwrap();
    eprintln!("load: {:.2?} ({} regions)", t.elapsed(), snapshot.regions.len());
    let t = Instant::now();
    let options = sgaudit_audit::Options {
        families: Some(vec![sgaudit_snapshot::Family::Groups]),
        ..sgaudit_audit::Options::default()
    };
    let audit = sgaudit_audit::audit_with(&snapshot, &options);
    eprintln!("audit (groups): {:.2?}", t.elapsed());

    let protections = Protections::default();
    let started = Instant::now();
    let t = Instant::now();
    let mut plan = Plan::new(&snapshot, &audit, &protections);
    let candidates = plan.deletions().count();
    eprintln!("Plan::new: {:.2?} ({candidates} candidates, {} kept)", t.elapsed(), plan.kept().count());

    let regions: Vec<String> = snapshot.regions.iter().map(|r| r.region.clone()).collect();
    let t = Instant::now();
    let scope = Scope { exclude_regions: regions[8..].to_vec(), ..Scope::default() };
    plan.limit(&scope);
    eprintln!("limit (2 of 10 regions out): {:.2?} ({} candidates left)", t.elapsed(), plan.deletions().count());

    let t = Instant::now();
    let mut keeps = candidates - plan.deletions().count();
    for (i, (account_id, region)) in plan.regions_to_check().into_iter().enumerate() {
        let before = plan.deletions().count();
        if i == 0 {
            plan.check_age(&account_id, &region, Err("AccessDenied"), NOW, Some(NOW - 2 * 3600), &protections);
        } else {
            let created: HashMap<String, i64> =
                plan.deletions_in(&account_id, &region).step_by(10).map(|e| (e.group_id.clone(), NOW - DAY)).collect();
            let window = CreationTimes { since: NOW - 90 * DAY, created };
            plan.check_age(&account_id, &region, Ok(&window), NOW, Some(NOW - 2 * 3600), &protections);
        }
        keeps += before - plan.deletions().count();
    }
    eprintln!("check_age (8 regions): {:.2?} ({} candidates left)", t.elapsed(), plan.deletions().count());

    let t = Instant::now();
    let one_by_one: Vec<(String, String, String)> = plan
        .deletions()
        .step_by(20)
        .take(500)
        .map(|e| (e.account_id.clone(), e.region.clone(), e.group_id.clone()))
        .collect();
    for (a, r, g) in &one_by_one {
        plan.keep(a, r, g, Reason::BecameUsed { by: vec![User::Interface("eni-0".into())] });
    }
    keeps += one_by_one.len();
    eprintln!("keep x{}: {:.2?} ({} candidates left)", one_by_one.len(), t.elapsed(), plan.deletions().count());
    eprintln!(
        "plan total: {:.2?} ({candidates} candidates, {keeps} kept on the way, {} left)",
        started.elapsed(),
        plan.deletions().count()
    );
}

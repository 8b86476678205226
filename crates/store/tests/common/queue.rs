//! The scan queue's suite, written once like suite.rs: every function takes a new, empty store location, and
//! `queue_suite!` runs it over SQLite and over a real PostgreSQL server. Several workers are several `Store`s (each
//! its own pool of connections, as separate processes would be), running at once on the test's two threads.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sgaudit_store::{
    Access, Location, OpenError, QueueState, RunKind, Store, StoreError, ACCOUNT_UNIT, SCHEMA_VERSION,
};
use sqlx::{Connection, Row};

use super::{raw, scan};

const SCOPE: &str = r#"{"accounts":["all"],"families":["ec2","lambda"],"regions":["eu-west-1","us-east-1"]}"#;
const LONG: Duration = Duration::from_secs(600);

async fn open(location: &Location) -> Store {
    Store::open(location, Access::ReadWrite).await.unwrap_or_else(|e| panic!("open {}: {e}", location.shown()))
}

/// `accounts` accounts (12-digit ids) × the regions, plus each account's account-wide unit.
fn units(accounts: usize, regions: &[&str]) -> Vec<(String, String)> {
    let mut units = Vec::new();
    for a in 0..accounts {
        let account = format!("{:012}", 100_000_000_000u64 + a as u64 * 7_919);
        units.push((account.clone(), ACCOUNT_UNIT.to_string()));
        for region in regions {
            units.push((account.clone(), region.to_string()));
        }
    }
    units
}

/// The regions of 200 units with 20 accounts (9 regions and the account unit each).
const NINE_REGIONS: [&str; 9] = [
    "ap-northeast-1",
    "ap-south-1",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-2",
];

async fn attempts(location: &Location, scan_id: &str) -> Vec<(String, String, i64)> {
    let mut conn = raw(location).await;
    let rows = sqlx::query(
        "SELECT account_id, region, attempts FROM scan_units WHERE scan_id = $1 ORDER BY account_id, region",
    )
    .bind(scan_id)
    .fetch_all(&mut conn)
    .await
    .expect("attempts");
    let _ = conn.close().await;
    rows.iter()
        .map(|row| (row.try_get(0).expect("account"), row.try_get(1).expect("region"), row.try_get(2).expect("n")))
        .collect()
}

/// Eight creators of one scan at once, from four stores: exactly one creates it, none fails, and its units are
/// there once. Then the same scope again is a no-op, another scope is refused, and bad units are refused.
pub async fn queue_creation_races_create_it_once(location: Location) {
    open(&location).await.close().await;
    let stores: Vec<Arc<Store>> = {
        let mut stores = Vec::new();
        for _ in 0..4 {
            stores.push(Arc::new(open(&location).await));
        }
        stores
    };
    let all = units(20, &NINE_REGIONS);
    let mut creators = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = Arc::clone(&stores[i % stores.len()]);
        let all = all.clone();
        creators.spawn(async move { store.create_scan("scan-race", SCOPE, &all).await });
    }
    let mut created = 0;
    while let Some(result) = creators.join_next().await {
        if result.expect("a creator ran").expect("no creator fails") {
            created += 1;
        }
    }
    assert_eq!(created, 1, "exactly one creator creates the scan");
    let store = &stores[0];
    let progress = store.progress("scan-race").await.expect("progress");
    assert_eq!((progress.total, progress.pending, progress.claimed, progress.done), (200, 200, 0, 0));
    assert!(!progress.is_complete());
    let queue = store.scan_queue("scan-race").await.expect("scan_queue").expect("the queue is there");
    assert_eq!((queue.scan_id.as_str(), queue.scope.as_str(), queue.state), ("scan-race", SCOPE, QueueState::Open));
    assert_eq!((queue.finished_at, queue.run_id), (None, None));
    assert_eq!(queue.created_at.len(), "2026-12-01T00:00:00Z".len(), "{}", queue.created_at);

    assert!(!store.create_scan("scan-race", SCOPE, &all[..3]).await.expect("the same scope joins"));
    assert_eq!(store.progress("scan-race").await.expect("progress").total, 200, "joining adds no unit");

    let error = store.create_scan("scan-race", r#"{"accounts":["other"]}"#, &all).await.expect_err("another scope");
    assert!(matches!(&error, StoreError::ScopeMismatch { scan_id, .. } if scan_id == "scan-race"), "{error:?}");
    assert!(error.to_string().contains("already holds scan scan-race with another scope"), "{error}");
    assert!(!error.to_string().contains('\n'));

    let twice = vec![all[0].clone(), all[1].clone(), all[0].clone()];
    let error = store.create_scan("scan-twice", SCOPE, &twice).await.expect_err("a unit twice");
    assert!(matches!(error, StoreError::Invalid { .. }), "{error:?}");
    assert!(error.to_string().contains("is given twice"), "{error}");
    assert!(store.create_scan("", SCOPE, &all).await.is_err(), "a scan needs an id");
    assert_eq!(store.scan_queue("scan-twice").await.expect("scan_queue"), None, "a refused scan leaves nothing");
    for store in &stores {
        store.close().await;
    }
}

/// Three workers (three stores) claim from 200 units at once, in small batches, completing as they go, until none
/// is left: every unit is claimed exactly once and done, none lost, each claimed once (attempts 1).
pub async fn claims_are_exclusive_under_concurrent_claimers(location: Location) {
    let setup = open(&location).await;
    let all = units(20, &NINE_REGIONS);
    assert!(setup.create_scan("scan-share", SCOPE, &all).await.expect("create"));
    setup.close().await;

    let mut workers = tokio::task::JoinSet::new();
    for w in 0..3 {
        let store = open(&location).await;
        workers.spawn(async move {
            let worker = format!("worker-{w}");
            let mut mine = Vec::new();
            loop {
                let batch = store.claim("scan-share", &worker, 7, LONG).await.expect("claim");
                if batch.is_empty() {
                    break;
                }
                assert!(batch.len() <= 7);
                assert!(batch.windows(2).all(|pair| pair[0] < pair[1]), "a batch is in claim order: {batch:?}");
                for (account, region) in &batch {
                    let part = format!(r#"{{"by":"{worker}","unit":"{account}/{region}"}}"#);
                    assert!(store.complete("scan-share", &worker, account, region, &part).await.expect("complete"));
                }
                mine.extend(batch);
                tokio::task::yield_now().await;
            }
            store.close().await;
            (worker, mine)
        });
    }
    let mut claimed: Vec<(String, String)> = Vec::new();
    let mut per_worker = Vec::new();
    while let Some(result) = workers.join_next().await {
        let (worker, mine) = result.expect("a worker ran");
        per_worker.push((worker, mine.len()));
        claimed.extend(mine);
    }
    let distinct: HashSet<&(String, String)> = claimed.iter().collect();
    assert_eq!(claimed.len(), 200, "every unit claimed once, none twice: {per_worker:?}");
    assert_eq!(distinct.len(), 200);
    assert_eq!(distinct, all.iter().collect::<HashSet<_>>(), "no unit lost");
    eprintln!("{}: units per worker {per_worker:?}", location.shown());

    let store = open(&location).await;
    let progress = store.progress("scan-share").await.expect("progress");
    assert_eq!((progress.total, progress.pending, progress.claimed, progress.done), (200, 0, 0, 200));
    assert!(progress.is_complete());
    assert!(progress.workers.is_empty(), "{:?}", progress.workers);
    assert!(attempts(&location, "scan-share").await.iter().all(|(_, _, n)| *n == 1), "each unit claimed once");
    // Each part is its claimer's.
    let parts = store.parts("scan-share").await.expect("parts");
    assert_eq!(parts.len(), 200);
    for (account, region, part) in &parts {
        assert!(part.ends_with(&format!(r#""unit":"{account}/{region}"}}"#)), "{part}");
    }
    store.close().await;
}

/// A worker that claims and never completes (it died): another gets nothing while the lease runs, and takes its
/// units over once it has run out. The first part stored wins, whoever stored it.
pub async fn an_expired_lease_is_taken_over_and_not_before(location: Location) {
    let (dead, alive) = (open(&location).await, open(&location).await);
    let all = units(1, &["eu-west-1", "us-east-1"]);
    dead.create_scan("scan-lease", SCOPE, &all).await.expect("create");
    let lease = Duration::from_secs(3);
    let claimed_at = Instant::now();
    let taken = dead.claim("scan-lease", "dead", 10, lease).await.expect("claim");
    assert_eq!(taken, { all.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>() });

    assert!(alive.claim("scan-lease", "alive", 10, lease).await.expect("claim").is_empty(), "not while it runs");
    let progress = alive.progress("scan-lease").await.expect("progress");
    assert!(claimed_at.elapsed() < lease, "the machine was too slow to check before the lease ran out");
    assert_eq!((progress.claimed, progress.expired, progress.workers.clone()), (3, 0, vec!["dead".to_string()]));

    tokio::time::sleep(lease + Duration::from_millis(300)).await;
    let progress = alive.progress("scan-lease").await.expect("progress");
    assert_eq!((progress.claimed, progress.expired), (3, 3));
    assert!(progress.workers.is_empty(), "a worker whose leases ran out holds nothing: {:?}", progress.workers);

    let retaken = alive.claim("scan-lease", "alive", 10, LONG).await.expect("claim");
    assert_eq!(retaken, taken, "taken over after the lease");
    assert!(attempts(&location, "scan-lease").await.iter().all(|(_, _, n)| *n == 2));
    assert_eq!(alive.progress("scan-lease").await.expect("progress").workers, ["alive"]);

    // The "dead" worker was only slow: it finishes one unit first, and its part stays.
    let (account, region) = &taken[0];
    assert!(dead.complete("scan-lease", "dead", account, region, r#"{"first":true}"#).await.expect("complete"));
    assert!(!alive.complete("scan-lease", "alive", account, region, r#"{"first":false}"#).await.expect("complete"));
    for (account, region) in &retaken[1..] {
        assert!(alive.complete("scan-lease", "alive", account, region, "{}").await.expect("complete"));
    }
    let parts = alive.parts("scan-lease").await.expect("parts");
    assert_eq!(parts[0], (account.clone(), region.clone(), r#"{"first":true}"#.to_string()), "the first part wins");
    assert!(alive.claim("scan-lease", "alive", 10, LONG).await.expect("claim").is_empty(), "a done unit is done");
    dead.close().await;
    alive.close().await;
}

/// A long unit renewed while its worker lives is not taken over; once the worker stops renewing, it is.
pub async fn a_renewed_lease_is_not_taken_over(location: Location) {
    let (slow, other) = (open(&location).await, open(&location).await);
    let all = units(2, &["eu-west-1"]);
    slow.create_scan("scan-renew", SCOPE, &all).await.expect("create");
    // Generous against a loaded machine: a renewal may come up to two thirds of a lease late.
    let lease = Duration::from_millis(2_400);
    let mine = slow.claim("scan-renew", "slow", 10, lease).await.expect("claim");
    assert_eq!(mine.len(), 4);
    // Renewing a third of the way through the lease, for twice the lease.
    let until = Instant::now() + 2 * lease;
    while Instant::now() < until {
        tokio::time::sleep(lease / 3).await;
        assert_eq!(slow.renew("scan-renew", "slow", &mine, lease).await.expect("renew"), 4);
        assert!(other.claim("scan-renew", "other", 10, lease).await.expect("claim").is_empty(), "renewed: kept");
    }
    // Another worker cannot renew what it does not hold; a done unit is not renewed either.
    assert_eq!(other.renew("scan-renew", "other", &mine, LONG).await.expect("renew"), 0);
    assert!(slow.complete("scan-renew", "slow", &mine[0].0, &mine[0].1, "{}").await.expect("complete"));
    assert_eq!(slow.renew("scan-renew", "slow", &mine, lease).await.expect("renew"), 3);
    tokio::time::sleep(lease + Duration::from_millis(300)).await;
    assert_eq!(other.claim("scan-renew", "other", 10, LONG).await.expect("claim"), &mine[1..], "no longer renewed");
    // Renewing many units at once (more than one statement's worth).
    let many = units(700, &[]);
    slow.create_scan("scan-many", SCOPE, &many).await.expect("create");
    let claimed = slow.claim("scan-many", "slow", 1_000, lease).await.expect("claim");
    assert_eq!(claimed.len(), 700);
    assert_eq!(slow.renew("scan-many", "slow", &claimed, LONG).await.expect("renew"), 700);
    slow.close().await;
    other.close().await;
}

/// Two workers completing one unit at once (from two stores): exactly one stores its part. A unit the scan does
/// not have is an error, not a quiet false.
pub async fn a_unit_is_completed_once(location: Location) {
    let (a, b) = (Arc::new(open(&location).await), Arc::new(open(&location).await));
    let all = units(30, &["eu-west-1"]);
    a.create_scan("scan-once", SCOPE, &all).await.expect("create");
    for (account, region) in &all {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        let (first, second) = tokio::join!(
            a.complete("scan-once", "a", account, region, r#""a""#),
            b.complete("scan-once", "b", account, region, r#""b""#)
        );
        let (first, second) = (first.expect("complete"), second.expect("complete"));
        assert!(first != second, "{account}/{region}: exactly one completes ({first}, {second})");
        let stored = a.parts_after("scan-once", None, 1_000).await.expect("parts");
        let (_, _, part) = stored.iter().find(|(acc, reg, _)| acc == account && reg == region).expect("stored");
        assert_eq!(part, if first { r#""a""# } else { r#""b""# }, "the part of the one that completed it");
    }
    let error = a.complete("scan-once", "a", "999999999999", "eu-west-1", "{}").await.expect_err("no such unit");
    assert!(matches!(error, StoreError::UnknownUnit { .. }), "{error:?}");
    assert!(error.to_string().contains("has no unit 999999999999/eu-west-1"), "{error}");
    assert!(a.progress("scan-once").await.expect("progress").is_complete());
    a.close().await;
    b.close().await;
}

/// A worker stopping cleanly gives its claims back: another takes them at once, not after the lease. Another
/// worker's claims are not touched.
pub async fn release_gives_claims_back(location: Location) {
    let store = open(&location).await;
    let all = units(5, &["eu-west-1"]);
    store.create_scan("scan-release", SCOPE, &all).await.expect("create");
    let a = store.claim("scan-release", "a", 4, LONG).await.expect("claim");
    let b = store.claim("scan-release", "b", 2, LONG).await.expect("claim");
    assert_eq!((a.len(), b.len()), (4, 2));
    assert!(store.complete("scan-release", "a", &a[0].0, &a[0].1, "{}").await.expect("complete"));
    assert_eq!(store.release("scan-release", "a").await.expect("release"), 3, "its unfinished claims only");
    let progress = store.progress("scan-release").await.expect("progress");
    assert_eq!((progress.pending, progress.claimed, progress.done), (4 + 3, 2, 1));
    assert_eq!(progress.workers, ["b"]);
    let c = store.claim("scan-release", "c", 100, LONG).await.expect("claim");
    assert_eq!(c.len(), 7, "the released and the never-claimed, at once");
    assert!(a[1..].iter().all(|unit| c.contains(unit)));
    assert!(b.iter().all(|unit| !c.contains(unit)), "b's claims are b's");
    assert_eq!(store.release("scan-release", "nobody").await.expect("release"), 0);
    store.close().await;

    // The query of docs/store.md's "Scan queue" (a plain fence: the suite's ```sql blocks need runs) runs here.
    let doc = include_str!("../../../../docs/store.md");
    let section = &doc[doc.find("## Scan queue").expect("the section")..];
    let body = &section[section.find("```\n").expect("its query") + 4..];
    let query = &body[..body.find("```").expect("a closed fence")];
    assert!(query.trim_start().starts_with("SELECT"), "{query}");
    assert_eq!(super::run_natively(&location, query).await, 2, "claimed and done: {query}");
}

/// An interrupted run (it claimed, completed some, and died without releasing) is resumed: the newest open scan
/// of the same scope is found, what is done is skipped, and claims give exactly the rest once the dead run's
/// leases have run out.
pub async fn a_resumed_scan_collects_only_the_rest(location: Location) {
    let all = units(3, &["eu-west-1", "us-east-1", "us-west-2"]);
    let first = open(&location).await;
    first.create_scan("20261201T000000Z-0000a1", SCOPE, &all).await.expect("create");
    let claimed = first.claim("20261201T000000Z-0000a1", "first", 5, Duration::from_secs(1)).await.expect("claim");
    for (account, region) in &claimed[..3] {
        assert!(first.complete("20261201T000000Z-0000a1", "first", account, region, "{}").await.expect("complete"));
    }
    first.close().await; // Killed: its two other claims stay, under a lease.

    let resumed = open(&location).await;
    // An older open scan of the same scope and an open scan of another scope are not the one resumed.
    resumed.create_scan("20261130T000000Z-0000a0", SCOPE, &all[..2]).await.expect("create");
    resumed.create_scan("20261201T000000Z-0000b1", r#"{"accounts":["x"]}"#, &all).await.expect("create");
    let mut conn = raw(&location).await;
    sqlx::query("UPDATE scan_queues SET created_at = '2026-11-30T00:00:00Z' WHERE scan_id = '20261130T000000Z-0000a0'")
        .execute(&mut conn)
        .await
        .expect("an older queue");
    let _ = conn.close().await;
    let queue = resumed.last_open_scan(SCOPE).await.expect("last_open_scan").expect("an open scan of this scope");
    assert_eq!(queue.scan_id, "20261201T000000Z-0000a1");
    assert_eq!(resumed.last_open_scan(r#"{"accounts":["y"]}"#).await.expect("last_open_scan"), None);

    let done = resumed.done_units(&queue.scan_id).await.expect("done_units");
    assert_eq!(done, claimed[..3].iter().cloned().collect::<HashSet<_>>());
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let rest = resumed.claim(&queue.scan_id, "resumed", 100, LONG).await.expect("claim");
    assert_eq!(rest.len(), all.len() - 3);
    assert!(rest.iter().all(|unit| !done.contains(unit)), "nothing done is collected again");
    let mut everything: Vec<(String, String)> = rest.iter().chain(done.iter()).cloned().collect();
    everything.sort();
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(everything, expected, "done and the rest are the whole scan");

    // An abandoned scan is never resumed; the older open one of the same scope is then the newest.
    assert!(resumed.abandon(&queue.scan_id).await.expect("abandon"));
    assert!(!resumed.abandon(&queue.scan_id).await.expect("abandon again"));
    assert!(resumed.claim(&queue.scan_id, "resumed", 100, LONG).await.expect("claim").is_empty(), "abandoned");
    let next = resumed.last_open_scan(SCOPE).await.expect("last_open_scan").expect("the older one");
    assert_eq!(next.scan_id, "20261130T000000Z-0000a0");
    assert_eq!(
        resumed.scan_queue(&queue.scan_id).await.expect("scan_queue").expect("kept").state,
        QueueState::Abandoned
    );
    resumed.close().await;
}

/// Parts come back whole (hostile text, large ones) and by account then region, whatever the order they were
/// completed in, page after page; units not done give none.
pub async fn parts_come_back_whole_and_in_order(location: Location) {
    let store = open(&location).await;
    let all = units(60, &["eu-west-1", "us-east-1", "us-west-2", "ap-south-1", "eu-central-1"]);
    assert_eq!(all.len(), 360);
    store.create_scan("scan-parts", SCOPE, &all).await.expect("create");
    // Completed in an order unlike the claim order: every seventh unit, round and round.
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|i| (i % 7, std::cmp::Reverse(*i)));
    let big = format!(r#"{{"groups":["{}"]}}"#, "sg-0123456789abcdef0".repeat(1_000));
    let part_of = |i: usize| match i % 3 {
        0 => format!(r#"{{"n":{i},"name":"o'brien\"; DROP TABLE scan_units; --\nnom-é-🔥"}}"#),
        1 => format!(r#"{{"n":{i},"big":{big}}}"#),
        _ => format!(r#"{{"n":{i}}}"#),
    };
    let skipped: HashSet<usize> = [5, 100, 359].into_iter().collect();
    for &i in &order {
        if !skipped.contains(&i) {
            let (account, region) = &all[i];
            assert!(store.complete("scan-parts", "w", account, region, &part_of(i)).await.expect("complete"));
        }
    }
    let mut expected: Vec<(String, String, String)> = (0..all.len())
        .filter(|i| !skipped.contains(i))
        .map(|i| (all[i].0.clone(), all[i].1.clone(), part_of(i)))
        .collect();
    expected.sort();
    let parts = store.parts("scan-parts").await.expect("parts");
    assert_eq!(parts.len(), 357);
    assert!(parts == expected, "parts differ from what was completed, or are out of order");

    // Paging by hand gives the same.
    let mut paged = Vec::new();
    loop {
        let after = paged.last().map(|(a, r, _): &(String, String, String)| (a.clone(), r.clone()));
        let page = store
            .parts_after("scan-parts", after.as_ref().map(|(a, r)| (a.as_str(), r.as_str())), 50)
            .await
            .expect("a page");
        assert!(page.len() <= 50);
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert!(paged == expected, "paging loses or repeats parts");
    assert!(store.parts("no-such-scan").await.expect("parts").is_empty());
    store.close().await;
}

/// A second sgaudit starting a scan of the same id for other accounts is refused, and the scan is left as it was.
pub async fn another_scope_is_refused(location: Location) {
    let store = open(&location).await;
    let all = units(2, &["eu-west-1"]);
    assert!(store.create_scan("scan-scope", SCOPE, &all).await.expect("create"));
    let other = SCOPE.replace("eu-west-1", "eu-west-2");
    let error = store.create_scan("scan-scope", &other, &units(2, &["eu-west-2"])).await.expect_err("another scope");
    assert!(matches!(error, StoreError::ScopeMismatch { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "the store at {} already holds scan scan-scope with another scope (accounts, regions or families): \
             start a new scan or give the same scope",
            location.shown()
        )
    );
    assert_eq!(store.scan_queue("scan-scope").await.expect("scan_queue").expect("kept").scope, SCOPE);
    assert_eq!(store.progress("scan-scope").await.expect("progress").total, 4);
    assert_eq!(store.last_open_scan(&other).await.expect("last_open_scan"), None);
    store.close().await;
}

/// Finishing: refused while units are left; once all are done, exactly one of several finishers at once does it
/// and names the run; then nothing is claimed and nothing more finishes. Unknown scans are told as such; a
/// deleted scan is gone whole.
pub async fn a_scan_is_finished_once(location: Location) {
    let store = Arc::new(open(&location).await);
    let all = units(2, &["eu-west-1"]);
    store.create_scan("scan-finish", SCOPE, &all).await.expect("create");
    let error = store.finish("scan-finish", Some("run-1")).await.expect_err("units are left");
    assert!(matches!(error, StoreError::ScanUnfinished { left: 4, .. }), "{error:?}");
    assert!(error.to_string().contains("cannot finish: 4 of its units are not done"), "{error}");
    for (account, region) in store.claim("scan-finish", "w", 10, LONG).await.expect("claim") {
        store.complete("scan-finish", "w", &account, &region, "{}").await.expect("complete");
    }
    let mut finishers = tokio::task::JoinSet::new();
    for i in 0..4 {
        let store = Arc::clone(&store);
        finishers.spawn(async move { (i, store.finish("scan-finish", Some(&format!("run-{i}"))).await) });
    }
    let mut winners = Vec::new();
    while let Some(result) = finishers.join_next().await {
        let (i, finished) = result.expect("a finisher ran");
        if finished.expect("finish") {
            winners.push(i);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one finisher: {winners:?}");
    let queue = store.scan_queue("scan-finish").await.expect("scan_queue").expect("kept");
    assert_eq!(queue.state, QueueState::Finished);
    assert_eq!(queue.run_id, Some(format!("run-{}", winners[0])));
    assert!(queue.finished_at.is_some());
    assert!(store.claim("scan-finish", "w", 10, LONG).await.expect("claim").is_empty());
    assert!(!store.abandon("scan-finish").await.expect("abandon"), "a finished scan stays finished");
    assert_eq!(store.last_open_scan(SCOPE).await.expect("last_open_scan"), None);
    assert_eq!(store.parts("scan-finish").await.expect("parts").len(), 4, "its parts stay for the run");

    for error in [
        store.finish("no-such-scan", None).await.expect_err("unknown"),
        store.abandon("no-such-scan").await.expect_err("unknown"),
        store.claim("no-such-scan", "w", 1, LONG).await.expect_err("unknown"),
        store.progress("no-such-scan").await.expect_err("unknown"),
    ] {
        assert!(matches!(error, StoreError::UnknownScan { .. }), "{error:?}");
        assert!(error.to_string().ends_with("holds no scan no-such-scan"), "{error}");
    }

    assert!(store.delete_scan("scan-finish").await.expect("delete"));
    assert!(!store.delete_scan("scan-finish").await.expect("delete again"));
    assert_eq!(store.scan_queue("scan-finish").await.expect("scan_queue"), None);
    assert!(store.done_units("scan-finish").await.expect("done_units").is_empty(), "its units went with it");
    store.close().await;
}

/// A store as a schema-2 build left it (tests/fixtures/store_v2.sql): a reader refuses it until a writer has
/// upgraded it; the writer brings it to the current schema, what it held reads back, and it takes scans.
pub async fn a_schema_2_store_migrates_and_takes_scans(location: Location) {
    let mut conn = raw(&location).await;
    for sql in [
        include_str!("../../migrations/0001_runs.sql"),
        include_str!("../../migrations/0002_finding_ids.sql"),
        include_str!("../fixtures/store_v2.sql"),
    ] {
        sqlx::raw_sql(sql).execute(&mut conn).await.expect("schema 2 and its fixture");
    }
    let _ = conn.close().await;

    let read_only = Store::open(&location, Access::ReadOnly).await;
    assert!(matches!(read_only, Err(OpenError::Outdated { found: 2, .. })), "{read_only:?}");

    let store = open(&location).await;
    let mut conn = raw(&location).await;
    let versions: Vec<i64> = sqlx::query("SELECT version FROM sgaudit_schema ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .expect("versions")
        .iter()
        .map(|row| row.try_get(0).expect("a version"))
        .collect();
    let _ = conn.close().await;
    assert_eq!(versions, (1..=SCHEMA_VERSION).collect::<Vec<_>>());

    let runs = store.runs(None).await.expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].id.as_str(), runs[0].kind), ("20261120T080000Z-00e5f6", RunKind::Scan));
    let findings = store.findings(&runs[0].id).await.expect("findings");
    assert_eq!(findings[0].finding_id.as_deref(), Some("sgaudit/111111111111/eu-west-1/sg-0ccc/sg-world-open-ssh"));
    assert_eq!(findings[0].filed_region.as_deref(), Some("eu-west-1"));

    let all = units(1, &["eu-west-1"]);
    assert!(store.create_scan("scan-after-upgrade", SCOPE, &all).await.expect("create"));
    assert_eq!(store.claim("scan-after-upgrade", "w", 5, LONG).await.expect("claim").len(), 2);
    store
        .record(&scan("20261201T020000Z-00c3d4", "2026-12-01T02:00:00Z", &["eu-west-1"], vec![], vec![]))
        .await
        .expect("record");
    assert!(store.complete("scan-after-upgrade", "w", &all[0].0, &all[0].1, "{}").await.expect("complete"));
    store.close().await;
    Store::open(&location, Access::ReadOnly).await.expect("an upgraded store opens read-only").close().await;
}

/// An organisation's queue: 1,000 accounts × 17 regions and their account units (18,000), claimed 16 at a time by
/// three workers that complete each unit with a 2 KB part, then every part read back. Prints the times (and, on
/// PostgreSQL, the plan of a claim's pick). `cargo test -p sgaudit-store --test store_sqlite --test store_postgres
/// -- --ignored --nocapture queue_timing`.
pub async fn queue_timing(location: Location) {
    const REGIONS: [&str; 17] = [
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    ];
    let all = units(1_000, &REGIONS);
    let setup = open(&location).await;
    let started = Instant::now();
    setup.create_scan("scan-org", SCOPE, &all).await.expect("create");
    let created = started.elapsed();
    setup.close().await;

    let part = format!(r#"{{"groups":"{}"}}"#, "x".repeat(2_000));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..3 {
        let store = open(&location).await;
        let part = part.clone();
        workers.spawn(async move {
            let worker = format!("worker-{w}");
            let mut n = 0usize;
            loop {
                let batch = store.claim("scan-org", &worker, 16, LONG).await.expect("claim");
                if batch.is_empty() {
                    break;
                }
                for (account, region) in &batch {
                    assert!(store.complete("scan-org", &worker, account, region, &part).await.expect("complete"));
                }
                n += batch.len();
            }
            store.close().await;
            n
        });
    }
    let mut total = 0;
    while let Some(n) = workers.join_next().await {
        total += n.expect("a worker ran");
    }
    let collected = started.elapsed();
    assert_eq!(total, all.len());

    let store = open(&location).await;
    let started = Instant::now();
    let parts = store.parts("scan-org").await.expect("parts");
    let read = started.elapsed();
    assert_eq!(parts.len(), all.len());
    store.close().await;
    eprintln!(
        "{}: {} units created in {created:.2?}; claimed 16 at a time and completed by 3 workers in {collected:.2?}; \
         {} parts read back in {read:.2?}",
        location.shown(),
        all.len(),
        parts.len()
    );
    if let Location::Postgres(url) = &location {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("a PostgreSQL connection");
        sqlx::query("UPDATE scan_units SET state = 'pending' WHERE account_id > '100007000000'")
            .execute(&mut conn)
            .await
            .expect("units to claim again");
        sqlx::query("ANALYZE scan_units").execute(&mut conn).await.expect("analyze");
        let plan = sqlx::query(
            "EXPLAIN SELECT account_id, region FROM scan_units WHERE scan_id = 'scan-org' AND state <> 'done' \
             AND (state = 'pending' OR lease_until < 0) ORDER BY account_id, region LIMIT 16 FOR UPDATE SKIP LOCKED",
        )
        .fetch_all(&mut conn)
        .await
        .expect("the plan");
        for row in plan {
            eprintln!("  {}", row.try_get::<String, _>(0).expect("a plan line"));
        }
    }
}

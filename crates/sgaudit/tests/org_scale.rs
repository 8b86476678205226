//! Organisation scale (issue 15), small enough for CI: the benchmark's simulator (crates/simulator) stands in for
//! AWS, in the test process, with throttling, expiring sessions and latency; the real binary scans it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;

use common::sim::{config, Sim};

/// Groups the simulator makes in each account-region (its default estate).
const GROUPS_PER_REGION: usize = 20;

/// Every coverage entry (per account-region and account-wide) of a JSON report, by state.
fn coverage_states(doc: &Value) -> BTreeMap<String, usize> {
    let mut states = BTreeMap::new();
    for key in ["coverage", "account_coverage"] {
        for c in doc[key].as_array().unwrap_or_else(|| panic!("no {key} in the report")) {
            *states.entry(c["state"].as_str().unwrap().to_string()).or_insert(0) += 1;
        }
    }
    states
}

/// How many groups of each status a JSON report has.
fn groups_by_status(doc: &Value) -> BTreeMap<String, usize> {
    let mut by = BTreeMap::new();
    for g in doc["security_groups"].as_array().unwrap() {
        *by.entry(g["status"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    by
}

#[test]
fn fifty_accounts_with_throttling_are_read_whole_with_the_minimum_of_requests() {
    let (accounts, regions) = (50, 3);
    let sim = Sim::start(sgaudit_simulator::Config {
        // Buckets this tight are met by every service with more than three calls per account-region (SageMaker has
        // six): with 5 tokens, some runs met only two throttles.
        service_rate: sgaudit_simulator::Rate { capacity: 3.0, refill_per_sec: 3.0 },
        latency_p99_ms: 40.0,
        ..config(accounts, regions, 5.0)
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let started = Instant::now();
    let run = sim.sgaudit(&[
        "scan",
        "--org",
        "--all-regions",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
        "--no-store",
        "--quiet",
    ]);
    let took = started.elapsed();
    let stats = sim.stats();
    eprintln!(
        "scan took {took:?}; simulator: {} requests, {} distinct, {} throttled, max {} in flight",
        stats.requests, stats.distinct, stats.throttled, stats.max_in_flight
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.code == 0 || run.code == 1, "exit {} (3 is partial coverage): {}", run.code, run.stderr);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();

    // Every source of every account-region, and every account-wide one, read whole.
    let unread = common::unread(&doc);
    assert!(unread.is_empty(), "{} sources not read whole, e.g. {:?}", unread.len(), &unread[..unread.len().min(5)]);
    let account_unread: Vec<&Value> =
        doc["account_coverage"].as_array().unwrap().iter().filter(|c| c["state"] != "complete").collect();
    assert!(account_unread.is_empty(), "{account_unread:?}");
    let mut places: BTreeMap<(String, String), usize> = BTreeMap::new();
    for c in doc["coverage"].as_array().unwrap() {
        *places.entry((c["account_id"].as_str().unwrap().into(), c["region"].as_str().unwrap().into())).or_insert(0) +=
            1;
    }
    assert_eq!(places.len(), accounts as usize * regions, "account-regions covered: {:?}", coverage_states(&doc));
    let estate = &doc["summary"]["estate"];
    assert_eq!(estate["accounts_read"], accounts, "{estate}");
    assert_eq!(estate["accounts"], accounts, "{estate}");
    assert_eq!(estate["sources_read"], estate["sources"], "{estate}");
    assert_eq!(doc["summary"]["partial"], false, "{}", doc["summary"]);

    // Every group of every account-region, none `unknown`.
    let by_status = groups_by_status(&doc);
    let groups = accounts as usize * regions * GROUPS_PER_REGION;
    assert_eq!(doc["summary"]["groups"], groups, "{by_status:?}");
    assert_eq!(by_status.values().sum::<usize>(), groups, "{by_status:?}");
    assert_eq!(by_status.get("unknown"), None, "{by_status:?}");
    assert!(by_status.get("unused").is_some_and(|n| *n > 0), "{by_status:?}");
    // Each account's groups were read with its own credentials, though its clients are shared with the other
    // members (crates/collect/src/clients.rs): the simulator answers with the estate of the account the access
    // key belongs to, whose groups it owns, so a request signed for another account would show here.
    let groups_list = doc["security_groups"].as_array().unwrap();
    let foreign: Vec<&Value> = groups_list.iter().filter(|g| g["owner_id"] != g["account_id"]).take(3).collect();
    assert!(foreign.is_empty(), "groups of another account: {foreign:?}");
    let owners: std::collections::BTreeSet<&str> = groups_list.iter().filter_map(|g| g["owner_id"].as_str()).collect();
    assert_eq!(owners.len(), accounts as usize, "{owners:?}");

    // Throttles were met, and every one absorbed by a retry (nothing above was left unread); beyond retries, at
    // most 5 % more requests than the minimum (the simulator's distinct count).
    assert!(stats.throttled > 0, "the buckets are meant to throttle: {stats:?}");
    assert_eq!(stats.expired, 0);
    assert_eq!(stats.unrecognised, 0);
    // Per API: no call repeated but for a retry, except the duplicates the product is known to make (measured
    // 2026-12-01): ecs:ListClusters once for each of its two sources per account-region, and the management
    // account's sts:GetCallerIdentity once more; and (issue 16) elbv2's DescribeLoadBalancers, read by
    // elbv2-load-balancers and again by elbv2-listeners, so that a denied DescribeListeners costs reachability
    // only, never the load balancers' evidence of use.
    for (api, counts) in &stats.per_api {
        let known = match api.as_str() {
            "ecs:ListClusters" | "elasticloadbalancingv2:DescribeLoadBalancers" => counts.distinct,
            "sts:GetCallerIdentity" => 1,
            _ => 0,
        };
        assert!(counts.requests <= counts.distinct + counts.throttled + known, "{api} repeated: {counts:?}");
    }
    let allowed = stats.distinct + stats.distinct / 20 + stats.throttled;
    assert!(
        stats.requests <= allowed,
        "{} requests for {} distinct and {} throttled (at most {allowed})",
        stats.requests,
        stats.distinct,
        stats.throttled
    );
}

/// The coverage entries (per account-region and account-wide) of one account that were not read whole.
fn unread_of(doc: &Value, account: &str) -> Vec<String> {
    let mut unread = Vec::new();
    for key in ["coverage", "account_coverage"] {
        for c in doc[key].as_array().unwrap() {
            if c["account_id"] == account && c["state"] != "complete" && c["state"] != "not_applicable" {
                unread.push(format!("{} {} {}: {}", c["region"], c["source"], c["state"], c["error"]));
            }
        }
    }
    unread
}

#[test]
fn sessions_that_expire_mid_scan_are_refreshed_and_one_that_cannot_be_leaves_its_account_incomplete() {
    let (accounts, regions) = (4, 2);
    // The last member: its first session (account setup) is granted, every later one refused.
    let refused: u64 = 100_000_000_003;
    let session_seconds = 12;
    let sim = Sim::start(sgaudit_simulator::Config {
        session_seconds,
        refuse_refresh: vec![refused],
        ..config(accounts, regions, 70.0)
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let started = Instant::now();
    let run = sim.sgaudit(&[
        "scan",
        "--org",
        "--all-regions",
        "--concurrency",
        "4",
        "--per-region-concurrency",
        "1",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
        "--no-store",
        "--quiet",
    ]);
    let took = started.elapsed();
    let stats = sim.stats();
    eprintln!(
        "scan took {took:?}; simulator: {} requests, {} distinct, AssumeRole {:?}, {} refused",
        stats.requests,
        stats.distinct,
        stats.per_api.get("sts:AssumeRole"),
        stats.refused_refresh
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // The scan outlived the sessions, so they had to be refreshed to finish it.
    assert!(took.as_secs() > session_seconds, "the scan took {took:?}: too short to outlive a session");
    assert_eq!(run.code, 3, "an account whose session cannot be refreshed is partial coverage: {}", run.stderr);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();

    // Sessions were renewed before they ran out: not one request was signed with an expired one.
    assert_eq!(stats.expired, 0, "{stats:?}");
    let members = u64::from(accounts - 1);
    let assumed = stats.per_api.get("sts:AssumeRole").map_or(0, |a| a.requests);
    assert!(assumed > members, "{assumed} AssumeRole calls for {members} members: no session was refreshed");
    assert!(stats.refused_refresh > 0, "{stats:?}");

    // Every other account read whole; the refused one not.
    for i in 0..u64::from(accounts) {
        let account = (100_000_000_000 + i).to_string();
        let unread = unread_of(&doc, &account);
        if i + 100_000_000_000 == refused {
            assert!(!unread.is_empty(), "{account}'s refresh was refused, yet all its sources were read");
        } else {
            assert!(unread.is_empty(), "{account}: {unread:?}");
        }
    }
    assert_eq!(doc["summary"]["partial"], true, "{}", doc["summary"]);
}

/// A snapshot file, parsed, without its `collected_at` (the one field two scans of the same estate differ in).
fn snapshot_without_time(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let removed = doc.as_object_mut().unwrap().remove("collected_at");
    assert!(removed.is_some(), "{} has no collected_at", path.display());
    doc
}

/// Where two JSON documents differ first (a path), for failure messages.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (p, q) = (x.get(key).unwrap_or(&Value::Null), y.get(key).unwrap_or(&Value::Null));
                if let Some(d) = first_difference(p, q, &format!("{at}.{key}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: {} vs {}", short(a), short(b))),
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.len() > 300 {
        format!("{}… ({} chars)", &text[..300], text.len())
    } else {
        text
    }
}

/// Asserts that two snapshot files are the same estate, read the same way: equal but for `collected_at`.
fn assert_same_snapshot(a: &std::path::Path, b: &std::path::Path) {
    let (x, y) = (snapshot_without_time(a), snapshot_without_time(b));
    if let Some(difference) = first_difference(&x, &y, "") {
        panic!("{} and {} differ at {difference}", a.display(), b.display());
    }
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The units of a scan's queue that are done (those of account-regions only with `regional`, not the accounts'
/// account-wide ones), read with the `sqlite3` shell (0 until the queue exists).
fn done_units_in_sqlite(store: &std::path::Path, regional: bool) -> u64 {
    let only = if regional { " AND region <> 'account'" } else { "" };
    let out = std::process::Command::new("sqlite3")
        .arg(store)
        .arg(format!("SELECT count(*) FROM scan_units WHERE state = 'done'{only}"))
        .output()
        .expect("the sqlite3 shell (apt-get install sqlite3)");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
}

#[test]
fn an_interrupted_scan_resumed_equals_an_uninterrupted_one() {
    let (accounts, regions) = (8, 3);
    // One unit per account-region and one per account (its account-wide sources).
    let units = u64::from(accounts) * (regions as u64 + 1);
    let sim = Sim::start(config(accounts, regions, 20.0));
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let scan = |store: &str, snapshot: &str, extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> =
            ["scan", "--org", "--all-regions", "--format", "json", "-o"].iter().map(|s| s.to_string()).collect();
        args.extend([path("report.json"), "--store".into(), path(store), "--save-snapshot".into(), path(snapshot)]);
        // Few at a time, so that the interrupted run is caught with part of its units done.
        args.extend(["--concurrency", "16", "--per-region-concurrency", "4"].map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };

    // A: the whole scan, uninterrupted.
    let started = Instant::now();
    let a = sim.sgaudit(&strs(&scan("a.sqlite3", "a.json", &["--quiet"])));
    let took_a = started.elapsed();
    assert!(a.code == 0 || a.code == 1, "exit {}: {}", a.code, a.stderr);
    let requests_a = sim.stats().requests;

    // B: the same scan, interrupted by Ctrl-C (SIGINT) once part of its units are done.
    let b_store = dir.path().join("b.sqlite3");
    let child = sim
        .cmd(&strs(&scan("b.sqlite3", "b-first.json", &["--quiet"])))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    let done_at_kill = loop {
        let done = done_units_in_sqlite(&b_store, false);
        if done >= units / 4 {
            break done;
        }
        assert!(Instant::now() < deadline, "no unit done after a minute");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let sent = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let interrupted = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&interrupted.stderr);
    // Stopped by the signal, as a process that does not catch it is, after saying how to go on.
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(interrupted.status.signal(), Some(2), "the scan ended before it could be interrupted: {said}");
    assert!(said.contains("run the same command with --resume"), "{said}");
    let before_resume = sim.stats();
    let done_after_kill = done_units_in_sqlite(&b_store, false);
    let regional_done = done_units_in_sqlite(&b_store, true);
    assert!(done_after_kill < units, "every unit was done before the kill: nothing left to resume");

    // Resumed: only the rest is read.
    let started = Instant::now();
    let resumed = sim.sgaudit(&strs(&scan("b.sqlite3", "b.json", &["--resume"])));
    let took_resume = started.elapsed();
    let after_resume = sim.stats();
    let requests_resumed = after_resume.requests - before_resume.requests;
    // Answered calls of one API during the resumed run (a throttled call is asked again).
    let answered = |api: &str| {
        let of = |s: &sgaudit_simulator::Stats| s.per_api.get(api).map_or(0, |a| a.requests - a.throttled);
        of(&after_resume) - of(&before_resume)
    };
    eprintln!(
        "A took {took_a:?} ({requests_a} requests); B interrupted with {done_at_kill}..{done_after_kill} of {units} units \
         done; resumed in {took_resume:?} ({requests_resumed} requests)"
    );
    assert!(!resumed.stderr.contains("panicked"), "{}", resumed.stderr);
    assert_eq!(resumed.code, a.code, "{}", resumed.stderr);
    let line = resumed
        .stderr
        .lines()
        .find(|l| l.contains(" resumed: "))
        .unwrap_or_else(|| panic!("no resume line:\n{}", resumed.stderr));
    let (_, counts) = line.split_once(" resumed: ").unwrap();
    let numbers: Vec<u64> = counts.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let [read_now, taken] = numbers[..] else { panic!("{line}") };
    assert!(read_now > 0 && taken > 0, "{line}");
    assert_eq!(read_now + taken, units, "{line}");
    assert_eq!(taken, done_after_kill, "{line}: {done_after_kill} were done at the kill");
    // Each account-region's groups are listed in one call (the estate fits a page): the resumed run listed those
    // of the account-regions not done, and none of the others.
    let regional = u64::from(accounts) * regions as u64;
    assert_eq!(answered("ec2:DescribeSecurityGroups"), regional - regional_done, "{regional_done} were done");

    // The same snapshot as the uninterrupted scan, with fewer requests for it.
    assert_same_snapshot(&dir.path().join("a.json"), &dir.path().join("b.json"));
    assert!(
        requests_resumed < requests_a,
        "the resumed scan made {requests_resumed} requests, a whole one {requests_a}"
    );
}

#[test]
fn three_workers_over_postgresql_make_one_run_and_a_killed_one_loses_nothing() {
    let (accounts, regions) = (9, 2);
    let units = u64::from(accounts) * (regions as u64 + 1);
    let server = common::postgres::Postgres::shared();
    let store = server.create_database();
    let database = store.rsplit('/').next().unwrap().to_string();
    let sim = Sim::start(config(accounts, regions, 30.0));
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // Few units at a time per worker, so that the three share the scan and the killed one holds claims.
    let worker_args = [
        "scan",
        "--org",
        "--all-regions",
        "--concurrency",
        "4",
        "--per-region-concurrency",
        "1",
        "--store",
        &store,
        "--shared-scan",
        "t4",
        "--lease-seconds",
        "3",
        "--quiet",
    ];
    let spawn = || {
        sim.cmd(&worker_args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("a worker starts")
    };
    let started = Instant::now();
    let mut workers: Vec<std::process::Child> = (0..3).map(|_| spawn()).collect();
    let victim = workers.remove(0);
    let victim_pid = victim.id();
    // Worker names are `host-PID-random`: the victim's done units are those of its pid.
    let done_by_victim = || {
        // The table appears when the first worker makes the queue: an error before that.
        server
            .try_psql(
                &database,
                &format!("SELECT count(*) FROM scan_units WHERE state = 'done' AND worker LIKE '%-{victim_pid}-%'"),
            )
            .ok()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    let mut victim = victim;
    let victim_done = loop {
        let done = done_by_victim();
        if done >= 2 {
            break done;
        }
        assert!(victim.try_wait().unwrap().is_none(), "the worker to kill ended first");
        assert!(Instant::now() < deadline, "the worker to kill did no unit in a minute");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let victim_held = server.psql(
        &database,
        &format!("SELECT count(*) FROM scan_units WHERE state = 'claimed' AND worker LIKE '%-{victim_pid}-%'"),
    );
    victim.kill().unwrap();
    victim.wait().unwrap();

    let mut complete_lines = 0;
    for worker in workers {
        let out = worker.wait_with_output().unwrap();
        let run = common::Run::of(out);
        assert_eq!(run.code, 0, "a worker failed: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        complete_lines += run.stderr.lines().filter(|l| l.contains("scan t4 is complete")).count();
    }
    let took_workers = started.elapsed();
    assert!(complete_lines >= 1, "no worker said the scan was complete");
    let done = server.psql(&database, "SELECT count(*) FROM scan_units WHERE scan_id = 't4' AND state = 'done'");
    assert_eq!(done, units.to_string(), "units done");
    // The victim's claims were taken over after their lease: claimed twice.
    let retried: u64 = server
        .psql(&database, "SELECT count(*) FROM scan_units WHERE scan_id = 't4' AND attempts > 1")
        .parse()
        .unwrap();
    eprintln!(
        "workers took {took_workers:?}; the victim (pid {victim_pid}) did {victim_done} units and held {victim_held} \
         when killed; {retried} units claimed more than once"
    );
    assert!(retried > 0, "no unit claimed twice: the killed worker's claims were not taken over");

    // One report from the shared run, and the same scan by one process alone.
    let report = sim.sgaudit(&[
        "report",
        "--run",
        "t4",
        "--store",
        &store,
        "--format",
        "json",
        "-o",
        &path("shared.json"),
        "--save-snapshot",
        &path("shared-snap.json"),
        "--quiet",
    ]);
    assert!(report.code == 0 || report.code == 1, "exit {}: {}", report.code, report.stderr);
    let single = sim.sgaudit(&[
        "scan",
        "--org",
        "--all-regions",
        "--no-store",
        "--format",
        "json",
        "-o",
        &path("single.json"),
        "--save-snapshot",
        &path("single-snap.json"),
        "--quiet",
    ]);
    assert_eq!(single.code, report.code, "{}\n{}", single.stderr, report.stderr);
    assert_same_snapshot(&dir.path().join("single-snap.json"), &dir.path().join("shared-snap.json"));
    let statuses = |name: &str| -> BTreeMap<(String, String, String), String> {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join(name)).unwrap()).unwrap();
        doc["security_groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let key = |k: &str| g[k].as_str().unwrap().to_string();
                ((key("account_id"), key("region"), key("group_id")), key("status"))
            })
            .collect()
    };
    let (shared, alone) = (statuses("shared.json"), statuses("single.json"));
    assert_eq!(shared.len(), accounts as usize * regions * GROUPS_PER_REGION);
    assert_eq!(shared, alone);
    assert!(!shared.values().any(|s| s == "unknown"), "{shared:?}");
}

//! The store's suite, written once: every function takes a new, empty store location, and `store_suite!` runs it
//! over SQLite and over a real PostgreSQL server.

use std::time::Instant;

use sgaudit_store::{
    diff, trend, Access, FindingRow, Location, Mark, OpenError, RunData, RunKind, Store, StoreError, SCHEMA_VERSION,
};
use sqlx::{Connection, Row};

use super::{big_scan, finding, group, places_of, raw, scan, ACCOUNT};

async fn open(location: &Location) -> Store {
    Store::open(location, Access::ReadWrite).await.unwrap_or_else(|e| panic!("open {}: {e}", location.shown()))
}

async fn versions(location: &Location) -> Vec<i64> {
    let mut conn = raw(location).await;
    let rows = sqlx::query("SELECT version FROM sgaudit_schema ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .expect("versions");
    let _ = conn.close().await;
    rows.iter().map(|row| row.try_get::<i64, _>(0).expect("a version")).collect()
}

async fn read_back(store: &Store, id: &str) -> RunData {
    RunData {
        summary: store.run(id).await.expect("run").expect("the run is there"),
        groups: store.groups(id).await.expect("groups"),
        findings: store.findings(id).await.expect("findings"),
        coverage: store.coverage(id).await.expect("coverage"),
    }
}

pub async fn migrates_from_empty(location: Location) {
    let store = open(&location).await;
    assert!(store.runs(None).await.expect("runs").is_empty());
    store.close().await;
    let all: Vec<i64> = (1..=SCHEMA_VERSION).collect();
    assert_eq!(versions(&location).await, all);
    // Opening again applies nothing twice, and a reader opens it too.
    open(&location).await.close().await;
    Store::open(&location, Access::ReadOnly).await.expect("a reader opens a current store").close().await;
    assert_eq!(versions(&location).await, all);
}

/// A store left by a build that knew only migration 1 (tests/fixtures/store_v1.sql holds what such a build
/// wrote), opened by this build: brought up to date, and what it held reads back. With one migration this
/// proves the v1 data reads through today's code; with a second, it proves the upgrade.
pub async fn migrates_from_the_previous_schema_version(location: Location) {
    let mut conn = raw(&location).await;
    sqlx::raw_sql(include_str!("../../migrations/0001_runs.sql")).execute(&mut conn).await.expect("schema 1");
    sqlx::raw_sql(include_str!("../fixtures/store_v1.sql")).execute(&mut conn).await.expect("the v1 fixture");
    let _ = conn.close().await;
    assert_eq!(versions(&location).await, [1]);

    // A reader refuses a store an upgrade is pending for (there is none while 1 is the latest schema).
    let read_only = Store::open(&location, Access::ReadOnly).await;
    if SCHEMA_VERSION > 1 {
        assert!(matches!(read_only, Err(OpenError::Outdated { found: 1, .. })), "{read_only:?}");
    } else {
        read_only.expect("a current store opens read-only").close().await;
    }

    let store = open(&location).await;
    assert_eq!(versions(&location).await, (1..=SCHEMA_VERSION).collect::<Vec<_>>());
    let runs = store.runs(None).await.expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.id, "20261101T020000Z-00a1b2");
    assert_eq!(run.kind, RunKind::Scan);
    assert_eq!(run.started_at, "2026-11-01T02:00:00Z");
    assert_eq!(run.families, ["ec2", "lambda"]);
    assert_eq!(run.counts.get("unused"), Some(&1));
    assert_eq!((run.places, run.places_complete), (2, 1));
    let groups = store.groups(&run.id).await.expect("groups");
    assert_eq!(groups.iter().map(|g| g.group_id.as_str()).collect::<Vec<_>>(), ["sg-0aaa", "sg-0bbb"]);
    assert_eq!(groups[1].unused_since.as_deref(), Some("2026-10-01T02:00:00Z"));
    let findings = store.findings(&run.id).await.expect("findings");
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].muted_owner.as_deref(), Some("team-web"));
    assert_eq!(store.snapshot(&run.id).await.expect("snapshot").as_deref(), Some(r#"{"version":1}"#));
    assert_eq!(store.marks().await.expect("marks")[0].group_id, "sg-0aaa");
    // And it takes new runs.
    store
        .record(&scan("20261201T020000Z-00c3d4", "2026-12-01T02:00:00Z", &["eu-west-1"], vec![], vec![]))
        .await
        .expect("record");
    assert_eq!(store.runs(None).await.expect("runs").len(), 2);
    store.close().await;
}

pub async fn records_and_reads_back_a_run_whole(location: Location) {
    let store = open(&location).await;
    let mut marked = group("eu-west-1", "sg-0marked", "in_use", "none");
    marked.marked_in_use = Some("used by an on-premises job".to_string());
    let mut unused = group("us-east-1", "sg-0unused", "unused", "high");
    unused.unused_since = Some("2026-10-01T19:00:00Z".to_string());
    unused.vpc_id = None;
    unused.is_default = true;
    // Hostile text goes in and comes out as it was: quotes, a newline, SQL, non-ASCII.
    unused.name = "o'brien\"; DROP TABLE runs; --\nnom-é-🔥".to_string();
    let mut muted = finding("us-east-1", "sg-world-open-ssh", "sg-0unused", "critical", "fail");
    muted.muted_reason = Some("bastion, ticket SEC-12".to_string());
    muted.muted_owner = Some("team-net".to_string());
    let mut account_wide = finding("eu-west-1", "iam-no-policy", "none", "informational", "not_evaluated");
    account_wide.region = None;
    account_wide.group_id = None;
    let mut run = scan(
        "20261201T194330Z-3f9a2c",
        // Any RFC 3339 form is kept in the store's one form.
        "2026-12-01T20:43:30.250+01:00",
        &["us-east-1", "eu-west-1"],
        vec![unused.clone(), marked.clone()],
        vec![muted.clone(), finding("eu-west-1", "sg-unused", "sg-0marked", "low", "pass"), account_wide.clone()],
    );
    run.finished_at = "2026-12-01T19:45:00Z".to_string();
    run.duration_ms = 89_750;
    run.from_snapshot = true;
    run.collected_at = Some("2026-12-01T18:00:00Z".to_string());
    run.families = vec!["lambda".to_string(), "ec2".to_string()];
    run.security_hub_pushed = true;
    run.coverage[0].complete = false;
    run.coverage[0].sources_read = 11;
    run.coverage[0].unreadable = "lambda: AccessDenied".to_string();
    run.detail = Some(r#"{"note":"kept"}"#.to_string());
    run.snapshot = Some(r#"{"schema_version":3,"accounts":[]}"#.to_string());
    store.record(&run).await.expect("record");

    let summary = store.run(&run.id).await.expect("run").expect("the run is there");
    assert_eq!(summary.id, run.id);
    assert_eq!(summary.kind, RunKind::Scan);
    assert_eq!(summary.started_at, "2026-12-01T19:43:30Z");
    assert_eq!(summary.finished_at, "2026-12-01T19:45:00Z");
    assert_eq!(summary.duration_ms, 89_750);
    assert_eq!(summary.caller_arn, run.caller_arn);
    assert_eq!(summary.sgaudit_version, "0.1.0");
    assert!(summary.from_snapshot);
    assert_eq!(summary.collected_at.as_deref(), Some("2026-12-01T18:00:00Z"));
    assert_eq!(summary.observed_at(), "2026-12-01T18:00:00Z");
    assert_eq!(summary.families, ["ec2", "lambda"], "families are kept sorted");
    assert!(summary.security_hub_pushed);
    assert_eq!(summary.counts, run.counts.iter().cloned().collect());
    assert_eq!((summary.places, summary.places_complete), (2, 1));

    let mut groups = run.groups.clone();
    groups.sort_by(|a, b| (&a.account, &a.region, &a.group_id).cmp(&(&b.account, &b.region, &b.group_id)));
    assert_eq!(store.groups(&run.id).await.expect("groups"), groups);
    assert_eq!(store.findings(&run.id).await.expect("findings"), run.findings, "in the order recorded");
    let mut coverage = run.coverage.clone();
    coverage.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    assert_eq!(store.coverage(&run.id).await.expect("coverage"), coverage);
    assert_eq!(store.snapshot(&run.id).await.expect("snapshot"), run.snapshot);

    // The detail of a cleanup run, and the absent optionals.
    let mut cleanup = scan("20261201T200000Z-000001", "2026-12-01T20:00:00Z", &[], vec![], vec![]);
    cleanup.kind = RunKind::Cleanup;
    cleanup.caller_arn = None;
    cleanup.counts = vec![("deleted".to_string(), 3)];
    cleanup.families = vec![];
    cleanup.detail = Some(r#"{"deleted":["sg-1","sg-2","sg-3"]}"#.to_string());
    store.record(&cleanup).await.expect("record a cleanup");
    let summary = store.run(&cleanup.id).await.expect("run").expect("the cleanup is there");
    assert_eq!(summary.kind, RunKind::Cleanup);
    assert_eq!(summary.caller_arn, None);
    assert!(summary.families.is_empty());
    assert_eq!(summary.counts.get("deleted"), Some(&3));
    assert_eq!((summary.places, summary.places_complete), (0, 0));
    assert_eq!(store.snapshot(&cleanup.id).await.expect("snapshot"), None);
    assert_eq!(store.run("no-such-run").await.expect("run"), None);

    // The detail is stored as given; read straight from the table.
    let mut conn = raw(&location).await;
    let detail: String = sqlx::query("SELECT detail FROM runs WHERE id = $1")
        .bind(cleanup.id.as_str())
        .fetch_one(&mut conn)
        .await
        .expect("the detail")
        .try_get(0)
        .expect("text");
    assert_eq!(detail, r#"{"deleted":["sg-1","sg-2","sg-3"]}"#);
    let _ = conn.close().await;
    store.close().await;
}

pub async fn a_failed_record_leaves_nothing(location: Location) {
    let store = open(&location).await;
    let first = scan("20261201T000000Z-000001", "2026-12-01T00:00:00Z", &["eu-west-1"], vec![], vec![]);
    store.record(&first).await.expect("record");

    // The same group twice in one place: the run row and the counts go in, then the groups fail.
    let twice = group("eu-west-1", "sg-0twice", "unused", "none");
    let broken =
        scan("20261202T000000Z-000002", "2026-12-02T00:00:00Z", &["eu-west-1"], vec![twice.clone(), twice], vec![]);
    let error = store.record(&broken).await.expect_err("a duplicate group fails the record");
    assert!(matches!(error, StoreError::Database { .. }), "{error:?}");
    assert_eq!(store.run(&broken.id).await.expect("run"), None, "no half-written run");
    assert!(store.groups(&broken.id).await.expect("groups").is_empty());
    assert_eq!(store.runs(None).await.expect("runs").len(), 1);

    // The same run id again.
    let error = store.record(&first).await.expect_err("a run is recorded once");
    assert!(matches!(&error, StoreError::Duplicate { id, .. } if id == &first.id), "{error:?}");
    assert!(error.to_string().contains("already holds a run 20261201T000000Z-000001"), "{error}");

    // A time that is not a time: refused before anything is written.
    let mut bad = scan("20261203T000000Z-000003", "yesterday", &["eu-west-1"], vec![], vec![]);
    let error = store.record(&bad).await.expect_err("a bad time");
    assert!(matches!(error, StoreError::Invalid { .. }), "{error:?}");
    assert!(error.to_string().contains("started_at: \"yesterday\" is not an RFC 3339 time"), "{error}");
    bad.started_at = "2026-12-03T00:00:00Z".to_string();
    bad.finished_at = "2026-12-03T00:00:00Z".to_string();
    bad.groups = vec![group("eu-west-1", "sg-0x", "unused", "none")];
    bad.groups[0].unused_since = Some("last month".to_string());
    let error = store.record(&bad).await.expect_err("a bad unused_since");
    assert!(error.to_string().contains("unused_since of sg-0x in 111111111111/eu-west-1"), "{error}");
    assert_eq!(store.runs(None).await.expect("runs").len(), 1);
    store.close().await;
}

/// Two processes opening a new store at once (both migrate), then recording runs at once: both succeed, both
/// runs are there whole.
pub async fn two_writers_at_once(location: Location) {
    let (a, b) = tokio::join!(Store::open(&location, Access::ReadWrite), Store::open(&location, Access::ReadWrite));
    let (a, b) = (a.expect("first opener"), b.expect("second opener"));
    assert_eq!(versions(&location).await, (1..=SCHEMA_VERSION).collect::<Vec<_>>());
    let run_a = big_scan("20261201T000000Z-00000a", "2026-12-01T00:00:00Z", &["eu-west-1", "us-east-1"], 3_000);
    let run_b = big_scan("20261201T000000Z-00000b", "2026-12-01T00:00:00Z", &["eu-west-1", "us-east-1"], 3_000);
    let (done_a, done_b) = tokio::join!(a.record(&run_a), b.record(&run_b));
    done_a.expect("the first writer");
    done_b.expect("the second writer");
    for run in [&run_a, &run_b] {
        assert_eq!(a.groups(&run.id).await.expect("groups").len(), 3_000);
        assert_eq!(b.findings(&run.id).await.expect("findings").len(), 6_000);
    }
    a.close().await;
    b.close().await;
}

pub async fn a_newer_schema_is_refused_before_anything_is_touched(location: Location) {
    open(&location).await.close().await;
    let future = SCHEMA_VERSION + 1;
    let mut conn = raw(&location).await;
    sqlx::query(
        "INSERT INTO sgaudit_schema (version, name, applied_at) VALUES ($1, 'from_the_future', '2030-01-01T00:00:00Z')",
    )
    .bind(future)
    .execute(&mut conn)
    .await
    .expect("a fake newer migration");
    let _ = conn.close().await;
    for access in [Access::ReadWrite, Access::ReadOnly] {
        match Store::open(&location, access).await {
            Err(e @ OpenError::Newer { found, known, .. }) => {
                assert_eq!((found, known), (future, SCHEMA_VERSION));
                let line = e.to_string();
                assert!(
                    line.contains(&format!(
                        "newer sgaudit (schema {future}, this one knows up to {SCHEMA_VERSION}): upgrade sgaudit"
                    )),
                    "{line}"
                );
                assert!(!line.contains('\n'));
            }
            other => panic!("{access:?}: expected Newer, got {other:?}"),
        }
    }
    let mut all: Vec<i64> = (1..=SCHEMA_VERSION).collect();
    all.push(future);
    assert_eq!(versions(&location).await, all, "nothing applied, nothing removed");
}

pub async fn read_only_never_creates_a_store(location: Location) {
    let error = Store::open(&location, Access::ReadOnly).await.expect_err("nothing to read");
    assert!(matches!(error, OpenError::Missing { .. }), "{error:?}");
    assert_eq!(error.to_string(), format!("no store at {} (run a scan first, or give --store)", location.shown()));
    match &location {
        Location::Sqlite(path) => assert!(!path.exists(), "a reader created {}", path.display()),
        Location::Postgres(_) => {
            let mut conn = raw(&location).await;
            let tables: i64 =
                sqlx::query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()")
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
                    .try_get(0)
                    .expect("a count");
            assert_eq!(tables, 0, "a reader created tables");
            let _ = conn.close().await;
        }
    }
}

pub async fn a_database_of_something_else_is_not_a_store(location: Location) {
    let mut conn = raw(&location).await;
    sqlx::raw_sql("CREATE TABLE invoices (id BIGINT PRIMARY KEY, total BIGINT)")
        .execute(&mut conn)
        .await
        .expect("a table");
    let _ = conn.close().await;
    for access in [Access::ReadWrite, Access::ReadOnly] {
        let error = Store::open(&location, access).await.expect_err("someone else's database");
        assert!(matches!(error, OpenError::NotAStore { .. }), "{access:?}: {error:?}");
        assert!(
            error
                .to_string()
                .contains("is not an sgaudit store: it holds other tables (invoices) and no sgaudit_schema"),
            "{error}"
        );
    }
    let mut conn = raw(&location).await;
    let ours = sqlx::query("SELECT 1 FROM runs").fetch_all(&mut conn).await;
    assert!(ours.is_err(), "no table of sgaudit's was created");
    let _ = conn.close().await;
}

pub async fn runs_are_listed_newest_first_with_counts_and_places(location: Location) {
    let store = open(&location).await;
    let mut runs = vec![
        scan(
            "20261101T000000Z-000001",
            "2026-11-01T00:00:00Z",
            &["eu-west-1"],
            vec![group("eu-west-1", "sg-1", "unused", "none")],
            vec![],
        ),
        scan("20261201T000000Z-000002", "2026-12-01T00:00:00Z", &["eu-west-1", "us-east-1"], vec![], vec![]),
        scan("20261015T000000Z-000003", "2026-10-15T00:00:00Z", &["eu-west-1"], vec![], vec![]),
    ];
    runs[1].coverage[1].complete = false;
    for run in &runs {
        store.record(run).await.expect("record");
    }
    let listed = store.runs(None).await.expect("runs");
    let ids: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["20261201T000000Z-000002", "20261101T000000Z-000001", "20261015T000000Z-000003"]);
    assert_eq!((listed[0].places, listed[0].places_complete), (2, 1));
    assert_eq!(listed[1].counts.get("unused"), Some(&1));
    assert_eq!(listed[1].counts.get("groups"), Some(&1));
    assert_eq!(listed[1].scope, listed[2].scope, "the same places, the same scope");
    assert_ne!(listed[0].scope, listed[1].scope);
    let two = store.runs(Some(2)).await.expect("runs");
    assert_eq!(two.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), &ids[..2]);
    assert_eq!(two[1].counts, listed[1].counts);
    store.close().await;
}

pub async fn last_seen_honours_coverage(location: Location) {
    let store = open(&location).await;
    let mut unused_eu = group("eu-west-1", "sg-0eu", "unused", "none");
    unused_eu.unused_since = Some("2026-10-01T00:00:00Z".to_string());
    let first = scan(
        "20261101T000000Z-000001",
        "2026-11-01T00:00:00Z",
        &["eu-west-1", "us-east-1"],
        vec![unused_eu.clone(), group("us-east-1", "sg-0us", "unused", "none")],
        vec![],
    );
    // The next scan looked at eu-west-1 only: us-east-1's last evidence stays the first run's.
    let mut still_unused = unused_eu.clone();
    still_unused.uses = 0;
    let second = scan("20261201T000000Z-000002", "2026-12-01T00:00:00Z", &["eu-west-1"], vec![still_unused], vec![]);
    // A later re-judgement of an OLD snapshot is not newer evidence.
    let mut old_snapshot = scan(
        "20261215T000000Z-000003",
        "2026-12-15T00:00:00Z",
        &["eu-west-1"],
        vec![group("eu-west-1", "sg-0eu", "in_use", "none")],
        vec![],
    );
    old_snapshot.from_snapshot = true;
    old_snapshot.collected_at = Some("2026-09-01T00:00:00Z".to_string());
    // A cleanup that "covers" eu-west-1 is not a scan.
    let mut cleanup = scan("20261220T000000Z-000004", "2026-12-20T00:00:00Z", &["eu-west-1"], vec![], vec![]);
    cleanup.kind = RunKind::Cleanup;
    for run in [&first, &second, &old_snapshot, &cleanup] {
        store.record(run).await.expect("record");
    }

    let seen = store.last_seen(&places_of(&first)).await.expect("last_seen");
    assert_eq!(seen.len(), 2, "{seen:?}");
    let eu = &seen["sg-0eu"];
    assert_eq!((eu.run_id.as_str(), eu.at.as_str()), ("20261201T000000Z-000002", "2026-12-01T00:00:00Z"));
    assert_eq!(eu.status, "unused");
    assert_eq!(eu.unused_since.as_deref(), Some("2026-10-01T00:00:00Z"));
    let us = &seen["sg-0us"];
    assert_eq!(us.run_id, "20261101T000000Z-000001", "the second scan did not look at us-east-1");
    assert_eq!((us.account.as_str(), us.region.as_str()), (ACCOUNT, "us-east-1"));
    // A place no run looked at gives nothing.
    let none = store.last_seen(&[(ACCOUNT.to_string(), "ap-south-1".to_string())]).await.expect("last_seen");
    assert!(none.is_empty());
    store.close().await;
}

pub async fn last_comparable_pair_skips_runs_of_another_scope(location: Location) {
    let store = open(&location).await;
    assert_eq!(store.last_comparable_pair().await.expect("pair"), None, "an empty store has no pair");
    let s1 = scan("20261001T000000Z-000001", "2026-10-01T00:00:00Z", &["eu-west-1"], vec![], vec![]);
    store.record(&s1).await.expect("record");
    assert_eq!(store.last_comparable_pair().await.expect("pair"), None, "one run is no pair");
    let s2 = scan("20261101T000000Z-000002", "2026-11-01T00:00:00Z", &["eu-west-1", "us-east-1"], vec![], vec![]);
    let mut s3 = scan("20261115T000000Z-000003", "2026-11-15T00:00:00Z", &["eu-west-1"], vec![], vec![]);
    s3.families = vec!["ec2".to_string()];
    let s4 = scan("20261201T000000Z-000004", "2026-12-01T00:00:00Z", &["eu-west-1"], vec![], vec![]);
    let mut c5 = scan("20261202T000000Z-000005", "2026-12-02T00:00:00Z", &["eu-west-1"], vec![], vec![]);
    c5.kind = RunKind::Cleanup;
    for run in [&s2, &s3, &s4, &c5] {
        store.record(run).await.expect("record");
    }
    let (older, newer) = store.last_comparable_pair().await.expect("pair").expect("s1 and s4 compare");
    assert_eq!(
        (older.id.as_str(), newer.id.as_str()),
        (s1.id.as_str(), s4.id.as_str()),
        "s2: other places; s3: other families"
    );
    store.close().await;
}

pub async fn last_pushed_gives_the_findings_to_archive(location: Location) {
    let store = open(&location).await;
    assert_eq!(store.last_pushed().await.expect("last_pushed"), None);
    let mut pushed = scan(
        "20261101T000000Z-000001",
        "2026-11-01T00:00:00Z",
        &["eu-west-1"],
        vec![],
        vec![finding("eu-west-1", "sg-world-open-ssh", "sg-1", "high", "fail")],
    );
    pushed.security_hub_pushed = true;
    let not_pushed = scan("20261201T000000Z-000002", "2026-12-01T00:00:00Z", &["eu-west-1"], vec![], vec![]);
    store.record(&pushed).await.expect("record");
    store.record(&not_pushed).await.expect("record");
    let (run, findings) = store.last_pushed().await.expect("last_pushed").expect("one run pushed");
    assert_eq!(run.id, pushed.id);
    assert_eq!(findings, pushed.findings);
    store.close().await;
}

pub async fn marks_are_added_replaced_listed_and_removed(location: Location) {
    let store = open(&location).await;
    let mark = |group_id: &str, reason: &str| Mark {
        group_id: group_id.to_string(),
        account: Some(ACCOUNT.to_string()),
        region: Some("eu-west-1".to_string()),
        reason: reason.to_string(),
        owner: "alice@example.com".to_string(),
        at: "2026-12-01T10:00:00Z".to_string(),
        expires: Some("2027-06-30".to_string()),
    };
    store.add_mark(&mark("sg-0b", "used by the DR site")).await.expect("add");
    let mut other = mark("sg-0a", "on-premises job");
    other.account = None;
    other.region = None;
    other.expires = None;
    store.add_mark(&other).await.expect("add");
    store.add_mark(&mark("sg-0b", "used by the DR site, checked again")).await.expect("replace");
    let marks = store.marks().await.expect("marks");
    assert_eq!(marks, vec![other.clone(), mark("sg-0b", "used by the DR site, checked again")]);

    let mut bad = mark("sg-0c", "x");
    bad.expires = Some("30/06/2027".to_string());
    let error = store.add_mark(&bad).await.expect_err("a bad expiry");
    assert!(
        error.to_string().contains("the mark's expiry: \"30/06/2027\" is not a date in the form YYYY-MM-DD"),
        "{error}"
    );

    assert!(store.remove_mark("sg-0a").await.expect("remove"));
    assert!(!store.remove_mark("sg-0a").await.expect("remove again"));
    assert_eq!(store.marks().await.expect("marks").len(), 1);
    store.close().await;
}

pub async fn diff_and_trend_over_runs_read_back(location: Location) {
    let store = open(&location).await;
    let mut holder_gone = group("eu-west-1", "sg-0holder", "in_use", "none");
    let first = scan(
        "20261101T000000Z-000001",
        "2026-11-01T00:00:00Z",
        &["eu-west-1", "us-east-1"],
        vec![
            holder_gone.clone(),
            group("eu-west-1", "sg-0old", "unused", "none"),
            group("us-east-1", "sg-0us", "in_use", "none"),
        ],
        vec![
            finding("eu-west-1", "sg-unused", "sg-0old", "low", "fail"),
            finding("eu-west-1", "sg-world-open-ssh", "sg-0holder", "high", "pass"),
        ],
    );
    holder_gone.status = "unused".to_string();
    holder_gone.risk = "high".to_string();
    let mut second = scan(
        "20261201T000000Z-000002",
        "2026-12-01T00:00:00Z",
        &["eu-west-1"],
        vec![holder_gone, group("eu-west-1", "sg-0new", "in_use", "none")],
        vec![
            finding("eu-west-1", "sg-unused", "sg-0holder", "low", "fail"),
            finding("eu-west-1", "sg-world-open-ssh", "sg-0holder", "high", "fail"),
        ],
    );
    second.duration_ms = 4_000;
    store.record(&first).await.expect("record");
    store.record(&second).await.expect("record");

    let d = diff(&read_back(&store, &first.id).await, &read_back(&store, &second.id).await);
    assert_eq!(d.from.id, first.id);
    assert_eq!(d.to.id, second.id);
    assert_eq!(d.places_compared.len(), 1);
    assert_eq!(d.places_only_in_from[0].region, "us-east-1");
    assert_eq!(d.created.iter().map(|g| g.group_id.as_str()).collect::<Vec<_>>(), ["sg-0new"]);
    assert_eq!(
        d.deleted.iter().map(|g| g.group_id.as_str()).collect::<Vec<_>>(),
        ["sg-0old"],
        "sg-0us was not looked at"
    );
    assert_eq!(d.status_changes.len(), 1);
    assert_eq!((d.status_changes[0].from.as_str(), d.status_changes[0].to.as_str()), ("in_use", "unused"));
    assert_eq!(d.risk_changes[0].to, "high");
    let keys = |f: &[FindingRow]| {
        f.iter().map(|f| f.check_id.clone() + "@" + f.group_id.as_deref().unwrap_or("")).collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&d.new_findings),
        ["sg-world-open-ssh@sg-0holder", "sg-unused@sg-0holder"],
        "the new exposure first"
    );
    assert_eq!(keys(&d.resolved_findings), ["sg-unused@sg-0old"]);

    // The trend compares only runs of the same scope: these two are not comparable.
    let rows = trend(&store.runs(None).await.expect("runs"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].compared_with, None);
    let mut third = second.clone();
    third.id = "20261215T000000Z-000003".to_string();
    third.started_at = "2026-12-15T00:00:00Z".to_string();
    third.duration_ms = 6_500;
    third.counts.retain(|(name, _)| name != "unused");
    third.counts.push(("unused".to_string(), 0));
    store.record(&third).await.expect("record");
    let rows = trend(&store.runs(None).await.expect("runs"));
    assert_eq!(rows[0].run_id, third.id);
    assert_eq!(rows[0].compared_with.as_deref(), Some(second.id.as_str()));
    assert_eq!(rows[0].duration_change_ms, Some(2_500));
    assert_eq!(rows[0].unused_change, Some(-1));
    assert_eq!(rows[0].false_positive_rate, None, "no unused group and no false positive: no rate");
    store.close().await;
}

/// The fenced blocks of docs/store.md in a language (```sql: portable; ```postgresql: Grafana's).
pub fn documented_queries(language: &str) -> Vec<String> {
    let doc = include_str!("../../../../docs/store.md");
    let fence = format!("```{language}\n");
    let mut queries = Vec::new();
    let mut rest = doc;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("a closed fence");
        queries.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    queries
}

/// Every ```sql query of docs/store.md runs, unchanged, and finds rows in a store with two scans.
pub async fn the_documented_queries_run(location: Location) {
    let store = open(&location).await;
    let mut documented_group = group("eu-west-1", "sg-0123456789abcdef0", "unused", "high");
    documented_group.unused_since = Some("2026-11-01T00:00:00Z".to_string());
    let mut marked = group("eu-west-1", "sg-0marked", "in_use", "none");
    marked.marked_in_use = Some("DR site".to_string());
    for (id, at) in
        [("20261101T000000Z-000001", "2026-11-01T00:00:00Z"), ("20261201T000000Z-000002", "2026-12-01T00:00:00Z")]
    {
        let run = scan(
            id,
            at,
            &["eu-west-1"],
            vec![documented_group.clone(), marked.clone()],
            vec![finding("eu-west-1", "sg-world-open-all", "sg-0123456789abcdef0", "critical", "fail")],
        );
        store.record(&run).await.expect("record");
    }
    store.close().await;
    let queries = documented_queries("sql");
    assert!(queries.len() >= 5, "{} queries documented", queries.len());
    for query in &queries {
        let rows = super::run_natively(&location, query).await;
        assert!(rows > 0, "no rows from:\n{query}");
    }
}

/// The always-run cousin of the 100,000-group timing: a few thousand groups, batched, in well under a minute
/// even on a loaded 2-core machine.
pub async fn records_a_few_thousand_groups_quickly(location: Location) {
    let store = open(&location).await;
    let run =
        big_scan("20261201T000000Z-0000ff", "2026-12-01T00:00:00Z", &["eu-west-1", "us-east-1", "ap-south-1"], 10_000);
    let started = Instant::now();
    store.record(&run).await.expect("record");
    let took = started.elapsed();
    eprintln!("{}: recorded 10,000 groups and 20,000 check results in {took:.2?}", location.shown());
    assert_eq!(store.groups(&run.id).await.expect("groups").len(), 10_000);
    assert_eq!(store.findings(&run.id).await.expect("findings").len(), 20_000);
    assert!(took.as_secs() < 60, "{took:?}");
    store.close().await;
}

/// The 100,000-group benchmark estate: records it and prints the time and, for SQLite, the file's size.
pub async fn record_timing(location: Location) {
    let store = open(&location).await;
    let regions = [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-south-1",
        "ap-northeast-1",
    ];
    let run = big_scan("20261201T000000Z-100000", "2026-12-01T00:00:00Z", &regions, 100_000);
    let started = Instant::now();
    store.record(&run).await.expect("record");
    let took = started.elapsed();
    let reading = Instant::now();
    let groups = store.groups(&run.id).await.expect("groups").len();
    let read = reading.elapsed();
    store.close().await;
    let size = match &location {
        Location::Sqlite(path) => {
            format!(", file {:.1} MB", std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6)
        }
        Location::Postgres(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("a PostgreSQL connection");
            let bytes: i64 = sqlx::query("SELECT pg_database_size(current_database())")
                .fetch_one(&mut conn)
                .await
                .expect("the database's size")
                .try_get(0)
                .expect("a size");
            format!(", database {:.1} MB", bytes as f64 / 1e6)
        }
    };
    eprintln!(
        "{}: recorded 100,000 groups and 200,000 check results in {took:.2?}{size}; read {groups} groups back in {read:.2?}",
        location.shown()
    );
    assert_eq!(groups, 100_000);
}

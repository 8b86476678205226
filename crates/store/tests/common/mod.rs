//! What the store's two test binaries share: a throwaway PostgreSQL server, fresh stores, sample runs, and the
//! suite itself (`store_suite!`), written once and instantiated over SQLite (store_sqlite.rs) and over
//! PostgreSQL (store_postgres.rs).

// Each test binary uses its own part of this module (the SQLite one never starts PostgreSQL).
#![allow(dead_code)]

mod postgres;
pub mod queue;
pub mod suite;

pub use postgres::Postgres;

use std::collections::BTreeSet;

use sgaudit_store::{CoverageRow, FindingRow, GroupRow, Location, RunKind, RunRecord};
use sqlx::any::AnyConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection};

/// Keeps a fresh store's temporary directory alive for the test.
pub enum Guard {
    Dir(tempfile::TempDir),
    Nothing,
}

/// A new, empty SQLite store location in a directory of its own.
pub async fn fresh_sqlite() -> (Location, Guard) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let location = Location::Sqlite(dir.path().join("history.sqlite3"));
    (location, Guard::Dir(dir))
}

/// A new, empty database on the test binary's PostgreSQL server.
pub async fn fresh_postgres() -> (Location, Guard) {
    (Postgres::shared().fresh_database().await, Guard::Nothing)
}

/// A connection of its own to a store's database, for what the API does not do: faking a newer schema,
/// holding a lock, applying an old schema by hand.
pub async fn raw(location: &Location) -> AnyConnection {
    sqlx::any::install_default_drivers();
    let options = match location {
        Location::Sqlite(path) => {
            let sqlite = SqliteConnectOptions::new().filename(path).create_if_missing(true);
            AnyConnectOptions::from_url(&sqlite.to_url_lossy()).expect("a SQLite URL")
        }
        Location::Postgres(url) => url.parse().expect("a PostgreSQL URL"),
    };
    AnyConnection::connect_with(&options).await.expect("a raw connection to the store's database")
}

/// Runs a query through the database's own driver (which carries types the Any driver does not, such as
/// PostgreSQL's NUMERIC) and gives the number of rows.
pub async fn run_natively(location: &Location, query: &str) -> usize {
    let rows = match location {
        Location::Sqlite(path) => {
            let mut conn = sqlx::SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path))
                .await
                .expect("a SQLite connection");
            sqlx::query(query).fetch_all(&mut conn).await.map(|rows| rows.len())
        }
        Location::Postgres(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("a PostgreSQL connection");
            sqlx::query(query).fetch_all(&mut conn).await.map(|rows| rows.len())
        }
    };
    rows.unwrap_or_else(|e| panic!("{e}\nin:\n{query}"))
}

impl Postgres {
    /// A new database, for one test, made through sqlx (the store's tests have it; see also
    /// [`Postgres::create_database`], which makes one with psql).
    pub async fn fresh_database(&self) -> Location {
        let name = postgres::next_database_name();
        sqlx::any::install_default_drivers();
        let mut admin = AnyConnection::connect(&self.url("postgres")).await.expect("the test server answers");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("CREATE DATABASE");
        let _ = admin.close().await;
        Location::Postgres(self.url(&name))
    }
}

// Sample runs.

pub const ACCOUNT: &str = "111111111111";

pub fn place(region: &str) -> CoverageRow {
    CoverageRow {
        account: ACCOUNT.to_string(),
        region: region.to_string(),
        complete: true,
        sources_read: 12,
        sources: 12,
        unreadable: String::new(),
    }
}

pub fn group(region: &str, id: &str, status: &str, risk: &str) -> GroupRow {
    GroupRow {
        account: ACCOUNT.to_string(),
        region: region.to_string(),
        group_id: id.to_string(),
        name: format!("web-{id}"),
        vpc_id: Some("vpc-0a1b2c".to_string()),
        is_default: false,
        status: status.to_string(),
        risk: risk.to_string(),
        unused_since: None,
        uses: if status == "in_use" { 2 } else { 0 },
        evidence: if status == "in_use" { "2 ENIs".to_string() } else { String::new() },
        marked_in_use: None,
    }
}

pub fn finding(region: &str, check_id: &str, group_id: &str, severity: &str, outcome: &str) -> FindingRow {
    FindingRow {
        check_id: check_id.to_string(),
        account: ACCOUNT.to_string(),
        region: Some(region.to_string()),
        resource_type: "AwsEc2SecurityGroup".to_string(),
        resource: format!("arn:aws:ec2:{region}:{ACCOUNT}:security-group/{group_id}"),
        group_id: Some(group_id.to_string()),
        severity: severity.to_string(),
        outcome: outcome.to_string(),
        title: format!("{check_id} title"),
        message: format!("{group_id}: {check_id}"),
        muted_reason: None,
        muted_owner: None,
        finding_id: None,
        filed_region: None,
    }
}

/// A scan run at `started_at` over `regions`, its counts derived from its groups and findings.
pub fn scan(
    id: &str,
    started_at: &str,
    regions: &[&str],
    groups: Vec<GroupRow>,
    findings: Vec<FindingRow>,
) -> RunRecord {
    let count = |status: &str| groups.iter().filter(|g| g.status == status).count() as i64;
    let counts = vec![
        ("groups".to_string(), groups.len() as i64),
        ("in_use".to_string(), count("in_use")),
        ("unused".to_string(), count("unused")),
        ("unknown".to_string(), count("unknown")),
        ("findings".to_string(), findings.iter().filter(|f| f.outcome == "fail").count() as i64),
        ("false_positives".to_string(), groups.iter().filter(|g| g.marked_in_use.is_some()).count() as i64),
    ];
    RunRecord {
        id: id.to_string(),
        kind: RunKind::Scan,
        started_at: started_at.to_string(),
        finished_at: started_at.to_string(),
        duration_ms: 1_000,
        caller_arn: Some(format!("arn:aws:iam::{ACCOUNT}:user/auditor")),
        sgaudit_version: "0.1.0".to_string(),
        from_snapshot: false,
        collected_at: None,
        families: vec!["ec2".to_string(), "lambda".to_string()],
        security_hub_pushed: false,
        counts,
        coverage: regions.iter().map(|r| place(r)).collect(),
        groups,
        findings,
        detail: None,
        snapshot: None,
    }
}

/// `n` groups spread over `regions`, a third unused, and two findings for every group (one failing): the shape
/// of the benchmark estate (100,000 groups, about 200,000 check results).
pub fn big_scan(id: &str, started_at: &str, regions: &[&str], n: usize) -> RunRecord {
    let mut groups = Vec::with_capacity(n);
    let mut findings = Vec::with_capacity(2 * n);
    for i in 0..n {
        let region = regions[i % regions.len()];
        let group_id = format!("sg-{i:017x}");
        let status = if i % 3 == 0 { "unused" } else { "in_use" };
        let mut row = group(region, &group_id, status, if i % 50 == 0 { "high" } else { "none" });
        row.name = format!("service-{i}-sg");
        row.evidence = "1 ENI (eni-0123456789abcdef0), 1 launch template".to_string();
        if status == "unused" {
            row.unused_since = Some("2026-11-01T00:00:00Z".to_string());
        }
        groups.push(row);
        findings.push(finding(
            region,
            "sg-world-open-ssh",
            &group_id,
            "high",
            if i % 50 == 0 { "fail" } else { "pass" },
        ));
        findings.push(finding(region, "sg-unused", &group_id, "low", if status == "unused" { "fail" } else { "pass" }));
    }
    scan(id, started_at, regions, groups, findings)
}

/// The account-regions a run looked at, as `last_seen` takes them.
pub fn places_of(run: &RunRecord) -> Vec<(String, String)> {
    let set: BTreeSet<(String, String)> = run.coverage.iter().map(|c| (c.account.clone(), c.region.clone())).collect();
    set.into_iter().collect()
}

/// Instantiates the suite (common/suite.rs) for one database: `$fresh` gives a new, empty store location.
macro_rules! store_suite {
    ($fresh:path; $($test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let (location, _guard) = $fresh().await;
                common::suite::$test(location).await;
            }
        )*
    };
}

/// Every test of the suite, for `store_suite!`.
macro_rules! whole_store_suite {
    ($fresh:path) => {
        store_suite!(
            $fresh;
            migrates_from_empty,
            migrates_from_the_previous_schema_version,
            records_and_reads_back_a_run_whole,
            a_failed_record_leaves_nothing,
            two_writers_at_once,
            a_newer_schema_is_refused_before_anything_is_touched,
            read_only_never_creates_a_store,
            a_database_of_something_else_is_not_a_store,
            runs_are_listed_newest_first_with_counts_and_places,
            last_seen_honours_coverage,
            last_comparable_pair_skips_runs_of_another_scope,
            last_pushed_gives_the_findings_to_archive,
            marks_are_added_replaced_listed_and_removed,
            diff_and_trend_over_runs_read_back,
            records_a_few_thousand_groups_quickly,
            the_documented_queries_run,
        );
        whole_queue_suite!($fresh);
    };
}

/// Instantiates the scan queue's suite (common/queue.rs) for one database, as `store_suite!` does.
macro_rules! queue_suite {
    ($fresh:path; $($test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let (location, _guard) = $fresh().await;
                common::queue::$test(location).await;
            }
        )*
    };
}

/// Every test of the scan queue's suite, for `queue_suite!` (part of `whole_store_suite!`).
macro_rules! whole_queue_suite {
    ($fresh:path) => {
        queue_suite!(
            $fresh;
            queue_creation_races_create_it_once,
            claims_are_exclusive_under_concurrent_claimers,
            an_expired_lease_is_taken_over_and_not_before,
            a_renewed_lease_is_not_taken_over,
            a_unit_is_completed_once,
            release_gives_claims_back,
            a_resumed_scan_collects_only_the_rest,
            parts_come_back_whole_and_in_order,
            another_scope_is_refused,
            a_scan_is_finished_once,
            a_schema_2_store_migrates_and_takes_scans,
        );
    };
}

//! What the store's two test binaries share: a throwaway PostgreSQL server, fresh stores, sample runs, and the
//! suite itself (`store_suite!`), written once and instantiated over SQLite (store_sqlite.rs) and over
//! PostgreSQL (store_postgres.rs).

// Each test binary uses its own part of this module (the SQLite one never starts PostgreSQL).
#![allow(dead_code)]

pub mod suite;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

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

/// A throwaway PostgreSQL server for one test binary: `initdb` in a temporary directory, listening on a free
/// loopback port (and a socket in that directory only), fsync off. Tests share it, each in a database of its
/// own (`CREATE DATABASE t_<n>`), so they run in parallel.
///
/// Stopped (`pg_ctl stop -m immediate`) on drop; the shared one lives in a static, which Rust never drops, so a
/// watcher process stops it and removes its directory once the test binary has exited.
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    /// Run as the `postgres` user: PostgreSQL refuses to run as root, and this machine and CI run as root.
    as_postgres: bool,
}

const INSTALL_HINT: &str = "PostgreSQL is needed by the store's tests (they never pass without it): install it, \
     e.g. `apt-get install -y --no-install-recommends postgresql` on Debian (.ci/run does), or put initdb and \
     pg_ctl in PATH";

impl Postgres {
    /// The test binary's server, started on first use. Panics (failing the test) when PostgreSQL is not installed.
    pub fn shared() -> &'static Postgres {
        static SHARED: OnceLock<Postgres> = OnceLock::new();
        SHARED.get_or_init(|| Postgres::start().unwrap_or_else(|e| panic!("{e}")))
    }

    pub fn start() -> Result<Postgres, String> {
        let bin = find_postgres_bin().ok_or_else(|| format!("initdb and pg_ctl not found. {INSTALL_HINT}"))?;
        let as_postgres = output_of("id", &["-u"]).as_deref() == Some("0");
        let dir = tempfile::Builder::new()
            .prefix("sgaudit-pg-")
            .tempdir()
            .map_err(|e| format!("a temporary directory: {e}"))?
            .keep();
        if as_postgres {
            let uid = output_of("id", &["-u", "postgres"]).and_then(|s| s.parse().ok());
            let gid = output_of("id", &["-g", "postgres"]).and_then(|s| s.parse().ok());
            let (Some(uid), Some(gid)) = (uid, gid) else {
                return Err(format!(
                    "running as root, and there is no `postgres` user to run the server as. {INSTALL_HINT}"
                ));
            };
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let mut server = Postgres { dir, bin, port: 0, as_postgres };
        let data = server.dir.join("data");
        server.run("initdb", &["-D", path_str(&data), "-A", "trust", "-U", "sgaudit", "--no-sync", "-E", "UTF8"])?;
        // A free port can be taken between the probe and the start: try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            server.port = free_port()?;
            let options = format!(
                "-p {} -h 127.0.0.1 -k {} -F -c max_connections=300 -c shared_buffers=32MB",
                server.port,
                path_str(&server.dir)
            );
            let log = server.dir.join("server.log");
            match server.run(
                "pg_ctl",
                &["-D", path_str(&data), "-l", path_str(&log), "-w", "-t", "60", "-o", &options, "start"],
            ) {
                Ok(()) => {
                    server.watch();
                    return Ok(server);
                }
                Err(e) => last_error = format!("{e}\n{}", std::fs::read_to_string(&log).unwrap_or_default()),
            }
        }
        Err(format!("PostgreSQL did not start: {last_error}"))
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let output = self
            .command(program)
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {program}: {e}. {INSTALL_HINT}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {}: {}\n{}{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// A watcher that outlives this process: when the test binary is gone, it stops the server and removes its
    /// directory. Its output goes nowhere, so a `cargo test | tee` does not wait for it.
    fn watch(&self) {
        let stop = self.command("pg_ctl");
        let mut stop_line: Vec<String> = std::iter::once(stop.get_program().to_string_lossy().into_owned())
            .chain(stop.get_args().map(|a| a.to_string_lossy().into_owned()))
            .collect();
        stop_line.extend([
            "-D".into(),
            path_str(&self.dir.join("data")).into(),
            "-m".into(),
            "immediate".into(),
            "stop".into(),
        ]);
        let quoted: Vec<String> = stop_line.iter().map(|a| format!("'{}'", a.replace('\'', r"'\''"))).collect();
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{dir}'",
            pid = std::process::id(),
            stop = quoted.join(" "),
            dir = path_str(&self.dir).replace('\'', r"'\''"),
        );
        let spawned = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Err(e) = spawned {
            eprintln!(
                "warning: no watcher for the test PostgreSQL server ({e}): stop it by hand in {}",
                self.dir.display()
            );
        }
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://sgaudit@127.0.0.1:{}/{database}", self.port)
    }

    /// A new database, for one test.
    pub async fn fresh_database(&self) -> Location {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!("t_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        sqlx::any::install_default_drivers();
        let mut admin = AnyConnection::connect(&self.url("postgres")).await.expect("the test server answers");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("CREATE DATABASE");
        let _ = admin.close().await;
        Location::Postgres(self.url(&name))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.run("pg_ctl", &["-D", path_str(&data), "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// initdb and pg_ctl: in PATH, else in Debian's `/usr/lib/postgresql/<version>/bin` (the newest version).
fn find_postgres_bin() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|dir| has_both(dir)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
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
    };
}

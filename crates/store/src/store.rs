//! [`Store`]: open (checks and migrations), record a run in one transaction, and the reads sgaudit needs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyArguments, AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Arguments, ConnectOptions, Connection, Row};

use crate::rows::scope_digest;
use crate::{
    check_date, normalize_timestamp, schema, Access, CoverageRow, FindingRow, GroupRow, LastSeen, Location, Mark,
    OpenError, RunKind, RunRecord, RunSummary, StoreError,
};

/// How long opening waits: for PostgreSQL to answer, for SQLite's write lock. Short, so that a wrong URL or a
/// store another scan holds is told at once, before any AWS call.
pub(crate) const OPEN_WAIT: Duration = Duration::from_secs(5);
/// How long a write waits for SQLite's lock once the store is open: another scan recording 100,000 groups
/// holds it for a few seconds, and this run should wait for it rather than lose its record.
const WRITE_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The most bind parameters one statement may carry: SQLite's SQLITE_MAX_VARIABLE_NUMBER (32,766 since
    /// 3.32; sqlx bundles a newer SQLite), PostgreSQL's protocol limit (an unsigned 16-bit count).
    fn max_binds(self) -> usize {
        match self {
            Backend::Sqlite => 32_766,
            Backend::Postgres => 65_535,
        }
    }
}

/// The store being opened or used, for error messages: which database, its shown name, its password to scrub.
pub(crate) struct Target {
    pub backend: Backend,
    pub shown: String,
    secret: Option<String>,
}

/// SQLite's primary result code of an error (the extended code's low byte).
fn sqlite_code(e: &sqlx::Error) -> Option<i64> {
    let sqlx::Error::Database(db) = e else { return None };
    db.code()?.parse::<i64>().ok().map(|code| code & 0xff)
}

const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_NOTADB: i64 = 26;

impl Target {
    pub(crate) fn is_busy(&self, e: &sqlx::Error) -> bool {
        self.backend == Backend::Sqlite && matches!(sqlite_code(e), Some(SQLITE_BUSY | SQLITE_LOCKED))
    }

    /// The error's text, without the password should a driver ever quote the URL.
    pub(crate) fn scrub(&self, e: &sqlx::Error) -> String {
        let text = match e {
            // The server's or SQLite's own words, without sqlx's "error returned from database:" prefix.
            sqlx::Error::Database(db) => db.message().to_string(),
            sqlx::Error::Io(io) => io.to_string(),
            other => other.to_string(),
        };
        match &self.secret {
            Some(secret) => text.replace(secret.as_str(), "***"),
            None => text,
        }
    }

    pub(crate) fn open_error(&self, e: sqlx::Error) -> OpenError {
        let store = self.shown.clone();
        if self.is_busy(&e) {
            return OpenError::Locked { store, waited_s: OPEN_WAIT.as_secs() };
        }
        let message = self.scrub(&e);
        match self.backend {
            Backend::Sqlite if sqlite_code(&e) == Some(SQLITE_NOTADB) => {
                OpenError::NotAStore { store, why: format!("not a SQLite database ({message})") }
            }
            Backend::Sqlite => OpenError::Other { store, message },
            Backend::Postgres => match &e {
                // Class 08: connection exceptions; 28: bad user or password; 3D000: no such database;
                // 57P03: the server is starting or shutting down; 53300: too many connections.
                sqlx::Error::Database(db) => {
                    let code = db.code().unwrap_or_default();
                    let refused = ["08", "28"].iter().any(|class| code.starts_with(class))
                        || ["3D000", "57P03", "53300"].contains(&code.as_ref());
                    if refused {
                        OpenError::Unreachable { store, reason: message }
                    } else {
                        OpenError::Other { store, message: format!("{message} (SQLSTATE {code})") }
                    }
                }
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::Configuration(_) => OpenError::Unreachable { store, reason: message },
                _ => OpenError::Other { store, message },
            },
        }
    }

    fn store_error(&self, e: sqlx::Error) -> StoreError {
        let store = self.shown.clone();
        if self.is_busy(&e) {
            return StoreError::Locked { store, waited_s: WRITE_WAIT.as_secs() };
        }
        StoreError::Database { store, message: self.scrub(&e) }
    }
}

/// An open store: a small pool of connections to one SQLite file or one PostgreSQL database, at this build's
/// schema. Cheap to share by reference between tasks.
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) target: Target,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("store", &self.target.shown).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store, checking what it holds; [`Access::ReadWrite`] creates a SQLite file and brings the schema
    /// up to date. Every refusal comes here, before the caller does anything else: missing, locked, newer,
    /// unreachable, not a store.
    pub async fn open(location: &Location, access: Access) -> Result<Store, OpenError> {
        sqlx::any::install_default_drivers();
        let target = Target {
            backend: match location {
                Location::Sqlite(_) => Backend::Sqlite,
                Location::Postgres(_) => Backend::Postgres,
            },
            shown: location.shown(),
            secret: location.secret().map(str::to_string),
        };
        let options = match location {
            Location::Sqlite(path) => sqlite_options(path, access, &target)?,
            Location::Postgres(url) => AnyConnectOptions::from_str(url)
                .map_err(|e| OpenError::Unreachable { store: target.shown.clone(), reason: target.scrub(&e) })?,
        }
        // Statements of 30,000 bind values must not reach a log.
        .disable_statement_logging();

        // The checks and migrations on a connection of their own (not the pool's): a connection left inside a
        // failed transaction never goes back to a pool.
        let mut conn = connect(&options, &target).await?;
        if target.backend == Backend::Sqlite {
            set_busy_timeout(&mut conn, OPEN_WAIT).await.map_err(|e| target.open_error(e))?;
        }
        let prepared = schema::prepare(&mut conn, &target, access).await;
        // Closing is best effort: a refusal above is the error worth telling.
        let _ = conn.close().await;
        prepared?;

        let backend = target.backend;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(WRITE_WAIT)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        set_busy_timeout(conn, WRITE_WAIT).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| target.open_error(e))?;
        Ok(Store { pool, target })
    }

    /// Closes the connections. SQLite checkpoints its write-ahead log into the file when the last one closes, so
    /// a CLI calls this before it exits.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The store's name for messages ([`Location::shown`]).
    pub fn shown(&self) -> &str {
        &self.target.shown
    }

    pub(crate) fn err(&self, e: sqlx::Error) -> StoreError {
        self.target.store_error(e)
    }

    pub(crate) fn invalid(&self, what: String) -> StoreError {
        StoreError::Invalid { store: self.target.shown.clone(), what }
    }

    /// Records a run whole, in ONE transaction: all of it or, on any failure, nothing. Rows go in batched
    /// multi-row INSERTs (100,000 groups are a few dozen statements, not 100,000 round trips).
    pub async fn record(&self, run: &RunRecord) -> Result<(), StoreError> {
        self.record_rows(run, run.groups.iter().cloned(), run.findings.iter().cloned()).await
    }

    /// [`Store::record`], with the run's groups and findings given as iterators rather than in `run` (whose own
    /// `groups` and `findings` are then not read): a statement's worth of rows is made at a time, so that a
    /// caller making them from an organisation's audit never holds them all (heaptrack counted 73 MiB of them
    /// at 100 accounts x 17 regions).
    pub async fn record_rows(
        &self,
        run: &RunRecord,
        groups: impl IntoIterator<Item = GroupRow>,
        findings: impl IntoIterator<Item = FindingRow>,
    ) -> Result<(), StoreError> {
        let started_at = normalize_timestamp(&run.started_at).map_err(|e| self.invalid(format!("started_at: {e}")))?;
        let finished_at =
            normalize_timestamp(&run.finished_at).map_err(|e| self.invalid(format!("finished_at: {e}")))?;
        let collected_at = run
            .collected_at
            .as_deref()
            .map(normalize_timestamp)
            .transpose()
            .map_err(|e| self.invalid(format!("collected_at: {e}")))?;
        if run.id.is_empty() {
            return Err(self.invalid("a run needs an id".to_string()));
        }
        if let Some(family) = run.families.iter().find(|f| f.is_empty() || f.contains(',')) {
            return Err(self.invalid(format!("family {family:?}: a family name is not empty and has no comma")));
        }
        let mut families = run.families.clone();
        families.sort();
        families.dedup();
        let families = families.join(",");
        // A bad time in a row is found as the rows are written: the transaction is then rolled back.
        let mut bad_time = None;
        let groups = groups.into_iter().map_while(|group| {
            match group.unused_since.as_deref().map(normalize_timestamp).transpose() {
                Ok(since) => Some((group, since)),
                Err(e) => {
                    bad_time =
                        Some(format!("unused_since of {} in {}/{}: {e}", group.group_id, group.account, group.region));
                    None
                }
            }
        });
        let findings = (0i64..).zip(findings);

        let id = run.id.as_str();
        let backend = self.target.backend;
        let mut conn = self.pool.acquire().await.map_err(|e| self.err(e))?;
        let mut tx = match backend {
            // The write lock from the start: a deferred transaction that read first could not wait for it.
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => conn.begin().await,
        }
        .map_err(|e| self.err(e))?;

        let inserted = sqlx::query(
            "INSERT INTO runs (id, kind, started_at, finished_at, duration_ms, caller_arn, sgaudit_version, \
             from_snapshot, collected_at, families, security_hub_pushed, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(run.kind.id())
        .bind(started_at.as_str())
        .bind(finished_at.as_str())
        .bind(run.duration_ms)
        .bind(run.caller_arn.as_deref())
        .bind(run.sgaudit_version.as_str())
        .bind(i64::from(run.from_snapshot))
        .bind(collected_at.as_deref())
        .bind(families.as_str())
        .bind(i64::from(run.security_hub_pushed))
        .bind(run.detail.as_deref())
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            if let sqlx::Error::Database(db) = &e {
                if db.is_unique_violation() {
                    return Err(StoreError::Duplicate { store: self.target.shown.clone(), id: id.to_string() });
                }
            }
            return Err(self.err(e));
        }

        insert_batched(&mut tx, backend, "run_counts (run_id, name, value)", 3, &run.counts, |args, (name, value)| {
            args.add(id)?;
            args.add(name.as_str())?;
            args.add(*value)
        })
        .await
        .map_err(|e| self.err(e))?;

        insert_batched(
            &mut tx,
            backend,
            "run_places (run_id, account, region, complete, sources_read, sources, unreadable)",
            7,
            &run.coverage,
            |args, place| {
                args.add(id)?;
                args.add(place.account.as_str())?;
                args.add(place.region.as_str())?;
                args.add(i64::from(place.complete))?;
                args.add(place.sources_read)?;
                args.add(place.sources)?;
                args.add(place.unreadable.as_str())
            },
        )
        .await
        .map_err(|e| self.err(e))?;

        insert_batched(
            &mut tx,
            backend,
            "run_groups (run_id, account, region, group_id, name, vpc_id, is_default, status, risk, unused_since, \
             uses, evidence, marked_in_use)",
            13,
            groups,
            |args, (group, since)| {
                args.add(id)?;
                args.add(group.account)?;
                args.add(group.region)?;
                args.add(group.group_id)?;
                args.add(group.name)?;
                args.add(group.vpc_id)?;
                args.add(i64::from(group.is_default))?;
                args.add(group.status)?;
                args.add(group.risk)?;
                args.add(since)?;
                args.add(group.uses)?;
                args.add(group.evidence)?;
                args.add(group.marked_in_use)
            },
        )
        .await
        .map_err(|e| self.err(e))?;
        // Dropped, the transaction rolls back: the run and the rows written so far go with it.
        if let Some(what) = bad_time {
            return Err(self.invalid(what));
        }

        insert_batched(
            &mut tx,
            backend,
            "run_findings (run_id, seq, check_id, account, region, resource_type, resource, group_id, severity, \
             outcome, title, message, muted_reason, muted_owner, finding_id, filed_region)",
            16,
            findings,
            |args, (seq, finding)| {
                args.add(id)?;
                args.add(seq)?;
                args.add(finding.check_id)?;
                args.add(finding.account)?;
                args.add(finding.region)?;
                args.add(finding.resource_type)?;
                args.add(finding.resource)?;
                args.add(finding.group_id)?;
                args.add(finding.severity)?;
                args.add(finding.outcome)?;
                args.add(finding.title)?;
                args.add(finding.message)?;
                args.add(finding.muted_reason)?;
                args.add(finding.muted_owner)?;
                args.add(finding.finding_id)?;
                args.add(finding.filed_region)
            },
        )
        .await
        .map_err(|e| self.err(e))?;

        if let Some(snapshot) = &run.snapshot {
            sqlx::query("INSERT INTO run_snapshots (run_id, snapshot) VALUES ($1, $2)")
                .bind(id)
                .bind(snapshot.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// The runs, newest first (by start time, then id); `limit` of them, or all.
    pub async fn runs(&self, limit: Option<usize>) -> Result<Vec<RunSummary>, StoreError> {
        let limit = limit.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let rows = sqlx::query(&format!("{SUMMARY_SELECT} ORDER BY r.started_at DESC, r.id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        self.summaries(rows).await
    }

    /// One run, by id.
    pub async fn run(&self, id: &str) -> Result<Option<RunSummary>, StoreError> {
        let rows = sqlx::query(&format!("{SUMMARY_SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(self.summaries(rows).await?.pop())
    }

    /// The summaries of rows of [`SUMMARY_SELECT`], in their order, with their counts and places.
    async fn summaries(&self, rows: Vec<AnyRow>) -> Result<Vec<RunSummary>, StoreError> {
        let mut summaries = rows.iter().map(|row| self.summary(row)).collect::<Result<Vec<_>, _>>()?;
        let mut counts: HashMap<String, BTreeMap<String, i64>> = HashMap::new();
        let mut places: HashMap<String, Vec<(String, String, bool)>> = HashMap::new();
        let ids: Vec<&str> = summaries.iter().map(|s| s.id.as_str()).collect();
        // Bounded IN lists: a history of thousands of runs stays under every bind limit.
        for chunk in ids.chunks(500) {
            let list = placeholders(1, chunk.len());
            let ids = || {
                let mut args = AnyArguments::default();
                for id in chunk {
                    args.add(*id).map_err(|e| self.err(sqlx::Error::Encode(e)))?;
                }
                Ok::<_, StoreError>(args)
            };
            let sql = format!("SELECT run_id, name, value FROM run_counts WHERE run_id IN ({list})");
            for row in sqlx::query_with(&sql, ids()?).fetch_all(&self.pool).await.map_err(|e| self.err(e))? {
                let (run_id, name, value): (String, String, i64) =
                    (self.get(&row, 0)?, self.get(&row, 1)?, self.get(&row, 2)?);
                counts.entry(run_id).or_default().insert(name, value);
            }
            let sql = format!("SELECT run_id, account, region, complete FROM run_places WHERE run_id IN ({list})");
            for row in sqlx::query_with(&sql, ids()?).fetch_all(&self.pool).await.map_err(|e| self.err(e))? {
                let run_id: String = self.get(&row, 0)?;
                let complete: i64 = self.get(&row, 3)?;
                places.entry(run_id).or_default().push((self.get(&row, 1)?, self.get(&row, 2)?, complete != 0));
            }
        }
        for summary in &mut summaries {
            summary.counts = counts.remove(&summary.id).unwrap_or_default();
            let places = places.remove(&summary.id).unwrap_or_default();
            summary.places = places.len() as i64;
            summary.places_complete = places.iter().filter(|(_, _, complete)| *complete).count() as i64;
            summary.scope = scope_digest(places.iter().map(|(a, r, _)| (a.as_str(), r.as_str())));
        }
        Ok(summaries)
    }

    pub(crate) fn get<'r, T>(&self, row: &'r AnyRow, index: usize) -> Result<T, StoreError>
    where
        T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        row.try_get(index).map_err(|e| self.err(e))
    }

    fn flag(&self, row: &AnyRow, index: usize) -> Result<bool, StoreError> {
        Ok(self.get::<i64>(row, index)? != 0)
    }

    fn summary(&self, row: &AnyRow) -> Result<RunSummary, StoreError> {
        let kind: String = self.get(row, 1)?;
        let families: String = self.get(row, 9)?;
        Ok(RunSummary {
            id: self.get(row, 0)?,
            kind: RunKind::from_id(&kind).ok_or_else(|| StoreError::Database {
                store: self.target.shown.clone(),
                message: format!("a run of unknown kind {kind:?} (written by a newer sgaudit?)"),
            })?,
            started_at: self.get(row, 2)?,
            finished_at: self.get(row, 3)?,
            duration_ms: self.get(row, 4)?,
            caller_arn: self.get(row, 5)?,
            sgaudit_version: self.get(row, 6)?,
            from_snapshot: self.flag(row, 7)?,
            collected_at: self.get(row, 8)?,
            families: families.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect(),
            security_hub_pushed: self.flag(row, 10)?,
            counts: BTreeMap::new(),
            places: 0,
            places_complete: 0,
            scope: String::new(),
        })
    }

    /// The groups a run judged, by account, region and id.
    pub async fn groups(&self, run_id: &str) -> Result<Vec<GroupRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT account, region, group_id, name, vpc_id, is_default, status, risk, unused_since, uses, evidence, \
             marked_in_use FROM run_groups WHERE run_id = $1 ORDER BY account, region, group_id",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                Ok(GroupRow {
                    account: self.get(row, 0)?,
                    region: self.get(row, 1)?,
                    group_id: self.get(row, 2)?,
                    name: self.get(row, 3)?,
                    vpc_id: self.get(row, 4)?,
                    is_default: self.flag(row, 5)?,
                    status: self.get(row, 6)?,
                    risk: self.get(row, 7)?,
                    unused_since: self.get(row, 8)?,
                    uses: self.get(row, 9)?,
                    evidence: self.get(row, 10)?,
                    marked_in_use: self.get(row, 11)?,
                })
            })
            .collect()
    }

    /// The check results of a run, in the order they were recorded.
    pub async fn findings(&self, run_id: &str) -> Result<Vec<FindingRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT check_id, account, region, resource_type, resource, group_id, severity, outcome, title, message, \
             muted_reason, muted_owner, finding_id, filed_region FROM run_findings WHERE run_id = $1 ORDER BY seq",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                Ok(FindingRow {
                    check_id: self.get(row, 0)?,
                    account: self.get(row, 1)?,
                    region: self.get(row, 2)?,
                    resource_type: self.get(row, 3)?,
                    resource: self.get(row, 4)?,
                    group_id: self.get(row, 5)?,
                    severity: self.get(row, 6)?,
                    outcome: self.get(row, 7)?,
                    title: self.get(row, 8)?,
                    message: self.get(row, 9)?,
                    muted_reason: self.get(row, 10)?,
                    muted_owner: self.get(row, 11)?,
                    finding_id: self.get(row, 12)?,
                    filed_region: self.get(row, 13)?,
                })
            })
            .collect()
    }

    /// What a run read in each account-region, by account and region.
    pub async fn coverage(&self, run_id: &str) -> Result<Vec<CoverageRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT account, region, complete, sources_read, sources, unreadable FROM run_places WHERE run_id = $1 \
             ORDER BY account, region",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                Ok(CoverageRow {
                    account: self.get(row, 0)?,
                    region: self.get(row, 1)?,
                    complete: self.flag(row, 2)?,
                    sources_read: self.get(row, 3)?,
                    sources: self.get(row, 4)?,
                    unreadable: self.get(row, 5)?,
                })
            })
            .collect()
    }

    /// For "unused since": each group of the given account-regions as the LATEST scan run that looked at its
    /// account-region saw it. Runs that did not look there are no evidence either way, so each place has its
    /// own latest run; "latest" is by when the estate was read (a re-judged old snapshot is not newer evidence
    /// than a later live scan). Keyed by group id.
    pub async fn last_seen(&self, places: &[(String, String)]) -> Result<HashMap<String, LastSeen>, StoreError> {
        let mut seen = HashMap::new();
        let unique: HashSet<&(String, String)> = places.iter().collect();
        for (account, region) in unique {
            let rows = sqlx::query(
                "SELECT g.group_id, g.run_id, COALESCE(r.collected_at, r.started_at), g.status, g.unused_since \
                 FROM run_groups g JOIN runs r ON r.id = g.run_id \
                 WHERE g.account = $1 AND g.region = $2 AND g.run_id = ( \
                     SELECT p.run_id FROM run_places p JOIN runs s ON s.id = p.run_id \
                     WHERE p.account = $1 AND p.region = $2 AND s.kind = 'scan' \
                     ORDER BY COALESCE(s.collected_at, s.started_at) DESC, s.id DESC LIMIT 1)",
            )
            .bind(account.as_str())
            .bind(region.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
            for row in &rows {
                let group_id: String = self.get(row, 0)?;
                let last = LastSeen {
                    run_id: self.get(row, 1)?,
                    at: self.get(row, 2)?,
                    account: account.clone(),
                    region: region.clone(),
                    status: self.get(row, 3)?,
                    unused_since: self.get(row, 4)?,
                };
                seen.insert(group_id, last);
            }
        }
        Ok(seen)
    }

    /// The two newest comparable scan runs (same account-regions, same families), older first: the newest scan
    /// with the newest earlier scan comparable to it, or, when it has none, the same for the next newest.
    pub async fn last_comparable_pair(&self) -> Result<Option<(RunSummary, RunSummary)>, StoreError> {
        let rows =
            sqlx::query(&format!("{SUMMARY_SELECT} WHERE r.kind = 'scan' ORDER BY r.started_at DESC, r.id DESC"))
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        let scans = self.summaries(rows).await?;
        for (i, newer) in scans.iter().enumerate() {
            if let Some(older) = scans[i + 1..].iter().find(|older| older.comparable_with(newer)) {
                return Ok(Some((older.clone(), newer.clone())));
            }
        }
        Ok(None)
    }

    /// The newest scan run that pushed its findings to Security Hub, with those findings: what to archive once
    /// the next push no longer carries them.
    pub async fn last_pushed(&self) -> Result<Option<(RunSummary, Vec<FindingRow>)>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SUMMARY_SELECT} WHERE r.kind = 'scan' AND r.security_hub_pushed = 1 \
             ORDER BY r.started_at DESC, r.id DESC LIMIT 1"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        match self.summaries(rows).await?.pop() {
            Some(run) => {
                let findings = self.findings(&run.id).await?;
                Ok(Some((run, findings)))
            }
            None => Ok(None),
        }
    }

    /// Marks a group in use (replacing its earlier mark, if any).
    pub async fn add_mark(&self, mark: &Mark) -> Result<(), StoreError> {
        let at = normalize_timestamp(&mark.at).map_err(|e| self.invalid(format!("the mark's time: {e}")))?;
        if let Some(expires) = &mark.expires {
            check_date(expires).map_err(|e| self.invalid(format!("the mark's expiry: {e}")))?;
        }
        if mark.group_id.is_empty() {
            return Err(self.invalid("a mark needs a group id".to_string()));
        }
        sqlx::query(
            "INSERT INTO marks (group_id, account, region, reason, owner, marked_at, expires) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (group_id) DO UPDATE SET account = excluded.account, region = excluded.region, \
             reason = excluded.reason, owner = excluded.owner, marked_at = excluded.marked_at, \
             expires = excluded.expires",
        )
        .bind(mark.group_id.as_str())
        .bind(mark.account.as_deref())
        .bind(mark.region.as_deref())
        .bind(mark.reason.as_str())
        .bind(mark.owner.as_str())
        .bind(at.as_str())
        .bind(mark.expires.as_deref())
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Every mark, by group id (expired ones too: the caller knows today's date and decides).
    pub async fn marks(&self) -> Result<Vec<Mark>, StoreError> {
        let rows = sqlx::query(
            "SELECT group_id, account, region, reason, owner, marked_at, expires FROM marks ORDER BY group_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                Ok(Mark {
                    group_id: self.get(row, 0)?,
                    account: self.get(row, 1)?,
                    region: self.get(row, 2)?,
                    reason: self.get(row, 3)?,
                    owner: self.get(row, 4)?,
                    at: self.get(row, 5)?,
                    expires: self.get(row, 6)?,
                })
            })
            .collect()
    }

    /// Removes a group's mark; false when it had none.
    pub async fn remove_mark(&self, group_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM marks WHERE group_id = $1")
            .bind(group_id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(done.rows_affected() > 0)
    }

    /// The snapshot JSON a run kept (`--store-snapshot`), if it kept one.
    pub async fn snapshot(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        self.text_by_id("SELECT snapshot FROM run_snapshots WHERE run_id = $1", run_id).await
    }

    /// The one text column `sql` selects for `id` (`$1`): `None` when there is no such row, or its value is null.
    pub(crate) async fn text_by_id(&self, sql: &str, id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await.map_err(|e| self.err(e))?;
        Ok(row.map(|row| self.get::<Option<String>>(&row, 0)).transpose()?.flatten())
    }
}

/// The columns of a [`RunSummary`] (counts and places come in a second query).
const SUMMARY_SELECT: &str = "SELECT r.id, r.kind, r.started_at, r.finished_at, r.duration_ms, r.caller_arn, \
     r.sgaudit_version, r.from_snapshot, r.collected_at, r.families, r.security_hub_pushed FROM runs r";

/// `$first, $first+1, …` (`count` of them).
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// Inserts rows in multi-row INSERTs of as many rows as the database's bind limit allows, inside the caller's
/// transaction. `bind` adds one row's `columns` values, in the order of `table_and_columns`.
/// The rows are taken from `rows` one statement's worth at a time: no more of them is held at once, and an
/// owned row's strings are moved into the statement, not copied.
pub(crate) async fn insert_batched<'a, I, F>(
    conn: &mut AnyConnection,
    backend: Backend,
    table_and_columns: &str,
    columns: usize,
    rows: I,
    bind: F,
) -> Result<(), sqlx::Error>
where
    I: IntoIterator,
    F: Fn(&mut AnyArguments<'a>, I::Item) -> Result<(), sqlx::error::BoxDynError>,
{
    let per_statement = (backend.max_binds() / columns).max(1);
    let mut full_sql = None;
    let mut rows = rows.into_iter();
    loop {
        let mut args = AnyArguments::default();
        let mut n = 0;
        for row in rows.by_ref().take(per_statement) {
            bind(&mut args, row).map_err(sqlx::Error::Encode)?;
            n += 1;
        }
        if n == 0 {
            return Ok(());
        }
        let sql = if n == per_statement {
            full_sql.get_or_insert_with(|| values_sql(backend, table_and_columns, columns, n)).clone()
        } else {
            values_sql(backend, table_and_columns, columns, n)
        };
        sqlx::query_with(&sql, args).execute(&mut *conn).await?;
    }
}

/// `INSERT INTO … VALUES (…), (…)` for `rows` rows. SQLite gets anonymous `?` parameters: it resolves each
/// named one (`$7`) by a linear search of the names seen so far, which made a statement of 30,000 of them take
/// seconds to prepare (10,000 groups took a minute to record); PostgreSQL knows only `$n`.
fn values_sql(backend: Backend, table_and_columns: &str, columns: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table_and_columns} VALUES ");
    sql.reserve(rows * columns * 8);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        match backend {
            Backend::Sqlite => sql.push_str(&vec!["?"; columns].join(", ")),
            Backend::Postgres => sql.push_str(&placeholders(r * columns + 1, columns)),
        }
        sql.push(')');
    }
    sql
}

fn sqlite_options(path: &Path, access: Access, target: &Target) -> Result<AnyConnectOptions, OpenError> {
    let missing = || OpenError::Missing { store: target.shown.clone() };
    match access {
        Access::ReadOnly if !path.exists() => return Err(missing()),
        Access::ReadWrite if !path.exists() => {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(missing());
            }
        }
        _ => {}
    }
    if path.is_dir() {
        return Err(OpenError::NotAStore { store: target.shown.clone(), why: "it is a directory".to_string() });
    }
    let absolute = std::path::absolute(path)
        .map_err(|e| OpenError::Other { store: target.shown.clone(), message: e.to_string() })?;
    AnyConnectOptions::from_str(&sqlite_url(&absolute, access))
        .map_err(|e| OpenError::Other { store: target.shown.clone(), message: target.scrub(&e) })
}

/// The URL of a SQLite file for sqlx's Any driver, which reaches every database through a URL. The path is
/// absolute (a relative one's first part would read as a host) and every byte but `A-Za-z0-9-._~/` is
/// percent-encoded: sqlx's own encoder leaves `%` alone, so a file named `a%20b` would open `a b`.
fn sqlite_url(absolute: &Path, access: Access) -> String {
    let mut url = String::from("sqlite://");
    for &byte in absolute.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url.push_str(match access {
        Access::ReadWrite => "?mode=rwc",
        Access::ReadOnly => "?mode=rw",
    });
    url
}

async fn connect(options: &AnyConnectOptions, target: &Target) -> Result<AnyConnection, OpenError> {
    match tokio::time::timeout(OPEN_WAIT, AnyConnection::connect_with(options)).await {
        Ok(connected) => connected.map_err(|e| target.open_error(e)),
        Err(_) => Err(OpenError::Unreachable {
            store: target.shown.clone(),
            reason: format!("no answer within {} s", OPEN_WAIT.as_secs()),
        }),
    }
}

async fn set_busy_timeout(conn: &mut AnyConnection, wait: Duration) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("PRAGMA busy_timeout = {}", wait.as_millis())).execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_encode_what_a_url_would_misread() {
        let url = sqlite_url(Path::new("/tmp/My Audits #1 ?x=y%20/h.sqlite3"), Access::ReadWrite);
        assert_eq!(url, "sqlite:///tmp/My%20Audits%20%231%20%3Fx%3Dy%2520/h.sqlite3?mode=rwc");
        assert!(sqlite_url(Path::new("/a"), Access::ReadOnly).ends_with("/a?mode=rw"));
    }

    #[test]
    fn batched_inserts_number_their_placeholders_row_after_row() {
        assert_eq!(values_sql(Backend::Postgres, "t (a, b)", 2, 2), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!(values_sql(Backend::Sqlite, "t (a, b)", 2, 2), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        assert_eq!(placeholders(3, 2), "$3, $4");
    }

    #[test]
    fn batches_stay_under_each_databases_bind_limit() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            for columns in [3, 7, 13, 14] {
                let rows = backend.max_binds() / columns;
                assert!(rows * columns <= backend.max_binds());
                assert!(rows >= 1000, "{backend:?}, {columns} columns: {rows} rows a statement");
            }
        }
    }
}

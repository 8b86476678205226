//! The scan queue: a scan split into units that workers claim, collect and hand back, so that an interrupted scan
//! resumes where it stopped (`sgaudit scan --resume`) and several processes share one scan through PostgreSQL.
//!
//! A unit is one account-region, or one account's account-wide evidence (region [`ACCOUNT_UNIT`]). Its life:
//! `pending` → `claimed` (by a worker, under a lease) → `done` (its part, the collected JSON, stored). A claim whose
//! lease ran out (a dead worker's) is claimed again by the next worker that asks. A unit is done once: the first
//! part stored wins, so the result never depends on which of two workers finished last.
//!
//! PostgreSQL is the coordinator: a claim locks the rows it takes (`FOR UPDATE SKIP LOCKED`), so two workers never
//! get the same unit while its lease runs. SQLite serialises claims with its write lock (`BEGIN IMMEDIATE`, waiting
//! up to the store's busy timeout), which does the same for processes on one machine. Leases are read from the
//! database's clock, not the workers': machines whose clocks disagree still agree on when a lease ends.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Arguments, Connection};

use crate::store::{insert_batched, Backend};
use crate::{Store, StoreError};

/// The region of an account's unit for its account-wide evidence (IAM, CloudTrail, …): not a region name.
pub const ACCOUNT_UNIT: &str = "account";

/// The longest lease the store keeps (about 24 days); a longer one is shortened to it.
const MAX_LEASE_MS: i64 = i32::MAX as i64;

/// Parts read per query by [`Store::parts`]: about 5 MB of 20 KB parts, the only copy held besides the result.
const PARTS_PAGE: usize = 256;

/// Units per statement when renewing leases (two bind values each).
const RENEW_CHUNK: usize = 500;

/// Where a scan's queue stands (`scan_queues.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueState {
    /// Units are still being claimed and collected; a resuming or joining worker takes part.
    Open,
    /// Every unit is done and one caller of [`Store::finish`] took the result (and recorded the run).
    Finished,
    /// Given up ([`Store::abandon`]): never resumed, never claimed from.
    Abandoned,
}

impl QueueState {
    pub const ALL: [QueueState; 3] = [QueueState::Open, QueueState::Finished, QueueState::Abandoned];

    /// The id stored in `scan_queues.state`.
    pub fn id(self) -> &'static str {
        match self {
            QueueState::Open => "open",
            QueueState::Finished => "finished",
            QueueState::Abandoned => "abandoned",
        }
    }

    pub fn from_id(id: &str) -> Option<QueueState> {
        QueueState::ALL.into_iter().find(|state| state.id() == id)
    }
}

/// One scan's queue (a `scan_queues` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanQueue {
    pub scan_id: String,
    /// When it was created, in the store's form (`YYYY-MM-DDTHH:MM:SSZ`).
    pub created_at: String,
    /// The caller's JSON document of what the scan covers, compared as text when joining or resuming.
    pub scope: String,
    pub state: QueueState,
    /// When it was finished or abandoned.
    pub finished_at: Option<String>,
    /// The run recorded from it, as given to [`Store::finish`].
    pub run_id: Option<String>,
}

/// How far a scan is ([`Store::progress`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanProgress {
    pub total: u64,
    pub pending: u64,
    /// Claimed and not done, expired leases included.
    pub claimed: u64,
    /// Of `claimed`, those whose lease has run out (a dead or stalled worker's): the next claim takes them over.
    pub expired: u64,
    pub done: u64,
    /// The workers holding a claim whose lease still runs, sorted.
    pub workers: Vec<String>,
}

impl ScanProgress {
    /// Every unit is done: the scan can be finished.
    pub fn is_complete(&self) -> bool {
        self.done == self.total
    }
}

/// The database's clock in UTC epoch milliseconds, as an SQL expression: one clock for every worker. SQLite's
/// `'now'` is fixed within a statement; PostgreSQL's `statement_timestamp()` likewise.
fn now_ms(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS BIGINT)",
    }
}

fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(MAX_LEASE_MS).min(MAX_LEASE_MS)
}

impl Store {
    fn unknown_scan(&self, scan_id: &str) -> StoreError {
        StoreError::UnknownScan { store: self.target.shown.clone(), scan_id: scan_id.to_string() }
    }

    /// Creates a scan's queue with its units, all `pending`, in one transaction; true when this call created it.
    ///
    /// Several workers starting one scan at once each call this: one creates, the others find it and succeed
    /// (false) as long as their `scope` is the same text; another scope fails with
    /// [`StoreError::ScopeMismatch`]. An existing queue is left as it is, whatever its state: the caller looks at
    /// [`Store::scan_queue`] to see whether it is still open.
    pub async fn create_scan(
        &self,
        scan_id: &str,
        scope: &str,
        units: &[(String, String)],
    ) -> Result<bool, StoreError> {
        if scan_id.is_empty() {
            return Err(self.invalid("a scan needs an id".to_string()));
        }
        if let Some((account, region)) = units.iter().find(|(account, region)| account.is_empty() || region.is_empty())
        {
            return Err(self.invalid(format!("unit {account:?}/{region:?}: a unit has an account and a region")));
        }
        let mut seen = HashSet::with_capacity(units.len());
        if let Some((account, region)) = units.iter().find(|unit| !seen.insert(*unit)) {
            return Err(self.invalid(format!("unit {account}/{region} is given twice")));
        }
        let backend = self.target.backend;
        let mut conn = self.pool.acquire().await.map_err(|e| self.err(e))?;
        let mut tx = match backend {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => conn.begin().await,
        }
        .map_err(|e| self.err(e))?;
        // On PostgreSQL a second creator waits here on the primary key until the first commits, then does nothing.
        let created = sqlx::query(
            "INSERT INTO scan_queues (scan_id, created_at, scope, state) VALUES ($1, $2, $3, 'open') \
             ON CONFLICT (scan_id) DO NOTHING",
        )
        .bind(scan_id)
        .bind(crate::timestamp(SystemTime::now()))
        .bind(scope)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        if created.rows_affected() == 0 {
            let row = sqlx::query("SELECT scope FROM scan_queues WHERE scan_id = $1")
                .bind(scan_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
            let existing: String = self.get(&row, 0)?;
            tx.rollback().await.map_err(|e| self.err(e))?;
            return if existing == scope {
                Ok(false)
            } else {
                Err(StoreError::ScopeMismatch { store: self.target.shown.clone(), scan_id: scan_id.to_string() })
            };
        }
        insert_batched(
            &mut tx,
            backend,
            "scan_units (scan_id, account_id, region, state, attempts)",
            5,
            units,
            |args, (account, region)| {
                args.add(scan_id)?;
                args.add(account.as_str())?;
                args.add(region.as_str())?;
                args.add("pending")?;
                args.add(0i64)
            },
        )
        .await
        .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(true)
    }

    /// Claims up to `max` units for `worker`, for `lease`: those `pending`, and those `claimed` whose lease ran
    /// out (taken over from a dead worker). By account, then region, so that an account's units tend to go to
    /// one worker. Sets the worker, the lease's end and one more attempt. Nothing when none is left or the queue
    /// is no longer open.
    ///
    /// Atomic: on PostgreSQL the units are picked `FOR UPDATE SKIP LOCKED` and updated in the same statement (a
    /// unit another claimer is taking is skipped, not waited for, and one taken meanwhile is re-checked and left);
    /// on SQLite the whole claim runs under the write lock.
    pub async fn claim(
        &self,
        scan_id: &str,
        worker: &str,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<(String, String)>, StoreError> {
        if worker.is_empty() {
            return Err(self.invalid("a worker needs a name".to_string()));
        }
        if max == 0 {
            return Ok(Vec::new());
        }
        let backend = self.target.backend;
        let mut conn = self.pool.acquire().await.map_err(|e| self.err(e))?;
        let mut tx = match backend {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => conn.begin().await,
        }
        .map_err(|e| self.err(e))?;
        let state = sqlx::query("SELECT state FROM scan_queues WHERE scan_id = $1")
            .bind(scan_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        let Some(state) = state else { return Err(self.unknown_scan(scan_id)) };
        if self.get::<String>(&state, 0)? != QueueState::Open.id() {
            return Ok(Vec::new());
        }
        let now = now_ms(backend);
        let lock = match backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        // `state <> 'done'` lets the partial index scan_units_to_claim serve the pick, in claim order.
        let sql = format!(
            "WITH picked AS (SELECT account_id, region FROM scan_units \
             WHERE scan_id = $1 AND state <> 'done' AND (state = 'pending' OR lease_until < {now}) \
             ORDER BY account_id, region LIMIT $2{lock}) \
             UPDATE scan_units SET state = 'claimed', worker = $3, lease_until = {now} + $4, attempts = attempts + 1 \
             WHERE scan_id = $1 AND (account_id, region) IN (SELECT account_id, region FROM picked) \
             RETURNING account_id, region"
        );
        let rows = sqlx::query(&sql)
            .bind(scan_id)
            .bind(i64::try_from(max).unwrap_or(i64::MAX))
            .bind(worker)
            .bind(lease_ms(lease))
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        let mut claimed = rows.iter().map(|row| self.unit(row)).collect::<Result<Vec<_>, _>>()?;
        tx.commit().await.map_err(|e| self.err(e))?;
        claimed.sort();
        Ok(claimed)
    }

    /// Extends the lease of `worker`'s own claims among `units` to `lease` from now, so that a long unit is not
    /// taken over while its worker is alive; how many were renewed. A unit it no longer holds (done, or taken
    /// over after its lease ran out) is left alone: the worker may still complete it, and the first part wins.
    pub async fn renew(
        &self,
        scan_id: &str,
        worker: &str,
        units: &[(String, String)],
        lease: Duration,
    ) -> Result<usize, StoreError> {
        let now = now_ms(self.target.backend);
        let mut renewed = 0;
        for chunk in units.chunks(RENEW_CHUNK) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", 4 + 2 * i, 5 + 2 * i)).collect();
            let sql = format!(
                "UPDATE scan_units SET lease_until = {now} + $3 \
                 WHERE scan_id = $1 AND worker = $2 AND state = 'claimed' AND (account_id, region) IN (VALUES {})",
                values.join(", ")
            );
            let mut args = AnyArguments::default();
            let encode = |e| self.err(sqlx::Error::Encode(e));
            args.add(scan_id).map_err(encode)?;
            args.add(worker).map_err(encode)?;
            args.add(lease_ms(lease)).map_err(encode)?;
            for (account, region) in chunk {
                args.add(account.as_str()).map_err(encode)?;
                args.add(region.as_str()).map_err(encode)?;
            }
            let done = sqlx::query_with(&sql, args).execute(&self.pool).await.map_err(|e| self.err(e))?;
            renewed += usize::try_from(done.rows_affected()).unwrap_or(usize::MAX);
        }
        Ok(renewed)
    }

    /// Stores a unit's part and marks it done, unless it is done already: true when this part was stored, false
    /// when another worker's came first (after a lease takeover both may collect it; the first part wins). Any
    /// worker may complete a unit not yet done, claimed by it or not. [`StoreError::UnknownUnit`] for a unit the
    /// scan does not have.
    pub async fn complete(
        &self,
        scan_id: &str,
        worker: &str,
        account_id: &str,
        region: &str,
        part: &str,
    ) -> Result<bool, StoreError> {
        // On PostgreSQL a second completer waits on the row, then finds it done and changes nothing.
        let done = sqlx::query(
            "UPDATE scan_units SET state = 'done', worker = $2, lease_until = NULL, part = $5, done_at = $6 \
             WHERE scan_id = $1 AND account_id = $3 AND region = $4 AND state <> 'done'",
        )
        .bind(scan_id)
        .bind(worker)
        .bind(account_id)
        .bind(region)
        .bind(part)
        .bind(crate::timestamp(SystemTime::now()))
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        let exists = sqlx::query("SELECT 1 FROM scan_units WHERE scan_id = $1 AND account_id = $2 AND region = $3")
            .bind(scan_id)
            .bind(account_id)
            .bind(region)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        match exists {
            Some(_) => Ok(false),
            None => Err(StoreError::UnknownUnit {
                store: self.target.shown.clone(),
                scan_id: scan_id.to_string(),
                account_id: account_id.to_string(),
                region: region.to_string(),
            }),
        }
    }

    /// Puts `worker`'s unfinished claims back to `pending` (a clean shutdown, Ctrl-C), so that another worker or
    /// a resumed run takes them at once rather than after the lease; how many. Their attempts stay counted.
    pub async fn release(&self, scan_id: &str, worker: &str) -> Result<usize, StoreError> {
        let done = sqlx::query(
            "UPDATE scan_units SET state = 'pending', worker = NULL, lease_until = NULL \
             WHERE scan_id = $1 AND worker = $2 AND state = 'claimed'",
        )
        .bind(scan_id)
        .bind(worker)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(usize::try_from(done.rows_affected()).unwrap_or(usize::MAX))
    }

    /// How far a scan is: its units by state, and the workers holding live claims.
    pub async fn progress(&self, scan_id: &str) -> Result<ScanProgress, StoreError> {
        if self.scan_queue(scan_id).await?.is_none() {
            return Err(self.unknown_scan(scan_id));
        }
        let now = now_ms(self.target.backend);
        let rows = sqlx::query(&format!(
            "SELECT state, COUNT(*), SUM(CASE WHEN lease_until < {now} THEN 1 ELSE 0 END) FROM scan_units \
             WHERE scan_id = $1 GROUP BY state"
        ))
        .bind(scan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let mut progress = ScanProgress::default();
        for row in &rows {
            let state: String = self.get(row, 0)?;
            let count = u64::try_from(self.get::<i64>(row, 1)?).unwrap_or_default();
            let expired = u64::try_from(self.get::<i64>(row, 2)?).unwrap_or_default();
            progress.total += count;
            match state.as_str() {
                "pending" => progress.pending += count,
                "claimed" => {
                    progress.claimed += count;
                    progress.expired += expired;
                }
                _ => progress.done += count,
            }
        }
        let workers = sqlx::query(&format!(
            "SELECT DISTINCT worker FROM scan_units \
             WHERE scan_id = $1 AND state = 'claimed' AND lease_until >= {now} ORDER BY worker"
        ))
        .bind(scan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        progress.workers = workers.iter().map(|row| self.get(row, 0)).collect::<Result<_, _>>()?;
        Ok(progress)
    }

    /// Every done unit's part, `(account, region, part)` by account then region (the database's text order:
    /// byte order on SQLite, the database's collation on PostgreSQL; the two agree for account ids and region
    /// names). Read a page at a time ([`Store::parts_after`]), so that only one page is held besides the result.
    pub async fn parts(&self, scan_id: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut parts: Vec<(String, String, String)> = Vec::new();
        loop {
            let after = parts.last().map(|(account, region, _)| (account.as_str(), region.as_str()));
            let page = self.parts_after(scan_id, after, PARTS_PAGE).await?;
            let last_page = page.len() < PARTS_PAGE;
            parts.extend(page);
            if last_page {
                return Ok(parts);
            }
        }
    }

    /// One page of [`Store::parts`]: up to `limit` done units after the unit `after` (or from the first), in the
    /// same order. For a caller that handles parts as it reads them, holding one page at a time.
    pub async fn parts_after(
        &self,
        scan_id: &str,
        after: Option<(&str, &str)>,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let query = match after {
            None => sqlx::query(
                "SELECT account_id, region, part FROM scan_units WHERE scan_id = $1 AND state = 'done' \
                 ORDER BY account_id, region LIMIT $2",
            )
            .bind(scan_id)
            .bind(limit),
            Some((account, region)) => sqlx::query(
                "SELECT account_id, region, part FROM scan_units WHERE scan_id = $1 AND state = 'done' \
                 AND (account_id, region) > ($3, $4) ORDER BY account_id, region LIMIT $2",
            )
            .bind(scan_id)
            .bind(limit)
            .bind(account)
            .bind(region),
        };
        let rows = query.fetch_all(&self.pool).await.map_err(|e| self.err(e))?;
        rows.iter().map(|row| Ok((self.get(row, 0)?, self.get(row, 1)?, self.get(row, 2)?))).collect()
    }

    /// The units already done: what a resuming run does not collect again.
    pub async fn done_units(&self, scan_id: &str) -> Result<HashSet<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT account_id, region FROM scan_units WHERE scan_id = $1 AND state = 'done'")
            .bind(scan_id)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        rows.iter().map(|row| self.unit(row)).collect()
    }

    /// Keeps the scan's skeleton (the JSON of its accounts, those reached and those left out with why, and its
    /// families: everything of the snapshot that is not a unit's part), unless one is kept already: the first
    /// worker's stands, so a report does not depend on which worker wrote last. True when this one was kept.
    pub async fn set_skeleton(&self, scan_id: &str, skeleton: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE scan_queues SET skeleton = $2 WHERE scan_id = $1 AND skeleton IS NULL")
            .bind(scan_id)
            .bind(skeleton)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(done.rows_affected() > 0)
    }

    /// The scan's skeleton, as [`Store::set_skeleton`] kept it.
    pub async fn skeleton(&self, scan_id: &str) -> Result<Option<String>, StoreError> {
        self.text_by_id("SELECT skeleton FROM scan_queues WHERE scan_id = $1", scan_id).await
    }

    /// A scan's queue, if the store holds it.
    pub async fn scan_queue(&self, scan_id: &str) -> Result<Option<ScanQueue>, StoreError> {
        let row = sqlx::query(&format!("{QUEUE_SELECT} WHERE scan_id = $1"))
            .bind(scan_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        row.map(|row| self.queue(&row)).transpose()
    }

    /// The newest open queue of exactly this scope (by creation time, then id): what `--resume` continues.
    pub async fn last_open_scan(&self, scope: &str) -> Result<Option<ScanQueue>, StoreError> {
        let row = sqlx::query(&format!(
            "{QUEUE_SELECT} WHERE state = 'open' AND scope = $1 ORDER BY created_at DESC, scan_id DESC LIMIT 1"
        ))
        .bind(scope)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        row.map(|row| self.queue(&row)).transpose()
    }

    /// Marks an open queue whose units are all done `finished`, with the run recorded from it: true only for the
    /// one caller that did it (several workers seeing the last unit done may all try), false when it was finished
    /// or abandoned already. [`StoreError::ScanUnfinished`] while units are left, [`StoreError::UnknownScan`] for
    /// a scan the store does not hold.
    pub async fn finish(&self, scan_id: &str, run_id: Option<&str>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE scan_queues SET state = 'finished', finished_at = $2, run_id = $3 \
             WHERE scan_id = $1 AND state = 'open' \
             AND NOT EXISTS (SELECT 1 FROM scan_units u WHERE u.scan_id = $1 AND u.state <> 'done')",
        )
        .bind(scan_id)
        .bind(crate::timestamp(SystemTime::now()))
        .bind(run_id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        match self.scan_queue(scan_id).await? {
            None => Err(self.unknown_scan(scan_id)),
            Some(queue) if queue.state != QueueState::Open => Ok(false),
            Some(_) => {
                let progress = self.progress(scan_id).await?;
                Err(StoreError::ScanUnfinished {
                    store: self.target.shown.clone(),
                    scan_id: scan_id.to_string(),
                    left: progress.total - progress.done,
                })
            }
        }
    }

    /// Gives an open scan up: it is never resumed and nothing more is claimed from it (its parts stay, until
    /// [`Store::delete_scan`]). True when this call did it, false when it was no longer open.
    pub async fn abandon(&self, scan_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE scan_queues SET state = 'abandoned', finished_at = $2 WHERE scan_id = $1 AND state = 'open'",
        )
        .bind(scan_id)
        .bind(crate::timestamp(SystemTime::now()))
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        match self.scan_queue(scan_id).await? {
            None => Err(self.unknown_scan(scan_id)),
            Some(_) => Ok(false),
        }
    }

    /// Removes a queue and its units, parts included (an organisation's parts weigh hundreds of MB: once its run
    /// is recorded, a finished scan's queue is only a way to resume what is over). False when there was none.
    pub async fn delete_scan(&self, scan_id: &str) -> Result<bool, StoreError> {
        let backend = self.target.backend;
        let mut conn = self.pool.acquire().await.map_err(|e| self.err(e))?;
        let mut tx = match backend {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => conn.begin().await,
        }
        .map_err(|e| self.err(e))?;
        // The units first, by hand: SQLite enforces ON DELETE CASCADE only with its foreign keys switched on.
        sqlx::query("DELETE FROM scan_units WHERE scan_id = $1")
            .bind(scan_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        let done = sqlx::query("DELETE FROM scan_queues WHERE scan_id = $1")
            .bind(scan_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(done.rows_affected() > 0)
    }

    fn unit(&self, row: &AnyRow) -> Result<(String, String), StoreError> {
        Ok((self.get(row, 0)?, self.get(row, 1)?))
    }

    fn queue(&self, row: &AnyRow) -> Result<ScanQueue, StoreError> {
        let state: String = self.get(row, 3)?;
        Ok(ScanQueue {
            scan_id: self.get(row, 0)?,
            created_at: self.get(row, 1)?,
            scope: self.get(row, 2)?,
            state: QueueState::from_id(&state).ok_or_else(|| StoreError::Database {
                store: self.target.shown.clone(),
                message: format!("a scan queue in unknown state {state:?} (written by a newer sgaudit?)"),
            })?,
            finished_at: self.get(row, 4)?,
            run_id: self.get(row, 5)?,
        })
    }
}

/// The columns of a [`ScanQueue`].
const QUEUE_SELECT: &str = "SELECT scan_id, created_at, scope, state, finished_at, run_id FROM scan_queues";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_states_round_trip_through_their_ids() {
        for state in QueueState::ALL {
            assert_eq!(QueueState::from_id(state.id()), Some(state));
        }
        assert_eq!(QueueState::from_id("closed"), None);
    }

    #[test]
    fn leases_are_kept_in_range() {
        assert_eq!(lease_ms(Duration::from_millis(1_500)), 1_500);
        assert_eq!(lease_ms(Duration::from_secs(u64::MAX)), MAX_LEASE_MS);
    }
}

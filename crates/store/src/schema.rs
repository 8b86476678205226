//! The schema's versions and the small runner that applies them.
//!
//! Not sqlx's `Migrator`: on SQLite it applies each migration in its own transaction after reading the applied
//! ones outside any lock, so two processes opening a new store at once both try to create the tables and one
//! fails. Here the whole check-and-apply runs in ONE transaction that holds the write lock from its first
//! statement (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock, and its DDL is
//! transactional too): a second process waits, then finds the work done. The applied versions live in
//! `sgaudit_schema`, one row each.

use sqlx::{AnyConnection, Connection, Row};

use crate::store::{Backend, Target};
use crate::{Access, OpenError};

/// One versioned migration: `migrations/NNNN_name.sql`, the same SQL text on SQLite and PostgreSQL.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration this build knows, in order. A released one is never edited: a change is a new file.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "runs", sql: include_str!("../migrations/0001_runs.sql") },
    Migration { version: 2, name: "finding_ids", sql: include_str!("../migrations/0002_finding_ids.sql") },
    Migration { version: 3, name: "scan_queue", sql: include_str!("../migrations/0003_scan_queue.sql") },
];

/// The newest schema version this build knows (and writes).
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

pub(crate) const SCHEMA_TABLE: &str = "sgaudit_schema";

const CREATE_SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS sgaudit_schema (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

/// The key of PostgreSQL's advisory lock around migrations ("sgaudit" in ASCII): any constant works, as long as
/// every sgaudit uses the same one.
const MIGRATION_LOCK: i64 = 0x0073_6761_7564_6974;

/// Checks what the database holds and, for [`Access::ReadWrite`], brings it up to [`SCHEMA_VERSION`]. Refuses,
/// before writing anything, a database of a newer sgaudit or of something else.
pub(crate) async fn prepare(conn: &mut AnyConnection, target: &Target, access: Access) -> Result<(), OpenError> {
    // First a look that takes no lock and writes nothing.
    let tables = tables(conn, target.backend).await.map_err(|e| target.open_error(e))?;
    if tables.iter().any(|table| table == SCHEMA_TABLE) {
        let applied = applied(conn).await.map_err(|e| target.open_error(e))?;
        refuse_newer(&applied, target)?;
        if access == Access::ReadOnly {
            let found = applied.iter().copied().max().unwrap_or(0);
            return if MIGRATIONS.iter().all(|m| applied.contains(&m.version)) {
                Ok(())
            } else {
                Err(OpenError::Outdated { store: target.shown.clone(), found, known: SCHEMA_VERSION })
            };
        }
    } else if !tables.is_empty() {
        let mut named: Vec<&str> = tables.iter().map(String::as_str).take(3).collect();
        if tables.len() > 3 {
            named.push("…");
        }
        return Err(OpenError::NotAStore {
            store: target.shown.clone(),
            why: format!("it holds other tables ({}) and no {SCHEMA_TABLE}", named.join(", ")),
        });
    } else if access == Access::ReadOnly {
        return Err(OpenError::Missing { store: target.shown.clone() });
    }
    if target.backend == Backend::Sqlite {
        use_wal(conn, target).await?;
    }
    migrate(conn, target).await
}

/// The tables of the database (PostgreSQL: of the current schema, so a URL with `search_path` set to a schema
/// of sgaudit's own works).
async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() ORDER BY 1"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|row| row.try_get::<String, _>(0)).collect()
}

async fn applied(conn: &mut AnyConnection) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT version FROM sgaudit_schema ORDER BY version").fetch_all(&mut *conn).await?;
    rows.iter().map(|row| row.try_get::<i64, _>(0)).collect()
}

fn refuse_newer(applied: &[i64], target: &Target) -> Result<(), OpenError> {
    match applied.iter().copied().filter(|v| !MIGRATIONS.iter().any(|m| m.version == *v)).max() {
        Some(found) => Err(OpenError::Newer { store: target.shown.clone(), found, known: SCHEMA_VERSION }),
        None => Ok(()),
    }
}

/// WAL lets `history` read while a scan writes, and a writer wait for another instead of failing. The mode is
/// kept in the file, so only a new store changes it; that change takes a lock the busy timeout does not wait
/// for, so two processes creating a store at once retry it for a few seconds.
async fn use_wal(conn: &mut AnyConnection, target: &Target) -> Result<(), OpenError> {
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(|e| target.open_error(e))?;
    if mode.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let deadline = tokio::time::Instant::now() + crate::store::OPEN_WAIT;
    loop {
        match sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await {
            Ok(_) => return Ok(()),
            Err(e) if target.is_busy(&e) && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => return Err(target.open_error(e)),
        }
    }
}

async fn migrate(conn: &mut AnyConnection, target: &Target) -> Result<(), OpenError> {
    let err = |e| target.open_error(e);
    let mut tx = match target.backend {
        // Takes the write lock now (waiting up to the busy timeout), not at the first write.
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await.map_err(err)?,
        Backend::Postgres => conn.begin().await.map_err(err)?,
    };
    if target.backend == Backend::Postgres {
        // PERFORM in a DO block: the lock function returns `void`, a type the Any driver cannot carry in a row.
        let lock = format!("DO $$ BEGIN PERFORM pg_advisory_xact_lock({MIGRATION_LOCK}); END $$");
        sqlx::raw_sql(&lock).execute(&mut *tx).await.map_err(err)?;
    }
    // Created only when missing: IF NOT EXISTS on an existing table makes PostgreSQL send a notice, which sqlx
    // would log on every run.
    if !tables(&mut tx, target.backend).await.map_err(err)?.iter().any(|table| table == SCHEMA_TABLE) {
        sqlx::raw_sql(CREATE_SCHEMA_TABLE).execute(&mut *tx).await.map_err(err)?;
    }
    // Another process may have migrated while this one waited for the lock.
    let applied = applied(&mut tx).await.map_err(err)?;
    refuse_newer(&applied, target)?;
    let now = crate::timestamp(std::time::SystemTime::now());
    for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        sqlx::raw_sql(migration.sql).execute(&mut *tx).await.map_err(|e| OpenError::Other {
            store: target.shown.clone(),
            message: format!("migration {} ({}) failed: {}", migration.version, migration.name, target.scrub(&e)),
        })?;
        sqlx::query("INSERT INTO sgaudit_schema (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(now.as_str())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
    }
    tx.commit().await.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_match_their_file_names() {
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, i as i64 + 1, "versions are 1, 2, 3, … with no gap");
            assert!(!migration.sql.trim().is_empty());
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("the migrations directory")
            .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let expected: Vec<String> = MIGRATIONS.iter().map(|m| format!("{:04}_{}.sql", m.version, m.name)).collect();
        assert_eq!(files, expected, "every file of migrations/ is listed in MIGRATIONS, under its own name");
    }

    #[test]
    fn migrations_stay_portable() {
        // Words that work on one of the two databases only.
        for migration in MIGRATIONS {
            // The statements, without their comments (which may name what is avoided).
            let sql: String = migration
                .sql
                .lines()
                .map(|line| line.split("--").next().unwrap_or_default().to_ascii_uppercase() + "\n")
                .collect();
            for word in ["AUTOINCREMENT", "SERIAL", "BOOLEAN", "DATETIME", "TIMESTAMPTZ", "JSONB", "WITHOUT ROWID"] {
                assert!(!sql.contains(word), "migration {} uses {word}, which is not portable", migration.version);
            }
        }
    }
}

//! The store's suite over SQLite, and what only SQLite has: a file, its directory, its write lock.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::fresh_sqlite;
use sgaudit_store::{Access, Location, OpenError, Store};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::Connection;

whole_store_suite!(fresh_sqlite);

/// Another process in the middle of a write (`BEGIN EXCLUSIVE`): a writer is refused with `Locked` after a few
/// seconds, not left waiting; a reader still reads (write-ahead log).
#[tokio::test]
async fn a_locked_store_is_refused_with_locked() {
    let (location, _guard) = fresh_sqlite().await;
    Store::open(&location, Access::ReadWrite).await.expect("a new store").close().await;
    let Location::Sqlite(path) = &location else { unreachable!("a SQLite location") };
    let mut holder =
        SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path)).await.expect("a second connection");
    sqlx::raw_sql("BEGIN EXCLUSIVE").execute(&mut holder).await.expect("the write lock");

    let started = Instant::now();
    let error = Store::open(&location, Access::ReadWrite).await.expect_err("the lock is held");
    let waited = started.elapsed();
    assert!(matches!(error, OpenError::Locked { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "the store at {} is locked by another process (waited 5 s): try again when it has finished",
            path.display()
        )
    );
    assert!(waited >= Duration::from_secs(4) && waited < Duration::from_secs(15), "{waited:?}");

    let reader = Store::open(&location, Access::ReadOnly).await.expect("a reader is not blocked by a writer");
    assert!(reader.runs(None).await.expect("runs").is_empty());
    reader.close().await;

    sqlx::raw_sql("ROLLBACK").execute(&mut holder).await.expect("release");
    let _ = holder.close().await;
    Store::open(&location, Access::ReadWrite).await.expect("free again").close().await;
}

#[tokio::test]
async fn a_missing_directory_is_missing_and_not_created() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("no-such-dir").join("history.sqlite3");
    let location = Location::Sqlite(path.clone());
    for access in [Access::ReadWrite, Access::ReadOnly] {
        let error = Store::open(&location, access).await.expect_err("no directory");
        assert!(matches!(error, OpenError::Missing { .. }), "{access:?}: {error:?}");
    }
    assert!(!path.parent().expect("a parent").exists());
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_not_a_store() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "these are my notes, not a database; ".repeat(100)).expect("a file");
    for access in [Access::ReadWrite, Access::ReadOnly] {
        let error = Store::open(&Location::Sqlite(path.clone()), access).await.expect_err("not SQLite");
        assert!(matches!(error, OpenError::NotAStore { .. }), "{access:?}: {error:?}");
        assert!(error.to_string().contains("is not an sgaudit store: not a SQLite database"), "{error}");
    }
    assert!(std::fs::read_to_string(&path).expect("the file").starts_with("these are my notes"), "left as it was");

    let error = Store::open(&Location::Sqlite(dir.path().to_path_buf()), Access::ReadWrite).await.expect_err("a dir");
    assert!(error.to_string().ends_with("is not an sgaudit store: it is a directory"), "{error}");
}

/// A relative path, resolved against the working directory (the URL sqlx goes through must not read its first
/// part as a host name).
#[tokio::test]
async fn a_relative_path_with_odd_characters_works() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let odd = dir.path().join("My Audits #1 ?x=y%20");
    std::fs::create_dir(&odd).expect("a directory");
    let absolute = odd.join("history.sqlite3");
    let store = Store::open(&Location::Sqlite(absolute.clone()), Access::ReadWrite).await.expect("open");
    store.close().await;
    assert!(absolute.is_file(), "the store is where it was asked to be");
    let cwd = std::env::current_dir().expect("cwd");
    let relative = pathdiff(&absolute, &cwd);
    let store = Store::open(&Location::Sqlite(relative), Access::ReadOnly).await.expect("open by a relative path");
    store.close().await;
}

/// `target` relative to `base`, through `..` (both absolute).
fn pathdiff(target: &std::path::Path, base: &std::path::Path) -> std::path::PathBuf {
    let target: Vec<_> = target.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = std::path::PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for part in &target[common..] {
        out.push(part);
    }
    out
}

/// The 100,000-group benchmark estate recorded on SQLite: `cargo test --workspace --test store_sqlite --
/// --ignored --nocapture record_timing`.
#[tokio::test]
#[ignore = "a timing: about 100,000 groups and 200,000 check results"]
async fn record_timing() {
    let (location, _guard) = fresh_sqlite().await;
    common::suite::record_timing(location).await;
}

/// The scan queue of a 1,000-account organisation: `cargo test -p sgaudit-store --test store_sqlite -- --ignored
/// --nocapture queue_timing`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a timing: 18,000 units claimed, completed and read back"]
async fn queue_timing() {
    let (location, _guard) = fresh_sqlite().await;
    common::queue::queue_timing(location).await;
}

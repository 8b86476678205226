//! The store's suite over a real PostgreSQL server that the test starts (common::Postgres), and what only a
//! server has: a URL that does not answer, a password never shown.

#[macro_use]
mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{fresh_postgres, Postgres};
use sgaudit_store::{Access, Location, OpenError, Store};

whole_store_suite!(fresh_postgres);

/// A port nothing listens on: refused at once, with the connection's own words, and the password hidden.
#[tokio::test]
async fn an_unreachable_server_is_told_fast_without_the_password() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address").port()
    };
    let location = Location::Postgres(format!("postgres://auditor:hunter2@127.0.0.1:{port}/sgaudit"));
    let started = Instant::now();
    let error = Store::open(&location, Access::ReadWrite).await.expect_err("nothing listens there");
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    assert!(matches!(error, OpenError::Unreachable { .. }), "{error:?}");
    let line = error.to_string();
    assert!(
        line.starts_with(&format!("cannot reach the store at postgres://auditor:***@127.0.0.1:{port}/sgaudit: ")),
        "{line}"
    );
    assert!(line.to_lowercase().contains("refused"), "the connection's own words: {line}");
    assert!(!line.contains("hunter2"), "{line}");
}

/// The server answers but has no such database: its own words, as Unreachable.
#[tokio::test]
async fn a_missing_database_is_unreachable_in_the_servers_words() {
    let server = Postgres::shared();
    let location = Location::Postgres(server.url("no_such_database"));
    let error = Store::open(&location, Access::ReadOnly).await.expect_err("no such database");
    assert!(matches!(error, OpenError::Unreachable { .. }), "{error:?}");
    assert!(error.to_string().contains("database \"no_such_database\" does not exist"), "{error}");
}

/// A blackholed address (TEST-NET-1, RFC 5737: routed nowhere): given up on after the short open wait, not the
/// system's TCP timeout of minutes.
#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on_quickly() {
    let location = Location::Postgres("postgres://auditor@192.0.2.1:5432/sgaudit".to_string());
    let started = Instant::now();
    let error = Store::open(&location, Access::ReadWrite).await.expect_err("nothing answers there");
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
    assert!(matches!(error, OpenError::Unreachable { .. }), "{error:?}");
}

/// The Grafana queries of docs/store.md (PostgreSQL only), with Grafana's `$__timeFilter` macro expanded.
#[tokio::test]
async fn the_documented_grafana_queries_run() {
    let (location, _guard) = fresh_postgres().await;
    common::suite::the_documented_queries_run(location.clone()).await;
    let queries: Vec<String> = common::suite::documented_queries("postgresql")
        .into_iter()
        .filter(|query| query.trim_start().starts_with("SELECT"))
        .collect();
    assert_eq!(queries.len(), 2);
    for query in queries {
        let expanded = query
            .replace(
                "$__timeFilter(r.started_at::timestamptz)",
                "r.started_at::timestamptz > now() - interval '100 years'",
            )
            .replace(
                "$__timeFilter(started_at::timestamptz)",
                "started_at::timestamptz > now() - interval '100 years'",
            );
        assert!(!expanded.contains("$__"), "{expanded}");
        assert!(common::run_natively(&location, &expanded).await >= 2, "{expanded}");
    }
}

/// The 100,000-group benchmark estate recorded on PostgreSQL: `cargo test --workspace --test store_postgres --
/// --ignored --nocapture record_timing`.
#[tokio::test]
#[ignore = "a timing: about 100,000 groups and 200,000 check results"]
async fn record_timing() {
    let (location, _guard) = fresh_postgres().await;
    common::suite::record_timing(location).await;
}

/// The scan queue of a 1,000-account organisation: `cargo test -p sgaudit-store --test store_postgres -- --ignored
/// --nocapture queue_timing`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a timing: 18,000 units claimed, completed and read back"]
async fn queue_timing() {
    let (location, _guard) = fresh_postgres().await;
    common::queue::queue_timing(location).await;
}

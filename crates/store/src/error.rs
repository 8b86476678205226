//! Why a store could not be opened or used. Each says so in one line naming the store ([`crate::Location::shown`],
//! so never a password): the binary prints it and exits 2 before any AWS call.

/// Why [`crate::Store::open`] failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Nothing to read: a read-only open of a file or database that holds no store, or a file whose directory
    /// does not exist.
    #[error("no store at {store} (run a scan first, or give --store)")]
    Missing { store: String },
    /// Another process holds SQLite's write lock beyond the wait.
    #[error("the store at {store} is locked by another process (waited {waited_s} s): try again when it has finished")]
    Locked { store: String, waited_s: u64 },
    /// Its schema has a migration this build does not know: writing to it could lose what the newer sgaudit keeps.
    #[error("the store at {store} was written by a newer sgaudit (schema {found}, this one knows up to {known}): upgrade sgaudit")]
    Newer { store: String, found: i64, known: i64 },
    /// A read-only open of a store still at an older schema, which only a writing run may upgrade.
    #[error("the store at {store} has schema {found}, older than this sgaudit's {known}: run a scan with this sgaudit to upgrade it first")]
    Outdated { store: String, found: i64, known: i64 },
    /// PostgreSQL did not answer, refused, or refused us: the server's own words (never the password).
    #[error("cannot reach the store at {store}: {reason}")]
    Unreachable { store: String, reason: String },
    /// Not SQLite at all, or a database that holds other tables and no sgaudit schema: sgaudit writes only into
    /// an empty database or its own.
    #[error("{store} is not an sgaudit store: {why}")]
    NotAStore { store: String, why: String },
    #[error("cannot open the store at {store}: {message}")]
    Other { store: String, message: String },
}

/// Why a read or a write failed once the store was open. A failed [`crate::Store::record`] leaves nothing behind.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The caller gave something the store will not keep (a timestamp that is not RFC 3339, say).
    #[error("cannot record in the store at {store}: {what}")]
    Invalid { store: String, what: String },
    #[error("the store at {store} is locked by another process (waited {waited_s} s): try again when it has finished")]
    Locked { store: String, waited_s: u64 },
    /// A run id that is already recorded.
    #[error("the store at {store} already holds a run {id}")]
    Duplicate { store: String, id: String },
    #[error("the store at {store}: {message}")]
    Database { store: String, message: String },
    /// [`crate::Store::create_scan`] of a scan id the store already holds for other accounts, regions or families:
    /// joining it would mix two scans into one run.
    #[error("the store at {store} already holds scan {scan_id} with another scope (accounts, regions or families): start a new scan or give the same scope")]
    ScopeMismatch { store: String, scan_id: String },
    /// A scan id (or one of its units) the store does not hold.
    #[error("the store at {store} holds no scan {scan_id}")]
    UnknownScan { store: String, scan_id: String },
    #[error("scan {scan_id} in the store at {store} has no unit {account_id}/{region}")]
    UnknownUnit { store: String, scan_id: String, account_id: String, region: String },
    /// [`crate::Store::finish`] while units are still to collect: a run recorded then would lack them.
    #[error("scan {scan_id} in the store at {store} cannot finish: {left} of its units are not done")]
    ScanUnfinished { store: String, scan_id: String, left: u64 },
}

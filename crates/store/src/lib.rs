//! The history of sgaudit's runs: every scan, cleanup and restore, with what it saw, in SQLite by default or in
//! PostgreSQL when given a `postgres://` URL (a team sharing one history, a Grafana dashboard reading it).
//!
//! One schema, versioned migrations (`migrations/NNNN_name.sql`, the same SQL text on both databases) and one code
//! path over sqlx's `Any` driver. The store takes and gives plain rows ([`RunRecord`], [`GroupRow`], …): it knows
//! nothing of the audit's types, so its schema stays the documented, stable thing people query (docs/store.md).
//! [`diff`] and [`history`] are pure: they compare and chart what the store gives back.

pub mod diff;
mod error;
pub mod history;
mod queue;
mod rows;
mod schema;
mod store;

use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

pub use diff::{diff, Change, Diff, RunData, RunRef};
pub use error::{OpenError, StoreError};
pub use history::{trend, TrendRow};
pub use queue::{QueueState, ScanProgress, ScanQueue, ACCOUNT_UNIT};
pub use rows::{CoverageRow, FindingRow, GroupRow, LastSeen, Mark, Place, RunKind, RunRecord, RunSummary};
pub use schema::SCHEMA_VERSION;
pub use store::Store;

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// The URL as given (it may hold a password: show it with [`Location::shown`]).
    Postgres(String),
}

impl Location {
    /// `postgres://` or `postgresql://` → PostgreSQL; `sqlite://PATH` or anything else → a SQLite file.
    pub fn parse(s: &str) -> Location {
        let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else if let Some(path) = s.strip_prefix("sqlite://") {
            Location::Sqlite(PathBuf::from(path))
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }

    /// `<data dir>/sgaudit/history.sqlite3` (`~/.local/share` on Linux); None when the platform has no data
    /// directory. [`Store::open`] does not create the `sgaudit` directory: the caller does, for this path only.
    pub fn default_path() -> Option<PathBuf> {
        dirs::data_dir().map(|dir| dir.join("sgaudit").join("history.sqlite3"))
    }

    /// For messages: the path, or the URL with its password (in the user info or a `password=` parameter)
    /// replaced by `***`.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => redact_url(url),
        }
    }

    /// The password in a PostgreSQL URL, so that error messages can be scrubbed of it.
    fn secret(&self) -> Option<&str> {
        let Location::Postgres(url) = self else { return None };
        let rest = &url[url.find("://")? + 3..];
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let userinfo = &authority[..authority.rfind('@')?];
        let password = &userinfo[userinfo.find(':')? + 1..];
        (!password.is_empty()).then_some(password)
    }
}

fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let (head, rest) = url.split_at(scheme_end + 3);
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let mut out = head.to_string();
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..colon]);
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    match tail.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
        None => out.push_str(tail),
    }
    out
}

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// For runs that record: creates the SQLite file (not its directory) and brings the schema up to date.
    ReadWrite,
    /// For commands that only read (`history`, `diff`): never creates, never migrates.
    ReadOnly,
}

/// The store's form of an instant: `YYYY-MM-DDTHH:MM:SSZ`, UTC, whole seconds. Fixed width, so that text order is
/// time order in both databases whatever their collation.
pub fn timestamp(at: SystemTime) -> String {
    format_utc(OffsetDateTime::from(at))
}

/// A run id: sortable by time and unique (`20261201T194330Z-0403f9a`): the start time in UTC, its milliseconds,
/// then 16 random bits, so two machines starting a run in the same millisecond sharing one PostgreSQL store
/// seldom collide (and a collision is refused by the primary key, never merged).
pub fn run_id(started: SystemTime) -> String {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let at = OffsetDateTime::from(started).to_offset(UtcOffset::UTC);
    let nanos = started.duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    // std's RandomState is seeded from the OS: a random number without a dependency.
    let random = RandomState::new().hash_one((nanos, std::process::id(), SEQUENCE.fetch_add(1, Ordering::Relaxed)));
    // The milliseconds lead the random part, so that two runs started in the same second still sort by time
    // (runs are listed by start time, then id).
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:03}{:04x}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond(),
        random & 0xffff
    )
}

fn format_utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Any RFC 3339 time, in the store's form ([`timestamp`]); the error says what is wrong, for a one-line message.
pub fn normalize_timestamp(text: &str) -> Result<String, String> {
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("{text:?} is not an RFC 3339 time ({e})"))?;
    let utc = at.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err(format!("{text:?} is outside the years 0000-9999"));
    }
    Ok(format_utc(utc))
}

/// A `YYYY-MM-DD` calendar date (a mark's expiry).
fn check_date(text: &str) -> Result<(), String> {
    let bad = || format!("{text:?} is not a date in the form YYYY-MM-DD");
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<i32>().map_err(|_| bad());
    let month = u8::try_from(number(5..7)?).map_err(|_| bad())?;
    let day = u8::try_from(number(8..10)?).map_err(|_| bad())?;
    let month = time::Month::try_from(month).map_err(|_| bad())?;
    time::Date::from_calendar_date(number(0..4)?, month, day).map_err(|_| bad())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn locations_are_told_apart_by_scheme() {
        assert_eq!(Location::parse("postgres://u@h/db"), Location::Postgres("postgres://u@h/db".into()));
        assert_eq!(Location::parse("PostgreSQL://u@h/db"), Location::Postgres("PostgreSQL://u@h/db".into()));
        assert_eq!(Location::parse("history.sqlite3"), Location::Sqlite("history.sqlite3".into()));
        assert_eq!(Location::parse("sqlite:///var/x.db"), Location::Sqlite("/var/x.db".into()));
        // A file whose name merely starts like a scheme is still a file.
        assert_eq!(Location::parse("postgres.db"), Location::Sqlite("postgres.db".into()));
    }

    #[test]
    fn shown_never_holds_the_password() {
        let shown = |url: &str| Location::parse(url).shown();
        assert_eq!(
            shown("postgres://alice:s3cr%40t@db.example:5432/audit"),
            "postgres://alice:***@db.example:5432/audit"
        );
        assert_eq!(shown("postgres://alice@db/audit"), "postgres://alice@db/audit");
        assert_eq!(
            shown("postgres://db/audit?user=a&password=hunter2&sslmode=require"),
            "postgres://db/audit?user=a&password=***&sslmode=require"
        );
        assert_eq!(shown("postgresql://a:b@h"), "postgresql://a:***@h");
        assert_eq!(Location::parse("postgres://a:pw@h/d").secret(), Some("pw"));
        assert_eq!(Location::parse("postgres://a@h/d").secret(), None);
        assert_eq!(Location::parse("/tmp/x").shown(), "/tmp/x");
    }

    #[test]
    fn timestamps_have_one_form() {
        assert_eq!(timestamp(UNIX_EPOCH + Duration::from_secs(1_796_154_210)), "2026-12-01T19:43:30Z");
        assert_eq!(normalize_timestamp("2026-12-01T19:43:30Z").as_deref(), Ok("2026-12-01T19:43:30Z"));
        assert_eq!(normalize_timestamp("2026-12-01T20:43:30.981+01:00").as_deref(), Ok("2026-12-01T19:43:30Z"));
        assert!(normalize_timestamp("2026-12-01 19:43").unwrap_err().contains("not an RFC 3339 time"));
        assert!(normalize_timestamp("2026-02-30T00:00:00Z").is_err());
    }

    #[test]
    fn dates_are_checked() {
        assert!(check_date("2027-01-31").is_ok());
        assert!(check_date("2027-02-29").is_err());
        assert!(check_date("2027-1-31").is_err());
        assert!(check_date("31/01/2027").is_err());
    }

    #[test]
    fn run_ids_sort_by_time_and_differ() {
        let early = run_id(UNIX_EPOCH + Duration::from_secs(1_796_154_210));
        let late = run_id(UNIX_EPOCH + Duration::from_secs(1_796_154_211));
        assert!(early.starts_with("20261201T194330Z-"), "{early}");
        assert_eq!(early.len(), "20261201T194330Z-0003f9a".len());
        assert!(early < late);
        let (first, then) = (
            run_id(UNIX_EPOCH + Duration::from_millis(1_796_154_210_040)),
            run_id(UNIX_EPOCH + Duration::from_millis(1_796_154_210_900)),
        );
        assert!(first < then, "{first} {then}: the same second, in order");
        let same: std::collections::HashSet<String> =
            (0..200).map(|_| run_id(UNIX_EPOCH + Duration::from_secs(1_796_154_210))).collect();
        assert!(same.len() > 190, "{} distinct ids of 200", same.len());
    }
}

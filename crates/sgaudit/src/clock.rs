//! The wall clock, kept out of the library crates so that judging stays pure.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as RFC 3339 UTC with seconds (`2026-11-23T04:01:28Z`).
pub fn now_rfc3339() -> String {
    rfc3339(now_secs())
}

/// Now, in seconds since the Unix epoch.
pub fn now_epoch() -> i64 {
    i64::try_from(now_secs()).unwrap_or(i64::MAX)
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Now, as a compact UTC stamp for file names (`20261123T040128Z`): sorts by time, no `:` for Windows.
pub fn now_file_stamp() -> String {
    now_rfc3339().replace(['-', ':'], "")
}

fn rfc3339(secs: u64) -> String {
    sgaudit_report::time::format_rfc3339(i64::try_from(secs).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_instants() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_406_488), "2026-11-23T04:01:28Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}

//! RFC 3339 times of the snapshot and of AWS's answers, as seconds since the Unix epoch.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `2026-11-23T04:00:00Z`, `2026-11-23T04:00:00+00:00` → seconds since the epoch; `None` if not RFC 3339.
pub fn parse(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_what_iam_and_sgaudit_write() {
        assert_eq!(super::parse("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(super::parse("1970-01-02T01:00:00+01:00"), Some(86_400));
        assert_eq!(super::parse("N/A"), None);
    }
}

//! The snapshot's `collected_at` (RFC 3339) as the finding formats want it: Unix milliseconds (OCSF) and
//! UTC RFC 3339 with milliseconds (ASFF), through the `time` crate (already in the tree, with the features the
//! AWS SDK and the audit crate have it with: adding one would rebuild the SDK). The report crate has no clock:
//! `crates/sgaudit/src/clock.rs` formats the wall clock with [`format_rfc3339`].

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch of an RFC 3339 date-time (`2026-11-23T04:00:00Z`,
/// `2026-11-23T05:00:00.5+01:00`), or `None` when `text` is not one. Finer digits than milliseconds are
/// dropped (truncated, not rounded); a leap second (`:60`) is the last instant of its minute.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix seconds.
pub fn format_rfc3339(secs: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(secs) {
        Ok(at) => utc(at, None),
        Err(_) => String::new(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of Unix milliseconds.
pub fn format_rfc3339_ms(ms: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(at) => utc(at, Some(at.millisecond())),
        Err(_) => String::new(),
    }
}

/// The fields of a UTC date-time in RFC 3339's order (the `time` crate's own formatting is a feature the
/// tree does not have).
fn utc(at: OffsetDateTime, millis: Option<u16>) -> String {
    let date = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    match millis {
        Some(ms) => format!("{date}.{ms:03}Z"),
        None => format!("{date}Z"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_offsets_and_fractions() {
        // Reference values from Python's datetime.
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("2026-11-23T04:00:00Z"), Some(1_795_406_400_000));
        assert_eq!(parse_rfc3339_ms("2000-02-29T12:34:56.789+02:00"), Some(951_820_496_789));
        assert_eq!(parse_rfc3339_ms("1969-12-31T23:59:59.5-00:30"), Some(1_799_500));
        assert_eq!(parse_rfc3339_ms("2026-11-23t04:00:00.123456789z"), Some(1_795_406_400_123));
        assert_eq!(parse_rfc3339_ms("2016-12-31T23:59:60Z"), Some(1_483_228_799_999));
    }

    #[test]
    fn refuses_what_is_not_rfc_3339() {
        for bad in [
            "",
            "2026-11-23",
            "2026-11-23T04:00:00",
            "2026-11-23T04:00:00+0100",
            "2026-11-23T04:00:00.Z",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T04:00:61Z",
            "2026-11-23T04:00:00+24:00",
            "２026-11-23T04:00:00Z",
            "2026-11-23T04:00:00Z trailing",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_utc_with_milliseconds_and_round_trips() {
        assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_rfc3339_ms(951_820_496_789), "2000-02-29T10:34:56.789Z");
        assert_eq!(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
        // Every day boundary for a few centuries, across leap years and the 100/400 rules.
        let mut ms = parse_rfc3339_ms("1899-12-31T23:59:59.999Z").unwrap();
        let end = parse_rfc3339_ms("2401-01-01T00:00:00Z").unwrap();
        while ms < end {
            assert_eq!(parse_rfc3339_ms(&format_rfc3339_ms(ms)), Some(ms));
            ms += 86_400_000 + 1_234;
        }
    }
}

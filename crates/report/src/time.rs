//! The snapshot's `collected_at` (RFC 3339) as the finding formats want it: Unix milliseconds (OCSF) and
//! UTC RFC 3339 with milliseconds (ASFF). A dozen lines of civil-date arithmetic rather than a date crate:
//! nothing else here needs dates, and the report crate has no clock. (`crates/sgaudit/src/clock.rs` formats
//! the wall clock with the same arithmetic and could call [`format_rfc3339_ms`].)

/// Milliseconds since the Unix epoch of an RFC 3339 date-time (`2026-11-23T04:00:00Z`,
/// `2026-11-23T05:00:00.5+01:00`), or `None` when `text` is not one.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |from: usize, to: usize| -> Option<i64> {
        text.get(from..to)?.bytes().try_fold(0i64, |n, c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 7)?, digits(8, 10)?);
    let (hour, minute, second) = (digits(11, 13)?, digits(14, 16)?, digits(17, 19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
        return None;
    }
    // A leap second (`:60`) is read as the last millisecond of its minute.
    let (second, leap) = match second {
        0..=59 => (second, 0),
        60 => (59, 999),
        _ => return None,
    };
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        // Milliseconds: the first three digits, padded; finer digits are dropped (truncated, not rounded).
        millis =
            fraction[..n].bytes().chain(std::iter::repeat(b'0')).take(3).fold(0, |m, c| m * 10 + i64::from(c - b'0'));
        rest = &fraction[n..];
    }
    let offset_minutes = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hh = digits2(*h1, *h2)?;
            let mm = digits2(*m1, *m2)?;
            if hh > 23 || mm > 59 {
                return None;
            }
            let minutes = hh * 60 + mm;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis.max(leap))
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix seconds.
pub fn format_rfc3339(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of Unix milliseconds (years 0 to 9999, which is every time sgaudit sees).
pub fn format_rfc3339_ms(ms: i64) -> String {
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (second, millis) = (ms_of_day / 1_000 % 60, ms_of_day % 1_000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z")
}

fn digits2(a: u8, b: u8) -> Option<i64> {
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
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

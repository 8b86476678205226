//! What every report says of sgaudit's memory, worded once: a finding or result muted by an exception (its
//! reason, owner, ticket and expiry), a group marked in use by people, how long an unused group has been
//! unused (from the store's history), and what became of each declared exception.
//!
//! A muted finding stays in every report, marked, and is counted apart: the counts that drive action
//! (failures, `--fail-on`) are those of findings nobody has accepted. The words here are plain text; each
//! format makes them safe its own way (printable in a terminal, escaped in HTML, neutralised in CSV).

use sgaudit_audit::exceptions::{ExceptionState, ExceptionStatus};
use sgaudit_audit::{Audit, Muted, Outcome};

/// `<reason> (owner: <owner>; ticket: <ticket>; expires: <date>)`: a muted finding's exception in a line,
/// for the formats that give it one cell or one line.
pub fn muted_text(m: &Muted) -> String {
    format!("{} ({})", m.reason, muted_by(m))
}

/// `owner: <owner>; ticket: <ticket>; expires: <date>`, the ticket and expiry where there are.
pub fn muted_by(m: &Muted) -> String {
    let mut parts = vec![format!("owner: {}", m.owner)];
    if let Some(ticket) = &m.ticket {
        parts.push(format!("ticket: {ticket}"));
    }
    if let Some(expires) = &m.expires {
        parts.push(format!("expires: {expires}"));
    }
    parts.join("; ")
}

/// Whole days from `since` (RFC 3339) to when the snapshot was collected: what "unused for N days" counts.
/// `None` when either time is unknown or unreadable. The snapshot's time, not the clock's, so that a report
/// written again from the same snapshot says the same.
pub fn days_since(since: &str, collected_at: Option<&str>) -> Option<i64> {
    let now = crate::time::parse_rfc3339_ms(collected_at?)?;
    let then = crate::time::parse_rfc3339_ms(since)?;
    Some((now - then).div_euclid(86_400_000))
}

/// The day of an RFC 3339 time (`2026-10-01` of `2026-10-01T04:00:00Z`), or the text itself when it is not
/// one: a store written by hand is shown as it is rather than dropped.
pub fn day(time: &str) -> &str {
    match time.get(..10) {
        Some(d) if crate::time::parse_rfc3339_ms(time).is_some() => d,
        _ => time,
    }
}

/// `2026-10-01 (53 days)`, or the day alone when the snapshot's time is unknown.
pub fn unused_since_text(since: &str, collected_at: Option<&str>) -> String {
    match days_since(since, collected_at) {
        Some(1) => format!("{} (1 day)", day(since)),
        Some(n) => format!("{} ({n} days)", day(since)),
        None => day(since).to_string(),
    }
}

/// Muted findings of the groups and muted results of the other checks, counted apart from the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MutedCounts {
    /// Group findings muted.
    pub findings: usize,
    /// Results muted (of any outcome).
    pub results: usize,
    /// Of those results, the failures: what "31 failed (2 muted)" counts.
    pub failed_results: usize,
    /// Groups marked in use.
    pub marked_in_use: usize,
}

impl MutedCounts {
    pub fn of(audit: &Audit) -> Self {
        let results = audit.results.iter().filter(|r| r.muted.is_some());
        MutedCounts {
            findings: audit.groups.iter().flat_map(|g| &g.findings).filter(|f| f.muted.is_some()).count(),
            results: results.clone().count(),
            failed_results: results.filter(|r| r.outcome == Outcome::Fail).count(),
            marked_in_use: audit.groups.iter().filter(|g| g.marked_in_use.is_some()).count(),
        }
    }
}

/// The exceptions in a state that people must hear about: expired (it mutes nothing any more) or unmatched
/// (a typo, or what it excused is gone).
pub fn to_warn_about<'a>(audit: &'a Audit) -> impl Iterator<Item = &'a ExceptionState> {
    audit.exceptions.iter().filter(|e| e.state != ExceptionStatus::Active)
}

/// The id every report writes for an exception's state (`active`, `expired`, `unmatched`), as the JSON
/// document and the audit's serialisation spell it.
pub fn state_id(state: ExceptionStatus) -> &'static str {
    match state {
        ExceptionStatus::Active => "active",
        ExceptionStatus::Expired => "expired",
        ExceptionStatus::Unmatched => "unmatched",
    }
}

/// What an exception does: `mute` findings, or mark groups `in use`.
pub fn kind(e: &ExceptionState) -> &'static str {
    if e.in_use {
        "in use"
    } else {
        "mute"
    }
}

/// Every state, in the order the JSON Schema lists them.
pub const STATES: [ExceptionStatus; 3] =
    [ExceptionStatus::Active, ExceptionStatus::Expired, ExceptionStatus::Unmatched];

/// `sgaudit.toml:12: expired 2026-10-31: <reason> (owner: …)`: one exception and its fate in a line.
pub fn exception_text(e: &ExceptionState) -> String {
    let state = match (e.state, &e.expires) {
        (ExceptionStatus::Expired, Some(expires)) => format!("expired {expires}, mutes nothing"),
        (ExceptionStatus::Expired, None) => "expired, mutes nothing".to_string(),
        (ExceptionStatus::Unmatched, _) => "matched nothing".to_string(),
        (ExceptionStatus::Active, _) if e.in_use => format!("active, marked {} group(s) in use", e.matched),
        (ExceptionStatus::Active, _) => format!("active, matched {}", e.matched),
    };
    let mut by = vec![format!("owner: {}", e.owner)];
    if let Some(ticket) = &e.ticket {
        by.push(format!("ticket: {ticket}"));
    }
    if let (Some(expires), ExceptionStatus::Active | ExceptionStatus::Unmatched) = (&e.expires, e.state) {
        by.push(format!("expires: {expires}"));
    }
    format!("{}: {state}: {} ({})", e.declared_at, e.reason, by.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn muted(ticket: Option<&str>, expires: Option<&str>) -> Muted {
        Muted {
            reason: "bastion of the on-call team".into(),
            owner: "netops".into(),
            ticket: ticket.map(str::to_string),
            expires: expires.map(str::to_string),
            declared_at: "sgaudit.toml:3".into(),
        }
    }

    #[test]
    fn a_mute_reads_with_what_is_known_of_it() {
        assert_eq!(muted_text(&muted(None, None)), "bastion of the on-call team (owner: netops)");
        assert_eq!(
            muted_text(&muted(Some("SEC-1"), Some("2027-01-31"))),
            "bastion of the on-call team (owner: netops; ticket: SEC-1; expires: 2027-01-31)"
        );
    }

    #[test]
    fn unused_since_counts_whole_days_to_the_snapshot() {
        let at = Some("2026-11-23T04:00:00Z");
        assert_eq!(days_since("2026-10-01T04:00:00Z", at), Some(53));
        assert_eq!(days_since("2026-11-22T05:00:00Z", at), Some(0));
        assert_eq!(days_since("2026-10-01T04:00:00Z", None), None);
        assert_eq!(days_since("yesterday", at), None);
        assert_eq!(unused_since_text("2026-10-01T04:00:00Z", at), "2026-10-01 (53 days)");
        assert_eq!(unused_since_text("2026-11-22T04:00:00Z", at), "2026-11-22 (1 day)");
        assert_eq!(unused_since_text("2026-10-01T04:00:00Z", None), "2026-10-01");
        assert_eq!(unused_since_text("yesterday", at), "yesterday");
    }

    #[test]
    fn an_exception_says_its_fate() {
        let state = |state, expires: Option<&str>, matched| ExceptionState {
            declared_at: "sgaudit.toml:12".into(),
            reason: "legacy".into(),
            owner: "ops".into(),
            ticket: None,
            expires: expires.map(str::to_string),
            in_use: false,
            state,
            matched,
        };
        assert_eq!(
            exception_text(&state(ExceptionStatus::Active, Some("2027-01-01"), 2)),
            "sgaudit.toml:12: active, matched 2: legacy (owner: ops; expires: 2027-01-01)"
        );
        assert_eq!(
            exception_text(&state(ExceptionStatus::Expired, Some("2026-10-31"), 0)),
            "sgaudit.toml:12: expired 2026-10-31, mutes nothing: legacy (owner: ops)"
        );
        assert_eq!(
            exception_text(&state(ExceptionStatus::Unmatched, None, 0)),
            "sgaudit.toml:12: matched nothing: legacy (owner: ops)"
        );
        assert_eq!(STATES.map(state_id), ["active", "expired", "unmatched"]);
    }
}

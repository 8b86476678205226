//! Why each group of the plan is deleted or kept, as data: a [`Reason`] is shown as the sentence people
//! read (`Display`) and has a stable kebab-case code (`--plan-out`'s `reason_code`) for programs, so that
//! neither tests nor readers of the plan match sentences.

use std::fmt;

use crate::apply::{Halt, User};
use crate::plan::CLOUDTRAIL_LAG;

/// Why a group is deleted (only [`Reason::Unused`]) or kept (every other).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Proven unused: nothing uses it, and every source of its account-region was read.
    Unused {
        /// Unused groups whose rules name it, sorted.
        named_by: Vec<String>,
    },
    /// `unknown`: some evidence could not be read.
    Unknown {
        missing: Vec<String>,
    },
    /// A VPC's default group, which AWS does not delete.
    DefaultGroup,
    OwnedByAnotherAccount {
        owner_id: String,
    },
    ProtectedByTag {
        /// `KEY` or `KEY=VALUE`.
        rule: String,
    },
    ProtectedByName {
        pattern: String,
    },
    /// People say it is used, where sgaudit cannot see it (`sgaudit mark GROUP --in-use`, or an `in_use`
    /// exception of sgaudit.toml).
    MarkedInUse {
        owner: String,
        reason: String,
    },
    /// `--unused-for`: the history does not say since when it has been unused (no store, or none of it).
    UnusedForUnknown,
    /// `--unused-for`: unused only since `since` (RFC 3339), `days` whole days, less than the period asked.
    UnusedTooRecently {
        since: String,
        days: i64,
    },
    /// Outside the accounts and regions of the run.
    OutOfScope,
    /// No credentials of the run reach its account.
    AccountNotReached,
    /// Its account was not confirmed (the typed account id).
    NotConfirmed,
    TooYoung {
        age_days: i64,
        min_days: i64,
    },
    /// Its age cannot be told: CloudTrail could not be read.
    AgeUnreadable {
        error: String,
    },
    /// Its age cannot be told: CloudTrail's window is shorter than the minimum age.
    AgeWindowTooShort {
        window_days: i64,
        min_days: i64,
    },
    /// Its age cannot be told: not in CloudTrail's event history, which may not have caught up yet.
    AgeUnknownYet {
        /// Minutes since the plan's snapshot saw it; `None`: the snapshot does not say when it was collected.
        seen_minutes_ago: Option<i64>,
    },
    /// The VPC peering and transit gateway attachments of its region could not be read.
    PeeringUnreadable {
        error: String,
    },
    /// Its VPC is peered, and what other VPCs reference could not be read.
    PeerReferencesUnreadable {
        vpc_id: String,
        error: String,
    },
    ReferencedFromPeeredVpcs {
        vpc_ids: Vec<String>,
    },
    /// A rule of a group that stays names it: deleting it would mean editing that group.
    NamedByGroupThatStays {
        group_id: String,
        group_name: Option<String>,
    },
    /// The fresh scan before deleting does not find it.
    GoneInFreshScan,
    /// The fresh scan before deleting finds it in use (the first three uses, as `kind id`).
    InUseInFreshScan {
        uses: Vec<String>,
    },
    /// The fresh scan before deleting could not read all its evidence.
    UnknownInFreshScan {
        missing: Vec<String>,
    },
    /// Its fresh definition is not there any more: deleted since the plan.
    AlreadyGone,
    /// The fresh definitions of its region's groups could not be read.
    DefinitionsUnreadable {
        error: String,
    },
    /// The re-check right before deleting could not be made: for the whole region (`whole_region`), or for it.
    RecheckFailed {
        error: String,
        whole_region: bool,
    },
    /// The re-check right before deleting found it used.
    BecameUsed {
        by: Vec<User>,
    },
    /// Its rules naming other groups being deleted could not be revoked (AWS's error code).
    RevokeFailed {
        code: String,
    },
    /// Its delete failed (AWS's error code).
    DeleteFailed {
        code: String,
    },
    /// The run stopped before its region (`before_region`) or before it.
    Stopped {
        halt: Halt,
        before_region: bool,
    },
}

impl Reason {
    /// The stable code of the reason (`--plan-out`'s `reason_code`): what programs match, never the sentence.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Unused { .. } => "unused",
            Reason::Unknown { .. } => "unknown",
            Reason::DefaultGroup => "default-group",
            Reason::OwnedByAnotherAccount { .. } => "owned-by-another-account",
            Reason::ProtectedByTag { .. } => "protected-by-tag",
            Reason::ProtectedByName { .. } => "protected-by-name",
            Reason::MarkedInUse { .. } => "marked-in-use",
            Reason::UnusedForUnknown => "unused-for-unknown",
            Reason::UnusedTooRecently { .. } => "unused-too-recently",
            Reason::OutOfScope => "out-of-scope",
            Reason::AccountNotReached => "account-not-reached",
            Reason::NotConfirmed => "not-confirmed",
            Reason::TooYoung { .. } => "too-young",
            Reason::AgeUnreadable { .. } => "age-unreadable",
            Reason::AgeWindowTooShort { .. } => "age-window-too-short",
            Reason::AgeUnknownYet { .. } => "age-unknown-yet",
            Reason::PeeringUnreadable { .. } => "peering-unreadable",
            Reason::PeerReferencesUnreadable { .. } => "peer-references-unreadable",
            Reason::ReferencedFromPeeredVpcs { .. } => "referenced-from-peered-vpc",
            Reason::NamedByGroupThatStays { .. } => "named-by-group-that-stays",
            Reason::GoneInFreshScan => "gone-in-fresh-scan",
            Reason::InUseInFreshScan { .. } => "in-use-in-fresh-scan",
            Reason::UnknownInFreshScan { .. } => "unknown-in-fresh-scan",
            Reason::AlreadyGone => "already-gone",
            Reason::DefinitionsUnreadable { .. } => "definitions-unreadable",
            Reason::RecheckFailed { .. } => "recheck-failed",
            Reason::BecameUsed { .. } => "became-used",
            Reason::RevokeFailed { .. } => "revoke-failed",
            Reason::DeleteFailed { .. } => "delete-failed",
            Reason::Stopped { .. } => "stopped",
        }
    }
}

/// What was missing, or that something was.
fn missing(f: &mut fmt::Formatter<'_>, missing: &[String]) -> fmt::Result {
    if missing.is_empty() {
        f.write_str("some evidence could not be read")
    } else {
        f.write_str(&missing.join("; "))
    }
}

fn joined<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

/// The sentence people read, the same as `--plan-out`'s `reason`.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Unused { named_by } => {
                f.write_str("no network interface, no resource configuration and no rule of a used group names it")?;
                if !named_by.is_empty() {
                    write!(f, "; named only by unused group(s) {}", named_by.join(", "))?;
                }
                f.write_str("; every source of its account-region was read")
            }
            Reason::Unknown { missing: m } => {
                f.write_str("unknown, not proven unused: ")?;
                missing(f, m)
            }
            Reason::DefaultGroup => f.write_str("default group (AWS does not delete it)"),
            Reason::OwnedByAnotherAccount { owner_id } => write!(f, "owned by another account ({owner_id})"),
            Reason::ProtectedByTag { rule } => write!(f, "protected by tag {rule}"),
            Reason::ProtectedByName { pattern } => write!(f, "protected by name pattern `{pattern}`"),
            Reason::MarkedInUse { owner, reason } => write!(f, "marked in use by {owner}: {reason}"),
            Reason::UnusedForUnknown => f.write_str(
                "unused for how long is unknown: the history holds no verdict of it (--unused-for needs the store)",
            ),
            Reason::UnusedTooRecently { since, days } => {
                write!(f, "unused only since {since} ({days} day(s)), less than --unused-for")
            }
            Reason::OutOfScope => f.write_str("outside the accounts and regions of this run"),
            Reason::AccountNotReached => f.write_str("no credentials of this run reach the account"),
            Reason::NotConfirmed => f.write_str("not confirmed"),
            Reason::TooYoung { age_days, min_days } => {
                write!(f, "too young: created {age_days} day(s) ago, less than --min-age {min_days} day(s)")
            }
            Reason::AgeUnreadable { error } => {
                write!(f, "age unknown: CloudTrail could not be read ({error}); pass --ignore-age to delete anyway")
            }
            Reason::AgeWindowTooShort { window_days, min_days } => write!(
                f,
                "age unknown: CloudTrail keeps {window_days} day(s) of events, less than --min-age {min_days} day(s)"
            ),
            Reason::AgeUnknownYet { seen_minutes_ago } => {
                write!(
                    f,
                    "age unknown: not in CloudTrail's event history, which can lag up to {} minute(s) behind, and \
                     first seen ",
                    CLOUDTRAIL_LAG / 60
                )?;
                match seen_minutes_ago {
                    Some(minutes) => write!(f, "{minutes} minute(s) ago")?,
                    None => f.write_str("at an unknown time (the snapshot has no collected_at)")?,
                }
                f.write_str(
                    "; plan from a snapshot saved at least that long ago (sgaudit scan --save-snapshot), or pass \
                     --ignore-age",
                )
            }
            Reason::PeeringUnreadable { error } => {
                write!(f, "VPC peering and transit gateway attachments could not be read ({error})")
            }
            Reason::PeerReferencesUnreadable { vpc_id, error } => {
                write!(f, "{vpc_id} is peered, and references from other VPCs could not be read ({error})")
            }
            Reason::ReferencedFromPeeredVpcs { vpc_ids } => {
                write!(f, "referenced from peered VPC(s) {}", vpc_ids.join(", "))
            }
            Reason::NamedByGroupThatStays { group_id, group_name: Some(name) } => {
                write!(f, "named in a rule of {group_id} ({name}), which stays")
            }
            Reason::NamedByGroupThatStays { group_id, group_name: None } => {
                write!(f, "named in a rule of {group_id}, which stays")
            }
            Reason::GoneInFreshScan => f.write_str("no longer exists (fresh scan)"),
            Reason::InUseInFreshScan { uses } => {
                write!(f, "in use by the fresh scan before deleting: {}", uses.join(", "))
            }
            Reason::UnknownInFreshScan { missing: m } => {
                f.write_str("unknown in the fresh scan before deleting: ")?;
                missing(f, m)
            }
            Reason::AlreadyGone => f.write_str("already gone"),
            Reason::DefinitionsUnreadable { error } => write!(f, "could not re-read the groups ({error})"),
            Reason::RecheckFailed { error, whole_region: true } => {
                write!(f, "the re-check could not be made ({error}); nothing deleted here")
            }
            Reason::RecheckFailed { error, whole_region: false } => {
                write!(f, "the re-check could not be made ({error})")
            }
            Reason::BecameUsed { by } => write!(f, "became used since the scan: {}", joined(by)),
            Reason::RevokeFailed { code } => {
                write!(f, "its rules naming other groups being deleted could not be revoked ({code})")
            }
            Reason::DeleteFailed { code } => write!(f, "its delete failed ({code})"),
            Reason::Stopped { halt, before_region: true } => write!(f, "the run stopped before this region: {halt}"),
            Reason::Stopped { halt, before_region: false } => write!(f, "the run stopped before it: {halt}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// One of each kind, with the sentence it is shown as.
    fn every_reason() -> Vec<(Reason, &'static str)> {
        let s = |x: &str| x.to_string();
        vec![
            (
                Reason::Unused { named_by: vec![s("sg-1"), s("sg-2")] },
                "no network interface, no resource configuration and no rule of a used group names it; named only \
                 by unused group(s) sg-1, sg-2; every source of its account-region was read",
            ),
            (Reason::Unknown { missing: Vec::new() }, "unknown, not proven unused: some evidence could not be read"),
            (Reason::DefaultGroup, "default group (AWS does not delete it)"),
            (Reason::OwnedByAnotherAccount { owner_id: s("999") }, "owned by another account (999)"),
            (Reason::ProtectedByTag { rule: s("keep=yes") }, "protected by tag keep=yes"),
            (Reason::ProtectedByName { pattern: s("prod-*") }, "protected by name pattern `prod-*`"),
            (
                Reason::MarkedInUse { owner: s("team-payments"), reason: s("used by the on-premises VPN") },
                "marked in use by team-payments: used by the on-premises VPN",
            ),
            (
                Reason::UnusedForUnknown,
                "unused for how long is unknown: the history holds no verdict of it (--unused-for needs the store)",
            ),
            (
                Reason::UnusedTooRecently { since: s("2026-10-01T04:00:00Z"), days: 12 },
                "unused only since 2026-10-01T04:00:00Z (12 day(s)), less than --unused-for",
            ),
            (Reason::OutOfScope, "outside the accounts and regions of this run"),
            (Reason::AccountNotReached, "no credentials of this run reach the account"),
            (Reason::NotConfirmed, "not confirmed"),
            (
                Reason::TooYoung { age_days: 2, min_days: 7 },
                "too young: created 2 day(s) ago, less than --min-age 7 day(s)",
            ),
            (
                Reason::AgeUnreadable { error: s("AccessDenied") },
                "age unknown: CloudTrail could not be read (AccessDenied); pass --ignore-age to delete anyway",
            ),
            (
                Reason::AgeWindowTooShort { window_days: 90, min_days: 120 },
                "age unknown: CloudTrail keeps 90 day(s) of events, less than --min-age 120 day(s)",
            ),
            (
                Reason::AgeUnknownYet { seen_minutes_ago: Some(1) },
                "age unknown: not in CloudTrail's event history, which can lag up to 60 minute(s) behind, and first \
                 seen 1 minute(s) ago; plan from a snapshot saved at least that long ago (sgaudit scan \
                 --save-snapshot), or pass --ignore-age",
            ),
            (
                Reason::PeeringUnreadable { error: s("e") },
                "VPC peering and transit gateway attachments could not be read (e)",
            ),
            (
                Reason::PeerReferencesUnreadable { vpc_id: s("vpc-1"), error: s("e") },
                "vpc-1 is peered, and references from other VPCs could not be read (e)",
            ),
            (
                Reason::ReferencedFromPeeredVpcs { vpc_ids: vec![s("vpc-2"), s("vpc-3")] },
                "referenced from peered VPC(s) vpc-2, vpc-3",
            ),
            (
                Reason::NamedByGroupThatStays { group_id: s("sg-a"), group_name: Some(s("web")) },
                "named in a rule of sg-a (web), which stays",
            ),
            (Reason::GoneInFreshScan, "no longer exists (fresh scan)"),
            (
                Reason::InUseInFreshScan { uses: vec![s("launch-template lt-1")] },
                "in use by the fresh scan before deleting: launch-template lt-1",
            ),
            (
                Reason::UnknownInFreshScan { missing: vec![s("a"), s("b")] },
                "unknown in the fresh scan before deleting: a; b",
            ),
            (Reason::AlreadyGone, "already gone"),
            (Reason::DefinitionsUnreadable { error: s("e") }, "could not re-read the groups (e)"),
            (
                Reason::RecheckFailed { error: s("e"), whole_region: true },
                "the re-check could not be made (e); nothing deleted here",
            ),
            (
                Reason::BecameUsed { by: vec![User::Interface(s("eni-1")), User::Rule(s("sg-9"))] },
                "became used since the scan: eni-1, sg-9 (rule)",
            ),
            (
                Reason::RevokeFailed { code: s("Throttling") },
                "its rules naming other groups being deleted could not be revoked (Throttling)",
            ),
            (Reason::DeleteFailed { code: s("DependencyViolation") }, "its delete failed (DependencyViolation)"),
            (
                Reason::Stopped { halt: Halt::JournalFailed { error: s("disk full") }, before_region: true },
                "the run stopped before this region: the cleanup log could not be written (disk full)",
            ),
        ]
    }

    #[test]
    fn every_reason_reads_as_ever_and_codes_are_unique_kebab_case() {
        let mut codes = BTreeSet::new();
        for (reason, text) in every_reason() {
            assert_eq!(reason.to_string(), text);
            let code = reason.code();
            assert!(codes.insert(code), "{code} twice");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{code}");
        }
        assert_eq!(codes.len(), 30, "one of each kind");
        let other = Reason::NamedByGroupThatStays { group_id: "sg-a".into(), group_name: None };
        assert_eq!(other.to_string(), "named in a rule of sg-a, which stays");
        let other = Reason::Stopped { halt: Halt::Interrupted, before_region: false };
        assert_eq!(other.to_string(), "the run stopped before it: interrupted");
        let other = Reason::AgeUnknownYet { seen_minutes_ago: None };
        assert!(other.to_string().contains("first seen at an unknown time (the snapshot has no collected_at); plan"));
    }
}

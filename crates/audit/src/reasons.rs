//! Why something could not be judged, as data: a source of an account-region not read ([`Unread`]), the
//! evidence missing for a group whose use is unknown ([`Missing`]), an account not reached
//! ([`Unreachable`]) or deliberately not scanned ([`Skipped`]), a check not evaluated for a group
//! ([`NotEvaluated`]). Code decides on the variants; each type's `Display` is the one sentence every report
//! prints for it, and `Serialize` writes that sentence.

use std::fmt;

use serde::{Serialize, Serializer};
use sgaudit_snapshot::{Account, SourceError};

use crate::checks::{self, Check};

/// A source of evidence of an account-region that is not whole there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread<'a> {
    /// A source the snapshot must hold and does not record for the region: `lambda-functions: not in the
    /// snapshot`.
    NotInSnapshot { source: &'static str },
    /// AWS refused its calls: `lambda-functions: AccessDeniedException (lambda:ListFunctions): ...`.
    Denied { source: &'static str, error: &'a SourceError },
    /// Its list did not complete (throttled out, a timeout, a bad page): `ecs-services: ThrottlingException
    /// (ecs:ListServices): Rate exceeded`.
    Failed { source: &'static str, error: &'a SourceError },
    /// The region records no source at all: said once rather than once per source.
    NothingRecorded,
}

impl Unread<'_> {
    /// The source whose evidence is missing; `None` when the region records none.
    pub fn source(&self) -> Option<&'static str> {
        match self {
            Unread::NotInSnapshot { source } | Unread::Denied { source, .. } | Unread::Failed { source, .. } => {
                Some(source)
            }
            Unread::NothingRecorded => None,
        }
    }

    /// AWS's error, for a source denied or failed.
    pub fn error(&self) -> Option<&SourceError> {
        match self {
            Unread::Denied { error, .. } | Unread::Failed { error, .. } => Some(error),
            Unread::NotInSnapshot { .. } | Unread::NothingRecorded => None,
        }
    }
}

impl fmt::Display for Unread<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unread::NotInSnapshot { source } => write!(f, "{source}: not in the snapshot"),
            Unread::Denied { source, error } | Unread::Failed { source, error } => {
                f.write_str(&crate::describe_missing(source, error))
            }
            Unread::NothingRecorded => f.write_str("no source of evidence was recorded for this region"),
        }
    }
}

/// Evidence missing for a group whose status is unknown: what might show it in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing<'a> {
    /// A source of the group's account-region was not read.
    Source(Unread<'a>),
    /// The group is shared with another account (AWS RAM), or associated with one of its VPCs, and that
    /// account's same region was not read in full: `shared with 210987654321 through <share>: what
    /// 210987654321 attaches it to in eu-west-1 was not read`.
    Sharing {
        /// The account (or organisation, or OU) it is shared with.
        with: &'a str,
        region: &'a str,
        /// How it is shared, as its source says (`shared with ... through <share ARN>`).
        detail: Option<&'a str>,
    },
    /// A rule of another group, whose own status is unknown, names it.
    NamedByUnknown { group_id: &'a str },
}

impl fmt::Display for Missing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::Source(unread) => unread.fmt(f),
            Missing::Sharing { with, region, detail } => {
                match detail {
                    Some(how) => f.write_str(how)?,
                    None => write!(f, "shared with {with}")?,
                }
                write!(f, ": what {with} attaches it to in {region} was not read")
            }
            Missing::NamedByUnknown { group_id } => {
                write!(f, "named by a rule of {group_id}, whose own status is unknown")
            }
        }
    }
}

/// An account that could not be read at all (its role could not be assumed, its regions not listed):
/// `123456789012 (payments): AccessDenied (sts:AssumeRole): ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreachable<'a> {
    pub account_id: &'a str,
    /// Its name in the organization, where known.
    pub name: Option<&'a str>,
    pub error: &'a SourceError,
}

impl fmt::Display for Unreachable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let account = AccountName { account_id: self.account_id, name: self.name };
        f.write_str(&crate::describe_missing(&account.to_string(), self.error))
    }
}

/// An account deliberately not scanned (a suspended member): `123456789012 (old): suspended`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped<'a> {
    pub account_id: &'a str,
    pub name: Option<&'a str>,
    /// Why, as the collector recorded it.
    pub why: &'a str,
}

impl fmt::Display for Skipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", AccountName { account_id: self.account_id, name: self.name }, self.why)
    }
}

impl<'a> Unreachable<'a> {
    /// The account's reason, if it could not be read.
    pub fn of(account: &'a Account) -> Option<Self> {
        let error = account.error.as_ref()?;
        Some(Unreachable { account_id: &account.account_id, name: account.name.as_deref(), error })
    }
}

impl<'a> Skipped<'a> {
    /// The account's reason, if it was skipped.
    pub fn of(account: &'a Account) -> Option<Self> {
        let why = account.skipped.as_deref()?;
        Some(Skipped { account_id: &account.account_id, name: account.name.as_deref(), why })
    }
}

/// `123456789012 (payments)`, or the id alone outside an organization.
struct AccountName<'a> {
    account_id: &'a str,
    name: Option<&'a str>,
}

impl fmt::Display for AccountName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) => write!(f, "{} ({name})", self.account_id),
            None => f.write_str(self.account_id),
        }
    }
}

/// A check that could not be evaluated for a group, and why: its evidence was not read. Never a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotEvaluated<'a> {
    /// The stale rules of the group's region were not read (`sg-stale-rule`).
    StaleRules { region: &'a str },
    /// Whether the internet reaches the group could not be decided: a piece of the evidence is missing
    /// (the reachability checks).
    Reachability { check: &'static Check, missing: String },
}

impl NotEvaluated<'_> {
    /// The check not evaluated.
    pub fn check(&self) -> &'static Check {
        match self {
            NotEvaluated::StaleRules { .. } => &checks::groups::stale_rule::CHECK,
            NotEvaluated::Reachability { check, .. } => check,
        }
    }
}

impl fmt::Display for NotEvaluated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotEvaluated::StaleRules { region } => write!(
                f,
                "{}: the stale rules of {region} could not be read ({})",
                self.check().id,
                crate::STALE_SOURCE
            ),
            NotEvaluated::Reachability { check, missing } => {
                write!(f, "{}: whether the internet reaches it could not be decided (missing: {missing})", check.id)
            }
        }
    }
}

/// Each reason is written as the sentence people read, as before it was a type.
macro_rules! serialize_as_sentence {
    ($($type:ident),*) => {
        $(impl Serialize for $type<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        })*
    };
}

serialize_as_sentence!(Unread, Missing, Unreachable, Skipped, NotEvaluated);

/// The sentences of `reasons`, joined by `separator`: a list of reasons on one line.
pub fn join<T: fmt::Display>(reasons: &[T], separator: &str) -> String {
    let mut out = String::new();
    for (i, reason) in reasons.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(&reason.to_string());
    }
    out
}

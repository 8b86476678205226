//! What `sgaudit preflight` found: for each account in scope, whether it could be reached, and for each IAM
//! action the chosen uses need, whether one real call of it was allowed. Plain data, written by `collect`
//! and shown by `report`; `--format json` is this document (schema 1).

use serde::{Deserialize, Serialize};

use crate::{Denial, SourceError};

/// Version of the preflight document.
pub const PREFLIGHT_SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    pub schema: u32,
    pub sgaudit_version: String,
    pub generated_at: String,
    /// The uses checked, as `--for` names them (`scan`, `checks:iam`, `org`, `cleanup`, ...).
    pub uses: Vec<String>,
    /// Why the organization's accounts could not be listed (`organizations:ListAccounts` with `--org`), if
    /// they could not: then no account was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Every account in scope, reached or not, sorted by id.
    pub accounts: Vec<AccountPreflight>,
    /// Probes made, the identity asked in each account included (a probe that first finds the bucket or
    /// group it acts on makes two calls).
    pub probes: u32,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPreflight {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who sgaudit is in this account (`arn:aws:sts::…:assumed-role/sgaudit-audit/sgaudit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Why the account could not be reached (the role could not be assumed: AWS's own error), if not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<SourceError>,
    /// Why the account is deliberately left out (suspended), if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// The regions in scope for it, each with one call that shows it can be worked in.
    #[serde(default)]
    pub regions: Vec<RegionPreflight>,
    /// Every action of the uses, sorted by name.
    #[serde(default)]
    pub actions: Vec<ActionPreflight>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionPreflight {
    pub region: String,
    #[serde(flatten)]
    pub probed: Probed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPreflight {
    /// `service:Action`.
    pub action: String,
    /// The uses that need it.
    pub uses: Vec<String>,
    /// Where it was probed.
    pub region: String,
    #[serde(flatten)]
    pub probed: Probed,
}

/// What one probe's answer means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probed {
    pub outcome: Outcome,
    /// AWS's answer, when it was an error (a not-found answer of an allowed probe included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<SourceError>,
    /// Why it was refused, for a denied one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denial: Option<Denial>,
    /// What the answer means, when it is not a plain yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// The answer to one probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The call got past authorisation: it succeeded, answered "not found", or a dry run would have succeeded.
    Allowed,
    /// AWS refused it.
    Denied,
    /// The call failed otherwise (throttled, timed out, expired credentials, a region not enabled, an
    /// answer that proves nothing): not known.
    Unproven,
    /// No side-effect-free call proves it (a write with no dry run), or nothing in scope needs it (a
    /// service not offered in any region in scope, a region with no VPC for the dry runs).
    NotProbed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Unproven => "unproven",
            Outcome::NotProbed => "not_probed",
        }
    }
}

/// How ready an account is for one use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub denied: usize,
    pub unproven: usize,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.denied == 0 && self.unproven == 0
    }
}

impl AccountPreflight {
    /// Its readiness for a use: the use's actions denied and unproven, the regions' failures counted with
    /// every use. `None` when the account could not be reached.
    pub fn readiness(&self, use_id: &str) -> Option<Readiness> {
        if self.unreachable.is_some() || self.skipped.is_some() {
            return None;
        }
        let mut r = Readiness { denied: 0, unproven: 0 };
        let outcomes = self
            .actions
            .iter()
            .filter(|a| a.uses.iter().any(|u| u == use_id))
            .map(|a| a.probed.outcome)
            .chain(self.regions.iter().map(|r| r.probed.outcome));
        for outcome in outcomes {
            match outcome {
                Outcome::Denied => r.denied += 1,
                Outcome::Unproven => r.unproven += 1,
                Outcome::Allowed | Outcome::NotProbed => {}
            }
        }
        Some(r)
    }
}

impl Preflight {
    /// The answer when `--org` could not list the organization's accounts.
    pub fn unlistable(uses: Vec<String>, why: String, generated_at: String) -> Preflight {
        Preflight {
            schema: PREFLIGHT_SCHEMA,
            sgaudit_version: env!("CARGO_PKG_VERSION").to_string(),
            generated_at,
            uses,
            organization: Some(why),
            accounts: Vec::new(),
            probes: 1,
            elapsed_ms: 0,
        }
    }

    /// Whether every account in scope is reached and ready for every use.
    pub fn all_ready(&self) -> bool {
        self.organization.is_none()
            && self
                .accounts
                .iter()
                .filter(|a| a.skipped.is_none())
                .all(|a| self.uses.iter().all(|u| a.readiness(u).is_some_and(|r| r.is_ready())))
    }
}

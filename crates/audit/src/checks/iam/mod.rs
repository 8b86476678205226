//! The IAM checks, over IAM's credential report (one row per user, and one for the root user) and the
//! account's password policy: read once per account.

use sgaudit_snapshot::posture::{AccessKey, CredentialReport, CredentialUser};

use super::{account_resource, resource, AccountScope, Observation};

pub mod access_key_rotation;
pub mod console_user_mfa;
pub mod one_active_key;
pub mod password_length;
pub mod password_reuse;
pub mod root_access_key;
pub mod root_mfa;
pub mod unused_credentials;
pub mod user_mfa;

/// What the credential-report checks read.
pub(crate) const REPORT: &[&str] = &["iam-credential-report"];
/// What the password-policy checks read.
pub(crate) const POLICY: &[&str] = &["iam-password-policy"];

/// The report, or why the checks over it are not evaluated.
pub(crate) fn report<'a>(scope: &AccountScope<'a>) -> Result<&'a CredentialReport, Vec<Observation>> {
    scope.evidence.credential_report.as_ref().ok_or_else(|| {
        vec![Observation::not_evaluated(
            resource::ACCOUNT,
            account_resource(scope.account_id),
            "the credential report was read but holds nothing",
        )]
    })
}

/// The root user's row, or a *not evaluated* result: a report without one proves nothing about root.
pub(crate) fn root<'a>(scope: &AccountScope<'a>) -> Result<&'a CredentialUser, Vec<Observation>> {
    let report = report(scope)?;
    report.users.iter().find(|u| u.is_root()).ok_or_else(|| {
        vec![Observation::not_evaluated(
            resource::ACCOUNT,
            account_resource(scope.account_id),
            format!("the credential report of {} has no root user row", report.generated_at),
        )]
    })
}

/// Judges every IAM user (not root) with `judge`, which returns `None` for a user the check does not
/// apply to; one pass for the account when it applies to nobody (`nobody` says why).
pub(crate) fn per_user(
    scope: &AccountScope,
    nobody: &str,
    judge: impl Fn(&CredentialUser) -> Option<Observation>,
) -> Vec<Observation> {
    per_user_all(scope, nobody, |u| judge(u).into_iter().collect())
}

/// Judges every access key of every IAM user (not root) with `judge`; one pass for the account when no
/// user has a key.
pub(crate) fn per_key(
    scope: &AccountScope,
    judge: impl Fn(&CredentialUser, &AccessKey) -> Option<Observation>,
) -> Vec<Observation> {
    per_user_all(scope, "no IAM user has an access key", |u| u.access_keys.iter().filter_map(|k| judge(u, k)).collect())
}

/// Like [`per_user`], for a judge that gives any number of results per user.
pub(crate) fn per_user_all(
    scope: &AccountScope,
    nobody: &str,
    judge: impl Fn(&CredentialUser) -> Vec<Observation>,
) -> Vec<Observation> {
    let report = match report(scope) {
        Ok(report) => report,
        Err(not_evaluated) => return not_evaluated,
    };
    let mut out: Vec<Observation> = report.users.iter().filter(|u| !u.is_root()).flat_map(judge).collect();
    if out.is_empty() {
        out.push(Observation::pass(
            resource::ACCOUNT,
            account_resource(scope.account_id),
            format!("{nobody} (credential report of {})", report.generated_at),
        ));
    }
    out
}

/// `<user ARN>/access-key-1`: the report carries no key ids, so a key is its user and slot.
pub(crate) fn key_resource(user: &CredentialUser, key: &AccessKey) -> String {
    format!("{}/access-key-{}", user.arn, key.slot)
}

/// Whole days from `then` (RFC 3339) to `now` (seconds since the epoch).
pub(crate) fn days_since(now: i64, then: &str) -> Option<i64> {
    crate::time::parse(then).map(|t| (now - t).div_euclid(86_400))
}

//! The IAM checks, over IAM's credential report (one row per user, and one for the root user) and the
//! account's password policy: read once per account.

use sgaudit_snapshot::posture::{AccessKey, CredentialReport, CredentialUser, PasswordPolicy};
use sgaudit_snapshot::text::printable;

use super::{account_resource, resource, AccountScope, Observation};
use crate::fix::shell::Command;
use crate::fix::terraform::{self, Resource, Value};
use crate::fix::{set_first, Fix, ACCESS_KEY_ID};

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

/// The account's password policy with the length and the passwords remembered that the checks want
/// ([`password_length::MIN_LENGTH`], [`password_reuse::REMEMBERED`]), every other setting as it is:
/// `UpdateAccountPasswordPolicy` replaces the whole policy, and a setting left out is reset to its default.
/// The same command fixes both checks.
pub(crate) fn password_policy_fix(scope: &AccountScope) -> Fix {
    let current = scope
        .evidence
        .password_policy
        .clone()
        .unwrap_or(PasswordPolicy { allow_users_to_change: true, ..PasswordPolicy::default() });
    let length = current.minimum_length.unwrap_or(0).max(password_length::MIN_LENGTH);
    let reuse = current.reuse_prevention.unwrap_or(0).max(password_reuse::REMEMBERED);
    let switch = |on: bool, name: &'static str, off: &'static str| if on { name } else { off };
    let mut command = Command::aws("iam", "update-account-password-policy", None)
        .arg("--minimum-password-length", &length.to_string())
        .arg("--password-reuse-prevention", &reuse.to_string())
        .flag(switch(current.require_symbols, "--require-symbols", "--no-require-symbols"))
        .flag(switch(current.require_numbers, "--require-numbers", "--no-require-numbers"))
        .flag(switch(current.require_uppercase, "--require-uppercase-characters", "--no-require-uppercase-characters"))
        .flag(switch(current.require_lowercase, "--require-lowercase-characters", "--no-require-lowercase-characters"))
        .flag(switch(
            current.allow_users_to_change,
            "--allow-users-to-change-password",
            "--no-allow-users-to-change-password",
        ))
        .flag(switch(current.hard_expiry, "--hard-expiry", "--no-hard-expiry"));
    let mut policy = Resource::new("aws_iam_account_password_policy", "this")
        .set("minimum_password_length", Value::Number(length.into()))
        .set("password_reuse_prevention", Value::Number(reuse.into()))
        .set("require_symbols", Value::Bool(current.require_symbols))
        .set("require_numbers", Value::Bool(current.require_numbers))
        .set("require_uppercase_characters", Value::Bool(current.require_uppercase))
        .set("require_lowercase_characters", Value::Bool(current.require_lowercase))
        .set("allow_users_to_change_password", Value::Bool(current.allow_users_to_change))
        .set("hard_expiry", Value::Bool(current.hard_expiry));
    if let Some(days) = current.max_age_days {
        command = command.arg("--max-password-age", &days.to_string());
        policy = policy.set("max_password_age", Value::Number(days.into()));
    }
    let summary = format!(
        "Set the account's password policy to a minimum length of {length} and {reuse} remembered passwords, \
         keeping its other settings{}: the command replaces the whole policy, so it restates each of them.",
        if scope.evidence.password_policy.is_none() {
            " (there is none: users may change their own password)"
        } else {
            ""
        }
    );
    Fix::commands(summary, vec![command.line()]).with_terraform(Some(terraform::file(&[policy])))
}

/// Deactivate one of the user's access keys: the credential report numbers keys 1 and 2 and gives no ids, so
/// the first command lists them (with their creation dates) and the user's value `$ACCESS_KEY_ID` names the one.
/// `rotate` first creates the key that replaces it. Deactivation can be undone; deleting the key, once nothing
/// failed, is left to the summary.
pub(crate) fn access_key_fix(user: &CredentialUser, key: &AccessKey, rotate: bool, why: &str) -> Fix {
    let name = user.user.as_str();
    let mut cli = vec![Command::aws("iam", "list-access-keys", None).arg("--user-name", name).line()];
    if rotate {
        cli.push(Command::aws("iam", "create-access-key", None).arg("--user-name", name).line());
    }
    let deactivate = Command::aws("iam", "update-access-key", None)
        .arg("--user-name", name)
        .var("--access-key-id", ACCESS_KEY_ID)
        .arg("--status", "Inactive");
    cli.push(deactivate.line());
    let steps =
        if rotate { "create its replacement, move the applications to it, then deactivate" } else { "deactivate" };
    let summary = format!(
        "{why}: find {}'s access key {} in the list, {steps} it; delete it (`aws iam delete-access-key`) once \
         nothing has failed for a while.{}",
        printable(name),
        key.slot,
        set_first(deactivate.choices())
    );
    Fix::commands(summary, cli)
}

/// Whole days from `then` (RFC 3339) to `now` (seconds since the epoch).
pub(crate) fn days_since(now: i64, then: &str) -> Option<i64> {
    crate::time::parse(then).map(|t| (now - t).div_euclid(86_400))
}

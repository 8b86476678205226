use sgaudit_snapshot::posture::CredentialUser;

use super::{access_key_fix, days_since, per_user_all, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::Command;
use crate::fix::Fix;

/// Days of disuse after which a credential should be disabled.
pub const MAX_UNUSED_DAYS: i64 = 45;

pub const CHECK: Check = Check {
    id: "iam-unused-credentials",
    title: "IAM user credentials unused for 45 days",
    family: Family::Iam,
    severity: Severity::Medium,
    controls: &["AWS Security Hub IAM.22", "CIS AWS v3.0.0 1.12", "CIS AWS v5.0.0 1.11"],
    description: "Every IAM user's console password and active access keys: last used (or, never used, created or \
                  rotated) more than 45 days before the snapshot was collected fails.",
    remediation: "Remove the console password and deactivate the access keys the user has not used for 45 days; \
                  delete the user if nothing needs it.",
    reads: REPORT,
    evaluate: Evaluate::Account(|scope| {
        per_user_all(scope, "no IAM user has a password or an active access key", |u| {
            let mut out = Vec::new();
            if u.password_enabled == Some(true) {
                let since =
                    u.password_last_used.as_deref().or(u.password_last_changed.as_deref()).or(u.created.as_deref());
                let fix = Fix::commands(
                    format!(
                        "Remove {}'s console password (its login profile); give the user a new one \
                         (`aws iam create-login-profile`) if they need the console again.",
                        sgaudit_snapshot::text::printable(&u.user)
                    ),
                    vec![Command::aws("iam", "delete-login-profile", None).arg("--user-name", &u.user).line()],
                );
                let password_used = u.password_last_used.is_some();
                out.push(
                    judge(scope.now, u, u.arn.clone(), "console password", since, password_used).with_fix(Some(fix)),
                );
            }
            for key in u.access_keys.iter().filter(|k| k.active) {
                let since = key.last_used.as_deref().or(key.last_rotated.as_deref());
                let what = format!("access key {}", key.slot);
                let fix = access_key_fix(u, key, false, "Deactivate the unused key");
                out.push(
                    judge(scope.now, u, super::key_resource(u, key), &what, since, key.last_used.is_some())
                        .with_fix(Some(fix)),
                );
            }
            out
        })
    }),
    fix: Fixer::Judged,
};

fn judge(
    now: Option<i64>,
    user: &CredentialUser,
    id: String,
    what: &str,
    since: Option<&str>,
    used: bool,
) -> Observation {
    let kind = if what.starts_with("access key") { resource::IAM_ACCESS_KEY } else { resource::IAM_USER };
    let Some(now) = now else {
        return Observation::not_evaluated(
            kind,
            id,
            format!("{}'s {what}: the snapshot has no collection time", user.user),
        );
    };
    match since.and_then(|t| days_since(now, t)) {
        Some(days) => {
            let how = if used { "last used" } else { "never used; set" };
            Observation::judged(
                days > MAX_UNUSED_DAYS,
                kind,
                id,
                format!("{}'s {what} was {how} {days} day(s) ago", user.user),
            )
        }
        None => {
            Observation::not_evaluated(kind, id, format!("{}'s {what}: the credential report gives no date", user.user))
        }
    }
}

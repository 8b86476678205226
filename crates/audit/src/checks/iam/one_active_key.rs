use super::{access_key_fix, per_user, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "iam-one-active-key",
    title: "IAM user has more than one active access key",
    family: Family::Iam,
    severity: Severity::Medium,
    controls: &["CIS AWS v3.0.0 1.13", "CIS AWS v5.0.0 1.12"],
    description: "Every IAM user with an access key: at most one of keys 1 and 2 active (two are only for the \
                  moment of a rotation).",
    remediation: "Find which key the user's applications still use (the report's last-used dates), deactivate the \
                  other, then delete it.",
    reads: REPORT,
    evaluate: Evaluate::Account(|scope| {
        per_user(scope, "no IAM user has an access key", |u| {
            (!u.access_keys.is_empty()).then(|| {
                let active: Vec<_> = u.access_keys.iter().filter(|k| k.active).collect();
                // The key used least recently (never used first) is the one to deactivate.
                let idle = active.iter().min_by_key(|k| (k.last_used.is_some(), k.last_used.clone(), k.slot));
                let why = "Keep the key the applications use (the list's last-used dates, `aws iam \
                           get-access-key-last-used`) and deactivate the other";
                Observation::judged(
                    active.len() > 1,
                    resource::IAM_USER,
                    u.arn.clone(),
                    format!("{} has {} active access key(s)", u.user, active.len()),
                )
                .with_fix(idle.map(|k| access_key_fix(u, k, false, why)))
            })
        })
    }),
    fix: Fixer::Judged,
};

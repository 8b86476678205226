use super::{per_user, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Observation, Severity};

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
                let active = u.access_keys.iter().filter(|k| k.active).count();
                Observation::judged(
                    active > 1,
                    resource::IAM_USER,
                    u.arn.clone(),
                    format!("{} has {active} active access key(s)", u.user),
                )
            })
        })
    }),
};

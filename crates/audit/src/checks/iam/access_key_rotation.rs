use super::{access_key_fix, days_since, key_resource, per_key, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

/// Days after which an active key must have been rotated.
pub const MAX_AGE_DAYS: i64 = 90;

pub const CHECK: Check = Check {
    id: "iam-access-key-rotation",
    title: "Active access key not rotated for 90 days",
    family: Family::Iam,
    severity: Severity::Medium,
    controls: &["AWS FSBP IAM.3", "CIS AWS v3.0.0 1.14", "CIS AWS v5.0.0 1.13"],
    description: "Every access key of every IAM user, with its state and age (the seed's key-rotation sheet): an \
                  active key last rotated more than 90 days before the snapshot was collected fails; inactive keys \
                  pass. Ages count from the snapshot's collection time, so an old snapshot gives its day's verdicts.",
    remediation: "Create a second key, move the user's applications to it, deactivate the old key, then delete it; \
                  better, replace long-lived keys with IAM roles.",
    reads: REPORT,
    evaluate: Evaluate::Account(|scope| {
        per_key(scope, |user, key| {
            let id = key_resource(user, key);
            let name = format!("{}'s access key {}", user.user, key.slot);
            let state = if key.active { "active" } else { "inactive" };
            let age = scope.now.zip(key.last_rotated.as_deref()).and_then(|(now, rotated)| days_since(now, rotated));
            Some(match age {
                Some(days) => Observation::judged(
                    key.active && days > MAX_AGE_DAYS,
                    resource::IAM_ACCESS_KEY,
                    id,
                    format!("{name} is {state}, last rotated {days} day(s) ago"),
                )
                .with_fix(Some(access_key_fix(user, key, true, "Rotate the key"))),
                None if !key.active => Observation::pass(resource::IAM_ACCESS_KEY, id, format!("{name} is inactive")),
                None if scope.now.is_none() => Observation::not_evaluated(
                    resource::IAM_ACCESS_KEY,
                    id,
                    format!("{name} is active; its age is unknown: the snapshot has no collection time"),
                ),
                None => Observation::not_evaluated(
                    resource::IAM_ACCESS_KEY,
                    id,
                    format!("{name} is active; the credential report gives no rotation date"),
                ),
            })
        })
    }),
    fix: Fixer::Judged,
};

use super::{per_user, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "iam-console-user-mfa",
    title: "IAM user with a console password has no MFA",
    family: Family::Iam,
    severity: Severity::High,
    controls: &["AWS FSBP IAM.5", "CIS AWS v3.0.0 1.10", "CIS AWS v5.0.0 1.9"],
    description: "Every IAM user whose credential report row has a console password (`password_enabled`): \
                  `mfa_active`.",
    remediation: "Assign an MFA device to the user (IAM console, the user's Security credentials), or remove the \
                  console password if the user does not sign in.",
    reads: REPORT,
    evaluate: Evaluate::Account(|scope| {
        per_user(scope, "no IAM user has a console password", |u| {
            (u.password_enabled == Some(true)).then(|| {
                let evidence = if u.mfa_active {
                    format!("{} signs in with a password and MFA", u.user)
                } else {
                    format!("{} signs in with a password and no MFA", u.user)
                };
                Observation::judged(!u.mfa_active, resource::IAM_USER, u.arn.clone(), evidence)
            })
        })
    }),
    // No command: an MFA device is registered with codes from the device in hand.
    fix: Fixer::None,
};

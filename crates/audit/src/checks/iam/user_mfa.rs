use super::{per_user, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "iam-user-mfa",
    title: "IAM user has no MFA",
    family: Family::Iam,
    severity: Severity::Medium,
    controls: &["AWS Security Hub IAM.19"],
    description: "Every IAM user of the credential report, console password or not: `mfa_active` (the seed's MFA \
                  sheet).",
    remediation: "Assign an MFA device to the user; for users that only call APIs, prefer IAM roles with temporary \
                  credentials over users with keys.",
    reads: REPORT,
    evaluate: Evaluate::Account(|scope| {
        per_user(scope, "the account has no IAM users", |u| {
            let evidence = if u.mfa_active { format!("{} has MFA", u.user) } else { format!("{} has no MFA", u.user) };
            Some(Observation::judged(!u.mfa_active, resource::IAM_USER, u.arn.clone(), evidence))
        })
    }),
    // No command: an MFA device is registered with codes from the device in hand.
    fix: Fixer::None,
};

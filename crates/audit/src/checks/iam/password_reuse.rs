use super::password_policy_fix;
use super::POLICY;
use crate::checks::{account_resource, resource, Check, Evaluate, Family, Fixer, Observation, Severity};

/// The number of previous passwords FSBP IAM.16 wants remembered.
pub const REMEMBERED: i32 = 24;

pub const CHECK: Check = Check {
    id: "iam-password-reuse",
    title: "Password policy does not prevent password reuse",
    family: Family::Iam,
    severity: Severity::Low,
    controls: &["AWS Security Hub IAM.16", "CIS AWS v3.0.0 1.9", "CIS AWS v5.0.0 1.8"],
    description: "The account's IAM password policy: the last 24 passwords may not be reused \
                  (`PasswordReusePrevention`). No policy at all fails.",
    remediation: "Set the account password policy to remember 24 passwords (`aws iam \
                  update-account-password-policy --password-reuse-prevention 24`, with the policy's other settings).",
    reads: POLICY,
    evaluate: Evaluate::Account(|scope| {
        let account = account_resource(scope.account_id);
        let fix = password_policy_fix(scope);
        vec![match &scope.evidence.password_policy {
            None => Observation::fail(resource::ACCOUNT, account, "the account has no password policy"),
            Some(policy) => match policy.reuse_prevention {
                Some(n) => Observation::judged(
                    n < REMEMBERED,
                    resource::ACCOUNT,
                    account,
                    format!("the password policy remembers {n} previous password(s)"),
                ),
                None => Observation::fail(resource::ACCOUNT, account, "the password policy does not prevent reuse"),
            },
        }
        .with_fix(Some(fix))]
    }),
    fix: Fixer::Judged,
};

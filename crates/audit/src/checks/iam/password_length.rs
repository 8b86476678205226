use super::password_policy_fix;
use super::POLICY;
use crate::checks::{account_resource, resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const MIN_LENGTH: i32 = 14;

pub const CHECK: Check = Check {
    id: "iam-password-length",
    title: "Password policy allows passwords shorter than 14 characters",
    family: Family::Iam,
    severity: Severity::Medium,
    controls: &["AWS Security Hub IAM.15", "CIS AWS v3.0.0 1.8", "CIS AWS v5.0.0 1.7"],
    description: "The account's IAM password policy (`GetAccountPasswordPolicy`): a minimum length of at least 14. \
                  No policy at all fails.",
    remediation: "Set the account password policy's minimum length to 14 or more (IAM console, Account settings; or \
                  `aws iam update-account-password-policy --minimum-password-length 14`).",
    reads: POLICY,
    evaluate: Evaluate::Account(|scope| {
        let account = account_resource(scope.account_id);
        let fix = password_policy_fix(scope);
        vec![match &scope.evidence.password_policy {
            None => Observation::fail(resource::ACCOUNT, account, "the account has no password policy"),
            Some(policy) => {
                let length = policy.minimum_length.unwrap_or(0);
                Observation::judged(
                    length < MIN_LENGTH,
                    resource::ACCOUNT,
                    account,
                    format!("the password policy's minimum length is {length}"),
                )
            }
        }
        .with_fix(Some(fix))]
    }),
    fix: Fixer::Judged,
};

use super::{root, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "iam-root-mfa",
    title: "Root user has no MFA",
    family: Family::Iam,
    severity: Severity::Critical,
    controls: &["AWS Security Hub IAM.9", "CIS AWS v3.0.0 1.5", "CIS AWS v5.0.0 1.4"],
    description: "The root user's row of the credential report: `mfa_active`. A report without a root row leaves this \
                  not evaluated.",
    remediation: "Sign in as the root user and assign an MFA device (a hardware key or passkey is best); in an \
                  organisation, consider centralised root access management for member accounts.",
    reads: REPORT,
    evaluate: Evaluate::Account(|scope| {
        let root = match root(scope) {
            Ok(root) => root,
            Err(not_evaluated) => return not_evaluated,
        };
        let evidence = if root.mfa_active { "the root user has MFA" } else { "the root user has no MFA" };
        vec![Observation::judged(!root.mfa_active, resource::ACCOUNT, root.arn.clone(), evidence)]
    }),
    // No command: only the root user, signed in to the console, can add the root user's MFA.
    fix: Fixer::None,
};

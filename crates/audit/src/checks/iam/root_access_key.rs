use super::{root, REPORT};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "iam-root-access-key",
    title: "Root user has an active access key",
    family: Family::Iam,
    severity: Severity::Critical,
    controls: &["AWS FSBP IAM.4", "CIS AWS v3.0.0 1.4", "CIS AWS v5.0.0 1.3"],
    description: "The root user's row of the credential report: access keys 1 and 2 inactive or absent. A report \
                  without a root row leaves this not evaluated.",
    remediation: "Sign in as the root user, open Security credentials and delete its access keys; use IAM roles for \
                  programmatic access.",
    reads: REPORT,
    evaluate: Evaluate::Account(|scope| {
        let root = match root(scope) {
            Ok(root) => root,
            Err(not_evaluated) => return not_evaluated,
        };
        let active: Vec<String> =
            root.access_keys.iter().filter(|k| k.active).map(|k| format!("access key {}", k.slot)).collect();
        let evidence = if active.is_empty() {
            "the root user has no active access key".to_string()
        } else {
            format!("the root user has an active {}", active.join(" and "))
        };
        vec![Observation::judged(!active.is_empty(), resource::ACCOUNT, root.arn.clone(), evidence)]
    }),
    // No command: only the root user can delete the root user's access keys, and no command should run as root.
    fix: Fixer::None,
};

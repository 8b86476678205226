//! `sgaudit permissions`: the IAM policy sgaudit needs, generated from the actions each source declares.

use crate::exit;

pub fn print() -> anyhow::Result<u8> {
    // A struct rather than `json!` so the keys keep the order IAM documents use.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Policy {
        version: &'static str,
        statement: Vec<Statement>,
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Statement {
        sid: &'static str,
        effect: &'static str,
        action: Vec<&'static str>,
        resource: &'static str,
    }
    let policy = Policy {
        version: "2012-10-17",
        statement: vec![
            Statement {
                sid: "SgauditScanReadOnly",
                effect: "Allow",
                action: sgaudit_collect::registry::scan_actions(),
                resource: "*",
            },
            // Only where `--org` runs: the management (or delegated administrator) account.
            Statement {
                sid: "SgauditOrganization",
                effect: "Allow",
                action: sgaudit_collect::accounts::ORG_ACTIONS.to_vec(),
                resource: "*",
            },
            // Only for `scan --push-security-hub`, in each account that receives findings.
            Statement {
                sid: "SgauditSecurityHub",
                effect: "Allow",
                action: sgaudit_collect::securityhub::ACTIONS.to_vec(),
                resource: "*",
            },
            // Only for `cleanup`: the plan's checks (read-only) and, with --apply, the deletions (and putting back
            // the revoked rules of a group that became used mid-run).
            Statement {
                sid: "SgauditCleanup",
                effect: "Allow",
                action: sorted(&[
                    sgaudit_collect::cleanup::PLAN_ACTIONS,
                    sgaudit_collect::cleanup::DELETE_ACTIONS,
                    sgaudit_collect::cleanup::PUT_BACK_ACTIONS,
                ]),
                resource: "*",
            },
            // Only for `restore`.
            Statement {
                sid: "SgauditRestore",
                effect: "Allow",
                action: sorted(&[sgaudit_collect::restore::ACTIONS]),
                resource: "*",
            },
        ],
    };
    println!("{}", serde_json::to_string_pretty(&policy)?);
    Ok(exit::OK)
}

/// The actions of several lists, sorted, each once.
fn sorted(lists: &[&[&'static str]]) -> Vec<&'static str> {
    let set: std::collections::BTreeSet<&'static str> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    set.into_iter().collect()
}

//! `sgaudit permissions`: the IAM policy sgaudit needs, generated from the actions each source declares.

use sgaudit_snapshot::Family;

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
        sid: String,
        effect: &'static str,
        action: Vec<&'static str>,
        resource: &'static str,
    }
    // The scan, read-only: who the caller is and which regions are enabled, then one statement per family of
    // checks (`--checks`), so a policy can grant just the families a team runs.
    let mut statement = vec![Statement {
        sid: "SgauditScan".into(),
        effect: "Allow",
        action: sgaudit_collect::registry::scan_actions_for(&[]),
        resource: "*",
    }];
    for family in Family::ALL {
        statement.push(Statement {
            sid: format!("SgauditChecks{}", family_sid(family)),
            effect: "Allow",
            action: sgaudit_collect::registry::family_actions(family),
            resource: "*",
        });
    }
    let policy = Policy {
        version: "2012-10-17",
        statement: statement
            .into_iter()
            .chain([
                // Only where `--org` runs: the management (or delegated administrator) account.
                Statement {
                    sid: "SgauditOrganization".into(),
                    effect: "Allow",
                    action: sgaudit_collect::accounts::ORG_ACTIONS.to_vec(),
                    resource: "*",
                },
                // Only for `scan --push-security-hub`, in each account that receives findings.
                Statement {
                    sid: "SgauditSecurityHub".into(),
                    effect: "Allow",
                    action: sgaudit_collect::securityhub::ACTIONS.to_vec(),
                    resource: "*",
                },
                // Only for `cleanup`: the plan's checks (read-only) and, with --apply, the deletions (and putting back
                // the revoked rules of a group that became used mid-run).
                Statement {
                    sid: "SgauditCleanup".into(),
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
                    sid: "SgauditRestore".into(),
                    effect: "Allow",
                    action: sorted(&[sgaudit_collect::restore::ACTIONS]),
                    resource: "*",
                },
            ])
            .collect(),
    };
    println!("{}", serde_json::to_string_pretty(&policy)?);
    Ok(exit::OK)
}

/// A family's part of a statement id: `SgauditChecksCloudTrail`.
fn family_sid(family: Family) -> &'static str {
    match family {
        Family::Groups => "Groups",
        Family::Network => "Network",
        Family::Iam => "Iam",
        Family::Cloudtrail => "CloudTrail",
        Family::S3 => "S3",
    }
}

/// The actions of several lists, sorted, each once.
fn sorted(lists: &[&[&'static str]]) -> Vec<&'static str> {
    let set: std::collections::BTreeSet<&'static str> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    set.into_iter().collect()
}

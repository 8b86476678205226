//! Findings: one check per file, each with a stable kebab-case id and the controls users know it by, listed
//! explicitly in [`CHECKS`].

use serde::Serialize;

use crate::GroupVerdict;

mod default_allows_traffic;
mod default_in_use;
mod stale_rule;
mod status_unknown;
mod unused_group;
mod world_open_all_traffic;
mod world_open_high_risk_port;
mod world_open_rdp;
mod world_open_ssh;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The id used in every report (`high`), as serde writes it.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A check's fixed description.
pub struct Check {
    /// Stable id (`sg-world-open-ssh`): used in JSON, SARIF and Security Hub.
    pub id: &'static str,
    pub title: &'static str,
    /// Controls of AWS Foundational Security Best Practices and the CIS AWS Benchmark it maps to.
    pub controls: &'static [&'static str],
    /// Returns the finding's severity and message when the group fails the check. It sees the verdict
    /// before its `risk` is decided, since the risk follows from the findings (`crate::risk`): a check
    /// must not read `risk`.
    pub evaluate: fn(&GroupVerdict) -> Option<(Severity, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub message: String,
    pub controls: &'static [&'static str],
}

pub const CHECKS: &[Check] = &[
    world_open_ssh::CHECK,
    world_open_rdp::CHECK,
    world_open_all_traffic::CHECK,
    world_open_high_risk_port::CHECK,
    default_allows_traffic::CHECK,
    default_in_use::CHECK,
    stale_rule::CHECK,
    unused_group::CHECK,
    status_unknown::CHECK,
];

pub(crate) fn run(group: &GroupVerdict) -> Vec<Finding> {
    CHECKS
        .iter()
        .filter_map(|check| {
            (check.evaluate)(group).map(|(severity, message)| Finding {
                id: check.id,
                severity,
                title: check.title,
                message,
                controls: check.controls,
            })
        })
        .collect()
}

/// Exposure findings weigh more when the group is (or may be) in use.
fn exposure_severity(group: &GroupVerdict, in_use: Severity) -> Severity {
    if group.status == crate::Status::Unused {
        Severity::Medium
    } else {
        in_use
    }
}

#[cfg(test)]
mod tests {
    use super::CHECKS;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_kebab_case_and_prefixed() {
        let ids: BTreeSet<_> = CHECKS.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), CHECKS.len());
        for id in ids {
            assert!(id.starts_with("sg-"), "{id}");
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
        }
    }
}

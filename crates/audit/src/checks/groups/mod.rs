//! The group checks: judged on each security group's verdict (its use, its exposure); their failures are
//! the group's findings.

use super::Severity;
use crate::GroupVerdict;

pub mod default_allows_traffic;
pub mod default_in_use;
pub mod stale_rule;
pub mod status_unknown;
pub mod unused_group;
pub mod world_open_all_traffic;
pub mod world_open_high_risk_port;
pub mod world_open_rdp;
pub mod world_open_ssh;

/// Exposure findings weigh more when the group is (or may be) in use.
fn exposure_severity(group: &GroupVerdict, in_use: Severity) -> Severity {
    if group.status == crate::Status::Unused {
        Severity::Medium
    } else {
        in_use
    }
}

/// What the exposure checks read: the groups' own rules.
const RULES: &[&str] = &["ec2-security-groups"];

//! Security Hub findings that an earlier run pushed and this one no longer has (the group was deleted, the
//! bucket is gone, a check was retired), sent again with `RecordState: ARCHIVED`, so that Security Hub mirrors
//! the account instead of keeping stale findings. Built from what the history recorded of them, under the same
//! `Id` (ids never depend on the run), in the Region they were filed in.

use std::collections::BTreeMap;

use sgaudit_audit::{checks, Severity};

use crate::asff::{
    partition, product_arn, truncate, types, AsffFinding, AsffSeverity, Compliance, ComplianceStatus, RecordState,
    Resource, Workflow, WorkflowStatus, DESCRIPTION_MAX, SCHEMA_VERSION, TITLE_MAX, TYPE_BEST_PRACTICES,
};

/// What the history kept of a finding pushed before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed<'a> {
    pub id: &'a str,
    pub check_id: &'a str,
    pub account_id: &'a str,
    /// The Region whose Security Hub holds it.
    pub filed_region: &'a str,
    pub resource_type: &'a str,
    pub resource: &'a str,
    pub severity: &'a str,
    pub title: &'a str,
    pub message: &'a str,
}

/// The finding that archives `pushed`, dated `now` (RFC 3339).
pub fn archived(pushed: &Pushed, now: &str) -> AsffFinding {
    let check = checks::by_id(pushed.check_id);
    let severity = Severity::ALL.iter().copied().find(|s| s.id() == pushed.severity).unwrap_or(Severity::Informational);
    let controls: &[&str] = check.map(|c| c.controls).unwrap_or_default();
    let mut product_fields = BTreeMap::new();
    product_fields.insert("sgaudit/CheckId".to_string(), pushed.check_id.to_string());
    product_fields.insert("sgaudit/Archived".to_string(), "no longer found by sgaudit".to_string());
    product_fields.insert("sgaudit/Version".to_string(), env!("CARGO_PKG_VERSION").to_string());
    let region = pushed.filed_region;
    let resource_partition = match pushed.resource.strip_prefix("arn:").and_then(|rest| rest.split(':').next()) {
        Some(p @ ("aws" | "aws-cn" | "aws-us-gov")) => p,
        _ => partition(region),
    };
    AsffFinding {
        schema_version: SCHEMA_VERSION.to_string(),
        id: pushed.id.to_string(),
        product_arn: product_arn(pushed.account_id, region),
        product_name: "sgaudit".to_string(),
        generator_id: format!("sgaudit/{}", pushed.check_id),
        aws_account_id: pushed.account_id.to_string(),
        types: if controls.is_empty() { vec![TYPE_BEST_PRACTICES.to_string()] } else { types(controls) },
        created_at: now.to_string(),
        updated_at: now.to_string(),
        severity: AsffSeverity { label: severity.into(), original: severity.id().to_string() },
        title: truncate(pushed.title, TITLE_MAX).into_owned(),
        description: truncate(&format!("No longer found by sgaudit: {}", pushed.message), DESCRIPTION_MAX).into_owned(),
        remediation: None,
        product_fields,
        resources: vec![Resource {
            kind: pushed.resource_type.to_string(),
            id: pushed.resource.to_string(),
            partition: resource_partition.to_string(),
            region: Some(region.to_string()),
            tags: Default::default(),
            details: None,
        }],
        compliance: Compliance {
            status: ComplianceStatus::NotAvailable,
            related_requirements: controls.iter().map(|c| c.to_string()).collect(),
        },
        record_state: RecordState::Archived,
        workflow: Workflow { status: WorkflowStatus::Resolved },
        // An archived finding carries no exception's note (issue 14's `Note` is for muted findings).
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archived_finding_keeps_its_id_place_and_check() {
        let pushed = Pushed {
            id: "sgaudit/123456789012/eu-west-1/sg-0abc/sg-world-open-ssh",
            check_id: "sg-world-open-ssh",
            account_id: "123456789012",
            filed_region: "eu-west-1",
            resource_type: "AwsEc2SecurityGroup",
            resource: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc",
            severity: "critical",
            title: "SSH open",
            message: "22 from 0.0.0.0/0",
        };
        let f = archived(&pushed, "2026-12-01T10:00:00Z");
        assert_eq!(f.id, pushed.id);
        assert_eq!(f.record_state, RecordState::Archived);
        assert_eq!(f.product_arn, "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default");
        assert_eq!(f.region(), "eu-west-1");
        assert_eq!(f.severity.original, "critical");
        let json = serde_json::to_value(&f).expect("serialises");
        assert_eq!(json["RecordState"], "ARCHIVED");
        // A check retired since is still archived, with the generic type.
        let gone = archived(&Pushed { check_id: "retired-check", ..pushed }, "2026-12-01T10:00:00Z");
        assert_eq!(gone.types, vec![TYPE_BEST_PRACTICES.to_string()]);
    }
}

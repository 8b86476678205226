//! Sends findings to AWS Security Hub with `BatchImportFindings`, so they show beside AWS's own controls.
//!
//! The findings arrive as ASFF JSON documents (what `--format asff` writes): ASFF is the interface, so this
//! crate needs no report types, and what is pushed is exactly what the file says. Each finding goes to its own
//! account (`AwsAccountId`) and region (its resource's), through that account's session, in batches of 100
//! (the API's limit). A rejected finding or a failed batch is reported, and the rest still go.

use std::collections::BTreeMap;

use aws_sdk_securityhub::types::{
    AwsEc2SecurityGroupDetails, AwsSecurityFinding, Compliance, ComplianceStatus, Note, Recommendation, RecordState,
    Remediation, Resource, ResourceDetails, Severity, SeverityLabel, Workflow, WorkflowStatus,
};
use serde_json::Value;

use crate::source::{classify, Action};
use crate::Connected;

/// IAM actions the push calls, in each account that receives findings.
pub const ACTIONS: &[Action] = &[crate::not_probed!(
    "securityhub:BatchImportFindings",
    "a write with no dry run: it is proven by the first `scan --push-security-hub`, which reports each finding it \
     could not import"
)];

/// Findings per `BatchImportFindings` call: the API's maximum.
pub const BATCH: usize = 100;

#[derive(Debug, Default)]
pub struct PushReport {
    /// Calls made.
    pub batches: usize,
    /// Findings Security Hub accepted.
    pub imported: usize,
    pub failed: Vec<PushFailure>,
}

/// A finding that did not land, and why.
#[derive(Debug)]
pub struct PushFailure {
    pub account_id: String,
    pub region: String,
    pub finding_id: String,
    pub code: String,
    pub message: String,
}

/// Pushes every finding to its account and region. Never fails as a whole: what did not land is in the report.
pub async fn push(connected: &Connected, findings: &[Value]) -> PushReport {
    let mut report = PushReport::default();
    let mut by_place: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for finding in findings {
        by_place.entry((account_of(finding), region_of(finding))).or_default().push(finding);
    }
    for ((account_id, region), findings) in by_place {
        let fail_all = |report: &mut PushReport, findings: &[&Value], code: &str, message: &str| {
            report.failed.extend(findings.iter().map(|f| PushFailure {
                account_id: account_id.clone(),
                region: region.clone(),
                finding_id: str_at(f, "Id").to_string(),
                code: code.to_string(),
                message: message.to_string(),
            }));
        };
        let Some(session) = connected.session(&account_id) else {
            fail_all(&mut report, &findings, "NotReached", "no credentials reach this account");
            continue;
        };
        let client = aws_sdk_securityhub::Client::new(&session.in_region(&region));
        for batch in findings.chunks(BATCH) {
            report.batches += 1;
            let answer = client
                .batch_import_findings()
                .set_findings(Some(batch.iter().map(|f| to_sdk(f)).collect()))
                .send()
                .await;
            match answer {
                Ok(out) => {
                    report.imported += usize::try_from(out.success_count().unwrap_or(0)).unwrap_or(0);
                    report.failed.extend(out.failed_findings().iter().map(|f| PushFailure {
                        account_id: account_id.clone(),
                        region: region.clone(),
                        finding_id: f.id().unwrap_or_default().to_string(),
                        code: f.error_code().unwrap_or_default().to_string(),
                        message: f.error_message().unwrap_or_default().to_string(),
                    }));
                }
                Err(e) => {
                    let error = classify("securityhub:BatchImportFindings", &e);
                    fail_all(&mut report, batch, &error.code, &error.message);
                }
            }
        }
    }
    report
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn strings_at(v: &Value, key: &str) -> Option<Vec<String>> {
    v.get(key)?.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

fn opt_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn account_of(finding: &Value) -> String {
    str_at(finding, "AwsAccountId").to_string()
}

/// The finding's region: its first resource's, else the one in its product ARN
/// (`arn:aws:securityhub:<region>:...`).
fn region_of(finding: &Value) -> String {
    finding
        .get("Resources")
        .and_then(|r| r.get(0))
        .and_then(|r| r.get("Region"))
        .and_then(Value::as_str)
        .or_else(|| finding.get("Region").and_then(Value::as_str))
        .or_else(|| str_at(finding, "ProductArn").split(':').nth(3))
        .unwrap_or_default()
        .to_string()
}

/// The SDK's finding for an ASFF document: the fields sgaudit writes; others are left out.
fn to_sdk(f: &Value) -> AwsSecurityFinding {
    let severity = f
        .get("Severity")
        .map(|s| Severity::builder().set_label(opt_str(s, "Label").map(|l| SeverityLabel::from(l.as_str()))).build());
    let resources = f.get("Resources").and_then(Value::as_array).map(|rs| {
        rs.iter()
            .map(|r| {
                let group = r.get("Details").and_then(|d| d.get("AwsEc2SecurityGroup")).map(|g| {
                    AwsEc2SecurityGroupDetails::builder()
                        .set_group_name(opt_str(g, "GroupName"))
                        .set_group_id(opt_str(g, "GroupId"))
                        .set_owner_id(opt_str(g, "OwnerId"))
                        .set_vpc_id(opt_str(g, "VpcId"))
                        .build()
                });
                let tags = r
                    .get("Tags")
                    .and_then(Value::as_object)
                    .map(|t| t.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect());
                Resource::builder()
                    .set_type(opt_str(r, "Type"))
                    .set_id(opt_str(r, "Id"))
                    .set_partition(opt_str(r, "Partition").map(|p| p.as_str().into()))
                    .set_region(opt_str(r, "Region"))
                    .set_tags(tags)
                    .set_details(group.map(|g| ResourceDetails::builder().aws_ec2_security_group(g).build()))
                    .build()
            })
            .collect()
    });
    let compliance = f.get("Compliance").map(|c| {
        Compliance::builder()
            .set_status(opt_str(c, "Status").map(|s| ComplianceStatus::from(s.as_str())))
            .set_related_requirements(strings_at(c, "RelatedRequirements"))
            .build()
    });
    let remediation = f.get("Remediation").and_then(|r| r.get("Recommendation")).map(|r| {
        Remediation::builder()
            .recommendation(Recommendation::builder().set_text(opt_str(r, "Text")).set_url(opt_str(r, "Url")).build())
            .build()
    });
    let workflow = f.get("Workflow").map(|w| {
        Workflow::builder().set_status(opt_str(w, "Status").map(|s| WorkflowStatus::from(s.as_str()))).build()
    });
    // A muted finding says why (an exception of sgaudit.toml, or a mark).
    let note = f.get("Note").map(|n| {
        Note::builder()
            .set_text(opt_str(n, "Text"))
            .set_updated_by(opt_str(n, "UpdatedBy"))
            .set_updated_at(opt_str(n, "UpdatedAt"))
            .build()
    });
    let product_fields = f
        .get("ProductFields")
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect());
    AwsSecurityFinding::builder()
        .set_schema_version(opt_str(f, "SchemaVersion"))
        .set_id(opt_str(f, "Id"))
        .set_product_arn(opt_str(f, "ProductArn"))
        .set_generator_id(opt_str(f, "GeneratorId"))
        .set_aws_account_id(opt_str(f, "AwsAccountId"))
        .set_types(strings_at(f, "Types"))
        .set_first_observed_at(opt_str(f, "FirstObservedAt"))
        .set_last_observed_at(opt_str(f, "LastObservedAt"))
        .set_created_at(opt_str(f, "CreatedAt"))
        .set_updated_at(opt_str(f, "UpdatedAt"))
        .set_severity(severity)
        .set_title(opt_str(f, "Title"))
        .set_description(opt_str(f, "Description"))
        .set_remediation(remediation)
        .set_product_fields(product_fields)
        .set_resources(resources)
        .set_compliance(compliance)
        .set_workflow(workflow)
        .set_note(note)
        .set_record_state(opt_str(f, "RecordState").map(|s| RecordState::from(s.as_str())))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_maps_field_by_field() {
        let doc: Value = serde_json::json!({
            "SchemaVersion": "2018-10-08",
            "Id": "sgaudit/111122223333/eu-west-1/sg-1/sg-world-open-ssh",
            "ProductArn": "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default",
            "GeneratorId": "sgaudit/sg-world-open-ssh",
            "AwsAccountId": "111122223333",
            "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
            "CreatedAt": "2026-11-23T04:01:28Z",
            "UpdatedAt": "2026-11-23T04:01:28Z",
            "Severity": {"Label": "CRITICAL"},
            "Title": "SSH open to the world",
            "Description": "sg-1 allows 0.0.0.0/0 on port 22",
            "Resources": [{
                "Type": "AwsEc2SecurityGroup",
                "Id": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
                "Partition": "aws",
                "Region": "eu-west-1",
                "Details": {"AwsEc2SecurityGroup": {"GroupName": "<b>x</b>", "GroupId": "sg-1", "VpcId": "vpc-1"}}
            }],
            "Compliance": {"Status": "FAILED", "RelatedRequirements": ["AWS FSBP EC2.13"]},
            "RecordState": "ACTIVE",
            "Workflow": {"Status": "NEW"},
            "Note": {"Text": "accepted until March", "UpdatedBy": "team-web", "UpdatedAt": "2026-11-23T04:01:28Z"}
        });
        assert_eq!(region_of(&doc), "eu-west-1");
        assert_eq!(account_of(&doc), "111122223333");
        let f = to_sdk(&doc);
        assert_eq!(f.id(), Some("sgaudit/111122223333/eu-west-1/sg-1/sg-world-open-ssh"));
        assert_eq!(f.severity().and_then(|s| s.label()), Some(&SeverityLabel::Critical));
        assert_eq!(f.types(), ["Software and Configuration Checks/AWS Security Best Practices"]);
        let r = &f.resources()[0];
        assert_eq!(r.r#type(), Some("AwsEc2SecurityGroup"));
        let details = r.details().and_then(|d| d.aws_ec2_security_group()).expect("group details");
        assert_eq!(details.group_name(), Some("<b>x</b>"));
        assert_eq!(f.compliance().and_then(|c| c.status()), Some(&ComplianceStatus::Failed));
        assert_eq!(f.record_state(), Some(&RecordState::Active));
        assert_eq!(f.workflow().and_then(|w| w.status()), Some(&WorkflowStatus::New));
        assert_eq!(f.note().and_then(|n| n.updated_by()), Some("team-web"));
        assert_eq!(f.note().and_then(|n| n.text()), Some("accepted until March"));
    }
}

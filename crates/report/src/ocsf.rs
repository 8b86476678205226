//! OCSF, the Open Cybersecurity Schema Framework that security lakes and SIEMs read: one Compliance
//! Finding (class 2003, activity Create) per (group, finding), as a JSON array, with the `cloud` profile.
//! The shape is frozen in the structs below; a test validates the demo's array against the JSON Schema of
//! the class in [`VERSION`] (`tests/schemas/`).
//!
//! Each event carries the ASFF finding's id as `finding_info.uid`, so the two formats name a finding alike.

use std::io::Write;

use serde::Serialize;
use sgaudit_audit::{Audit, Finding, GroupVerdict, Severity, Status};
use sgaudit_snapshot::Snapshot;

use crate::asff;

/// The OCSF version the events follow.
pub const VERSION: &str = "1.5.0";
pub const CLASS_UID: u32 = 2003;
pub const CATEGORY_UID: u32 = 2;
pub const ACTIVITY_CREATE: u32 = 1;
pub const TYPE_UID: u32 = CLASS_UID * 100 + ACTIVITY_CREATE;
pub const RESOURCE_TYPE: &str = "AWS::EC2::SecurityGroup";
/// `account.type_id` of an AWS account.
const AWS_ACCOUNT: u32 = 10;

#[derive(Serialize)]
struct Event<'a> {
    activity_id: u32,
    activity_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    severity_id: u8,
    severity: &'static str,
    /// The finding's state for whoever works on it: always `New` here.
    status_id: u8,
    status: &'static str,
    /// When the snapshot was collected, in Unix milliseconds (0 when the snapshot does not say).
    time: i64,
    message: &'a str,
    metadata: Metadata,
    finding_info: FindingInfo<'a>,
    compliance: Compliance<'a>,
    resources: [ResourceDetails<'a>; 1],
    cloud: Cloud<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<Remediation>,
}

#[derive(Serialize)]
struct Metadata {
    version: &'static str,
    product: Product,
    profiles: [&'static str; 1],
}

#[derive(Serialize)]
struct Product {
    name: &'static str,
    vendor_name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    uid: String,
    title: String,
    desc: &'a str,
    created_time: i64,
    types: Vec<String>,
}

#[derive(Serialize)]
struct Compliance<'a> {
    status_id: u8,
    status: &'static str,
    /// The check's stable id.
    control: &'static str,
    desc: &'static str,
    requirements: &'static [&'static str],
    standards: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    status_details: Vec<&'a str>,
}

#[derive(Serialize)]
struct ResourceDetails<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uid: String,
    name: &'a str,
    region: &'a str,
    cloud_partition: &'static str,
    owner: Owner<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<KeyValue<'a>>,
    data: ResourceData<'a>,
}

#[derive(Serialize)]
struct Owner<'a> {
    account: Account<'a>,
}

#[derive(Serialize)]
struct Account<'a> {
    uid: &'a str,
    type_id: u32,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct KeyValue<'a> {
    name: &'a str,
    value: &'a str,
}

/// sgaudit's own facts about the group (`data` is free-form in OCSF).
#[derive(Serialize)]
struct ResourceData<'a> {
    group_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpc_id: Option<&'a str>,
    status: Status,
    risk: sgaudit_audit::Risk,
}

#[derive(Serialize)]
struct Cloud<'a> {
    provider: &'static str,
    region: &'a str,
    cloud_partition: &'static str,
    account: Account<'a>,
}

#[derive(Serialize)]
struct Remediation {
    desc: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<String>,
}

/// OCSF's `severity_id` and its caption.
pub fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Informational => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let time = snapshot.collected_at.as_deref().and_then(crate::time::parse_rfc3339_ms).unwrap_or(0);
    let events: Vec<Event> =
        audit.groups.iter().flat_map(|g| g.findings.iter().map(move |f| event(g, f, time))).collect();
    serde_json::to_writer_pretty(&mut *out, &events)?;
    writeln!(out)
}

fn event<'a>(g: &'a GroupVerdict<'a>, f: &'a Finding, time: i64) -> Event<'a> {
    let (severity_id, severity) = severity(f.severity);
    let (status_id, status) = if asff::not_judged(g, f) { (0, "Unknown") } else { (3, "Fail") };
    Event {
        activity_id: ACTIVITY_CREATE,
        activity_name: "Create",
        category_uid: CATEGORY_UID,
        category_name: "Findings",
        class_uid: CLASS_UID,
        class_name: "Compliance Finding",
        type_uid: TYPE_UID,
        type_name: "Compliance Finding: Create",
        severity_id,
        severity,
        status_id: 1,
        status: "New",
        time,
        message: &f.message,
        metadata: Metadata {
            version: VERSION,
            product: Product { name: "sgaudit", vendor_name: "sgaudit", version: env!("CARGO_PKG_VERSION") },
            profiles: ["cloud"],
        },
        finding_info: FindingInfo {
            uid: asff::finding_id(g, f.id),
            title: asff::title(g, f),
            desc: &f.message,
            created_time: time,
            types: asff::types(f.controls),
        },
        compliance: Compliance {
            status_id,
            status,
            control: f.id,
            desc: f.title,
            requirements: f.controls,
            standards: asff::standards(f.controls),
            status_details: if status_id == 0 { vec![f.message.as_str()] } else { Vec::new() },
        },
        resources: [ResourceDetails {
            kind: RESOURCE_TYPE,
            uid: asff::group_arn(g.account_id, g.region, &g.group.group_id),
            name: &g.group.group_name,
            region: g.region,
            cloud_partition: asff::partition(g.region),
            owner: Owner { account: Account { uid: &g.group.owner_id, type_id: AWS_ACCOUNT, kind: "AWS Account" } },
            tags: g.group.tags.iter().map(|(name, value)| KeyValue { name, value }).collect(),
            data: ResourceData {
                group_id: &g.group.group_id,
                vpc_id: g.group.vpc_id.as_deref(),
                status: g.status,
                risk: g.risk,
            },
        }],
        cloud: Cloud {
            provider: "AWS",
            region: g.region,
            cloud_partition: asff::partition(g.region),
            account: Account { uid: g.account_id, type_id: AWS_ACCOUNT, kind: "AWS Account" },
        },
        remediation: asff::remediation_text(f.id)
            .map(|desc| Remediation { desc, references: asff::control_url(f.controls).into_iter().collect() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{demo, group_named};
    use serde_json::Value;

    fn events(snapshot: &Snapshot) -> Vec<Value> {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, snapshot, &audit).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn one_compliance_finding_per_finding_named_as_in_asff() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let events = events(&snapshot);
        let asff = asff::findings(&snapshot, &audit);
        assert!(!events.is_empty());
        assert_eq!(events.len(), asff.len());
        for (e, f) in events.iter().zip(&asff) {
            assert_eq!(e["finding_info"]["uid"], f.id.as_str());
            assert_eq!((e["class_uid"].as_u64(), e["category_uid"].as_u64()), (Some(2003), Some(2)));
            assert_eq!((e["activity_id"].as_u64(), e["type_uid"].as_u64()), (Some(1), Some(200_301)));
            assert_eq!(e["metadata"]["version"], VERSION);
            assert_eq!(e["metadata"]["product"]["name"], "sgaudit");
            assert!(e["metadata"]["product"]["vendor_name"].is_string());
            assert_eq!(e["time"].as_i64(), Some(1_795_406_400_000), "2026-11-23T04:00:00Z");
            assert_eq!(e["finding_info"]["created_time"], e["time"]);
            let r = &e["resources"][0];
            assert_eq!(r["type"], "AWS::EC2::SecurityGroup");
            assert_eq!(r["uid"], f.resources[0].id.as_str());
            assert_eq!(r["region"], f.region());
            assert_eq!(r["cloud_partition"], "aws");
            assert_eq!(r["owner"]["account"]["uid"], "123456789012");
            assert_eq!(e["cloud"]["provider"], "AWS");
            assert_eq!(e["cloud"]["region"], f.region());
            assert_eq!(e["cloud"]["account"]["uid"], f.aws_account_id.as_str());
            let label = serde_json::to_value(f.severity.label).unwrap();
            let expected_id = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
                .iter()
                .position(|l| label == *l)
                .map(|i| i as u64 + 1);
            assert_eq!(e["severity_id"].as_u64(), expected_id, "{e}");
            let requirements: Vec<&str> =
                e["compliance"]["requirements"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            assert_eq!(requirements, f.compliance.related_requirements);
            let failed = f.compliance.status == asff::ComplianceStatus::Failed;
            assert_eq!(e["compliance"]["status"], if failed { "Fail" } else { "Unknown" });
            assert_eq!(e["compliance"]["status_id"].as_u64(), Some(if failed { 3 } else { 0 }));
        }
    }

    #[test]
    fn severities_map_to_ocsf_ids() {
        assert_eq!(severity(Severity::Informational), (1, "Informational"));
        assert_eq!(severity(Severity::Low), (2, "Low"));
        assert_eq!(severity(Severity::Medium), (3, "Medium"));
        assert_eq!(severity(Severity::High), (4, "High"));
        assert_eq!(severity(Severity::Critical), (5, "Critical"));
    }

    #[test]
    fn hostile_names_and_tags_are_plain_string_data() {
        let mut snapshot = demo();
        let name = "\"}],\"class_uid\":1}\n<b>x</b>";
        let g = group_named(&mut snapshot, "sg-0a400000000001dc1");
        g.group_name = name.to_string();
        let before = events(&demo()).len();
        let events = events(&snapshot);
        assert_eq!(events.len(), before);
        assert!(events.iter().all(|e| e["class_uid"] == 2003));
        let e = events.iter().find(|e| e["resources"][0]["name"] == name).unwrap();
        assert!(e["resources"][0]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Owner" && t["value"] == "=HYPERLINK(\"http://evil\")"));
    }
}

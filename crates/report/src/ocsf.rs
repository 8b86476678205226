//! OCSF, the Open Cybersecurity Schema Framework that security lakes and SIEMs read: one Compliance
//! Finding (class 2003, activity Create) per (group, finding), then one per result of the account and
//! regional checks (passes included, as in ASFF), as a JSON array, with the `cloud` profile. The shape is
//! frozen in the structs below; a test validates the arrays against the JSON Schema of the class in
//! [`VERSION`] (`tests/schemas/`).
//!
//! Each event carries the ASFF finding's id as `finding_info.uid`, so the two formats name a finding alike.
//! A result's compliance status is `Pass` (1), `Fail` (3) or, not evaluated, `Unknown` (0) with what could
//! not be read in `status_details`; the finding's own status is `Resolved` for a pass, else `New`.
//! A finding or result muted by an exception (`sgaudit.toml`) is `Suppressed` (3), with the exception's
//! reason and owner in `status_detail`; its compliance status is what the check found.
//!
//! A finding or result with a fix has it as `remediation.desc` (the summary, the AWS CLI commands, the
//! Terraform snippet) and, field by field, in `unmapped.fix`; a group's finding says whether the internet
//! reaches the group in `unmapped.reachability` (state, paths, blocked, missing). OCSF has no attribute of
//! its own for either (`unmapped` is its place for a product's data outside the class).

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;
use sgaudit_audit::reach::Path;
use sgaudit_audit::{Audit, CheckResult, Finding, Fix, GroupVerdict, Muted, Outcome, Severity, Status};
use sgaudit_snapshot::Snapshot;

use crate::asff;

/// The OCSF version the events follow.
pub const VERSION: &str = "1.5.0";
pub const CLASS_UID: u32 = 2003;
pub const CATEGORY_UID: u32 = 2;
pub const ACTIVITY_CREATE: u32 = 1;
pub const TYPE_UID: u32 = CLASS_UID * 100 + ACTIVITY_CREATE;
/// The resource type of a group's finding, in AWS's (CloudFormation, Config) words.
pub const RESOURCE_TYPE: &str = "AWS::EC2::SecurityGroup";
/// `account.type_id` of an AWS account.
const AWS_ACCOUNT: u32 = 10;

#[derive(Serialize)]
struct Event<'a> {
    #[serde(flatten)]
    class: Class,
    #[serde(flatten)]
    header: Header,
    message: Cow<'a, str>,
    metadata: Metadata,
    finding_info: FindingInfo<'a>,
    compliance: Compliance<'a>,
    resources: [ResourceDetails<'a>; 1],
    cloud: Cloud<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<Remediation>,
    #[serde(skip_serializing_if = "Unmapped::is_empty")]
    unmapped: Unmapped<'a>,
}

/// sgaudit's data that OCSF has no attribute for.
#[derive(Serialize)]
struct Unmapped<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reachability: Option<Reachability<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<Cow<'a, Fix>>,
}

impl Unmapped<'_> {
    fn is_empty(&self) -> bool {
        self.reachability.is_none() && self.fix.is_none()
    }
}

/// Whether the internet reaches the group, and how (the JSON report's `reachability`).
#[derive(Serialize)]
struct Reachability<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "<[Path]>::is_empty")]
    paths: &'a [Path],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    blocked: &'a [String],
    #[serde(skip_serializing_if = "<[Cow<'static, str>]>::is_empty")]
    missing: &'a [Cow<'static, str>],
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
    desc: Cow<'a, str>,
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
    /// Absent for an account-wide result (IAM, the S3 account settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
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

/// sgaudit's own facts about the resource (`data` is free-form in OCSF).
#[derive(Serialize)]
#[serde(untagged)]
enum ResourceData<'a> {
    Group {
        group_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        vpc_id: Option<&'a str>,
        status: Status,
        risk: sgaudit_audit::Risk,
    },
    /// A check's result: Security Hub's name for the kind of resource, and the outcome.
    Result { resource_type: &'static str, outcome: &'static str },
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
    desc: Cow<'static, str>,
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

/// OCSF's resource type of a result's resource, in AWS's (CloudFormation, Config) words where AWS has one,
/// else Security Hub's name as the result gives it.
pub fn resource_type(security_hub_type: &str) -> &str {
    match security_hub_type {
        "AwsAccount" => "AWS::::Account",
        "AwsIamUser" => "AWS::IAM::User",
        "AwsIamAccessKey" => "AWS::IAM::AccessKey",
        "AwsCloudTrailTrail" => "AWS::CloudTrail::Trail",
        "AwsS3Bucket" => "AWS::S3::Bucket",
        "AwsS3AccountPublicAccessBlock" => "AWS::S3::AccountPublicAccessBlock",
        "AwsEc2NetworkAcl" => "AWS::EC2::NetworkAcl",
        "AwsEc2NetworkInterface" => "AWS::EC2::NetworkInterface",
        "AwsEc2SecurityGroup" => RESOURCE_TYPE,
        "AwsEc2Instance" => "AWS::EC2::Instance",
        other => other,
    }
}

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let time = snapshot.collected_at.as_deref().and_then(crate::time::parse_rfc3339_ms).unwrap_or(0);
    let home = asff::HomeRegions::of(snapshot);
    let groups = audit.groups.iter().flat_map(|g| g.findings.iter().map(move |f| event(g, f, time)));
    let results = audit.results.iter().map(|r| result_event(r, audit.fix_of(r), home.of_result(r), time));
    let events: Vec<Event> = groups.chain(results).collect();
    serde_json::to_writer_pretty(&mut *out, &events)?;
    writeln!(out)
}

/// The envelope every event shares: class, activity, severity, the finding's own status, time, metadata.
/// A muted finding is `Suppressed`, whatever it would have been, and says why.
fn header(severity: Severity, resolved: bool, muted: Option<&Muted>, time: i64) -> Header {
    let (severity_id, severity) = self::severity(severity);
    let (status_id, status) = match (muted, resolved) {
        (Some(_), _) => (3, "Suppressed"),
        (None, true) => (4, "Resolved"),
        (None, false) => (1, "New"),
    };
    let status_detail = muted.map(crate::memory::muted_text);
    Header { severity_id, severity, status_id, status, status_detail, time }
}

/// What every event of this report is: a Compliance Finding, created.
#[derive(Serialize)]
struct Class {
    activity_id: u32,
    activity_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
}

const COMPLIANCE_FINDING_CREATE: Class = Class {
    activity_id: ACTIVITY_CREATE,
    activity_name: "Create",
    category_uid: CATEGORY_UID,
    category_name: "Findings",
    class_uid: CLASS_UID,
    class_name: "Compliance Finding",
    type_uid: TYPE_UID,
    type_name: "Compliance Finding: Create",
};

#[derive(Serialize)]
struct Header {
    severity_id: u8,
    severity: &'static str,
    /// The finding's state for whoever works on it: `New`, `Resolved` for a passed result, `Suppressed`
    /// for one muted by an exception.
    status_id: u8,
    status: &'static str,
    /// For a muted finding: the exception's reason and owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<String>,
    /// When the snapshot was collected, in Unix milliseconds (0 when the snapshot does not say).
    time: i64,
}

fn metadata() -> Metadata {
    Metadata {
        version: VERSION,
        product: Product { name: "sgaudit", vendor_name: "sgaudit", version: env!("CARGO_PKG_VERSION") },
        profiles: ["cloud"],
    }
}

fn aws_account(uid: &str) -> Account<'_> {
    Account { uid, type_id: AWS_ACCOUNT, kind: "AWS Account" }
}

fn result_event<'a>(r: &'a CheckResult, fix: Option<Cow<'a, Fix>>, filed_in: &'a str, time: i64) -> Event<'a> {
    let h = header(r.severity, r.outcome == Outcome::Pass, r.muted.as_deref(), time);
    let (status_id, status) = match r.outcome {
        Outcome::Pass => (1, "Pass"),
        Outcome::Fail => (3, "Fail"),
        Outcome::NotEvaluated => (0, "Unknown"),
    };
    let l = &r.location;
    let message: Cow<str> = Cow::Owned(asff::result_description(r));
    Event {
        class: COMPLIANCE_FINDING_CREATE,
        header: h,
        message: message.clone(),
        metadata: metadata(),
        finding_info: FindingInfo {
            uid: asff::result_finding_id(r),
            title: asff::result_title(r),
            desc: message,
            created_time: time,
            types: asff::types(r.check.controls),
        },
        compliance: Compliance {
            status_id,
            status,
            control: r.check.id,
            desc: r.check.title,
            requirements: r.check.controls,
            standards: asff::standards(r.check.controls),
            status_details: if r.outcome == Outcome::NotEvaluated { vec![r.evidence.as_str()] } else { Vec::new() },
        },
        resources: [ResourceDetails {
            kind: resource_type(l.resource_type),
            uid: l.resource.clone(),
            name: &l.resource,
            region: l.region.as_deref(),
            cloud_partition: asff::partition(filed_in),
            owner: Owner { account: aws_account(&l.account_id) },
            tags: Vec::new(),
            data: ResourceData::Result { resource_type: l.resource_type, outcome: r.outcome.id() },
        }],
        cloud: Cloud {
            provider: "AWS",
            region: filed_in,
            cloud_partition: asff::partition(filed_in),
            account: aws_account(&l.account_id),
        },
        remediation: Some(Remediation {
            desc: match &fix {
                Some(fix) => Cow::Owned(crate::fixes::text(fix)),
                None => asff::result_remediation(r),
            },
            references: asff::control_url(r.check.controls).into_iter().collect(),
        }),
        unmapped: Unmapped { reachability: None, fix },
    }
}

fn event<'a>(g: &'a GroupVerdict<'a>, f: &'a Finding, time: i64) -> Event<'a> {
    let h = header(f.severity, false, f.muted.as_deref(), time);
    let (status_id, status) = if asff::not_judged(g, f) { (0, "Unknown") } else { (3, "Fail") };
    let fix = f.fix(g);
    Event {
        class: COMPLIANCE_FINDING_CREATE,
        header: h,
        message: Cow::Borrowed(&f.message),
        metadata: metadata(),
        finding_info: FindingInfo {
            uid: asff::finding_id(g, f.check.id),
            title: asff::title(g, f),
            desc: Cow::Borrowed(&f.message),
            created_time: time,
            types: asff::types(f.check.controls),
        },
        compliance: Compliance {
            status_id,
            status,
            control: f.check.id,
            desc: f.check.title,
            requirements: f.check.controls,
            standards: asff::standards(f.check.controls),
            status_details: if status_id == 0 { vec![f.message.as_str()] } else { Vec::new() },
        },
        resources: [ResourceDetails {
            kind: RESOURCE_TYPE,
            uid: asff::group_arn(g.account_id, g.region, &g.group.group_id),
            name: &g.group.group_name,
            region: Some(g.region),
            cloud_partition: asff::partition(g.region),
            owner: Owner { account: aws_account(&g.group.owner_id) },
            tags: g.group.tags.iter().map(|(name, value)| KeyValue { name, value }).collect(),
            data: ResourceData::Group {
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
            account: aws_account(g.account_id),
        },
        remediation: Some(Remediation {
            desc: match &fix {
                Some(fix) => Cow::Owned(crate::fixes::text(fix)),
                None => Cow::Borrowed(f.check.remediation),
            },
            references: asff::control_url(f.check.controls).into_iter().collect(),
        }),
        unmapped: Unmapped {
            reachability: Some(Reachability {
                state: g.reach.state.id(),
                paths: &g.reach.paths,
                blocked: &g.reach.blocked,
                missing: &g.reach.missing,
            }),
            fix: fix.map(Cow::Owned),
        },
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
            let group = f.resources[0].kind == "AwsEc2SecurityGroup" && f.product_fields.contains_key("sgaudit/Status");
            if group {
                assert_eq!(r["type"], "AWS::EC2::SecurityGroup");
                assert_eq!(r["region"], f.region());
            } else {
                assert_eq!(r["type"], resource_type(&f.resources[0].kind));
                assert_eq!(r["data"]["outcome"], f.product_fields["sgaudit/Outcome"].as_str());
                // An account-wide resource has no region of its own; the event is filed in its home region.
                assert!(r.get("region").is_none() || r["region"] == f.region(), "{r}");
            }
            assert_eq!(r["uid"], f.resources[0].id.as_str());
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
            let (status, status_id, finding_status) = match f.compliance.status {
                asff::ComplianceStatus::Passed => ("Pass", 1, "Resolved"),
                asff::ComplianceStatus::Failed => ("Fail", 3, "New"),
                asff::ComplianceStatus::NotAvailable => ("Unknown", 0, "New"),
                asff::ComplianceStatus::Warning => unreachable!("sgaudit writes no warning"),
            };
            assert_eq!(e["compliance"]["status"], status);
            assert_eq!(e["compliance"]["status_id"].as_u64(), Some(status_id));
            assert_eq!(e["status"], finding_status);
            assert_eq!(e["finding_info"]["title"], f.title.as_str());
        }
        assert!(events.len() > audit.groups.iter().map(|g| g.findings.len()).sum::<usize>(), "results too");
    }

    #[test]
    fn results_are_compliance_findings_of_their_resource() {
        let snapshot = demo();
        let events = events(&snapshot);
        let find =
            |uid: &str| events.iter().find(|e| e["finding_info"]["uid"] == uid).unwrap_or_else(|| panic!("{uid}"));
        let root = find("sgaudit/123456789012/global/iam-root-mfa/arn:aws:iam::123456789012:root");
        assert_eq!((root["compliance"]["status"].as_str(), root["status"].as_str()), (Some("Pass"), Some("Resolved")));
        assert_eq!(root["resources"][0]["type"], "AWS::::Account");
        assert!(root["resources"][0].get("region").is_none());
        assert_eq!(root["cloud"]["region"], "eu-west-1", "filed in the account's home region");
        assert_eq!(root["compliance"]["control"], "iam-root-mfa");
        assert_eq!(
            root["remediation"]["references"][0],
            "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-9"
        );

        let user = find("sgaudit/123456789012/global/iam-user-mfa/arn:aws:iam::123456789012:user/=2+5");
        assert_eq!(user["resources"][0]["type"], "AWS::IAM::User");
        assert_eq!(user["resources"][0]["owner"]["account"]["uid"], "123456789012");
        assert_eq!((user["severity_id"].as_u64(), user["compliance"]["status_id"].as_u64()), (Some(3), Some(3)));
        assert_eq!(user["message"], "Failed: =2+5 has no MFA");

        let trail = find("sgaudit/123456789012/eu-west-1/cloudtrail-region-logged/AWS::::Account:123456789012");
        assert_eq!(trail["compliance"]["status"], "Unknown");
        let details = trail["compliance"]["status_details"][0].as_str().unwrap();
        assert!(details.contains("cloudtrail:DescribeTrails"), "{details}");
        assert!(trail["remediation"]["desc"].as_str().unwrap().contains("cloudtrail-trails"));
        assert_eq!(trail["resources"][0]["region"], "eu-west-1");

        let bucket = find("sgaudit/123456789012/us-east-1/s3-policy-public/arn:aws:s3:::demo-public-site");
        assert_eq!(bucket["resources"][0]["type"], "AWS::S3::Bucket");
        assert_eq!(bucket["severity"], "Critical");
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

    #[test]
    fn a_muted_finding_is_suppressed_and_says_why() {
        use crate::test_support::remember;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, "accepted risk", "netops");
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let events: Vec<Value> = serde_json::from_slice(&out).unwrap();
        let suppressed: Vec<&Value> = events.iter().filter(|e| e["status_id"] == 3).collect();
        assert_eq!(suppressed.len(), 2);
        for e in &suppressed {
            assert_eq!(e["status"], "Suppressed");
            assert!(e["status_detail"].as_str().unwrap().starts_with("accepted risk (owner: netops;"), "{e}");
            assert_eq!(e["compliance"]["status"], "Fail", "the check's finding is unchanged");
        }
        assert!(events.iter().filter(|e| e["status_id"] != 3).all(|e| e.get("status_detail").is_none()));
    }

    #[test]
    fn fixes_are_the_remediation_and_reachability_is_unmapped_data() {
        use crate::test_support::advise;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let events: Vec<Value> = serde_json::from_slice(&out).unwrap();
        let fix = crate::fixes::tests::hostile_fix();
        let bastion: Vec<&Value> = events
            .iter()
            .filter(|e| e["finding_info"]["uid"].as_str().unwrap().contains("/sg-0a300000000ba5710/"))
            .collect();
        assert!(!bastion.is_empty());
        for e in &bastion {
            assert_eq!(e["remediation"]["desc"], crate::fixes::text(&fix), "exact: JSON encodes it");
            assert_eq!(e["unmapped"]["fix"]["cli"], serde_json::json!(fix.cli));
            let reach = &e["unmapped"]["reachability"];
            assert_eq!(reach["state"], "reachable");
            assert_eq!(reach["paths"][1]["via"], "load_balancer");
            assert_eq!(reach["paths"][0]["ports"], serde_json::json!({"from": 22, "to": 22}));
            assert_eq!(reach["missing"], serde_json::json!(["ec2-network-acls"]));
        }
        let user = events
            .iter()
            .find(|e| {
                e["finding_info"]["uid"]
                    == "sgaudit/123456789012/global/iam-user-mfa/arn:aws:iam::123456789012:user/=2+5"
            })
            .unwrap();
        assert_eq!(user["unmapped"]["fix"]["summary"], fix.summary.as_str());
        assert!(user["unmapped"].get("reachability").is_none());
        // A result with neither: no unmapped data at all.
        assert!(events.iter().any(|e| e.get("unmapped").is_none()));
        // Every group event says whether the internet reaches its group.
        for e in events.iter().filter(|e| e["resources"][0]["data"]["group_id"].is_string()) {
            assert!(e["unmapped"]["reachability"]["state"].is_string(), "{e}");
        }
    }
}

//! ASFF, the AWS Security Finding Format that Security Hub imports, as a JSON array: one finding per (group,
//! finding) of the group checks, then one per result of the account and regional checks — passes included,
//! so that Security Hub shows a control as passed once it is fixed. [`findings`] gives the same findings as
//! plain serde structs, for the code that pushes them with `BatchImportFindings`; nothing here knows the AWS
//! SDK.
//!
//! A finding's `Id` is built from where it is and what it is, never from the run, so a later scan updates
//! the finding it found before instead of adding a twin: `sgaudit/<account>/<region>/<group>/<check>` for a
//! group's finding, `sgaudit/<account>/<region or global>/<check>/<resource>` for a check's result.
//! The field names and limits are Security Hub's (`AwsSecurityFinding` in its API reference); a test checks
//! the whole array against the `BatchImportFindings` input shape of botocore's service model.
//!
//! A finding or result muted by an exception (`sgaudit.toml`) is still written, with `Workflow.Status`
//! `SUPPRESSED` (Security Hub's word for a finding that is reviewed and needs no action) and a `Note`: the
//! reason and owner as `Text` (at most [`NOTE_MAX`] characters), the owner as `UpdatedBy`, the finding's
//! time as `UpdatedAt`. The others keep the workflow they had. Security Hub takes `Workflow` and `Note` from
//! `BatchImportFindings` only when it creates a finding; for one it already holds, they are the customer's
//! to change, with `BatchUpdateFindings`.
//!
//! A finding or result with a fix ([`sgaudit_audit::Fix`]) has it as `Remediation.Recommendation.Text`: the
//! summary and the AWS CLI commands, one a line. Security Hub takes at most [`REMEDIATION_TEXT_MAX`]
//! characters there (botocore's model documents the limit; its shape does not enforce it), so a longer one
//! is cut on a character boundary and ends saying where the whole fix is ([`FIX_CUT`]). A group's finding
//! says whether the internet reaches the group in `ProductFields` (`sgaudit/Reachability`, and
//! `sgaudit/ReachPaths` and `sgaudit/ReachWhy` where there is something to say), each value at most
//! [`PRODUCT_FIELD_MAX`] characters.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use serde::{Deserialize, Serialize};
use sgaudit_audit::checks::CheckResult;
use sgaudit_audit::reach::GroupReach;
use sgaudit_audit::{Audit, Finding, Fix, GroupVerdict, Muted, Outcome, Severity, Status};
use sgaudit_snapshot::{Rule, Snapshot};

pub const SCHEMA_VERSION: &str = "2018-10-08";
/// Security Hub's limits, in characters.
pub const TITLE_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 1024;
pub const REMEDIATION_TEXT_MAX: usize = 512;
/// A note's `Text` and `UpdatedBy`.
pub const NOTE_MAX: usize = 512;
/// A value of `ProductFields` (its keys: 128; at most 50 pairs).
pub const PRODUCT_FIELD_MAX: usize = 2048;
/// Ends a fix cut to fit `Remediation.Recommendation.Text`.
pub const FIX_CUT: &str = " … [cut at Security Hub's limit: sgaudit's JSON, HTML and Excel reports have the whole fix]";
/// Ends a list of paths cut to fit a product field.
const PATHS_CUT: &str = " … [cut: sgaudit's JSON report has every path]";
/// A finding's `Id` (and `GeneratorId`).
pub const ID_MAX: usize = 512;
/// The resource of a group's finding.
pub const RESOURCE_TYPE: &str = "AwsEc2SecurityGroup";
/// The region an account's account-wide results (IAM, the S3 account settings) are filed in when the
/// snapshot names none for the account: neither the region its account-wide evidence was read from, nor any
/// region scanned (an account that could not be read at all).
pub const FALLBACK_REGION: &str = "us-east-1";
pub const TYPE_BEST_PRACTICES: &str = "Software and Configuration Checks/AWS Security Best Practices";
const TYPE_STANDARDS: &str = "Software and Configuration Checks/Industry and Regulatory Standards";
/// The time given to findings of a snapshot that does not say when it was collected (hand-written
/// fixtures): ASFF requires a time, and inventing "now" would make the output depend on the clock.
pub const UNKNOWN_TIME: &str = "1970-01-01T00:00:00.000Z";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffFinding {
    pub schema_version: String,
    /// `sgaudit/<account>/<region>/<group-id>/<check-id>` for a group's finding,
    /// `sgaudit/<account>/<region or global>/<check-id>/<resource>` for a check's result: the same finding
    /// has the same id in every run.
    pub id: String,
    /// `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`: Security Hub's product of
    /// an account's own findings. Import each finding in the Region of its product ARN.
    pub product_arn: String,
    pub product_name: String,
    /// `sgaudit/<check-id>`.
    pub generator_id: String,
    pub aws_account_id: String,
    pub types: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub severity: AsffSeverity,
    pub title: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub product_fields: BTreeMap<String, String>,
    pub resources: Vec<Resource>,
    pub compliance: Compliance,
    pub record_state: RecordState,
    pub workflow: Workflow,
    /// For a muted finding: the exception's reason and owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

/// A note on a finding (ASFF `Note`): the three fields are required, none may be blank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Note {
    pub text: String,
    pub updated_by: String,
    pub updated_at: String,
}

impl AsffFinding {
    /// The Region whose Security Hub takes this finding (that of its product ARN and its resource).
    pub fn region(&self) -> &str {
        self.resources.first().and_then(|r| r.region.as_deref()).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSeverity {
    pub label: SeverityLabel,
    /// sgaudit's own word for it (`critical`, ..., `informational`).
    pub original: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeverityLabel {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl From<Severity> for SeverityLabel {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Informational => Self::Informational,
            Severity::Low => Self::Low,
            Severity::Medium => Self::Medium,
            Severity::High => Self::High,
            Severity::Critical => Self::Critical,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Remediation {
    pub recommendation: Recommendation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Recommendation {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// [`RESOURCE_TYPE`] for a group's finding; the result's resource type (`AwsIamUser`, `AwsS3Bucket`,
    /// `AwsAccount`, ...) for a check's result.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The group's ARN; the ARN, or id, of a result's resource.
    pub id: String,
    pub partition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The group's tags, less those Security Hub would refuse (an empty or blank key or value).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The group's details; none for a check's result (the snapshot holds evidence, not the resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<ResourceDetails>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceDetails {
    pub aws_ec2_security_group: SecurityGroupDetails,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupDetails {
    pub group_name: String,
    pub group_id: String,
    pub owner_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_permissions: Vec<IpPermission>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_permissions_egress: Vec<IpPermission>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    pub ip_protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<IpRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_ranges: Vec<Ipv6Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_list_ids: Vec<PrefixListId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_id_group_pairs: Vec<UserIdGroupPair>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    pub cidr_ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    pub cidr_ipv6: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListId {
    pub prefix_list_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserIdGroupPair {
    pub group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Compliance {
    pub status: ComplianceStatus,
    /// The check's controls (`AWS FSBP EC2.21`, `AWS Security Hub IAM.9`, `CIS AWS v5.0.0 1.3`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_requirements: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    Passed,
    Warning,
    Failed,
    /// The check could not be made: a group whose status is unknown, a result not evaluated (some evidence
    /// could not be read).
    NotAvailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordState {
    Active,
    Archived,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Workflow {
    pub status: WorkflowStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStatus {
    New,
    Notified,
    Resolved,
    Suppressed,
}

/// The AWS partition of a Region (the audit's rule, re-exported for the formats that build ARNs).
pub use sgaudit_audit::partition;

/// `arn:<partition>:ec2:<region>:<account>:security-group/<group-id>`.
pub fn group_arn(account_id: &str, region: &str, group_id: &str) -> String {
    format!("arn:{}:ec2:{region}:{account_id}:security-group/{group_id}", partition(region))
}

/// `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`.
pub fn product_arn(account_id: &str, region: &str) -> String {
    format!("arn:{}:securityhub:{region}:{account_id}:product/{account_id}/default", partition(region))
}

/// `sgaudit/<account>/<region>/<group-id>/<check-id>`, shared with the OCSF report.
pub fn finding_id(group: &GroupVerdict, check_id: &str) -> String {
    format!("sgaudit/{}/{}/{}/{check_id}", group.account_id, group.region, group.group.group_id)
}

/// Cuts `text` to at most `max` characters at a character boundary, ending with `…` when it cut. AWS counts
/// a string's length in UTF-16 units (its services are Java), which is never fewer than characters, so the
/// cut counts those: the result fits either way of counting.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    truncate_noting(text, max, "…")
}

/// [`truncate`], ending a cut text with `note` (which says where the rest is) rather than an ellipsis; the
/// note is counted in `max`.
pub fn truncate_noting<'a>(text: &'a str, max: usize, note: &str) -> Cow<'a, str> {
    if text.encode_utf16().count() <= max {
        return Cow::Borrowed(text);
    }
    let room = max.saturating_sub(note.encode_utf16().count());
    let mut units = 0;
    let end = text
        .char_indices()
        .find_map(|(i, c)| {
            units += c.len_utf16();
            (units > room).then_some(i)
        })
        .unwrap_or(text.len());
    Cow::Owned(format!("{}{note}", &text[..end]))
}

/// `Remediation.Recommendation.Text` of a fix: the summary, then the AWS CLI commands one a line (made
/// printable as every report makes them, see `crate::fixes`), then where the Terraform snippet is; cut to
/// [`REMEDIATION_TEXT_MAX`] with [`FIX_CUT`].
pub fn fix_recommendation(fix: &Fix) -> String {
    // The summary too: a line break in it must not make a line that reads as a command.
    let mut text = crate::text::printable(&fix.summary).into_owned();
    if !fix.cli.is_empty() {
        text.push_str("\nAWS CLI:\n");
        text.push_str(&crate::fixes::cli_text(fix));
    }
    if fix.terraform.is_some() {
        text.push_str("\nTerraform: in sgaudit's JSON, HTML and Excel reports.");
    }
    truncate_noting(&text, REMEDIATION_TEXT_MAX, FIX_CUT).into_owned()
}

/// The product fields that say whether the internet reaches a group: its state, and the paths or why none,
/// each cut to [`PRODUCT_FIELD_MAX`]; blank ones left out (Security Hub refuses them).
pub fn reach_fields(reach: &GroupReach) -> Vec<(&'static str, String)> {
    let mut fields = vec![("sgaudit/Reachability", reach.state.id().to_string())];
    let paths = crate::reachability::paths(reach).join(" | ");
    let why = crate::reachability::why(reach).join(" | ");
    for (key, value) in [("sgaudit/ReachPaths", paths), ("sgaudit/ReachWhy", why)] {
        if value.chars().any(|c| !c.is_whitespace()) {
            fields.push((key, truncate_noting(&value, PRODUCT_FIELD_MAX, PATHS_CUT).into_owned()));
        }
    }
    fields
}

/// `<check title>: <group-id> (<group-name>)`, shared with the OCSF report.
pub fn title(g: &GroupVerdict, f: &Finding) -> String {
    format!("{}: {} ({})", f.check.title, g.group.group_id, g.group.group_name)
}

/// Whether a finding says that its group could not be judged: no failed control, but a check that could not
/// be made (Security Hub's `NOT_AVAILABLE`, OCSF's `Unknown`). Exposure findings of such a group are known
/// failures all the same.
pub fn not_judged(g: &GroupVerdict, f: &Finding) -> bool {
    g.status == Status::Unknown && f.check.controls.is_empty()
}

/// The standards a check's controls belong to, named as Security Hub's finding types name them.
pub fn standards(controls: &[&str]) -> Vec<&'static str> {
    let mut standards = Vec::new();
    if controls.iter().any(|c| c.starts_with("AWS FSBP")) {
        standards.push("AWS Foundational Security Best Practices");
    }
    if controls.iter().any(|c| c.starts_with("CIS AWS")) {
        standards.push("CIS AWS Foundations Benchmark");
    }
    standards
}

/// ASFF finding types: a best-practice check, and one type per standard its controls belong to.
pub fn types(controls: &[&str]) -> Vec<String> {
    std::iter::once(TYPE_BEST_PRACTICES.to_string())
        .chain(standards(controls).into_iter().map(|s| format!("{TYPE_STANDARDS}/{s}")))
        .collect()
}

/// The AWS documentation of the first Security Hub control of a check, in AWS Foundational Security Best
/// Practices or not: `AWS FSBP EC2.21` → `…/ec2-controls.html#ec2-21`, `AWS Security Hub IAM.9` →
/// `…/iam-controls.html#iam-9`, `AWS FSBP CloudTrail.1` → `…/cloudtrail-controls.html#cloudtrail-1`. CIS
/// controls have no such page.
pub fn control_url(controls: &[&str]) -> Option<String> {
    controls.iter().find_map(|c| {
        let control = c.strip_prefix("AWS FSBP ").or_else(|| c.strip_prefix("AWS Security Hub "))?;
        let (service, number) = control.split_once('.')?;
        let valid = |s: &str, ok: fn(char) -> bool| !s.is_empty() && s.chars().all(ok);
        if !valid(service, |c| c.is_ascii_alphanumeric()) || !valid(number, |c| c.is_ascii_digit()) {
            return None;
        }
        let service = service.to_ascii_lowercase();
        Some(format!(
            "https://docs.aws.amazon.com/securityhub/latest/userguide/{service}-controls.html#{service}-{number}"
        ))
    })
}

/// Where each account's account-wide results are filed (Security Hub findings are regional): the region
/// its account-wide evidence was read from, else the first region of it that was scanned, else
/// [`FALLBACK_REGION`]. Built once per report; shared with the OCSF report.
pub struct HomeRegions<'a>(HashMap<&'a str, &'a str>);

impl<'a> HomeRegions<'a> {
    pub fn of(snapshot: &'a Snapshot) -> Self {
        let mut home: HashMap<&str, &str> = HashMap::new();
        for e in &snapshot.account_evidence {
            home.insert(&e.account_id, &e.region);
        }
        for r in &snapshot.regions {
            home.entry(&r.account_id).or_insert(&r.region);
        }
        HomeRegions(home)
    }

    pub fn get(&self, account_id: &str) -> &'a str {
        self.0.get(account_id).copied().unwrap_or(FALLBACK_REGION)
    }

    /// The region a result is filed in: its own, or its account's home region for an account-wide one.
    pub fn of_result<'r>(&self, r: &'r CheckResult) -> &'r str
    where
        'a: 'r,
    {
        r.location.region.as_deref().unwrap_or_else(|| self.get(&r.location.account_id))
    }
}

/// `sgaudit/<account>/<region or global>/<check-id>/<resource>`, shared with the OCSF report. Built from the
/// result's own region (`global` for an account-wide result), not the region it is filed in, so that it
/// stays the same if the home region changes. An id longer than [`ID_MAX`] is cut, and ends with a hash of
/// the whole id so that two long resources with a common beginning keep apart.
pub fn result_finding_id(r: &CheckResult) -> String {
    let l = &r.location;
    let id =
        format!("sgaudit/{}/{}/{}/{}", l.account_id, l.region.as_deref().unwrap_or("global"), r.check.id, l.resource);
    if id.encode_utf16().count() <= ID_MAX {
        return id;
    }
    use sha2::Digest as _;
    let hash: String = sha2::Sha256::digest(id.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}{hash}", truncate(&id, ID_MAX - hash.len()))
}

/// `<check title>: <resource>`, shared with the OCSF report.
pub fn result_title(r: &CheckResult) -> String {
    format!("{}: {}", r.check.title, r.location.resource)
}

/// What a result says, with its outcome first: a passed finding must not read like a failure, and the
/// titles of the checks name the failure (`Root user has no MFA`).
pub fn result_description(r: &CheckResult) -> String {
    let outcome = match r.outcome {
        Outcome::Pass => "Passed",
        Outcome::Fail => "Failed",
        Outcome::NotEvaluated => "Not evaluated (its evidence could not be read)",
    };
    format!("{outcome}: {}", r.evidence)
}

/// What to do about a result: the check's remediation, or, where it could not be evaluated, how to let
/// sgaudit read what it needs.
pub fn result_remediation(r: &CheckResult) -> Cow<'static, str> {
    match r.outcome {
        Outcome::Pass | Outcome::Fail => Cow::Borrowed(r.check.remediation),
        Outcome::NotEvaluated => Cow::Owned(format!(
            "Let sgaudit read {} (see `sgaudit permissions`) and scan again; until then this check is not \
             evaluated here.",
            r.check.reads.join(", ")
        )),
    }
}

/// Every finding of the audit, in the audit's order (the groups' findings, then the checks' results), as
/// Security Hub takes them from each finding's own account (its product ARN names that account).
pub fn findings(snapshot: &Snapshot, audit: &Audit) -> Vec<AsffFinding> {
    build(snapshot, audit, None)
}

/// The same findings, for an account that imports them for others (a Security Hub administrator account,
/// the only kind that may import findings about its member accounts): the product ARN names the importing
/// account, `AwsAccountId` still the finding's.
pub fn findings_imported_by(snapshot: &Snapshot, audit: &Audit, importer_account_id: &str) -> Vec<AsffFinding> {
    build(snapshot, audit, Some(importer_account_id))
}

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &findings(snapshot, audit))?;
    writeln!(out)
}

fn build(snapshot: &Snapshot, audit: &Audit, importer: Option<&str>) -> Vec<AsffFinding> {
    let time = snapshot
        .collected_at
        .as_deref()
        .and_then(crate::time::parse_rfc3339_ms)
        .map_or_else(|| UNKNOWN_TIME.to_string(), crate::time::format_rfc3339_ms);
    let home = HomeRegions::of(snapshot);
    let groups = audit.groups.iter().flat_map(|g| {
        let resource = resource(g);
        let time = &time;
        g.findings.iter().map(move |f| finding(g, f, resource.clone(), time, importer))
    });
    let results =
        audit.results.iter().map(|r| result_finding(r, audit.fix_of(r).as_deref(), home.of_result(r), &time, importer));
    groups.chain(results).collect()
}

/// The workflow and note of a finding: `SUPPRESSED` with the exception's note when muted, else `unmuted`.
fn workflow(muted: Option<&Muted>, unmuted: WorkflowStatus, time: &str) -> (Workflow, Option<Note>) {
    let Some(m) = muted else { return (Workflow { status: unmuted }, None) };
    // Security Hub refuses a blank `UpdatedBy`; the config file requires an owner, but says nothing of spaces.
    let owner = if m.owner.trim().is_empty() { "sgaudit" } else { m.owner.as_str() };
    let note = Note {
        text: truncate(&crate::memory::muted_text(m), NOTE_MAX).into_owned(),
        updated_by: truncate(owner, NOTE_MAX).into_owned(),
        updated_at: time.to_string(),
    };
    (Workflow { status: WorkflowStatus::Suppressed }, Some(note))
}

fn result_finding(r: &CheckResult, fix: Option<&Fix>, region: &str, time: &str, importer: Option<&str>) -> AsffFinding {
    let account = r.location.account_id.as_str();
    let (status, workflow_status) = match r.outcome {
        // Security Hub's own control findings resolve themselves when they pass.
        Outcome::Pass => (ComplianceStatus::Passed, WorkflowStatus::Resolved),
        Outcome::Fail => (ComplianceStatus::Failed, WorkflowStatus::New),
        Outcome::NotEvaluated => (ComplianceStatus::NotAvailable, WorkflowStatus::New),
    };
    let mut product_fields = BTreeMap::new();
    product_fields.insert("sgaudit/CheckId".to_string(), r.check.id.to_string());
    product_fields.insert("sgaudit/Family".to_string(), r.check.family.id().to_string());
    product_fields.insert("sgaudit/Outcome".to_string(), r.outcome.id().to_string());
    product_fields.insert("sgaudit/Version".to_string(), env!("CARGO_PKG_VERSION").to_string());
    let (workflow, note) = workflow(r.muted.as_deref(), workflow_status, time);
    let resource = &r.location.resource;
    // An ARN says its own partition (`arn:aws-cn:...`); an id is in its region's.
    let resource_partition = match resource.strip_prefix("arn:").and_then(|rest| rest.split(':').next()) {
        Some(p @ ("aws" | "aws-cn" | "aws-us-gov")) => p,
        _ => partition(region),
    };
    AsffFinding {
        schema_version: SCHEMA_VERSION.to_string(),
        id: result_finding_id(r),
        product_arn: product_arn(importer.unwrap_or(account), region),
        product_name: "sgaudit".to_string(),
        generator_id: format!("sgaudit/{}", r.check.id),
        aws_account_id: account.to_string(),
        types: types(r.check.controls),
        created_at: time.to_string(),
        updated_at: time.to_string(),
        severity: AsffSeverity { label: r.severity.into(), original: r.severity.id().to_string() },
        title: truncate(&result_title(r), TITLE_MAX).into_owned(),
        description: truncate(&result_description(r), DESCRIPTION_MAX).into_owned(),
        remediation: Some(Remediation {
            recommendation: Recommendation {
                text: match fix {
                    Some(fix) => fix_recommendation(fix),
                    None => truncate(&result_remediation(r), REMEDIATION_TEXT_MAX).into_owned(),
                },
                url: control_url(r.check.controls),
            },
        }),
        product_fields,
        resources: vec![Resource {
            kind: r.location.resource_type.to_string(),
            id: resource.clone(),
            partition: resource_partition.to_string(),
            region: Some(region.to_string()),
            tags: Default::default(),
            details: None,
        }],
        compliance: Compliance {
            status,
            related_requirements: r.check.controls.iter().map(|c| c.to_string()).collect(),
        },
        record_state: RecordState::Active,
        workflow,
        note,
    }
}

fn finding(g: &GroupVerdict, f: &Finding, resource: Resource, time: &str, importer: Option<&str>) -> AsffFinding {
    let title = title(g, f);
    let description = format!("{}. Verdict on the group: {}; risk: {}.", f.message, g.status.id(), g.risk.id());
    let mut product_fields = BTreeMap::new();
    product_fields.insert("sgaudit/CheckId".to_string(), f.check.id.to_string());
    product_fields.insert("sgaudit/Status".to_string(), g.status.id().to_string());
    product_fields.insert("sgaudit/Risk".to_string(), g.risk.id().to_string());
    product_fields.insert("sgaudit/Version".to_string(), env!("CARGO_PKG_VERSION").to_string());
    product_fields.extend(reach_fields(&g.reach).into_iter().map(|(k, v)| (k.to_string(), v)));
    let (workflow, note) = workflow(f.muted.as_deref(), WorkflowStatus::New, time);
    AsffFinding {
        schema_version: SCHEMA_VERSION.to_string(),
        id: finding_id(g, f.check.id),
        product_arn: product_arn(importer.unwrap_or(g.account_id), g.region),
        product_name: "sgaudit".to_string(),
        generator_id: format!("sgaudit/{}", f.check.id),
        aws_account_id: g.account_id.to_string(),
        types: types(f.check.controls),
        created_at: time.to_string(),
        updated_at: time.to_string(),
        severity: AsffSeverity { label: f.severity.into(), original: f.severity.id().to_string() },
        title: truncate(&title, TITLE_MAX).into_owned(),
        description: truncate(&description, DESCRIPTION_MAX).into_owned(),
        remediation: Some(Remediation {
            recommendation: Recommendation {
                text: match f.fix(g) {
                    Some(fix) => fix_recommendation(&fix),
                    None => truncate(f.check.remediation, REMEDIATION_TEXT_MAX).into_owned(),
                },
                url: control_url(f.check.controls),
            },
        }),
        product_fields,
        resources: vec![resource],
        compliance: Compliance {
            status: if not_judged(g, f) { ComplianceStatus::NotAvailable } else { ComplianceStatus::Failed },
            related_requirements: f.check.controls.iter().map(|c| c.to_string()).collect(),
        },
        record_state: RecordState::Active,
        workflow,
        note,
    }
}

fn resource(g: &GroupVerdict) -> Resource {
    let group = g.group;
    // Security Hub refuses an empty or blank tag key or value (its `NonEmptyString`); such a tag is dropped
    // here rather than losing the whole finding to the import.
    let non_blank = |s: &str| s.chars().any(|c| !c.is_whitespace());
    Resource {
        kind: RESOURCE_TYPE.to_string(),
        id: group_arn(g.account_id, g.region, &group.group_id),
        partition: partition(g.region).to_string(),
        region: Some(g.region.to_string()),
        tags: group
            .tags
            .iter()
            .filter(|(k, v)| non_blank(k) && non_blank(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        details: Some(ResourceDetails {
            aws_ec2_security_group: SecurityGroupDetails {
                group_name: group.group_name.clone(),
                group_id: group.group_id.clone(),
                owner_id: group.owner_id.clone(),
                vpc_id: group.vpc_id.clone().filter(|v| non_blank(v)),
                ip_permissions: group.ingress.iter().map(permission).collect(),
                ip_permissions_egress: group.egress.iter().map(permission).collect(),
            },
        }),
    }
}

fn permission(rule: &Rule) -> IpPermission {
    IpPermission {
        ip_protocol: rule.protocol.clone(),
        from_port: rule.from_port,
        to_port: rule.to_port,
        ip_ranges: rule.ipv4_ranges.iter().map(|p| IpRange { cidr_ip: p.id.clone() }).collect(),
        ipv6_ranges: rule.ipv6_ranges.iter().map(|p| Ipv6Range { cidr_ipv6: p.id.clone() }).collect(),
        prefix_list_ids: rule.prefix_lists.iter().map(|p| PrefixListId { prefix_list_id: p.id.clone() }).collect(),
        user_id_group_pairs: rule
            .groups
            .iter()
            .map(|p| UserIdGroupPair {
                group_id: p.group_id.clone(),
                user_id: p.user_id.clone(),
                vpc_id: p.vpc_id.clone(),
                vpc_peering_connection_id: p.vpc_peering_connection_id.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{demo, group_named};
    use serde_json::Value;
    use sgaudit_audit::checks;
    use std::collections::BTreeSet;

    const ACCOUNT: &str = "123456789012";

    fn written(snapshot: &Snapshot) -> Vec<Value> {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, snapshot, &audit).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn one_finding_per_group_and_finding_with_stable_ids() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let all = findings(&snapshot, &audit);
        let expected: Vec<String> = audit
            .groups
            .iter()
            .flat_map(|g| {
                g.findings
                    .iter()
                    .map(move |f| format!("sgaudit/{}/{}/{}/{}", g.account_id, g.region, g.group.group_id, f.check.id))
            })
            .collect();
        assert!(expected.len() > 10, "the demo has findings: {expected:?}");
        // The groups' findings first, then one per result of the account checks.
        assert_eq!(all.len(), expected.len() + audit.results.len());
        assert_eq!(all[..expected.len()].iter().map(|f| f.id.clone()).collect::<Vec<_>>(), expected);
        let unique: BTreeSet<&str> = all.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(unique.len(), all.len(), "ids are unique");
        for id in [
            "sgaudit/123456789012/eu-west-1/sg-0b2000000000e5522/sg-world-open-ssh",
            "sgaudit/123456789012/us-east-1/sg-0aa00000000ad3389/sg-world-open-rdp",
            "sgaudit/123456789012/us-east-1/sg-0a7000000000def01/sg-default-in-use",
            "sgaudit/123456789012/us-east-1/sg-0a500000000cab1ea/sg-unused",
            "sgaudit/123456789012/eu-west-1/sg-0b300000000e90475/sg-status-unknown",
            "sgaudit/123456789012/global/iam-root-mfa/arn:aws:iam::123456789012:root",
            "sgaudit/123456789012/global/iam-user-mfa/arn:aws:iam::123456789012:user/=2+5",
            "sgaudit/123456789012/eu-west-1/cloudtrail-region-logged/AWS::::Account:123456789012",
            "sgaudit/123456789012/us-east-1/s3-policy-public/arn:aws:s3:::demo-public-site",
        ] {
            assert!(unique.contains(id), "{id} is missing from {unique:?}");
        }

        // A second run over a second load gives the same findings, byte for byte; a later collection
        // changes the times, never the ids.
        let again = demo();
        assert_eq!(findings(&again, &sgaudit_audit::audit(&again)), all);
        let mut later = demo();
        later.collected_at = Some("2027-01-01T00:00:00Z".to_string());
        let later_findings = findings(&later, &sgaudit_audit::audit(&later));
        assert_eq!(
            later_findings.iter().map(|f| &f.id).collect::<Vec<_>>(),
            all.iter().map(|f| &f.id).collect::<Vec<_>>()
        );
        assert_eq!(later_findings[0].updated_at, "2027-01-01T00:00:00.000Z");
    }

    #[test]
    fn severities_arns_and_compliance_of_known_findings() {
        let snapshot = demo();
        let all = findings(&snapshot, &sgaudit_audit::audit(&snapshot));
        let by_id = |id: &str| all.iter().find(|f| f.id.ends_with(id)).unwrap_or_else(|| panic!("{id}"));

        let ssh = by_id("/eu-west-1/sg-0b2000000000e5522/sg-world-open-ssh");
        assert_eq!(ssh.severity.label, SeverityLabel::Critical);
        assert_eq!(ssh.severity.original, "critical");
        assert_eq!(ssh.product_arn, "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default");
        assert_eq!(ssh.generator_id, "sgaudit/sg-world-open-ssh");
        assert_eq!(ssh.aws_account_id, ACCOUNT);
        assert_eq!(ssh.region(), "eu-west-1");
        let r = &ssh.resources[0];
        assert_eq!(r.kind, "AwsEc2SecurityGroup");
        assert_eq!(r.id, "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0b2000000000e5522");
        assert_eq!(r.partition, "aws");
        let details = &r.details.as_ref().unwrap().aws_ec2_security_group;
        assert_eq!((details.group_id.as_str(), details.group_name.as_str()), ("sg-0b2000000000e5522", "eu-ssh-open"));
        assert_eq!(details.owner_id, ACCOUNT);
        assert!(details
            .ip_permissions
            .iter()
            .any(|p| p.from_port == Some(22) && p.ip_ranges.iter().any(|r| r.cidr_ip == "0.0.0.0/0")));
        assert_eq!(ssh.compliance.status, ComplianceStatus::Failed);
        // A Security Hub control outside FSBP: no standard's finding type.
        assert_eq!(ssh.compliance.related_requirements, ["AWS Security Hub EC2.13"]);
        assert_eq!(ssh.types, [TYPE_BEST_PRACTICES]);
        let remediation = ssh.remediation.as_ref().unwrap();
        assert_eq!(
            remediation.recommendation.url.as_deref(),
            Some("https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13")
        );
        assert_eq!((ssh.record_state, ssh.workflow.status), (RecordState::Active, WorkflowStatus::New));
        assert_eq!(ssh.created_at, "2026-11-23T04:00:00.000Z");
        assert_eq!(ssh.updated_at, ssh.created_at);

        let unused = by_id("/us-east-1/sg-0a500000000cab1ea/sg-unused");
        assert_eq!(unused.severity.label, SeverityLabel::Low);
        assert_eq!(unused.types, [TYPE_BEST_PRACTICES]);
        assert_eq!(unused.product_fields["sgaudit/Status"], "unused");
        assert_eq!(
            unused.remediation.as_ref().and_then(|r| r.recommendation.url.as_deref()),
            Some("https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-22")
        );

        let default_sg = by_id("/us-east-1/sg-0a7000000000def01/sg-default-allows-traffic");
        assert_eq!(
            default_sg.types,
            [
                TYPE_BEST_PRACTICES,
                "Software and Configuration Checks/Industry and Regulatory Standards/AWS Foundational Security Best Practices",
                "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark",
            ]
        );

        let in_use = by_id("/us-east-1/sg-0a7000000000def01/sg-default-in-use");
        assert_eq!(in_use.severity.label, SeverityLabel::High);

        // Not judged is not failed: the check could not be made.
        let unknown = by_id("/eu-west-1/sg-0b300000000e90475/sg-status-unknown");
        assert_eq!(unknown.severity.label, SeverityLabel::Informational);
        assert_eq!(unknown.compliance.status, ComplianceStatus::NotAvailable);
        assert!(unknown.compliance.related_requirements.is_empty());
        assert_eq!(unknown.types, [TYPE_BEST_PRACTICES]);
    }

    #[test]
    fn required_fields_are_present_and_within_limits() {
        let mut snapshot = demo();
        // Long enough that the title and description must be cut.
        let g = group_named(&mut snapshot, "sg-0b2000000000e5522");
        g.group_name = "ä".repeat(255);
        for f in written(&snapshot) {
            for field in [
                "SchemaVersion",
                "Id",
                "ProductArn",
                "GeneratorId",
                "AwsAccountId",
                "CreatedAt",
                "UpdatedAt",
                "Title",
                "Description",
            ] {
                assert!(f[field].as_str().is_some_and(|s| !s.trim().is_empty()), "{field} of {f}");
            }
            assert_eq!(f["SchemaVersion"], "2018-10-08");
            assert!(f["Types"].as_array().is_some_and(|t| !t.is_empty()));
            assert!(f["Severity"]["Label"].is_string());
            let resource = &f["Resources"][0];
            for field in ["Type", "Id", "Partition", "Region"] {
                assert!(resource[field].is_string(), "{field} of {resource}");
            }
            let units = |field: &Value| field.as_str().unwrap().encode_utf16().count();
            assert!(units(&f["Title"]) <= TITLE_MAX);
            assert!(units(&f["Description"]) <= DESCRIPTION_MAX);
            assert!(units(&f["Remediation"]["Recommendation"]["Text"]) <= REMEDIATION_TEXT_MAX);
            assert!(units(&f["Id"]) <= ID_MAX);
            let check = f["GeneratorId"].as_str().unwrap().strip_prefix("sgaudit/").unwrap();
            assert_eq!(f["ProductFields"]["sgaudit/CheckId"], check);
            let id = f["Id"].as_str().unwrap();
            if f["ProductFields"].get("sgaudit/Outcome").is_some() {
                // A check's result: `.../<check>/<resource>`, no group details.
                assert!(id.contains(&format!("/{check}/{}", resource["Id"].as_str().unwrap())), "{id}");
                assert!(resource.get("Details").is_none(), "{resource}");
            } else {
                assert_eq!(id.rsplit('/').next(), Some(check));
                for field in ["GroupName", "GroupId", "OwnerId"] {
                    assert!(resource["Details"]["AwsEc2SecurityGroup"][field].is_string(), "{field} of {resource}");
                }
            }
        }
        let cut = written(&snapshot)
            .into_iter()
            .find(|f| f["Id"].as_str().unwrap().contains("sg-0b2000000000e5522"))
            .unwrap();
        let title = cut["Title"].as_str().unwrap();
        assert!(title.ends_with('…') && title.encode_utf16().count() == TITLE_MAX, "{title}");
        assert_eq!(cut["Resources"][0]["Details"]["AwsEc2SecurityGroup"]["GroupName"], "ä".repeat(255));
    }

    #[test]
    fn every_result_is_a_finding_with_its_compliance_status() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let all = findings(&snapshot, &audit);
        let by_id: HashMap<&str, &AsffFinding> = all.iter().map(|f| (f.id.as_str(), f)).collect();
        assert_eq!(by_id.len(), all.len(), "ids are unique");
        let mut seen = BTreeMap::new();
        for r in &audit.results {
            let f = by_id[result_finding_id(r).as_str()];
            let (status, workflow) = match r.outcome {
                Outcome::Pass => (ComplianceStatus::Passed, WorkflowStatus::Resolved),
                Outcome::Fail => (ComplianceStatus::Failed, WorkflowStatus::New),
                Outcome::NotEvaluated => (ComplianceStatus::NotAvailable, WorkflowStatus::New),
            };
            *seen.entry(r.outcome.id()).or_insert(0) += 1;
            assert_eq!((f.compliance.status, f.workflow.status), (status, workflow), "{}", f.id);
            assert_eq!(f.compliance.related_requirements, r.check.controls);
            assert_eq!(f.generator_id, format!("sgaudit/{}", r.check.id));
            assert_eq!(f.aws_account_id, r.location.account_id);
            assert_eq!(f.severity.label, SeverityLabel::from(r.severity));
            assert_eq!(f.product_fields["sgaudit/Outcome"], r.outcome.id());
            let resource = &f.resources[0];
            assert_eq!(
                (resource.kind.as_str(), resource.id.as_str()),
                (r.location.resource_type, r.location.resource.as_str())
            );
            // The demo's account-wide evidence was read from eu-west-1: its home region.
            assert_eq!(f.region(), r.location.region.as_deref().unwrap_or("eu-west-1"));
            assert!(f.product_arn.starts_with(&format!("arn:aws:securityhub:{}:123456789012:", f.region())));
            assert!(resource.details.is_none() && resource.tags.is_empty());
            let recommendation = &f.remediation.as_ref().unwrap().recommendation;
            if let Some(fix) = audit.fix_of(r) {
                // A failure's own fix, where one can be written, rather than the check's advice.
                assert_eq!(recommendation.text, fix_recommendation(&fix));
            } else if r.outcome == Outcome::NotEvaluated {
                assert!(recommendation.text.contains(r.check.reads[0]), "{}", recommendation.text);
                assert!(f.description.starts_with("Not evaluated"), "{}", f.description);
            } else {
                assert_eq!(recommendation.text, r.check.remediation);
            }
            assert_eq!(recommendation.url, control_url(r.check.controls));
        }
        assert!(seen.len() == 3, "the demo has passes, failures and results not evaluated: {seen:?}");

        let get = |id: &str| by_id.get(id).copied().unwrap_or_else(|| panic!("{id}"));
        let root = get("sgaudit/123456789012/global/iam-root-mfa/arn:aws:iam::123456789012:root");
        assert_eq!(root.compliance.status, ComplianceStatus::Passed);
        assert_eq!(root.severity.label, SeverityLabel::Informational);
        assert_eq!(root.resources[0].kind, "AwsAccount");
        assert_eq!(root.region(), "eu-west-1");
        assert_eq!(
            root.compliance.related_requirements,
            ["AWS Security Hub IAM.9", "CIS AWS v3.0.0 1.5", "CIS AWS v5.0.0 1.4"]
        );
        assert_eq!(
            root.types,
            [
                TYPE_BEST_PRACTICES,
                "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
            ]
        );
        assert_eq!(
            root.remediation.as_ref().unwrap().recommendation.url.as_deref(),
            Some("https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-9")
        );
        assert_eq!(root.title, "Root user has no MFA: arn:aws:iam::123456789012:root");
        assert_eq!(root.description, "Passed: the root user has MFA");

        let trail = get("sgaudit/123456789012/eu-west-1/cloudtrail-region-logged/AWS::::Account:123456789012");
        assert_eq!(trail.compliance.status, ComplianceStatus::NotAvailable);
        assert_eq!(trail.region(), "eu-west-1");
        assert!(trail.description.contains("cloudtrail:DescribeTrails"), "{}", trail.description);
        assert_eq!(trail.types.len(), 3, "FSBP and CIS: {:?}", trail.types);
        assert_eq!(
            trail.remediation.as_ref().unwrap().recommendation.url.as_deref(),
            Some("https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1")
        );

        let public = get("sgaudit/123456789012/us-east-1/s3-policy-public/arn:aws:s3:::demo-public-site");
        assert_eq!(
            (public.compliance.status, public.severity.label),
            (ComplianceStatus::Failed, SeverityLabel::Critical)
        );
        assert_eq!((public.resources[0].kind.as_str(), public.resources[0].partition.as_str()), ("AwsS3Bucket", "aws"));
        assert_eq!(public.region(), "us-east-1");
    }

    #[test]
    fn account_wide_results_are_filed_in_the_accounts_home_region() {
        let iam_regions = |snapshot: &Snapshot| -> BTreeSet<String> {
            findings(snapshot, &sgaudit_audit::audit(snapshot))
                .into_iter()
                .filter(|f| f.generator_id.starts_with("sgaudit/iam-"))
                .map(|f| {
                    assert!(f.id.starts_with("sgaudit/123456789012/global/iam-"), "{}", f.id);
                    f.region().to_string()
                })
                .collect()
        };
        let mut snapshot = demo();
        assert_eq!(iam_regions(&snapshot), BTreeSet::from(["eu-west-1".to_string()]));
        // Where the account-wide calls were made from...
        snapshot.account_evidence[0].region = "eu-central-1".to_string();
        assert_eq!(iam_regions(&snapshot), BTreeSet::from(["eu-central-1".to_string()]));
        // ... else the account's first region scanned (its account checks are then not evaluated) ...
        snapshot.account_evidence.clear();
        assert_eq!(iam_regions(&snapshot), BTreeSet::from([snapshot.regions[0].region.clone()]));
        // ... else, for an account that could not be read at all, the fallback.
        snapshot.accounts.push(sgaudit_snapshot::Account {
            account_id: "210987654321".to_string(),
            name: None,
            profile: Some("gone".to_string()),
            error: Some(sgaudit_snapshot::SourceError {
                code: "AccessDenied".to_string(),
                message: "not authorized to perform: sts:AssumeRole".to_string(),
                action: Some("sts:AssumeRole".to_string()),
                scp_deny: false,
            }),
            skipped: None,
        });
        let gone: Vec<AsffFinding> = findings(&snapshot, &sgaudit_audit::audit(&snapshot))
            .into_iter()
            .filter(|f| f.aws_account_id == "210987654321")
            .collect();
        assert!(!gone.is_empty());
        for f in &gone {
            assert_eq!(
                (f.compliance.status, f.region()),
                (ComplianceStatus::NotAvailable, FALLBACK_REGION),
                "{}",
                f.id
            );
            assert_eq!(f.resources[0].id, "AWS::::Account:210987654321");
        }
    }

    #[test]
    fn an_arn_names_its_own_partition() {
        let check = checks::by_id("iam-root-mfa").unwrap();
        let r = CheckResult {
            check,
            outcome: Outcome::Fail,
            severity: check.severity,
            location: checks::Location {
                account_id: "1".to_string(),
                region: None,
                resource_type: checks::resource::ACCOUNT,
                resource: "arn:aws-cn:iam::1:root".to_string(),
            },
            evidence: "the root user has no MFA".to_string(),
            muted: None,
            fix: sgaudit_audit::checks::ResultFix::None,
        };
        let f = result_finding(&r, None, "cn-north-1", UNKNOWN_TIME, None);
        assert_eq!(f.resources[0].partition, "aws-cn");
        assert_eq!(f.product_arn, "arn:aws-cn:securityhub:cn-north-1:1:product/1/default");
        let id = checks::Location {
            resource: "acl-0abc".to_string(),
            region: Some("us-gov-west-1".to_string()),
            ..r.location
        };
        let f = result_finding(&CheckResult { location: id, ..r }, None, "us-gov-west-1", UNKNOWN_TIME, None);
        assert_eq!(f.resources[0].partition, "aws-us-gov");
    }

    #[test]
    fn a_long_resource_gets_a_bounded_id_of_its_own() {
        let check = checks::by_id("iam-user-mfa").unwrap();
        let result = |resource: String| CheckResult {
            check,
            outcome: Outcome::Fail,
            severity: check.severity,
            location: checks::Location {
                account_id: "123456789012".to_string(),
                region: None,
                resource_type: checks::resource::IAM_USER,
                resource,
            },
            evidence: "x has no MFA".to_string(),
            muted: None,
            fix: sgaudit_audit::checks::ResultFix::None,
        };
        // IAM paths may be 512 characters long.
        let path = format!("arn:aws:iam::123456789012:user/{}/", "ü".repeat(600));
        let (a, b) = (result_finding_id(&result(format!("{path}a"))), result_finding_id(&result(format!("{path}b"))));
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert!(id.encode_utf16().count() <= ID_MAX, "{}", id.encode_utf16().count());
            assert!(id.starts_with("sgaudit/123456789012/global/iam-user-mfa/arn:aws:iam::123456789012:user/üü"));
        }
        let short = result("arn:aws:iam::123456789012:user/bob".to_string());
        assert_eq!(
            result_finding_id(&short),
            "sgaudit/123456789012/global/iam-user-mfa/arn:aws:iam::123456789012:user/bob"
        );
    }

    #[test]
    fn remediations_and_control_pages_come_from_the_checks() {
        // A group's finding carries its check, and so the check's own remediation, or its own fix: nothing is
        // looked up by id.
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let all = findings(&snapshot, &audit);
        let group_findings: Vec<(&GroupVerdict, &Finding)> =
            audit.groups.iter().flat_map(|g| g.findings.iter().map(move |f| (g, f))).collect();
        assert!(!group_findings.is_empty());
        for (written, (g, f)) in all.iter().zip(&group_findings) {
            let text = written.remediation.as_ref().map(|r| r.recommendation.text.clone());
            let expected = match f.fix(g) {
                Some(fix) => fix_recommendation(&fix),
                None => truncate(f.check.remediation, REMEDIATION_TEXT_MAX).into_owned(),
            };
            assert_eq!(text, Some(expected), "{}", written.id);
        }
        for check in checks::CHECKS {
            let hub = check.controls.iter().any(|c| c.starts_with("AWS FSBP ") || c.starts_with("AWS Security Hub "));
            let url = control_url(check.controls);
            assert_eq!(url.is_some(), hub, "{}: {url:?}", check.id);
            if let Some(url) = url {
                let anchor = url.rsplit('#').next().unwrap();
                let page = format!("{}-controls.html", anchor.rsplit_once('-').unwrap().0);
                assert!(url.starts_with("https://docs.aws.amazon.com/securityhub/latest/userguide/"), "{url}");
                assert!(url.contains(&page), "{url}");
            }
        }
        let url = |controls: &[&str]| control_url(controls);
        assert_eq!(
            url(&["CIS AWS v3.0.0 1.4", "AWS FSBP IAM.4"]).as_deref(),
            Some("https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4")
        );
        assert_eq!(
            url(&["AWS Security Hub S3.17"]).as_deref(),
            Some("https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-17")
        );
        assert_eq!(
            url(&["AWS FSBP CloudTrail.2"]).as_deref(),
            Some("https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-2")
        );
        assert_eq!(url(&["CIS AWS v5.0.0 1.3"]), None);
        assert_eq!(url(&["AWS FSBP EC2.x", "AWS FSBP .1"]), None);
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly10!", 10), "exactly10!");
        assert_eq!(truncate("abcdefghijk", 10), "abcdefghi…");
        // Two-byte characters: cut between them, never inside one.
        assert_eq!(truncate(&"é".repeat(20), 10), format!("{}…", "é".repeat(9)));
        // A character outside the BMP is two UTF-16 units: nine units of room hold four of them.
        assert_eq!(truncate(&"𝕊".repeat(20), 10), format!("{}…", "𝕊".repeat(4)));
        assert_eq!(truncate("abcdefgh𝕊𝕊", 10), "abcdefgh…");
        for text in ["a".repeat(2000), "ü".repeat(2000), "🦀x".repeat(700)] {
            for max in [1, 2, 3, 255, 256, 1024] {
                let cut = truncate(&text, max);
                assert!(cut.encode_utf16().count() <= max, "{max}: {cut}");
                assert!(text.starts_with(cut.trim_end_matches('…')));
            }
        }
    }

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("cn-northwest-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("us-east-1"), "aws");
        assert_eq!(group_arn("1", "cn-north-1", "sg-1"), "arn:aws-cn:ec2:cn-north-1:1:security-group/sg-1");
        assert_eq!(product_arn("1", "us-gov-east-1"), "arn:aws-us-gov:securityhub:us-gov-east-1:1:product/1/default");

        let mut snapshot = demo();
        for r in &mut snapshot.regions {
            r.region = if r.region == "eu-west-1" { "cn-north-1" } else { "us-gov-west-1" }.to_string();
        }
        // The groups' findings (the results' resources are named by the account-wide evidence, left alone here).
        let groups = findings(&snapshot, &sgaudit_audit::audit(&snapshot));
        for f in groups.into_iter().filter(|f| f.product_fields.contains_key("sgaudit/Status")) {
            let (partition, region) = (&f.resources[0].partition, f.region());
            assert_eq!(
                f.product_arn,
                format!("arn:{partition}:securityhub:{region}:{ACCOUNT}:product/{ACCOUNT}/default")
            );
            assert!(f.resources[0]
                .id
                .starts_with(&format!("arn:{partition}:ec2:{region}:{ACCOUNT}:security-group/sg-")));
            assert!(f.id.starts_with(&format!("sgaudit/{ACCOUNT}/{region}/")));
            assert_eq!(partition, if region.starts_with("cn-") { "aws-cn" } else { "aws-us-gov" });
        }
    }

    #[test]
    fn an_importing_account_owns_the_product_not_the_finding() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let own = findings(&snapshot, &audit);
        let imported = findings_imported_by(&snapshot, &audit, "999999999999");
        assert_eq!(own.len(), imported.len());
        for (a, b) in own.iter().zip(&imported) {
            assert_eq!(
                b.product_arn,
                format!("arn:aws:securityhub:{}:999999999999:product/999999999999/default", a.region())
            );
            assert_eq!((&a.id, &a.aws_account_id), (&b.id, &b.aws_account_id));
        }
    }

    #[test]
    fn hostile_names_and_tags_are_plain_string_data() {
        let mut snapshot = demo();
        let name = "\"},{\"Id\":\"forged\"}]\n<script>alert(1)</script>";
        let g = group_named(&mut snapshot, "sg-0a400000000001dc1");
        g.group_name = name.to_string();
        g.tags.insert("Owner".to_string(), "=HYPERLINK(\"http://evil\")".to_string());
        g.tags.insert("Blank".to_string(), " ".to_string());
        let before = findings(&demo(), &sgaudit_audit::audit(&demo())).len();
        let all = written(&snapshot);
        assert_eq!(all.len(), before, "a name cannot add or remove findings");
        assert!(all.iter().all(|f| f["Id"] != "forged"));
        let f =
            all.iter().find(|f| f["Id"] == "sgaudit/123456789012/us-east-1/sg-0a400000000001dc1/sg-unused").unwrap();
        let resource = &f["Resources"][0];
        assert_eq!(resource["Details"]["AwsEc2SecurityGroup"]["GroupName"], name);
        assert_eq!(resource["Tags"]["Owner"], "=HYPERLINK(\"http://evil\")");
        assert!(resource["Tags"].get("Blank").is_none(), "Security Hub refuses a blank tag value");
        assert!(f["Title"].as_str().unwrap().contains(name));
    }

    #[test]
    fn the_written_array_reads_back_into_the_structs() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let read: Vec<AsffFinding> = serde_json::from_slice(&out).unwrap();
        assert_eq!(read, findings(&snapshot, &audit));
    }

    #[test]
    fn times_are_utc_and_a_snapshot_without_one_gets_the_epoch() {
        let mut snapshot = demo();
        snapshot.collected_at = Some("2026-11-23T05:30:00.25+01:30".to_string());
        let f = &findings(&snapshot, &sgaudit_audit::audit(&snapshot))[0];
        assert_eq!(
            (f.created_at.as_str(), f.updated_at.as_str()),
            ("2026-11-23T04:00:00.250Z", "2026-11-23T04:00:00.250Z")
        );
        snapshot.collected_at = None;
        assert_eq!(findings(&snapshot, &sgaudit_audit::audit(&snapshot))[0].created_at, UNKNOWN_TIME);
    }

    #[test]
    fn a_muted_finding_is_suppressed_with_a_note_within_limits() {
        use crate::test_support::{remember, EVIL_OWNER, EVIL_REASON};
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        let long = format!("{EVIL_REASON}{}", "ü".repeat(600));
        remember(&mut audit, &long, EVIL_OWNER);
        let all = findings(&snapshot, &audit);
        let before = findings(&snapshot, &sgaudit_audit::audit(&snapshot));
        let suppressed: Vec<&AsffFinding> =
            all.iter().filter(|f| f.workflow.status == WorkflowStatus::Suppressed).collect();
        assert_eq!(suppressed.len(), 2);
        for f in &suppressed {
            let note = f.note.as_ref().expect("a muted finding has a note");
            assert!(note.text.starts_with(EVIL_REASON), "{}", note.text);
            assert!(note.text.encode_utf16().count() <= NOTE_MAX);
            assert_eq!(note.updated_by, EVIL_OWNER);
            assert_eq!(note.updated_at, "2026-11-23T04:00:00.000Z");
            // Compliance says what the check found: muting is the team's word on it, not a pass.
            assert_eq!(f.compliance.status, ComplianceStatus::Failed);
        }
        assert!(suppressed
            .iter()
            .any(|f| f.id == format!("sgaudit/{ACCOUNT}/us-east-1/sg-0a300000000ba5710/sg-world-open-ssh")));
        // Every other finding is as it was.
        let others: Vec<&AsffFinding> =
            all.iter().filter(|f| f.workflow.status != WorkflowStatus::Suppressed).collect();
        let unchanged: Vec<&AsffFinding> = before.iter().filter(|f| !suppressed.iter().any(|s| s.id == f.id)).collect();
        assert_eq!(others, unchanged);
        // A blank owner still gives Security Hub a name.
        let mut blank = sgaudit_audit::audit(&snapshot);
        remember(&mut blank, "reason", "  ");
        let f = findings(&snapshot, &blank).into_iter().find(|f| f.note.is_some()).unwrap();
        assert_eq!(f.note.unwrap().updated_by, "sgaudit");
    }

    #[test]
    fn a_fix_is_the_remediation_cut_to_fit_and_reachability_is_in_the_product_fields() {
        use crate::test_support::advise;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let all = findings(&snapshot, &audit);
        let fix = crate::fixes::tests::hostile_fix();
        let bastion: Vec<&AsffFinding> = all.iter().filter(|f| f.id.contains("/sg-0a300000000ba5710/")).collect();
        assert!(!bastion.is_empty());
        for f in &bastion {
            let text = &f.remediation.as_ref().unwrap().recommendation.text;
            assert_eq!(*text, fix_recommendation(&fix));
            assert!(
                text.starts_with("=cmd|' /C calc'!A0 <script>alert(1)</script>\\u{1b}[31m\\u{a}rm -rf ~\n"),
                "{text}"
            );
            assert!(text.contains("\nAWS CLI:\naws ec2 revoke-security-group-ingress"), "{text}");
            assert!(!text.contains('\x1b') && !text.lines().any(|l| l.starts_with("rm ")), "{text}");
            assert!(text.ends_with("Terraform: in sgaudit's JSON, HTML and Excel reports."), "{text}");
            assert_eq!(f.product_fields["sgaudit/Reachability"], "reachable");
            assert!(f.product_fields["sgaudit/ReachPaths"].starts_with("tcp 22 reachable from the internet on eni-0a"));
            assert_eq!(
                f.product_fields["sgaudit/ReachWhy"],
                "blocked: eni-0b: no public address | missing: ec2-network-acls"
            );
        }
        let user = all.iter().find(|f| f.id.ends_with("/iam-user-mfa/arn:aws:iam::123456789012:user/=2+5")).unwrap();
        assert_eq!(user.remediation.as_ref().unwrap().recommendation.text, fix_recommendation(&fix));
        assert!(!user.product_fields.contains_key("sgaudit/Reachability"), "a check's result has no group");
        // Every group's finding says whether the internet reaches its group, and nothing blank.
        for f in all.iter().filter(|f| f.product_fields.contains_key("sgaudit/Status")) {
            assert!(f.product_fields.contains_key("sgaudit/Reachability"), "{}", f.id);
            assert!(f.product_fields.values().all(|v| !v.trim().is_empty()));
        }

        // Too long: cut on a character boundary, saying where the rest is.
        let long = Fix {
            summary: "ü".repeat(300),
            cli: vec![format!("aws ec2 revoke-security-group-ingress --group-id sg-{}", "𝕊".repeat(200))],
            terraform: None,
        };
        let text = fix_recommendation(&long);
        assert!(text.encode_utf16().count() <= REMEDIATION_TEXT_MAX, "{}", text.encode_utf16().count());
        assert!(text.ends_with(FIX_CUT) && text.starts_with(&long.summary[..100]), "{text}");
        let mut reach = crate::reachability::tests::hostile_reach();
        reach.paths = (0..200)
            .map(|i| sgaudit_audit::reach::Path { text: format!("path {i} 𝕊"), ..reach.paths[0].clone() })
            .collect();
        let fields = reach_fields(&reach);
        let paths = &fields.iter().find(|(k, _)| *k == "sgaudit/ReachPaths").unwrap().1;
        assert!(paths.encode_utf16().count() <= PRODUCT_FIELD_MAX && paths.ends_with(PATHS_CUT), "{paths}");
        assert_eq!(truncate_noting("abcdef", 4, "…"), truncate("abcdef", 4));
    }
}

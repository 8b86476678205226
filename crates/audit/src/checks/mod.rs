//! Every check sgaudit makes, each described in one place (its file): a stable kebab-case id, a title, a
//! family, a severity, the controls users know it by (CIS AWS Foundations Benchmark v3.0.0 and v5.0.0, AWS
//! Foundational Security Best Practices), what it looks at, how to fix a failure, the sources of evidence it
//! reads, and how it judges. [`CHECKS`] lists them all, family by family; the ids are pinned by a snapshot
//! test, since Security Hub finding ids and users' exceptions are built on them.
//!
//! A check is judged either on each security group's verdict ([`Evaluate::Group`], the group checks, whose
//! failures are the group's findings) or over an account's or an account-region's evidence
//! ([`Evaluate::Account`], [`Evaluate::Region`]), giving a [`CheckResult`] — pass, fail or not evaluated —
//! located at an account, a region, a user, an access key, a trail, a bucket, a network ACL or a group.
//! Where a source a check reads is not whole, its results there are *not evaluated*, never *pass*: the
//! runner ([`crate::posture`]) decides that from the check's `reads`, not the check itself.
//!
//! A check also writes the fix of its failures ([`Fixer`], [`crate::fix`]): the commands and Terraform that
//! change what it found, next to how it judges, or says why none can be written.

use serde::Serialize;
pub use sgaudit_snapshot::Family;
use sgaudit_snapshot::{AccountEvidence, RegionSnapshot, SecurityGroup};

use crate::{Fix, GroupVerdict};

pub mod cloudtrail;
pub mod groups;
pub mod iam;
pub mod network;
pub mod s3;

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
    /// Every severity, from the least to the most serious.
    pub const ALL: [Severity; 5] =
        [Severity::Informational, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

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
    /// Stable id (`sg-world-open-ssh`, `iam-root-mfa`): used in JSON, SARIF, Security Hub and exceptions.
    pub id: &'static str,
    pub title: &'static str,
    pub family: Family,
    /// The severity of a failure. A group check may lower it for an unused group; an account check may
    /// raise or lower it for one result (a public write grant is worse than a public read grant).
    pub severity: Severity,
    /// Controls it maps to: `AWS FSBP EC2.21` (a control of AWS Foundational Security Best Practices),
    /// `AWS Security Hub IAM.9` (a Security Hub control outside that standard), `CIS AWS v3.0.0 5.1`,
    /// `CIS AWS v5.0.0 5.2`.
    pub controls: &'static [&'static str],
    /// What it looks at, in a sentence or two, for the docs.
    pub description: &'static str,
    /// What to do about a failure.
    pub remediation: &'static str,
    /// The sources of evidence it reads. Where one of them is not whole (denied, failed, not in the
    /// snapshot), its results are not evaluated.
    pub reads: &'static [&'static str],
    pub evaluate: Evaluate,
    /// How the fix of a failure is written.
    pub fix: Fixer,
}

impl Check {
    /// Where the docs describe it: `docs/checks.md#iam-root-mfa`.
    pub fn doc_anchor(&self) -> String {
        format!("docs/checks.md#{}", self.id)
    }

    /// Whether it is judged on each security group's verdict (its failures are the group's findings).
    pub fn is_group_check(&self) -> bool {
        matches!(self.evaluate, Evaluate::Group(_))
    }

    /// Whether its failures carry a fix (every one above informational does).
    pub fn writes_fixes(&self) -> bool {
        !matches!(self.fix, Fixer::None)
    }
}

/// How a check writes the fix of a failure ([`crate::fix`]): text for people to review and run, never applied
/// by sgaudit.
#[derive(Clone, Copy)]
pub enum Fixer {
    /// No change can be written as commands (the check's file says why: it takes a person and their MFA device,
    /// the root user's console, more evidence); the remediation says what to do.
    None,
    /// From the failing group's verdict: for a group check ([`Evaluate::Group`]).
    Group(fn(&GroupVerdict) -> Option<Fix>),
    /// The check's judgement attaches it to each failure ([`Observation::with_fix`]), since only it holds the
    /// thing that failed (a group of the region, a user, a bucket): for an account or regional check.
    Judged,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish()
    }
}

impl PartialEq for Check {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Check {}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id)
    }
}

/// How a check judges.
#[derive(Clone, Copy)]
pub enum Evaluate {
    /// On each group's verdict, before its `risk` is decided (the risk follows from the findings, see
    /// `crate::risk`: a check must not read `risk`). Returns the severity and message of a failure.
    Group(fn(&GroupVerdict) -> Option<(Severity, String)>),
    /// Once per account, over its account-wide evidence; run only where every source in `reads` is whole.
    Account(fn(&AccountScope) -> Vec<Observation>),
    /// Once per account-region; run only where every source in `reads` is whole there.
    Region(fn(&RegionScope) -> Vec<Observation>),
    /// Once over the whole estate, for what only shows across accounts and regions: sees the regions where every
    /// source in `reads` is whole (the others are *not evaluated*), and says for each observation whose account it
    /// is.
    Estate(fn(&EstateScope) -> Vec<(String, Observation)>),
}

/// What a check of the whole estate sees.
pub struct EstateScope<'a> {
    /// Every region of every account where the check's sources were read whole.
    pub regions: &'a [&'a RegionSnapshot],
    pub now: Option<i64>,
    pub options: &'a Options,
}

/// What an account check sees.
pub struct AccountScope<'a> {
    pub account_id: &'a str,
    pub evidence: &'a AccountEvidence,
    /// The snapshot's collection time, in seconds since the Unix epoch: ages are measured from it, so an old
    /// snapshot gives the verdicts of its day. `None` for a snapshot without one.
    pub now: Option<i64>,
    pub options: &'a Options,
}

/// What a regional check sees.
pub struct RegionScope<'a> {
    pub account_id: &'a str,
    pub region: &'a RegionSnapshot,
    /// The region's place in the snapshot's `regions`: where a fix written later finds its group
    /// ([`ResultFix::OfGroup`]).
    pub index: usize,
    /// Every region of the account in the snapshot, sorted.
    pub account_regions: &'a [&'a str],
    pub now: Option<i64>,
    pub options: &'a Options,
}

/// Settings of the checks that users choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Families to judge; `None`: every family the snapshot was collected for.
    pub families: Option<Vec<Family>>,
    /// TCP/UDP ports that may be open to the world (`net-sg-open-port`).
    pub allowed_open_ports: Vec<u16>,
    /// Fail buckets whose default encryption does not use a KMS key (`s3-default-encryption`); otherwise it
    /// is reported, as informational.
    pub require_kms: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { families: None, allowed_open_ports: vec![80, 443], require_kms: false }
    }
}

/// The status of one result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fail,
    /// Its evidence could not be read: never a pass.
    NotEvaluated,
    Pass,
}

impl Outcome {
    /// Every outcome, in the order reports list them: what needs doing first.
    pub const ALL: [Outcome; 3] = [Outcome::Fail, Outcome::NotEvaluated, Outcome::Pass];

    /// The id every report writes (`not_evaluated`).
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotEvaluated => "not_evaluated",
        }
    }

    /// The outcome as people read it (`not evaluated`): the terminal, the HTML page, the audit log (in
    /// capitals).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotEvaluated => "not evaluated",
        }
    }
}

/// Where a result stands.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub account_id: String,
    /// The region it applies to; `None` for account-wide things (IAM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The kind of resource, as Security Hub names it (`AwsIamUser`, `AwsS3Bucket`, `AwsAccount`).
    pub resource_type: &'static str,
    /// Its ARN, or id where it has no ARN (`AWS::::Account:111122223333`, `acl-0abc`, an access key as
    /// `<user ARN>/access-key-1`).
    pub resource: String,
}

/// The kinds of resource results stand at (Security Hub's names).
pub mod resource {
    pub const ACCOUNT: &str = "AwsAccount";
    pub const IAM_USER: &str = "AwsIamUser";
    pub const IAM_ACCESS_KEY: &str = "AwsIamAccessKey";
    pub const CLOUDTRAIL_TRAIL: &str = "AwsCloudTrailTrail";
    pub const S3_BUCKET: &str = "AwsS3Bucket";
    pub const S3_ACCOUNT_PUBLIC_ACCESS_BLOCK: &str = "AwsS3AccountPublicAccessBlock";
    pub const EC2_NETWORK_ACL: &str = "AwsEc2NetworkAcl";
    pub const EC2_NETWORK_INTERFACE: &str = "AwsEc2NetworkInterface";
    pub const EC2_SECURITY_GROUP: &str = "AwsEc2SecurityGroup";
    pub const EC2_INSTANCE: &str = "AwsEc2Instance";
}

/// `AWS::::Account:111122223333`: an account as Security Hub names it for account-wide results.
pub fn account_resource(account_id: &str) -> String {
    format!("AWS::::Account:{account_id}")
}

/// What one check found about one thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Serialised as its id.
    pub check: &'static Check,
    pub outcome: Outcome,
    /// The check's severity, or the one this result carries; informational for a pass.
    pub severity: Severity,
    pub location: Location,
    /// What was seen, in a sentence.
    pub evidence: String,
    /// The exception that mutes it, if one does ([`crate::exceptions`]).
    pub muted: Option<Box<crate::Muted>>,
    /// The change that fixes a failure, where one can be written ([`crate::fix`]): reports ask
    /// [`crate::Audit::fix_of`].
    #[serde(skip)]
    pub fix: ResultFix,
}

/// A regional result's fix, as it is kept.
#[derive(Clone, Default)]
pub enum ResultFix {
    #[default]
    None,
    /// Written by the check as it judged (a user's access key, a bucket, a region's trail).
    Written(Box<Fix>),
    /// Written when a report asks, by the check, from the group the failure is located at: `region` is its
    /// region's place in the snapshot's `regions`, `group` its place in that region's `security_groups`. A fix
    /// is commands and Terraform, about 2 KB; an organisation has hundreds of thousands of groups, each failing
    /// several checks (issue 15: written as they were judged, they held 1 GiB at 1,000 accounts × 17 regions).
    OfGroup { write: GroupFixer, region: u32, group: u32 },
}

impl ResultFix {
    pub fn is_none(&self) -> bool {
        matches!(self, ResultFix::None)
    }
}

impl std::fmt::Debug for ResultFix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResultFix::None => f.write_str("None"),
            ResultFix::Written(fix) => f.debug_tuple("Written").field(fix).finish(),
            ResultFix::OfGroup { region, group, .. } => {
                f.debug_struct("OfGroup").field("region", region).field("group", group).finish()
            }
        }
    }
}

/// Two fixes written later are alike when they are of the same group (the check's own, by its result).
impl PartialEq for ResultFix {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ResultFix::None, ResultFix::None) => true,
            (ResultFix::Written(a), ResultFix::Written(b)) => a == b,
            (ResultFix::OfGroup { region: r, group: g, .. }, ResultFix::OfGroup { region: s, group: h, .. }) => {
                (r, g) == (s, h)
            }
            _ => false,
        }
    }
}

impl Eq for ResultFix {}

/// Writes the fix of a regional check's failure on one group ([`ResultFix::OfGroup`]).
pub type GroupFixer = fn(&GroupAt) -> Option<Fix>;

/// A group of a region, for a fix written after judging.
pub struct GroupAt<'a> {
    pub region: &'a str,
    pub group: &'a SecurityGroup,
    pub options: &'a Options,
}

/// A result as a check gives it; the runner adds the check and the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub outcome: Outcome,
    /// Overrides the check's severity for this failure.
    pub severity: Option<Severity>,
    pub region: Option<String>,
    pub resource_type: &'static str,
    pub resource: String,
    pub evidence: String,
    /// The fix of a failure, for a check whose fixes are [`Fixer::Judged`].
    pub fix: ResultFix,
}

impl Observation {
    fn new(outcome: Outcome, resource_type: &'static str, resource: String, evidence: String) -> Self {
        Self { outcome, severity: None, region: None, resource_type, resource, evidence, fix: ResultFix::None }
    }

    pub fn pass(resource_type: &'static str, resource: impl Into<String>, evidence: impl Into<String>) -> Self {
        Self::new(Outcome::Pass, resource_type, resource.into(), evidence.into())
    }

    pub fn fail(resource_type: &'static str, resource: impl Into<String>, evidence: impl Into<String>) -> Self {
        Self::new(Outcome::Fail, resource_type, resource.into(), evidence.into())
    }

    pub fn not_evaluated(
        resource_type: &'static str,
        resource: impl Into<String>,
        evidence: impl Into<String>,
    ) -> Self {
        Self::new(Outcome::NotEvaluated, resource_type, resource.into(), evidence.into())
    }

    /// A pass or a fail, as `failed` says.
    pub fn judged(
        failed: bool,
        resource_type: &'static str,
        resource: impl Into<String>,
        evidence: impl Into<String>,
    ) -> Self {
        let outcome = if failed { Outcome::Fail } else { Outcome::Pass };
        Self::new(outcome, resource_type, resource.into(), evidence.into())
    }

    pub fn in_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// The fix of a failure; the runner keeps it only on a failure.
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.map_or(ResultFix::None, |fix| ResultFix::Written(Box::new(fix)));
        self
    }

    /// The fix of a failure on the group at `group` in the scope's `security_groups`, written by `write` when a
    /// report asks ([`ResultFix::OfGroup`]).
    pub fn with_group_fix(mut self, scope: &RegionScope, group: usize, write: GroupFixer) -> Self {
        let index = |i: usize| u32::try_from(i).expect("fewer than 4 billion regions and groups");
        self.fix = ResultFix::OfGroup { write, region: index(scope.index), group: index(group) };
        self
    }
}

/// A group check's failure: one of a group's findings. What the check is (its id, title, controls,
/// remediation) is the check's own description, reached through `check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Serialised as its id.
    pub check: &'static Check,
    /// The check's severity, or the one this failure carries (lower for an unused group).
    pub severity: Severity,
    pub message: String,
    /// The exception that mutes it, if one does ([`crate::exceptions`]).
    pub muted: Option<Box<crate::Muted>>,
}

impl Finding {
    /// The change that fixes it, where one can be written ([`crate::fix`]), from the verdict of the group it is
    /// a finding of. Written when a report asks, not kept: a fix is commands and Terraform, about 2 KB, and an
    /// organisation has hundreds of thousands of findings, each written out once or twice (issue 15: judged up
    /// front, they added 1.6 GiB at 1,000 accounts).
    pub fn fix(&self, group: &GroupVerdict) -> Option<Fix> {
        match self.check.fix {
            Fixer::Group(fix) => fix(group),
            Fixer::None | Fixer::Judged => None,
        }
    }
}

/// Every check, family by family.
pub const CHECKS: &[&Check] = &[
    &groups::internet_reachable_admin_port::CHECK,
    &groups::internet_reachable_high_risk_port::CHECK,
    &groups::world_open_ssh::CHECK,
    &groups::world_open_rdp::CHECK,
    &groups::world_open_all_traffic::CHECK,
    &groups::world_open_high_risk_port::CHECK,
    &groups::default_allows_traffic::CHECK,
    &groups::default_in_use::CHECK,
    &groups::stale_rule::CHECK,
    &groups::unused_group::CHECK,
    &groups::status_unknown::CHECK,
    &network::sg_open_port::CHECK,
    &network::sg_ipv4_admin_port::CHECK,
    &network::sg_ipv6_admin_port::CHECK,
    &network::nacl_admin_port::CHECK,
    &network::ebs_default_encryption::CHECK,
    &network::instance_outside_vpc::CHECK,
    &network::sg_duplicate_rules::CHECK,
    &network::sg_shared_rule_templates::CHECK,
    &network::sg_redundant_rule::CHECK,
    &network::sg_broad_public_source::CHECK,
    &network::sg_wide_port_range::CHECK,
    &network::sg_all_protocols_public::CHECK,
    &network::sg_rules_quota::CHECK,
    &network::sg_groups_per_interface::CHECK,
    &iam::root_access_key::CHECK,
    &iam::root_mfa::CHECK,
    &iam::console_user_mfa::CHECK,
    &iam::user_mfa::CHECK,
    &iam::access_key_rotation::CHECK,
    &iam::one_active_key::CHECK,
    &iam::unused_credentials::CHECK,
    &iam::password_length::CHECK,
    &iam::password_reuse::CHECK,
    &cloudtrail::region_logged::CHECK,
    &cloudtrail::log_validation::CHECK,
    &cloudtrail::kms_encryption::CHECK,
    &s3::account_public_access_block::CHECK,
    &s3::bucket_public_access_block::CHECK,
    &s3::acl_public::CHECK,
    &s3::acl_other_account_write::CHECK,
    &s3::policy_public::CHECK,
    &s3::policy_ssl::CHECK,
    &s3::default_encryption::CHECK,
];

/// The check with this id.
pub fn by_id(id: &str) -> Option<&'static Check> {
    CHECKS.iter().copied().find(|c| c.id == id)
}

/// The group checks' findings on one group.
pub(crate) fn run_group(group: &GroupVerdict) -> Vec<Finding> {
    CHECKS
        .iter()
        .filter_map(|check| match check.evaluate {
            Evaluate::Group(evaluate) => {
                evaluate(group).map(|(severity, message)| Finding { check, severity, message, muted: None })
            }
            Evaluate::Account(_) | Evaluate::Region(_) | Evaluate::Estate(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_kebab_case_and_prefixed_by_family() {
        let ids: BTreeSet<_> = CHECKS.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), CHECKS.len());
        for check in CHECKS {
            let id = check.id;
            let prefix = match check.family {
                Family::Groups => "sg-",
                Family::Network => "net-",
                Family::Iam => "iam-",
                Family::Cloudtrail => "cloudtrail-",
                Family::S3 => "s3-",
            };
            assert!(id.starts_with(prefix), "{id} is a {:?} check", check.family);
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
        }
    }

    #[test]
    fn every_check_describes_itself() {
        // FSBP controls, Security Hub controls outside FSBP, and the two CIS versions.
        let versions = ["AWS FSBP ", "AWS Security Hub ", "CIS AWS v3.0.0 ", "CIS AWS v5.0.0 "];
        for check in CHECKS {
            assert!(!check.title.is_empty() && !check.description.is_empty(), "{}", check.id);
            assert!(check.remediation.len() > 40, "{}: a remediation says what to do", check.id);
            assert!(!check.reads.is_empty(), "{}: a check names the sources it reads", check.id);
            for source in check.reads {
                let known = sgaudit_snapshot::SOURCES.contains(source)
                    || sgaudit_snapshot::REACH_SOURCES.contains(source)
                    || sgaudit_snapshot::posture::ACCOUNT_SOURCES.contains(source)
                    || sgaudit_snapshot::posture::REGION_POSTURE_SOURCES.contains(source);
                assert!(known, "{}: reads unknown source {source}", check.id);
                assert!(
                    sgaudit_snapshot::posture::family_sources(check.family).contains(source),
                    "{}: reads {source}, which a scan of its family does not collect",
                    check.id
                );
            }
            for control in check.controls {
                assert!(versions.iter().any(|v| control.starts_with(v)), "{}: control {control}", check.id);
            }
            // An account-wide check reads account-wide sources; a regional one regional sources.
            let account_sources = check.reads.iter().all(|s| sgaudit_snapshot::posture::ACCOUNT_SOURCES.contains(s));
            match check.evaluate {
                Evaluate::Account(_) => assert!(account_sources, "{}", check.id),
                Evaluate::Region(_) | Evaluate::Estate(_) | Evaluate::Group(_) => {
                    assert!(
                        !check.reads.iter().any(|s| sgaudit_snapshot::posture::ACCOUNT_SOURCES.contains(s)),
                        "{}",
                        check.id
                    )
                }
            }
            assert_eq!(check.is_group_check(), check.family == Family::Groups, "{}", check.id);
            // A group check's fix is written from the verdict; another check's by its judgement.
            match (&check.evaluate, &check.fix) {
                (_, Fixer::None) | (Evaluate::Group(_), Fixer::Group(_)) => {}
                (Evaluate::Account(_) | Evaluate::Region(_) | Evaluate::Estate(_), Fixer::Judged) => {}
                _ => panic!("{}: a fixer of the wrong kind", check.id),
            }
        }
    }

    /// The ids and what users' tooling builds on them, pinned: changing one is a breaking change of every
    /// report and of Security Hub's finding ids.
    #[test]
    fn the_checks_are_pinned() {
        let pinned: Vec<String> = CHECKS
            .iter()
            .map(|c| format!("{} | {} | {} | {}", c.id, c.family.id(), c.severity.id(), c.controls.join(", ")))
            .collect();
        insta::assert_json_snapshot!(pinned);
    }
}

//! Evidence for the account checks (the seeds' "security re-check": IAM, CloudTrail, S3, network): what AWS
//! said, as plain data, with no judgement. Account-wide evidence (IAM, the bucket list) is read once per
//! account ([`AccountEvidence`]); regional evidence (trails, network ACLs, EBS defaults) once per
//! account-region ([`RegionPosture`]).
//!
//! Whether a piece of evidence was read at all is said by its source's coverage (`coverage` of the
//! account, or of the region), exactly as for the group evidence: an empty list or an absent value with
//! whole coverage means AWS has none; with missing coverage it means nothing. Calls made per resource (a
//! bucket's ACL, a trail's status) keep their failures on the resource, in `errors`, each naming its
//! action: a check whose evidence is among them is *not evaluated*.

use serde::{Deserialize, Serialize};

use crate::{SourceCoverage, SourceError};

/// A family of checks, as `--checks` names it. A scan collects what its families need; a snapshot says
/// which families it was collected for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Security groups: whether each is in use, and how exposed it is (every holder source).
    Groups,
    /// Network: ports open to the world, network ACLs, EBS encryption by default, instances outside a VPC.
    Network,
    /// IAM: the credential report (root, MFA, access keys, unused credentials) and the password policy.
    Iam,
    /// CloudTrail: a logging trail over every region, its validation and encryption.
    Cloudtrail,
    /// S3: Block Public Access, bucket ACLs and policies, default encryption.
    S3,
}

impl Family {
    pub const ALL: [Family; 5] = [Family::Groups, Family::Network, Family::Iam, Family::Cloudtrail, Family::S3];

    /// The id used on the command line and in every report (`cloudtrail`).
    pub fn id(self) -> &'static str {
        match self {
            Family::Groups => "groups",
            Family::Network => "network",
            Family::Iam => "iam",
            Family::Cloudtrail => "cloudtrail",
            Family::S3 => "s3",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Family::Groups => "Security groups",
            Family::Network => "Network",
            Family::Iam => "IAM",
            Family::Cloudtrail => "CloudTrail",
            Family::S3 => "S3",
        }
    }

    pub fn from_id(id: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.id() == id)
    }
}

/// The families a snapshot without a `families` field was collected for: it was written before the
/// account checks existed, when groups were all there was.
pub(crate) fn families_before_account_checks() -> Vec<Family> {
    vec![Family::Groups]
}

/// Account-wide evidence, read once per account (IAM and S3's bucket list are global).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEvidence {
    pub account_id: String,
    /// The region the account-wide calls were made from.
    pub region: String,
    /// What each account-wide source managed to read, sorted by source id.
    pub coverage: Vec<SourceCoverage>,
    /// IAM's credential report (`iam-credential-report`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report: Option<CredentialReport>,
    /// The account's password policy (`iam-password-policy`); absent with whole coverage: none is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    /// The account's S3 Block Public Access (`s3-account-public-access-block`); absent with whole coverage:
    /// none is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
    /// Every bucket of the account (`s3-buckets`), sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<Bucket>,
}

impl AccountEvidence {
    /// Gives back the spare capacity of its lists ([`crate::RegionSnapshot::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        self.coverage.shrink_to_fit();
        if let Some(report) = &mut self.credential_report {
            report.users.shrink_to_fit();
            report.users.iter_mut().for_each(|u| u.access_keys.shrink_to_fit());
        }
        self.buckets.shrink_to_fit();
        for bucket in &mut self.buckets {
            bucket.grants.shrink_to_fit();
            bucket.encryption.shrink_to_fit();
            bucket.errors.shrink_to_fit();
        }
    }
}

/// IAM's credential report: one row per IAM user, and one for the root user (`<root_account>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialReport {
    /// When IAM generated it (RFC 3339): IAM hands out the same report for up to four hours.
    pub generated_at: String,
    pub users: Vec<CredentialUser>,
}

/// The user name IAM gives the root user's row.
pub const ROOT_USER: &str = "<root_account>";

/// One row of the credential report. Times are RFC 3339 as IAM writes them; `None` where IAM writes
/// `N/A`, `no_information` or `not_supported`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialUser {
    pub user: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Whether the user has a console password; `None` for the root user (`not_supported`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_used: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_changed: Option<String>,
    pub mfa_active: bool,
    /// Access keys 1 and 2, as the report's columns give them (a slot never used is left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_keys: Vec<AccessKey>,
}

impl CredentialUser {
    pub fn is_root(&self) -> bool {
        self.user == ROOT_USER
    }
}

/// One access key slot of a credential report row. The report carries no key ids: a key is its user and
/// slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// 1 or 2.
    pub slot: u8,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<String>,
}

/// `GetAccountPasswordPolicy`, as IAM returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_length: Option<i32>,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_uppercase: bool,
    #[serde(default)]
    pub require_lowercase: bool,
    #[serde(default)]
    pub allow_users_to_change: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_prevention: Option<i32>,
    #[serde(default)]
    pub hard_expiry: bool,
}

/// S3 Block Public Access, of an account or a bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn all(&self) -> bool {
        self.block_public_acls && self.ignore_public_acls && self.block_public_policy && self.restrict_public_buckets
    }
}

/// One bucket, read in its own region. Each field read by a call of its own is `None` either because the
/// bucket has no such configuration or because the call failed: `errors` tells which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    /// Where it lives, where known (`ListBuckets`' region, or `GetBucketLocation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The owner's canonical user id, from the ACL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// The ACL's grants (`GetBucketAcl`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// Object Ownership (`BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`); `None`: not set,
    /// which S3 treats as `ObjectWriter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
    /// The bucket policy, as its JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
    /// The default encryption's algorithms (`AES256`, `aws:kms`, `aws:kms:dsse`), one per rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encryption: Vec<String>,
    /// Calls about this bucket that failed, each naming its action (`s3:GetBucketAcl`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<SourceError>,
}

impl Bucket {
    /// The failure of the call behind `action`, if it failed.
    pub fn error(&self, action: &str) -> Option<&SourceError> {
        self.errors.iter().find(|e| e.action.as_deref() == Some(action))
    }
}

/// One grant of an ACL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    pub grantee_type: String,
    /// The canonical id, group URI or e-mail address.
    pub grantee: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or `FULL_CONTROL`.
    pub permission: String,
}

/// The group URIs of ACL grants.
pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
pub const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// Regional evidence for the account checks, read once per account-region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionPosture {
    /// Every trail that applies in the region (`cloudtrail-trails`: `DescribeTrails` with shadow trails, so
    /// multi-region and organisation trails homed elsewhere are here too), sorted by ARN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trails: Vec<Trail>,
    /// EBS encryption by default (`ec2-ebs-encryption-by-default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs_encryption_by_default: Option<bool>,
    /// Every network ACL (`ec2-network-acls`), sorted by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_acls: Vec<NetworkAcl>,
    /// Instances with no VPC: EC2-Classic (`ec2-instances`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances_outside_vpc: Vec<String>,
    /// Every managed prefix list the account sees in the region (`ec2-managed-prefix-lists`): its own, those
    /// shared with it, and AWS's, sorted by id. What a rule's prefix list costs against the rules quota.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<PrefixList>,
    /// The account's quotas of security groups in the region, as Service Quotas applies them
    /// (`servicequotas-vpc`), sorted by code: one entry per quota asked for, read or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<AppliedQuota>,
}

impl RegionPosture {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Gives back the spare capacity of its lists ([`crate::RegionSnapshot::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        self.trails.shrink_to_fit();
        self.network_acls.shrink_to_fit();
        for acl in &mut self.network_acls {
            acl.subnets.shrink_to_fit();
            acl.entries.shrink_to_fit();
        }
        self.instances_outside_vpc.shrink_to_fit();
        self.prefix_lists.shrink_to_fit();
        self.quotas.shrink_to_fit();
    }

    /// The quota with this code, as read from Service Quotas.
    pub fn quota(&self, code: &str) -> Option<&AppliedQuota> {
        self.quotas.iter().find(|q| q.code == code)
    }
}

/// A managed prefix list, as `DescribeManagedPrefixLists` gives it (without its entries: their count is not
/// what AWS charges a rule for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixList {
    pub prefix_list_id: String,
    pub name: String,
    /// The owner's account id, or `AWS` for an AWS-managed list.
    pub owner_id: String,
    /// `IPv4` or `IPv6`: a list holds blocks of one family only.
    pub address_family: String,
    /// The most entries the list may hold; absent for an AWS-managed list (AWS documents a weight instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_entries: Option<u32>,
}

impl PrefixList {
    /// A list as `DescribeManagedPrefixLists` describes it: id, name, owner (`AWS` for AWS's), `IPv4` or `IPv6`,
    /// and its maximum of entries.
    pub fn new(id: &str, name: &str, owner: &str, family: &str, max_entries: Option<u32>) -> PrefixList {
        PrefixList {
            prefix_list_id: id.into(),
            name: name.into(),
            owner_id: owner.into(),
            address_family: family.into(),
            max_entries,
        }
    }

    /// Whether AWS manages the list (its owner is `AWS`, and it has no maximum of entries).
    pub fn is_aws_managed(&self) -> bool {
        self.owner_id == "AWS"
    }
}

/// One quota of the account in a region, as Service Quotas applies it (`GetServiceQuota`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedQuota {
    /// The service's code in Service Quotas (`vpc`).
    pub service_code: String,
    /// The quota's code (`L-0EA8095F`).
    pub code: String,
    /// The applied value; `None` where Service Quotas answered that it holds none for the account
    /// (`NoSuchResourceException`): AWS's default applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<u32>,
}

/// The quota codes of `servicequotas-vpc` (service code `vpc`): inbound or outbound rules per security group.
pub const QUOTA_RULES_PER_GROUP: &str = "L-0EA8095F";
/// Security groups per network interface.
pub const QUOTA_GROUPS_PER_INTERFACE: &str = "L-2AFB9258";

/// A trail, with its status and selectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub multi_region: bool,
    pub organization: bool,
    pub log_file_validation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
    /// `GetTrailStatus`' `IsLogging`; `None` when it could not be read (see `errors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<bool>,
    /// `GetEventSelectors`; `None` when they could not be read (see `errors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selectors: Option<EventSelectors>,
    /// Calls about this trail that failed, each naming its action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<SourceError>,
}

/// A trail's event selectors: basic or advanced (a trail has one kind or the other).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelectors {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basic: Vec<BasicSelector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced: Vec<AdvancedSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub fields: Vec<FieldSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSelector {
    /// `eventCategory`, `readOnly`, `eventSource`, ...
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

/// A network ACL with its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub network_acl_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    pub is_default: bool,
    /// Subnets it is associated with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    pub entries: Vec<AclEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    pub rule_number: i32,
    pub egress: bool,
    /// `-1` (all), or a protocol number (`6` TCP, `17` UDP), as the EC2 API gives it.
    pub protocol: String,
    /// `allow` or `deny`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
}

/// The sources of account-wide evidence, read once per account, sorted by id.
pub const ACCOUNT_SOURCES: &[&str] =
    &["iam-credential-report", "iam-password-policy", "s3-account-public-access-block", "s3-buckets"];

/// The sources of regional evidence for the account checks, read once per account-region, sorted by id.
/// (`ec2-instances` and `ec2-security-groups`, which the network checks also read, are group sources.)
pub const REGION_POSTURE_SOURCES: &[&str] = &[
    "cloudtrail-trails",
    "ec2-ebs-encryption-by-default",
    "ec2-managed-prefix-lists",
    "ec2-network-acls",
    "servicequotas-vpc",
];

/// The sources each family's checks read, each once. `Groups` reads every source of [`crate::SOURCES`] (the
/// evidence of use) and of [`crate::REACH_SOURCES`] (whether the internet can reach each group).
pub fn family_sources(family: Family) -> Vec<&'static str> {
    match family {
        Family::Groups => {
            let mut ids = crate::SOURCES.to_vec();
            ids.extend(crate::REACH_SOURCES.iter().filter(|s| !crate::SOURCES.contains(s)));
            ids
        }
        Family::Network => {
            vec![
                "ec2-ebs-encryption-by-default",
                "ec2-instances",
                "ec2-managed-prefix-lists",
                "ec2-network-acls",
                "ec2-network-interfaces",
                "ec2-security-groups",
                "servicequotas-vpc",
            ]
        }
        Family::Iam => vec!["iam-credential-report", "iam-password-policy"],
        Family::Cloudtrail => vec!["cloudtrail-trails"],
        Family::S3 => vec!["s3-account-public-access-block", "s3-buckets"],
    }
}

//! The snapshot: everything sgaudit collected from AWS, as plain data.
//!
//! It is the contract between collecting (which knows the AWS API) and judging (which must not): every
//! audit, report and test can run from a snapshot file with no network. It is deterministic — vectors are
//! sorted by stable keys and maps are `BTreeMap`s — so two scans of the same estate diff cleanly.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

mod denial;
pub use denial::{Denial, PolicyKind, DENIED_CODES, HTTP_FORBIDDEN};
mod kind;
pub mod network;
pub mod posture;
pub mod preflight;
mod source_name;
mod tags;
pub use tags::Tags;
pub mod text;
pub mod time;
mod validate;

pub use kind::ResourceKind;
pub use network::{RegionNetwork, REACH_SOURCES};
pub use posture::{AccountEvidence, Family, RegionPosture};
pub use source_name::SourceName;

/// Bumped whenever a change to this model would make an older reader misread a newer file.
pub const SCHEMA_VERSION: u32 = 1;

/// The sources of evidence whose coverage every account-region of a snapshot of this schema version
/// records, sorted by id. This list is part of the schema: judging takes a group to be unused only when
/// each of these sources was read in its account-region, whatever the snapshot's own `coverage` lists
/// (a source that is not there is missing evidence). The collector's registry must hold exactly these
/// ids (a test in `sgaudit-collect` proves it). Adding a source here means a snapshot collected before it
/// existed lacks its evidence, so the groups of such a snapshot with no other evidence become `unknown`:
/// which is the truth about that snapshot.
pub const SOURCES: &[&str] = &[
    "amp-scrapers",
    "apigatewayv2-vpc-links",
    "apprunner-vpc-connectors",
    "appstream-fleets",
    "autoscaling-groups",
    "autoscaling-launch-configurations",
    "batch-compute-environments",
    "bedrock-agentcore-resources",
    "bedrock-marketplace-endpoints",
    "cloudhsm-clusters",
    "codebuild-fleets",
    "codebuild-projects",
    "codeconnections-hosts",
    "comprehend-models",
    "datasync-agents-locations",
    "datazone-connections",
    "dax-clusters",
    "deadline-license-endpoints",
    "devicefarm-projects",
    "dms-instance-profiles",
    "dms-replication-configs",
    "dms-replication-instances",
    "docdb-elastic-clusters",
    "drs-replication-settings",
    "ds-ad-assessments",
    "ds-directories",
    "ec2-client-vpn-endpoints",
    "ec2-fleets",
    "ec2-instance-connect-endpoints",
    "ec2-instances",
    "ec2-launch-templates",
    "ec2-network-interfaces",
    "ec2-peered-vpc-references",
    "ec2-security-group-vpc-associations",
    "ec2-security-groups",
    "ec2-spot-requests",
    "ec2-stale-security-group-rules",
    "ec2-verified-access-endpoints",
    "ec2-vpc-endpoints",
    "ecs-capacity-providers",
    "ecs-services",
    "efs-mount-targets",
    "eks-clusters",
    "elasticache-clusters",
    "elasticache-serverless-caches",
    "elasticbeanstalk-environments",
    "elasticsearch-domains",
    "elasticsearch-vpc-endpoints",
    "elb-classic-load-balancers",
    "elbv2-load-balancers",
    "emr-clusters",
    "emr-containers-managed-endpoints",
    "emr-serverless-applications",
    "emr-studios",
    "events-rules",
    "evs-environments",
    "finspace-kx-clusters",
    "firehose-delivery-streams",
    "fsx-file-systems",
    "glue-connections",
    "glue-dev-endpoints",
    "grafana-workspaces",
    "groundstation-dataflow-endpoint-groups",
    "imagebuilder-infrastructure-configurations",
    "iot-topic-rule-destinations",
    "kafkaconnect-connectors",
    "kendra-data-sources",
    "kinesisanalytics-applications",
    "lambda-capacity-providers",
    "lambda-event-source-mappings",
    "lambda-functions",
    "license-manager-user-subscriptions-identity-providers",
    "m2-environments",
    "mediaconnect-flows",
    "mediaconnect-router-network-interfaces",
    "medialive-channels",
    "memorydb-clusters",
    "mgn-replication-settings",
    "mq-brokers",
    "msk-clusters",
    "msk-replicators",
    "msk-vpc-connections",
    "mwaa-environments",
    "mwaa-serverless-workflows",
    "omics-configurations",
    "opensearch-domains",
    "opensearch-vpc-endpoints",
    "opensearchserverless-vpc-endpoints",
    "osis-pipeline-endpoints",
    "osis-pipelines",
    "pca-connector-ad-connectors",
    "pcs-clusters",
    "pipes-pipes",
    "qbusiness-data-sources",
    "quicksight-vpc-connections",
    "ram-shared-security-groups",
    "rds-db-clusters",
    "rds-db-instances",
    "rds-db-proxies",
    "rds-db-proxy-endpoints",
    "rds-option-groups",
    "redshift-clusters",
    "redshift-endpoint-access",
    "redshift-serverless-endpoint-access",
    "redshift-serverless-workgroups",
    "route53resolver-endpoints",
    "rtbfabric-gateways",
    "s3files-mount-targets",
    "s3outposts-endpoints",
    "sagemaker-domains",
    "sagemaker-endpoints",
    "sagemaker-hyperpod-clusters",
    "sagemaker-monitoring",
    "sagemaker-notebooks",
    "sagemaker-workforces",
    "scheduler-schedules",
    "securityagent-agent-spaces",
    "synthetics-canaries",
    "timestream-influxdb-databases",
    "transfer-servers",
    "vpc-lattice-resource-gateways",
    "vpc-lattice-service-network-vpc-associations",
    "workspaces-directories",
    "workspaces-web-network-settings",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    /// The sgaudit version that collected it.
    pub sgaudit_version: String,
    /// RFC 3339 UTC time the collection started; absent in hand-written fixtures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// Accounts that were asked for, including those that could not be read at all.
    pub accounts: Vec<Account>,
    /// One entry per account and region that was collected.
    pub regions: Vec<RegionSnapshot>,
    /// The families of checks it was collected for (`--checks`); a snapshot written before the account
    /// checks has none recorded, and was collected for `groups` alone.
    #[serde(default = "posture::families_before_account_checks")]
    pub families: Vec<Family>,
    /// Account-wide evidence for the account checks, one entry per account read, sorted by account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_evidence: Vec<AccountEvidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The account id; for an account that could not be reached through a profile, the profile's name.
    pub account_id: String,
    /// The account's name in the organization, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The profile (or role) the account was reached through, for the reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Why the account could not be read at all (credentials, assume-role, region list), if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SourceError>,
    /// Why the account was deliberately not scanned (suspended), if it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSnapshot {
    pub account_id: String,
    pub region: String,
    /// Every security group of the region, sorted by id.
    pub security_groups: Vec<SecurityGroup>,
    /// Every way a resource was seen holding a group, sorted.
    pub attachments: Vec<Attachment>,
    /// What each source of evidence managed to read, sorted by source id.
    pub coverage: Vec<SourceCoverage>,
    /// Rules of the region's groups that name a group across a VPC peering or transit gateway that no
    /// longer exists, or whose peering is gone (`ec2-stale-security-group-rules`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale_rules: Vec<StaleRule>,
    /// Regional evidence for the account checks (trails, network ACLs, EBS defaults).
    #[serde(default, skip_serializing_if = "RegionPosture::is_empty")]
    pub posture: RegionPosture,
    /// The paths from the internet into the region: subnets, routes, gateways, addresses, load balancers.
    #[serde(default, skip_serializing_if = "RegionNetwork::is_empty")]
    pub network: RegionNetwork,
}

impl Snapshot {
    /// Takes every region's network evidence out of the snapshot, in the order of its regions, leaving each
    /// region's `network` empty: for judging with the evidence apart, so that it can be freed once judged
    /// (`sgaudit_audit::audit_with_networks`).
    pub fn take_networks(&mut self) -> Vec<RegionNetwork> {
        self.regions.iter_mut().map(|r| std::mem::take(&mut r.network)).collect()
    }
}

impl RegionSnapshot {
    /// Gives back the spare capacity of every list in it, nested ones too. A list parsed from a snapshot file,
    /// or pushed to by a scan without the store, grows by doubling: 134 coverage entries sit in room for 256, a
    /// group's one rule in room for four. (A part read back from the store has none: serde parses it through a
    /// buffer that knows each list's length.)
    pub fn shrink_to_fit(&mut self) {
        self.security_groups.shrink_to_fit();
        for group in &mut self.security_groups {
            group.shrink_to_fit();
        }
        self.attachments.shrink_to_fit();
        self.coverage.shrink_to_fit();
        self.stale_rules.shrink_to_fit();
        self.posture.shrink_to_fit();
        self.network.shrink_to_fit();
    }

    /// The network interfaces of the region, each with the groups it holds, by interface id: the `eni`
    /// attachments of `ec2-network-interfaces` (the interfaces' addressing does not repeat them).
    pub fn interface_groups(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for a in &self.attachments {
            if let (ResourceKind::NetworkInterface, Via::Eni, Target::Group(g)) = (a.kind, a.via, &a.target) {
                let groups = out.entry(a.resource_id.as_str()).or_default();
                if !groups.contains(&g.as_str()) {
                    groups.push(g.as_str());
                }
            }
        }
        out
    }
}

/// What one unit of a scan collected: one account-region's evidence, or one account's account-wide evidence.
/// A scan hands each part over as soon as its unit completes (to be kept in the store's scan queue, for
/// `--resume` and for scans shared by several processes) rather than holding the organisation until the end;
/// [`Snapshot::add_part`] puts it in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", rename_all = "snake_case")]
pub enum Part {
    /// Boxed: an account-region's evidence is the larger variant by far, and parts are handed along.
    Region(Box<RegionSnapshot>),
    Account(AccountEvidence),
}

impl Part {
    /// The account and the unit's region (`ACCOUNT_UNIT` for account-wide evidence).
    pub fn unit(&self) -> (&str, &str) {
        match self {
            Part::Region(r) => (&r.account_id, &r.region),
            Part::Account(a) => (&a.account_id, ACCOUNT_UNIT),
        }
    }
}

/// The region name given to an account's unit of account-wide evidence (IAM, S3's bucket list), which is read
/// once per account; never a region's name.
pub const ACCOUNT_UNIT: &str = "account";

/// A stale rule, as EC2's `DescribeStaleSecurityGroups` reports it: one peer of one permission of a group,
/// naming a group in a peered VPC that was deleted, or across a peering that was deleted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StaleRule {
    pub group_id: String,
    pub direction: Direction,
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    /// The group the rule names, and that group's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_id: Option<String>,
    /// The peering's status as the rule still records it (`deleted`, `active`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The account that owns the group.
    pub owner_id: String,
    #[serde(default)]
    pub tags: Tags,
    #[serde(default)]
    pub ingress: Vec<Rule>,
    #[serde(default)]
    pub egress: Vec<Rule>,
}

impl SecurityGroup {
    /// Every VPC has exactly one group named `default`, which AWS refuses to delete.
    pub fn is_default(&self) -> bool {
        self.group_name == "default"
    }

    pub fn rules(&self) -> impl Iterator<Item = (Direction, &Rule)> {
        self.ingress.iter().map(|r| (Direction::Ingress, r)).chain(self.egress.iter().map(|r| (Direction::Egress, r)))
    }

    /// The ids of the groups its rules name (itself included, if it does), each once.
    pub fn referenced_groups(&self) -> std::collections::BTreeSet<&str> {
        self.rules().flat_map(|(_, r)| r.groups.iter().map(|g| g.group_id.as_str())).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Ingress, Direction::Egress];

    /// The word every report writes for it (`ingress`), as the snapshot file spells it.
    pub fn id(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl SecurityGroup {
    /// [`RegionSnapshot::shrink_to_fit`] for one group: its rules and their peers.
    pub fn shrink_to_fit(&mut self) {
        for rules in [&mut self.ingress, &mut self.egress] {
            rules.shrink_to_fit();
            for rule in rules.iter_mut() {
                rule.ipv4_ranges.shrink_to_fit();
                rule.ipv6_ranges.shrink_to_fit();
                rule.prefix_lists.shrink_to_fit();
                rule.groups.shrink_to_fit();
            }
        }
    }
}

/// One permission as the EC2 API groups it (`IpPermission`): a protocol and port range with its peers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a protocol number, as AWS reports it.
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4_ranges: Vec<Peer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_ranges: Vec<Peer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<Peer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupPeer>,
}

/// A CIDR block or prefix list id, with the rule's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A rule that names another group (`UserIdGroupPair`), possibly of another account or a peered VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPeer {
    pub group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How a resource was seen holding a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A network interface that holds the group (the attachment's `resource_id` is the interface's id).
    Eni,
    /// The resource's own configuration names the group (it may have no ENI right now).
    Config,
    /// Another group's rule names the group.
    Rule,
    /// The group is shared with another account (AWS RAM) or associated with a VPC of another account: not
    /// a use, but uses may exist where only a scan of that account sees them. The attachment's
    /// `resource_id` is that account (or the organisation or OU it is shared with); the audit keeps the
    /// group `unknown` unless that account's region was read completely in the same snapshot.
    Shared,
}

impl Via {
    pub const ALL: [Via; 4] = [Via::Eni, Via::Config, Via::Rule, Via::Shared];

    /// The word every report writes for it (`eni`), as the snapshot file spells it.
    pub fn id(self) -> &'static str {
        match self {
            Via::Eni => "eni",
            Via::Config => "config",
            Via::Rule => "rule",
            Via::Shared => "shared",
        }
    }
}

/// What a resource names: a group directly, or a network interface whose groups it holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Group(String),
    /// A network interface: the resource holds whatever groups the interface holds, as the region's
    /// `network-interface` attachments (via `eni`) tell.
    NetworkInterface(String),
    /// A group named by its name, as launch templates, launch configurations and Beanstalk settings may do
    /// in a default VPC. Judging counts every group of that name in the account-region as held: a name
    /// cannot be traced to one VPC, and a false "unused" costs more than a false "in use".
    GroupName(String),
}

/// "Resource X (of kind K) holds group G", as one source saw it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Attachment {
    pub target: Target,
    pub kind: ResourceKind,
    /// The resource's id or ARN.
    pub resource_id: String,
    pub via: Via,
    /// The source that saw it (a `SourceId`).
    pub source: SourceName,
    /// Extra context for people (the state of an instance, the field that named the group, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCoverage {
    pub source: SourceName,
    #[serde(flatten)]
    pub state: CoverageState,
    /// API requests the source made (every page and retry attempt counted).
    #[serde(default)]
    pub requests: u32,
    /// Resources the source listed.
    #[serde(default)]
    pub items: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CoverageState {
    /// Every page was read.
    Complete,
    /// The caller was refused (IAM, SCP, permission boundary): the evidence is missing. (Boxed, as in
    /// `Failed`: most entries are `Complete`, and an organisation's snapshot has millions of them.)
    Denied { error: Box<SourceError> },
    /// The list did not complete (throttled out, 5xx, timeout, bad page): the evidence is missing.
    Failed { error: Box<SourceError> },
    /// The service does not exist in this region or account: there can be nothing to find.
    NotApplicable { reason: String },
}

impl CoverageState {
    /// The ids of the states, in the order of the variants: what [`CoverageState::id`] gives.
    pub const IDS: [&'static str; 4] = ["complete", "denied", "failed", "not_applicable"];

    /// The word every report writes for the state (`not_applicable`), as the snapshot file spells it.
    pub fn id(&self) -> &'static str {
        match self {
            Self::Complete => Self::IDS[0],
            Self::Denied { .. } => Self::IDS[1],
            Self::Failed { .. } => Self::IDS[2],
            Self::NotApplicable { .. } => Self::IDS[3],
        }
    }

    /// Whether this source's evidence is whole: read in full, or nothing to read.
    pub fn is_whole(&self) -> bool {
        matches!(self, Self::Complete | Self::NotApplicable { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceError {
    /// The AWS error code (`AccessDenied`, `ThrottlingException`, ...) or a sgaudit code (`timeout`,
    /// `dispatch`, `truncated`).
    pub code: String,
    pub message: String,
    /// The IAM action that was refused, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Whether the refusal came from an explicit deny in a service control policy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scp_deny: bool,
}

/// `AccessDeniedException (lambda:ListFunctions) denied explicitly by a service control policy: ...`: the
/// error in one line for people.
impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)?;
        if let Some(action) = &self.action {
            write!(f, " ({action})")?;
        }
        // A refusal says by what, as far as AWS tells: `denied explicitly by a service control policy`.
        if let Some(denial) = self.denial().filter(|d| d.explicit || d.by.is_some()) {
            write!(f, " {denial}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read snapshot {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a sgaudit snapshot: {source}")]
    Parse {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path} has snapshot schema version {found}; this sgaudit reads version {SCHEMA_VERSION}")]
    Version { path: String, found: u64 },
    /// It parses, but an identifier is malformed or repeated (see [`Snapshot::validate`]).
    #[error("{path} is not a valid sgaudit snapshot: {problem}")]
    Invalid { path: String, problem: String },
}

impl Snapshot {
    pub fn new(sgaudit_version: &str, collected_at: Option<String>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            sgaudit_version: sgaudit_version.to_string(),
            collected_at,
            accounts: Vec::new(),
            regions: Vec::new(),
            families: Family::ALL.to_vec(),
            account_evidence: Vec::new(),
        }
    }

    /// Puts a part of a scan in its place (a region, or an account's account-wide evidence); call
    /// [`Snapshot::normalize`] once all are in.
    /// Puts a part in place, without the spare capacity its lists were parsed with.
    pub fn add_part(&mut self, part: Part) {
        match part {
            Part::Region(mut region) => {
                region.shrink_to_fit();
                self.regions.push(*region);
            }
            Part::Account(mut evidence) => {
                evidence.shrink_to_fit();
                self.account_evidence.push(evidence);
            }
        }
    }

    /// The group with this id, in whichever account and region it lives (group ids are unique).
    pub fn group_mut(&mut self, group_id: &str) -> Option<&mut SecurityGroup> {
        self.regions.iter_mut().flat_map(|r| r.security_groups.iter_mut()).find(|g| g.group_id == group_id)
    }

    /// Puts everything in its canonical order, so equal estates serialise to equal bytes.
    pub fn normalize(&mut self) {
        self.accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        self.regions.sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
        for region in &mut self.regions {
            region.security_groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
            region.attachments.sort();
            region.attachments.dedup();
            region.coverage.sort_by(|a, b| a.source.cmp(&b.source));
            region.stale_rules.sort();
            region.stale_rules.dedup();
            let posture = &mut region.posture;
            posture.trails.sort_by(|a, b| a.arn.cmp(&b.arn));
            posture.trails.dedup_by(|a, b| a.arn == b.arn);
            posture.network_acls.sort_by(|a, b| a.network_acl_id.cmp(&b.network_acl_id));
            posture.instances_outside_vpc.sort();
            posture.instances_outside_vpc.dedup();
            posture.prefix_lists.sort_by(|a, b| a.prefix_list_id.cmp(&b.prefix_list_id));
            posture.prefix_lists.dedup_by(|a, b| a.prefix_list_id == b.prefix_list_id);
            posture.quotas.sort_by(|a, b| (&a.service_code, &a.code).cmp(&(&b.service_code, &b.code)));
            region.network.normalize();
        }
        self.families.sort();
        self.families.dedup();
        self.account_evidence.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        for evidence in &mut self.account_evidence {
            evidence.coverage.sort_by(|a, b| a.source.cmp(&b.source));
            evidence.buckets.sort_by(|a, b| a.name.cmp(&b.name));
            if let Some(report) = &mut evidence.credential_report {
                report.users.sort_by(|a, b| a.arn.cmp(&b.arn));
            }
        }
    }

    /// Whether it was collected for `family`.
    pub fn has_family(&self, family: Family) -> bool {
        self.families.contains(&family)
    }

    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses a snapshot, checking its schema version before anything else so that a file of another
    /// version gets that message rather than a confusing field error, then its identifiers
    /// ([`Snapshot::validate`]).
    pub fn from_json(text: &str, path: &str) -> Result<Self, LoadError> {
        let parse_error = |source| LoadError::Parse { path: path.to_string(), source };
        // One pass in the common case; only a file that does not parse is looked at again, for its version,
        // so that a snapshot of another version gets that message rather than a confusing field error.
        #[derive(Deserialize)]
        struct Version {
            schema_version: Option<u64>,
        }
        let check_version = || -> Result<(), LoadError> {
            let version: Version = serde_json::from_str(text).map_err(parse_error)?;
            match version.schema_version {
                Some(v) if v == u64::from(SCHEMA_VERSION) => Ok(()),
                Some(found) => Err(LoadError::Version { path: path.to_string(), found }),
                None => Err(parse_error(serde::de::Error::custom("missing field `schema_version`"))),
            }
        };
        match parse_parallel(text) {
            Ok(snapshot) if snapshot.schema_version == SCHEMA_VERSION => match snapshot.validate() {
                Ok(()) => Ok(snapshot),
                Err(problem) => Err(LoadError::Invalid { path: path.to_string(), problem }),
            },
            Ok(snapshot) => {
                Err(LoadError::Version { path: path.to_string(), found: u64::from(snapshot.schema_version) })
            }
            Err(err) => {
                check_version()?;
                Err(parse_error(err))
            }
        }
    }

    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: shown.clone(), source })?;
        Self::from_json(&text, &shown)
    }
}

fn shrunk<T>(mut list: Vec<T>) -> Vec<T> {
    list.shrink_to_fit();
    list
}

/// Parses a snapshot on every core: the regions' large parts (groups and attachments) are found
/// first as raw text, in one quick pass, then parsed side by side. The result is the same as one
/// `serde_json::from_str`, in the same order.
fn parse_parallel(text: &str) -> Result<Snapshot, serde_json::Error> {
    use rayon::iter::{IndexedParallelIterator, IntoParallelRefIterator, ParallelIterator};
    use serde_json::value::RawValue;

    #[derive(Deserialize)]
    struct RawSnapshot<'a> {
        schema_version: u32,
        sgaudit_version: String,
        #[serde(default)]
        collected_at: Option<String>,
        accounts: Vec<Account>,
        #[serde(borrow)]
        regions: Vec<RawRegion<'a>>,
        #[serde(default = "posture::families_before_account_checks")]
        families: Vec<Family>,
        #[serde(default)]
        account_evidence: Vec<AccountEvidence>,
    }
    #[derive(Deserialize)]
    struct RawRegion<'a> {
        account_id: String,
        region: String,
        #[serde(borrow)]
        security_groups: &'a RawValue,
        #[serde(borrow)]
        attachments: &'a RawValue,
        coverage: Vec<SourceCoverage>,
        #[serde(default)]
        stale_rules: Vec<StaleRule>,
        #[serde(default)]
        posture: RegionPosture,
        #[serde(borrow, default)]
        network: Option<&'a RawValue>,
    }
    enum Part {
        Groups(Vec<SecurityGroup>),
        Attachments(Vec<Attachment>),
        Network(RegionNetwork),
    }

    let raw: RawSnapshot = serde_json::from_str(text)?;
    // (region index, which part, raw text), largest first so the threads finish together.
    let mut work: Vec<(usize, u8, &str)> = Vec::new();
    for (i, r) in raw.regions.iter().enumerate() {
        work.push((i, 0, r.security_groups.get()));
        work.push((i, 1, r.attachments.get()));
        if let Some(network) = r.network {
            work.push((i, 2, network.get()));
        }
    }
    work.sort_by_key(|w| std::cmp::Reverse(w.2.len()));
    let parse = |&(i, part, text): &(usize, u8, &str)| -> Result<(usize, Part), serde_json::Error> {
        Ok((
            i,
            // Each list parsed grows by doubling: what it does not use is given back, so that a large snapshot holds
            // its evidence and not up to as much again in spare capacity while it is judged.
            match part {
                0 => Part::Groups(serde_json::from_str::<Vec<SecurityGroup>>(text).map(|mut groups| {
                    groups.shrink_to_fit();
                    groups.iter_mut().for_each(SecurityGroup::shrink_to_fit);
                    groups
                })?),
                1 => Part::Attachments(serde_json::from_str::<Vec<_>>(text).map(shrunk)?),
                _ => Part::Network(serde_json::from_str::<RegionNetwork>(text).map(|mut n| {
                    n.shrink_to_fit();
                    n
                })?),
            },
        ))
    };
    // rayon's pool, a thread per core. Each part is a task of its own (`with_max_len(1)`): an idle thread
    // steals the next part, not half of the list, so the threads finish within one part of each other; the
    // results come back in `work`'s order. A part that fails to parse fails the load (never vanishes: a
    // missing attachment would turn into a false "unused"); a panic in a parser reaches this caller, as it
    // would without threads.
    let parsed: Vec<Result<(usize, Part), serde_json::Error>> = work.par_iter().with_max_len(1).map(parse).collect();

    let mut regions: Vec<RegionSnapshot> = raw
        .regions
        .into_iter()
        .map(|r| {
            let mut region = RegionSnapshot {
                account_id: r.account_id,
                region: r.region,
                security_groups: Vec::new(),
                attachments: Vec::new(),
                coverage: r.coverage,
                stale_rules: r.stale_rules,
                posture: r.posture,
                network: RegionNetwork::default(),
            };
            // Its parsed lists (the three large ones are put in place below, shrunk as they were parsed).
            region.shrink_to_fit();
            region
        })
        .collect();
    for result in parsed {
        let (i, part) = result?;
        match part {
            Part::Groups(g) => regions[i].security_groups = g,
            Part::Attachments(a) => regions[i].attachments = a,
            Part::Network(n) => regions[i].network = n,
        }
    }
    let mut account_evidence = raw.account_evidence;
    account_evidence.iter_mut().for_each(AccountEvidence::shrink_to_fit);
    Ok(Snapshot {
        schema_version: raw.schema_version,
        sgaudit_version: raw.sgaudit_version,
        collected_at: raw.collected_at,
        accounts: raw.accounts,
        regions,
        families: raw.families,
        account_evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_schema_version_is_refused_by_name() {
        let err = Snapshot::from_json(r#"{"schema_version": 99}"#, "x.json").unwrap_err();
        assert!(matches!(err, LoadError::Version { found: 99, .. }), "{err}");
    }

    #[test]
    fn not_json_is_a_parse_error() {
        let err = Snapshot::from_json("hello", "x.json").unwrap_err();
        assert!(matches!(err, LoadError::Parse { .. }));
    }

    /// A snapshot loaded, or a part built by pushing (as a scan without the store builds them), keeps no spare
    /// room in its lists (a list parsed from JSON, or pushed to, grows by doubling: 134 coverage entries in
    /// room for 256), and nothing else changes. (A part read back from the store is parsed through serde's
    /// buffer, which knows each list's length: no spare room to start with.)
    #[test]
    fn lists_keep_no_spare_capacity() {
        let coverage: Vec<String> = (0..5)
            .map(|i| format!(r#"{{"source": "s{i}", "state": "complete", "requests": 1, "items": 0}}"#))
            .collect();
        let text = format!(
            r#"{{"schema_version": {SCHEMA_VERSION}, "sgaudit_version": "0.0.0", "accounts": [],
                "regions": [{{"account_id": "111122223333", "region": "eu-west-1", "coverage": [{}],
                "attachments": [], "security_groups": [{{"group_id": "sg-1", "group_name": "web", "description": "",
                "owner_id": "111122223333", "ingress": [{{"protocol": "tcp", "from_port": 443, "to_port": 443,
                "ipv4_ranges": [{{"id": "0.0.0.0/0"}}]}}], "egress": []}}],
                "network": {{"interfaces": [{{"network_interface_id": "eni-1", "subnet_id": "subnet-1",
                "vpc_id": "vpc-1", "private_ips": ["10.0.0.1"]}}]}}}}]}}"#,
            coverage.join(",")
        );
        let grown: RegionSnapshot =
            serde_json::from_str(&text[text.find(r#"{"account_id""#).unwrap()..text.len() - 2]).unwrap();
        assert!(grown.coverage.capacity() > grown.coverage.len(), "serde grew it by doubling: nothing to test");
        let loaded = Snapshot::from_json(&text, "x.json").unwrap();
        let region = &loaded.regions[0];
        assert_eq!(region, &grown);
        let capacities = |r: &RegionSnapshot| {
            let group = &r.security_groups[0];
            (
                r.coverage.capacity(),
                group.ingress.capacity(),
                group.ingress[0].ipv4_ranges.capacity(),
                r.network.interfaces[0].private_ips.capacity(),
            )
        };
        assert_eq!(capacities(region), (5, 1, 1, 1));

        let mut snapshot = Snapshot::new("0.0.0", None);
        snapshot.add_part(Part::Region(Box::new(grown.clone())));
        assert_eq!(snapshot.regions[0], grown);
        assert_eq!(capacities(&snapshot.regions[0]), (5, 1, 1, 1));
    }

    #[test]
    fn round_trips() {
        let mut snap = Snapshot::new("0.0.0", None);
        snap.regions.push(RegionSnapshot {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
            security_groups: vec![],
            attachments: vec![],
            coverage: vec![SourceCoverage {
                source: "lambda-functions".into(),
                state: CoverageState::Denied {
                    error: Box::new(SourceError {
                        code: "AccessDeniedException".into(),
                        message: "no".into(),
                        action: Some("lambda:ListFunctions".into()),
                        scp_deny: true,
                    }),
                },
                requests: 1,
                items: 0,
            }],
            stale_rules: vec![StaleRule {
                group_id: "sg-0a".into(),
                direction: Direction::Ingress,
                protocol: "tcp".into(),
                from_port: Some(443),
                to_port: Some(443),
                peer_group_id: Some("sg-0b".into()),
                peer_account_id: Some("444455556666".into()),
                vpc_peering_connection_id: Some("pcx-0c".into()),
                peering_status: Some("deleted".into()),
            }],
            posture: RegionPosture {
                ebs_encryption_by_default: Some(false),
                instances_outside_vpc: vec!["i-0a".into()],
                prefix_lists: vec![posture::PrefixList {
                    prefix_list_id: "pl-0a".into(),
                    name: "partners".into(),
                    owner_id: "111122223333".into(),
                    address_family: "IPv4".into(),
                    max_entries: Some(40),
                }],
                quotas: vec![posture::AppliedQuota {
                    service_code: "vpc".into(),
                    code: posture::QUOTA_GROUPS_PER_INTERFACE.into(),
                    value: Some(10),
                }],
                ..Default::default()
            },
            network: RegionNetwork {
                internet_gateways: vec![network::InternetGateway {
                    internet_gateway_id: "igw-0a".into(),
                    vpcs: vec!["vpc-0a".into()],
                }],
                ..Default::default()
            },
        });
        let back = Snapshot::from_json(&snap.to_json(), "x").unwrap();
        assert_eq!(back, snap);
    }

    #[test]
    fn the_expected_sources_are_sorted_unique_kebab_case() {
        assert!(SOURCES.windows(2).all(|w| w[0] < w[1]), "sorted, each once: {SOURCES:?}");
        for id in SOURCES {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
        }
    }

    const A: &str = "111122223333";

    fn group(id: &str) -> SecurityGroup {
        SecurityGroup {
            group_id: id.into(),
            group_name: "g".into(),
            description: String::new(),
            vpc_id: Some("vpc-0a1b".into()),
            owner_id: A.into(),
            tags: Default::default(),
            ingress: vec![],
            egress: vec![],
        }
    }

    fn region(name: &str, groups: &[&str]) -> RegionSnapshot {
        RegionSnapshot {
            account_id: A.into(),
            region: name.into(),
            security_groups: groups.iter().map(|g| group(g)).collect(),
            attachments: vec![],
            coverage: vec![],
            stale_rules: vec![],
            posture: Default::default(),
            network: Default::default(),
        }
    }

    /// A valid snapshot as JSON, changed by `edit`, then loaded: the load error's message, if any.
    fn load_edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Snapshot, String> {
        let mut snap = Snapshot::new("0.0.0", None);
        snap.accounts.push(Account { account_id: A.into(), name: None, profile: None, error: None, skipped: None });
        snap.regions = vec![region("us-east-1", &["sg-0a01", "sg-0a02"]), region("eu-west-1", &["sg-0b01"])];
        let mut doc: serde_json::Value = serde_json::from_str(&snap.to_json()).unwrap();
        edit(&mut doc);
        Snapshot::from_json(&doc.to_string(), "snap.json").map_err(|e| match e {
            LoadError::Invalid { .. } => e.to_string(),
            other => panic!("not an Invalid error: {other}"),
        })
    }

    fn refused(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let message = load_edited(edit).expect_err("the snapshot should be refused");
        assert!(!message.chars().any(char::is_control), "one harmless line: {message:?}");
        assert!(message.starts_with("snap.json is not a valid sgaudit snapshot: "), "{message}");
        message
    }

    /// The parts are parsed side by side (largest first): every region gets back its own groups, in the file's
    /// order, and a part that does not parse fails the whole load, wherever it is.
    #[test]
    fn parts_parsed_side_by_side_come_back_whole_and_in_order() {
        let mut snap = Snapshot::new("0.0.0", None);
        snap.accounts.push(Account { account_id: A.into(), name: None, profile: None, error: None, skipped: None });
        // Regions of different sizes, so that the largest-first order differs from the file's.
        let names = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1"];
        for (r, name) in names.iter().enumerate() {
            let ids: Vec<String> = (0..(r * 37) % 100).map(|i| format!("sg-{r:02x}{i:04x}")).collect();
            snap.regions.push(region(name, &ids.iter().map(String::as_str).collect::<Vec<_>>()));
            // Some regions with evidence of reachability, a part of its own.
            if r % 2 == 0 {
                snap.regions[r].network.internet_gateways = vec![network::InternetGateway {
                    internet_gateway_id: format!("igw-{r}"),
                    vpcs: vec!["vpc-1".into()],
                }];
            }
        }
        let text = snap.to_json();
        let back = Snapshot::from_json(&text, "x").unwrap();
        assert_eq!(back, snap);
        assert_eq!(back, serde_json::from_str::<Snapshot>(&text).unwrap(), "as one serde_json pass reads it");

        let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        doc["regions"][6]["security_groups"][0]["owner_id"] = serde_json::json!(12);
        let err = Snapshot::from_json(&doc.to_string(), "x.json").unwrap_err();
        assert!(matches!(err, LoadError::Parse { .. }), "{err}");
        assert!(err.to_string().starts_with("x.json is not a sgaudit snapshot: invalid type"), "{err}");
        let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        doc["regions"][4]["network"]["internet_gateways"][0]["vpcs"] = serde_json::json!("vpc-1");
        let err = Snapshot::from_json(&doc.to_string(), "x.json").unwrap_err();
        assert!(err.to_string().starts_with("x.json is not a sgaudit snapshot: invalid type"), "{err}");
    }

    #[test]
    fn a_valid_snapshot_loads() {
        let snap = load_edited(|_| {}).unwrap();
        assert_eq!(snap.regions.len(), 2);
        // No VPC (EC2-Classic) is fine; a profile name stands for an account that could not be read.
        load_edited(|d| {
            d["regions"][0]["security_groups"][0].as_object_mut().unwrap().remove("vpc_id");
            d["accounts"][0]["account_id"] = "dev profile (SSO)".into();
            d["accounts"][0]["error"] = serde_json::json!({"code": "credentials", "message": "expired"});
        })
        .unwrap();
    }

    #[test]
    fn a_group_id_twice_is_refused_naming_both_places() {
        let m = refused(|d| d["regions"][1]["security_groups"][0]["group_id"] = "sg-0a01".into());
        assert!(m.contains("group sg-0a01 appears more than once"), "{m}");
        assert!(m.contains("111122223333/us-east-1") && m.contains("111122223333/eu-west-1"), "{m}");
        // Within one region too.
        let m = refused(|d| d["regions"][0]["security_groups"][1]["group_id"] = "sg-0a01".into());
        assert!(m.contains("group sg-0a01 appears more than once"), "{m}");
    }

    #[test]
    fn an_account_region_twice_is_refused() {
        let m = refused(|d| d["regions"][1]["region"] = "us-east-1".into());
        assert!(m.contains("account-region 111122223333/us-east-1 appears more than once"), "{m}");
    }

    #[test]
    fn a_region_that_is_not_a_region_name_is_refused() {
        let m = refused(|d| d["regions"][0]["region"] = "us-east-1\nReviewing security group (1/1): forged".into());
        assert!(m.contains(r#"region "us-east-1\nReviewing"#), "escaped: {m}");
        for bad in ["US-EAST-1", "us-east-1 ", "us-east", "us-east-1\u{85}", ""] {
            refused(|d| d["regions"][0]["region"] = bad.into());
        }
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        let m = refused(|d| d["regions"][0]["account_id"] = "\u{1b}]0;pwned\u{7}\u{1b}[2J".into());
        assert!(m.contains(r#"regions[0]: account id "\u{1b}]0;pwned\u{7}\u{1b}[2J" is not 12 digits"#), "{m}");
        refused(|d| d["regions"][0]["account_id"] = "11112222333".into());
        let m = refused(|d| d["regions"][0]["security_groups"][0]["owner_id"] = "amazon-elb".into());
        assert!(m.contains(r#"group sg-0a01 in 111122223333/us-east-1: owner id "amazon-elb""#), "{m}");
        let m = refused(|d| d["accounts"][0]["account_id"] = "prod".into());
        assert!(m.contains(r#"accounts[0]: account id "prod" is not 12 digits"#), "{m}");
        // A profile name, for an account that could not be read, still has no control characters.
        refused(|d| {
            d["accounts"][0]["account_id"] = "dev\u{9b}31m".into();
            d["accounts"][0]["error"] = serde_json::json!({"code": "credentials", "message": "expired"});
        });
    }

    #[test]
    fn group_and_vpc_ids_are_aws_ids() {
        let m = refused(|d| d["regions"][0]["security_groups"][0]["group_id"] = "sg-web".into());
        assert!(
            m.contains(r#"group id "sg-web" in 111122223333/us-east-1 is not sg- followed by lowercase hex"#),
            "{m}"
        );
        refused(|d| d["regions"][0]["security_groups"][0]["group_id"] = "sg-0A01".into());
        refused(|d| d["regions"][0]["security_groups"][0]["group_id"] = "sg-0a01\r".into());
        let m = refused(|d| d["regions"][0]["security_groups"][1]["vpc_id"] = "vpc-main".into());
        assert!(m.contains(r#"group sg-0a02 in 111122223333/us-east-1: VPC id "vpc-main""#), "{m}");
    }
}

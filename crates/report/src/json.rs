//! The JSON document: a frozen, versioned shape, separate from the internal types, so that internal
//! changes don't break the scripts that read it. `docs/formats.md` describes it field by field, and its
//! JSON Schema, generated from the types below ([`schema`]), is published as
//! `docs/schema/sgaudit-report.v2.schema.json` (a test keeps the two equal and validates documents against it).
//!
//! Every field has a type of this module: no internal type is serialised directly, so a change to the
//! audit's or the snapshot's types cannot change the document unseen. The words of sgaudit's vocabulary (a
//! status, a risk, a severity, an outcome, a rule's direction, how a use was seen, an account's and a
//! source's state) are written as the one id every report writes for them (`Status::id`, `Direction::id`,
//! ...), through [`Id`], and the schema lists those ids from the same definitions.
//!
//! Schema version 2 (issue 11, the account checks) added `families`, `results` (one entry per result of the
//! account and regional checks: IAM, CloudTrail, S3, network), `summary.by_outcome` and `account_coverage`
//! (the account-wide sources), and changed what a version-1 reader could misread, hence the bump:
//! - the `controls` of the group findings are named with their version and catalogue (`AWS Security Hub
//!   EC2.13`, `CIS AWS v3.0.0 5.4`, where version 1 wrote `AWS FSBP EC2.13`, `CIS AWS 5.2`);
//! - `summary.partial` is also true when a check could not be evaluated;
//! - `security_groups` is empty, and `summary.groups` 0, when the `groups` family was not judged
//!   (`families` says which were), which no longer means the estate has no groups.
//!
//! The `security_groups` entries themselves are unchanged.
//!
//! Added in version 2 without a bump (issue 14, sgaudit's memory), each absent where it has nothing to say
//! so that a document of a run without a store or a config file is what it was: per group `unused_since`
//! and `marked_in_use`, per finding and per result `muted`; always present, `summary.muted` (the counts of
//! what exceptions muted) and `exceptions` (every exception declared for the run, and its state).
//!
//! Added in version 2 without a bump (issue 16, reachability and fixes): per group `reachability` (always
//! present: its `state`, with `paths`, `blocked` and `missing` where they have something to say), and per
//! finding and per result `fix` (absent where no fix can be written).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::marker::PhantomData;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};
use sgaudit_audit::exceptions::{ExceptionState, ExceptionStatus};
use sgaudit_audit::reach::{GroupReach, ReachState};
use sgaudit_audit::{AccountState, Audit, CheckResult, Fix, GroupVerdict, Muted, Outcome, Risk, Severity, Status};
use sgaudit_snapshot::{CoverageState, Direction, Snapshot, SourceCoverage, Via};

/// Bumped on any change that could break a reader; additions of fields keep it. 2: the account checks
/// (see the module's documentation).
pub const SCHEMA_VERSION: u32 = 2;

/// A security group audit by sgaudit: every group's verdict and findings, every result of the account and
/// regional checks, and what evidence was read. Readers must ignore fields they do not know: fields are
/// added without a new `schema_version`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "sgaudit report", rename = "Report")]
struct Document<'a> {
    /// The version of this document's shape: 2.
    #[schemars(extend("const" = SCHEMA_VERSION))]
    schema_version: u32,
    /// The version of sgaudit that collected the snapshot.
    sgaudit_version: &'a str,
    /// When the snapshot was collected (RFC 3339), where it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    collected_at: Option<&'a str>,
    /// The families judged (`groups`, `network`, `iam`, `cloudtrail`, `s3`).
    families: Vec<&'static str>,
    summary: Summary,
    /// Every group's verdict; empty when the `groups` family was not judged.
    security_groups: Each<'a, Group<'a>>,
    /// Every result of the account and regional checks, in the audit's order.
    // Written as they are made, each failure's fix only then: held for every result at once, the fixes were a
    // fifth of the peak of an organisation scan's end (heaptrack, issue 15).
    results: Each<'a, ResultEntry<'a>>,
    /// What each source of group evidence read, per account and region.
    coverage: Each<'a, Coverage<'a>>,
    /// The account-wide sources (IAM, the S3 account settings and bucket list), per account; `region` is
    /// the region their calls were made from.
    account_coverage: Vec<Coverage<'a>>,
    /// Every account asked for, read or not.
    accounts: Vec<Account<'a>>,
    /// Every exception declared for this run (`sgaudit.toml`, `sgaudit mark`) and what became of it; empty
    /// without any.
    exceptions: Vec<Exception<'a>>,
}

#[derive(Serialize, JsonSchema)]
struct Summary {
    /// The groups judged (0 when the `groups` family was not).
    groups: usize,
    /// Groups by status.
    by_status: Counts<Status>,
    /// Groups by risk.
    by_risk: Counts<Risk>,
    /// Results of the account and regional checks by outcome.
    by_outcome: Counts<Outcome>,
    /// True when some evidence could not be read, or a check could not be evaluated (exit code 3).
    partial: bool,
    /// How much of the estate was read.
    estate: Estate,
    /// What exceptions muted, counted apart: the counts above include them, and `--fail-on` does not.
    muted: MutedSummary,
}

/// What exceptions muted in this run.
#[derive(Serialize, JsonSchema)]
struct MutedSummary {
    /// Group findings muted.
    findings: usize,
    /// Results of the account and regional checks muted, of any outcome.
    results: usize,
    /// Of those results, the failures (`by_outcome.fail` includes them).
    failed_results: usize,
    /// Groups marked in use by people (`sgaudit mark GROUP --in-use`, or an `in_use` exception).
    groups_marked_in_use: usize,
}

/// The exception that mutes a finding or a result, or marks a group in use.
#[derive(Serialize, JsonSchema)]
struct MutedBy<'a> {
    /// Why it is accepted, as declared.
    reason: &'a str,
    /// Who answers for it.
    owner: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    /// The last day it holds (`YYYY-MM-DD`, UTC), if it ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
    /// Where it was declared: `sgaudit.toml:12`, or `mark` for one recorded with `sgaudit mark`.
    declared_at: &'a str,
}

/// One declared exception and what became of it in this run.
#[derive(Serialize, JsonSchema)]
struct Exception<'a> {
    /// Where it was declared: `sgaudit.toml:12`, or `mark`.
    declared_at: &'a str,
    reason: &'a str,
    owner: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
    /// True for a use sgaudit cannot see (`in_use = true`, or `sgaudit mark`): it marks the groups it
    /// matches in use rather than muting findings.
    in_use: bool,
    /// `active` (it matched), `expired` (past its date: it mutes nothing), `unmatched` (in force, matched
    /// nothing).
    state: Id<ExceptionStatus>,
    /// How many findings, results or groups it muted or marked (0 when expired or unmatched).
    matched: usize,
}

/// How much of the estate was read: accounts, account-regions and source lists, read and in all.
#[derive(Serialize, JsonSchema)]
struct Estate {
    accounts_read: usize,
    accounts: usize,
    regions_read: usize,
    regions: usize,
    sources_read: usize,
    sources: usize,
}

/// One result of an account or regional check.
#[derive(Serialize, JsonSchema)]
struct ResultEntry<'a> {
    /// The check's stable id (`iam-root-mfa`).
    check: &'static str,
    /// The check's title: it names the failure.
    title: &'static str,
    family: &'static str,
    /// `not_evaluated`: its evidence could not be read, never a pass.
    outcome: Id<Outcome>,
    /// The failure's severity; `informational` for a pass.
    severity: Id<Severity>,
    account_id: &'a str,
    /// `null` for an account-wide result (IAM, the S3 account settings).
    region: Option<&'a str>,
    /// Security Hub's name for the kind of resource (`AwsIamUser`, `AwsS3Bucket`, `AwsAccount`).
    resource_type: &'static str,
    /// Its ARN, or id where it has none.
    resource: &'a str,
    /// What was seen, in a sentence; for `not_evaluated`, what could not be read.
    evidence: &'a str,
    controls: &'static [&'static str],
    /// The exception that mutes it; absent when none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    muted: Option<MutedBy<'a>>,
    /// The change that fixes a failure; absent where none can be written.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixEntry<'a>>,
}

/// The change that fixes a finding or a result, ready to review. sgaudit never applies it.
#[derive(Serialize, JsonSchema)]
struct FixEntry<'a> {
    /// What the change does, in a sentence.
    summary: Cow<'a, str>,
    /// AWS CLI commands, in the order to run them, one per entry; absent when the fix has none.
    #[serde(skip_serializing_if = "no_commands")]
    cli: Cow<'a, [String]>,
    /// A Terraform snippet of the rules as they should be after the change; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    terraform: Option<Cow<'a, str>>,
}

fn no_commands(cli: &[String]) -> bool {
    cli.is_empty()
}

/// Whether the internet reaches what the group guards through it, and by which paths.
#[derive(Serialize, JsonSchema)]
struct Reachability<'a> {
    /// `reachable` (`paths` say how), `not_reachable` (its world-open rules reach nothing: `blocked` says
    /// why), `unknown` (evidence missing: `missing` says which; never read as not reachable), `not_exposed`
    /// (no world-open rule, and no internet-facing load balancer in front of it).
    state: Id<ReachState>,
    /// Every way in from the internet that was found; absent when none was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<ReachPath<'a>>,
    /// Why its world-open rules reach nothing, one sentence per interface or load balancer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    blocked: Vec<&'a str>,
    /// The evidence that was missing: a source not read in full (its id), or a piece of a path (`the
    /// network ACL of subnet-0a`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<&'a str>,
}

/// One way in from the internet.
#[derive(Serialize, JsonSchema)]
struct ReachPath<'a> {
    /// `direct` (an interface's public address, through an internet gateway), `load_balancer` (an
    /// internet-facing load balancer's listener), `target` (a target, through such a load balancer).
    via: Id<sgaudit_audit::reach::Via>,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `all`, or a protocol number.
    protocol: &'a str,
    /// The ports reached; absent for a protocol without ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    ports: Option<PortRange>,
    /// What is reached: an interface, a load balancer, a target's interface.
    resource: &'a str,
    /// The path in words: `tcp 22 reachable from the internet on eni-0a (instance i-0a, 54.1.2.3) via igw-0a
    /// (route table rtb-0a, network ACL acl-0a)`.
    text: &'a str,
}

/// A range of ports, both ends included.
#[derive(Serialize, JsonSchema)]
struct PortRange {
    from: u16,
    to: u16,
}

/// One security group and the verdict on it.
#[derive(Serialize, JsonSchema)]
struct Group<'a> {
    account_id: &'a str,
    region: &'a str,
    group_id: &'a str,
    group_name: &'a str,
    vpc_id: Option<&'a str>,
    description: &'a str,
    owner_id: &'a str,
    is_default: bool,
    /// `unknown`: some evidence could not be read and no use was found; never `unused`.
    status: Id<Status>,
    risk: Id<Risk>,
    /// What uses it: resources, interfaces, and in-use groups whose rules name it.
    used_by: Vec<UsedBy<'a>>,
    /// Every other group whose rules name it, used or not.
    referenced_by: Vec<Reference<'a>>,
    /// For `unknown`: which evidence could not be read, one sentence each.
    missing_evidence: Vec<String>,
    findings: Vec<Finding<'a>>,
    /// Checks not evaluated for this group, and why (their evidence was not read): never a pass.
    not_evaluated: Vec<String>,
    /// High-risk ports its rules open to 0.0.0.0/0 or ::/0.
    world_open_ports: &'a [u16],
    // An object, as the snapshot has them (the schema is that of a map).
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    tags: &'a sgaudit_snapshot::Tags,
    ingress: Vec<Rule<'a>>,
    egress: Vec<Rule<'a>>,
    /// For an `unused` group whose history the store knows: when the current unbroken streak of runs that
    /// found it unused began (RFC 3339, UTC). Absent without a history, and for any other status.
    #[serde(skip_serializing_if = "Option::is_none")]
    unused_since: Option<&'a str>,
    /// A use that sgaudit cannot see, declared by people: such a group is never planned for cleanup.
    /// Absent when none is declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    marked_in_use: Option<MutedBy<'a>>,
    reachability: Reachability<'a>,
}

/// One piece of evidence that something uses the group.
#[derive(Serialize, JsonSchema)]
struct UsedBy<'a> {
    /// The kind of resource (`lambda-function`, `network-interface`, `security-group`, ...).
    kind: &'static str,
    /// The resource's id or ARN.
    id: &'a str,
    via: Id<Via>,
    /// The source of evidence that saw it.
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

/// Another group whose rule names this one, with that group's own status.
#[derive(Serialize, JsonSchema)]
struct Reference<'a> {
    group_id: &'a str,
    direction: Id<Direction>,
    status: Id<Status>,
}

/// A group check's failure.
#[derive(Serialize, JsonSchema)]
struct Finding<'a> {
    /// The check's stable id (`sg-world-open-ssh`).
    id: &'static str,
    severity: Id<Severity>,
    title: &'static str,
    message: &'a str,
    controls: &'static [&'static str],
    /// The exception that mutes it; absent when none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    muted: Option<MutedBy<'a>>,
    /// The change that fixes it; absent where none can be written.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixEntry<'a>>,
}

/// One permission of a group, as the EC2 API groups it: a protocol and port range with its peers.
#[derive(Serialize, JsonSchema)]
struct Rule<'a> {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a protocol number, as AWS reports it.
    protocol: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_port: Option<i32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ipv4_ranges: Vec<Peer<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ipv6_ranges: Vec<Peer<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    prefix_lists: Vec<Peer<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<GroupPeer<'a>>,
}

/// A CIDR block or prefix list id, with the rule's description.
#[derive(Serialize, JsonSchema)]
struct Peer<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

/// A rule's peer that is a group, possibly of another account or a peered VPC.
#[derive(Serialize, JsonSchema)]
struct GroupPeer<'a> {
    group_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpc_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpc_peering_connection_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

/// What one source read in one account-region.
#[derive(Serialize, JsonSchema)]
struct Coverage<'a> {
    account_id: &'a str,
    region: &'a str,
    source: &'a str,
    /// `denied` and `failed` carry AWS's `error`; `not_applicable` a `reason`.
    state: Id<CoverageState>,
    /// API requests made, every page and retry counted.
    requests: u32,
    /// Items listed.
    items: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Error<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// AWS's error, as AWS gave it.
#[derive(Serialize, JsonSchema)]
struct Error<'a> {
    /// AWS's error code (`AccessDenied`, `ThrottlingException`), or sgaudit's (`timeout`, `truncated`).
    code: &'a str,
    message: &'a str,
    /// The IAM action refused, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'a str>,
    /// Present, and true, when the refusal came from an explicit deny in a service control policy.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    scp_deny: bool,
}

/// One account asked for.
#[derive(Serialize, JsonSchema)]
struct Account<'a> {
    account_id: &'a str,
    /// Its name in the organization (`--org`).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    /// The profile it was reached through.
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    /// `unreachable` carries AWS's `error`; `skipped` says why in `skipped`.
    state: Id<AccountState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Error<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<&'a str>,
}

/// A word of sgaudit's vocabulary with a fixed list of values: the document writes its id, and the schema
/// lists every id, both from the word's own definition.
trait Word: Sized + 'static {
    /// Its name in the schema's definitions.
    const NAME: &'static str;
    /// Every id it can have, in the order the schema lists them.
    fn ids() -> Vec<&'static str>;
    fn id(&self) -> &'static str;
}

macro_rules! words {
    ($($type:ty => $name:literal, $all:expr;)*) => {
        $(impl Word for $type {
            const NAME: &'static str = $name;
            fn ids() -> Vec<&'static str> {
                $all.iter().map(|w| w.id()).collect()
            }
            fn id(&self) -> &'static str {
                <$type>::id(*self)
            }
        })*
    };
}

words! {
    Status => "Status", Status::ALL;
    Risk => "Risk", Risk::ALL;
    Severity => "Severity", Severity::ALL;
    Outcome => "Outcome", Outcome::ALL;
    Direction => "Direction", Direction::ALL;
    Via => "Via", Via::ALL;
    AccountState => "AccountState", AccountState::ALL;
    ReachState => "ReachState", crate::reachability::STATES;
}

impl Word for sgaudit_audit::reach::Via {
    const NAME: &'static str = "PathVia";
    fn ids() -> Vec<&'static str> {
        crate::reachability::VIAS.iter().map(|&v| crate::reachability::via_id(v)).collect()
    }
    fn id(&self) -> &'static str {
        crate::reachability::via_id(*self)
    }
}

impl Word for ExceptionStatus {
    const NAME: &'static str = "ExceptionState";
    fn ids() -> Vec<&'static str> {
        crate::memory::STATES.iter().map(|&s| crate::memory::state_id(s)).collect()
    }
    fn id(&self) -> &'static str {
        crate::memory::state_id(*self)
    }
}

impl Word for CoverageState {
    const NAME: &'static str = "CoverageState";
    fn ids() -> Vec<&'static str> {
        CoverageState::IDS.to_vec()
    }
    fn id(&self) -> &'static str {
        CoverageState::id(self)
    }
}

/// A [`Word`] in the document: its id.
struct Id<T>(&'static str, PhantomData<fn() -> T>);

impl<T: Word> Id<T> {
    fn of(word: &T) -> Self {
        Id(word.id(), PhantomData)
    }
}

impl<T> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<T: Word> JsonSchema for Id<T> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed(T::NAME)
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "enum": T::ids() })
    }
}

/// How many of each value of a [`Word`]: an object with every id as a key, in the ids' alphabetical order.
struct Counts<T>(BTreeMap<&'static str, usize>, PhantomData<fn() -> T>);

impl<T: Word> Counts<T> {
    fn of(count: impl Fn(&T) -> usize, all: &[T]) -> Self {
        Counts(all.iter().map(|w| (w.id(), count(w))).collect(), PhantomData)
    }
}

impl<T> Serialize for Counts<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: Word> JsonSchema for Counts<T> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Counts", T::NAME))
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let ids = T::ids();
        let properties: serde_json::Map<String, serde_json::Value> =
            ids.iter().map(|id| (id.to_string(), serde_json::json!({ "type": "integer", "minimum": 0 }))).collect();
        json_schema!({ "type": "object", "properties": properties, "required": ids })
    }
}

/// A list made as it is written, one element at a time, rather than built whole and then written: an
/// organisation's groups and coverage (millions of rows) are not held a second time beside the audit. It can
/// be written once; its schema is that of a `Vec<T>`.
struct Each<'a, T>(std::cell::RefCell<Option<Box<dyn Iterator<Item = T> + 'a>>>);

impl<'a, T> Each<'a, T> {
    fn new(items: impl Iterator<Item = T> + 'a) -> Self {
        Each(std::cell::RefCell::new(Some(Box::new(items))))
    }
}

impl<T: Serialize> Serialize for Each<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take().ok_or_else(|| serde::ser::Error::custom("a list written twice"))?;
        serializer.collect_seq(items)
    }
}

impl<T: JsonSchema> JsonSchema for Each<'_, T> {
    fn schema_name() -> Cow<'static, str> {
        <Vec<T>>::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <Vec<T>>::json_schema(generator)
    }

    fn inline_schema() -> bool {
        <Vec<T>>::inline_schema()
    }
}

/// The JSON Schema of the document (draft 2020-12), as `docs/schema/` publishes it.
pub fn schema() -> Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Document>()
}

/// [`schema`] as the published file holds it: pretty JSON, ending with a line break.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let e = audit.estate;
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        sgaudit_version: &snapshot.sgaudit_version,
        collected_at: snapshot.collected_at.as_deref(),
        summary: Summary {
            groups: audit.groups.len(),
            by_status: Counts::of(|&s| audit.count_status(s), &Status::ALL),
            by_risk: Counts::of(|&r| audit.count_risk(r), &Risk::ALL),
            by_outcome: Counts::of(|&o| audit.count_outcome(o), &Outcome::ALL),
            partial: audit.is_partial(),
            estate: Estate {
                accounts_read: e.accounts_read,
                accounts: e.accounts,
                regions_read: e.regions_read,
                regions: e.regions,
                sources_read: e.sources_read,
                sources: e.sources,
            },
            muted: {
                let m = crate::memory::MutedCounts::of(audit);
                MutedSummary {
                    findings: m.findings,
                    results: m.results,
                    failed_results: m.failed_results,
                    groups_marked_in_use: m.marked_in_use,
                }
            },
        },
        families: audit.families.iter().map(|f| f.id()).collect(),
        security_groups: Each::new(audit.groups.iter().map(group)),
        results: Each::new(audit.results.iter().map(|r| result(r, audit.fix_of(r)))),
        coverage: Each::new(
            snapshot.regions.iter().flat_map(|r| r.coverage.iter().map(move |c| coverage(&r.account_id, &r.region, c))),
        ),
        account_coverage: snapshot
            .account_evidence
            .iter()
            .flat_map(|e| e.coverage.iter().map(move |c| coverage(&e.account_id, &e.region, c)))
            .collect(),
        accounts: snapshot
            .accounts
            .iter()
            .map(|a| Account {
                account_id: &a.account_id,
                name: a.name.as_deref(),
                profile: a.profile.as_deref(),
                state: Id::of(&AccountState::of(a)),
                error: a.error.as_ref().map(error),
                skipped: a.skipped.as_deref(),
            })
            .collect(),
        exceptions: audit.exceptions.iter().map(exception).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn muted(m: &Muted) -> MutedBy<'_> {
    MutedBy {
        reason: &m.reason,
        owner: &m.owner,
        ticket: m.ticket.as_deref(),
        expires: m.expires.as_deref(),
        declared_at: &m.declared_at,
    }
}

fn exception(e: &ExceptionState) -> Exception<'_> {
    Exception {
        declared_at: &e.declared_at,
        reason: &e.reason,
        owner: &e.owner,
        ticket: e.ticket.as_deref(),
        expires: e.expires.as_deref(),
        in_use: e.in_use,
        state: Id::of(&e.state),
        matched: e.matched,
    }
}

fn error(e: &sgaudit_snapshot::SourceError) -> Error<'_> {
    Error { code: &e.code, message: &e.message, action: e.action.as_deref(), scp_deny: e.scp_deny }
}

fn coverage<'a>(account_id: &'a str, region: &'a str, c: &'a SourceCoverage) -> Coverage<'a> {
    let (error, reason) = match &c.state {
        CoverageState::Complete => (None, None),
        CoverageState::Denied { error: e } | CoverageState::Failed { error: e } => (Some(error(e)), None),
        CoverageState::NotApplicable { reason } => (None, Some(reason.as_str())),
    };
    Coverage {
        account_id,
        region,
        source: &c.source,
        state: Id::of(&c.state),
        requests: c.requests,
        items: c.items,
        error,
        reason,
    }
}

fn result<'a>(r: &'a CheckResult, fixed: Option<Cow<'a, Fix>>) -> ResultEntry<'a> {
    ResultEntry {
        check: r.check.id,
        title: r.check.title,
        family: r.check.family.id(),
        outcome: Id::of(&r.outcome),
        severity: Id::of(&r.severity),
        account_id: &r.location.account_id,
        region: r.location.region.as_deref(),
        resource_type: r.location.resource_type,
        resource: &r.location.resource,
        evidence: &r.evidence,
        controls: r.check.controls,
        muted: r.muted.as_deref().map(muted),
        fix: fixed.map(|f| match f {
            Cow::Borrowed(f) => fix(f),
            Cow::Owned(f) => owned_fix(f),
        }),
    }
}

fn fix(f: &Fix) -> FixEntry<'_> {
    FixEntry {
        summary: Cow::Borrowed(&f.summary),
        cli: Cow::Borrowed(&f.cli),
        terraform: f.terraform.as_deref().map(Cow::Borrowed),
    }
}

/// A group finding's fix, written as the group is (see [`sgaudit_audit::Finding::fix`]).
fn owned_fix(f: Fix) -> FixEntry<'static> {
    FixEntry { summary: Cow::Owned(f.summary), cli: Cow::Owned(f.cli), terraform: f.terraform.map(Cow::Owned) }
}

fn reachability(r: &GroupReach) -> Reachability<'_> {
    Reachability {
        state: Id::of(&r.state),
        paths: r
            .paths
            .iter()
            .map(|p| ReachPath {
                via: Id::of(&p.via),
                protocol: &p.protocol,
                ports: p.ports.map(|r| PortRange { from: r.from, to: r.to }),
                resource: &p.resource,
                text: &p.text,
            })
            .collect(),
        blocked: r.blocked.iter().map(String::as_str).collect(),
        missing: r.missing.iter().map(|m| m.as_ref()).collect(),
    }
}

fn peers(list: &[sgaudit_snapshot::Peer]) -> Vec<Peer<'_>> {
    list.iter().map(|p| Peer { id: &p.id, description: p.description.as_deref() }).collect()
}

fn rule(r: &sgaudit_snapshot::Rule) -> Rule<'_> {
    Rule {
        protocol: &r.protocol,
        from_port: r.from_port,
        to_port: r.to_port,
        ipv4_ranges: peers(&r.ipv4_ranges),
        ipv6_ranges: peers(&r.ipv6_ranges),
        prefix_lists: peers(&r.prefix_lists),
        groups: r
            .groups
            .iter()
            .map(|g| GroupPeer {
                group_id: &g.group_id,
                user_id: g.user_id.as_deref(),
                vpc_id: g.vpc_id.as_deref(),
                vpc_peering_connection_id: g.vpc_peering_connection_id.as_deref(),
                description: g.description.as_deref(),
            })
            .collect(),
    }
}

fn group<'a>(v: &'a GroupVerdict<'a>) -> Group<'a> {
    Group {
        account_id: v.account_id,
        region: v.region,
        group_id: &v.group.group_id,
        group_name: &v.group.group_name,
        vpc_id: v.group.vpc_id.as_deref(),
        description: &v.group.description,
        owner_id: &v.group.owner_id,
        is_default: v.is_default,
        status: Id::of(&v.status),
        risk: Id::of(&v.risk),
        used_by: v
            .used_by
            .iter()
            .map(|u| UsedBy {
                kind: u.kind.id(),
                id: u.id,
                via: Id::of(&u.via),
                source: u.source,
                detail: u.detail.as_deref(),
            })
            .collect(),
        referenced_by: v
            .referenced_by
            .iter()
            .map(|r| Reference { group_id: r.group_id, direction: Id::of(&r.direction), status: Id::of(&r.status) })
            .collect(),
        missing_evidence: v.missing_evidence.iter().map(ToString::to_string).collect(),
        findings: v
            .findings
            .iter()
            .map(|f| Finding {
                id: f.check.id,
                severity: Id::of(&f.severity),
                title: f.check.title,
                message: &f.message,
                controls: f.check.controls,
                muted: f.muted.as_deref().map(muted),
                fix: f.fix(v).map(owned_fix),
            })
            .collect(),
        not_evaluated: v.not_evaluated.iter().map(ToString::to_string).collect(),
        world_open_ports: &v.exposure.high_risk_ports,
        tags: &v.group.tags,
        ingress: v.group.ingress.iter().map(rule).collect(),
        egress: v.group.egress.iter().map(rule).collect(),
        unused_since: v.unused_since.as_deref(),
        marked_in_use: v.marked_in_use.as_deref().map(muted),
        reachability: reachability(&v.reach),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::demo;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn document(snapshot: &Snapshot) -> Value {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, snapshot, &audit).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn version_2_lists_the_families_and_every_result() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let doc = document(&snapshot);
        assert_eq!(doc["schema_version"], 2);
        assert_eq!(doc["families"], serde_json::json!(["groups", "network", "iam", "cloudtrail", "s3"]));
        let results = doc["results"].as_array().unwrap();
        assert_eq!(results.len(), audit.results.len());
        for (entry, r) in results.iter().zip(&audit.results) {
            let mut keys: BTreeSet<&str> = entry.as_object().unwrap().keys().map(String::as_str).collect();
            // A fix is there where one can be written.
            assert_eq!(keys.remove("fix"), audit.fix_of(r).is_some());
            assert_eq!(
                keys,
                BTreeSet::from([
                    "check",
                    "title",
                    "family",
                    "outcome",
                    "severity",
                    "account_id",
                    "region",
                    "resource_type",
                    "resource",
                    "evidence",
                    "controls"
                ]),
                "every result has every field"
            );
            assert_eq!(entry["check"], r.check.id);
            assert_eq!(entry["outcome"], r.outcome.id());
            assert_eq!(entry["severity"], r.severity.id());
            assert_eq!(entry["family"], r.check.family.id());
            assert_eq!(entry["resource"], r.location.resource.as_str());
            assert_eq!(entry["resource_type"], r.location.resource_type);
            assert_eq!(entry["evidence"], r.evidence.as_str());
            assert_eq!(entry["controls"], serde_json::json!(r.check.controls));
            match &r.location.region {
                Some(region) => assert_eq!(entry["region"], region.as_str()),
                None => assert!(entry["region"].is_null(), "an account-wide result: region null"),
            }
        }
        let find = |check: &str, resource: &str| {
            results
                .iter()
                .find(|e| e["check"] == check && e["resource"] == resource)
                .unwrap_or_else(|| panic!("{check}"))
        };
        let root = find("iam-root-mfa", "arn:aws:iam::123456789012:root");
        assert_eq!((root["outcome"].as_str(), root["severity"].as_str()), (Some("pass"), Some("informational")));
        assert!(root["region"].is_null());
        let user = find("iam-user-mfa", "arn:aws:iam::123456789012:user/=2+5");
        assert_eq!((user["outcome"].as_str(), user["resource_type"].as_str()), (Some("fail"), Some("AwsIamUser")));
        let trail = find("cloudtrail-region-logged", "AWS::::Account:123456789012");
        assert_eq!(trail["outcome"], "not_evaluated");
    }

    #[test]
    fn the_summary_counts_outcomes_and_partial_covers_checks_not_evaluated() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let doc = document(&snapshot);
        let by_outcome = doc["summary"]["by_outcome"].as_object().unwrap();
        assert_eq!(by_outcome.keys().collect::<Vec<_>>(), ["fail", "not_evaluated", "pass"]);
        let sum: u64 = by_outcome.values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(sum as usize, audit.results.len());
        assert!(by_outcome.values().all(|v| v.as_u64() > Some(0)), "{by_outcome:?}");
        assert_eq!(doc["summary"]["partial"], true);

        // Every region and account read in full: partial only because a check was not evaluated.
        let mut whole = demo();
        for region in &mut whole.regions {
            for c in &mut region.coverage {
                c.state = sgaudit_snapshot::CoverageState::Complete;
            }
        }
        for bucket in &mut whole.account_evidence[0].buckets {
            bucket.errors.clear();
        }
        let audit = sgaudit_audit::audit(&whole);
        assert!(audit.regions.iter().all(|r| r.complete));
        let not_evaluated = audit.count_outcome(Outcome::NotEvaluated);
        assert_eq!(document(&whole)["summary"]["partial"], not_evaluated > 0);
        whole.account_evidence[0].coverage[0].state = sgaudit_snapshot::CoverageState::Denied {
            error: Box::new(sgaudit_snapshot::SourceError {
                code: "AccessDenied".into(),
                message: "no".into(),
                action: Some("iam:GenerateCredentialReport".into()),
                scp_deny: false,
            }),
        };
        let doc = document(&whole);
        assert_eq!(doc["summary"]["partial"], true, "a credential report not read leaves IAM checks not evaluated");
        assert!(doc["summary"]["by_outcome"]["not_evaluated"].as_u64() > Some(not_evaluated as u64));
    }

    #[test]
    fn account_wide_sources_have_their_own_coverage() {
        let snapshot = demo();
        let doc = document(&snapshot);
        let coverage = doc["account_coverage"].as_array().unwrap();
        let sources: Vec<&str> = coverage.iter().map(|c| c["source"].as_str().unwrap()).collect();
        assert_eq!(sources, sgaudit_snapshot::posture::ACCOUNT_SOURCES);
        for c in coverage {
            assert_eq!((c["account_id"].as_str(), c["region"].as_str()), (Some("123456789012"), Some("eu-west-1")));
            assert_eq!(c["state"], "complete");
        }
        // The regional coverage is what it was.
        assert!(doc["coverage"].as_array().unwrap().iter().all(|c| !sources.contains(&c["source"].as_str().unwrap())));
    }

    /// The group part of the document is frozen: version 2 changed none of its fields. (The document is read
    /// back into maps, which do not keep the order of keys: sets are compared.)
    #[test]
    fn a_group_has_the_fields_of_version_1() {
        let doc = document(&demo());
        let groups = doc["security_groups"].as_array().unwrap();
        assert_eq!(groups.len(), 20);
        for g in groups {
            let keys: BTreeSet<&str> = g.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "account_id",
                    "region",
                    "group_id",
                    "group_name",
                    "vpc_id",
                    "description",
                    "owner_id",
                    "is_default",
                    "status",
                    "risk",
                    "used_by",
                    "referenced_by",
                    "missing_evidence",
                    "findings",
                    "not_evaluated",
                    "world_open_ports",
                    "tags",
                    "ingress",
                    "egress",
                    // Added without a bump (issue 16): always present.
                    "reachability"
                ])
            );
            for f in g["findings"].as_array().unwrap() {
                let mut keys: BTreeSet<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
                // Added without a bump (issue 16), where a fix can be written.
                keys.remove("fix");
                assert_eq!(keys, BTreeSet::from(["id", "severity", "title", "message", "controls"]));
            }
        }
        let top: BTreeSet<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            top,
            BTreeSet::from([
                "schema_version",
                "sgaudit_version",
                "collected_at",
                "families",
                "summary",
                "security_groups",
                "results",
                "coverage",
                "account_coverage",
                "accounts",
                "exceptions"
            ])
        );
    }

    /// The document writes each word as the one id every report writes, which is also how the snapshot file
    /// and the audit's types spell it.
    #[test]
    fn words_are_written_as_their_ids_and_the_schema_lists_every_one() {
        use sgaudit_snapshot::SourceError;
        fn spelt<T: Serialize>(value: T) -> String {
            serde_json::to_value(value).unwrap().as_str().unwrap().to_string()
        }
        Status::ALL.iter().for_each(|&w| assert_eq!(spelt(w), w.id()));
        Risk::ALL.iter().for_each(|&w| assert_eq!(spelt(w), w.id()));
        Severity::ALL.iter().for_each(|&w| assert_eq!(spelt(w), w.id()));
        Outcome::ALL.iter().for_each(|&w| assert_eq!(spelt(w), w.id()));
        Direction::ALL.iter().for_each(|&w| assert_eq!(spelt(w), w.id()));
        Via::ALL.iter().for_each(|&w| assert_eq!(spelt(w), w.id()));
        let error = SourceError { code: "x".into(), message: String::new(), action: None, scp_deny: false };
        let states = [
            CoverageState::Complete,
            CoverageState::Denied { error: Box::new(error.clone()) },
            CoverageState::Failed { error: Box::new(error) },
            CoverageState::NotApplicable { reason: String::new() },
        ];
        for (state, id) in states.iter().zip(CoverageState::IDS) {
            assert_eq!(state.id(), id);
            assert_eq!(serde_json::to_value(state).unwrap()["state"], id);
        }
        let schema = serde_json::to_value(schema()).unwrap();
        assert_eq!(schema["$defs"]["Status"]["enum"], serde_json::json!(["in_use", "unused", "unknown"]));
        assert_eq!(schema["$defs"]["CoverageState"]["enum"], serde_json::json!(CoverageState::IDS));
        assert_eq!(schema["$defs"]["Via"]["enum"].as_array().map(Vec::len), Some(Via::ALL.len()));
        assert_eq!(schema["properties"]["schema_version"]["const"], SCHEMA_VERSION);
    }

    #[test]
    fn a_scan_of_the_groups_alone_has_no_results() {
        let mut snapshot = demo();
        snapshot.families = vec![sgaudit_snapshot::Family::Groups];
        let doc = document(&snapshot);
        assert_eq!(doc["families"], serde_json::json!(["groups"]));
        assert_eq!(doc["results"], serde_json::json!([]));
        assert_eq!(doc["summary"]["by_outcome"], serde_json::json!({"fail": 0, "not_evaluated": 0, "pass": 0}));
        assert_eq!(doc["security_groups"].as_array().map(Vec::len), Some(20));
    }

    #[test]
    fn muted_findings_marks_and_exceptions_are_in_the_document() {
        use crate::test_support::{remember, EVIL_OWNER, EVIL_REASON};
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, EVIL_REASON, EVIL_OWNER);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let groups = doc["security_groups"].as_array().unwrap();
        let group = |id: &str| groups.iter().find(|g| g["group_id"] == id).unwrap();
        let ssh = group("sg-0a300000000ba5710")["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "sg-world-open-ssh");
        let muted = &ssh.unwrap()["muted"];
        assert_eq!((muted["reason"].as_str(), muted["owner"].as_str()), (Some(EVIL_REASON), Some(EVIL_OWNER)));
        assert_eq!(muted["expires"], "2027-03-31");
        assert_eq!(muted["declared_at"], "sgaudit.toml:7");
        let marked = group("sg-0a400000000001dc1");
        assert_eq!(marked["unused_since"], "2026-10-01T04:00:00Z");
        assert_eq!(marked["marked_in_use"]["owner"], EVIL_OWNER);
        // Absent where there is nothing to say.
        assert!(groups
            .iter()
            .filter(|g| g["group_id"] != "sg-0a400000000001dc1")
            .all(|g| g.get("marked_in_use").is_none()));
        let muted_results: Vec<&Value> =
            doc["results"].as_array().unwrap().iter().filter(|r| r.get("muted").is_some()).collect();
        assert_eq!(muted_results.len(), 1);
        assert_eq!(muted_results[0]["check"], "iam-user-mfa");
        assert_eq!(
            doc["summary"]["muted"],
            serde_json::json!({"findings": 1, "results": 1, "failed_results": 1, "groups_marked_in_use": 1})
        );
        let states: Vec<&str> =
            doc["exceptions"].as_array().unwrap().iter().map(|e| e["state"].as_str().unwrap()).collect();
        assert_eq!(states, ["active", "expired", "unmatched"]);
        assert_eq!(doc["exceptions"][0]["matched"], 2);
        // The counts that drive action still count the muted failure: it is counted apart, not dropped.
        assert_eq!(doc["summary"]["by_outcome"]["fail"], audit.count_outcome(Outcome::Fail));
        let schema = serde_json::to_value(schema()).unwrap();
        assert_eq!(schema["$defs"]["ExceptionState"]["enum"], serde_json::json!(["active", "expired", "unmatched"]));
    }

    #[test]
    fn reachability_and_fixes_are_in_the_document_exactly() {
        use crate::test_support::advise;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let groups = doc["security_groups"].as_array().unwrap();
        let bastion = groups.iter().find(|g| g["group_id"] == "sg-0a300000000ba5710").unwrap();
        let reach = &bastion["reachability"];
        assert_eq!(reach["state"], "reachable");
        let paths = reach["paths"].as_array().unwrap();
        assert_eq!(paths.len(), 2);
        assert_eq!(paths[0]["via"], "direct");
        assert_eq!(paths[0]["ports"], serde_json::json!({"from": 22, "to": 22}));
        assert_eq!(paths[0]["resource"], "eni-0a<script>");
        assert!(paths[0]["text"].as_str().unwrap().contains("=cmd|' /C calc'!A0 <script>alert(1)</script>\x1b[31m"));
        assert_eq!(paths[1]["via"], "load_balancer");
        assert_eq!(reach["blocked"], serde_json::json!(["eni-0b: no public address"]));
        assert_eq!(reach["missing"], serde_json::json!(["ec2-network-acls"]));
        let fix = crate::fixes::tests::hostile_fix();
        for f in bastion["findings"].as_array().unwrap() {
            assert_eq!(f["fix"]["summary"], fix.summary.as_str(), "exactly, escapes and all");
            assert_eq!(f["fix"]["cli"], serde_json::json!(fix.cli));
            assert_eq!(f["fix"]["terraform"].as_str(), fix.terraform.as_deref());
        }
        let user = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check"] == "iam-user-mfa" && r["resource"] == "arn:aws:iam::123456789012:user/=2+5")
            .unwrap();
        assert_eq!(user["fix"]["cli"].as_array().map(Vec::len), Some(2));
        // Where there is nothing to say, nothing is written but the state.
        for g in groups.iter().filter(|g| g["group_id"] != "sg-0a300000000ba5710") {
            let state = g["reachability"]["state"].as_str().unwrap();
            assert!(crate::reachability::STATES.iter().any(|s| s.id() == state), "{state}");
            if state == "not_exposed" {
                assert_eq!(g["reachability"].as_object().unwrap().len(), 1, "{g}");
            }
        }
        let schema = serde_json::to_value(schema()).unwrap();
        assert_eq!(
            schema["$defs"]["ReachState"]["enum"],
            serde_json::json!(["reachable", "unknown", "not_reachable", "not_exposed"])
        );
        assert_eq!(schema["$defs"]["PathVia"]["enum"], serde_json::json!(["direct", "load_balancer", "target"]));
    }
}

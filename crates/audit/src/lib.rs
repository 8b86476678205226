//! Judging, pure and offline: for every security group of a snapshot, what uses it, whether it is in use,
//! unused or unknown, how exposed it is, and the findings that follow; and every account and regional check
//! (IAM, CloudTrail, S3, network) with its result. No I/O, no clock, no network.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use sgaudit_snapshot::network::RegionNetwork;
use sgaudit_snapshot::{Direction, ResourceKind, SecurityGroup, Snapshot, StaleRule, Target, Via};

pub mod checks;
pub mod exceptions;
pub mod exposure;
pub mod fix;
pub mod memory;
pub mod posture;
pub mod reach;
pub mod reasons;
pub mod rules;
mod time;

pub use checks::{CheckResult, Finding, Options, Outcome, Severity};
pub use exceptions::Muted;
pub use exposure::Exposure;
use exposure::{RDP, SSH};
pub use fix::Fix;
pub use reasons::{join, Missing, NotEvaluated, Skipped, Unreachable, Unread};
pub use sgaudit_snapshot::Family;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InUse,
    Unused,
    Unknown,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 3] = [Status::InUse, Status::Unused, Status::Unknown];

    /// The id every report writes (`in_use`): JSON, CSV, the workbook, Security Hub's product fields.
    pub fn id(self) -> &'static str {
        match self {
            Status::InUse => "in_use",
            Status::Unused => "unused",
            Status::Unknown => "unknown",
        }
    }

    /// The status as people read it (`in use`): the terminal, the HTML page, the audit log (in capitals).
    pub fn label(self) -> &'static str {
        match self {
            Status::InUse => "in use",
            Status::Unused => "unused",
            Status::Unknown => "unknown",
        }
    }
}

/// What became of an account of the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountState {
    Read,
    /// It could not be read at all ([`Unreachable`]).
    Unreachable,
    /// It was deliberately not scanned ([`Skipped`]).
    Skipped,
}

impl AccountState {
    pub const ALL: [AccountState; 3] = [AccountState::Read, AccountState::Unreachable, AccountState::Skipped];

    pub fn of(account: &sgaudit_snapshot::Account) -> AccountState {
        match (&account.error, &account.skipped) {
            (Some(_), _) => AccountState::Unreachable,
            (None, Some(_)) => AccountState::Skipped,
            (None, None) => AccountState::Read,
        }
    }

    /// The id reports write (`unreachable`).
    pub fn id(self) -> &'static str {
        match self {
            AccountState::Read => "read",
            AccountState::Unreachable => "unreachable",
            AccountState::Skipped => "skipped",
        }
    }
}

/// Ordered from least to most serious, so `max()` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Risk {
    pub const ALL: [Risk; 5] = [Risk::Critical, Risk::High, Risk::Medium, Risk::Low, Risk::None];

    /// The risk a finding of this severity stands for: its own level; an informational finding is none.
    pub fn of_severity(severity: Severity) -> Risk {
        match severity {
            Severity::Informational => Risk::None,
            Severity::Low => Risk::Low,
            Severity::Medium => Risk::Medium,
            Severity::High => Risk::High,
            Severity::Critical => Risk::Critical,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Risk::None => "none",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }
}

/// One piece of evidence that something uses a group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Use<'a> {
    pub kind: ResourceKind,
    pub id: &'a str,
    pub via: Via,
    /// The source that saw it.
    pub source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Cow<'a, str>>,
}

/// Another group whose rule names this one, with that group's own status.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Reference<'a> {
    pub group_id: &'a str,
    pub direction: Direction,
    pub status: Status,
}

/// The verdict on one group, with its evidence.
#[derive(Debug, Clone, Serialize)]
/// It borrows from the snapshot it judges: a large estate is not held twice.
pub struct GroupVerdict<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub group: &'a SecurityGroup,
    pub is_default: bool,
    pub status: Status,
    /// Decided after the findings, from them and the status ([`risk`]): never below the severity of the
    /// most severe finding.
    pub risk: Risk,
    /// What uses it: resources, interfaces, and in-use groups whose rules name it.
    pub used_by: Vec<Use<'a>>,
    /// Every other group whose rules name it, used or not (a chain of unused groups shows here).
    pub referenced_by: Vec<Reference<'a>>,
    /// For `unknown`: which evidence could not be read.
    pub missing_evidence: Vec<Missing<'a>>,
    /// Its stale rules (`ec2-stale-security-group-rules`).
    pub stale_rules: Vec<&'a StaleRule>,
    /// Checks that could not be evaluated for it, and why: their evidence was not read. Never a pass.
    pub not_evaluated: Vec<NotEvaluated<'a>>,
    pub exposure: Exposure,
    /// Whether the internet reaches what it guards through it, and by which paths ([`reach`]).
    pub reach: reach::GroupReach,
    pub findings: Vec<Finding>,
    /// For an `unused` group whose history is known (the store): when the current unbroken streak of runs
    /// that found it unused began (RFC 3339, UTC). `None` without a history, and for any other status.
    pub unused_since: Option<String>,
    /// A use sgaudit cannot see, declared by people (`sgaudit mark GROUP --in-use`, or an `in_use`
    /// exception): such a group is never planned for cleanup, and counts as a false positive when its
    /// evidence says `unused`.
    pub marked_in_use: Option<Box<Muted>>,
}

/// Coverage of one account-region, summed up, against the sources a snapshot must hold
/// ([`sgaudit_snapshot::SOURCES`]), not only those its `coverage` happens to list.
#[derive(Debug, Clone, Serialize)]
pub struct RegionCoverage<'a> {
    pub account_id: String,
    pub region: String,
    /// Every expected source was read in full (or has nothing to read here).
    pub complete: bool,
    /// Sources whose evidence is missing: denied or failed (with AWS's error), or not recorded by the
    /// snapshot; or the region records no source at all.
    pub unreadable: Vec<Unread<'a>>,
    /// Expected sources whose evidence is whole here (read in full, or not applicable).
    pub sources_read: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit<'a> {
    /// The families judged: those asked for that the snapshot was collected for.
    pub families: Vec<Family>,
    /// Every group's verdict (the `groups` family; empty when it was not judged).
    pub groups: Vec<GroupVerdict<'a>>,
    /// Every result of the account and regional checks ([`posture::judge`]).
    pub results: Vec<CheckResult>,
    pub regions: Vec<RegionCoverage<'a>>,
    /// Accounts that could not be read at all, with AWS's error.
    pub unreachable_accounts: Vec<Unreachable<'a>>,
    /// Accounts deliberately not scanned, and why.
    pub skipped_accounts: Vec<Skipped<'a>>,
    pub estate: Estate,
    /// Every exception declared for this run and what became of it ([`exceptions`]); empty without any.
    pub exceptions: Vec<exceptions::ExceptionState>,
    /// The snapshot it judged, and the settings it was judged with: a fix written later reads them
    /// ([`Audit::fix_of`]).
    #[serde(skip)]
    pub snapshot: &'a Snapshot,
    #[serde(skip)]
    pub options: Options,
}

/// How much of the estate was read: accounts, account-regions and source lists, read and in all. Source
/// lists count the expected sources ([`sgaudit_snapshot::SOURCES`]) of every account-region, so a source the
/// snapshot does not record counts as not read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Estate {
    pub accounts_read: usize,
    pub accounts: usize,
    pub regions_read: usize,
    pub regions: usize,
    pub sources_read: usize,
    pub sources: usize,
}

impl Audit<'_> {
    /// The fix of a regional or account result, where one can be written: the check's own, or written now from
    /// the group the failure is located at ([`checks::ResultFix::OfGroup`]), in the snapshot judged.
    pub fn fix_of<'r>(&self, result: &'r CheckResult) -> Option<Cow<'r, Fix>> {
        match &result.fix {
            checks::ResultFix::None => None,
            checks::ResultFix::Written(fix) => Some(Cow::Borrowed(fix)),
            checks::ResultFix::OfGroup { write, region, group } => {
                let region = self.snapshot.regions.get(*region as usize)?;
                let group = region.security_groups.get(*group as usize)?;
                let at = checks::GroupAt { region: &region.region, group, options: &self.options };
                write(&at).map(Cow::Owned)
            }
        }
    }

    /// Whether any evidence anywhere could not be read (exit code 3): a region's group evidence, an
    /// account, or a check that could not be evaluated.
    pub fn is_partial(&self) -> bool {
        self.regions.iter().any(|r| !r.complete)
            || !self.unreachable_accounts.is_empty()
            || self.results.iter().any(|r| r.outcome == Outcome::NotEvaluated)
            || self.groups.iter().any(|g| !g.not_evaluated.is_empty())
    }

    /// The results of one outcome.
    pub fn count_outcome(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    pub fn count_status(&self, status: Status) -> usize {
        self.groups.iter().filter(|g| g.status == status).count()
    }

    pub fn count_risk(&self, risk: Risk) -> usize {
        self.groups.iter().filter(|g| g.risk == risk).count()
    }
}

/// Judges every family the snapshot was collected for, with the default options.
pub fn audit(snapshot: &Snapshot) -> Audit<'_> {
    audit_with(snapshot, &Options::default())
}

/// Judges the families of `options` (all the snapshot was collected for, by default): every group, and
/// every account and regional check.
pub fn audit_with<'a>(snapshot: &'a Snapshot, options: &Options) -> Audit<'a> {
    audit_over(snapshot, options, |s| s.regions.iter().map(reach::region).collect())
}

/// [`audit_with`], with each region's network evidence (subnets, routes, interfaces' addresses, load balancers:
/// [`RegionNetwork`]) given apart from the snapshot, in the order of its regions: taken out with
/// [`Snapshot::take_networks`], it is read first, for every group's reachability, and freed before anything
/// else is judged, since nothing after that reads it (no other check, no report, no store row, no fix). The
/// verdicts then use the memory it held (issue 15: the addressing of every network interface is the largest
/// part of an organisation's snapshot after its groups).
pub fn audit_with_networks<'a>(snapshot: &'a Snapshot, networks: Vec<RegionNetwork>, options: &Options) -> Audit<'a> {
    assert_eq!(networks.len(), snapshot.regions.len(), "one network per region of the snapshot");
    audit_over(snapshot, options, move |s| {
        let reaches = s.regions.iter().zip(&networks).map(|(region, network)| reach::region_with(region, network));
        let reaches = reaches.collect();
        drop(networks);
        reaches
    })
}

/// The reachability of every group, by group id, one map per region of the snapshot, in its order.
type Reaches<'a> = Vec<BTreeMap<&'a str, reach::GroupReach>>;

/// [`audit_with`], with the groups' reachability judged by `reaches` (called only when groups are judged).
fn audit_over<'a>(
    snapshot: &'a Snapshot,
    options: &Options,
    reaches: impl FnOnce(&'a Snapshot) -> Reaches<'a>,
) -> Audit<'a> {
    let families: Vec<Family> = snapshot
        .families
        .iter()
        .copied()
        .filter(|f| options.families.as_ref().is_none_or(|asked| asked.contains(f)))
        .collect();
    let results = posture::judge(snapshot, options, &families);
    let mut audit = if families.contains(&Family::Groups) {
        audit_groups(snapshot, reaches(snapshot))
    } else {
        audit_accounts(snapshot)
    };
    audit.families = families;
    audit.results = results;
    audit.options = options.clone();
    audit
}

/// The accounts of the snapshot, with no group judged (the `groups` family was not asked for).
fn audit_accounts(snapshot: &Snapshot) -> Audit<'_> {
    let (unreachable_accounts, skipped_accounts, accounts_read, accounts) = accounts(snapshot);
    Audit {
        families: Vec::new(),
        groups: Vec::new(),
        results: Vec::new(),
        regions: Vec::new(),
        unreachable_accounts,
        skipped_accounts,
        estate: Estate { accounts_read, accounts, ..Estate::default() },
        exceptions: Vec::new(),
        snapshot,
        options: Options::default(),
    }
}

/// Unreachable and skipped accounts; accounts read, and accounts not skipped.
fn accounts(snapshot: &Snapshot) -> (Vec<Unreachable<'_>>, Vec<Skipped<'_>>, usize, usize) {
    let unreachable = snapshot.accounts.iter().filter_map(Unreachable::of).collect();
    let skipped = snapshot.accounts.iter().filter_map(Skipped::of).collect();
    let state = |a: &&sgaudit_snapshot::Account| AccountState::of(a);
    let read = snapshot.accounts.iter().filter(|a| state(a) == AccountState::Read).count();
    let all = snapshot.accounts.iter().filter(|a| state(a) != AccountState::Skipped).count();
    (unreachable, skipped, read, all)
}

/// Judges every group of the snapshot.
fn audit_groups<'a>(snapshot: &'a Snapshot, reaches: Reaches<'a>) -> Audit<'a> {
    // Where each group lives, across every account and region (group ids are unique).
    let mut location: HashMap<&str, (usize, usize)> = HashMap::new();
    for (r, region) in snapshot.regions.iter().enumerate() {
        for (g, group) in region.security_groups.iter().enumerate() {
            location.insert(group.group_id.as_str(), (r, g));
        }
    }

    let regions: Vec<RegionCoverage> = snapshot.regions.iter().map(region_coverage).collect();

    // Direct evidence: resources and interfaces, by group.
    let mut uses: HashMap<&str, Vec<Use>> = HashMap::new();
    // Groups shared with, or associated with a VPC of, another account: (the attachment, its region).
    let mut shared: HashMap<&str, Vec<(&sgaudit_snapshot::Attachment, &str)>> = HashMap::new();
    for region in &snapshot.regions {
        let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
        for g in &region.security_groups {
            by_name.entry(g.group_name.as_str()).or_default().push(g.group_id.as_str());
        }
        // Resources that name interfaces rather than groups (FSx): the groups of just those interfaces, from
        // the interface source's own attachments.
        let wanted: HashSet<&str> = region
            .attachments
            .iter()
            .filter_map(|a| match &a.target {
                Target::NetworkInterface(eni) => Some(eni.as_str()),
                _ => None,
            })
            .collect();
        let mut by_interface: HashMap<&str, Vec<&str>> = HashMap::new();
        if !wanted.is_empty() {
            for a in &region.attachments {
                if let (ResourceKind::NetworkInterface, Via::Eni, Target::Group(g)) = (a.kind, a.via, &a.target) {
                    if wanted.contains(a.resource_id.as_str()) {
                        by_interface.entry(a.resource_id.as_str()).or_default().push(g.as_str());
                    }
                }
            }
        }
        for a in &region.attachments {
            if a.via == Via::Shared {
                if let Target::Group(g) = &a.target {
                    shared.entry(g.as_str()).or_default().push((a, region.region.as_str()));
                }
                continue;
            }
            let one;
            let groups: &[&str] = match &a.target {
                Target::Group(g) => {
                    one = [g.as_str()];
                    &one
                }
                Target::GroupName(name) => by_name.get(name.as_str()).map(Vec::as_slice).unwrap_or_default(),
                Target::NetworkInterface(eni) => by_interface.get(eni.as_str()).map(Vec::as_slice).unwrap_or_default(),
            };
            let detail: Option<Cow<str>> = match &a.target {
                Target::NetworkInterface(eni) => Some(Cow::Owned(match &a.detail {
                    Some(d) => format!("through {eni}; {d}"),
                    None => format!("through {eni}"),
                })),
                Target::Group(_) | Target::GroupName(_) => a.detail.as_deref().map(Cow::Borrowed),
            };
            for &g in groups {
                uses.entry(g).or_default().push(Use {
                    kind: a.kind,
                    id: &a.resource_id,
                    via: a.via,
                    source: &a.source,
                    detail: detail.clone(),
                });
            }
        }
    }
    for list in uses.values_mut() {
        list.sort();
        list.dedup();
    }

    // Rule references: (referenced group) <- (referencing group, direction). Self-references don't count.
    let mut referenced_by: HashMap<&str, BTreeSet<(&str, Direction)>> = HashMap::new();
    for region in &snapshot.regions {
        for group in &region.security_groups {
            for (direction, rule) in group.rules() {
                for peer in &rule.groups {
                    if peer.group_id != group.group_id {
                        referenced_by
                            .entry(peer.group_id.as_str())
                            .or_default()
                            .insert((group.group_id.as_str(), direction));
                    }
                }
            }
        }
    }

    // Status, in three passes: in use (directly, or named by a group in use, transitively); unknown
    // (evidence missing in its region, or named by a group whose status is unknown, transitively); the rest
    // unused, which can only happen where every source of its region was read.
    let mut status: HashMap<&str, Status> = HashMap::new();
    for id in location.keys() {
        if uses.get(id).is_some_and(|u| !u.is_empty()) {
            status.insert(id, Status::InUse);
        }
    }
    spread(&mut status, &referenced_by, Status::InUse);
    // A group shared with another account is used by whatever that account attaches it to: only a complete
    // read of that account in the same region can show there is nothing.
    let read_completely: HashSet<(&str, &str)> = snapshot
        .regions
        .iter()
        .zip(&regions)
        .filter(|(_, coverage)| coverage.complete)
        .map(|(region, _)| (region.account_id.as_str(), region.region.as_str()))
        .collect();
    let mut unread_sharing: HashMap<&str, Vec<Missing>> = HashMap::new();
    for (group, shares) in &shared {
        for (a, region) in shares {
            if !read_completely.contains(&(a.resource_id.as_str(), *region)) {
                unread_sharing.entry(group).or_default().push(Missing::Sharing {
                    with: &a.resource_id,
                    region,
                    detail: a.detail.as_deref(),
                });
            }
        }
    }
    for (id, &(r, _)) in &location {
        if !status.contains_key(id) && (!regions[r].complete || unread_sharing.contains_key(id)) {
            status.insert(id, Status::Unknown);
        }
    }
    spread(&mut status, &referenced_by, Status::Unknown);

    // Sized once: grown by doubling, an organisation's verdicts (336 bytes each) sat in up to twice their room.
    let mut groups = Vec::with_capacity(snapshot.regions.iter().map(|r| r.security_groups.len()).sum());
    for ((r, region), mut reaches) in snapshot.regions.iter().enumerate().zip(reaches) {
        for group in &region.security_groups {
            let id = group.group_id.as_str();
            let st = status.get(id).copied().unwrap_or(Status::Unused);
            let refs: Vec<Reference> = referenced_by
                .get(id)
                .map(|set| {
                    set.iter()
                        .map(|&(from, direction)| Reference {
                            group_id: from,
                            direction,
                            status: status.get(from).copied().unwrap_or(Status::Unused),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut used_by: Vec<Use> = uses.remove(id).unwrap_or_default();
            for reference in refs.iter().filter(|r| r.status == Status::InUse) {
                let direction = reference.direction.id();
                // A rule of another account's group (across a peering, or a shared VPC) says whose it is.
                let owner = location
                    .get(reference.group_id)
                    .map(|&(r, _)| snapshot.regions[r].account_id.as_str())
                    .filter(|owner| *owner != region.account_id);
                let detail = match owner {
                    Some(owner) => format!("{direction} rule of {} in account {owner}", reference.group_id),
                    None => format!("{direction} rule of {}", reference.group_id),
                };
                used_by.push(Use {
                    kind: ResourceKind::SecurityGroup,
                    id: reference.group_id,
                    via: Via::Rule,
                    source: "ec2-security-groups",
                    detail: Some(Cow::Owned(detail)),
                });
            }
            let mut missing_evidence = Vec::new();
            if st == Status::Unknown {
                missing_evidence.extend(regions[r].unreadable.iter().copied().map(Missing::Source));
                if let Some(why) = unread_sharing.get(id) {
                    missing_evidence.extend(why.iter().copied());
                }
                for reference in refs.iter().filter(|r| r.status == Status::Unknown) {
                    missing_evidence.push(Missing::NamedByUnknown { group_id: reference.group_id });
                }
            }
            let stale_rules: Vec<&StaleRule> = region.stale_rules.iter().filter(|s| s.group_id == id).collect();
            let mut not_evaluated = Vec::new();
            if !source_whole(region, STALE_SOURCE) {
                not_evaluated.push(NotEvaluated::StaleRules { region: &region.region });
            }
            let exposure = Exposure::of(group);
            let reach = reaches.remove(id).unwrap_or_else(reach::GroupReach::not_exposed);
            if reach.state == reach::ReachState::Unknown {
                // Whatever its sources: a group behind a load balancer that could not be read may be reached on
                // any port its rules admit, from the world or from that load balancer. A group that admits none
                // of a check's ports from anyone cannot fail it, so only its checks are not evaluated.
                let admits = |port: &u16| group.ingress.iter().any(|r| exposure::covers_port(r, *port, *port == RDP));
                let admin = [SSH, RDP].iter().any(admits);
                let high_risk = exposure::HIGH_RISK_PORTS.iter().filter(|&&p| p != SSH && p != RDP).any(admits);
                for (check, admitted) in [
                    (&checks::groups::internet_reachable_admin_port::CHECK, admin),
                    (&checks::groups::internet_reachable_high_risk_port::CHECK, high_risk),
                ] {
                    if admitted {
                        not_evaluated.push(NotEvaluated::Reachability { check, missing: reach.missing.join(", ") });
                    }
                }
            }
            let is_default = group.is_default();
            let mut verdict = GroupVerdict {
                account_id: &region.account_id,
                region: &region.region,
                group,
                is_default,
                status: st,
                // Decided below, from the findings: the checks do not read it.
                risk: Risk::None,
                used_by,
                referenced_by: refs,
                missing_evidence,
                stale_rules,
                not_evaluated,
                exposure,
                reach,
                findings: Vec::new(),
                unused_since: None,
                marked_in_use: None,
            };
            verdict.findings = checks::run_group(&verdict);
            verdict.risk = risk(verdict.status, verdict.is_default, &verdict.exposure, &verdict.findings);
            groups.push(verdict);
        }
    }
    groups.sort_by(|a, b| {
        (&a.account_id, &a.region, &a.group.group_id).cmp(&(&b.account_id, &b.region, &b.group.group_id))
    });
    let (unreachable_accounts, skipped_accounts, accounts_read, accounts) = accounts(snapshot);
    let estate = Estate {
        accounts_read,
        accounts,
        regions_read: regions.iter().filter(|r| r.complete).count(),
        regions: regions.len(),
        sources_read: regions.iter().map(|r| r.sources_read).sum(),
        sources: regions.len() * sgaudit_snapshot::SOURCES.len(),
    };
    Audit {
        families: Vec::new(),
        groups,
        results: Vec::new(),
        regions,
        unreachable_accounts,
        skipped_accounts,
        estate,
        exceptions: Vec::new(),
        snapshot,
        options: Options::default(),
    }
}

/// The AWS partition of a region.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Gives `to` to every group without a status that is named by a rule of a group that has `to`,
/// until nothing changes.
fn spread<'a>(
    status: &mut HashMap<&'a str, Status>,
    referenced_by: &HashMap<&'a str, BTreeSet<(&'a str, Direction)>>,
    to: Status,
) {
    // Work list: the groups that have `to`; each passes it on to the groups its rules name.
    let mut names: HashMap<&str, Vec<&str>> = HashMap::new();
    for (&target, froms) in referenced_by {
        for &(from, _) in froms {
            names.entry(from).or_default().push(target);
        }
    }
    let mut work: Vec<&str> = status.iter().filter(|(_, &s)| s == to).map(|(&g, _)| g).collect();
    while let Some(from) = work.pop() {
        for &target in names.get(from).map(Vec::as_slice).unwrap_or_default() {
            if !status.contains_key(target) {
                status.insert(target, to);
                work.push(target);
            }
        }
    }
}

/// A group's risk: the README's table, extending the seeds' (shared/seeds/002), and never below the
/// severity of the group's most severe finding (informational counts as none), so that `--fail-on` and
/// every report (SARIF, ASFF, ...) agree on how serious a group is. A group whose status is unknown is
/// rated as if it were in use, since it may be.
pub fn risk(status: Status, is_default: bool, exposure: &Exposure, findings: &[Finding]) -> Risk {
    let maybe_used = status != Status::Unused;
    let by_table = if maybe_used && exposure.is_critical() {
        Risk::Critical
    } else if maybe_used && (is_default || exposure.any_high_risk()) {
        Risk::High
    } else if exposure.any_high_risk() {
        Risk::Medium
    } else if status == Status::Unused {
        Risk::Low
    } else {
        Risk::None
    };
    findings.iter().map(|f| Risk::of_severity(f.severity)).fold(by_table, Risk::max)
}

/// The source that reads stale rules: where it was not read, `sg-stale-rule` is not evaluated.
pub(crate) const STALE_SOURCE: &str = "ec2-stale-security-group-rules";

/// Whether `source` was recorded for the region and read in full (or had nothing to read there).
fn source_whole(region: &sgaudit_snapshot::RegionSnapshot, source: &'static str) -> bool {
    let mut why = Vec::new();
    unread(&region.coverage, source, &mut why);
    why.is_empty()
}

/// Judges a region's coverage by the sources a snapshot of this schema must hold, in their order: one the
/// snapshot does not record is missing evidence. Entries of sources this version does not know are ignored
/// (they cannot make a region complete, nor stand in for an expected source).
fn region_coverage(region: &sgaudit_snapshot::RegionSnapshot) -> RegionCoverage<'_> {
    let mut unreadable = Vec::new();
    let mut sources_read = 0;
    for &source in sgaudit_snapshot::SOURCES {
        let before = unreadable.len();
        unread(&region.coverage, source, &mut unreadable);
        sources_read += usize::from(unreadable.len() == before);
    }
    if region.coverage.is_empty() {
        // One line rather than one per source.
        unreadable = vec![Unread::NothingRecorded];
    }
    RegionCoverage {
        account_id: region.account_id.clone(),
        region: region.region.clone(),
        complete: unreadable.is_empty(),
        unreadable,
        sources_read,
    }
}

/// Why `source` is not whole in `coverage`, added to `out`: not recorded, or each record of it denied or
/// failed (a source recorded twice is whole only if every record of it is). Nothing when it is whole.
pub(crate) fn unread<'a>(
    coverage: &'a [sgaudit_snapshot::SourceCoverage],
    source: &'static str,
    out: &mut Vec<Unread<'a>>,
) {
    let mut recorded = coverage.iter().filter(|c| c.source == source).peekable();
    if recorded.peek().is_none() {
        out.push(Unread::NotInSnapshot { source });
    }
    for c in recorded {
        match &c.state {
            sgaudit_snapshot::CoverageState::Denied { error } => out.push(Unread::Denied { source, error }),
            sgaudit_snapshot::CoverageState::Failed { error } => out.push(Unread::Failed { source, error }),
            sgaudit_snapshot::CoverageState::Complete | sgaudit_snapshot::CoverageState::NotApplicable { .. } => {}
        }
    }
}

/// `lambda-functions: AccessDeniedException (lambda:ListFunctions): ...`, in one line for people.
pub fn describe_missing(source: &str, error: &sgaudit_snapshot::SourceError) -> String {
    format!("{source}: {error}")
}

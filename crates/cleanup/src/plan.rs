//! The plan: which groups would be deleted and which are kept, each with its reason.
//!
//! Only `unused` groups can be candidates: never `unknown` (some evidence was not read), never a default group
//! (AWS refuses to delete it), never a group owned by another account. Protections then keep candidates
//! back: tags, name patterns, a mark that the group is in use (a use sgaudit cannot see), the grace period
//! of `--unused-for` (from the history), age (from CloudTrail), references from peered VPCs. Every check that cannot be
//! made keeps the group: the plan errs towards keeping. Last, a candidate that a kept group's rule still
//! names is kept too, since deleting it would mean editing a group that stays.
//!
//! Keeping a group is cheap whatever the size of the estate: the plan indexes each account-region's entries
//! and the groups each group's rules name, so keeping one group looks only at what its rules name, and at
//! what those name in turn.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use serde::{Serialize, Serializer};
use sgaudit_audit::{Audit, GroupVerdict, Status};
use sgaudit_snapshot::{Family, SecurityGroup, Snapshot};

use crate::evidence::CreationTimes;
use crate::reason::Reason;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// How far CloudTrail's event history may lag behind the API, in seconds. AWS says events arrive within
/// about 5 minutes on average, without a guarantee: an hour is a wide margin.
pub const CLOUDTRAIL_LAG: i64 = 3_600;

/// What keeps unused groups from deletion, besides the rules that always hold.
#[derive(Debug, Clone)]
pub struct Protections {
    /// A group with one of these tags is kept (`value: None`: any value).
    pub tags: Vec<TagRule>,
    /// A group whose name matches one of these globs (`*`, `?`) is kept.
    pub names: Vec<String>,
    /// Groups created less than this many seconds ago are kept.
    pub min_age_secs: i64,
    /// Delete even when the age of a group cannot be told (CloudTrail not readable).
    pub ignore_age: bool,
    /// `--unused-for`: only groups unused for at least this long are candidates ([`GracePeriod`]).
    pub unused_for: Option<GracePeriod>,
}

/// `cleanup --unused-for`: a group is a candidate only when the history (the store) proves it has been unused
/// for at least `secs` before `now` ([`GroupVerdict::unused_since`]), as AWS Firewall Manager deletes only
/// groups unused for a grace period. Without a history for a group, it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GracePeriod {
    pub secs: i64,
    /// The moment it is measured back from (seconds since the Unix epoch).
    pub now: i64,
}

impl Default for Protections {
    fn default() -> Self {
        Self {
            tags: vec![TagRule { key: "DoNotDelete".to_string(), value: Some("true".to_string()) }],
            names: DEFAULT_PROTECTED_NAMES.iter().map(|s| s.to_string()).collect(),
            min_age_secs: 7 * DAY,
            ignore_age: false,
            unused_for: None,
        }
    }
}

impl Protections {
    /// The protections that always hold, and the run's: `--protect-tag` (`KEY` or `KEY=VALUE`),
    /// `--protect-name`, `--min-age` (days), `--ignore-age`.
    pub fn with(tags: &[String], names: &[String], min_age_days: u32, ignore_age: bool) -> Result<Self, TagRuleError> {
        let mut protections = Protections::default();
        for tag in tags {
            protections.tags.push(TagRule::parse(tag)?);
        }
        protections.names.extend(names.iter().cloned());
        protections.min_age_secs = i64::from(min_age_days) * DAY;
        protections.ignore_age = ignore_age;
        Ok(protections)
    }
}

/// Name patterns kept by default, from the advice our users follow.
pub const DEFAULT_PROTECTED_NAMES: [&str; 3] = ["prod-*", "*-live", "critical-*"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    pub key: String,
    pub value: Option<String>,
}

/// A `--protect-tag` that is not `KEY` or `KEY=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--protect-tag `{text}`: the tag key is empty (use KEY or KEY=VALUE)")]
pub struct TagRuleError {
    pub text: String,
}

impl TagRule {
    /// `KEY` or `KEY=VALUE`.
    pub fn parse(text: &str) -> Result<TagRule, TagRuleError> {
        let (key, value) = match text.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim().to_string())),
            None => (text.trim(), None),
        };
        if key.is_empty() {
            return Err(TagRuleError { text: text.to_string() });
        }
        Ok(TagRule { key: key.to_string(), value })
    }

    /// Keys and values are compared without case (`donotdelete=True` protects like `DoNotDelete=true`), and a
    /// rule asking for a truthy value (`true`, `yes`, `y`, `1`, `on`) accepts any of them.
    fn matches(&self, group: &SecurityGroup) -> bool {
        group.tags.iter().filter(|(k, _)| k.trim().eq_ignore_ascii_case(&self.key)).any(|(_, v)| match &self.value {
            None => true,
            Some(want) if is_truthy(want) => is_truthy(v),
            Some(want) => v.trim().eq_ignore_ascii_case(want),
        })
    }

    fn describe(&self) -> String {
        match &self.value {
            Some(v) => format!("{}={v}", self.key),
            None => self.key.clone(),
        }
    }
}

/// The tag values that mean "yes" (also the values the cleanup role of `sgaudit permissions` refuses to touch).
pub const TRUTHY: [&str; 5] = ["true", "yes", "y", "1", "on"];

pub fn is_truthy(value: &str) -> bool {
    TRUTHY.iter().any(|t| value.trim().eq_ignore_ascii_case(t))
}

/// The `--protect-name` globs, compiled once for a whole plan: the same reading of a name pattern as an
/// exception's `name` in sgaudit.toml, so it lives with the exceptions.
pub use sgaudit_audit::exceptions::NamePatterns;

/// The accounts and regions a run may touch: empty `accounts`/`regions` mean all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub accounts: Vec<String>,
    pub exclude_accounts: Vec<String>,
    pub regions: Vec<String>,
    pub exclude_regions: Vec<String>,
}

impl Scope {
    pub fn contains(&self, account_id: &str, region: &str) -> bool {
        let has = |list: &[String], x: &str| list.iter().any(|v| v == x);
        (self.accounts.is_empty() || has(&self.accounts, account_id))
            && !has(&self.exclude_accounts, account_id)
            && (self.regions.is_empty() || has(&self.regions, region))
            && !has(&self.exclude_regions, region)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Delete,
    Keep,
}

/// One group in the plan.
#[derive(Debug, Clone)]
pub struct Entry {
    pub account_id: String,
    pub region: String,
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: Option<String>,
    pub status: Status,
    pub decision: Decision,
    /// For a deletion: why the group is unused. For a group kept: what keeps it.
    pub reason: Reason,
    /// The group as the scan saw it (the backup takes a fresh copy before deleting).
    pub group: SecurityGroup,
}

/// An entry of `--plan-out`: the reason as its sentence (`reason`) and its stable code (`reason_code`).
impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            account_id: &'a str,
            region: &'a str,
            group_id: &'a str,
            group_name: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            vpc_id: Option<&'a str>,
            status: Status,
            decision: Decision,
            reason: String,
            reason_code: &'static str,
        }
        Shown {
            account_id: &self.account_id,
            region: &self.region,
            group_id: &self.group_id,
            group_name: &self.group_name,
            vpc_id: self.vpc_id.as_deref(),
            status: self.status,
            decision: self.decision,
            reason: self.reason.to_string(),
            reason_code: self.reason.code(),
        }
        .serialize(serializer)
    }
}

/// The plan over a whole snapshot.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Unused and unknown groups, sorted by account, region and id; they never move (the index points at
    /// them). Groups in use are not listed.
    entries: Vec<Entry>,
    /// Groups in use, not listed, counted.
    pub in_use: usize,
    /// Every account-region of the snapshot and of the entries, sorted by account and region.
    regions: Vec<RegionIndex>,
}

/// `--plan-out`: the entries in the order people read them ([`Plan::entries`]), and the count in use.
impl Serialize for Plan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            entries: Vec<&'a Entry>,
            in_use: usize,
        }
        Shown { entries: self.entries().collect(), in_use: self.in_use }.serialize(serializer)
    }
}

/// One account-region of the plan: its entries, and whose rules name what.
#[derive(Debug, Clone)]
struct RegionIndex {
    account_id: String,
    region: String,
    /// Its entries in [`Plan::entries`].
    entries: Range<usize>,
    /// Group id → its entry.
    by_id: HashMap<String, usize>,
    /// Every group of the region whose rules name other groups (from the snapshot, or the fresh one after a
    /// re-check), by id.
    holders: HashMap<String, Holder>,
}

#[derive(Debug, Clone)]
struct Holder {
    /// Its place among the region's groups: of the groups that stay and name a candidate, the first gives
    /// the reason it is kept.
    order: usize,
    name: String,
    /// The other groups its rules name.
    names: Vec<String>,
}

fn holders(groups: &[SecurityGroup]) -> HashMap<String, Holder> {
    groups
        .iter()
        .enumerate()
        .filter_map(|(order, g)| {
            let names: Vec<String> =
                g.referenced_groups().into_iter().filter(|t| *t != g.group_id).map(str::to_string).collect();
            let holder = Holder { order, name: g.group_name.clone(), names };
            (!holder.names.is_empty()).then(|| (g.group_id.clone(), holder))
        })
        .collect()
}

/// The audit cleanup makes: the `groups` family alone (the account checks are neither read nor judged).
pub fn judge(snapshot: &Snapshot) -> Audit<'_> {
    let options = sgaudit_audit::Options { families: Some(vec![Family::Groups]), ..sgaudit_audit::Options::default() };
    sgaudit_audit::audit_with(snapshot, &options)
}

impl Plan {
    /// The first draft: unused groups are candidates unless a rule that needs no AWS call keeps them.
    pub fn new(snapshot: &Snapshot, audit: &Audit, protections: &Protections) -> Plan {
        let names = NamePatterns::new(&protections.names);
        let mut entries = Vec::new();
        let mut in_use = 0;
        for g in &audit.groups {
            if g.status == Status::InUse {
                in_use += 1;
                continue;
            }
            let (decision, reason) = first_decision(g, protections, &names);
            entries.push(Entry {
                account_id: g.account_id.to_string(),
                region: g.region.to_string(),
                group_id: g.group.group_id.clone(),
                group_name: g.group.group_name.clone(),
                vpc_id: g.group.vpc_id.clone(),
                status: g.status,
                decision,
                reason,
                group: g.group.clone(),
            });
        }
        entries.sort_by(|a, b| (&a.account_id, &a.region, &a.group_id).cmp(&(&b.account_id, &b.region, &b.group_id)));
        let mut plan = Plan { entries, in_use, regions: Vec::new() };
        for (i, e) in plan.entries.iter().enumerate() {
            let place = (e.account_id.as_str(), e.region.as_str());
            if plan.regions.last().is_none_or(|r| (r.account_id.as_str(), r.region.as_str()) != place) {
                plan.regions.push(RegionIndex::new(&e.account_id, &e.region, i..i));
            }
            if let Some(r) = plan.regions.last_mut() {
                r.entries.end = i + 1;
                r.by_id.insert(e.group_id.clone(), i);
            }
        }
        for region in &snapshot.regions {
            let r = plan.region_or_new(&region.account_id, &region.region);
            plan.regions[r].holders = holders(&region.security_groups);
        }
        plan.settle(plan.every_stayer());
        plan
    }

    /// The plan of a run: its first draft, with what lies outside the run's `scope` kept, and the candidates
    /// of accounts that no credentials of the run reach (`reachable`: those that some do). `audit` is
    /// [`judge`]'s, with what people and the history add to it (marks, exceptions, "unused since").
    pub fn for_run(
        snapshot: &Snapshot,
        audit: &Audit,
        protections: &Protections,
        scope: &Scope,
        reachable: &[&str],
    ) -> Plan {
        let mut plan = Plan::new(snapshot, audit, protections);
        plan.limit(scope);
        for (account_id, region) in plan.regions_to_check() {
            if !reachable.contains(&account_id.as_str()) {
                plan.keep_region(&account_id, &region, &Reason::AccountNotReached);
            }
        }
        plan
    }

    /// Every entry in the order people read them: by account and region, then the deletions, then the groups
    /// kept, each by id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.regions.iter().flat_map(move |r| {
            let block = &self.entries[r.entries.clone()];
            let deleted = block.iter().filter(|e| e.decision == Decision::Delete);
            deleted.chain(block.iter().filter(|e| e.decision == Decision::Keep))
        })
    }

    /// Account-regions with at least one group to delete.
    pub fn regions_to_check(&self) -> BTreeSet<(String, String)> {
        self.deletions().map(|e| (e.account_id.clone(), e.region.clone())).collect()
    }

    /// The groups to delete, by account, region and id.
    pub fn deletions(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.decision == Decision::Delete)
    }

    /// The groups kept, by account, region and id.
    pub fn kept(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.decision == Decision::Keep)
    }

    /// The accounts with a group to delete, and how many.
    pub fn accounts(&self) -> BTreeMap<String, usize> {
        let mut accounts = BTreeMap::new();
        for e in self.deletions() {
            *accounts.entry(e.account_id.clone()).or_default() += 1;
        }
        accounts
    }

    /// Candidates of one account-region.
    pub fn deletions_in<'a>(&'a self, account_id: &str, region: &str) -> impl Iterator<Item = &'a Entry> + 'a {
        let range = self.region(account_id, region).map_or(0..0, |r| self.regions[r].entries.clone());
        self.entries[range].iter().filter(|e| e.decision == Decision::Delete)
    }

    /// Keeps `group_id` with `reason` (if it was to be deleted), then keeps whatever that leaves referenced.
    pub fn keep(&mut self, account_id: &str, region: &str, group_id: &str, reason: Reason) {
        if let Some(r) = self.region(account_id, region) {
            if self.mark_kept(r, group_id, reason) {
                self.settle(vec![(r, group_id.to_string())]);
            }
        }
    }

    /// The age rule for one account-region, from what CloudTrail told (or why it could not be read).
    ///
    /// A group CloudTrail does not know is older than the window read only if its creation would have been
    /// delivered by now: CloudTrail's event history lags behind the API (minutes, not guaranteed), so the
    /// group must have been seen (`seen_at`, when the plan's snapshot was collected) at least
    /// [`CLOUDTRAIL_LAG`] before the lookup (`now`). Otherwise it may have been created a minute ago, and it
    /// is kept.
    pub fn check_age(
        &mut self,
        account_id: &str,
        region: &str,
        creation: Result<&CreationTimes, &str>,
        now: i64,
        seen_at: Option<i64>,
        protections: &Protections,
    ) {
        let min_days = protections.min_age_secs / DAY;
        let mut keep = Vec::new();
        for e in self.deletions_in(account_id, region) {
            let reason = match creation {
                Err(_) if protections.ignore_age => None,
                Err(why) => Some(Reason::AgeUnreadable { error: why.to_string() }),
                Ok(window) => match window.created.get(&e.group_id) {
                    Some(&created) if now - created < protections.min_age_secs => {
                        Some(Reason::TooYoung { age_days: (now - created).max(0) / DAY, min_days })
                    }
                    Some(_) => None,
                    None if protections.ignore_age || protections.min_age_secs == 0 => None,
                    None if now - window.since < protections.min_age_secs => {
                        Some(Reason::AgeWindowTooShort { window_days: (now - window.since) / DAY, min_days })
                    }
                    // Not created within the window, and seen long enough ago for its creation to show there:
                    // older than the window, which covers the minimum age.
                    None if seen_at.is_some_and(|seen| now - seen >= CLOUDTRAIL_LAG) => None,
                    None => {
                        Some(Reason::AgeUnknownYet { seen_minutes_ago: seen_at.map(|seen| (now - seen).max(0) / 60) })
                    }
                },
            };
            if let Some(reason) = reason {
                keep.push((e.group_id.clone(), reason));
            }
        }
        for (group_id, reason) in keep {
            self.keep(account_id, region, &group_id, reason);
        }
    }

    /// Candidates whose VPC is peered or attached to a transit gateway: the groups that other VPCs' rules
    /// name (from `DescribeSecurityGroupReferences`), or, if that could not be read, all of them, are kept.
    pub fn check_peer_references(
        &mut self,
        account_id: &str,
        region: &str,
        connected_vpcs: &BTreeSet<String>,
        references: Result<&HashMap<String, Vec<String>>, &str>,
    ) {
        let mut keep = Vec::new();
        for e in self.deletions_in(account_id, region) {
            let Some(vpc) = e.vpc_id.as_deref().filter(|v| connected_vpcs.contains(*v)) else { continue };
            match references {
                Err(why) => keep.push((
                    e.group_id.clone(),
                    Reason::PeerReferencesUnreadable { vpc_id: vpc.to_string(), error: why.to_string() },
                )),
                Ok(refs) => {
                    if let Some(vpcs) = refs.get(&e.group_id).filter(|v| !v.is_empty()) {
                        keep.push((e.group_id.clone(), Reason::ReferencedFromPeeredVpcs { vpc_ids: vpcs.clone() }));
                    }
                }
            }
        }
        for (group_id, reason) in keep {
            self.keep(account_id, region, &group_id, reason);
        }
    }

    /// Keeps every account-region's candidates with `reason` (e.g. the peering could not be read).
    pub fn keep_region(&mut self, account_id: &str, region: &str, reason: &Reason) {
        let ids: Vec<String> = self.deletions_in(account_id, region).map(|e| e.group_id.clone()).collect();
        for id in ids {
            self.keep(account_id, region, &id, reason.clone());
        }
    }

    /// Keeps every candidate of an account with `reason` (e.g. it was not confirmed).
    pub fn keep_account(&mut self, account_id: &str, reason: &Reason) {
        for (a, r) in self.regions_to_check().into_iter().filter(|(a, _)| a == account_id) {
            self.keep_region(&a, &r, reason);
        }
    }

    /// Keeps whole accounts or regions out of this run's scope (`--accounts`, `--exclude-accounts`,
    /// `--region`, `--exclude-region`): a run never reaches wider than asked.
    pub fn limit(&mut self, scope: &Scope) {
        let out: Vec<(String, String, String)> = self
            .deletions()
            .filter(|e| !scope.contains(&e.account_id, &e.region))
            .map(|e| (e.account_id.clone(), e.region.clone(), e.group_id.clone()))
            .collect();
        for (a, r, g) in out {
            self.keep(&a, &r, &g, Reason::OutOfScope);
        }
    }

    /// The fresh judgement made right before deleting (the evidence of every affected account-region read
    /// again): a candidate that is not `unused` there, or no longer exists, is kept with what was found.
    /// `fresh_snapshot` replaces the snapshot's groups of those regions, so that a rule added since the plan
    /// keeps what it names.
    pub fn recheck(&mut self, fresh_snapshot: &Snapshot, fresh: &Audit) {
        let verdicts: HashMap<(&str, &str, &str), &GroupVerdict> =
            fresh.groups.iter().map(|g| ((g.account_id, g.region, g.group.group_id.as_str()), g)).collect();
        let mut keep = Vec::new();
        for e in self.deletions() {
            let reason = match verdicts.get(&(e.account_id.as_str(), e.region.as_str(), e.group_id.as_str())) {
                None => Some(Reason::GoneInFreshScan),
                Some(v) if v.status == Status::Unused => None,
                Some(v) if v.status == Status::InUse => Some(Reason::InUseInFreshScan {
                    uses: v.used_by.iter().take(3).map(|u| format!("{} {}", u.kind.id(), u.id)).collect(),
                }),
                Some(v) => Some(Reason::UnknownInFreshScan { missing: missing_evidence(v) }),
            };
            if let Some(reason) = reason {
                keep.push((e.account_id.clone(), e.region.clone(), e.group_id.clone(), reason));
            }
        }
        for region in &fresh_snapshot.regions {
            let r = self.region_or_new(&region.account_id, &region.region);
            self.regions[r].holders = holders(&region.security_groups);
        }
        // The first settling goes over every group that stays, since the fresh rules may name a candidate;
        // after it, each group kept brings only what its own rules name.
        let mut everyone = true;
        for (a, r, g, reason) in keep {
            let Some(region) = self.region(&a, &r) else { continue };
            let kept = self.mark_kept(region, &g, reason);
            if std::mem::take(&mut everyone) {
                self.settle(self.every_stayer());
            } else if kept {
                self.settle(vec![(region, g)]);
            }
        }
        if everyone {
            self.settle(self.every_stayer());
        }
    }

    /// The account-region's index in `regions`.
    fn region(&self, account_id: &str, region: &str) -> Option<usize> {
        self.regions.binary_search_by(|r| (r.account_id.as_str(), r.region.as_str()).cmp(&(account_id, region))).ok()
    }

    /// The account-region's index in `regions`, added (with no entries) if it was not there.
    fn region_or_new(&mut self, account_id: &str, region: &str) -> usize {
        match self.regions.binary_search_by(|r| (r.account_id.as_str(), r.region.as_str()).cmp(&(account_id, region))) {
            Ok(r) => r,
            Err(at) => {
                // An empty block where the region's entries would be, so that the blocks stay in order.
                let start = self.regions.get(at).map_or(self.entries.len(), |next| next.entries.start);
                self.regions.insert(at, RegionIndex::new(account_id, region, start..start));
                at
            }
        }
    }

    /// Turns a deletion of region `r` into a group kept with `reason`; false if it was not a deletion.
    fn mark_kept(&mut self, r: usize, group_id: &str, reason: Reason) -> bool {
        let Some(&i) = self.regions[r].by_id.get(group_id) else { return false };
        let e = &mut self.entries[i];
        if e.decision != Decision::Delete {
            return false;
        }
        e.decision = Decision::Keep;
        e.reason = reason;
        true
    }

    fn is_deletion(&self, r: usize, group_id: &str) -> bool {
        self.regions[r].by_id.get(group_id).is_some_and(|&i| self.entries[i].decision == Decision::Delete)
    }

    /// Every group that stays and names another, as (region, group id).
    fn every_stayer(&self) -> Vec<(usize, String)> {
        let mut stayers = Vec::new();
        for (r, region) in self.regions.iter().enumerate() {
            stayers.extend(region.holders.keys().filter(|h| !self.is_deletion(r, h)).map(|h| (r, h.clone())));
        }
        stayers
    }

    /// A candidate named by a rule of a group that stays would need that group edited: keep it too, and so
    /// on for what it names. `stayers` are the groups that stay since the plan was last settled, as
    /// (region, group id). Round by round: a candidate named by several groups that stay since the same
    /// round is kept for the first of them in the snapshot's order.
    fn settle(&mut self, mut stayers: Vec<(usize, String)>) {
        while !stayers.is_empty() {
            // Candidate's entry → (order, region, group id and name) of the first stayer naming it.
            let mut named: HashMap<usize, (usize, usize, &str, &str)> = HashMap::new();
            for (r, id) in &stayers {
                let region = &self.regions[*r];
                let Some(holder) = region.holders.get(id) else { continue };
                for target in &holder.names {
                    let Some(&i) = region.by_id.get(target) else { continue };
                    if self.entries[i].decision != Decision::Delete {
                        continue;
                    }
                    let first = named.entry(i).or_insert((holder.order, *r, id, &holder.name));
                    if holder.order < first.0 {
                        *first = (holder.order, *r, id, &holder.name);
                    }
                }
            }
            let kept: Vec<(usize, usize, Reason)> = named
                .into_iter()
                .map(|(i, (_, r, id, name))| {
                    let reason =
                        Reason::NamedByGroupThatStays { group_id: id.to_string(), group_name: Some(name.to_string()) };
                    (i, r, reason)
                })
                .collect();
            stayers = Vec::with_capacity(kept.len());
            for (i, r, reason) in kept {
                let e = &mut self.entries[i];
                e.decision = Decision::Keep;
                e.reason = reason;
                stayers.push((r, e.group_id.clone()));
            }
        }
    }
}

impl RegionIndex {
    fn new(account_id: &str, region: &str, entries: Range<usize>) -> RegionIndex {
        RegionIndex {
            account_id: account_id.to_string(),
            region: region.to_string(),
            entries,
            by_id: HashMap::new(),
            holders: HashMap::new(),
        }
    }
}

/// The evidence an `unknown` verdict lacks, in words.
fn missing_evidence(g: &GroupVerdict) -> Vec<String> {
    g.missing_evidence.iter().map(|m| m.to_string()).collect()
}

fn first_decision(g: &GroupVerdict, protections: &Protections, names: &NamePatterns) -> (Decision, Reason) {
    let group = g.group;
    if g.status == Status::Unknown {
        return (Decision::Keep, Reason::Unknown { missing: missing_evidence(g) });
    }
    if g.is_default {
        return (Decision::Keep, Reason::DefaultGroup);
    }
    if group.owner_id != g.account_id {
        return (Decision::Keep, Reason::OwnedByAnotherAccount { owner_id: group.owner_id.clone() });
    }
    if let Some(rule) = protections.tags.iter().find(|t| t.matches(group)) {
        return (Decision::Keep, Reason::ProtectedByTag { rule: rule.describe() });
    }
    if let Some(i) = names.first_match(&group.group_name) {
        return (Decision::Keep, Reason::ProtectedByName { pattern: protections.names[i].clone() });
    }
    if let Some(mark) = &g.marked_in_use {
        return (Decision::Keep, Reason::MarkedInUse { owner: mark.owner.clone(), reason: mark.reason.clone() });
    }
    if let Some(grace) = protections.unused_for {
        if let Some(reason) = within_grace(g.unused_since.as_deref(), grace) {
            return (Decision::Keep, reason);
        }
    }
    let named_by: BTreeSet<&str> = g.referenced_by.iter().map(|r| r.group_id).collect();
    (Decision::Delete, Reason::Unused { named_by: named_by.into_iter().map(str::to_string).collect() })
}

/// `--unused-for`: a whole number and a unit, `h` (hours), `d` (days) or `w` (weeks): `30d`, `12h`, `2w`; in
/// seconds. No months or years: their lengths vary, and `m` would read as minutes to some.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not a duration: write a whole number and s, m, h, d or w (30d, 12h, 2w)");
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return Err(bad()),
    };
    let number: i64 = number.parse().map_err(|_| bad())?;
    // A century is longer than any history; beyond it the number is a typo.
    number.checked_mul(unit).filter(|&secs| secs <= 36_500 * DAY).ok_or_else(bad)
}

/// Why `--unused-for` keeps a group unused since `since` (RFC 3339), if it does: no history of it (or a time
/// that cannot be read: a grace period is never assumed over), or unused for less than the period.
fn within_grace(since: Option<&str>, grace: GracePeriod) -> Option<Reason> {
    let at = since.and_then(sgaudit_snapshot::time::parse_rfc3339_ms).map(|ms| ms.div_euclid(1000));
    match (since, at) {
        (Some(since), Some(at)) if grace.now - at < grace.secs => {
            Some(Reason::UnusedTooRecently { since: since.to_string(), days: (grace.now - at).max(0) / DAY })
        }
        (Some(_), Some(_)) => None,
        _ => Some(Reason::UnusedForUnknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, name: &str) -> bool {
        NamePatterns::new(&[pattern.to_string()]).first_match(name).is_some()
    }

    #[test]
    fn globs() {
        assert!(matches("prod-*", "prod-web"));
        assert!(matches("prod-*", "prod-"));
        assert!(!matches("prod-*", "preprod-web"));
        assert!(matches("*-live", "api-live"));
        assert!(!matches("*-live", "api-live-2"));
        assert!(matches("critical-*", "critical-db"));
        assert!(matches("a?c*d", "abcxxd"));
        assert!(!matches("a?c*d", "acxxd"));
        assert!(matches("*", ""));
        assert!(matches("**x", "abx"));
    }

    #[test]
    fn globs_know_only_star_and_question_mark_and_ignore_case() {
        assert!(matches("prod-*", "Prod-web") && matches("PROD-*", "prod-db") && matches("ÉTÉ-*", "été-1"));
        // `*` and `?` cross `/` (a name is not a path), and `**` is `*`.
        assert!(matches("a*b", "a/x/b") && matches("a?b", "a/b") && matches("a/**/b", "a/x/y/b"));
        assert!(matches("a**b", "ab") && matches("***", "anything"));
        // Everything else is itself: brackets, braces, backslashes, commas, `!`, `-`.
        for (pattern, name) in [
            ("[ab]", "[ab]"),
            ("{a,b}-*", "{a,b}-x"),
            ("a\\*", "a\\xyz"),
            ("x[!y]", "x[!y]"),
            ("]-[", "]-["),
            ("a-z", "a-z"),
        ] {
            assert!(matches(pattern, name), "{pattern} {name}");
        }
        for (pattern, name) in [("[ab]", "a"), ("{a,b}-*", "a-x"), ("a\\*", "a*"), ("x[!y]", "xz"), ("a-z", "b")] {
            assert!(!matches(pattern, name), "{pattern} {name}");
        }
        // The first pattern that matches, in the order given.
        let set = NamePatterns::new(&["x-*".into(), "*-live".into(), "api-*".into()]);
        assert_eq!(set.first_match("api-live"), Some(1));
        assert_eq!(set.first_match("db"), None);
        assert_eq!(NamePatterns::new(&[]).first_match("x"), None);
    }

    #[test]
    fn tag_rules() {
        assert_eq!(TagRule::parse("Keep").unwrap(), TagRule { key: "Keep".into(), value: None });
        assert_eq!(
            TagRule::parse("DoNotDelete=true").unwrap(),
            TagRule { key: "DoNotDelete".into(), value: Some("true".into()) }
        );
        let error = TagRule::parse("=x").unwrap_err();
        assert_eq!(error.to_string(), "--protect-tag `=x`: the tag key is empty (use KEY or KEY=VALUE)");
    }
}

/// Whether an account's alias or organization name says production: `prod` or `production` as a word
/// (`acme-prod`, `Prod EU`, `payments_production`, `acmeProd`, `prod2`), in any case. A word that only starts
/// with it is another word: `product-team` and `prodigy` are not production.
pub fn looks_like_production(label: &str) -> bool {
    words(label).iter().any(|w| {
        let w = w.to_ascii_lowercase();
        let stem = w.trim_end_matches(|c: char| c.is_ascii_digit());
        stem == "prod" || stem == "production"
    })
}

/// The words of a label: split at anything but a letter or digit, and where a lower-case letter meets an
/// upper-case one (`acmeProd` → `acme`, `Prod`).
fn words(label: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in label.chars() {
        if !c.is_alphanumeric() {
            words.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.push(c);
    }
    words.extend((!current.is_empty()).then_some(current));
    words
}

#[cfg(test)]
mod production_tests {
    use super::looks_like_production;

    #[test]
    fn production_is_a_word_not_a_prefix() {
        for label in [
            "prod",
            "acme-prod",
            "Prod EU",
            "payments_production",
            "acmeProd",
            "PROD",
            "prod2 / Payments",
            "eu.prod.acme",
        ] {
            assert!(looks_like_production(label), "{label}");
        }
        for label in ["product-team", "prodigy", "Products", "reproduce", "staging", "", "non-prd"] {
            assert!(!looks_like_production(label), "{label}");
        }
    }
}

//! The plan: which groups would be deleted and which are kept, each with its reason.
//!
//! Only `unused` groups can be candidates: never `unknown` (some evidence was not read), never a default group
//! (AWS refuses to delete it), never a group owned by another account. Protections then keep candidates
//! back: tags, name patterns, age (from CloudTrail), references from peered VPCs. Every check that cannot be
//! made keeps the group: the plan errs towards keeping. Last, a candidate that a kept group's rule still
//! names is kept too, since deleting it would mean editing a group that stays.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use sgaudit_audit::{Audit, GroupVerdict, Status};
use sgaudit_snapshot::{SecurityGroup, Snapshot};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The start of the reason a candidate is kept when its fresh evidence could not be read.
pub const FRESH_UNKNOWN: &str = "unknown in the fresh scan before deleting";

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
}

impl Default for Protections {
    fn default() -> Self {
        Self {
            tags: vec![TagRule { key: "DoNotDelete".to_string(), value: Some("true".to_string()) }],
            names: DEFAULT_PROTECTED_NAMES.iter().map(|s| s.to_string()).collect(),
            min_age_secs: 7 * DAY,
            ignore_age: false,
        }
    }
}

/// Name patterns kept by default, from the advice our users follow.
pub const DEFAULT_PROTECTED_NAMES: [&str; 3] = ["prod-*", "*-live", "critical-*"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    pub key: String,
    pub value: Option<String>,
}

impl TagRule {
    /// `KEY` or `KEY=VALUE`.
    pub fn parse(text: &str) -> Result<TagRule, String> {
        let (key, value) = match text.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim().to_string())),
            None => (text.trim(), None),
        };
        if key.is_empty() {
            return Err(format!("--protect-tag `{text}`: the tag key is empty (use KEY or KEY=VALUE)"));
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

/// Whether `name` matches `pattern`, where `*` is any run of characters and `?` one character, without case
/// (`prod-*` protects `Prod-web` and `PROD-db`).
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let lower = |s: &str| -> Vec<char> { s.chars().flat_map(char::to_lowercase).collect() };
    let (p, n) = (lower(pattern), lower(name));
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

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
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub account_id: String,
    pub region: String,
    pub group_id: String,
    pub group_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    pub status: Status,
    pub decision: Decision,
    /// For a deletion: why the group is unused. For a group kept: what keeps it.
    pub reason: String,
    /// The group as the scan saw it (the backup takes a fresh copy before deleting).
    #[serde(skip)]
    pub group: SecurityGroup,
}

/// The plan over a whole snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Unused and unknown groups, sorted by account, region, decision and id. Groups in use are not listed.
    pub entries: Vec<Entry>,
    /// Groups in use, not listed, counted.
    pub in_use: usize,
    /// Every group of the snapshot's regions, by account and region: whose rules name a candidate.
    #[serde(skip)]
    groups: BTreeMap<(String, String), Vec<SecurityGroup>>,
}

/// What CloudTrail told of group creation in one account-region.
#[derive(Debug, Clone)]
pub struct CreationWindow {
    /// Start of the window read (epoch seconds): a group not created since then is older.
    pub since: i64,
    /// Creation time (epoch seconds) of the groups created in the window.
    pub created: HashMap<String, i64>,
}

impl Plan {
    /// The first draft: unused groups are candidates unless a rule that needs no AWS call keeps them.
    pub fn new(snapshot: &Snapshot, audit: &Audit, protections: &Protections) -> Plan {
        let mut entries = Vec::new();
        let mut in_use = 0;
        for g in &audit.groups {
            if g.status == Status::InUse {
                in_use += 1;
                continue;
            }
            let (decision, reason) = first_decision(g, protections);
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
        let groups = snapshot
            .regions
            .iter()
            .map(|r| ((r.account_id.clone(), r.region.clone()), r.security_groups.clone()))
            .collect();
        let mut plan = Plan { entries, in_use, groups };
        plan.settle();
        plan
    }

    /// Account-regions with at least one group to delete.
    pub fn regions_to_check(&self) -> BTreeSet<(String, String)> {
        self.deletions().map(|e| (e.account_id.clone(), e.region.clone())).collect()
    }

    pub fn deletions(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.decision == Decision::Delete)
    }

    pub fn kept(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.decision == Decision::Keep)
    }

    /// Candidates of one account-region.
    pub fn deletions_in<'a>(&'a self, account_id: &'a str, region: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.deletions().filter(move |e| e.account_id == account_id && e.region == region)
    }

    /// Keeps `group_id` with `reason` (if it was to be deleted), then keeps whatever that leaves referenced.
    pub fn keep(&mut self, account_id: &str, region: &str, group_id: &str, reason: String) {
        if let Some(e) = self.entries.iter_mut().find(|e| {
            e.decision == Decision::Delete && e.account_id == account_id && e.region == region && e.group_id == group_id
        }) {
            e.decision = Decision::Keep;
            e.reason = reason;
        }
        self.settle();
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
        creation: Result<&CreationWindow, &str>,
        now: i64,
        seen_at: Option<i64>,
        protections: &Protections,
    ) {
        let min_days = protections.min_age_secs / DAY;
        let mut keep = Vec::new();
        for e in self.deletions_in(account_id, region) {
            let reason = match creation {
                Err(_) if protections.ignore_age => None,
                Err(why) => Some(format!(
                    "age unknown: CloudTrail could not be read ({why}); pass --ignore-age to delete anyway"
                )),
                Ok(window) => match window.created.get(&e.group_id) {
                    Some(&created) if now - created < protections.min_age_secs => Some(format!(
                        "too young: created {} day(s) ago, less than --min-age {min_days} day(s)",
                        (now - created).max(0) / DAY
                    )),
                    Some(_) => None,
                    None if protections.ignore_age || protections.min_age_secs == 0 => None,
                    None if now - window.since < protections.min_age_secs => Some(format!(
                        "age unknown: CloudTrail keeps {} day(s) of events, less than --min-age {min_days} day(s)",
                        (now - window.since) / DAY
                    )),
                    // Not created within the window, and seen long enough ago for its creation to show there:
                    // older than the window, which covers the minimum age.
                    None if seen_at.is_some_and(|seen| now - seen >= CLOUDTRAIL_LAG) => None,
                    None => Some(format!(
                        "age unknown: not in CloudTrail's event history, which can lag up to {} minute(s) behind, \
                         and first seen {}; plan from a snapshot saved at least that long ago (sgaudit scan \
                         --save-snapshot), or pass --ignore-age",
                        CLOUDTRAIL_LAG / 60,
                        match seen_at {
                            Some(seen) => format!("{} minute(s) ago", (now - seen).max(0) / 60),
                            None => "at an unknown time (the snapshot has no collected_at)".to_string(),
                        }
                    )),
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
                    format!("{vpc} is peered, and references from other VPCs could not be read ({why})"),
                )),
                Ok(refs) => {
                    if let Some(vpcs) = refs.get(&e.group_id).filter(|v| !v.is_empty()) {
                        keep.push((e.group_id.clone(), format!("referenced from peered VPC(s) {}", vpcs.join(", "))));
                    }
                }
            }
        }
        for (group_id, reason) in keep {
            self.keep(account_id, region, &group_id, reason);
        }
    }

    /// Keeps every account-region's candidates with `reason` (e.g. the peering could not be read).
    pub fn keep_region(&mut self, account_id: &str, region: &str, reason: &str) {
        let ids: Vec<String> = self.deletions_in(account_id, region).map(|e| e.group_id.clone()).collect();
        for id in ids {
            self.keep(account_id, region, &id, reason.to_string());
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
            self.keep(&a, &r, &g, "outside the accounts and regions of this run".to_string());
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
                None => Some("no longer exists (fresh scan)".to_string()),
                Some(v) if v.status == Status::Unused => None,
                Some(v) if v.status == Status::InUse => {
                    let uses: Vec<String> =
                        v.used_by.iter().take(3).map(|u| format!("{} {}", u.kind.id(), u.id)).collect();
                    Some(format!("in use by the fresh scan before deleting: {}", uses.join(", ")))
                }
                Some(v) => Some(format!(
                    "{FRESH_UNKNOWN}: {}",
                    if v.missing_evidence.is_empty() {
                        "some evidence could not be read".to_string()
                    } else {
                        v.missing_evidence.join("; ")
                    }
                )),
            };
            if let Some(reason) = reason {
                keep.push((e.account_id.clone(), e.region.clone(), e.group_id.clone(), reason));
            }
        }
        for region in &fresh_snapshot.regions {
            self.groups.insert((region.account_id.clone(), region.region.clone()), region.security_groups.clone());
        }
        for (a, r, g, reason) in keep {
            self.keep(&a, &r, &g, reason);
        }
        self.settle();
    }

    /// A candidate named by a rule of a group that stays would need that group edited: keep it too.
    fn settle(&mut self) {
        loop {
            let deleting: HashSet<(String, String, String)> =
                self.deletions().map(|e| (e.account_id.clone(), e.region.clone(), e.group_id.clone())).collect();
            let mut newly_kept = Vec::new();
            for ((account_id, region), groups) in &self.groups {
                for holder in groups {
                    if deleting.contains(&(account_id.clone(), region.clone(), holder.group_id.clone())) {
                        continue;
                    }
                    for target in holder.referenced_groups() {
                        if target != holder.group_id
                            && deleting.contains(&(account_id.clone(), region.clone(), target.to_string()))
                        {
                            newly_kept.push((
                                account_id.clone(),
                                region.clone(),
                                target.to_string(),
                                format!("named in a rule of {} ({}), which stays", holder.group_id, holder.group_name),
                            ));
                        }
                    }
                }
            }
            if newly_kept.is_empty() {
                break;
            }
            for (a, r, g, reason) in newly_kept {
                if let Some(e) = self
                    .entries
                    .iter_mut()
                    .find(|e| e.decision == Decision::Delete && e.account_id == a && e.region == r && e.group_id == g)
                {
                    e.decision = Decision::Keep;
                    e.reason = reason;
                }
            }
        }
        self.entries.sort_by(|a, b| {
            (&a.account_id, &a.region, a.decision, &a.group_id).cmp(&(
                &b.account_id,
                &b.region,
                b.decision,
                &b.group_id,
            ))
        });
    }
}

fn first_decision(g: &GroupVerdict, protections: &Protections) -> (Decision, String) {
    let group = g.group;
    if g.status == Status::Unknown {
        let missing = if g.missing_evidence.is_empty() {
            "some evidence could not be read".to_string()
        } else {
            g.missing_evidence.join("; ")
        };
        return (Decision::Keep, format!("unknown, not proven unused: {missing}"));
    }
    if g.is_default {
        return (Decision::Keep, "default group (AWS does not delete it)".to_string());
    }
    if group.owner_id != g.account_id {
        return (Decision::Keep, format!("owned by another account ({})", group.owner_id));
    }
    if let Some(rule) = protections.tags.iter().find(|t| t.matches(group)) {
        return (Decision::Keep, format!("protected by tag {}", rule.describe()));
    }
    if let Some(pattern) = protections.names.iter().find(|p| glob_matches(p, &group.group_name)) {
        return (Decision::Keep, format!("protected by name pattern `{pattern}`"));
    }
    (Decision::Delete, why_unused(g))
}

/// Why the audit found the group unused, in words.
fn why_unused(g: &GroupVerdict) -> String {
    let mut why = "no network interface, no resource configuration and no rule of a used group names it".to_string();
    let referencing: BTreeSet<&str> = g.referenced_by.iter().map(|r| r.group_id).collect();
    if !referencing.is_empty() {
        why.push_str(&format!(
            "; named only by unused group(s) {}",
            referencing.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    why.push_str("; every source of its account-region was read");
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("prod-*", "prod-web"));
        assert!(glob_matches("prod-*", "prod-"));
        assert!(!glob_matches("prod-*", "preprod-web"));
        assert!(glob_matches("*-live", "api-live"));
        assert!(!glob_matches("*-live", "api-live-2"));
        assert!(glob_matches("critical-*", "critical-db"));
        assert!(glob_matches("a?c*d", "abcxxd"));
        assert!(!glob_matches("a?c*d", "acxxd"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("**x", "abx"));
    }

    #[test]
    fn tag_rules() {
        assert_eq!(TagRule::parse("Keep").unwrap(), TagRule { key: "Keep".into(), value: None });
        assert_eq!(
            TagRule::parse("DoNotDelete=true").unwrap(),
            TagRule { key: "DoNotDelete".into(), value: Some("true".into()) }
        );
        assert!(TagRule::parse("=x").is_err());
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

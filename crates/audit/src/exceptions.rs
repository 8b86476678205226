//! Exceptions: what a team has accepted (a finding muted, with a reason, an owner and an expiry) and what it
//! knows that sgaudit cannot see (a group marked in use). Declared in `sgaudit.toml` (crates/config) or with
//! `sgaudit mark` (the store); applied here, after judging, so that every report shows the same thing.

use std::fmt;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::checks::Check;
use crate::{Audit, CheckResult, GroupVerdict, Outcome, Risk, Status};

/// Why a finding or a result is muted, or why a group is held to be in use: the exception that says so.
/// A muted finding stays in every report, with this, but counts for neither `--fail-on` nor the exit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Muted {
    pub reason: String,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The last day it holds (`YYYY-MM-DD`, UTC), if it ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where it was declared: `sgaudit.toml:12`, or `mark` for one recorded with `sgaudit mark`.
    pub declared_at: String,
}

/// What became of one declared exception in this run, for the reports and the warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionState {
    /// Where it was declared (as [`Muted::declared_at`]).
    pub declared_at: String,
    pub reason: String,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// A use sgaudit cannot see (`in_use = true`, or `sgaudit mark`): `matched` counts the groups it marked.
    pub in_use: bool,
    pub state: ExceptionStatus,
    /// How many findings, results or groups it muted or marked in this run (0 when expired or unmatched).
    pub matched: usize,
}

/// Whether an exception did anything in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionStatus {
    /// It matched, and muted or marked what it matched.
    Active,
    /// Past its expiry date: it mutes nothing any more, and is warned about.
    Expired,
    /// In force, but it matched nothing in this run: warned about (a typo, or what it excused is gone).
    Unmatched,
}

/// A calendar day (UTC): when an exception ends, and the day a run is judged on. An exception holds through
/// its expiry day and stops the day after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(time::Date);

/// A day that is not `YYYY-MM-DD`, or not in the calendar (`2027-02-30`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDay {
    pub text: String,
}

impl fmt::Display for BadDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a date: write YYYY-MM-DD, a day of the calendar", self.text)
    }
}

impl std::error::Error for BadDay {}

impl Day {
    /// The day of the calendar, if it is one.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Day> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok().map(Day)
    }

    /// `2027-03-31`, and nothing else (no time, no offset: an expiry is a whole day).
    pub fn parse(text: &str) -> Result<Day, BadDay> {
        let bad = || BadDay { text: text.to_string() };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let mut parts = text.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) else { return Err(bad()) };
        Day::from_ymd(y, m, d).ok_or_else(bad)
    }

    /// The UTC day of an instant, in seconds since the Unix epoch.
    pub fn of_epoch(seconds: i64) -> Option<Day> {
        time::OffsetDateTime::from_unix_timestamp(seconds).ok().map(|at| Day(at.date()))
    }
}

/// `YYYY-MM-DD` (the `time` crate's own formatting is a feature the tree does not have).
impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), u8::from(self.0.month()), self.0.day())
    }
}

/// Group-name globs as cleanup's `--protect-name` and the exceptions' `name` read them, compiled once: `*` is
/// any run of characters, `?` one character, and every other character is itself (`[`, `{`, `\` too),
/// without case (`prod-*` matches `Prod-web` and `PROD-db`). Names and patterns are compared in lower case
/// (Unicode's), so that the glob itself needs no case folding.
///
/// globset matches bytes: in a name outside ASCII, `?` is one byte, and neither `*` nor `?` matches a line
/// break. AWS allows neither in a group name (letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`); only a
/// hand-made snapshot can have one.
#[derive(Debug, Clone)]
pub struct NamePatterns {
    set: GlobSet,
}

impl NamePatterns {
    pub fn new(patterns: &[String]) -> NamePatterns {
        let mut set = GlobSetBuilder::new();
        for pattern in patterns {
            // Every character but `*` and `?` is escaped: this cannot fail to compile.
            let glob = GlobBuilder::new(&glob_of(pattern))
                .literal_separator(false)
                .backslash_escape(false)
                .build()
                .expect("an escaped glob compiles");
            set.add(glob);
        }
        NamePatterns { set: set.build().expect("a set of escaped globs compiles") }
    }

    /// The first of the patterns (in the order given) that `name` matches.
    pub fn first_match(&self, name: &str) -> Option<usize> {
        self.set.matches(lower(name)).into_iter().min()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

fn lower(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// A name pattern as a glob: lower case, `*` and `?` kept (a run of `*` is one: globset gives `**` a meaning
/// of its own), every character globset reads otherwise in brackets.
fn glob_of(pattern: &str) -> String {
    let mut glob = String::with_capacity(pattern.len() + 8);
    for c in lower(pattern).chars() {
        match c {
            '*' if glob.ends_with('*') => {}
            '*' | '?' => glob.push(c),
            '[' | ']' | '{' | '}' => {
                glob.push('[');
                glob.push(c);
                glob.push(']');
            }
            c => glob.push(c),
        }
    }
    glob
}

/// A tag an exception asks for: `KEY` (any value) or `KEY=VALUE`. Compared exactly, as AWS does: a muted
/// finding must be the one meant (cleanup's `--protect-tag` is lenient instead, since keeping errs safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagMatch {
    pub key: String,
    pub value: Option<String>,
}

impl TagMatch {
    fn matches(&self, tags: &sgaudit_snapshot::Tags) -> bool {
        tags.get(&self.key).is_some_and(|v| self.value.as_ref().is_none_or(|want| want == v))
    }
}

/// What an exception applies to. Every matcher given must match (an empty list is a matcher not given);
/// within one list, any value. `names` and `tags` describe groups, so an exception with either matches group
/// findings only, never an account or regional result.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub group_ids: Vec<String>,
    /// Name globs, as given (see [`NamePatterns`]).
    pub names: Vec<String>,
    names_compiled: NamePatterns,
    pub tags: Vec<TagMatch>,
    /// The checks whose findings and results it mutes; empty: every check.
    pub checks: Vec<&'static Check>,
}

impl Matcher {
    pub fn new(
        accounts: Vec<String>,
        regions: Vec<String>,
        group_ids: Vec<String>,
        names: Vec<String>,
        tags: Vec<TagMatch>,
        checks: Vec<&'static Check>,
    ) -> Matcher {
        let names_compiled = NamePatterns::new(&names);
        Matcher { accounts, regions, group_ids, names, names_compiled, tags, checks }
    }

    /// Whether anything but `checks` is given: an exception must say where it applies.
    pub fn names_a_place(&self) -> bool {
        !(self.accounts.is_empty()
            && self.regions.is_empty()
            && self.group_ids.is_empty()
            && self.names.is_empty()
            && self.tags.is_empty())
    }

    fn any(list: &[String], value: &str) -> bool {
        list.is_empty() || list.iter().any(|v| v == value)
    }

    /// Whether the group is one it describes (every check aside).
    pub fn matches_group(&self, g: &GroupVerdict) -> bool {
        Self::any(&self.accounts, g.account_id)
            && Self::any(&self.regions, g.region)
            && Self::any(&self.group_ids, &g.group.group_id)
            && (self.names.is_empty() || self.names_compiled.first_match(&g.group.group_name).is_some())
            && (self.tags.is_empty() || self.tags.iter().any(|t| t.matches(&g.group.tags)))
    }

    pub fn matches_check(&self, check: &Check) -> bool {
        self.checks.is_empty() || self.checks.iter().any(|c| c.id == check.id)
    }

    /// Whether an account or regional result is one it describes: by account, region (an account-wide
    /// result has none, so a region matcher never matches it), the group it stands at (its id, or its ARN
    /// `…:security-group/<id>`) and check. Name and tag matchers describe groups: never a result.
    pub fn matches_result(&self, r: &CheckResult) -> bool {
        let at = &r.location;
        let group_ok = self.group_ids.is_empty()
            || self.group_ids.iter().any(|id| {
                at.resource == *id
                    || at.resource.strip_suffix(id.as_str()).is_some_and(|head| head.ends_with(":security-group/"))
            });
        self.names.is_empty()
            && self.tags.is_empty()
            && Self::any(&self.accounts, &at.account_id)
            && (self.regions.is_empty() || at.region.as_deref().is_some_and(|r| Self::any(&self.regions, r)))
            && group_ok
            && self.matches_check(r.check)
    }
}

/// One exception, parsed: from `sgaudit.toml` (crates/config) or a mark recorded with `sgaudit mark`.
#[derive(Debug, Clone)]
pub struct Exception {
    pub matcher: Matcher,
    pub reason: String,
    pub owner: String,
    pub ticket: Option<String>,
    /// The last day it holds; `None`: it does not end (marks).
    pub expires: Option<Day>,
    /// A use sgaudit cannot see: the groups it matches are marked in use, and only their `sg-unused`
    /// finding is muted.
    pub in_use: bool,
    /// `sgaudit.toml:12`, or `mark`.
    pub declared_at: String,
}

impl Exception {
    /// What it puts on each finding, result or group it applies to.
    pub fn muted(&self) -> Muted {
        Muted {
            reason: self.reason.clone(),
            owner: self.owner.clone(),
            ticket: self.ticket.clone(),
            expires: self.expires.map(|d| d.to_string()),
            declared_at: self.declared_at.clone(),
        }
    }

    /// Whether it still holds on `today`: through its expiry day, not after.
    pub fn holds_on(&self, today: Day) -> bool {
        self.expires.is_none_or(|last| today <= last)
    }
}

/// Applies the exceptions to a judged audit, as of `today`: every `fail` result and group finding that an
/// exception in force matches gets its [`Muted`] (the first such exception, in the order declared);
/// `in_use` exceptions mark the groups they match ([`GroupVerdict::marked_in_use`]) and mute only their
/// `sg-unused` finding. A `not_evaluated` result is never muted: missing evidence never hides. Fills
/// [`Audit::exceptions`] with what became of each: active, expired (past its day: it mutes nothing), or
/// unmatched. An exception counts every finding, result or group it matches, even one an earlier
/// exception already muted, so that neither is reported as unmatched.
pub fn apply(audit: &mut Audit, exceptions: &[Exception], today: Day) {
    let in_force: Vec<bool> = exceptions.iter().map(|e| e.holds_on(today)).collect();
    let mutes: Vec<Box<Muted>> = exceptions.iter().map(|e| Box::new(e.muted())).collect();
    let mut matched = vec![0usize; exceptions.len()];
    let unused_check = crate::checks::groups::unused_group::CHECK.id;
    for g in &mut audit.groups {
        for (i, e) in exceptions.iter().enumerate() {
            if !in_force[i] || !e.matcher.matches_group(g) {
                continue;
            }
            if e.in_use {
                matched[i] += 1;
                g.marked_in_use.get_or_insert_with(|| mutes[i].clone());
            }
            for f in &mut g.findings {
                let applies = if e.in_use { f.check.id == unused_check } else { e.matcher.matches_check(f.check) };
                if applies {
                    matched[i] += usize::from(!e.in_use);
                    f.muted.get_or_insert_with(|| mutes[i].clone());
                }
            }
        }
    }
    for r in audit.results.iter_mut().filter(|r| r.outcome == Outcome::Fail) {
        for (i, e) in exceptions.iter().enumerate() {
            if in_force[i] && !e.in_use && e.matcher.matches_result(r) {
                matched[i] += 1;
                r.muted.get_or_insert_with(|| mutes[i].clone());
            }
        }
    }
    audit.exceptions = exceptions
        .iter()
        .zip(matched)
        .zip(in_force)
        .map(|((e, matched), in_force)| ExceptionState {
            declared_at: e.declared_at.clone(),
            reason: e.reason.clone(),
            owner: e.owner.clone(),
            ticket: e.ticket.clone(),
            expires: e.expires.map(|d| d.to_string()),
            in_use: e.in_use,
            state: match (in_force, matched) {
                (false, _) => ExceptionStatus::Expired,
                (true, 0) => ExceptionStatus::Unmatched,
                (true, _) => ExceptionStatus::Active,
            },
            matched,
        })
        .collect();
}

/// The risk a group still stands for once its muted findings are set aside: [`crate::risk`]'s table, each
/// of its reasons dropped when the finding that stands for it is muted (SSH, RDP, all traffic and the other
/// high-risk ports open to the world: their `sg-world-open-*` checks; a default group in use:
/// `sg-default-in-use`; unused: `sg-unused`), raised by the findings not muted. A reason no finding stands
/// for (a default group whose status is unknown) always counts. With nothing muted, it is the group's risk.
pub fn unmuted_risk(g: &GroupVerdict) -> Risk {
    if g.findings.iter().all(|f| f.muted.is_none()) {
        return g.risk;
    }
    residual_risk(g)
}

/// [`unmuted_risk`] without the shortcut, so that a test can hold it equal to [`crate::risk`] when nothing
/// is muted.
fn residual_risk(g: &GroupVerdict) -> Risk {
    use crate::checks::groups::{
        default_in_use, unused_group, world_open_all_traffic, world_open_high_risk_port, world_open_rdp, world_open_ssh,
    };
    use crate::exposure::{RDP, SSH};
    let muted = |check: &Check| g.findings.iter().any(|f| f.check.id == check.id && f.muted.is_some());
    let e = &g.exposure;
    let maybe_used = g.status != Status::Unused;
    let critical = (e.ssh && !muted(&world_open_ssh::CHECK))
        || (e.rdp && !muted(&world_open_rdp::CHECK))
        || (e.all_traffic && !muted(&world_open_all_traffic::CHECK));
    let port_stands = |p: u16| match p {
        SSH if e.ssh => !muted(&world_open_ssh::CHECK),
        RDP if e.rdp => !muted(&world_open_rdp::CHECK),
        _ => !muted(&world_open_high_risk_port::CHECK),
    };
    let exposed = critical || e.high_risk_ports.iter().any(|&p| port_stands(p));
    let default = g.is_default && !(g.status == Status::InUse && muted(&default_in_use::CHECK));
    let table = [
        (maybe_used && critical, Risk::Critical),
        (maybe_used && (default || exposed), Risk::High),
        (exposed, Risk::Medium),
        (g.status == Status::Unused && !muted(&unused_group::CHECK), Risk::Low),
    ]
    .into_iter()
    .filter_map(|(holds, risk)| holds.then_some(risk))
    .fold(Risk::None, Risk::max);
    g.findings.iter().filter(|f| f.muted.is_none()).map(|f| Risk::of_severity(f.severity)).fold(table, Risk::max)
}

impl Audit<'_> {
    /// Whether `--fail-on risk` trips: a group whose [`unmuted_risk`] reaches it, or a `fail` result not
    /// muted whose severity does. Muted findings and results still show, with their own severity, in every
    /// report; they just do not count here.
    pub fn fails_on(&self, risk: Risk) -> bool {
        self.groups.iter().any(|g| unmuted_risk(g) >= risk)
            || self
                .results
                .iter()
                .any(|r| r.outcome == Outcome::Fail && r.muted.is_none() && Risk::of_severity(r.severity) >= risk)
    }

    /// Group findings and `fail` results muted by an exception.
    pub fn count_muted(&self) -> usize {
        let findings = self.groups.iter().flat_map(|g| &g.findings).filter(|f| f.muted.is_some()).count();
        findings + self.results.iter().filter(|r| r.muted.is_some()).count()
    }

    /// False positives, as the seed's metric counts them: groups the evidence calls `unused` that people
    /// marked in use (a use sgaudit cannot see).
    pub fn count_false_positives(&self) -> usize {
        self.groups.iter().filter(|g| g.status == Status::Unused && g.marked_in_use.is_some()).count()
    }

    /// Exceptions of this run in one state.
    pub fn count_exceptions(&self, state: ExceptionStatus) -> usize {
        self.exceptions.iter().filter(|e| e.state == state).count()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::Severity;
    use sgaudit_snapshot::Snapshot;

    const ACCOUNT: &str = "123456789012";
    /// In use, SSH open to the world, a stale rule; tagged `Team=ops`.
    const BASTION: &str = "sg-0a300000000ba5710";
    /// In use, RDP open to the world.
    const RDP_ADMIN: &str = "sg-0aa00000000ad3389";
    /// Unused, with a high-risk port open to the world.
    const LEGACY_MYSQL: &str = "sg-0ad00000001e6acdb";
    /// Unknown (eu-west-1 is not whole), SSH open to the world.
    const EU_SSH: &str = "sg-0b2000000000e5522";
    /// In use, SSH open to the world and blocked by the subnet's network ACL.
    const EU_WEB: &str = "sg-0b0000000000000eb";
    const TODAY: &str = "2026-06-15";

    fn demo() -> Snapshot {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot.json");
        Snapshot::load(std::path::Path::new(path)).expect("the demo snapshot loads")
    }

    fn day(text: &str) -> Day {
        Day::parse(text).expect("a day")
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// A matcher: accounts, regions, group ids, names, tags (`KEY` or `KEY=VALUE`), check ids.
    fn matcher(
        accounts: &[&str],
        regions: &[&str],
        group_ids: &[&str],
        names: &[&str],
        tags: &[&str],
        checks: &[&str],
    ) -> Matcher {
        let tags = tags
            .iter()
            .map(|t| match t.split_once('=') {
                Some((k, v)) => TagMatch { key: k.into(), value: Some(v.into()) },
                None => TagMatch { key: t.to_string(), value: None },
            })
            .collect();
        let checks = checks.iter().map(|id| crate::checks::by_id(id).expect("a check id")).collect();
        Matcher::new(strings(accounts), strings(regions), strings(group_ids), strings(names), tags, checks)
    }

    fn exception(matcher: Matcher) -> Exception {
        Exception {
            matcher,
            reason: "behind the VPN".into(),
            owner: "team-ops".into(),
            ticket: Some("SEC-1".into()),
            expires: Some(day("2026-12-31")),
            in_use: false,
            declared_at: "sgaudit.toml:3".into(),
        }
    }

    /// (group id, check id) of every muted group finding, sorted.
    fn muted_findings(audit: &Audit) -> Vec<(String, &'static str)> {
        let mut muted: Vec<(String, &'static str)> = audit
            .groups
            .iter()
            .flat_map(|g| g.findings.iter().map(move |f| (g, f)))
            .filter(|(_, f)| f.muted.is_some())
            .map(|(g, f)| (g.group.group_id.clone(), f.check.id))
            .collect();
        muted.sort();
        muted
    }

    fn muted_results<'a>(audit: &'a Audit) -> Vec<&'a CheckResult> {
        audit.results.iter().filter(|r| r.muted.is_some()).collect()
    }

    fn applied<'a>(snapshot: &'a Snapshot, exceptions: &[Exception]) -> Audit<'a> {
        let mut audit = crate::audit(snapshot);
        apply(&mut audit, exceptions, day(TODAY));
        audit
    }

    fn group<'a, 'b>(audit: &'b Audit<'a>, id: &str) -> &'b GroupVerdict<'a> {
        audit.groups.iter().find(|g| g.group.group_id == id).expect("the group")
    }

    #[test]
    fn a_group_and_a_check_mute_that_finding_alone_with_who_and_why() {
        let snapshot = demo();
        let audit = applied(&snapshot, &[exception(matcher(&[], &[], &[BASTION], &[], &[], &["sg-world-open-ssh"]))]);
        assert_eq!(muted_findings(&audit), [(BASTION.to_string(), "sg-world-open-ssh")]);
        assert!(muted_results(&audit).is_empty(), "a result of another check is not muted");
        let finding = group(&audit, BASTION).findings.iter().find(|f| f.muted.is_some()).expect("muted");
        let muted = finding.muted.as_deref().expect("muted");
        assert_eq!((muted.owner.as_str(), muted.reason.as_str()), ("team-ops", "behind the VPN"));
        assert_eq!((muted.ticket.as_deref(), muted.expires.as_deref()), (Some("SEC-1"), Some("2026-12-31")));
        assert_eq!(muted.declared_at, "sgaudit.toml:3");
        // Still a finding, with its own severity: muting hides nothing from the reports.
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(audit.exceptions.len(), 1);
        let state = &audit.exceptions[0];
        assert_eq!((state.state, state.matched, state.in_use), (ExceptionStatus::Active, 1, false));
        assert_eq!(audit.count_muted(), 1);
    }

    #[test]
    fn each_matcher_alone() {
        let snapshot = demo();
        let only = |m: Matcher| applied(&snapshot, &[exception(m)]);

        // The account: every group finding and every failure of the account.
        let audit = only(matcher(&[ACCOUNT], &[], &[], &[], &[], &[]));
        let findings: usize = audit.groups.iter().map(|g| g.findings.len()).sum();
        assert_eq!(muted_findings(&audit).len(), findings);
        let failures = audit.count_outcome(Outcome::Fail);
        assert!(failures > 0);
        assert_eq!(muted_results(&audit).len(), failures);
        assert!(only(matcher(&["999999999999"], &[], &[], &[], &[], &[])).count_muted() == 0);

        // A region: its groups' findings and its regional results, never an account-wide result.
        let audit = only(matcher(&[], &["eu-west-1"], &[], &[], &[], &[]));
        let muted = muted_findings(&audit);
        assert!(muted.contains(&(EU_SSH.to_string(), "sg-world-open-ssh")), "{muted:?}");
        for (id, _) in &muted {
            assert_eq!(group(&audit, id).region, "eu-west-1");
        }
        let results = muted_results(&audit);
        assert!(!results.is_empty());
        assert!(results.iter().all(|r| r.location.region.as_deref() == Some("eu-west-1")));

        // A name glob, without case: groups only.
        let audit = only(matcher(&[], &[], &[], &["LEGACY-*"], &[], &[]));
        let mysql = LEGACY_MYSQL.to_string();
        assert_eq!(muted_findings(&audit), [(mysql.clone(), "sg-unused"), (mysql, "sg-world-open-high-risk-port")]);
        assert!(muted_results(&audit).is_empty(), "a name matches groups, never a result");

        // A tag, KEY=VALUE or KEY alone, compared exactly.
        // (The demo's bastion is reachable from the internet on 22: its path is a finding of its own.)
        let bastion = vec![
            (BASTION.to_string(), "sg-internet-reachable-admin-port"),
            (BASTION.to_string(), "sg-stale-rule"),
            (BASTION.to_string(), "sg-world-open-ssh"),
        ];
        assert_eq!(muted_findings(&only(matcher(&[], &[], &[], &[], &["Team=ops"], &[]))), bastion);
        assert_eq!(muted_findings(&only(matcher(&[], &[], &[], &[], &["Team"], &[]))), bastion);
        let audit = only(matcher(&[], &[], &[], &[], &["Team=OPS"], &[]));
        assert_eq!((audit.count_muted(), audit.exceptions[0].state), (0, ExceptionStatus::Unmatched));

        // A group id: its findings, and the results that stand at it (by its ARN).
        let audit = only(matcher(&[], &[], &[BASTION], &[], &[], &[]));
        assert_eq!(muted_findings(&audit), bastion);
        let results = muted_results(&audit);
        assert!(!results.is_empty(), "SSH open to the world fails a network check at the group");
        assert!(results.iter().all(|r| r.location.resource.ends_with(&format!(":security-group/{BASTION}"))));

        // Check ids: only those, wherever the other matchers say.
        let audit = only(matcher(&[ACCOUNT], &[], &[], &[], &[], &["sg-unused"]));
        let muted = muted_findings(&audit);
        assert!(!muted.is_empty() && muted.iter().all(|(_, check)| *check == "sg-unused"), "{muted:?}");
        assert_eq!(
            muted.len(),
            audit.groups.iter().filter(|g| g.findings.iter().any(|f| f.check.id == "sg-unused")).count()
        );
    }

    #[test]
    fn every_matcher_given_must_match() {
        let snapshot = demo();
        for m in [
            matcher(&[], &["eu-west-1"], &[BASTION], &[], &[], &[]),
            matcher(&[], &[], &[], &["bastion"], &["Team=web"], &[]),
            matcher(&[], &[], &[BASTION], &[], &[], &["sg-world-open-rdp"]),
        ] {
            let audit = applied(&snapshot, &[exception(m)]);
            assert_eq!(audit.count_muted(), 0);
            assert_eq!((audit.exceptions[0].state, audit.exceptions[0].matched), (ExceptionStatus::Unmatched, 0));
        }
        // Within one matcher, any of its values.
        let audit = applied(&snapshot, &[exception(matcher(&[], &[], &[BASTION, RDP_ADMIN], &[], &[], &[]))]);
        let groups: BTreeSet<String> = muted_findings(&audit).into_iter().map(|(g, _)| g).collect();
        assert_eq!(groups, BTreeSet::from([BASTION.to_string(), RDP_ADMIN.to_string()]));
    }

    #[test]
    fn an_exception_holds_through_its_expiry_day_and_not_after() {
        let snapshot = demo();
        let mut e = exception(matcher(&[], &[], &[BASTION], &[], &[], &[]));
        e.expires = Some(day(TODAY));
        let on_the_day = applied(&snapshot, std::slice::from_ref(&e));
        assert_eq!(on_the_day.exceptions[0].state, ExceptionStatus::Active);
        assert!(on_the_day.count_muted() > 0);

        let mut after = crate::audit(&snapshot);
        apply(&mut after, &[e], day("2026-06-16"));
        assert_eq!((after.exceptions[0].state, after.exceptions[0].matched), (ExceptionStatus::Expired, 0));
        assert_eq!(after.exceptions[0].expires.as_deref(), Some(TODAY));
        assert_eq!(after.count_muted(), 0, "an expired exception mutes nothing");

        // Without an end (a mark), it always holds.
        let mut mark = exception(matcher(&[], &[], &[BASTION], &[], &[], &[]));
        mark.expires = None;
        let mut audit = crate::audit(&snapshot);
        apply(&mut audit, &[mark], day("2999-01-01"));
        assert_eq!(audit.exceptions[0].state, ExceptionStatus::Active);
    }

    #[test]
    fn the_first_exception_mutes_and_both_count() {
        let snapshot = demo();
        let mut second = exception(matcher(&[], &[], &[], &["bastion"], &[], &["sg-world-open-ssh"]));
        second.owner = "someone-else".into();
        let first = exception(matcher(&[], &[], &[BASTION], &[], &[], &[]));
        let audit = applied(&snapshot, &[first, second]);
        let ssh = group(&audit, BASTION).findings.iter().find(|f| f.check.id == "sg-world-open-ssh").expect("ssh");
        assert_eq!(ssh.muted.as_deref().map(|m| m.owner.as_str()), Some("team-ops"));
        assert_eq!(audit.exceptions[1].state, ExceptionStatus::Active, "not reported as unmatched");
        assert_eq!(audit.exceptions[1].matched, 1);
    }

    #[test]
    fn a_result_not_evaluated_is_never_muted() {
        let snapshot = demo();
        let audit = applied(&snapshot, &[exception(matcher(&[ACCOUNT], &[], &[], &[], &[], &[]))]);
        let not_evaluated: Vec<&CheckResult> =
            audit.results.iter().filter(|r| r.outcome == Outcome::NotEvaluated).collect();
        assert!(!not_evaluated.is_empty(), "the demo has results not evaluated");
        assert!(not_evaluated.iter().all(|r| r.muted.is_none()));
        assert!(audit.results.iter().filter(|r| r.outcome == Outcome::Pass).all(|r| r.muted.is_none()));
        assert!(audit.is_partial(), "missing evidence still gives exit 3");
    }

    #[test]
    fn in_use_marks_the_group_and_mutes_only_its_unused_finding() {
        let snapshot = demo();
        let mut e = exception(matcher(&[], &[], &[LEGACY_MYSQL, BASTION], &[], &[], &[]));
        e.in_use = true;
        let before = crate::audit(&snapshot);
        assert_eq!(before.count_false_positives(), 0);
        let audit = applied(&snapshot, &[e]);
        let mysql = group(&audit, LEGACY_MYSQL);
        assert_eq!(mysql.marked_in_use.as_deref().map(|m| m.owner.as_str()), Some("team-ops"));
        assert_eq!(mysql.status, Status::Unused, "the evidence still says unused");
        assert_eq!(muted_findings(&audit), [(LEGACY_MYSQL.to_string(), "sg-unused")]);
        assert!(muted_results(&audit).is_empty());
        // A group in use can be marked too; only an unused one is a false positive.
        assert!(group(&audit, BASTION).marked_in_use.is_some());
        assert_eq!(audit.count_false_positives(), 1);
        let state = &audit.exceptions[0];
        assert_eq!((state.state, state.matched, state.in_use), (ExceptionStatus::Active, 2, true));
        // Its exposure still counts: the open port is no less open for being used.
        assert_eq!(unmuted_risk(mysql), Risk::Medium);
    }

    #[test]
    fn fails_on_ignores_what_is_muted() {
        let snapshot = demo();
        let mut groups_only = crate::audit(&snapshot);
        groups_only.results.clear();
        assert!(groups_only.fails_on(Risk::Critical));
        let admin = ["sg-world-open-ssh", "sg-world-open-rdp", "sg-internet-reachable-admin-port"];
        let ssh_and_rdp = matcher(&[], &[], &[BASTION, RDP_ADMIN, EU_SSH, EU_WEB], &[], &[], &admin);
        apply(&mut groups_only, &[exception(ssh_and_rdp)], day(TODAY));
        assert!(!groups_only.fails_on(Risk::Critical), "the only critical findings are muted");
        assert!(groups_only.fails_on(Risk::High), "the others still count");
        // Each keeps what its unmuted findings and the rest of its evidence stand for.
        assert_eq!(unmuted_risk(group(&groups_only, BASTION)), Risk::Low, "its stale rule");
        assert_eq!(unmuted_risk(group(&groups_only, RDP_ADMIN)), Risk::None);
        assert_eq!(group(&groups_only, BASTION).risk, Risk::Critical, "the risk reported is the evidence's");

        let mut results_only = crate::audit(&snapshot);
        results_only.groups.clear();
        assert!(results_only.fails_on(Risk::Low));
        apply(&mut results_only, &[exception(matcher(&[ACCOUNT], &[], &[], &[], &[], &[]))], day(TODAY));
        assert!(!results_only.fails_on(Risk::Low), "every failure is muted");
    }

    #[test]
    fn without_mutes_the_residual_risk_is_the_risk() {
        let snapshot = demo();
        let audit = crate::audit(&snapshot);
        for g in &audit.groups {
            assert_eq!(residual_risk(g), g.risk, "{}", g.group.group_id);
        }
    }

    #[test]
    fn days_are_calendar_days() {
        assert_eq!(day("2028-02-29").to_string(), "2028-02-29");
        for bad in ["2027-02-29", "2027-13-01", "2027-3-1", "27-03-01", "2027-03-01T00:00:00Z", "", "2027/03/01"] {
            assert!(Day::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Day::parse("x").unwrap_err().to_string(),
            "`x` is not a date: write YYYY-MM-DD, a day of the calendar"
        );
        assert_eq!(Day::of_epoch(0), Day::from_ymd(1970, 1, 1));
        assert_eq!(Day::of_epoch(86_399), Day::from_ymd(1970, 1, 1));
        assert_eq!(Day::of_epoch(86_400), Day::from_ymd(1970, 1, 2));
        assert!(day("2026-12-31") < day("2027-01-01"));
    }
}

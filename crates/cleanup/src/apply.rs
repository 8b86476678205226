//! The apply sequence of a cleanup, as pure logic over an EC2 it is given: fresh definitions, the backup on
//! disk, then per account-region a re-check, the revocation of the rules between groups being deleted, and a
//! re-check and delete of each group in order. The binary gives it the real EC2 (through `sgaudit-collect`);
//! the tests give it a fake that fails, or is interrupted, at every step.
//!
//! What it guarantees, whatever fails and wherever the run stops:
//! - nothing changes before the backup of every group to delete is on disk;
//! - a group is deleted only right after a re-check found nothing outside the deletion set using it;
//! - a group that leaves the deletion set (it became used, its re-check or delete failed, the run stopped)
//!   gets its revoked rules back, and the groups its rules name leave the set with it, since it stays and
//!   names them; a revoked rule that cannot be put back (it names a group already deleted) is in the backup;
//! - every action is journalled as it happens; a journal that cannot be written stops the run before the
//!   next revoke or delete (the rules already revoked are still put back: that undoes, it does not change);
//! - an interrupt (the `stop` flag) stops the run the same way.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use sgaudit_snapshot::{Rule, SecurityGroup, SourceError};

use crate::backup::{BackedUp, WriteError};
use crate::log::{Action, Line, Outcome};
use crate::order::{self, Revocation};
use crate::plan::Plan;
use crate::reason::Reason;

/// The EC2 calls an apply makes, in one account and region each.
pub trait Ec2 {
    /// Fresh definitions of the groups; a group that no longer exists is absent.
    fn describe(&mut self, account_id: &str, region: &str, ids: &[String]) -> Result<Vec<SecurityGroup>, SourceError>;
    /// What uses each group now: network interfaces and other groups' rules. Groups nothing uses are absent.
    fn users_now(
        &mut self,
        account_id: &str,
        region: &str,
        ids: &[String],
    ) -> Result<HashMap<String, Vec<User>>, SourceError>;
    fn revoke(
        &mut self,
        account_id: &str,
        region: &str,
        group_id: &str,
        ingress: &[Rule],
        egress: &[Rule],
    ) -> Result<(), SourceError>;
    fn delete(&mut self, account_id: &str, region: &str, group_id: &str) -> Result<(), SourceError>;
    /// Puts rules back on a group (only rules it lacks; rules naming groups that exist).
    fn authorize(
        &mut self,
        account_id: &str,
        region: &str,
        group_id: &str,
        ingress: &[Rule],
        egress: &[Rule],
    ) -> Result<(), SourceError>;
}

/// What uses a group right now, by the re-check right before deleting it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum User {
    /// A network interface holds it (the interface's id).
    Interface(String),
    /// A rule of another group names it (that group's id).
    Rule(String),
}

impl User {
    /// The group whose rule it is, for a rule.
    pub fn group(&self) -> Option<&str> {
        match self {
            User::Interface(_) => None,
            User::Rule(group_id) => Some(group_id),
        }
    }
}

/// `eni-…`, or `sg-… (rule)`.
impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            User::Interface(id) => f.write_str(id),
            User::Rule(group_id) => write!(f, "{group_id} (rule)"),
        }
    }
}

/// Where every action is recorded as it happens. A write that fails stops the run.
pub trait Journal {
    fn write(&mut self, line: &Line) -> std::io::Result<()>;
    /// The run's first re-check in an account-region is about to be made (people see a heading).
    fn region(&mut self, _account_id: &str, _region: &str) {}
}

impl Journal for crate::log::Log {
    fn write(&mut self, line: &Line) -> std::io::Result<()> {
        crate::log::Log::write(self, line)
    }
}

/// How an apply went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub deleted: usize,
    pub skipped: usize,
    pub failed: usize,
    /// A check or call failed, so some planned group was left alone for want of an answer.
    pub incomplete: bool,
    /// Why the run stopped before its end, if it did.
    pub halted: Option<Halt>,
    /// Rules revoked that could not be put back on a group that stays, and why; the backup has them.
    pub not_put_back: Vec<NotPutBack>,
    /// The backup written before the first change (none for a dry run).
    pub backup: Option<String>,
}

impl Tally {
    /// Whether everything planned was done or deliberately skipped, with nothing failed or cut short.
    pub fn is_clean(&self) -> bool {
        self.failed == 0 && !self.incomplete && self.halted.is_none() && self.not_put_back.is_empty()
    }
}

/// Why a run stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// The `stop` flag was set (a signal).
    Interrupted,
    /// The journal could not be written.
    JournalFailed { error: String },
}

impl fmt::Display for Halt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Halt::Interrupted => f.write_str("interrupted"),
            Halt::JournalFailed { error } => write!(f, "the cleanup log could not be written ({error})"),
        }
    }
}

/// Revoked rules of a group that stays that could not be put back (`sgaudit restore BACKUP` can).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPutBack {
    pub group_id: String,
    pub why: String,
}

/// `group: why`.
impl fmt::Display for NotPutBack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.group_id, self.why)
    }
}

/// Why an apply did not start changing anything.
#[derive(Debug, thiserror::Error)]
pub enum NotStarted {
    /// The backup could not be written: nothing was changed.
    #[error("{0}; nothing was changed")]
    Backup(#[from] WriteError),
}

/// Everything an apply needs besides the EC2 and the journal.
pub struct Settings<'a> {
    /// Send every change with DryRun=true: nothing changes, and no backup is written.
    pub dry_run: bool,
    /// Set (e.g. by a signal handler) to stop before the next change.
    pub stop: &'a AtomicBool,
    /// The clock of the journal's lines.
    pub now: &'a dyn Fn() -> String,
}

/// Runs the apply for every deletion of `plan`: fresh definitions, the backup (`write_backup` returns where
/// it is), then each account-region. Groups kept on the way are kept in `plan` with their reason.
pub fn apply(
    plan: &mut Plan,
    ec2: &mut dyn Ec2,
    journal: &mut dyn Journal,
    settings: &Settings,
    write_backup: impl FnOnce(Vec<BackedUp>) -> Result<String, WriteError>,
) -> Result<Tally, NotStarted> {
    let mut run = Run { ec2, journal, settings, tally: Tally::default() };

    // Fresh definitions of every planned group: what the backup holds and what the revocations use.
    let mut fresh: BTreeMap<(String, String), Vec<SecurityGroup>> = BTreeMap::new();
    for (account_id, region) in plan.regions_to_check() {
        let ids: Vec<String> = plan.deletions_in(&account_id, &region).map(|e| e.group_id.clone()).collect();
        let names: HashMap<String, String> =
            plan.deletions_in(&account_id, &region).map(|e| (e.group_id.clone(), e.group_name.clone())).collect();
        let place = Place { account_id: &account_id, region: &region, names: &names };
        match run.ec2.describe(&account_id, &region, &ids) {
            Ok(groups) => {
                for id in ids.iter().filter(|id| !groups.iter().any(|g| &&g.group_id == id)) {
                    run.skip(&place, id, &Reason::AlreadyGone);
                    plan.keep(&account_id, &region, id, Reason::AlreadyGone);
                }
                fresh.insert((account_id.clone(), region.clone()), groups);
            }
            Err(e) => {
                run.tally.incomplete = true;
                let reason = Reason::DefinitionsUnreadable { error: e.to_string() };
                for id in &ids {
                    run.skip(&place, id, &reason);
                }
                plan.keep_region(&account_id, &region, &reason);
            }
        }
    }

    // The backup, on disk before anything changes. No backup, no change.
    if !settings.dry_run {
        let groups: Vec<BackedUp> = fresh
            .iter()
            .flat_map(|((a, r), gs)| {
                gs.iter().map(|g| BackedUp { account_id: a.clone(), region: r.clone(), group: g.clone() })
            })
            .collect();
        if !groups.is_empty() {
            run.tally.backup = Some(write_backup(groups)?);
        }
    }

    for ((account_id, region), groups) in fresh {
        run.region(plan, &account_id, &region, groups);
    }
    Ok(run.tally)
}

struct Place<'a> {
    account_id: &'a str,
    region: &'a str,
    names: &'a HashMap<String, String>,
}

impl Place<'_> {
    fn name(&self, id: &str) -> &str {
        self.names.get(id).map(String::as_str).unwrap_or_default()
    }
}

struct Run<'a> {
    ec2: &'a mut dyn Ec2,
    journal: &'a mut dyn Journal,
    settings: &'a Settings<'a>,
    tally: Tally,
}

/// The state of one account-region during its deletions.
struct Deleting<'g> {
    /// Groups still to be deleted (deleted ones leave it).
    set: BTreeSet<String>,
    /// Deleted (or, in a dry run, accepted for deletion).
    deleted: BTreeSet<String>,
    /// Rules revoked (really: not in a dry run), by group, until they are put back.
    revoked: HashMap<String, Revocation>,
    /// The fresh definitions, for the groups a group names.
    defs: HashMap<&'g str, &'g SecurityGroup>,
}

impl Run<'_> {
    fn record(&mut self, place: &Place, group_id: &str, action: Action, result: Outcome, reason: &str) {
        match (action, result) {
            (Action::Delete, Outcome::Ok | Outcome::DryRunOk) => self.tally.deleted += 1,
            (_, Outcome::Skipped) => self.tally.skipped += 1,
            (Action::Delete, Outcome::Failed) => self.tally.failed += 1,
            _ => {}
        }
        let time = (self.settings.now)();
        let line = Line {
            time: &time,
            account_id: place.account_id,
            region: place.region,
            group_id,
            group_name: place.name(group_id),
            action,
            result,
            reason,
            backup: self.tally.backup.as_deref(),
        };
        if let Err(e) = self.journal.write(&line) {
            if self.tally.halted.is_none() {
                self.tally.halted = Some(Halt::JournalFailed { error: e.to_string() });
            }
        }
    }

    /// A group left alone, and why.
    fn skip(&mut self, place: &Place, group_id: &str, reason: &Reason) {
        self.record(place, group_id, Action::Skip, Outcome::Skipped, &reason.to_string());
    }

    /// Whether the next revoke or delete may be made: the journal works and nobody asked to stop.
    fn may_change(&mut self) -> bool {
        if self.tally.halted.is_none() && self.settings.stop.load(Ordering::SeqCst) {
            self.tally.halted = Some(Halt::Interrupted);
        }
        self.tally.halted.is_none()
    }

    /// The result of a change that went through.
    fn ok(&self) -> Outcome {
        if self.settings.dry_run {
            Outcome::DryRunOk
        } else {
            Outcome::Ok
        }
    }

    /// One account-region: re-check, revoke the rules between the groups, then re-check and delete each.
    fn region(&mut self, plan: &mut Plan, account_id: &str, region: &str, groups: Vec<SecurityGroup>) {
        let names: HashMap<String, String> =
            groups.iter().map(|g| (g.group_id.clone(), g.group_name.clone())).collect();
        let place = Place { account_id, region, names: &names };
        let ids: Vec<String> = groups.iter().map(|g| g.group_id.clone()).collect();
        if !self.may_change() {
            let reason = Reason::Stopped { halt: self.halt(), before_region: true };
            for id in &ids {
                self.skip(&place, id, &reason);
                plan.keep(account_id, region, id, reason.clone());
            }
            return;
        }

        // Re-check the whole set: anything holding a group that is not itself being deleted keeps it.
        self.journal.region(account_id, region);
        let users = match self.ec2.users_now(account_id, region, &ids) {
            Ok(users) => users,
            Err(e) => {
                self.tally.incomplete = true;
                let reason = Reason::RecheckFailed { error: e.to_string(), whole_region: true };
                for id in &ids {
                    self.skip(&place, id, &reason);
                    plan.keep(account_id, region, id, reason.clone());
                }
                return;
            }
        };
        let mut set: BTreeSet<String> = ids.iter().cloned().collect();
        loop {
            let blocked: Vec<(String, Vec<User>)> = set
                .iter()
                .filter_map(|id| {
                    let outside = outside(users.get(id)?, |g| set.contains(g));
                    (!outside.is_empty()).then(|| (id.clone(), outside))
                })
                .collect();
            if blocked.is_empty() {
                break;
            }
            for (id, by) in blocked {
                set.remove(&id);
                let reason = Reason::BecameUsed { by };
                self.skip(&place, &id, &reason);
                plan.keep(account_id, region, &id, reason);
            }
        }
        let groups: Vec<SecurityGroup> = groups.into_iter().filter(|g| set.contains(&g.group_id)).collect();
        let (revocations, sequence) = order::order(&groups);
        let mut state = Deleting {
            set,
            deleted: BTreeSet::new(),
            revoked: HashMap::new(),
            defs: groups.iter().map(|g| (g.group_id.as_str(), g)).collect(),
        };

        // One call per direction, so that what was revoked is known exactly when the other fails.
        for r in revocations {
            let directions = [(r.ingress.clone(), Vec::new()), (Vec::new(), r.egress.clone())];
            for (ingress, egress) in directions.into_iter().filter(|(i, e)| !i.is_empty() || !e.is_empty()) {
                if !state.set.contains(&r.group_id) || !self.may_change() {
                    break;
                }
                let links = ingress.len() + egress.len();
                match self.ec2.revoke(account_id, region, &r.group_id, &ingress, &egress) {
                    Ok(()) => {
                        let reason = format!("{links} rule(s) naming other groups being deleted");
                        self.record(&place, &r.group_id, Action::Revoke, self.ok(), &reason);
                        if !self.settings.dry_run {
                            let done = state.revoked.entry(r.group_id.clone()).or_insert_with(|| Revocation {
                                group_id: r.group_id.clone(),
                                ingress: Vec::new(),
                                egress: Vec::new(),
                            });
                            done.ingress.extend(ingress);
                            done.egress.extend(egress);
                        }
                    }
                    Err(e) => {
                        // It still names other groups of the set: it stays, and so do they.
                        self.tally.incomplete = true;
                        self.record(&place, &r.group_id, Action::Revoke, Outcome::Failed, &e.to_string());
                        let reason = Reason::RevokeFailed { code: e.code.clone() };
                        self.leave(plan, &place, &mut state, &r.group_id, reason);
                    }
                }
            }
        }
        for id in &sequence {
            if !state.set.contains(id) {
                continue; // it left with a group that stays, and was recorded then
            }
            if !self.may_change() {
                break;
            }
            // Right before the delete, once more: this group alone.
            match self.ec2.users_now(account_id, region, std::slice::from_ref(id)) {
                Ok(users) => {
                    let by = outside(users.get(id).map_or(&[], Vec::as_slice), |g| {
                        state.set.contains(g) || state.deleted.contains(g)
                    });
                    if !by.is_empty() {
                        self.leave(plan, &place, &mut state, id, Reason::BecameUsed { by });
                        continue;
                    }
                }
                Err(e) => {
                    self.tally.incomplete = true;
                    let reason = Reason::RecheckFailed { error: e.to_string(), whole_region: false };
                    self.leave(plan, &place, &mut state, id, reason);
                    continue;
                }
            }
            if !self.may_change() {
                break;
            }
            match self.ec2.delete(account_id, region, id) {
                Ok(()) => {
                    state.set.remove(id);
                    // In a dry run it is still there, but counts as gone: its rules name no one that stays.
                    state.deleted.insert(id.clone());
                    state.revoked.remove(id); // its rules went with it; the backup has them
                    let result = self.ok();
                    self.record(&place, id, Action::Delete, result, "");
                }
                Err(e) => {
                    // Recorded as failed, not also as skipped.
                    self.record(&place, id, Action::Delete, Outcome::Failed, &e.to_string());
                    let reason = Reason::DeleteFailed { code: e.code.clone() };
                    self.leave_unrecorded(plan, &place, &mut state, id, reason);
                }
            }
        }

        // Stopped early: whatever is left stays, with its rules back.
        let left: Vec<String> = state.set.iter().cloned().collect();
        let why = Reason::Stopped { halt: self.halt(), before_region: false };
        for id in left {
            self.leave(plan, &place, &mut state, &id, why.clone());
        }
    }

    /// Why the run stopped (only a halt stops it before its end).
    fn halt(&self) -> Halt {
        self.tally.halted.clone().unwrap_or(Halt::Interrupted)
    }

    /// `id` stays after all: it leaves the deletion set with its revoked rules put back, and so does every
    /// group still in the set that its rules name (it stays and names them), transitively.
    fn leave(&mut self, plan: &mut Plan, place: &Place, state: &mut Deleting, id: &str, reason: Reason) {
        self.skip(place, id, &reason);
        self.leave_unrecorded(plan, place, state, id, reason);
    }

    /// [`Run::leave`] for a group whose outcome is already in the journal.
    fn leave_unrecorded(&mut self, plan: &mut Plan, place: &Place, state: &mut Deleting, id: &str, reason: Reason) {
        let mut work: Vec<(String, Reason)> = vec![(id.to_string(), reason)];
        let mut first = true;
        while let Some((group, why)) = work.pop() {
            if !state.set.remove(&group) {
                continue;
            }
            if !std::mem::take(&mut first) {
                self.skip(place, &group, &why);
            }
            plan.keep(place.account_id, place.region, &group, why);
            self.put_back(place, state, &group);
            let Some(def) = state.defs.get(group.as_str()) else { continue };
            for named in def.referenced_groups() {
                if named != group && state.set.contains(named) {
                    let why = Reason::NamedByGroupThatStays { group_id: group.clone(), group_name: None };
                    work.push((named.to_string(), why));
                }
            }
        }
    }

    /// The revoked rules of a group that stays, back on it: those naming groups that still exist. Those
    /// naming a group already deleted cannot be (the backup holds them).
    fn put_back(&mut self, place: &Place, state: &mut Deleting, group: &str) {
        let Some(r) = state.revoked.remove(group) else { return };
        let keep = |rules: &[Rule], gone: bool| -> Vec<Rule> {
            rules
                .iter()
                .filter_map(|rule| {
                    let groups: Vec<_> =
                        rule.groups.iter().filter(|p| state.deleted.contains(&p.group_id) == gone).cloned().collect();
                    (!groups.is_empty()).then(|| Rule { groups, ..rule.clone() })
                })
                .collect()
        };
        let (ingress, egress) = (keep(&r.ingress, false), keep(&r.egress, false));
        let lost: BTreeSet<String> = keep(&r.ingress, true)
            .iter()
            .chain(keep(&r.egress, true).iter())
            .flat_map(|rule| rule.groups.iter().map(|p| p.group_id.clone()))
            .collect();
        if !ingress.is_empty() || !egress.is_empty() {
            match self.ec2.authorize(place.account_id, place.region, group, &ingress, &egress) {
                Ok(()) => {
                    self.record(place, group, Action::Reauthorize, Outcome::Ok, "its revoked rules were put back")
                }
                Err(e) => {
                    let why = format!("its revoked rules could not be put back ({e}); the backup has them");
                    self.record(place, group, Action::Reauthorize, Outcome::Failed, &why);
                    self.tally.not_put_back.push(NotPutBack { group_id: group.to_string(), why });
                }
            }
        }
        if !lost.is_empty() {
            let ids = lost.into_iter().collect::<Vec<_>>().join(", ");
            let why = format!("its rules naming {ids}, deleted before it had to stay, are in the backup only");
            self.record(place, group, Action::Reauthorize, Outcome::Failed, &why);
            self.tally.not_put_back.push(NotPutBack { group_id: group.to_string(), why });
        }
    }
}

/// The users of a group outside the groups being deleted (`inside` tells which group is): interfaces, and
/// rules of other groups.
fn outside(users: &[User], inside: impl Fn(&str) -> bool) -> Vec<User> {
    users.iter().filter(|u| !u.group().is_some_and(&inside)).cloned().collect()
}

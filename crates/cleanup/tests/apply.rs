//! The apply sequence under fault: a fake EC2 (which, like AWS, refuses to delete a group an interface holds and to
//! authorize a rule naming a missing group, and, like moto, deletes a group another group's rule names) fails, or is
//! interrupted, at every one of its calls in turn; the journal fails at every line in turn; a group gains a
//! network interface before every re-check in turn. After each run the invariants hold: nothing changed
//! before the backup, no group deleted while an interface held it, no group that stays names a deleted group
//! or lacks a rule it had (unless that rule named a group already deleted: the backup has it), the journal
//! and the backup agree with what happened, and a run that met a fault does not report a clean result.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use sgaudit_cleanup::apply::{apply, Ec2, Halt, Journal, NotPutBack, NotStarted, Settings, Tally, User};
use sgaudit_cleanup::backup::WriteError;
use sgaudit_cleanup::log::{Action, Line, Outcome as LineResult};
use sgaudit_cleanup::{BackedUp, Backup, Decision, Plan, Protections, Reason};
use sgaudit_snapshot::{
    Attachment, GroupPeer, Peer, RegionSnapshot, ResourceKind, Rule, SecurityGroup, Snapshot, SourceError, Target, Via,
};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

fn rule(port: i32, cidr: Option<&str>, groups: &[&str]) -> Rule {
    Rule {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        ipv4_ranges: cidr.map(|c| vec![Peer { id: c.into(), description: Some("office".into()) }]).unwrap_or_default(),
        ipv6_ranges: Vec::new(),
        prefix_lists: Vec::new(),
        groups: groups
            .iter()
            .map(|g| GroupPeer {
                group_id: g.to_string(),
                user_id: Some(ACCOUNT.into()),
                vpc_id: None,
                vpc_peering_connection_id: None,
                description: Some(format!("to {g}")),
            })
            .collect(),
    }
}

fn group(id: &str, ingress: Vec<Rule>, egress: Vec<Rule>) -> SecurityGroup {
    SecurityGroup {
        group_id: id.into(),
        group_name: format!("name-{id}"),
        description: format!("group {id}"),
        vpc_id: Some("vpc-1".into()),
        owner_id: ACCOUNT.into(),
        tags: Default::default(),
        ingress,
        egress,
    }
}

/// A chain a → b → c (with CIDRs in the same rules), a cycle x ⇄ y (one link in egress), a group naming
/// itself, a loner, and a group in use (an interface holds it) that names nothing.
fn estate() -> Vec<SecurityGroup> {
    vec![
        group("sg-a", vec![rule(443, Some("10.0.0.0/8"), &["sg-b"])], vec![]),
        group("sg-b", vec![rule(5432, None, &["sg-c"]), rule(22, Some("192.0.2.0/24"), &[])], vec![]),
        group("sg-c", vec![rule(53, Some("10.1.0.0/16"), &["sg-c"])], vec![]),
        group("sg-x", vec![rule(80, None, &["sg-y"])], vec![]),
        group("sg-y", vec![], vec![rule(8080, Some("0.0.0.0/0"), &["sg-x"])]),
        group("sg-self", vec![rule(9000, None, &["sg-self"])], vec![]),
        group("sg-lone", vec![rule(25, Some("203.0.113.0/24"), &[])], vec![]),
        group("sg-used", vec![rule(443, Some("0.0.0.0/0"), &[])], vec![]),
    ]
}

/// The plan over the estate: every group but the used one is a candidate.
fn plan() -> Plan {
    let demo =
        Snapshot::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-snapshot.json"))
            .unwrap();
    let coverage = demo.regions.iter().find(|r| r.region == REGION).unwrap().coverage.clone();
    let mut snapshot = Snapshot::new("test", Some("2026-11-30T00:00:00Z".into()));
    snapshot.regions.push(RegionSnapshot {
        account_id: ACCOUNT.into(),
        region: REGION.into(),
        security_groups: estate(),
        attachments: vec![Attachment {
            target: Target::Group("sg-used".into()),
            kind: ResourceKind::NetworkInterface,
            resource_id: "eni-used".into(),
            via: Via::Eni,
            source: "ec2-network-interfaces".into(),
            detail: None,
        }],
        coverage,
        stale_rules: Vec::new(),
        posture: Default::default(),
        network: Default::default(),
    });
    snapshot.normalize();
    let audit = sgaudit_audit::audit(&snapshot);
    let protections =
        Protections { tags: Vec::new(), names: Vec::new(), min_age_secs: 0, ignore_age: true, unused_for: None };
    let plan = Plan::new(&snapshot, &audit, &protections);
    let planned: BTreeSet<&str> = plan.deletions().map(|e| e.group_id.as_str()).collect();
    assert_eq!(planned, ["sg-a", "sg-b", "sg-c", "sg-lone", "sg-self", "sg-x", "sg-y"].into_iter().collect());
    plan
}

/// One peer of one rule: what EC2 adds and removes.
type Atom = (&'static str, String, Option<i32>, String);

fn atoms(g: &SecurityGroup) -> BTreeSet<Atom> {
    let mut out = BTreeSet::new();
    for (dir, rules) in [("in", &g.ingress), ("out", &g.egress)] {
        for r in rules {
            for p in &r.ipv4_ranges {
                out.insert((dir, r.protocol.clone(), r.from_port, format!("cidr {}", p.id)));
            }
            for p in &r.groups {
                out.insert((dir, r.protocol.clone(), r.from_port, format!("group {}", p.group_id)));
            }
        }
    }
    out
}

fn named(atom: &Atom) -> Option<&str> {
    atom.3.strip_prefix("group ")
}

fn error(code: &str) -> SourceError {
    SourceError { code: code.into(), message: format!("injected {code}"), action: None, scp_deny: false }
}

#[derive(Default)]
struct Faults {
    /// The n-th call (1-based) fails with a 503.
    fail_call: Option<usize>,
    /// Before the n-th call, the stop flag is set (as a signal handler would).
    interrupt_call: Option<usize>,
    /// Before the n-th `users_now`, an interface attaches to this group.
    attach: Option<(usize, &'static str)>,
    /// Right before its delete, an interface attaches to this group (after its last re-check).
    attach_before_delete: Option<&'static str>,
    /// This call (`revoke`, `delete`, `authorize`) on this group fails with this code.
    refuse: Option<(&'static str, &'static str, &'static str)>,
    /// The backup is written, then the run is stopped (as if the process were killed right after).
    stop_after_backup: bool,
}

#[derive(Default)]
struct World {
    groups: BTreeMap<String, SecurityGroup>,
    /// Interface → groups.
    enis: BTreeMap<String, Vec<String>>,
    calls: usize,
    users_calls: usize,
    /// Calls that changed something, in order (`revoke sg-a`, `delete sg-b`, ...).
    changes: Vec<String>,
    /// Changes, journal lines and journal failures, in order: `change 7 delete sg-a` (with the call's number),
    /// `line delete sg-a ok`, `line-failed ...`.
    events: Vec<String>,
    /// Whether the backup was on disk when each change was made.
    changed_before_backup: bool,
    backup: Option<Vec<BackedUp>>,
}

struct FakeEc2 {
    world: Rc<RefCell<World>>,
    faults: Faults,
    stop: Rc<AtomicBool>,
    /// Like EC2 with DryRun=true: every change is accepted and none is made.
    dry_run: bool,
}

impl FakeEc2 {
    /// Counts the call; fails it or sets the stop flag where the faults say.
    fn call(&mut self) -> Result<(), SourceError> {
        let mut w = self.world.borrow_mut();
        w.calls += 1;
        if self.faults.interrupt_call == Some(w.calls) {
            self.stop.store(true, Ordering::SeqCst);
        }
        if self.faults.fail_call == Some(w.calls) {
            return Err(error("ServiceUnavailable"));
        }
        Ok(())
    }

    /// Fails the call where [`Faults::refuse`] says.
    fn refused(&self, call: &str, group: &str) -> Result<(), SourceError> {
        match self.faults.refuse {
            Some((c, g, code)) if c == call && g == group => Err(error(code)),
            _ => Ok(()),
        }
    }

    fn change(&mut self, what: String) {
        let mut w = self.world.borrow_mut();
        if w.backup.is_none() {
            w.changed_before_backup = true;
        }
        let event = format!("change {} {what}", w.calls);
        w.events.push(event);
        w.changes.push(what);
    }
}

impl Ec2 for FakeEc2 {
    fn describe(&mut self, _: &str, _: &str, ids: &[String]) -> Result<Vec<SecurityGroup>, SourceError> {
        self.call()?;
        let w = self.world.borrow();
        Ok(ids.iter().filter_map(|id| w.groups.get(id).cloned()).collect())
    }

    fn users_now(&mut self, _: &str, _: &str, ids: &[String]) -> Result<HashMap<String, Vec<User>>, SourceError> {
        {
            let mut w = self.world.borrow_mut();
            w.users_calls += 1;
            if let Some((n, group)) = self.faults.attach {
                // An interface can only attach to a group that exists.
                if n == w.users_calls && w.groups.contains_key(group) {
                    w.enis.insert("eni-late".into(), vec![group.to_string()]);
                }
            }
        }
        self.call()?;
        let w = self.world.borrow();
        let mut users: HashMap<String, Vec<User>> = HashMap::new();
        for id in ids {
            for (eni, groups) in &w.enis {
                if groups.contains(id) {
                    users.entry(id.clone()).or_default().push(User::Interface(eni.clone()));
                }
            }
            for g in w.groups.values().filter(|g| &g.group_id != id) {
                if g.referenced_groups().contains(id.as_str()) {
                    users.entry(id.clone()).or_default().push(User::Rule(g.group_id.clone()));
                }
            }
        }
        Ok(users)
    }

    fn revoke(&mut self, _: &str, _: &str, id: &str, ingress: &[Rule], egress: &[Rule]) -> Result<(), SourceError> {
        self.call()?;
        self.refused("revoke", id)?;
        if self.dry_run {
            return Ok(());
        }
        {
            let mut w = self.world.borrow_mut();
            let Some(g) = w.groups.get_mut(id) else { return Err(error("InvalidGroup.NotFound")) };
            let remove = atoms(&group("tmp", ingress.to_vec(), egress.to_vec()));
            strip(g, &remove);
        }
        self.change(format!("revoke {id}"));
        Ok(())
    }

    fn delete(&mut self, _: &str, _: &str, id: &str) -> Result<(), SourceError> {
        self.call()?;
        self.refused("delete", id)?;
        if self.faults.attach_before_delete == Some(id) {
            self.world.borrow_mut().enis.insert("eni-late".into(), vec![id.to_string()]);
        }
        if self.dry_run {
            return Ok(());
        }
        {
            let mut w = self.world.borrow_mut();
            if !w.groups.contains_key(id) {
                return Err(error("InvalidGroup.NotFound"));
            }
            // AWS refuses to delete a group an interface holds.
            if w.enis.values().any(|gs| gs.iter().any(|g| g == id)) {
                return Err(error("DependencyViolation"));
            }
            // Like moto (AWS would refuse), a group another group's rule names is deleted: the invariants
            // then catch a group that stays and names it.
            w.groups.remove(id);
        }
        self.change(format!("delete {id}"));
        Ok(())
    }

    fn authorize(&mut self, _: &str, _: &str, id: &str, ingress: &[Rule], egress: &[Rule]) -> Result<(), SourceError> {
        self.call()?;
        self.refused("authorize", id)?;
        {
            let mut w = self.world.borrow_mut();
            let missing =
                ingress.iter().chain(egress).flat_map(|r| &r.groups).any(|p| !w.groups.contains_key(&p.group_id));
            if missing {
                return Err(error("InvalidGroup.NotFound"));
            }
            let Some(g) = w.groups.get_mut(id) else { return Err(error("InvalidGroup.NotFound")) };
            let mut have = atoms(g);
            let add = atoms(&group("tmp", ingress.to_vec(), egress.to_vec()));
            have.extend(add);
            rebuild(g, &have);
        }
        self.change(format!("authorize {id}"));
        Ok(())
    }
}

/// Removes atoms from a group's rules.
fn strip(g: &mut SecurityGroup, remove: &BTreeSet<Atom>) {
    let left: BTreeSet<Atom> = atoms(g).difference(remove).cloned().collect();
    rebuild(g, &left);
}

/// The group's rules made anew from atoms (one rule per atom: EC2 regroups them as it likes).
fn rebuild(g: &mut SecurityGroup, atoms: &BTreeSet<Atom>) {
    let mut ingress = Vec::new();
    let mut egress = Vec::new();
    for (dir, protocol, port, peer) in atoms {
        let mut r = rule(port.unwrap_or(0), None, &[]);
        r.protocol = protocol.clone();
        r.from_port = *port;
        r.to_port = *port;
        if let Some(cidr) = peer.strip_prefix("cidr ") {
            r.ipv4_ranges = vec![Peer { id: cidr.into(), description: None }];
        } else if let Some(id) = peer.strip_prefix("group ") {
            r.groups = rule(0, None, &[id]).groups;
        }
        if *dir == "in" {
            ingress.push(r);
        } else {
            egress.push(r);
        }
    }
    g.ingress = ingress;
    g.egress = egress;
}

struct FakeJournal {
    world: Rc<RefCell<World>>,
    /// Every line the apply tried to write, as `action group result`.
    tried: Vec<String>,
    /// Every line the apply tried to write, whole: (action, group, result, reason).
    lines: Vec<(Action, String, LineResult, String)>,
    /// Lines from this index on fail to write (a full disk).
    fail_from: Option<usize>,
}

impl Journal for FakeJournal {
    fn write(&mut self, line: &Line) -> std::io::Result<()> {
        let text = format!("{} {} {}", line.action, line.group_id, line.result);
        self.tried.push(text.clone());
        self.lines.push((line.action, line.group_id.to_string(), line.result, line.reason.to_string()));
        match self.fail_from {
            Some(n) if self.tried.len() > n => {
                self.world.borrow_mut().events.push(format!("line-failed {text}"));
                Err(std::io::Error::other("No space left on device"))
            }
            _ => {
                self.world.borrow_mut().events.push(format!("line {text}"));
                Ok(())
            }
        }
    }
}

/// Whether an event is a revoke or a delete made (not a put-back).
fn destructive(event: &str) -> bool {
    event.starts_with("change ") && (event.contains(" delete ") || event.contains(" revoke "))
}

struct Outcome {
    result: Result<Tally, NotStarted>,
    world: World,
    journal: FakeJournal,
    plan: Plan,
}

fn run(faults: Faults, journal_fails_from: Option<usize>, backup_fails: bool) -> Outcome {
    run_with(faults, journal_fails_from, backup_fails, false)
}

fn run_with(faults: Faults, journal_fails_from: Option<usize>, backup_fails: bool, dry_run: bool) -> Outcome {
    run_backing_up(faults, journal_fails_from, backup_fails, dry_run, None)
}

/// A run; with `backup_dir`, the backup is also written there for real.
fn run_backing_up(
    faults: Faults,
    journal_fails_from: Option<usize>,
    backup_fails: bool,
    dry_run: bool,
    backup_dir: Option<&std::path::Path>,
) -> Outcome {
    let world = Rc::new(RefCell::new(World {
        groups: estate().into_iter().map(|g| (g.group_id.clone(), g)).collect(),
        enis: [("eni-used".to_string(), vec!["sg-used".to_string()])].into_iter().collect(),
        ..World::default()
    }));
    let stop = Rc::new(AtomicBool::new(false));
    let stop_after_backup = faults.stop_after_backup;
    let mut ec2 = FakeEc2 { world: world.clone(), faults, stop: stop.clone(), dry_run };
    let mut journal =
        FakeJournal { world: world.clone(), tried: Vec::new(), lines: Vec::new(), fail_from: journal_fails_from };
    let mut plan = plan();
    let now = || "2026-12-01T00:00:00Z".to_string();
    let settings = Settings { dry_run, stop: &stop, now: &now };
    let w = world.clone();
    let stopper = stop.clone();
    let result = apply(&mut plan, &mut ec2, &mut journal, &settings, move |groups| {
        if backup_fails {
            let source = std::io::Error::other("No space left on device");
            return Err(WriteError { dir: "backups".into(), source });
        }
        let path = match backup_dir {
            Some(dir) => {
                let backup = Backup::new("test", "2026-12-01T00:00:00Z", groups.clone());
                backup.write(dir, "20261201T000000Z")?.display().to_string()
            }
            None => "backup.json".to_string(),
        };
        w.borrow_mut().backup = Some(groups);
        if stop_after_backup {
            stopper.store(true, Ordering::SeqCst);
        }
        Ok(path)
    });
    drop(ec2);
    let FakeJournal { world: shared, tried, lines, fail_from } = journal;
    drop(shared);
    let journal = FakeJournal { world: Rc::new(RefCell::new(World::default())), tried, lines, fail_from };
    let world = Rc::try_unwrap(world).ok().unwrap().into_inner();
    Outcome { result, world, journal, plan }
}

/// The invariants every run keeps, whatever happened in it.
fn check(o: &Outcome, label: &str) {
    let w = &o.world;
    let original: BTreeMap<String, SecurityGroup> = estate().into_iter().map(|g| (g.group_id.clone(), g)).collect();
    let deleted: BTreeSet<&String> = original.keys().filter(|id| !w.groups.contains_key(*id)).collect();

    assert!(!w.changed_before_backup, "{label}: a change before the backup: {:?}", w.changes);
    assert!(!deleted.contains(&"sg-used".to_string()), "{label}: the group in use was deleted");
    for (eni, groups) in &w.enis {
        for g in groups {
            assert!(w.groups.contains_key(g), "{label}: {g} deleted while {eni} held it");
        }
    }
    if !deleted.is_empty() {
        let backed: BTreeSet<&String> =
            w.backup.as_ref().expect("deleted without a backup").iter().map(|b| &b.group.group_id).collect();
        for d in &deleted {
            assert!(backed.contains(d), "{label}: {d} deleted but not in the backup");
        }
    }
    // Every group that stays has every rule it had, except rules naming a group now deleted, and names no
    // deleted group.
    for (id, now) in &w.groups {
        let had = atoms(&original[id]);
        let has = atoms(now);
        for atom in has.iter().filter_map(named) {
            assert!(w.groups.contains_key(atom), "{label}: {id}, which stays, names deleted {atom}");
        }
        // When it left the deletion set (its first skip, or its failed delete).
        let left = w.events.iter().position(|e| {
            let line = e.strip_prefix("line ").or_else(|| e.strip_prefix("line-failed "));
            line.is_some_and(|l| l.starts_with(&format!("skip {id} ")) || l == format!("delete {id} failed"))
        });
        // A put-back that failed is said (the run is not clean) and the backup has the rules, for `restore`.
        let said = o.result.as_ref().is_ok_and(|t| t.not_put_back.iter().any(|n| &n.group_id == id));
        for atom in had.difference(&has) {
            let in_backup = w
                .backup
                .as_ref()
                .is_some_and(|b| b.iter().any(|g| &g.group.group_id == id && atoms(&g.group).contains(atom)));
            assert!(in_backup, "{label}: {id} lost {atom:?} and the backup does not have it");
            if said {
                continue;
            }
            let gone = named(atom).is_some_and(|g| !w.groups.contains_key(g));
            assert!(gone, "{label}: {id} lost {atom:?}; it has {has:?}");
            // A group that stays must not lose a group it names after it had to stay.
            let target = named(atom).unwrap();
            let deleted_at = w.events.iter().position(|e| destructive(e) && e.ends_with(&format!(" delete {target}")));
            assert!(
                deleted_at.is_some_and(|d| left.is_none_or(|l| d < l)),
                "{label}: {target} was deleted after {id}, which names it, had to stay: {:?}",
                w.events
            );
        }
        assert_eq!(has.difference(&had).count(), 0, "{label}: {id} gained rules");
    }
    // The journal tells every delete that happened, and the plan keeps every group that stays.
    let journalled: BTreeSet<String> = o
        .journal
        .tried
        .iter()
        .filter_map(|l| l.strip_prefix("delete ").and_then(|r| r.strip_suffix(" ok")))
        .map(str::to_string)
        .collect();
    let really: BTreeSet<String> = deleted.iter().map(|d| d.to_string()).collect();
    assert_eq!(journalled, really, "{label}: journal {:?}", o.journal.tried);
    for e in o.plan.deletions() {
        assert!(really.contains(&e.group_id), "{label}: {} still planned but it stays", e.group_id);
    }
}

#[test]
fn without_faults_every_candidate_goes_and_the_used_group_stays() {
    let o = run(Faults::default(), None, false);
    check(&o, "no fault");
    let tally = o.result.unwrap();
    assert!(tally.is_clean(), "{tally:?}");
    assert_eq!(tally.deleted, 7);
    assert_eq!(o.world.groups.keys().collect::<Vec<_>>(), ["sg-used"]);
    // The links between the chain and in the cycle were revoked before the deletes, and a before b before c.
    let at =
        |c: &str| o.world.changes.iter().position(|x| x == c).unwrap_or_else(|| panic!("{c}: {:?}", o.world.changes));
    assert!(at("revoke sg-a") < at("delete sg-a") && at("delete sg-a") < at("delete sg-b"));
    assert!(at("delete sg-b") < at("delete sg-c"));
}

#[test]
fn a_failure_at_every_call_keeps_every_invariant() {
    let calls = run(Faults::default(), None, false).world.calls;
    assert!(calls >= 15, "{calls}");
    for k in 1..=calls {
        let o = run(Faults { fail_call: Some(k), ..Faults::default() }, None, false);
        check(&o, &format!("call {k} failed"));
        let tally = o.result.unwrap();
        assert!(!tally.is_clean(), "call {k} failed but the run says it is clean: {tally:?}");
    }
}

#[test]
fn an_interrupt_before_every_call_keeps_every_invariant() {
    let clean = run(Faults::default(), None, false).world;
    let last_destructive = clean
        .events
        .iter()
        .filter(|e| destructive(e))
        .filter_map(|e| e.split_whitespace().nth(1)?.parse::<usize>().ok())
        .max()
        .unwrap();
    for k in 1..=clean.calls {
        let o = run(Faults { interrupt_call: Some(k), ..Faults::default() }, None, false);
        let label = format!("interrupt at call {k}");
        check(&o, &label);
        let tally = o.result.unwrap();
        // The call the interrupt came with is made; no revoke or delete after it.
        for e in o.world.events.iter().filter(|e| destructive(e)) {
            let at: usize = e.split_whitespace().nth(1).unwrap().parse().unwrap();
            assert!(at <= k, "{label}: {e} after the interrupt");
        }
        if k < last_destructive {
            assert_eq!(tally.halted, Some(Halt::Interrupted), "{label}");
            assert_eq!(tally.halted.as_ref().map(ToString::to_string).as_deref(), Some("interrupted"), "{label}");
            assert!(!tally.is_clean(), "{label}: {tally:?}");
        }
    }
}

#[test]
fn a_journal_that_cannot_be_written_stops_the_run_before_the_next_change() {
    let lines = run(Faults::default(), None, false).journal.tried.len();
    assert!(lines >= 10, "{lines}");
    for k in 0..lines {
        let o = run(Faults::default(), Some(k), false);
        let label = format!("journal full from line {k}");
        check(&o, &label);
        let tally = o.result.unwrap();
        assert!(matches!(tally.halted, Some(Halt::JournalFailed { .. })), "{label}: {tally:?}");
        let halted = tally.halted.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(halted.contains("log could not be written"), "{label}: {tally:?}");
        assert!(!tally.is_clean());
        let failed = o.world.events.iter().position(|e| e.starts_with("line-failed")).unwrap();
        let after: Vec<&String> = o.world.events[failed..].iter().filter(|e| destructive(e)).collect();
        assert!(after.is_empty(), "{label}: {after:?} after the journal failed: {:?}", o.world.events);
    }
}

#[test]
fn a_group_that_becomes_used_mid_run_keeps_what_it_names() {
    let users_calls = run(Faults::default(), None, false).world.users_calls;
    for group in ["sg-a", "sg-b", "sg-c", "sg-x", "sg-y", "sg-self", "sg-lone"] {
        for n in 1..=users_calls {
            let o = run(Faults { attach: Some((n, group)), ..Faults::default() }, None, false);
            let label = format!("{group} attached before re-check {n}");
            check(&o, &label);
            let tally = o.result.unwrap();
            if o.world.groups.contains_key(group) {
                // It stayed: what it names stays too (unless deleted before it became used).
                for named in estate().iter().find(|g| g.group_id == group).unwrap().referenced_groups() {
                    let named_deleted_first = !o.world.groups.contains_key(named)
                        && o.world.changes.iter().position(|c| c == &format!("delete {named}")).is_some();
                    assert!(o.world.groups.contains_key(named) || named_deleted_first, "{label}: {tally:?}");
                }
            }
        }
    }
    // And with the put-back failing too, at every call.
    let calls = run(Faults::default(), None, false).world.calls;
    for group in ["sg-a", "sg-b", "sg-x", "sg-y"] {
        for n in 1..=users_calls {
            for k in 1..=calls + 2 {
                let o = run(Faults { attach: Some((n, group)), fail_call: Some(k), ..Faults::default() }, None, false);
                check(&o, &format!("{group} attached before re-check {n}, call {k} failed"));
            }
        }
    }
    // The defect this guards: b becomes used after a was deleted and before its own re-check; c, which only b
    // names, must stay.
    let o = run(Faults { attach: Some((3, "sg-b")), ..Faults::default() }, None, false);
    assert!(o.world.groups.contains_key("sg-b") && o.world.groups.contains_key("sg-c"), "{:?}", o.world.changes);
}

#[test]
fn no_backup_no_change() {
    let o = run(Faults::default(), None, true);
    assert!(matches!(o.result, Err(NotStarted::Backup(_))));
    assert!(o.world.changes.is_empty());
    assert_eq!(o.world.groups.len(), estate().len());
}

#[test]
fn a_dry_run_accepts_every_delete_and_changes_nothing() {
    let o = run_with(Faults::default(), None, false, true);
    let tally = o.result.unwrap();
    assert!(tally.is_clean(), "{tally:?}");
    assert_eq!((tally.deleted, tally.skipped), (7, 0), "{:?}", o.journal.tried);
    assert!(tally.backup.is_none() && o.world.backup.is_none(), "a dry run needs no backup");
    assert!(o.world.changes.is_empty());
    assert_eq!(o.world.groups.len(), estate().len());
    assert!(o.journal.tried.iter().all(|l| !l.starts_with("skip")), "{:?}", o.journal.tried);
}

/// The journal's lines about one group: (action, result, reason).
fn lines_of(o: &Outcome, group: &str) -> Vec<(Action, LineResult, String)> {
    o.journal.lines.iter().filter(|l| l.1 == group).map(|(a, _, r, why)| (*a, *r, why.clone())).collect()
}

/// Why the plan keeps a group, or `None` if it is still to be deleted.
fn kept_for<'a>(o: &'a Outcome, group: &str) -> Option<&'a Reason> {
    let e = o.plan.entries().find(|e| e.group_id == group).unwrap_or_else(|| panic!("{group} not in the plan"));
    (e.decision == Decision::Keep).then_some(&e.reason)
}

fn standing(o: &Outcome) -> Vec<&str> {
    o.world.groups.keys().map(String::as_str).collect()
}

#[test]
fn a_dependency_violation_on_delete_keeps_the_group_with_its_rules_and_what_it_names() {
    // After its last re-check, an interface takes sg-b: AWS refuses the delete (DependencyViolation).
    let o = run(Faults { attach_before_delete: Some("sg-b"), ..Faults::default() }, None, false);
    check(&o, "DependencyViolation on sg-b");
    let tally = o.result.as_ref().unwrap();
    assert_eq!((tally.deleted, tally.skipped, tally.failed), (5, 1, 1), "{tally:?}");
    assert!(!tally.is_clean() && tally.not_put_back.is_empty() && tally.halted.is_none(), "{tally:?}");
    // a went first (it names b); b stays, so c, which b names, stays too.
    assert_eq!(standing(&o), ["sg-b", "sg-c", "sg-used"]);
    let b = lines_of(&o, "sg-b");
    assert_eq!(b[0], (Action::Revoke, LineResult::Ok, "1 rule(s) naming other groups being deleted".into()));
    assert_eq!((b[1].0, b[1].1), (Action::Delete, LineResult::Failed), "{b:?}");
    assert!(b[1].2.starts_with("DependencyViolation"), "{b:?}");
    // Its rule naming c, revoked before the deletes, is back.
    assert_eq!(b[2], (Action::Reauthorize, LineResult::Ok, "its revoked rules were put back".into()));
    assert_eq!(atoms(&o.world.groups["sg-b"]), atoms(&estate()[1]));
    assert_eq!(
        lines_of(&o, "sg-c"),
        [(Action::Skip, LineResult::Skipped, "named in a rule of sg-b, which stays".to_string())]
    );
    assert_eq!(kept_for(&o, "sg-b"), Some(&Reason::DeleteFailed { code: "DependencyViolation".into() }));
    // The plan kept c as soon as it kept b (the journal names b alone; the plan, b and its name).
    let c = kept_for(&o, "sg-c").unwrap();
    assert_eq!(c, &Reason::NamedByGroupThatStays { group_id: "sg-b".into(), group_name: Some("name-sg-b".into()) });
    assert_eq!(c.code(), "named-by-group-that-stays");
}

#[test]
fn a_throttle_mid_run_keeps_what_it_touched_and_deletes_the_rest() {
    // The revoke of sg-b's link to c is throttled, after sg-a's link to b was revoked.
    let o = run(Faults { refuse: Some(("revoke", "sg-b", "ThrottlingException")), ..Faults::default() }, None, false);
    check(&o, "throttled revoke");
    let tally = o.result.as_ref().unwrap();
    assert_eq!((tally.deleted, tally.skipped, tally.failed), (5, 2, 0), "{tally:?}");
    assert!(tally.incomplete && !tally.is_clean(), "{tally:?}");
    // a (which only names b) went; b, which still names c, and c stay whole.
    assert_eq!(standing(&o), ["sg-b", "sg-c", "sg-used"]);
    assert_eq!(atoms(&o.world.groups["sg-b"]), atoms(&estate()[1]));
    assert_eq!(atoms(&o.world.groups["sg-c"]), atoms(&estate()[2]));
    let b = lines_of(&o, "sg-b");
    assert_eq!((b[0].0, b[0].1), (Action::Revoke, LineResult::Failed), "{b:?}");
    assert!(b[0].2.starts_with("ThrottlingException"), "{b:?}");
    let why = "its rules naming other groups being deleted could not be revoked (ThrottlingException)";
    assert_eq!(b[1], (Action::Skip, LineResult::Skipped, why.to_string()));
    assert_eq!(b.len(), 2, "nothing revoked, nothing to put back: {b:?}");
    assert_eq!(kept_for(&o, "sg-b"), Some(&Reason::RevokeFailed { code: "ThrottlingException".into() }));
    assert!(matches!(kept_for(&o, "sg-c"), Some(Reason::NamedByGroupThatStays { group_id, .. }) if group_id == "sg-b"));
    let deleted: Vec<&str> = o.plan.deletions().map(|e| e.group_id.as_str()).collect();
    assert_eq!(deleted, ["sg-a", "sg-lone", "sg-self", "sg-x", "sg-y"]);
}

#[test]
fn a_group_that_became_used_since_the_plan_is_skipped_with_what_uses_it() {
    // Between the plan and the region's re-check, an interface takes sg-b.
    let o = run(Faults { attach: Some((1, "sg-b")), ..Faults::default() }, None, false);
    check(&o, "sg-b used before the re-check");
    let tally = o.result.as_ref().unwrap();
    assert_eq!((tally.deleted, tally.skipped, tally.failed), (5, 2, 0), "{tally:?}");
    assert!(tally.is_clean(), "a group found used is a decision, not a fault: {tally:?}");
    assert_eq!(standing(&o), ["sg-b", "sg-c", "sg-used"]);
    // Nothing of b or c was touched: no revoke, no put-back.
    assert!(!o.world.changes.iter().any(|c| c.ends_with(" sg-b") || c.ends_with(" sg-c")), "{:?}", o.world.changes);
    assert_eq!(
        lines_of(&o, "sg-b"),
        [(Action::Skip, LineResult::Skipped, "became used since the scan: eni-late".to_string())]
    );
    assert_eq!(
        lines_of(&o, "sg-c"),
        [(Action::Skip, LineResult::Skipped, "became used since the scan: sg-b (rule)".to_string())]
    );
    assert_eq!(kept_for(&o, "sg-b"), Some(&Reason::BecameUsed { by: vec![User::Interface("eni-late".into())] }));
    // The plan kept c as soon as it kept b, which names it.
    let c = Reason::NamedByGroupThatStays { group_id: "sg-b".into(), group_name: Some("name-sg-b".into()) };
    assert_eq!(kept_for(&o, "sg-c"), Some(&c));
    assert_eq!(kept_for(&o, "sg-a"), None, "a names b, but a is the one deleted");
}

#[test]
fn a_stop_right_after_the_backup_changes_nothing_and_leaves_the_backup_whole() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Faults { stop_after_backup: true, ..Faults::default() };
    let o = run_backing_up(faults, None, false, false, Some(dir.path()));
    check(&o, "stop after the backup");
    let tally = o.result.as_ref().unwrap();
    assert!(o.world.changes.is_empty(), "{:?}", o.world.changes);
    assert_eq!(o.world.groups.len(), estate().len());
    assert_eq!(tally.halted, Some(Halt::Interrupted));
    assert_eq!((tally.deleted, tally.skipped, tally.failed), (0, 7, 0), "{tally:?}");
    assert!(!tally.is_clean());
    let why = "the run stopped before this region: interrupted";
    assert!(o.journal.lines.iter().all(|l| (l.0, l.2, l.3.as_str()) == (Action::Skip, LineResult::Skipped, why)));
    assert_eq!(o.plan.deletions().count(), 0);
    // The backup on disk is complete: every planned group, whole, as it was.
    let path = tally.backup.as_deref().unwrap();
    let backup = Backup::read(std::path::Path::new(path)).unwrap();
    let backed: BTreeMap<&str, &SecurityGroup> =
        backup.groups.iter().map(|b| (b.group.group_id.as_str(), &b.group)).collect();
    for g in estate().iter().filter(|g| g.group_id != "sg-used") {
        assert_eq!(backed.get(g.group_id.as_str()), Some(&g), "{}", g.group_id);
    }
    assert_eq!(backed.len(), 7);
}

#[test]
fn a_failed_put_back_is_reported_and_the_backup_has_the_rules() {
    // sg-a's link to b is revoked; then an interface takes a before its own re-check (the second), and
    // putting its rule back is throttled.
    let faults = Faults {
        attach: Some((2, "sg-a")),
        refuse: Some(("authorize", "sg-a", "ThrottlingException")),
        ..Faults::default()
    };
    let o = run(faults, None, false);
    check(&o, "failed put-back");
    let tally = o.result.as_ref().unwrap();
    assert_eq!(tally.not_put_back.len(), 1, "{tally:?}");
    let NotPutBack { group_id, why } = &tally.not_put_back[0];
    assert_eq!(group_id, "sg-a");
    assert!(why.starts_with("its revoked rules could not be put back (ThrottlingException"), "{why}");
    assert!(why.ends_with("; the backup has them"), "{why}");
    assert!(!tally.is_clean(), "{tally:?}");
    // a, b and c stay (b is named by a, c by b); b's rule is back, a's is in the backup only.
    assert_eq!(standing(&o), ["sg-a", "sg-b", "sg-c", "sg-used"]);
    assert_eq!(atoms(&o.world.groups["sg-b"]), atoms(&estate()[1]));
    let lost: BTreeSet<Atom> = atoms(&estate()[0]).difference(&atoms(&o.world.groups["sg-a"])).cloned().collect();
    assert_eq!(lost.iter().filter_map(named).collect::<Vec<_>>(), ["sg-b"]);
    let a = lines_of(&o, "sg-a");
    assert_eq!((a.last().unwrap().0, a.last().unwrap().1), (Action::Reauthorize, LineResult::Failed), "{a:?}");
    assert_eq!(a.last().unwrap().2, *why);
    assert!(lines_of(&o, "sg-b").contains(&(
        Action::Reauthorize,
        LineResult::Ok,
        "its revoked rules were put back".into()
    )));
    assert_eq!((tally.deleted, tally.failed), (4, 0), "{tally:?}");
}

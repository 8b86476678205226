//! The plan over the demo estate: what is a candidate, what keeps the others, and how keeping one group
//! keeps the groups its rules name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};

use sgaudit_cleanup::plan::{CLOUDTRAIL_LAG, DAY};
use sgaudit_cleanup::{CreationTimes, Decision, Plan, Protections, Scope, TagRule};
use sgaudit_snapshot::Snapshot;

const ACCOUNT: &str = "123456789012";
const US: &str = "us-east-1";
const NOW: i64 = 1_795_406_488;

fn demo() -> Snapshot {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-snapshot.json");
    Snapshot::load(&path).unwrap()
}

fn plan_with(snapshot: &Snapshot, protections: &Protections) -> Plan {
    let audit = sgaudit_audit::audit(snapshot);
    Plan::new(snapshot, &audit, protections)
}

fn deleted(plan: &Plan) -> BTreeSet<&str> {
    plan.deletions().map(|e| e.group_id.as_str()).collect()
}

fn reason(plan: &Plan, id: &str) -> String {
    plan.entries().find(|e| e.group_id == id).unwrap_or_else(|| panic!("{id} not in the plan")).reason.to_string()
}

#[test]
fn only_unused_non_default_groups_are_candidates() {
    let snapshot = demo();
    let plan = plan_with(&snapshot, &Protections::default());
    let want: BTreeSet<&str> = [
        "sg-0a400000000001dc1",
        "sg-0a500000000cab1ea",
        "sg-0a600000000cab1eb",
        "sg-0ad00000001e6acdb",
        "sg-0af000000005e1fef",
    ]
    .into_iter()
    .collect();
    assert_eq!(deleted(&plan), want);
    assert!(reason(&plan, "sg-0b2000000000e5522").starts_with("unknown, not proven unused: lambda-functions"));
    assert_eq!(reason(&plan, "sg-0a8000000000def02"), "default group (AWS does not delete it)");
    assert!(reason(&plan, "sg-0a600000000cab1eb").contains("named only by unused group(s) sg-0a500000000cab1ea"));
    assert_eq!(plan.in_use, 11);
    assert!(!plan.entries().any(|e| e.group_id == "sg-0a0000000000000db"), "in-use groups are not listed");
}

#[test]
fn protections_keep_a_group_and_what_its_rules_name() {
    let mut snapshot = demo();
    snapshot.group_mut("sg-0a500000000cab1ea").unwrap().tags.insert("keep".into(), "Yes".into());
    snapshot.group_mut("sg-0ad00000001e6acdb").unwrap().owner_id = "999988887777".into();
    let mut protections = Protections::default();
    protections.tags.push(TagRule::parse("keep=yes").unwrap());
    protections.names.push("cluster-*".into());
    let plan = plan_with(&snapshot, &protections);
    assert_eq!(deleted(&plan), ["sg-0a400000000001dc1"].into_iter().collect());
    assert_eq!(reason(&plan, "sg-0a500000000cab1ea"), "protected by tag keep=yes");
    // b is named by a, which stays: deleting b would mean editing a.
    assert!(reason(&plan, "sg-0a600000000cab1eb").starts_with("named in a rule of sg-0a500000000cab1ea"));
    assert_eq!(reason(&plan, "sg-0ad00000001e6acdb"), "owned by another account (999988887777)");
    assert_eq!(reason(&plan, "sg-0af000000005e1fef"), "protected by name pattern `cluster-*`");
}

#[test]
fn age_comes_from_the_creation_window_and_unreadable_means_keep() {
    let snapshot = demo();
    let protections = Protections::default();
    let mut plan = plan_with(&snapshot, &protections);
    let window = CreationTimes {
        since: NOW - 90 * DAY,
        created: HashMap::from([
            ("sg-0a400000000001dc1".to_string(), NOW - 2 * DAY),
            ("sg-0ad00000001e6acdb".to_string(), NOW - 30 * DAY),
        ]),
    };
    // Seen by a scan two hours ago: its creation would be in CloudTrail by now.
    let seen = Some(NOW - 2 * CLOUDTRAIL_LAG);
    plan.check_age(ACCOUNT, US, Ok(&window), NOW, seen, &protections);
    assert!(reason(&plan, "sg-0a400000000001dc1").starts_with("too young: created 2 day(s) ago"));
    assert!(deleted(&plan).contains("sg-0ad00000001e6acdb"), "30 days is old enough");
    assert!(deleted(&plan).contains("sg-0af000000005e1fef"), "not created in the window: older than it");

    // A window shorter than the minimum age proves nothing for groups not in it.
    let mut strict = protections.clone();
    strict.min_age_secs = 120 * DAY;
    let mut plan = plan_with(&snapshot, &strict);
    plan.check_age(ACCOUNT, US, Ok(&window), NOW, seen, &strict);
    assert!(reason(&plan, "sg-0af000000005e1fef").starts_with("age unknown: CloudTrail keeps 90 day(s)"));

    let mut plan = plan_with(&snapshot, &protections);
    plan.check_age(ACCOUNT, US, Err("AccessDenied"), NOW, seen, &protections);
    assert!(deleted(&plan).is_empty());
    assert!(reason(&plan, "sg-0a500000000cab1ea").contains("CloudTrail could not be read (AccessDenied)"));
    let mut ignore = protections.clone();
    ignore.ignore_age = true;
    let mut plan = plan_with(&snapshot, &ignore);
    plan.check_age(ACCOUNT, US, Err("AccessDenied"), NOW, seen, &ignore);
    assert_eq!(deleted(&plan).len(), 5);
    // --ignore-age does not delete a group CloudTrail says is too young.
    let mut plan = plan_with(&snapshot, &ignore);
    plan.check_age(ACCOUNT, US, Ok(&window), NOW, None, &ignore);
    assert!(reason(&plan, "sg-0a400000000001dc1").starts_with("too young"));
    assert_eq!(deleted(&plan).len(), 4);
}

#[test]
fn absence_from_cloudtrail_proves_age_only_once_its_lag_has_passed() {
    let snapshot = demo();
    let protections = Protections::default();
    // CloudTrail knows none of the groups: a group created a minute ago whose event is not delivered yet
    // looks the same as one created a year ago.
    let window = CreationTimes { since: NOW - 90 * DAY, created: HashMap::new() };
    for seen in [Some(NOW - 60), Some(NOW - CLOUDTRAIL_LAG + 1), None] {
        let mut plan = plan_with(&snapshot, &protections);
        plan.check_age(ACCOUNT, US, Ok(&window), NOW, seen, &protections);
        assert!(deleted(&plan).is_empty(), "{seen:?}");
        let why = reason(&plan, "sg-0a400000000001dc1");
        assert!(why.starts_with("age unknown: not in CloudTrail's event history, which can lag"), "{why}");
    }
    let mut plan = plan_with(&snapshot, &protections);
    plan.check_age(ACCOUNT, US, Ok(&window), NOW, Some(NOW - CLOUDTRAIL_LAG), &protections);
    assert_eq!(deleted(&plan).len(), 5);
}

#[test]
fn protections_ignore_case_and_accept_the_usual_truthy_values() {
    let mut snapshot = demo();
    snapshot.group_mut("sg-0a400000000001dc1").unwrap().group_name = "Prod-web".into();
    snapshot.group_mut("sg-0ad00000001e6acdb").unwrap().group_name = "PROD-db".into();
    snapshot.group_mut("sg-0a500000000cab1ea").unwrap().tags.insert("donotdelete".into(), "True".into());
    snapshot.group_mut("sg-0af000000005e1fef").unwrap().tags.insert("DoNotDelete".into(), "yes".into());
    let plan = plan_with(&snapshot, &Protections::default());
    assert!(deleted(&plan).is_empty(), "{:?}", deleted(&plan));
    assert_eq!(reason(&plan, "sg-0a400000000001dc1"), "protected by name pattern `prod-*`");
    assert_eq!(reason(&plan, "sg-0ad00000001e6acdb"), "protected by name pattern `prod-*`");
    assert_eq!(reason(&plan, "sg-0a500000000cab1ea"), "protected by tag DoNotDelete=true");
    assert_eq!(reason(&plan, "sg-0af000000005e1fef"), "protected by tag DoNotDelete=true");

    for value in ["1", "on", "Y", " TRUE "] {
        let mut snapshot = demo();
        snapshot.group_mut("sg-0a400000000001dc1").unwrap().tags.insert("DONOTDELETE".into(), value.into());
        let plan = plan_with(&snapshot, &Protections::default());
        assert!(!deleted(&plan).contains("sg-0a400000000001dc1"), "{value}");
    }
    for value in ["false", "no", "0", ""] {
        let mut snapshot = demo();
        snapshot.group_mut("sg-0a400000000001dc1").unwrap().tags.insert("DoNotDelete".into(), value.into());
        let plan = plan_with(&snapshot, &Protections::default());
        assert!(deleted(&plan).contains("sg-0a400000000001dc1"), "{value:?}");
    }
    // --protect-tag with another value compares it without case.
    let mut snapshot = demo();
    snapshot.group_mut("sg-0a400000000001dc1").unwrap().tags.insert("Owner".into(), "Platform".into());
    let mut protections = Protections::default();
    protections.tags.push(TagRule::parse("owner=platform").unwrap());
    let plan = plan_with(&snapshot, &protections);
    assert_eq!(reason(&plan, "sg-0a400000000001dc1"), "protected by tag owner=platform");
}

#[test]
fn a_fresh_judgement_before_deleting_keeps_what_became_used() {
    let snapshot = demo();
    let mut plan = plan_with(&snapshot, &Protections::default());
    assert_eq!(deleted(&plan).len(), 5);
    // Since the plan: a launch template names oldci, chain b gained a rule of a new group in use, and
    // selfref is gone.
    let mut fresh = snapshot.clone();
    let region = fresh.regions.iter_mut().find(|r| r.region == US).unwrap();
    region.attachments.push(sgaudit_snapshot::Attachment {
        target: sgaudit_snapshot::Target::Group("sg-0a400000000001dc1".into()),
        kind: sgaudit_snapshot::ResourceKind::LaunchTemplate,
        resource_id: "lt-0123456789abcdef0".into(),
        via: sgaudit_snapshot::Via::Config,
        source: "ec2-launch-templates".into(),
        detail: None,
    });
    region.security_groups.retain(|g| g.group_id != "sg-0af000000005e1fef");
    fresh.normalize();
    let audit = sgaudit_audit::audit(&fresh);
    plan.recheck(&fresh, &audit);
    assert!(
        reason(&plan, "sg-0a400000000001dc1")
            .starts_with("in use by the fresh scan before deleting: launch-template lt-0123456789abcdef0"),
        "{}",
        reason(&plan, "sg-0a400000000001dc1")
    );
    assert_eq!(reason(&plan, "sg-0af000000005e1fef"), "no longer exists (fresh scan)");
    assert_eq!(deleted(&plan).len(), 3);

    // A source the fresh scan could not read makes its groups unknown: kept.
    let mut fresh = snapshot.clone();
    let region = fresh.regions.iter_mut().find(|r| r.region == US).unwrap();
    let c = region.coverage.iter_mut().find(|c| c.source == "lambda-functions").unwrap();
    c.state = sgaudit_snapshot::CoverageState::Failed {
        error: Box::new(sgaudit_snapshot::SourceError {
            code: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
            action: Some("lambda:ListFunctions".into()),
            scp_deny: false,
        }),
    };
    let audit = sgaudit_audit::audit(&fresh);
    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.recheck(&fresh, &audit);
    assert!(deleted(&plan).is_empty());
    assert!(reason(&plan, "sg-0a500000000cab1ea")
        .starts_with("unknown in the fresh scan before deleting: lambda-functions"));
}

#[test]
fn peered_references_keep_only_what_other_vpcs_name() {
    let snapshot = demo();
    let mut plan = plan_with(&snapshot, &Protections::default());
    let peered: BTreeSet<String> = ["vpc-0a11c0ffee0000001".to_string()].into_iter().collect();
    let refs = HashMap::from([("sg-0ad00000001e6acdb".to_string(), vec!["vpc-0ther".to_string()])]);
    plan.check_peer_references(ACCOUNT, US, &peered, Ok(&refs));
    assert_eq!(reason(&plan, "sg-0ad00000001e6acdb"), "referenced from peered VPC(s) vpc-0ther");
    assert!(deleted(&plan).contains("sg-0a400000000001dc1"));
    assert!(deleted(&plan).contains("sg-0af000000005e1fef"), "its VPC is not peered");

    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.check_peer_references(ACCOUNT, US, &peered, Err("Http500"));
    assert_eq!(deleted(&plan), ["sg-0af000000005e1fef"].into_iter().collect(), "unreadable references keep them");
    assert!(plan
        .entries()
        .all(|e| e.decision == Decision::Keep || e.vpc_id.as_deref() != Some("vpc-0a11c0ffee0000001")));
}

#[test]
fn accounts_and_regions_outside_the_run_are_kept() {
    let snapshot = demo();
    let scope = |accounts: &[&str], exclude_accounts: &[&str], regions: &[&str], exclude_regions: &[&str]| Scope {
        accounts: accounts.iter().map(|s| s.to_string()).collect(),
        exclude_accounts: exclude_accounts.iter().map(|s| s.to_string()).collect(),
        regions: regions.iter().map(|s| s.to_string()).collect(),
        exclude_regions: exclude_regions.iter().map(|s| s.to_string()).collect(),
    };
    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.limit(&scope(&[], &[], &["eu-west-1"], &[]));
    assert!(deleted(&plan).is_empty(), "every candidate of the demo is in us-east-1");
    assert_eq!(reason(&plan, "sg-0a400000000001dc1"), "outside the accounts and regions of this run");

    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.limit(&scope(&[ACCOUNT], &[], &[US], &[]));
    assert_eq!(deleted(&plan).len(), 5);
    plan.limit(&scope(&["111122223333"], &[], &[], &[]));
    assert!(deleted(&plan).is_empty());

    // The exclusions too.
    for s in [scope(&[], &[], &[], &[US]), scope(&[], &[ACCOUNT], &[], &[])] {
        let mut plan = plan_with(&snapshot, &Protections::default());
        plan.limit(&s);
        assert!(deleted(&plan).is_empty(), "{s:?}");
    }
    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.limit(&scope(&[], &["111122223333"], &[], &["eu-west-1"]));
    assert_eq!(deleted(&plan).len(), 5);
}

/// A small random number generator (xorshift), so that the estates below are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The plan's settling as first written, as the reference: after every change, every group that stays, of
/// the whole region, looked at again until nothing changes; in each round a candidate is kept for the
/// first group (in the snapshot's order) that stays and names it.
struct Naive {
    groups: Vec<sgaudit_snapshot::SecurityGroup>,
    decisions: std::collections::BTreeMap<String, (Decision, String)>,
}

impl Naive {
    fn settle(&mut self) {
        loop {
            let deleting: BTreeSet<String> =
                self.decisions.iter().filter(|(_, d)| d.0 == Decision::Delete).map(|(id, _)| id.clone()).collect();
            let mut newly = Vec::new();
            for holder in self.groups.iter().filter(|g| !deleting.contains(&g.group_id)) {
                for target in holder.referenced_groups() {
                    if target != holder.group_id && deleting.contains(target) {
                        let why =
                            format!("named in a rule of {} ({}), which stays", holder.group_id, holder.group_name);
                        newly.push((target.to_string(), why));
                    }
                }
            }
            if newly.is_empty() {
                return;
            }
            for (id, why) in newly {
                let d = self.decisions.get_mut(&id).unwrap();
                if d.0 == Decision::Delete {
                    *d = (Decision::Keep, why);
                }
            }
        }
    }

    fn keep(&mut self, id: &str, why: &str) {
        if let Some(d) = self.decisions.get_mut(id).filter(|d| d.0 == Decision::Delete) {
            *d = (Decision::Keep, why.to_string());
        }
        self.settle();
    }
}

#[test]
fn keeping_groups_one_by_one_settles_as_a_full_rescan_would() {
    let coverage = demo().regions.iter().find(|r| r.region == US).unwrap().coverage.clone();
    let regions = ["eu-west-1", US];
    for seed in 1..=40u64 {
        let mut rng = Rng(seed * 0x9e37_79b9_7f4a_7c15);
        let mut snapshot = Snapshot::new("test", Some("2026-11-30T00:00:00Z".into()));
        for (r, region) in regions.iter().enumerate() {
            let ids: Vec<String> = (0..30).map(|i| format!("sg-{r}{i:02}")).collect();
            let mut groups = Vec::new();
            let mut attachments = Vec::new();
            for id in &ids {
                let names: Vec<&str> = (0..rng.below(4)).map(|_| ids[rng.below(30) as usize].as_str()).collect();
                let mut tags = std::collections::BTreeMap::new();
                if rng.below(7) == 0 {
                    tags.insert("keep".to_string(), "yes".to_string());
                }
                if rng.below(12) == 0 {
                    attachments.push(sgaudit_snapshot::Attachment {
                        target: sgaudit_snapshot::Target::Group(id.clone()),
                        kind: sgaudit_snapshot::ResourceKind::NetworkInterface,
                        resource_id: format!("eni-{id}"),
                        via: sgaudit_snapshot::Via::Eni,
                        source: "ec2-network-interfaces".into(),
                        detail: None,
                    });
                }
                let rules = names
                    .iter()
                    .map(|n| sgaudit_snapshot::Rule {
                        protocol: "tcp".into(),
                        from_port: Some(443),
                        to_port: Some(443),
                        ipv4_ranges: Vec::new(),
                        ipv6_ranges: Vec::new(),
                        prefix_lists: Vec::new(),
                        groups: vec![sgaudit_snapshot::GroupPeer {
                            group_id: n.to_string(),
                            user_id: None,
                            vpc_id: None,
                            vpc_peering_connection_id: None,
                            description: None,
                        }],
                    })
                    .collect();
                groups.push(sgaudit_snapshot::SecurityGroup {
                    group_id: id.clone(),
                    group_name: format!("name-{id}"),
                    description: String::new(),
                    vpc_id: Some("vpc-1".into()),
                    owner_id: ACCOUNT.into(),
                    tags: tags.into(),
                    ingress: rules,
                    egress: Vec::new(),
                });
            }
            snapshot.regions.push(sgaudit_snapshot::RegionSnapshot {
                account_id: ACCOUNT.into(),
                region: region.to_string(),
                security_groups: groups,
                attachments,
                coverage: coverage.clone(),
                stale_rules: Vec::new(),
                posture: Default::default(),
                network: Default::default(),
            });
        }
        snapshot.normalize();
        let mut protections = Protections::default();
        protections.tags.push(TagRule::parse("keep=yes").unwrap());
        let mut plan = plan_with(&snapshot, &protections);
        let mut naive: Vec<Naive> = snapshot
            .regions
            .iter()
            .map(|r| {
                let decisions = plan
                    .entries()
                    .filter(|e| e.region == r.region)
                    .map(|e| {
                        let tagged = e.group.tags.contains_key("keep");
                        let first = if tagged {
                            (Decision::Keep, "protected by tag keep=yes".to_string())
                        } else {
                            (Decision::Delete, String::new())
                        };
                        (e.group_id.clone(), first)
                    })
                    .collect();
                Naive { groups: r.security_groups.clone(), decisions }
            })
            .collect();
        naive.iter_mut().for_each(Naive::settle);

        let same = |plan: &Plan, naive: &[Naive], step: &str| {
            for (r, model) in snapshot.regions.iter().zip(naive) {
                for e in plan.entries().filter(|e| e.region == r.region) {
                    let (decision, why) = &model.decisions[&e.group_id];
                    assert_eq!(e.decision, *decision, "seed {seed}, {step}: {}", e.group_id);
                    if *decision == Decision::Keep {
                        assert_eq!(&e.reason.to_string(), why, "seed {seed}, {step}: {}", e.group_id);
                    }
                }
            }
        };
        same(&plan, &naive, "first draft");
        let candidates: Vec<(usize, String)> = plan
            .entries()
            .map(|e| (regions.iter().position(|r| *r == e.region).unwrap(), e.group_id.clone()))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let region_of = |r: usize| snapshot.regions.iter().position(|s| s.region == regions[r]).unwrap();
        for step in 0..12 {
            let (r, id) = &candidates[rng.below(candidates.len() as u64) as usize];
            plan.keep(ACCOUNT, regions[*r], id, sgaudit_cleanup::Reason::NotConfirmed);
            naive[region_of(*r)].keep(id, "not confirmed");
            same(&plan, &naive, &format!("keep {id} (step {step})"));
        }
        plan.keep_region(ACCOUNT, US, &sgaudit_cleanup::Reason::OutOfScope);
        naive[region_of(1)].decisions.clone().keys().for_each(|id| {
            naive[region_of(1)].keep(id, "outside the accounts and regions of this run");
        });
        same(&plan, &naive, "keep_region");
        assert_eq!(plan.deletions_in(ACCOUNT, US).count(), 0);
    }
}

#[test]
fn the_plan_as_json_gives_each_reason_as_text_and_as_a_stable_code() {
    let mut snapshot = demo();
    snapshot.group_mut("sg-0a500000000cab1ea").unwrap().tags.insert("DoNotDelete".into(), "true".into());
    let plan = plan_with(&snapshot, &Protections::default());
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["in_use"], 11);
    let entries = json["entries"].as_array().unwrap();
    let entry = |id: &str| entries.iter().find(|e| e["group_id"] == id).unwrap_or_else(|| panic!("{id}"));
    let default = entry("sg-0a8000000000def02");
    assert_eq!(default["reason"], "default group (AWS does not delete it)");
    assert_eq!(default["reason_code"], "default-group");
    assert_eq!(default["decision"], "keep");
    let keys: BTreeSet<&str> = default.as_object().unwrap().keys().map(String::as_str).collect();
    let want =
        ["account_id", "region", "group_id", "group_name", "vpc_id", "status", "decision", "reason", "reason_code"];
    assert_eq!(keys, want.into_iter().collect());
    assert_eq!(entry("sg-0a500000000cab1ea")["reason_code"], "protected-by-tag");
    let b = entry("sg-0a600000000cab1eb");
    assert_eq!(b["reason_code"], "named-by-group-that-stays");
    assert!(b["reason"].as_str().unwrap().starts_with("named in a rule of sg-0a500000000cab1ea"), "{b}");
    assert_eq!(entry("sg-0a400000000001dc1")["reason_code"], "unused");
    assert_eq!(entry("sg-0a400000000001dc1")["decision"], "delete");
    // Every entry's text and code are its reason's; by account and region, the deletions first, each by id.
    let shown: Vec<(String, String, String, String)> = entries
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("account_id"), s("region"), s("decision"), s("group_id"))
        })
        .collect();
    let mut sorted = shown.clone();
    sorted.sort();
    assert_eq!(shown, sorted, "delete sorts before keep");
    for (e, json) in plan.entries().zip(entries) {
        assert_eq!(json["reason"], e.reason.to_string());
        assert_eq!(json["reason_code"], e.reason.code());
    }
}

/// An exception of sgaudit.toml (or a mark) that says these groups are used where sgaudit cannot see it.
fn marked_in_use(group_ids: &[&str]) -> sgaudit_audit::exceptions::Exception {
    use sgaudit_audit::exceptions::{Day, Exception, Matcher};
    let ids = group_ids.iter().map(|s| s.to_string()).collect();
    Exception {
        matcher: Matcher::new(Vec::new(), Vec::new(), ids, Vec::new(), Vec::new(), Vec::new()),
        reason: "attached by the on-premises failover runbook".into(),
        owner: "team-platform".into(),
        ticket: None,
        expires: Day::from_ymd(2099, 12, 31),
        in_use: true,
        declared_at: "sgaudit.toml:7".into(),
    }
}

#[test]
fn a_group_marked_in_use_is_never_planned_nor_what_its_rules_name() {
    let snapshot = demo();
    let mut audit = sgaudit_audit::audit(&snapshot);
    let today = sgaudit_audit::exceptions::Day::from_ymd(2026, 11, 23).unwrap();
    sgaudit_audit::exceptions::apply(
        &mut audit,
        &[marked_in_use(&["sg-0af000000005e1fef", "sg-0a500000000cab1ea"])],
        today,
    );
    let plan = Plan::for_run(&snapshot, &audit, &Protections::default(), &Scope::default(), &[ACCOUNT]);
    assert_eq!(deleted(&plan), ["sg-0a400000000001dc1", "sg-0ad00000001e6acdb"].into_iter().collect());
    let sentence = "marked in use by team-platform: attached by the on-premises failover runbook";
    assert_eq!(reason(&plan, "sg-0af000000005e1fef"), sentence);
    assert_eq!(reason(&plan, "sg-0a500000000cab1ea"), sentence);
    // batch-old-a names batch-old-b: b stays with it.
    assert!(reason(&plan, "sg-0a600000000cab1eb").starts_with("named in a rule of sg-0a500000000cab1ea"));
    let json = serde_json::to_value(&plan).unwrap();
    let entry = json["entries"].as_array().unwrap().iter().find(|e| e["group_id"] == "sg-0af000000005e1fef").unwrap();
    assert_eq!((entry["reason_code"].as_str(), entry["status"].as_str()), (Some("marked-in-use"), Some("unused")));
    // The protections of the command line come first (the first reason is the one shown).
    let mut by_name = Protections::default();
    by_name.names.push("cluster-*".into());
    let plan = Plan::for_run(&snapshot, &audit, &by_name, &Scope::default(), &[ACCOUNT]);
    assert_eq!(reason(&plan, "sg-0af000000005e1fef"), "protected by name pattern `cluster-*`");
}

#[test]
fn unused_for_plans_only_groups_the_history_shows_unused_long_enough() {
    use sgaudit_cleanup::GracePeriod;
    use sgaudit_snapshot::time::format_rfc3339;

    let snapshot = demo();
    let mut audit = sgaudit_audit::audit(&snapshot);
    let since = HashMap::from([
        ("sg-0a400000000001dc1", Some(NOW - 40 * DAY)),
        // Exactly the period: long enough.
        ("sg-0a500000000cab1ea", Some(NOW - 30 * DAY)),
        ("sg-0a600000000cab1eb", Some(NOW - 31 * DAY)),
        ("sg-0ad00000001e6acdb", Some(NOW - 30 * DAY + 1)),
        // No history of it.
        ("sg-0af000000005e1fef", None),
    ]);
    for g in &mut audit.groups {
        if let Some(at) = since.get(g.group.group_id.as_str()) {
            g.unused_since = at.map(format_rfc3339);
        }
    }
    let protections =
        Protections { unused_for: Some(GracePeriod { secs: 30 * DAY, now: NOW }), ..Protections::default() };
    let plan = Plan::for_run(&snapshot, &audit, &protections, &Scope::default(), &[ACCOUNT]);
    let want = ["sg-0a400000000001dc1", "sg-0a500000000cab1ea", "sg-0a600000000cab1eb"];
    assert_eq!(deleted(&plan), want.into_iter().collect());
    let recent = format_rfc3339(NOW - 30 * DAY + 1);
    assert_eq!(
        reason(&plan, "sg-0ad00000001e6acdb"),
        format!("unused only since {recent} (29 day(s)), less than --unused-for")
    );
    assert_eq!(
        reason(&plan, "sg-0af000000005e1fef"),
        "unused for how long is unknown: the history holds no verdict of it (--unused-for needs the store)"
    );
    let codes: HashMap<String, String> =
        plan.kept().map(|e| (e.group_id.clone(), e.reason.code().to_string())).collect();
    assert_eq!(codes["sg-0ad00000001e6acdb"], "unused-too-recently");
    assert_eq!(codes["sg-0af000000005e1fef"], "unused-for-unknown");
    // An unreadable time is no proof either.
    audit.groups.iter_mut().filter(|g| g.group.group_id == "sg-0a400000000001dc1").for_each(|g| {
        g.unused_since = Some("last month".into());
    });
    let plan = Plan::for_run(&snapshot, &audit, &protections, &Scope::default(), &[ACCOUNT]);
    assert_eq!(plan.kept().find(|e| e.group_id == "sg-0a400000000001dc1").unwrap().reason.code(), "unused-for-unknown");
    // Without --unused-for, the history changes nothing.
    let plan = Plan::for_run(&snapshot, &audit, &Protections::default(), &Scope::default(), &[ACCOUNT]);
    assert_eq!(deleted(&plan).len(), 5);
}

#[test]
fn unused_for_takes_seconds_to_weeks() {
    use sgaudit_cleanup::plan::parse_duration;
    assert_eq!(parse_duration("45s"), Ok(45));
    assert_eq!(parse_duration("90m"), Ok(90 * 60));
    assert_eq!(parse_duration("30d"), Ok(30 * DAY));
    assert_eq!(parse_duration("12h"), Ok(12 * 3_600));
    assert_eq!(parse_duration(" 2w "), Ok(14 * DAY));
    assert_eq!(parse_duration("0d"), Ok(0));
    for bad in ["30", "d", "3x", "30 d", "-1d", "1.5d", "30D", "1M", "", "99999999w"] {
        let error = parse_duration(bad).unwrap_err();
        assert_eq!(
            error,
            format!("`{bad}` is not a duration: write a whole number and s, m, h, d or w (30d, 12h, 2w)")
        );
    }
}

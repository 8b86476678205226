//! The plan over the demo estate: what is a candidate, what keeps the others, and how keeping one group
//! keeps the groups its rules name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};

use sgaudit_cleanup::plan::DAY;
use sgaudit_cleanup::{CreationWindow, Decision, Plan, Protections, TagRule};
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

fn reason<'a>(plan: &'a Plan, id: &str) -> &'a str {
    &plan.entries.iter().find(|e| e.group_id == id).unwrap_or_else(|| panic!("{id} not in the plan")).reason
}

#[test]
fn only_unused_non_default_groups_are_candidates() {
    let snapshot = demo();
    let plan = plan_with(&snapshot, &Protections::default());
    let want: BTreeSet<&str> = [
        "sg-0a000000000oldci",
        "sg-0a00000000chaina",
        "sg-0a00000000chainb",
        "sg-0a0000000legmysq",
        "sg-0a0000000selfref",
    ]
    .into_iter()
    .collect();
    assert_eq!(deleted(&plan), want);
    assert!(reason(&plan, "sg-0b00000000eussh").starts_with("unknown, not proven unused: lambda-functions"));
    assert_eq!(reason(&plan, "sg-0a00000000dflt02"), "default group (AWS does not delete it)");
    assert!(reason(&plan, "sg-0a00000000chainb").contains("named only by unused group(s) sg-0a00000000chaina"));
    assert_eq!(plan.in_use, 11);
    assert!(!plan.entries.iter().any(|e| e.group_id == "sg-0a0000000000000db"), "in-use groups are not listed");
}

#[test]
fn protections_keep_a_group_and_what_its_rules_name() {
    let mut snapshot = demo();
    snapshot.group_mut("sg-0a00000000chaina").unwrap().tags.insert("keep".into(), "Yes".into());
    snapshot.group_mut("sg-0a0000000legmysq").unwrap().owner_id = "999988887777".into();
    let mut protections = Protections::default();
    protections.tags.push(TagRule::parse("keep=yes").unwrap());
    protections.names.push("cluster-*".into());
    let plan = plan_with(&snapshot, &protections);
    assert_eq!(deleted(&plan), ["sg-0a000000000oldci"].into_iter().collect());
    assert_eq!(reason(&plan, "sg-0a00000000chaina"), "protected by tag keep=yes");
    // b is named by a, which stays: deleting b would mean editing a.
    assert!(reason(&plan, "sg-0a00000000chainb").starts_with("named in a rule of sg-0a00000000chaina"));
    assert_eq!(reason(&plan, "sg-0a0000000legmysq"), "owned by another account (999988887777)");
    assert_eq!(reason(&plan, "sg-0a0000000selfref"), "protected by name pattern `cluster-*`");
}

#[test]
fn age_comes_from_the_creation_window_and_unreadable_means_keep() {
    let snapshot = demo();
    let protections = Protections::default();
    let mut plan = plan_with(&snapshot, &protections);
    let window = CreationWindow {
        since: NOW - 90 * DAY,
        created: HashMap::from([
            ("sg-0a000000000oldci".to_string(), NOW - 2 * DAY),
            ("sg-0a0000000legmysq".to_string(), NOW - 30 * DAY),
        ]),
    };
    plan.check_age(ACCOUNT, US, Ok(&window), NOW, &protections);
    assert!(reason(&plan, "sg-0a000000000oldci").starts_with("too young: created 2 day(s) ago"));
    assert!(deleted(&plan).contains("sg-0a0000000legmysq"), "30 days is old enough");
    assert!(deleted(&plan).contains("sg-0a0000000selfref"), "not created in the window: older than it");

    // A window shorter than the minimum age proves nothing for groups not in it.
    let mut strict = protections.clone();
    strict.min_age_secs = 120 * DAY;
    let mut plan = plan_with(&snapshot, &strict);
    plan.check_age(ACCOUNT, US, Ok(&window), NOW, &strict);
    assert!(reason(&plan, "sg-0a0000000selfref").starts_with("age unknown: CloudTrail keeps 90 day(s)"));

    let mut plan = plan_with(&snapshot, &protections);
    plan.check_age(ACCOUNT, US, Err("AccessDenied"), NOW, &protections);
    assert!(deleted(&plan).is_empty());
    assert!(reason(&plan, "sg-0a00000000chaina").contains("CloudTrail could not be read (AccessDenied)"));
    let mut ignore = protections.clone();
    ignore.ignore_age = true;
    let mut plan = plan_with(&snapshot, &ignore);
    plan.check_age(ACCOUNT, US, Err("AccessDenied"), NOW, &ignore);
    assert_eq!(deleted(&plan).len(), 5);
}

#[test]
fn peered_references_keep_only_what_other_vpcs_name() {
    let snapshot = demo();
    let mut plan = plan_with(&snapshot, &Protections::default());
    let peered: BTreeSet<String> = ["vpc-0a11c0ffee0000001".to_string()].into_iter().collect();
    let refs = HashMap::from([("sg-0a0000000legmysq".to_string(), vec!["vpc-0ther".to_string()])]);
    plan.check_peer_references(ACCOUNT, US, &peered, Ok(&refs));
    assert_eq!(reason(&plan, "sg-0a0000000legmysq"), "referenced from peered VPC(s) vpc-0ther");
    assert!(deleted(&plan).contains("sg-0a000000000oldci"));
    assert!(deleted(&plan).contains("sg-0a0000000selfref"), "its VPC is not peered");

    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.check_peer_references(ACCOUNT, US, &peered, Err("Http500"));
    assert_eq!(deleted(&plan), ["sg-0a0000000selfref"].into_iter().collect(), "unreadable references keep them");
    assert!(plan
        .entries
        .iter()
        .all(|e| e.decision == Decision::Keep || e.vpc_id.as_deref() != Some("vpc-0a11c0ffee0000001")));
}

#[test]
fn accounts_and_regions_outside_the_run_are_kept() {
    let snapshot = demo();
    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.limit(&[], &["eu-west-1".to_string()]);
    assert!(deleted(&plan).is_empty(), "every candidate of the demo is in us-east-1");
    assert_eq!(reason(&plan, "sg-0a000000000oldci"), "outside --accounts/--region of this run");

    let mut plan = plan_with(&snapshot, &Protections::default());
    plan.limit(&[ACCOUNT.to_string()], &[US.to_string()]);
    assert_eq!(deleted(&plan).len(), 5);
    plan.limit(&["111122223333".to_string()], &[]);
    assert!(deleted(&plan).is_empty());
}

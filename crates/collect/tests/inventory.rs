//! Every member of an AWS read operation that carries security groups is accounted for: read by a source,
//! waived for a stated reason, or a known gap (issue 10). The inventory comes from AWS's own service models
//! (botocore, installed with moto), so a new service or member that can hold a group fails this test instead
//! of becoming a blind spot. See docs/holders.md.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/gen_holder_inventory.py");
const INVENTORY: &str = include_str!("../data/holder_inventory.json");
const MAPPING: &str = include_str!("../data/holders.json");
const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/holders.md");
const REGENERATE: &str = "run `python3 crates/collect/tools/gen_holder_inventory.py` and commit \
     crates/collect/data/holder_inventory.json and docs/holders.md";

/// The holder members that no source reads yet (issue 10, part 2). A ratchet: a new gap must raise this
/// number in a reviewed change, and a closed gap must lower it, so the figure in docs/holders.md stays true.
const KNOWN_GAPS: usize = 0;

fn script(flag: &str) -> String {
    let out = Command::new("python3")
        .args([SCRIPT, flag])
        .output()
        .unwrap_or_else(|e| panic!("python3 {SCRIPT}: {e} (python3 with botocore is needed: pip install boto3)"));
    assert!(out.status.success(), "{SCRIPT} {flag} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("the script prints UTF-8")
}

fn inventory() -> Value {
    serde_json::from_str(INVENTORY).expect("holder_inventory.json is JSON")
}

/// `(service, operation) -> members` of the checked-in inventory.
fn members() -> BTreeMap<(String, String), BTreeSet<String>> {
    let inventory = inventory();
    let mut out = BTreeMap::new();
    for (service, ops) in inventory["services"].as_object().expect("services") {
        for (op, entries) in ops.as_object().expect("operations") {
            let set =
                entries.as_array().expect("members").iter().map(|e| e["member"].as_str().expect("member").to_string());
            out.insert((service.clone(), op.clone()), set.collect());
        }
    }
    out
}

/// `service operation Shape.Member (path)` of every entry of an inventory document.
fn flatten(inventory: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (service, ops) in inventory["services"].as_object().into_iter().flatten() {
        for (op, entries) in ops.as_object().into_iter().flatten() {
            for e in entries.as_array().into_iter().flatten() {
                out.insert(format!("{service} {op} {} ({})", e["member"], e["path"]));
            }
        }
    }
    out
}

#[test]
fn the_inventory_matches_the_installed_botocore() {
    let fresh: Value = serde_json::from_str(&script("--stdout")).expect("the script prints JSON");
    let shipped = inventory();
    let (new, gone) = (flatten(&fresh), flatten(&shipped));
    assert!(
        fresh == shipped,
        "crates/collect/data/holder_inventory.json (botocore {}) differs from what the installed botocore ({}) gives: \
         {REGENERATE}, then map every new member in crates/collect/data/holders.json.\n  new in the models: {:?}\n  \
         gone from the models: {:?}",
        shipped["botocore"],
        fresh["botocore"],
        new.difference(&gone).collect::<Vec<_>>(),
        gone.difference(&new).collect::<Vec<_>>(),
    );
}

#[test]
fn the_docs_match_the_inventory_and_the_mapping() {
    let fresh = script("--docs-stdout");
    let shipped = std::fs::read_to_string(DOCS).unwrap_or_else(|e| panic!("{DOCS}: {e}"));
    assert!(fresh == shipped, "docs/holders.md is not what the inventory and holders.json give: {REGENERATE}");
}

#[test]
fn every_member_is_sourced_waived_or_a_known_gap() {
    let mapping: Value = serde_json::from_str(MAPPING).expect("holders.json is JSON");
    let waivers = mapping["waivers"].as_object().expect("waivers");
    let sources: BTreeSet<&str> = sgaudit_collect::SOURCES.iter().map(|s| s.id).collect();
    let inventory = members();
    let mut problems = Vec::new();
    // (service, operation, member) -> how many entries map it, and as what.
    let mut mapped: BTreeMap<(String, String, String), Vec<&str>> = BTreeMap::new();
    let mut used_waivers = BTreeSet::new();
    let mut used_sources = BTreeSet::new();

    for entry in mapping["entries"].as_array().expect("entries") {
        let service = entry["service"].as_str().expect("service");
        let op = entry["operation"].as_str().expect("operation");
        let kinds: Vec<&str> = ["source", "waiver", "gap"].into_iter().filter(|k| entry.get(*k).is_some()).collect();
        if kinds.len() != 1 {
            problems.push(format!("{service} {op}: needs exactly one of source, waiver, gap (has {kinds:?})"));
            continue;
        }
        let kind = kinds[0];
        let value = entry[kind].as_str().unwrap_or_default();
        match kind {
            "source" if !sources.contains(value) => {
                problems.push(format!("{service} {op}: source `{value}` is not in sgaudit_collect::SOURCES"))
            }
            "waiver" if !waivers.contains_key(value) => {
                problems.push(format!("{service} {op}: waiver `{value}` has no reason in holders.json `waivers`"))
            }
            _ if value.trim().is_empty() => problems.push(format!("{service} {op}: empty {kind}")),
            _ => {}
        }
        match kind {
            "waiver" => used_waivers.insert(value.to_string()),
            "source" => used_sources.insert(value.to_string()),
            _ => false,
        };
        if kind == "source" && entry.get("members").is_none() {
            problems.push(format!(
                "{service} {op}: a source entry lists the members its source reads (`members`), so that a member AWS \
                 adds later is not taken as read"
            ));
        }
        let Some(have) = inventory.get(&(service.to_string(), op.to_string())) else {
            problems.push(format!("{service} {op}: mapped, but not in the inventory (AWS removed it, or a typo)"));
            continue;
        };
        let targets: Vec<String> = match entry.get("members") {
            None => have.iter().cloned().collect(),
            Some(listed) => {
                let listed: Vec<String> = listed
                    .as_array()
                    .expect("members")
                    .iter()
                    .map(|m| m.as_str().expect("member").to_string())
                    .collect();
                for m in listed.iter().filter(|m| !have.contains(*m)) {
                    problems.push(format!("{service} {op} {m}: mapped, but not in the inventory"));
                }
                listed
            }
        };
        for m in targets {
            mapped.entry((service.to_string(), op.to_string(), m)).or_default().push(kind);
        }
    }

    let mut gaps = 0;
    for ((service, op), set) in &inventory {
        for m in set {
            match mapped.get(&(service.clone(), op.clone(), m.clone())).map(Vec::as_slice) {
                None => problems.push(format!(
                    "{service} {op} {m}: not mapped; add to crates/collect/data/holders.json the source that reads \
                     it, a waiver whose reason is true, or (raising KNOWN_GAPS) the gap"
                )),
                Some([kind]) => gaps += usize::from(*kind == "gap"),
                Some(kinds) => problems.push(format!("{service} {op} {m}: mapped {} times ({kinds:?})", kinds.len())),
            }
        }
    }
    // Every source of the registry reads a member of the inventory, or says why it reads none.
    let outside = mapping["sources_outside_inventory"].as_object().expect("sources_outside_inventory");
    for id in &sources {
        match (used_sources.contains(*id), outside.contains_key(*id)) {
            (true, true) => problems.push(format!("source `{id}` reads a mapped member and is in sources_outside_inventory")),
            (false, false) => problems.push(format!(
                "source `{id}` reads no member of the inventory: map the members it reads, or say why in sources_outside_inventory"
            )),
            _ => {}
        }
    }
    for id in outside.keys().filter(|id| !sources.contains(id.as_str())) {
        problems.push(format!("sources_outside_inventory: `{id}` is not in sgaudit_collect::SOURCES"));
    }
    for w in waivers.keys().filter(|w| !used_waivers.contains(*w)) {
        problems.push(format!("waiver `{w}` is used by no entry"));
    }
    assert!(problems.is_empty(), "crates/collect/data/holders.json:\n  {}", problems.join("\n  "));
    // A comparison rather than `<=`/`>=`: with no gap known, clippy takes `gaps >= 0` for a mistake.
    match gaps.cmp(&KNOWN_GAPS) {
        std::cmp::Ordering::Greater => panic!(
            "{gaps} gaps, {KNOWN_GAPS} known: a new holder member is mapped as a gap. Write its source, or raise \
             KNOWN_GAPS in crates/collect/tests/inventory.rs in a reviewed change (issue 10)"
        ),
        std::cmp::Ordering::Less => panic!(
            "{gaps} gaps, {KNOWN_GAPS} known: gaps were closed, lower KNOWN_GAPS in crates/collect/tests/inventory.rs \
             to {gaps} (and {REGENERATE})"
        ),
        std::cmp::Ordering::Equal => {}
    }
}

#[test]
fn the_figures_add_up() {
    let inventory = inventory();
    let members: usize = self::members().values().map(BTreeSet::len).sum();
    assert_eq!(inventory["figures"]["members"].as_u64(), Some(members as u64));
    assert_eq!(
        inventory["figures"]["services"].as_u64(),
        Some(inventory["services"].as_object().expect("services").len() as u64)
    );
    // The rules find the holders everyone knows: a test of the rules, not only of the bookkeeping.
    let all = self::members();
    for (service, op, member) in [
        ("ec2", "DescribeNetworkInterfaces", "NetworkInterface.Groups"),
        ("ec2", "DescribeInstances", "Instance.SecurityGroups"),
        ("lambda", "ListFunctions", "VpcConfigResponse.SecurityGroupIds"),
        ("rds", "DescribeDBInstances", "DBInstance.VpcSecurityGroups"),
        ("ecs", "DescribeServices", "AwsVpcConfiguration.securityGroups"),
    ] {
        assert!(
            all.get(&(service.to_string(), op.to_string())).is_some_and(|s| s.contains(member)),
            "{service} {op} {member} is missing from the inventory: the detection rules lost it"
        );
    }
}

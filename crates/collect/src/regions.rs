//! Which regions each service our sources call is offered in, from botocore's endpoint data (shipped in
//! `data/service_regions.json`, written by `tools/gen_service_regions.py`). For services botocore's
//! `endpoints.json` does not list at all, the rows come from the hand-kept, cited
//! `data/service_regions_supplement.json`, and only for the partitions its AWS page covers; a service with no
//! data anywhere is in no partition's rows, so every lookup of it is `None`. A global service (IAM) is offered
//! in every region of each partition that has it.
//!
//! A source whose service endpoint cannot be reached is "not offered here" only when this table says so
//! for a region it knows. An endpoint that does not resolve proves nothing by itself: a DNS resolver
//! failing for a moment, or a mistyped `AWS_ENDPOINT_URL_<SERVICE>`, look the same, and reading either as
//! "nothing can exist here" would make the groups that service holds look unused.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/service_regions.json");

struct Partition {
    regions: BTreeSet<String>,
    /// Endpoint key → the regions of the partition where the service is offered.
    services: BTreeMap<String, BTreeSet<String>>,
}

fn partitions() -> &'static [Partition] {
    static TABLE: OnceLock<Vec<Partition>> = OnceLock::new();
    TABLE.get_or_init(|| parse(DATA))
}

/// The table, or an empty one if the shipped file were malformed (then no region is known, and every
/// unreachable endpoint stays a failure: the safe side). A test checks that the shipped file parses.
fn parse(text: &str) -> Vec<Partition> {
    let strings = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
    };
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(partitions) = doc.get("partitions").and_then(|p| p.as_object()) else {
        return Vec::new();
    };
    partitions
        .values()
        .map(|p| Partition {
            regions: strings(&p["regions"]),
            services: p["services"]
                .as_object()
                .map(|s| s.iter().map(|(key, regions)| (key.clone(), strings(regions))).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// Whether `service` (an endpoint key, as a source declares it) is offered in `region`: `None` when the
/// table does not know the region (a region newer than the table) or the service.
pub fn offered(service: &str, region: &str) -> Option<bool> {
    lookup(partitions(), service, region)
}

fn lookup(table: &[Partition], service: &str, region: &str) -> Option<bool> {
    let partition = table.iter().find(|p| p.regions.contains(region))?;
    Some(partition.services.get(service)?.contains(region))
}

/// Where `service`'s rows come from when the supplement gave them (the AWS page and the date it was read),
/// for messages; `None` for botocore's rows and for services the table does not know.
pub fn supplement_source(service: &str) -> Option<&'static str> {
    static SOURCES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    SOURCES
        .get_or_init(|| {
            let doc = serde_json::from_str::<serde_json::Value>(DATA).unwrap_or_default();
            doc["supplement"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(key, e)| {
                    let text = format!(
                        "{} (checked {})",
                        e["source"].as_str().unwrap_or("?"),
                        e["checked"].as_str().unwrap_or("?")
                    );
                    (key.clone(), text)
                })
                .collect()
        })
        .get(service)
        .map(String::as_str)
}

/// Whether the table has no region data at all for `service`: neither botocore's endpoint data nor an AWS
/// page of the supplement lists where it is offered (`no_region_data` in the file).
pub fn without_data(service: &str) -> bool {
    static KEYS: OnceLock<BTreeSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let doc = serde_json::from_str::<serde_json::Value>(DATA).unwrap_or_default();
        doc["no_region_data"].as_array().into_iter().flatten().filter_map(|k| k.as_str().map(str::to_string)).collect()
    })
    .contains(service)
}

/// The botocore version the table was made from, for messages.
pub fn botocore_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        serde_json::from_str::<serde_json::Value>(DATA)
            .ok()
            .and_then(|d| d["botocore"].as_str().map(str::to_string))
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_knows_every_partition() {
        let names: BTreeSet<String> = serde_json::from_str::<serde_json::Value>(DATA).expect("valid JSON")
            ["partitions"]
            .as_object()
            .expect("partitions")
            .keys()
            .cloned()
            .collect();
        for name in ["aws", "aws-cn", "aws-us-gov"] {
            assert!(names.contains(name), "{name} missing from {names:?}");
        }
        assert_eq!(partitions().len(), names.len());
        assert!(!botocore_version().is_empty());
    }

    /// The file's marks: the keys whose rows come from the supplement, with the partitions they cover, and the
    /// source keys with no region data anywhere.
    fn marks() -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
        let doc: serde_json::Value = serde_json::from_str(DATA).expect("valid JSON");
        let names = |v: &serde_json::Value| -> BTreeSet<String> {
            v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
        };
        let supplement = doc["supplement"]
            .as_object()
            .expect("supplement")
            .iter()
            .map(|(key, e)| (key.clone(), names(&e["partitions"])))
            .collect();
        (supplement, names(&doc["no_region_data"]))
    }

    /// Partition name → (its regions, the keys it has rows for), read from the file.
    fn partition_rows() -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
        let doc: serde_json::Value = serde_json::from_str(DATA).expect("valid JSON");
        doc["partitions"]
            .as_object()
            .expect("partitions")
            .iter()
            .map(|(name, p)| {
                let regions = p["regions"].as_array().expect("regions").iter().map(|r| r.as_str().unwrap().to_string());
                let keys = p["services"].as_object().expect("services").keys().cloned();
                (name.clone(), (regions.collect(), keys.collect()))
            })
            .collect()
    }

    #[test]
    fn every_source_service_is_in_the_table_of_every_partition() {
        let (supplement, no_data) = marks();
        let rows = partition_rows();
        for source in crate::registry::all_sources() {
            let key = source.service;
            for (name, (_, keys)) in &rows {
                // botocore's keys have a row in every partition (an empty one where it is offered nowhere); the
                // supplement's only in the partitions its page covers; keys without data in none.
                let expected = match supplement.get(key) {
                    Some(covered) => covered.contains(name),
                    None => !no_data.contains(key),
                };
                assert_eq!(
                    keys.contains(key),
                    expected,
                    "{} declares service `{key}`, whose row in {name} is missing or stray: run \
                     crates/collect/tools/gen_service_regions.py",
                    source.id
                );
            }
            // And each is a real endpoint key. botocore's: offered somewhere in the main partition (Device Farm
            // is offered in us-west-2 alone).
            if !supplement.contains_key(key) && !no_data.contains(key) {
                let (regions, _) = &rows["aws"];
                assert!(regions.iter().any(|r| offered(key, r) == Some(true)), "{} ({key})", source.id);
            }
        }
        // The supplement's: offered somewhere it covers, and only in regions of the partitions it names.
        for (key, covered) in &supplement {
            let mut somewhere = false;
            for (name, (regions, keys)) in &rows {
                assert_eq!(keys.contains(key), covered.contains(name), "supplement row {key} in {name}");
                for region in regions {
                    let answer = offered(key, region);
                    assert_eq!(answer.is_some(), covered.contains(name), "{key} in {region} ({name})");
                    somewhere |= answer == Some(true);
                }
            }
            assert!(somewhere, "the supplement offers {key} nowhere");
        }
        // A source key without data (the script checked it is a botocore endpointPrefix): unknown everywhere.
        for key in &no_data {
            for (regions, _) in rows.values() {
                for region in regions {
                    assert_eq!(offered(key, region), None, "{key} in {region}");
                }
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(offered("lambda", "us-east-1"), Some(true));
        assert_eq!(offered("lambda", "cn-north-1"), Some(true));
        assert_eq!(offered("ec2", "us-gov-west-1"), Some(true));
        // DAX is not offered in GovCloud at all (botocore lists no endpoint of it there).
        assert_eq!(offered("dax", "us-gov-west-1"), Some(false));
        // IAM is global (one endpoint per partition, botocore lists no region for it): offered in every region
        // of a partition that has it, so that an unreachable IAM endpoint is never "not offered here".
        assert_eq!(offered("iam", "eu-central-1"), Some(true));
        assert_eq!(offered("iam", "cn-northwest-1"), Some(true));
        assert_eq!(offered("iam", "us-gov-east-1"), Some(true));
        // A region the table does not know, and a service key it does not know.
        assert_eq!(offered("lambda", "xx-mars-1"), None);
        assert_eq!(offered("no-such-service", "us-east-1"), None);
    }

    /// Services botocore's endpoints.json lacks answer from the supplement, and only where its page covers.
    #[test]
    fn supplement_rows_answer_for_the_partitions_their_page_covers() {
        // AWS Security Agent (its user guide lists nine commercial Regions).
        assert_eq!(offered("securityagent", "us-east-1"), Some(true));
        assert_eq!(offered("securityagent", "sa-east-1"), Some(true));
        assert_eq!(offered("securityagent", "eu-west-2"), Some(false));
        // Its page says nothing of GovCloud or China: unknown there, so an unreachable endpoint stays a failure.
        assert_eq!(offered("securityagent", "us-gov-west-1"), None);
        assert_eq!(offered("securityagent", "cn-north-1"), None);
        // AgentCore's page covers GovCloud: US-West, not US-East.
        assert_eq!(offered("bedrock-agentcore-control", "us-gov-west-1"), Some(true));
        assert_eq!(offered("bedrock-agentcore-control", "us-gov-east-1"), Some(false));
        assert_eq!(offered("bedrock-agentcore-control", "af-south-1"), Some(false));
        assert!(supplement_source("securityagent").unwrap().contains("docs.aws.amazon.com"));
        assert_eq!(supplement_source("ec2"), None);
        // Every entry of the shipped supplement is in the table; the table's other marked rows come from AWS's
        // Systems Manager parameters of its global infrastructure.
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../data/service_regions_supplement.json")).expect("valid JSON");
        let listed: BTreeSet<String> = file["services"].as_object().expect("services").keys().cloned().collect();
        let marked: BTreeSet<String> = marks().0.keys().cloned().collect();
        assert!(listed.is_subset(&marked), "{listed:?} {marked:?}");
        for key in marked.difference(&listed) {
            assert!(supplement_source(key).unwrap().contains("Systems Manager public parameters"), "{key}");
        }
        // Those rows: RTB Fabric in six commercial regions; Image Builder in China too.
        assert_eq!(offered("rtbfabric", "us-east-1"), Some(true));
        assert_eq!(offered("rtbfabric", "eu-north-1"), Some(false));
        assert_eq!(offered("imagebuilder", "cn-north-1"), Some(true));
        assert_eq!(offered("pcs", "us-gov-west-1"), Some(true));
    }

    /// A key with data neither in botocore nor in the supplement is unknown in every region: the safe side.
    #[test]
    fn a_key_with_no_data_anywhere_stays_unknown() {
        let (_, no_data) = marks();
        assert!(no_data.contains("s3files"), "{no_data:?}");
        for key in &no_data {
            for region in ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"] {
                assert_eq!(offered(key, region), None, "{key} in {region}");
            }
        }
        // The same through a small table: a key in one partition only, and one listed without data.
        let table = parse(
            r#"{"no_region_data": ["nodata"], "partitions": {
                "aws": {"regions": ["us-east-1", "eu-west-1"], "services": {"ec2": ["us-east-1", "eu-west-1"], "new": ["us-east-1"]}},
                "aws-cn": {"regions": ["cn-north-1"], "services": {"ec2": ["cn-north-1"]}}}}"#,
        );
        assert_eq!(lookup(&table, "new", "us-east-1"), Some(true));
        assert_eq!(lookup(&table, "new", "eu-west-1"), Some(false));
        assert_eq!(lookup(&table, "new", "cn-north-1"), None);
        assert_eq!(lookup(&table, "nodata", "us-east-1"), None);
        assert_eq!(lookup(&table, "ec2", "cn-north-1"), Some(true));
    }

    /// The shipped table is what the installed botocore gives (CI installs it with moto). When botocore
    /// moves on, regenerate the file and commit it.
    #[test]
    fn the_shipped_table_matches_the_installed_botocore() {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/gen_service_regions.py");
        let out = std::process::Command::new("python3")
            .args([script, "--stdout"])
            .output()
            .unwrap_or_else(|e| panic!("python3 {script}: {e} (python3 with botocore is needed: pip install boto3)"));
        assert!(out.status.success(), "{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let fresh: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
        let shipped: serde_json::Value = serde_json::from_str(DATA).expect("valid JSON");
        assert!(
            fresh == shipped,
            "crates/collect/data/service_regions.json (botocore {}) differs from what the installed botocore ({}) \
             gives: run `python3 crates/collect/tools/gen_service_regions.py` and commit the file",
            shipped["botocore"],
            fresh["botocore"]
        );
    }
}

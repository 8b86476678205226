//! Which regions each service our sources call is offered in, from botocore's endpoint data (shipped in
//! `data/service_regions.json`, written by `tools/gen_service_regions.py`).
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
    let partition = partitions().iter().find(|p| p.regions.contains(region))?;
    Some(partition.services.get(service)?.contains(region))
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
    use crate::SOURCES;

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

    #[test]
    fn every_source_service_is_in_the_table_of_every_partition() {
        for partition in partitions() {
            for source in SOURCES {
                assert!(
                    partition.services.contains_key(source.service),
                    "{} declares service `{}`, which the table lacks: run crates/collect/tools/gen_service_regions.py",
                    source.id,
                    source.service
                );
            }
        }
        // And each is a real endpoint key: offered somewhere in the main partition.
        for source in SOURCES {
            assert_eq!(offered(source.service, "us-east-1"), Some(true), "{} ({})", source.id, source.service);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(offered("lambda", "us-east-1"), Some(true));
        assert_eq!(offered("lambda", "cn-north-1"), Some(true));
        assert_eq!(offered("ec2", "us-gov-west-1"), Some(true));
        // DAX is not offered in GovCloud at all (botocore lists no endpoint of it there).
        assert_eq!(offered("dax", "us-gov-west-1"), Some(false));
        // A region the table does not know, and a service key it does not know.
        assert_eq!(offered("lambda", "xx-mars-1"), None);
        assert_eq!(offered("no-such-service", "us-east-1"), None);
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

//! SARIF 2.1.0, for code-scanning dashboards: one rule per check (its stable id and controls), one result
//! per finding, located logically at `account/region/group-id` (a group has no file or line).
//! The shape is frozen in the structs below, as for the JSON document.

use std::io::Write;

use serde::Serialize;
use sgaudit_audit::checks::CHECKS;
use sgaudit_audit::{Audit, Severity};
use sgaudit_snapshot::Snapshot;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Text<&'static str>,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    /// AWS FSBP / CIS controls the check maps to.
    controls: &'static [&'static str],
}

#[derive(Serialize)]
struct Text<T> {
    text: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<&'a str>,
    locations: [Location<'a>; 1],
    properties: ResultProperties,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

/// SARIF has three levels of problem: the two worst severities fail a dashboard, the middle one warns.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational => "note",
    }
}

pub fn write(out: &mut impl Write, _snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let rules = CHECKS
        .iter()
        .map(|c| Rule {
            id: c.id,
            short_description: Text { text: c.title },
            properties: RuleProperties { controls: c.controls },
        })
        .collect();
    let results = audit
        .groups
        .iter()
        .flat_map(|g| {
            g.findings.iter().map(move |f| SarifResult {
                rule_id: f.id,
                // Every finding comes from a check of CHECKS; the index is optional in SARIF, so a finding
                // from elsewhere would only lose it, not break the document.
                rule_index: CHECKS.iter().position(|c| c.id == f.id).unwrap_or_default(),
                level: level(f.severity),
                message: Text { text: &f.message },
                locations: [Location {
                    logical_locations: [LogicalLocation {
                        name: &g.group.group_id,
                        fully_qualified_name: format!("{}/{}/{}", g.account_id, g.region, g.group.group_id),
                        kind: "resource",
                    }],
                }],
                properties: ResultProperties { severity: f.severity },
            })
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: VERSION,
        runs: [Run {
            tool: Tool { driver: Driver { name: "sgaudit", version: env!("CARGO_PKG_VERSION"), rules } },
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::demo;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn document() -> Value {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn has_the_required_top_level_fields() {
        let doc = document();
        assert_eq!(doc["$schema"], SCHEMA);
        assert_eq!(doc["version"], "2.1.0");
        let runs = doc["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0]["tool"]["driver"]["name"], "sgaudit");
        assert!(runs[0]["results"].is_array());
        let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), CHECKS.len());
        let ssh = rules.iter().find(|r| r["id"] == "sg-world-open-ssh").unwrap();
        assert!(ssh["shortDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(!ssh["properties"]["controls"].as_array().unwrap().is_empty());
    }

    #[test]
    fn every_result_names_a_rule_of_the_driver_and_a_group() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let doc = document();
        let run = &doc["runs"][0];
        let rules: Vec<&str> =
            run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), audit.groups.iter().map(|g| g.findings.len()).sum::<usize>());
        assert!(!results.is_empty());
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            assert!(rules.contains(&id), "{id} is not a rule of the driver");
            assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
            let loc = &r["locations"][0]["logicalLocations"][0];
            assert_eq!(loc["kind"], "resource");
            let name = loc["name"].as_str().unwrap();
            let g = audit.groups.iter().find(|g| g.group.group_id == name).unwrap();
            assert_eq!(loc["fullyQualifiedName"], format!("{}/{}/{name}", g.account_id, g.region));
            assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        }
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Informational), "note");
        // And the document uses that mapping for each finding it carries.
        let doc = document();
        let mut seen = BTreeSet::new();
        for r in doc["runs"][0]["results"].as_array().unwrap() {
            let severity: Severity = match r["properties"]["severity"].as_str().unwrap() {
                "critical" => Severity::Critical,
                "high" => Severity::High,
                "medium" => Severity::Medium,
                "low" => Severity::Low,
                "informational" => Severity::Informational,
                other => panic!("severity {other}"),
            };
            assert_eq!(r["level"], level(severity));
            seen.insert(r["level"].as_str().unwrap().to_string());
        }
        assert!(seen.contains("error") && seen.contains("note"), "the demo has errors and notes: {seen:?}");
    }
}

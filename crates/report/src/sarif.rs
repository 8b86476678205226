//! SARIF 2.1.0, for code-scanning dashboards: one rule per check (its stable id, title, description, how to
//! fix it, controls, family and severity), one result per group finding, located logically at
//! `account/region/group-id` (a group has no file or line), and one per failed or not-evaluated result of
//! the account and regional checks, at `account/region-or-global/resource`. Passes are left out: a
//! dashboard lists problems.
//!
//! A result that could not be evaluated is `kind: "open"`, level `none`: SARIF's word for "the rule was
//! evaluated, and the tool concluded that there was insufficient information to decide whether a problem
//! exists" (§3.27.9). Not `notApplicable` (the rule does not apply to the target, which would read as a
//! clean bill), nor `review` (a person must judge a possible problem; here sgaudit would judge, given the
//! evidence). SARIF requires level `none` for every kind but `fail` (§3.27.10).
//!
//! A rule's `helpUri` must be an absolute URI (§3.49.12), and sgaudit's documentation has no published
//! address: it is the AWS Security Hub page of the check's control where there is one; the check's own
//! section of `docs/checks.md` is named in `properties.docs` and its remediation is in `help`.
//! The shape is frozen in the structs below, as for the JSON document.
//!
//! A finding or result muted by an exception (`sgaudit.toml`) keeps its result, with one suppression
//! (§3.35): `kind: "external"` (declared outside the analysed thing), `status: "accepted"`, the reason and
//! owner as `justification`, and the owner, ticket, expiry and where it was declared in its `properties`.
//! Viewers such as GitHub code scanning then show it as dismissed rather than open. When the run declared
//! exceptions, every other result has `suppressions: []`, SARIF's "not suppressed" (§3.27.23: absent means
//! "not known"); a run without exceptions writes no `suppressions` at all, as before.
//!
//! A finding or result with a fix ([`sgaudit_audit::Fix`]) has one SARIF `fix` (§3.55). SARIF's fix is a
//! change to files, and sgaudit's is a change to an account, never applied by sgaudit; so the fix proposes
//! new files under [`FIX_DIR`], which the repository does not hold: the Terraform snippet as
//! `sgaudit-fixes/<account>/<region>/<resource>/<check>.tf`, and the AWS CLI commands as a shell script
//! beside it (`….sh`), each inserted at the start of an empty file (§3.57.3: a replacement whose deleted
//! region is empty is an insertion). The description says what the change does and that it is to be
//! reviewed and run by people. A fix with neither commands nor Terraform writes no `fixes` (SARIF requires an
//! artifact change). A group's result also has, in its `properties`, whether the internet reaches the group
//! (`reachability`: the state, and the paths, blocked and missing lines).

use std::io::Write;

use serde::Serialize;
use sgaudit_audit::checks::{Check, CheckResult, CHECKS};
use sgaudit_audit::reach::GroupReach;
use sgaudit_audit::{Audit, Fix, Muted, Outcome, Severity};
use sgaudit_snapshot::Snapshot;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";
/// The folder of the files a fix proposes: none exists; each is a suggestion to review.
pub const FIX_DIR: &str = "sgaudit-fixes";

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
    full_description: Text<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    /// How to fix a failure.
    help: Text<&'static str>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    /// AWS FSBP / AWS Security Hub / CIS controls the check maps to.
    controls: &'static [&'static str],
    family: &'static str,
    /// The severity of a failure (a result may carry another).
    severity: &'static str,
    /// The check's section of sgaudit's documentation (`docs/checks.md#<id>`).
    docs: String,
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
    /// Absent (`fail`) but for a result that could not be evaluated (`open`).
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    level: &'static str,
    message: Text<&'a str>,
    locations: [Location<'a>; 1],
    /// Present when the run declared exceptions: the one that mutes this result, or none.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<Vec<Suppression<'a>>>,
    /// The change that fixes it, as files to add (see the module's documentation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    properties: ResultProperties<'a>,
}

/// A proposed fix (SARIF §3.55).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text<String>,
    artifact_changes: Vec<ArtifactChange>,
}

/// A file the fix adds (§3.56), named relative to the directory the log is read from.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: [Replacement; 1],
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

/// An insertion at the start of an empty file: the deleted region is empty.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    char_offset: u32,
    char_length: u32,
}

/// Whether the internet reaches the group, in a group result's properties.
#[derive(Serialize)]
struct Reachability<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    blocked: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<&'a str>,
}

/// An exception that mutes a result (SARIF §3.35).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Suppression<'a> {
    /// Declared outside the analysed estate (the config file, or `sgaudit mark`).
    kind: &'static str,
    /// `accepted`: the exception is in force (an expired one mutes nothing, so is never written).
    status: &'static str,
    /// `<reason> (owner: …; ticket: …; expires: …)`.
    justification: String,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuppressionProperties<'a> {
    owner: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    /// The last day it holds (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
    /// `sgaudit.toml:12`, or `mark`.
    declared_at: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: Severity,
    /// For a check's result: `fail` or `not_evaluated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'static str>,
    /// For a check's result: Security Hub's name for the kind of resource (`AwsIamUser`).
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_type: Option<&'a str>,
    /// For a group's finding: whether the internet reaches the group, and how.
    #[serde(skip_serializing_if = "Option::is_none")]
    reachability: Option<Reachability<'a>>,
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

fn rule(c: &Check) -> Rule {
    Rule {
        id: c.id,
        short_description: Text { text: c.title },
        full_description: Text { text: c.description },
        help_uri: crate::asff::control_url(c.controls),
        help: Text { text: c.remediation },
        default_configuration: Configuration { level: level(c.severity) },
        properties: RuleProperties {
            controls: c.controls,
            family: c.family.id(),
            severity: c.severity.id(),
            docs: c.doc_anchor(),
        },
    }
}

/// The index of a check in the driver's rules. Every finding and result comes from a check of CHECKS; the
/// index is optional in SARIF, so one from elsewhere would only lose it, not break the document.
fn rule_index(check: &Check) -> usize {
    CHECKS.iter().position(|&c| c == check).unwrap_or_default()
}

/// The suppressions of a finding or result: `None` when the run declared no exception (not written), else
/// the exception that mutes it, or none.
fn suppressions(muted: Option<&Muted>, any_exception: bool) -> Option<Vec<Suppression<'_>>> {
    if !any_exception && muted.is_none() {
        return None;
    }
    Some(
        muted
            .map(|m| Suppression {
                kind: "external",
                status: "accepted",
                justification: crate::memory::muted_text(m),
                properties: SuppressionProperties {
                    owner: &m.owner,
                    ticket: m.ticket.as_deref(),
                    expires: m.expires.as_deref(),
                    declared_at: &m.declared_at,
                },
            })
            .into_iter()
            .collect(),
    )
}

/// A path segment made of `text`: letters, digits, `.`, `-` and `_` kept, anything else `_`, so that no value
/// can climb out of [`FIX_DIR`] (`..` is two dots in one segment, harmless) or break the URI.
fn segment(text: &str) -> String {
    let safe: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    match safe.as_str() {
        "" | "." | ".." => format!("_{safe}"),
        _ => safe,
    }
}

/// The SARIF fix of `fix`, for `check` on `resource` in `account` and `region`: the files it proposes. None
/// without commands or Terraform, which leave SARIF nothing to change.
fn sarif_fix(fix: &Fix, check: &str, account: &str, region: &str, resource: &str) -> Option<SarifFix> {
    let base = format!("{FIX_DIR}/{}/{}/{}/{}", segment(account), segment(region), segment(resource), segment(check));
    let insert = |extension: &str, text: String| ArtifactChange {
        artifact_location: ArtifactLocation { uri: format!("{base}.{extension}") },
        replacements: [Replacement {
            deleted_region: Region { char_offset: 0, char_length: 0 },
            inserted_content: Text { text },
        }],
    };
    let mut changes = Vec::new();
    if let Some(terraform) = &fix.terraform {
        let mut text = terraform.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        changes.push(insert("tf", text));
    }
    if !fix.cli.is_empty() {
        // The commands as people paste them: each on one line, printable (see `crate::fixes`).
        changes.push(insert("sh", format!("#!/bin/sh\n{}\n", crate::fixes::script(check, fix))));
    }
    if changes.is_empty() {
        return None;
    }
    let description = format!(
        "{} (not applied by sgaudit: review the change, then run the commands or apply the Terraform; the files \
         are suggestions under {FIX_DIR}/)",
        fix.summary
    );
    Some(SarifFix { description: Text { text: description }, artifact_changes: changes })
}

fn reachability(reach: &GroupReach) -> Reachability<'_> {
    Reachability {
        state: reach.state.id(),
        paths: crate::reachability::paths(reach),
        blocked: reach.blocked.iter().map(String::as_str).collect(),
        missing: reach.missing.iter().map(|m| m.as_ref()).collect(),
    }
}

fn check_result<'a>(r: &'a CheckResult, fix: Option<&Fix>, any_exception: bool) -> Option<SarifResult<'a>> {
    let (kind, level) = match r.outcome {
        Outcome::Pass => return None,
        Outcome::Fail => (None, level(r.severity)),
        Outcome::NotEvaluated => (Some("open"), "none"),
    };
    let l = &r.location;
    Some(SarifResult {
        rule_id: r.check.id,
        rule_index: rule_index(r.check),
        kind,
        level,
        message: Text { text: &r.evidence },
        locations: [Location {
            logical_locations: [LogicalLocation {
                name: &l.resource,
                fully_qualified_name: format!(
                    "{}/{}/{}",
                    l.account_id,
                    l.region.as_deref().unwrap_or("global"),
                    l.resource
                ),
                kind: "resource",
            }],
        }],
        suppressions: suppressions(r.muted.as_deref(), any_exception),
        fixes: fix
            .and_then(|f| sarif_fix(f, r.check.id, &l.account_id, l.region.as_deref().unwrap_or("global"), &l.resource))
            .into_iter()
            .collect(),
        properties: ResultProperties {
            severity: r.severity,
            outcome: Some(r.outcome.id()),
            resource_type: Some(l.resource_type),
            reachability: None,
        },
    })
}

pub fn write(out: &mut impl Write, _snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let rules = CHECKS.iter().map(|c| rule(c)).collect();
    let any_exception = !audit.exceptions.is_empty();
    let groups = audit.groups.iter().flat_map(|g| {
        g.findings.iter().map(move |f| SarifResult {
            rule_id: f.check.id,
            rule_index: rule_index(f.check),
            kind: None,
            level: level(f.severity),
            message: Text { text: &f.message },
            locations: [Location {
                logical_locations: [LogicalLocation {
                    name: &g.group.group_id,
                    fully_qualified_name: format!("{}/{}/{}", g.account_id, g.region, g.group.group_id),
                    kind: "resource",
                }],
            }],
            suppressions: suppressions(f.muted.as_deref(), any_exception),
            fixes: f
                .fix(g)
                .and_then(|fix| sarif_fix(&fix, f.check.id, g.account_id, g.region, &g.group.group_id))
                .into_iter()
                .collect(),
            properties: ResultProperties {
                severity: f.severity,
                outcome: None,
                resource_type: None,
                reachability: Some(reachability(&g.reach)),
            },
        })
    });
    let results = groups
        .chain(audit.results.iter().filter_map(|r| check_result(r, audit.fix_of(r).as_deref(), any_exception)))
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
    fn every_rule_describes_its_check() {
        let doc = document();
        let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), CHECKS.len());
        assert_eq!(rules.len(), 44);
        for (rule, check) in rules.iter().zip(CHECKS) {
            assert_eq!(rule["id"], check.id);
            assert_eq!(rule["fullDescription"]["text"], check.description);
            assert_eq!(rule["help"]["text"], check.remediation);
            assert_eq!(rule["defaultConfiguration"]["level"], level(check.severity));
            let p = &rule["properties"];
            assert_eq!((&p["family"], &p["severity"]), (&check.family.id().into(), &check.severity.id().into()));
            assert_eq!(p["controls"], serde_json::json!(check.controls));
            assert_eq!(p["docs"], format!("docs/checks.md#{}", check.id));
            // SARIF wants an absolute URI there (§3.49.12): the control's AWS page, where it has one.
            match rule.get("helpUri") {
                Some(uri) => assert!(uri.as_str().unwrap().starts_with("https://docs.aws.amazon.com/"), "{uri}"),
                None => assert!(crate::asff::control_url(check.controls).is_none(), "{}", check.id),
            }
        }
        let root = rules.iter().find(|r| r["id"] == "iam-root-mfa").unwrap();
        assert_eq!(root["helpUri"], "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-9");
    }

    #[test]
    fn every_result_names_a_rule_of_the_driver_and_a_resource() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let doc = document();
        let run = &doc["runs"][0];
        let rules: Vec<&str> =
            run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        let results = run["results"].as_array().unwrap();
        let findings = audit.groups.iter().map(|g| g.findings.len()).sum::<usize>();
        // Passes are not problems: left out.
        let reported: Vec<&CheckResult> = audit.results.iter().filter(|r| r.outcome != Outcome::Pass).collect();
        assert_eq!(results.len(), findings + reported.len());
        assert!(findings > 0 && !reported.is_empty());
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            assert!(rules.contains(&id), "{id} is not a rule of the driver");
            assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
            let loc = &r["locations"][0]["logicalLocations"][0];
            assert_eq!(loc["kind"], "resource");
            let name = loc["name"].as_str().unwrap();
            assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
            if id.starts_with("sg-") {
                let g = audit.groups.iter().find(|g| g.group.group_id == name).unwrap();
                assert_eq!(loc["fullyQualifiedName"], format!("{}/{}/{name}", g.account_id, g.region));
                assert!(r.get("kind").is_none() && r["properties"].get("outcome").is_none(), "{r}");
            } else {
                let c = reported
                    .iter()
                    .find(|c| {
                        c.check.id == id && c.location.resource == name && r["message"]["text"] == c.evidence.as_str()
                    })
                    .unwrap_or_else(|| panic!("no result for {r}"));
                let region = c.location.region.as_deref().unwrap_or("global");
                assert_eq!(loc["fullyQualifiedName"], format!("{}/{region}/{name}", c.location.account_id));
                assert_eq!(r["properties"]["outcome"], c.outcome.id());
                assert_eq!(r["properties"]["resourceType"], c.location.resource_type);
            }
        }
        let iam = results
            .iter()
            .find(|r| {
                r["ruleId"] == "iam-user-mfa"
                    && r["locations"][0]["logicalLocations"][0]["name"] == "arn:aws:iam::123456789012:user/bob"
            })
            .unwrap();
        assert_eq!(
            iam["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "123456789012/global/arn:aws:iam::123456789012:user/bob"
        );
    }

    #[test]
    fn a_result_not_evaluated_is_open_with_no_level() {
        let doc = document();
        let open: Vec<&Value> =
            doc["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r["kind"] == "open").collect();
        assert!(!open.is_empty(), "the demo has results not evaluated");
        for r in &open {
            assert_eq!(r["level"], "none", "{r}");
            assert_eq!(r["properties"]["outcome"], "not_evaluated");
        }
        assert!(open.iter().any(|r| r["ruleId"] == "cloudtrail-region-logged"
            && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                == "123456789012/eu-west-1/AWS::::Account:123456789012"));
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Informational), "note");
        // And the document uses that mapping for each failure it carries.
        let doc = document();
        let mut seen = BTreeSet::new();
        for r in doc["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r.get("kind").is_none()) {
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
        assert!(
            seen.contains("error") && seen.contains("warning") && seen.contains("note"),
            "the demo has errors, warnings and notes: {seen:?}"
        );
    }

    #[test]
    fn a_muted_result_carries_an_accepted_external_suppression() {
        use crate::test_support::remember;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, "bastion of the on-call team", "netops");
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let suppressed: Vec<&Value> =
            results.iter().filter(|r| r["suppressions"].as_array().is_some_and(|s| !s.is_empty())).collect();
        assert_eq!(suppressed.len(), 2, "the group finding and the IAM result");
        for r in &suppressed {
            let s = &r["suppressions"][0];
            assert_eq!((s["kind"].as_str(), s["status"].as_str()), (Some("external"), Some("accepted")));
            assert_eq!(
                s["justification"],
                "bastion of the on-call team (owner: netops; ticket: bastion of the on-call team-ticket; expires: 2027-03-31)"
            );
            assert_eq!(s["properties"]["owner"], "netops");
        }
        assert!(suppressed.iter().any(|r| r["ruleId"] == "sg-world-open-ssh"));
        assert!(suppressed.iter().any(|r| r["ruleId"] == "iam-user-mfa"));
        // The run declared exceptions: every other result is known not to be suppressed.
        assert!(results.iter().all(|r| r["suppressions"].is_array()));
        // A run without exceptions writes no suppressions at all.
        assert!(document()["runs"][0]["results"].as_array().unwrap().iter().all(|r| r.get("suppressions").is_none()));
    }

    #[test]
    fn a_fix_proposes_new_files_and_a_group_result_says_whether_the_internet_reaches_it() {
        use crate::test_support::advise;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let with_fixes: Vec<&Value> = results.iter().filter(|r| r.get("fixes").is_some()).collect();
        // A fix with neither commands nor Terraform changes no file: SARIF has no fix for it.
        let changes = |f: Option<&Fix>| f.is_some_and(|f| !f.cli.is_empty() || f.terraform.is_some());
        let fixed = audit.groups.iter().flat_map(|g| g.findings.iter().filter(|f| changes(f.fix(g).as_ref()))).count()
            + audit
                .results
                .iter()
                .filter(|r| changes(audit.fix_of(r).as_deref()) && r.outcome != Outcome::Pass)
                .count();
        assert_eq!(with_fixes.len(), fixed);
        let fix = crate::fixes::tests::hostile_fix();
        let hostile: Vec<&&Value> = with_fixes
            .iter()
            .filter(|r| r["fixes"][0]["description"]["text"].as_str().unwrap().starts_with(&fix.summary))
            .collect();
        let bastion = audit.groups.iter().find(|g| g.group.group_id == "sg-0a300000000ba5710").unwrap();
        assert_eq!(hostile.len(), bastion.findings.len() + 1, "the bastion's findings and =2+5's failure");
        for r in with_fixes.iter().filter(|r| r["fixes"][0]["artifactChanges"].as_array().unwrap().len() == 1) {
            // A fix of commands alone, or of Terraform alone: one file.
            let uri = r["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri.ends_with(".sh") || uri.ends_with(".tf"), "{uri}");
        }
        for r in &hostile {
            let f = &r["fixes"][0];
            let description = f["description"]["text"].as_str().unwrap();
            assert!(description.starts_with(&fix.summary) && description.contains("not applied by sgaudit"));
            let changes = f["artifactChanges"].as_array().unwrap();
            assert_eq!(changes.len(), 2, "the Terraform and the commands");
            let rule = r["ruleId"].as_str().unwrap();
            for (change, extension) in changes.iter().zip(["tf", "sh"]) {
                let uri = change["artifactLocation"]["uri"].as_str().unwrap();
                assert!(uri.starts_with("sgaudit-fixes/123456789012/"), "{uri}");
                assert!(uri.ends_with(&format!("/{rule}.{extension}")), "{uri}");
                assert!(uri.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)), "{uri}");
                let replacement = &change["replacements"][0];
                assert_eq!(replacement["deletedRegion"], serde_json::json!({"charOffset": 0, "charLength": 0}));
            }
            assert_eq!(
                changes[0]["replacements"][0]["insertedContent"]["text"],
                format!("{}\n", fix.terraform.clone().unwrap())
            );
            let script = changes[1]["replacements"][0]["insertedContent"]["text"].as_str().unwrap();
            assert!(script.starts_with(&format!("#!/bin/sh\n# {rule}: ")), "{script}");
            assert!(!script.contains('\x1b') && !script.lines().any(|l| l.starts_with("rm ")), "{script}");
        }
        let user = hostile.iter().find(|r| r["ruleId"] == "iam-user-mfa").unwrap();
        let uri = user["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"].as_str().unwrap();
        assert_eq!(uri, "sgaudit-fixes/123456789012/global/arn_aws_iam__123456789012_user__2_5/iam-user-mfa.tf");

        // Reachability on each group result; none on a check's result.
        for r in results {
            let group = r["ruleId"].as_str().unwrap().starts_with("sg-");
            assert_eq!(r["properties"]["reachability"]["state"].is_string(), group, "{r}");
        }
        let bastion_result = results
            .iter()
            .find(|r| r["locations"][0]["logicalLocations"][0]["name"] == "sg-0a300000000ba5710")
            .unwrap();
        let reach = &bastion_result["properties"]["reachability"];
        assert_eq!(reach["state"], "reachable");
        assert_eq!(reach["paths"].as_array().map(Vec::len), Some(2));
        assert_eq!(reach["blocked"], serde_json::json!(["eni-0b: no public address"]));
        assert!(user["properties"].get("reachability").is_none());

        // Nothing to change, no SARIF fix.
        let empty = Fix { summary: "x".into(), cli: Vec::new(), terraform: None };
        assert!(sarif_fix(&empty, "c", "a", "r", "sg").is_none());
        assert_eq!(segment(".."), "_..");
        assert_eq!(segment("../../etc"), ".._.._etc");
    }
}

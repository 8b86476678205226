//! Runs the account and regional checks ([`Evaluate::Account`], [`Evaluate::Region`]) over a snapshot,
//! giving every result: pass, fail or not evaluated. Whether a check may run at all is decided here, from
//! the sources it declares it reads (`Check::reads`) and their coverage, never by the check: where one is
//! not whole, or an account could not be read at all, its results are *not evaluated*, with the reason.

use sgaudit_snapshot::{Family, Snapshot, SourceCoverage};

use crate::checks::{
    account_resource, resource, AccountScope, CheckResult, EstateScope, Evaluate, Fixer, Location, Observation,
    Options, Outcome, RegionScope, ResultFix, Severity, CHECKS,
};

/// Every result of the non-group checks of `families`, ordered by check (as [`CHECKS`] lists them), then
/// account, region and resource.
pub fn judge(snapshot: &Snapshot, options: &Options, families: &[Family]) -> Vec<CheckResult> {
    let now = snapshot.collected_at.as_deref().and_then(crate::time::parse);
    // Every account's regions, once (not once per region and check: an organisation has thousands).
    let mut regions_of: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for region in &snapshot.regions {
        regions_of.entry(region.account_id.as_str()).or_default().push(region.region.as_str());
    }
    for regions in regions_of.values_mut() {
        regions.sort_unstable();
    }
    let evidence_of: std::collections::HashMap<&str, &sgaudit_snapshot::AccountEvidence> =
        snapshot.account_evidence.iter().map(|e| (e.account_id.as_str(), e)).collect();
    let mut results = Vec::new();
    for (index, &check) in CHECKS.iter().enumerate() {
        if !families.contains(&check.family) {
            continue;
        }
        let mut push = |account_id: &str, observation: Observation| {
            let severity = match observation.outcome {
                Outcome::Pass => Severity::Informational,
                Outcome::Fail | Outcome::NotEvaluated => observation.severity.unwrap_or(check.severity),
            };
            // Only a failure has something to fix, and only a check that writes fixes gives one.
            let fix = match (observation.outcome, check.fix) {
                (Outcome::Fail, Fixer::Judged) => observation.fix,
                _ => ResultFix::None,
            };
            results.push((
                index,
                CheckResult {
                    check,
                    outcome: observation.outcome,
                    severity,
                    location: Location {
                        account_id: account_id.to_string(),
                        region: observation.region,
                        resource_type: observation.resource_type,
                        resource: observation.resource,
                    },
                    evidence: observation.evidence,
                    muted: None,
                    fix,
                },
            ));
        };
        match check.evaluate {
            Evaluate::Group(_) => {}
            Evaluate::Account(evaluate) => {
                for account in snapshot.accounts.iter().filter(|a| a.skipped.is_none()) {
                    let id = account.account_id.as_str();
                    let unreadable =
                        |why: String| Observation::not_evaluated(resource::ACCOUNT, account_resource(id), why);
                    if let Some(error) = &account.error {
                        push(id, unreadable(format!("the account could not be read: {error}")));
                        continue;
                    }
                    let Some(&evidence) = evidence_of.get(id) else {
                        push(id, unreadable("the snapshot holds no account-wide evidence for it".to_string()));
                        continue;
                    };
                    let missing = missing(&evidence.coverage, check.reads);
                    if !missing.is_empty() {
                        push(id, unreadable(missing.join("; ")));
                        continue;
                    }
                    let scope = AccountScope { account_id: id, evidence, now, options };
                    for observation in evaluate(&scope) {
                        push(id, observation);
                    }
                }
            }
            Evaluate::Region(evaluate) => {
                for (index, region) in snapshot.regions.iter().enumerate() {
                    let account_regions =
                        regions_of.get(region.account_id.as_str()).map(Vec::as_slice).unwrap_or_default();
                    if let Some(observation) = unread_in(region, check.reads) {
                        push(&region.account_id, observation);
                        continue;
                    }
                    let scope =
                        RegionScope { account_id: &region.account_id, region, index, account_regions, now, options };
                    for observation in evaluate(&scope) {
                        push(&region.account_id, observation);
                    }
                }
            }
            Evaluate::Estate(evaluate) => {
                let mut whole = Vec::new();
                for region in &snapshot.regions {
                    match unread_in(region, check.reads) {
                        Some(observation) => push(&region.account_id, observation),
                        None => whole.push(region),
                    }
                }
                let scope = EstateScope { regions: &whole, now, options };
                for (account_id, observation) in evaluate(&scope) {
                    push(&account_id, observation);
                }
            }
        }
    }
    results.sort_by(|(a, x), (b, y)| (a, &x.location).cmp(&(b, &y.location)));
    // Collected in place, the list keeps the room of the keyed pairs and of their growth by doubling: given back.
    let mut results: Vec<CheckResult> = results.into_iter().map(|(_, r)| r).collect();
    results.shrink_to_fit();
    results
}

/// A regional check's one result in a region where a source it reads is not whole: not evaluated, at the
/// account in that region, saying why; `None` where every source in `reads` is whole.
fn unread_in(region: &sgaudit_snapshot::RegionSnapshot, reads: &[&'static str]) -> Option<Observation> {
    let missing = missing(&region.coverage, reads);
    (!missing.is_empty()).then(|| {
        Observation::not_evaluated(resource::ACCOUNT, account_resource(&region.account_id), missing.join("; "))
            .in_region(region.region.as_str())
    })
}

/// Why the sources in `reads` are not whole in `coverage`, one line each (empty: all whole).
fn missing(coverage: &[SourceCoverage], reads: &[&'static str]) -> Vec<String> {
    let mut why = Vec::new();
    for &source in reads {
        crate::unread(coverage, source, &mut why);
    }
    why.iter().map(ToString::to_string).collect()
}

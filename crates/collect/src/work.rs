//! How a scan's work is cut and run.
//!
//! The work is cut into **units**: one per account-region (its regional sources) and one per account (its
//! account-wide sources, read from one of its regions). Each unit runs as a task of its own, so that the
//! runtime spreads parsing and judging-free bookkeeping over every core, and hands back its [`Part`] as soon
//! as its last source ends: the caller keeps it (in the snapshot, or in the store's scan queue for `--resume`
//! and shared scans), and nothing of a finished unit is held here. Only a bounded number of units is in
//! flight, so memory follows the concurrency, not the size of the organisation.
//!
//! Two limits: `concurrency` lists at once in all (a semaphore every source takes a permit of), and
//! `per_region` at once within one account-region. AWS's rate limits are per account and region (EC2's
//! token buckets, each service's TPS), so the second keeps one account-region from bursting past them while
//! the first keeps the whole organisation busy. Retries are adaptive and partitioned per account-region
//! (see [`Ctx::retry_partition`]): a throttled account slows down alone, and one failing service in one
//! account cannot spend the retry allowance of every other.

use std::sync::Arc;

use futures::{FutureExt, Stream, StreamExt};
use sgaudit_snapshot::{
    AccountEvidence, CoverageState, Family, Part, RegionSnapshot, SourceCoverage, SourceError, ACCOUNT_UNIT,
};
use tokio::sync::Semaphore;

use crate::clients::{AccountIdentity, Clients};
use crate::source::{Ctx, Found, SourceDef};
use crate::{account_region, account_state_of, registry, state_of, Connected, Progress, ProgressFn, ScanOptions};

/// One unit of a scan: an account and a region, or [`ACCOUNT_UNIT`] for the account's account-wide sources.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitKey {
    pub account_id: String,
    pub region: String,
}

impl UnitKey {
    pub fn new(account_id: &str, region: &str) -> Self {
        Self { account_id: account_id.to_string(), region: region.to_string() }
    }

    pub fn is_account(&self) -> bool {
        self.region == ACCOUNT_UNIT
    }
}

/// Every unit of a scan of `connected` for `families`: per account, its account-wide unit first (the
/// credential report and the bucket list are the longest lists, so they start early), then its regions.
pub fn units(connected: &Connected, families: &[Family]) -> Vec<UnitKey> {
    let plan = registry::plan(families);
    let mut units = Vec::new();
    for session in &connected.sessions {
        if account_region(session, &plan.account).is_some() {
            units.push(UnitKey::new(&session.account_id, ACCOUNT_UNIT));
        }
        for region in &session.regions {
            units.push(UnitKey::new(&session.account_id, region));
        }
    }
    units
}

/// How many source lists `units` holds, for progress.
pub fn lists(units: &[UnitKey], families: &[Family]) -> usize {
    let plan = registry::plan(families);
    units.iter().map(|u| if u.is_account() { plan.account.len() } else { plan.regional.len() }).sum()
}

/// Reads every unit `units` yields and hands back each one's part as it completes (in no set order). The
/// units are pulled from `units` only as there is room, so a caller may claim them lazily (from the store's
/// queue). A unit whose account `connected` did not reach comes back with every source failed, never missing:
/// its groups are then `unknown`.
pub fn collect_units<'a, S>(
    connected: &'a Connected,
    options: &'a ScanOptions,
    units: S,
    progress: Option<ProgressFn>,
) -> impl Stream<Item = Part> + 'a
where
    S: Stream<Item = UnitKey> + 'a,
{
    let plan = registry::plan(&options.families);
    let concurrency = options.concurrency.max(1);
    let per_region = options.per_region.clamp(1, concurrency);
    let global = Arc::new(Semaphore::new(concurrency));
    // Enough units in flight that every permit is in use while some units wait on their slowest list.
    let in_flight = (concurrency * 2).div_ceil(per_region) + 1;
    let network = options.families.contains(&Family::Network);
    units
        .map(move |key| {
            let defs = if key.is_account() { plan.account.clone() } else { plan.regional.clone() };
            let job = connected.session(&key.account_id).and_then(|session| {
                let region = if key.is_account() { account_region(session, &plan.account)? } else { &key.region };
                Some(Job {
                    sdk: session.in_region(region),
                    clients: session.pool.clients(region),
                    identity: session.identity.clone(),
                    call_region: region.clone(),
                    key: key.clone(),
                    defs: defs.clone(),
                    global: global.clone(),
                    per_region,
                    progress: progress.clone(),
                    network,
                })
            });
            async move {
                let Some(job) = job else {
                    return failed_part(&key, &defs, "the account was not reached by this process");
                };
                // A task of its own, so that units run on every core; a unit that panicked is a failure of
                // its sources, never a unit lost.
                match tokio::spawn(job.run()).await {
                    Ok(part) => part,
                    Err(e) => failed_part(&key, &defs, &format!("the unit's task failed: {e}")),
                }
            }
        })
        .buffer_unordered(in_flight)
}

/// One unit, ready to run on its own task.
struct Job {
    key: UnitKey,
    sdk: aws_types::SdkConfig,
    /// The service clients of its configuration and region, shared with the other accounts of that
    /// configuration, and the account's credentials they sign with for it.
    clients: Arc<Clients>,
    identity: Option<Arc<AccountIdentity>>,
    /// The region its calls go to (for an account's unit, the region chosen for its account-wide sources).
    call_region: String,
    defs: Vec<&'static SourceDef>,
    global: Arc<Semaphore>,
    per_region: usize,
    progress: Option<ProgressFn>,
    network: bool,
}

impl Job {
    async fn run(self) -> Part {
        let account = self.key.is_account();
        // One context per source, all with the service clients of the region, shared with the other accounts
        // of the same configuration.
        let unit = Ctx::sharing(
            self.sdk.clone(),
            self.key.account_id.clone(),
            self.call_region.clone(),
            self.clients,
            self.identity,
        );
        // Boxed one by one: a stream mapped by a closure over `&'static SourceDef` trips rustc's inference of
        // `Send` for the spawned task (rust-lang/rust#102211).
        let reads: Vec<futures::future::BoxFuture<'static, (Found, SourceCoverage)>> = self
            .defs
            .iter()
            .map(|def| {
                let ctx = unit.for_another_source();
                read_source(def, ctx, self.global.clone(), self.progress.clone(), account).boxed()
            })
            .collect();
        let read: Vec<(Found, SourceCoverage)> =
            futures::stream::iter(reads).buffer_unordered(self.per_region).collect().await;
        if account {
            let mut evidence = empty_account(&self.key.account_id, &self.call_region);
            for (found, coverage) in read {
                let found = found.account;
                evidence.coverage.push(coverage);
                evidence.credential_report = evidence.credential_report.take().or(found.credential_report);
                evidence.password_policy = evidence.password_policy.take().or(found.password_policy);
                evidence.public_access_block = evidence.public_access_block.or(found.public_access_block);
                evidence.buckets.extend(found.buckets);
            }
            return Part::Account(evidence);
        }
        let mut snap = empty_region(&self.key);
        for (found, coverage) in read {
            snap.security_groups.extend(found.groups);
            snap.attachments.extend(found.attachments);
            snap.stale_rules.extend(found.stale_rules);
            snap.coverage.push(coverage);
            let (network, read) = (&mut snap.network, found.network);
            network.subnets.extend(read.subnets);
            network.route_tables.extend(read.route_tables);
            network.internet_gateways.extend(read.internet_gateways);
            network.interfaces.extend(read.interfaces);
            network.load_balancers.extend(read.load_balancers);
            network.listeners.extend(read.listeners);
            network.targets.extend(read.targets);
            let (posture, read) = (&mut snap.posture, found.posture);
            posture.trails.extend(read.trails);
            posture.network_acls.extend(read.network_acls);
            posture.ebs_encryption_by_default = posture.ebs_encryption_by_default.or(read.ebs_encryption_by_default);
            posture.prefix_lists.extend(read.prefix_lists);
            posture.quotas.extend(read.quotas);
            // EC2-Classic instances come from a group source: kept only when the network checks were asked for.
            if self.network {
                posture.instances_outside_vpc.extend(read.instances_outside_vpc);
            }
        }
        Part::Region(Box::new(snap))
    }
}

/// Reads one source, with a permit of the global limit, and says how whole its evidence is.
async fn read_source(
    def: &'static SourceDef,
    ctx: Ctx,
    global: Arc<Semaphore>,
    progress: Option<ProgressFn>,
    account: bool,
) -> (Found, SourceCoverage) {
    // Never closed: a failed acquire would only mean running without a permit.
    let _permit = global.acquire_owned().await.ok();
    let mut found = Found::new(def.id);
    let state = match ctx.counting((def.collect)(&ctx, &mut found)).await {
        Ok(()) => CoverageState::Complete,
        Err(error) if account => account_state_of(error),
        Err(error) => state_of(def, &ctx.region, error),
    };
    if let Some(report) = &progress {
        report(Progress::SourceDone {
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            source: def.id,
            whole: state.is_whole(),
        });
    }
    let coverage = SourceCoverage { source: def.id.into(), state, requests: ctx.requests.get(), items: found.items };
    (found, coverage)
}

fn empty_region(key: &UnitKey) -> RegionSnapshot {
    RegionSnapshot {
        account_id: key.account_id.clone(),
        region: key.region.clone(),
        security_groups: Vec::new(),
        attachments: Vec::new(),
        coverage: Vec::new(),
        stale_rules: Vec::new(),
        posture: Default::default(),
        network: Default::default(),
    }
}

fn empty_account(account_id: &str, region: &str) -> AccountEvidence {
    AccountEvidence {
        account_id: account_id.to_string(),
        region: region.to_string(),
        coverage: Vec::new(),
        credential_report: None,
        password_policy: None,
        public_access_block: None,
        buckets: Vec::new(),
    }
}

/// A unit none of whose sources could be read, each failed with `why`: its evidence is not whole, so the
/// audit says `unknown` (and not evaluated) for all it would have proven.
pub fn failed_part(key: &UnitKey, defs: &[&'static SourceDef], why: &str) -> Part {
    let coverage = defs
        .iter()
        .map(|def| SourceCoverage {
            source: def.id.into(),
            state: CoverageState::Failed {
                error: Box::new(SourceError {
                    code: "not-read".to_string(),
                    message: why.to_string(),
                    action: def.actions.first().map(|a| a.name.to_string()),
                    scp_deny: false,
                }),
            },
            requests: 0,
            items: 0,
        })
        .collect();
    if key.is_account() {
        Part::Account(AccountEvidence { coverage, ..empty_account(&key.account_id, ACCOUNT_UNIT) })
    } else {
        Part::Region(Box::new(RegionSnapshot { coverage, ..empty_region(key) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connected(regions: &[&str]) -> Connected {
        let sdk = aws_types::SdkConfig::builder().build();
        Connected::for_tests(sdk, "111122223333", regions.iter().map(|r| r.to_string()).collect())
    }

    #[test]
    fn an_account_is_its_account_wide_unit_then_one_unit_per_region() {
        let all = units(&connected(&["eu-west-1", "us-east-1"]), &Family::ALL);
        let shown: Vec<(&str, &str)> = all.iter().map(|u| (u.account_id.as_str(), u.region.as_str())).collect();
        assert_eq!(
            shown,
            [("111122223333", ACCOUNT_UNIT), ("111122223333", "eu-west-1"), ("111122223333", "us-east-1")]
        );
        // Without a family that reads account-wide evidence, no account unit.
        let groups = units(&connected(&["eu-west-1"]), &[Family::Groups]);
        assert_eq!(groups, [UnitKey::new("111122223333", "eu-west-1")]);
        // Every list is counted once, in its unit.
        let plan = registry::plan(&Family::ALL);
        assert_eq!(lists(&all, &Family::ALL), plan.account.len() + 2 * plan.regional.len());
    }

    #[test]
    fn a_unit_that_could_not_be_read_has_every_source_failed_never_missing() {
        let plan = registry::plan(&Family::ALL);
        match failed_part(&UnitKey::new("111122223333", "eu-west-1"), &plan.regional, "gone") {
            Part::Region(region) => {
                assert_eq!(region.coverage.len(), plan.regional.len());
                assert!(region.coverage.iter().all(|c| !c.state.is_whole()));
            }
            Part::Account(_) => panic!("a region's unit"),
        }
        match failed_part(&UnitKey::new("111122223333", ACCOUNT_UNIT), &plan.account, "gone") {
            Part::Account(evidence) => {
                assert_eq!(evidence.coverage.len(), plan.account.len());
                assert!(evidence.coverage.iter().all(|c| !c.state.is_whole()));
            }
            Part::Region(_) => panic!("an account's unit"),
        }
    }

    #[test]
    fn every_account_region_has_a_retry_partition_of_its_own() {
        let sdk = aws_types::SdkConfig::builder().build();
        let name = |account: &str, region: &str| {
            format!("{:?}", Ctx::new(sdk.clone(), account.into(), region.into()).retry_partition())
        };
        let (a, b) = (name("111122223333", "eu-west-1"), name("111122223333", "us-east-1"));
        let (c, a2) = (name("444455556666", "eu-west-1"), name("111122223333", "eu-west-1"));
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, a2);
    }
}

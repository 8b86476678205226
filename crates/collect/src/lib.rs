//! Collects, for every account and region asked for, every security group and every resource that can hold
//! one, into a [`Snapshot`]. This is the only crate that knows the AWS SDK.
//!
//! Each source of evidence is one file in `sources/`, listed in `registry.rs`, and declares the IAM
//! actions it calls. A source makes one paginated list per account-region (plus the per-resource describes
//! its service needs), never a call per security group. The work is cut into units (an account-region, or
//! an account's account-wide sources: IAM, S3's bucket list), each run on a task of its own and handed back
//! as it completes ([`work`]); at most `concurrency` lists are in flight in all and `per_region` within one
//! account-region, over one shared HTTPS connection pool ([`http`]); retries are adaptive (they slow down
//! when AWS throttles) and partitioned per account-region.

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use futures::StreamExt;
use sgaudit_snapshot::{Account, CoverageState, Snapshot, SourceError};

pub mod accounts;
pub mod cleanup;
pub mod clients;
pub(crate) mod describe_each;
pub(crate) mod host_prefix;
pub mod http;
mod identity;
pub mod preflight;
pub mod regions;
pub mod registry;
pub mod restore;
pub mod securityhub;
pub mod source;
pub mod sources;
pub mod uses;
pub mod work;

pub use accounts::{AccountSelection, OrgOptions};
pub use registry::{ACCOUNT_SOURCES, REACH_SOURCES, REGION_POSTURE_SOURCES, SOURCES};
pub use sgaudit_snapshot::Family;
pub use source::{AccountFound, Ctx, Found, SourceDef};
pub use work::{collect_units, UnitKey};

/// Source lists in flight at once across an organisation, by default. A list waits on AWS most of its time
/// (sgaudit spends about a third of a millisecond of CPU on a request that takes 50–600 ms), so it is the
/// number of requests in flight that sets the pace: 1,000 accounts × 17 regions are ~2.5 million requests
/// (~145 per account-region), ~19 minutes at 256 in flight with a mean answer of ~115 ms, under 10 at 1,024
/// (measured: `bench/org.py`, README). AWS's own limits are per account and region, which
/// [`DEFAULT_PER_REGION`] keeps each under, so the global number only has to fit this machine: each request
/// holds a socket, and past the open-file limit it is lowered ([`http::fit_open_files`]). A smaller scope
/// never reaches it (one account's 17 regions hold at most 17 × 8).
pub const DEFAULT_CONCURRENCY: usize = 1024;

/// Accounts being set up at once (a role assumed, the identity and regions read). Every `sts:AssumeRole` is
/// made by the one calling account, whose STS quota (600 requests a second per account and region) and retry
/// allowance all of them share: with 1,024 at once at the start of a 1,000-account scan, 61 accounts failed
/// throttled before a list was read (the benchmark, exit 3). 32 at ~0.3 s each set up ~100 accounts a second.
pub const SETUP_CONCURRENCY: usize = 32;

/// Source lists in flight at once within one account-region, by default: AWS's rate limits are per account
/// and region (EC2's non-mutating bucket refills at 20 requests a second after a burst of 100; most other
/// services allow 5–20 a second), and eight lists at ~100 ms each stay well under them, while ~40 lists
/// still finish in about half a second.
pub const DEFAULT_PER_REGION: usize = 8;

/// The longest one attempt of a call may take, however long the whole call may.
pub const MAX_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub accounts: AccountSelection,
    /// Regions to scan; empty means the configured region (unless `all_regions`).
    pub regions: Vec<String>,
    /// Every region enabled for each account, found per account.
    pub all_regions: bool,
    pub exclude_regions: Vec<String>,
    /// How many source lists may be in flight at once, across all accounts and regions.
    pub concurrency: usize,
    /// How many of them may be in flight at once within one account-region (AWS's rate limits are per
    /// account and region).
    pub per_region: usize,
    /// Attempts per call, with adaptive (throttling-aware) backoff between them.
    pub max_attempts: u32,
    /// Time allowed for one whole call, its retries and their backoff included. Each attempt is allowed
    /// this, or [`MAX_ATTEMPT_TIMEOUT`] when shorter, so that one hung attempt leaves time to retry.
    pub call_timeout: Duration,
    /// The families of checks to collect evidence for: only their sources are read (see
    /// [`registry::plan`]).
    pub families: Vec<Family>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            accounts: AccountSelection::Profiles(Vec::new()),
            regions: Vec::new(),
            all_regions: false,
            exclude_regions: Vec::new(),
            concurrency: DEFAULT_CONCURRENCY,
            per_region: DEFAULT_PER_REGION,
            max_attempts: 8,
            call_timeout: Duration::from_secs(180),
            families: Family::ALL.to_vec(),
        }
    }
}

/// Why a scan could not start. Failures of one account, region or source are not errors: they become
/// coverage.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("profile `{0}` is not defined in the AWS config or credentials files")]
    UnknownProfile(String),
    #[error("no region: pass --region or --all-regions, or set AWS_REGION (or a region in the profile)")]
    NoRegion,
    #[error("unknown region `{region}`{hint}")]
    UnknownRegion { region: String, hint: String },
    #[error("no usable AWS credentials: {0}")]
    NoCredentials(String),
    #[error("could not identify the account (sts:GetCallerIdentity): {0}")]
    Identity(String),
    #[error("could not list the organization's accounts (organizations:ListAccounts): {0}")]
    Organization(String),
    /// The accounts and regions asked for leave nothing to read, and nothing failed: reporting "every source
    /// read" over an empty scope would be a false all-clear.
    #[error("nothing in scope: {0}")]
    NothingInScope(String),
    #[error(transparent)]
    CaBundle(#[from] http::CaBundleError),
}

/// Progress of a scan, for a caller that shows it.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The accounts are known: how many will be scanned, and how many could not be reached or were skipped.
    Accounts {
        scanning: usize,
        unreachable: usize,
        skipped: usize,
    },
    /// The work is known: source lists to read across all accounts and regions.
    Started {
        regions: usize,
        lists: usize,
    },
    SourceDone {
        account_id: String,
        region: String,
        source: &'static str,
        whole: bool,
    },
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// The accounts in reach: each with the configuration that calls it and the regions chosen for it, and the
/// accounts that could not be reached or were left out (suspended organization members), as records.
pub struct Connected {
    pub sessions: Vec<Session>,
    pub left_out: Vec<Account>,
    /// Who is running sgaudit: the ARN of the identity that reads the organization (with `--org`), else of
    /// the first account reached. For the history; `None` if AWS did not say.
    pub caller_arn: Option<String>,
    /// What a person should know about how the accounts were reached (an account reached by two profiles,
    /// and which one is used), one sentence each, for the caller to print.
    pub notes: Vec<String>,
}

/// One account reached: how to call it, and the regions to work in.
pub struct Session {
    pub(crate) sdk: aws_types::SdkConfig,
    /// The service clients of the configuration that reaches this account, shared with the other accounts
    /// it reaches (an organization's members), and this account's credentials, which they sign with for it.
    pub(crate) pool: Arc<clients::ClientPool>,
    pub(crate) identity: Option<Arc<clients::AccountIdentity>>,
    pub account_id: String,
    pub name: Option<String>,
    pub profile: Option<String>,
    pub regions: Vec<String>,
    /// The identity sgaudit has in this account (a user, or the role assumed), if AWS said.
    pub caller_arn: Option<String>,
}

impl Session {
    pub(crate) fn in_region(&self, region: &str) -> aws_types::SdkConfig {
        in_region(&self.sdk, region)
    }
}

impl Connected {
    pub fn session(&self, account_id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.account_id == account_id)
    }

    /// One account reached through `sdk` (endpoint, credentials and retries already set), for tests that
    /// serve canned answers.
    #[doc(hidden)]
    pub fn for_tests(sdk: aws_types::SdkConfig, account_id: &str, regions: Vec<String>) -> Self {
        let session = Session {
            pool: clients::ClientPool::new(&sdk),
            identity: clients::AccountIdentity::of(&sdk),
            sdk,
            account_id: account_id.to_string(),
            name: None,
            profile: None,
            regions,
            caller_arn: None,
        };
        Self { sessions: vec![session], left_out: Vec::new(), notes: Vec::new(), caller_arn: None }
    }
}

/// Scans every account and region asked for.
pub async fn scan(
    options: &ScanOptions,
    progress: Option<ProgressFn>,
    collected_at: Option<String>,
) -> Result<Snapshot, ScanError> {
    let connected = connect(options).await?;
    Ok(scan_connected(&connected, options, progress, collected_at).await)
}

/// Finds the accounts asked for, checks who each is and picks its regions. A single account whose
/// credentials do not work is an error (the user's to fix); one of several is recorded as unreachable.
pub async fn connect(options: &ScanOptions) -> Result<Connected, ScanError> {
    let mut notes = Vec::new();
    let profiles: Vec<Option<String>> = match &options.accounts {
        AccountSelection::Profiles(p) if p.is_empty() => vec![None],
        AccountSelection::Profiles(p) => {
            let mut unique: Vec<Option<String>> = Vec::new();
            for name in p {
                let name = Some(name.clone());
                if !unique.contains(&name) {
                    unique.push(name);
                }
            }
            unique
        }
        AccountSelection::Organization(org) => vec![org.profile.clone()],
    };
    if let AccountSelection::Profiles(given) = &options.accounts {
        for name in profiles.iter().flatten() {
            let times = given.iter().filter(|g| *g == name).count();
            if times > 1 {
                notes.push(format!("profile {name} is given {times} times: its account is read once"));
            }
        }
    }
    for profile in profiles.iter().flatten() {
        accounts::check_profile(profile).await?;
    }
    // One HTTPS client for every account, region and service: one pool of connections, roots loaded once.
    let http_client = http::shared_client(options.concurrency)?;
    let load = |profile: Option<String>| {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client.clone())
            .retry_config(RetryConfig::adaptive().with_max_attempts(options.max_attempts.max(1)))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_timeout(options.call_timeout)
                    .operation_attempt_timeout(options.call_timeout.min(MAX_ATTEMPT_TIMEOUT))
                    .build(),
            );
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        loader.load()
    };

    // The first configuration decides the region used to ask questions before scanning.
    let first = load(profiles[0].clone()).await;
    let configured = first.region().map(|r| r.to_string());
    let probe = configured.clone().unwrap_or_else(|| "us-east-1".to_string());
    if !options.all_regions && options.regions.is_empty() && configured.is_none() {
        return Err(ScanError::NoRegion);
    }
    if !options.regions.is_empty() {
        // Region names are checked from a region that exists (the configured one, else us-east-1), so that
        // a typo is one clear error rather than a scan that times out against an endpoint that is not there.
        identity::check_regions(&in_region(&first, &probe), &options.regions).await?;
    }

    // The accounts, each with the configuration that reaches it.
    let mut caller_arn = None;
    let mut left_out = Vec::new();
    let mut targets = Vec::new();
    let mut not_members = Vec::new();
    match &options.accounts {
        AccountSelection::Organization(org) => {
            let (own, arn) = identity::account_id(&in_region(&first, &probe)).await.map_err(|e| e.into_scan_error())?;
            caller_arn = arn;
            let chosen = accounts::organization(&in_region(&first, &probe), &own, org).await?;
            left_out.extend(chosen.left_out);
            targets = chosen.targets;
            not_members = chosen.not_members;
        }
        AccountSelection::Profiles(_) => {
            let pool = clients::ClientPool::new(&first);
            targets.push(accounts::Target {
                sdk: first,
                pool,
                account_id: None,
                name: None,
                profile: profiles[0].clone(),
            });
            for profile in &profiles[1..] {
                let sdk = load(profile.clone()).await;
                let pool = clients::ClientPool::new(&sdk);
                targets.push(accounts::Target { sdk, pool, account_id: None, name: None, profile: profile.clone() });
            }
        }
    }

    // Who each target is, and its regions, all accounts at once (in the order given: the first profile that
    // reaches an account is the one used).
    let single = targets.len() == 1 && matches!(options.accounts, AccountSelection::Profiles(_));
    let reached: Vec<Result<Session, Account>> =
        futures::stream::iter(targets.into_iter().map(|target| reach(target, options, &probe)))
            .buffered(options.concurrency.clamp(1, SETUP_CONCURRENCY))
            .collect()
            .await;
    if single {
        // One account through the standard chain or one profile whose identity cannot be read: the
        // credentials are the user's to fix (exit 2). Anything else is coverage.
        let identity = reached
            .iter()
            .filter_map(|r| r.as_ref().err())
            .find_map(|account| account.error.as_ref().filter(|e| e.code == "credentials" || e.code == "identity"));
        if let Some(error) = identity {
            let failure =
                identity::IdentityError { credentials: error.code == "credentials", message: error.message.clone() };
            return Err(failure.into_scan_error());
        }
    }
    let (mut sessions, unreachable) = one_per_account(reached, &mut notes);
    left_out.extend(unreachable);
    if !not_members.is_empty() {
        notes.push(format!("--accounts {}: not an account of the organization", not_members.join(", ")));
    }

    // A scope that leaves nothing to read, with nothing failing, would report every source read.
    if sessions.iter().all(|s| s.regions.is_empty()) && !left_out.iter().any(|a| a.error.is_some()) {
        let why = if !sessions.is_empty() {
            if options.exclude_regions.is_empty() {
                "no region is enabled for the account".to_string()
            } else {
                format!("--exclude-region {} leaves no region to scan", options.exclude_regions.join(","))
            }
        } else if !not_members.is_empty() {
            format!("--accounts {}: not an account of the organization", not_members.join(", "))
        } else if !left_out.is_empty() {
            let skipped: Vec<String> = left_out
                .iter()
                .map(|a| format!("{} ({})", a.account_id, a.skipped.as_deref().unwrap_or("left out")))
                .collect();
            format!("every account chosen is left out: {}", skipped.join(", "))
        } else {
            "no account of the organization is chosen by --accounts and --exclude-accounts".to_string()
        };
        return Err(ScanError::NothingInScope(why));
    }
    sessions.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    if caller_arn.is_none() {
        caller_arn = sessions.first().and_then(|s| s.caller_arn.clone());
    }
    Ok(Connected { sessions, left_out, notes, caller_arn })
}

/// Keeps one session per account: the first, in the order the profiles were given, that reached it (two
/// profiles, or a profile named twice, would otherwise count every group and plan every deletion twice).
/// An account that one profile reached is not also reported unreachable through another. Each account
/// reached more than once is said in `notes`.
fn one_per_account(reached: Vec<Result<Session, Account>>, notes: &mut Vec<String>) -> (Vec<Session>, Vec<Account>) {
    let label = |profile: &Option<String>| profile.clone().unwrap_or_else(|| "the default credentials".to_string());
    let mut through: Vec<(String, Vec<String>)> = Vec::new();
    let mut note = |account: &str, profile: String| -> bool {
        match through.iter_mut().find(|(a, _)| a == account) {
            Some((_, profiles)) => {
                profiles.push(profile);
                false
            }
            None => {
                through.push((account.to_string(), vec![profile]));
                true
            }
        }
    };
    let (reached, unreachable): (Vec<_>, Vec<_>) = reached.into_iter().partition(Result::is_ok);
    let sessions: Vec<Session> =
        reached.into_iter().flatten().filter(|s| note(&s.account_id, label(&s.profile))).collect();
    let left_out: Vec<Account> =
        unreachable.into_iter().filter_map(Result::err).filter(|a| note(&a.account_id, label(&a.profile))).collect();
    for (account, profiles) in through.iter().filter(|(_, p)| p.len() > 1) {
        let (last, rest) = profiles.split_last().unwrap_or((&profiles[0], &[]));
        notes.push(format!(
            "account {account} is reached by profiles {} and {last}: using {}",
            rest.join(", "),
            profiles[0]
        ));
    }
    (sessions, left_out)
}

/// Reads every source the families of `options` need in every account and region of `connected`, and the
/// account-wide ones once per account, into one snapshot.
pub async fn scan_connected(
    connected: &Connected,
    options: &ScanOptions,
    progress: Option<ProgressFn>,
    collected_at: Option<String>,
) -> Snapshot {
    let mut snapshot = skeleton(connected, options, collected_at);
    let units = work::units(connected, &options.families);
    if let Some(report) = &progress {
        report_start(connected, &units, options, report);
    }
    let mut parts = std::pin::pin!(work::collect_units(connected, options, futures::stream::iter(units), progress));
    while let Some(part) = parts.next().await {
        snapshot.add_part(part);
    }
    snapshot.normalize();
    snapshot
}

/// Tells `report` how many accounts are scanned and left out, and how many lists `units` holds.
pub fn report_start(connected: &Connected, units: &[UnitKey], options: &ScanOptions, report: &ProgressFn) {
    let skipped = connected.left_out.iter().filter(|a| a.skipped.is_some()).count();
    report(Progress::Accounts {
        scanning: connected.sessions.len(),
        unreachable: connected.left_out.len() - skipped,
        skipped,
    });
    report(Progress::Started {
        regions: connected.sessions.iter().map(|s| s.regions.len()).sum(),
        lists: work::lists(units, &options.families),
    });
}

/// The snapshot of a scan before any unit's part is in it: the accounts (those reached, and those left out
/// with why) and the families collected for.
pub fn skeleton(connected: &Connected, options: &ScanOptions, collected_at: Option<String>) -> Snapshot {
    let mut snapshot = Snapshot::new(env!("CARGO_PKG_VERSION"), collected_at);
    snapshot.families = options.families.clone();
    snapshot.accounts.extend(connected.left_out.iter().cloned());
    for session in &connected.sessions {
        snapshot.accounts.push(Account {
            account_id: session.account_id.clone(),
            name: session.name.clone(),
            profile: session.profile.clone(),
            error: None,
            skipped: None,
        });
    }
    snapshot
}

/// The region an account's account-wide sources are called from: the first of its scanned regions where the
/// region data does not say one of their services is absent (S3 Control's endpoint is missing from a few
/// recent regions in botocore's data), else its first region; none when it has no region to scan or there is
/// no account-wide source to read.
fn account_region<'a>(session: &'a Session, account_sources: &[&SourceDef]) -> Option<&'a String> {
    if account_sources.is_empty() {
        return None;
    }
    let usable = |region: &&String| account_sources.iter().all(|d| regions::offered(d.service, region) != Some(false));
    session.regions.iter().find(usable).or(session.regions.first())
}

/// Finds who a target is and which regions to scan in it; an account that cannot be reached (role not
/// assumable, credentials expired, regions not listable) is returned as such, with the AWS error.
async fn reach(target: accounts::Target, options: &ScanOptions, probe: &str) -> Result<Session, Account> {
    let home = in_region(&target.sdk, target.sdk.region().map(|r| r.as_ref()).unwrap_or(probe));
    let (account_id, caller_arn) = match identity::account_id(&home).await {
        Ok(identity) => identity,
        Err(e) => {
            let code = if e.credentials { "credentials" } else { "identity" };
            let action = if target.profile.is_none() && target.account_id.is_some() {
                "sts:AssumeRole"
            } else {
                "sts:GetCallerIdentity"
            };
            return Err(accounts::unreachable(&target, code, e.message, action));
        }
    };
    let mut regions = if options.all_regions {
        match identity::enabled_regions(&home).await {
            Ok(regions) => regions,
            Err(message) => {
                let mut account = accounts::unreachable(&target, "regions", message, "ec2:DescribeRegions");
                account.account_id = account_id;
                return Err(account);
            }
        }
    } else if options.regions.is_empty() {
        vec![home.region().map(|r| r.to_string()).unwrap_or_else(|| probe.to_string())]
    } else {
        options.regions.clone()
    };
    regions.retain(|r| !options.exclude_regions.contains(r));
    regions.sort();
    regions.dedup();
    Ok(Session {
        identity: clients::AccountIdentity::of(&target.sdk),
        sdk: target.sdk,
        pool: target.pool,
        account_id,
        name: target.name,
        profile: target.profile,
        regions,
        caller_arn,
    })
}

fn in_region(base: &aws_types::SdkConfig, region: &str) -> aws_types::SdkConfig {
    base.to_builder().region(Region::new(region.to_string())).build()
}

/// What an account-wide source's error means for coverage: denied or failed, never not applicable. The
/// evidence is the account's (its IAM users, its buckets), which exists whatever region it is asked from,
/// so an endpoint that cannot be reached proves nothing about it.
fn account_state_of(error: SourceError) -> CoverageState {
    if source::is_denied(&error) {
        CoverageState::Denied { error: Box::new(error) }
    } else {
        CoverageState::Failed { error: Box::new(error) }
    }
}

/// What a source's error means for coverage. Only AWS's own answers (`OptInRequired`, ...) and a region
/// where the shipped region data (botocore's endpoint data, or the cited AWS page of the supplement) says
/// the service is not offered make a source `not_applicable`; an endpoint that cannot be reached anywhere
/// else is a failure, with its error kept — also for a service no data covers (`regions::without_data`),
/// whatever DNS says: a resolver's "no such name" may be a DNS firewall's answer, not AWS's.
fn state_of(def: &SourceDef, region: &str, error: SourceError) -> CoverageState {
    if source::NOT_APPLICABLE_CODES.contains(&error.code.as_str()) {
        CoverageState::NotApplicable { reason: format!("{}: {}", error.code, error.message) }
    } else if source::is_unreachable(&error) && regions::offered(def.service, region) == Some(false) {
        let data = match regions::supplement_source(def.service) {
            Some(page) => format!("AWS's region list at {page}"),
            None => format!("AWS endpoint data of botocore {}", regions::botocore_version()),
        };
        CoverageState::NotApplicable {
            reason: format!("{} is not offered in {region} ({data}): {}", def.service, error.message),
        }
    } else if source::is_denied(&error) {
        CoverageState::Denied { error: Box::new(error) }
    } else {
        CoverageState::Failed { error: Box::new(error) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{dax_clusters, lambda_functions};

    fn error(code: &str) -> SourceError {
        SourceError {
            code: code.to_string(),
            message: "dispatch failure: io error: dns error: failed to lookup address information: Temporary \
                      failure in name resolution"
                .to_string(),
            action: Some("x:Y".to_string()),
            scp_deny: false,
        }
    }

    #[test]
    fn an_unreachable_endpoint_is_not_applicable_only_where_aws_offers_no_such_service() {
        let unresolved = error(source::UNRESOLVED_ENDPOINT);
        // Lambda is offered in us-east-1: a DNS failure there is a failure, with its error kept.
        match state_of(&lambda_functions::SOURCE, "us-east-1", unresolved.clone()) {
            CoverageState::Failed { error } => assert_eq!(*error, unresolved),
            other => panic!("{other:?}"),
        }
        // DAX is not offered in GovCloud: there it is not applicable, whichever way the call failed to go out.
        for code in [source::UNRESOLVED_ENDPOINT, "dispatch"] {
            match state_of(&dax_clusters::SOURCE, "us-gov-west-1", error(code)) {
                CoverageState::NotApplicable { reason } => assert!(reason.contains("dax is not offered"), "{reason}"),
                other => panic!("{code}: {other:?}"),
            }
        }
        // But an answer that reached an endpoint (here a timeout, or a 5xx) never is.
        for code in ["timeout", "Http500", source::TRUNCATED] {
            assert!(matches!(
                state_of(&dax_clusters::SOURCE, "us-gov-west-1", error(code)),
                CoverageState::Failed { .. }
            ));
        }
        // A region the data does not know: a failure as usual.
        assert!(matches!(
            state_of(&dax_clusters::SOURCE, "xx-mars-1", unresolved.clone()),
            CoverageState::Failed { .. }
        ));
        // AWS's own "not for you here" answers stay not applicable wherever they come from.
        assert!(matches!(
            state_of(&lambda_functions::SOURCE, "us-east-1", error("OptInRequired")),
            CoverageState::NotApplicable { .. }
        ));
    }

    #[test]
    fn every_region_and_service_pair_follows_the_data() {
        // Over the whole table: an unreachable endpoint is not applicable exactly where the data says the
        // service is not offered.
        let regions = [
            "us-east-1",
            "eu-west-1",
            "af-south-1",
            "ap-southeast-7",
            "mx-central-1",
            "cn-north-1",
            "cn-northwest-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ];
        for def in registry::all_sources().filter(|d| !registry::is_account_wide(d)) {
            for region in regions {
                let state = state_of(def, region, error(source::UNRESOLVED_ENDPOINT));
                // A service no data covers: a resolver's temporary failure proves nothing there either.
                let offered = regions::offered(def.service, region).unwrap_or(true);
                assert_eq!(matches!(state, CoverageState::NotApplicable { .. }), !offered, "{} in {region}", def.id);
            }
        }
    }

    /// Account-wide evidence exists whatever region it is asked from: never not applicable, whatever the error.
    #[test]
    fn an_account_wide_source_is_denied_or_failed_never_not_applicable() {
        for code in [source::UNRESOLVED_ENDPOINT, "dispatch", "OptInRequired", "timeout"] {
            assert!(matches!(account_state_of(error(code)), CoverageState::Failed { .. }), "{code}");
        }
        for code in ["AccessDenied", "HttpForbidden"] {
            assert!(matches!(account_state_of(error(code)), CoverageState::Denied { .. }), "{code}");
        }
        // IAM is a global service: the region data must never call it absent from a region of its partition.
        for region in ["us-east-1", "eu-west-1", "ap-southeast-7", "cn-north-1", "us-gov-west-1"] {
            assert_eq!(regions::offered("iam", region), Some(true), "{region}");
        }
    }

    #[test]
    fn account_wide_sources_run_from_a_region_that_offers_their_services() {
        let session = |regions: &[&str]| Session {
            sdk: aws_types::SdkConfig::builder().build(),
            pool: clients::ClientPool::new(&aws_types::SdkConfig::builder().build()),
            identity: None,
            account_id: "111122223333".into(),
            name: None,
            profile: None,
            regions: regions.iter().map(|r| r.to_string()).collect(),
            caller_arn: None,
        };
        let account = registry::plan(&Family::ALL).account;
        // botocore's data has no S3 Control endpoint in ap-southeast-7 (the regions are sorted when scanned).
        assert_eq!(regions::offered("s3-control", "ap-southeast-7"), Some(false));
        let s = session(&["ap-southeast-7", "eu-west-1"]);
        assert_eq!(account_region(&s, &account).map(String::as_str), Some("eu-west-1"));
        // Only that region: asked there all the same (a failure there is kept, never "not applicable").
        let s = session(&["ap-southeast-7"]);
        assert_eq!(account_region(&s, &account).map(String::as_str), Some("ap-southeast-7"));
        assert_eq!(account_region(&session(&[]), &account), None);
        assert_eq!(account_region(&session(&["us-east-1"]), &[]), None);
    }

    /// For a service no region data covers, an unreachable endpoint is a failure wherever it is, even when
    /// DNS answers that the host does not exist: a DNS firewall answers so too.
    #[test]
    fn a_service_without_region_data_is_never_not_applicable_for_an_unreachable_endpoint() {
        let Some(def) = SOURCES.iter().find(|d| regions::without_data(d.service)) else { return };
        let no_such_host = SourceError {
            code: source::UNRESOLVED_ENDPOINT.to_string(),
            message: "dispatch failure: io error: dns error: failed to lookup address information: Name or service \
                      not known"
                .to_string(),
            action: Some("x:Y".to_string()),
            scp_deny: false,
        };
        for region in ["us-east-1", "eu-north-1", "xx-mars-1"] {
            assert!(matches!(state_of(def, region, no_such_host.clone()), CoverageState::Failed { .. }), "{region}");
        }
    }
}

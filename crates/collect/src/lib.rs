//! Collects, for one account and its regions, every security group and every resource that can hold one,
//! into a [`Snapshot`]. This is the only crate that knows the AWS SDK.
//!
//! Each source of evidence is one file in `sources/`, listed in `registry.rs`, and declares the IAM
//! actions it calls. A source makes one paginated list per account-region (plus the per-resource describes
//! its service needs), never a call per security group; sources run concurrently within a bound.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use futures::StreamExt;
use sgaudit_snapshot::{Account, CoverageState, RegionSnapshot, Snapshot, SourceCoverage, SourceError};

pub mod registry;
pub mod source;
pub mod sources;

pub use registry::SOURCES;
pub use source::{Ctx, Found, SourceDef};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// A named profile of the shared config files; `None` is the standard chain (env, `AWS_PROFILE`, ...).
    pub profile: Option<String>,
    /// Regions to scan; empty means the configured region.
    pub regions: Vec<String>,
    /// How many source lists may be in flight at once.
    pub concurrency: usize,
    /// Attempts per call, with adaptive (throttling-aware) backoff between them.
    pub max_attempts: u32,
    /// Time allowed for one call, retries included.
    pub call_timeout: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            profile: None,
            regions: Vec::new(),
            concurrency: 16,
            max_attempts: 8,
            call_timeout: Duration::from_secs(120),
        }
    }
}

/// Why a scan could not start. Per-source failures are not errors: they become coverage.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("profile `{0}` is not defined in the AWS config or credentials files")]
    UnknownProfile(String),
    #[error("no region: pass --region or set AWS_REGION (or a region in the profile)")]
    NoRegion,
    #[error("unknown region `{region}`{hint}")]
    UnknownRegion { region: String, hint: String },
    #[error("no usable AWS credentials: {0}")]
    NoCredentials(String),
    #[error("could not identify the account (sts:GetCallerIdentity): {0}")]
    Identity(String),
}

/// Progress of a scan, for a caller that shows it.
#[derive(Debug, Clone)]
pub enum Progress {
    Started { regions: usize, sources: usize },
    SourceDone { region: String, source: &'static str, whole: bool },
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Scans one account in every requested region.
pub async fn scan(
    options: &ScanOptions,
    progress: Option<ProgressFn>,
    collected_at: Option<String>,
) -> Result<Snapshot, ScanError> {
    if let Some(profile) = &options.profile {
        check_profile(profile).await?;
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(options.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(options.call_timeout)
                .operation_timeout(options.call_timeout * options.max_attempts.max(1))
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    let base = loader.load().await;
    let configured = base.region().map(|r| r.to_string());
    let mut regions = if options.regions.is_empty() {
        vec![configured.clone().ok_or(ScanError::NoRegion)?]
    } else {
        options.regions.clone()
    };
    regions.sort();
    regions.dedup();

    // Region names are checked from a region that exists (the configured one, else us-east-1), so that a
    // typo is one clear error rather than a scan that times out against an endpoint that is not there.
    let probe = configured.unwrap_or_else(|| "us-east-1".to_string());
    identity::check_regions(&in_region(&base, &probe), &regions).await?;
    let account_id = identity::account_id(&in_region(&base, &regions[0])).await?;

    let mut snapshot = Snapshot::new(env!("CARGO_PKG_VERSION"), collected_at);
    snapshot.accounts.push(Account { account_id: account_id.clone(), profile: options.profile.clone(), error: None });
    if let Some(report) = &progress {
        report(Progress::Started { regions: regions.len(), sources: SOURCES.len() });
    }

    let jobs = regions.iter().flat_map(|region| {
        let sdk = in_region(&base, region);
        let account_id = account_id.clone();
        SOURCES.iter().map(move |def| (Ctx::new(sdk.clone(), account_id.clone(), region.clone()), def))
    });
    let results: Vec<(String, &'static SourceDef, Found, SourceCoverage)> = futures::stream::iter(jobs)
        .map(|(ctx, def)| {
            let progress = progress.clone();
            async move {
                let mut found = Found::new(def.id);
                let outcome = (def.collect)(&ctx, &mut found).await;
                let state = match outcome {
                    Ok(()) => CoverageState::Complete,
                    Err(error) => state_of(error),
                };
                if let Some(report) = &progress {
                    report(Progress::SourceDone {
                        region: ctx.region.clone(),
                        source: def.id,
                        whole: state.is_whole(),
                    });
                }
                let coverage = SourceCoverage {
                    source: def.id.to_string(),
                    state,
                    requests: ctx.requests.get(),
                    items: found.items,
                };
                (ctx.region, def, found, coverage)
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;

    for region in &regions {
        let mut snap = RegionSnapshot {
            account_id: account_id.clone(),
            region: region.clone(),
            security_groups: Vec::new(),
            attachments: Vec::new(),
            network_interfaces: Default::default(),
            coverage: Vec::new(),
        };
        for (_, _, found, coverage) in results.iter().filter(|(r, ..)| r == region) {
            snap.security_groups.extend(found.groups.iter().cloned());
            snap.attachments.extend(found.attachments.iter().cloned());
            for (eni, groups) in &found.network_interfaces {
                snap.network_interfaces.entry(eni.clone()).or_default().extend(groups.iter().cloned());
            }
            snap.coverage.push(coverage.clone());
        }
        mark_absent_services(&mut snap.coverage);
        snapshot.regions.push(snap);
    }
    snapshot.normalize();
    Ok(snapshot)
}

fn in_region(base: &aws_types::SdkConfig, region: &str) -> aws_types::SdkConfig {
    base.to_builder().region(Region::new(region.to_string())).build()
}

fn state_of(error: SourceError) -> CoverageState {
    if source::NOT_APPLICABLE_CODES.contains(&error.code.as_str()) {
        CoverageState::NotApplicable { reason: format!("{}: {}", error.code, error.message) }
    } else if source::is_denied(&error) {
        CoverageState::Denied { error }
    } else {
        CoverageState::Failed { error }
    }
}

/// A service that is not offered in a region has no endpoint there: its host does not resolve. When the
/// region's EC2 endpoint answered, an unresolvable service endpoint means "not in this region", not a
/// fault. If EC2 did not answer either, the network is at fault and everything stays failed.
fn mark_absent_services(coverage: &mut [SourceCoverage]) {
    let ec2_answered = coverage.iter().any(|c| c.source == sources::security_groups::SOURCE.id && c.state.is_whole());
    if !ec2_answered {
        return;
    }
    for entry in coverage.iter_mut() {
        if let CoverageState::Failed { error } = &entry.state {
            if error.code == source::UNRESOLVED_ENDPOINT {
                entry.state =
                    CoverageState::NotApplicable { reason: "the service has no endpoint in this region".to_string() };
            }
        }
    }
}

async fn check_profile(profile: &str) -> Result<(), ScanError> {
    let known = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        Some(Cow::Owned(profile.to_string())),
    )
    .await;
    match known {
        Ok(set) if set.get_profile(profile).is_some() => Ok(()),
        _ => Err(ScanError::UnknownProfile(profile.to_string())),
    }
}

mod identity;

//! Which accounts and regions a command reaches, and how hard it may call AWS: the arguments `scan` and
//! `cleanup` share, and the collection they start.

use std::time::Duration;

use sgaudit_collect::{AccountSelection, OrgOptions, ScanError, ScanOptions};
use sgaudit_snapshot::Snapshot;

use crate::{clock, progress, Error, UsageError};

#[derive(clap::Args, Clone)]
pub struct ScopeArgs {
    /// AWS profile to scan; repeat or comma-separate for several accounts (default: the standard chain:
    /// AWS_PROFILE, environment keys, SSO, ...). With --org: the profile that reads the organization.
    #[arg(long = "profile", value_delimiter = ',')]
    pub profiles: Vec<String>,
    /// Scan every account of the AWS Organization, through a role assumed in each.
    #[arg(long)]
    pub org: bool,
    /// The role assumed in each member account with --org.
    #[arg(long, default_value = "OrganizationAccountAccessRole", requires = "org")]
    pub role_name: String,
    /// External id for the role, with --org.
    #[arg(long, requires = "org")]
    pub external_id: Option<String>,
    /// Session name for the role, with --org (it shows in the members' CloudTrail).
    #[arg(long, default_value = "sgaudit", requires = "org")]
    pub role_session_name: String,
    /// Only these account ids (repeat or comma-separate): members of the organization with --org, else the
    /// accounts the profiles reach.
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Not these account ids.
    #[arg(long, value_delimiter = ',')]
    pub exclude_accounts: Vec<String>,
    /// Region to scan; repeat or separate with commas (default: the configured region).
    #[arg(long = "region", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Every region enabled in each account (opted in, or not needing opt-in).
    #[arg(long, conflicts_with = "regions")]
    pub all_regions: bool,
    /// A region to leave out (repeat or comma-separate).
    #[arg(long = "exclude-region", value_delimiter = ',')]
    pub exclude_regions: Vec<String>,
    /// How many source lists may run at once, across all accounts and regions (lowered to fit the open-file
    /// limit, which is raised as far as the system allows).
    #[arg(long, default_value_t = sgaudit_collect::DEFAULT_CONCURRENCY as u16,
          value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub concurrency: u16,
    /// How many of them may run at once within one account-region (AWS's rate limits are per account and
    /// region; retries slow down on throttling, per account-region).
    #[arg(long, default_value_t = sgaudit_collect::DEFAULT_PER_REGION as u16,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub per_region_concurrency: u16,
    /// Attempts per API call (adaptive backoff on throttling).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
    /// Seconds allowed for one API call, all its retries included (each attempt gets at most 60 of them).
    #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub call_timeout: u64,
}

impl ScopeArgs {
    /// This scope, reaching `regions` when no region was asked for: the regions of a saved snapshot or a
    /// backup, whose groups a command must reach again.
    pub fn or_regions<'a>(&self, regions: impl IntoIterator<Item = &'a str>) -> ScopeArgs {
        let mut scope = self.clone();
        if scope.regions.is_empty() && !scope.all_regions {
            let regions: std::collections::BTreeSet<&str> = regions.into_iter().collect();
            scope.regions = regions.into_iter().map(str::to_string).collect();
        }
        scope
    }
}

/// The accounts in reach, with the runtime that calls them: what a live command works through.
pub struct Live {
    pub runtime: tokio::runtime::Runtime,
    pub options: ScanOptions,
    pub connected: sgaudit_collect::Connected,
}

impl Live {
    /// Finds and checks the accounts and regions in scope (no source is read yet).
    pub fn connect(args: &ScopeArgs) -> Result<Live, Error> {
        Self::connect_or(args, Error::from)
    }

    /// The same, with the caller's reading of a scope that cannot be reached at all.
    pub fn connect_or<E: From<Error>>(args: &ScopeArgs, on_error: impl FnOnce(ScanError) -> E) -> Result<Live, E> {
        let options = options(args)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::internal(format!("starting the async runtime: {e}")))?;
        let mut connected = runtime.block_on(sgaudit_collect::connect(&options)).map_err(on_error)?;
        for note in &connected.notes {
            eprintln!("warning: {note}");
        }
        if !args.org {
            // Profiles reach the accounts they reach; --accounts/--exclude-accounts choose among them.
            let (include, exclude) = (clean(&args.accounts), clean(&args.exclude_accounts));
            connected.sessions.retain(|s| {
                (include.is_empty() || include.contains(&s.account_id)) && !exclude.contains(&s.account_id)
            });
            if connected.sessions.is_empty() && !include.is_empty() {
                return Err(Error::usage(format!(
                    "--accounts {}: no profile given reaches that account",
                    include.join(",")
                ))
                .with_help("`aws sts get-caller-identity --profile PROFILE` shows the account a profile reaches")
                .into());
            }
            if connected.sessions.is_empty() && connected.left_out.is_empty() {
                return Err(Error::usage(format!(
                    "nothing in scope: --exclude-accounts {} leaves no account to read",
                    exclude.join(",")
                ))
                .with_help("check --accounts, --exclude-accounts, --region and --exclude-region")
                .into());
            }
        }
        Ok(Live { runtime, options, connected })
    }

    /// Reads every source of every account and region in reach; progress on stderr unless `quiet`.
    pub fn scan(&self, quiet: bool) -> Snapshot {
        let progress = (!quiet).then(progress::reporter);
        self.runtime.block_on(sgaudit_collect::scan_connected(
            &self.connected,
            &self.options,
            progress,
            Some(clock::now_rfc3339()),
        ))
    }
}

/// The values of a repeatable, comma-separated flag, trimmed, without empty ones.
pub fn clean(v: &[String]) -> Vec<String> {
    v.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect()
}

fn options(args: &ScopeArgs) -> Result<ScanOptions, Error> {
    let accounts = if args.org {
        let profiles = clean(&args.profiles);
        if profiles.len() > 1 {
            return Err(UsageError(
                "--org reads the organization from one set of credentials: give at most one --profile".into(),
            )
            .into());
        }
        AccountSelection::Organization(OrgOptions {
            profile: profiles.into_iter().next(),
            role_name: args.role_name.clone(),
            external_id: args.external_id.clone(),
            session_name: args.role_session_name.clone(),
            include: clean(&args.accounts),
            exclude: clean(&args.exclude_accounts),
        })
    } else {
        AccountSelection::Profiles(clean(&args.profiles))
    };
    let (concurrency, note) = sgaudit_collect::http::fit_open_files(usize::from(args.concurrency));
    if let Some(note) = note {
        eprintln!("warning: {note}");
    }
    Ok(ScanOptions {
        accounts,
        regions: clean(&args.regions),
        all_regions: args.all_regions,
        exclude_regions: clean(&args.exclude_regions),
        concurrency,
        per_region: usize::from(args.per_region_concurrency),
        max_attempts: args.max_attempts,
        call_timeout: Duration::from_secs(args.call_timeout),
        ..ScanOptions::default()
    })
}

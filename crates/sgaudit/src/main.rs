//! The `sgaudit` command: parses arguments, wires collect → snapshot → audit → report together, and maps
//! errors to exit codes. No judging happens here.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use sgaudit_audit::Risk;
use sgaudit_collect::{AccountSelection, OrgOptions, ScanError, ScanOptions};
use sgaudit_snapshot::Snapshot;

/// Parsing and judging a large estate allocates millions of small strings; mimalloc does that markedly faster
/// than the system allocator (measured by `bench/run.py`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod clock;
mod progress;

/// Exit codes, as documented in the README.
mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const PARTIAL: u8 = 3;
}

#[derive(Parser)]
#[command(
    name = "sgaudit",
    version,
    about = "Audit AWS security groups: what uses each one, how exposed it is, and which are safe to remove"
)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find what uses every security group of an account, and judge each one.
    Scan(Box<ScanArgs>),
    /// Print the IAM actions a scan needs, as a policy document.
    Permissions,
}

#[derive(clap::Args)]
struct ScanArgs {
    /// AWS profile to scan; repeat or comma-separate for several accounts (default: the standard chain:
    /// AWS_PROFILE, environment keys, SSO, ...). With --org: the profile that reads the organization.
    #[arg(long = "profile", value_delimiter = ',')]
    profiles: Vec<String>,
    /// Scan every account of the AWS Organization, through a role assumed in each.
    #[arg(long)]
    org: bool,
    /// The role assumed in each member account with --org.
    #[arg(long, default_value = "OrganizationAccountAccessRole", requires = "org")]
    role_name: String,
    /// External id for the role, with --org.
    #[arg(long, requires = "org")]
    external_id: Option<String>,
    /// Session name for the role, with --org (it shows in the members' CloudTrail).
    #[arg(long, default_value = "sgaudit", requires = "org")]
    role_session_name: String,
    /// With --org: only these account ids (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', requires = "org")]
    accounts: Vec<String>,
    /// With --org: not these account ids.
    #[arg(long, value_delimiter = ',', requires = "org")]
    exclude_accounts: Vec<String>,
    /// Region to scan; repeat or separate with commas (default: the configured region).
    #[arg(long = "region", value_delimiter = ',')]
    regions: Vec<String>,
    /// Every region enabled in each account (opted in, or not needing opt-in).
    #[arg(long, conflicts_with = "regions")]
    all_regions: bool,
    /// A region to leave out (repeat or comma-separate).
    #[arg(long = "exclude-region", value_delimiter = ',')]
    exclude_regions: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the results to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Also write each account's audit log, `<account_id>_sg_log.txt`, to this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    audit_log_dir: Option<PathBuf>,
    /// Save everything collected to this file, to audit it again later with --from-snapshot.
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Audit a saved snapshot instead of calling AWS (no network).
    #[arg(long, conflicts_with_all = ["profiles", "regions", "org", "all_regions"])]
    from_snapshot: Option<PathBuf>,
    /// Exit 1 when a group has at least this risk.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// How many source lists may run at once, across all accounts and regions.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// Attempts per API call (adaptive backoff on throttling).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=50))]
    max_attempts: u32,
    /// Seconds allowed for one API call attempt.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    call_timeout: u64,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    /// One row per group; cells a spreadsheet would run as formulas are neutralised.
    Csv,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    fn risk(self) -> Risk {
        match self {
            FailOn::Low => Risk::Low,
            FailOn::Medium => Risk::Medium,
            FailOn::High => Risk::High,
            FailOn::Critical => Risk::Critical,
        }
    }
}

/// An error the user can fix: one line on stderr and exit code 2.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Scan(args) => run_scan(*args),
        Command::Permissions => print_permissions(),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Bad input, credentials, files: one line, no backtrace. `{:#}` joins the context chain.
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "off",
        1 => "sgaudit=info,sgaudit_collect=info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SGAUDIT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn run_scan(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let snapshot = match &args.from_snapshot {
        Some(path) => Snapshot::load(path).map_err(|e| UsageError(e.to_string()))?,
        None => collect(&args)?,
    };
    if let Some(path) = &args.save_snapshot {
        std::fs::write(path, snapshot.to_json() + "\n")
            .map_err(|e| UsageError(format!("cannot write snapshot {}: {e}", path.display())))?;
    }
    let audit = sgaudit_audit::audit(&snapshot);

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = match args.format {
        Format::Table => sgaudit_report::Format::Table,
        Format::Json => sgaudit_report::Format::Json,
        Format::Csv => sgaudit_report::Format::Csv,
        Format::Sarif => sgaudit_report::Format::Sarif,
    };
    match &args.output {
        Some(path) => {
            let cannot = |e: std::io::Error| UsageError(format!("cannot write {}: {e}", path.display()));
            let mut file = std::fs::File::create(path).map_err(cannot)?;
            sgaudit_report::write_to(format, &snapshot, &audit, false, &mut file).map_err(cannot)?;
        }
        None => match sgaudit_report::write_to(format, &snapshot, &audit, to_terminal, &mut std::io::stdout().lock()) {
            // The reader went away (`sgaudit scan | head`): not an error of ours.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.context("writing to standard output")?,
        },
    }
    if let Some(dir) = &args.audit_log_dir {
        write_audit_logs(dir, &snapshot, &audit)?;
    }
    if !args.quiet && std::io::stderr().is_terminal() {
        eprintln!("sgaudit: judged {} groups in {:.1}s", audit.groups.len(), started.elapsed().as_secs_f64());
    }

    let code = if audit.is_partial() {
        exit::PARTIAL
    } else if args.fail_on.is_some_and(|f| audit.groups.iter().any(|g| g.risk >= f.risk())) {
        exit::FINDINGS
    } else {
        exit::OK
    };
    // The process ends next: freeing a large estate piece by piece would take longer than the audit.
    std::mem::forget(audit);
    std::mem::forget(snapshot);
    Ok(code)
}

fn write_audit_logs(dir: &std::path::Path, snapshot: &Snapshot, audit: &sgaudit_audit::Audit) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| UsageError(format!("cannot create {}: {e}", dir.display())))?;
    for account_id in sgaudit_report::audit_log::accounts(snapshot) {
        let path = dir.join(sgaudit_report::audit_log::file_name(account_id));
        let cannot = |e: std::io::Error| UsageError(format!("cannot write {}: {e}", path.display()));
        let mut file = std::fs::File::create(&path).map_err(cannot)?;
        sgaudit_report::write_audit_log(account_id, snapshot, audit, &mut file).map_err(cannot)?;
    }
    Ok(())
}

fn collect(args: &ScanArgs) -> anyhow::Result<Snapshot> {
    let clean =
        |v: &[String]| -> Vec<String> { v.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect() };
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
    let options = ScanOptions {
        accounts,
        regions: clean(&args.regions),
        all_regions: args.all_regions,
        exclude_regions: clean(&args.exclude_regions),
        concurrency: usize::from(args.concurrency),
        max_attempts: args.max_attempts,
        call_timeout: Duration::from_secs(args.call_timeout),
    };
    let progress = (!args.quiet).then(progress::reporter);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    let snapshot = runtime
        .block_on(sgaudit_collect::scan(&options, progress, Some(clock::now_rfc3339())))
        .map_err(usage_for_scan)?;
    Ok(snapshot)
}

fn usage_for_scan(err: ScanError) -> anyhow::Error {
    let hint = match &err {
        ScanError::UnknownProfile(_) => " (list them with `aws configure list-profiles`)",
        ScanError::NoCredentials(_) => {
            " (set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`)"
        }
        ScanError::Identity(_) => " (check the network, AWS_ENDPOINT_URL and the region)",
        ScanError::Organization(_) => {
            " (--org needs the management account's credentials, or a delegated administrator's)"
        }
        ScanError::NoRegion | ScanError::UnknownRegion { .. } => "",
    };
    anyhow::Error::new(UsageError(format!("{err}{hint}")))
}

fn print_permissions() -> anyhow::Result<u8> {
    // A struct rather than `json!` so the keys keep the order IAM documents use.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Policy {
        version: &'static str,
        statement: Vec<Statement>,
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Statement {
        sid: &'static str,
        effect: &'static str,
        action: Vec<&'static str>,
        resource: &'static str,
    }
    let policy = Policy {
        version: "2012-10-17",
        statement: vec![
            Statement {
                sid: "SgauditScanReadOnly",
                effect: "Allow",
                action: sgaudit_collect::registry::scan_actions(),
                resource: "*",
            },
            // Only where `--org` runs: the management (or delegated administrator) account.
            Statement {
                sid: "SgauditOrganization",
                effect: "Allow",
                action: sgaudit_collect::accounts::ORG_ACTIONS.to_vec(),
                resource: "*",
            },
        ],
    };
    println!("{}", serde_json::to_string_pretty(&policy)?);
    Ok(exit::OK)
}

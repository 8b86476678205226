//! The `sgaudit` command: parses arguments, wires collect → snapshot → audit → report together, and maps
//! errors to exit codes. No judging happens here.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Parsing and judging a large estate allocates millions of small strings; mimalloc does that markedly faster
/// than the system allocator (measured by `bench/run.py`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cleanup;
mod clock;
mod output;
mod permissions;
mod preflight;
mod progress;
mod restore;
mod scan;
mod scope;

/// Exit codes, as documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const PARTIAL: u8 = 3;
}

#[derive(Parser)]
#[command(
    name = "sgaudit",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SGAUDIT_COMMIT"), ")"),
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
    Scan(Box<scan::ScanArgs>),
    /// Delete proven-unused groups safely: a plan first (dry run by default), then, with --apply, a typed
    /// confirmation, a backup on disk, a fresh re-check and an order that works for chains.
    Cleanup(Box<cleanup::CleanupArgs>),
    /// Recreate the groups of a cleanup backup, with their rules, tags and descriptions.
    Restore(Box<restore::RestoreArgs>),
    /// Before a long scan: prove in every account in scope, with one real call per IAM action, that sgaudit
    /// may do what it will do, and say what to add (or which policy denies) where not. Exit 0 when all is
    /// ready, 3 when something is missing.
    Preflight(Box<preflight::PreflightArgs>),
    /// Print the shell completion script for SHELL (bash, zsh, fish, powershell, elvish) on stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print sgaudit's manual page (roff) on stdout: `sgaudit man > sgaudit.1`.
    Man,
    /// Print the IAM policy each use of sgaudit needs (a statement per use), for people, or as the roles to
    /// deploy in every member account (a CloudFormation StackSet template, a Terraform module).
    Permissions(permissions::PermissionsArgs),
}

/// An error the user can fix: one line on stderr and exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

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
        Command::Scan(args) => scan::run(*args),
        Command::Cleanup(args) => cleanup::run(*args),
        Command::Restore(args) => restore::run(*args),
        Command::Preflight(args) => preflight::run(*args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "sgaudit",
                &mut std::io::stdout(),
            );
            Ok(exit::OK)
        }
        Command::Man => man(),
        Command::Permissions(args) => permissions::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Bad input, credentials, files: one line, no backtrace. `{:#}` joins the context chain.
            // Messages can quote AWS answers and file contents: their control characters are shown, and the
            // message stays one line.
            let _ = writeln!(std::io::stderr(), "error: {}", sgaudit_report::printable(&format!("{err:#}")));
            ExitCode::from(exit::USAGE)
        }
    }
}

/// The manual page, as clap_mangen writes it from the command line's own definition.
fn man() -> anyhow::Result<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out)?;
    std::io::stdout().write_all(&out)?;
    Ok(exit::OK)
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

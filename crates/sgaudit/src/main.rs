//! The `sgaudit` command: parses arguments, wires collect → snapshot → audit → report together, and maps
//! errors to exit codes. No judging happens here.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Parsing and judging a large estate allocates millions of small strings; mimalloc does that markedly faster
/// than the system allocator (measured by `bench/run.py`). The `system-allocator` feature leaves it out, for
/// heaptrack, which sees only the system's (docs/ARCHITECTURE.md, "Where the memory goes").
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cleanup;
mod clock;
mod config;
mod error;
mod history;
mod mark;
mod memory;
mod output;
mod permissions;
mod preflight;
mod progress;
mod queue;
mod restore;
mod scan;
mod scope;

pub use error::{Error, UsageError};

/// Exit codes, as documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    /// What the user can fix: a flag, a file, the credentials, the scope.
    pub const USAGE: u8 = 2;
    pub const PARTIAL: u8 = 3;
    /// A bug in sgaudit (an error no code foresaw, a panic).
    pub const INTERNAL: u8 = 4;
    /// AWS or the network failed where the command cannot go on (not a refusal: that is the user's, 2).
    pub const AWS: u8 = 5;
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
    /// The config file (settings as defaults for the flags, and exceptions; docs/config.md). Without it,
    /// `./sgaudit.toml`, else `sgaudit/sgaudit.toml` in the user's config directory, is read if there.
    #[arg(long, global = true, env = "SGAUDIT_CONFIG", value_name = "FILE")]
    #[allow(dead_code)] // Read before clap parses (`config::parse`): declared here for --help and the manual.
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find what uses every security group of an account, and judge each one.
    Scan(Box<scan::ScanArgs>),
    /// Judge a run kept in the store and write its reports (`--run ID`): a scan shared by several processes
    /// (`scan --shared-scan ID`) once all its units are read, or a run kept with --store-snapshot. The same
    /// flags as `scan`, without those that choose accounts and regions.
    Report(Box<scan::ScanArgs>),
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
    /// The runs the history (the store) remembers, newest first: counts, coverage, time taken, false-positive
    /// rate, each with its change since the previous comparable run.
    History(history::HistoryArgs),
    /// What changed between two runs: new findings first, groups that changed status or risk, groups created
    /// and deleted, resolved findings. Default: the last two comparable scans.
    Diff(history::DiffArgs),
    /// Record that a group is in use though sgaudit sees nothing using it (a false positive): never planned
    /// for cleanup, its "unused" finding muted. `--list` shows the marks, `--remove` takes one back.
    Mark(mark::MarkArgs),
}

fn main() -> ExitCode {
    // sgaudit.toml gives clap its defaults, so it is read first; a file that cannot be used stops only the
    // commands that read it.
    let parsed = match config::parse::<Cli>() {
        Ok(parsed) => parsed,
        Err(err) => return report(&err, ""),
    };
    let cli = parsed.cli;
    let config = match parsed.config {
        Ok(config) => config,
        Err(err) if cli.command.uses_config() => return report(&err, cli.command.name()),
        Err(_) => None,
    };
    init_logging(cli.verbose);
    std::panic::set_hook(Box::new(report_panic));
    let command = cli.command.name();
    // A panic is a bug: said once by the hook (error and help lines, no backtrace unless RUST_BACKTRACE asks),
    // then exit 4 rather than Rust's 101.
    let Ok(result) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli.command, config.as_ref())))
    else {
        // `sgaudit permissions | head`: the reader left, which is no bug and no failure (as ripgrep does).
        if READER_LEFT.load(std::sync::atomic::Ordering::Relaxed) {
            return ExitCode::from(exit::OK);
        }
        return ExitCode::from(exit::INTERNAL);
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => report(&err, command),
    }
}

/// The error's two lines on stderr, and its exit code.
fn report(err: &Error, command: &str) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    for line in err.lines(command) {
        let _ = writeln!(stderr, "{line}");
    }
    ExitCode::from(err.exit_code())
}

fn run(command: Command, config: Option<&sgaudit_config::Config>) -> Result<u8, Error> {
    match command {
        Command::Scan(args) => scan::run(*args, config),
        Command::Report(args) => scan::run_report(*args, config),
        // Still written against anyhow: its errors are sorted by what their chain holds.
        Command::Cleanup(args) => cleanup::run(*args, config).map_err(Error::classify),
        Command::Restore(args) => restore::run(*args, store_of(config)),
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
        Command::History(args) => history::run_history(args, store_of(config)),
        Command::Diff(args) => history::run_diff(args, store_of(config)),
        Command::Mark(args) => mark::run(args, store_of(config)),
    }
}

/// The store sgaudit.toml names (`[store] location`), if any.
fn store_of(config: Option<&sgaudit_config::Config>) -> Option<&str> {
    config.and_then(|c| c.store.location.as_deref())
}

impl Command {
    /// Whether it reads sgaudit.toml (so a file that cannot be read stops it).
    fn uses_config(&self) -> bool {
        match self {
            Command::Scan(_)
            | Command::Report(_)
            | Command::Cleanup(_)
            | Command::Preflight(_)
            | Command::History(_)
            | Command::Diff(_)
            | Command::Mark(_) => true,
            // Putting groups back must not wait for a config file to be mended: it reads the file when it can
            // (the store it names), and goes on without it when not.
            Command::Restore(_) | Command::Completions { .. } | Command::Man | Command::Permissions(_) => false,
        }
    }

    /// The subcommand's name, as typed (for the `help:` line).
    fn name(&self) -> &'static str {
        match self {
            Command::Scan(_) => "scan",
            Command::Report(_) => "report",
            Command::Cleanup(_) => "cleanup",
            Command::Restore(_) => "restore",
            Command::Preflight(_) => "preflight",
            Command::Completions { .. } => "completions",
            Command::Man => "man",
            Command::Permissions(_) => "permissions",
            Command::History(_) => "history",
            Command::Diff(_) => "diff",
            Command::Mark(_) => "mark",
        }
    }
}

/// Set when standard output's reader went away (a closed pipe), which ends the run quietly.
static READER_LEFT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A panic, on any thread, as an internal error: `error: sgaudit panicked at FILE:LINE: MESSAGE` and the help
/// line that says where to report it.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    // `println!` into a pipe whose reader has gone: nothing to report.
    if what.starts_with("failed printing to stdout") && what.contains("Broken pipe") {
        READER_LEFT.store(true, std::sync::atomic::Ordering::Relaxed);
        return;
    }
    let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
    let mut stderr = std::io::stderr().lock();
    for line in Error::internal(format!("sgaudit panicked{at}: {what}")).lines("") {
        let _ = writeln!(stderr, "{line}");
    }
    let backtrace = std::backtrace::Backtrace::capture();
    if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
        let _ = writeln!(stderr, "{backtrace}");
    }
}

/// The manual page, as clap_mangen writes it from the command line's own definition.
fn man() -> Result<u8, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut out)
        .map_err(|e| Error::internal(format!("writing the manual page: {e}")))?;
    match std::io::stdout().write_all(&out) {
        // The reader went away (`sgaudit man | head`): not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.map_err(|e| Error::output(format!("writing to standard output: {e}")))?,
    }
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

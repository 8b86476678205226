//! `sgaudit scan`: collect (or load) a snapshot, judge it, and write the reports asked for.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::ValueEnum;
use sgaudit_audit::{Audit, Risk};
use sgaudit_snapshot::Snapshot;

use crate::scope::{Live, ScopeArgs};
use crate::{clock, exit, UsageError};

#[derive(clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// Output formats, comma-separated (`--format table,json,xlsx`); `all` is every file format and the
    /// per-account audit logs. Several formats need --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    format: Vec<Format>,
    /// Write the one format asked for to this file instead of standard output.
    #[arg(long, short, conflicts_with = "output_dir")]
    output: Option<PathBuf>,
    /// Write each format to `DIR/sgaudit-<UTC timestamp>.<extension>` (created if missing), and the audit logs
    /// (`audit-log` format) to `DIR/<account_id>_sg_log.txt`.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Also write each account's audit log, `<account_id>_sg_log.txt`, to this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    audit_log_dir: Option<PathBuf>,
    /// Save everything collected to this file, to audit it again later with --from-snapshot.
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Audit a saved snapshot instead of calling AWS (no network).
    #[arg(long, conflicts_with_all = ["profiles", "regions", "org", "all_regions"])]
    from_snapshot: Option<PathBuf>,
    /// Send the findings (as `--format asff` writes them) to AWS Security Hub with BatchImportFindings, each to
    /// its account and region; a live scan only.
    #[arg(long, conflicts_with = "from_snapshot")]
    push_security_hub: bool,
    /// Exit 1 when a group has at least this risk.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A summary and the groups that need attention, for the terminal.
    Table,
    /// The versioned JSON document (every group, use, finding and source).
    Json,
    /// One row per group; cells a spreadsheet would run as formulas are neutralised.
    Csv,
    /// An Excel workbook: the seed's tabs (default_sg, ssh_open, ssh_world), all groups, unused, findings,
    /// coverage and a summary.
    Xlsx,
    /// One self-contained HTML page (no network at view time): summary, charts, a sortable and filterable
    /// table of groups, findings and coverage.
    Html,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// AWS Security Finding Format (what Security Hub imports), one finding per check that fails.
    Asff,
    /// OCSF 1.5 Compliance Findings.
    Ocsf,
    /// The per-account audit logs, `<account_id>_sg_log.txt` (needs --output-dir).
    AuditLog,
    /// Every format above except the table, into --output-dir.
    All,
}

impl Format {
    /// The report this format is, or `None` for the audit logs (one file per account, written apart).
    fn report(self) -> Option<sgaudit_report::Format> {
        match self {
            Format::Table => Some(sgaudit_report::Format::Table),
            Format::Json => Some(sgaudit_report::Format::Json),
            Format::Csv => Some(sgaudit_report::Format::Csv),
            Format::Xlsx => Some(sgaudit_report::Format::Xlsx),
            Format::Html => Some(sgaudit_report::Format::Html),
            Format::Sarif => Some(sgaudit_report::Format::Sarif),
            Format::Asff => Some(sgaudit_report::Format::Asff),
            Format::Ocsf => Some(sgaudit_report::Format::Ocsf),
            Format::AuditLog | Format::All => None,
        }
    }

    /// What `all` stands for: every format written to a file.
    const ALL_FILES: [Format; 8] = [
        Format::Json,
        Format::Csv,
        Format::Xlsx,
        Format::Html,
        Format::Sarif,
        Format::Asff,
        Format::Ocsf,
        Format::AuditLog,
    ];
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

/// Where the reports go, decided (and checked) before any AWS call, so that a bad combination of flags fails
/// in a second rather than after a long scan.
enum Destination<'a> {
    Stdout(sgaudit_report::Format),
    File(sgaudit_report::Format, &'a Path),
    Dir { dir: &'a Path, reports: Vec<sgaudit_report::Format>, audit_logs: bool },
}

fn destination(args: &ScanArgs) -> Result<Destination<'_>, UsageError> {
    let mut formats: Vec<Format> = Vec::new();
    for &f in &args.format {
        let expanded: &[Format] = if f == Format::All { &Format::ALL_FILES } else { std::slice::from_ref(&f) };
        for &e in expanded {
            if !formats.contains(&e) {
                formats.push(e);
            }
        }
    }
    let audit_logs = formats.contains(&Format::AuditLog);
    let reports: Vec<sgaudit_report::Format> = formats.iter().filter_map(|f| f.report()).collect();
    if let Some(dir) = &args.output_dir {
        return Ok(Destination::Dir { dir, reports, audit_logs });
    }
    if audit_logs {
        return Err(UsageError("--format audit-log and all write several files: give --output-dir".into()));
    }
    match (reports.as_slice(), &args.output) {
        ([one], Some(path)) => Ok(Destination::File(*one, path)),
        ([one], None) if one.is_binary() && std::io::stdout().is_terminal() => Err(UsageError(format!(
            "--format {} is a binary file: give --output FILE or --output-dir DIR",
            one.extension()
        ))),
        ([one], None) => Ok(Destination::Stdout(*one)),
        _ => Err(UsageError("several formats are written to files: give --output-dir DIR".into())),
    }
}

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let destination = destination(&args)?;
    let (snapshot, live) = match &args.from_snapshot {
        Some(path) => (Snapshot::load(path).map_err(|e| UsageError(e.to_string()))?, None),
        None => {
            let live = Live::connect(&args.scope)?;
            (live.scan(args.quiet), Some(live))
        }
    };
    if let Some(path) = &args.save_snapshot {
        std::fs::write(path, snapshot.to_json() + "\n")
            .map_err(|e| UsageError(format!("cannot write snapshot {}: {e}", path.display())))?;
    }
    let audit = sgaudit_audit::audit(&snapshot);

    match destination {
        Destination::Stdout(format) => {
            let color = std::io::stdout().is_terminal();
            match sgaudit_report::write_to(format, &snapshot, &audit, color, &mut std::io::stdout().lock()) {
                // The reader went away (`sgaudit scan | head`): not an error of ours.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.context("writing to standard output")?,
            }
        }
        Destination::File(format, path) => write_file(format, path, &snapshot, &audit)?,
        Destination::Dir { dir, reports, audit_logs } => {
            create_dir(dir)?;
            let stamp = clock::now_file_stamp();
            for format in reports {
                let path = dir.join(format!("sgaudit-{stamp}.{}", format.extension()));
                write_file(format, &path, &snapshot, &audit)?;
                if !args.quiet {
                    eprintln!("sgaudit: wrote {}", path.display());
                }
            }
            if audit_logs {
                write_audit_logs(dir, &snapshot, &audit, args.quiet)?;
            }
        }
    }
    if let Some(dir) = &args.audit_log_dir {
        create_dir(dir)?;
        write_audit_logs(dir, &snapshot, &audit, args.quiet)?;
    }
    let mut pushed_all = true;
    if let (true, Some(live)) = (args.push_security_hub, &live) {
        pushed_all = push_security_hub(live, &snapshot, &audit)?;
    }
    if !args.quiet && std::io::stderr().is_terminal() {
        eprintln!("sgaudit: judged {} groups in {:.1}s", audit.groups.len(), started.elapsed().as_secs_f64());
    }

    let code = if audit.is_partial() || !pushed_all {
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

/// Pushes the ASFF findings; says what landed and what did not. False when some did not.
fn push_security_hub(live: &Live, snapshot: &Snapshot, audit: &Audit) -> anyhow::Result<bool> {
    let findings: Vec<serde_json::Value> = sgaudit_report::asff::findings(snapshot, audit)
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .context("encoding the findings")?;
    let report = live.runtime.block_on(sgaudit_collect::securityhub::push(&live.connected, &findings));
    eprintln!(
        "sgaudit: Security Hub: {} of {} finding(s) imported in {} call(s), {} failed",
        report.imported,
        findings.len(),
        report.batches,
        report.failed.len()
    );
    for f in report.failed.iter().take(20) {
        eprintln!("  {} ({} / {}): {}: {}", f.finding_id, f.account_id, f.region, f.code, f.message);
    }
    if report.failed.len() > 20 {
        eprintln!("  ... and {} more", report.failed.len() - 20);
    }
    Ok(report.failed.is_empty())
}

fn create_dir(dir: &Path) -> Result<(), UsageError> {
    std::fs::create_dir_all(dir).map_err(|e| UsageError(format!("cannot create {}: {e}", dir.display())))
}

fn write_file(format: sgaudit_report::Format, path: &Path, snapshot: &Snapshot, audit: &Audit) -> anyhow::Result<()> {
    let cannot = |e: std::io::Error| UsageError(format!("cannot write {}: {e}", path.display()));
    let mut file = std::fs::File::create(path).map_err(cannot)?;
    sgaudit_report::write_to(format, snapshot, audit, false, &mut file).map_err(cannot)?;
    Ok(())
}

fn write_audit_logs(dir: &Path, snapshot: &Snapshot, audit: &Audit, quiet: bool) -> anyhow::Result<()> {
    let accounts = sgaudit_report::audit_log::accounts(snapshot);
    for &account_id in &accounts {
        let path = dir.join(sgaudit_report::audit_log::file_name(account_id));
        let cannot = |e: std::io::Error| UsageError(format!("cannot write {}: {e}", path.display()));
        let mut file = std::fs::File::create(&path).map_err(cannot)?;
        sgaudit_report::write_audit_log(account_id, snapshot, audit, &mut file).map_err(cannot)?;
    }
    if !quiet {
        eprintln!("sgaudit: wrote {} audit log(s) to {}", accounts.len(), dir.display());
    }
    Ok(())
}

//! `sgaudit scan`: collect (or load) a snapshot, judge it, and write the reports asked for.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::ValueEnum;
use sgaudit_audit::{Audit, Family, Risk};
use sgaudit_report::printable;
use sgaudit_snapshot::Snapshot;

use crate::memory::{self, History, ScanRun, StoreArgs};
use crate::output::{self, shown};
use crate::queue;
use crate::scope::{Live, ScopeArgs};
use crate::{clock, exit, Error, UsageError};

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
    /// Audit a saved snapshot instead of calling AWS (no network). The snapshot is audited whole: the flags
    /// that choose accounts and regions are refused with it.
    #[arg(long)]
    from_snapshot: Option<PathBuf>,
    /// Audit a run kept in the store instead of calling AWS: a scan shared by several processes
    /// (`--shared-scan NAME`), once every unit is read, or a run kept with --store-snapshot. `sgaudit report
    /// --run ID` is the same.
    #[arg(long = "run", value_name = "ID", conflicts_with_all = ["from_snapshot", "push_security_hub"])]
    from_run: Option<String>,
    /// Send the findings (as `--format asff` writes them) to AWS Security Hub with BatchImportFindings, each to
    /// its account and region; a live scan only.
    #[arg(long, conflicts_with = "from_snapshot")]
    push_security_hub: bool,
    #[command(flatten)]
    checks: ChecksArg,
    /// TCP/UDP ports that may be open to 0.0.0.0/0 or ::/0 without a `net-sg-open-port` failure,
    /// comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "PORTS", default_value = "80,443")]
    allow_open_ports: Vec<u16>,
    /// Fail buckets whose default encryption is not SSE-KMS (`s3-default-encryption`); without it, the
    /// default encryption is only reported.
    #[arg(long)]
    require_kms: bool,
    /// Exit 1 when a group has at least this risk, or a check fails with at least this severity; findings
    /// muted by an exception of sgaudit.toml do not count.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Print one group in full instead of the table: what uses it and why it has its status, its exposure,
    /// whether and how the internet reaches it, and each finding with the change that fixes it (never applied).
    #[arg(long, value_name = "GROUP_ID", conflicts_with_all = ["output", "output_dir"])]
    explain: Option<String>,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    queue: crate::queue::QueueArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A summary and the groups that need attention, for the terminal.
    Table,
    /// The versioned JSON document (every group, use, finding and source).
    Json,
    /// One row per group; cells a spreadsheet would run as formulas are neutralised.
    Csv,
    /// One row per result of the account checks (pass, fail, not evaluated), neutralised the same way.
    CsvChecks,
    /// An Excel workbook: the seed's tabs (default_sg, ssh_open, ssh_world), all groups, unused, findings,
    /// coverage and a summary.
    Xlsx,
    /// One self-contained HTML page (no network at view time): summary, charts, a sortable and filterable
    /// table of groups, findings and coverage.
    Html,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// AWS Security Finding Format (what Security Hub imports): one finding per group check that fails, and
    /// one per result of the account checks, passes included.
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
            Format::CsvChecks => Some(sgaudit_report::Format::CsvChecks),
            Format::Xlsx => Some(sgaudit_report::Format::Xlsx),
            Format::Html => Some(sgaudit_report::Format::Html),
            Format::Sarif => Some(sgaudit_report::Format::Sarif),
            Format::Asff => Some(sgaudit_report::Format::Asff),
            Format::Ocsf => Some(sgaudit_report::Format::Ocsf),
            Format::AuditLog | Format::All => None,
        }
    }

    /// Whether `all` writes this format. No arm catches the rest: a new format does not compile until it says
    /// whether `all` brings it.
    fn in_all(self) -> bool {
        match self {
            Format::Json
            | Format::Csv
            | Format::CsvChecks
            | Format::Xlsx
            | Format::Html
            | Format::Sarif
            | Format::Asff
            | Format::Ocsf
            | Format::AuditLog => true,
            // The table is for the terminal, and `all` is not a format.
            Format::Table | Format::All => false,
        }
    }

    /// What `all` stands for: every format written to a file, in the order `--help` lists them (the order
    /// the files are written and named on stderr).
    fn all_files() -> impl Iterator<Item = Format> {
        Format::value_variants().iter().copied().filter(|f| f.in_all())
    }
}

/// `--checks`, as `scan` and `preflight` take it.
#[derive(clap::Args, Clone)]
pub(crate) struct ChecksArg {
    /// The families of checks to run, comma-separated: `groups` (whether each security group is used, and
    /// its exposure), `network` (ports open to the world, network ACLs, EBS encryption by default,
    /// instances outside a VPC), `iam` (credential report, password policy), `cloudtrail`, `s3`. Only
    /// their evidence is read. With --from-snapshot, judges those the snapshot was collected for.
    /// `SGAUDIT_CHECKS` sets it for every scan (and preflight).
    #[arg(
        long,
        env = "SGAUDIT_CHECKS",
        value_enum,
        value_delimiter = ',',
        value_name = "FAMILIES",
        default_value = "groups,network,iam,cloudtrail,s3"
    )]
    checks: Vec<CheckFamily>,
}

impl ChecksArg {
    /// The families named, each once, in their order.
    pub(crate) fn families(&self) -> Vec<Family> {
        let mut families: Vec<Family> = self.checks.iter().map(|c| c.family()).collect();
        families.sort();
        families.dedup();
        families
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFamily {
    Groups,
    Network,
    Iam,
    Cloudtrail,
    S3,
}

impl CheckFamily {
    pub(crate) fn family(self) -> Family {
        match self {
            CheckFamily::Groups => Family::Groups,
            CheckFamily::Network => Family::Network,
            CheckFamily::Iam => Family::Iam,
            CheckFamily::Cloudtrail => Family::Cloudtrail,
            CheckFamily::S3 => Family::S3,
        }
    }
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
    if args.explain.is_some() && args.format != [Format::Table] {
        return Err(UsageError("--explain prints one group for people: it takes no --format".into()));
    }
    let mut formats: Vec<Format> = Vec::new();
    for &f in &args.format {
        let expanded: Vec<Format> = if f == Format::All { Format::all_files().collect() } else { vec![f] };
        for e in expanded {
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

/// A snapshot is audited whole: a flag that would choose which accounts or regions to read means nothing
/// with one, and ignoring it would report accounts the user meant to leave out. `--role-name`,
/// `--external-id` and `--role-session-name` need `--org`, which is refused here, so clap refuses them first.
fn refuse_scope_with_snapshot(args: &ScanArgs) -> Result<(), UsageError> {
    let input = match (&args.from_snapshot, &args.from_run) {
        (Some(_), _) => "--from-snapshot",
        (None, Some(_)) => "--run",
        (None, None) => return Ok(()),
    };
    let s = &args.scope;
    let given: Vec<&str> = [
        ("--profile", !s.profiles.is_empty()),
        ("--org", s.org),
        ("--accounts", !s.accounts.is_empty()),
        ("--exclude-accounts", !s.exclude_accounts.is_empty()),
        ("--region", !s.regions.is_empty()),
        ("--all-regions", s.all_regions),
        ("--exclude-region", !s.exclude_regions.is_empty()),
        ("--external-id", s.external_id.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect();
    if given.is_empty() {
        return Ok(());
    }
    Err(UsageError(format!(
        "{} cannot be used with {input}: a snapshot is audited whole, with every account and region it holds \
         (choose them when collecting it)",
        given.join(", ")
    )))
}

/// Every file the scan will write, checked before any AWS call (and before the snapshot is read): a path
/// that cannot be written fails now rather than after the scan, and no output may overwrite the snapshot
/// read or another output.
fn check_paths(args: &ScanArgs, destination: &Destination) -> Result<(), Error> {
    let mut outputs: Vec<(&str, &Path)> = Vec::new();
    if let Destination::File(_, path) = destination {
        outputs.push(("--output", path));
    }
    if let Some(path) = &args.save_snapshot {
        outputs.push(("--save-snapshot", path));
    }
    let inputs: Vec<(&str, &Path)> = args.from_snapshot.iter().map(|p| ("--from-snapshot", p.as_path())).collect();
    let mut dirs: Vec<(&str, &Path)> = Vec::new();
    if let Destination::Dir { dir, .. } = destination {
        dirs.push(("--output-dir", dir));
    }
    if let Some(dir) = &args.audit_log_dir {
        dirs.push(("--audit-log-dir", dir));
    }
    output::check_outputs(&outputs, &inputs, &dirs)
}

/// `sgaudit report --run ID`: a scan of a run kept in the store.
pub fn run_report(args: ScanArgs, config: Option<&sgaudit_config::Config>) -> Result<u8, Error> {
    if args.from_run.is_none() {
        return Err(Error::usage("report needs --run ID: a shared scan's name, or a run kept with --store-snapshot")
            .with_help("`sgaudit history` lists the runs"));
    }
    run(args, config)
}

pub fn run(args: ScanArgs, config: Option<&sgaudit_config::Config>) -> Result<u8, Error> {
    let started = Instant::now();
    let started_at = clock::now_rfc3339();
    let run_id = memory::new_run_id();
    refuse_scope_with_snapshot(&args)?;
    let destination = destination(&args)?;
    check_paths(&args, &destination)?;
    // The history, opened (and migrated) before any AWS call: a store that cannot be used stops the run now.
    let history = History::for_run(&args.store, crate::store_of(config))?;
    let marks = match &history {
        Some(h) => memory::marks_as_exceptions(&h.marks()?),
        None => Vec::new(),
    };
    let families = args.checks.families();
    let mut scan_id: Option<String> = None;
    let mut caller_arn: Option<String> = None;
    let mut history_records = history.as_ref().is_some_and(|h| h.records);
    let (mut snapshot, live) = match (&args.from_snapshot, &args.from_run) {
        (Some(path), _) => {
            let snapshot = Snapshot::load(path)?;
            (snapshot, None)
        }
        (None, Some(id)) => {
            let Some(h) = &history else {
                return Err(Error::usage("--run reads the store: not with --no-store"));
            };
            let stored = queue::stored_snapshot(h, id)?;
            if stored.recorded {
                // Reported before: its run is in the history already.
                history_records = false;
            } else {
                scan_id = stored.scan_id;
            }
            (stored.snapshot, None)
        }
        (None, None) => {
            let recording = history.as_ref().filter(|h| h.records);
            if args.queue.used() && recording.is_none() {
                return Err(Error::usage(
                    "--resume and --shared-scan keep the scan's parts in the store: not with --no-store",
                ));
            }
            let mut live = Live::connect(&args.scope)?;
            live.options.families = families.clone();
            // Where the estate collected is: in memory, or in the store's scan queue (with the skeleton to
            // read its parts into).
            enum Gathered<'h> {
                Held(Snapshot),
                Stored(&'h History, String, Snapshot),
            }
            let gathered = match recording {
                // Each account-region is written to the store as it completes: an interrupted scan resumes.
                Some(h) => {
                    let mode = if args.queue.resume {
                        queue::Mode::Resume
                    } else if let Some(name) = &args.queue.shared_scan {
                        queue::Mode::Shared(name.clone())
                    } else {
                        queue::Mode::Own(run_id.clone())
                    };
                    let scope = queue::scope_document(&args.scope, &families);
                    let lease = std::time::Duration::from_secs(args.queue.lease_seconds);
                    let collected = queue::collect(&live, &h.location, &scope, mode, lease, args.quiet)?;
                    if !args.quiet && collected.from_store > 0 {
                        eprintln!(
                            "sgaudit: scan {} resumed: {} units read now, {} taken from the store",
                            collected.scan_id, collected.read_here, collected.from_store
                        );
                    }
                    // A shared scan's worker: `sgaudit report --run` writes the reports.
                    let Some(skeleton) = collected.skeleton else { return Ok(exit::OK) };
                    scan_id = Some(collected.scan_id.clone());
                    // Read back from the store once the collection's runtime is gone (below).
                    Gathered::Stored(h, collected.scan_id, skeleton)
                }
                None => Gathered::Held(live.scan(args.quiet)),
            };
            caller_arn = live.connected.caller_arn.clone();
            // Only the push to Security Hub calls AWS again: otherwise the runtime that collected goes now, with
            // its worker threads, every account's clients and the connection pool, before the estate is judged.
            let live = args.push_security_hub.then_some(live);
            let snapshot = match gathered {
                Gathered::Held(snapshot) => snapshot,
                Gathered::Stored(h, scan_id, skeleton) => queue::snapshot_of(h, &scan_id, skeleton)?,
            };
            (snapshot, live)
        }
    };
    if let Some(path) = &args.save_snapshot {
        // Streamed, as `Snapshot::to_json` writes it: an organisation's snapshot is never held as one string.
        output::write_atomic(path, |w| {
            use std::io::Write as _;
            let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
            serde_json::to_writer_pretty(&mut w, &snapshot)?;
            w.write_all(b"\n")?;
            w.flush()
        })
        .map_err(|e| Error::output(format!("cannot write snapshot {}: {e}", shown(path))))?;
    }
    let options = sgaudit_audit::Options {
        families: Some(families.clone()),
        allowed_open_ports: args.allow_open_ports.clone(),
        require_kms: args.require_kms,
    };
    // The run's record keeps the whole snapshot when asked to; otherwise the network evidence is freed once
    // judged, before the run is recorded and the reports are written (issue 15: nothing after judging reads it).
    let keep_snapshot = history.as_ref().is_some_and(|h| {
        history_records && (h.keep_snapshot || config.and_then(|c| c.store.snapshot).unwrap_or(false))
    });
    let mut audit = if keep_snapshot {
        sgaudit_audit::audit_with(&snapshot, &options)
    } else {
        let networks = snapshot.take_networks();
        sgaudit_audit::audit_with_networks(&snapshot, networks, &options)
    };
    if let Some(h) = &history {
        h.remember(&snapshot, &mut audit)?;
    }
    crate::config::apply_exceptions(&mut audit, config, &marks, crate::config::Applied::All);
    if audit.families.is_empty() {
        let collected = snapshot.families.iter().map(|f| f.id()).collect::<Vec<&str>>().join(",");
        return Err(Error::usage(format!(
            "nothing to judge: the snapshot was collected for --checks {collected}, none of which was asked for"
        ))
        .with_help(format!("ask for some of --checks {collected}, or collect a snapshot of the families wanted")));
    }
    // Said before the run is recorded: a mistyped id is bad input, not a run.
    if let Some(group) = args.explain.as_deref().filter(|id| !audit.groups.iter().any(|g| g.group.group_id == *id)) {
        return Err(Error::usage(format!("no group {} in this scan", printable(group)))
            .with_help("the groups are listed by `sgaudit scan` (or --format csv)"));
    }

    let mut pushed_all = true;
    if let (true, Some(live)) = (args.push_security_hub, &live) {
        pushed_all = push_security_hub(live, &snapshot, &audit, history.as_ref())?;
    }
    // Recorded before the reports are written, so that the HTML report's trend has this run; a store that
    // fails now loses no report: the error is said once they are written.
    let mut trend = Vec::new();
    let mut store_error = None;
    if let Some(h) = history.as_ref().filter(|_| history_records) {
        let run = ScanRun {
            id: run_id.clone(),
            started_at: started_at.clone(),
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            caller_arn: caller_arn.clone(),
            from_snapshot: args.from_snapshot.is_some() || args.from_run.is_some(),
            security_hub_pushed: live.is_some(),
            snapshot: &snapshot,
            audit: &audit,
            keep_snapshot,
        };
        let writing = Instant::now();
        match h.record_scan(&run) {
            Ok(()) => {
                // Its parts are in the run now: the queue (as large as the snapshot) is dropped. A run that
                // could not be recorded keeps it, for `--resume`.
                if let Some(scan_id) = &scan_id {
                    // A shared scan's parts stay, so that `report --run` can be asked for other formats later.
                    let shared = args.from_run.is_some();
                    let forget = async {
                        h.store.finish(scan_id, Some(&run_id)).await?;
                        if shared {
                            return Ok(true);
                        }
                        h.store.delete_scan(scan_id).await
                    };
                    if let Err(e) = h.block_on(forget) {
                        eprintln!("warning: the scan queue {scan_id} stays in {}: {e}", h.location.shown());
                    }
                }
                if !args.quiet {
                    eprintln!(
                        "sgaudit: recorded run {run_id} in {} ({:.2}s)",
                        h.location.shown(),
                        writing.elapsed().as_secs_f64()
                    );
                }
                trend = h.trend_of(&run_id)?;
            }
            Err(e) => store_error = Some(e),
        }
    }

    match destination {
        Destination::Stdout(_) if args.explain.is_some() => {
            let group = args.explain.as_deref().unwrap_or_default();
            let color = std::io::stdout().is_terminal();
            let mut out = std::io::stdout().lock();
            match sgaudit_report::table::explain(&mut out, &snapshot, &audit, group, color) {
                // It was found above.
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(Error::output(format!("writing to standard output: {e}"))),
            }
        }
        Destination::Stdout(format) => {
            let color = std::io::stdout().is_terminal();
            let mut out = std::io::stdout().lock();
            match sgaudit_report::write_with_history(format, &snapshot, &audit, &trend, color, &mut out) {
                // The reader went away (`sgaudit scan | head`): not an error of ours.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.map_err(|e| Error::output(format!("writing to standard output: {e}")))?,
            }
        }
        Destination::File(format, path) => write_file(format, path, &snapshot, &audit, &trend)?,
        Destination::Dir { dir, reports, audit_logs } => {
            create_dir(dir)?;
            let stamp = clock::now_file_stamp();
            for format in reports {
                let path = dir.join(format!("sgaudit-{stamp}.{}", format.extension()));
                write_file(format, &path, &snapshot, &audit, &trend)?;
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
    if let Some(e) = store_error {
        return Err(e);
    }
    if !args.quiet && std::io::stderr().is_terminal() {
        eprintln!(
            "sgaudit: judged {} groups and {} check results in {:.1}s",
            audit.groups.len(),
            audit.results.len(),
            started.elapsed().as_secs_f64()
        );
    }

    let code = if audit.is_partial() || !pushed_all {
        exit::PARTIAL
    } else if args.fail_on.is_some_and(|f| audit.fails_on(f.risk())) {
        // Muted findings (sgaudit.toml's exceptions) do not count.
        exit::FINDINGS
    } else {
        exit::OK
    };
    // The process ends next: freeing a large estate piece by piece would take longer than the audit.
    std::mem::forget(audit);
    std::mem::forget(snapshot);
    Ok(code)
}

/// Pushes the ASFF findings, then archives those the last pushing run sent that this run no longer has; says
/// what landed and what did not. False when some did not.
fn push_security_hub(
    live: &Live,
    snapshot: &Snapshot,
    audit: &Audit,
    history: Option<&History>,
) -> Result<bool, Error> {
    let asff = sgaudit_report::asff::findings(snapshot, audit);
    let findings = to_values(&asff)?;
    let report = live.runtime.block_on(sgaudit_collect::securityhub::push(&live.connected, &findings));
    eprintln!(
        "sgaudit: Security Hub: {} of {} finding(s) imported in {} call(s), {} failed",
        report.imported,
        findings.len(),
        report.batches,
        report.failed.len()
    );
    say_failures(&report.failed);
    let mut all_landed = report.failed.is_empty();

    let Some(h) = history else { return Ok(all_landed) };
    let read = |e| h.failed("reading the last push from", e);
    let Some((previous, rows)) = h.block_on(h.store.last_pushed()).map_err(read)? else { return Ok(all_landed) };
    let now_ids: std::collections::HashSet<&str> = asff.iter().map(|f| f.id.as_str()).collect();
    let resolved = memory::resolved_since(&rows, &now_ids, audit);
    if resolved.is_empty() {
        return Ok(all_landed);
    }
    let now = clock::now_rfc3339();
    let archived: Vec<sgaudit_report::asff::AsffFinding> =
        resolved.iter().map(|p| sgaudit_report::archive::archived(p, &now)).collect();
    let archived = to_values(&archived)?;
    let report = live.runtime.block_on(sgaudit_collect::securityhub::push(&live.connected, &archived));
    eprintln!(
        "sgaudit: Security Hub: {} of {} finding(s) resolved since run {} archived, {} failed",
        report.imported,
        archived.len(),
        printable(&previous.id),
        report.failed.len()
    );
    say_failures(&report.failed);
    all_landed &= report.failed.is_empty();
    Ok(all_landed)
}

fn to_values(findings: &[sgaudit_report::asff::AsffFinding]) -> Result<Vec<serde_json::Value>, Error> {
    findings
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(|e| Error::internal(format!("encoding the findings: {e}")))
}

/// Security Hub's answers echo what it was sent and add its own words: shown, not obeyed, by the terminal.
fn say_failures(failed: &[sgaudit_collect::securityhub::PushFailure]) {
    for f in failed.iter().take(20) {
        eprintln!(
            "  {} ({} / {}): {}: {}",
            printable(&f.finding_id),
            printable(&f.account_id),
            printable(&f.region),
            printable(&f.code),
            printable(&f.message)
        );
    }
    if failed.len() > 20 {
        eprintln!("  ... and {} more", failed.len() - 20);
    }
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::output(format!("cannot create {}: {e}", shown(dir))))
}

/// Each file is written whole or not at all: a report that fails half-way leaves the previous one as it was.
fn write_file(
    format: sgaudit_report::Format,
    path: &Path,
    snapshot: &Snapshot,
    audit: &Audit,
    trend: &[sgaudit_store::RunSummary],
) -> Result<(), Error> {
    output::write_atomic(path, |w| sgaudit_report::write_with_history(format, snapshot, audit, trend, false, w))
        .map_err(|e| Error::output(format!("cannot write {}: {e}", shown(path))))
}

fn write_audit_logs(dir: &Path, snapshot: &Snapshot, audit: &Audit, quiet: bool) -> Result<(), Error> {
    let accounts = sgaudit_report::audit_log::accounts(snapshot);
    for &account_id in &accounts {
        let path = dir.join(sgaudit_report::audit_log::file_name(account_id));
        output::write_atomic(&path, |w| sgaudit_report::write_audit_log(account_id, snapshot, audit, w))
            .map_err(|e| Error::output(format!("cannot write {}: {e}", shown(&path))))?;
    }
    if !quiet {
        eprintln!("sgaudit: wrote {} audit log(s) to {}", accounts.len(), dir.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_every_file_format_in_the_order_help_lists_them() {
        let all: Vec<Format> = Format::all_files().collect();
        let files: Vec<Format> =
            Format::value_variants().iter().copied().filter(|f| !matches!(f, Format::Table | Format::All)).collect();
        assert_eq!(all, files);
        // The order the files were written (and named on stderr) in when `all` was a hand-kept list.
        let before = [
            Format::Json,
            Format::Csv,
            Format::CsvChecks,
            Format::Xlsx,
            Format::Html,
            Format::Sarif,
            Format::Asff,
            Format::Ocsf,
            Format::AuditLog,
        ];
        let kept: Vec<Format> = all.into_iter().filter(|f| before.contains(f)).collect();
        assert_eq!(kept, before);
    }
}

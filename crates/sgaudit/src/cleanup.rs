//! `sgaudit cleanup`: deletes proven-unused groups, safely: plan → print it → stop there unless `--apply` →
//! confirmation (typed account id, or `--yes`) → every source of the affected account-regions read and judged
//! again → the apply sequence (fresh definitions, backup, re-checks, revocations, deletes, each logged). The
//! logic is `sgaudit_cleanup`'s, over the AWS calls of `sgaudit_collect::cleanup`; here are the arguments, the
//! confirmation and the wiring. Every check that cannot be made keeps the group.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;

use sgaudit_cleanup::apply::{apply, Settings};
use sgaudit_cleanup::fresh::{collected_at, saved_snapshot};
use sgaudit_cleanup::log::Log;
use sgaudit_cleanup::plan::looks_like_production;
use sgaudit_cleanup::{text, Backup, GracePeriod, Plan, Protections, Reason, Scope};
use sgaudit_collect::cleanup as live;
use sgaudit_report::text::printable;
use sgaudit_snapshot::Family;

use crate::memory::{self, CleanupRun, History, StoreArgs};
use crate::scope::{clean, Live, ScopeArgs};
use crate::{clock, exit, output, UsageError};

#[derive(clap::Args)]
pub struct CleanupArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// Plan from this saved snapshot instead of a fresh scan (each group is still re-checked live before it
    /// is deleted).
    #[arg(long, value_name = "FILE")]
    from_snapshot: Option<PathBuf>,
    /// Delete the planned groups. Without it, nothing changes (dry run).
    #[arg(long)]
    apply: bool,
    /// With --apply: send every revoke and delete with DryRun=true, to prove the permissions; nothing changes.
    #[arg(long, requires = "apply")]
    dry_run_aws: bool,
    /// With --apply: do not ask for the typed account id (needed when there is no terminal).
    #[arg(long, short)]
    yes: bool,
    /// Allow deleting in accounts whose alias or name has the word "prod" or "production".
    #[arg(long)]
    i_understand_production: bool,
    /// Keep groups with this tag (KEY, or KEY=VALUE); repeatable. `DoNotDelete=true` always protects.
    #[arg(long = "protect-tag", value_name = "KEY[=VALUE]")]
    protect_tags: Vec<String>,
    /// Keep groups whose name matches this glob (`*`, `?`); repeatable. `prod-*`, `*-live` and `critical-*`
    /// always protect.
    #[arg(long = "protect-name", value_name = "GLOB")]
    protect_names: Vec<String>,
    /// Keep groups created less than this many days ago (their age comes from CloudTrail).
    #[arg(long, value_name = "DAYS", default_value_t = 7, value_parser = clap::value_parser!(u32).range(0..=3650))]
    min_age: u32,
    /// Delete even when a group's age cannot be told (CloudTrail unreadable).
    #[arg(long)]
    ignore_age: bool,
    /// Plan only groups the history (the store) shows unused for at least this long: `30d`, `12h`, `2w` (also
    /// `s`, `m`). A group unused for less, or with no history, is kept.
    #[arg(long, value_name = "DURATION", value_parser = sgaudit_cleanup::plan::parse_duration)]
    unused_for: Option<i64>,
    /// With --apply and --from-snapshot: refuse a snapshot collected more than this many hours ago.
    #[arg(long, value_name = "HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    max_snapshot_age: u32,
    /// Also write the plan as JSON to this file.
    #[arg(long, value_name = "FILE")]
    plan_out: Option<PathBuf>,
    /// Where the backup of the deleted groups is written before the first delete.
    #[arg(long, value_name = "DIR", default_value = ".")]
    backup_dir: PathBuf,
    /// The deletion log (JSON lines, appended); default: `sgaudit-cleanup-log.jsonl` in --backup-dir.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: CleanupArgs, config: Option<&sgaudit_config::Config>) -> anyhow::Result<u8> {
    let started = std::time::Instant::now();
    let started_at = clock::now_rfc3339();
    let run_id = memory::new_run_id();
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if args.apply && !args.dry_run_aws && !args.yes && !interactive {
        let why =
            "--apply without a terminal needs --yes (the typed confirmation cannot be asked); nothing was changed";
        return Err(UsageError(why.into()).into());
    }
    let mut protections = Protections::with(&args.protect_tags, &args.protect_names, args.min_age, args.ignore_age)
        .map_err(|e| UsageError(e.to_string()))?;
    protections.unused_for = args.unused_for.map(|secs| GracePeriod { secs, now: clock::now_epoch() });
    let s = &args.scope;
    let (accounts, exclude_accounts) = (clean(&s.accounts), clean(&s.exclude_accounts));
    let scope =
        Scope { accounts, exclude_accounts, regions: clean(&s.regions), exclude_regions: clean(&s.exclude_regions) };

    // Every file this run writes, checked before any AWS call; none may be what it reads.
    let log_path = args.log.clone().unwrap_or_else(|| args.backup_dir.join("sgaudit-cleanup-log.jsonl"));
    let plan_out = args.plan_out.iter().map(|p| ("--plan-out", p.as_path()));
    let outputs: Vec<(&str, &Path)> =
        plan_out.chain(args.log.iter().filter(|_| args.apply).map(|p| ("--log", p.as_path()))).collect();
    let inputs: Vec<(&str, &Path)> = args.from_snapshot.iter().map(|p| ("--from-snapshot", p.as_path())).collect();
    let writes_backup = args.apply && !args.dry_run_aws;
    let dirs: Vec<(&str, &Path)> = if writes_backup { vec![("--backup-dir", &args.backup_dir)] } else { Vec::new() };
    output::check_outputs(&outputs, &inputs, &dirs)?;

    // A saved plan's snapshot: checked (age, scope) before any AWS call.
    let max_age = writes_backup.then_some(args.max_snapshot_age);
    let saved = args.from_snapshot.as_deref().map(|path| saved_snapshot(path, &scope, max_age, clock::now_epoch()));
    let saved = saved.transpose().map_err(|e| UsageError(e.to_string()))?;
    // The history, before any AWS call: its marks keep groups, and --unused-for reads how long each group has
    // been unused from it.
    let history = History::for_run(&args.store, crate::store_of(config))?;
    let marks = match &history {
        Some(h) => memory::marks_as_exceptions(&h.marks()?),
        None => Vec::new(),
    };
    let reach = match &saved {
        Some(snapshot) => args.scope.or_regions(snapshot.regions.iter().map(|r| r.region.as_str())),
        None => args.scope.clone(),
    };
    let mut live = Live::connect(&reach)?;
    let caller_arn = live.connected.caller_arn.clone();
    let record =
        |plan: &Plan, applied: Option<&sgaudit_cleanup::apply::Tally>, snapshot: &sgaudit_snapshot::Snapshot| {
            let Some(h) = history.as_ref().filter(|h| h.records) else { return Ok(()) };
            let run = CleanupRun {
                id: run_id.clone(),
                started_at: started_at.clone(),
                duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
                caller_arn: caller_arn.clone(),
                from_snapshot: args.from_snapshot.is_some(),
                collected_at: snapshot.collected_at.clone(),
                plan,
                applied,
                dry_run_aws: args.dry_run_aws,
            };
            h.record(&run.record())
        };
    // Cleanup judges groups alone: the account checks' evidence is neither read nor judged here.
    live.options.families = vec![Family::Groups];
    let snapshot = saved.unwrap_or_else(|| live.scan(args.quiet));
    let reachable: Vec<&str> = live.connected.sessions.iter().map(|s| s.account_id.as_str()).collect();
    // Groups marked in use (sgaudit.toml's `in_use` exceptions) are never planned.
    let mut audit = sgaudit_cleanup::plan::judge(&snapshot);
    if let Some(h) = &history {
        h.remember(&snapshot, &mut audit)?;
    }
    crate::config::apply_exceptions(&mut audit, config, &marks, crate::config::Applied::InUseOnly);
    let mut plan = Plan::for_run(&snapshot, &audit, &protections, &scope, &reachable);
    drop(audit);
    // The protections that ask AWS: age (CloudTrail) and references from peered VPCs.
    let now = clock::now_epoch();
    let concurrency = usize::from(args.scope.concurrency);
    let answers = live.runtime.block_on(live::plan_evidence(&live.connected, plan.questions(), now, concurrency));
    plan.weigh(&answers, now, collected_at(&snapshot), &protections);

    text::write_plan(&mut std::io::stdout().lock(), &plan, args.apply)?;
    if let Some(path) = &args.plan_out {
        let text = serde_json::to_string_pretty(&plan)?;
        output::write_atomic(path, |w| w.write_all((text + "\n").as_bytes()))
            .map_err(|e| UsageError(format!("cannot write plan {}: {e}", output::shown(path))))?;
    }
    let planned = plan.deletions().count();
    if !args.apply || planned == 0 {
        record(&plan, None, &snapshot)?;
    }
    if planned == 0 {
        println!("\nNothing to delete.");
        return Ok(exit::OK);
    }
    if !args.apply {
        println!("\nDry run: nothing was changed. Re-run with --apply to delete the {planned} group(s) above.");
        return Ok(exit::OK);
    }

    // Production accounts, then the typed confirmation, per account.
    for (account_id, count) in &plan.accounts() {
        let (label, alias_error) = live.runtime.block_on(live::account_label(&live.connected, account_id));
        let label = printable(&label).into_owned();
        if let Some(e) = alias_error {
            eprintln!("sgaudit: the alias of account {account_id} could not be read ({})", printable(&e.to_string()));
        }
        if looks_like_production(&label) && !args.i_understand_production && !args.dry_run_aws {
            let hint = "pass --i-understand-production to delete there; nothing was changed";
            return Err(UsageError(format!("account {account_id} ({label}) looks like production: {hint}")).into());
        }
        if args.yes || args.dry_run_aws {
            continue;
        }
        let shown = if label.is_empty() { String::new() } else { format!(" ({label})") };
        eprint!("Delete {count} group(s) in account {account_id}{shown}? Type the account id to confirm: ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != account_id {
            eprintln!("sgaudit: not confirmed; account {account_id} is left as it is");
            plan.keep_account(account_id, &Reason::NotConfirmed);
        }
    }
    if plan.deletions().next().is_none() {
        println!("\nNothing was confirmed; nothing was changed.");
        return Ok(exit::OK);
    }

    // The whole evidence of every affected account-region, read again and judged again with the rest of the
    // snapshot: only what both the plan and this fresh judgement call unused may go.
    let places = plan.regions_to_check();
    if !args.quiet {
        eprintln!("sgaudit: reading every source of {} account-region(s) again before deleting", places.len());
    }
    let fresh =
        live.runtime.block_on(live::rescan(&live.connected, &live.options, &places, Some(clock::now_rfc3339())));
    let judgement = plan.judge_again(&snapshot, &fresh);
    text::write_kept_again(&mut std::io::stdout().lock(), &judgement.dropped)?;
    if plan.deletions().next().is_none() {
        println!("\nNothing is left to delete after the fresh judgement; nothing was changed.");
        return Ok(if judgement.incomplete { exit::PARTIAL } else { exit::OK });
    }

    let mut log = Log::append(&log_path).map_err(|e| UsageError(format!("cannot open {}: {e}", log_path.display())))?;
    let mut journal = text::Shown { log: &mut log, out: &mut std::io::stdout() };
    let stop = Arc::new(AtomicBool::new(false));
    // The first Ctrl-C (or SIGTERM) stops the run before its next change, with the revoked rules put back; a
    // second one ends the process at once (exit 130; the backup is on disk for `sgaudit restore`).
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 130, stop.clone())
            .context("installing the interrupt handler")?;
        signal_hook::flag::register(signal, stop.clone()).context("installing the interrupt handler")?;
    }
    let now = || clock::now_rfc3339();
    let settings = Settings { dry_run: args.dry_run_aws, stop: &stop, now: &now };
    let mut ec2 = live::LiveEc2 { connected: &live.connected, runtime: &live.runtime, dry_run: args.dry_run_aws };
    let tally = apply(&mut plan, &mut ec2, &mut journal, &settings, |groups| {
        let backup = Backup::new(env!("CARGO_PKG_VERSION"), &clock::now_rfc3339(), groups);
        let path = backup.write(&args.backup_dir, &clock::now_file_stamp())?;
        println!("Backup of {} group(s): {}", backup.groups.len(), path.display());
        Ok(path.display().to_string())
    })
    .map_err(|e| UsageError(e.to_string()))?;
    text::write_outcome(&mut std::io::stdout(), &mut std::io::stderr(), &tally, args.dry_run_aws, &log_path)?;
    record(&plan, Some(&tally), &snapshot)?;
    Ok(if tally.is_clean() && !judgement.incomplete { exit::OK } else { exit::PARTIAL })
}

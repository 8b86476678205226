//! `sgaudit cleanup`: deletes proven-unused groups, safely. The steps, in order:
//! plan (unused, unprotected groups; the rest kept with a reason) → print it → stop there unless `--apply`
//! → confirmation (typed account id, or `--yes`) → every source of the affected account-regions read again
//! and judged again → fresh definitions → backup on disk → re-check → revoke the rules between groups being
//! deleted → re-check and delete each → log every action (the sequence is `sgaudit_cleanup::apply`).
//! Every check that cannot be made keeps the group.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use futures::StreamExt;

use sgaudit_cleanup::apply::{apply, Ec2, Journal, NotStarted, Settings};
use sgaudit_cleanup::log::{Line, Log};
use sgaudit_cleanup::plan::{DAY, FRESH_UNKNOWN};
use sgaudit_cleanup::{Backup, CreationWindow, Decision, Plan, Protections, Scope, TagRule};
use sgaudit_collect::cleanup as live;
use sgaudit_report::text::printable;
use sgaudit_snapshot::{Family, Rule, SecurityGroup, Snapshot, SourceError};

use crate::scope::{clean, Live, ScopeArgs};
use crate::{clock, exit, output, UsageError};

/// CloudTrail's event history: how far back `LookupEvents` reads.
const CLOUDTRAIL_DAYS: i64 = 90;

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
}

pub fn run(args: CleanupArgs) -> anyhow::Result<u8> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if args.apply && !args.dry_run_aws && !args.yes && !interactive {
        return Err(UsageError(
            "--apply without a terminal needs --yes (the typed confirmation cannot be asked); nothing was changed"
                .into(),
        )
        .into());
    }
    let protections = protections(&args)?;
    let scope = Scope {
        accounts: clean(&args.scope.accounts),
        exclude_accounts: clean(&args.scope.exclude_accounts),
        regions: clean(&args.scope.regions),
        exclude_regions: clean(&args.scope.exclude_regions),
    };

    // Every file this run writes, checked before any AWS call; none may be what it reads.
    let log_path = args.log.clone().unwrap_or_else(|| args.backup_dir.join("sgaudit-cleanup-log.jsonl"));
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(path) = &args.plan_out {
        outputs.push(("--plan-out", path));
    }
    if let (true, Some(path)) = (args.apply, &args.log) {
        outputs.push(("--log", path));
    }
    let inputs: Vec<(&str, &std::path::Path)> =
        args.from_snapshot.iter().map(|p| ("--from-snapshot", p.as_path())).collect();
    let dirs: Vec<(&str, &std::path::Path)> =
        if args.apply && !args.dry_run_aws { vec![("--backup-dir", &args.backup_dir)] } else { Vec::new() };
    output::check_outputs(&outputs, &inputs, &dirs)?;

    // A saved plan's snapshot: checked (age, scope) before any AWS call.
    let saved = match &args.from_snapshot {
        Some(path) => {
            let snapshot = Snapshot::load(path).map_err(|e| UsageError(e.to_string()))?;
            if args.apply && !args.dry_run_aws {
                check_snapshot_age(&snapshot, path, args.max_snapshot_age, clock::now_epoch())?;
            }
            if !snapshot.regions.iter().any(|r| scope.contains(&r.account_id, &r.region)) {
                return Err(UsageError(format!(
                    "nothing in scope: no account-region of {} is within --accounts/--exclude-accounts/--region/\
                     --exclude-region",
                    path.display()
                ))
                .into());
            }
            Some(snapshot)
        }
        None => None,
    };
    let reach = match &saved {
        Some(snapshot) => args.scope.or_regions(snapshot.regions.iter().map(|r| r.region.as_str())),
        None => args.scope.clone(),
    };
    let mut live = Live::connect(&reach)?;
    // Cleanup judges groups alone: the account checks' evidence is neither read nor judged here.
    live.options.families = vec![Family::Groups];
    let snapshot = match saved {
        Some(s) => s,
        None => live.scan(args.quiet),
    };
    // When the plan's groups were seen: CloudTrail's lag is measured from there.
    let seen_at = snapshot.collected_at.as_deref().and_then(sgaudit_report::time::parse_rfc3339_ms).map(|ms| ms / 1000);
    let audit = sgaudit_audit::audit_with(&snapshot, &groups_only());
    let mut plan = Plan::new(&snapshot, &audit, &protections);
    plan.limit(&scope);
    let reachable: Vec<String> = live.connected.sessions.iter().map(|s| s.account_id.clone()).collect();
    for (account_id, region) in plan.regions_to_check() {
        if !reachable.contains(&account_id) {
            plan.keep_region(&account_id, &region, "no credentials of this run reach the account");
        }
    }

    // The protections that ask AWS: age (CloudTrail) and references from peered VPCs. Every account-region
    // at once, at most --concurrency at a time; three calls each at the most, never one per group.
    let now = clock::now_epoch();
    let since = now - CLOUDTRAIL_DAYS * DAY;
    let c = &live.connected;
    let asked: Vec<_> = plan
        .regions_to_check()
        .into_iter()
        .map(|(a, r)| {
            let candidates: Vec<(String, Option<String>)> =
                plan.deletions_in(&a, &r).map(|e| (e.group_id.clone(), e.vpc_id.clone())).collect();
            (a, r, candidates)
        })
        .collect();
    let answers: Vec<_> = live.runtime.block_on(
        futures::stream::iter(asked)
            .map(|(account_id, region, candidates)| async move {
                let creation = live::creation_times(c, &account_id, &region, since).await;
                let vpcs = live::connected_vpcs(c, &account_id, &region).await;
                let peered: Vec<String> = match &vpcs {
                    Ok(vpcs) => candidates
                        .into_iter()
                        .filter(|(_, vpc)| vpc.as_ref().is_some_and(|v| vpcs.contains(v)))
                        .map(|(id, _)| id)
                        .collect(),
                    Err(_) => Vec::new(),
                };
                let references = match peered.is_empty() {
                    true => Ok(HashMap::new()),
                    false => live::references_from_other_vpcs(c, &account_id, &region, &peered).await,
                };
                (account_id, region, creation, vpcs, references)
            })
            .buffer_unordered(usize::from(args.scope.concurrency))
            .collect(),
    );
    for (account_id, region, creation, vpcs, references) in answers {
        let creation = creation
            .as_ref()
            .map(|t| CreationWindow { since: t.since, created: t.created.clone() })
            .map_err(|e| e.to_string());
        plan.check_age(&account_id, &region, creation.as_ref().map_err(String::as_str), now, seen_at, &protections);
        match vpcs {
            Err(e) => plan.keep_region(
                &account_id,
                &region,
                &format!("VPC peering and transit gateway attachments could not be read ({e})"),
            ),
            Ok(vpcs) => {
                let references = references.map_err(|e| e.to_string());
                plan.check_peer_references(&account_id, &region, &vpcs, references.as_ref().map_err(String::as_str));
            }
        }
    }

    print_plan(&plan, args.apply);
    if let Some(path) = &args.plan_out {
        let text = serde_json::to_string_pretty(&plan)?;
        output::write_atomic(path, |w| w.write_all((text + "\n").as_bytes()))
            .map_err(|e| UsageError(format!("cannot write plan {}: {e}", output::shown(path))))?;
    }
    let planned = plan.deletions().count();
    if planned == 0 {
        println!("\nNothing to delete.");
        return Ok(exit::OK);
    }
    if !args.apply {
        println!("\nDry run: nothing was changed. Re-run with --apply to delete the {planned} group(s) above.");
        return Ok(exit::OK);
    }

    // Production accounts, then the typed confirmation, per account.
    let accounts: BTreeSet<String> = plan.deletions().map(|e| e.account_id.clone()).collect();
    for account_id in &accounts {
        let alias = live.runtime.block_on(live::account_alias(&live.connected, account_id));
        let name = live.connected.session(account_id).and_then(|s| s.name.clone());
        let label =
            [alias.as_ref().ok().cloned().flatten(), name].into_iter().flatten().collect::<Vec<_>>().join(" / ");
        let label = printable(&label).into_owned();
        if let Err(e) = &alias {
            eprintln!("sgaudit: the alias of account {account_id} could not be read ({})", printable(&e.to_string()));
        }
        if sgaudit_cleanup::plan::looks_like_production(&label) && !args.i_understand_production && !args.dry_run_aws {
            return Err(UsageError(format!(
                "account {account_id} ({label}) looks like production: pass --i-understand-production to delete there; \
                 nothing was changed"
            ))
            .into());
        }
        if args.yes || args.dry_run_aws {
            continue;
        }
        let count = plan.deletions().filter(|e| &e.account_id == account_id).count();
        let shown = if label.is_empty() { String::new() } else { format!(" ({label})") };
        eprint!("Delete {count} group(s) in account {account_id}{shown}? Type the account id to confirm: ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != account_id {
            eprintln!("sgaudit: not confirmed; account {account_id} is left as it is");
            let regions: Vec<(String, String)> =
                plan.regions_to_check().into_iter().filter(|(a, _)| a == account_id).collect();
            for (a, r) in regions {
                plan.keep_region(&a, &r, "not confirmed");
            }
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
    let before: BTreeSet<String> = plan.deletions().map(|e| e.group_id.clone()).collect();
    let fresh =
        live.runtime.block_on(live::rescan(&live.connected, &live.options, &places, Some(clock::now_rfc3339())));
    let merged = with_fresh_regions(&snapshot, &fresh);
    let fresh_audit = sgaudit_audit::audit_with(&merged, &groups_only());
    plan.recheck(&merged, &fresh_audit);
    let dropped: Vec<&sgaudit_cleanup::Entry> = plan.kept().filter(|e| before.contains(&e.group_id)).collect();
    if !dropped.is_empty() {
        println!("\nKept after judging the fresh evidence again:");
        for e in &dropped {
            println!("  keep   {} ({}) — {}", e.group_id, printable(&e.group_name), printable(&e.reason));
        }
    }
    // A group kept because its fresh evidence could not be read was left for want of an answer (exit 3).
    let fresh_incomplete = dropped.iter().any(|e| e.reason.starts_with(FRESH_UNKNOWN));
    if plan.deletions().next().is_none() {
        println!("\nNothing is left to delete after the fresh judgement; nothing was changed.");
        return Ok(if fresh_incomplete { exit::PARTIAL } else { exit::OK });
    }

    let mut log = Log::append(&log_path).map_err(|e| UsageError(format!("cannot open {}: {e}", log_path.display())))?;
    let mut journal = Printed { log: &mut log };
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
    let mut ec2 = LiveEc2 { live: &live, dry_run: args.dry_run_aws, region_shown: None };
    let backup_dir = args.backup_dir.clone();
    let tally = apply(&mut plan, &mut ec2, &mut journal, &settings, |groups| {
        let backup = Backup::new(env!("CARGO_PKG_VERSION"), &clock::now_rfc3339(), groups);
        let path = backup
            .write(&backup_dir, &clock::now_file_stamp())
            .map_err(|e| format!("cannot write the backup in {}: {e}; nothing was changed", backup_dir.display()))?;
        println!("Backup of {} group(s): {}", backup.groups.len(), path.display());
        Ok(path.display().to_string())
    });
    let tally = match tally {
        Ok(t) => t,
        Err(NotStarted::Backup(why)) => return Err(UsageError(why).into()),
    };

    let verb = if args.dry_run_aws { "would delete (DryRun accepted)" } else { "deleted" };
    println!(
        "\nCleanup: {} {verb}, {} skipped, {} failed. Log: {}",
        tally.deleted,
        tally.skipped,
        tally.failed,
        log_path.display()
    );
    if let Some(why) = &tally.halted {
        eprintln!("sgaudit: the cleanup stopped early: {why}; the groups not deleted keep their rules");
    }
    for lost in &tally.not_put_back {
        eprintln!(
            "sgaudit: {}; `sgaudit restore {}` puts them back",
            printable(lost),
            tally.backup.as_deref().unwrap_or("BACKUP")
        );
    }
    Ok(if tally.is_clean() && !fresh_incomplete { exit::OK } else { exit::PARTIAL })
}

/// `--apply` from a saved snapshot: only a recent one (its groups may have changed since).
fn check_snapshot_age(snapshot: &Snapshot, path: &std::path::Path, max_hours: u32, now: i64) -> Result<(), UsageError> {
    let Some(at) = snapshot.collected_at.as_deref() else {
        return Err(UsageError(format!(
            "{} does not say when it was collected: --apply needs a snapshot of at most {max_hours} hour(s) (or plan from a fresh scan)",
            path.display()
        )));
    };
    let Some(secs) = sgaudit_report::time::parse_rfc3339_ms(at).map(|ms| ms / 1000) else {
        return Err(UsageError(format!(
            "{}: collected_at `{}` is not an RFC 3339 time",
            path.display(),
            printable(at)
        )));
    };
    let age = now - secs;
    if age < -300 {
        return Err(UsageError(format!(
            "{} says it was collected at {at}, in the future: check the clock; nothing was changed",
            path.display()
        )));
    }
    if age > i64::from(max_hours) * 3600 {
        return Err(UsageError(format!(
            "{} was collected {} hour(s) ago, more than --max-snapshot-age {max_hours}: scan again (or plan from a fresh \
             scan); nothing was changed",
            path.display(),
            age / 3600
        )));
    }
    Ok(())
}

/// The snapshot with the account-regions of `fresh` replaced by their fresh reading.
fn with_fresh_regions(old: &Snapshot, fresh: &Snapshot) -> Snapshot {
    let mut merged = old.clone();
    merged.regions.retain(|r| !fresh.regions.iter().any(|f| f.account_id == r.account_id && f.region == r.region));
    merged.regions.extend(fresh.regions.iter().cloned());
    merged.normalize();
    merged
}

/// The journal of a real run: each line appended to the log (synced) and shown on standard output.
struct Printed<'a> {
    log: &'a mut Log,
}

impl Journal for Printed<'_> {
    fn write(&mut self, line: &Line) -> std::io::Result<()> {
        let shown_reason =
            if line.reason.is_empty() { String::new() } else { format!(" — {}", printable(line.reason)) };
        println!(
            "  {:<6} {} ({}): {}{shown_reason}",
            line.action,
            printable(line.group_id),
            printable(line.group_name),
            line.result
        );
        self.log.write(line)
    }
}

/// The real EC2, through the run's sessions.
struct LiveEc2<'a> {
    live: &'a Live,
    dry_run: bool,
    /// The account-region last shown as a heading.
    region_shown: Option<(String, String)>,
}

impl LiveEc2<'_> {
    fn heading(&mut self, account_id: &str, region: &str) {
        let place = (account_id.to_string(), region.to_string());
        if self.region_shown.as_ref() != Some(&place) {
            println!("\n{account_id} / {region}");
            self.region_shown = Some(place);
        }
    }
}

impl Ec2 for LiveEc2<'_> {
    fn describe(&mut self, account_id: &str, region: &str, ids: &[String]) -> Result<Vec<SecurityGroup>, SourceError> {
        self.live.runtime.block_on(live::describe_groups(&self.live.connected, account_id, region, ids))
    }

    fn users_now(
        &mut self,
        account_id: &str,
        region: &str,
        ids: &[String],
    ) -> Result<HashMap<String, Vec<String>>, SourceError> {
        self.heading(account_id, region);
        self.live.runtime.block_on(live::users_now(&self.live.connected, account_id, region, ids))
    }

    fn revoke(
        &mut self,
        account_id: &str,
        region: &str,
        group_id: &str,
        ingress: &[Rule],
        egress: &[Rule],
    ) -> Result<(), SourceError> {
        let c = &self.live.connected;
        self.live.runtime.block_on(live::revoke(c, account_id, region, group_id, ingress, egress, self.dry_run))
    }

    fn delete(&mut self, account_id: &str, region: &str, group_id: &str) -> Result<(), SourceError> {
        self.live.runtime.block_on(live::delete(&self.live.connected, account_id, region, group_id, self.dry_run))
    }

    fn authorize(
        &mut self,
        account_id: &str,
        region: &str,
        group_id: &str,
        ingress: &[Rule],
        egress: &[Rule],
    ) -> Result<(), SourceError> {
        let c = &self.live.connected;
        let done = self
            .live
            .runtime
            .block_on(sgaudit_collect::restore::authorize(c, account_id, region, group_id, ingress, egress))?;
        done.into_result()
    }
}

fn protections(args: &CleanupArgs) -> Result<Protections, UsageError> {
    let mut p = Protections::default();
    for t in &args.protect_tags {
        p.tags.push(TagRule::parse(t).map_err(UsageError)?);
    }
    p.names.extend(args.protect_names.iter().cloned());
    p.min_age_secs = i64::from(args.min_age) * DAY;
    p.ignore_age = args.ignore_age;
    Ok(p)
}

fn print_plan(plan: &Plan, apply: bool) {
    let deleting = plan.deletions().count();
    let kept = plan.kept().count();
    println!(
        "Cleanup plan: {deleting} group(s) to delete, {kept} unused or unknown group(s) kept, {} in use{}",
        plan.in_use,
        if apply { "" } else { " (dry run)" }
    );
    let mut place = (String::new(), String::new());
    for e in &plan.entries {
        if (&e.account_id, &e.region) != (&place.0, &place.1) {
            place = (e.account_id.clone(), e.region.clone());
            println!("\n{} / {}", e.account_id, e.region);
        }
        let what = match e.decision {
            Decision::Delete => "DELETE",
            Decision::Keep => "keep  ",
        };
        println!("  {what} {} ({}) — {}", e.group_id, printable(&e.group_name), printable(&e.reason));
    }
}

/// The audit cleanup makes: the `groups` family alone.
fn groups_only() -> sgaudit_audit::Options {
    sgaudit_audit::Options { families: Some(vec![Family::Groups]), ..sgaudit_audit::Options::default() }
}

//! `sgaudit cleanup`: deletes proven-unused groups, safely. The steps, in order:
//! plan (unused, unprotected groups; the rest kept with a reason) → print it → stop there unless `--apply`
//! → confirmation (typed account id, or `--yes`) → fresh definitions → backup on disk → re-check →
//! revoke the rules between groups being deleted → re-check and delete each → log every action.
//! Every check that cannot be made keeps the group.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use futures::StreamExt;

use sgaudit_cleanup::log::{Line, Log};
use sgaudit_cleanup::plan::DAY;
use sgaudit_cleanup::{order, BackedUp, Backup, CreationWindow, Decision, Plan, Protections, TagRule};
use sgaudit_collect::cleanup as live;
use sgaudit_snapshot::{SecurityGroup, Snapshot};

use crate::scope::{clean, Live, ScopeArgs};
use crate::{clock, exit, UsageError};

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
    /// Allow deleting in accounts whose alias or name contains "prod".
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

    // The plan: a fresh scan (or a saved one), judged, and the protections that need no AWS call.
    let saved = match &args.from_snapshot {
        Some(path) => Some(Snapshot::load(path).map_err(|e| UsageError(e.to_string()))?),
        None => None,
    };
    let scope = match &saved {
        Some(snapshot) => args.scope.or_regions(snapshot.regions.iter().map(|r| r.region.as_str())),
        None => args.scope.clone(),
    };
    let live = Live::connect(&scope)?;
    let snapshot = match saved {
        Some(s) => s,
        None => live.scan(args.quiet),
    };
    let audit = sgaudit_audit::audit(&snapshot);
    let mut plan = Plan::new(&snapshot, &audit, &protections);
    plan.limit(&clean(&args.scope.accounts), &clean(&args.scope.regions));
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
        plan.check_age(&account_id, &region, creation.as_ref().map_err(String::as_str), now, &protections);
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
        std::fs::write(path, text + "\n")
            .map_err(|e| UsageError(format!("cannot write plan {}: {e}", path.display())))?;
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
        if let Err(e) = &alias {
            eprintln!("sgaudit: the alias of account {account_id} could not be read ({e})");
        }
        if label.to_ascii_lowercase().contains("prod") && !args.i_understand_production && !args.dry_run_aws {
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

    let log_path = args.log.clone().unwrap_or_else(|| args.backup_dir.join("sgaudit-cleanup-log.jsonl"));
    let mut log = Log::append(&log_path).map_err(|e| UsageError(format!("cannot open {}: {e}", log_path.display())))?;
    let mut run = Run { log: &mut log, backup: None, tally: Tally::default(), dry_run: args.dry_run_aws };

    // Fresh definitions of every planned group: what the backup holds and what the revocations use.
    let mut fresh: BTreeMap<(String, String), Vec<SecurityGroup>> = BTreeMap::new();
    for (account_id, region) in plan.regions_to_check() {
        let ids: Vec<String> = plan.deletions_in(&account_id, &region).map(|e| e.group_id.clone()).collect();
        match live.runtime.block_on(live::describe_groups(&live.connected, &account_id, &region, &ids)) {
            Ok(groups) => {
                for id in ids.iter().filter(|id| !groups.iter().any(|g| &&g.group_id == id)) {
                    let name = plan_name(&plan, &account_id, &region, id);
                    run.record(&account_id, &region, id, &name, "skip", "skipped", "already gone");
                    plan.keep(&account_id, &region, id, "already gone".into());
                }
                fresh.insert((account_id, region), groups);
            }
            Err(e) => {
                run.tally.incomplete = true;
                let reason = format!("could not re-read the groups ({e})");
                for id in &ids {
                    let name = plan_name(&plan, &account_id, &region, id);
                    run.record(&account_id, &region, id, &name, "skip", "skipped", &reason);
                }
                plan.keep_region(&account_id, &region, &reason);
            }
        }
    }

    // The backup, on disk before anything changes. No backup, no delete.
    if !args.dry_run_aws {
        let groups: Vec<BackedUp> = fresh
            .iter()
            .flat_map(|((a, r), gs)| {
                gs.iter().map(|g| BackedUp { account_id: a.clone(), region: r.clone(), group: g.clone() })
            })
            .collect();
        let backup = Backup::new(env!("CARGO_PKG_VERSION"), &clock::now_rfc3339(), groups);
        let path = backup.write(&args.backup_dir, &clock::now_file_stamp()).map_err(|e| {
            UsageError(format!("cannot write the backup in {}: {e}; nothing was deleted", args.backup_dir.display()))
        })?;
        println!("Backup of {} group(s): {}", backup.groups.len(), path.display());
        run.backup = Some(path.display().to_string());
    }

    for ((account_id, region), groups) in fresh {
        run.region(&live, &mut plan, &account_id, &region, groups);
    }

    let t = &run.tally;
    let verb = if args.dry_run_aws { "would delete (DryRun accepted)" } else { "deleted" };
    println!(
        "\nCleanup: {} {verb}, {} skipped, {} failed. Log: {}",
        t.deleted,
        t.skipped,
        t.failed,
        log_path.display()
    );
    Ok(if t.failed > 0 || t.incomplete { exit::PARTIAL } else { exit::OK })
}

#[derive(Default)]
struct Tally {
    deleted: usize,
    skipped: usize,
    failed: usize,
    /// A check or call failed, so some planned group was left alone for want of an answer.
    incomplete: bool,
}

struct Run<'a> {
    log: &'a mut Log,
    backup: Option<String>,
    tally: Tally,
    dry_run: bool,
}

impl Run<'_> {
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        account_id: &str,
        region: &str,
        group_id: &str,
        name: &str,
        action: &str,
        result: &str,
        reason: &str,
    ) {
        match (action, result) {
            ("delete", "ok" | "dry-run-ok") => self.tally.deleted += 1,
            (_, "skipped") => self.tally.skipped += 1,
            ("delete", _) => self.tally.failed += 1,
            _ => {}
        }
        let line = Line {
            time: &clock::now_rfc3339(),
            account_id,
            region,
            group_id,
            group_name: name,
            action,
            result,
            reason,
            backup: self.backup.as_deref(),
        };
        if let Err(e) = self.log.write(&line) {
            eprintln!("sgaudit: cannot append to {}: {e}", self.log.path().display());
        }
        println!(
            "  {action:<6} {group_id} ({name}): {result}{}",
            if reason.is_empty() { String::new() } else { format!(" — {reason}") }
        );
    }

    /// One account-region: re-check, revoke the rules between the groups, then re-check and delete each.
    fn region(&mut self, live: &Live, plan: &mut Plan, account_id: &str, region: &str, groups: Vec<SecurityGroup>) {
        let c = &live.connected;
        let rt = &live.runtime;
        println!("\n{account_id} / {region}");
        let names: HashMap<String, String> =
            groups.iter().map(|g| (g.group_id.clone(), g.group_name.clone())).collect();
        let name = |id: &str| names.get(id).cloned().unwrap_or_default();

        // Re-check the whole set: anything holding a group that is not itself being deleted keeps it.
        let ids: Vec<String> = groups.iter().map(|g| g.group_id.clone()).collect();
        let users = match rt.block_on(live::users_now(c, account_id, region, &ids)) {
            Ok(users) => users,
            Err(e) => {
                self.tally.incomplete = true;
                let reason = format!("the re-check could not be made ({e}); nothing deleted here");
                for id in &ids {
                    self.record(account_id, region, id, &name(id), "skip", "skipped", &reason);
                }
                return;
            }
        };
        let mut set: BTreeSet<String> = ids.iter().cloned().collect();
        loop {
            let blocked: Vec<(String, String)> = set
                .iter()
                .filter_map(|id| {
                    let outside: Vec<&String> =
                        users.get(id)?.iter().filter(|u| !set.contains(user_group(u))).collect();
                    (!outside.is_empty())
                        .then(|| (id.clone(), outside.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")))
                })
                .collect();
            if blocked.is_empty() {
                break;
            }
            for (id, by) in blocked {
                set.remove(&id);
                let reason = format!("became used since the scan: {by}");
                self.record(account_id, region, &id, &name(&id), "skip", "skipped", &reason);
                plan.keep(account_id, region, &id, reason);
            }
        }
        let groups: Vec<SecurityGroup> = groups.into_iter().filter(|g| set.contains(&g.group_id)).collect();
        let (revocations, sequence) = order::order(&groups);

        for r in &revocations {
            let result =
                rt.block_on(live::revoke(c, account_id, region, &r.group_id, &r.ingress, &r.egress, self.dry_run));
            let links = r.ingress.len() + r.egress.len();
            let (result, reason) = match result {
                Ok(()) => (
                    if self.dry_run { "dry-run-ok" } else { "ok" },
                    format!("{links} rule(s) naming other groups being deleted"),
                ),
                Err(e) => ("failed", e.to_string()),
            };
            self.record(account_id, region, &r.group_id, &name(&r.group_id), "revoke", result, &reason);
        }

        for id in &sequence {
            // Right before the delete, once more: this group alone.
            match rt.block_on(live::users_now(c, account_id, region, std::slice::from_ref(id))) {
                Ok(users) => {
                    let outside: Vec<&String> =
                        users.get(id).into_iter().flatten().filter(|u| !set.contains(user_group(u))).collect();
                    if !outside.is_empty() {
                        let by = outside.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                        self.put_back(live, account_id, region, id, &revocations);
                        self.record(
                            account_id,
                            region,
                            id,
                            &name(id),
                            "skip",
                            "skipped",
                            &format!("became used since the scan: {by}"),
                        );
                        continue;
                    }
                }
                Err(e) => {
                    self.tally.incomplete = true;
                    self.put_back(live, account_id, region, id, &revocations);
                    let reason = format!("the re-check could not be made ({e})");
                    self.record(account_id, region, id, &name(id), "skip", "skipped", &reason);
                    continue;
                }
            }
            match rt.block_on(live::delete(c, account_id, region, id, self.dry_run)) {
                Ok(()) => {
                    let result = if self.dry_run { "dry-run-ok" } else { "ok" };
                    self.record(account_id, region, id, &name(id), "delete", result, "");
                }
                Err(e) => self.record(account_id, region, id, &name(id), "delete", "failed", &e.to_string()),
            }
        }
    }

    /// A group that is kept after its links were revoked gets them back, from the definitions backed up.
    fn put_back(&mut self, live: &Live, account_id: &str, region: &str, id: &str, revocations: &[order::Revocation]) {
        if self.dry_run {
            return;
        }
        let Some(r) = revocations.iter().find(|r| r.group_id == id) else { return };
        let result = live.runtime.block_on(sgaudit_collect::restore::authorize(
            &live.connected,
            account_id,
            region,
            id,
            &r.ingress,
            &r.egress,
        ));
        let (result, reason) = match result {
            Ok(()) => ("ok", "its revoked rules were put back".to_string()),
            Err(e) => ("failed", format!("its revoked rules could not be put back ({e}); see the backup")),
        };
        self.record(account_id, region, id, "", "reauthorize", result, &reason);
    }
}

/// The group id in a re-check answer (`sg-… (rule)`), or the answer itself (an interface).
fn user_group(user: &str) -> &str {
    user.split_whitespace().next().unwrap_or(user)
}

fn plan_name(plan: &Plan, account_id: &str, region: &str, id: &str) -> String {
    plan.entries
        .iter()
        .find(|e| e.account_id == account_id && e.region == region && e.group_id == id)
        .map(|e| e.group_name.clone())
        .unwrap_or_default()
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
        println!("  {what} {} ({}) — {}", e.group_id, e.group_name, e.reason);
    }
}

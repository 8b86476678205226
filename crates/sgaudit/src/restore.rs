//! `sgaudit restore BACKUP`: recreates the groups of a cleanup backup in their VPCs, with their description,
//! tags and rules; rules naming groups restored (now or by an earlier run) point at the new ids. Groups of the
//! backup that still exist (a cleanup that stopped, or skipped them) get back the rules of the backup they
//! lack. Idempotent: each restored group carries a tag naming its old id, and a second run finds it and only
//! makes sure its rules are there. Every rule that can be applied is; each one that cannot is reported.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use sgaudit_cleanup::{restore, Backup};
use sgaudit_collect::restore as live;

use crate::error::Kind;
use crate::memory::{self, History, StoreArgs};
use crate::scope::{Live, ScopeArgs};
use crate::{exit, Error, UsageError};

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file written by `sgaudit cleanup --apply`.
    backup: PathBuf,
    /// Only these groups (their old ids; repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    groups: Option<Vec<String>>,
    #[command(flatten)]
    scope: ScopeArgs,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: RestoreArgs, configured_store: Option<&str>) -> Result<u8, Error> {
    let started = std::time::Instant::now();
    let started_at = crate::clock::now_rfc3339();
    let backup = Backup::load(&args.backup).map_err(|why| {
        Error::new(Kind::Input, why).with_help(
            "give the backup file `sgaudit cleanup --apply` wrote (it names it when it starts: `Backup of N \
             group(s): PATH`), whole and unedited",
        )
    })?;
    let only = match &args.groups {
        Some(given) => {
            let ids = crate::scope::clean(given);
            if ids.is_empty() {
                return Err(UsageError(
                    "--groups names no group: give the old ids to restore, or leave it out to restore the whole backup"
                        .into(),
                )
                .into());
            }
            ids
        }
        None => Vec::new(),
    };
    let chosen = restore::chosen(&backup, &only).map_err(UsageError)?;
    // The history, before any AWS call: the restore is recorded with what it made.
    let history = History::for_run(&args.store, configured_store)?;
    let reach = Live::connect(&args.scope.or_regions(chosen.iter().map(|g| g.region.as_str())))?;
    let (c, rt) = (&reach.connected, &reach.runtime);

    // Per account-region: which groups of the backup still exist, and which were restored by an earlier run
    // (one list of the marked groups, not a call per group).
    let mut places: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for g in &backup.groups {
        places.entry((&g.account_id, &g.region)).or_default().push(g.group.group_id.clone());
    }
    let chosen_places: BTreeSet<(&str, &str)> =
        chosen.iter().map(|g| (g.account_id.as_str(), g.region.as_str())).collect();
    let mut still_there: BTreeSet<String> = BTreeSet::new();
    let mut new_ids: HashMap<String, String> = HashMap::new();
    for ((account_id, region), ids) in places.iter().filter(|(p, _)| chosen_places.contains(p)) {
        // Without the answer, a group could be created twice: stop. Refused is the user's to fix (exit 2); no
        // answer is AWS's failure (exit 5). Nothing has been changed yet: every place is asked before any
        // group is made.
        let cannot = |e: sgaudit_snapshot::SourceError| {
            Error::aws_call(format!("cannot tell which groups of the backup exist in {account_id} / {region}: {e}"), &e)
        };
        let groups =
            rt.block_on(sgaudit_collect::cleanup::describe_groups(c, account_id, region, ids)).map_err(cannot)?;
        still_there.extend(groups.into_iter().map(|g| g.group_id));
        new_ids.extend(rt.block_on(live::restored_in_region(c, account_id, region)).map_err(cannot)?);
    }

    // First every group (found from an earlier run, or created), so that rules can name any of them.
    let mut targets: Vec<(&sgaudit_cleanup::BackedUp, String)> = Vec::new();
    let (mut created, mut already, mut existing, mut failed) = (0, 0, 0, 0);
    for g in &chosen {
        let old = &g.group.group_id;
        let where_ = format!("{} in {} / {}", g.group.group_name, g.account_id, g.region);
        if still_there.contains(old) {
            existing += 1;
            say(format!("{old}: still exists ({where_}); the rules of the backup it lacks are put back"));
            targets.push((g, old.clone()));
            continue;
        }
        if let Some(new) = new_ids.get(old) {
            already += 1;
            say(format!("{old} -> {new} (already restored: {where_})"));
            targets.push((g, new.clone()));
            continue;
        }
        match rt.block_on(live::create(c, &g.account_id, &g.region, &g.group)) {
            Ok(new) => {
                created += 1;
                say(format!("{old} -> {new} (created: {where_})"));
                new_ids.insert(old.clone(), new.clone());
                targets.push((g, new));
            }
            Err(e) => {
                failed += 1;
                say(format!("{old}: not restored: {e}"));
            }
        }
    }

    // Then the rules, with references to restored groups mapped; every rule that can be applied is.
    let (mut added, mut rules_failed) = (0, 0);
    for (g, id) in &targets {
        let ingress = restore::map_rules(&g.group.ingress, &new_ids);
        let egress = restore::map_rules(&g.group.egress, &new_ids);
        match rt.block_on(live::authorize(c, &g.account_id, &g.region, id, &ingress, &egress)) {
            Ok(done) => {
                added += done.added;
                rules_failed += done.failed.len();
                for (rule, e) in &done.failed {
                    say(format!("{id}: rule not restored: {rule}: {e}"));
                }
            }
            Err(e) => {
                failed += 1;
                say(format!("{id}: its rules could not be restored: {e}"));
            }
        }
    }
    println!(
        "\nRestore: {created} created, {already} already restored, {existing} never deleted, {failed} failed, \
         {rules_failed} rule(s) not restored ({added} rule(s) added; {} group(s) chosen from the backup).",
        chosen.len()
    );
    if let Some(h) = history.as_ref().filter(|h| h.records) {
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        let restored: BTreeMap<&str, &str> = new_ids.iter().map(|(old, new)| (old.as_str(), new.as_str())).collect();
        let detail = serde_json::json!({
            "backup": args.backup.display().to_string(),
            "restored": restored,
        });
        let counts = [
            ("chosen", n(chosen.len())),
            ("created", n(created)),
            ("already_restored", n(already)),
            ("never_deleted", n(existing)),
            ("failed", n(failed)),
            ("rules_added", n(added)),
            ("rules_failed", n(rules_failed)),
        ];
        h.record(&memory::other_run(
            sgaudit_store::RunKind::Restore,
            &started_at,
            started.elapsed(),
            reach.connected.caller_arn.clone(),
            counts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            detail.to_string(),
        ))?;
    }
    Ok(if failed > 0 || rules_failed > 0 { exit::PARTIAL } else { exit::OK })
}

/// One line of the restore's output: ids, names and AWS messages come from a backup file or from AWS, so
/// their control characters are shown, never run by the terminal.
fn say(line: String) {
    println!("{}", sgaudit_report::printable(&line));
}

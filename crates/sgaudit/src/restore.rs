//! `sgaudit restore BACKUP`: recreates the groups of a cleanup backup in their VPCs, with their description,
//! tags and rules; rules between groups restored together point at the new ids. Idempotent: each restored
//! group carries a tag naming its old id, and a second run finds it and only makes sure its rules are there.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use sgaudit_cleanup::{restore, Backup};
use sgaudit_collect::restore as live;

use crate::scope::{Live, ScopeArgs};
use crate::{exit, UsageError};

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file written by `sgaudit cleanup --apply`.
    backup: PathBuf,
    /// Only these groups (their old ids; repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    groups: Vec<String>,
    #[command(flatten)]
    scope: ScopeArgs,
}

pub fn run(args: RestoreArgs) -> anyhow::Result<u8> {
    let backup = Backup::load(&args.backup).map_err(UsageError)?;
    let chosen = restore::chosen(&backup, &crate::scope::clean(&args.groups)).map_err(UsageError)?;
    let reach = Live::connect(&args.scope.or_regions(chosen.iter().map(|g| g.region.as_str())))?;
    let (c, rt) = (&reach.connected, &reach.runtime);

    // Groups of the backup that were never deleted (the cleanup skipped them) are still there: left alone.
    let mut places: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for g in &chosen {
        places.entry((&g.account_id, &g.region)).or_default().push(g.group.group_id.clone());
    }
    let mut still_there: BTreeSet<String> = BTreeSet::new();
    let mut failed = 0;
    for ((account_id, region), ids) in &places {
        match rt.block_on(sgaudit_collect::cleanup::describe_groups(c, account_id, region, ids)) {
            Ok(groups) => still_there.extend(groups.into_iter().map(|g| g.group_id)),
            Err(e) => {
                return Err(UsageError(format!(
                    "cannot tell which groups of the backup still exist in {account_id} / {region}: {e}"
                ))
                .into())
            }
        }
    }

    // First every group (found from an earlier run, or created), so that rules can name any of them.
    let mut new_ids: HashMap<String, String> = HashMap::new();
    let mut created = 0;
    let mut existing = 0;
    for g in &chosen {
        let old = &g.group.group_id;
        let where_ = format!("{} in {} / {}", g.group.group_name, g.account_id, g.region);
        if still_there.contains(old) {
            existing += 1;
            println!("{old}: still exists, nothing to restore ({where_})");
            continue;
        }
        let found = rt.block_on(live::find_restored(c, &g.account_id, &g.region, old));
        let outcome = match found {
            Ok(Some(new)) => Ok((new, "already restored")),
            Ok(None) => rt.block_on(live::create(c, &g.account_id, &g.region, &g.group)).map(|new| (new, "created")),
            Err(e) => Err(e),
        };
        match outcome {
            Ok((new, how)) => {
                if how == "created" {
                    created += 1;
                }
                println!("{old} -> {new} ({how}: {where_})");
                new_ids.insert(old.clone(), new);
            }
            Err(e) => {
                failed += 1;
                println!("{old}: not restored: {e}");
            }
        }
    }
    // Then the rules, with references between restored groups mapped.
    for g in &chosen {
        let Some(new) = new_ids.get(&g.group.group_id) else { continue };
        let ingress = restore::map_rules(&g.group.ingress, &new_ids);
        let egress = restore::map_rules(&g.group.egress, &new_ids);
        if let Err(e) = rt.block_on(live::authorize(c, &g.account_id, &g.region, new, &ingress, &egress)) {
            failed += 1;
            println!("{new}: rules not all restored: {e}");
        }
    }
    println!(
        "\nRestore: {created} created, {} already restored, {existing} never deleted, {failed} failed (of {} group(s) \
         chosen from the backup).",
        new_ids.len() - created,
        chosen.len()
    );
    Ok(if failed > 0 { exit::PARTIAL } else { exit::OK })
}

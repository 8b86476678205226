//! Restore, the pure part: which backed-up groups to recreate, and their rules with the ids of groups that
//! were restored together mapped to their new ids.

use std::collections::HashMap;

use sgaudit_snapshot::Rule;

use crate::backup::{BackedUp, Backup};

/// The groups of `backup` to restore: all, or those whose old id is in `only`. An id in `only` that the
/// backup does not hold is an error.
pub fn chosen<'a>(backup: &'a Backup, only: &[String]) -> Result<Vec<&'a BackedUp>, String> {
    if let Some(missing) = only.iter().find(|id| !backup.groups.iter().any(|g| &g.group.group_id == *id)) {
        return Err(format!("{missing} is not in the backup"));
    }
    Ok(backup.groups.iter().filter(|g| only.is_empty() || only.contains(&g.group.group_id)).collect())
}

/// `rules` with every group they name that was restored (old id → new id) renamed.
pub fn map_rules(rules: &[Rule], new_ids: &HashMap<String, String>) -> Vec<Rule> {
    rules
        .iter()
        .map(|r| {
            let mut r = r.clone();
            for peer in &mut r.groups {
                if let Some(new) = new_ids.get(&peer.group_id) {
                    peer.group_id = new.clone();
                }
            }
            r
        })
        .collect()
}

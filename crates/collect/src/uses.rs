//! What each use of sgaudit needs from IAM: the actions of a scan (one use per family of checks), of reaching
//! an organization, of the Security Hub push, of cleanup and of restore, and where each belongs. One truth
//! for `sgaudit permissions` (the policies it prints and deploys) and `sgaudit preflight` (the actions it
//! proves), gathered from what the sources and commands declare.

use sgaudit_snapshot::Family;

use crate::source::Action;
use crate::{accounts, cleanup, identity, registry, restore, securityhub};

/// A use of sgaudit, as `--for` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Use {
    /// What every scan calls first: who the caller is and which regions are enabled.
    Scan,
    /// The sources one family of checks reads.
    Checks(Family),
    /// Finding the organization's accounts and assuming the role in each.
    Org,
    /// `scan --push-security-hub`.
    SecurityHub,
    /// `cleanup`: the plan's extra reads, the re-check, the dry-run-able writes, putting rules back.
    Cleanup,
    /// `restore`.
    Restore,
}

/// The account a use's policy belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// Every account read or changed: the role sgaudit assumes there (`--role-name`), or the profile's user or
    /// role for a single account.
    Member,
    /// The account that runs sgaudit with `--org`: the organization's management account or a delegated
    /// administrator for AWS Organizations.
    Management,
}

impl Home {
    pub fn describe(self) -> &'static str {
        match self {
            Home::Member => "every account scanned (the role assumed there, or the profile's identity)",
            Home::Management => "the account that runs sgaudit --org (management or delegated administrator)",
        }
    }
}

impl Use {
    /// Every use, in the order policies list them.
    pub fn all() -> Vec<Use> {
        let mut all = vec![Use::Scan];
        all.extend(Family::ALL.iter().map(|f| Use::Checks(*f)));
        all.extend([Use::Org, Use::SecurityHub, Use::Cleanup, Use::Restore]);
        all
    }

    /// As `--for` spells it: `scan`, `checks:iam`, `org`, `security-hub`, `cleanup`, `restore`.
    pub fn id(self) -> String {
        match self {
            Use::Scan => "scan".to_string(),
            Use::Checks(f) => format!("checks:{}", f.id()),
            Use::Org => "org".to_string(),
            Use::SecurityHub => "security-hub".to_string(),
            Use::Cleanup => "cleanup".to_string(),
            Use::Restore => "restore".to_string(),
        }
    }

    /// The statement id of its part of a policy: `SgauditChecksCloudTrail`.
    pub fn sid(self) -> String {
        match self {
            Use::Scan => "SgauditScan".to_string(),
            Use::Checks(f) => format!("SgauditChecks{}", family_sid(f)),
            Use::Org => "SgauditOrganization".to_string(),
            Use::SecurityHub => "SgauditSecurityHub".to_string(),
            Use::Cleanup => "SgauditCleanup".to_string(),
            Use::Restore => "SgauditRestore".to_string(),
        }
    }

    /// What it is for, in a few words.
    pub fn title(self) -> String {
        match self {
            Use::Scan => "every scan: the caller's identity and the enabled regions".to_string(),
            Use::Checks(f) => format!("scan: the evidence of the {} checks", f.id()),
            Use::Org => "scan --org: list the organization's accounts, assume the role in each".to_string(),
            Use::SecurityHub => "scan --push-security-hub: import the findings".to_string(),
            Use::Cleanup => "cleanup: the plan's checks, the re-check, revoke and delete, put rules back".to_string(),
            Use::Restore => "restore: recreate groups and their rules from a backup".to_string(),
        }
    }

    pub fn home(self) -> Home {
        match self {
            Use::Org => Home::Management,
            _ => Home::Member,
        }
    }

    /// Whether it changes anything in AWS (its actions are writes, proven by dry runs where EC2 has them).
    pub fn writes(self) -> bool {
        matches!(self, Use::SecurityHub | Use::Cleanup | Use::Restore)
    }

    /// Its actions, each once, sorted by name.
    pub fn actions(self) -> Vec<Action> {
        let mut actions: Vec<Action> = match self {
            Use::Scan => identity::ACTIONS.to_vec(),
            Use::Checks(f) => registry::family_sources(f).iter().flat_map(|s| s.actions.iter().copied()).collect(),
            Use::Org => accounts::ORG_ACTIONS.to_vec(),
            Use::SecurityHub => securityhub::ACTIONS.to_vec(),
            Use::Cleanup => [cleanup::PLAN_ACTIONS, cleanup::DELETE_ACTIONS, cleanup::PUT_BACK_ACTIONS].concat(),
            Use::Restore => restore::ACTIONS.to_vec(),
        };
        actions.sort_by_key(|a| a.name);
        actions.dedup_by_key(|a| a.name);
        actions
    }

    /// The action names.
    pub fn action_names(self) -> Vec<&'static str> {
        self.actions().iter().map(|a| a.name).collect()
    }
}

impl std::str::FromStr for Use {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Use::all().into_iter().find(|u| u.id() == s).ok_or_else(|| {
            let ids: Vec<String> = Use::all().into_iter().map(Use::id).collect();
            format!("unknown use `{s}`: one of {}", ids.join(", "))
        })
    }
}

/// A family's part of a statement id: `SgauditChecksCloudTrail`.
fn family_sid(family: Family) -> &'static str {
    match family {
        Family::Groups => "Groups",
        Family::Network => "Network",
        Family::Iam => "Iam",
        Family::Cloudtrail => "CloudTrail",
        Family::S3 => "S3",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_use_has_actions_and_a_unique_id_that_parses_back() {
        let mut ids = std::collections::BTreeSet::new();
        for u in Use::all() {
            assert!(!u.actions().is_empty(), "{u:?}");
            assert!(ids.insert(u.id()), "{u:?}");
            assert_eq!(u.id().parse::<Use>(), Ok(u));
        }
        assert!("nope".parse::<Use>().is_err());
    }

    #[test]
    fn a_scan_of_every_family_needs_exactly_the_scan_actions_of_the_registry() {
        let mut uses: Vec<&str> = Use::Scan.action_names();
        for f in Family::ALL {
            uses.extend(Use::Checks(f).action_names());
        }
        uses.sort_unstable();
        uses.dedup();
        assert_eq!(uses, registry::scan_actions());
    }
}

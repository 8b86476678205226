//! The protections that ask AWS: what the plan asks of each account-region (its candidates, with their
//! VPCs), what AWS answered (CloudTrail's creation events; the VPCs other networks reach, and what their rules
//! name), and the plan weighed against the answers. `sgaudit-collect` reads the answers
//! (`cleanup::plan_evidence`); every answer that could not be read keeps what it was about.

use std::collections::{BTreeSet, HashMap};

use sgaudit_snapshot::SourceError;

use crate::plan::{Plan, Protections};
use crate::reason::Reason;

/// When each group seen in CloudTrail's event history of one account-region was created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreationTimes {
    /// Start of the window read (epoch seconds): a group absent from `created` is older than this, or its
    /// creation was not recorded.
    pub since: i64,
    /// Group id → creation time (epoch seconds).
    pub created: HashMap<String, i64>,
}

/// What the plan asks AWS about one account-region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub account_id: String,
    pub region: String,
    /// The candidates to delete there: group id and VPC.
    pub candidates: Vec<(String, Option<String>)>,
}

/// What AWS answered about one account-region.
#[derive(Debug, Clone)]
pub struct Answer {
    pub account_id: String,
    pub region: String,
    /// CloudTrail's `CreateSecurityGroup` events (the age rule).
    pub creation: Result<CreationTimes, SourceError>,
    /// The VPCs other networks reach, and what other VPCs' rules name.
    pub peering: Result<Peering, SourceError>,
}

/// The VPCs of an account-region that other networks reach, and which of its candidates in them other
/// VPCs' rules name.
#[derive(Debug, Clone)]
pub struct Peering {
    /// VPCs with an active peering connection or an available transit gateway attachment.
    pub connected_vpcs: BTreeSet<String>,
    /// Candidate → the other VPCs whose rules name it (candidates named by none are absent). Asked only
    /// for the candidates in a connected VPC: none there, nothing asked, an empty answer.
    pub references: Result<HashMap<String, Vec<String>>, SourceError>,
}

impl Plan {
    /// What to ask AWS: every account-region with a group to delete, and its candidates.
    pub fn questions(&self) -> Vec<Question> {
        self.regions_to_check()
            .into_iter()
            .map(|(account_id, region)| {
                let candidates =
                    self.deletions_in(&account_id, &region).map(|e| (e.group_id.clone(), e.vpc_id.clone())).collect();
                Question { account_id, region, candidates }
            })
            .collect()
    }

    /// The plan weighed against AWS's answers: the age rule (`now`, and `seen_at`: when the plan's snapshot
    /// was collected) and the references from peered VPCs. A region whose peering could not be read keeps
    /// all its candidates.
    pub fn weigh(&mut self, answers: &[Answer], now: i64, seen_at: Option<i64>, protections: &Protections) {
        for a in answers {
            let creation = a.creation.as_ref().map_err(ToString::to_string);
            let creation = creation.as_ref().copied().map_err(String::as_str);
            self.check_age(&a.account_id, &a.region, creation, now, seen_at, protections);
            match &a.peering {
                Err(e) => {
                    self.keep_region(&a.account_id, &a.region, &Reason::PeeringUnreadable { error: e.to_string() })
                }
                Ok(peering) => {
                    let references = peering.references.as_ref().map_err(ToString::to_string);
                    let references = references.as_ref().copied().map_err(String::as_str);
                    self.check_peer_references(&a.account_id, &a.region, &peering.connected_vpcs, references);
                }
            }
        }
    }
}

//! The AWS calls behind `sgaudit cleanup`: the evidence the plan needs beyond the snapshot (when each group
//! was created, which VPCs are peered or attached to a transit gateway, which groups other VPCs reference:
//! [`plan_evidence`]), the re-check just before deleting (fresh definitions, who uses the groups now), and the
//! changes themselves (revoke rules, delete groups), each with a dry-run mode. [`LiveEc2`] gives the apply
//! sequence of `sgaudit-cleanup` these calls.
//!
//! Every call is made in one account and region through that account's session, and every failure comes
//! back as a [`SourceError`], never as an empty answer: a plan that did not see something must not act as
//! if there were nothing to see.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup as AwsGroup, UserIdGroupPair,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::DateTime;
use futures::StreamExt;
use serde_json::Value;
use sgaudit_cleanup::apply::{Ec2, User};
use sgaudit_cleanup::evidence::{Answer, Peering, Question};
use sgaudit_snapshot::{Rule, SecurityGroup, Snapshot, SourceError};

/// What [`creation_times`] answers: one type with the plan that weighs it.
pub use sgaudit_cleanup::CreationTimes;

use crate::client;
use crate::source::{classify, each_page, Action, Ctx};
use crate::sources::peered_references::{self, DESCRIBE_PEERING, DESCRIBE_REFERENCES, DESCRIBE_TGW_ATTACHMENTS};
use crate::sources::security_groups::to_group;
use crate::{Connected, ScanOptions, Session};
use futures::FutureExt;

/// IAM actions the plan's extra evidence needs (read-only).
pub const PLAN_ACTIONS: &[Action] = &[
    crate::probe!(LOOKUP_EVENTS, |ctx| client!(ctx, aws_sdk_cloudtrail).lookup_events().max_results(1)),
    crate::probe!(DESCRIBE_PEERING, |ctx| client!(ctx, aws_sdk_ec2).describe_vpc_peering_connections().max_results(5)),
    crate::probe!(DESCRIBE_TGW_ATTACHMENTS, |ctx| client!(ctx, aws_sdk_ec2)
        .describe_transit_gateway_attachments()
        .max_results(5)),
    crate::probe!(DESCRIBE_REFERENCES, |ctx| client!(ctx, aws_sdk_ec2)
        .describe_security_group_references()
        .group_id(PROBE_GROUP_ID)),
    crate::probe!(LIST_ALIASES, |ctx| client!(ctx, aws_sdk_iam).list_account_aliases().max_items(1)),
];

/// IAM actions the re-check and the deletion need. The writes are proven by dry runs.
pub const DELETE_ACTIONS: &[Action] = &[
    crate::sources::security_groups::DESCRIBE,
    crate::probe!(DESCRIBE_ENIS, |ctx| client!(ctx, aws_sdk_ec2).describe_network_interfaces().max_results(5)),
    Action {
        name: REVOKE_INGRESS,
        probe: |ctx| {
            dry_run(ctx, REVOKE_INGRESS, |ec2, group| {
                ec2.revoke_security_group_ingress().group_id(group).ip_permissions(probe_rule()).dry_run(true).send()
            })
            .boxed()
        },
    },
    REVOKE_EGRESS_ACTION,
    Action {
        name: DELETE_GROUP,
        probe: |ctx| {
            dry_run(ctx, DELETE_GROUP, |ec2, group| ec2.delete_security_group().group_id(group).dry_run(true).send())
                .boxed()
        },
    },
];

/// IAM actions to put back the revoked rules of a group that became used between the revocations and its
/// delete (`restore::authorize`).
pub const PUT_BACK_ACTIONS: &[Action] =
    &[AUTHORIZE_INGRESS_ACTION, AUTHORIZE_EGRESS_ACTION, crate::sources::security_groups::DESCRIBE];

/// `ec2:AuthorizeSecurityGroupIngress`, proven by a dry run (restore needs it too).
pub(crate) const AUTHORIZE_INGRESS_ACTION: Action = Action {
    name: AUTHORIZE_INGRESS,
    probe: |ctx| {
        dry_run(ctx, AUTHORIZE_INGRESS, |ec2, group| {
            ec2.authorize_security_group_ingress().group_id(group).ip_permissions(probe_rule()).dry_run(true).send()
        })
        .boxed()
    },
};

/// `ec2:AuthorizeSecurityGroupEgress`, proven by a dry run (restore needs it too).
pub(crate) const AUTHORIZE_EGRESS_ACTION: Action = Action {
    name: AUTHORIZE_EGRESS,
    probe: |ctx| {
        dry_run(ctx, AUTHORIZE_EGRESS, |ec2, group| {
            ec2.authorize_security_group_egress().group_id(group).ip_permissions(probe_rule()).dry_run(true).send()
        })
        .boxed()
    },
};

/// `ec2:RevokeSecurityGroupEgress`, proven by a dry run (restore needs it too: a recreated group's default
/// egress rule).
pub(crate) const REVOKE_EGRESS_ACTION: Action = Action {
    name: REVOKE_EGRESS,
    probe: |ctx| {
        dry_run(ctx, REVOKE_EGRESS, |ec2, group| {
            ec2.revoke_security_group_egress().group_id(group).ip_permissions(probe_rule()).dry_run(true).send()
        })
        .boxed()
    },
};

const DELETE_GROUP: &str = "ec2:DeleteSecurityGroup";
pub(crate) const AUTHORIZE_INGRESS: &str = "ec2:AuthorizeSecurityGroupIngress";
pub(crate) const AUTHORIZE_EGRESS: &str = "ec2:AuthorizeSecurityGroupEgress";
/// A well-formed group id no account has.
const PROBE_GROUP_ID: &str = "sg-00000000000000000";

const LOOKUP_EVENTS: &str = "cloudtrail:LookupEvents";
const LIST_ALIASES: &str = "iam:ListAccountAliases";
pub(crate) const DESCRIBE_GROUPS: &str = "ec2:DescribeSecurityGroups";
const DESCRIBE_ENIS: &str = "ec2:DescribeNetworkInterfaces";
const REVOKE_INGRESS: &str = "ec2:RevokeSecurityGroupIngress";
pub(crate) const REVOKE_EGRESS: &str = "ec2:RevokeSecurityGroupEgress";

crate::next_page!(
    aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput => next_token,
);

/// Values per EC2 filter in one call.
const FILTER_VALUES: usize = 200;
/// The answer EC2 gives a dry run that would have succeeded.
const DRY_RUN_OK: &str = "DryRunOperation";

/// CloudTrail's event history: how far back `LookupEvents` reads, in days.
const CLOUDTRAIL_DAYS: i64 = 90;

/// The plan's questions answered, every account-region at once, at most `concurrency` at a time; three
/// calls each at the most (creation events, connected VPCs, and references from other VPCs only when a
/// candidate is in a connected one), never one per group. `now` is the lookup's time (epoch seconds).
pub async fn plan_evidence(
    connected: &Connected,
    questions: Vec<Question>,
    now: i64,
    concurrency: usize,
) -> Vec<Answer> {
    let since = now - CLOUDTRAIL_DAYS * sgaudit_cleanup::plan::DAY;
    futures::stream::iter(questions)
        .map(|q| async move {
            let creation = creation_times(connected, &q.account_id, &q.region, since).await;
            let peering = match connected_vpcs(connected, &q.account_id, &q.region).await {
                Err(e) => Err(e),
                Ok(connected_vpcs) => {
                    let peered: Vec<String> = q
                        .candidates
                        .iter()
                        .filter(|(_, vpc)| vpc.as_ref().is_some_and(|v| connected_vpcs.contains(v)))
                        .map(|(id, _)| id.clone())
                        .collect();
                    let references = match peered.is_empty() {
                        true => Ok(HashMap::new()),
                        false => references_from_other_vpcs(connected, &q.account_id, &q.region, &peered).await,
                    };
                    Ok(Peering { connected_vpcs, references })
                }
            };
            Answer { account_id: q.account_id, region: q.region, creation, peering }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// Reads every `CreateSecurityGroup` event of the region since `since_epoch_secs` (CloudTrail keeps 90 days
/// of management events): one paginated `LookupEvents` query. Every page is read; a failure on any page is
/// an error, never a partial answer.
pub async fn creation_times(
    connected: &Connected,
    account_id: &str,
    region: &str,
    since_epoch_secs: i64,
) -> Result<CreationTimes, SourceError> {
    let ctx = context(connected, account_id, region)?;
    let cloudtrail = client!(ctx, aws_sdk_cloudtrail);
    let by_name = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventName)
        .attribute_value("CreateSecurityGroup")
        .build()
        .map_err(|e| local_error("construction", LOOKUP_EVENTS, e.to_string()))?;
    let pages = cloudtrail
        .lookup_events()
        .lookup_attributes(by_name)
        .start_time(DateTime::from_secs(since_epoch_secs))
        .max_results(50)
        .into_paginator()
        .send();
    let mut times = CreationTimes { since: since_epoch_secs, created: HashMap::new() };
    each_page(&ctx, LOOKUP_EVENTS, pages, |page| {
        for event in page.events() {
            if let Some((group_id, at)) = created_group(event) {
                let earliest = times.created.entry(group_id).or_insert(at);
                *earliest = (*earliest).min(at);
            }
        }
    })
    .await?;
    Ok(times)
}

/// The group a `CreateSecurityGroup` event created, and when. A failed call (the event carries an
/// `errorCode`) created nothing.
fn created_group(event: &Event) -> Option<(String, i64)> {
    let detail: Option<Value> = event.cloud_trail_event().and_then(|text| serde_json::from_str(text).ok());
    if detail.as_ref().and_then(|d| d.get("errorCode")).is_some_and(|code| !code.is_null()) {
        return None;
    }
    let from_resources = || {
        event
            .resources()
            .iter()
            .find(|r| r.resource_type() == Some("AWS::EC2::SecurityGroup"))
            .and_then(|r| r.resource_name())
            .filter(|name| name.starts_with("sg-"))
            .map(str::to_string)
    };
    let group_id = detail.as_ref().and_then(group_id_in_event).or_else(from_resources)?;
    let at = event.event_time().map(DateTime::secs).or_else(|| {
        let text = detail.as_ref()?.get("eventTime")?.as_str()?;
        DateTime::from_str(text, Format::DateTime).ok().map(|t| t.secs())
    })?;
    Some((group_id, at))
}

/// `responseElements.groupId` of a `CreateSecurityGroup` event record.
fn group_id_in_event(detail: &Value) -> Option<String> {
    detail.get("responseElements")?.get("groupId")?.as_str().filter(|id| !id.is_empty()).map(str::to_string)
}

/// VPCs that other networks can reach: with an active VPC peering connection (either side) or an
/// available transit gateway attachment. Groups in other VPCs (or accounts) can reference groups there.
/// The same reading as the `ec2-peered-vpc-references` source's.
pub async fn connected_vpcs(
    connected: &Connected,
    account_id: &str,
    region: &str,
) -> Result<BTreeSet<String>, SourceError> {
    let ctx = context(connected, account_id, region)?;
    Ok(peered_references::connections(&ctx).await?.vpcs)
}

/// Which of `group_ids` are referenced by rules of groups in other (peered) VPCs, and from which VPCs.
/// Groups without such references are absent from the answer.
pub async fn references_from_other_vpcs(
    connected: &Connected,
    account_id: &str,
    region: &str,
    group_ids: &[String],
) -> Result<HashMap<String, Vec<String>>, SourceError> {
    let ctx = context(connected, account_id, region)?;
    let mut references: HashMap<String, Vec<String>> = HashMap::new();
    for reference in peered_references::references(&ctx, group_ids).await? {
        references.entry(reference.group_id).or_default().push(reference.referencing_vpc_id);
    }
    for vpcs in references.values_mut() {
        vpcs.sort();
        vpcs.dedup();
    }
    Ok(references)
}

/// The account's alias (the first; an account has at most one), for people to recognise it by.
pub async fn account_alias(connected: &Connected, account_id: &str) -> Result<Option<String>, SourceError> {
    let session = connected.session(account_id).ok_or_else(|| not_reached(account_id))?;
    // IAM is global; its endpoint is found from any region of the partition: the session's own, else one
    // of its working regions.
    let home = session.sdk.region().map(|r| r.to_string()).or_else(|| session.regions.first().cloned());
    let region = home.unwrap_or_else(|| "us-east-1".to_string());
    let ctx = Ctx::new(session.in_region(&region), account_id.to_string(), region);
    let iam = client!(ctx, aws_sdk_iam);
    let answer = iam.list_account_aliases().send().await.map_err(|e| classify(LIST_ALIASES, &e))?;
    Ok(answer.account_aliases().first().cloned())
}

/// The names people know an account by, `alias / name` (its alias, and its name in the organization), or
/// as many of them as are known; and why the alias could not be read, if it could not.
pub async fn account_label(connected: &Connected, account_id: &str) -> (String, Option<SourceError>) {
    let alias = account_alias(connected, account_id).await;
    let name = connected.session(account_id).and_then(|s| s.name.clone());
    let (alias, error) = match alias {
        Ok(alias) => (alias, None),
        Err(e) => (None, Some(e)),
    };
    (alias.into_iter().chain(name).collect::<Vec<_>>().join(" / "), error)
}

/// Fresh definitions of the groups, sorted by id. A group that no longer exists is simply absent (the ids
/// go in a filter: a `GroupIds` list would fail the whole call for one missing id).
pub async fn describe_groups(
    connected: &Connected,
    account_id: &str,
    region: &str,
    group_ids: &[String],
) -> Result<Vec<SecurityGroup>, SourceError> {
    let ctx = context(connected, account_id, region)?;
    let mut groups: Vec<SecurityGroup> =
        groups_where(&ctx, "group-id", group_ids).await?.iter().map(|g| to_group(g, account_id)).collect();
    groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
    groups.dedup_by(|a, b| a.group_id == b.group_id);
    Ok(groups)
}

/// The re-check before deleting: what uses each group right now. Network interfaces holding it and other
/// groups whose rules name it; a group's rules naming the group itself do not count. Groups nothing uses are
/// absent from the answer.
pub async fn users_now(
    connected: &Connected,
    account_id: &str,
    region: &str,
    group_ids: &[String],
) -> Result<HashMap<String, Vec<User>>, SourceError> {
    let ctx = context(connected, account_id, region)?;
    let wanted: BTreeSet<&str> = group_ids.iter().map(String::as_str).collect();
    let mut users: HashMap<String, Vec<User>> = HashMap::new();

    let ec2 = client!(ctx, aws_sdk_ec2);
    for chunk in group_ids.chunks(FILTER_VALUES) {
        let pages = ec2
            .describe_network_interfaces()
            .filters(filter("group-id", chunk))
            .max_results(1000)
            .into_paginator()
            .send();
        each_page(&ctx, DESCRIBE_ENIS, pages, |page| {
            for eni in page.network_interfaces() {
                let Some(eni_id) = eni.network_interface_id() else { continue };
                for group in eni.groups().iter().filter_map(|g| g.group_id()) {
                    if wanted.contains(group) {
                        users.entry(group.to_string()).or_default().push(User::Interface(eni_id.to_string()));
                    }
                }
            }
        })
        .await?;
    }

    let ingress = groups_where(&ctx, "ip-permission.group-id", group_ids).await?;
    let egress = groups_where(&ctx, "egress.ip-permission.group-id", group_ids).await?;
    let referrers =
        ingress.iter().map(|g| (g, g.ip_permissions())).chain(egress.iter().map(|g| (g, g.ip_permissions_egress())));
    for (referrer, rules) in referrers {
        let Some(referrer_id) = referrer.group_id() else { continue };
        for named in rules.iter().flat_map(|r| r.user_id_group_pairs()).filter_map(|p| p.group_id()) {
            if named != referrer_id && wanted.contains(named) {
                users.entry(named.to_string()).or_default().push(User::Rule(referrer_id.to_string()));
            }
        }
    }
    for found in users.values_mut() {
        found.sort();
        found.dedup();
    }
    Ok(users)
}

/// The real EC2 of a cleanup's apply: each call made through the run's sessions and run to its end on
/// `runtime`. With `dry_run`, every revoke and delete is sent with DryRun=true (nothing changes).
pub struct LiveEc2<'a> {
    pub connected: &'a Connected,
    pub runtime: &'a tokio::runtime::Runtime,
    pub dry_run: bool,
}

impl Ec2 for LiveEc2<'_> {
    fn describe(&mut self, account_id: &str, region: &str, ids: &[String]) -> Result<Vec<SecurityGroup>, SourceError> {
        self.runtime.block_on(describe_groups(self.connected, account_id, region, ids))
    }

    fn users_now(
        &mut self,
        account_id: &str,
        region: &str,
        ids: &[String],
    ) -> Result<HashMap<String, Vec<User>>, SourceError> {
        self.runtime.block_on(users_now(self.connected, account_id, region, ids))
    }

    fn revoke(
        &mut self,
        account_id: &str,
        region: &str,
        group_id: &str,
        ingress: &[Rule],
        egress: &[Rule],
    ) -> Result<(), SourceError> {
        self.runtime.block_on(revoke(self.connected, account_id, region, group_id, ingress, egress, self.dry_run))
    }

    fn delete(&mut self, account_id: &str, region: &str, group_id: &str) -> Result<(), SourceError> {
        self.runtime.block_on(delete(self.connected, account_id, region, group_id, self.dry_run))
    }

    /// Only the rules the group lacks, each on its own: the first one refused is the error.
    fn authorize(
        &mut self,
        account_id: &str,
        region: &str,
        group_id: &str,
        ingress: &[Rule],
        egress: &[Rule],
    ) -> Result<(), SourceError> {
        let done = crate::restore::authorize(self.connected, account_id, region, group_id, ingress, egress);
        self.runtime.block_on(done)?.into_result()
    }
}

/// Revokes exactly these rules of `group_id` (one call per direction; none for an empty list). With
/// `dry_run`, EC2 only checks that the call would be allowed.
pub async fn revoke(
    connected: &Connected,
    account_id: &str,
    region: &str,
    group_id: &str,
    ingress: &[Rule],
    egress: &[Rule],
    dry_run: bool,
) -> Result<(), SourceError> {
    let ctx = context(connected, account_id, region)?;
    let ec2 = client!(ctx, aws_sdk_ec2);
    let accepted: &[&str] = if dry_run { &[DRY_RUN_OK] } else { &[] };
    if !ingress.is_empty() {
        let answer = ec2
            .revoke_security_group_ingress()
            .group_id(group_id)
            .set_ip_permissions(Some(ingress.iter().map(to_ip_permission).collect()))
            .dry_run(dry_run)
            .send()
            .await;
        if let Some(out) = settle(REVOKE_INGRESS, answer, accepted)? {
            note_unknown(group_id, "ingress", out.unknown_ip_permissions());
        }
    }
    if !egress.is_empty() {
        let answer = ec2
            .revoke_security_group_egress()
            .group_id(group_id)
            .set_ip_permissions(Some(egress.iter().map(to_ip_permission).collect()))
            .dry_run(dry_run)
            .send()
            .await;
        if let Some(out) = settle(REVOKE_EGRESS, answer, accepted)? {
            note_unknown(group_id, "egress", out.unknown_ip_permissions());
        }
    }
    Ok(())
}

/// In a default VPC, EC2 answers a revoke of rules it does not have with success and lists them: they are
/// already gone, which is what was asked.
fn note_unknown(group_id: &str, direction: &str, unknown: &[IpPermission]) {
    if !unknown.is_empty() {
        tracing::warn!(group_id, direction, count = unknown.len(), "rules to revoke were not (or no longer) there");
    }
}

/// Deletes the group. A group still in use answers `DependencyViolation`, returned as the error's code.
pub async fn delete(
    connected: &Connected,
    account_id: &str,
    region: &str,
    group_id: &str,
    dry_run: bool,
) -> Result<(), SourceError> {
    let ctx = context(connected, account_id, region)?;
    let ec2 = client!(ctx, aws_sdk_ec2);
    let answer = ec2.delete_security_group().group_id(group_id).dry_run(dry_run).send().await;
    let accepted: &[&str] = if dry_run { &[DRY_RUN_OK] } else { &[] };
    settle("ec2:DeleteSecurityGroup", answer, accepted).map(|_| ())
}

/// The EC2 permission for a snapshot rule: every peer with its description (the inverse of the
/// inventory's `to_rule`).
pub(crate) fn to_ip_permission(rule: &Rule) -> IpPermission {
    IpPermission::builder()
        .ip_protocol(&rule.protocol)
        .set_from_port(rule.from_port)
        .set_to_port(rule.to_port)
        .set_ip_ranges(non_empty(
            rule.ipv4_ranges
                .iter()
                .map(|p| IpRange::builder().cidr_ip(&p.id).set_description(p.description.clone()).build())
                .collect(),
        ))
        .set_ipv6_ranges(non_empty(
            rule.ipv6_ranges
                .iter()
                .map(|p| Ipv6Range::builder().cidr_ipv6(&p.id).set_description(p.description.clone()).build())
                .collect(),
        ))
        .set_prefix_list_ids(non_empty(
            rule.prefix_lists
                .iter()
                .map(|p| PrefixListId::builder().prefix_list_id(&p.id).set_description(p.description.clone()).build())
                .collect(),
        ))
        .set_user_id_group_pairs(non_empty(
            rule.groups
                .iter()
                .map(|g| {
                    UserIdGroupPair::builder()
                        .group_id(&g.group_id)
                        .set_user_id(g.user_id.clone())
                        .set_vpc_id(g.vpc_id.clone())
                        .set_vpc_peering_connection_id(g.vpc_peering_connection_id.clone())
                        .set_description(g.description.clone())
                        .build()
                })
                .collect(),
        ))
        .build()
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// The call context for one account and region, through the account's session. A region outside the
/// session's (the run's `--region`/`--exclude-region`) is refused: a run never reaches wider than asked.
pub(crate) fn context(connected: &Connected, account_id: &str, region: &str) -> Result<Ctx, SourceError> {
    let session = connected.session(account_id).ok_or_else(|| not_reached(account_id))?;
    if !session.regions.iter().any(|r| r == region) {
        return Err(SourceError {
            code: "out-of-scope".to_string(),
            message: format!("region {region} of account {account_id} is outside this run's regions"),
            action: None,
            scp_deny: false,
        });
    }
    Ok(Ctx::new(session.in_region(region), account_id.to_string(), region.to_string()))
}

/// Every source read again in just these account-regions (those of `connected` that reach them): the fresh
/// evidence a cleanup judges again right before deleting.
pub async fn rescan(
    connected: &Connected,
    options: &ScanOptions,
    places: &BTreeSet<(String, String)>,
    collected_at: Option<String>,
) -> Snapshot {
    let sessions = connected
        .sessions
        .iter()
        .filter_map(|s| {
            let regions: Vec<String> =
                s.regions.iter().filter(|r| places.contains(&(s.account_id.clone(), (*r).clone()))).cloned().collect();
            (!regions.is_empty()).then(|| Session {
                sdk: s.sdk.clone(),
                pool: s.pool.clone(),
                identity: s.identity.clone(),
                account_id: s.account_id.clone(),
                name: s.name.clone(),
                profile: s.profile.clone(),
                regions,
                caller_arn: s.caller_arn.clone(),
            })
        })
        .collect();
    let subset =
        Connected { sessions, left_out: Vec::new(), notes: Vec::new(), caller_arn: connected.caller_arn.clone() };
    crate::scan_connected(&subset, options, None, collected_at).await
}

fn not_reached(account_id: &str) -> SourceError {
    SourceError {
        code: "not-reached".to_string(),
        message: format!("no credentials reach account {account_id}"),
        action: None,
        scp_deny: false,
    }
}

pub(crate) fn local_error(code: &str, action: &str, message: String) -> SourceError {
    SourceError { code: code.to_string(), message, action: Some(action.to_string()), scp_deny: false }
}

pub(crate) fn filter<I, S>(name: &str, values: I) -> Filter
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Filter::builder().name(name).set_values(Some(values.into_iter().map(Into::into).collect())).build()
}

/// Every group matching `name` = any of `values`, over as many filtered, paginated calls as the values
/// need. No values, no call (an empty filter would match every group).
pub(crate) async fn groups_where(ctx: &Ctx, name: &str, values: &[String]) -> Result<Vec<AwsGroup>, SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let mut groups = Vec::new();
    for chunk in values.chunks(FILTER_VALUES) {
        let pages =
            ec2.describe_security_groups().filters(filter(name, chunk)).max_results(1000).into_paginator().send();
        each_page(ctx, DESCRIBE_GROUPS, pages, |page| groups.extend(page.security_groups.unwrap_or_default())).await?;
    }
    Ok(groups)
}

/// The answer of a change call: its output, or `None` when the error's code is one of `accepted` (a dry run
/// that would have succeeded, a rule already there); any other error is the call's [`SourceError`].
pub(crate) fn settle<T, E>(
    action: &str,
    answer: Result<T, SdkError<E, HttpResponse>>,
    accepted: &[&str],
) -> Result<Option<T>, SourceError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match answer {
        Ok(out) => Ok(Some(out)),
        Err(err) => {
            let error = classify(action, &err);
            if accepted.contains(&error.code.as_str()) {
                Ok(None)
            } else {
                Err(error)
            }
        }
    }
}

/// The group the write probes dry-run against: the default group of one of the region's VPCs, which AWS
/// refuses to delete, so that not even a dry-run flag lost in a refactoring could remove a group that
/// matters. `None` when the region has no VPC (then nothing there can be cleaned up or restored into).
pub(crate) async fn probe_group(ctx: &Ctx) -> Result<Option<String>, SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let out = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values("default").build())
        .max_results(5)
        .send()
        .await
        .map_err(|e| ctx.fail(DESCRIBE_GROUPS, e))?;
    Ok(out.security_groups().iter().find_map(|g| g.group_id().map(str::to_string)))
}

/// A write proven with EC2's `DryRun` against the region's default group: `DryRunOperation` is AWS's "you
/// may" (judged by the preflight), `UnauthorizedOperation` its "you may not".
pub(crate) async fn dry_run<F, Fut, T, E>(ctx: &Ctx, action: &str, call: F) -> Result<(), SourceError>
where
    F: FnOnce(aws_sdk_ec2::Client, String) -> Fut,
    Fut: std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let group = probe_group(ctx)
        .await
        .map_err(|e| crate::source::precondition(action, "finding a group to dry-run against", &e))?;
    let Some(group) = group else {
        return Err(crate::source::not_probed(
            action,
            "the region has no VPC, so no group to dry-run against (and nothing to clean up or restore)",
        ));
    };
    match call(client!(ctx, aws_sdk_ec2), group).await {
        Ok(_) => Ok(()),
        Err(e) => Err(ctx.fail(action, e)),
    }
}

/// A rule no group has (TEST-NET-1, RFC 5737), for the dry runs of revoking and authorizing.
pub(crate) fn probe_rule() -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(1)
        .to_port(1)
        .ip_ranges(IpRange::builder().cidr_ip("192.0.2.1/32").build())
        .build()
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudtrail::types::Resource;
    use sgaudit_snapshot::{GroupPeer, Peer};

    use super::*;
    use crate::sources::security_groups::to_rule;

    const RECORD: &str = r#"{"eventVersion":"1.09","eventTime":"2024-05-01T12:00:00Z",
        "eventSource":"ec2.amazonaws.com","eventName":"CreateSecurityGroup","awsRegion":"us-east-1",
        "requestParameters":{"groupName":"web","groupDescription":"web","vpcId":"vpc-1"},
        "responseElements":{"requestId":"r-1","_return":true,"groupId":"sg-0123456789abcdef0"}}"#;

    fn event(record: Option<&str>, resources: Vec<Resource>, at: Option<i64>) -> Event {
        Event::builder()
            .event_name("CreateSecurityGroup")
            .set_cloud_trail_event(record.map(str::to_string))
            .set_resources(Some(resources))
            .set_event_time(at.map(DateTime::from_secs))
            .build()
    }

    #[test]
    fn the_group_id_comes_from_the_event_record() {
        let e = event(Some(RECORD), Vec::new(), Some(1_714_564_800));
        assert_eq!(created_group(&e), Some(("sg-0123456789abcdef0".to_string(), 1_714_564_800)));
    }

    #[test]
    fn the_event_time_falls_back_to_the_record() {
        let e = event(Some(RECORD), Vec::new(), None);
        assert_eq!(created_group(&e), Some(("sg-0123456789abcdef0".to_string(), 1_714_564_800)));
    }

    #[test]
    fn the_group_id_falls_back_to_the_resources() {
        let resources = vec![
            Resource::builder().resource_type("AWS::EC2::VPC").resource_name("vpc-1").build(),
            Resource::builder().resource_type("AWS::EC2::SecurityGroup").resource_name("sg-0fromresources").build(),
        ];
        let e = event(Some(r#"{"eventName":"CreateSecurityGroup"}"#), resources.clone(), Some(7));
        assert_eq!(created_group(&e), Some(("sg-0fromresources".to_string(), 7)));
        let unreadable = event(Some("not json"), resources, Some(7));
        assert_eq!(created_group(&unreadable), Some(("sg-0fromresources".to_string(), 7)));
    }

    #[test]
    fn a_failed_create_created_nothing() {
        let failed = r#"{"eventName":"CreateSecurityGroup","errorCode":"InvalidGroup.Duplicate",
            "errorMessage":"The security group 'web' already exists","responseElements":null}"#;
        let resources =
            vec![Resource::builder().resource_type("AWS::EC2::SecurityGroup").resource_name("sg-0nope").build()];
        assert_eq!(created_group(&event(Some(failed), resources, Some(7))), None);
        assert_eq!(created_group(&event(None, Vec::new(), Some(7))), None);
    }

    fn peer(id: &str, description: Option<&str>) -> Peer {
        Peer { id: id.to_string(), description: description.map(str::to_string) }
    }

    #[test]
    fn a_rule_round_trips_through_ip_permission() {
        let rules = [
            Rule {
                protocol: "tcp".to_string(),
                from_port: Some(443),
                to_port: Some(443),
                ipv4_ranges: vec![peer("10.0.0.0/8", Some("office")), peer("192.0.2.0/24", None)],
                ipv6_ranges: vec![peer("2001:db8::/32", Some("v6"))],
                prefix_lists: vec![peer("pl-12345678", Some("s3"))],
                groups: vec![
                    GroupPeer {
                        group_id: "sg-0aaa".to_string(),
                        user_id: Some("111122223333".to_string()),
                        vpc_id: None,
                        vpc_peering_connection_id: None,
                        description: Some("app".to_string()),
                    },
                    GroupPeer {
                        group_id: "sg-0bbb".to_string(),
                        user_id: Some("444455556666".to_string()),
                        vpc_id: Some("vpc-9".to_string()),
                        vpc_peering_connection_id: Some("pcx-1".to_string()),
                        description: None,
                    },
                ],
            },
            Rule {
                protocol: "-1".to_string(),
                from_port: None,
                to_port: None,
                ipv4_ranges: vec![peer("0.0.0.0/0", None)],
                ipv6_ranges: Vec::new(),
                prefix_lists: Vec::new(),
                groups: Vec::new(),
            },
            Rule {
                protocol: "icmp".to_string(),
                from_port: Some(8),
                to_port: Some(-1),
                ipv4_ranges: Vec::new(),
                ipv6_ranges: Vec::new(),
                prefix_lists: Vec::new(),
                groups: vec![GroupPeer {
                    group_id: "sg-0ccc".to_string(),
                    user_id: None,
                    vpc_id: None,
                    vpc_peering_connection_id: None,
                    description: None,
                }],
            },
        ];
        for rule in &rules {
            let permission = to_ip_permission(rule);
            assert_eq!(&to_rule(&permission), rule);
        }
        let all = to_ip_permission(&rules[1]);
        assert!(all.user_id_group_pairs.is_none() && all.prefix_list_ids.is_none(), "{all:?}");
    }
}

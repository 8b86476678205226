//! The AWS calls behind `sgaudit restore`: recreate a deleted group from its backup (same name, description,
//! VPC and tags, marked with the id it replaces) and put its rules back.
//!
//! Every step can be run again after a failure: the mark finds a group already recreated, and rules that are
//! already there are skipped or answered `InvalidPermission.Duplicate`, which counts as done.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use sgaudit_snapshot::{Peer, Rule, SecurityGroup, SourceError};

use futures::FutureExt;

use crate::cleanup::{
    context, dry_run, groups_where, local_error, settle, to_ip_permission, AUTHORIZE_EGRESS, AUTHORIZE_EGRESS_ACTION,
    AUTHORIZE_INGRESS, AUTHORIZE_INGRESS_ACTION, REVOKE_EGRESS, REVOKE_EGRESS_ACTION,
};
use crate::client;
use crate::source::Action;
use crate::sources::security_groups::to_group;
use crate::Connected;

/// IAM actions a restore calls.
pub const ACTIONS: &[Action] = &[
    crate::sources::security_groups::DESCRIBE,
    crate::probe!(CREATE, |ctx| client!(ctx, aws_sdk_ec2)
        .create_security_group()
        .group_name(crate::source::PROBE_NAME)
        .description("sgaudit preflight: a dry run")
        .dry_run(true)),
    Action {
        name: CREATE_TAGS,
        probe: |ctx| {
            dry_run(ctx, CREATE_TAGS, |ec2, group| {
                ec2.create_tags()
                    .resources(group)
                    .tags(Tag::builder().key(RESTORED_TAG).value("sgaudit-preflight").build())
                    .dry_run(true)
                    .send()
            })
            .boxed()
        },
    },
    AUTHORIZE_INGRESS_ACTION,
    AUTHORIZE_EGRESS_ACTION,
    REVOKE_EGRESS_ACTION,
];

const CREATE_TAGS: &str = "ec2:CreateTags";

/// Tag put on a recreated group: the id of the group it replaces.
pub const RESTORED_TAG: &str = "sgaudit:restored-from";

const CREATE: &str = "ec2:CreateSecurityGroup";
/// EC2's answer to a rule the group already has.
const DUPLICATE: &str = "InvalidPermission.Duplicate";
/// EC2's answer (outside default VPCs) to revoking a rule the group does not have.
const NOT_FOUND: &str = "InvalidPermission.NotFound";
/// Tag keys AWS reserves for itself: `CreateSecurityGroup` refuses them.
const RESERVED_TAG_PREFIX: &str = "aws:";

/// Creates a group like `group` (name, description, VPC, tags, plus [`RESTORED_TAG`] = its old id, all in
/// the one call), without rules: EC2 gives a new VPC group an allow-all egress rule, which is removed unless
/// the original had it. Returns the new group's id.
pub async fn create(
    connected: &Connected,
    account_id: &str,
    region: &str,
    group: &SecurityGroup,
) -> Result<String, SourceError> {
    let ctx = context(connected, account_id, region)?;
    let ec2 = client!(ctx, aws_sdk_ec2);
    let tags = TagSpecification::builder()
        .resource_type(ResourceType::SecurityGroup)
        .set_tags(Some(
            restored_tags(group).into_iter().map(|(key, value)| Tag::builder().key(key).value(value).build()).collect(),
        ))
        .build();
    // AWS requires a description; a snapshot written before descriptions were kept has none.
    let description = if group.description.is_empty() {
        format!("restored by sgaudit from {}", group.group_id)
    } else {
        group.description.clone()
    };
    let created = ec2
        .create_security_group()
        .group_name(&group.group_name)
        .description(description)
        .set_vpc_id(group.vpc_id.clone())
        .tag_specifications(tags)
        .send()
        .await
        .map_err(|e| crate::source::classify(CREATE, &e))?;
    let Some(new_id) = created.group_id().map(str::to_string) else {
        return Err(local_error("unreadable-response", CREATE, "the answer names no group id".to_string()));
    };

    if !group.egress.iter().any(is_allow_all) {
        let answer = ec2
            .revoke_security_group_egress()
            .group_id(&new_id)
            .ip_permissions(to_ip_permission(&allow_all()))
            .send()
            .await;
        settle(REVOKE_EGRESS, answer, &[NOT_FOUND]).map_err(|mut error| {
            error.message =
                format!("created {new_id}, but could not remove its default allow-all egress rule: {}", error.message);
            error
        })?;
    }
    Ok(new_id)
}

/// The tags of a recreated group: the original's, except those AWS reserves, and the restore mark.
fn restored_tags(group: &SecurityGroup) -> Vec<(String, String)> {
    let mut tags: std::collections::BTreeMap<String, String> =
        group.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    tags.retain(|key, _| !key.starts_with(RESERVED_TAG_PREFIX));
    tags.insert(RESTORED_TAG.to_string(), group.group_id.clone());
    tags.into_iter().collect()
}

/// What [`authorize`] did: rules added, and each rule it could not add with EC2's answer.
#[derive(Debug, Default)]
pub struct Authorized {
    pub added: usize,
    /// `ingress tcp 443-443 from sg-…`, and why not.
    pub failed: Vec<(String, SourceError)>,
}

impl Authorized {
    /// The first failure as the error of the whole, for callers that need all or nothing.
    pub fn into_result(self) -> Result<(), SourceError> {
        match self.failed.into_iter().next() {
            None => Ok(()),
            Some((rule, mut error)) => {
                error.message = format!("{rule}: {}", error.message);
                Err(error)
            }
        }
    }
}

/// Puts the rules on `group_id` (group ids in them already mapped by the caller). Idempotent: one peer per
/// call, so that one rule already there (`InvalidPermission.Duplicate`, which EC2 answers for the whole
/// permission) or one that cannot be added (it names a group that no longer exists) does not stop the others;
/// rules the group has already are not sent at all. Only a failure to read the group is an error of the whole.
pub async fn authorize(
    connected: &Connected,
    account_id: &str,
    region: &str,
    group_id: &str,
    ingress: &[Rule],
    egress: &[Rule],
) -> Result<Authorized, SourceError> {
    let ctx = context(connected, account_id, region)?;
    let ec2 = client!(ctx, aws_sdk_ec2);
    let current = groups_where(&ctx, "group-id", &[group_id.to_string()]).await?;
    let current = current.iter().find(|g| g.group_id() == Some(group_id)).map(|g| to_group(g, account_id));
    let has_ingress: BTreeSet<RuleKey> =
        current.iter().flat_map(|g| &g.ingress).flat_map(single_peer).map(|r| key(&r)).collect();
    let has_egress: BTreeSet<RuleKey> =
        current.iter().flat_map(|g| &g.egress).flat_map(single_peer).map(|r| key(&r)).collect();

    let mut done = Authorized::default();
    for rule in ingress.iter().flat_map(single_peer).filter(|r| !has_ingress.contains(&key(r))) {
        let answer = ec2
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(to_ip_permission(&rule))
            .send()
            .await;
        match settle(AUTHORIZE_INGRESS, answer, &[DUPLICATE]) {
            Ok(_) => done.added += 1,
            Err(e) => done.failed.push((describe("ingress", &rule), e)),
        }
    }
    for rule in egress.iter().flat_map(single_peer).filter(|r| !has_egress.contains(&key(r))) {
        let answer = ec2
            .authorize_security_group_egress()
            .group_id(group_id)
            .ip_permissions(to_ip_permission(&rule))
            .send()
            .await;
        match settle(AUTHORIZE_EGRESS, answer, &[DUPLICATE]) {
            Ok(_) => done.added += 1,
            Err(e) => done.failed.push((describe("egress", &rule), e)),
        }
    }
    Ok(done)
}

/// Every group of the region recreated by a restore: old id → new id (the lowest, should there be several).
/// One filtered list, not a call per group.
pub async fn restored_in_region(
    connected: &Connected,
    account_id: &str,
    region: &str,
) -> Result<HashMap<String, String>, SourceError> {
    let ctx = context(connected, account_id, region)?;
    let marked = groups_where(&ctx, "tag-key", &[RESTORED_TAG.to_string()]).await?;
    let mut map: HashMap<String, String> = HashMap::new();
    for g in &marked {
        let (Some(new), Some(old)) =
            (g.group_id(), g.tags().iter().find(|t| t.key() == Some(RESTORED_TAG)).and_then(|t| t.value()))
        else {
            continue;
        };
        let entry = map.entry(old.to_string()).or_insert_with(|| new.to_string());
        if new < entry.as_str() {
            *entry = new.to_string();
        }
    }
    Ok(map)
}

/// A single-peer rule in words: `ingress tcp 443-443 from sg-0abc`.
fn describe(direction: &str, rule: &Rule) -> String {
    let ports = match (rule.from_port, rule.to_port) {
        _ if rule.protocol == "-1" => "all".to_string(),
        (Some(from), Some(to)) => format!("{from}-{to}"),
        _ => "any".to_string(),
    };
    let (.., peer) = key(rule);
    let side = if direction == "ingress" { "from" } else { "to" };
    format!("{direction} {} {ports} {side} {peer}", rule.protocol)
}

/// The rule EC2 gives every new VPC group: all traffic out to anywhere (IPv4).
fn allow_all() -> Rule {
    Rule {
        protocol: "-1".to_string(),
        from_port: None,
        to_port: None,
        ipv4_ranges: vec![Peer { id: "0.0.0.0/0".to_string(), description: None }],
        ipv6_ranges: Vec::new(),
        prefix_lists: Vec::new(),
        groups: Vec::new(),
    }
}

fn is_allow_all(rule: &Rule) -> bool {
    rule.protocol == "-1" && rule.ipv4_ranges.iter().any(|p| p.id == "0.0.0.0/0")
}

/// A rule split into one rule per peer (range, prefix list or group), the unit EC2 accepts or refuses.
fn single_peer(rule: &Rule) -> Vec<Rule> {
    let bare = Rule {
        ipv4_ranges: Vec::new(),
        ipv6_ranges: Vec::new(),
        prefix_lists: Vec::new(),
        groups: Vec::new(),
        ..rule.clone()
    };
    let mut out = Vec::new();
    out.extend(rule.ipv4_ranges.iter().map(|p| Rule { ipv4_ranges: vec![p.clone()], ..bare.clone() }));
    out.extend(rule.ipv6_ranges.iter().map(|p| Rule { ipv6_ranges: vec![p.clone()], ..bare.clone() }));
    out.extend(rule.prefix_lists.iter().map(|p| Rule { prefix_lists: vec![p.clone()], ..bare.clone() }));
    out.extend(rule.groups.iter().map(|g| Rule { groups: vec![g.clone()], ..bare.clone() }));
    out
}

/// What makes a single-peer rule the same rule to EC2: protocol, ports (meaningless for all traffic) and
/// the peer; not its description.
type RuleKey = (String, Option<i32>, Option<i32>, &'static str, String);

fn key(rule: &Rule) -> RuleKey {
    let (kind, peer) = if let Some(p) = rule.ipv4_ranges.first() {
        ("ipv4", p.id.clone())
    } else if let Some(p) = rule.ipv6_ranges.first() {
        ("ipv6", p.id.clone())
    } else if let Some(p) = rule.prefix_lists.first() {
        ("prefix-list", p.id.clone())
    } else {
        ("group", rule.groups.first().map(|g| g.group_id.clone()).unwrap_or_default())
    };
    let ports = if rule.protocol == "-1" { (None, None) } else { (rule.from_port, rule.to_port) };
    (rule.protocol.clone(), ports.0, ports.1, kind, peer)
}

#[cfg(test)]
mod tests {

    use sgaudit_snapshot::GroupPeer;

    use super::*;

    fn peer(id: &str) -> Peer {
        Peer { id: id.to_string(), description: Some("d".to_string()) }
    }

    #[test]
    fn a_rule_splits_into_one_rule_per_peer() {
        let rule = Rule {
            protocol: "tcp".to_string(),
            from_port: Some(22),
            to_port: Some(22),
            ipv4_ranges: vec![peer("10.0.0.0/8"), peer("192.0.2.0/24")],
            ipv6_ranges: vec![peer("::/0")],
            prefix_lists: vec![peer("pl-1")],
            groups: vec![GroupPeer {
                group_id: "sg-1".to_string(),
                user_id: None,
                vpc_id: None,
                vpc_peering_connection_id: None,
                description: None,
            }],
        };
        let parts = single_peer(&rule);
        let keys: Vec<RuleKey> = parts.iter().map(key).collect();
        let tcp22 = |kind, id: &str| ("tcp".to_string(), Some(22), Some(22), kind, id.to_string());
        assert_eq!(
            keys,
            [
                tcp22("ipv4", "10.0.0.0/8"),
                tcp22("ipv4", "192.0.2.0/24"),
                tcp22("ipv6", "::/0"),
                tcp22("prefix-list", "pl-1"),
                tcp22("group", "sg-1")
            ]
        );
        assert_eq!(parts[1].ipv4_ranges, [peer("192.0.2.0/24")], "descriptions are kept");
    }

    #[test]
    fn the_allow_all_rule_is_recognised_among_others() {
        let mut rule = allow_all();
        assert!(is_allow_all(&rule));
        rule.ipv4_ranges.insert(0, peer("10.0.0.0/8"));
        assert!(is_allow_all(&rule));
        rule.protocol = "tcp".to_string();
        assert!(!is_allow_all(&rule));
        let mut v6_only = allow_all();
        v6_only.ipv4_ranges = Vec::new();
        v6_only.ipv6_ranges = vec![peer("::/0")];
        assert!(!is_allow_all(&v6_only));
    }

    #[test]
    fn reserved_tags_are_dropped_and_the_mark_is_added() {
        let group = SecurityGroup {
            group_id: "sg-old".to_string(),
            group_name: "web".to_string(),
            description: "web".to_string(),
            vpc_id: Some("vpc-1".to_string()),
            owner_id: "111122223333".to_string(),
            tags: sgaudit_snapshot::Tags::from([
                ("Name".to_string(), "web".to_string()),
                ("aws:cloudformation:stack-name".to_string(), "stack".to_string()),
                (RESTORED_TAG.to_string(), "sg-older".to_string()),
            ]),
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        assert_eq!(
            restored_tags(&group),
            [("Name".to_string(), "web".to_string()), (RESTORED_TAG.to_string(), "sg-old".to_string())]
        );
    }
}

//! The inventory: every security group of the region with all its rules. Rule references between groups
//! are read from here, so they need no source of their own.

use aws_sdk_ec2::types::{IpPermission, SecurityGroup as AwsGroup};
use futures::FutureExt;
use sgaudit_snapshot::{GroupPeer, Peer, Rule, SecurityGroup};

use crate::client;
use crate::source::{each_page, Action, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-security-groups",
    service: "ec2",
    description: "Security groups with their ingress and egress rules (rule references between groups)",
    kinds: &[sgaudit_snapshot::ResourceKind::SecurityGroup],
    actions: &[DESCRIBE],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// `ec2:DescribeSecurityGroups`, with its probe: cleanup, restore and the peered references need it too.
pub(crate) const DESCRIBE: Action = crate::probe!("ec2:DescribeSecurityGroups", |ctx| client!(ctx, aws_sdk_ec2)
    .describe_security_groups()
    .max_results(5));

crate::next_page!(
    aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_security_groups().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeSecurityGroups", pages, |page| {
        for group in page.security_groups() {
            found.items += 1;
            found.groups.push(to_group(group, &ctx.account_id));
        }
    })
    .await
}

pub(crate) fn to_group(group: &AwsGroup, account_id: &str) -> SecurityGroup {
    let tags: sgaudit_snapshot::Tags = group
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect();
    SecurityGroup {
        group_id: group.group_id().unwrap_or_default().to_string(),
        group_name: group.group_name().unwrap_or_default().to_string(),
        description: group.description().unwrap_or_default().to_string(),
        vpc_id: group.vpc_id().map(str::to_string),
        owner_id: group.owner_id().unwrap_or(account_id).to_string(),
        tags,
        ingress: group.ip_permissions().iter().map(to_rule).collect(),
        egress: group.ip_permissions_egress().iter().map(to_rule).collect(),
    }
}

pub(crate) fn to_rule(p: &IpPermission) -> Rule {
    Rule {
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4_ranges: p.ip_ranges().iter().filter_map(|r| peer(r.cidr_ip(), r.description())).collect(),
        ipv6_ranges: p.ipv6_ranges().iter().filter_map(|r| peer(r.cidr_ipv6(), r.description())).collect(),
        prefix_lists: p.prefix_list_ids().iter().filter_map(|r| peer(r.prefix_list_id(), r.description())).collect(),
        groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| {
                Some(GroupPeer {
                    group_id: g.group_id()?.to_string(),
                    user_id: g.user_id().map(str::to_string),
                    vpc_id: g.vpc_id().map(str::to_string),
                    vpc_peering_connection_id: g.vpc_peering_connection_id().map(str::to_string),
                    description: g.description().map(str::to_string),
                })
            })
            .collect(),
    }
}

fn peer(id: Option<&str>, description: Option<&str>) -> Option<Peer> {
    Some(Peer { id: id?.to_string(), description: description.map(str::to_string) })
}

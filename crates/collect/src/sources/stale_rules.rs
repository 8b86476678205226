//! Stale rules: rules of this region's groups that name a group across a VPC peering (or transit gateway)
//! that no longer exists there, or whose peering was deleted. They allow nothing any more, hide what a rule
//! was meant for, and are a finding (`sg-stale-rule`), not evidence of use. `DescribeStaleSecurityGroups`
//! answers per VPC: one paginated call per VPC of the region, never one per group.

use aws_sdk_ec2::types::StaleIpPermission;
use futures::FutureExt;
use sgaudit_snapshot::{Direction, ResourceKind, SourceError, StaleRule};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-stale-security-group-rules",
    service: "ec2",
    description: "Rules naming groups across a peering that no longer exist, or whose peering is gone",
    kinds: &[ResourceKind::SecurityGroup],
    actions: &[
        crate::probe!("ec2:DescribeVpcs", |ctx| client!(ctx, aws_sdk_ec2).describe_vpcs().max_results(5)),
        crate::probe!("ec2:DescribeStaleSecurityGroups", |ctx| client!(ctx, aws_sdk_ec2)
            .describe_stale_security_groups()
            .vpc_id("vpc-00000000000000000")
            .max_results(5)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput => next_token,
    aws_sdk_ec2::operation::describe_stale_security_groups::DescribeStaleSecurityGroupsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let mut vpcs = Vec::new();
    let pages = ec2.describe_vpcs().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeVpcs", pages, |page| {
        vpcs.extend(page.vpcs().iter().filter_map(|v| v.vpc_id().map(str::to_string)));
    })
    .await?;
    for vpc in &vpcs {
        found.items += 1;
        let pages = ec2.describe_stale_security_groups().vpc_id(vpc).max_results(255).into_paginator().send();
        each_page(ctx, "ec2:DescribeStaleSecurityGroups", pages, |page| {
            for group in page.stale_security_group_set() {
                let Some(id) = group.group_id() else { continue };
                for (direction, permissions) in [
                    (Direction::Ingress, group.stale_ip_permissions()),
                    (Direction::Egress, group.stale_ip_permissions_egress()),
                ] {
                    for permission in permissions {
                        found.stale_rules.extend(rules_of(id, direction, permission));
                    }
                }
            }
        })
        .await?;
    }
    Ok(())
}

/// One stale rule per group pair of a permission (a permission with no pair is recorded once).
fn rules_of(group_id: &str, direction: Direction, p: &StaleIpPermission) -> Vec<StaleRule> {
    let base = StaleRule {
        group_id: group_id.to_string(),
        direction,
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        peer_group_id: None,
        peer_account_id: None,
        vpc_peering_connection_id: None,
        peering_status: None,
    };
    if p.user_id_group_pairs().is_empty() {
        return vec![base];
    }
    p.user_id_group_pairs()
        .iter()
        .map(|pair| StaleRule {
            peer_group_id: pair.group_id().map(str::to_string),
            peer_account_id: pair.user_id().map(str::to_string),
            vpc_peering_connection_id: pair.vpc_peering_connection_id().map(str::to_string),
            peering_status: pair.peering_status().map(str::to_string),
            ..base.clone()
        })
        .collect()
}

//! Classic Load Balancers in a VPC hold their groups on interfaces that AWS manages; the load balancer's
//! own configuration is what must change before the group can go.
//!
//! `SourceSecurityGroup` names, by name and owner, the group back-end instances can allow traffic from to
//! admit only the load balancer. It dates from EC2-Classic, where Elastic Load Balancing provided that
//! group itself (owner `amazon-elb`, `amazon-elb-sg`: not a group of this account); in a VPC "you provide
//! the security group for your load balancer" (Classic Load Balancer guide, "Configure security groups"),
//! so it names one of the load balancer's own `SecurityGroups`, already recorded by id. A name matches
//! every group of that name in the account-region, in every VPC (see `Target::GroupName`), so it is
//! recorded only where no group is named by id and the owner is this account: recording it beside the
//! ids would hold the same-named groups of every other VPC (every VPC's `default`, for one) for nothing.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "elb-classic-load-balancers",
    service: "elasticloadbalancing",
    description: "Classic Load Balancers (SecurityGroups, SourceSecurityGroup)",
    kinds: &[ResourceKind::ElbClassic],
    actions: &[crate::probe!("elasticloadbalancing:DescribeLoadBalancers", |ctx| client!(
        ctx,
        aws_sdk_elasticloadbalancing
    )
    .describe_load_balancers()
    .page_size(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_elasticloadbalancing::operation::describe_load_balancers::DescribeLoadBalancersOutput => next_marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let elb = client!(ctx, aws_sdk_elasticloadbalancing);
    let account = ctx.account_id.as_str();
    let pages = elb.describe_load_balancers().page_size(400).into_paginator().send();
    each_page(ctx, "elasticloadbalancing:DescribeLoadBalancers", pages, |page| {
        for lb in page.load_balancer_descriptions() {
            found.items += 1;
            // The classic API returns no ARN: the name is unique in the account-region.
            let Some(name) = lb.load_balancer_name() else {
                continue;
            };
            found.config(ResourceKind::ElbClassic, name, lb.security_groups());
            if let Some(source) = lb.source_security_group().filter(|_| lb.security_groups().is_empty()) {
                if source.owner_alias().is_none_or(|owner| owner == account) {
                    found.config_names(ResourceKind::ElbClassic, name, "SourceSecurityGroup", source.group_name());
                }
            }
        }
    })
    .await
}

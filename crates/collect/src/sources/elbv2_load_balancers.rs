//! Application and Network (and Gateway) Load Balancers name their groups in their configuration; their
//! interfaces are AWS-managed, so the load balancer is what must change before the group can go. Its scheme
//! and subnets are kept for reachability.

use futures::FutureExt;
use sgaudit_snapshot::network::LoadBalancer;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "elbv2-load-balancers",
    service: "elasticloadbalancing",
    description: "Application, Network and Gateway Load Balancers (SecurityGroups)",
    kinds: &[ResourceKind::Elbv2LoadBalancer],
    actions: &[crate::probe!("elasticloadbalancing:DescribeLoadBalancers", |ctx| client!(
        ctx,
        aws_sdk_elasticloadbalancingv2
    )
    .describe_load_balancers()
    .page_size(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersOutput => next_marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let elbv2 = client!(ctx, aws_sdk_elasticloadbalancingv2);
    let pages = elbv2.describe_load_balancers().page_size(400).into_paginator().send();
    each_page(ctx, "elasticloadbalancing:DescribeLoadBalancers", pages, |page| {
        for lb in page.load_balancers() {
            found.items += 1;
            let Some(arn) = lb.load_balancer_arn() else {
                continue;
            };
            let detail = lb.r#type().map(|t| format!("{} load balancer", t.as_str()));
            match detail {
                Some(detail) => {
                    found.config_detail(ResourceKind::Elbv2LoadBalancer, arn, &detail, lb.security_groups())
                }
                None => found.config(ResourceKind::Elbv2LoadBalancer, arn, lb.security_groups()),
            }
            let mut subnets: Vec<String> =
                lb.availability_zones().iter().filter_map(|z| z.subnet_id().map(str::to_string)).collect();
            subnets.sort();
            found.network.load_balancers.push(LoadBalancer {
                id: arn.to_string(),
                name: lb.load_balancer_name().unwrap_or(arn).to_string(),
                kind: lb.r#type().map_or("application", |t| t.as_str()).to_string(),
                internet_facing: lb.scheme().is_some_and(|s| s.as_str() == "internet-facing"),
                vpc_id: lb.vpc_id().map(str::to_string),
                subnets,
                groups: lb.security_groups().to_vec(),
            });
        }
    })
    .await
}

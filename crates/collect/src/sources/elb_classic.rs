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
//!
//! The same answer tells reachability what each listens on and sends to: its scheme, subnets, listeners and
//! registered instances (on each listener's instance port).

use futures::FutureExt;
use sgaudit_snapshot::network::{LbTarget, Listener, LoadBalancer};
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
            network(found, name, lb);
        }
    })
    .await
}

/// What the load balancer is to reachability: where it sits, what it listens on, and where it sends.
fn network(found: &mut Found, name: &str, lb: &aws_sdk_elasticloadbalancing::types::LoadBalancerDescription) {
    let mut subnets = lb.subnets().to_vec();
    subnets.sort();
    found.network.load_balancers.push(LoadBalancer {
        id: name.to_string(),
        name: name.to_string(),
        kind: "classic".to_string(),
        internet_facing: lb.scheme().is_none_or(|s| s == "internet-facing"),
        vpc_id: lb.vpc_id().map(str::to_string),
        subnets,
        groups: lb.security_groups().to_vec(),
    });
    let mut instance_ports = Vec::new();
    for description in lb.listener_descriptions() {
        let Some(listener) = description.listener() else { continue };
        if let Ok(port) = u16::try_from(listener.load_balancer_port()) {
            found.network.listeners.push(Listener {
                load_balancer: name.to_string(),
                protocol: listener.protocol().to_ascii_uppercase(),
                port,
            });
        }
        instance_ports.extend(u16::try_from(listener.instance_port()).ok());
    }
    instance_ports.sort_unstable();
    instance_ports.dedup();
    for instance in lb.instances().iter().filter_map(|i| i.instance_id()) {
        for port in &instance_ports {
            found.network.targets.push(LbTarget {
                load_balancer: name.to_string(),
                target_group: None,
                kind: "instance".to_string(),
                id: instance.to_string(),
                port: Some(*port),
            });
        }
    }
}

//! EC2 instances hold their groups through their network interfaces, but a stopped instance is listed
//! here too: its interfaces stay attached and keep the groups, and AWS refuses to delete them. Instances
//! outside any VPC (EC2-Classic) are also noted for the network checks, from the same list.

use aws_sdk_ec2::types::{GroupIdentifier, InstanceStateName};
use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-instances",
    service: "ec2",
    description: "EC2 instances in any state but terminated, stopped included (instance and interface groups)",
    kinds: &[ResourceKind::Ec2Instance],
    actions: &[crate::probe!("ec2:DescribeInstances", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_instances()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_instances().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeInstances", pages, |page| {
        for instance in page.reservations().iter().flat_map(|r| r.instances()) {
            found.items += 1;
            let Some(id) = instance.instance_id() else {
                continue;
            };
            let state = instance.state().and_then(|s| s.name());
            // A terminated instance lingers in the list for about an hour but holds nothing any more.
            if state == Some(&InstanceStateName::Terminated) {
                continue;
            }
            let mut groups = group_ids(instance.security_groups());
            for eni in instance.network_interfaces() {
                groups.extend(group_ids(eni.groups()));
            }
            groups.sort();
            groups.dedup();
            // EC2-Classic (retired in 2023): an instance outside any VPC, for the network checks.
            if instance.vpc_id().is_none_or(str::is_empty) {
                found.posture.instances_outside_vpc.push(id.to_string());
            }
            let detail = state.map(|s| s.as_str()).unwrap_or("unknown state");
            found.config_detail(ResourceKind::Ec2Instance, id, detail, &groups);
        }
    })
    .await
}

fn group_ids(groups: &[GroupIdentifier]) -> Vec<String> {
    groups.iter().filter_map(|g| g.group_id().map(str::to_string)).collect()
}

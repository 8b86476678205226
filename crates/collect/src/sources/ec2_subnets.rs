//! Every subnet of the region, with its blocks: where each interface and load balancer sits, for reachability.

use futures::FutureExt;
use sgaudit_snapshot::network::Subnet;
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-subnets",
    service: "ec2",
    description: "Subnets with their IPv4 and IPv6 blocks (reachability from the internet)",
    kinds: &[],
    actions: &[crate::probe!("ec2:DescribeSubnets", |ctx| client!(ctx, aws_sdk_ec2).describe_subnets().max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput => next_token);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_subnets().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeSubnets", pages, |page| {
        for subnet in page.subnets() {
            found.items += 1;
            let (Some(id), Some(vpc)) = (subnet.subnet_id(), subnet.vpc_id()) else { continue };
            let mut cidrs_ipv6: Vec<String> = subnet
                .ipv6_cidr_block_association_set()
                .iter()
                .filter(|a| {
                    a.ipv6_cidr_block_state().and_then(|s| s.state()).is_none_or(|s| s.as_str() == "associated")
                })
                .filter_map(|a| a.ipv6_cidr_block().map(str::to_string))
                .collect();
            cidrs_ipv6.sort();
            found.network.subnets.push(Subnet {
                subnet_id: id.to_string(),
                vpc_id: vpc.to_string(),
                cidr_ipv4: subnet.cidr_block().map(str::to_string),
                cidrs_ipv6,
            });
        }
    })
    .await
}

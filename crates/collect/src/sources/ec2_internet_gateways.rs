//! Every internet gateway of the region, with the VPCs it is attached to: a route to one opens a subnet to the
//! internet.

use futures::FutureExt;
use sgaudit_snapshot::network::InternetGateway;
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-internet-gateways",
    service: "ec2",
    description: "Internet gateways and the VPCs they are attached to (reachability from the internet)",
    kinds: &[],
    actions: &[crate::probe!("ec2:DescribeInternetGateways", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_internet_gateways()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(aws_sdk_ec2::operation::describe_internet_gateways::DescribeInternetGatewaysOutput => next_token);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_internet_gateways().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeInternetGateways", pages, |page| {
        for gateway in page.internet_gateways() {
            found.items += 1;
            let Some(id) = gateway.internet_gateway_id() else { continue };
            // An attached gateway's state is `available` (the API's documented value for internet gateways)
            // or `attached`; one detaching or detached carries nothing.
            let mut vpcs: Vec<String> = gateway
                .attachments()
                .iter()
                .filter(|a| a.state().is_none_or(|s| matches!(s.as_str(), "available" | "attached")))
                .filter_map(|a| a.vpc_id().map(str::to_string))
                .collect();
            vpcs.sort();
            found.network.internet_gateways.push(InternetGateway { internet_gateway_id: id.to_string(), vpcs });
        }
    })
    .await
}

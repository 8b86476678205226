//! Interface and Gateway Load Balancer endpoints hold groups (gateway endpoints have none). Their
//! interfaces are requester-managed, so the endpoint itself is the thing to change or delete.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-vpc-endpoints",
    service: "ec2",
    description: "Interface and Gateway Load Balancer VPC endpoints",
    kinds: &[ResourceKind::VpcEndpoint],
    actions: &[crate::probe!("ec2:DescribeVpcEndpoints", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_vpc_endpoints()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_vpc_endpoints::DescribeVpcEndpointsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_vpc_endpoints().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeVpcEndpoints", pages, |page| {
        for endpoint in page.vpc_endpoints() {
            found.items += 1;
            let Some(id) = endpoint.vpc_endpoint_id() else {
                continue;
            };
            // The API spells states in lower case ("deleted") though the SDK's enum expects "Deleted".
            if endpoint.state().is_some_and(|s| s.as_str().eq_ignore_ascii_case("deleted")) {
                continue;
            }
            let detail = format!(
                "{} endpoint for {}",
                endpoint.vpc_endpoint_type().map(|t| t.as_str()).unwrap_or("unknown-type"),
                endpoint.service_name().unwrap_or("unknown service")
            );
            let groups = endpoint.groups().iter().filter_map(|g| g.group_id());
            found.config_detail(ResourceKind::VpcEndpoint, id, &detail, groups);
        }
    })
    .await
}

//! EC2 Instance Connect endpoints name their groups in `SecurityGroupIds`; the interface AWS creates for
//! one is requester-managed, so the endpoint is what must change (or go) before the group can.

use aws_sdk_ec2::types::Ec2InstanceConnectEndpointState;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-instance-connect-endpoints",
    service: "ec2",
    description: "EC2 Instance Connect endpoints (SecurityGroupIds)",
    kinds: &[ResourceKind::InstanceConnectEndpoint],
    actions: &[crate::probe!("ec2:DescribeInstanceConnectEndpoints", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_instance_connect_endpoints()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_instance_connect_endpoints::DescribeInstanceConnectEndpointsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    // 50 is the most this API returns in one page.
    let pages = ec2.describe_instance_connect_endpoints().max_results(50).into_paginator().send();
    each_page(ctx, "ec2:DescribeInstanceConnectEndpoints", pages, |page| {
        for endpoint in page.instance_connect_endpoints() {
            found.items += 1;
            // Deleted endpoints stay listed for a while; they hold nothing.
            if endpoint.state() == Some(&Ec2InstanceConnectEndpointState::DeleteComplete) {
                continue;
            }
            let Some(id) = endpoint.instance_connect_endpoint_arn().or(endpoint.instance_connect_endpoint_id()) else {
                continue;
            };
            found.config(ResourceKind::InstanceConnectEndpoint, id, endpoint.security_group_ids());
        }
    })
    .await
}

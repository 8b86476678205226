//! Verified Access endpoints of type `load-balancer`, `network-interface`, `rds` and `cidr` name the groups
//! of the interfaces AWS creates for them in `SecurityGroupIds`.

use aws_sdk_ec2::types::VerifiedAccessEndpointStatusCode;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-verified-access-endpoints",
    service: "ec2",
    description: "Verified Access endpoints (SecurityGroupIds)",
    kinds: &[ResourceKind::VerifiedAccessEndpoint],
    actions: &[crate::probe!("ec2:DescribeVerifiedAccessEndpoints", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_verified_access_endpoints()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_verified_access_endpoints::DescribeVerifiedAccessEndpointsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_verified_access_endpoints().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeVerifiedAccessEndpoints", pages, |page| {
        for endpoint in page.verified_access_endpoints() {
            found.items += 1;
            // Deleted endpoints stay listed for a while; they hold nothing.
            if endpoint.status().and_then(|s| s.code()) == Some(&VerifiedAccessEndpointStatusCode::Deleted) {
                continue;
            }
            // The response carries no ARN; the id is unique in the account-region.
            let Some(id) = endpoint.verified_access_endpoint_id() else {
                continue;
            };
            found.config(ResourceKind::VerifiedAccessEndpoint, id, endpoint.security_group_ids());
        }
    })
    .await
}

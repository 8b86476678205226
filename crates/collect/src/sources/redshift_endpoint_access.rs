//! Redshift-managed VPC endpoints (to a provisioned cluster, possibly of another account) name their
//! groups in `VpcSecurityGroups`; the endpoint's interfaces are AWS-managed. Called with no owner, the list
//! is of the endpoints this account created, whose groups are this account's.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "redshift-endpoint-access",
    service: "redshift",
    description: "Redshift-managed VPC endpoints (VpcSecurityGroups)",
    kinds: &[ResourceKind::RedshiftEndpointAccess],
    actions: &[crate::probe!("redshift:DescribeEndpointAccess", |ctx| client!(ctx, aws_sdk_redshift)
        .describe_endpoint_access()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_redshift::operation::describe_endpoint_access::DescribeEndpointAccessOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let redshift = client!(ctx, aws_sdk_redshift);
    let pages = redshift.describe_endpoint_access().max_records(100).into_paginator().send();
    each_page(ctx, "redshift:DescribeEndpointAccess", pages, |page| {
        for endpoint in page.endpoint_access_list() {
            found.items += 1;
            // The response carries no ARN; the endpoint name is unique in the account-region.
            let Some(name) = endpoint.endpoint_name() else {
                continue;
            };
            let groups = endpoint.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id());
            found.config(ResourceKind::RedshiftEndpointAccess, name, groups);
        }
    })
    .await
}

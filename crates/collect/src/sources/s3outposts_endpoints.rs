//! S3 on Outposts endpoints sit in a VPC in the group of `SecurityGroupId`, which ListEndpoints gives for
//! every endpoint of the account. (ListSharedEndpoints lists the endpoints other accounts created on an
//! Outpost shared with them through RAM: each is in the VPC, and names a group, of the account that created
//! it, whose own ListEndpoints lists it.)

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "s3outposts-endpoints",
    service: "s3-outposts",
    description: "S3 on Outposts endpoints (SecurityGroupId)",
    kinds: &[ResourceKind::S3outpostsEndpoint],
    actions: &[crate::probe!("s3-outposts:ListEndpoints", |ctx| client!(ctx, aws_sdk_s3outposts)
        .list_endpoints()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_s3outposts::operation::list_endpoints::ListEndpointsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let s3outposts = client!(ctx, aws_sdk_s3outposts);
    let pages = s3outposts.list_endpoints().max_results(100).into_paginator().send();
    each_page(ctx, "s3-outposts:ListEndpoints", pages, |page| {
        for endpoint in page.endpoints() {
            found.items += 1;
            let Some(id) = endpoint.endpoint_arn() else {
                continue;
            };
            let status = endpoint.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            let detail = match endpoint.outposts_id() {
                Some(outpost) => format!("endpoint on Outpost {outpost}, {status}"),
                None => format!("endpoint {status}"),
            };
            found.config_detail(ResourceKind::S3outpostsEndpoint, id, &detail, endpoint.security_group_id());
        }
    })
    .await
}

//! Glue development endpoints name their groups in `SecurityGroupIds`, which GetDevEndpoints returns with
//! every endpoint (GetDevEndpoint and BatchGetDevEndpoints return the same endpoints one by one).

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "glue-dev-endpoints",
    service: "glue",
    description: "Glue development endpoints (SecurityGroupIds)",
    kinds: &[ResourceKind::GlueDevEndpoint],
    actions: &[crate::probe!("glue:GetDevEndpoints", |ctx| client!(ctx, aws_sdk_glue)
        .get_dev_endpoints()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_glue::operation::get_dev_endpoints::GetDevEndpointsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let glue = client!(ctx, aws_sdk_glue);
    let pages = glue.get_dev_endpoints().max_results(1000).into_paginator().send();
    each_page(ctx, "glue:GetDevEndpoints", pages, |page| {
        for endpoint in page.dev_endpoints() {
            found.items += 1;
            // The response carries no ARN; the name is unique in the account-region.
            let Some(name) = endpoint.endpoint_name() else {
                continue;
            };
            found.config(ResourceKind::GlueDevEndpoint, name, endpoint.security_group_ids());
        }
    })
    .await
}

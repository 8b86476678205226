//! OpenSearch Ingestion pipeline endpoints (interface endpoints in a VPC of this account, reaching a
//! pipeline of this or another account) name their groups in `VpcOptions.SecurityGroupIds`, and
//! ListPipelineEndpoints gives them for every endpoint. A REVOKED endpoint (its pipeline's owner revoked
//! it) still exists until it is deleted, so it is a holder too.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "osis-pipeline-endpoints",
    service: "osis",
    description: "OpenSearch Ingestion pipeline endpoints (VpcOptions.SecurityGroupIds)",
    kinds: &[ResourceKind::OsisPipelineEndpoint],
    actions: &[crate::probe!("osis:ListPipelineEndpoints", |ctx| client!(ctx, aws_sdk_osis)
        .list_pipeline_endpoints()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_osis::operation::list_pipeline_endpoints::ListPipelineEndpointsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let osis = client!(ctx, aws_sdk_osis);
    let pages = osis.list_pipeline_endpoints().max_results(100).into_paginator().send();
    each_page(ctx, "osis:ListPipelineEndpoints", pages, |page| {
        for endpoint in page.pipeline_endpoints() {
            found.items += 1;
            let Some(id) = endpoint.endpoint_id() else {
                continue;
            };
            let Some(options) = endpoint.vpc_options() else {
                continue;
            };
            let status = endpoint.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            let detail = match endpoint.pipeline_arn() {
                Some(pipeline) => format!("endpoint of pipeline {pipeline}, {status}"),
                None => format!("pipeline endpoint {status}"),
            };
            found.config_detail(ResourceKind::OsisPipelineEndpoint, id, &detail, options.security_group_ids());
        }
    })
    .await
}

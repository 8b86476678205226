//! OpenSearch Ingestion pipelines in a VPC name their groups in
//! `Pipeline.VpcEndpoints[].VpcOptions.SecurityGroupIds`. ListPipelines gives no VPC options, so each
//! pipeline is read with GetPipeline. A STOPPED pipeline is a holder too: starting it brings back its VPC
//! endpoint with the same groups. The SDK's paginator for ListPipelines is used with the largest page.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "osis-pipelines",
    service: "osis",
    description: "OpenSearch Ingestion pipelines in a VPC (VpcEndpoints[].VpcOptions.SecurityGroupIds)",
    kinds: &[ResourceKind::OsisPipeline],
    actions: &[
        crate::probe!("osis:ListPipelines", |ctx| client!(ctx, aws_sdk_osis).list_pipelines().max_results(1)),
        crate::probe!("osis:GetPipeline", |ctx| client!(ctx, aws_sdk_osis).get_pipeline().pipeline_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_osis::operation::list_pipelines::ListPipelinesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let osis = client!(ctx, aws_sdk_osis);
    let mut names: Vec<String> = Vec::new();
    let pages = osis.list_pipelines().max_results(100).into_paginator().send();
    each_page(ctx, "osis:ListPipelines", pages, |page| {
        for pipeline in page.pipelines() {
            found.items += 1;
            names.extend(pipeline.pipeline_name().map(str::to_string));
        }
    })
    .await?;

    let osis = &osis;
    let read = describe_each(&names, |name| async move {
        match osis.get_pipeline().pipeline_name(name).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("osis:GetPipeline", e)),
        }
    })
    .await?;
    for (name, out) in read {
        let Some(pipeline) = out.pipeline() else {
            continue;
        };
        let id = pipeline.pipeline_arn().unwrap_or(name);
        let status = pipeline.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
        for endpoint in pipeline.vpc_endpoints() {
            let Some(options) = endpoint.vpc_options() else {
                continue;
            };
            let detail = match endpoint.vpc_endpoint_id() {
                Some(vpce) => format!("VPC endpoint {vpce}, pipeline {status}"),
                None => format!("VPC options, pipeline {status}"),
            };
            found.config_detail(ResourceKind::OsisPipeline, id, &detail, options.security_group_ids());
        }
    }
    Ok(())
}

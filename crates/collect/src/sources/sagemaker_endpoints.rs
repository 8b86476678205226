//! SageMaker real-time endpoints run in a VPC when their model has a `VpcConfig` (or, for endpoints built
//! from inference components, when their endpoint configuration has one). Every model is recorded, in
//! use or not, because a model names its groups for whatever endpoint or job will run it; an endpoint
//! is recorded as holding its models' groups, which it does for as long as it runs. Each endpoint
//! configuration and each model is described once, however many endpoints share it.

use std::collections::BTreeMap;

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use super::sagemaker_notebooks::vanished;
use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "sagemaker-endpoints",
    service: "api.sagemaker",
    description:
        "SageMaker models' VpcConfig, and the endpoints that serve them (through their endpoint configuration)",
    kinds: &[ResourceKind::SagemakerEndpoint, ResourceKind::SagemakerModel],
    actions: &[
        crate::probe!("sagemaker:ListModels", |ctx| client!(ctx, aws_sdk_sagemaker).list_models().max_results(1)),
        crate::probe!("sagemaker:DescribeModel", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_model()
            .model_name(PROBE_NAME)),
        crate::probe!("sagemaker:ListEndpoints", |ctx| client!(ctx, aws_sdk_sagemaker).list_endpoints().max_results(1)),
        crate::probe!("sagemaker:DescribeEndpoint", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_endpoint()
            .endpoint_name(PROBE_NAME)),
        crate::probe!("sagemaker:DescribeEndpointConfig", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_endpoint_config()
            .endpoint_config_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_sagemaker::operation::list_models::ListModelsOutput => next_token,
    aws_sdk_sagemaker::operation::list_endpoints::ListEndpointsOutput => next_token,
);

/// What an endpoint configuration contributes: its own VPC groups and the models it serves.
struct EndpointConfig {
    groups: Vec<String>,
    models: Vec<String>,
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let sagemaker = client!(ctx, aws_sdk_sagemaker);

    let mut model_names = Vec::new();
    let pages = sagemaker.list_models().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListModels", pages, |page| {
        model_names.extend(page.models().iter().filter_map(|m| m.model_name().map(str::to_string)));
    })
    .await?;

    // Model name → its groups, for the endpoints below.
    let mut models: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &model_names {
        let model = match sagemaker.describe_model().model_name(name).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("sagemaker:DescribeModel", e)),
        };
        found.items += 1;
        let groups = model.vpc_config().map(|v| v.security_group_ids().to_vec()).unwrap_or_default();
        found.config(ResourceKind::SagemakerModel, model.model_arn().unwrap_or(name), &groups);
        models.insert(name.clone(), groups);
    }

    let mut endpoint_names = Vec::new();
    let pages = sagemaker.list_endpoints().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListEndpoints", pages, |page| {
        endpoint_names.extend(page.endpoints().iter().filter_map(|e| e.endpoint_name().map(str::to_string)));
    })
    .await?;

    let mut configs: BTreeMap<String, EndpointConfig> = BTreeMap::new();
    for name in &endpoint_names {
        let endpoint = match sagemaker.describe_endpoint().endpoint_name(name).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("sagemaker:DescribeEndpoint", e)),
        };
        found.items += 1;
        let id = endpoint.endpoint_arn().unwrap_or(name).to_string();
        let Some(config_name) = endpoint.endpoint_config_name() else {
            continue;
        };

        if !configs.contains_key(config_name) {
            // An endpoint keeps running after its configuration (or a model) is deleted, and then its
            // groups cannot be read: that is a failure, not "nothing held".
            let config = sagemaker
                .describe_endpoint_config()
                .endpoint_config_name(config_name)
                .send()
                .await
                .map_err(|e| ctx.fail("sagemaker:DescribeEndpointConfig", e))?;
            let variants = config.production_variants().iter().chain(config.shadow_production_variants());
            let mut served: Vec<String> = variants.filter_map(|v| v.model_name().map(str::to_string)).collect();
            served.sort();
            served.dedup();
            let groups = config.vpc_config().map(|v| v.security_group_ids().to_vec()).unwrap_or_default();
            configs.insert(config_name.to_string(), EndpointConfig { groups, models: served });
        }
        let Some(config) = configs.get(config_name) else {
            continue;
        };
        found.config_detail(
            ResourceKind::SagemakerEndpoint,
            &id,
            &format!("through endpoint configuration {config_name}"),
            &config.groups,
        );

        for model_name in &config.models {
            if !models.contains_key(model_name) {
                // Created after the model list was read, or deleted while the endpoint still serves it.
                let model = sagemaker
                    .describe_model()
                    .model_name(model_name)
                    .send()
                    .await
                    .map_err(|e| ctx.fail("sagemaker:DescribeModel", e))?;
                let groups = model.vpc_config().map(|v| v.security_group_ids().to_vec()).unwrap_or_default();
                models.insert(model_name.clone(), groups);
            }
            let groups = models.get(model_name).map(Vec::as_slice).unwrap_or_default();
            found.config_detail(ResourceKind::SagemakerEndpoint, &id, &format!("through model {model_name}"), groups);
        }
    }
    Ok(())
}

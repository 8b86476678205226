//! Bedrock Marketplace model endpoints run on SageMaker instances in the VPC named by their endpoint
//! configuration. The list gives ARNs only; each endpoint is described for its configuration.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "bedrock-marketplace-endpoints",
    service: "bedrock",
    description: "Bedrock Marketplace model endpoints (endpointConfig.sageMaker.vpc)",
    kinds: &[ResourceKind::BedrockMarketplaceModelEndpoint],
    actions: &[
        crate::probe!("bedrock:ListMarketplaceModelEndpoints", |ctx| client!(ctx, aws_sdk_bedrock)
            .list_marketplace_model_endpoints()
            .max_results(1)),
        crate::probe!("bedrock:GetMarketplaceModelEndpoint", |ctx| client!(ctx, aws_sdk_bedrock)
            .get_marketplace_model_endpoint()
            .endpoint_arn(ctx.arn("sagemaker", &format!("endpoint/{PROBE_NAME}")))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let bedrock = client!(ctx, aws_sdk_bedrock);
    let mut arns = Vec::new();
    let mut trail = ctx.pages("bedrock:ListMarketplaceModelEndpoints");
    let mut token: Option<String> = None;
    loop {
        let page = bedrock
            .list_marketplace_model_endpoints()
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock:ListMarketplaceModelEndpoints", e))?;
        arns.extend(page.marketplace_model_endpoints().iter().map(|e| e.endpoint_arn().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    for arn in &arns {
        let out = match bedrock.get_marketplace_model_endpoint().endpoint_arn(arn).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("ResourceNotFoundException") => continue,
            Err(e) => return Err(ctx.fail("bedrock:GetMarketplaceModelEndpoint", e)),
        };
        found.items += 1;
        let Some(endpoint) = out.marketplace_model_endpoint() else {
            continue;
        };
        let Some(aws_sdk_bedrock::types::EndpointConfig::SageMaker(sagemaker)) = endpoint.endpoint_config() else {
            continue;
        };
        let groups = sagemaker.vpc().map(|v| v.security_group_ids()).unwrap_or_default();
        found.config_detail(
            ResourceKind::BedrockMarketplaceModelEndpoint,
            endpoint.endpoint_arn(),
            "endpointConfig.sageMaker.vpc",
            groups,
        );
    }
    Ok(())
}

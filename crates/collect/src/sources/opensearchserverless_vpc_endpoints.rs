//! OpenSearch Serverless VPC endpoints name their groups in `securityGroupIds`. ListVpcEndpoints gives
//! ids only; BatchGetVpcEndpoint reads them a hundred at a time (the most it takes).

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "opensearchserverless-vpc-endpoints",
    service: "aoss",
    description: "OpenSearch Serverless VPC endpoints (securityGroupIds)",
    kinds: &[ResourceKind::OpensearchServerlessVpcEndpoint],
    actions: &[
        crate::probe!("aoss:ListVpcEndpoints", |ctx| client!(ctx, aws_sdk_opensearchserverless)
            .list_vpc_endpoints()
            .max_results(1)),
        crate::probe!("aoss:BatchGetVpcEndpoint", |ctx| client!(ctx, aws_sdk_opensearchserverless)
            .batch_get_vpc_endpoint()
            .ids("vpce-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_opensearchserverless::operation::list_vpc_endpoints::ListVpcEndpointsOutput => next_token,
);

/// The most ids one BatchGetVpcEndpoint takes.
const BATCH: usize = 100;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let aoss = client!(ctx, aws_sdk_opensearchserverless);
    let mut ids: Vec<String> = Vec::new();
    let pages = aoss.list_vpc_endpoints().max_results(100).into_paginator().send();
    each_page(ctx, "aoss:ListVpcEndpoints", pages, |page| {
        for endpoint in page.vpc_endpoint_summaries() {
            found.items += 1;
            ids.extend(endpoint.id().map(str::to_string));
        }
    })
    .await?;

    for batch in ids.chunks(BATCH) {
        let out = aoss
            .batch_get_vpc_endpoint()
            .set_ids(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| ctx.fail("aoss:BatchGetVpcEndpoint", e))?;
        // An endpoint deleted after the list comes back among the errors, not found: it holds nothing. Any
        // other error leaves an endpoint unread.
        if let Some(error) = out.vpc_endpoint_error_details().iter().find(|e| !not_found(e.error_code())) {
            return Err(SourceError {
                code: error.error_code().unwrap_or("error").to_string(),
                message: format!(
                    "VPC endpoint {} was not read: {}",
                    error.id().unwrap_or_default(),
                    error.error_message().unwrap_or_default()
                ),
                action: Some("aoss:BatchGetVpcEndpoint".to_string()),
                scp_deny: false,
            });
        }
        for endpoint in out.vpc_endpoint_details() {
            let Some(id) = endpoint.id() else {
                continue;
            };
            let status = endpoint.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            let detail = format!("VPC endpoint {status}");
            found.config_detail(
                ResourceKind::OpensearchServerlessVpcEndpoint,
                id,
                &detail,
                endpoint.security_group_ids(),
            );
        }
    }
    Ok(())
}

fn not_found(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.to_ascii_lowercase().replace('_', "").contains("notfound"))
}

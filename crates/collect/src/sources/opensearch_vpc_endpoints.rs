//! OpenSearch-managed VPC endpoints (interface endpoints that give another VPC access to a domain) name
//! their groups in `VpcOptions.SecurityGroupIds`; their interfaces are AWS-managed. The list gives ids
//! only; each page of ids is described in one call. The OpenSearch and the older Elasticsearch APIs both
//! manage them, each through its own operations: `elasticsearch_vpc_endpoints` reads the latter with the
//! same code (the macro below).

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "opensearch-vpc-endpoints",
    service: "es",
    description: "OpenSearch-managed VPC endpoints of domains (VpcOptions.SecurityGroupIds)",
    kinds: &[ResourceKind::OpensearchVpcEndpoint],
    actions: &[
        crate::probe!("es:ListVpcEndpoints", |ctx| client!(ctx, aws_sdk_opensearch).list_vpc_endpoints()),
        crate::probe!("es:DescribeVpcEndpoints", |ctx| client!(ctx, aws_sdk_opensearch)
            .describe_vpc_endpoints()
            .vpc_endpoint_ids("aos-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// `async fn collect` for one of the two SDKs of the service (their types differ, their shapes do not).
macro_rules! collect_vpc_endpoints {
    ($krate:ident, $kind:expr) => {
        async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
            use $krate::types::VpcEndpointErrorCode;

            let es = client!(ctx, $krate);
            // The SDK offers no paginator for ListVpcEndpoints (and it takes no page size): the token is
            // followed by hand.
            let mut trail = ctx.pages("es:ListVpcEndpoints");
            let mut token: Option<String> = None;
            loop {
                let page = es
                    .list_vpc_endpoints()
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| ctx.fail("es:ListVpcEndpoints", e))?;
                let ids: Vec<String> = page
                    .vpc_endpoint_summary_list()
                    .iter()
                    .filter_map(|s| s.vpc_endpoint_id().map(str::to_string))
                    .collect();
                if !ids.is_empty() {
                    let out = es
                        .describe_vpc_endpoints()
                        .set_vpc_endpoint_ids(Some(ids))
                        .send()
                        .await
                        .map_err(|e| ctx.fail("es:DescribeVpcEndpoints", e))?;
                    // An endpoint deleted since the list is ENDPOINT_NOT_FOUND: it holds nothing. Any other
                    // error leaves that endpoint's groups unread.
                    if let Some(error) = out
                        .vpc_endpoint_errors()
                        .iter()
                        .find(|e| e.error_code() != Some(&VpcEndpointErrorCode::EndpointNotFound))
                    {
                        return Err(SourceError {
                            code: error
                                .error_code()
                                .map(|c| c.as_str().to_string())
                                .unwrap_or_else(|| "VpcEndpointError".to_string()),
                            message: format!(
                                "{} could not be described: {}",
                                error.vpc_endpoint_id().unwrap_or("an endpoint"),
                                error.error_message().unwrap_or("no message")
                            ),
                            action: Some("es:DescribeVpcEndpoints".to_string()),
                            scp_deny: false,
                        });
                    }
                    for endpoint in out.vpc_endpoints() {
                        found.items += 1;
                        let Some(id) = endpoint.vpc_endpoint_id() else {
                            continue;
                        };
                        let detail = match endpoint.domain_arn() {
                            Some(domain) => format!("endpoint of domain {domain}"),
                            None => "domain endpoint".to_string(),
                        };
                        let groups = endpoint.vpc_options().map(|v| v.security_group_ids()).unwrap_or_default();
                        found.config_detail($kind, id, &detail, groups);
                    }
                }
                match trail.follow(Some(page.next_token()))? {
                    Some(next) => token = Some(next),
                    None => return Ok(()),
                }
            }
        }
    };
}
pub(super) use collect_vpc_endpoints;

collect_vpc_endpoints!(aws_sdk_opensearch, ResourceKind::OpensearchVpcEndpoint);

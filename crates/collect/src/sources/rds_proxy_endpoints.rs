//! The extra endpoints of an RDS Proxy (read-only, or in another VPC) name groups of their own in
//! `VpcSecurityGroupIds`; `rds-db-proxies` reads the proxies' own groups. The endpoints' interfaces are
//! AWS-managed, so the endpoint is what must change before the group can go.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "rds-db-proxy-endpoints",
    service: "rds",
    description: "RDS Proxy endpoints (VpcSecurityGroupIds)",
    kinds: &[ResourceKind::RdsDbProxyEndpoint],
    actions: &[crate::probe!("rds:DescribeDBProxyEndpoints", |ctx| client!(ctx, aws_sdk_rds)
        .describe_db_proxy_endpoints()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_rds::operation::describe_db_proxy_endpoints::DescribeDbProxyEndpointsOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let rds = client!(ctx, aws_sdk_rds);
    // With no proxy named, the endpoints of every proxy come in one list.
    let pages = rds.describe_db_proxy_endpoints().max_records(100).into_paginator().send();
    each_page(ctx, "rds:DescribeDBProxyEndpoints", pages, |page| {
        for endpoint in page.db_proxy_endpoints() {
            found.items += 1;
            let Some(id) = endpoint.db_proxy_endpoint_arn().or(endpoint.db_proxy_endpoint_name()) else {
                continue;
            };
            let detail = match endpoint.db_proxy_name() {
                Some(proxy) => format!("endpoint of proxy {proxy}"),
                None => "proxy endpoint".to_string(),
            };
            found.config_detail(ResourceKind::RdsDbProxyEndpoint, id, &detail, endpoint.vpc_security_group_ids());
        }
    })
    .await
}

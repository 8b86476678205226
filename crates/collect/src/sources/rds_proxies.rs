//! RDS Proxies name their groups directly (`VpcSecurityGroupIds`); the proxy's endpoints may add their
//! own, but a proxy's default endpoint uses the proxy's groups.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "rds-db-proxies",
    service: "rds",
    description: "RDS Proxies (VpcSecurityGroupIds)",
    kinds: &[ResourceKind::RdsDbProxy],
    actions: &[crate::probe!("rds:DescribeDBProxies", |ctx| client!(ctx, aws_sdk_rds)
        .describe_db_proxies()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_rds::operation::describe_db_proxies::DescribeDbProxiesOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let rds = client!(ctx, aws_sdk_rds);
    let pages = rds.describe_db_proxies().max_records(100).into_paginator().send();
    each_page(ctx, "rds:DescribeDBProxies", pages, |page| {
        for proxy in page.db_proxies() {
            found.items += 1;
            let Some(arn) = proxy.db_proxy_arn() else {
                continue;
            };
            found.config(ResourceKind::RdsDbProxy, arn, proxy.vpc_security_group_ids());
        }
    })
    .await
}

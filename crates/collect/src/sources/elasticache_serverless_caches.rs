//! ElastiCache serverless caches name their groups in `SecurityGroupIds`; their VPC endpoint's interfaces
//! are AWS-managed, so the cache is what must change before the group can go.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "elasticache-serverless-caches",
    service: "elasticache",
    description: "ElastiCache serverless caches (SecurityGroupIds)",
    kinds: &[ResourceKind::ElasticacheServerlessCache],
    actions: &[crate::probe!("elasticache:DescribeServerlessCaches", |ctx| client!(ctx, aws_sdk_elasticache)
        .describe_serverless_caches()
        .max_results(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_elasticache::operation::describe_serverless_caches::DescribeServerlessCachesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let elasticache = client!(ctx, aws_sdk_elasticache);
    let pages = elasticache.describe_serverless_caches().max_results(100).into_paginator().send();
    each_page(ctx, "elasticache:DescribeServerlessCaches", pages, |page| {
        for cache in page.serverless_caches() {
            found.items += 1;
            let Some(id) = cache.arn().or(cache.serverless_cache_name()) else {
                continue;
            };
            found.config(ResourceKind::ElasticacheServerlessCache, id, cache.security_group_ids());
        }
    })
    .await
}

//! MemoryDB clusters name their groups in `SecurityGroups`.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "memorydb-clusters",
    service: "memory-db",
    description: "MemoryDB clusters (SecurityGroups)",
    kinds: &[ResourceKind::MemorydbCluster],
    actions: &[crate::probe!("memorydb:DescribeClusters", |ctx| client!(ctx, aws_sdk_memorydb)
        .describe_clusters()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_memorydb::operation::describe_clusters::DescribeClustersOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let memorydb = client!(ctx, aws_sdk_memorydb);
    let pages = memorydb.describe_clusters().max_results(100).into_paginator().send();
    each_page(ctx, "memorydb:DescribeClusters", pages, |page| {
        for cluster in page.clusters() {
            found.items += 1;
            let Some(id) = cluster.arn().or(cluster.name()) else {
                continue;
            };
            let groups = cluster.security_groups().iter().filter_map(|g| g.security_group_id());
            found.config(ResourceKind::MemorydbCluster, id, groups);
        }
    })
    .await
}

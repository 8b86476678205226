//! ElastiCache cache clusters name their VPC groups in `SecurityGroups`. The member clusters of a
//! replication group carry the group's groups, and the replication group is what a person manages
//! (and what must be modified to free a group), so it is recorded as holding them too.

use std::collections::{BTreeMap, BTreeSet};

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "elasticache-clusters",
    service: "elasticache",
    description: "ElastiCache cache clusters and their replication groups (SecurityGroups)",
    kinds: &[ResourceKind::ElasticacheCacheCluster, ResourceKind::ElasticacheReplicationGroup],
    actions: &[crate::probe!("elasticache:DescribeCacheClusters", |ctx| client!(ctx, aws_sdk_elasticache)
        .describe_cache_clusters()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_elasticache::operation::describe_cache_clusters::DescribeCacheClustersOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let elasticache = client!(ctx, aws_sdk_elasticache);
    // Every member of a replication group names the same groups: gather them once per group.
    let mut replication_groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let pages = elasticache.describe_cache_clusters().max_records(100).into_paginator().send();
    each_page(ctx, "elasticache:DescribeCacheClusters", pages, |page| {
        for cluster in page.cache_clusters() {
            found.items += 1;
            if cluster.cache_cluster_status() == Some("deleted") {
                continue;
            }
            let Some(id) = cluster.arn().or(cluster.cache_cluster_id()) else {
                continue;
            };
            let groups: Vec<&str> = cluster.security_groups().iter().filter_map(|g| g.security_group_id()).collect();
            found.config(ResourceKind::ElasticacheCacheCluster, id, &groups);
            if let Some(replication_group) = cluster.replication_group_id() {
                replication_groups
                    .entry(replication_group.to_string())
                    .or_default()
                    .extend(groups.iter().map(|g| g.to_string()));
            }
        }
    })
    .await?;
    for (replication_group, groups) in &replication_groups {
        found.config(ResourceKind::ElasticacheReplicationGroup, replication_group, groups);
    }
    Ok(())
}

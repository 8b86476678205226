//! RDS DescribeDBClusters answers for every engine, Neptune and DocumentDB included (their own APIs are
//! the same endpoint with an engine filter added), so no filter is passed here and the engine tells
//! the kinds apart. A stopped cluster keeps its groups.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "rds-db-clusters",
    service: "rds",
    description: "Aurora/RDS Multi-AZ, Neptune and DocumentDB clusters, any state (VpcSecurityGroups)",
    kinds: &[ResourceKind::RdsDbCluster, ResourceKind::NeptuneDbCluster, ResourceKind::DocdbDbCluster],
    actions: &[crate::probe!("rds:DescribeDBClusters", |ctx| client!(ctx, aws_sdk_rds)
        .describe_db_clusters()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let rds = client!(ctx, aws_sdk_rds);
    let pages = rds.describe_db_clusters().max_records(100).into_paginator().send();
    each_page(ctx, "rds:DescribeDBClusters", pages, |page| {
        for cluster in page.db_clusters() {
            found.items += 1;
            let Some(arn) = cluster.db_cluster_arn() else {
                continue;
            };
            let kind = match cluster.engine() {
                Some("neptune") => ResourceKind::NeptuneDbCluster,
                Some("docdb") => ResourceKind::DocdbDbCluster,
                _ => ResourceKind::RdsDbCluster,
            };
            let groups = cluster.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id());
            found.config(kind, arn, groups);
        }
    })
    .await
}

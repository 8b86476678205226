//! Redshift provisioned clusters name their VPC groups in `VpcSecurityGroups`; a paused cluster keeps
//! them. The answer carries no cluster ARN, so the cluster identifier is the id.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "redshift-clusters",
    service: "redshift",
    description: "Redshift provisioned clusters, paused ones included (VpcSecurityGroups)",
    kinds: &[ResourceKind::RedshiftCluster],
    actions: &[crate::probe!("redshift:DescribeClusters", |ctx| client!(ctx, aws_sdk_redshift)
        .describe_clusters()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_redshift::operation::describe_clusters::DescribeClustersOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let redshift = client!(ctx, aws_sdk_redshift);
    let pages = redshift.describe_clusters().max_records(100).into_paginator().send();
    each_page(ctx, "redshift:DescribeClusters", pages, |page| {
        for cluster in page.clusters() {
            found.items += 1;
            let Some(id) = cluster.cluster_identifier() else {
                continue;
            };
            let groups = cluster.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id());
            found.config(ResourceKind::RedshiftCluster, id, groups);
        }
    })
    .await
}

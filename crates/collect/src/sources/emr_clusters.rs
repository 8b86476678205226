//! EMR clusters name the groups EMR manages for their master, core/task and service-access roles, plus
//! any additional groups. Terminated clusters stay listed for two months but hold nothing, so only active
//! states are asked for.

use aws_sdk_emr::types::ClusterState;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "emr-clusters",
    service: "elasticmapreduce",
    description: "EMR clusters that are not terminated (managed and additional groups)",
    kinds: &[ResourceKind::EmrCluster],
    actions: &[
        crate::probe!("elasticmapreduce:ListClusters", |ctx| client!(ctx, aws_sdk_emr).list_clusters()),
        crate::probe!("elasticmapreduce:DescribeCluster", |ctx| client!(ctx, aws_sdk_emr)
            .describe_cluster()
            .cluster_id("j-0000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_emr::operation::list_clusters::ListClustersOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let emr = client!(ctx, aws_sdk_emr);
    let mut ids = Vec::new();
    let pages = emr
        .list_clusters()
        .cluster_states(ClusterState::Starting)
        .cluster_states(ClusterState::Bootstrapping)
        .cluster_states(ClusterState::Running)
        .cluster_states(ClusterState::Waiting)
        .cluster_states(ClusterState::Terminating)
        .into_paginator()
        .send();
    each_page(ctx, "elasticmapreduce:ListClusters", pages, |page| {
        ids.extend(page.clusters().iter().filter_map(|c| c.id().map(str::to_string)));
    })
    .await?;

    for id in &ids {
        let out = emr
            .describe_cluster()
            .cluster_id(id)
            .send()
            .await
            .map_err(|e| ctx.fail("elasticmapreduce:DescribeCluster", e))?;
        let Some(cluster) = out.cluster() else {
            continue;
        };
        found.items += 1;
        let arn = cluster.cluster_arn().unwrap_or(id);
        let Some(attrs) = cluster.ec2_instance_attributes() else {
            continue;
        };
        let kind = ResourceKind::EmrCluster;
        found.config_detail(kind, arn, "EMR-managed master group", attrs.emr_managed_master_security_group());
        found.config_detail(kind, arn, "EMR-managed core/task group", attrs.emr_managed_slave_security_group());
        found.config_detail(kind, arn, "service access group", attrs.service_access_security_group());
        found.config_detail(kind, arn, "additional master group", attrs.additional_master_security_groups());
        found.config_detail(kind, arn, "additional core/task group", attrs.additional_slave_security_groups());
    }
    Ok(())
}

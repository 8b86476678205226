//! A SageMaker HyperPod cluster names the groups of its nodes in `VpcConfig`; an instance group can
//! override it (`OverrideVpcConfig`), and a node keeps the override it was launched with. Nodes are
//! described only in instance groups that have an override, since only those can carry groups of their
//! own: that is one `DescribeClusterNode` per such node (HyperPod has no batch describe), and nothing for
//! clusters without overrides. A node that runs holds its groups on its interfaces too (read from the
//! region's network interfaces); reading the node keeps the override of a node that is being replaced.

use std::collections::BTreeSet;

use aws_sdk_sagemaker::types::ClusterStatus;
use futures::stream::{self, StreamExt};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use super::sagemaker_domains::{gone, CONCURRENCY};
use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "sagemaker-hyperpod-clusters",
    service: "api.sagemaker",
    description: "SageMaker HyperPod clusters (VpcConfig, instance group overrides, and the nodes launched with them)",
    kinds: &[ResourceKind::SagemakerHyperpodCluster],
    actions: &[
        crate::probe!("sagemaker:ListClusters", |ctx| client!(ctx, aws_sdk_sagemaker).list_clusters().max_results(1)),
        crate::probe!("sagemaker:DescribeCluster", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_cluster()
            .cluster_name(PROBE_NAME)),
        crate::probe!("sagemaker:ListClusterNodes", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_cluster_nodes()
            .cluster_name(PROBE_NAME)
            .max_results(1)),
        crate::probe!("sagemaker:DescribeClusterNode", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_cluster_node()
            .cluster_name(PROBE_NAME)
            .node_id("i-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_sagemaker::operation::list_clusters::ListClustersOutput => next_token,
    aws_sdk_sagemaker::operation::list_cluster_nodes::ListClusterNodesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let sagemaker = client!(ctx, aws_sdk_sagemaker);

    let mut clusters = Vec::new();
    let pages = sagemaker.list_clusters().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListClusters", pages, |page| {
        for cluster in page.cluster_summaries() {
            found.items += 1;
            // Being deleted: it launches nothing more.
            if cluster.cluster_status() == Some(&ClusterStatus::Deleting) {
                continue;
            }
            clusters.extend(cluster.cluster_arn().or(cluster.cluster_name()).map(str::to_string));
        }
    })
    .await?;

    for arn in &clusters {
        let cluster = match sagemaker.describe_cluster().cluster_name(arn).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(gone) => continue,
            Err(e) => return Err(ctx.fail("sagemaker:DescribeCluster", e)),
        };
        let id = cluster.cluster_arn().unwrap_or(arn);
        let kind = ResourceKind::SagemakerHyperpodCluster;
        found.config_detail(
            kind,
            id,
            "VpcConfig",
            cluster.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default(),
        );
        // Instance groups whose nodes may carry an override.
        let mut overridden = BTreeSet::new();
        let groups =
            cluster.instance_groups().iter().map(|g| (g.instance_group_name(), g.override_vpc_config())).chain(
                cluster.restricted_instance_groups().iter().map(|g| (g.instance_group_name(), g.override_vpc_config())),
            );
        for (name, config) in groups {
            let Some(config) = config else { continue };
            let name = name.unwrap_or("unnamed");
            overridden.insert(name.to_string());
            found.config_detail(kind, id, &format!("instance group {name} override"), config.security_group_ids());
        }
        if overridden.is_empty() {
            continue;
        }

        let mut nodes = Vec::new();
        let pages = sagemaker.list_cluster_nodes().cluster_name(arn).max_results(100).into_paginator().send();
        each_page(ctx, "sagemaker:ListClusterNodes", pages, |page| {
            for node in page.cluster_node_summaries() {
                if node.instance_group_name().is_some_and(|g| overridden.contains(g)) {
                    nodes.extend(node.instance_id().map(str::to_string));
                }
            }
        })
        .await?;
        let described: Vec<_> = stream::iter(nodes.into_iter().map(|node| {
            let (sagemaker, arn) = (sagemaker.clone(), arn.clone());
            async move { sagemaker.describe_cluster_node().cluster_name(arn).node_id(node).send().await }
        }))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
        for node in described {
            let node = match node {
                Ok(out) => out.node_details,
                // Replaced or removed since the list: it holds nothing any more.
                Err(e) if e.as_service_error().is_some_and(gone) => continue,
                Err(e) => return Err(ctx.fail("sagemaker:DescribeClusterNode", e)),
            };
            let Some(node) = node else { continue };
            let Some(config) = node.override_vpc_config() else { continue };
            let detail = format!("node {}", node.instance_id().unwrap_or("unknown"));
            found.config_detail(kind, id, &detail, config.security_group_ids());
        }
    }
    Ok(())
}

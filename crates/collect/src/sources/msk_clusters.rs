//! MSK clusters, provisioned and serverless: a provisioned cluster names its groups in the broker node
//! group, a serverless one in each of its VPC configurations. ListClustersV2 answers for both kinds
//! (the older ListClusters answers for provisioned clusters only).

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "msk-clusters",
    service: "kafka",
    description: "MSK clusters, provisioned (BrokerNodeGroupInfo.SecurityGroups) and serverless (VpcConfigs)",
    kinds: &[ResourceKind::MskCluster],
    actions: &[crate::probe!("kafka:ListClustersV2", |ctx| client!(ctx, aws_sdk_kafka)
        .list_clusters_v2()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_kafka::operation::list_clusters_v2::ListClustersV2Output => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let kafka = client!(ctx, aws_sdk_kafka);
    let pages = kafka.list_clusters_v2().max_results(100).into_paginator().send();
    each_page(ctx, "kafka:ListClustersV2", pages, |page| {
        for cluster in page.cluster_info_list() {
            found.items += 1;
            let Some(arn) = cluster.cluster_arn() else {
                continue;
            };
            if let Some(brokers) = cluster.provisioned().and_then(|p| p.broker_node_group_info()) {
                found.config(ResourceKind::MskCluster, arn, brokers.security_groups());
            }
            if let Some(serverless) = cluster.serverless() {
                for vpc in serverless.vpc_configs() {
                    found.config_detail(ResourceKind::MskCluster, arn, "serverless", vpc.security_group_ids());
                }
            }
        }
    })
    .await
}

//! MSK Replicators name, for each cluster they copy between, the groups of the interfaces they place in
//! that cluster's VPC (`KafkaClusters[].VpcConfig.SecurityGroupIds`). The list gives summaries only; each
//! replicator is described. A cross-region replicator names groups of the other region too: they are
//! recorded by id, which is unique across regions.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "msk-replicators",
    service: "kafka",
    description: "MSK Replicators (KafkaClusters[].VpcConfig.SecurityGroupIds)",
    kinds: &[ResourceKind::MskReplicator],
    actions: &[
        crate::probe!("kafka:ListReplicators", |ctx| client!(ctx, aws_sdk_kafka).list_replicators().max_results(1)),
        crate::probe!("kafka:DescribeReplicator", |ctx| client!(ctx, aws_sdk_kafka)
            .describe_replicator()
            .replicator_arn(ctx.arn("kafka", "replicator/sgaudit-preflight/00000000-0000-0000-0000-000000000000-0"))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_kafka::operation::list_replicators::ListReplicatorsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let kafka = client!(ctx, aws_sdk_kafka);
    let mut arns = Vec::new();
    let pages = kafka.list_replicators().max_results(100).into_paginator().send();
    each_page(ctx, "kafka:ListReplicators", pages, |page| {
        arns.extend(page.replicators().iter().filter_map(|r| r.replicator_arn().map(str::to_string)));
    })
    .await?;

    for arn in &arns {
        let out = match kafka.describe_replicator().replicator_arn(arn).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("NotFoundException") => continue,
            Err(e) => return Err(ctx.fail("kafka:DescribeReplicator", e)),
        };
        found.items += 1;
        for cluster in out.kafka_clusters() {
            let detail = match cluster.kafka_cluster_alias() {
                Some(alias) => format!("cluster {alias}"),
                None => "cluster".to_string(),
            };
            let groups = cluster.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config_detail(ResourceKind::MskReplicator, arn, &detail, groups);
        }
    }
    Ok(())
}

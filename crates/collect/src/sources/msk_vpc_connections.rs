//! MSK multi-VPC connections (a client VPC's private connection to a cluster, possibly of another
//! account) name the groups of their AWS-managed interfaces in `SecurityGroups`. The list omits them;
//! each connection is described.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "msk-vpc-connections",
    service: "kafka",
    description: "MSK multi-VPC connections (SecurityGroups)",
    kinds: &[ResourceKind::MskVpcConnection],
    actions: &[
        crate::probe!("kafka:ListVpcConnections", |ctx| client!(ctx, aws_sdk_kafka)
            .list_vpc_connections()
            .max_results(1)),
        crate::probe!("kafka:DescribeVpcConnection", |ctx| client!(ctx, aws_sdk_kafka).describe_vpc_connection().arn(
            ctx.arn(
                "kafka",
                &format!("vpc-connection/{}/sgaudit-preflight/00000000-0000-0000-0000-000000000000-0", ctx.account_id)
            )
        )),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_kafka::operation::list_vpc_connections::ListVpcConnectionsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let kafka = client!(ctx, aws_sdk_kafka);
    let mut arns = Vec::new();
    let pages = kafka.list_vpc_connections().max_results(100).into_paginator().send();
    each_page(ctx, "kafka:ListVpcConnections", pages, |page| {
        for connection in page.vpc_connections() {
            found.items += 1;
            // Every state is kept: no state means "deleted" (a deleted connection leaves the list), and
            // an inactive or rejected connection keeps its configuration.
            if let Some(arn) = connection.vpc_connection_arn() {
                arns.push(arn.to_string());
            }
        }
    })
    .await?;

    for arn in &arns {
        let out = match kafka.describe_vpc_connection().arn(arn).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("NotFoundException") => continue,
            Err(e) => return Err(ctx.fail("kafka:DescribeVpcConnection", e)),
        };
        let detail = match out.target_cluster_arn() {
            Some(cluster) => format!("connection to {cluster}"),
            None => "connection".to_string(),
        };
        found.config_detail(ResourceKind::MskVpcConnection, arn, &detail, out.security_groups());
    }
    Ok(())
}

//! DMS Serverless replication configs name their groups in `ComputeConfig.VpcSecurityGroupIds`: each
//! replication they start (now or later) provisions capacity with those groups.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "dms-replication-configs",
    service: "dms",
    description: "DMS Serverless replication configs (ComputeConfig.VpcSecurityGroupIds)",
    kinds: &[ResourceKind::DmsReplicationConfig],
    actions: &[crate::probe!("dms:DescribeReplicationConfigs", |ctx| client!(ctx, aws_sdk_databasemigration)
        .describe_replication_configs()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_databasemigration::operation::describe_replication_configs::DescribeReplicationConfigsOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let dms = client!(ctx, aws_sdk_databasemigration);
    let pages = dms.describe_replication_configs().max_records(100).into_paginator().send();
    each_page(ctx, "dms:DescribeReplicationConfigs", pages, |page| {
        for config in page.replication_configs() {
            found.items += 1;
            let Some(id) = config.replication_config_arn().or(config.replication_config_identifier()) else {
                continue;
            };
            let groups = config.compute_config().map(|c| c.vpc_security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::DmsReplicationConfig, id, groups);
        }
    })
    .await
}

//! DMS replication instances name their groups in `VpcSecurityGroups`, whether or not a task runs.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "dms-replication-instances",
    service: "dms",
    description: "DMS replication instances (VpcSecurityGroups)",
    kinds: &[ResourceKind::DmsReplicationInstance],
    actions: &[crate::probe!("dms:DescribeReplicationInstances", |ctx| client!(ctx, aws_sdk_databasemigration)
        .describe_replication_instances()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_databasemigration::operation::describe_replication_instances::DescribeReplicationInstancesOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let dms = client!(ctx, aws_sdk_databasemigration);
    let pages = dms.describe_replication_instances().max_records(100).into_paginator().send();
    each_page(ctx, "dms:DescribeReplicationInstances", pages, |page| {
        for instance in page.replication_instances() {
            found.items += 1;
            let Some(id) = instance.replication_instance_arn().or(instance.replication_instance_identifier()) else {
                continue;
            };
            let groups = instance.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id());
            found.config(ResourceKind::DmsReplicationInstance, id, groups);
        }
    })
    .await
}

//! RDS DescribeDBInstances answers for Neptune and DocumentDB instances too (the three services share
//! one API), so one list covers all three and the engine tells them apart. A stopped instance keeps its
//! groups, so every state is kept.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "rds-db-instances",
    service: "rds",
    description: "RDS, Neptune and DocumentDB instances, any state (VpcSecurityGroups)",
    kinds: &[ResourceKind::RdsDbInstance, ResourceKind::NeptuneDbInstance, ResourceKind::DocdbDbInstance],
    actions: &[crate::probe!("rds:DescribeDBInstances", |ctx| client!(ctx, aws_sdk_rds)
        .describe_db_instances()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let rds = client!(ctx, aws_sdk_rds);
    let pages = rds.describe_db_instances().max_records(100).into_paginator().send();
    each_page(ctx, "rds:DescribeDBInstances", pages, |page| {
        for instance in page.db_instances() {
            found.items += 1;
            let Some(arn) = instance.db_instance_arn() else {
                continue;
            };
            let groups = instance.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id());
            found.config(kind_of(instance.engine()), arn, groups);
        }
    })
    .await
}

fn kind_of(engine: Option<&str>) -> ResourceKind {
    match engine {
        Some("neptune") => ResourceKind::NeptuneDbInstance,
        Some("docdb") => ResourceKind::DocdbDbInstance,
        _ => ResourceKind::RdsDbInstance,
    }
}

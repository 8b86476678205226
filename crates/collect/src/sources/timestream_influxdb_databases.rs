//! Timestream for InfluxDB DB instances and DB clusters sit in a VPC in the groups of
//! `vpcSecurityGroupIds`. The lists give no groups, so each instance and cluster is read with
//! GetDbInstance or GetDbCluster. One being deleted or deleted is left out.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "timestream-influxdb-databases",
    service: "timestream-influxdb",
    description: "Timestream for InfluxDB DB instances and DB clusters (vpcSecurityGroupIds)",
    kinds: &[ResourceKind::TimestreamInfluxdbInstance, ResourceKind::TimestreamInfluxdbCluster],
    actions: &[
        crate::probe!("timestream-influxdb:ListDbInstances", |ctx| client!(ctx, aws_sdk_timestreaminfluxdb)
            .list_db_instances()
            .max_results(1)),
        crate::probe!("timestream-influxdb:GetDbInstance", |ctx| client!(ctx, aws_sdk_timestreaminfluxdb)
            .get_db_instance()
            .identifier("sgauditpreflight")),
        crate::probe!("timestream-influxdb:ListDbClusters", |ctx| client!(ctx, aws_sdk_timestreaminfluxdb)
            .list_db_clusters()
            .max_results(1)),
        crate::probe!("timestream-influxdb:GetDbCluster", |ctx| client!(ctx, aws_sdk_timestreaminfluxdb)
            .get_db_cluster()
            .db_cluster_id("sgauditpreflight")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_timestreaminfluxdb::operation::list_db_instances::ListDbInstancesOutput => next_token,
    aws_sdk_timestreaminfluxdb::operation::list_db_clusters::ListDbClustersOutput => next_token,
);

fn deleted(status: &str) -> bool {
    matches!(status, "DELETING" | "DELETED")
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let influx = client!(ctx, aws_sdk_timestreaminfluxdb);

    let mut instances: Vec<String> = Vec::new();
    let pages = influx.list_db_instances().max_results(100).into_paginator().send();
    each_page(ctx, "timestream-influxdb:ListDbInstances", pages, |page| {
        for instance in page.items() {
            found.items += 1;
            if !instance.status().is_some_and(|s| deleted(s.as_str())) {
                instances.push(instance.id().to_string());
            }
        }
    })
    .await?;
    let influx = &influx;
    let read = describe_each(&instances, |id| async move {
        match influx.get_db_instance().identifier(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("timestream-influxdb:GetDbInstance", e)),
        }
    })
    .await?;
    for (_, out) in read {
        let detail = match out.db_cluster_id() {
            Some(cluster) => format!("DB instance of cluster {cluster}"),
            None => "DB instance".to_string(),
        };
        found.config_detail(ResourceKind::TimestreamInfluxdbInstance, out.arn(), &detail, out.vpc_security_group_ids());
    }

    let mut clusters: Vec<String> = Vec::new();
    let pages = influx.list_db_clusters().max_results(100).into_paginator().send();
    each_page(ctx, "timestream-influxdb:ListDbClusters", pages, |page| {
        for cluster in page.items() {
            found.items += 1;
            if !cluster.status().is_some_and(|s| deleted(s.as_str())) {
                clusters.push(cluster.id().to_string());
            }
        }
    })
    .await?;
    let read = describe_each(&clusters, |id| async move {
        match influx.get_db_cluster().db_cluster_id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("timestream-influxdb:GetDbCluster", e)),
        }
    })
    .await?;
    for (_, out) in read {
        found.config_detail(
            ResourceKind::TimestreamInfluxdbCluster,
            out.arn(),
            "DB cluster",
            out.vpc_security_group_ids(),
        );
    }
    Ok(())
}

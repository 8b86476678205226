//! MSK Connect connectors name the groups of their workers in
//! `kafkaCluster.apacheKafkaCluster.vpc.securityGroups`, which the list itself returns.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "kafkaconnect-connectors",
    service: "kafkaconnect",
    description: "MSK Connect connectors (kafkaCluster.apacheKafkaCluster.vpc.securityGroups)",
    kinds: &[ResourceKind::KafkaconnectConnector],
    actions: &[crate::probe!("kafkaconnect:ListConnectors", |ctx| client!(ctx, aws_sdk_kafkaconnect)
        .list_connectors()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_kafkaconnect::operation::list_connectors::ListConnectorsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let kafkaconnect = client!(ctx, aws_sdk_kafkaconnect);
    let pages = kafkaconnect.list_connectors().max_results(100).into_paginator().send();
    each_page(ctx, "kafkaconnect:ListConnectors", pages, |page| {
        for connector in page.connectors() {
            found.items += 1;
            let Some(id) = connector.connector_arn().or(connector.connector_name()) else {
                continue;
            };
            let vpc = connector.kafka_cluster().and_then(|k| k.apache_kafka_cluster()).and_then(|a| a.vpc());
            if let Some(vpc) = vpc {
                found.config(ResourceKind::KafkaconnectConnector, id, vpc.security_groups());
            }
        }
    })
    .await
}

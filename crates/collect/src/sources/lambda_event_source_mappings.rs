//! An event source mapping that reads a self-managed Apache Kafka cluster in a VPC names the group Lambda
//! puts on the interfaces it reaches the brokers through, as a `VPC_SECURITY_GROUP` source access
//! configuration (`"URI": "security_group:sg-0abc"`). Mappings of Amazon MSK, Amazon MQ and DocumentDB
//! name none: Lambda reaches those with the cluster's or broker's own groups, which their sources read.
//! A disabled mapping keeps its configuration and polls again when enabled.

use aws_sdk_lambda::types::SourceAccessType;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "lambda-event-source-mappings",
    service: "lambda",
    description:
        "Lambda event source mappings of self-managed Kafka in a VPC (VPC_SECURITY_GROUP access configuration)",
    kinds: &[ResourceKind::LambdaEventSourceMapping],
    actions: &[crate::probe!("lambda:ListEventSourceMappings", |ctx| client!(ctx, aws_sdk_lambda)
        .list_event_source_mappings()
        .max_items(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_lambda::operation::list_event_source_mappings::ListEventSourceMappingsOutput => next_marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let lambda = client!(ctx, aws_sdk_lambda);
    // With no function or source named, every mapping of the region; the API returns at most 100 a page.
    let pages = lambda.list_event_source_mappings().max_items(100).into_paginator().send();
    each_page(ctx, "lambda:ListEventSourceMappings", pages, |page| {
        for mapping in page.event_source_mappings() {
            found.items += 1;
            // Being deleted: it polls no more.
            if mapping.state() == Some("Deleting") {
                continue;
            }
            let Some(id) = mapping.event_source_mapping_arn().or(mapping.uuid()) else {
                continue;
            };
            let groups: Vec<&str> = mapping
                .source_access_configurations()
                .iter()
                .filter(|c| c.r#type() == Some(&SourceAccessType::VpcSecurityGroup))
                .filter_map(|c| c.uri())
                .map(|uri| uri.strip_prefix("security_group:").unwrap_or(uri))
                .collect();
            found.config_detail(
                ResourceKind::LambdaEventSourceMapping,
                id,
                "self-managed Kafka VPC access (VPC_SECURITY_GROUP)",
                groups,
            );
        }
    })
    .await
}

//! AWS IoT topic rule destinations of the VPC type name the groups of the interfaces rules send through in
//! `vpcDestinationSummary.securityGroups`, which the list itself returns. A DISABLED destination is a
//! holder too: enabling it puts the rules' traffic through the same groups.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "iot-topic-rule-destinations",
    service: "iot",
    description: "IoT topic rule VPC destinations, enabled or not (vpcDestinationSummary.securityGroups)",
    kinds: &[ResourceKind::IotTopicRuleDestination],
    actions: &[crate::probe!("iot:ListTopicRuleDestinations", |ctx| client!(ctx, aws_sdk_iot)
        .list_topic_rule_destinations()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_iot::operation::list_topic_rule_destinations::ListTopicRuleDestinationsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let iot = client!(ctx, aws_sdk_iot);
    let pages = iot.list_topic_rule_destinations().max_results(1000).into_paginator().send();
    each_page(ctx, "iot:ListTopicRuleDestinations", pages, |page| {
        for destination in page.destination_summaries() {
            found.items += 1;
            let (Some(arn), Some(vpc)) = (destination.arn(), destination.vpc_destination_summary()) else {
                continue;
            };
            let status =
                destination.status().map_or_else(|| "in an unknown state".to_string(), |s| s.as_str().to_lowercase());
            let detail = format!("VPC destination, {status}");
            found.config_detail(ResourceKind::IotTopicRuleDestination, arn, &detail, vpc.security_groups());
        }
    })
    .await
}

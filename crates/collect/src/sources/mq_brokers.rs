//! Amazon MQ brokers name their groups only in the broker's description, so each listed broker is
//! described. Groups waiting for the next reboot (`PendingSecurityGroups`) are recorded too: the broker
//! will hold them.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "mq-brokers",
    service: "mq",
    description: "Amazon MQ brokers (SecurityGroups, and PendingSecurityGroups until the next reboot)",
    kinds: &[ResourceKind::MqBroker],
    actions: &[
        crate::probe!("mq:ListBrokers", |ctx| client!(ctx, aws_sdk_mq).list_brokers().max_results(1)),
        crate::probe!("mq:DescribeBroker", |ctx| client!(ctx, aws_sdk_mq)
            .describe_broker()
            .broker_id("b-00000000-0000-0000-0000-000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_mq::operation::list_brokers::ListBrokersOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let mq = client!(ctx, aws_sdk_mq);
    let mut brokers = Vec::new();
    let pages = mq.list_brokers().max_results(100).into_paginator().send();
    each_page(ctx, "mq:ListBrokers", pages, |page| {
        brokers.extend(page.broker_summaries().iter().filter_map(|b| b.broker_id().map(str::to_string)));
    })
    .await?;

    for broker_id in &brokers {
        let broker = match mq.describe_broker().broker_id(broker_id).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => continue,
            Err(e) => return Err(ctx.fail("mq:DescribeBroker", e)),
        };
        found.items += 1;
        let id = broker.broker_arn().unwrap_or(broker_id);
        found.config(ResourceKind::MqBroker, id, broker.security_groups());
        found.config_detail(ResourceKind::MqBroker, id, "pending until reboot", broker.pending_security_groups());
    }
    Ok(())
}

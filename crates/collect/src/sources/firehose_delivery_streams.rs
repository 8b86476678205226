//! Firehose streams that deliver into a VPC name the groups of their delivery interfaces in the
//! destination's `VpcConfigurationDescription.SecurityGroupIds`. The destination types that can sit in a
//! VPC are Elasticsearch, Amazon OpenSearch Service and OpenSearch Serverless (the Snowflake destination's
//! VPC setting names a PrivateLink endpoint, not groups). ListDeliveryStreams gives names only, so each
//! stream is read with DescribeDeliveryStream, following its destinations' pages.

use aws_sdk_firehose::types::DestinationDescription;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME, TRUNCATED};

pub const SOURCE: SourceDef = SourceDef {
    id: "firehose-delivery-streams",
    service: "firehose",
    description: "Firehose streams with a VPC destination (Elasticsearch, OpenSearch Service, OpenSearch Serverless)",
    kinds: &[ResourceKind::FirehoseDeliveryStream],
    actions: &[
        crate::probe!("firehose:ListDeliveryStreams", |ctx| client!(ctx, aws_sdk_firehose)
            .list_delivery_streams()
            .limit(1)),
        crate::probe!("firehose:DescribeDeliveryStream", |ctx| client!(ctx, aws_sdk_firehose)
            .describe_delivery_stream()
            .delivery_stream_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let firehose = client!(ctx, aws_sdk_firehose);

    // The list is paged by the last name read, not by a token.
    let mut names: Vec<String> = Vec::new();
    let mut trail = ctx.pages("firehose:ListDeliveryStreams");
    loop {
        let page = firehose
            .list_delivery_streams()
            .limit(10_000)
            .set_exclusive_start_delivery_stream_name(names.last().cloned())
            .send()
            .await
            .map_err(|e| ctx.fail("firehose:ListDeliveryStreams", e))?;
        names.extend(page.delivery_stream_names().iter().cloned());
        if !page.has_more_delivery_streams() {
            break;
        }
        // The next page starts after the last name read; a repeated one means the list would not end.
        let last = names.last().ok_or_else(|| no_start("firehose:ListDeliveryStreams"))?;
        trail.follow(Some(last))?;
    }
    found.items += names.len() as u32;

    let firehose = &firehose;
    let described = describe_each(&names, |name| async move {
        let mut arn = None;
        let mut destinations: Vec<DestinationDescription> = Vec::new();
        let mut trail = ctx.pages("firehose:DescribeDeliveryStream");
        loop {
            let read = firehose
                .describe_delivery_stream()
                .delivery_stream_name(name)
                .set_exclusive_start_destination_id(destinations.last().map(|d| d.destination_id().to_string()));
            let out = match read.send().await {
                Ok(out) => out,
                // Deleted after the list: it holds nothing any more.
                Err(e) if vanished(&e) => return Ok(None),
                Err(e) => return Err(ctx.fail("firehose:DescribeDeliveryStream", e)),
            };
            let Some(stream) = out.delivery_stream_description else {
                return Ok(Some((arn, destinations)));
            };
            if !stream.delivery_stream_arn().is_empty() {
                arn = Some(stream.delivery_stream_arn().to_string());
            }
            let more = stream.has_more_destinations();
            destinations.extend(stream.destinations);
            if !more {
                return Ok(Some((arn, destinations)));
            }
            let last = destinations.last().ok_or_else(|| no_start("firehose:DescribeDeliveryStream"))?;
            trail.follow(Some(last.destination_id()))?;
        }
    })
    .await?;

    for (name, (arn, destinations)) in described {
        let id = arn.as_deref().unwrap_or(name);
        for destination in &destinations {
            let vpcs = [
                (
                    "Elasticsearch",
                    destination.elasticsearch_destination_description().and_then(|d| d.vpc_configuration_description()),
                ),
                (
                    "OpenSearch Service",
                    destination
                        .amazonopensearchservice_destination_description()
                        .and_then(|d| d.vpc_configuration_description()),
                ),
                (
                    "OpenSearch Serverless",
                    destination
                        .amazon_open_search_serverless_destination_description()
                        .and_then(|d| d.vpc_configuration_description()),
                ),
            ];
            for (kind, vpc) in vpcs {
                let Some(vpc) = vpc else {
                    continue;
                };
                let detail = format!("{kind} destination {} in a VPC", destination.destination_id());
                found.config_detail(ResourceKind::FirehoseDeliveryStream, id, &detail, vpc.security_group_ids());
            }
        }
    }
    Ok(())
}

/// A page that says more follow, with nothing read to start the next page after.
fn no_start(action: &str) -> SourceError {
    SourceError {
        code: TRUNCATED.to_string(),
        message: "a page said more follow but none was read to start the next page after".to_string(),
        action: Some(action.to_string()),
        scp_deny: false,
    }
}

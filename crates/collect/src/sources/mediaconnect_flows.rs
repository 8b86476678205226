//! AWS Elemental MediaConnect flows with VPC interfaces name their groups in
//! `Flow.VpcInterfaces[].SecurityGroupIds`. The list gives no interfaces, so each flow is read with
//! DescribeFlow. A STANDBY flow (stopped) is a holder: starting it puts its interfaces in the same groups.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "mediaconnect-flows",
    service: "mediaconnect",
    description: "MediaConnect flows with VPC interfaces, active or in standby (VpcInterfaces[].SecurityGroupIds)",
    kinds: &[ResourceKind::MediaconnectFlow],
    actions: &[
        crate::probe!("mediaconnect:ListFlows", |ctx| client!(ctx, aws_sdk_mediaconnect).list_flows().max_results(1)),
        crate::probe!("mediaconnect:DescribeFlow", |ctx| client!(ctx, aws_sdk_mediaconnect)
            .describe_flow()
            .flow_arn(ctx.arn("mediaconnect", "flow:1-0000000000000000-000000000000:sgaudit-preflight"))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_mediaconnect::operation::list_flows::ListFlowsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let mediaconnect = client!(ctx, aws_sdk_mediaconnect);

    let mut arns = Vec::new();
    let pages = mediaconnect.list_flows().max_results(1000).into_paginator().send();
    each_page(ctx, "mediaconnect:ListFlows", pages, |page| {
        for flow in page.flows() {
            found.items += 1;
            arns.extend(flow.flow_arn().map(str::to_string));
        }
    })
    .await?;

    let mediaconnect = &mediaconnect;
    let described = describe_each(&arns, |arn| async move {
        match mediaconnect.describe_flow().flow_arn(arn).send().await {
            Ok(out) => Ok(out.flow),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("mediaconnect:DescribeFlow", e)),
        }
    })
    .await?;

    for (arn, flow) in described {
        let status = flow.status().map_or_else(|| "in an unknown state".to_string(), |s| s.as_str().to_lowercase());
        for interface in flow.vpc_interfaces() {
            let detail = format!("VPC interface {}, flow {status}", interface.name().unwrap_or_default());
            found.config_detail(ResourceKind::MediaconnectFlow, arn, &detail, interface.security_group_ids());
        }
    }
    Ok(())
}

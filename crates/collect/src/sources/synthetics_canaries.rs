//! CloudWatch Synthetics canaries that run in a VPC name their groups in `VpcConfig.SecurityGroupIds`,
//! which DescribeCanaries gives for every canary. A STOPPED canary is a holder too: starting it runs it
//! in the same VPC configuration.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "synthetics-canaries",
    service: "synthetics",
    description: "CloudWatch Synthetics canaries in a VPC (VpcConfig.SecurityGroupIds)",
    kinds: &[ResourceKind::SyntheticsCanary],
    actions: &[crate::probe!("synthetics:DescribeCanaries", |ctx| client!(ctx, aws_sdk_synthetics)
        .describe_canaries()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_synthetics::operation::describe_canaries::DescribeCanariesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let synthetics = client!(ctx, aws_sdk_synthetics);
    let pages = synthetics.describe_canaries().max_results(20).into_paginator().send();
    each_page(ctx, "synthetics:DescribeCanaries", pages, |page| {
        for canary in page.canaries() {
            found.items += 1;
            let Some(name) = canary.name() else {
                continue;
            };
            let Some(vpc) = canary.vpc_config() else {
                continue;
            };
            let state = canary.status().and_then(|s| s.state()).map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            found.config_detail(
                ResourceKind::SyntheticsCanary,
                name,
                &format!("VpcConfig, canary {state}"),
                vpc.security_group_ids(),
            );
        }
    })
    .await
}

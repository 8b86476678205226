//! What internet-facing load balancers send traffic to: every target group of the region that serves a load
//! balancer, and each one's registered targets (`DescribeTargetHealth`, one call per target group: the API has
//! no list of every target), read a few at a time. A target group serving several load balancers is recorded
//! once for each.

use futures::FutureExt;
use sgaudit_snapshot::network::LbTarget;
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::describe_each::describe_each;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "elbv2-target-groups",
    service: "elasticloadbalancing",
    description: "Target groups of load balancers and their registered targets (reachability)",
    kinds: &[],
    actions: &[
        crate::probe!("elasticloadbalancing:DescribeTargetGroups", |ctx| client!(ctx, aws_sdk_elasticloadbalancingv2)
            .describe_target_groups()
            .page_size(1)),
        crate::probe!("elasticloadbalancing:DescribeTargetHealth", |ctx| client!(ctx, aws_sdk_elasticloadbalancingv2)
            .describe_target_health()
            .target_group_arn(ctx.arn("elasticloadbalancing", PROBE_TARGET_GROUP))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// A target group that does not exist, for the preflight's probe of `DescribeTargetHealth`.
const PROBE_TARGET_GROUP: &str = "targetgroup/sgaudit-preflight/0000000000000000";

crate::next_page!(
    aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsOutput => next_marker,
);

/// A target group serving at least one load balancer.
struct Served {
    arn: String,
    kind: String,
    port: Option<u16>,
    load_balancers: Vec<String>,
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let elbv2 = client!(ctx, aws_sdk_elasticloadbalancingv2);
    let mut served: Vec<Served> = Vec::new();
    let pages = elbv2.describe_target_groups().page_size(400).into_paginator().send();
    each_page(ctx, "elasticloadbalancing:DescribeTargetGroups", pages, |page| {
        for tg in page.target_groups() {
            found.items += 1;
            let Some(arn) = tg.target_group_arn() else { continue };
            if tg.load_balancer_arns().is_empty() {
                continue;
            }
            served.push(Served {
                arn: arn.to_string(),
                kind: tg.target_type().map_or("instance", |t| t.as_str()).to_string(),
                port: tg.port().and_then(|p| u16::try_from(p).ok()),
                load_balancers: tg.load_balancer_arns().to_vec(),
            });
        }
    })
    .await?;
    let read = describe_each(&served, |tg| {
        let elbv2 = &elbv2;
        async move {
            match elbv2.describe_target_health().target_group_arn(&tg.arn).send().await {
                Ok(out) => Ok(Some(
                    out.target_health_descriptions()
                        .iter()
                        .filter_map(|d| d.target())
                        .filter_map(|t| {
                            let id = t.id()?;
                            Some((id.to_string(), t.port().and_then(|p| u16::try_from(p).ok())))
                        })
                        .collect::<Vec<_>>(),
                )),
                Err(e) => {
                    let error = ctx.fail("elasticloadbalancing:DescribeTargetHealth", e);
                    // Deleted between the list and the read: it sends to nothing now.
                    if error.code == "TargetGroupNotFound" {
                        Ok(None)
                    } else {
                        Err(error)
                    }
                }
            }
        }
    })
    .await?;
    for (tg, targets) in read {
        for lb in &tg.load_balancers {
            for (id, port) in &targets {
                found.network.targets.push(LbTarget {
                    load_balancer: lb.clone(),
                    target_group: Some(tg.arn.clone()),
                    kind: tg.kind.clone(),
                    id: id.clone(),
                    port: port.or(tg.port),
                });
            }
        }
    }
    Ok(())
}

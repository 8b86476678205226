//! What each internet-facing Application and Network Load Balancer listens on, for reachability. The API has
//! no list of every listener: the load balancers are listed (again: this source fails or succeeds on its own,
//! so a denied `DescribeListeners` never costs the groups their evidence of use), then each internet-facing
//! one's listeners are read, a few at a time. An internal load balancer cannot be reached from the internet,
//! so its listeners are not read.

use futures::FutureExt;
use sgaudit_snapshot::network::Listener;
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::describe_each::describe_each;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "elbv2-listeners",
    service: "elasticloadbalancing",
    description: "Listeners of internet-facing Application and Network Load Balancers (reachability)",
    kinds: &[],
    actions: &[
        crate::probe!("elasticloadbalancing:DescribeLoadBalancers", |ctx| client!(ctx, aws_sdk_elasticloadbalancingv2)
            .describe_load_balancers()
            .page_size(1)),
        crate::probe!("elasticloadbalancing:DescribeListeners", |ctx| client!(ctx, aws_sdk_elasticloadbalancingv2)
            .describe_listeners()
            .load_balancer_arn(ctx.arn("elasticloadbalancing", PROBE_LB))
            .page_size(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// A load balancer that does not exist, for the preflight's probe of `DescribeListeners`.
const PROBE_LB: &str = "loadbalancer/app/sgaudit-preflight/0000000000000000";

crate::next_page!(
    aws_sdk_elasticloadbalancingv2::operation::describe_listeners::DescribeListenersOutput => next_marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let elbv2 = client!(ctx, aws_sdk_elasticloadbalancingv2);
    let mut facing: Vec<String> = Vec::new();
    let pages = elbv2.describe_load_balancers().page_size(400).into_paginator().send();
    each_page(ctx, "elasticloadbalancing:DescribeLoadBalancers", pages, |page| {
        for lb in page.load_balancers() {
            let internet_facing = lb.scheme().is_some_and(|s| s.as_str() == "internet-facing");
            let gateway = lb.r#type().is_some_and(|t| t.as_str() == "gateway");
            if let (Some(arn), true, false) = (lb.load_balancer_arn(), internet_facing, gateway) {
                facing.push(arn.to_string());
            }
        }
    })
    .await?;
    let read = describe_each(&facing, |arn| {
        let elbv2 = &elbv2;
        async move {
            let pages = elbv2.describe_listeners().load_balancer_arn(arn).page_size(400).into_paginator().send();
            let mut listeners = Vec::new();
            let done = each_page(ctx, "elasticloadbalancing:DescribeListeners", pages, |page| {
                for l in page.listeners() {
                    let (Some(port), Some(protocol)) = (l.port(), l.protocol()) else { continue };
                    let Ok(port) = u16::try_from(port) else { continue };
                    listeners.push(Listener {
                        load_balancer: arn.clone(),
                        protocol: protocol.as_str().to_string(),
                        port,
                    });
                }
            })
            .await;
            match done {
                Ok(()) => Ok(Some(listeners)),
                // Deleted between the list and the read: it listens on nothing now.
                Err(e) if e.code == "LoadBalancerNotFound" => Ok(None),
                Err(e) => Err(e),
            }
        }
    })
    .await?;
    for (_, listeners) in read {
        found.items += u32::try_from(listeners.len()).unwrap_or(u32::MAX);
        found.network.listeners.extend(listeners);
    }
    Ok(())
}

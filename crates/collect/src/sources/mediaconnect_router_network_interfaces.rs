//! AWS Elemental MediaConnect router network interfaces of the VPC type name their groups in
//! `Configuration.Vpc.SecurityGroupIds`. The list gives no configuration, so the interfaces are read with
//! BatchGetRouterNetworkInterface, up to 20 at a time.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::describe_each;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "mediaconnect-router-network-interfaces",
    service: "mediaconnect",
    description: "MediaConnect router network interfaces in a VPC (Configuration.Vpc.SecurityGroupIds)",
    kinds: &[ResourceKind::MediaconnectRouterNetworkInterface],
    actions: &[
        crate::probe!("mediaconnect:ListRouterNetworkInterfaces", |ctx| client!(ctx, aws_sdk_mediaconnect)
            .list_router_network_interfaces()
            .max_results(1)),
        crate::probe!(BATCH_GET, |ctx| client!(ctx, aws_sdk_mediaconnect)
            .batch_get_router_network_interface()
            .arns(ctx.arn("mediaconnect", "routerNetworkInterface:000000000000"))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_mediaconnect::operation::list_router_network_interfaces::ListRouterNetworkInterfacesOutput => next_token,
);

/// The most ARNs one BatchGetRouterNetworkInterface takes.
const BATCH: usize = 20;

/// IAM has no action named after the batch call: `BatchGetRouterNetworkInterface` is authorised by
/// `mediaconnect:GetRouterNetworkInterface` (the only router-interface read in the service authorization
/// reference).
const BATCH_GET: &str = "mediaconnect:GetRouterNetworkInterface";

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let mediaconnect = client!(ctx, aws_sdk_mediaconnect);

    let mut arns = Vec::new();
    let pages = mediaconnect.list_router_network_interfaces().max_results(100).into_paginator().send();
    each_page(ctx, "mediaconnect:ListRouterNetworkInterfaces", pages, |page| {
        found.items += page.router_network_interfaces().len() as u32;
        arns.extend(page.router_network_interfaces().iter().map(|i| i.arn().to_string()));
    })
    .await?;

    let batches: Vec<Vec<String>> = arns.chunks(BATCH).map(<[String]>::to_vec).collect();
    let mediaconnect = &mediaconnect;
    let read = describe_each(&batches, |batch| async move {
        let out = mediaconnect
            .batch_get_router_network_interface()
            .set_arns(Some(batch.clone()))
            .send()
            .await
            .map_err(|e| ctx.fail(BATCH_GET, e))?;
        // An interface deleted after the list answers NotFound: it holds nothing any more. Any other error
        // leaves that interface unread.
        if let Some(error) =
            out.errors().iter().find(|e| !e.code().to_ascii_lowercase().replace('_', "").contains("notfound"))
        {
            return Err(SourceError {
                code: error.code().to_string(),
                message: format!("{}: {}", error.arn(), error.message()),
                action: Some(BATCH_GET.to_string()),
                scp_deny: false,
            });
        }
        Ok(Some(out))
    })
    .await?;

    for (_, out) in read {
        for interface in out.router_network_interfaces() {
            let Some(vpc) = interface.configuration().and_then(|c| c.as_vpc().ok()) else {
                continue;
            };
            found.config(ResourceKind::MediaconnectRouterNetworkInterface, interface.arn(), vpc.security_group_ids());
        }
    }
    Ok(())
}

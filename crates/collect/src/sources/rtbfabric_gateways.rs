//! RTB Fabric requester and responder gateways sit in a VPC in the groups of `securityGroupIds`. The lists
//! give gateway ids only, so each gateway is read with GetRequesterGateway or GetResponderGateway. An
//! ISOLATED gateway is a holder too (it can be restored); a DELETED one holds nothing.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "rtbfabric-gateways",
    service: "rtbfabric",
    description: "RTB Fabric requester and responder gateways (securityGroupIds)",
    kinds: &[ResourceKind::RtbfabricRequesterGateway, ResourceKind::RtbfabricResponderGateway],
    actions: &[
        crate::probe!("rtbfabric:ListRequesterGateways", |ctx| client!(ctx, aws_sdk_rtbfabric)
            .list_requester_gateways()
            .max_results(1)),
        crate::probe!("rtbfabric:GetRequesterGateway", |ctx| client!(ctx, aws_sdk_rtbfabric)
            .get_requester_gateway()
            .gateway_id("rtb-gw-00000000000000000")),
        crate::probe!("rtbfabric:ListResponderGateways", |ctx| client!(ctx, aws_sdk_rtbfabric)
            .list_responder_gateways()
            .max_results(1)),
        crate::probe!("rtbfabric:GetResponderGateway", |ctx| client!(ctx, aws_sdk_rtbfabric)
            .get_responder_gateway()
            .gateway_id("rtb-gw-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_rtbfabric::operation::list_requester_gateways::ListRequesterGatewaysOutput => next_token,
    aws_sdk_rtbfabric::operation::list_responder_gateways::ListResponderGatewaysOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let rtb = client!(ctx, aws_sdk_rtbfabric);

    let mut requesters: Vec<String> = Vec::new();
    let pages = rtb.list_requester_gateways().max_results(10).into_paginator().send();
    each_page(ctx, "rtbfabric:ListRequesterGateways", pages, |page| {
        requesters.extend(page.gateway_ids().iter().cloned());
    })
    .await?;
    let rtb = &rtb;
    let read = describe_each(&requesters, |id| async move {
        match rtb.get_requester_gateway().gateway_id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("rtbfabric:GetRequesterGateway", e)),
        }
    })
    .await?;
    for (id, out) in read {
        found.items += 1;
        let status = out.status().as_str();
        if status == "DELETED" {
            continue;
        }
        let detail = format!("requester gateway {}", status.to_lowercase());
        found.config_detail(ResourceKind::RtbfabricRequesterGateway, id, &detail, out.security_group_ids());
    }

    let mut responders: Vec<String> = Vec::new();
    let pages = rtb.list_responder_gateways().max_results(10).into_paginator().send();
    each_page(ctx, "rtbfabric:ListResponderGateways", pages, |page| {
        responders.extend(page.gateway_ids().iter().cloned());
    })
    .await?;
    let read = describe_each(&responders, |id| async move {
        match rtb.get_responder_gateway().gateway_id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("rtbfabric:GetResponderGateway", e)),
        }
    })
    .await?;
    for (id, out) in read {
        found.items += 1;
        let status = out.status().as_str();
        if status == "DELETED" {
            continue;
        }
        let detail = format!("responder gateway {}", status.to_lowercase());
        found.config_detail(ResourceKind::RtbfabricResponderGateway, id, &detail, out.security_group_ids());
    }
    Ok(())
}

//! Client VPN endpoints apply their `SecurityGroupIds` to every target network they are associated with
//! (the interfaces AWS creates in those subnets). The association names the groups too, and may name
//! others than the endpoint's while the endpoint's list is being changed, so both are read: the endpoints
//! in one paginated list, then each endpoint's target networks.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-client-vpn-endpoints",
    service: "ec2",
    description: "Client VPN endpoints (SecurityGroupIds) and their target networks (SecurityGroups)",
    kinds: &[ResourceKind::ClientVpnEndpoint],
    actions: &[
        crate::probe!("ec2:DescribeClientVpnEndpoints", |ctx| client!(ctx, aws_sdk_ec2)
            .describe_client_vpn_endpoints()
            .max_results(5)),
        crate::probe!("ec2:DescribeClientVpnTargetNetworks", |ctx| client!(ctx, aws_sdk_ec2)
            .describe_client_vpn_target_networks()
            .client_vpn_endpoint_id("cvpn-endpoint-00000000000000000")
            .max_results(5)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_client_vpn_endpoints::DescribeClientVpnEndpointsOutput => next_token,
    aws_sdk_ec2::operation::describe_client_vpn_target_networks::DescribeClientVpnTargetNetworksOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    use aws_sdk_ec2::types::{AssociationStatusCode, ClientVpnEndpointStatusCode};

    let ec2 = client!(ctx, aws_sdk_ec2);
    let mut endpoints = Vec::new();
    let pages = ec2.describe_client_vpn_endpoints().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeClientVpnEndpoints", pages, |page| {
        for endpoint in page.client_vpn_endpoints() {
            found.items += 1;
            let Some(id) = endpoint.client_vpn_endpoint_id() else {
                continue;
            };
            // A deleted endpoint stays in the list for a while; it holds nothing.
            if endpoint.status().and_then(|s| s.code()) == Some(&ClientVpnEndpointStatusCode::Deleted) {
                continue;
            }
            found.config_detail(
                ResourceKind::ClientVpnEndpoint,
                id,
                "endpoint SecurityGroupIds",
                endpoint.security_group_ids(),
            );
            endpoints.push(id.to_string());
        }
    })
    .await?;

    for id in &endpoints {
        let pages = ec2
            .describe_client_vpn_target_networks()
            .client_vpn_endpoint_id(id)
            .max_results(1000)
            .into_paginator()
            .send();
        let mut trail = ctx.pages("ec2:DescribeClientVpnTargetNetworks");
        let mut pages = pages;
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                // Deleted between the list and this call: it holds nothing any more.
                Err(e) if e.code() == Some("InvalidClientVpnEndpointId.NotFound") => break,
                Err(e) => return Err(ctx.fail("ec2:DescribeClientVpnTargetNetworks", e)),
            };
            let more = trail.follow(page.next_token())?;
            for network in page.client_vpn_target_networks() {
                if network.status().and_then(|s| s.code()) == Some(&AssociationStatusCode::Disassociated) {
                    continue;
                }
                let detail = match (network.association_id(), network.target_network_id()) {
                    (Some(a), Some(subnet)) => format!("target network {subnet} ({a})"),
                    (Some(a), None) => format!("target network association {a}"),
                    (None, Some(subnet)) => format!("target network {subnet}"),
                    (None, None) => "target network".to_string(),
                };
                found.config_detail(ResourceKind::ClientVpnEndpoint, id, &detail, network.security_groups());
            }
            if more.is_none() {
                break;
            }
        }
    }
    Ok(())
}

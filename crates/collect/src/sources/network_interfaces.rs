//! The catch-all: every network interface of the region, attached or not, of any type or requester. A
//! detached interface still holds its groups, and AWS refuses to delete a group an interface holds. The same
//! list tells where each interface sits and which addresses reach it, for reachability.

use futures::FutureExt;
use sgaudit_snapshot::network::InterfaceAddressing;
use sgaudit_snapshot::{ResourceKind, Via};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-network-interfaces",
    service: "ec2",
    description: "Elastic network interfaces (any type, attached or not) and the groups they hold",
    kinds: &[ResourceKind::NetworkInterface],
    actions: &[crate::probe!("ec2:DescribeNetworkInterfaces", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_network_interfaces()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_network_interfaces::DescribeNetworkInterfacesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_network_interfaces().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeNetworkInterfaces", pages, |page| {
        for eni in page.network_interfaces() {
            found.items += 1;
            let Some(id) = eni.network_interface_id() else { continue };
            let groups: Vec<String> = eni.groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect();
            let detail = describe(eni);
            found.uses(ResourceKind::NetworkInterface, id, Via::Eni, Some(&detail), &groups);
            found.network.interfaces.push(addressing(id, eni));
        }
    })
    .await
}

/// Who the interface belongs to, in the words AWS gives: its type, its description, what it is attached to.
fn describe(eni: &aws_sdk_ec2::types::NetworkInterface) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = eni.interface_type() {
        parts.push(kind.as_str().to_string());
    }
    match eni.attachment().and_then(|a| a.instance_id()) {
        Some(instance) => parts.push(format!("attached to {instance}")),
        None if eni.attachment().is_none() => parts.push("detached".to_string()),
        None => {}
    }
    if let Some(requester) = eni.requester_id() {
        parts.push(format!("requester {requester}"));
    }
    if let Some(text) = eni.description().filter(|d| !d.is_empty()) {
        parts.push(text.to_string());
    }
    parts.join("; ")
}

/// Where the interface sits and which addresses reach it: its own public address and the Elastic IPs of each of
/// its private addresses (the interface's `association` repeats the primary one's), and its IPv6 addresses.
fn addressing(id: &str, eni: &aws_sdk_ec2::types::NetworkInterface) -> InterfaceAddressing {
    let mut private_ips = Vec::new();
    let mut public_ips: Vec<String> =
        eni.association().and_then(|a| a.public_ip()).map(str::to_string).into_iter().collect();
    for address in eni.private_ip_addresses() {
        private_ips.extend(address.private_ip_address().map(str::to_string));
        public_ips.extend(address.association().and_then(|a| a.public_ip()).map(str::to_string));
    }
    if private_ips.is_empty() {
        private_ips.extend(eni.private_ip_address().map(str::to_string));
    }
    public_ips.sort();
    public_ips.dedup();
    let mut ipv6_addresses: Vec<String> =
        eni.ipv6_addresses().iter().filter_map(|a| a.ipv6_address().map(str::to_string)).collect();
    ipv6_addresses.sort();
    InterfaceAddressing {
        network_interface_id: id.to_string(),
        subnet_id: eni.subnet_id().map(str::to_string),
        vpc_id: eni.vpc_id().map(str::to_string),
        private_ips,
        public_ips,
        ipv6_addresses,
        instance_id: eni.attachment().and_then(|a| a.instance_id()).map(str::to_string),
        interface_type: eni.interface_type().map(|t| t.as_str().to_string()),
        description: eni.description().filter(|d| !d.is_empty()).map(str::to_string),
    }
}

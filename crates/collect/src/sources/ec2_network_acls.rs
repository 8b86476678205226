//! Every network ACL of the region, with its entries and the subnets it is associated with.

use aws_sdk_ec2::types::NetworkAclEntry;
use futures::FutureExt;
use sgaudit_snapshot::posture::{AclEntry, NetworkAcl};
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-network-acls",
    service: "ec2",
    description: "Network ACLs with their entries and subnet associations",
    kinds: &[],
    actions: &[crate::probe!("ec2:DescribeNetworkAcls", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_network_acls()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_network_acls::DescribeNetworkAclsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_network_acls().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeNetworkAcls", pages, |page| {
        for acl in page.network_acls() {
            found.items += 1;
            let Some(id) = acl.network_acl_id() else { continue };
            let mut subnets: Vec<String> =
                acl.associations().iter().filter_map(|a| a.subnet_id().map(str::to_string)).collect();
            subnets.sort();
            subnets.dedup();
            let mut entries: Vec<AclEntry> = acl.entries().iter().map(entry).collect();
            entries.sort_by_key(|e| (e.egress, e.rule_number));
            found.posture.network_acls.push(NetworkAcl {
                network_acl_id: id.to_string(),
                vpc_id: acl.vpc_id().map(str::to_string),
                is_default: acl.is_default().unwrap_or(false),
                subnets,
                entries,
            });
        }
    })
    .await
}

fn entry(e: &NetworkAclEntry) -> AclEntry {
    AclEntry {
        rule_number: e.rule_number().unwrap_or_default(),
        egress: e.egress().unwrap_or(false),
        protocol: e.protocol().unwrap_or("-1").to_string(),
        action: e.rule_action().map(|a| a.as_str()).unwrap_or_default().to_string(),
        cidr: e.cidr_block().map(str::to_string),
        ipv6_cidr: e.ipv6_cidr_block().map(str::to_string),
        from_port: e.port_range().and_then(|p| p.from()),
        to_port: e.port_range().and_then(|p| p.to()),
    }
}

//! Evidence across boundaries: rules in other VPCs, of this account or another, that name a group of this
//! region through a VPC peering connection or a transit gateway. Those rules live in the other VPC's groups,
//! which a scan of this account alone never sees; only `DescribeSecurityGroupReferences` tells. It is asked
//! only for the groups of VPCs that another network can reach, in batches, never one call per group.
//!
//! `sgaudit cleanup` reads the same connections and references through [`connections`] and [`references`].

use std::collections::{BTreeSet, HashMap};

use aws_sdk_ec2::types::{
    TransitGatewayAttachmentResourceType, TransitGatewayAttachmentState, VpcPeeringConnectionStateReasonCode,
};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError, Via};

use crate::cleanup::{filter, groups_where};
use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub(crate) const DESCRIBE_PEERING: &str = "ec2:DescribeVpcPeeringConnections";
pub(crate) const DESCRIBE_TGW_ATTACHMENTS: &str = "ec2:DescribeTransitGatewayAttachments";
pub(crate) const DESCRIBE_REFERENCES: &str = "ec2:DescribeSecurityGroupReferences";

/// Group ids per `DescribeSecurityGroupReferences` call (the API's limit; the call is not paginated).
const REFERENCE_IDS: usize = 100;

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-peered-vpc-references",
    service: "ec2",
    description: "Rules in peered or transit-gateway-attached VPCs (of any account) that name the region's groups",
    kinds: &[ResourceKind::PeeredVpcReference],
    actions: &[
        crate::probe!(DESCRIBE_PEERING, |ctx| client!(ctx, aws_sdk_ec2)
            .describe_vpc_peering_connections()
            .max_results(5)),
        crate::probe!(DESCRIBE_TGW_ATTACHMENTS, |ctx| client!(ctx, aws_sdk_ec2)
            .describe_transit_gateway_attachments()
            .max_results(5)),
        crate::sources::security_groups::DESCRIBE,
        crate::probe!(DESCRIBE_REFERENCES, |ctx| client!(ctx, aws_sdk_ec2)
            .describe_security_group_references()
            .group_id("sg-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_vpc_peering_connections::DescribeVpcPeeringConnectionsOutput => next_token,
    aws_sdk_ec2::operation::describe_transit_gateway_attachments::DescribeTransitGatewayAttachmentsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let connections = connections(ctx).await?;
    // No VPC that another network reaches: no group can be named from outside, and nothing more to ask.
    if connections.vpcs.is_empty() {
        return Ok(());
    }
    let vpcs: Vec<String> = connections.vpcs.iter().cloned().collect();
    let mut group_ids: Vec<String> =
        groups_where(ctx, "vpc-id", &vpcs).await?.iter().filter_map(|g| g.group_id().map(str::to_string)).collect();
    group_ids.sort();
    group_ids.dedup();
    found.items += u32::try_from(group_ids.len()).unwrap_or(u32::MAX);
    for reference in references(ctx, &group_ids).await? {
        let detail = connections.describe(&reference);
        found.uses(
            ResourceKind::PeeredVpcReference,
            &reference.referencing_vpc_id,
            Via::Rule,
            Some(&detail),
            [&reference.group_id],
        );
    }
    Ok(())
}

/// The VPCs of a region that other networks reach: those with an active VPC peering connection (either
/// side) or an available transit gateway VPC attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connections {
    pub vpcs: BTreeSet<String>,
    /// The account that owns each VPC seen at either end of a peering, or behind an attachment.
    owners: HashMap<String, String>,
}

impl Connections {
    /// What a reference says to people: `referenced by a rule in vpc-… of account … through pcx-…`.
    fn describe(&self, reference: &Reference) -> String {
        let mut text = format!("referenced by a rule in {}", reference.referencing_vpc_id);
        if let Some(owner) = self.owners.get(&reference.referencing_vpc_id) {
            text.push_str(&format!(" of account {owner}"));
        }
        if let Some(through) = &reference.through {
            text.push_str(&format!(" through {through}"));
        }
        text
    }
}

/// One rule reference from another VPC: `group_id` (of this region) is named by a rule of a group in
/// `referencing_vpc_id`, through a peering connection (`pcx-…`) or transit gateway (`tgw-…`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub group_id: String,
    pub referencing_vpc_id: String,
    pub through: Option<String>,
}

/// Reads the region's active peering connections and available transit gateway VPC attachments (one
/// paginated, filtered list each). Any failure is an error, never fewer connections.
pub async fn connections(ctx: &Ctx) -> Result<Connections, SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let mut connections = Connections::default();

    let pages = ec2
        .describe_vpc_peering_connections()
        .filters(filter("status-code", ["active"]))
        .max_results(1000)
        .into_paginator()
        .send();
    each_page(ctx, DESCRIBE_PEERING, pages, |page| {
        for peering in page.vpc_peering_connections() {
            if peering.status().and_then(|s| s.code()) != Some(&VpcPeeringConnectionStateReasonCode::Active) {
                continue;
            }
            for side in [peering.requester_vpc_info(), peering.accepter_vpc_info()].into_iter().flatten() {
                let Some(vpc) = side.vpc_id() else { continue };
                connections.vpcs.insert(vpc.to_string());
                if let Some(owner) = side.owner_id() {
                    connections.owners.insert(vpc.to_string(), owner.to_string());
                }
            }
        }
    })
    .await?;

    let pages = ec2
        .describe_transit_gateway_attachments()
        .filters(filter("resource-type", ["vpc"]))
        .max_results(1000)
        .into_paginator()
        .send();
    each_page(ctx, DESCRIBE_TGW_ATTACHMENTS, pages, |page| {
        for attachment in page.transit_gateway_attachments() {
            if attachment.resource_type() != Some(&TransitGatewayAttachmentResourceType::Vpc)
                || attachment.state() != Some(&TransitGatewayAttachmentState::Available)
            {
                continue;
            }
            let Some(vpc) = attachment.resource_id() else { continue };
            connections.vpcs.insert(vpc.to_string());
            if let Some(owner) = attachment.resource_owner_id() {
                connections.owners.insert(vpc.to_string(), owner.to_string());
            }
        }
    })
    .await?;
    Ok(connections)
}

/// The references from other VPCs to any of `group_ids`, sorted, each once: `DescribeSecurityGroupReferences`
/// in batches of [`REFERENCE_IDS`] ids. No ids, no call. A failed batch fails the whole.
pub async fn references(ctx: &Ctx, group_ids: &[String]) -> Result<Vec<Reference>, SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let mut references = Vec::new();
    for chunk in group_ids.chunks(REFERENCE_IDS) {
        let answer = ec2
            .describe_security_group_references()
            .set_group_id(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| ctx.fail(DESCRIBE_REFERENCES, e))?;
        for reference in answer.security_group_reference_set() {
            let (Some(group), Some(vpc)) = (reference.group_id(), reference.referencing_vpc_id()) else { continue };
            references.push(Reference {
                group_id: group.to_string(),
                referencing_vpc_id: vpc.to_string(),
                through: reference
                    .vpc_peering_connection_id()
                    .or(reference.transit_gateway_id())
                    .filter(|id| !id.is_empty())
                    .map(str::to_string),
            });
        }
    }
    references.sort();
    references.dedup();
    Ok(references)
}

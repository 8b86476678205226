//! Security group VPC associations: a group associated with another VPC can be attached there too. When
//! that VPC is this account's, its resources are read by this same scan; when it belongs to another
//! account (a shared VPC), only a scan of that account sees what uses the group there. Each such
//! association is recorded as `Via::Shared` with the VPC's owner, and the audit keeps the group `unknown`,
//! never `unused`, unless that account was read in the same scan.

use aws_sdk_ec2::types::SecurityGroupVpcAssociationState;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError, Via};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-security-group-vpc-associations",
    service: "ec2",
    description: "Security group VPC associations with VPCs of other accounts",
    kinds: &[ResourceKind::SecurityGroupVpcAssociation],
    actions: &[crate::probe!("ec2:DescribeSecurityGroupVpcAssociations", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_security_group_vpc_associations()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_security_group_vpc_associations::DescribeSecurityGroupVpcAssociationsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_security_group_vpc_associations().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeSecurityGroupVpcAssociations", pages, |page| {
        for association in page.security_group_vpc_associations() {
            found.items += 1;
            let (Some(group), Some(vpc), Some(owner)) =
                (association.group_id(), association.vpc_id(), association.vpc_owner_id())
            else {
                continue;
            };
            if owner == ctx.account_id
                || !matches!(
                    association.state(),
                    Some(SecurityGroupVpcAssociationState::Associated | SecurityGroupVpcAssociationState::Associating)
                )
            {
                continue;
            }
            let detail = format!("associated with {vpc} of account {owner}");
            found.uses(ResourceKind::SecurityGroupVpcAssociation, owner, Via::Shared, Some(&detail), [group]);
        }
    })
    .await
}

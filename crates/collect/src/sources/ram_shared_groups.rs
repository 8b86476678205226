//! Security groups this account shares through AWS RAM (with the participants of a shared VPC). A shared
//! group is used by whatever the accounts it is shared with attach it to, which only a scan of those
//! accounts can see: each share is recorded as `Via::Shared` with the principal (an account, an
//! organisational unit or the organisation), and the audit keeps the group `unknown`, never `unused`,
//! unless every such account was read in the same scan.

use aws_sdk_ram::types::{ResourceOwner, ResourceStatus};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError, Via};

use crate::client;
use crate::source::{each_page, group_id_of, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ram-shared-security-groups",
    service: "ram",
    description: "Security groups shared through AWS RAM, and who they are shared with",
    kinds: &[ResourceKind::RamResourceShare],
    actions: &[
        crate::probe!("ram:ListResources", |ctx| client!(ctx, aws_sdk_ram)
            .list_resources()
            .resource_owner(ResourceOwner::SelfValue)
            .resource_type(GROUP_TYPE)
            .max_results(1)),
        crate::probe!("ram:ListPrincipals", |ctx| client!(ctx, aws_sdk_ram)
            .list_principals()
            .resource_owner(ResourceOwner::SelfValue)
            .resource_type(GROUP_TYPE)
            .max_results(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ram::operation::list_resources::ListResourcesOutput => next_token,
    aws_sdk_ram::operation::list_principals::ListPrincipalsOutput => next_token,
);

const GROUP_TYPE: &str = "ec2:SecurityGroup";

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ram = client!(ctx, aws_sdk_ram);
    // (share ARN, group id) for every group of ours in a share.
    let mut shared: Vec<(String, String)> = Vec::new();
    let pages = ram
        .list_resources()
        .resource_owner(ResourceOwner::SelfValue)
        .resource_type(GROUP_TYPE)
        .max_results(500)
        .into_paginator()
        .send();
    each_page(ctx, "ram:ListResources", pages, |page| {
        for resource in page.resources() {
            found.items += 1;
            // A resource the share could not take, or took away, is shared with no one.
            if matches!(
                resource.status(),
                Some(ResourceStatus::Unavailable | ResourceStatus::ZonalResourceInaccessible)
            ) {
                continue;
            }
            if let (Some(arn), Some(share)) = (resource.arn(), resource.resource_share_arn()) {
                shared.push((share.to_string(), group_id_of(arn).to_string()));
            }
        }
    })
    .await?;
    if shared.is_empty() {
        return Ok(());
    }

    // (share ARN, principal) for every principal of a share that holds a group.
    let mut principals: Vec<(String, String)> = Vec::new();
    let pages = ram
        .list_principals()
        .resource_owner(ResourceOwner::SelfValue)
        .resource_type(GROUP_TYPE)
        .max_results(500)
        .into_paginator()
        .send();
    each_page(ctx, "ram:ListPrincipals", pages, |page| {
        for p in page.principals() {
            if let (Some(id), Some(share)) = (p.id(), p.resource_share_arn()) {
                principals.push((share.to_string(), id.to_string()));
            }
        }
    })
    .await?;

    for (share, group) in &shared {
        for (_, principal) in principals.iter().filter(|(s, _)| s == share) {
            let detail = format!("shared with {principal} through {share}");
            found.uses(ResourceKind::RamResourceShare, principal, Via::Shared, Some(&detail), [group]);
        }
    }
    Ok(())
}

//! EFS mount targets hold their groups on an interface that EFS manages; the mount target is what must be
//! changed (ModifyMountTargetSecurityGroups) or deleted before the group can go.

use aws_sdk_efs::types::LifeCycleState;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, Page, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "efs-mount-targets",
    service: "elasticfilesystem",
    description: "EFS mount targets (DescribeMountTargetSecurityGroups)",
    kinds: &[ResourceKind::EfsMountTarget],
    actions: &[
        crate::probe!("elasticfilesystem:DescribeFileSystems", |ctx| client!(ctx, aws_sdk_efs)
            .describe_file_systems()
            .max_items(1)),
        crate::probe!("elasticfilesystem:DescribeMountTargets", |ctx| client!(ctx, aws_sdk_efs)
            .describe_mount_targets()
            .file_system_id("fs-00000000000000000")
            .max_items(1)),
        crate::probe!("elasticfilesystem:DescribeMountTargetSecurityGroups", |ctx| client!(ctx, aws_sdk_efs)
            .describe_mount_target_security_groups()
            .mount_target_id("fsmt-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_efs::operation::describe_file_systems::DescribeFileSystemsOutput => next_marker,
    aws_sdk_efs::operation::describe_mount_targets::DescribeMountTargetsOutput => next_marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let efs = client!(ctx, aws_sdk_efs);
    let mut file_systems = Vec::new();
    let pages = efs.describe_file_systems().into_paginator().send();
    each_page(ctx, "elasticfilesystem:DescribeFileSystems", pages, |page| {
        file_systems.extend(page.file_systems().iter().map(|f| f.file_system_id().to_string()));
    })
    .await?;

    for file_system in &file_systems {
        let mut mount_targets = Vec::new();
        let mut pages = efs.describe_mount_targets().file_system_id(file_system).into_paginator().send();
        let mut trail = ctx.pages("elasticfilesystem:DescribeMountTargets");
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => {
                    mount_targets.extend(page.mount_targets().iter().cloned());
                    if trail.follow(page.next_page_token())?.is_none() {
                        break;
                    }
                }
                // Deleted since it was listed: its mount targets went with it.
                Err(e) if e.as_service_error().is_some_and(|s| s.is_file_system_not_found()) => break,
                Err(e) => return Err(ctx.fail("elasticfilesystem:DescribeMountTargets", e)),
            }
        }

        for target in &mount_targets {
            found.items += 1;
            if matches!(target.life_cycle_state(), LifeCycleState::Deleted) {
                continue;
            }
            let id = target.mount_target_id();
            let groups = match efs.describe_mount_target_security_groups().mount_target_id(id).send().await {
                Ok(out) => out.security_groups,
                // Deleted between the list and the describe.
                Err(e) if e.as_service_error().is_some_and(|s| s.is_mount_target_not_found()) => continue,
                Err(e) => return Err(ctx.fail("elasticfilesystem:DescribeMountTargetSecurityGroups", e)),
            };
            let detail = format!("mount target of {file_system}");
            found.config_detail(ResourceKind::EfsMountTarget, id, &detail, &groups);
        }
    }
    Ok(())
}

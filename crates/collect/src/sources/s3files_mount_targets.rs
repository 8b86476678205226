//! S3 Files mount targets sit in a subnet in the groups of `securityGroups`. ListMountTargets, with no
//! file system named, lists every mount target of the account-region but gives no groups, so each is read
//! with GetMountTarget. A mount target being deleted or deleted is left out.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "s3files-mount-targets",
    service: "s3files",
    description: "S3 Files mount targets (securityGroups)",
    kinds: &[ResourceKind::S3filesMountTarget],
    actions: &[
        crate::probe!("s3files:ListMountTargets", |ctx| client!(ctx, aws_sdk_s3files)
            .list_mount_targets()
            .max_results(1)),
        crate::probe!("s3files:GetMountTarget", |ctx| client!(ctx, aws_sdk_s3files)
            .get_mount_target()
            .mount_target_id("fsmt-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_s3files::operation::list_mount_targets::ListMountTargetsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let s3files = client!(ctx, aws_sdk_s3files);
    let mut ids: Vec<String> = Vec::new();
    let pages = s3files.list_mount_targets().max_results(100).into_paginator().send();
    each_page(ctx, "s3files:ListMountTargets", pages, |page| {
        for target in page.mount_targets() {
            found.items += 1;
            if target.status().is_some_and(|s| matches!(s.as_str(), "deleting" | "deleted")) {
                continue;
            }
            ids.push(target.mount_target_id().to_string());
        }
    })
    .await?;

    let s3files = &s3files;
    let read = describe_each(&ids, |id| async move {
        match s3files.get_mount_target().mount_target_id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("s3files:GetMountTarget", e)),
        }
    })
    .await?;
    for (id, out) in read {
        let detail = match out.file_system_id() {
            Some(fs) => format!("mount target of file system {fs}"),
            None => "mount target".to_string(),
        };
        found.config_detail(ResourceKind::S3filesMountTarget, id, &detail, out.security_groups());
    }
    Ok(())
}

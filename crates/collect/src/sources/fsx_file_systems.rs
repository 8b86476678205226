//! FSx names no groups in its API: a file system's groups live only on the interfaces it lists, which the
//! judge resolves through the interface inventory. Recording the link lets the verdict say "FSx file system
//! X" rather than an anonymous requester-managed interface.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "fsx-file-systems",
    service: "fsx",
    description: "FSx file systems (through their network interfaces)",
    kinds: &[ResourceKind::FsxFileSystem],
    actions: &[crate::probe!("fsx:DescribeFileSystems", |ctx| client!(ctx, aws_sdk_fsx)
        .describe_file_systems()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_fsx::operation::describe_file_systems::DescribeFileSystemsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let fsx = client!(ctx, aws_sdk_fsx);
    let pages = fsx.describe_file_systems().into_paginator().send();
    each_page(ctx, "fsx:DescribeFileSystems", pages, |page| {
        for file_system in page.file_systems() {
            found.items += 1;
            let Some(id) = file_system.resource_arn().or(file_system.file_system_id()) else {
                continue;
            };
            found.interfaces(ResourceKind::FsxFileSystem, id, file_system.network_interface_ids());
        }
    })
    .await
}

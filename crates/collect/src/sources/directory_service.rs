//! Directory Service makes a group for its domain controllers (or AD Connector) and names it in the
//! directory's settings; the controllers' interfaces are AWS-managed, so the directory is what holds it.

use aws_sdk_directory::types::DirectoryStage;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ds-directories",
    service: "ds",
    description: "Directory Service directories (VpcSettings and ConnectSettings groups)",
    kinds: &[ResourceKind::DirectoryServiceDirectory],
    actions: &[crate::probe!("ds:DescribeDirectories", |ctx| client!(ctx, aws_sdk_directory)
        .describe_directories()
        .limit(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_directory::operation::describe_directories::DescribeDirectoriesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ds = client!(ctx, aws_sdk_directory);
    let pages = ds.describe_directories().into_paginator().send();
    each_page(ctx, "ds:DescribeDirectories", pages, |page| {
        for directory in page.directory_descriptions() {
            found.items += 1;
            let Some(id) = directory.directory_id() else {
                continue;
            };
            if directory.stage() == Some(&DirectoryStage::Deleted) {
                continue;
            }
            let kind = ResourceKind::DirectoryServiceDirectory;
            let vpc = directory.vpc_settings().and_then(|v| v.security_group_id());
            found.config_detail(kind, id, "domain controller group", vpc);
            let connect = directory.connect_settings().and_then(|c| c.security_group_id());
            found.config_detail(kind, id, "AD Connector group", connect);
        }
    })
    .await
}

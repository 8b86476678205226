//! A WorkSpaces directory gives every WorkSpace it launches its own group plus, optionally, a custom
//! default group: both are needed for WorkSpaces yet to be made, which have no interface today.

use aws_sdk_workspaces::types::WorkspaceDirectoryState;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "workspaces-directories",
    service: "workspaces",
    description: "WorkSpaces directories (the groups given to new WorkSpaces)",
    kinds: &[ResourceKind::WorkspacesDirectory],
    actions: &[crate::probe!("workspaces:DescribeWorkspaceDirectories", |ctx| client!(ctx, aws_sdk_workspaces)
        .describe_workspace_directories()
        .limit(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_workspaces::operation::describe_workspace_directories::DescribeWorkspaceDirectoriesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let workspaces = client!(ctx, aws_sdk_workspaces);
    let pages = workspaces.describe_workspace_directories().into_paginator().send();
    each_page(ctx, "workspaces:DescribeWorkspaceDirectories", pages, |page| {
        for directory in page.directories() {
            found.items += 1;
            let Some(id) = directory.directory_id() else {
                continue;
            };
            if directory.state() == Some(&WorkspaceDirectoryState::Deregistered) {
                continue;
            }
            let kind = ResourceKind::WorkspacesDirectory;
            found.config_detail(kind, id, "WorkSpaces group", directory.workspace_security_group_id());
            let custom = directory.workspace_creation_properties().and_then(|p| p.custom_security_group_id());
            found.config_detail(kind, id, "custom default group for new WorkSpaces", custom);
        }
    })
    .await
}

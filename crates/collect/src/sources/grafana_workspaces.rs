//! Amazon Managed Grafana workspaces that reach data sources in a VPC name their groups in
//! `workspace.vpcConfiguration.securityGroupIds`. ListWorkspaces gives no VPC configuration, so each
//! workspace is read with DescribeWorkspace.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "grafana-workspaces",
    service: "grafana",
    description: "Managed Grafana workspaces with a VPC configuration (vpcConfiguration.securityGroupIds)",
    kinds: &[ResourceKind::GrafanaWorkspace],
    actions: &[
        crate::probe!("grafana:ListWorkspaces", |ctx| client!(ctx, aws_sdk_grafana).list_workspaces().max_results(1)),
        crate::probe!("grafana:DescribeWorkspace", |ctx| client!(ctx, aws_sdk_grafana)
            .describe_workspace()
            .workspace_id("g-0000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_grafana::operation::list_workspaces::ListWorkspacesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let grafana = client!(ctx, aws_sdk_grafana);

    let mut ids = Vec::new();
    let pages = grafana.list_workspaces().max_results(100).into_paginator().send();
    each_page(ctx, "grafana:ListWorkspaces", pages, |page| {
        found.items += page.workspaces().len() as u32;
        ids.extend(page.workspaces().iter().map(|w| w.id().to_string()));
    })
    .await?;

    let grafana = &grafana;
    let described = describe_each(&ids, |id| async move {
        match grafana.describe_workspace().workspace_id(id).send().await {
            Ok(out) => Ok(out.workspace),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("grafana:DescribeWorkspace", e)),
        }
    })
    .await?;

    for (id, workspace) in described {
        let groups = workspace.vpc_configuration().map(|v| v.security_group_ids()).unwrap_or_default();
        found.config(ResourceKind::GrafanaWorkspace, id, groups);
    }
    Ok(())
}

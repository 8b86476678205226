//! WorkSpaces Secure Browser network settings put the streaming instances of the portals they are
//! associated with in the groups of `securityGroupIds`. ListNetworkSettings gives ARNs only, so each is
//! read with GetNetworkSettings. Settings associated with no portal are holders too: they name the
//! groups for any portal they are associated with later.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "workspaces-web-network-settings",
    service: "workspaces-web",
    description: "WorkSpaces Secure Browser network settings (securityGroupIds)",
    kinds: &[ResourceKind::WorkspacesWebNetworkSettings],
    actions: &[
        crate::probe!("workspaces-web:ListNetworkSettings", |ctx| client!(ctx, aws_sdk_workspacesweb)
            .list_network_settings()
            .max_results(1)),
        crate::probe!("workspaces-web:GetNetworkSettings", |ctx| client!(ctx, aws_sdk_workspacesweb)
            .get_network_settings()
            .network_settings_arn(ctx.arn("workspaces-web", "networkSettings/00000000-0000-0000-0000-000000000000"))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_workspacesweb::operation::list_network_settings::ListNetworkSettingsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let web = client!(ctx, aws_sdk_workspacesweb);
    let mut arns: Vec<String> = Vec::new();
    let pages = web.list_network_settings().max_results(100).into_paginator().send();
    each_page(ctx, "workspaces-web:ListNetworkSettings", pages, |page| {
        for settings in page.network_settings() {
            found.items += 1;
            arns.push(settings.network_settings_arn().to_string());
        }
    })
    .await?;

    let web = &web;
    let read = describe_each(&arns, |arn| async move {
        match web.get_network_settings().network_settings_arn(arn).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("workspaces-web:GetNetworkSettings", e)),
        }
    })
    .await?;
    for (arn, out) in read {
        let Some(settings) = out.network_settings() else {
            continue;
        };
        let portals = settings.associated_portal_arns().len();
        let detail = format!("network settings of {portals} portal(s)");
        found.config_detail(ResourceKind::WorkspacesWebNetworkSettings, arn, &detail, settings.security_group_ids());
    }
    Ok(())
}

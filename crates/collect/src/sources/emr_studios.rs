//! EMR Studios name two groups: the engine group (on the clusters a Workspace attaches to) and the
//! Workspace group (on the Workspaces' interfaces). The list gives summaries only; each Studio is described.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "emr-studios",
    service: "elasticmapreduce",
    description: "EMR Studios (EngineSecurityGroupId, WorkspaceSecurityGroupId)",
    kinds: &[ResourceKind::EmrStudio],
    actions: &[
        crate::probe!("elasticmapreduce:ListStudios", |ctx| client!(ctx, aws_sdk_emr).list_studios()),
        crate::probe!("elasticmapreduce:DescribeStudio", |ctx| client!(ctx, aws_sdk_emr)
            .describe_studio()
            .studio_id("es-0000000000000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_emr::operation::list_studios::ListStudiosOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let emr = client!(ctx, aws_sdk_emr);
    let mut ids = Vec::new();
    // ListStudios takes no page size.
    let pages = emr.list_studios().into_paginator().send();
    each_page(ctx, "elasticmapreduce:ListStudios", pages, |page| {
        ids.extend(page.studios().iter().filter_map(|s| s.studio_id().map(str::to_string)));
    })
    .await?;

    for id in &ids {
        // EMR answers a missing Studio with the generic InvalidRequestException, which cannot be told apart
        // from other bad requests: any failure fails the source.
        let out = emr
            .describe_studio()
            .studio_id(id)
            .send()
            .await
            .map_err(|e| ctx.fail("elasticmapreduce:DescribeStudio", e))?;
        found.items += 1;
        let Some(studio) = out.studio() else {
            continue;
        };
        let arn = studio.studio_arn().unwrap_or(id);
        found.config_detail(ResourceKind::EmrStudio, arn, "engine security group", studio.engine_security_group_id());
        found.config_detail(
            ResourceKind::EmrStudio,
            arn,
            "Workspace security group",
            studio.workspace_security_group_id(),
        );
    }
    Ok(())
}

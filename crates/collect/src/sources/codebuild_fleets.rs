//! CodeBuild reserved-capacity fleets with a VPC configuration keep warm hosts whose interfaces carry its
//! groups, and start new ones with them; the fleet's configuration is what must change before the group
//! can go. The list gives ARNs only; they are described in batches.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "codebuild-fleets",
    service: "codebuild",
    description: "CodeBuild reserved-capacity fleets (vpcConfig)",
    kinds: &[ResourceKind::CodebuildFleet],
    actions: &[
        crate::probe!("codebuild:ListFleets", |ctx| client!(ctx, aws_sdk_codebuild).list_fleets().max_results(1)),
        crate::probe!("codebuild:BatchGetFleets", |ctx| client!(ctx, aws_sdk_codebuild)
            .batch_get_fleets()
            .names(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_codebuild::operation::list_fleets::ListFleetsOutput => next_token,
);

/// The most fleets `BatchGetFleets` accepts in one call.
const DESCRIBE_BATCH: usize = 100;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let codebuild = client!(ctx, aws_sdk_codebuild);
    let mut arns = Vec::new();
    let pages = codebuild.list_fleets().max_results(100).into_paginator().send();
    each_page(ctx, "codebuild:ListFleets", pages, |page| arns.extend(page.fleets().iter().cloned())).await?;

    for batch in arns.chunks(DESCRIBE_BATCH) {
        // Fleets deleted since the list come back in `fleetsNotFound`: they hold nothing.
        let out = codebuild
            .batch_get_fleets()
            .set_names(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| ctx.fail("codebuild:BatchGetFleets", e))?;
        for fleet in out.fleets() {
            found.items += 1;
            let Some(id) = fleet.arn().or(fleet.name()) else {
                continue;
            };
            let groups = fleet.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::CodebuildFleet, id, groups);
        }
    }
    Ok(())
}

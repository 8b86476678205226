//! AppStream 2.0 fleets, image builders and app block builders name the groups of their streaming
//! instances' interfaces in `VpcConfig`. A stopped fleet or builder keeps its `VpcConfig` and starts
//! again with it, so every state is recorded.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "appstream-fleets",
    service: "appstream2",
    description: "AppStream 2.0 fleets, image builders and app block builders (VpcConfig)",
    kinds: &[ResourceKind::AppstreamFleet, ResourceKind::AppstreamImageBuilder, ResourceKind::AppstreamAppBlockBuilder],
    actions: &[
        crate::probe!("appstream:DescribeFleets", |ctx| client!(ctx, aws_sdk_appstream).describe_fleets()),
        crate::probe!("appstream:DescribeImageBuilders", |ctx| client!(ctx, aws_sdk_appstream)
            .describe_image_builders()
            .max_results(1)),
        crate::probe!("appstream:DescribeAppBlockBuilders", |ctx| client!(ctx, aws_sdk_appstream)
            .describe_app_block_builders()
            .max_results(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

fn groups(vpc: Option<&aws_sdk_appstream::types::VpcConfig>) -> &[String] {
    vpc.map(|v| v.security_group_ids()).unwrap_or_default()
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let appstream = client!(ctx, aws_sdk_appstream);

    // The page sizes are left to the service: the model gives no maximum for these calls.
    let mut trail = ctx.pages("appstream:DescribeFleets");
    let mut token: Option<String> = None;
    loop {
        let page = appstream
            .describe_fleets()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("appstream:DescribeFleets", e))?;
        for fleet in page.fleets() {
            found.items += 1;
            let Some(id) = fleet.arn().or(fleet.name()) else {
                continue;
            };
            found.config(ResourceKind::AppstreamFleet, id, groups(fleet.vpc_config()));
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    let mut trail = ctx.pages("appstream:DescribeImageBuilders");
    let mut token: Option<String> = None;
    loop {
        let page = appstream
            .describe_image_builders()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("appstream:DescribeImageBuilders", e))?;
        for builder in page.image_builders() {
            found.items += 1;
            let Some(id) = builder.arn().or(builder.name()) else {
                continue;
            };
            found.config(ResourceKind::AppstreamImageBuilder, id, groups(builder.vpc_config()));
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    let mut trail = ctx.pages("appstream:DescribeAppBlockBuilders");
    let mut token: Option<String> = None;
    loop {
        let page = appstream
            .describe_app_block_builders()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("appstream:DescribeAppBlockBuilders", e))?;
        for builder in page.app_block_builders() {
            found.items += 1;
            let Some(id) = builder.arn().or(builder.name()) else {
                continue;
            };
            found.config(ResourceKind::AppstreamAppBlockBuilder, id, groups(builder.vpc_config()));
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

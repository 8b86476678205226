//! MediaLive channels with VPC outputs name their groups in `Vpc.SecurityGroupIds`, and ListChannels
//! gives them for every channel. An IDLE (stopped) channel is a holder too: starting it sends its outputs
//! through the same VPC settings. (The input security groups of MediaLive are IP allow-lists of its own,
//! not VPC groups.)

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "medialive-channels",
    service: "medialive",
    description: "MediaLive channels with VPC outputs (Vpc.SecurityGroupIds)",
    kinds: &[ResourceKind::MedialiveChannel],
    actions: &[crate::probe!("medialive:ListChannels", |ctx| client!(ctx, aws_sdk_medialive)
        .list_channels()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_medialive::operation::list_channels::ListChannelsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let medialive = client!(ctx, aws_sdk_medialive);
    let pages = medialive.list_channels().max_results(1000).into_paginator().send();
    each_page(ctx, "medialive:ListChannels", pages, |page| {
        for channel in page.channels() {
            found.items += 1;
            let Some(id) = channel.arn().or(channel.id()) else {
                continue;
            };
            let Some(vpc) = channel.vpc() else {
                continue;
            };
            let state = channel.state().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            let detail = format!("VPC outputs, channel {state}");
            found.config_detail(ResourceKind::MedialiveChannel, id, &detail, vpc.security_group_ids());
        }
    })
    .await
}

//! Every managed prefix list the account sees in the region: its own, those shared with it (AWS RAM), and AWS's.
//! A rule that names a prefix list costs, against the quota of rules per security group, the list's maximum
//! number of entries (or, for an AWS-managed list, its documented weight): the size is here, the judging in
//! the network checks. The entries themselves are not read (one more call per list, and not what AWS counts).

use futures::FutureExt;
use sgaudit_snapshot::posture::PrefixList;
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-managed-prefix-lists",
    service: "ec2",
    description: "Managed prefix lists (own, shared and AWS-managed) with their maximum entries, for the rules quota",
    kinds: &[],
    actions: &[crate::probe!("ec2:DescribeManagedPrefixLists", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_managed_prefix_lists()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_managed_prefix_lists::DescribeManagedPrefixListsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    // 100 is the largest page the API allows.
    let pages = ec2.describe_managed_prefix_lists().max_results(100).into_paginator().send();
    each_page(ctx, "ec2:DescribeManagedPrefixLists", pages, |page| {
        for list in page.prefix_lists() {
            found.items += 1;
            let Some(id) = list.prefix_list_id() else { continue };
            found.posture.prefix_lists.push(PrefixList {
                prefix_list_id: id.to_string(),
                name: list.prefix_list_name().unwrap_or_default().to_string(),
                owner_id: list.owner_id().unwrap_or_default().to_string(),
                address_family: list.address_family().unwrap_or_default().to_string(),
                // A negative or zero maximum is no size at all: kept as unknown, counted as a floor.
                max_entries: list.max_entries().and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0),
            });
        }
    })
    .await
}

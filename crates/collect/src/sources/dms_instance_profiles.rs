//! DMS instance profiles (the network settings of homogeneous data migrations and of schema conversion)
//! name their groups in `VpcSecurityGroups`; every migration project that uses the profile runs with them.
//! The call `DescribeInstanceProfiles` is authorised by the IAM action `dms:ListInstanceProfiles`.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "dms-instance-profiles",
    service: "dms",
    description: "DMS instance profiles (VpcSecurityGroups)",
    kinds: &[ResourceKind::DmsInstanceProfile],
    actions: &[crate::probe!("dms:ListInstanceProfiles", |ctx| client!(ctx, aws_sdk_databasemigration)
        .describe_instance_profiles()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_databasemigration::operation::describe_instance_profiles::DescribeInstanceProfilesOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let dms = client!(ctx, aws_sdk_databasemigration);
    let pages = dms.describe_instance_profiles().max_records(100).into_paginator().send();
    each_page(ctx, "dms:ListInstanceProfiles", pages, |page| {
        for profile in page.instance_profiles() {
            found.items += 1;
            let Some(id) = profile.instance_profile_arn().or(profile.instance_profile_name()) else {
                continue;
            };
            found.config(ResourceKind::DmsInstanceProfile, id, profile.vpc_security_groups());
        }
    })
    .await
}

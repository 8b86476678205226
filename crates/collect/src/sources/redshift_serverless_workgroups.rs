//! Redshift Serverless workgroups run in the groups of `securityGroupIds`, which ListWorkgroups gives for
//! every workgroup (the same `Workgroup` that GetWorkgroup answers).

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "redshift-serverless-workgroups",
    service: "redshift-serverless",
    description: "Redshift Serverless workgroups (securityGroupIds)",
    kinds: &[ResourceKind::RedshiftServerlessWorkgroup],
    actions: &[crate::probe!("redshift-serverless:ListWorkgroups", |ctx| client!(ctx, aws_sdk_redshiftserverless)
        .list_workgroups()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_redshiftserverless::operation::list_workgroups::ListWorkgroupsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let redshift = client!(ctx, aws_sdk_redshiftserverless);
    let pages = redshift.list_workgroups().max_results(100).into_paginator().send();
    each_page(ctx, "redshift-serverless:ListWorkgroups", pages, |page| {
        for workgroup in page.workgroups() {
            found.items += 1;
            let Some(id) = workgroup.workgroup_arn().or(workgroup.workgroup_name()) else {
                continue;
            };
            let status = workgroup.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            found.config_detail(
                ResourceKind::RedshiftServerlessWorkgroup,
                id,
                &format!("workgroup {status}"),
                workgroup.security_group_ids(),
            );
        }
    })
    .await
}

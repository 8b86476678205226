//! Managed Batch compute environments name the groups of the instances they launch; at zero vCPUs there
//! is no instance, so the configuration is the only evidence. Groups in a launch template the environment
//! names are read by `ec2-launch-templates`.

use aws_sdk_batch::types::CeStatus;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "batch-compute-environments",
    service: "batch",
    description: "Batch compute environments (computeResources.securityGroupIds)",
    kinds: &[ResourceKind::BatchComputeEnvironment],
    actions: &["batch:DescribeComputeEnvironments"],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_batch::operation::describe_compute_environments::DescribeComputeEnvironmentsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let batch = client!(ctx, aws_sdk_batch);
    let pages = batch.describe_compute_environments().max_results(100).into_paginator().send();
    each_page(ctx, "batch:DescribeComputeEnvironments", pages, |page| {
        for environment in page.compute_environments() {
            found.items += 1;
            let Some(id) = environment.compute_environment_arn().or(environment.compute_environment_name()) else {
                continue;
            };
            if environment.status() == Some(&CeStatus::Deleted) {
                continue;
            }
            let groups = environment.compute_resources().map(|r| r.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::BatchComputeEnvironment, id, groups);
        }
    })
    .await
}

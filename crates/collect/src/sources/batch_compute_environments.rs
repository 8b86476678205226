//! Managed Batch compute environments name the groups of the instances they launch; at zero vCPUs there
//! is no instance, so the configuration is the only evidence. The environment may also launch from a
//! launch template (and per-instance-type template overrides), at the version it names: those versions'
//! groups are read here, for the environment.

use aws_sdk_batch::types::CeStatus;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};
use crate::sources::launch_templates::{self, TemplateRef};

pub const SOURCE: SourceDef = SourceDef {
    id: "batch-compute-environments",
    service: "batch",
    description: "Batch compute environments (computeResources.securityGroupIds)",
    kinds: &[ResourceKind::BatchComputeEnvironment],
    actions: &[
        crate::probe!("batch:DescribeComputeEnvironments", |ctx| client!(ctx, aws_sdk_batch)
            .describe_compute_environments()
            .max_results(1)),
        super::launch_templates::DESCRIBE_VERSIONS,
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_batch::operation::describe_compute_environments::DescribeComputeEnvironmentsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let batch = client!(ctx, aws_sdk_batch);
    let pages = batch.describe_compute_environments().max_results(100).into_paginator().send();
    let mut templated: Vec<(String, Vec<TemplateRef>)> = Vec::new();
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
            if let Some(t) = environment.compute_resources().and_then(|r| r.launch_template()) {
                let mut refs: Vec<TemplateRef> = Vec::new();
                refs.extend(TemplateRef::new(t.launch_template_id(), t.launch_template_name(), t.version()));
                for o in t.overrides() {
                    refs.extend(TemplateRef::new(o.launch_template_id(), o.launch_template_name(), o.version()));
                }
                refs.sort();
                refs.dedup();
                templated.push((id.to_string(), refs));
            }
        }
    })
    .await?;
    let resolved = launch_templates::resolve(ctx, templated.iter().flat_map(|t| t.1.iter().cloned())).await?;
    for (id, refs) in &templated {
        launch_templates::record(found, ResourceKind::BatchComputeEnvironment, id, "", refs, &resolved);
    }
    Ok(())
}

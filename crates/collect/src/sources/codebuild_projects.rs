//! CodeBuild projects with a VPC configuration put its groups on the interface of every build; between
//! builds there is no interface, so the project's configuration is the only evidence. A project whose
//! environment has a Docker server (`environment.dockerServer`) names that server's groups too.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "codebuild-projects",
    service: "codebuild",
    description: "CodeBuild projects (vpcConfig, environment.dockerServer)",
    kinds: &[ResourceKind::CodebuildProject],
    actions: &[
        crate::probe!("codebuild:ListProjects", |ctx| client!(ctx, aws_sdk_codebuild).list_projects()),
        crate::probe!("codebuild:BatchGetProjects", |ctx| client!(ctx, aws_sdk_codebuild)
            .batch_get_projects()
            .names(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_codebuild::operation::list_projects::ListProjectsOutput => next_token,
);

/// The most projects `BatchGetProjects` accepts in one call.
const DESCRIBE_BATCH: usize = 100;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let codebuild = client!(ctx, aws_sdk_codebuild);
    let mut names = Vec::new();
    let pages = codebuild.list_projects().into_paginator().send();
    each_page(ctx, "codebuild:ListProjects", pages, |page| names.extend(page.projects().iter().cloned())).await?;

    for batch in names.chunks(DESCRIBE_BATCH) {
        // Projects deleted since the list come back in `projectsNotFound`: they hold nothing.
        let out = codebuild
            .batch_get_projects()
            .set_names(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| ctx.fail("codebuild:BatchGetProjects", e))?;
        for project in out.projects() {
            found.items += 1;
            let Some(id) = project.arn().or(project.name()) else {
                continue;
            };
            let groups = project.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::CodebuildProject, id, groups);
            let docker = project.environment().and_then(|e| e.docker_server()).map(|d| d.security_group_ids());
            found.config_detail(ResourceKind::CodebuildProject, id, "Docker server", docker.unwrap_or_default());
        }
    }
    Ok(())
}

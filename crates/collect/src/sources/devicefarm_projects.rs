//! Device Farm projects and test grid projects with a VPC configuration name the groups of the
//! interfaces their devices and browsers reach the VPC through, for every run. The lists give the whole
//! configuration. Device Farm is offered in us-west-2 only.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "devicefarm-projects",
    service: "devicefarm",
    description: "Device Farm projects and test grid projects (vpcConfig)",
    kinds: &[ResourceKind::DevicefarmProject, ResourceKind::DevicefarmTestGridProject],
    actions: &[
        crate::probe!("devicefarm:ListProjects", |ctx| client!(ctx, aws_sdk_devicefarm).list_projects()),
        crate::probe!("devicefarm:ListTestGridProjects", |ctx| client!(ctx, aws_sdk_devicefarm)
            .list_test_grid_projects()
            .max_result(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let devicefarm = client!(ctx, aws_sdk_devicefarm);

    // ListProjects takes no page size.
    let mut trail = ctx.pages("devicefarm:ListProjects");
    let mut token: Option<String> = None;
    loop {
        let page = devicefarm
            .list_projects()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("devicefarm:ListProjects", e))?;
        for project in page.projects() {
            found.items += 1;
            let Some(id) = project.arn().or(project.name()) else {
                continue;
            };
            let groups = project.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config_detail(ResourceKind::DevicefarmProject, id, "vpcConfig", groups);
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    let mut trail = ctx.pages("devicefarm:ListTestGridProjects");
    let mut token: Option<String> = None;
    loop {
        let page = devicefarm
            .list_test_grid_projects()
            .max_result(1000)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("devicefarm:ListTestGridProjects", e))?;
        for project in page.test_grid_projects() {
            found.items += 1;
            let Some(id) = project.arn().or(project.name()) else {
                continue;
            };
            let groups = project.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config_detail(ResourceKind::DevicefarmTestGridProject, id, "vpcConfig", groups);
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

//! Amazon Elastic VMware Service (EVS) environments name the groups of their service access subnet in
//! `serviceAccessSecurityGroups.securityGroups`. ListEnvironments gives ids only, so each environment is
//! read with GetEnvironment. An environment in DELETED state holds nothing and is not read.

use aws_sdk_evs::types::EnvironmentState;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "evs-environments",
    service: "evs",
    description: "Amazon EVS environments (serviceAccessSecurityGroups)",
    kinds: &[ResourceKind::EvsEnvironment],
    actions: &[
        crate::probe!("evs:ListEnvironments", |ctx| client!(ctx, aws_sdk_evs).list_environments().max_results(1)),
        crate::probe!("evs:GetEnvironment", |ctx| client!(ctx, aws_sdk_evs)
            .get_environment()
            .environment_id("env-0000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_evs::operation::list_environments::ListEnvironmentsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let evs = client!(ctx, aws_sdk_evs);

    let mut ids = Vec::new();
    let pages = evs.list_environments().max_results(100).into_paginator().send();
    each_page(ctx, "evs:ListEnvironments", pages, |page| {
        for env in page.environment_summaries() {
            found.items += 1;
            if env.environment_state() == Some(&EnvironmentState::Deleted) {
                continue;
            }
            ids.extend(env.environment_id().map(str::to_string));
        }
    })
    .await?;

    let evs = &evs;
    let described = describe_each(&ids, |id| async move {
        match evs.get_environment().environment_id(id).send().await {
            Ok(out) => Ok(out.environment),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("evs:GetEnvironment", e)),
        }
    })
    .await?;

    for (id, env) in described {
        let groups = env.service_access_security_groups().map(|g| g.security_groups()).unwrap_or_default();
        let arn = env.environment_arn().unwrap_or(id);
        found.config_detail(ResourceKind::EvsEnvironment, arn, "service access subnet", groups);
    }
    Ok(())
}

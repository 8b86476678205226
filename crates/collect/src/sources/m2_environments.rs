//! AWS Mainframe Modernization runtime environments name the groups of their instances in
//! `securityGroupIds`. The list gives no groups, so each environment is read with GetEnvironment.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "m2-environments",
    service: "m2",
    description: "Mainframe Modernization runtime environments (securityGroupIds)",
    kinds: &[ResourceKind::M2Environment],
    actions: &[
        crate::probe!("m2:ListEnvironments", |ctx| client!(ctx, aws_sdk_m2).list_environments().max_results(1)),
        crate::probe!("m2:GetEnvironment", |ctx| client!(ctx, aws_sdk_m2).get_environment().environment_id(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_m2::operation::list_environments::ListEnvironmentsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let m2 = client!(ctx, aws_sdk_m2);

    let mut ids = Vec::new();
    let pages = m2.list_environments().max_results(2000).into_paginator().send();
    each_page(ctx, "m2:ListEnvironments", pages, |page| {
        found.items += page.environments().len() as u32;
        ids.extend(page.environments().iter().map(|e| e.environment_id().to_string()));
    })
    .await?;

    let m2 = &m2;
    let described = describe_each(&ids, |id| async move {
        match m2.get_environment().environment_id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("m2:GetEnvironment", e)),
        }
    })
    .await?;

    for (id, env) in described {
        let arn = Some(env.environment_arn()).filter(|a| !a.is_empty()).unwrap_or(id);
        found.config(ResourceKind::M2Environment, arn, env.security_group_ids());
    }
    Ok(())
}

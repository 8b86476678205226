//! Amazon MWAA environments run their schedulers, workers and web servers in the groups of
//! `NetworkConfiguration.SecurityGroupIds`. ListEnvironments gives names only, so each environment is
//! read with GetEnvironment. Every state holds them: an environment being updated, failed or in
//! maintenance is brought back with the same network configuration. (Both calls go to the service's
//! `api.` host: see `host_prefix`.)

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::describe_each::{describe_each, vanished};
use crate::host_prefix;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "mwaa-environments",
    service: "airflow",
    description: "Managed Workflows for Apache Airflow environments (NetworkConfiguration.SecurityGroupIds)",
    kinds: &[ResourceKind::MwaaEnvironment],
    actions: &[
        crate::probe!("airflow:ListEnvironments", |ctx| client(ctx).list_environments().max_results(1)),
        crate::probe!("airflow:GetEnvironment", |ctx| client(ctx).get_environment().name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_mwaa::operation::list_environments::ListEnvironmentsOutput => next_token,
);

/// The service's client; without the operations' host prefix when the user named the endpoint.
fn client(ctx: &Ctx) -> aws_sdk_mwaa::Client {
    let mut config =
        aws_sdk_mwaa::config::Builder::from(&ctx.sdk).interceptor(ctx.counter()).retry_partition(ctx.retry_partition());
    if host_prefix::endpoint_given(ctx) {
        config = config.interceptor(host_prefix::NoHostPrefix);
    }
    aws_sdk_mwaa::Client::from_conf(config.build())
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let mwaa = client(ctx);
    let mut names: Vec<String> = Vec::new();
    let pages = mwaa.list_environments().max_results(25).into_paginator().send();
    each_page(ctx, "airflow:ListEnvironments", pages, |page| {
        names.extend(page.environments().iter().cloned());
    })
    .await?;

    let mwaa = &mwaa;
    let read = describe_each(&names, |name| async move {
        match mwaa.get_environment().name(name).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("airflow:GetEnvironment", e)),
        }
    })
    .await?;
    for (name, out) in read {
        found.items += 1;
        let Some(environment) = out.environment() else {
            continue;
        };
        let id = environment.arn().unwrap_or(name);
        let status = environment.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
        let groups = environment.network_configuration().map(|n| n.security_group_ids()).unwrap_or_default();
        found.config_detail(ResourceKind::MwaaEnvironment, id, &format!("environment {status}"), groups);
    }
    Ok(())
}

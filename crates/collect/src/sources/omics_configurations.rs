//! HealthOmics configurations name the groups that runs started with them use, in
//! `runConfigurations.vpcConfig.securityGroupIds`. ListConfigurations gives names only, so each is read
//! with GetConfiguration. A configuration being deleted or deleted is left out: no run can start with it.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::describe_each::{describe_each, vanished};
use crate::host_prefix;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "omics-configurations",
    service: "omics",
    description: "HealthOmics configurations with a VPC configuration (runConfigurations.vpcConfig)",
    kinds: &[ResourceKind::OmicsConfiguration],
    actions: &[
        crate::probe!("omics:ListConfigurations", |ctx| client(ctx).list_configurations().max_results(1)),
        crate::probe!("omics:GetConfiguration", |ctx| client(ctx).get_configuration().name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_omics::operation::list_configurations::ListConfigurationsOutput => next_token,
);

/// The service's client; without the operations' host prefix when the user named the endpoint.
fn client(ctx: &Ctx) -> aws_sdk_omics::Client {
    let mut config = aws_sdk_omics::config::Builder::from(&ctx.sdk)
        .interceptor(ctx.counter())
        .retry_partition(ctx.retry_partition());
    if host_prefix::endpoint_given(ctx) {
        config = config.interceptor(host_prefix::NoHostPrefix);
    }
    aws_sdk_omics::Client::from_conf(config.build())
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let omics = client(ctx);
    let mut names: Vec<String> = Vec::new();
    let pages = omics.list_configurations().max_results(10).into_paginator().send();
    each_page(ctx, "omics:ListConfigurations", pages, |page| {
        for configuration in page.items() {
            found.items += 1;
            if configuration.status().is_some_and(|s| matches!(s.as_str(), "DELETING" | "DELETED")) {
                continue;
            }
            if let Some(name) = configuration.name() {
                names.push(name.to_string());
            }
        }
    })
    .await?;

    let omics = &omics;
    let read = describe_each(&names, |name| async move {
        match omics.get_configuration().name(name).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("omics:GetConfiguration", e)),
        }
    })
    .await?;
    for (name, out) in read {
        let id = out.arn().unwrap_or(name);
        let groups = out.run_configurations().and_then(|r| r.vpc_config()).map(|v| v.security_group_ids());
        found.config_detail(
            ResourceKind::OmicsConfiguration,
            id,
            "runConfigurations.vpcConfig",
            groups.unwrap_or_default(),
        );
    }
    Ok(())
}

//! EC2 Image Builder infrastructure configurations name the groups of the build and test instances their
//! pipelines launch in `infrastructureConfiguration.securityGroupIds`. The list gives no groups, so each
//! configuration is read with GetInfrastructureConfiguration. Images (the record of a build) are not read:
//! while a build runs, its instance carries the groups (ec2-instances), taken from these configurations.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "imagebuilder-infrastructure-configurations",
    service: "imagebuilder",
    description: "Image Builder infrastructure configurations (securityGroupIds)",
    kinds: &[ResourceKind::ImagebuilderInfrastructureConfiguration],
    actions: &[
        crate::probe!("imagebuilder:ListInfrastructureConfigurations", |ctx| client!(ctx, aws_sdk_imagebuilder)
            .list_infrastructure_configurations()
            .max_results(1)),
        crate::probe!("imagebuilder:GetInfrastructureConfiguration", |ctx| client!(ctx, aws_sdk_imagebuilder)
            .get_infrastructure_configuration()
            .infrastructure_configuration_arn(
                ctx.arn("imagebuilder", &format!("infrastructure-configuration/{PROBE_NAME}"))
            )),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_imagebuilder::operation::list_infrastructure_configurations::ListInfrastructureConfigurationsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let imagebuilder = client!(ctx, aws_sdk_imagebuilder);

    let mut arns = Vec::new();
    let pages = imagebuilder.list_infrastructure_configurations().max_results(25).into_paginator().send();
    each_page(ctx, "imagebuilder:ListInfrastructureConfigurations", pages, |page| {
        for config in page.infrastructure_configuration_summary_list() {
            found.items += 1;
            arns.extend(config.arn().map(str::to_string));
        }
    })
    .await?;

    let imagebuilder = &imagebuilder;
    let described = describe_each(&arns, |arn| async move {
        let read = imagebuilder.get_infrastructure_configuration().infrastructure_configuration_arn(arn);
        match read.send().await {
            Ok(out) => Ok(out.infrastructure_configuration),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("imagebuilder:GetInfrastructureConfiguration", e)),
        }
    })
    .await?;

    for (arn, config) in described {
        found.config(ResourceKind::ImagebuilderInfrastructureConfiguration, arn, config.security_group_ids());
    }
    Ok(())
}

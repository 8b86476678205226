//! Auto Scaling launch configurations name the groups of every instance they will launch; they cannot be
//! edited, so a group named here blocks its own deletion until the configuration is deleted.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "autoscaling-launch-configurations",
    service: "autoscaling",
    description: "Auto Scaling launch configurations (SecurityGroups)",
    kinds: &[ResourceKind::LaunchConfiguration],
    actions: &[crate::probe!("autoscaling:DescribeLaunchConfigurations", |ctx| client!(ctx, aws_sdk_autoscaling)
        .describe_launch_configurations()
        .max_records(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_autoscaling::operation::describe_launch_configurations::DescribeLaunchConfigurationsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let autoscaling = client!(ctx, aws_sdk_autoscaling);
    let pages = autoscaling.describe_launch_configurations().max_records(100).into_paginator().send();
    each_page(ctx, "autoscaling:DescribeLaunchConfigurations", pages, |page| {
        for config in page.launch_configurations() {
            found.items += 1;
            let Some(id) = config.launch_configuration_arn().or(config.launch_configuration_name()) else {
                continue;
            };
            // A configuration for a default VPC may name its groups by name rather than id.
            let (ids, names): (Vec<&String>, Vec<&String>) =
                config.security_groups().iter().partition(|g| g.starts_with("sg-"));
            found.config(ResourceKind::LaunchConfiguration, id, ids);
            found.config_names(ResourceKind::LaunchConfiguration, id, "SecurityGroups", names);
        }
    })
    .await
}

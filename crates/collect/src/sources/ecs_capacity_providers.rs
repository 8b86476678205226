//! ECS Managed Instances capacity providers name the groups of the instances ECS launches for them, in
//! their instance launch template. They belong to a cluster and are described per cluster (ECS lists them
//! only when asked for a cluster's providers). Auto Scaling group providers name no group: their groups
//! are in the Auto Scaling group's launch template, read by other sources.

use aws_sdk_ecs::types::CapacityProviderStatus;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use super::ecs_services::{check_failures, cluster_arns};
use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "ecs-capacity-providers",
    service: "ecs",
    description: "ECS Managed Instances capacity providers (instance launch template network configuration)",
    kinds: &[ResourceKind::EcsCapacityProvider],
    actions: &[
        crate::probe!("ecs:ListClusters", |ctx| client!(ctx, aws_sdk_ecs).list_clusters().max_results(1)),
        crate::probe!("ecs:DescribeCapacityProviders", |ctx| client!(ctx, aws_sdk_ecs)
            .describe_capacity_providers()
            .cluster(PROBE_NAME)
            .max_results(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ecs::operation::describe_capacity_providers::DescribeCapacityProvidersOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ecs = client!(ctx, aws_sdk_ecs);
    for cluster in &cluster_arns(ctx, &ecs).await? {
        // No SDK paginator for DescribeCapacityProviders: the pages are followed by hand.
        let mut trail = ctx.pages("ecs:DescribeCapacityProviders");
        let mut next_token: Option<String> = None;
        loop {
            let page = ecs
                .describe_capacity_providers()
                .cluster(cluster)
                .max_results(10)
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|e| ctx.fail("ecs:DescribeCapacityProviders", e))?;
            check_failures("ecs:DescribeCapacityProviders", page.failures())?;
            for provider in page.capacity_providers() {
                found.items += 1;
                // INACTIVE: deleted, still shown for a while; DEPROVISIONING: being deleted.
                if matches!(
                    provider.status(),
                    Some(CapacityProviderStatus::Inactive | CapacityProviderStatus::Deprovisioning)
                ) {
                    continue;
                }
                let Some(network) = provider
                    .managed_instances_provider()
                    .and_then(|m| m.instance_launch_template())
                    .and_then(|t| t.network_configuration())
                else {
                    continue;
                };
                let id = provider.capacity_provider_arn().or(provider.name()).unwrap_or(cluster);
                found.config_detail(
                    ResourceKind::EcsCapacityProvider,
                    id,
                    "Managed Instances launch template",
                    network.security_groups(),
                );
            }
            match trail.follow(page.next_token())? {
                Some(token) => next_token = Some(token),
                None => break,
            }
        }
    }
    Ok(())
}

//! ECS services with awsvpc networking name their groups in their network configuration; a service
//! scaled to zero has no task (so no interface) but will put the groups on every task it starts. A
//! deployment or task set still rolling out can carry another configuration than the service's own.

use aws_sdk_ecs::types::NetworkConfiguration;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ecs-services",
    service: "ecs",
    description: "ECS services with awsvpc networking, at any desired count (service, deployments, task sets)",
    kinds: &[ResourceKind::EcsService],
    actions: &["ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ecs::operation::list_clusters::ListClustersOutput => next_token,
    aws_sdk_ecs::operation::list_services::ListServicesOutput => next_token,
);

/// The most services `DescribeServices` accepts in one call.
const DESCRIBE_BATCH: usize = 10;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ecs = client!(ctx, aws_sdk_ecs);
    let mut clusters = Vec::new();
    let pages = ecs.list_clusters().max_results(100).into_paginator().send();
    each_page(ctx, "ecs:ListClusters", pages, |page| {
        clusters.extend(page.cluster_arns().iter().cloned());
    })
    .await?;

    for cluster in &clusters {
        let mut services = Vec::new();
        let pages = ecs.list_services().cluster(cluster).max_results(100).into_paginator().send();
        each_page(ctx, "ecs:ListServices", pages, |page| {
            services.extend(page.service_arns().iter().cloned());
        })
        .await?;

        for batch in services.chunks(DESCRIBE_BATCH) {
            let out = ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| ctx.fail("ecs:DescribeServices", e))?;
            for failure in out.failures() {
                // MISSING: deleted between the list and the describe, so it holds nothing.
                if failure.reason() != Some("MISSING") {
                    return Err(SourceError {
                        code: failure.reason().unwrap_or("failure").to_string(),
                        message: format!(
                            "{}: {}",
                            failure.arn().unwrap_or("unknown service"),
                            failure.detail().unwrap_or("no detail")
                        ),
                        action: Some("ecs:DescribeServices".to_string()),
                        scp_deny: false,
                    });
                }
            }
            for service in out.services() {
                found.items += 1;
                let Some(arn) = service.service_arn() else {
                    continue;
                };
                // INACTIVE is a deleted service that the API still shows for a while.
                if service.status() == Some("INACTIVE") {
                    continue;
                }
                let own = groups(service.network_configuration());
                let detail = format!("desired count {}", service.desired_count());
                found.config_detail(ResourceKind::EcsService, arn, &detail, &own);
                for deployment in service.deployments() {
                    let extra: Vec<String> =
                        groups(deployment.network_configuration()).into_iter().filter(|g| !own.contains(g)).collect();
                    let detail = format!("deployment {}", deployment.id().unwrap_or("unknown"));
                    found.config_detail(ResourceKind::EcsService, arn, &detail, &extra);
                }
                for task_set in service.task_sets() {
                    let extra: Vec<String> =
                        groups(task_set.network_configuration()).into_iter().filter(|g| !own.contains(g)).collect();
                    let detail = format!("task set {}", task_set.id().unwrap_or("unknown"));
                    found.config_detail(ResourceKind::EcsService, arn, &detail, &extra);
                }
            }
        }
    }
    Ok(())
}

fn groups(config: Option<&NetworkConfiguration>) -> Vec<String> {
    config.and_then(|c| c.awsvpc_configuration()).map(|a| a.security_groups().to_vec()).unwrap_or_default()
}

//! ECS services with awsvpc networking name their groups in their network configuration; a service
//! scaled to zero has no task (so no interface) but will put the groups on every task it starts. A
//! deployment or task set still rolling out can carry another configuration than the service's own.
//!
//! An Express service (`resourceManagementType` ECS) is an ECS service too, listed with the others; ECS
//! builds and keeps its network for it: the groups of its active configurations, and, in each current
//! service revision, the groups ECS made for the service and for the load balancer in front of it. Those
//! are read for Express services only: a customer-managed service's revisions carry no ECS-managed
//! resources, and their awsvpc configuration is the one its deployments already show (DescribeServices).

use aws_sdk_ecs::types::{
    ExpressGatewayServiceStatusCode, Failure, ManagedResourceStatus, ManagedSecurityGroup, NetworkConfiguration,
    ResourceManagementType,
};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "ecs-services",
    service: "ecs",
    description: "ECS services with awsvpc networking, at any desired count (service, deployments, task sets), \
                  and the network ECS manages for Express services",
    kinds: &[ResourceKind::EcsService],
    actions: &[
        crate::probe!("ecs:ListClusters", |ctx| client!(ctx, aws_sdk_ecs).list_clusters().max_results(1)),
        crate::probe!("ecs:ListServices", |ctx| client!(ctx, aws_sdk_ecs)
            .list_services()
            .cluster(PROBE_NAME)
            .max_results(1)),
        crate::probe!("ecs:DescribeServices", |ctx| client!(ctx, aws_sdk_ecs)
            .describe_services()
            .cluster(PROBE_NAME)
            .services(PROBE_NAME)),
        crate::probe!("ecs:DescribeExpressGatewayService", |ctx| client!(ctx, aws_sdk_ecs)
            .describe_express_gateway_service()
            .service_arn(ctx.arn("ecs", &format!("service/{PROBE_NAME}/{PROBE_NAME}")))),
        crate::probe!("ecs:DescribeServiceRevisions", |ctx| client!(ctx, aws_sdk_ecs)
            .describe_service_revisions()
            .service_revision_arns(ctx.arn("ecs", &format!("service-revision/{PROBE_NAME}/{PROBE_NAME}/1")))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ecs::operation::list_clusters::ListClustersOutput => next_token,
    aws_sdk_ecs::operation::list_services::ListServicesOutput => next_token,
);

/// The most services `DescribeServices` accepts in one call.
const DESCRIBE_BATCH: usize = 10;

/// The most revisions `DescribeServiceRevisions` accepts in one call.
const REVISIONS_BATCH: usize = 20;

/// Every cluster of the region (ARNs); shared with the other ECS sources.
pub(super) async fn cluster_arns(ctx: &Ctx, ecs: &aws_sdk_ecs::Client) -> Result<Vec<String>, SourceError> {
    let mut clusters = Vec::new();
    let pages = ecs.list_clusters().max_results(100).into_paginator().send();
    each_page(ctx, "ecs:ListClusters", pages, |page| {
        clusters.extend(page.cluster_arns().iter().cloned());
    })
    .await?;
    Ok(clusters)
}

/// Fails on any failure an ECS batch describe reports, except MISSING: a resource deleted between the list
/// and the describe holds nothing.
pub(super) fn check_failures(action: &str, failures: &[Failure]) -> Result<(), SourceError> {
    for failure in failures {
        if failure.reason() != Some("MISSING") {
            return Err(SourceError {
                code: failure.reason().unwrap_or("failure").to_string(),
                message: format!(
                    "{}: {}",
                    failure.arn().unwrap_or("unknown resource"),
                    failure.detail().unwrap_or("no detail")
                ),
                action: Some(action.to_string()),
                scp_deny: false,
            });
        }
    }
    Ok(())
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ecs = client!(ctx, aws_sdk_ecs);
    for cluster in &cluster_arns(ctx, &ecs).await? {
        let mut services = Vec::new();
        let pages = ecs.list_services().cluster(cluster).max_results(100).into_paginator().send();
        each_page(ctx, "ecs:ListServices", pages, |page| {
            services.extend(page.service_arns().iter().cloned());
        })
        .await?;

        // Express services of this cluster, and their current revisions: (service ARN, revision ARN).
        let mut express = Vec::new();
        let mut revisions: Vec<(String, String)> = Vec::new();
        for batch in services.chunks(DESCRIBE_BATCH) {
            let out = ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| ctx.fail("ecs:DescribeServices", e))?;
            check_failures("ecs:DescribeServices", out.failures())?;
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
                if service.resource_management_type() == Some(&ResourceManagementType::Ecs) {
                    express.push(arn.to_string());
                    for revision in service.current_service_revisions() {
                        if let Some(revision_arn) = revision.arn() {
                            revisions.push((arn.to_string(), revision_arn.to_string()));
                        }
                    }
                }
            }
        }

        for arn in &express {
            express_configurations(ctx, &ecs, arn, found).await?;
        }
        for batch in revisions.chunks(REVISIONS_BATCH) {
            let out = ecs
                .describe_service_revisions()
                .set_service_revision_arns(Some(batch.iter().map(|(_, r)| r.clone()).collect()))
                .send()
                .await
                .map_err(|e| ctx.fail("ecs:DescribeServiceRevisions", e))?;
            check_failures("ecs:DescribeServiceRevisions", out.failures())?;
            for revision in out.service_revisions() {
                let Some(revision_arn) = revision.service_revision_arn() else {
                    continue;
                };
                // The service the revision was asked for (a revision names its service too).
                let service = batch
                    .iter()
                    .find(|(_, r)| r == revision_arn)
                    .map(|(s, _)| s.as_str())
                    .or(revision.service_arn())
                    .unwrap_or(revision_arn);
                let name = revision_arn.rsplit('/').next().unwrap_or(revision_arn);
                found.config_detail(
                    ResourceKind::EcsService,
                    service,
                    &format!("Express service revision {name}"),
                    groups(revision.network_configuration()),
                );
                let Some(managed) = revision.ecs_managed_resources() else {
                    continue;
                };
                found.config_arns(
                    ResourceKind::EcsService,
                    service,
                    Some(&format!("security group ECS manages for the Express service (revision {name})")),
                    managed_arns(managed.service_security_groups()),
                );
                for path in managed.ingress_paths() {
                    let detail = format!("load balancer ECS manages for the Express service (revision {name})");
                    found.config_arns(
                        ResourceKind::EcsService,
                        service,
                        Some(&detail),
                        managed_arns(path.load_balancer_security_groups()),
                    );
                    if let Some(lb) = path.load_balancer().filter(|lb| lb.status() != &ManagedResourceStatus::Deleted) {
                        found.config_detail(ResourceKind::EcsService, service, &detail, lb.security_group_ids());
                    }
                }
            }
        }
    }
    Ok(())
}

/// The groups of an Express service's active configurations.
async fn express_configurations(
    ctx: &Ctx,
    ecs: &aws_sdk_ecs::Client,
    arn: &str,
    found: &mut Found,
) -> Result<(), SourceError> {
    let out = match ecs.describe_express_gateway_service().service_arn(arn).send().await {
        Ok(out) => out,
        // Deleted since DescribeServices: it holds nothing any more.
        Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => return Ok(()),
        Err(e) => return Err(ctx.fail("ecs:DescribeExpressGatewayService", e)),
    };
    let Some(service) = out.service() else {
        return Ok(());
    };
    // INACTIVE: deleted, still shown for a while.
    if service.status().and_then(|s| s.status_code()) == Some(&ExpressGatewayServiceStatusCode::Inactive) {
        return Ok(());
    }
    for config in service.active_configurations() {
        let revision = config.service_revision_arn().and_then(|r| r.rsplit('/').next()).unwrap_or("unknown");
        let groups = config.network_configuration().map(|n| n.security_groups()).unwrap_or_default();
        found.config_detail(
            ResourceKind::EcsService,
            arn,
            &format!("Express service active configuration (revision {revision})"),
            groups,
        );
    }
    Ok(())
}

/// The ARNs of the managed groups that still exist.
fn managed_arns(groups: &[ManagedSecurityGroup]) -> Vec<&str> {
    groups.iter().filter(|g| g.status() != &ManagedResourceStatus::Deleted).filter_map(|g| g.arn()).collect()
}

fn groups(config: Option<&NetworkConfiguration>) -> Vec<String> {
    config.and_then(|c| c.awsvpc_configuration()).map(|a| a.security_groups().to_vec()).unwrap_or_default()
}

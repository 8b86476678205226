//! EKS clusters name their additional groups and the cluster group EKS made for them; node groups name the
//! groups allowed to reach their nodes by SSH, and the group EKS made for that. The cluster's interfaces
//! come and go with the control plane, so the configuration is the lasting evidence. A node group that
//! launches from a launch template holds the groups of the version it names (read here), even at zero nodes.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};
use crate::sources::launch_templates::{self, TemplateRef};

pub const SOURCE: SourceDef = SourceDef {
    id: "eks-clusters",
    service: "eks",
    description: "EKS clusters (cluster and additional groups) and node groups (remote-access groups)",
    kinds: &[ResourceKind::EksCluster, ResourceKind::EksNodegroup],
    actions: &[
        crate::probe!("eks:ListClusters", |ctx| client!(ctx, aws_sdk_eks).list_clusters().max_results(1)),
        crate::probe!("eks:DescribeCluster", |ctx| client!(ctx, aws_sdk_eks).describe_cluster().name(PROBE_NAME)),
        crate::probe!("eks:ListNodegroups", |ctx| client!(ctx, aws_sdk_eks)
            .list_nodegroups()
            .cluster_name(PROBE_NAME)
            .max_results(1)),
        crate::probe!("eks:DescribeNodegroup", |ctx| client!(ctx, aws_sdk_eks)
            .describe_nodegroup()
            .cluster_name(PROBE_NAME)
            .nodegroup_name(PROBE_NAME)),
        super::launch_templates::DESCRIBE_VERSIONS,
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_eks::operation::list_clusters::ListClustersOutput => next_token,
    aws_sdk_eks::operation::list_nodegroups::ListNodegroupsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let eks = client!(ctx, aws_sdk_eks);
    let mut names = Vec::new();
    let pages = eks.list_clusters().max_results(100).into_paginator().send();
    each_page(ctx, "eks:ListClusters", pages, |page| names.extend(page.clusters().iter().cloned())).await?;

    let mut templated: Vec<(String, Vec<TemplateRef>)> = Vec::new();
    for name in &names {
        let cluster = match eks.describe_cluster().name(name).send().await {
            Ok(out) => out.cluster,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => continue,
            Err(e) => return Err(ctx.fail("eks:DescribeCluster", e)),
        };
        let Some(cluster) = cluster else { continue };
        found.items += 1;
        let id = cluster.arn().unwrap_or(name);
        if let Some(vpc) = cluster.resources_vpc_config() {
            found.config_detail(ResourceKind::EksCluster, id, "additional group", vpc.security_group_ids());
            found.config_detail(
                ResourceKind::EksCluster,
                id,
                "cluster security group",
                vpc.cluster_security_group_id(),
            );
        }

        let mut nodegroups = Vec::new();
        let pages = eks.list_nodegroups().cluster_name(name).max_results(100).into_paginator().send();
        each_page(ctx, "eks:ListNodegroups", pages, |page| {
            nodegroups.extend(page.nodegroups().iter().cloned());
        })
        .await?;

        for nodegroup_name in &nodegroups {
            let nodegroup =
                match eks.describe_nodegroup().cluster_name(name).nodegroup_name(nodegroup_name).send().await {
                    Ok(out) => out.nodegroup,
                    // Deleted between the list and the describe.
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => continue,
                    Err(e) => return Err(ctx.fail("eks:DescribeNodegroup", e)),
                };
            let Some(nodegroup) = nodegroup else { continue };
            found.items += 1;
            let id = nodegroup.nodegroup_arn().unwrap_or(nodegroup_name);
            if let Some(remote) = nodegroup.remote_access() {
                found.config_detail(
                    ResourceKind::EksNodegroup,
                    id,
                    "remote-access source group",
                    remote.source_security_groups(),
                );
            }
            if let Some(resources) = nodegroup.resources() {
                found.config_detail(
                    ResourceKind::EksNodegroup,
                    id,
                    "remote-access group",
                    resources.remote_access_security_group(),
                );
            }
            // A node group launches its nodes from this template version, even scaled to zero.
            if let Some(t) = nodegroup.launch_template() {
                if let Some(r) = TemplateRef::new(t.id(), t.name(), t.version()) {
                    templated.push((id.to_string(), vec![r]));
                }
            }
        }
    }
    let resolved = launch_templates::resolve(ctx, templated.iter().flat_map(|t| t.1.iter().cloned())).await?;
    for (id, refs) in &templated {
        launch_templates::record(found, ResourceKind::EksNodegroup, id, "", refs, &resolved);
    }
    Ok(())
}

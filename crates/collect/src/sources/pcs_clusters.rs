//! AWS Parallel Computing Service clusters run their Slurm controller in the groups of
//! `networking.securityGroupIds`, which only GetCluster gives. A SUSPENDED cluster is a holder too:
//! resuming it brings back the same controller. Compute node groups name no groups of their own: their
//! instances launch with the groups of the EC2 launch template version the group names
//! (`customLaunchTemplate`), which may be neither the template's default nor its latest (the versions the
//! launch-template source holds). So each node group is read with GetComputeNodeGroup and the version it
//! names is read for it, as for an Auto Scaling group: a node group scaled to zero has no instance to be
//! seen through.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use super::launch_templates::{record, resolve, TemplateRef};
use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "pcs-clusters",
    service: "pcs",
    description: "Parallel Computing Service clusters (networking.securityGroupIds) and compute node groups \
                  (their launch template version)",
    kinds: &[ResourceKind::PcsCluster, ResourceKind::PcsComputeNodeGroup],
    actions: &[
        crate::probe!("pcs:ListClusters", |ctx| client!(ctx, aws_sdk_pcs).list_clusters().max_results(1)),
        crate::probe!("pcs:GetCluster", |ctx| client!(ctx, aws_sdk_pcs).get_cluster().cluster_identifier(PROBE_NAME)),
        crate::probe!("pcs:ListComputeNodeGroups", |ctx| client!(ctx, aws_sdk_pcs)
            .list_compute_node_groups()
            .cluster_identifier(PROBE_NAME)
            .max_results(1)),
        crate::probe!("pcs:GetComputeNodeGroup", |ctx| client!(ctx, aws_sdk_pcs)
            .get_compute_node_group()
            .cluster_identifier(PROBE_NAME)
            .compute_node_group_identifier(PROBE_NAME)),
        super::launch_templates::DESCRIBE_VERSIONS,
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_pcs::operation::list_clusters::ListClustersOutput => next_token,
    aws_sdk_pcs::operation::list_compute_node_groups::ListComputeNodeGroupsOutput => next_token,
);

/// A status of a cluster or node group being deleted: it will not run again.
fn deleted(status: &str) -> bool {
    matches!(status, "DELETING" | "DELETED")
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let pcs = client!(ctx, aws_sdk_pcs);
    let mut clusters: Vec<String> = Vec::new();
    let pages = pcs.list_clusters().max_results(100).into_paginator().send();
    each_page(ctx, "pcs:ListClusters", pages, |page| {
        for cluster in page.clusters() {
            found.items += 1;
            if !deleted(cluster.status().as_str()) {
                clusters.push(cluster.id().to_string());
            }
        }
    })
    .await?;

    let pcs = &pcs;
    let read = describe_each(&clusters, |id| async move {
        match pcs.get_cluster().cluster_identifier(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("pcs:GetCluster", e)),
        }
    })
    .await?;
    for (_, out) in read {
        let Some(cluster) = out.cluster() else {
            continue;
        };
        let status = cluster.status().as_str().to_lowercase();
        let groups = cluster.networking().map(|n| n.security_group_ids()).unwrap_or_default();
        found.config_detail(ResourceKind::PcsCluster, cluster.arn(), &format!("cluster {status}"), groups);
    }

    // (cluster, node group) of every node group not being deleted.
    let mut node_groups: Vec<(String, String)> = Vec::new();
    for cluster in &clusters {
        let pages = pcs.list_compute_node_groups().cluster_identifier(cluster).max_results(100).into_paginator().send();
        let listed = each_page(ctx, "pcs:ListComputeNodeGroups", pages, |page| {
            for group in page.compute_node_groups() {
                found.items += 1;
                if !deleted(group.status().as_str()) {
                    node_groups.push((cluster.clone(), group.id().to_string()));
                }
            }
        })
        .await;
        match listed {
            Ok(()) => {}
            // The cluster was deleted after it was listed: its node groups with it.
            Err(e) if e.code == "ResourceNotFoundException" => {}
            Err(e) => return Err(e),
        }
    }
    let read = describe_each(&node_groups, |(cluster, group)| async move {
        let call = pcs.get_compute_node_group().cluster_identifier(cluster).compute_node_group_identifier(group);
        match call.send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("pcs:GetComputeNodeGroup", e)),
        }
    })
    .await?;
    let mut pinned: Vec<(String, TemplateRef)> = Vec::new();
    for (_, out) in read {
        let Some(group) = out.compute_node_group() else {
            continue;
        };
        let Some(template) = group.custom_launch_template() else {
            continue;
        };
        if let Some(r) = TemplateRef::new(Some(template.id()), None, Some(template.version())) {
            pinned.push((group.arn().to_string(), r));
        }
    }
    let resolved = resolve(ctx, pinned.iter().map(|(_, r)| r.clone())).await?;
    for (arn, r) in &pinned {
        record(found, ResourceKind::PcsComputeNodeGroup, arn, "", std::slice::from_ref(r), &resolved);
    }
    Ok(())
}

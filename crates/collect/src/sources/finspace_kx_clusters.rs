//! FinSpace managed kdb Insights clusters name their groups in `vpcConfiguration.securityGroupIds`.
//! Clusters live in kdb environments: the environments are listed, then each one's clusters, then each
//! cluster is read with GetKxCluster (the list gives no VPC configuration). DELETED environments and
//! clusters hold nothing and are not read.

use aws_sdk_finspace::types::{EnvironmentStatus, KxClusterStatus};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "finspace-kx-clusters",
    service: "finspace",
    description: "FinSpace kdb clusters (vpcConfiguration.securityGroupIds)",
    kinds: &[ResourceKind::FinspaceKxCluster],
    actions: &[
        crate::probe!("finspace:ListKxEnvironments", |ctx| client!(ctx, aws_sdk_finspace)
            .list_kx_environments()
            .max_results(1)),
        crate::probe!("finspace:ListKxClusters", |ctx| client!(ctx, aws_sdk_finspace)
            .list_kx_clusters()
            .environment_id("sgauditpreflight")
            .max_results(1)),
        crate::probe!("finspace:GetKxCluster", |ctx| client!(ctx, aws_sdk_finspace)
            .get_kx_cluster()
            .environment_id("sgauditpreflight")
            .cluster_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_finspace::operation::list_kx_environments::ListKxEnvironmentsOutput => next_token,
);

struct Cluster {
    environment: String,
    name: String,
    /// The cluster's ARN: its environment's, then `/kxCluster/<name>`.
    id: String,
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let finspace = client!(ctx, aws_sdk_finspace);

    let mut environments = Vec::new();
    // The API documents no page size limit for this list; the default page is used.
    let pages = finspace.list_kx_environments().into_paginator().send();
    each_page(ctx, "finspace:ListKxEnvironments", pages, |page| {
        for env in page.environments() {
            if env.status() == Some(&EnvironmentStatus::Deleted) {
                continue;
            }
            if let Some(id) = env.environment_id() {
                environments.push((id.to_string(), env.environment_arn().unwrap_or(id).to_string()));
            }
        }
    })
    .await?;

    let mut clusters = Vec::new();
    for (environment, arn) in &environments {
        let mut trail = ctx.pages("finspace:ListKxClusters");
        let mut next_token: Option<String> = None;
        loop {
            let page = match finspace
                .list_kx_clusters()
                .environment_id(environment)
                .max_results(100)
                .set_next_token(next_token.take())
                .send()
                .await
            {
                Ok(page) => page,
                // The environment was deleted after the list: its clusters went with it.
                Err(e) if vanished(&e) => break,
                Err(e) => return Err(ctx.fail("finspace:ListKxClusters", e)),
            };
            for cluster in page.kx_cluster_summaries() {
                found.items += 1;
                if cluster.status() == Some(&KxClusterStatus::Deleted) {
                    continue;
                }
                if let Some(name) = cluster.cluster_name() {
                    clusters.push(Cluster {
                        environment: environment.clone(),
                        name: name.to_string(),
                        id: format!("{arn}/kxCluster/{name}"),
                    });
                }
            }
            match trail.follow(page.next_token())? {
                Some(token) => next_token = Some(token),
                None => break,
            }
        }
    }

    let finspace = &finspace;
    let described = describe_each(&clusters, |cluster| async move {
        let read = finspace.get_kx_cluster().environment_id(&cluster.environment).cluster_name(&cluster.name);
        match read.send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("finspace:GetKxCluster", e)),
        }
    })
    .await?;

    for (cluster, out) in described {
        let groups = out.vpc_configuration().map(|v| v.security_group_ids()).unwrap_or_default();
        found.config(ResourceKind::FinspaceKxCluster, &cluster.id, groups);
    }
    Ok(())
}

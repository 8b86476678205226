//! EMR on EKS managed endpoints (interactive endpoints for EMR Studio) name one security group, for the
//! endpoint's load balancer and pods. Endpoints are listed per virtual cluster, so the virtual clusters
//! are listed first.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "emr-containers-managed-endpoints",
    service: "emr-containers",
    description: "EMR on EKS managed endpoints (securityGroup)",
    kinds: &[ResourceKind::EmrContainersManagedEndpoint],
    actions: &[
        crate::probe!("emr-containers:ListVirtualClusters", |ctx| client!(ctx, aws_sdk_emrcontainers)
            .list_virtual_clusters()
            .max_results(1)),
        crate::probe!("emr-containers:ListManagedEndpoints", |ctx| client!(ctx, aws_sdk_emrcontainers)
            .list_managed_endpoints()
            .virtual_cluster_id("0000000000000000000000000")
            .max_results(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    use aws_sdk_emrcontainers::types::{EndpointState, VirtualClusterState};
    let emr = client!(ctx, aws_sdk_emrcontainers);

    // The page sizes are left to the service: the model gives no maximum.
    let mut clusters = Vec::new();
    let mut trail = ctx.pages("emr-containers:ListVirtualClusters");
    let mut token: Option<String> = None;
    loop {
        let page = emr
            .list_virtual_clusters()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("emr-containers:ListVirtualClusters", e))?;
        for cluster in page.virtual_clusters() {
            // A terminated virtual cluster has no endpoints left.
            if cluster.state() == Some(&VirtualClusterState::Terminated) {
                continue;
            }
            if let Some(id) = cluster.id() {
                clusters.push(id.to_string());
            }
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    for cluster in &clusters {
        let mut trail = ctx.pages("emr-containers:ListManagedEndpoints");
        let mut token: Option<String> = None;
        loop {
            let page = emr
                .list_managed_endpoints()
                .virtual_cluster_id(cluster)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| ctx.fail("emr-containers:ListManagedEndpoints", e))?;
            for endpoint in page.endpoints() {
                found.items += 1;
                // A terminated endpoint holds nothing any more.
                if matches!(
                    endpoint.state(),
                    Some(EndpointState::Terminated) | Some(EndpointState::TerminatedWithErrors)
                ) {
                    continue;
                }
                let Some(id) = endpoint.arn().or(endpoint.id()) else {
                    continue;
                };
                found.config_detail(
                    ResourceKind::EmrContainersManagedEndpoint,
                    id,
                    &format!("virtual cluster {cluster}"),
                    endpoint.security_group(),
                );
            }
            match trail.follow(page.next_token())? {
                Some(next) => token = Some(next),
                None => break,
            }
        }
    }
    Ok(())
}

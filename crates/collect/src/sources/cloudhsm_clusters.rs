//! CloudHSM clusters have one security group, which CloudHSM creates for the HSMs' interfaces and which
//! the cluster keeps, HSMs or not: a cluster without HSMs gets its HSMs back into that group.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "cloudhsm-clusters",
    service: "cloudhsmv2",
    description: "CloudHSM clusters (SecurityGroup)",
    kinds: &[ResourceKind::CloudhsmCluster],
    // CloudHSM v2's IAM prefix is `cloudhsm`.
    actions: &[crate::probe!("cloudhsm:DescribeClusters", |ctx| client!(ctx, aws_sdk_cloudhsmv2)
        .describe_clusters()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let hsm = client!(ctx, aws_sdk_cloudhsmv2);
    let mut trail = ctx.pages("cloudhsm:DescribeClusters");
    let mut token: Option<String> = None;
    loop {
        let page = hsm
            .describe_clusters()
            .max_results(25)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("cloudhsm:DescribeClusters", e))?;
        for cluster in page.clusters() {
            found.items += 1;
            // A deleted cluster is still listed for a while; it holds nothing.
            if cluster.state() == Some(&aws_sdk_cloudhsmv2::types::ClusterState::Deleted) {
                continue;
            }
            let Some(id) = cluster.cluster_id() else {
                continue;
            };
            found.config(ResourceKind::CloudhsmCluster, id, cluster.security_group());
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

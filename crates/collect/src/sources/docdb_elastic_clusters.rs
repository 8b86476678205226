//! DocumentDB elastic clusters name their groups in `vpcSecurityGroupIds`, which the list does not give,
//! so each cluster is described. A stopped cluster starts again with its groups.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "docdb-elastic-clusters",
    service: "docdb-elastic",
    description: "DocumentDB elastic clusters (vpcSecurityGroupIds)",
    kinds: &[ResourceKind::DocdbElasticCluster],
    actions: &[
        crate::probe!("docdb-elastic:ListClusters", |ctx| client!(ctx, aws_sdk_docdbelastic)
            .list_clusters()
            .max_results(1)),
        crate::probe!("docdb-elastic:GetCluster", |ctx| client!(ctx, aws_sdk_docdbelastic)
            .get_cluster()
            .cluster_arn(ctx.arn("docdb-elastic", "cluster/00000000-0000-0000-0000-000000000000"))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let docdb = client!(ctx, aws_sdk_docdbelastic);
    let mut arns = Vec::new();
    let mut trail = ctx.pages("docdb-elastic:ListClusters");
    let mut token: Option<String> = None;
    loop {
        let page = docdb
            .list_clusters()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("docdb-elastic:ListClusters", e))?;
        arns.extend(page.clusters().iter().map(|c| c.cluster_arn().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for arn in &arns {
        let out = match docdb.get_cluster().cluster_arn(arn).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("ResourceNotFoundException") => continue,
            Err(e) => return Err(ctx.fail("docdb-elastic:GetCluster", e)),
        };
        found.items += 1;
        let Some(cluster) = out.cluster() else {
            continue;
        };
        found.config(ResourceKind::DocdbElasticCluster, cluster.cluster_arn(), cluster.vpc_security_group_ids());
    }
    Ok(())
}

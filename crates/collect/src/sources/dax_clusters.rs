//! DAX clusters name their groups in `SecurityGroups`. The SDK offers no paginator for DAX
//! DescribeClusters, so the pages are followed by hand.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "dax-clusters",
    service: "dax",
    description: "DynamoDB Accelerator (DAX) clusters (SecurityGroups)",
    kinds: &[ResourceKind::DaxCluster],
    actions: &[crate::probe!("dax:DescribeClusters", |ctx| client!(ctx, aws_sdk_dax)
        .describe_clusters()
        .max_results(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_dax::operation::describe_clusters::DescribeClustersOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let dax = client!(ctx, aws_sdk_dax);
    let mut trail = ctx.pages("dax:DescribeClusters");
    let mut next_token: Option<String> = None;
    loop {
        let page = dax
            .describe_clusters()
            .max_results(100)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("dax:DescribeClusters", e))?;
        for cluster in page.clusters() {
            found.items += 1;
            let Some(id) = cluster.cluster_arn().or(cluster.cluster_name()) else {
                continue;
            };
            let groups = cluster.security_groups().iter().filter_map(|g| g.security_group_identifier());
            found.config(ResourceKind::DaxCluster, id, groups);
        }
        match trail.follow(page.next_token())? {
            Some(token) => next_token = Some(token),
            None => return Ok(()),
        }
    }
}

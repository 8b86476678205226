//! CodeConnections hosts (for self-managed GitHub Enterprise Server or GitLab) reach an installed provider
//! inside a VPC through interfaces whose groups their `VpcConfiguration` names. CodeStar Connections is
//! the same service under its former name: the same hosts answer on both endpoints, so they are read once,
//! here. ListHosts gives the whole configuration.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "codeconnections-hosts",
    service: "codeconnections",
    description: "CodeConnections (CodeStar Connections) hosts with a VPC configuration",
    kinds: &[ResourceKind::CodeconnectionsHost],
    actions: &[crate::probe!("codeconnections:ListHosts", |ctx| client!(ctx, aws_sdk_codeconnections)
        .list_hosts()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let connections = client!(ctx, aws_sdk_codeconnections);
    let mut trail = ctx.pages("codeconnections:ListHosts");
    let mut token: Option<String> = None;
    loop {
        let page = connections
            .list_hosts()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("codeconnections:ListHosts", e))?;
        for host in page.hosts() {
            found.items += 1;
            let Some(id) = host.host_arn().or(host.name()) else {
                continue;
            };
            let groups = host.vpc_configuration().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config_detail(ResourceKind::CodeconnectionsHost, id, "VpcConfiguration", groups);
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

//! QuickSight VPC connections reach data sources through interfaces in the groups of `SecurityGroupIds`,
//! which ListVPCConnections gives for every connection of the account (named by its id, in the path).
//! A connection that failed to create or update keeps its settings; one deleted holds nothing.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "quicksight-vpc-connections",
    service: "quicksight",
    description: "QuickSight VPC connections (SecurityGroupIds)",
    kinds: &[ResourceKind::QuicksightVpcConnection],
    actions: &[crate::probe!("quicksight:ListVPCConnections", |ctx| client!(ctx, aws_sdk_quicksight)
        .list_vpc_connections()
        .aws_account_id(&ctx.account_id)
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let quicksight = client!(ctx, aws_sdk_quicksight);
    let mut trail = ctx.pages("quicksight:ListVPCConnections");
    let mut token: Option<String> = None;
    loop {
        let call = quicksight
            .list_vpc_connections()
            .aws_account_id(&ctx.account_id)
            .max_results(100)
            .set_next_token(token.take());
        let page = match call.send().await {
            Ok(page) => page,
            // An account that never subscribed to QuickSight, or has only its Standard edition (which has no
            // VPC connections), is answered so: it has no connections.
            Err(e) if e.code() == Some("UnsupportedUserEditionException") => return Ok(()),
            Err(e) => return Err(ctx.fail("quicksight:ListVPCConnections", e)),
        };
        for connection in page.vpc_connection_summaries() {
            found.items += 1;
            let status = connection.status().map(|s| s.as_str()).unwrap_or_default();
            if status == "DELETED" {
                continue;
            }
            let Some(id) = connection.arn().or(connection.vpc_connection_id()) else {
                continue;
            };
            let detail = format!("VPC connection {}", status.to_lowercase());
            found.config_detail(ResourceKind::QuicksightVpcConnection, id, &detail, connection.security_group_ids());
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

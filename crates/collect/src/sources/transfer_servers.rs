//! Transfer Family servers with a VPC endpoint name their groups in `EndpointDetails`, which only the
//! server's description carries. (Servers of endpoint type VPC_ENDPOINT use a VPC endpoint, whose groups
//! the VPC endpoint source sees.)

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "transfer-servers",
    service: "transfer",
    description:
        "Transfer Family servers with a VPC endpoint, stopped ones included (EndpointDetails.SecurityGroupIds)",
    kinds: &[ResourceKind::TransferServer],
    actions: &[
        crate::probe!("transfer:ListServers", |ctx| client!(ctx, aws_sdk_transfer).list_servers().max_results(1)),
        crate::probe!("transfer:DescribeServer", |ctx| client!(ctx, aws_sdk_transfer)
            .describe_server()
            .server_id("s-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_transfer::operation::list_servers::ListServersOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let transfer = client!(ctx, aws_sdk_transfer);
    let mut servers = Vec::new();
    let pages = transfer.list_servers().max_results(1000).into_paginator().send();
    each_page(ctx, "transfer:ListServers", pages, |page| {
        servers.extend(page.servers().iter().filter_map(|s| s.server_id().map(str::to_string)));
    })
    .await?;

    for server_id in &servers {
        let server = match transfer.describe_server().server_id(server_id).send().await {
            Ok(out) => out.server,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => continue,
            Err(e) => return Err(ctx.fail("transfer:DescribeServer", e)),
        };
        let Some(server) = server else { continue };
        found.items += 1;
        let id = server.arn();
        let groups = server.endpoint_details().map(|d| d.security_group_ids()).unwrap_or_default();
        found.config(ResourceKind::TransferServer, id, groups);
    }
    Ok(())
}

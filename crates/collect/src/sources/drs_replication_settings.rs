//! Elastic Disaster Recovery launches its replication servers with the groups named in the replication
//! settings: the account's replication configuration templates (for source servers added later) and
//! each source server's own replication configuration. While a server replicates, its replication server
//! is an EC2 instance (seen by the EC2 sources); when replication is stopped, the replication servers are
//! terminated but the configuration is kept, and replication starts again with its groups. So the
//! templates and every source server's configuration are read, in every state.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "drs-replication-settings",
    service: "drs",
    description: "Elastic Disaster Recovery replication templates and source servers' replication settings",
    kinds: &[ResourceKind::DrsReplicationConfigurationTemplate, ResourceKind::DrsSourceServer],
    actions: &[
        crate::probe!("drs:DescribeReplicationConfigurationTemplates", |ctx| client!(ctx, aws_sdk_drs)
            .describe_replication_configuration_templates()
            .max_results(1)),
        crate::probe!("drs:DescribeSourceServers", |ctx| client!(ctx, aws_sdk_drs)
            .describe_source_servers()
            .max_results(1)),
        crate::probe!("drs:GetReplicationConfiguration", |ctx| client!(ctx, aws_sdk_drs)
            .get_replication_configuration()
            .source_server_id("s-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// The answer of a region where Elastic Disaster Recovery was never initialized: it holds no templates
/// and no source servers (initializing it is what creates the first template).
fn uninitialized(err: &impl ProvideErrorMetadata) -> bool {
    err.code() == Some("UninitializedAccountException")
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let drs = client!(ctx, aws_sdk_drs);

    // The page sizes are left to the service: the model gives no maximum.
    let mut trail = ctx.pages("drs:DescribeReplicationConfigurationTemplates");
    let mut token: Option<String> = None;
    loop {
        let page = match drs.describe_replication_configuration_templates().set_next_token(token.take()).send().await {
            Ok(page) => page,
            Err(e) if uninitialized(&e) => return Ok(()),
            Err(e) => return Err(ctx.fail("drs:DescribeReplicationConfigurationTemplates", e)),
        };
        for template in page.items() {
            found.items += 1;
            let id = template.arn().unwrap_or(template.replication_configuration_template_id());
            found.config_detail(
                ResourceKind::DrsReplicationConfigurationTemplate,
                id,
                "replicationServersSecurityGroupsIDs",
                template.replication_servers_security_groups_ids(),
            );
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    let mut servers = Vec::new();
    let mut trail = ctx.pages("drs:DescribeSourceServers");
    let mut token: Option<String> = None;
    loop {
        let page = drs
            .describe_source_servers()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("drs:DescribeSourceServers", e))?;
        for server in page.items() {
            if let Some(id) = server.source_server_id() {
                servers.push((id.to_string(), server.arn().unwrap_or(id).to_string()));
            }
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for (id, arn) in &servers {
        let config = match drs.get_replication_configuration().source_server_id(id).send().await {
            Ok(out) => out,
            // Disconnected and deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("ResourceNotFoundException") => continue,
            Err(e) => return Err(ctx.fail("drs:GetReplicationConfiguration", e)),
        };
        found.items += 1;
        found.config_detail(
            ResourceKind::DrsSourceServer,
            arn,
            "replication configuration (replicationServersSecurityGroupsIDs)",
            config.replication_servers_security_groups_ids(),
        );
    }
    Ok(())
}

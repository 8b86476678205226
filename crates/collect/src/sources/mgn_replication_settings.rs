//! Application Migration Service launches its replication servers with the groups named in the
//! replication settings: the account's replication configuration templates (for source servers added
//! later) and each source server's own replication configuration, which can differ from the template.
//! While a server replicates, its replication server is an EC2 instance (seen by the EC2 sources); when
//! replication is paused or stopped the replication server is terminated but the configuration is kept,
//! and replication starts again with its groups. So the templates and every source server's configuration
//! are read, in every state (archived servers too, as the list gives them: they keep their settings).

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "mgn-replication-settings",
    service: "mgn",
    description: "Application Migration Service replication templates and source servers' replication settings",
    kinds: &[ResourceKind::MgnReplicationConfigurationTemplate, ResourceKind::MgnSourceServer],
    actions: &[
        crate::probe!("mgn:DescribeReplicationConfigurationTemplates", |ctx| client!(ctx, aws_sdk_mgn)
            .describe_replication_configuration_templates()
            .max_results(1)),
        crate::probe!("mgn:DescribeSourceServers", |ctx| client!(ctx, aws_sdk_mgn)
            .describe_source_servers()
            .max_results(1)),
        crate::probe!("mgn:GetReplicationConfiguration", |ctx| client!(ctx, aws_sdk_mgn)
            .get_replication_configuration()
            .source_server_id("s-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_mgn::operation::describe_source_servers::DescribeSourceServersOutput => next_token,
);

/// The answer of a region where Application Migration Service was never initialized: it holds no
/// templates and no source servers (initializing it is what creates the first template).
fn uninitialized(err: &impl ProvideErrorMetadata) -> bool {
    err.code() == Some("UninitializedAccountException")
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let mgn = client!(ctx, aws_sdk_mgn);

    // The page sizes of DescribeReplicationConfigurationTemplates are the model's largest.
    let mut trail = ctx.pages("mgn:DescribeReplicationConfigurationTemplates");
    let mut token: Option<String> = None;
    loop {
        let page = match mgn
            .describe_replication_configuration_templates()
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) if uninitialized(&e) => return Ok(()),
            Err(e) => return Err(ctx.fail("mgn:DescribeReplicationConfigurationTemplates", e)),
        };
        for template in page.items() {
            found.items += 1;
            let id = template.arn().unwrap_or(template.replication_configuration_template_id());
            found.config_detail(
                ResourceKind::MgnReplicationConfigurationTemplate,
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

    let mut servers: Vec<(String, String, bool)> = Vec::new();
    let pages = mgn.describe_source_servers().max_results(1000).into_paginator().send();
    each_page(ctx, "mgn:DescribeSourceServers", pages, |page| {
        for server in page.items() {
            if let Some(id) = server.source_server_id() {
                let arn = server.arn().unwrap_or(id).to_string();
                servers.push((id.to_string(), arn, server.is_archived() == Some(true)));
            }
        }
    })
    .await?;

    let mgn = &mgn;
    let read = describe_each(&servers, |(id, ..)| async move {
        match mgn.get_replication_configuration().source_server_id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Disconnected and deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("mgn:GetReplicationConfiguration", e)),
        }
    })
    .await?;
    for ((_, arn, archived), config) in read {
        found.items += 1;
        let detail = if *archived {
            "replication configuration (replicationServersSecurityGroupsIDs), archived source server"
        } else {
            "replication configuration (replicationServersSecurityGroupsIDs)"
        };
        found.config_detail(
            ResourceKind::MgnSourceServer,
            arn,
            detail,
            config.replication_servers_security_groups_ids(),
        );
    }
    Ok(())
}

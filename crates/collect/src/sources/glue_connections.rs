//! Glue connections of type NETWORK, JDBC, ... name their groups in `PhysicalConnectionRequirements`;
//! a Glue job runs in the VPC (and so holds the groups) of every connection it names. Passwords are
//! not fetched (HidePassword): only the groups are needed.

use std::collections::BTreeMap;

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "glue-connections",
    service: "glue",
    description: "Glue connections (PhysicalConnectionRequirements.SecurityGroupIdList) and the jobs that use them",
    kinds: &[ResourceKind::GlueConnection, ResourceKind::GlueJob],
    actions: &[
        crate::probe!("glue:GetConnections", |ctx| client!(ctx, aws_sdk_glue)
            .get_connections()
            .hide_password(true)
            .max_results(1)),
        crate::probe!("glue:GetJobs", |ctx| client!(ctx, aws_sdk_glue).get_jobs().max_results(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_glue::operation::get_connections::GetConnectionsOutput => next_token,
    aws_sdk_glue::operation::get_jobs::GetJobsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let glue = client!(ctx, aws_sdk_glue);

    // Connection name → its groups, for the jobs.
    let mut connections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let pages = glue.get_connections().hide_password(true).max_results(1000).into_paginator().send();
    each_page(ctx, "glue:GetConnections", pages, |page| {
        for connection in page.connection_list() {
            found.items += 1;
            let Some(name) = connection.name() else {
                continue;
            };
            let groups = connection
                .physical_connection_requirements()
                .map(|p| p.security_group_id_list().to_vec())
                .unwrap_or_default();
            found.config(ResourceKind::GlueConnection, name, &groups);
            connections.insert(name.to_string(), groups);
        }
    })
    .await?;

    let pages = glue.get_jobs().max_results(1000).into_paginator().send();
    each_page(ctx, "glue:GetJobs", pages, |page| {
        for job in page.jobs() {
            found.items += 1;
            let Some(name) = job.name() else { continue };
            let names = job.connections().map(|c| c.connections()).unwrap_or_default();
            for connection in names {
                // A job may name a connection that no longer exists: it then holds nothing through it.
                let Some(groups) = connections.get(connection) else {
                    continue;
                };
                found.config_detail(ResourceKind::GlueJob, name, &format!("through connection {connection}"), groups);
            }
        }
    })
    .await
}

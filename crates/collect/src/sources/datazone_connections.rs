//! DataZone connections that reach a VPC carry a Glue connection whose physical requirements name
//! groups. Connections are listed per domain, so the domains are listed first. ListConnections is asked
//! for the whole domain (no project filter), which takes in domain- and project-scoped connections.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "datazone-connections",
    service: "datazone",
    description: "DataZone connections (physicalEndpoints[].glueConnection.physicalConnectionRequirements)",
    kinds: &[ResourceKind::DatazoneConnection],
    actions: &[
        crate::probe!("datazone:ListDomains", |ctx| client!(ctx, aws_sdk_datazone).list_domains().max_results(1)),
        crate::probe!("datazone:ListConnections", |ctx| client!(ctx, aws_sdk_datazone)
            .list_connections()
            .domain_identifier("dzd_sgaudit-preflight")
            .max_results(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let datazone = client!(ctx, aws_sdk_datazone);

    let mut domains = Vec::new();
    let mut trail = ctx.pages("datazone:ListDomains");
    let mut token: Option<String> = None;
    loop {
        let page = datazone
            .list_domains()
            .max_results(25)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("datazone:ListDomains", e))?;
        for domain in page.items() {
            // A deleted domain has no connections left.
            if *domain.status() != aws_sdk_datazone::types::DomainStatus::Deleted {
                domains.push(domain.id().to_string());
            }
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    for domain in &domains {
        let mut trail = ctx.pages("datazone:ListConnections");
        let mut token: Option<String> = None;
        loop {
            let page = datazone
                .list_connections()
                .domain_identifier(domain)
                .max_results(50)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| ctx.fail("datazone:ListConnections", e))?;
            for connection in page.items() {
                found.items += 1;
                let id = format!("{domain}/{}", connection.connection_id());
                for endpoint in connection.physical_endpoints() {
                    let Some(glue) = endpoint.glue_connection() else {
                        continue;
                    };
                    let groups =
                        glue.physical_connection_requirements().map(|r| r.security_group_id_list()).unwrap_or_default();
                    let detail = match glue.name() {
                        Some(name) => format!("Glue connection {name} (connection {})", connection.name()),
                        None => format!("connection {}", connection.name()),
                    };
                    found.config_detail(ResourceKind::DatazoneConnection, &id, &detail, groups);
                }
            }
            match trail.follow(page.next_token())? {
                Some(next) => token = Some(next),
                None => break,
            }
        }
    }
    Ok(())
}

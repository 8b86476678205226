//! Deadline Cloud license endpoints are VPC interface endpoints to the usage-based license servers; they
//! name their groups, which the list does not give, so each is described. (Fleets name no groups:
//! service-managed fleets reach a VPC through VPC Lattice resource configurations, and the workers of
//! customer-managed fleets are the customer's own instances, seen by the EC2 sources.)

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::host_prefix;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "deadline-license-endpoints",
    service: "deadline",
    description: "Deadline Cloud license endpoints (securityGroupIds)",
    kinds: &[ResourceKind::DeadlineLicenseEndpoint],
    actions: &[
        crate::probe!("deadline:ListLicenseEndpoints", |ctx| client(ctx).list_license_endpoints().max_results(1)),
        crate::probe!("deadline:GetLicenseEndpoint", |ctx| client(ctx)
            .get_license_endpoint()
            .license_endpoint_id("le-00000000000000000000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

fn client(ctx: &Ctx) -> aws_sdk_deadline::Client {
    // Deadline's management calls go to a `management.` host: see `host_prefix`.
    let mut config = aws_sdk_deadline::config::Builder::from(&ctx.sdk)
        .interceptor(ctx.counter())
        .retry_partition(ctx.retry_partition());
    if host_prefix::endpoint_given(ctx) {
        config = config.interceptor(host_prefix::NoHostPrefix);
    }
    aws_sdk_deadline::Client::from_conf(config.build())
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let deadline = client(ctx);
    let mut ids = Vec::new();
    let mut trail = ctx.pages("deadline:ListLicenseEndpoints");
    let mut token: Option<String> = None;
    loop {
        let page = deadline
            .list_license_endpoints()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("deadline:ListLicenseEndpoints", e))?;
        ids.extend(page.license_endpoints().iter().filter_map(|e| e.license_endpoint_id().map(str::to_string)));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for id in &ids {
        let endpoint = match deadline.get_license_endpoint().license_endpoint_id(id).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("ResourceNotFoundException") => continue,
            Err(e) => return Err(ctx.fail("deadline:GetLicenseEndpoint", e)),
        };
        found.items += 1;
        found.config(ResourceKind::DeadlineLicenseEndpoint, id, endpoint.security_group_ids());
    }
    Ok(())
}

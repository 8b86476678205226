//! Route 53 Resolver endpoints name their groups; their interfaces are AWS-managed, so the endpoint is the
//! thing to change or delete.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "route53resolver-endpoints",
    service: "route53resolver",
    description: "Route 53 Resolver inbound and outbound endpoints",
    kinds: &[ResourceKind::Route53ResolverEndpoint],
    actions: &[crate::probe!("route53resolver:ListResolverEndpoints", |ctx| client!(ctx, aws_sdk_route53resolver)
        .list_resolver_endpoints()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_route53resolver::operation::list_resolver_endpoints::ListResolverEndpointsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let resolver = client!(ctx, aws_sdk_route53resolver);
    let pages = resolver.list_resolver_endpoints().max_results(100).into_paginator().send();
    each_page(ctx, "route53resolver:ListResolverEndpoints", pages, |page| {
        for endpoint in page.resolver_endpoints() {
            found.items += 1;
            let Some(id) = endpoint.arn().or(endpoint.id()) else {
                continue;
            };
            let detail = endpoint.direction().map(|d| format!("{} endpoint", d.as_str().to_ascii_lowercase()));
            match detail {
                Some(detail) => found.config_detail(
                    ResourceKind::Route53ResolverEndpoint,
                    id,
                    &detail,
                    endpoint.security_group_ids(),
                ),
                None => found.config(ResourceKind::Route53ResolverEndpoint, id, endpoint.security_group_ids()),
            }
        }
    })
    .await
}

//! VPC Lattice resource gateways (the way into a VPC for resource configurations) sit in the groups of
//! `securityGroupIds`, which ListResourceGateways gives for every gateway (the same groups that
//! GetResourceGateway answers).

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "vpc-lattice-resource-gateways",
    service: "vpc-lattice",
    description: "VPC Lattice resource gateways (securityGroupIds)",
    kinds: &[ResourceKind::VpcLatticeResourceGateway],
    actions: &[crate::probe!("vpc-lattice:ListResourceGateways", |ctx| client!(ctx, aws_sdk_vpclattice)
        .list_resource_gateways()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_vpclattice::operation::list_resource_gateways::ListResourceGatewaysOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let lattice = client!(ctx, aws_sdk_vpclattice);
    let pages = lattice.list_resource_gateways().max_results(100).into_paginator().send();
    each_page(ctx, "vpc-lattice:ListResourceGateways", pages, |page| {
        for gateway in page.items() {
            found.items += 1;
            let Some(id) = gateway.arn().or(gateway.id()) else {
                continue;
            };
            let status = gateway.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            found.config_detail(
                ResourceKind::VpcLatticeResourceGateway,
                id,
                &format!("resource gateway {status}"),
                gateway.security_group_ids(),
            );
        }
    })
    .await
}

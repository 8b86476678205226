//! Private CA Connectors for Active Directory reach the directory through a VPC endpoint in the groups of
//! `VpcInformation.SecurityGroupIds`, which ListConnectors gives for every connector. A FAILED connector
//! keeps its configuration (it is deleted, not repaired, but until then it names the groups).

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "pca-connector-ad-connectors",
    service: "pca-connector-ad",
    description: "Private CA Connectors for Active Directory (VpcInformation.SecurityGroupIds)",
    kinds: &[ResourceKind::PcaConnectorAdConnector],
    actions: &[crate::probe!("pca-connector-ad:ListConnectors", |ctx| client!(ctx, aws_sdk_pcaconnectorad)
        .list_connectors()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_pcaconnectorad::operation::list_connectors::ListConnectorsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let pca = client!(ctx, aws_sdk_pcaconnectorad);
    let pages = pca.list_connectors().max_results(1000).into_paginator().send();
    each_page(ctx, "pca-connector-ad:ListConnectors", pages, |page| {
        for connector in page.connectors() {
            found.items += 1;
            let Some(id) = connector.arn() else {
                continue;
            };
            let Some(vpc) = connector.vpc_information() else {
                continue;
            };
            let status = connector.status().map(|s| s.as_str().to_lowercase()).unwrap_or_default();
            found.config_detail(
                ResourceKind::PcaConnectorAdConnector,
                id,
                &format!("connector {status}"),
                vpc.security_group_ids(),
            );
        }
    })
    .await
}

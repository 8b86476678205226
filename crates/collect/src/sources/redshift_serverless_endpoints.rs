//! Redshift Serverless managed VPC endpoints (endpoint access, in a VPC other than the workgroup's) name
//! their groups in `vpcSecurityGroups`, which ListEndpointAccess gives for every endpoint (the same
//! `EndpointAccess` that GetEndpointAccess answers).

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "redshift-serverless-endpoint-access",
    service: "redshift-serverless",
    description: "Redshift Serverless managed VPC endpoints (vpcSecurityGroups)",
    kinds: &[ResourceKind::RedshiftServerlessEndpointAccess],
    actions: &[crate::probe!("redshift-serverless:ListEndpointAccess", |ctx| client!(ctx, aws_sdk_redshiftserverless)
        .list_endpoint_access()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_redshiftserverless::operation::list_endpoint_access::ListEndpointAccessOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let redshift = client!(ctx, aws_sdk_redshiftserverless);
    let pages = redshift.list_endpoint_access().max_results(100).into_paginator().send();
    each_page(ctx, "redshift-serverless:ListEndpointAccess", pages, |page| {
        for endpoint in page.endpoints() {
            found.items += 1;
            let Some(id) = endpoint.endpoint_arn().or(endpoint.endpoint_name()) else {
                continue;
            };
            let detail = match endpoint.workgroup_name() {
                Some(workgroup) => format!("endpoint of workgroup {workgroup}"),
                None => "endpoint access".to_string(),
            };
            let groups = endpoint.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id());
            found.config_detail(ResourceKind::RedshiftServerlessEndpointAccess, id, &detail, groups);
        }
    })
    .await
}

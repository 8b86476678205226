//! A private SageMaker workforce with a VPC configuration reaches the VPC through an interface endpoint
//! with the groups it names; the list gives the whole configuration. (An account has at most one
//! workforce per region.)

use aws_sdk_sagemaker::types::WorkforceStatus;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "sagemaker-workforces",
    service: "api.sagemaker",
    description: "SageMaker private workforces with a VPC configuration (WorkforceVpcConfig.SecurityGroupIds)",
    kinds: &[ResourceKind::SagemakerWorkforce],
    actions: &[crate::probe!("sagemaker:ListWorkforces", |ctx| client!(ctx, aws_sdk_sagemaker)
        .list_workforces()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_sagemaker::operation::list_workforces::ListWorkforcesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let sagemaker = client!(ctx, aws_sdk_sagemaker);
    let pages = sagemaker.list_workforces().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListWorkforces", pages, |page| {
        for workforce in page.workforces() {
            found.items += 1;
            // Being deleted: it serves no one more.
            if workforce.status() == Some(&WorkforceStatus::Deleting) {
                continue;
            }
            let Some(id) = workforce.workforce_arn().or(workforce.workforce_name()) else { continue };
            let groups = workforce.workforce_vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::SagemakerWorkforce, id, groups);
        }
    })
    .await
}

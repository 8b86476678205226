//! Lambda functions hold their groups in `VpcConfig` whether or not they have run (an un-invoked function
//! has no ENI). Every published version is listed too: a version keeps the VPC config it was published with.

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "lambda-functions",
    service: "lambda",
    description: "Lambda functions and their published versions (VpcConfig.SecurityGroupIds)",
    kinds: &[ResourceKind::LambdaFunction],
    actions: &[crate::probe!("lambda:ListFunctions", |ctx| client!(ctx, aws_sdk_lambda).list_functions().max_items(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_lambda::operation::list_functions::ListFunctionsOutput => next_marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let lambda = client!(ctx, aws_sdk_lambda);
    let pages =
        lambda.list_functions().function_version(aws_sdk_lambda::types::FunctionVersion::All).into_paginator().send();
    each_page(ctx, "lambda:ListFunctions", pages, |page| {
        for function in page.functions() {
            found.items += 1;
            let Some(arn) = function.function_arn() else { continue };
            // Listing every version qualifies the unpublished one as `:$LATEST`: that is the function itself.
            let arn = arn.strip_suffix(":$LATEST").unwrap_or(arn);
            let groups = function.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::LambdaFunction, arn, groups);
        }
    })
    .await
}

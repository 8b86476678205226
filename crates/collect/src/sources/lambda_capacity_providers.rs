//! Lambda capacity providers (Lambda Managed Instances) name the groups of the instances Lambda runs
//! functions on, in `VpcConfig`; the list gives the whole configuration, so no describe is needed.

use aws_sdk_lambda::types::CapacityProviderState;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "lambda-capacity-providers",
    service: "lambda",
    description: "Lambda capacity providers (Managed Instances: VpcConfig.SecurityGroupIds)",
    kinds: &[ResourceKind::LambdaCapacityProvider],
    actions: &[crate::probe!("lambda:ListCapacityProviders", |ctx| client!(ctx, aws_sdk_lambda)
        .list_capacity_providers()
        .max_items(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_lambda::operation::list_capacity_providers::ListCapacityProvidersOutput => next_marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let lambda = client!(ctx, aws_sdk_lambda);
    let pages = lambda.list_capacity_providers().max_items(50).into_paginator().send();
    each_page(ctx, "lambda:ListCapacityProviders", pages, |page| {
        for provider in page.capacity_providers() {
            found.items += 1;
            // Being deleted: it launches nothing more.
            if provider.state() == &CapacityProviderState::Deleting {
                continue;
            }
            let groups = provider.vpc_config().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::LambdaCapacityProvider, provider.capacity_provider_arn(), groups);
        }
    })
    .await
}

//! License Manager user-based subscriptions register an identity provider (an Active Directory) with
//! settings that name the group of the VPC endpoint the subscription's instances reach the service
//! through, in `Settings.SecurityGroupId`; the list itself returns it.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "license-manager-user-subscriptions-identity-providers",
    service: "license-manager-user-subscriptions",
    description: "License Manager user-subscription identity providers (Settings.SecurityGroupId)",
    kinds: &[ResourceKind::LicenseManagerIdentityProvider],
    actions: &[crate::probe!("license-manager-user-subscriptions:ListIdentityProviders", |ctx| client!(
        ctx,
        aws_sdk_licensemanagerusersubscriptions
    )
    .list_identity_providers()
    .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_licensemanagerusersubscriptions::operation::list_identity_providers::ListIdentityProvidersOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let lmus = client!(ctx, aws_sdk_licensemanagerusersubscriptions);
    // The API documents no page size limit for this list; the default page is used.
    let pages = lmus.list_identity_providers().into_paginator().send();
    each_page(ctx, "license-manager-user-subscriptions:ListIdentityProviders", pages, |page| {
        for provider in page.identity_provider_summaries() {
            found.items += 1;
            let directory = provider
                .identity_provider()
                .and_then(|p| p.as_active_directory_identity_provider().ok())
                .and_then(|ad| ad.directory_id());
            let Some(id) = provider.identity_provider_arn().or(directory) else {
                continue;
            };
            let Some(settings) = provider.settings() else {
                continue;
            };
            let detail = format!("VPC endpoint settings, identity provider {}", provider.status().to_lowercase());
            found.config_detail(
                ResourceKind::LicenseManagerIdentityProvider,
                id,
                &detail,
                [settings.security_group_id()],
            );
        }
    })
    .await
}

//! A SageMaker domain in VPC-only mode names the groups its apps and spaces run with: the domain's own
//! (`DomainSettings`, and the boundary group SageMaker made for it), and the defaults for its users and
//! spaces; a user profile can name its own. Spaces name none: a space runs with its domain's default
//! space settings (`DescribeSpace` has no groups). A domain or profile holds its groups whether or not
//! an app runs.

use aws_sdk_sagemaker::types::{DomainStatus, UserProfileStatus};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::stream::{self, StreamExt};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use super::sagemaker_notebooks::vanished;
use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "sagemaker-domains",
    service: "api.sagemaker",
    description: "SageMaker domains (domain, boundary, default user and space groups) and user profiles",
    kinds: &[ResourceKind::SagemakerDomain, ResourceKind::SagemakerUserProfile],
    actions: &[
        crate::probe!("sagemaker:ListDomains", |ctx| client!(ctx, aws_sdk_sagemaker).list_domains().max_results(1)),
        crate::probe!("sagemaker:DescribeDomain", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_domain()
            .domain_id("d-000000000000")),
        crate::probe!("sagemaker:ListUserProfiles", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_user_profiles()
            .max_results(1)),
        crate::probe!("sagemaker:DescribeUserProfile", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_user_profile()
            .domain_id("d-000000000000")
            .user_profile_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_sagemaker::operation::list_domains::ListDomainsOutput => next_token,
    aws_sdk_sagemaker::operation::list_user_profiles::ListUserProfilesOutput => next_token,
);

/// Describes in flight at once.
pub(super) const CONCURRENCY: usize = 8;

/// A SageMaker resource deleted between the list and the describe: `ResourceNotFound`, or the
/// ValidationException some describes answer instead.
pub(super) fn gone(err: &impl ProvideErrorMetadata) -> bool {
    err.code() == Some("ResourceNotFound") || vanished(err)
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let sagemaker = client!(ctx, aws_sdk_sagemaker);

    let mut domains = Vec::new();
    let pages = sagemaker.list_domains().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListDomains", pages, |page| {
        for domain in page.domains() {
            found.items += 1;
            // Being deleted: it runs nothing more.
            if domain.status() == Some(&DomainStatus::Deleting) {
                continue;
            }
            domains.extend(domain.domain_id().map(str::to_string));
        }
    })
    .await?;

    let described: Vec<_> = stream::iter(domains.into_iter().map(|id| {
        let sagemaker = sagemaker.clone();
        async move { sagemaker.describe_domain().domain_id(id).send().await }
    }))
    .buffer_unordered(CONCURRENCY)
    .collect()
    .await;
    for domain in described {
        let domain = match domain {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.as_service_error().is_some_and(gone) => continue,
            Err(e) => return Err(ctx.fail("sagemaker:DescribeDomain", e)),
        };
        let Some(id) = domain.domain_arn().or(domain.domain_id()) else { continue };
        let kind = ResourceKind::SagemakerDomain;
        if let Some(settings) = domain.domain_settings() {
            found.config_detail(kind, id, "DomainSettings", settings.security_group_ids());
        }
        found.config_detail(kind, id, "boundary group of the domain", domain.security_group_id_for_domain_boundary());
        if let Some(settings) = domain.default_user_settings() {
            found.config_detail(kind, id, "DefaultUserSettings", settings.security_groups());
        }
        if let Some(settings) = domain.default_space_settings() {
            found.config_detail(kind, id, "DefaultSpaceSettings", settings.security_groups());
        }
    }

    // With no domain named, the profiles of every domain.
    let mut profiles = Vec::new();
    let pages = sagemaker.list_user_profiles().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListUserProfiles", pages, |page| {
        for profile in page.user_profiles() {
            found.items += 1;
            // Being deleted: it runs nothing more.
            if profile.status() == Some(&UserProfileStatus::Deleting) {
                continue;
            }
            if let (Some(domain), Some(name)) = (profile.domain_id(), profile.user_profile_name()) {
                profiles.push((domain.to_string(), name.to_string()));
            }
        }
    })
    .await?;

    let described: Vec<_> = stream::iter(profiles.into_iter().map(|(domain, name)| {
        let sagemaker = sagemaker.clone();
        async move { sagemaker.describe_user_profile().domain_id(domain).user_profile_name(name).send().await }
    }))
    .buffer_unordered(CONCURRENCY)
    .collect()
    .await;
    for profile in described {
        let profile = match profile {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.as_service_error().is_some_and(gone) => continue,
            Err(e) => return Err(ctx.fail("sagemaker:DescribeUserProfile", e)),
        };
        let Some(id) = profile.user_profile_arn().or(profile.user_profile_name()) else { continue };
        let groups = profile.user_settings().map(|s| s.security_groups()).unwrap_or_default();
        found.config_detail(ResourceKind::SagemakerUserProfile, id, "UserSettings", groups);
    }
    Ok(())
}

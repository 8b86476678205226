//! A launch template can launch from its default version (when a caller names no version) and its latest
//! (`$Latest`, which Auto Scaling groups and fleets often use). Older versions are ignored: only a caller
//! naming that exact number can launch them, and AWS does not stop a group from being deleted for them.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::LaunchTemplateVersion;
use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-launch-templates",
    service: "ec2",
    description: "Launch template versions that can still launch: default and latest",
    kinds: &[ResourceKind::LaunchTemplate],
    actions: &["ec2:DescribeLaunchTemplateVersions"],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_launch_template_versions::DescribeLaunchTemplateVersionsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    // With no template named, `$Latest` and `$Default` return those versions of every template in one
    // paginated list, instead of one call per template.
    let pages = ec2
        .describe_launch_template_versions()
        .versions("$Latest")
        .versions("$Default")
        .max_results(200)
        .into_paginator()
        .send();
    let mut templates: BTreeMap<String, Vec<LaunchTemplateVersion>> = BTreeMap::new();
    each_page(ctx, "ec2:DescribeLaunchTemplateVersions", pages, |page| {
        for version in page.launch_template_versions() {
            let Some(id) = version.launch_template_id() else {
                continue;
            };
            templates.entry(id.to_string()).or_default().push(version.clone());
        }
    })
    .await?;

    for (id, mut versions) in templates {
        found.items += 1;
        versions.sort_by_key(|v| v.version_number());
        versions.dedup_by_key(|v| v.version_number());
        let latest = versions.last().and_then(|v| v.version_number());
        for version in &versions {
            let number = version.version_number();
            let mut roles = Vec::new();
            if version.default_version() == Some(true) {
                roles.push("default");
            }
            if number == latest {
                roles.push("latest");
            }
            let detail = match number {
                Some(n) => format!("version {n} ({})", roles.join(", ")),
                None => format!("unnumbered version ({})", roles.join(", ")),
            };
            found.config_detail(ResourceKind::LaunchTemplate, &id, &detail, groups(version));
            if let Some(data) = version.launch_template_data() {
                found.config_names(ResourceKind::LaunchTemplate, &id, &detail, data.security_groups());
            }
        }
    }
    Ok(())
}

/// Group ids; `SecurityGroups` holds names (default VPC), recorded by name beside them.
fn groups(version: &LaunchTemplateVersion) -> Vec<String> {
    let Some(data) = version.launch_template_data() else {
        return Vec::new();
    };
    let mut groups: Vec<String> = data.security_group_ids().to_vec();
    groups.extend(data.network_interfaces().iter().flat_map(|i| i.groups().iter().cloned()));
    groups.sort();
    groups.dedup();
    groups
}

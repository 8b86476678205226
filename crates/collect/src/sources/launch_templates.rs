//! A launch template can launch from its default version (when a caller names no version) and its latest
//! (`$Latest`, which Auto Scaling groups and fleets often use): both are held by the template. A version
//! pinned by number is held by what pins it — an Auto Scaling group, a fleet, a Batch compute environment,
//! an EKS node group — whose source reads that version through [`resolve`]. A version nothing names is
//! left out: only a caller naming that exact number could launch it.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::LaunchTemplateVersion;
use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Action, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-launch-templates",
    service: "ec2",
    description: "Launch template versions that can still launch: default and latest",
    kinds: &[ResourceKind::LaunchTemplate],
    actions: &[DESCRIBE_VERSIONS],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// `ec2:DescribeLaunchTemplateVersions`, with its probe: every source that reads a pinned version through
/// [`resolve`] declares this one.
pub(crate) const DESCRIBE_VERSIONS: Action =
    crate::probe!("ec2:DescribeLaunchTemplateVersions", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_launch_template_versions()
        .versions("$Latest")
        .max_results(5));

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

/// A launch template as another resource names it (an Auto Scaling group, a fleet, a Batch compute
/// environment, an EKS node group): by id or by name, at a version — a number, `$Default` or `$Latest`.
/// Such a resource launches with the groups of *that* version, which may be neither the default nor the
/// latest: pinned versions are read here, for the resource that pins them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateRef {
    pub template: TemplateName,
    /// `3`, `$Default` or `$Latest`; AWS reads a missing version as `$Default`.
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TemplateName {
    Id(String),
    Name(String),
}

impl TemplateRef {
    /// From the fields a launch template specification has; `None` when it names no template.
    pub fn new(id: Option<&str>, name: Option<&str>, version: Option<&str>) -> Option<Self> {
        let nonempty = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let template = match (nonempty(id), nonempty(name)) {
            (Some(id), _) => TemplateName::Id(id),
            (None, Some(name)) => TemplateName::Name(name),
            (None, None) => return None,
        };
        let version = nonempty(version).unwrap_or_else(|| "$Default".to_string());
        Some(Self { template, version })
    }

    /// "launch template lt-0abc version $Default" (or "launch template `web` version 3").
    pub fn describe(&self) -> String {
        match &self.template {
            TemplateName::Id(id) => format!("launch template {id} version {}", self.version),
            TemplateName::Name(name) => format!("launch template `{name}` version {}", self.version),
        }
    }
}

/// What a referenced version holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The version number `$Default` or `$Latest` stood for.
    pub number: Option<i64>,
    pub group_ids: Vec<String>,
    /// Groups named by name (`SecurityGroups`, default VPC).
    pub group_names: Vec<String>,
}

/// EC2's codes for a template or version that does not exist (any more): such a reference launches
/// nothing, so it holds no group. Any other error fails the source.
const NOT_FOUND: &[&str] = &[
    "InvalidLaunchTemplateId.NotFound",
    "InvalidLaunchTemplateName.NotFoundException",
    "InvalidLaunchTemplateId.VersionNotFound",
    "InvalidLaunchTemplateName.NotFound",
];

/// Reads the versions `refs` name: one `DescribeLaunchTemplateVersions` per template (a call takes one
/// template and any number of its versions), never one per group. A template or version that no longer
/// exists resolves to `None`.
pub async fn resolve(
    ctx: &Ctx,
    refs: impl IntoIterator<Item = TemplateRef>,
) -> Result<BTreeMap<TemplateRef, Option<Resolved>>, sgaudit_snapshot::SourceError> {
    let mut by_template: BTreeMap<TemplateName, Vec<String>> = BTreeMap::new();
    for r in refs {
        let versions = by_template.entry(r.template).or_default();
        if !versions.contains(&r.version) {
            versions.push(r.version);
        }
    }
    let mut out = BTreeMap::new();
    if by_template.is_empty() {
        return Ok(out);
    }
    let ec2 = client!(ctx, aws_sdk_ec2);
    for (template, versions) in by_template {
        let answer = match versions_of(ctx, &ec2, &template, &versions).await? {
            Some(found) => found,
            // One missing version makes EC2 refuse the whole call: ask for each on its own.
            None if versions.len() > 1 => {
                let mut found = Vec::new();
                for v in &versions {
                    if let Some(one) = versions_of(ctx, &ec2, &template, std::slice::from_ref(v)).await? {
                        found.extend(one);
                    }
                }
                found
            }
            None => Vec::new(),
        };
        let latest = answer.iter().filter_map(|v| v.version_number()).max();
        for version in versions {
            let hit = answer.iter().find(|v| match version.as_str() {
                "$Default" => v.default_version() == Some(true),
                "$Latest" => v.version_number().is_some() && v.version_number() == latest,
                n => v.version_number().map(|x| x.to_string()).as_deref() == Some(n),
            });
            let resolved = hit.map(|v| Resolved {
                number: v.version_number(),
                group_ids: groups(v),
                group_names: v.launch_template_data().map(|d| d.security_groups().to_vec()).unwrap_or_default(),
            });
            out.insert(TemplateRef { template: template.clone(), version }, resolved);
        }
    }
    Ok(out)
}

/// The versions of one template, or `None` when EC2 says the template or one of the versions does not exist.
async fn versions_of(
    ctx: &Ctx,
    ec2: &aws_sdk_ec2::Client,
    template: &TemplateName,
    versions: &[String],
) -> Result<Option<Vec<LaunchTemplateVersion>>, sgaudit_snapshot::SourceError> {
    let mut call = ec2.describe_launch_template_versions().set_versions(Some(versions.to_vec()));
    call = match template {
        TemplateName::Id(id) => call.launch_template_id(id),
        TemplateName::Name(name) => call.launch_template_name(name),
    };
    let pages = call.into_paginator().send();
    let mut found = Vec::new();
    match each_page(ctx, "ec2:DescribeLaunchTemplateVersions", pages, |page| {
        found.extend(page.launch_template_versions().iter().cloned());
    })
    .await
    {
        Ok(()) => Ok(Some(found)),
        Err(e) if NOT_FOUND.contains(&e.code.as_str()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Records that `resource_id` launches with the groups of each version it references, one attachment
/// per group, with the template and version in the detail. A reference to a template or version that no
/// longer exists is left out: it launches nothing.
pub fn record(
    found: &mut Found,
    kind: ResourceKind,
    resource_id: &str,
    context: &str,
    refs: &[TemplateRef],
    resolved: &BTreeMap<TemplateRef, Option<Resolved>>,
) {
    for r in refs {
        let Some(Some(version)) = resolved.get(r) else { continue };
        let mut detail = r.describe();
        if let Some(n) = version.number.filter(|n| n.to_string() != r.version) {
            detail.push_str(&format!(" (version {n})"));
        }
        if !context.is_empty() {
            detail = format!("{context}: {detail}");
        }
        found.config_detail(kind, resource_id, &detail, &version.group_ids);
        found.config_names(kind, resource_id, &detail, &version.group_names);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_without_version_is_the_default_one() {
        let r = TemplateRef::new(Some("lt-0abc"), Some("web"), None).unwrap();
        assert_eq!(r, TemplateRef { template: TemplateName::Id("lt-0abc".into()), version: "$Default".into() });
        let r = TemplateRef::new(None, Some("web"), Some("3")).unwrap();
        assert_eq!(r.describe(), "launch template `web` version 3");
        assert_eq!(TemplateRef::new(Some(" "), None, Some("1")), None);
    }
}

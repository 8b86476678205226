//! Auto Scaling groups launch instances from a launch template version — the one they name, which may be
//! pinned to a number that is neither the template's default nor its latest, or from the templates of a
//! mixed-instances policy and its overrides. A group scaled to zero has no instance and no interface, but
//! its next scale-out launches with those groups: the version's groups are held by the Auto Scaling group.
//! (Groups of a launch configuration are read by `autoscaling-launch-configurations`.)

use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};
use crate::sources::launch_templates::{self, TemplateRef};

pub const SOURCE: SourceDef = SourceDef {
    id: "autoscaling-groups",
    service: "autoscaling",
    description: "Auto Scaling groups: the launch template versions they launch from (pinned, $Default, $Latest, mixed-instances overrides)",
    kinds: &[ResourceKind::AutoscalingGroup],
    actions: &[
        crate::probe!("autoscaling:DescribeAutoScalingGroups", |ctx| client!(ctx, aws_sdk_autoscaling).describe_auto_scaling_groups().max_records(1)),
        super::launch_templates::DESCRIBE_VERSIONS,
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsOutput => next_token,
);

struct Group {
    id: String,
    context: String,
    refs: Vec<TemplateRef>,
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let autoscaling = client!(ctx, aws_sdk_autoscaling);
    let pages = autoscaling.describe_auto_scaling_groups().max_records(100).into_paginator().send();
    let mut groups = Vec::new();
    each_page(ctx, "autoscaling:DescribeAutoScalingGroups", pages, |page| {
        for asg in page.auto_scaling_groups() {
            found.items += 1;
            let Some(name) = asg.auto_scaling_group_name() else { continue };
            // A group being deleted launches nothing more; what it still runs is seen as instances.
            if asg.status().is_some_and(|s| s.starts_with("Delete")) {
                continue;
            }
            let mut refs = Vec::new();
            if let Some(t) = asg.launch_template() {
                refs.extend(TemplateRef::new(t.launch_template_id(), t.launch_template_name(), t.version()));
            }
            if let Some(policy) = asg.mixed_instances_policy().and_then(|p| p.launch_template()) {
                if let Some(t) = policy.launch_template_specification() {
                    refs.extend(TemplateRef::new(t.launch_template_id(), t.launch_template_name(), t.version()));
                }
                for o in policy.overrides() {
                    if let Some(t) = o.launch_template_specification() {
                        refs.extend(TemplateRef::new(t.launch_template_id(), t.launch_template_name(), t.version()));
                    }
                }
            }
            refs.sort();
            refs.dedup();
            if refs.is_empty() {
                continue;
            }
            let context = match (asg.desired_capacity(), asg.min_size(), asg.max_size()) {
                (Some(d), Some(min), Some(max)) => format!("desired {d} (min {min}, max {max})"),
                _ => String::new(),
            };
            groups.push(Group { id: asg.auto_scaling_group_arn().unwrap_or(name).to_string(), context, refs });
        }
    })
    .await?;

    let resolved = launch_templates::resolve(ctx, groups.iter().flat_map(|g| g.refs.iter().cloned())).await?;
    for g in &groups {
        launch_templates::record(found, ResourceKind::AutoscalingGroup, &g.id, &g.context, &g.refs, &resolved);
    }
    Ok(())
}

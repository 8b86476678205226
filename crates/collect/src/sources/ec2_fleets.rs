//! EC2 Fleets of type `maintain` and `request` launch instances from the launch template versions of their
//! launch template configs (pinned numbers, `$Default`, `$Latest`): while such a fleet can still launch,
//! it holds those versions' groups even when it runs no instance. An `instant` fleet was a one-time,
//! synchronous launch and launches nothing more; a deleted fleet neither. Their instances, while they run,
//! are seen as instances and interfaces.

use aws_sdk_ec2::types::{FleetStateCode, FleetType};
use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};
use crate::sources::launch_templates::{self, TemplateRef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-fleets",
    service: "ec2",
    description: "EC2 Fleets that can still launch: the launch template versions of their configs",
    kinds: &[ResourceKind::Ec2Fleet],
    actions: &[
        crate::probe!("ec2:DescribeFleets", |ctx| client!(ctx, aws_sdk_ec2).describe_fleets().max_results(5)),
        super::launch_templates::DESCRIBE_VERSIONS,
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_fleets::DescribeFleetsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_fleets().max_results(1000).into_paginator().send();
    let mut fleets: Vec<(String, String, Vec<TemplateRef>)> = Vec::new();
    each_page(ctx, "ec2:DescribeFleets", pages, |page| {
        for fleet in page.fleets() {
            found.items += 1;
            let Some(id) = fleet.fleet_id() else { continue };
            if fleet.r#type() == Some(&FleetType::Instant) {
                continue;
            }
            let state = fleet.fleet_state();
            if !matches!(state, Some(FleetStateCode::Active | FleetStateCode::Modifying | FleetStateCode::Submitted)) {
                continue;
            }
            let mut refs: Vec<TemplateRef> = fleet
                .launch_template_configs()
                .iter()
                .filter_map(|c| c.launch_template_specification())
                .filter_map(|t| TemplateRef::new(t.launch_template_id(), t.launch_template_name(), t.version()))
                .collect();
            refs.sort();
            refs.dedup();
            let context = state.map(|s| s.as_str().to_string()).unwrap_or_default();
            fleets.push((id.to_string(), context, refs));
        }
    })
    .await?;

    let resolved = launch_templates::resolve(ctx, fleets.iter().flat_map(|f| f.2.iter().cloned())).await?;
    for (id, context, refs) in &fleets {
        launch_templates::record(found, ResourceKind::Ec2Fleet, id, context, refs, &resolved);
    }
    Ok(())
}

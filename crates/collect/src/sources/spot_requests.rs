//! Spot requests that can still launch instances name the groups those instances will get: in their
//! launch specifications, or in the launch template versions of a fleet's launch template configs (read
//! here, at the version the fleet names, which may be pinned).

use aws_sdk_ec2::types::{BatchState, GroupIdentifier, InstanceNetworkInterfaceSpecification, SpotInstanceState};
use futures::FutureExt;
use sgaudit_snapshot::ResourceKind;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};
use crate::sources::launch_templates::{self, TemplateRef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-spot-requests",
    service: "ec2",
    description: "Open Spot Fleet and Spot Instance requests and their launch specifications",
    kinds: &[ResourceKind::SpotFleetRequest, ResourceKind::SpotInstanceRequest],
    actions: &[
        crate::probe!("ec2:DescribeSpotFleetRequests", |ctx| client!(ctx, aws_sdk_ec2)
            .describe_spot_fleet_requests()
            .max_results(5)),
        crate::probe!("ec2:DescribeSpotInstanceRequests", |ctx| client!(ctx, aws_sdk_ec2)
            .describe_spot_instance_requests()
            .max_results(5)),
        super::launch_templates::DESCRIBE_VERSIONS,
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_ec2::operation::describe_spot_fleet_requests::DescribeSpotFleetRequestsOutput => next_token,
    aws_sdk_ec2::operation::describe_spot_instance_requests::DescribeSpotInstanceRequestsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), sgaudit_snapshot::SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);

    let pages = ec2.describe_spot_fleet_requests().max_results(1000).into_paginator().send();
    let mut templated: Vec<(String, String, Vec<TemplateRef>)> = Vec::new();
    each_page(ctx, "ec2:DescribeSpotFleetRequests", pages, |page| {
        for fleet in page.spot_fleet_request_configs() {
            found.items += 1;
            let Some(id) = fleet.spot_fleet_request_id() else {
                continue;
            };
            let state = fleet.spot_fleet_request_state();
            // A cancelled fleet launches nothing more; instances it left running are seen as instances.
            if !matches!(state, Some(BatchState::Active | BatchState::Modifying | BatchState::Submitted)) {
                continue;
            }
            let mut groups = Vec::new();
            for spec in fleet.spot_fleet_request_config().map(|c| c.launch_specifications()).unwrap_or_default() {
                groups.extend(group_ids(spec.security_groups()));
                groups.extend(interface_groups(spec.network_interfaces()));
            }
            groups.sort();
            groups.dedup();
            let detail = state.map(|s| s.as_str()).unwrap_or("unknown state");
            found.config_detail(ResourceKind::SpotFleetRequest, id, detail, &groups);
            let mut refs: Vec<TemplateRef> = fleet
                .spot_fleet_request_config()
                .map(|c| c.launch_template_configs())
                .unwrap_or_default()
                .iter()
                .filter_map(|c| c.launch_template_specification())
                .filter_map(|t| TemplateRef::new(t.launch_template_id(), t.launch_template_name(), t.version()))
                .collect();
            refs.sort();
            refs.dedup();
            if !refs.is_empty() {
                templated.push((id.to_string(), detail.to_string(), refs));
            }
        }
    })
    .await?;
    let resolved = launch_templates::resolve(ctx, templated.iter().flat_map(|f| f.2.iter().cloned())).await?;
    for (id, context, refs) in &templated {
        launch_templates::record(found, ResourceKind::SpotFleetRequest, id, context, refs, &resolved);
    }

    let pages = ec2.describe_spot_instance_requests().max_results(1000).into_paginator().send();
    each_page(ctx, "ec2:DescribeSpotInstanceRequests", pages, |page| {
        for request in page.spot_instance_requests() {
            found.items += 1;
            let Some(id) = request.spot_instance_request_id() else {
                continue;
            };
            let state = request.state();
            // "disabled" is a persistent request whose instance was stopped: it can launch again.
            if !matches!(state, Some(SpotInstanceState::Open | SpotInstanceState::Active | SpotInstanceState::Disabled))
            {
                continue;
            }
            let mut groups = Vec::new();
            if let Some(spec) = request.launch_specification() {
                groups.extend(group_ids(spec.security_groups()));
                groups.extend(interface_groups(spec.network_interfaces()));
            }
            groups.sort();
            groups.dedup();
            let detail = state.map(|s| s.as_str()).unwrap_or("unknown state");
            found.config_detail(ResourceKind::SpotInstanceRequest, id, detail, &groups);
        }
    })
    .await
}

fn group_ids(groups: &[GroupIdentifier]) -> impl Iterator<Item = String> + '_ {
    groups.iter().filter_map(|g| g.group_id().map(str::to_string))
}

fn interface_groups(interfaces: &[InstanceNetworkInterfaceSpecification]) -> impl Iterator<Item = String> + '_ {
    interfaces.iter().flat_map(|i| i.groups().iter().cloned())
}

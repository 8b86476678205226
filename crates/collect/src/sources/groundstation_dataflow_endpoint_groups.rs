//! AWS Ground Station dataflow endpoint groups name, for each endpoint, the groups of the interfaces that
//! receive or send a contact's data in `endpointsDetails[].securityDetails.securityGroupIds`. The list
//! gives ids only, so each group is read with GetDataflowEndpointGroup. Contacts (runs) are not read: while
//! one runs, its interfaces carry the groups (ec2-network-interfaces), and it takes them from these groups.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "groundstation-dataflow-endpoint-groups",
    service: "groundstation",
    description: "Ground Station dataflow endpoint groups (endpointsDetails[].securityDetails.securityGroupIds)",
    kinds: &[ResourceKind::GroundstationDataflowEndpointGroup],
    actions: &[
        crate::probe!("groundstation:ListDataflowEndpointGroups", |ctx| client!(ctx, aws_sdk_groundstation)
            .list_dataflow_endpoint_groups()
            .max_results(1)),
        crate::probe!("groundstation:GetDataflowEndpointGroup", |ctx| client!(ctx, aws_sdk_groundstation)
            .get_dataflow_endpoint_group()
            .dataflow_endpoint_group_id("00000000-0000-0000-0000-000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_groundstation::operation::list_dataflow_endpoint_groups::ListDataflowEndpointGroupsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let groundstation = client!(ctx, aws_sdk_groundstation);

    let mut ids = Vec::new();
    let pages = groundstation.list_dataflow_endpoint_groups().max_results(100).into_paginator().send();
    each_page(ctx, "groundstation:ListDataflowEndpointGroups", pages, |page| {
        for group in page.dataflow_endpoint_group_list() {
            found.items += 1;
            ids.extend(group.dataflow_endpoint_group_id().map(str::to_string));
        }
    })
    .await?;

    let groundstation = &groundstation;
    let described = describe_each(&ids, |id| async move {
        match groundstation.get_dataflow_endpoint_group().dataflow_endpoint_group_id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("groundstation:GetDataflowEndpointGroup", e)),
        }
    })
    .await?;

    for (id, group) in described {
        let arn = group.dataflow_endpoint_group_arn().unwrap_or(id);
        for endpoint in group.endpoints_details() {
            let Some(security) = endpoint.security_details() else {
                continue;
            };
            let name = endpoint.endpoint().and_then(|e| e.name()).unwrap_or("an endpoint");
            let detail = format!("security details of {name}");
            found.config_detail(
                ResourceKind::GroundstationDataflowEndpointGroup,
                arn,
                &detail,
                security.security_group_ids(),
            );
        }
    }
    Ok(())
}

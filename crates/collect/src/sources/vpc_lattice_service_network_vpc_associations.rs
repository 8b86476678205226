//! A VPC associated with a VPC Lattice service network reaches the network's services through the groups
//! of the association's `securityGroupIds`, which only GetServiceNetworkVpcAssociation gives.
//! ListServiceNetworkVpcAssociations must name a service network or a VPC, so the service networks (this
//! account's and those shared with it) are listed first, then each one's VPC associations, then each
//! association is read. An association being deleted is left out.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "vpc-lattice-service-network-vpc-associations",
    service: "vpc-lattice",
    description: "VPC Lattice service-network VPC associations (securityGroupIds)",
    kinds: &[ResourceKind::VpcLatticeServiceNetworkVpcAssociation],
    actions: &[
        crate::probe!("vpc-lattice:ListServiceNetworks", |ctx| client!(ctx, aws_sdk_vpclattice)
            .list_service_networks()
            .max_results(1)),
        crate::probe!("vpc-lattice:ListServiceNetworkVpcAssociations", |ctx| client!(ctx, aws_sdk_vpclattice)
            .list_service_network_vpc_associations()
            .service_network_identifier("sn-00000000000000000")
            .max_results(1)),
        crate::probe!("vpc-lattice:GetServiceNetworkVpcAssociation", |ctx| client!(ctx, aws_sdk_vpclattice)
            .get_service_network_vpc_association()
            .service_network_vpc_association_identifier("snva-00000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_vpclattice::operation::list_service_networks::ListServiceNetworksOutput => next_token,
    aws_sdk_vpclattice::operation::list_service_network_vpc_associations::ListServiceNetworkVpcAssociationsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let lattice = client!(ctx, aws_sdk_vpclattice);
    let mut networks: Vec<String> = Vec::new();
    let pages = lattice.list_service_networks().max_results(100).into_paginator().send();
    each_page(ctx, "vpc-lattice:ListServiceNetworks", pages, |page| {
        networks.extend(page.items().iter().filter_map(|n| n.id().map(str::to_string)));
    })
    .await?;

    let mut associations: Vec<String> = Vec::new();
    for network in &networks {
        let pages = lattice
            .list_service_network_vpc_associations()
            .service_network_identifier(network)
            .max_results(100)
            .into_paginator()
            .send();
        each_page(ctx, "vpc-lattice:ListServiceNetworkVpcAssociations", pages, |page| {
            for association in page.items() {
                found.items += 1;
                if association.status().is_some_and(|s| s.as_str() == "DELETE_IN_PROGRESS") {
                    continue;
                }
                associations.extend(association.id().map(str::to_string));
            }
        })
        .await?;
    }
    associations.sort();
    associations.dedup();

    let lattice = &lattice;
    let read = describe_each(&associations, |id| async move {
        match lattice.get_service_network_vpc_association().service_network_vpc_association_identifier(id).send().await
        {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("vpc-lattice:GetServiceNetworkVpcAssociation", e)),
        }
    })
    .await?;
    for (id, out) in read {
        let resource = out.arn().unwrap_or(id);
        let detail = match (out.vpc_id(), out.service_network_name()) {
            (Some(vpc), Some(network)) => format!("{vpc} in service network {network}"),
            _ => "service-network VPC association".to_string(),
        };
        found.config_detail(
            ResourceKind::VpcLatticeServiceNetworkVpcAssociation,
            resource,
            &detail,
            out.security_group_ids(),
        );
    }
    Ok(())
}

//! Every route table of the region: the subnets it serves (or the VPC's, as its main table) and where it sends
//! each destination. A subnet is public when its table sends internet traffic to an internet gateway.

use aws_sdk_ec2::types::Route as SdkRoute;
use futures::FutureExt;
use sgaudit_snapshot::network::{Route, RouteTable};
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-route-tables",
    service: "ec2",
    description: "Route tables with their subnet associations and routes (reachability from the internet)",
    kinds: &[],
    actions: &[crate::probe!("ec2:DescribeRouteTables", |ctx| client!(ctx, aws_sdk_ec2)
        .describe_route_tables()
        .max_results(5))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(aws_sdk_ec2::operation::describe_route_tables::DescribeRouteTablesOutput => next_token);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let pages = ec2.describe_route_tables().max_results(100).into_paginator().send();
    each_page(ctx, "ec2:DescribeRouteTables", pages, |page| {
        for table in page.route_tables() {
            found.items += 1;
            let (Some(id), Some(vpc)) = (table.route_table_id(), table.vpc_id()) else { continue };
            let associations = table.associations();
            let mut subnets: Vec<String> =
                associations.iter().filter_map(|a| a.subnet_id().map(str::to_string)).collect();
            subnets.sort();
            subnets.dedup();
            let mut routes: Vec<Route> = table.routes().iter().filter_map(route).collect();
            routes.sort();
            found.network.route_tables.push(RouteTable {
                route_table_id: id.to_string(),
                vpc_id: vpc.to_string(),
                main: associations.iter().any(|a| a.main().unwrap_or(false)),
                subnets,
                routes,
            });
        }
    })
    .await
}

/// A route as the snapshot keeps it: its destination (a block or a prefix list), what it sends to, its state.
fn route(r: &SdkRoute) -> Option<Route> {
    let destination =
        r.destination_cidr_block().or(r.destination_ipv6_cidr_block()).or(r.destination_prefix_list_id())?;
    let target = r
        .gateway_id()
        .or(r.egress_only_internet_gateway_id())
        .or(r.nat_gateway_id())
        .or(r.transit_gateway_id())
        .or(r.vpc_peering_connection_id())
        .or(r.network_interface_id())
        .or(r.instance_id())
        .or(r.local_gateway_id())
        .or(r.carrier_gateway_id())
        .or(r.core_network_arn())
        .unwrap_or("unknown");
    Some(Route {
        destination: destination.to_string(),
        target: target.to_string(),
        state: r.state().map_or("active", |s| s.as_str()).to_string(),
    })
}

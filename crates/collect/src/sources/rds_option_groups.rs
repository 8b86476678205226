//! Some options of an RDS option group (Oracle OEM and OEM Agent, memcached for MySQL, ...) open a port
//! to the groups named in `VpcSecurityGroupMemberships`; the option group keeps naming them for every DB
//! instance it is applied to, and for the next one it is applied to.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "rds-option-groups",
    service: "rds",
    description: "RDS option groups whose options name VPC security groups (VpcSecurityGroupMemberships)",
    kinds: &[ResourceKind::RdsOptionGroup],
    actions: &[crate::probe!("rds:DescribeOptionGroups", |ctx| client!(ctx, aws_sdk_rds)
        .describe_option_groups()
        .max_records(20))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_rds::operation::describe_option_groups::DescribeOptionGroupsOutput => marker,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let rds = client!(ctx, aws_sdk_rds);
    let pages = rds.describe_option_groups().max_records(100).into_paginator().send();
    each_page(ctx, "rds:DescribeOptionGroups", pages, |page| {
        for group in page.option_groups_list() {
            found.items += 1;
            let Some(id) = group.option_group_arn().or(group.option_group_name()) else {
                continue;
            };
            for option in group.options() {
                let detail = format!("option {}", option.option_name().unwrap_or("(unnamed)"));
                let groups = option.vpc_security_group_memberships().iter().filter_map(|m| m.vpc_security_group_id());
                found.config_detail(ResourceKind::RdsOptionGroup, id, &detail, groups);
            }
        }
    })
    .await
}

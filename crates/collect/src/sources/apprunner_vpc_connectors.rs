//! App Runner VPC connectors name the groups of the interfaces through which services reach a VPC.
//! ListVpcConnectors gives every revision with its groups, so no describe is needed.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "apprunner-vpc-connectors",
    service: "apprunner",
    description: "App Runner VPC connectors (SecurityGroups)",
    kinds: &[ResourceKind::ApprunnerVpcConnector],
    actions: &[crate::probe!("apprunner:ListVpcConnectors", |ctx| client!(ctx, aws_sdk_apprunner)
        .list_vpc_connectors()
        .max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let apprunner = client!(ctx, aws_sdk_apprunner);
    let mut trail = ctx.pages("apprunner:ListVpcConnectors");
    let mut token: Option<String> = None;
    loop {
        let page = apprunner
            .list_vpc_connectors()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("apprunner:ListVpcConnectors", e))?;
        for connector in page.vpc_connectors() {
            found.items += 1;
            // INACTIVE is a deleted revision, which App Runner keeps listing for a while: it holds nothing.
            if connector.status() == Some(&aws_sdk_apprunner::types::VpcConnectorStatus::Inactive) {
                continue;
            }
            let Some(id) = connector.vpc_connector_arn().or(connector.vpc_connector_name()) else {
                continue;
            };
            found.config(ResourceKind::ApprunnerVpcConnector, id, connector.security_groups());
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

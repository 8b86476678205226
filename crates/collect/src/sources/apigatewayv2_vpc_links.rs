//! VPC links of HTTP APIs name their groups; their interfaces are AWS-managed, so the link is what must
//! change before the group can go. (REST API VPC links go through a Network Load Balancer instead.)

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "apigatewayv2-vpc-links",
    service: "apigateway",
    description: "API Gateway VPC links (HTTP APIs)",
    kinds: &[ResourceKind::Apigatewayv2VpcLink],
    // API Gateway authorises its management API by HTTP verb: GetVpcLinks is `GET /v2/vpclinks`.
    actions: &[crate::probe!("apigateway:GET", |ctx| client!(ctx, aws_sdk_apigatewayv2)
        .get_vpc_links()
        .max_results("1"))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_apigatewayv2::operation::get_vpc_links::GetVpcLinksOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let apigw = client!(ctx, aws_sdk_apigatewayv2);
    // The SDK offers no paginator for GetVpcLinks, so the token is followed by hand.
    let mut trail = ctx.pages("apigateway:GET");
    let mut token: Option<String> = None;
    loop {
        let out = apigw
            .get_vpc_links()
            .max_results("500")
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("apigateway:GET", e))?;
        for link in out.items() {
            found.items += 1;
            // The response carries no ARN; the id is unique in the account-region.
            let Some(id) = link.vpc_link_id() else {
                continue;
            };
            found.config(ResourceKind::Apigatewayv2VpcLink, id, link.security_group_ids());
        }
        match trail.follow(out.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(())
}

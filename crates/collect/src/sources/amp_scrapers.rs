//! Managed Service for Prometheus scrapers collect metrics from inside a VPC (an EKS cluster's or any
//! VPC's subnets) through interfaces of their own, and name the groups of those interfaces in their
//! source configuration. ListScrapers gives the whole configuration, so no describe is needed.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "amp-scrapers",
    service: "aps",
    description: "Managed Service for Prometheus scrapers (source EKS or VPC configuration)",
    kinds: &[ResourceKind::AmpScraper],
    actions: &[crate::probe!("aps:ListScrapers", |ctx| client!(ctx, aws_sdk_amp).list_scrapers().max_results(1))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let amp = client!(ctx, aws_sdk_amp);
    let mut trail = ctx.pages("aps:ListScrapers");
    let mut token: Option<String> = None;
    loop {
        let page = amp
            .list_scrapers()
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("aps:ListScrapers", e))?;
        for scraper in page.scrapers() {
            found.items += 1;
            // Every state is recorded: a scraper being created, updated or deleted (or failed at it) still
            // names its groups, and its interfaces may still exist.
            let id = scraper.arn();
            match scraper.source() {
                Some(aws_sdk_amp::types::Source::EksConfiguration(eks)) => {
                    found.config_detail(
                        ResourceKind::AmpScraper,
                        id,
                        "source.eksConfiguration",
                        eks.security_group_ids(),
                    );
                }
                Some(aws_sdk_amp::types::Source::VpcConfiguration(vpc)) => {
                    found.config_detail(
                        ResourceKind::AmpScraper,
                        id,
                        "source.vpcConfiguration",
                        vpc.security_group_ids(),
                    );
                }
                _ => {}
            }
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

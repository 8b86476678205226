//! Directory Service AD assessments (the checks run before a hybrid directory is created over a
//! self-managed AD) name the groups of the interfaces they open to the domain controllers in
//! `SecurityGroupIds`. The list gives summaries only; each assessment is described for its groups.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ds-ad-assessments",
    service: "ds",
    description: "Directory Service AD assessments (SecurityGroupIds)",
    kinds: &[ResourceKind::DirectoryServiceAssessment],
    actions: &[
        crate::probe!("ds:ListADAssessments", |ctx| client!(ctx, aws_sdk_directory).list_ad_assessments().limit(1)),
        crate::probe!("ds:DescribeADAssessment", |ctx| client!(ctx, aws_sdk_directory)
            .describe_ad_assessment()
            .assessment_id("da-000000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_directory::operation::list_ad_assessments::ListAdAssessmentsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ds = client!(ctx, aws_sdk_directory);
    let mut ids = Vec::new();
    let pages = ds.list_ad_assessments().limit(100).into_paginator().send();
    each_page(ctx, "ds:ListADAssessments", pages, |page| {
        ids.extend(page.assessments().iter().filter_map(|a| a.assessment_id().map(str::to_string)));
    })
    .await?;

    for id in &ids {
        let out = match ds.describe_ad_assessment().assessment_id(id).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("EntityDoesNotExistException") => continue,
            Err(e) => return Err(ctx.fail("ds:DescribeADAssessment", e)),
        };
        found.items += 1;
        let Some(assessment) = out.assessment() else {
            continue;
        };
        let detail = match assessment.status() {
            Some(status) => format!("assessment ({status})"),
            None => "assessment".to_string(),
        };
        found.config_detail(ResourceKind::DirectoryServiceAssessment, id, &detail, assessment.security_group_ids());
    }
    Ok(())
}

//! Managed Service for Apache Flink applications (Kinesis Data Analytics v2) in a VPC name their groups in
//! `ApplicationConfigurationDescription.VpcConfigurationDescriptions[].SecurityGroupIds`. The list gives no
//! configuration, so each application is read with DescribeApplication. A READY application (stopped) is a
//! holder: starting it runs it in the same groups.
//!
//! Older versions: RollbackApplication (by hand, or the service's own system rollback after a failed update
//! or scaling) reverts a RUNNING, UPDATING or AUTOSCALING application to its previous running version,
//! configuration included. So for an application in one of those states that was updated, the version it
//! was updated from (`ApplicationVersionUpdatedFrom`, the closest the API names to "the previous running
//! version") is read with DescribeApplicationVersion and its groups are recorded too: a rollback would put
//! the application back in them. Versions older than that are ignored: no API call brings them back
//! without an update naming their configuration again.

use aws_sdk_kinesisanalyticsv2::types::{ApplicationDetail, ApplicationStatus};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "kinesisanalytics-applications",
    service: "kinesisanalytics",
    description:
        "Managed Service for Apache Flink applications in a VPC, running or not, and the version a rollback returns to",
    kinds: &[ResourceKind::KinesisanalyticsApplication],
    actions: &[
        crate::probe!("kinesisanalytics:ListApplications", |ctx| client!(ctx, aws_sdk_kinesisanalyticsv2)
            .list_applications()
            .limit(1)),
        crate::probe!("kinesisanalytics:DescribeApplication", |ctx| client!(ctx, aws_sdk_kinesisanalyticsv2)
            .describe_application()
            .application_name(PROBE_NAME)),
        crate::probe!("kinesisanalytics:DescribeApplicationVersion", |ctx| client!(ctx, aws_sdk_kinesisanalyticsv2)
            .describe_application_version()
            .application_name(PROBE_NAME)
            .application_version_id(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_kinesisanalyticsv2::operation::list_applications::ListApplicationsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let flink = client!(ctx, aws_sdk_kinesisanalyticsv2);

    let mut names = Vec::new();
    let pages = flink.list_applications().limit(50).into_paginator().send();
    each_page(ctx, "kinesisanalytics:ListApplications", pages, |page| {
        found.items += page.application_summaries().len() as u32;
        names.extend(page.application_summaries().iter().map(|a| a.application_name().to_string()));
    })
    .await?;

    let flink = &flink;
    let described = describe_each(&names, |name| async move {
        let app = match flink.describe_application().application_name(name).send().await {
            Ok(out) => out.application_detail,
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => return Ok(None),
            Err(e) => return Err(ctx.fail("kinesisanalytics:DescribeApplication", e)),
        };
        let Some(app) = app else {
            return Ok(None);
        };
        let rollback_to = app.application_version_updated_from().filter(|v| *v != app.application_version_id());
        let can_roll_back = matches!(
            app.application_status(),
            ApplicationStatus::Running | ApplicationStatus::Updating | ApplicationStatus::Autoscaling
        );
        let previous = match rollback_to.filter(|_| can_roll_back) {
            Some(version) => {
                let read = flink.describe_application_version().application_name(name).application_version_id(version);
                match read.send().await {
                    Ok(out) => out.application_version_detail,
                    // That version is gone: nothing can return to it.
                    Err(e) if vanished(&e) => None,
                    Err(e) => return Err(ctx.fail("kinesisanalytics:DescribeApplicationVersion", e)),
                }
            }
            None => None,
        };
        Ok(Some((app, previous)))
    })
    .await?;

    for (_, (app, previous)) in described {
        let status = app.application_status().as_str().to_lowercase();
        let detail = format!("version {}, application {status}", app.application_version_id());
        record(found, app.application_arn(), &detail, &app);
        if let Some(previous) = previous {
            let detail = format!("version {}, the one a rollback returns to", previous.application_version_id());
            record(found, app.application_arn(), &detail, &previous);
        }
    }
    Ok(())
}

fn record(found: &mut Found, arn: &str, detail: &str, version: &ApplicationDetail) {
    let Some(config) = version.application_configuration_description() else {
        return;
    };
    for vpc in config.vpc_configuration_descriptions() {
        found.config_detail(ResourceKind::KinesisanalyticsApplication, arn, detail, vpc.security_group_ids());
    }
}

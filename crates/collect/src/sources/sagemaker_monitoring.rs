//! SageMaker model monitoring starts a processing job on every run of a schedule, in the VPC its job
//! definition names: either inline in the schedule, or in a job definition of one of four kinds (data
//! quality, model bias, explainability, model quality). The definitions are read whether or not a
//! schedule uses them (a schedule can be pointed at one at any time); a schedule that uses one is
//! recorded as holding its groups too. A stopped schedule keeps its configuration and runs again once
//! started.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use super::sagemaker_domains::{gone, CONCURRENCY};
use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "sagemaker-monitoring",
    service: "api.sagemaker",
    description: "SageMaker model-monitoring schedules and job definitions (NetworkConfig.VpcConfig)",
    kinds: &[ResourceKind::SagemakerMonitoringSchedule, ResourceKind::SagemakerMonitoringJobDefinition],
    actions: &[
        crate::probe!("sagemaker:ListDataQualityJobDefinitions", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_data_quality_job_definitions()
            .max_results(1)),
        crate::probe!("sagemaker:DescribeDataQualityJobDefinition", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_data_quality_job_definition()
            .job_definition_name(PROBE_NAME)),
        crate::probe!("sagemaker:ListModelBiasJobDefinitions", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_model_bias_job_definitions()
            .max_results(1)),
        crate::probe!("sagemaker:DescribeModelBiasJobDefinition", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_model_bias_job_definition()
            .job_definition_name(PROBE_NAME)),
        crate::probe!("sagemaker:ListModelExplainabilityJobDefinitions", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_model_explainability_job_definitions()
            .max_results(1)),
        crate::probe!("sagemaker:DescribeModelExplainabilityJobDefinition", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_model_explainability_job_definition()
            .job_definition_name(PROBE_NAME)),
        crate::probe!("sagemaker:ListModelQualityJobDefinitions", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_model_quality_job_definitions()
            .max_results(1)),
        crate::probe!("sagemaker:DescribeModelQualityJobDefinition", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_model_quality_job_definition()
            .job_definition_name(PROBE_NAME)),
        crate::probe!("sagemaker:ListMonitoringSchedules", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_monitoring_schedules()
            .max_results(1)),
        crate::probe!("sagemaker:DescribeMonitoringSchedule", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_monitoring_schedule()
            .monitoring_schedule_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_sagemaker::operation::list_data_quality_job_definitions::ListDataQualityJobDefinitionsOutput => next_token,
    aws_sdk_sagemaker::operation::list_model_bias_job_definitions::ListModelBiasJobDefinitionsOutput => next_token,
    aws_sdk_sagemaker::operation::list_model_explainability_job_definitions::ListModelExplainabilityJobDefinitionsOutput => next_token,
    aws_sdk_sagemaker::operation::list_model_quality_job_definitions::ListModelQualityJobDefinitionsOutput => next_token,
    aws_sdk_sagemaker::operation::list_monitoring_schedules::ListMonitoringSchedulesOutput => next_token,
);

/// Reads every job definition of one kind into `definitions` (name → groups) and records it: the four
/// kinds have the same shape under different operations.
macro_rules! job_definitions {
    ($ctx:expr, $sagemaker:expr, $found:expr, $definitions:expr, $list:ident, $describe:ident,
     $list_action:literal, $describe_action:literal, $label:literal) => {{
        let mut names = Vec::new();
        let pages = $sagemaker.$list().max_results(100).into_paginator().send();
        each_page($ctx, $list_action, pages, |page| {
            for summary in page.job_definition_summaries() {
                $found.items += 1;
                names.extend(summary.monitoring_job_definition_name().map(str::to_string));
            }
        })
        .await?;
        let described: Vec<_> = stream::iter(names.into_iter().map(|name| {
            let sagemaker = $sagemaker.clone();
            async move { sagemaker.$describe().job_definition_name(name).send().await }
        }))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
        for definition in described {
            let definition = match definition {
                Ok(out) => out,
                // Deleted between the list and the describe: it holds nothing any more.
                Err(e) if e.as_service_error().is_some_and(gone) => continue,
                Err(e) => return Err($ctx.fail($describe_action, e)),
            };
            let Some(name) = definition.job_definition_name() else { continue };
            let groups: Vec<String> = definition
                .network_config()
                .and_then(|n| n.vpc_config())
                .map(|v| v.security_group_ids().to_vec())
                .unwrap_or_default();
            let id = definition.job_definition_arn().unwrap_or(name);
            $found.config_detail(ResourceKind::SagemakerMonitoringJobDefinition, id, $label, &groups);
            $definitions.insert(name.to_string(), groups);
        }
    }};
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let sagemaker = &client!(ctx, aws_sdk_sagemaker);

    // Job definition name → its groups, for the schedules below. Names are unique across the four kinds.
    let mut definitions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    job_definitions!(
        ctx,
        sagemaker,
        found,
        definitions,
        list_data_quality_job_definitions,
        describe_data_quality_job_definition,
        "sagemaker:ListDataQualityJobDefinitions",
        "sagemaker:DescribeDataQualityJobDefinition",
        "data quality job definition"
    );
    job_definitions!(
        ctx,
        sagemaker,
        found,
        definitions,
        list_model_bias_job_definitions,
        describe_model_bias_job_definition,
        "sagemaker:ListModelBiasJobDefinitions",
        "sagemaker:DescribeModelBiasJobDefinition",
        "model bias job definition"
    );
    job_definitions!(
        ctx,
        sagemaker,
        found,
        definitions,
        list_model_explainability_job_definitions,
        describe_model_explainability_job_definition,
        "sagemaker:ListModelExplainabilityJobDefinitions",
        "sagemaker:DescribeModelExplainabilityJobDefinition",
        "model explainability job definition"
    );
    job_definitions!(
        ctx,
        sagemaker,
        found,
        definitions,
        list_model_quality_job_definitions,
        describe_model_quality_job_definition,
        "sagemaker:ListModelQualityJobDefinitions",
        "sagemaker:DescribeModelQualityJobDefinition",
        "model quality job definition"
    );

    let mut schedules = Vec::new();
    let pages = sagemaker.list_monitoring_schedules().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListMonitoringSchedules", pages, |page| {
        for summary in page.monitoring_schedule_summaries() {
            found.items += 1;
            schedules.extend(summary.monitoring_schedule_name().map(str::to_string));
        }
    })
    .await?;
    let described: Vec<_> = stream::iter(schedules.into_iter().map(|name| {
        let sagemaker = sagemaker.clone();
        async move { sagemaker.describe_monitoring_schedule().monitoring_schedule_name(name).send().await }
    }))
    .buffer_unordered(CONCURRENCY)
    .collect()
    .await;
    for schedule in described {
        let schedule = match schedule {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.as_service_error().is_some_and(gone) => continue,
            Err(e) => return Err(ctx.fail("sagemaker:DescribeMonitoringSchedule", e)),
        };
        let Some(id) = schedule.monitoring_schedule_arn().or(schedule.monitoring_schedule_name()) else { continue };
        let Some(config) = schedule.monitoring_schedule_config() else { continue };
        let kind = ResourceKind::SagemakerMonitoringSchedule;
        if let Some(inline) = config.monitoring_job_definition() {
            let groups = inline.network_config().and_then(|n| n.vpc_config()).map(|v| v.security_group_ids());
            found.config_detail(kind, id, "inline job definition", groups.unwrap_or_default());
        }
        if let Some(name) = config.monitoring_job_definition_name() {
            // A definition created after its list was read is not known here; it is read on the next scan.
            if let Some(groups) = definitions.get(name) {
                found.config_detail(kind, id, &format!("through job definition {name}"), groups);
            }
        }
    }
    Ok(())
}

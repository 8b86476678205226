//! EventBridge Pipes hold groups in two places: a pipe whose target runs ECS tasks names the tasks' groups
//! in `TargetParameters.EcsTaskParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups`, and a
//! pipe reading a self-managed Kafka cluster in a VPC names the groups of its pollers in
//! `SourceParameters.SelfManagedKafkaParameters.Vpc.SecurityGroup`. ListPipes gives only the source and
//! target, so DescribePipe is called for the pipes that can hold a group: an ECS cluster target, or a
//! source that is not an ARN (a self-managed Kafka cluster is the only source named by URL, `smk://...`).
//! A STOPPED pipe is a holder too: starting it polls and runs tasks in the same groups.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "pipes-pipes",
    service: "pipes",
    description:
        "EventBridge pipes with ECS task targets (awsvpc SecurityGroups) or self-managed Kafka sources in a VPC",
    kinds: &[ResourceKind::PipesPipe],
    actions: &[
        crate::probe!("pipes:ListPipes", |ctx| client!(ctx, aws_sdk_pipes).list_pipes().limit(1)),
        crate::probe!("pipes:DescribePipe", |ctx| client!(ctx, aws_sdk_pipes).describe_pipe().name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_pipes::operation::list_pipes::ListPipesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let pipes = client!(ctx, aws_sdk_pipes);

    let mut names = Vec::new();
    let pages = pipes.list_pipes().limit(100).into_paginator().send();
    each_page(ctx, "pipes:ListPipes", pages, |page| {
        for pipe in page.pipes() {
            found.items += 1;
            let ecs_target = pipe.target().is_none_or(|t| t.split(':').nth(2) == Some("ecs"));
            let url_source = pipe.source().is_none_or(|s| !s.starts_with("arn:"));
            if let (Some(name), true) = (pipe.name(), ecs_target || url_source) {
                names.push(name.to_string());
            }
        }
    })
    .await?;

    let pipes = &pipes;
    let described = describe_each(&names, |name| async move {
        match pipes.describe_pipe().name(name).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("pipes:DescribePipe", e)),
        }
    })
    .await?;

    for (name, pipe) in described {
        let id = pipe.arn().unwrap_or(name);
        let state =
            pipe.current_state().map_or_else(|| "in an unknown state".to_string(), |s| s.as_str().to_lowercase());
        if let Some(vpc) = pipe
            .target_parameters()
            .and_then(|t| t.ecs_task_parameters())
            .and_then(|e| e.network_configuration())
            .and_then(|n| n.awsvpc_configuration())
        {
            let detail = format!("ECS task target (awsvpc), pipe {state}");
            found.config_detail(ResourceKind::PipesPipe, id, &detail, vpc.security_groups());
        }
        if let Some(vpc) =
            pipe.source_parameters().and_then(|s| s.self_managed_kafka_parameters()).and_then(|k| k.vpc())
        {
            let detail = format!("self-managed Kafka source in a VPC, pipe {state}");
            found.config_detail(ResourceKind::PipesPipe, id, &detail, vpc.security_group());
        }
    }
    Ok(())
}

//! MWAA Serverless workflows run their tasks in the groups of `NetworkConfiguration.SecurityGroupIds`.
//! ListWorkflows gives ARNs only, so each workflow is read with GetWorkflow (its latest version, the one
//! that runs). A workflow being deleted (DELETING) is left out: it will not run again.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "mwaa-serverless-workflows",
    service: "airflow-serverless",
    description: "MWAA Serverless workflows (NetworkConfiguration.SecurityGroupIds)",
    kinds: &[ResourceKind::MwaaServerlessWorkflow],
    actions: &[
        crate::probe!("airflow-serverless:ListWorkflows", |ctx| client!(ctx, aws_sdk_mwaaserverless)
            .list_workflows()
            .max_results(1)),
        crate::probe!("airflow-serverless:GetWorkflow", |ctx| client!(ctx, aws_sdk_mwaaserverless)
            .get_workflow()
            .workflow_arn(ctx.arn("airflow-serverless", "workflow/sgaudit-preflight-0000000000"))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_mwaaserverless::operation::list_workflows::ListWorkflowsOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let mwaa = client!(ctx, aws_sdk_mwaaserverless);
    let mut arns: Vec<String> = Vec::new();
    let pages = mwaa.list_workflows().max_results(100).into_paginator().send();
    each_page(ctx, "airflow-serverless:ListWorkflows", pages, |page| {
        for workflow in page.workflows() {
            found.items += 1;
            if workflow.workflow_status().is_some_and(|s| s.as_str() == "DELETING") {
                continue;
            }
            arns.push(workflow.workflow_arn().to_string());
        }
    })
    .await?;

    let mwaa = &mwaa;
    let read = describe_each(&arns, |arn| async move {
        match mwaa.get_workflow().workflow_arn(arn).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted between the list and the read: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("airflow-serverless:GetWorkflow", e)),
        }
    })
    .await?;
    for (arn, out) in read {
        let groups = out.network_configuration().map(|n| n.security_group_ids()).unwrap_or_default();
        found.config_detail(ResourceKind::MwaaServerlessWorkflow, arn, "NetworkConfiguration", groups);
    }
    Ok(())
}

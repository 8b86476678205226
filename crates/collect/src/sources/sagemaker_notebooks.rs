//! SageMaker notebook instances name their groups only in the instance's description; a stopped
//! notebook keeps them (and its interface).

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "sagemaker-notebooks",
    service: "api.sagemaker",
    description: "SageMaker notebook instances, stopped ones included (SecurityGroups)",
    kinds: &[ResourceKind::SagemakerNotebookInstance],
    actions: &[
        crate::probe!("sagemaker:ListNotebookInstances", |ctx| client!(ctx, aws_sdk_sagemaker)
            .list_notebook_instances()
            .max_results(1)),
        crate::probe!("sagemaker:DescribeNotebookInstance", |ctx| client!(ctx, aws_sdk_sagemaker)
            .describe_notebook_instance()
            .notebook_instance_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_sagemaker::operation::list_notebook_instances::ListNotebookInstancesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let sagemaker = client!(ctx, aws_sdk_sagemaker);
    let mut names = Vec::new();
    let pages = sagemaker.list_notebook_instances().max_results(100).into_paginator().send();
    each_page(ctx, "sagemaker:ListNotebookInstances", pages, |page| {
        names.extend(page.notebook_instances().iter().filter_map(|n| n.notebook_instance_name().map(str::to_string)));
    })
    .await?;

    for name in &names {
        let notebook = match sagemaker.describe_notebook_instance().notebook_instance_name(name).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("sagemaker:DescribeNotebookInstance", e)),
        };
        found.items += 1;
        let id = notebook.notebook_instance_arn().unwrap_or(name);
        found.config(ResourceKind::SagemakerNotebookInstance, id, notebook.security_groups());
    }
    Ok(())
}

/// SageMaker models no not-found error: a missing resource answers ValidationException, with the message
/// "RecordNotFound" (notebook instances) or "Could not find ..." (models, endpoints, endpoint configs).
pub(super) fn vanished(err: &impl ProvideErrorMetadata) -> bool {
    err.code() == Some("ValidationException")
        && err.message().is_some_and(|m| m.contains("RecordNotFound") || m.starts_with("Could not find"))
}

//! EMR Serverless applications name the groups of their workers' interfaces in `networkConfiguration`,
//! which the list does not give, so each application is described. A created or stopped application
//! starts (on its own, when a job is submitted) with those groups, so every state but terminated is a
//! holder.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "emr-serverless-applications",
    service: "emr-serverless",
    description: "EMR Serverless applications (networkConfiguration)",
    kinds: &[ResourceKind::EmrServerlessApplication],
    actions: &[
        crate::probe!("emr-serverless:ListApplications", |ctx| client!(ctx, aws_sdk_emrserverless)
            .list_applications()
            .max_results(1)),
        crate::probe!("emr-serverless:GetApplication", |ctx| client!(ctx, aws_sdk_emrserverless)
            .get_application()
            .application_id("0000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    use aws_sdk_emrserverless::types::ApplicationState;
    let emr = client!(ctx, aws_sdk_emrserverless);
    let mut ids = Vec::new();
    let mut trail = ctx.pages("emr-serverless:ListApplications");
    let mut token: Option<String> = None;
    loop {
        let page = emr
            .list_applications()
            .max_results(50)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("emr-serverless:ListApplications", e))?;
        for app in page.applications() {
            found.items += 1;
            // A terminated application is listed for a while but holds nothing.
            if *app.state() != ApplicationState::Terminated {
                ids.push(app.id().to_string());
            }
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for id in &ids {
        let out = match emr.get_application().application_id(id).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("ResourceNotFoundException") => continue,
            Err(e) => return Err(ctx.fail("emr-serverless:GetApplication", e)),
        };
        let Some(app) = out.application() else {
            continue;
        };
        let groups = app.network_configuration().map(|n| n.security_group_ids()).unwrap_or_default();
        found.config_detail(ResourceKind::EmrServerlessApplication, app.arn(), "networkConfiguration", groups);
    }
    Ok(())
}

//! Comprehend custom models (document classifiers, entity recognizers) and flywheels name a VPC in
//! `VpcConfig`: a model's is used by its training (a stopped or failed training can be run again as a new
//! version with the same settings), a flywheel's by every training run it starts. AWS does not say that a
//! trained model stops using it, so every model is recorded, trained or not. The lists give the models'
//! whole configuration; a flywheel's comes from its describe.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "comprehend-models",
    service: "comprehend",
    description: "Comprehend document classifiers, entity recognizers and flywheels (VpcConfig)",
    kinds: &[
        ResourceKind::ComprehendDocumentClassifier,
        ResourceKind::ComprehendEntityRecognizer,
        ResourceKind::ComprehendFlywheel,
    ],
    actions: &[
        crate::probe!("comprehend:ListDocumentClassifiers", |ctx| client!(ctx, aws_sdk_comprehend)
            .list_document_classifiers()
            .max_results(1)),
        crate::probe!("comprehend:ListEntityRecognizers", |ctx| client!(ctx, aws_sdk_comprehend)
            .list_entity_recognizers()
            .max_results(1)),
        crate::probe!("comprehend:ListFlywheels", |ctx| client!(ctx, aws_sdk_comprehend)
            .list_flywheels()
            .max_results(1)),
        crate::probe!("comprehend:DescribeFlywheel", |ctx| client!(ctx, aws_sdk_comprehend)
            .describe_flywheel()
            .flywheel_arn(ctx.arn("comprehend", &format!("flywheel/{PROBE_NAME}")))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

fn groups(vpc: Option<&aws_sdk_comprehend::types::VpcConfig>) -> &[String] {
    vpc.map(|v| v.security_group_ids()).unwrap_or_default()
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let comprehend = client!(ctx, aws_sdk_comprehend);

    let mut trail = ctx.pages("comprehend:ListDocumentClassifiers");
    let mut token: Option<String> = None;
    loop {
        let page = comprehend
            .list_document_classifiers()
            .max_results(500)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("comprehend:ListDocumentClassifiers", e))?;
        for model in page.document_classifier_properties_list() {
            found.items += 1;
            let Some(id) = model.document_classifier_arn() else {
                continue;
            };
            found.config(ResourceKind::ComprehendDocumentClassifier, id, groups(model.vpc_config()));
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    let mut trail = ctx.pages("comprehend:ListEntityRecognizers");
    let mut token: Option<String> = None;
    loop {
        let page = comprehend
            .list_entity_recognizers()
            .max_results(500)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("comprehend:ListEntityRecognizers", e))?;
        for model in page.entity_recognizer_properties_list() {
            found.items += 1;
            let Some(id) = model.entity_recognizer_arn() else {
                continue;
            };
            found.config(ResourceKind::ComprehendEntityRecognizer, id, groups(model.vpc_config()));
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    let mut flywheels = Vec::new();
    let mut trail = ctx.pages("comprehend:ListFlywheels");
    let mut token: Option<String> = None;
    loop {
        let page = comprehend
            .list_flywheels()
            .max_results(500)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("comprehend:ListFlywheels", e))?;
        flywheels.extend(page.flywheel_summary_list().iter().filter_map(|f| f.flywheel_arn().map(str::to_string)));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for arn in &flywheels {
        let out = match comprehend.describe_flywheel().flywheel_arn(arn).send().await {
            Ok(out) => out,
            // Deleted between the list and the describe: it holds nothing any more.
            Err(e) if e.code() == Some("ResourceNotFoundException") => continue,
            Err(e) => return Err(ctx.fail("comprehend:DescribeFlywheel", e)),
        };
        found.items += 1;
        let vpc = out.flywheel_properties().and_then(|p| p.data_security_config()).and_then(|d| d.vpc_config());
        found.config_detail(ResourceKind::ComprehendFlywheel, arn, "DataSecurityConfig.VpcConfig", groups(vpc));
    }
    Ok(())
}

//! Amazon Q Business data sources that crawl a VPC name their groups in `vpcConfiguration`, which only
//! GetDataSource gives. Data sources live in indices of applications, so the applications, each one's
//! indices and each index's data sources are listed, then each data source is read. A data source being
//! deleted is left out: it will not sync again.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef};

/// The id a probe names an application, an index or a data source by (the API takes 36-character ids).
const PROBE_ID: &str = "00000000-0000-0000-0000-000000000000";

pub const SOURCE: SourceDef = SourceDef {
    id: "qbusiness-data-sources",
    service: "qbusiness",
    description: "Amazon Q Business data sources with a VPC configuration (vpcConfiguration.securityGroupIds)",
    kinds: &[ResourceKind::QbusinessDataSource],
    actions: &[
        crate::probe!("qbusiness:ListApplications", |ctx| client!(ctx, aws_sdk_qbusiness)
            .list_applications()
            .max_results(1)),
        crate::probe!("qbusiness:ListIndices", |ctx| client!(ctx, aws_sdk_qbusiness)
            .list_indices()
            .application_id(PROBE_ID)
            .max_results(1)),
        crate::probe!("qbusiness:ListDataSources", |ctx| client!(ctx, aws_sdk_qbusiness)
            .list_data_sources()
            .application_id(PROBE_ID)
            .index_id(PROBE_ID)
            .max_results(1)),
        crate::probe!("qbusiness:GetDataSource", |ctx| client!(ctx, aws_sdk_qbusiness)
            .get_data_source()
            .application_id(PROBE_ID)
            .index_id(PROBE_ID)
            .data_source_id(PROBE_ID)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_qbusiness::operation::list_applications::ListApplicationsOutput => next_token,
    aws_sdk_qbusiness::operation::list_indices::ListIndicesOutput => next_token,
    aws_sdk_qbusiness::operation::list_data_sources::ListDataSourcesOutput => next_token,
);

/// A data source, by the application and index it is in.
struct DataSource {
    application: String,
    index: String,
    id: String,
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let q = client!(ctx, aws_sdk_qbusiness);
    let mut applications: Vec<String> = Vec::new();
    let pages = q.list_applications().max_results(100).into_paginator().send();
    each_page(ctx, "qbusiness:ListApplications", pages, |page| {
        applications.extend(page.applications().iter().filter_map(|a| a.application_id().map(str::to_string)));
    })
    .await?;

    let mut indices: Vec<(String, String)> = Vec::new();
    for application in &applications {
        let pages = q.list_indices().application_id(application).max_results(100).into_paginator().send();
        each_page(ctx, "qbusiness:ListIndices", pages, |page| {
            for index in page.indices() {
                indices.extend(index.index_id().map(|i| (application.clone(), i.to_string())));
            }
        })
        .await?;
    }

    let mut sources: Vec<DataSource> = Vec::new();
    for (application, index) in &indices {
        let pages =
            q.list_data_sources().application_id(application).index_id(index).max_results(10).into_paginator().send();
        each_page(ctx, "qbusiness:ListDataSources", pages, |page| {
            for source in page.data_sources() {
                found.items += 1;
                if source.status().is_some_and(|s| s.as_str() == "DELETING") {
                    continue;
                }
                if let Some(id) = source.data_source_id() {
                    sources.push(DataSource {
                        application: application.clone(),
                        index: index.clone(),
                        id: id.to_string(),
                    });
                }
            }
        })
        .await?;
    }

    let q = &q;
    let read = describe_each(&sources, |source| async move {
        let call =
            q.get_data_source().application_id(&source.application).index_id(&source.index).data_source_id(&source.id);
        match call.send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted (or its index or application deleted) between the list and the read.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("qbusiness:GetDataSource", e)),
        }
    })
    .await?;
    for (source, out) in read {
        let Some(vpc) = out.vpc_configuration() else {
            continue;
        };
        let id = out.data_source_arn().unwrap_or(&source.id);
        let detail = format!("vpcConfiguration, application {} index {}", source.application, source.index);
        found.config_detail(ResourceKind::QbusinessDataSource, id, &detail, vpc.security_group_ids());
    }
    Ok(())
}

//! Amazon Kendra data sources that crawl a repository inside a VPC name the groups of their crawler
//! interfaces in `VpcConfiguration.SecurityGroupIds` (and, for the older connector-specific
//! configurations, in `Configuration.<connector>Configuration.VpcConfiguration.SecurityGroupIds`). Data
//! sources belong to indexes: the indexes are listed, then each index's data sources, then each data
//! source is read with DescribeDataSource (the list gives no VPC configuration).

use aws_sdk_kendra::operation::describe_data_source::DescribeDataSourceOutput;
use aws_sdk_kendra::types::DataSourceVpcConfiguration;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

/// A well-formed index id (36 characters) that no index has, for the probes that need one.
const PROBE_INDEX: &str = "00000000-0000-0000-0000-000000000000";

pub const SOURCE: SourceDef = SourceDef {
    id: "kendra-data-sources",
    service: "kendra",
    description: "Kendra data sources with a VPC configuration (VpcConfiguration.SecurityGroupIds)",
    kinds: &[ResourceKind::KendraDataSource],
    actions: &[
        crate::probe!("kendra:ListIndices", |ctx| client!(ctx, aws_sdk_kendra).list_indices().max_results(1)),
        crate::probe!("kendra:ListDataSources", |ctx| client!(ctx, aws_sdk_kendra)
            .list_data_sources()
            .index_id(PROBE_INDEX)
            .max_results(1)),
        crate::probe!("kendra:DescribeDataSource", |ctx| client!(ctx, aws_sdk_kendra)
            .describe_data_source()
            .index_id(PROBE_INDEX)
            .id(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_kendra::operation::list_indices::ListIndicesOutput => next_token,
    aws_sdk_kendra::operation::list_data_sources::ListDataSourcesOutput => next_token,
);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let kendra = client!(ctx, aws_sdk_kendra);

    let mut indexes = Vec::new();
    let pages = kendra.list_indices().max_results(100).into_paginator().send();
    each_page(ctx, "kendra:ListIndices", pages, |page| {
        indexes.extend(page.index_configuration_summary_items().iter().filter_map(|i| i.id().map(str::to_string)));
    })
    .await?;

    let mut sources: Vec<(String, String)> = Vec::new();
    for index in &indexes {
        let pages = kendra.list_data_sources().index_id(index).max_results(100).into_paginator().send();
        each_page(ctx, "kendra:ListDataSources", pages, |page| {
            for source in page.summary_items() {
                found.items += 1;
                sources.extend(source.id().map(|id| (index.clone(), id.to_string())));
            }
        })
        .await?;
    }

    let kendra = &kendra;
    let described = describe_each(&sources, |(index, id)| async move {
        match kendra.describe_data_source().index_id(index).id(id).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted (or its index deleted) after the list: it holds nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("kendra:DescribeDataSource", e)),
        }
    })
    .await?;

    for ((index, id), source) in described {
        let resource = format!("index/{index}/data-source/{id}");
        for (detail, vpc) in vpc_configurations(&source) {
            found.config_detail(ResourceKind::KendraDataSource, &resource, detail, vpc.security_group_ids());
        }
    }
    Ok(())
}

/// The data source's VPC configuration, and those of the connector-specific configurations that have one.
/// Deprecated configurations (Alfresco's, in favour of templates) are still read: data sources made with
/// them keep them.
#[allow(deprecated)]
fn vpc_configurations(source: &DescribeDataSourceOutput) -> Vec<(&'static str, &DataSourceVpcConfiguration)> {
    let mut found = Vec::new();
    found.extend(source.vpc_configuration().map(|v| ("VpcConfiguration", v)));
    let Some(c) = source.configuration() else {
        return found;
    };
    let connectors = [
        ("SharePointConfiguration", c.share_point_configuration().and_then(|x| x.vpc_configuration())),
        ("DatabaseConfiguration", c.database_configuration().and_then(|x| x.vpc_configuration())),
        ("ConfluenceConfiguration", c.confluence_configuration().and_then(|x| x.vpc_configuration())),
        ("FsxConfiguration", c.fsx_configuration().and_then(|x| x.vpc_configuration())),
        ("SlackConfiguration", c.slack_configuration().and_then(|x| x.vpc_configuration())),
        ("BoxConfiguration", c.box_configuration().and_then(|x| x.vpc_configuration())),
        ("QuipConfiguration", c.quip_configuration().and_then(|x| x.vpc_configuration())),
        ("JiraConfiguration", c.jira_configuration().and_then(|x| x.vpc_configuration())),
        ("GitHubConfiguration", c.git_hub_configuration().and_then(|x| x.vpc_configuration())),
        ("AlfrescoConfiguration", c.alfresco_configuration().and_then(|x| x.vpc_configuration())),
    ];
    found.extend(connectors.into_iter().filter_map(|(name, vpc)| vpc.map(|v| (name, v))));
    found
}

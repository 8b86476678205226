//! Elasticsearch Service domains in a VPC name their groups in `VPCOptions`. The Elasticsearch and
//! OpenSearch APIs both list every domain of the service, so this source asks only for domains of the
//! Elasticsearch engine, and the OpenSearch source for the others: each domain is reported once.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "elasticsearch-domains",
    service: "es",
    description: "Elasticsearch-engine domains in a VPC (VPCOptions.SecurityGroupIds)",
    kinds: &[ResourceKind::ElasticsearchDomain],
    actions: &[
        crate::probe!("es:ListDomainNames", |ctx| client!(ctx, aws_sdk_elasticsearch)
            .list_domain_names()
            .engine_type(aws_sdk_elasticsearch::types::EngineType::Elasticsearch)),
        crate::probe!("es:DescribeElasticsearchDomains", |ctx| client!(ctx, aws_sdk_elasticsearch)
            .describe_elasticsearch_domains()
            .domain_names(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// The most domains `DescribeElasticsearchDomains` accepts in one call.
const DESCRIBE_BATCH: usize = 5;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let es = client!(ctx, aws_sdk_elasticsearch);
    // ListDomainNames is not paginated: one answer holds every domain of the region.
    let listed = es
        .list_domain_names()
        .engine_type(aws_sdk_elasticsearch::types::EngineType::Elasticsearch)
        .send()
        .await
        .map_err(|e| ctx.fail("es:ListDomainNames", e))?;
    let names: Vec<String> = listed.domain_names().iter().filter_map(|d| d.domain_name().map(str::to_string)).collect();

    // A domain deleted between the list and the describe is simply absent from the answer.
    for batch in names.chunks(DESCRIBE_BATCH) {
        let out = es
            .describe_elasticsearch_domains()
            .set_domain_names(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| ctx.fail("es:DescribeElasticsearchDomains", e))?;
        for domain in out.domain_status_list() {
            found.items += 1;
            let groups = domain.vpc_options().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::ElasticsearchDomain, domain.arn(), groups);
        }
    }
    Ok(())
}

//! OpenSearch Service domains in a VPC name their groups in `VPCOptions`. The OpenSearch and
//! Elasticsearch APIs both list every domain of the service, so this source asks only for domains of the
//! OpenSearch engine, and the Elasticsearch source for the others: each domain is reported once.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "opensearch-domains",
    service: "es",
    description: "OpenSearch-engine domains in a VPC (VPCOptions.SecurityGroupIds)",
    kinds: &[ResourceKind::OpensearchDomain],
    actions: &[
        crate::probe!("es:ListDomainNames", |ctx| client!(ctx, aws_sdk_opensearch).list_domain_names()),
        crate::probe!("es:DescribeDomains", |ctx| client!(ctx, aws_sdk_opensearch)
            .describe_domains()
            .domain_names(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// The most domains `DescribeDomains` accepts in one call.
const DESCRIBE_BATCH: usize = 5;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let opensearch = client!(ctx, aws_sdk_opensearch);
    // ListDomainNames is not paginated: one answer holds every domain of the region.
    let listed = opensearch
        .list_domain_names()
        .engine_type(aws_sdk_opensearch::types::EngineType::OpenSearch)
        .send()
        .await
        .map_err(|e| ctx.fail("es:ListDomainNames", e))?;
    let names: Vec<String> = listed.domain_names().iter().filter_map(|d| d.domain_name().map(str::to_string)).collect();

    // A domain deleted between the list and the describe is simply absent from the answer.
    for batch in names.chunks(DESCRIBE_BATCH) {
        let out = opensearch
            .describe_domains()
            .set_domain_names(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| ctx.fail("es:DescribeDomains", e))?;
        for domain in out.domain_status_list() {
            found.items += 1;
            let groups = domain.vpc_options().map(|v| v.security_group_ids()).unwrap_or_default();
            found.config(ResourceKind::OpensearchDomain, domain.arn(), groups);
        }
    }
    Ok(())
}

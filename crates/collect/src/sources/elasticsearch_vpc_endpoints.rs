//! The OpenSearch-managed VPC endpoints of domains, through the Elasticsearch API: see
//! `opensearch_vpc_endpoints`, whose code this shares.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use super::opensearch_vpc_endpoints::collect_vpc_endpoints;
use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "elasticsearch-vpc-endpoints",
    service: "es",
    description:
        "OpenSearch-managed VPC endpoints of domains, through the Elasticsearch API (VpcOptions.SecurityGroupIds)",
    kinds: &[ResourceKind::ElasticsearchVpcEndpoint],
    actions: &[
        crate::probe!("es:ListVpcEndpoints", |ctx| client!(ctx, aws_sdk_elasticsearch).list_vpc_endpoints()),
        crate::probe!("es:DescribeVpcEndpoints", |ctx| client!(ctx, aws_sdk_elasticsearch)
            .describe_vpc_endpoints()
            .vpc_endpoint_ids("aos-0000000000000000000000000")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

collect_vpc_endpoints!(aws_sdk_elasticsearch, ResourceKind::ElasticsearchVpcEndpoint);

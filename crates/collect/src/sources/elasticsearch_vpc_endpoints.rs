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
    actions: &["es:ListVpcEndpoints", "es:DescribeVpcEndpoints"],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

collect_vpc_endpoints!(aws_sdk_elasticsearch, ResourceKind::ElasticsearchVpcEndpoint);

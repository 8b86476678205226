//! Canned answers for the calls moto lacks, of one family of sources (see `canned.rs`).
#![allow(unused_imports)]

use super::{json, xml};
use crate::common::proxy::Rule;

/// An EC2 (query protocol) answer: `<{action}Response>` around `inner`.
pub fn ec2(action: &str, inner: &str) -> Rule {
    xml(
        &format!("service=ec2 && {action} "),
        &format!(
            r#"<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>canned</requestId>{inner}</{action}Response>"#
        ),
    )
}

/// An awsQuery answer of `service` (`elasticache`, `redshift`, `rds`): `<{action}Result>` holds `inner`.
pub fn query(service: &str, xmlns: &str, action: &str, inner: &str) -> Rule {
    xml(
        &format!("service={service} && {action} "),
        &format!(
            r#"<{action}Response xmlns="{xmlns}"><{action}Result>{inner}</{action}Result><ResponseMetadata><RequestId>canned</RequestId></ResponseMetadata></{action}Response>"#
        ),
    )
}

pub const ELASTICACHE_XMLNS: &str = "http://elasticache.amazonaws.com/doc/2015-02-02/";
pub const REDSHIFT_XMLNS: &str = "http://redshift.amazonaws.com/doc/2012-12-01/";
pub const RDS_XMLNS: &str = "http://rds.amazonaws.com/doc/2014-10-31/";

/// Empty lists, in the real wire format, for this family's calls moto does not implement.
pub fn empty_lists() -> Vec<Rule> {
    vec![
        // ec2 (query protocol; lists are `<item>`s).
        ec2("DescribeClientVpnEndpoints", "<clientVpnEndpoint/>"),
        ec2("DescribeClientVpnTargetNetworks", "<clientVpnTargetNetworks/>"),
        ec2("DescribeInstanceConnectEndpoints", "<instanceConnectEndpointSet/>"),
        ec2("DescribeVerifiedAccessEndpoints", "<verifiedAccessEndpointSet/>"),
        // awsQuery.
        query("elasticache", ELASTICACHE_XMLNS, "DescribeServerlessCaches", "<ServerlessCaches/>"),
        query("redshift", REDSHIFT_XMLNS, "DescribeEndpointAccess", "<EndpointAccessList/>"),
        query("rds", RDS_XMLNS, "DescribeDBProxyEndpoints", "<DBProxyEndpoints/>"),
        // moto implements DescribeOptionGroups only for a named group: with no name it fails (KeyError).
        query("rds", RDS_XMLNS, "DescribeOptionGroups", "<OptionGroupsList/>"),
        // awsJson 1.1 (the operation is the X-Amz-Target header).
        json("service=dms && AmazonDMSv20160101.DescribeInstanceProfiles", r#"{"InstanceProfiles":[]}"#),
        json("service=dms && AmazonDMSv20160101.DescribeReplicationConfigs", r#"{"ReplicationConfigs":[]}"#),
        json("service=ds && DirectoryService_20150416.ListADAssessments", r#"{"Assessments":[]}"#),
        json("service=elasticmapreduce && ElasticMapReduce.ListStudios", r#"{"Studios":[]}"#),
        json("service=codebuild && CodeBuild_20161006.ListFleets", r#"{"fleets":[]}"#),
        // restJson (the operation is `METHOD /path`).
        json("service=es && GET /2015-01-01/es/vpcEndpoints", r#"{"VpcEndpointSummaryList":[]}"#),
        json("service=es && GET /2021-01-01/opensearch/vpcEndpoints", r#"{"VpcEndpointSummaryList":[]}"#),
        json("service=kafka && GET /replication/v1/replicators", r#"{"replicators":[]}"#),
        json("service=kafka && GET /v1/vpc-connections", r#"{"vpcConnections":[]}"#),
    ]
}

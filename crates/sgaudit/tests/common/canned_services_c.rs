//! Canned answers for the calls moto lacks, of one family of sources (see `canned.rs`).
#![allow(unused_imports)]

use super::{json, xml};
use crate::common::proxy::Rule;

/// Empty lists, in the real wire format, for this family's calls moto does not implement. (moto answers
/// MediaLive ListChannels, OpenSearch Ingestion ListPipelines, Synthetics DescribeCanaries, Timestream for
/// InfluxDB, VPC Lattice ListServiceNetworks and WorkSpaces Secure Browser itself.)
pub fn empty_lists() -> Vec<Rule> {
    vec![
        // restJson: `METHOD /path`.
        json("service=mgn && POST /DescribeReplicationConfigurationTemplates", r#"{"items":[]}"#),
        json("service=mgn && POST /DescribeSourceServers", r#"{"items":[]}"#),
        json("service=airflow && GET /environments", r#"{"Environments":[]}"#),
        json("service=omics && GET /configuration", r#"{"items":[]}"#),
        json("service=osis && GET /2022-01-01/osis/listPipelineEndpoints", r#"{"PipelineEndpoints":[]}"#),
        json("service=pca-connector-ad && GET /connectors", r#"{"Connectors":[]}"#),
        json("service=qbusiness && GET /applications", r#"{"applications":[]}"#),
        json("service=quicksight && /vpc-connections", r#"{"VPCConnectionSummaries":[],"RequestId":"canned"}"#),
        json("service=rtbfabric && GET /requester-gateways", r#"{"gatewayIds":[]}"#),
        json("service=rtbfabric && GET /responder-gateways", r#"{"gatewayIds":[]}"#),
        json("service=s3files && GET /mount-targets", r#"{"mountTargets":[]}"#),
        json("service=s3-outposts && GET /S3Outposts/ListEndpoints", r#"{"Endpoints":[]}"#),
        json("service=securityagent && POST /ListAgentSpaces", r#"{"agentSpaceSummaries":[]}"#),
        json("service=vpc-lattice && GET /resourcegateways", r#"{"items":[]}"#),
        // awsJson: the X-Amz-Target.
        json("service=airflow-serverless && AmazonMWAAServerless.ListWorkflows", r#"{"Workflows":[]}"#),
        json("service=aoss && OpenSearchServerless.ListVpcEndpoints", r#"{"vpcEndpointSummaries":[]}"#),
        json("service=pcs && AWSParallelComputingService.ListClusters", r#"{"clusters":[]}"#),
        json("service=redshift-serverless && RedshiftServerless.ListWorkgroups", r#"{"workgroups":[]}"#),
        json("service=redshift-serverless && RedshiftServerless.ListEndpointAccess", r#"{"endpoints":[]}"#),
    ]
}

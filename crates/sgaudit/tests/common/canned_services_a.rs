//! Canned answers for the calls moto lacks, of one family of sources (see `canned.rs`).
#![allow(unused_imports)]

use super::{cbor, json, xml};
use crate::common::proxy::Rule;

/// Empty lists, in the real wire format, for this family's calls moto does not implement.
pub fn empty_lists() -> Vec<Rule> {
    vec![
        // Managed Service for Prometheus: moto has workspaces but no scrapers.
        json("service=aps && GET /scrapers", r#"{"scrapers":[]}"#),
        json("service=apprunner && AppRunner.ListVpcConnectors", r#"{"VpcConnectors":[]}"#),
        // AppStream and CodeConnections speak Smithy RPC v2 CBOR (moto has neither).
        cbor("service=appstream && /operation/DescribeFleets", &serde_json::json!({"Fleets": []})),
        cbor("service=appstream && /operation/DescribeImageBuilders", &serde_json::json!({"ImageBuilders": []})),
        cbor("service=appstream && /operation/DescribeAppBlockBuilders", &serde_json::json!({"AppBlockBuilders": []})),
        cbor("service=codeconnections && /operation/ListHosts", &serde_json::json!({"Hosts": []})),
        json("service=bedrock && GET /marketplace-model/endpoints", r#"{"marketplaceModelEndpoints":[]}"#),
        // Bedrock AgentCore: moto has runtimes and gateways, but routes them only with the trailing slash of
        // the model's URIs (`/runtimes/`), which the Rust SDK does not send (`/runtimes`): moto answers 404.
        json("service=bedrock-agentcore && POST /runtimes", r#"{"agentRuntimes":[]}"#),
        json("service=bedrock-agentcore && GET /gateways", r#"{"items":[]}"#),
        json("service=bedrock-agentcore && POST /browsers", r#"{"browserSummaries":[]}"#),
        json("service=bedrock-agentcore && POST /code-interpreters", r#"{"codeInterpreterSummaries":[]}"#),
        json("service=bedrock-agentcore && GET /harnesses", r#"{"harnesses":[]}"#),
        json(
            "service=bedrock-agentcore && POST /identities/ListOauth2CredentialProviders",
            r#"{"credentialProviders":[]}"#,
        ),
        json("service=bedrock-agentcore && POST /payments/managers-list", r#"{"paymentManagers":[]}"#),
        json("service=bedrock-agentcore && GET /registries", r#"{"registries":[]}"#),
        // DataSync: moto has locations and tasks but no agents.
        json("service=datasync && FmrsService.ListAgents", r#"{"Agents":[]}"#),
        json("service=datazone && GET /v2/domains", r#"{"items":[]}"#),
        json("service=deadline && GET /2023-10-12/license-endpoints", r#"{"licenseEndpoints":[]}"#),
        json("service=devicefarm && DeviceFarm_20150623.ListProjects", r#"{"projects":[]}"#),
        json("service=devicefarm && DeviceFarm_20150623.ListTestGridProjects", r#"{"testGridProjects":[]}"#),
        json("service=docdb-elastic && GET /clusters", r#"{"clusters":[]}"#),
        json("service=drs && POST /DescribeReplicationConfigurationTemplates", r#"{"items":[]}"#),
        json("service=drs && POST /DescribeSourceServers", r#"{"items":[]}"#),
        // EMR on EKS: moto has virtual clusters but no managed endpoints.
        json("service=emr-containers && GET /virtualclusters/ && /endpoints", r#"{"endpoints":[]}"#),
    ]
}

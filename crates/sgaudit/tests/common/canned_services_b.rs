//! Canned answers for the calls moto lacks, of one family of sources (see `canned.rs`): services whose
//! holders are EventBridge targets, streaming, analytics and media resources.
#![allow(unused_imports)]

use super::{json, xml};
use crate::common::proxy::Rule;

/// Empty lists, in the real wire format, for this family's calls moto does not implement.
pub fn empty_lists() -> Vec<Rule> {
    vec![
        // awsJson 1.0, target prefix AmazonElasticVMwareService.
        json("service=evs && AmazonElasticVMwareService.ListEnvironments", r#"{"environmentSummaries":[]}"#),
        // restJson.
        json("service=finspace && GET /kx/environments", r#"{"environments":[]}"#),
        json("service=grafana && GET /workspaces", r#"{"workspaces":[]}"#),
        json("service=groundstation && GET /dataflowEndpointGroup", r#"{"dataflowEndpointGroupList":[]}"#),
        json(
            "service=imagebuilder && POST /ListInfrastructureConfigurations",
            r#"{"requestId":"r-1","infrastructureConfigurationSummaryList":[]}"#,
        ),
        // moto's IoT has no topic rule destinations.
        json("service=iot GET /destinations", r#"{"destinationSummaries":[]}"#),
        json("service=kafkaconnect && GET /v1/connectors", r#"{"connectors":[]}"#),
        // awsJson 1.1, target prefix AWSKendraFrontendService.
        json("service=kendra && AWSKendraFrontendService.ListIndices", r#"{"IndexConfigurationSummaryItems":[]}"#),
        json(
            "service=license-manager-user-subscriptions && POST /identity-provider/ListIdentityProviders",
            r#"{"IdentityProviderSummaries":[]}"#,
        ),
        json("service=m2 && GET /environments", r#"{"environments":[]}"#),
        // moto's MediaConnect has flows but no router network interfaces.
        json("service=mediaconnect && POST /v1/routerNetworkInterfaces", r#"{"routerNetworkInterfaces":[]}"#),
    ]
}

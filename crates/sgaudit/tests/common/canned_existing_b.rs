//! Canned answers for the calls moto lacks, of one family of sources (see `canned.rs`).
#![allow(unused_imports)]

use super::{json, xml};
use crate::common::proxy::Rule;

/// Empty lists, in the real wire format, for this family's calls moto does not implement.
pub fn empty_lists() -> Vec<Rule> {
    vec![
        // moto's DescribeCapacityProviders fails when no provider is named (a cluster's, here).
        json(
            "service=ecs && AmazonEC2ContainerServiceV20141113.DescribeCapacityProviders",
            r#"{"capacityProviders":[],"failures":[]}"#,
        ),
        json("service=lambda && GET /2025-11-30/capacity-providers", r#"{"CapacityProviders":[]}"#),
        json("service=sagemaker && SageMaker.ListUserProfiles", r#"{"UserProfiles":[]}"#),
        json("service=sagemaker && SageMaker.ListMonitoringSchedules", r#"{"MonitoringScheduleSummaries":[]}"#),
        json("service=sagemaker && SageMaker.ListWorkforces", r#"{"Workforces":[]}"#),
    ]
}

//! Every source of evidence, listed explicitly (no magic registration): adding a source is adding a file
//! in `sources/` and a line here.

use crate::source::SourceDef;
use crate::sources;

pub const SOURCES: &[SourceDef] = &[
    sources::security_groups::SOURCE,
    sources::network_interfaces::SOURCE,
    sources::ec2_instances::SOURCE,
    sources::launch_templates::SOURCE,
    sources::launch_configurations::SOURCE,
    sources::spot_requests::SOURCE,
    sources::vpc_endpoints::SOURCE,
    sources::peered_references::SOURCE,
    sources::elb_classic::SOURCE,
    sources::elbv2_load_balancers::SOURCE,
    sources::ecs_services::SOURCE,
    sources::eks_clusters::SOURCE,
    sources::batch_compute_environments::SOURCE,
    sources::emr_clusters::SOURCE,
    sources::elasticbeanstalk_environments::SOURCE,
    sources::efs_mount_targets::SOURCE,
    sources::fsx_file_systems::SOURCE,
    sources::workspaces_directories::SOURCE,
    sources::directory_service::SOURCE,
    sources::route53_resolver_endpoints::SOURCE,
    sources::apigatewayv2_vpc_links::SOURCE,
    sources::codebuild_projects::SOURCE,
    sources::rds_instances::SOURCE,
    sources::rds_clusters::SOURCE,
    sources::rds_proxies::SOURCE,
    sources::redshift_clusters::SOURCE,
    sources::elasticache_clusters::SOURCE,
    sources::memorydb_clusters::SOURCE,
    sources::dax_clusters::SOURCE,
    sources::msk_clusters::SOURCE,
    sources::mq_brokers::SOURCE,
    sources::sagemaker_notebooks::SOURCE,
    sources::sagemaker_endpoints::SOURCE,
    sources::transfer_servers::SOURCE,
    sources::glue_connections::SOURCE,
    sources::elasticsearch_domains::SOURCE,
    sources::opensearch_domains::SOURCE,
    sources::dms_replication_instances::SOURCE,
    sources::lambda_functions::SOURCE,
    sources::autoscaling_groups::SOURCE,
    sources::ec2_fleets::SOURCE,
    sources::security_group_vpc_associations::SOURCE,
    sources::ram_shared_groups::SOURCE,
    sources::stale_rules::SOURCE,
    sources::codebuild_fleets::SOURCE,
    sources::dms_instance_profiles::SOURCE,
    sources::dms_replication_configs::SOURCE,
    sources::ds_ad_assessments::SOURCE,
    sources::ec2_client_vpn_endpoints::SOURCE,
    sources::ec2_instance_connect_endpoints::SOURCE,
    sources::ec2_verified_access_endpoints::SOURCE,
    sources::elasticache_serverless_caches::SOURCE,
    sources::elasticsearch_vpc_endpoints::SOURCE,
    sources::emr_studios::SOURCE,
    sources::glue_dev_endpoints::SOURCE,
    sources::msk_replicators::SOURCE,
    sources::msk_vpc_connections::SOURCE,
    sources::opensearch_vpc_endpoints::SOURCE,
    sources::rds_option_groups::SOURCE,
    sources::rds_proxy_endpoints::SOURCE,
    sources::redshift_endpoint_access::SOURCE,
    sources::ecs_capacity_providers::SOURCE,
    sources::lambda_capacity_providers::SOURCE,
    sources::lambda_event_source_mappings::SOURCE,
    sources::sagemaker_domains::SOURCE,
    sources::sagemaker_hyperpod_clusters::SOURCE,
    sources::sagemaker_monitoring::SOURCE,
    sources::sagemaker_workforces::SOURCE,
    sources::appstream_fleets::SOURCE,
    sources::codeconnections_hosts::SOURCE,
    sources::amp_scrapers::SOURCE,
    sources::apprunner_vpc_connectors::SOURCE,
    sources::bedrock_agentcore_resources::SOURCE,
    sources::bedrock_marketplace_endpoints::SOURCE,
    sources::cloudhsm_clusters::SOURCE,
    sources::comprehend_models::SOURCE,
    sources::datasync_agents_locations::SOURCE,
    sources::datazone_connections::SOURCE,
    sources::deadline_license_endpoints::SOURCE,
    sources::devicefarm_projects::SOURCE,
    sources::docdb_elastic_clusters::SOURCE,
    sources::drs_replication_settings::SOURCE,
    sources::emr_containers_managed_endpoints::SOURCE,
    sources::emr_serverless_applications::SOURCE,
    sources::events_rules::SOURCE,
    sources::evs_environments::SOURCE,
    sources::finspace_kx_clusters::SOURCE,
    sources::firehose_delivery_streams::SOURCE,
    sources::grafana_workspaces::SOURCE,
    sources::groundstation_dataflow_endpoint_groups::SOURCE,
    sources::imagebuilder_infrastructure_configurations::SOURCE,
    sources::iot_topic_rule_destinations::SOURCE,
    sources::kafkaconnect_connectors::SOURCE,
    sources::kendra_data_sources::SOURCE,
    sources::kinesisanalytics_applications::SOURCE,
    sources::license_manager_user_subscriptions_identity_providers::SOURCE,
    sources::m2_environments::SOURCE,
    sources::mediaconnect_flows::SOURCE,
    sources::mediaconnect_router_network_interfaces::SOURCE,
    sources::pipes_pipes::SOURCE,
    sources::scheduler_schedules::SOURCE,
    sources::medialive_channels::SOURCE,
    sources::mgn_replication_settings::SOURCE,
    sources::mwaa_environments::SOURCE,
    sources::mwaa_serverless_workflows::SOURCE,
    sources::omics_configurations::SOURCE,
    sources::opensearchserverless_vpc_endpoints::SOURCE,
    sources::osis_pipeline_endpoints::SOURCE,
    sources::osis_pipelines::SOURCE,
    sources::pca_connector_ad_connectors::SOURCE,
    sources::pcs_clusters::SOURCE,
    sources::qbusiness_data_sources::SOURCE,
    sources::quicksight_vpc_connections::SOURCE,
    sources::redshift_serverless_endpoints::SOURCE,
    sources::redshift_serverless_workgroups::SOURCE,
    sources::rtbfabric_gateways::SOURCE,
    sources::s3files_mount_targets::SOURCE,
    sources::s3outposts_endpoints::SOURCE,
    sources::securityagent_agent_spaces::SOURCE,
    sources::synthetics_canaries::SOURCE,
    sources::timestream_influxdb_databases::SOURCE,
    sources::vpc_lattice_resource_gateways::SOURCE,
    sources::vpc_lattice_service_network_vpc_associations::SOURCE,
    sources::workspaces_web_network_settings::SOURCE,
];

/// Every IAM action a scan needs, sorted and deduplicated.
pub fn scan_actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> =
        crate::identity::ACTIONS.iter().chain(SOURCES.iter().flat_map(|s| s.actions.iter())).copied().collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn source_ids_are_unique_kebab_case() {
        let ids: BTreeSet<_> = SOURCES.iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), SOURCES.len());
        for id in ids {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
        }
    }

    #[test]
    fn every_source_declares_its_actions() {
        for s in SOURCES {
            assert!(!s.actions.is_empty(), "{} declares no IAM action", s.id);
            for a in s.actions {
                let (service, action) = a.split_once(':').expect("service:Action");
                assert!(!service.is_empty() && action.chars().next().is_some_and(|c| c.is_ascii_uppercase()), "{a}");
            }
        }
    }

    #[test]
    fn the_registry_holds_exactly_the_sources_the_snapshot_schema_expects() {
        // The audit takes a group to be unused only when every source of `sgaudit_snapshot::SOURCES` was read:
        // a source missing there would go unchecked, one missing here would make every region partial.
        let registry: BTreeSet<&str> = SOURCES.iter().map(|s| s.id).collect();
        let schema: BTreeSet<&str> = sgaudit_snapshot::SOURCES.iter().copied().collect();
        let only_registry: Vec<&str> = registry.difference(&schema).copied().collect();
        let only_schema: Vec<&str> = schema.difference(&registry).copied().collect();
        assert!(
            only_registry.is_empty() && only_schema.is_empty(),
            "the registry and sgaudit_snapshot::SOURCES (crates/snapshot/src/lib.rs, part of the snapshot schema) \
             differ: only in the registry: {only_registry:?}; only in sgaudit_snapshot::SOURCES: {only_schema:?}"
        );
    }

    #[test]
    fn every_kind_has_a_source() {
        let covered: BTreeSet<_> = SOURCES.iter().flat_map(|s| s.kinds.iter().copied()).collect();
        for kind in sgaudit_snapshot::ResourceKind::ALL {
            assert!(covered.contains(kind), "no source reports {kind}");
        }
    }
}

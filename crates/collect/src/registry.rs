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

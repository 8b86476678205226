//! Every source of evidence, listed explicitly (no magic registration): adding a source is adding a file
//! in `sources/` and a line here. [`SOURCES`] are the group evidence, read per account-region;
//! [`REGION_POSTURE_SOURCES`] the regional evidence of the account checks; [`ACCOUNT_SOURCES`] the
//! account-wide evidence, read once per account. Which of them a scan reads follows its families
//! ([`plan`]).

use sgaudit_snapshot::Family;

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

/// The account-wide sources of the account checks (IAM and S3 are global), read once per account; their ids
/// are `sgaudit_snapshot::posture::ACCOUNT_SOURCES`.
pub const ACCOUNT_SOURCES: &[&SourceDef] = &[
    &sources::iam_credential_report::SOURCE,
    &sources::iam_password_policy::SOURCE,
    &sources::s3_account_public_access_block::SOURCE,
    &sources::s3_buckets::SOURCE,
];

/// The regional sources of the account checks, read per account-region next to [`SOURCES`]; their ids are
/// `sgaudit_snapshot::posture::REGION_POSTURE_SOURCES`.
pub const REGION_POSTURE_SOURCES: &[&SourceDef] = &[
    &sources::cloudtrail_trails::SOURCE,
    &sources::ec2_ebs_encryption_by_default::SOURCE,
    &sources::ec2_managed_prefix_lists::SOURCE,
    &sources::ec2_network_acls::SOURCE,
    &sources::servicequotas_vpc::SOURCE,
];

/// The sources of reachability evidence that are nothing else (`sgaudit_snapshot::REACH_SOURCES` also names
/// group sources, such as the network interfaces, and the network ACLs of the account checks), read per
/// account-region with the groups.
pub const REACH_SOURCES: &[&SourceDef] = &[
    &sources::ec2_internet_gateways::SOURCE,
    &sources::ec2_route_tables::SOURCE,
    &sources::ec2_subnets::SOURCE,
    &sources::elbv2_listeners::SOURCE,
    &sources::elbv2_target_groups::SOURCE,
];

/// Every source of every kind: the group sources, the reachability sources, then the regional and the
/// account-wide ones of the account checks.
pub fn all_sources() -> impl Iterator<Item = &'static SourceDef> {
    SOURCES
        .iter()
        .chain(REACH_SOURCES.iter().copied())
        .chain(REGION_POSTURE_SOURCES.iter().copied())
        .chain(ACCOUNT_SOURCES.iter().copied())
}

/// The source with this id, of any kind.
pub fn source(id: &str) -> Option<&'static SourceDef> {
    all_sources().find(|s| s.id == id)
}

/// Whether a source is read once per account rather than per account-region.
pub fn is_account_wide(def: &SourceDef) -> bool {
    ACCOUNT_SOURCES.iter().any(|s| s.id == def.id)
}

/// The sources a family's checks read (`sgaudit_snapshot::posture::family_sources`), in registry order.
pub fn family_sources(family: Family) -> Vec<&'static SourceDef> {
    let ids = sgaudit_snapshot::posture::family_sources(family);
    all_sources().filter(|s| ids.contains(&s.id)).collect()
}

/// What a scan of some families reads: each source once, in registry order.
#[derive(Debug, Default)]
pub struct Plan {
    /// Read in every account-region.
    pub regional: Vec<&'static SourceDef>,
    /// Read once per account, from one of its regions.
    pub account: Vec<&'static SourceDef>,
}

/// The sources `families` need.
pub fn plan(families: &[Family]) -> Plan {
    let needed: Vec<&str> = families.iter().flat_map(|f| sgaudit_snapshot::posture::family_sources(*f)).collect();
    let (account, regional) = all_sources().filter(|s| needed.contains(&s.id)).partition(|s| is_account_wide(s));
    Plan { regional, account }
}

/// The IAM actions a family's sources call, sorted and deduplicated (without the identity calls every scan
/// makes: [`scan_actions_for`] adds those).
pub fn family_actions(family: Family) -> Vec<&'static str> {
    sorted(family_sources(family).iter().flat_map(|s| s.action_names()))
}

/// Every IAM action a scan of `families` needs, sorted and deduplicated.
pub fn scan_actions_for(families: &[Family]) -> Vec<&'static str> {
    let plan = plan(families);
    let sources = plan.regional.iter().chain(&plan.account).flat_map(|s| s.action_names());
    sorted(crate::identity::ACTIONS.iter().map(|a| a.name).chain(sources))
}

/// Every IAM action a scan needs (every family, as a scan runs by default), sorted and deduplicated.
pub fn scan_actions() -> Vec<&'static str> {
    scan_actions_for(&Family::ALL)
}

fn sorted(actions: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = actions.collect();
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
        let ids: BTreeSet<_> = all_sources().map(|s| s.id).collect();
        assert_eq!(ids.len(), all_sources().count());
        for id in ids {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
        }
    }

    /// A new source is a file in `sources/`, a `pub mod` line in `sources/mod.rs` and a line in one of the lists
    /// above. Forgetting either line compiles and leaves the source silently unread (a file no `mod` names is
    /// not even compiled), so this reads the folder: every file is declared and its `SOURCE` listed.
    #[test]
    fn every_source_file_is_declared_and_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sources");
        let declared = std::fs::read_to_string(dir.join("mod.rs")).expect("sources/mod.rs is readable");
        let listed: BTreeSet<_> = all_sources().map(|s| s.id).collect();
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).expect("src/sources is readable") {
            let path = entry.expect("an entry").path();
            let stem = path.file_stem().and_then(|n| n.to_str()).expect("a UTF-8 file name").to_string();
            if path.extension().is_none_or(|e| e != "rs") || stem == "mod" {
                continue;
            }
            files += 1;
            assert!(
                declared.contains(&format!("pub mod {stem};")),
                "sources/{stem}.rs is not declared in sources/mod.rs"
            );
            let text = std::fs::read_to_string(&path).expect("the source file is readable");
            let def =
                text.find("pub const SOURCE: SourceDef").unwrap_or_else(|| panic!("sources/{stem}.rs has no SOURCE"));
            let rest = &text[def..];
            let id = rest.find("id: \"").map(|at| &rest[at + 5..]).and_then(|r| r.split('"').next()).expect("an id");
            assert!(listed.contains(id), "source {id} (sources/{stem}.rs) is in no list of registry.rs");
        }
        assert_eq!(files, all_sources().count(), "registry.rs lists a source that has no file in sources/");
    }

    #[test]
    fn every_source_declares_its_actions() {
        for s in all_sources() {
            assert!(!s.actions.is_empty(), "{} declares no IAM action", s.id);
            for a in s.action_names() {
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
    fn every_reachability_source_is_registered_once() {
        // The audit takes reachability to be known only where every source of `sgaudit_snapshot::REACH_SOURCES`
        // was read: each must be registered, and the reachability-only ones are exactly those of no other list.
        for id in sgaudit_snapshot::REACH_SOURCES {
            assert!(source(id).is_some(), "{id} is in sgaudit_snapshot::REACH_SOURCES and not registered");
        }
        let elsewhere: BTreeSet<&str> =
            SOURCES.iter().map(|s| s.id).chain(REGION_POSTURE_SOURCES.iter().map(|s| s.id)).collect();
        let only_reach: Vec<&str> =
            sgaudit_snapshot::REACH_SOURCES.iter().copied().filter(|id| !elsewhere.contains(id)).collect();
        assert_eq!(REACH_SOURCES.iter().map(|s| s.id).collect::<Vec<_>>(), only_reach);
    }

    #[test]
    fn the_account_check_sources_are_the_ones_the_snapshot_schema_expects() {
        let ids = |defs: &[&SourceDef]| -> Vec<&str> { defs.iter().map(|s| s.id).collect() };
        // The schema's lists are sorted; so are these, so that they compare as written.
        assert_eq!(ids(ACCOUNT_SOURCES), sgaudit_snapshot::posture::ACCOUNT_SOURCES);
        assert_eq!(ids(REGION_POSTURE_SOURCES), sgaudit_snapshot::posture::REGION_POSTURE_SOURCES);
        // Every source a family reads is registered, and the account-wide ones are exactly those.
        for family in Family::ALL {
            let want: BTreeSet<&str> = sgaudit_snapshot::posture::family_sources(family).into_iter().collect();
            let got: BTreeSet<&str> = family_sources(family).iter().map(|s| s.id).collect();
            assert_eq!(got, want, "{family:?}");
            assert!(!family_actions(family).is_empty(), "{family:?}");
        }
    }

    #[test]
    fn a_plan_reads_what_its_families_need_and_account_sources_once() {
        let ids = |defs: &[&SourceDef]| -> BTreeSet<&str> { defs.iter().map(|s| s.id).collect() };
        // Groups alone: the group sources and the reachability sources (the network ACLs among them).
        let groups = plan(&[Family::Groups]);
        let mut want: BTreeSet<&str> = SOURCES.iter().map(|s| s.id).collect();
        want.extend(sgaudit_snapshot::REACH_SOURCES);
        assert_eq!(ids(&groups.regional), want);
        assert_eq!(groups.regional.len(), SOURCES.len() + REACH_SOURCES.len() + 1);
        assert!(groups.account.is_empty());
        // Network alone reads two group sources and the regional posture of the network (its quotas among it).
        let network = plan(&[Family::Network]);
        assert_eq!(
            ids(&network.regional),
            BTreeSet::from([
                "ec2-ebs-encryption-by-default",
                "ec2-instances",
                "ec2-managed-prefix-lists",
                "ec2-network-acls",
                "ec2-network-interfaces",
                "ec2-security-groups",
                "servicequotas-vpc",
            ])
        );
        assert!(network.account.is_empty());
        let iam_s3 = plan(&[Family::Iam, Family::S3]);
        assert!(iam_s3.regional.is_empty());
        assert_eq!(ids(&iam_s3.account), sgaudit_snapshot::posture::ACCOUNT_SOURCES.iter().copied().collect());
        // Everything: each source once.
        let all = plan(&Family::ALL);
        assert_eq!(all.regional.len() + all.account.len(), all_sources().count());
        assert_eq!(all.regional.len(), SOURCES.len() + REACH_SOURCES.len() + REGION_POSTURE_SOURCES.len());
        // The actions a full scan needs are every family's, plus the identity calls.
        let actions = scan_actions();
        for family in Family::ALL {
            for a in family_actions(family) {
                assert!(actions.contains(&a), "{a}");
            }
        }
        assert!(actions.contains(&"iam:GetCredentialReport") && actions.contains(&"sts:GetCallerIdentity"));
        assert!(!scan_actions_for(&[Family::Groups]).contains(&"iam:GetCredentialReport"));
    }

    #[test]
    fn every_kind_has_a_source() {
        let covered: BTreeSet<_> = SOURCES.iter().flat_map(|s| s.kinds.iter().copied()).collect();
        for kind in sgaudit_snapshot::ResourceKind::ALL {
            assert!(covered.contains(kind), "no source reports {kind}");
        }
    }
}

//! End to end: the `existing-a` sources (holders in services whose SDK sgaudit already used) against moto,
//! with canned answers, in the real wire formats, for the calls moto 5.2.1 lacks (see
//! fixtures/seed_existing_a.py).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::canned::{self, json, xml};
use common::proxy::{FaultProxy, Rule};
use common::{coverage, group, Moto, FIXTURES};
use serde_json::{json as doc, Value};

const SOURCES: &[&str] = &[
    "codebuild-fleets",
    "codebuild-projects",
    "dms-instance-profiles",
    "dms-replication-configs",
    "ds-ad-assessments",
    "ec2-client-vpn-endpoints",
    "ec2-instance-connect-endpoints",
    "ec2-verified-access-endpoints",
    "elasticache-serverless-caches",
    "elasticsearch-vpc-endpoints",
    "elb-classic-load-balancers",
    "emr-studios",
    "glue-dev-endpoints",
    "msk-replicators",
    "msk-vpc-connections",
    "opensearch-vpc-endpoints",
    "rds-db-proxy-endpoints",
    "rds-option-groups",
    "redshift-endpoint-access",
];

/// Which kind each seeded group must be used by (the seed names the groups by their holder).
const EXPECTED: &[(&str, &str)] = &[
    ("glue-dev-endpoint", "glue-dev-endpoint"),
    ("codebuild-project-docker-server", "codebuild-project"),
    ("elb-classic", "elb-classic"),
    ("elb-source", "elb-classic"),
    ("canned-client-vpn-endpoint", "client-vpn-endpoint"),
    ("canned-client-vpn-target-network", "client-vpn-endpoint"),
    ("canned-instance-connect-endpoint", "instance-connect-endpoint"),
    ("canned-verified-access-endpoint", "verified-access-endpoint"),
    ("canned-elasticache-serverless-cache", "elasticache-serverless-cache"),
    ("canned-redshift-endpoint-access", "redshift-endpoint-access"),
    ("canned-rds-db-proxy-endpoint", "rds-db-proxy-endpoint"),
    ("canned-rds-option-group", "rds-option-group"),
    ("canned-dms-instance-profile", "dms-instance-profile"),
    ("canned-dms-replication-config", "dms-replication-config"),
    ("canned-ds-ad-assessment", "directory-service-assessment"),
    ("canned-emr-studio-engine", "emr-studio"),
    ("canned-emr-studio-workspace", "emr-studio"),
    ("canned-elasticsearch-vpc-endpoint", "elasticsearch-vpc-endpoint"),
    ("canned-opensearch-vpc-endpoint", "opensearch-vpc-endpoint"),
    ("canned-msk-replicator", "msk-replicator"),
    ("canned-msk-vpc-connection", "msk-vpc-connection"),
    ("canned-codebuild-fleet", "codebuild-fleet"),
];

const ACCOUNT: &str = "123456789012";

/// Answers, naming the seeded groups, for every holder moto cannot hold.
fn answers(seed: &Value) -> Vec<Rule> {
    let g = |k: &str| seed["groups"][k].as_str().unwrap().to_string();
    let vpc = seed["vpc_id"].as_str().unwrap();
    let subnet = seed["subnet_ids"][0].as_str().unwrap();

    let client_vpn = format!(
        "<clientVpnEndpoint><item><clientVpnEndpointId>cvpn-endpoint-0ea1</clientVpnEndpointId>\
         <status><code>available</code></status><vpcId>{vpc}</vpcId>\
         <securityGroupIdSet><item>{}</item></securityGroupIdSet></item></clientVpnEndpoint>",
        g("canned-client-vpn-endpoint")
    );
    let target_networks = format!(
        "<clientVpnTargetNetworks><item><associationId>cvpn-assoc-0ea1</associationId><vpcId>{vpc}</vpcId>\
         <targetNetworkId>{subnet}</targetNetworkId><clientVpnEndpointId>cvpn-endpoint-0ea1</clientVpnEndpointId>\
         <status><code>associated</code></status>\
         <securityGroups><item>{}</item></securityGroups></item></clientVpnTargetNetworks>",
        g("canned-client-vpn-target-network")
    );
    let instance_connect = format!(
        "<instanceConnectEndpointSet><item><ownerId>{ACCOUNT}</ownerId>\
         <instanceConnectEndpointId>eice-0ea1</instanceConnectEndpointId>\
         <instanceConnectEndpointArn>arn:aws:ec2:us-east-1:{ACCOUNT}:instance-connect-endpoint/eice-0ea1</instanceConnectEndpointArn>\
         <state>create-complete</state><vpcId>{vpc}</vpcId><subnetId>{subnet}</subnetId>\
         <securityGroupIdSet><item>{}</item></securityGroupIdSet></item></instanceConnectEndpointSet>",
        g("canned-instance-connect-endpoint")
    );
    let verified_access = format!(
        "<verifiedAccessEndpointSet><item><verifiedAccessEndpointId>vae-0ea1</verifiedAccessEndpointId>\
         <endpointType>network-interface</endpointType><status><code>active</code></status>\
         <securityGroupIdSet><item>{}</item></securityGroupIdSet></item></verifiedAccessEndpointSet>",
        g("canned-verified-access-endpoint")
    );
    let serverless = format!(
        "<ServerlessCaches><member><ServerlessCacheName>ea-cache</ServerlessCacheName><Status>available</Status>\
         <ARN>arn:aws:elasticache:us-east-1:{ACCOUNT}:serverlesscache:ea-cache</ARN>\
         <SecurityGroupIds><SecurityGroupId>{}</SecurityGroupId></SecurityGroupIds></member></ServerlessCaches>",
        g("canned-elasticache-serverless-cache")
    );
    let endpoint_access = format!(
        "<EndpointAccessList><member><EndpointName>ea-endpoint</EndpointName><EndpointStatus>active</EndpointStatus>\
         <VpcSecurityGroups><VpcSecurityGroup><VpcSecurityGroupId>{}</VpcSecurityGroupId><Status>active</Status>\
         </VpcSecurityGroup></VpcSecurityGroups></member></EndpointAccessList>",
        g("canned-redshift-endpoint-access")
    );
    let proxy_endpoints = format!(
        "<DBProxyEndpoints><member><DBProxyEndpointName>ea-reader</DBProxyEndpointName>\
         <DBProxyEndpointArn>arn:aws:rds:us-east-1:{ACCOUNT}:db-proxy-endpoint:prx-endpoint-0ea1</DBProxyEndpointArn>\
         <DBProxyName>ea-proxy</DBProxyName><Status>available</Status><VpcId>{vpc}</VpcId>\
         <VpcSecurityGroupIds><member>{}</member></VpcSecurityGroupIds></member></DBProxyEndpoints>",
        g("canned-rds-db-proxy-endpoint")
    );
    let option_groups = format!(
        "<OptionGroupsList><OptionGroup><OptionGroupName>ea-options</OptionGroupName><EngineName>mysql</EngineName>\
         <MajorEngineVersion>8.0</MajorEngineVersion>\
         <OptionGroupArn>arn:aws:rds:us-east-1:{ACCOUNT}:og:ea-options</OptionGroupArn>\
         <Options><Option><OptionName>MEMCACHED</OptionName><Port>11211</Port>\
         <VpcSecurityGroupMemberships><VpcSecurityGroupMembership><VpcSecurityGroupId>{}</VpcSecurityGroupId>\
         <Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroupMemberships></Option></Options>\
         </OptionGroup></OptionGroupsList>",
        g("canned-rds-option-group")
    );

    let instance_profiles = doc!({"InstanceProfiles": [{
        "InstanceProfileArn": format!("arn:aws:dms:us-east-1:{ACCOUNT}:instance-profile:EAPROFILE"),
        "InstanceProfileName": "ea-profile", "VpcSecurityGroups": [g("canned-dms-instance-profile")]
    }]});
    let replication_configs = doc!({"ReplicationConfigs": [{
        "ReplicationConfigIdentifier": "ea-config",
        "ReplicationConfigArn": format!("arn:aws:dms:us-east-1:{ACCOUNT}:replication-config:EACONFIG"),
        "ComputeConfig": {"MaxCapacityUnits": 16, "VpcSecurityGroupIds": [g("canned-dms-replication-config")]}
    }]});
    let assessments = doc!({"Assessments": [{"AssessmentId": "da-0ea1", "Status": "SUCCESS"}]});
    let assessment = doc!({"Assessment": {
        "AssessmentId": "da-0ea1", "Status": "SUCCESS", "VpcId": vpc, "SubnetIds": [subnet],
        "SecurityGroupIds": [g("canned-ds-ad-assessment")]
    }});
    let studios = doc!({"Studios": [{"StudioId": "es-0EA1", "Name": "ea-studio", "VpcId": vpc}]});
    let studio = doc!({"Studio": {
        "StudioId": "es-0EA1", "Name": "ea-studio", "VpcId": vpc,
        "StudioArn": format!("arn:aws:elasticmapreduce:us-east-1:{ACCOUNT}:studio/es-0EA1"),
        "EngineSecurityGroupId": g("canned-emr-studio-engine"),
        "WorkspaceSecurityGroupId": g("canned-emr-studio-workspace")
    }});
    let domain = format!("arn:aws:es:us-east-1:{ACCOUNT}:domain/ea-domain");
    let vpc_endpoint_list =
        |id: &str| doc!({"VpcEndpointSummaryList": [{"VpcEndpointId": id, "DomainArn": domain, "Status": "ACTIVE"}]});
    let vpc_endpoints = |id: &str, group: String| {
        doc!({"VpcEndpoints": [{
            "VpcEndpointId": id, "DomainArn": domain, "Status": "ACTIVE",
            "VpcOptions": {"VPCId": vpc, "SubnetIds": [subnet], "SecurityGroupIds": [group]}
        }], "VpcEndpointErrors": []})
    };
    let replicator = format!("arn:aws:kafka:us-east-1:{ACCOUNT}:replicator/ea-replicator/0ea1");
    let replicators = doc!({"replicators": [{"replicatorArn": replicator, "replicatorName": "ea-replicator", "replicatorState": "RUNNING"}]});
    let replicator_detail = doc!({
        "replicatorArn": replicator, "replicatorName": "ea-replicator", "replicatorState": "RUNNING",
        "kafkaClusters": [{
            "kafkaClusterAlias": "source",
            "amazonMskCluster": {"mskClusterArn": format!("arn:aws:kafka:us-east-1:{ACCOUNT}:cluster/ea-source/0ea1")},
            "vpcConfig": {"subnetIds": [subnet], "securityGroupIds": [g("canned-msk-replicator")]}
        }]
    });
    let connection = format!("arn:aws:kafka:us-east-1:{ACCOUNT}:vpc-connection/{ACCOUNT}/ea-cluster/0ea1");
    let target = "arn:aws:kafka:us-east-1:210987654321:cluster/ea-cluster/0ea1";
    let connections = doc!({"vpcConnections": [{"vpcConnectionArn": connection, "targetClusterArn": target, "state": "AVAILABLE", "vpcId": vpc}]});
    let connection_detail = doc!({
        "vpcConnectionArn": connection, "targetClusterArn": target, "state": "AVAILABLE", "vpcId": vpc,
        "subnets": [subnet], "securityGroups": [g("canned-msk-vpc-connection")]
    });
    let fleet = format!("arn:aws:codebuild:us-east-1:{ACCOUNT}:fleet/ea-fleet:0ea1");
    let fleets = doc!({"fleets": [fleet]});
    let fleet_detail = doc!({"fleets": [{
        "arn": fleet, "name": "ea-fleet", "baseCapacity": 1,
        "vpcConfig": {"vpcId": vpc, "subnets": [subnet], "securityGroupIds": [g("canned-codebuild-fleet")]}
    }], "fleetsNotFound": []});

    // Classic Load Balancers: by id (its SourceSecurityGroup, as in a VPC, one of its own groups, by name);
    // by SourceSecurityGroup alone; and EC2-Classic's source group, owned by `amazon-elb`.
    let source = |owner: &str, name: &str| {
        format!(
            "<SourceSecurityGroup><OwnerAlias>{owner}</OwnerAlias><GroupName>{name}</GroupName></SourceSecurityGroup>"
        )
    };
    let load_balancers = format!(
        "<LoadBalancerDescriptions>\
         <member><LoadBalancerName>ea-clb</LoadBalancerName><VPCId>{vpc}</VPCId><Scheme>internal</Scheme>\
         <SecurityGroups><member>{}</member></SecurityGroups>{}</member>\
         <member><LoadBalancerName>ea-clb-source</LoadBalancerName><VPCId>{vpc}</VPCId><Scheme>internal</Scheme>\
         <SecurityGroups/>{}</member>\
         <member><LoadBalancerName>ea-clb-classic</LoadBalancerName><Scheme>internet-facing</Scheme>{}</member>\
         </LoadBalancerDescriptions>",
        g("elb-classic"),
        source(ACCOUNT, "default"),
        source(ACCOUNT, "ea-elb-source"),
        source("amazon-elb", "amazon-elb-sg"),
    );

    vec![
        // The classic API shares its actions and signing name with ELBv2; its version tells them apart.
        xml(
            "service=elasticloadbalancing && DescribeLoadBalancers && Version=2012-06-01",
            &format!(
                r#"<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"><DescribeLoadBalancersResult>{load_balancers}</DescribeLoadBalancersResult><ResponseMetadata><RequestId>ea</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>"#
            ),
        ),
        canned::existing_a::ec2("DescribeClientVpnEndpoints", &client_vpn),
        canned::existing_a::ec2("DescribeClientVpnTargetNetworks", &target_networks),
        canned::existing_a::ec2("DescribeInstanceConnectEndpoints", &instance_connect),
        canned::existing_a::ec2("DescribeVerifiedAccessEndpoints", &verified_access),
        canned::existing_a::query(
            "elasticache",
            canned::existing_a::ELASTICACHE_XMLNS,
            "DescribeServerlessCaches",
            &serverless,
        ),
        canned::existing_a::query(
            "redshift",
            canned::existing_a::REDSHIFT_XMLNS,
            "DescribeEndpointAccess",
            &endpoint_access,
        ),
        canned::existing_a::query("rds", canned::existing_a::RDS_XMLNS, "DescribeDBProxyEndpoints", &proxy_endpoints),
        canned::existing_a::query("rds", canned::existing_a::RDS_XMLNS, "DescribeOptionGroups", &option_groups),
        json("service=dms && AmazonDMSv20160101.DescribeInstanceProfiles", &instance_profiles.to_string()),
        json("service=dms && AmazonDMSv20160101.DescribeReplicationConfigs", &replication_configs.to_string()),
        json("service=ds && DirectoryService_20150416.ListADAssessments", &assessments.to_string()),
        json("service=ds && DirectoryService_20150416.DescribeADAssessment && da-0ea1", &assessment.to_string()),
        json("service=elasticmapreduce && ElasticMapReduce.ListStudios", &studios.to_string()),
        json("service=elasticmapreduce && ElasticMapReduce.DescribeStudio && es-0EA1", &studio.to_string()),
        json("service=es && GET /2015-01-01/es/vpcEndpoints", &vpc_endpoint_list("aos-es0ea1").to_string()),
        json(
            "service=es && POST /2015-01-01/es/vpcEndpoints/describe && aos-es0ea1",
            &vpc_endpoints("aos-es0ea1", g("canned-elasticsearch-vpc-endpoint")).to_string(),
        ),
        json("service=es && GET /2021-01-01/opensearch/vpcEndpoints", &vpc_endpoint_list("aos-os0ea1").to_string()),
        json(
            "service=es && POST /2021-01-01/opensearch/vpcEndpoints/describe && aos-os0ea1",
            &vpc_endpoints("aos-os0ea1", g("canned-opensearch-vpc-endpoint")).to_string(),
        ),
        // The describe's path is the list's with the ARN after it: the more specific rule first.
        json("service=kafka && GET /replication/v1/replicators/", &replicator_detail.to_string()),
        json("service=kafka && GET /replication/v1/replicators", &replicators.to_string()),
        json("service=kafka && GET /v1/vpc-connection/", &connection_detail.to_string()),
        json("service=kafka && GET /v1/vpc-connections", &connections.to_string()),
        json("service=codebuild && CodeBuild_20161006.ListFleets", &fleets.to_string()),
        json("service=codebuild && CodeBuild_20161006.BatchGetFleets && ea-fleet", &fleet_detail.to_string()),
    ]
}

/// Every group the seed made is in use by its holder's kind, the control group is unused (so every
/// source read completely), and each source of the family is complete.
#[test]
fn existing_a_holders_are_in_use() {
    let moto = Moto::start();
    let seed = moto.python(&[&format!("{FIXTURES}/seed_existing_a.py"), "--endpoint", &moto.url], &[]);
    // A proxy of the test's own in front of moto, now that the canned answers can name the seeded groups.
    let mut rules = answers(&seed);
    rules.extend(canned::empty_lists());
    let front = FaultProxy::start(&moto.direct, rules);
    let run =
        common::sgaudit_at(&front.url, &["scan", "--region", "us-east-1", "--format", "json"], "testing", "testing");
    let doc = run.json();

    let mut wrong = Vec::new();
    for source in SOURCES {
        let c = coverage(&doc, source);
        if c["state"] != "complete" {
            wrong.push(format!("{source} not complete: {c}"));
        }
    }
    for c in doc["coverage"].as_array().unwrap() {
        if c["state"] != "complete" && c["state"] != "not_applicable" {
            wrong.push(format!("source not read against moto: {c}"));
        }
    }
    for (holder, kind) in EXPECTED {
        let id = seed["groups"][holder].as_str().unwrap();
        let got = group(&doc, id);
        let kinds: Vec<&str> = got["used_by"].as_array().unwrap().iter().map(|u| u["kind"].as_str().unwrap()).collect();
        if got["status"] != "in_use" || !kinds.contains(kind) {
            wrong.push(format!("{holder} ({id}): {} by {kinds:?}, want in_use by {kind}", got["status"]));
        }
    }
    // The resources moto holds are reported by the ids sgaudit gives them.
    for (holder, want) in [
        ("glue-dev-endpoint", "ea-dev".to_string()),
        (
            "codebuild-project-docker-server",
            seed["resources"]["codebuild-project-docker-server"].as_str().unwrap().to_string(),
        ),
        ("canned-emr-studio-engine", format!("arn:aws:elasticmapreduce:us-east-1:{ACCOUNT}:studio/es-0EA1")),
        ("canned-client-vpn-target-network", "cvpn-endpoint-0ea1".to_string()),
    ] {
        let got = group(&doc, seed["groups"][holder].as_str().unwrap());
        if !got["used_by"].as_array().unwrap().iter().any(|u| u["id"] == want.as_str()) {
            wrong.push(format!("{holder}: {want} not in used_by {}", got["used_by"]));
        }
    }
    // A SourceSecurityGroup is recorded by name only for a load balancer that names no group by id: the
    // seeded VPC's default group is held by nothing, "ea-elb-source" by ea-clb-source.
    let default = group(&doc, seed["groups"]["vpc-default"].as_str().unwrap());
    if default["used_by"].as_array().unwrap().iter().any(|u| u["kind"] == "elb-classic") {
        wrong.push(format!("vpc-default: held through a SourceSecurityGroup by name: {}", default["used_by"]));
    }
    let source = group(&doc, seed["groups"]["elb-source"].as_str().unwrap());
    let by_name = source["used_by"].as_array().unwrap().iter().any(|u| {
        u["id"] == "ea-clb-source"
            && u["detail"].as_str().is_some_and(|d| d.contains("SourceSecurityGroup") && d.contains("by name"))
    });
    if !by_name {
        wrong.push(format!("elb-source: no by-name use by ea-clb-source in {}", source["used_by"]));
    }
    let control = group(&doc, seed["groups"]["unused-control"].as_str().unwrap());
    if control["status"] != "unused" {
        wrong.push(format!("unused-control: {control}"));
    }
    assert!(wrong.is_empty(), "{}\nstderr: {}", wrong.join("\n"), run.stderr);
}

/// With no canned resources, each source of the family reads an empty account as complete through the
/// canned empty lists alone (what every other e2e test relies on), in one request per list.
#[test]
fn existing_a_sources_read_empty_lists() {
    let moto = Moto::start();
    let run = moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "json"]);
    let doc = run.json();
    for source in SOURCES {
        let c = coverage(&doc, source);
        assert_eq!(c["state"], "complete", "{c}");
        assert_eq!(c["requests"], 1, "{c}");
    }
}

//! Holders of the `services-b` family end to end: EventBridge rules, Scheduler schedules and pipes that run
//! ECS tasks, a Flink application and a MediaConnect flow made in moto (in their stopped or disabled
//! states, which still hold the groups); the services moto lacks (or answers in a shape the SDK cannot
//! read) answered by a proxy of ours, in their real wire formats, with a resource naming a group made in
//! moto.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::canned::json;
use common::{assert_held, coverage, group, used_by, Moto};
use serde_json::Value;

const SOURCES: &[&str] = &[
    "events-rules",
    "evs-environments",
    "finspace-kx-clusters",
    "firehose-delivery-streams",
    "grafana-workspaces",
    "groundstation-dataflow-endpoint-groups",
    "imagebuilder-infrastructure-configurations",
    "iot-topic-rule-destinations",
    "kafkaconnect-connectors",
    "kendra-data-sources",
    "kinesisanalytics-applications",
    "license-manager-user-subscriptions-identity-providers",
    "m2-environments",
    "mediaconnect-flows",
    "mediaconnect-router-network-interfaces",
    "pipes-pipes",
    "scheduler-schedules",
];

const ACCOUNT: &str = "123456789012";

/// The answers, in each service's wire format, for the services moto lacks: one resource each, naming
/// the group the seed made for it. More specific paths come first (the proxy takes the first rule whose
/// every part is in the request).
fn answers(seed: &Value) -> Vec<common::proxy::Rule> {
    let g = |name: &str| seed["groups"][name].as_str().unwrap().to_string();
    let subnet = seed["subnet_id"].as_str().unwrap();
    let vpc = seed["vpc_id"].as_str().unwrap();
    let role = format!("arn:aws:iam::{ACCOUNT}:role/sb");
    let gs_id = "11111111-2222-3333-4444-555555555555";
    let kendra_index = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    vec![
        json(
            "service=evs && AmazonElasticVMwareService.ListEnvironments",
            &format!(
                r#"{{"environmentSummaries":[{{"environmentId":"env-sb1","environmentState":"CREATED","environmentArn":"arn:aws:evs:us-east-1:{ACCOUNT}:environment/env-sb1"}}]}}"#
            ),
        ),
        json(
            "service=evs && AmazonElasticVMwareService.GetEnvironment",
            &format!(
                r#"{{"environment":{{"environmentId":"env-sb1","environmentState":"CREATED","environmentArn":"arn:aws:evs:us-east-1:{ACCOUNT}:environment/env-sb1","vpcId":"{vpc}","serviceAccessSubnetId":"{subnet}","serviceAccessSecurityGroups":{{"securityGroups":["{}"]}}}}}}"#,
                g("canned-evs-environment")
            ),
        ),
        json(
            "service=finspace && GET /kx/environments/kxenv1/clusters/sb-kx",
            &format!(
                r#"{{"clusterName":"sb-kx","status":"RUNNING","clusterType":"HDB","vpcConfiguration":{{"vpcId":"{vpc}","securityGroupIds":["{}"],"subnetIds":["{subnet}"],"ipAddressType":"IP_V4"}}}}"#,
                g("canned-finspace-kx-cluster")
            ),
        ),
        json(
            "service=finspace && GET /kx/environments/kxenv1/clusters",
            r#"{"kxClusterSummaries":[{"clusterName":"sb-kx","status":"RUNNING","clusterType":"HDB"}]}"#,
        ),
        json(
            "service=finspace && GET /kx/environments",
            &format!(
                r#"{{"environments":[{{"environmentId":"kxenv1","name":"sb","status":"CREATED","environmentArn":"arn:aws:finspace:us-east-1:{ACCOUNT}:kxEnvironment/kxenv1"}}]}}"#
            ),
        ),
        // moto's Firehose answers a destination's VPC as `VpcConfiguration`, which the SDK does not read.
        json(
            "service=firehose && Firehose_20150804.ListDeliveryStreams",
            r#"{"DeliveryStreamNames":["sb-stream"],"HasMoreDeliveryStreams":false}"#,
        ),
        json(
            "service=firehose && Firehose_20150804.DescribeDeliveryStream",
            &format!(
                r#"{{"DeliveryStreamDescription":{{"DeliveryStreamName":"sb-stream","DeliveryStreamARN":"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/sb-stream","DeliveryStreamStatus":"ACTIVE","DeliveryStreamType":"DirectPut","VersionId":"1","Destinations":[{{"DestinationId":"destinationId-000000000001","AmazonopensearchserviceDestinationDescription":{{"RoleARN":"{role}","DomainARN":"arn:aws:es:us-east-1:{ACCOUNT}:domain/sb","IndexName":"i","VpcConfigurationDescription":{{"SubnetIds":["{subnet}"],"RoleARN":"{role}","SecurityGroupIds":["{}"],"VpcId":"{vpc}"}}}}}}],"HasMoreDestinations":false}}}}"#,
                g("canned-firehose-delivery-stream")
            ),
        ),
        json(
            "service=grafana && GET /workspaces/g-sb1",
            &format!(
                r#"{{"workspace":{{"id":"g-sb1","status":"ACTIVE","endpoint":"g-sb1.grafana-workspace.us-east-1.amazonaws.com","grafanaVersion":"10.4","dataSources":[],"authentication":{{"providers":["AWS_SSO"]}},"vpcConfiguration":{{"securityGroupIds":["{}"],"subnetIds":["{subnet}"]}}}}}}"#,
                g("canned-grafana-workspace")
            ),
        ),
        json(
            "service=grafana && GET /workspaces",
            r#"{"workspaces":[{"id":"g-sb1","status":"ACTIVE","endpoint":"g-sb1.grafana-workspace.us-east-1.amazonaws.com","grafanaVersion":"10.4","authentication":{"providers":["AWS_SSO"]}}]}"#,
        ),
        json(
            &format!("service=groundstation && GET /dataflowEndpointGroup/{gs_id}"),
            &format!(
                r#"{{"dataflowEndpointGroupId":"{gs_id}","dataflowEndpointGroupArn":"arn:aws:groundstation:us-east-1:{ACCOUNT}:dataflow-endpoint-group/{gs_id}","endpointsDetails":[{{"securityDetails":{{"subnetIds":["{subnet}"],"securityGroupIds":["{}"],"roleArn":"{role}"}},"endpoint":{{"name":"downlink","address":{{"name":"10.43.1.10","port":55888}},"status":"created"}}}}]}}"#,
                g("canned-groundstation-dataflow-endpoint-group")
            ),
        ),
        json(
            "service=groundstation && GET /dataflowEndpointGroup",
            &format!(
                r#"{{"dataflowEndpointGroupList":[{{"dataflowEndpointGroupId":"{gs_id}","dataflowEndpointGroupArn":"arn:aws:groundstation:us-east-1:{ACCOUNT}:dataflow-endpoint-group/{gs_id}"}}]}}"#
            ),
        ),
        json(
            "service=imagebuilder && POST /ListInfrastructureConfigurations",
            &format!(
                r#"{{"requestId":"r-1","infrastructureConfigurationSummaryList":[{{"arn":"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:infrastructure-configuration/sb","name":"sb"}}]}}"#
            ),
        ),
        json(
            "service=imagebuilder && GET /GetInfrastructureConfiguration",
            &format!(
                r#"{{"requestId":"r-2","infrastructureConfiguration":{{"arn":"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:infrastructure-configuration/sb","name":"sb","instanceProfileName":"p","securityGroupIds":["{}"],"subnetId":"{subnet}"}}}}"#,
                g("canned-imagebuilder-infrastructure-configuration")
            ),
        ),
        json(
            "service=iot GET /destinations",
            &format!(
                r#"{{"destinationSummaries":[{{"arn":"arn:aws:iot:us-east-1:{ACCOUNT}:ruledestination/vpc/sb","status":"DISABLED","vpcDestinationSummary":{{"subnetIds":["{subnet}"],"securityGroups":["{}"],"vpcId":"{vpc}","roleArn":"{role}"}}}}]}}"#,
                g("canned-iot-topic-rule-destination")
            ),
        ),
        json(
            "service=kafkaconnect && GET /v1/connectors",
            &format!(
                r#"{{"connectors":[{{"connectorArn":"arn:aws:kafkaconnect:us-east-1:{ACCOUNT}:connector/sb/0a1b","connectorName":"sb","connectorState":"RUNNING","kafkaCluster":{{"apacheKafkaCluster":{{"bootstrapServers":"b-1:9092","vpc":{{"securityGroups":["{}"],"subnets":["{subnet}"]}}}}}}}}]}}"#,
                g("canned-kafkaconnect-connector")
            ),
        ),
        json(
            "service=kendra && AWSKendraFrontendService.ListIndices",
            &format!(
                r#"{{"IndexConfigurationSummaryItems":[{{"Id":"{kendra_index}","Name":"sb","Status":"ACTIVE","CreatedAt":1700000000,"UpdatedAt":1700000000}}]}}"#
            ),
        ),
        json(
            "service=kendra && AWSKendraFrontendService.ListDataSources",
            r#"{"SummaryItems":[{"Id":"ds-sb","Name":"sb","Type":"DATABASE","Status":"ACTIVE"}]}"#,
        ),
        json(
            "service=kendra && AWSKendraFrontendService.DescribeDataSource",
            &format!(
                r#"{{"Id":"ds-sb","IndexId":"{kendra_index}","Name":"sb","Type":"DATABASE","Status":"ACTIVE","VpcConfiguration":{{"SubnetIds":["{subnet}"],"SecurityGroupIds":["{}"]}}}}"#,
                g("canned-kendra-data-source")
            ),
        ),
        // The application moto made, as AWS answers it once updated from version 1 (moto has no versions,
        // and answers its timestamps as text): DescribeApplicationVersion answers for version 1.
        json(
            "service=kinesisanalytics && KinesisAnalytics_20180523.DescribeApplicationVersion",
            &format!(
                r#"{{"ApplicationVersionDetail":{{"ApplicationARN":"arn:aws:kinesisanalytics:us-east-1:{ACCOUNT}:application/sb-flink","ApplicationName":"sb-flink","RuntimeEnvironment":"FLINK-1_18","ApplicationStatus":"RUNNING","ApplicationVersionId":1,"ApplicationConfigurationDescription":{{"VpcConfigurationDescriptions":[{{"VpcConfigurationId":"1.1","VpcId":"{vpc}","SubnetIds":["{subnet}"],"SecurityGroupIds":["{}"]}}]}}}}}}"#,
                g("canned-kinesisanalytics-previous-version")
            ),
        ),
        json(
            "service=kinesisanalytics && KinesisAnalytics_20180523.DescribeApplication",
            &format!(
                r#"{{"ApplicationDetail":{{"ApplicationARN":"arn:aws:kinesisanalytics:us-east-1:{ACCOUNT}:application/sb-flink","ApplicationName":"sb-flink","RuntimeEnvironment":"FLINK-1_18","ApplicationStatus":"RUNNING","ApplicationVersionId":2,"ApplicationVersionUpdatedFrom":1,"ApplicationConfigurationDescription":{{"VpcConfigurationDescriptions":[{{"VpcConfigurationId":"2.1","VpcId":"{vpc}","SubnetIds":["{subnet}"],"SecurityGroupIds":["{}"]}}]}}}}}}"#,
                g("kinesisanalytics-application")
            ),
        ),
        json(
            "service=license-manager-user-subscriptions && POST /identity-provider/ListIdentityProviders",
            &format!(
                r#"{{"IdentityProviderSummaries":[{{"IdentityProvider":{{"ActiveDirectoryIdentityProvider":{{"DirectoryId":"d-1234567890"}}}},"Settings":{{"Subnets":["{subnet}"],"SecurityGroupId":"{}"}},"Product":"VISUAL_STUDIO_PROFESSIONAL","Status":"REGISTERED","IdentityProviderArn":"arn:aws:license-manager-user-subscriptions:us-east-1:{ACCOUNT}:identity-provider/sb"}}]}}"#,
                g("canned-license-manager-identity-provider")
            ),
        ),
        json(
            "service=m2 && GET /environments/m2env1",
            &format!(
                r#"{{"environmentId":"m2env1","environmentArn":"arn:aws:m2:us-east-1:{ACCOUNT}:env/m2env1","name":"sb","status":"Available","engineType":"microfocus","engineVersion":"8.0.10","instanceType":"M2.m5.large","vpcId":"{vpc}","subnetIds":["{subnet}"],"securityGroupIds":["{}"]}}"#,
                g("canned-m2-environment")
            ),
        ),
        json(
            "service=m2 && GET /environments",
            &format!(
                r#"{{"environments":[{{"environmentId":"m2env1","environmentArn":"arn:aws:m2:us-east-1:{ACCOUNT}:env/m2env1","name":"sb","status":"Available","engineType":"microfocus","engineVersion":"8.0.10","instanceType":"M2.m5.large"}}]}}"#
            ),
        ),
        json(
            "service=mediaconnect && POST /v1/routerNetworkInterfaces",
            &format!(
                r#"{{"routerNetworkInterfaces":[{{"name":"sb","arn":"arn:aws:mediaconnect:us-east-1:{ACCOUNT}:routerNetworkInterface:sb","id":"sb","networkInterfaceType":"VPC","associatedOutputCount":0,"associatedInputCount":0,"state":"ACTIVE","regionName":"us-east-1"}}]}}"#
            ),
        ),
        json(
            "service=mediaconnect && GET /v1/routerNetworkInterfaces",
            &format!(
                r#"{{"routerNetworkInterfaces":[{{"name":"sb","arn":"arn:aws:mediaconnect:us-east-1:{ACCOUNT}:routerNetworkInterface:sb","id":"sb","networkInterfaceType":"VPC","associatedOutputCount":0,"associatedInputCount":0,"state":"ACTIVE","regionName":"us-east-1","configuration":{{"vpc":{{"securityGroupIds":["{}"],"subnetId":"{subnet}"}}}}}}],"errors":[]}}"#,
                g("canned-mediaconnect-router-network-interface")
            ),
        ),
    ]
}

/// Every holder of the family, made in moto or answered for it, keeps its group in use; a group that
/// nothing holds stays unused, so every source read completely.
#[test]
fn services_b_holders_keep_their_groups_in_use() {
    let moto = Moto::start();
    let seed = moto.python(
        &[&format!("{}/seed_services_b.py", common::FIXTURES), "--endpoint", &moto.url, "--region", "us-east-1"],
        &[],
    );
    assert_eq!(seed["skipped"], serde_json::json!({}), "moto made every holder it can");
    let front = common::proxy::FaultProxy::start(&moto.url, answers(&seed));
    let run = common::sgaudit_at(
        &front.url,
        &["scan", "--region", "us-east-1", "--format", "json", "--quiet"],
        "testing",
        "testing",
    );
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let doc = run.json();
    for source in SOURCES {
        assert_eq!(coverage(&doc, source)["state"], "complete", "{}", coverage(&doc, source));
    }
    let g = |name: &str| seed["groups"][name].as_str().unwrap().to_string();
    let r = |name: &str| seed["resources"][name].as_str().unwrap().to_string();

    // Made in moto, disabled or stopped where the service has such a state.
    let held = [
        ("events-rule", "events-rule"),
        ("scheduler-schedule", "scheduler-schedule"),
        ("scheduler-schedule-universal", "scheduler-schedule"),
        ("pipes-pipe-ecs", "pipes-pipe"),
        ("pipes-pipe-kafka", "pipes-pipe"),
        ("kinesisanalytics-application", "kinesisanalytics-application"),
        ("mediaconnect-flow", "mediaconnect-flow"),
    ];
    for (holder, kind) in held {
        assert_held(&doc, holder, &g(holder), kind, &r(holder));
    }
    let rule = used_by(&doc, &g("events-rule"));
    assert!(rule.iter().any(|(_, _, d)| d.contains("disabled")), "{rule:?}");
    let schedule = used_by(&doc, &g("scheduler-schedule"));
    assert!(schedule.iter().any(|(_, _, d)| d.contains("disabled")), "{schedule:?}");
    let flow = used_by(&doc, &g("mediaconnect-flow"));
    assert!(flow.iter().any(|(_, _, d)| d.contains("standby")), "{flow:?}");

    // Answered for the services moto lacks.
    let canned = [
        ("canned-evs-environment", "evs-environment", "environment/env-sb1"),
        ("canned-finspace-kx-cluster", "finspace-kx-cluster", "kxEnvironment/kxenv1/kxCluster/sb-kx"),
        ("canned-firehose-delivery-stream", "firehose-delivery-stream", "deliverystream/sb-stream"),
        ("canned-grafana-workspace", "grafana-workspace", "g-sb1"),
        (
            "canned-groundstation-dataflow-endpoint-group",
            "groundstation-dataflow-endpoint-group",
            "dataflow-endpoint-group/",
        ),
        (
            "canned-imagebuilder-infrastructure-configuration",
            "imagebuilder-infrastructure-configuration",
            "infrastructure-configuration/sb",
        ),
        ("canned-iot-topic-rule-destination", "iot-topic-rule-destination", "ruledestination/vpc/sb"),
        ("canned-kafkaconnect-connector", "kafkaconnect-connector", "connector/sb"),
        ("canned-kendra-data-source", "kendra-data-source", "data-source/ds-sb"),
        ("canned-kinesisanalytics-previous-version", "kinesisanalytics-application", "application/sb-flink"),
        ("canned-license-manager-identity-provider", "license-manager-identity-provider", "identity-provider/sb"),
        ("canned-m2-environment", "m2-environment", "env/m2env1"),
        (
            "canned-mediaconnect-router-network-interface",
            "mediaconnect-router-network-interface",
            "routerNetworkInterface:sb",
        ),
    ];
    for (holder, kind, resource) in canned {
        assert_held(&doc, holder, &g(holder), kind, resource);
    }
    let previous = used_by(&doc, &g("canned-kinesisanalytics-previous-version"));
    assert!(previous.iter().any(|(_, _, d)| d.contains("rollback")), "{previous:?}");

    let incomplete: Vec<&Value> =
        doc["coverage"].as_array().unwrap().iter().filter(|c| c["state"] != "complete").collect();
    assert_eq!(group(&doc, &g("unused-control"))["status"], "unused", "every source read against moto: {incomplete:?}");
}

/// With none of these resources (the canned empty lists every e2e scan has, and moto's own empty lists),
/// every source of the family reads as complete, and the family's groups are unused.
#[test]
fn services_b_sources_read_complete_when_empty() {
    let moto = Moto::start();
    let run = moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "json", "--quiet"]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let doc = run.json();
    for source in SOURCES {
        let c = coverage(&doc, source);
        assert_eq!(c["state"], "complete", "{c}");
    }
}

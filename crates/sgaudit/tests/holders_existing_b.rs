//! End to end: the `existing-b` sources (ECS, Lambda and SageMaker holders) against moto, with canned
//! answers, in the real wire formats, for the calls moto 5.2.1 lacks (see fixtures/seed_existing_b.py).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::canned::{self, json};
use common::proxy::{FaultProxy, Rule};
use common::{coverage, group, Moto, FIXTURES};
use serde_json::{json as doc, Value};

const SOURCES: &[&str] = &[
    "ecs-services",
    "ecs-capacity-providers",
    "lambda-capacity-providers",
    "lambda-event-source-mappings",
    "sagemaker-domains",
    "sagemaker-hyperpod-clusters",
    "sagemaker-monitoring",
    "sagemaker-workforces",
];

/// Which kind each seeded group must be used by (the seed names the groups by their holder).
const EXPECTED: &[(&str, &str)] = &[
    ("sagemaker-domain-settings", "sagemaker-domain"),
    ("sagemaker-domain-default-user", "sagemaker-domain"),
    ("sagemaker-domain-default-space", "sagemaker-domain"),
    ("sagemaker-hyperpod-cluster", "sagemaker-hyperpod-cluster"),
    ("sagemaker-hyperpod-instance-group", "sagemaker-hyperpod-cluster"),
    ("sagemaker-data-quality-job-definition", "sagemaker-monitoring-job-definition"),
    ("sagemaker-model-bias-job-definition", "sagemaker-monitoring-job-definition"),
    ("sagemaker-model-explainability-job-definition", "sagemaker-monitoring-job-definition"),
    ("sagemaker-model-quality-job-definition", "sagemaker-monitoring-job-definition"),
    ("lambda-event-source-mapping", "lambda-event-source-mapping"),
    ("ecs-service", "ecs-service"),
    ("canned-ecs-capacity-provider", "ecs-capacity-provider"),
    ("canned-ecs-express-configuration", "ecs-service"),
    ("canned-ecs-revision-task", "ecs-service"),
    ("canned-ecs-managed-service-group", "ecs-service"),
    ("canned-ecs-managed-lb-path-group", "ecs-service"),
    ("canned-ecs-managed-lb", "ecs-service"),
    ("canned-lambda-capacity-provider", "lambda-capacity-provider"),
    ("canned-sagemaker-user-profile", "sagemaker-user-profile"),
    ("canned-sagemaker-monitoring-schedule", "sagemaker-monitoring-schedule"),
    ("canned-sagemaker-workforce", "sagemaker-workforce"),
];

const ACCOUNT: &str = "123456789012";

/// Answers, naming the seeded groups, for what moto cannot hold: an Express service (over the moto
/// service the seed made), a Managed Instances capacity provider of the seeded cluster, a Lambda capacity
/// provider, a SageMaker user profile, a monitoring schedule (inline, and through a moto job definition)
/// and a private workforce.
fn answers(seed: &Value) -> Vec<Rule> {
    let g = |k: &str| seed["groups"][k].as_str().unwrap().to_string();
    let service = seed["resources"]["ecs-service"].as_str().unwrap();
    let cluster = seed["resources"]["ecs-cluster"].as_str().unwrap();
    let subnet = seed["subnet_id"].as_str().unwrap();
    let vpc = seed["vpc_id"].as_str().unwrap();
    let revision = format!("arn:aws:ecs:us-east-1:{ACCOUNT}:service-revision/eb-cluster/eb-express/4470545245");
    let sg_arn = |k: &str| format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{}", g(k));
    let ecs = |op: &str| format!("service=ecs && AmazonEC2ContainerServiceV20141113.{op}");

    let services = doc!({"services": [{
        "serviceArn": service, "serviceName": "eb-express", "clusterArn": cluster, "status": "ACTIVE",
        "desiredCount": 1, "runningCount": 1, "pendingCount": 0, "launchType": "FARGATE",
        "resourceManagementType": "ECS",
        "currentServiceRevisions": [{"arn": revision, "requestedTaskCount": 1, "runningTaskCount": 1, "pendingTaskCount": 0}],
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [g("ecs-service")]}}
    }], "failures": []});
    let express = doc!({"service": {
        "cluster": cluster, "serviceName": "eb-express", "serviceArn": service,
        "status": {"statusCode": "ACTIVE"},
        "activeConfigurations": [{
            "serviceRevisionArn": revision, "cpu": "256", "memory": "512",
            "networkConfiguration": {"securityGroups": [g("canned-ecs-express-configuration")], "subnets": [subnet]}
        }]
    }});
    let revisions = doc!({"serviceRevisions": [{
        "serviceRevisionArn": revision, "serviceArn": service, "clusterArn": cluster,
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [g("canned-ecs-revision-task")]}},
        "ecsManagedResources": {
            "serviceSecurityGroups": [{"arn": sg_arn("canned-ecs-managed-service-group"), "status": "ACTIVE", "updatedAt": 1.7e9}],
            "ingressPaths": [{
                "accessType": "PUBLIC", "endpoint": "https://eb.ecs.us-east-1.on.aws",
                "loadBalancerSecurityGroups": [{"arn": sg_arn("canned-ecs-managed-lb-path-group"), "status": "ACTIVE", "updatedAt": 1.7e9}],
                "loadBalancer": {"arn": format!("arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/eb/1"),
                    "status": "ACTIVE", "updatedAt": 1.7e9, "scheme": "internet-facing",
                    "subnetIds": [subnet], "securityGroupIds": [g("canned-ecs-managed-lb")]}
            }]
        }
    }], "failures": []});
    let providers = doc!({"capacityProviders": [{
        "capacityProviderArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:capacity-provider/eb-cluster/eb-managed"),
        "name": "eb-managed", "cluster": "eb-cluster", "status": "ACTIVE", "type": "MANAGED_INSTANCES",
        "managedInstancesProvider": {
            "infrastructureRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/eb-role"),
            "instanceLaunchTemplate": {
                "ec2InstanceProfileArn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/eb"),
                "networkConfiguration": {"subnets": [subnet], "securityGroups": [g("canned-ecs-capacity-provider")]}
            }
        }
    }], "failures": []});
    let lambda_providers = doc!({"CapacityProviders": [{
        "CapacityProviderArn": format!("arn:aws:lambda:us-east-1:{ACCOUNT}:capacity-provider:eb-provider"),
        "State": "Active",
        "VpcConfig": {"SubnetIds": [subnet], "SecurityGroupIds": [g("canned-lambda-capacity-provider")]},
        "PermissionsConfig": {"CapacityProviderOperatorRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/eb-role")}
    }]});
    let profiles =
        doc!({"UserProfiles": [{"DomainId": "d-eb-domain", "UserProfileName": "eb-user", "Status": "InService"}]});
    let profile = doc!({
        "DomainId": "d-eb-domain", "UserProfileName": "eb-user", "Status": "InService",
        "UserProfileArn": format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:user-profile/d-eb-domain/eb-user"),
        "UserSettings": {"SecurityGroups": [g("canned-sagemaker-user-profile")]}
    });
    let schedules = doc!({"MonitoringScheduleSummaries": [
        {"MonitoringScheduleName": "eb-inline", "MonitoringScheduleArn": format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:monitoring-schedule/eb-inline"),
         "CreationTime": 1.7e9, "LastModifiedTime": 1.7e9, "MonitoringScheduleStatus": "Stopped"},
        {"MonitoringScheduleName": "eb-referencing", "MonitoringScheduleArn": format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:monitoring-schedule/eb-referencing"),
         "CreationTime": 1.7e9, "LastModifiedTime": 1.7e9, "MonitoringScheduleStatus": "Scheduled"}
    ]});
    let schedule = |name: &str, config: Value| {
        doc!({
            "MonitoringScheduleArn": format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:monitoring-schedule/{name}"),
            "MonitoringScheduleName": name, "MonitoringScheduleStatus": "Scheduled",
            "CreationTime": 1.7e9, "LastModifiedTime": 1.7e9, "MonitoringScheduleConfig": config
        })
    };
    let inline = schedule(
        "eb-inline",
        doc!({"MonitoringJobDefinition": {
            "MonitoringInputs": [], "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/eb-role"),
            "MonitoringOutputConfig": {"MonitoringOutputs": []},
            "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
            "MonitoringAppSpecification": {"ImageUri": "monitor:latest"},
            "NetworkConfig": {"VpcConfig": {"SecurityGroupIds": [g("canned-sagemaker-monitoring-schedule")], "Subnets": [subnet]}}
        }}),
    );
    let referencing = schedule(
        "eb-referencing",
        doc!({"MonitoringJobDefinitionName": "eb-data-quality", "MonitoringType": "DataQuality"}),
    );
    let workforces = doc!({"Workforces": [{
        "WorkforceName": "eb-workforce", "WorkforceArn": format!("arn:aws:sagemaker:us-east-1:{ACCOUNT}:workforce/eb-workforce"),
        "Status": "Active",
        "WorkforceVpcConfig": {"VpcId": vpc, "SecurityGroupIds": [g("canned-sagemaker-workforce")], "Subnets": [subnet]}
    }]});

    vec![
        json(&format!("{} && eb-express", ecs("DescribeServices")), &services.to_string()),
        json(&ecs("DescribeExpressGatewayService"), &express.to_string()),
        json(&ecs("DescribeServiceRevisions"), &revisions.to_string()),
        json(&format!("{} && eb-cluster", ecs("DescribeCapacityProviders")), &providers.to_string()),
        json("service=lambda && GET /2025-11-30/capacity-providers", &lambda_providers.to_string()),
        json("service=sagemaker && SageMaker.ListUserProfiles", &profiles.to_string()),
        json("service=sagemaker && SageMaker.DescribeUserProfile", &profile.to_string()),
        json("service=sagemaker && SageMaker.ListMonitoringSchedules", &schedules.to_string()),
        json("service=sagemaker && SageMaker.DescribeMonitoringSchedule && eb-inline", &inline.to_string()),
        json("service=sagemaker && SageMaker.DescribeMonitoringSchedule && eb-referencing", &referencing.to_string()),
        json("service=sagemaker && SageMaker.ListWorkforces", &workforces.to_string()),
    ]
}

/// Every group the seed made is in use by its holder's kind, the control group is unused (so every
/// source read completely), and each source of the family is complete.
#[test]
fn existing_b_holders_are_in_use() {
    let moto = Moto::start();
    let seed = moto.python(&[&format!("{FIXTURES}/seed_existing_b.py"), "--endpoint", &moto.url], &[]);
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
    let control = group(&doc, seed["groups"]["unused-control"].as_str().unwrap());
    if control["status"] != "unused" {
        wrong.push(format!("unused-control: {}", control["status"]));
    }
    // The schedule that names a moto job definition holds that definition's group too.
    let through = group(&doc, seed["groups"]["sagemaker-data-quality-job-definition"].as_str().unwrap());
    if !through["used_by"].as_array().unwrap().iter().any(|u| u["kind"] == "sagemaker-monitoring-schedule") {
        wrong.push(format!("schedule through job definition not seen: {}", through["used_by"]));
    }
    assert!(wrong.is_empty(), "{}\nstderr: {}", wrong.join("\n"), run.stderr);
}

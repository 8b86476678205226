//! The services-c family of holders end to end: each seeded group, held only by one kind of resource, is
//! `in_use` through that kind. moto creates what it can (OpenSearch Ingestion pipelines, Synthetics
//! canaries, Timestream for InfluxDB, WorkSpaces Secure Browser, VPC Lattice VPC associations); the services
//! and fields it lacks are answered by a proxy of ours in each service's real wire format, naming groups
//! created in moto.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::canned::json;
use common::proxy::{FaultProxy, Rule};
use common::{coverage, group, Moto};
use serde_json::Value;

/// Every source of the family.
const SOURCES: &[&str] = &[
    "medialive-channels",
    "mgn-replication-settings",
    "mwaa-environments",
    "mwaa-serverless-workflows",
    "omics-configurations",
    "opensearchserverless-vpc-endpoints",
    "osis-pipelines",
    "osis-pipeline-endpoints",
    "pca-connector-ad-connectors",
    "pcs-clusters",
    "qbusiness-data-sources",
    "quicksight-vpc-connections",
    "redshift-serverless-workgroups",
    "redshift-serverless-endpoint-access",
    "rtbfabric-gateways",
    "s3files-mount-targets",
    "s3outposts-endpoints",
    "securityagent-agent-spaces",
    "synthetics-canaries",
    "timestream-influxdb-databases",
    "vpc-lattice-service-network-vpc-associations",
    "vpc-lattice-resource-gateways",
    "workspaces-web-network-settings",
];

const ACCOUNT: &str = "123456789012";
const CREATED: &str = "2025-01-01T00:00:00Z";

/// A scan of us-east-1, and the sources (of any family) that did not read complete against moto.
fn scan(endpoint: &str) -> (Value, Vec<String>) {
    let run = common::sgaudit_at(
        endpoint,
        &["scan", "--region", "us-east-1", "--format", "json", "--quiet"],
        "testing",
        "testing",
    );
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let doc = run.json();
    let incomplete: Vec<String> = doc["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] != "complete" && c["state"] != "not_applicable")
        .map(|c| c["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(run.code == 3, !incomplete.is_empty(), "exit 3 exactly when a source is incomplete: {incomplete:?}");
    (doc, incomplete)
}

/// A group held by nothing is `unused` when every source read complete; while a source of another
/// family does not read against moto (being written beside this one), it is `unknown`, and never
/// because of this family.
fn assert_unused(doc: &Value, incomplete: &[String], id: &str) {
    let g = group(doc, id);
    if incomplete.is_empty() {
        assert_eq!(g["status"], "unused", "{g}");
    } else {
        eprintln!("note: sources of other families not complete against moto: {incomplete:?}");
        assert_eq!(g["status"], "unknown", "{g}");
    }
    for source in SOURCES {
        assert!(!incomplete.iter().any(|s| s == source), "{source} incomplete");
    }
}

fn kinds_of<'a>(doc: &'a Value, id: &str) -> Vec<&'a str> {
    group(doc, id)["used_by"].as_array().unwrap().iter().map(|u| u["kind"].as_str().unwrap()).collect()
}

/// Non-empty answers, in each service's wire format, naming the groups the seed made for them. A rule
/// for a longer path comes before one for a path it starts with (the proxy matches by substring).
fn holders(seed: &Value) -> Vec<Rule> {
    let g = |kind: &str| seed["groups"][kind].as_str().unwrap().to_string();
    let vpc = seed["vpc"].as_str().unwrap();
    let subnet = seed["subnet"].as_str().unwrap();
    let association = seed["resources"]["vpc-lattice-service-network-vpc-association"].as_str().unwrap();
    let association_id = seed["resources"]["vpc-lattice-service-network-vpc-association-id"].as_str().unwrap();
    let template = seed["resources"]["pcs-compute-node-group-template"].as_str().unwrap();
    let sg_arn = |kind: &str| format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{}", g(kind));
    let vpc_arn = format!("arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/{vpc}");
    vec![
        // MediaLive: moto keeps no VPC settings of channels. Its wire names are lowerCamel.
        json(
            "service=medialive && GET /prod/channels",
            &format!(
                r#"{{"channels":[{{"arn":"arn:aws:medialive:us-east-1:{ACCOUNT}:channel:1234567","id":"1234567","name":"idle","state":"IDLE","vpc":{{"securityGroupIds":["{}"],"subnetIds":["{subnet}"],"networkInterfaceIds":[],"availabilityZones":[]}}}}]}}"#,
                g("medialive-channel")
            ),
        ),
        json(
            "service=mgn && POST /DescribeReplicationConfigurationTemplates",
            &format!(
                r#"{{"items":[{{"replicationConfigurationTemplateID":"rct-0123456789abcdef0","arn":"arn:aws:mgn:us-east-1:{ACCOUNT}:replication-configuration-template/rct-0123456789abcdef0","replicationServersSecurityGroupsIDs":["{}"],"stagingAreaSubnetId":"{subnet}"}}]}}"#,
                g("mgn-replication-configuration-template")
            ),
        ),
        json(
            "service=mgn && POST /DescribeSourceServers",
            &format!(
                r#"{{"items":[{{"sourceServerID":"s-0123456789abcdef0","arn":"arn:aws:mgn:us-east-1:{ACCOUNT}:source-server/s-0123456789abcdef0","isArchived":false}}]}}"#
            ),
        ),
        json(
            "service=mgn && POST /GetReplicationConfiguration",
            &format!(
                r#"{{"sourceServerID":"s-0123456789abcdef0","replicationServersSecurityGroupsIDs":["{}"],"stagingAreaSubnetId":"{subnet}"}}"#,
                g("mgn-source-server")
            ),
        ),
        json(
            "service=airflow && GET /environments/env1",
            &format!(
                r#"{{"Environment":{{"Name":"env1","Arn":"arn:aws:airflow:us-east-1:{ACCOUNT}:environment/env1","Status":"AVAILABLE","NetworkConfiguration":{{"SubnetIds":["{subnet}"],"SecurityGroupIds":["{}"]}}}}}}"#,
                g("mwaa-environment")
            ),
        ),
        json("service=airflow && GET /environments", r#"{"Environments":["env1"]}"#),
        json(
            "service=airflow-serverless && AmazonMWAAServerless.ListWorkflows",
            &format!(
                r#"{{"Workflows":[{{"WorkflowArn":"arn:aws:airflow-serverless:us-east-1:{ACCOUNT}:workflow/wf1","Name":"wf1","WorkflowStatus":"READY"}}]}}"#
            ),
        ),
        json(
            "service=airflow-serverless && AmazonMWAAServerless.GetWorkflow",
            &format!(
                r#"{{"WorkflowArn":"arn:aws:airflow-serverless:us-east-1:{ACCOUNT}:workflow/wf1","Name":"wf1","WorkflowStatus":"READY","NetworkConfiguration":{{"SecurityGroupIds":["{}"],"SubnetIds":["{subnet}"]}}}}"#,
                g("mwaa-serverless-workflow")
            ),
        ),
        json(
            "service=omics && GET /configuration/cfg1",
            &format!(
                r#"{{"arn":"arn:aws:omics:us-east-1:{ACCOUNT}:configuration/cfg1","name":"cfg1","status":"ACTIVE","runConfigurations":{{"vpcConfig":{{"securityGroupIds":["{}"],"subnetIds":["{subnet}"],"vpcId":"{vpc}"}}}}}}"#,
                g("omics-configuration")
            ),
        ),
        json(
            "service=omics && GET /configuration",
            &format!(
                r#"{{"items":[{{"arn":"arn:aws:omics:us-east-1:{ACCOUNT}:configuration/cfg1","name":"cfg1","status":"ACTIVE"}}]}}"#
            ),
        ),
        json(
            "service=aoss && OpenSearchServerless.ListVpcEndpoints",
            r#"{"vpcEndpointSummaries":[{"id":"vpce-050f79086ee71ac05","name":"ep1","status":"ACTIVE"}]}"#,
        ),
        json(
            "service=aoss && OpenSearchServerless.BatchGetVpcEndpoint",
            &format!(
                r#"{{"vpcEndpointDetails":[{{"id":"vpce-050f79086ee71ac05","name":"ep1","vpcId":"{vpc}","subnetIds":["{subnet}"],"securityGroupIds":["{}"],"status":"ACTIVE"}}],"vpcEndpointErrorDetails":[]}}"#,
                g("opensearchserverless-vpc-endpoint")
            ),
        ),
        // moto makes OpenSearch Ingestion pipelines and Synthetics canaries, but writes their timestamps as
        // ISO strings where the models say epoch seconds, which the SDK cannot read.
        json(
            "service=osis && GET /2022-01-01/osis/listPipelines",
            &format!(
                r#"{{"Pipelines":[{{"PipelineName":"stopped","PipelineArn":"arn:aws:osis:us-east-1:{ACCOUNT}:pipeline/stopped","Status":"STOPPED","MinUnits":1,"MaxUnits":1}}]}}"#
            ),
        ),
        json(
            "service=osis && GET /2022-01-01/osis/getPipeline/stopped",
            &format!(
                r#"{{"Pipeline":{{"PipelineName":"stopped","PipelineArn":"arn:aws:osis:us-east-1:{ACCOUNT}:pipeline/stopped","Status":"STOPPED","VpcEndpoints":[{{"VpcEndpointId":"vpce-0123456789abcdef0","VpcId":"{vpc}","VpcOptions":{{"SubnetIds":["{subnet}"],"SecurityGroupIds":["{}"]}}}}]}}}}"#,
                g("osis-pipeline")
            ),
        ),
        json(
            "service=synthetics && POST /canaries",
            &format!(
                r#"{{"Canaries":[{{"Id":"0d4c5f4e-1111-2222-3333-444455556666","Name":"stopped","Status":{{"State":"STOPPED"}},"VpcConfig":{{"VpcId":"{vpc}","SubnetIds":["{subnet}"],"SecurityGroupIds":["{}"]}}}}]}}"#,
                g("synthetics-canary")
            ),
        ),
        json(
            "service=osis && GET /2022-01-01/osis/listPipelineEndpoints",
            &format!(
                r#"{{"PipelineEndpoints":[{{"PipelineArn":"arn:aws:osis:us-east-1:444455556666:pipeline/shared","EndpointId":"pe-0123456789","Status":"ACTIVE","VpcId":"{vpc}","VpcOptions":{{"SubnetIds":["{subnet}"],"SecurityGroupIds":["{}"]}}}}]}}"#,
                g("osis-pipeline-endpoint")
            ),
        ),
        json(
            "service=pca-connector-ad && GET /connectors",
            &format!(
                r#"{{"Connectors":[{{"Arn":"arn:aws:pca-connector-ad:us-east-1:{ACCOUNT}:connector/c1","DirectoryId":"d-1234567890","Status":"ACTIVE","VpcInformation":{{"SecurityGroupIds":["{}"]}}}}]}}"#,
                g("pca-connector-ad-connector")
            ),
        ),
        json(
            "service=pcs && AWSParallelComputingService.ListClusters",
            &format!(
                r#"{{"clusters":[{{"name":"hpc","id":"pcs_0123456789","arn":"arn:aws:pcs:us-east-1:{ACCOUNT}:cluster/pcs_0123456789","createdAt":"{CREATED}","modifiedAt":"{CREATED}","status":"SUSPENDED"}}]}}"#
            ),
        ),
        json(
            "service=pcs && AWSParallelComputingService.GetCluster",
            &format!(
                r#"{{"cluster":{{"name":"hpc","id":"pcs_0123456789","arn":"arn:aws:pcs:us-east-1:{ACCOUNT}:cluster/pcs_0123456789","status":"SUSPENDED","createdAt":"{CREATED}","modifiedAt":"{CREATED}","scheduler":{{"type":"SLURM","version":"24.05"}},"size":"SMALL","networking":{{"subnetIds":["{subnet}"],"securityGroupIds":["{}"]}}}}}}"#,
                g("pcs-cluster")
            ),
        ),
        // A node group pinned to version 1 of a template whose default and latest are version 2.
        json(
            "service=pcs && AWSParallelComputingService.ListComputeNodeGroups",
            &format!(
                r#"{{"computeNodeGroups":[{{"name":"workers","id":"pcs_ng0123456","arn":"arn:aws:pcs:us-east-1:{ACCOUNT}:cluster/pcs_0123456789/computenodegroup/pcs_ng0123456","clusterId":"pcs_0123456789","createdAt":"{CREATED}","modifiedAt":"{CREATED}","status":"ACTIVE"}}]}}"#
            ),
        ),
        json(
            "service=pcs && AWSParallelComputingService.GetComputeNodeGroup",
            &format!(
                r#"{{"computeNodeGroup":{{"name":"workers","id":"pcs_ng0123456","arn":"arn:aws:pcs:us-east-1:{ACCOUNT}:cluster/pcs_0123456789/computenodegroup/pcs_ng0123456","clusterId":"pcs_0123456789","createdAt":"{CREATED}","modifiedAt":"{CREATED}","status":"ACTIVE","subnetIds":["{subnet}"],"customLaunchTemplate":{{"id":"{template}","version":"1"}},"iamInstanceProfileArn":"arn:aws:iam::{ACCOUNT}:instance-profile/pcs","scalingConfiguration":{{"minInstanceCount":0,"maxInstanceCount":2}},"instanceConfigs":[{{"instanceType":"t3.micro"}}]}}}}"#
            ),
        ),
        json(
            "service=qbusiness && GET /applications/app1/indices/idx1/datasources/ds1",
            &format!(
                r#"{{"applicationId":"app1","indexId":"idx1","dataSourceId":"ds1","dataSourceArn":"arn:aws:qbusiness:us-east-1:{ACCOUNT}:application/app1/index/idx1/data-source/ds1","status":"ACTIVE","vpcConfiguration":{{"subnetIds":["{subnet}"],"securityGroupIds":["{}"]}}}}"#,
                g("qbusiness-data-source")
            ),
        ),
        json(
            "service=qbusiness && GET /applications/app1/indices/idx1/datasources",
            r#"{"dataSources":[{"dataSourceId":"ds1","displayName":"docs","type":"S3","status":"ACTIVE"}]}"#,
        ),
        json(
            "service=qbusiness && GET /applications/app1/indices",
            r#"{"indices":[{"indexId":"idx1","displayName":"index","status":"ACTIVE"}]}"#,
        ),
        json(
            "service=qbusiness && GET /applications",
            r#"{"applications":[{"applicationId":"app1","displayName":"app","status":"ACTIVE"}]}"#,
        ),
        json(
            "service=quicksight && /vpc-connections",
            &format!(
                r#"{{"VPCConnectionSummaries":[{{"VPCConnectionId":"vc1","Arn":"arn:aws:quicksight:us-east-1:{ACCOUNT}:vpcConnection/vc1","Name":"vc1","VPCId":"{vpc}","SecurityGroupIds":["{}"],"Status":"CREATION_SUCCESSFUL","AvailabilityStatus":"AVAILABLE"}}],"RequestId":"canned"}}"#,
                g("quicksight-vpc-connection")
            ),
        ),
        json(
            "service=redshift-serverless && RedshiftServerless.ListWorkgroups",
            &format!(
                r#"{{"workgroups":[{{"workgroupName":"wg1","workgroupId":"11111111-2222-3333-4444-555555555555","workgroupArn":"arn:aws:redshift-serverless:us-east-1:{ACCOUNT}:workgroup/11111111-2222-3333-4444-555555555555","status":"AVAILABLE","securityGroupIds":["{}"],"subnetIds":["{subnet}"]}}]}}"#,
                g("redshift-serverless-workgroup")
            ),
        ),
        json(
            "service=redshift-serverless && RedshiftServerless.ListEndpointAccess",
            &format!(
                r#"{{"endpoints":[{{"endpointName":"ep1","endpointArn":"arn:aws:redshift-serverless:us-east-1:{ACCOUNT}:managedvpcendpoint/66666666-7777-8888-9999-000000000000","endpointStatus":"ACTIVE","workgroupName":"wg1","vpcSecurityGroups":[{{"vpcSecurityGroupId":"{}","status":"active"}}]}}]}}"#,
                g("redshift-serverless-endpoint-access")
            ),
        ),
        json("service=rtbfabric && GET /requester-gateways", r#"{"gatewayIds":["rtb-gw-requester1"]}"#),
        json(
            "service=rtbfabric && GET /requester-gateway/rtb-gw-requester1",
            &format!(
                r#"{{"gatewayId":"rtb-gw-requester1","status":"ACTIVE","domainName":"requester.example.com","vpcId":"{vpc}","subnetIds":["{subnet}"],"securityGroupIds":["{}"]}}"#,
                g("rtbfabric-requester-gateway")
            ),
        ),
        json("service=rtbfabric && GET /responder-gateways", r#"{"gatewayIds":["rtb-gw-responder1"]}"#),
        json(
            "service=rtbfabric && GET /responder-gateway/rtb-gw-responder1",
            &format!(
                r#"{{"gatewayId":"rtb-gw-responder1","status":"ISOLATED","vpcId":"{vpc}","subnetIds":["{subnet}"],"securityGroupIds":["{}"],"port":443,"protocol":"HTTPS"}}"#,
                g("rtbfabric-responder-gateway")
            ),
        ),
        json(
            "service=s3files && GET /mount-targets/fsmt-0123456789",
            &format!(
                r#"{{"ownerId":"{ACCOUNT}","mountTargetId":"fsmt-0123456789","fileSystemId":"fs-0123456789","subnetId":"{subnet}","vpcId":"{vpc}","securityGroups":["{}"],"status":"available"}}"#,
                g("s3files-mount-target")
            ),
        ),
        json(
            "service=s3files && GET /mount-targets",
            &format!(
                r#"{{"mountTargets":[{{"ownerId":"{ACCOUNT}","mountTargetId":"fsmt-0123456789","fileSystemId":"fs-0123456789","subnetId":"{subnet}","vpcId":"{vpc}","status":"available"}}]}}"#
            ),
        ),
        json(
            "service=s3-outposts && GET /S3Outposts/ListEndpoints",
            &format!(
                r#"{{"Endpoints":[{{"EndpointArn":"arn:aws:s3-outposts:us-east-1:{ACCOUNT}:outpost/op-01ac5d28a6a232904/endpoint/ep1","OutpostsId":"op-01ac5d28a6a232904","Status":"Available","VpcId":"{vpc}","SubnetId":"{subnet}","SecurityGroupId":"{}"}}]}}"#,
                g("s3outposts-endpoint")
            ),
        ),
        json(
            "service=securityagent && POST /ListAgentSpaces",
            r#"{"agentSpaceSummaries":[{"agentSpaceId":"as-1","name":"space"}]}"#,
        ),
        json(
            "service=securityagent && POST /BatchGetAgentSpaces",
            &format!(
                r#"{{"agentSpaces":[{{"agentSpaceId":"as-1","name":"space","awsResources":{{"vpcs":[{{"vpcArn":"{vpc_arn}","securityGroupArns":["{}"]}}]}}}}],"notFound":[]}}"#,
                sg_arn("securityagent-agent-space")
            ),
        ),
        json(
            "service=securityagent && POST /ListPentests",
            r#"{"pentestSummaries":[{"pentestId":"pt-1","agentSpaceId":"as-1","title":"pentest"}]}"#,
        ),
        json(
            "service=securityagent && POST /BatchGetPentests",
            &format!(
                r#"{{"pentests":[{{"pentestId":"pt-1","agentSpaceId":"as-1","title":"pentest","assets":{{}},"vpcConfig":{{"vpcArn":"{vpc_arn}","securityGroupArns":["{}"]}}}}],"notFound":[]}}"#,
                sg_arn("securityagent-pentest")
            ),
        ),
        json(
            "service=vpc-lattice && GET /resourcegateways",
            &format!(
                r#"{{"items":[{{"name":"rg1","id":"rgw-0123456789abcdef0","arn":"arn:aws:vpc-lattice:us-east-1:{ACCOUNT}:resourcegateway/rgw-0123456789abcdef0","status":"ACTIVE","vpcIdentifier":"{vpc}","subnetIds":["{subnet}"],"securityGroupIds":["{}"]}}]}}"#,
                g("vpc-lattice-resource-gateway")
            ),
        ),
        // moto lists the association it made, but has no GetServiceNetworkVpcAssociation.
        json(
            &format!("service=vpc-lattice && GET /servicenetworkvpcassociations/{association_id}"),
            &format!(
                r#"{{"id":"{association_id}","arn":"{association}","status":"ACTIVE","vpcId":"{vpc}","serviceNetworkName":"services-c-network","securityGroupIds":["{}"]}}"#,
                g("vpc-lattice-service-network-vpc-association")
            ),
        ),
    ]
}

/// Each group held by one kind of resource only is `in_use` through that kind; every source of the
/// family reads complete; a group held by nothing stays `unused`.
#[test]
fn each_services_c_holder_holds_its_group() {
    let moto = Moto::start();
    let seed = moto.python(
        &[&format!("{}/seed_services_c.py", common::FIXTURES), "--endpoint", &moto.url, "--region", "us-east-1"],
        &[],
    );
    let front = FaultProxy::start(&moto.url, holders(&seed));
    let (doc, incomplete) = scan(&front.url);
    for source in SOURCES {
        let c = coverage(&doc, source);
        assert_eq!(c["state"], "complete", "{c}");
    }
    let groups = seed["groups"].as_object().unwrap();
    assert!(groups.len() > 20, "{groups:?}");
    for (kind, id) in groups {
        let id = id.as_str().unwrap();
        if kind == "unused-control" {
            continue;
        }
        let g = group(&doc, id);
        assert_eq!(g["status"], "in_use", "{kind}: {g}");
        assert!(kinds_of(&doc, id).contains(&kind.as_str()), "{kind}: {g}");
    }
    // The ids recorded are the resources' own.
    for kind in ["timestream-influxdb-db-instance", "timestream-influxdb-db-cluster", "workspaces-web-network-settings"]
    {
        let want = seed["resources"][kind].as_str().unwrap();
        let g = group(&doc, seed["groups"][kind].as_str().unwrap());
        assert!(g["used_by"].as_array().unwrap().iter().any(|u| u["id"] == want), "{kind}: {g}");
    }
    // A node group holds the launch template version it pins, not the template's default or latest.
    let pinned = group(&doc, seed["groups"]["pcs-compute-node-group"].as_str().unwrap());
    assert!(
        pinned["used_by"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["kind"] == "pcs-compute-node-group" && u["detail"].as_str().unwrap().contains("version 1")),
        "{pinned}"
    );
    // Groups named by ARN are recorded by their id.
    let space = group(&doc, seed["groups"]["securityagent-agent-space"].as_str().unwrap());
    assert!(space["used_by"].as_array().unwrap().iter().any(|u| u["id"] == "as-1"), "{space}");
    assert_unused(&doc, &incomplete, seed["groups"]["unused-control"].as_str().unwrap());
}

/// With only the canned empty lists (what every other e2e test sees), every source of the family reads
/// complete and a group held by nothing is `unused`.
#[test]
fn empty_services_c_lists_read_complete() {
    let moto = Moto::start();
    let seed = moto.python(
        &[
            "-c",
            "import boto3, json; ec2 = boto3.client('ec2', region_name='us-east-1'); \
             vpc = ec2.create_vpc(CidrBlock='10.41.0.0/16')['Vpc']['VpcId']; \
             print(json.dumps({'group': ec2.create_security_group(GroupName='lonely', Description='x', VpcId=vpc)['GroupId']}))",
        ],
        &[],
    );
    let (doc, incomplete) = scan(&moto.url);
    for source in SOURCES {
        let c = coverage(&doc, source);
        assert_eq!(c["state"], "complete", "{c}");
        assert_eq!(c["items"], 0, "{c}");
    }
    assert_unused(&doc, &incomplete, seed["group"].as_str().unwrap());
}

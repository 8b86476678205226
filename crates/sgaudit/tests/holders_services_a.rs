//! Holders of the `services-a` family end to end: Comprehend models and a flywheel and an EMR Serverless
//! application made in moto (the application in its created state, which holds its groups before it ever
//! starts); the services (or operations) moto lacks, or that the SDK cannot reach in moto, answered by a
//! proxy of ours, in their real wire formats, with a resource naming a group made in moto (an EMR on EKS
//! managed endpoint in a virtual cluster made in moto, among them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::canned::{cbor, json};
use common::{assert_held, coverage, group, used_by, Moto};
use serde_json::Value;

const SOURCES: &[&str] = &[
    "amp-scrapers",
    "appstream-fleets",
    "apprunner-vpc-connectors",
    "bedrock-agentcore-resources",
    "bedrock-marketplace-endpoints",
    "cloudhsm-clusters",
    "codeconnections-hosts",
    "comprehend-models",
    "datasync-agents-locations",
    "datazone-connections",
    "deadline-license-endpoints",
    "devicefarm-projects",
    "docdb-elastic-clusters",
    "drs-replication-settings",
    "emr-containers-managed-endpoints",
    "emr-serverless-applications",
];

const ACCOUNT: &str = "123456789012";

/// A managed VPC resource (an AgentCore private endpoint) naming `group`.
fn managed_vpc(vpc: &str, subnet: &str, group: &str) -> String {
    format!(
        r#"{{"managedVpcResource":{{"vpcIdentifier":"{vpc}","subnetIds":["{subnet}"],"endpointIpAddressType":"IPV4","securityGroupIds":["{group}"]}}}}"#
    )
}

/// The answers, in each service's wire format, for the services and operations moto lacks: one resource
/// each, naming the group the seed made for it. More specific paths come first (the proxy takes the first
/// rule whose every part is in the request).
fn answers(seed: &Value) -> Vec<common::proxy::Rule> {
    let g = |name: &str| seed["groups"][name].as_str().unwrap().to_string();
    let subnet = seed["subnet_id"].as_str().unwrap();
    let vpc = seed["vpc_id"].as_str().unwrap();
    let role = format!("arn:aws:iam::{ACCOUNT}:role/sa");
    let sg_arn = |name: &str| format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{}", g(name));
    let agentcore = format!("arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}");
    let jwt = |name: &str| {
        format!(
            r#"{{"customJWTAuthorizer":{{"discoveryUrl":"https://idp.example.com/.well-known/openid-configuration","privateEndpoint":{}}}}}"#,
            managed_vpc(vpc, subnet, &g(name))
        )
    };
    let vc = seed["resources"]["emr-containers-virtual-cluster"].as_str().unwrap();
    let le = "le-0123456789abcdef0123456789abcdef";
    let vpc_config = |name: &str| serde_json::json!({"SubnetIds": [subnet], "SecurityGroupIds": [g(name)]});
    vec![
        // AppStream and CodeConnections answer in Smithy RPC v2 CBOR.
        cbor(
            "service=appstream && /operation/DescribeFleets",
            &serde_json::json!({"Fleets": [{
                "Arn": format!("arn:aws:appstream:us-east-1:{ACCOUNT}:fleet/sa-fleet"), "Name": "sa-fleet",
                "InstanceType": "stream.standard.small", "ComputeCapacityStatus": {"Desired": 0},
                "State": "STOPPED", "VpcConfig": vpc_config("canned-appstream-fleet")}]}),
        ),
        cbor(
            "service=appstream && /operation/DescribeImageBuilders",
            &serde_json::json!({"ImageBuilders": [{
                "Arn": format!("arn:aws:appstream:us-east-1:{ACCOUNT}:image-builder/sa-builder"), "Name": "sa-builder",
                "State": "STOPPED", "VpcConfig": vpc_config("canned-appstream-image-builder")}]}),
        ),
        cbor(
            "service=appstream && /operation/DescribeAppBlockBuilders",
            &serde_json::json!({"AppBlockBuilders": [{
                "Arn": format!("arn:aws:appstream:us-east-1:{ACCOUNT}:app-block-builder/sa-block-builder"),
                "Name": "sa-block-builder", "Platform": "WINDOWS_SERVER_2019", "InstanceType": "stream.standard.small",
                "State": "STOPPED", "VpcConfig": vpc_config("canned-appstream-app-block-builder")}]}),
        ),
        cbor(
            "service=codeconnections && /operation/ListHosts",
            &serde_json::json!({"Hosts": [{
                "Name": "sa-host", "HostArn": format!("arn:aws:codeconnections:us-east-1:{ACCOUNT}:host/sa-host-0a1b2c3d"),
                "ProviderType": "GitHubEnterpriseServer", "ProviderEndpoint": "https://git.example.com",
                "Status": "AVAILABLE",
                "VpcConfiguration": {"VpcId": vpc, "SubnetIds": [subnet], "SecurityGroupIds": [g("canned-codeconnections-host")]}}]}),
        ),
        json(
            "service=aps && GET /scrapers",
            &format!(
                r#"{{"scrapers":[{{"scraperId":"s-sa1","arn":"arn:aws:aps:us-east-1:{ACCOUNT}:scraper/s-sa1","roleArn":"{role}","status":{{"statusCode":"ACTIVE"}},"source":{{"vpcConfiguration":{{"securityGroupIds":["{}"],"subnetIds":["{subnet}"]}}}},"destination":{{"ampConfiguration":{{"workspaceArn":"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/ws-1"}}}}}}]}}"#,
                g("canned-amp-scraper")
            ),
        ),
        json(
            "service=apprunner && AppRunner.ListVpcConnectors",
            &format!(
                r#"{{"VpcConnectors":[{{"VpcConnectorName":"sa-connector","VpcConnectorArn":"arn:aws:apprunner:us-east-1:{ACCOUNT}:vpcconnector/sa-connector/1/0123","VpcConnectorRevision":1,"Subnets":["{subnet}"],"SecurityGroups":["{}"],"Status":"ACTIVE"}}]}}"#,
                g("canned-apprunner-vpc-connector")
            ),
        ),
        json(
            "service=bedrock && GET /marketplace-model/endpoints/",
            &format!(
                r#"{{"marketplaceModelEndpoint":{{"endpointArn":"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/sa-mkt","modelSourceIdentifier":"arn:aws:sagemaker:us-east-1:aws:hub-content/x","endpointStatus":"InService","endpointConfig":{{"sageMaker":{{"initialInstanceCount":1,"instanceType":"ml.g5.xlarge","executionRole":"{role}","vpc":{{"subnetIds":["{subnet}"],"securityGroupIds":["{}"]}}}}}}}}}}"#,
                g("canned-bedrock-marketplace-model-endpoint")
            ),
        ),
        json(
            "service=bedrock && GET /marketplace-model/endpoints",
            &format!(
                r#"{{"marketplaceModelEndpoints":[{{"endpointArn":"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/sa-mkt","modelSourceIdentifier":"x"}}]}}"#
            ),
        ),
        // The latest version of the runtime, then (the second describe, for the version its endpoint serves)
        // version 1, with other groups.
        json(
            "service=bedrock-agentcore && GET /runtimes/rt-sa1",
            &format!(
                r#"{{"agentRuntimeArn":"{agentcore}:runtime/rt-sa1","agentRuntimeName":"sa_rt","agentRuntimeId":"rt-sa1","agentRuntimeVersion":"2","roleArn":"{role}","status":"READY","networkConfiguration":{{"networkMode":"VPC","networkModeConfig":{{"securityGroups":["{}"],"subnets":["{subnet}"]}}}}}}"#,
                g("canned-bedrock-agentcore-agent-runtime")
            ),
        ).once(),
        json(
            "service=bedrock-agentcore && GET /runtimes/rt-sa1",
            &format!(
                r#"{{"agentRuntimeArn":"{agentcore}:runtime/rt-sa1","agentRuntimeName":"sa_rt","agentRuntimeId":"rt-sa1","agentRuntimeVersion":"1","roleArn":"{role}","status":"READY","networkConfiguration":{{"networkMode":"VPC","networkModeConfig":{{"securityGroups":["{}"],"subnets":["{subnet}"]}}}}}}"#,
                g("canned-bedrock-agentcore-agent-runtime-v1")
            ),
        ),
        json(
            "service=bedrock-agentcore && POST /runtimes/rt-sa1/runtime-endpoints",
            &format!(
                r#"{{"runtimeEndpoints":[{{"name":"DEFAULT","liveVersion":"1","targetVersion":"1","agentRuntimeEndpointArn":"{agentcore}:runtime/rt-sa1/runtime-endpoint/DEFAULT","agentRuntimeArn":"{agentcore}:runtime/rt-sa1","status":"READY","id":"DEFAULT"}}]}}"#
            ),
        ),
        json(
            "service=bedrock-agentcore && POST /runtimes",
            &format!(
                r#"{{"agentRuntimes":[{{"agentRuntimeArn":"{agentcore}:runtime/rt-sa1","agentRuntimeId":"rt-sa1","agentRuntimeVersion":"2","agentRuntimeName":"sa_rt","status":"READY"}}]}}"#
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /gateways/gw-sa1/targets/tg-sa1",
            &format!(
                r#"{{"gatewayArn":"{agentcore}:gateway/gw-sa1","targetId":"tg-sa1","name":"sa-target","status":"READY","privateEndpoint":{}}}"#,
                managed_vpc(vpc, subnet, &g("canned-bedrock-agentcore-gateway-target"))
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /gateways/gw-sa1/targets",
            r#"{"items":[{"targetId":"tg-sa1","name":"sa-target","status":"READY"}]}"#,
        ),
        json(
            "service=bedrock-agentcore && GET /gateways/gw-sa1",
            &format!(
                r#"{{"gatewayArn":"{agentcore}:gateway/gw-sa1","gatewayId":"gw-sa1","name":"sa-gw","status":"READY","authorizerType":"CUSTOM_JWT","protocolType":"MCP","authorizerConfiguration":{}}}"#,
                jwt("canned-bedrock-agentcore-gateway")
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /gateways",
            r#"{"items":[{"gatewayId":"gw-sa1","name":"sa-gw","status":"READY","authorizerType":"CUSTOM_JWT","protocolType":"MCP"}]}"#,
        ),
        json(
            "service=bedrock-agentcore && GET /browsers/br-sa1",
            &format!(
                r#"{{"browserId":"br-sa1","browserArn":"{agentcore}:browser-custom/br-sa1","name":"sa_browser","status":"READY","networkConfiguration":{{"networkMode":"VPC","vpcConfig":{{"securityGroups":["{}"],"subnets":["{subnet}"]}}}}}}"#,
                g("canned-bedrock-agentcore-browser")
            ),
        ),
        json(
            "service=bedrock-agentcore && POST /browsers",
            &format!(
                r#"{{"browserSummaries":[{{"browserId":"br-sa1","browserArn":"{agentcore}:browser-custom/br-sa1","status":"READY"}}]}}"#
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /code-interpreters/ci-sa1",
            &format!(
                r#"{{"codeInterpreterId":"ci-sa1","codeInterpreterArn":"{agentcore}:code-interpreter-custom/ci-sa1","name":"sa_ci","status":"READY","networkConfiguration":{{"networkMode":"VPC","vpcConfig":{{"securityGroups":["{}"],"subnets":["{subnet}"]}}}}}}"#,
                g("canned-bedrock-agentcore-code-interpreter")
            ),
        ),
        json(
            "service=bedrock-agentcore && POST /code-interpreters",
            &format!(
                r#"{{"codeInterpreterSummaries":[{{"codeInterpreterId":"ci-sa1","codeInterpreterArn":"{agentcore}:code-interpreter-custom/ci-sa1","status":"READY"}}]}}"#
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /harnesses/h-sa1",
            &format!(
                r#"{{"harness":{{"harnessId":"h-sa1","harnessName":"sa_harness","arn":"{agentcore}:harness/h-sa1","status":"READY","environment":{{"agentCoreRuntimeEnvironment":{{"agentRuntimeArn":"{agentcore}:runtime/rt-1","agentRuntimeName":"rt","agentRuntimeId":"rt-1","networkConfiguration":{{"networkMode":"VPC","networkModeConfig":{{"securityGroups":["{}"],"subnets":["{subnet}"]}}}}}}}}}}}}"#,
                g("canned-bedrock-agentcore-harness")
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /harnesses",
            &format!(
                r#"{{"harnesses":[{{"harnessId":"h-sa1","harnessName":"sa_harness","arn":"{agentcore}:harness/h-sa1","status":"READY"}}]}}"#
            ),
        ),
        json(
            "service=bedrock-agentcore && POST /identities/GetOauth2CredentialProvider",
            &format!(
                r#"{{"clientSecretArn":{{"secretArn":"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:s"}},"name":"sa-oauth","credentialProviderVendor":"CustomOauth2","credentialProviderArn":"{agentcore}:token-vault/default/oauth2credentialprovider/sa-oauth","oauth2ProviderConfigOutput":{{"customOauth2ProviderConfig":{{"oauthDiscovery":{{"discoveryUrl":"https://idp.example.com/.well-known/openid-configuration"}},"clientId":"c","privateEndpoint":{}}}}}}}"#,
                managed_vpc(vpc, subnet, &g("canned-bedrock-agentcore-oauth2-credential-provider"))
            ),
        ),
        json(
            "service=bedrock-agentcore && POST /identities/ListOauth2CredentialProviders",
            &format!(
                r#"{{"credentialProviders":[{{"name":"sa-oauth","credentialProviderVendor":"CustomOauth2","credentialProviderArn":"{agentcore}:token-vault/default/oauth2credentialprovider/sa-oauth"}}]}}"#
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /payments/managers/pm-sa1234567",
            &format!(
                r#"{{"paymentManagerArn":"{agentcore}:payment-manager/pm-sa1234567","paymentManagerId":"pm-sa1234567","name":"sa_pm","authorizerType":"CUSTOM_JWT","roleArn":"{role}","status":"READY","authorizerConfiguration":{}}}"#,
                jwt("canned-bedrock-agentcore-payment-manager")
            ),
        ),
        json(
            "service=bedrock-agentcore && POST /payments/managers-list",
            &format!(
                r#"{{"paymentManagers":[{{"paymentManagerArn":"{agentcore}:payment-manager/pm-sa1234567","paymentManagerId":"pm-sa1234567","name":"sa_pm","authorizerType":"CUSTOM_JWT","roleArn":"{role}","status":"READY"}}]}}"#
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /registries/reg-sa12345678",
            &format!(
                r#"{{"name":"sa_reg","registryId":"reg-sa12345678","registryArn":"{agentcore}:registry/reg-sa12345678","authorizerType":"CUSTOM_JWT","status":"READY","authorizerConfiguration":{}}}"#,
                jwt("canned-bedrock-agentcore-registry")
            ),
        ),
        json(
            "service=bedrock-agentcore && GET /registries",
            &format!(
                r#"{{"registries":[{{"name":"sa_reg","registryId":"reg-sa12345678","registryArn":"{agentcore}:registry/reg-sa12345678","status":"READY"}}]}}"#
            ),
        ),
        // moto's CloudHSM clusters have no SecurityGroup.
        json(
            "service=cloudhsm && BaldrApiService.DescribeClusters",
            &format!(
                r#"{{"Clusters":[{{"ClusterId":"cluster-sa1","SecurityGroup":"{}","State":"UNINITIALIZED","VpcId":"{vpc}","SubnetMapping":{{"us-east-1a":"{subnet}"}},"HsmType":"hsm1.medium","Hsms":[]}}]}}"#,
                g("canned-cloudhsm-cluster")
            ),
        ),
        json(
            "service=datasync && FmrsService.ListAgents",
            &format!(
                r#"{{"Agents":[{{"AgentArn":"arn:aws:datasync:us-east-1:{ACCOUNT}:agent/agent-0123456789abcdef0","Name":"sa-agent","Status":"OFFLINE"}}]}}"#
            ),
        ),
        json(
            "service=datasync && FmrsService.DescribeAgent",
            &format!(
                r#"{{"AgentArn":"arn:aws:datasync:us-east-1:{ACCOUNT}:agent/agent-0123456789abcdef0","Name":"sa-agent","Status":"OFFLINE","EndpointType":"PRIVATE_LINK","PrivateLinkConfig":{{"VpcEndpointId":"vpce-0123456789abcdef0","PrivateLinkEndpoint":"10.44.1.10","SubnetArns":["arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{subnet}"],"SecurityGroupArns":["{}"]}}}}"#,
                sg_arn("canned-datasync-agent")
            ),
        ),
        // moto makes S3 and SMB locations only: an EFS location is answered here.
        json(
            "service=datasync && FmrsService.ListLocations",
            &format!(
                r#"{{"Locations":[{{"LocationArn":"arn:aws:datasync:us-east-1:{ACCOUNT}:location/loc-0123456789abcdef0","LocationUri":"efs://us-east-1.fs-0123456789abcdef0/sa/"}},{{"LocationArn":"arn:aws:datasync:us-east-1:{ACCOUNT}:location/loc-0123456789abcdef1","LocationUri":"s3://sa-bucket/x/"}}]}}"#
            ),
        ),
        json(
            "service=datasync && FmrsService.DescribeLocationEfs",
            &format!(
                r#"{{"LocationArn":"arn:aws:datasync:us-east-1:{ACCOUNT}:location/loc-0123456789abcdef0","LocationUri":"efs://us-east-1.fs-0123456789abcdef0/sa/","Ec2Config":{{"SubnetArn":"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{subnet}","SecurityGroupArns":["{}"]}}}}"#,
                sg_arn("canned-datasync-location")
            ),
        ),
        json(
            "service=datazone && GET /v2/domains/dzd_sa1/connections",
            &format!(
                r#"{{"items":[{{"connectionId":"conn-sa1","domainId":"dzd_sa1","domainUnitId":"du-1","name":"sa-conn","type":"REDSHIFT","physicalEndpoints":[{{"glueConnectionName":"sa-glue","glueConnection":{{"name":"sa-glue","connectionType":"JDBC","physicalConnectionRequirements":{{"subnetId":"{subnet}","securityGroupIdList":["{}"],"availabilityZone":"us-east-1a"}}}}}}]}}]}}"#,
                g("canned-datazone-connection")
            ),
        ),
        json(
            "service=datazone && GET /v2/domains",
            &format!(
                r#"{{"items":[{{"id":"dzd_sa1","name":"sa","arn":"arn:aws:datazone:us-east-1:{ACCOUNT}:domain/dzd_sa1","managedAccountId":"{ACCOUNT}","status":"AVAILABLE"}}]}}"#
            ),
        ),
        json(
            &format!("service=deadline && GET /2023-10-12/license-endpoints/{le}"),
            &format!(
                r#"{{"licenseEndpointId":"{le}","status":"READY","statusMessage":"ok","vpcId":"{vpc}","dnsName":"le.example.com","subnetIds":["{subnet}"],"securityGroupIds":["{}"]}}"#,
                g("canned-deadline-license-endpoint")
            ),
        ),
        json(
            "service=deadline && GET /2023-10-12/license-endpoints",
            &format!(
                r#"{{"licenseEndpoints":[{{"licenseEndpointId":"{le}","status":"READY","statusMessage":"ok","vpcId":"{vpc}"}}]}}"#
            ),
        ),
        json(
            "service=devicefarm && DeviceFarm_20150623.ListProjects",
            &format!(
                r#"{{"projects":[{{"arn":"arn:aws:devicefarm:us-west-2:{ACCOUNT}:project:sa-project","name":"sa","vpcConfig":{{"securityGroupIds":["{}"],"subnetIds":["{subnet}"],"vpcId":"{vpc}"}}}}]}}"#,
                g("canned-devicefarm-project")
            ),
        ),
        json(
            "service=devicefarm && DeviceFarm_20150623.ListTestGridProjects",
            &format!(
                r#"{{"testGridProjects":[{{"arn":"arn:aws:devicefarm:us-west-2:{ACCOUNT}:testgrid-project:sa-grid","name":"sa-grid","vpcConfig":{{"securityGroupIds":["{}"],"subnetIds":["{subnet}"],"vpcId":"{vpc}"}}}}]}}"#,
                g("canned-devicefarm-test-grid-project")
            ),
        ),
        // A stopped elastic cluster still holds its groups.
        json(
            "service=docdb-elastic && GET /cluster/",
            &format!(
                r#"{{"cluster":{{"clusterName":"sa-docdb","clusterArn":"arn:aws:docdb-elastic:us-east-1:{ACCOUNT}:cluster/sa-docdb-1","status":"STOPPED","clusterEndpoint":"sa.example.com","adminUserName":"a","authType":"PLAIN_TEXT","vpcSecurityGroupIds":["{}"],"subnetIds":["{subnet}"],"shardCapacity":2,"shardCount":1,"kmsKeyId":"AWS_OWNED_KMS_KEY","preferredMaintenanceWindow":"mon:00:00-mon:00:30"}}}}"#,
                g("canned-docdb-elastic-cluster")
            ),
        ),
        json(
            "service=docdb-elastic && GET /clusters",
            &format!(
                r#"{{"clusters":[{{"clusterName":"sa-docdb","clusterArn":"arn:aws:docdb-elastic:us-east-1:{ACCOUNT}:cluster/sa-docdb-1","status":"STOPPED"}}]}}"#
            ),
        ),
        json(
            "service=drs && POST /DescribeReplicationConfigurationTemplates",
            &format!(
                r#"{{"items":[{{"replicationConfigurationTemplateID":"rct-0123456789abcdef0","arn":"arn:aws:drs:us-east-1:{ACCOUNT}:replication-configuration-template/rct-0123456789abcdef0","stagingAreaSubnetId":"{subnet}","replicationServersSecurityGroupsIDs":["{}"]}}]}}"#,
                g("canned-drs-replication-configuration-template")
            ),
        ),
        // A source server whose replication is stopped: no replication server, its settings kept.
        json(
            "service=drs && POST /DescribeSourceServers",
            &format!(
                r#"{{"items":[{{"sourceServerID":"s-0123456789abcdef0","arn":"arn:aws:drs:us-east-1:{ACCOUNT}:source-server/s-0123456789abcdef0","dataReplicationInfo":{{"dataReplicationState":"STOPPED"}}}}]}}"#
            ),
        ),
        json(
            "service=drs && POST /GetReplicationConfiguration",
            &format!(
                r#"{{"sourceServerID":"s-0123456789abcdef0","name":"sa","stagingAreaSubnetId":"{subnet}","replicationServersSecurityGroupsIDs":["{}"]}}"#,
                g("canned-drs-source-server")
            ),
        ),
        json(
            &format!("service=emr-containers && GET /virtualclusters/{vc}/endpoints"),
            &format!(
                r#"{{"endpoints":[{{"id":"ep-sa1","name":"sa-ep","arn":"arn:aws:emr-containers:us-east-1:{ACCOUNT}:/virtualclusters/{vc}/endpoints/ep-sa1","virtualClusterId":"{vc}","type":"JUPYTER_ENTERPRISE_GATEWAY","state":"ACTIVE","securityGroup":"{}","subnetIds":["{subnet}"]}}]}}"#,
                g("canned-emr-containers-managed-endpoint")
            ),
        ),
    ]
}

#[test]
fn services_a_holders_keep_their_groups_in_use() {
    let moto = Moto::start();
    let seed = moto.python(
        &[&format!("{}/seed_services_a.py", common::FIXTURES), "--endpoint", &moto.url, "--region", "us-east-1"],
        &[],
    );
    // A second proxy, in front of moto's, answers with this seed's groups.
    let front = common::proxy::FaultProxy::start(&moto.url, answers(&seed));
    let run = common::sgaudit_at(
        &front.url,
        &["scan", "--region", "us-east-1", "--format", "json", "--quiet"],
        "testing",
        "testing",
    );
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let doc = run.json();
    let skipped = seed["skipped"].as_object().unwrap();
    assert!(skipped.is_empty(), "moto could not make: {skipped:?}");

    for source in SOURCES {
        assert_eq!(coverage(&doc, source)["state"], "complete", "{source}: {}", coverage(&doc, source));
    }
    assert_eq!(group(&doc, seed["groups"]["unused-control"].as_str().unwrap())["status"], "unused");

    let g = |name: &str| seed["groups"][name].as_str().unwrap().to_string();
    let r = |name: &str| seed["resources"][name].as_str().unwrap().to_string();
    // Made in moto.
    assert_held(
        &doc,
        "classifier",
        &g("comprehend-document-classifier"),
        "comprehend-document-classifier",
        "sa-classifier",
    );
    assert_held(
        &doc,
        "recognizer",
        &g("comprehend-entity-recognizer"),
        "comprehend-entity-recognizer",
        "sa-recognizer",
    );
    assert_held(&doc, "flywheel", &g("comprehend-flywheel"), "comprehend-flywheel", "sa-flywheel");
    assert_held(
        &doc,
        "emr-serverless",
        &g("emr-serverless-application"),
        "emr-serverless-application",
        &r("emr-serverless-application"),
    );
    // Answered by the proxy.
    let canned = [
        ("canned-amp-scraper", "amp-scraper", "s-sa1"),
        ("canned-apprunner-vpc-connector", "apprunner-vpc-connector", "sa-connector"),
        ("canned-appstream-fleet", "appstream-fleet", "sa-fleet"),
        ("canned-appstream-image-builder", "appstream-image-builder", "sa-builder"),
        ("canned-appstream-app-block-builder", "appstream-app-block-builder", "sa-block-builder"),
        ("canned-codeconnections-host", "codeconnections-host", "sa-host"),
        ("canned-bedrock-marketplace-model-endpoint", "bedrock-marketplace-model-endpoint", "sa-mkt"),
        ("canned-bedrock-agentcore-agent-runtime", "bedrock-agentcore-agent-runtime", "rt-sa1"),
        ("canned-bedrock-agentcore-agent-runtime-v1", "bedrock-agentcore-agent-runtime", "rt-sa1"),
        ("canned-bedrock-agentcore-gateway", "bedrock-agentcore-gateway", "gw-sa1"),
        ("canned-bedrock-agentcore-gateway-target", "bedrock-agentcore-gateway-target", "tg-sa1"),
        ("canned-bedrock-agentcore-browser", "bedrock-agentcore-browser", "br-sa1"),
        ("canned-bedrock-agentcore-code-interpreter", "bedrock-agentcore-code-interpreter", "ci-sa1"),
        ("canned-bedrock-agentcore-harness", "bedrock-agentcore-harness", "h-sa1"),
        (
            "canned-bedrock-agentcore-oauth2-credential-provider",
            "bedrock-agentcore-oauth2-credential-provider",
            "sa-oauth",
        ),
        ("canned-bedrock-agentcore-payment-manager", "bedrock-agentcore-payment-manager", "pm-sa1234567"),
        ("canned-bedrock-agentcore-registry", "bedrock-agentcore-registry", "reg-sa12345678"),
        ("canned-cloudhsm-cluster", "cloudhsm-cluster", "cluster-sa1"),
        ("canned-datasync-agent", "datasync-agent", "agent-0123456789abcdef0"),
        ("canned-datasync-location", "datasync-location", "loc-0123456789abcdef0"),
        ("canned-datazone-connection", "datazone-connection", "conn-sa1"),
        ("canned-deadline-license-endpoint", "deadline-license-endpoint", "le-0123"),
        ("canned-devicefarm-project", "devicefarm-project", "sa-project"),
        ("canned-devicefarm-test-grid-project", "devicefarm-test-grid-project", "sa-grid"),
        ("canned-docdb-elastic-cluster", "docdb-elastic-cluster", "sa-docdb-1"),
        (
            "canned-drs-replication-configuration-template",
            "drs-replication-configuration-template",
            "rct-0123456789abcdef0",
        ),
        ("canned-drs-source-server", "drs-source-server", "s-0123456789abcdef0"),
        ("canned-emr-containers-managed-endpoint", "emr-containers-managed-endpoint", "ep-sa1"),
    ];
    let v1 = used_by(&doc, &g("canned-bedrock-agentcore-agent-runtime-v1"));
    assert!(v1.iter().any(|(_, _, detail)| detail.contains("version 1")), "{v1:?}");
    for (holder, kind, resource) in canned {
        assert_held(&doc, holder, &g(holder), kind, resource);
    }
}

#[test]
fn services_a_sources_read_complete_when_empty() {
    let moto = Moto::start();
    let run = moto.sgaudit(&["scan", "--region", "us-east-1", "--format", "json", "--quiet"]);
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let doc = run.json();
    for source in SOURCES {
        let c = coverage(&doc, source);
        assert_eq!(c["state"], "complete", "{c}");
        assert_eq!(c["items"], 0, "{c}");
    }
}

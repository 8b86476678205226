use serde::{Deserialize, Serialize};

macro_rules! kinds {
    ($($variant:ident => $id:literal, $label:literal;)*) => {
        /// The kinds of thing that can hold a security group. The ids are stable: they appear in JSON
        /// output and snapshots.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum ResourceKind {
            $(#[serde(rename = $id)] $variant,)*
        }

        impl ResourceKind {
            pub const ALL: &'static [ResourceKind] = &[$(ResourceKind::$variant,)*];

            /// The stable id, as in JSON output (`lambda-function`).
            pub fn id(self) -> &'static str {
                match self { $(ResourceKind::$variant => $id,)* }
            }

            /// A name for people (`Lambda function`).
            pub fn label(self) -> &'static str {
                match self { $(ResourceKind::$variant => $label,)* }
            }
        }
    };
}

kinds! {
    NetworkInterface => "network-interface", "network interface";
    SecurityGroup => "security-group", "security group rule";
    PeeredVpcReference => "peered-vpc-reference", "rule in a peered or transit-gateway-attached VPC";
    Ec2Instance => "ec2-instance", "EC2 instance";
    LaunchTemplate => "launch-template", "launch template";
    LaunchConfiguration => "launch-configuration", "Auto Scaling launch configuration";
    SpotFleetRequest => "spot-fleet-request", "Spot Fleet request";
    SpotInstanceRequest => "spot-instance-request", "Spot Instance request";
    VpcEndpoint => "vpc-endpoint", "VPC endpoint";
    ElbClassic => "elb-classic", "Classic Load Balancer";
    Elbv2LoadBalancer => "elbv2-load-balancer", "Application/Network/Gateway Load Balancer";
    RdsDbInstance => "rds-db-instance", "RDS DB instance";
    RdsDbCluster => "rds-db-cluster", "RDS/Aurora DB cluster";
    NeptuneDbInstance => "neptune-db-instance", "Neptune DB instance";
    NeptuneDbCluster => "neptune-db-cluster", "Neptune DB cluster";
    DocdbDbInstance => "docdb-db-instance", "DocumentDB instance";
    DocdbDbCluster => "docdb-db-cluster", "DocumentDB cluster";
    RdsDbProxy => "rds-db-proxy", "RDS Proxy";
    RedshiftCluster => "redshift-cluster", "Redshift cluster";
    ElasticacheCacheCluster => "elasticache-cache-cluster", "ElastiCache cluster";
    ElasticacheReplicationGroup => "elasticache-replication-group", "ElastiCache replication group";
    MemorydbCluster => "memorydb-cluster", "MemoryDB cluster";
    DaxCluster => "dax-cluster", "DAX cluster";
    MskCluster => "msk-cluster", "MSK cluster";
    MqBroker => "mq-broker", "Amazon MQ broker";
    EcsService => "ecs-service", "ECS service";
    EksCluster => "eks-cluster", "EKS cluster";
    EksNodegroup => "eks-nodegroup", "EKS node group";
    LambdaFunction => "lambda-function", "Lambda function";
    CodebuildProject => "codebuild-project", "CodeBuild project";
    ElasticbeanstalkEnvironment => "elasticbeanstalk-environment", "Elastic Beanstalk environment";
    SagemakerNotebookInstance => "sagemaker-notebook-instance", "SageMaker notebook instance";
    SagemakerEndpoint => "sagemaker-endpoint", "SageMaker endpoint";
    SagemakerModel => "sagemaker-model", "SageMaker model";
    TransferServer => "transfer-server", "Transfer Family server";
    GlueConnection => "glue-connection", "Glue connection";
    GlueJob => "glue-job", "Glue job";
    ElasticsearchDomain => "elasticsearch-domain", "Elasticsearch domain";
    OpensearchDomain => "opensearch-domain", "OpenSearch domain";
    FsxFileSystem => "fsx-file-system", "FSx file system";
    WorkspacesDirectory => "workspaces-directory", "WorkSpaces directory";
    EfsMountTarget => "efs-mount-target", "EFS mount target";
    EmrCluster => "emr-cluster", "EMR cluster";
    BatchComputeEnvironment => "batch-compute-environment", "Batch compute environment";
    DmsReplicationInstance => "dms-replication-instance", "DMS replication instance";
    DirectoryServiceDirectory => "directory-service-directory", "Directory Service directory";
    Route53ResolverEndpoint => "route53-resolver-endpoint", "Route 53 Resolver endpoint";
    Apigatewayv2VpcLink => "apigatewayv2-vpc-link", "API Gateway VPC link (v2)";
    AutoscalingGroup => "autoscaling-group", "Auto Scaling group";
    Ec2Fleet => "ec2-fleet", "EC2 Fleet";
    RamResourceShare => "ram-resource-share", "AWS RAM resource share";
    SecurityGroupVpcAssociation => "security-group-vpc-association", "security group VPC association";
    ClientVpnEndpoint => "client-vpn-endpoint", "Client VPN endpoint";
    InstanceConnectEndpoint => "instance-connect-endpoint", "EC2 Instance Connect endpoint";
    VerifiedAccessEndpoint => "verified-access-endpoint", "Verified Access endpoint";
    ElasticacheServerlessCache => "elasticache-serverless-cache", "ElastiCache serverless cache";
    RedshiftEndpointAccess => "redshift-endpoint-access", "Redshift-managed VPC endpoint";
    RdsDbProxyEndpoint => "rds-db-proxy-endpoint", "RDS Proxy endpoint";
    RdsOptionGroup => "rds-option-group", "RDS option group";
    DmsInstanceProfile => "dms-instance-profile", "DMS instance profile";
    DmsReplicationConfig => "dms-replication-config", "DMS Serverless replication config";
    DirectoryServiceAssessment => "directory-service-assessment", "Directory Service AD assessment";
    EmrStudio => "emr-studio", "EMR Studio";
    ElasticsearchVpcEndpoint => "elasticsearch-vpc-endpoint", "OpenSearch-managed VPC endpoint (Elasticsearch API)";
    OpensearchVpcEndpoint => "opensearch-vpc-endpoint", "OpenSearch-managed VPC endpoint";
    MskReplicator => "msk-replicator", "MSK Replicator";
    MskVpcConnection => "msk-vpc-connection", "MSK multi-VPC connection";
    GlueDevEndpoint => "glue-dev-endpoint", "Glue development endpoint";
    CodebuildFleet => "codebuild-fleet", "CodeBuild reserved-capacity fleet";
    EcsCapacityProvider => "ecs-capacity-provider", "ECS Managed Instances capacity provider";
    LambdaCapacityProvider => "lambda-capacity-provider", "Lambda capacity provider";
    LambdaEventSourceMapping => "lambda-event-source-mapping", "Lambda event source mapping";
    SagemakerDomain => "sagemaker-domain", "SageMaker domain";
    SagemakerUserProfile => "sagemaker-user-profile", "SageMaker user profile";
    SagemakerHyperpodCluster => "sagemaker-hyperpod-cluster", "SageMaker HyperPod cluster";
    SagemakerMonitoringSchedule => "sagemaker-monitoring-schedule", "SageMaker model-monitoring schedule";
    SagemakerMonitoringJobDefinition => "sagemaker-monitoring-job-definition", "SageMaker model-monitoring job definition";
    SagemakerWorkforce => "sagemaker-workforce", "SageMaker private workforce";
    AppstreamFleet => "appstream-fleet", "AppStream 2.0 fleet";
    AppstreamImageBuilder => "appstream-image-builder", "AppStream 2.0 image builder";
    AppstreamAppBlockBuilder => "appstream-app-block-builder", "AppStream 2.0 app block builder";
    CodeconnectionsHost => "codeconnections-host", "CodeConnections host";
    AmpScraper => "amp-scraper", "Managed Service for Prometheus scraper";
    ApprunnerVpcConnector => "apprunner-vpc-connector", "App Runner VPC connector";
    BedrockMarketplaceModelEndpoint => "bedrock-marketplace-model-endpoint", "Bedrock Marketplace model endpoint";
    AgentcoreAgentRuntime => "bedrock-agentcore-agent-runtime", "Bedrock AgentCore agent runtime";
    AgentcoreBrowser => "bedrock-agentcore-browser", "Bedrock AgentCore browser";
    AgentcoreCodeInterpreter => "bedrock-agentcore-code-interpreter", "Bedrock AgentCore code interpreter";
    AgentcoreGateway => "bedrock-agentcore-gateway", "Bedrock AgentCore gateway";
    AgentcoreGatewayTarget => "bedrock-agentcore-gateway-target", "Bedrock AgentCore gateway target";
    AgentcoreHarness => "bedrock-agentcore-harness", "Bedrock AgentCore harness";
    AgentcoreOauth2CredentialProvider => "bedrock-agentcore-oauth2-credential-provider", "Bedrock AgentCore OAuth2 credential provider";
    AgentcorePaymentManager => "bedrock-agentcore-payment-manager", "Bedrock AgentCore payment manager";
    AgentcoreRegistry => "bedrock-agentcore-registry", "Bedrock AgentCore registry";
    CloudhsmCluster => "cloudhsm-cluster", "CloudHSM cluster";
    ComprehendDocumentClassifier => "comprehend-document-classifier", "Comprehend document classifier";
    ComprehendEntityRecognizer => "comprehend-entity-recognizer", "Comprehend entity recognizer";
    ComprehendFlywheel => "comprehend-flywheel", "Comprehend flywheel";
    DatasyncAgent => "datasync-agent", "DataSync agent (PrivateLink endpoint)";
    DatasyncLocation => "datasync-location", "DataSync EFS/FSx location";
    DatazoneConnection => "datazone-connection", "DataZone connection";
    DeadlineLicenseEndpoint => "deadline-license-endpoint", "Deadline Cloud license endpoint";
    DevicefarmProject => "devicefarm-project", "Device Farm project";
    DevicefarmTestGridProject => "devicefarm-test-grid-project", "Device Farm test grid project";
    DocdbElasticCluster => "docdb-elastic-cluster", "DocumentDB elastic cluster";
    DrsReplicationConfigurationTemplate => "drs-replication-configuration-template", "Elastic Disaster Recovery replication template";
    DrsSourceServer => "drs-source-server", "Elastic Disaster Recovery source server (replication settings)";
    EmrContainersManagedEndpoint => "emr-containers-managed-endpoint", "EMR on EKS managed endpoint";
    EmrServerlessApplication => "emr-serverless-application", "EMR Serverless application";
    EventsRule => "events-rule", "EventBridge rule";
    SchedulerSchedule => "scheduler-schedule", "EventBridge Scheduler schedule";
    PipesPipe => "pipes-pipe", "EventBridge pipe";
    EvsEnvironment => "evs-environment", "Amazon EVS environment";
    FinspaceKxCluster => "finspace-kx-cluster", "FinSpace kdb cluster";
    FirehoseDeliveryStream => "firehose-delivery-stream", "Firehose stream";
    GrafanaWorkspace => "grafana-workspace", "Managed Grafana workspace";
    GroundstationDataflowEndpointGroup => "groundstation-dataflow-endpoint-group", "Ground Station dataflow endpoint group";
    ImagebuilderInfrastructureConfiguration => "imagebuilder-infrastructure-configuration", "Image Builder infrastructure configuration";
    IotTopicRuleDestination => "iot-topic-rule-destination", "IoT topic rule VPC destination";
    KafkaconnectConnector => "kafkaconnect-connector", "MSK Connect connector";
    KendraDataSource => "kendra-data-source", "Kendra data source";
    KinesisanalyticsApplication => "kinesisanalytics-application", "Managed Service for Apache Flink application";
    LicenseManagerIdentityProvider => "license-manager-identity-provider", "License Manager user-subscription identity provider";
    M2Environment => "m2-environment", "Mainframe Modernization environment";
    MediaconnectFlow => "mediaconnect-flow", "MediaConnect flow";
    MediaconnectRouterNetworkInterface => "mediaconnect-router-network-interface", "MediaConnect router network interface";
    MedialiveChannel => "medialive-channel", "MediaLive channel (VPC outputs)";
    MgnReplicationConfigurationTemplate => "mgn-replication-configuration-template", "Application Migration Service replication template";
    MgnSourceServer => "mgn-source-server", "Application Migration Service source server (replication settings)";
    MwaaEnvironment => "mwaa-environment", "MWAA environment";
    MwaaServerlessWorkflow => "mwaa-serverless-workflow", "MWAA Serverless workflow";
    OmicsConfiguration => "omics-configuration", "HealthOmics configuration";
    OpensearchServerlessVpcEndpoint => "opensearchserverless-vpc-endpoint", "OpenSearch Serverless VPC endpoint";
    OsisPipeline => "osis-pipeline", "OpenSearch Ingestion pipeline";
    OsisPipelineEndpoint => "osis-pipeline-endpoint", "OpenSearch Ingestion pipeline endpoint";
    PcaConnectorAdConnector => "pca-connector-ad-connector", "Private CA Connector for Active Directory";
    PcsCluster => "pcs-cluster", "Parallel Computing Service cluster";
    PcsComputeNodeGroup => "pcs-compute-node-group", "Parallel Computing Service compute node group (launch template version)";
    QbusinessDataSource => "qbusiness-data-source", "Amazon Q Business data source";
    QuicksightVpcConnection => "quicksight-vpc-connection", "QuickSight VPC connection";
    RedshiftServerlessWorkgroup => "redshift-serverless-workgroup", "Redshift Serverless workgroup";
    RedshiftServerlessEndpointAccess => "redshift-serverless-endpoint-access", "Redshift Serverless managed VPC endpoint";
    RtbfabricRequesterGateway => "rtbfabric-requester-gateway", "RTB Fabric requester gateway";
    RtbfabricResponderGateway => "rtbfabric-responder-gateway", "RTB Fabric responder gateway";
    S3filesMountTarget => "s3files-mount-target", "S3 Files mount target";
    S3outpostsEndpoint => "s3outposts-endpoint", "S3 on Outposts endpoint";
    SecurityagentAgentSpace => "securityagent-agent-space", "Security Agent agent space";
    SecurityagentPentest => "securityagent-pentest", "Security Agent pentest";
    SyntheticsCanary => "synthetics-canary", "CloudWatch Synthetics canary";
    TimestreamInfluxdbInstance => "timestream-influxdb-db-instance", "Timestream for InfluxDB instance";
    TimestreamInfluxdbCluster => "timestream-influxdb-db-cluster", "Timestream for InfluxDB cluster";
    VpcLatticeServiceNetworkVpcAssociation => "vpc-lattice-service-network-vpc-association", "VPC Lattice service-network VPC association";
    VpcLatticeResourceGateway => "vpc-lattice-resource-gateway", "VPC Lattice resource gateway";
    WorkspacesWebNetworkSettings => "workspaces-web-network-settings", "WorkSpaces Secure Browser network settings";
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let ids: BTreeSet<_> = ResourceKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(ids.len(), ResourceKind::ALL.len());
        for id in ids {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
        }
    }

    #[test]
    fn serde_uses_the_id() {
        let json = serde_json::to_string(&ResourceKind::LambdaFunction).unwrap();
        assert_eq!(json, "\"lambda-function\"");
    }
}

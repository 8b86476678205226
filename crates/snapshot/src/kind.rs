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

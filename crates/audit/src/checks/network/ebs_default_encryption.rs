use crate::checks::{account_resource, resource, Check, Evaluate, Family, Observation, Severity};

pub const CHECK: Check = Check {
    id: "net-ebs-default-encryption",
    title: "EBS encryption by default is off in the region",
    family: Family::Network,
    severity: Severity::Medium,
    controls: &["AWS FSBP EC2.7", "CIS AWS v3.0.0 2.2.1", "CIS AWS v5.0.0 5.1.1"],
    description: "Each region's EBS encryption by default (`GetEbsEncryptionByDefault`): on, every new volume is \
                  encrypted.",
    remediation: "Turn on EBS encryption by default in every region (EC2 console, Account attributes, Data \
                  protection and security; or `aws ec2 enable-ebs-encryption-by-default --region <region>`).",
    reads: &["ec2-ebs-encryption-by-default"],
    evaluate: Evaluate::Region(|scope| {
        let region = scope.region.region.as_str();
        let account = account_resource(scope.account_id);
        vec![match scope.region.posture.ebs_encryption_by_default {
            Some(on) => Observation::judged(
                !on,
                resource::ACCOUNT,
                account,
                format!("EBS encryption by default is {} in {region}", if on { "on" } else { "off" }),
            ),
            None => Observation::not_evaluated(
                resource::ACCOUNT,
                account,
                format!("the snapshot records no EBS encryption default for {region}"),
            ),
        }
        .in_region(region)]
    }),
};

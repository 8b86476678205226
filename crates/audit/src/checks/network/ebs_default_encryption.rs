use crate::checks::{account_resource, resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::Command;
use crate::fix::terraform::{self, Resource, Value};
use crate::fix::Fix;

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
        .in_region(region)
        .with_fix(Some(fix(region)))]
    }),
    fix: Fixer::Judged,
};

fn fix(region: &str) -> Fix {
    Fix::commands(
        format!(
            "Turn on EBS encryption by default in {region}: every new volume (and snapshot copy) is then encrypted with \
             the account's default EBS key; existing volumes are not changed."
        ),
        vec![Command::aws("ec2", "enable-ebs-encryption-by-default", Some(region)).line()],
    )
    .with_terraform(Some(terraform::file(&[
        Resource::new("aws_ebs_encryption_by_default", "this").set("enabled", Value::Bool(true))
    ])))
}

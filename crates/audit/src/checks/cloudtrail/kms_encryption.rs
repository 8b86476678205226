use super::{judged_here, TRAILS};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::Command;
use crate::fix::{set_first, Fix, KMS_KEY_ARN};

pub const CHECK: Check = Check {
    id: "cloudtrail-kms-encryption",
    title: "Trail logs are not encrypted with a KMS key",
    family: Family::Cloudtrail,
    severity: Severity::Medium,
    controls: &["AWS FSBP CloudTrail.2", "CIS AWS v3.0.0 3.5", "CIS AWS v5.0.0 3.5"],
    description: "Every trail, judged once (in its home region, or in the first region scanned when its home region \
                  was not): its log files encrypted with a KMS key (`KmsKeyId`).",
    remediation: "Give the trail a customer managed KMS key whose policy lets CloudTrail encrypt and your readers \
                  decrypt (`aws cloudtrail update-trail --name <trail> --kms-key-id <key>`).",
    reads: TRAILS,
    evaluate: Evaluate::Region(|scope| {
        judged_here(scope)
            .map(|t| {
                let evidence = match &t.kms_key_id {
                    Some(key) => format!("trail {} encrypts its logs with {key}", t.name),
                    None => format!("trail {} names no KMS key (SSE-S3 only)", t.name),
                };
                let command = Command::aws("cloudtrail", "update-trail", Some(&t.home_region))
                    .arg("--name", &t.arn)
                    .var("--kms-key-id", KMS_KEY_ARN);
                let fix = Fix::commands(
                    format!(
                        "Encrypt trail {}'s logs with a customer managed KMS key whose policy lets CloudTrail \
                         encrypt (`kms:GenerateDataKey*` for cloudtrail.amazonaws.com) and your log readers \
                         decrypt.{}",
                        sgaudit_snapshot::text::printable(&t.name),
                        set_first(command.choices())
                    ),
                    vec![command.line()],
                );
                Observation::judged(t.kms_key_id.is_none(), resource::CLOUDTRAIL_TRAIL, t.arn.clone(), evidence)
                    .in_region(t.home_region.as_str())
                    .with_fix(Some(fix))
            })
            .collect()
    }),
    fix: Fixer::Judged,
};

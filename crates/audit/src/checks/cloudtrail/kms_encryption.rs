use super::{judged_here, TRAILS};
use crate::checks::{resource, Check, Evaluate, Family, Observation, Severity};

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
                Observation::judged(t.kms_key_id.is_none(), resource::CLOUDTRAIL_TRAIL, t.arn.clone(), evidence)
                    .in_region(t.home_region.as_str())
            })
            .collect()
    }),
};

use super::account_public_access_block::off_settings;
use super::{bucket_arn, bucket_block_fix, per_bucket, ALL_ON, BUCKETS};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "s3-bucket-public-access-block",
    title: "S3 Block Public Access is not fully on for the bucket",
    family: Family::S3,
    severity: Severity::High,
    controls: &["AWS FSBP S3.8", "CIS AWS v3.0.0 2.1.4", "CIS AWS v5.0.0 2.1.4"],
    description: "Each bucket's own Block Public Access (`GetPublicAccessBlock`): all four settings on.",
    remediation: "Turn on all four Block Public Access settings of the bucket (S3 console, the bucket's \
                  Permissions), unless it must serve the public, and then document the exception.",
    reads: BUCKETS,
    evaluate: Evaluate::Account(|scope| {
        per_bucket(scope, &["s3:GetBucketPublicAccessBlock"], |bucket| {
            let arn = bucket_arn(bucket);
            let fix = bucket_block_fix(
                bucket,
                &ALL_ON,
                format!(
                    "Turn on all four Block Public Access settings of {}, unless it must serve the public.",
                    sgaudit_snapshot::text::printable(&bucket.name)
                ),
            );
            match &bucket.public_access_block {
                None => Observation::fail(
                    resource::S3_BUCKET,
                    arn,
                    format!("{} has no Block Public Access configuration of its own", bucket.name),
                ),
                Some(block) => {
                    let off = off_settings(block);
                    let evidence = if off.is_empty() {
                        format!("{}: all four Block Public Access settings are on", bucket.name)
                    } else {
                        format!("{}: Block Public Access {} off", bucket.name, off.join(", "))
                    };
                    Observation::judged(!off.is_empty(), resource::S3_BUCKET, arn, evidence)
                }
            }
            .with_fix(Some(fix))
        })
    }),
    fix: Fixer::Judged,
};

use super::{bucket_arn, per_bucket, s3api, BUCKETS};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::Json;
use crate::fix::{set_first, Fix, KMS_KEY_ARN};

pub const CHECK: Check = Check {
    id: "s3-default-encryption",
    title: "Bucket's default encryption does not use a KMS key",
    family: Family::S3,
    severity: Severity::Medium,
    controls: &["AWS Security Hub S3.17"],
    description: "Each bucket's default encryption (`GetBucketEncryption`), reported as it is. It fails only when \
                  KMS is required (`--require-kms`) and the default is not SSE-KMS or DSSE-KMS; S3 encrypts every \
                  new object with SSE-S3 at least since January 2023.",
    remediation: "Set the bucket's default encryption to SSE-KMS with a customer managed key (and S3 Bucket Keys to \
                  keep KMS costs down).",
    reads: BUCKETS,
    evaluate: Evaluate::Account(|scope| {
        per_bucket(scope, &["s3:GetEncryptionConfiguration"], |bucket| {
            let arn = bucket_arn(bucket);
            let kms = bucket.encryption.iter().any(|a| a.starts_with("aws:kms"));
            let shown = if bucket.encryption.is_empty() {
                "no default encryption configuration (S3 applies SSE-S3)".to_string()
            } else {
                format!("default encryption {}", bucket.encryption.join(", "))
            };
            let evidence = format!("{}: {shown}", bucket.name);
            let by_default = Json::Object(vec![
                ("SSEAlgorithm", Json::str("aws:kms")),
                ("KMSMasterKeyID", Json::StringVar(KMS_KEY_ARN)),
            ]);
            let rule = Json::Object(vec![
                ("ApplyServerSideEncryptionByDefault", by_default),
                ("BucketKeyEnabled", Json::Bool(true)),
            ]);
            let command = s3api("put-bucket-encryption", bucket).json(
                "--server-side-encryption-configuration",
                &Json::Object(vec![("Rules", Json::Array(vec![rule]))]),
            );
            let fix = Fix::commands(
                format!(
                    "Make SSE-KMS with a customer managed key {}'s default encryption, with an S3 Bucket Key to keep \
                     KMS requests (and costs) down; objects already stored keep their encryption.{}",
                    sgaudit_snapshot::text::printable(&bucket.name),
                    set_first(command.choices())
                ),
                vec![command.line()],
            );
            Observation::judged(scope.options.require_kms && !kms, resource::S3_BUCKET, arn, evidence)
                .with_fix(Some(fix))
        })
    }),
    fix: Fixer::Judged,
};

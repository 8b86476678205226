use sgaudit_snapshot::posture::PublicAccessBlock;

use super::{
    bucket_arn, bucket_block_fix, effect_is, effective_block, per_bucket, principal_is_everyone, statements, strings,
    BUCKETS,
};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "s3-policy-public",
    title: "Bucket policy grants access to everyone",
    family: Family::S3,
    severity: Severity::Critical,
    controls: &["AWS FSBP S3.2", "AWS FSBP S3.3"],
    description: "Each bucket's policy (`GetBucketPolicy`): an Allow statement whose principal is everyone (`*`) \
                  and that has no condition. Passes where Block Public Access restricts public buckets. A condition \
                  is taken to narrow the grant (sgaudit does not judge conditions).",
    remediation: "Name the principals that need access (roles, accounts, a CloudFront origin access control) instead \
                  of `*`, or add conditions that narrow it; turn on Block Public Access (RestrictPublicBuckets).",
    reads: BUCKETS,
    evaluate: Evaluate::Account(|scope| {
        per_bucket(scope, &["s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock"], |bucket| {
            let arn = bucket_arn(bucket);
            let Some(policy) = &bucket.policy else {
                return Observation::pass(resource::S3_BUCKET, arn, format!("{} has no bucket policy", bucket.name));
            };
            let statements = match statements(policy) {
                Ok(s) => s,
                Err(why) => {
                    return Observation::not_evaluated(resource::S3_BUCKET, arn, format!("{}: {why}", bucket.name))
                }
            };
            let public: Vec<String> = statements
                .iter()
                .filter(|s| effect_is(s, "Allow") && principal_is_everyone(s) && s.get("Condition").is_none())
                .map(|s| strings(s.get("Action")).join(" "))
                .collect();
            if public.is_empty() {
                Observation::pass(
                    resource::S3_BUCKET,
                    arn,
                    format!("{}: the policy grants nothing to everyone", bucket.name),
                )
            } else if effective_block(scope, bucket).restrict_public_buckets {
                Observation::pass(
                    resource::S3_BUCKET,
                    arn,
                    format!(
                        "{}: the policy allows {} to everyone, restricted by Block Public Access (RestrictPublicBuckets)",
                        bucket.name,
                        public.join("; ")
                    ),
                )
            } else {
                // The bucket's own settings as they are, with the two that stop a public policy: the policy's
                // text is the owners' to rewrite.
                let own = bucket.public_access_block.unwrap_or_default();
                let block = PublicAccessBlock { block_public_policy: true, restrict_public_buckets: true, ..own };
                let fix = bucket_block_fix(
                    bucket,
                    &block,
                    format!(
                        "Stop {}'s policy from granting to everyone: Block Public Access's RestrictPublicBuckets \
                         limits the bucket to AWS services and its own account's principals now, and \
                         BlockPublicPolicy refuses a public policy later; the bucket's other settings stay. Then \
                         name the principals that need access (roles, accounts, a CloudFront origin access \
                         control) in place of `*`.",
                        sgaudit_snapshot::text::printable(&bucket.name)
                    ),
                );
                Observation::fail(
                    resource::S3_BUCKET,
                    arn,
                    format!("{}: the policy allows {} to everyone, with no condition", bucket.name, public.join("; ")),
                )
                .with_fix(Some(fix))
            }
        })
    }),
    fix: Fixer::Judged,
};

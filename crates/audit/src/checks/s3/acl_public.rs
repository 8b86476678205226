use sgaudit_snapshot::posture::{ALL_USERS, AUTHENTICATED_USERS};

use super::{account_block_read, acl_fix, bucket_arn, effective_block, per_bucket, BUCKETS};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "s3-acl-public",
    title: "Bucket ACL grants access to everyone or to any AWS user",
    family: Family::S3,
    severity: Severity::High,
    controls: &["AWS FSBP S3.2", "AWS FSBP S3.3"],
    description: "Each bucket's ACL (`GetBucketAcl`): no grant to AllUsers or AuthenticatedUsers. Read grants are \
                  high, WRITE, WRITE_ACP and FULL_CONTROL critical. Passes where ACLs are disabled \
                  (`BucketOwnerEnforced`) or Block Public Access ignores public ACLs.",
    remediation: "Remove the grants to AllUsers and AuthenticatedUsers, then disable ACLs (Object Ownership: Bucket \
                  owner enforced) and turn on Block Public Access; serve public content through CloudFront instead.",
    reads: BUCKETS,
    evaluate: Evaluate::Account(|scope| {
        per_bucket(
            scope,
            &["s3:GetBucketOwnershipControls", "s3:GetBucketAcl", "s3:GetBucketPublicAccessBlock"],
            |bucket| {
                let arn = bucket_arn(bucket);
                if bucket.ownership.as_deref() == Some("BucketOwnerEnforced") {
                    return Observation::pass(
                        resource::S3_BUCKET,
                        arn,
                        format!("{}: ACLs are disabled (BucketOwnerEnforced): not applicable", bucket.name),
                    );
                }
                let public: Vec<String> = bucket
                    .grants
                    .iter()
                    .filter(|g| g.grantee == ALL_USERS || g.grantee == AUTHENTICATED_USERS)
                    .map(|g| {
                        let who = if g.grantee == ALL_USERS { "AllUsers" } else { "AuthenticatedUsers" };
                        format!("{} to {who}", g.permission)
                    })
                    .collect();
                if public.is_empty() {
                    return Observation::pass(
                        resource::S3_BUCKET,
                        arn,
                        format!("{}: no public ACL grant", bucket.name),
                    );
                }
                if effective_block(scope, bucket).ignore_public_acls {
                    return Observation::pass(
                        resource::S3_BUCKET,
                        arn,
                        format!(
                            "{}: grants {}, ignored by Block Public Access (IgnorePublicAcls)",
                            bucket.name,
                            public.join(", ")
                        ),
                    );
                }
                let writes = public.iter().any(|g| !g.starts_with("READ ") && !g.starts_with("READ_ACP "));
                let mut evidence = format!("{}: ACL grants {}", bucket.name, public.join(", "));
                if !account_block_read(scope) {
                    evidence.push_str(" (the account's Block Public Access could not be read)");
                }
                let public =
                    |g: &sgaudit_snapshot::posture::Grant| g.grantee == ALL_USERS || g.grantee == AUTHENTICATED_USERS;
                let fix = acl_fix(bucket, public, "the grants to AllUsers and AuthenticatedUsers");
                let fail = Observation::fail(resource::S3_BUCKET, arn, evidence).with_fix(Some(fix));
                if writes {
                    fail.with_severity(Severity::Critical)
                } else {
                    fail
                }
            },
        )
    }),
    fix: Fixer::Judged,
};

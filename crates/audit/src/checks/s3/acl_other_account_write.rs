use sgaudit_snapshot::posture::{ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY};

use super::{acl_fix, bucket_arn, per_bucket, BUCKETS};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};

const WRITES: &[&str] = &["WRITE", "WRITE_ACP", "FULL_CONTROL"];

pub const CHECK: Check = Check {
    id: "s3-acl-other-account-write",
    title: "Bucket ACL lets someone other than the owner write or change permissions",
    family: Family::S3,
    severity: Severity::High,
    controls: &["AWS FSBP S3.12"],
    description: "Each bucket's ACL: WRITE, WRITE_ACP or FULL_CONTROL granted to another canonical user or an \
                  e-mail grantee (the seed's \"write/ACP grants to others\"). A grant to S3's log-delivery group is \
                  reported as informational (log buckets need it). Public grants are `s3-acl-public`'s.",
    remediation: "Remove the grant; give the other account access through a bucket policy naming its role, with \
                  the least actions it needs, and disable ACLs (Object Ownership: Bucket owner enforced).",
    reads: BUCKETS,
    evaluate: Evaluate::Account(|scope| {
        per_bucket(scope, &["s3:GetBucketOwnershipControls", "s3:GetBucketAcl"], |bucket| {
            let arn = bucket_arn(bucket);
            if bucket.ownership.as_deref() == Some("BucketOwnerEnforced") {
                return Observation::pass(
                    resource::S3_BUCKET,
                    arn,
                    format!("{}: ACLs are disabled (BucketOwnerEnforced): not applicable", bucket.name),
                );
            }
            let owner = bucket.owner_id.as_deref();
            let others: Vec<&sgaudit_snapshot::posture::Grant> = bucket
                .grants
                .iter()
                .filter(|g| WRITES.contains(&g.permission.as_str()))
                .filter(|g| {
                    Some(g.grantee.as_str()) != owner && g.grantee != ALL_USERS && g.grantee != AUTHENTICATED_USERS
                })
                .collect();
            let shown = |g: &&sgaudit_snapshot::posture::Grant| {
                let who = g.display_name.as_deref().unwrap_or(&g.grantee);
                format!("{} to {who}", g.permission)
            };
            let (log, real): (Vec<_>, Vec<_>) = others.iter().partition(|g| g.grantee == LOG_DELIVERY);
            if !real.is_empty() {
                let list: Vec<String> = real.iter().map(shown).collect();
                let write = |g: &sgaudit_snapshot::posture::Grant| real.contains(&g);
                let fix = acl_fix(bucket, write, "the write and permission grants to other accounts");
                Observation::fail(resource::S3_BUCKET, arn, format!("{}: ACL grants {}", bucket.name, list.join(", ")))
                    .with_fix(Some(fix))
            } else if !log.is_empty() {
                let list: Vec<String> = log.iter().map(shown).collect();
                Observation::fail(
                    resource::S3_BUCKET,
                    arn,
                    format!(
                        "{}: ACL grants {} (S3 log delivery: expected on a log bucket)",
                        bucket.name,
                        list.join(", ")
                    ),
                )
                .with_severity(Severity::Informational)
            } else {
                Observation::pass(
                    resource::S3_BUCKET,
                    arn,
                    format!("{}: only the owner may write or change permissions", bucket.name),
                )
            }
        })
    }),
    // A grant to S3's log delivery is informational and has no fix: a log bucket needs it.
    fix: Fixer::Judged,
};

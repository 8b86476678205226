//! The S3 checks: Block Public Access of the account and of each bucket, bucket ACLs and policies, default
//! encryption. The bucket list is read once per account; each bucket in its own region, each of its
//! settings by a call of its own, whose failure leaves just the checks that need it not evaluated.

use serde_json::Value;
use sgaudit_snapshot::posture::{Bucket, PublicAccessBlock};

use super::{resource, AccountScope, Observation};

pub mod account_public_access_block;
pub mod acl_other_account_write;
pub mod acl_public;
pub mod bucket_public_access_block;
pub mod default_encryption;
pub mod policy_public;
pub mod policy_ssl;

pub(crate) const BUCKETS: &[&str] = &["s3-buckets"];

/// `arn:aws:s3:::bucket`, in the bucket's partition.
pub(crate) fn bucket_arn(bucket: &Bucket) -> String {
    let partition = bucket.region.as_deref().map(crate::partition).unwrap_or("aws");
    format!("arn:{partition}:s3:::{}", bucket.name)
}

/// Judges every bucket with `judge`, after the calls it needs (`actions`) are known to have answered for
/// that bucket; a bucket whose call failed is not evaluated, naming the call. One pass for an account
/// without buckets.
pub(crate) fn per_bucket(
    scope: &AccountScope,
    actions: &[&str],
    judge: impl Fn(&Bucket) -> Observation,
) -> Vec<Observation> {
    if scope.evidence.buckets.is_empty() {
        return vec![Observation::pass(
            resource::ACCOUNT,
            super::account_resource(scope.account_id),
            "the account has no S3 buckets",
        )];
    }
    scope
        .evidence
        .buckets
        .iter()
        .map(|bucket| {
            let failed: Vec<String> = actions.iter().filter_map(|a| bucket.error(a)).map(ToString::to_string).collect();
            let observation = if failed.is_empty() {
                judge(bucket)
            } else {
                Observation::not_evaluated(
                    resource::S3_BUCKET,
                    bucket_arn(bucket),
                    format!("{}: {}", bucket.name, failed.join("; ")),
                )
            };
            match &bucket.region {
                Some(region) => observation.in_region(region.as_str()),
                None => observation,
            }
        })
        .collect()
}

/// The Block Public Access settings in force for a bucket: the account's and the bucket's, each setting
/// on when either has it on.
pub(crate) fn effective_block(scope: &AccountScope, bucket: &Bucket) -> PublicAccessBlock {
    let a = scope.evidence.public_access_block.unwrap_or_default();
    let b = bucket.public_access_block.unwrap_or_default();
    PublicAccessBlock {
        block_public_acls: a.block_public_acls || b.block_public_acls,
        ignore_public_acls: a.ignore_public_acls || b.ignore_public_acls,
        block_public_policy: a.block_public_policy || b.block_public_policy,
        restrict_public_buckets: a.restrict_public_buckets || b.restrict_public_buckets,
    }
}

/// Whether the account-wide settings could be read (the account's Block Public Access is part of what
/// protects each bucket).
pub(crate) fn account_block_read(scope: &AccountScope) -> bool {
    scope.evidence.coverage.iter().any(|c| c.source == "s3-account-public-access-block" && c.state.is_whole())
}

/// The statements of a bucket policy, or why it cannot be read.
pub(crate) fn statements(policy: &str) -> Result<Vec<Value>, String> {
    let doc: Value = serde_json::from_str(policy).map_err(|e| format!("the bucket policy is not JSON: {e}"))?;
    Ok(match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    })
}

/// Whether a statement's `Principal` is everyone: `"*"`, `{"AWS": "*"}` or `{"AWS": ["*"]}`.
pub(crate) fn principal_is_everyone(statement: &Value) -> bool {
    let is_star = |v: &Value| match v {
        Value::String(s) => s == "*",
        Value::Array(items) => items.iter().any(|i| i.as_str() == Some("*")),
        _ => false,
    };
    match statement.get("Principal") {
        Some(p @ Value::String(_)) => is_star(p),
        Some(Value::Object(map)) => map.get("AWS").is_some_and(is_star),
        _ => false,
    }
}

/// The values of a statement field that may be a string or a list (`Action`, `Resource`).
pub(crate) fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn effect_is(statement: &Value, effect: &str) -> bool {
    statement.get("Effect").and_then(Value::as_str).is_some_and(|e| e.eq_ignore_ascii_case(effect))
}

//! The S3 checks: Block Public Access of the account and of each bucket, bucket ACLs and policies, default
//! encryption. The bucket list is read once per account; each bucket in its own region, each of its
//! settings by a call of its own, whose failure leaves just the checks that need it not evaluated.

use serde_json::Value;
use sgaudit_snapshot::posture::{Bucket, Grant, PublicAccessBlock};
use sgaudit_snapshot::text::printable;

use super::{resource, AccountScope, Observation};
use crate::fix::shell::{Command, Json};
use crate::fix::terraform;
use crate::fix::Fix;

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

/// Every Block Public Access setting on.
pub(crate) const ALL_ON: PublicAccessBlock = PublicAccessBlock {
    block_public_acls: true,
    ignore_public_acls: true,
    block_public_policy: true,
    restrict_public_buckets: true,
};

/// `s3api` with the bucket's region, where known.
fn s3api(operation: &str, bucket: &Bucket) -> Command {
    Command::aws("s3api", operation, bucket.region.as_deref()).arg("--bucket", &bucket.name)
}

/// The four Block Public Access settings as `PutPublicAccessBlock` takes them.
pub(crate) fn block_json(block: &PublicAccessBlock) -> Json {
    Json::Object(vec![
        ("BlockPublicAcls", Json::Bool(block.block_public_acls)),
        ("IgnorePublicAcls", Json::Bool(block.ignore_public_acls)),
        ("BlockPublicPolicy", Json::Bool(block.block_public_policy)),
        ("RestrictPublicBuckets", Json::Bool(block.restrict_public_buckets)),
    ])
}

/// The four settings as the Terraform resources of Block Public Access name them.
pub(crate) fn block_resource(resource: terraform::Resource, block: &PublicAccessBlock) -> terraform::Resource {
    use terraform::Value::Bool;
    resource
        .set("block_public_acls", Bool(block.block_public_acls))
        .set("ignore_public_acls", Bool(block.ignore_public_acls))
        .set("block_public_policy", Bool(block.block_public_policy))
        .set("restrict_public_buckets", Bool(block.restrict_public_buckets))
}

/// Put the bucket's own Block Public Access to `block`.
pub(crate) fn bucket_block_fix(bucket: &Bucket, block: &PublicAccessBlock, summary: String) -> Fix {
    let command =
        s3api("put-public-access-block", bucket).json("--public-access-block-configuration", &block_json(block));
    let resource = terraform::Resource::new("aws_s3_bucket_public_access_block", &bucket.name)
        .set("bucket", terraform::Value::str(&bucket.name));
    Fix::commands(summary, vec![command.line()])
        .with_terraform(Some(terraform::file(&[block_resource(resource, block)])))
}

/// Put the bucket's ACL to its grants without those `drop` picks (`PutBucketAcl` replaces the whole ACL, so the
/// rest are restated, with the owner); where only the owner's grants are left, also turn ACLs off (Object
/// Ownership: BucketOwnerEnforced), which S3 refuses while an ACL grants anyone else.
pub(crate) fn acl_fix(bucket: &Bucket, drop: impl Fn(&Grant) -> bool, what: &str) -> Fix {
    let kept: Vec<&Grant> = bucket.grants.iter().filter(|g| !drop(g)).collect();
    let grants = kept
        .iter()
        .map(|g| {
            let key = match g.grantee_type.as_str() {
                "Group" => "URI",
                "AmazonCustomerByEmail" => "EmailAddress",
                _ => "ID",
            };
            let grantee = Json::Object(vec![("Type", Json::str(&g.grantee_type)), (key, Json::str(&g.grantee))]);
            Json::Object(vec![("Grantee", grantee), ("Permission", Json::str(&g.permission))])
        })
        .collect();
    let mut policy = vec![("Grants", Json::Array(grants))];
    policy.extend(bucket.owner_id.as_deref().map(|id| ("Owner", Json::Object(vec![("ID", Json::str(id))]))));
    let mut cli = vec![s3api("put-bucket-acl", bucket).json("--access-control-policy", &Json::Object(policy)).line()];
    let owner_only = kept
        .iter()
        .all(|g| g.grantee_type == "CanonicalUser" && Some(g.grantee.as_str()) == bucket.owner_id.as_deref());
    let mut summary = format!(
        "Rewrite {}'s ACL without {what}, keeping its other {} grant(s); the command restates them, as it \
         replaces the whole ACL.",
        printable(&bucket.name),
        kept.len()
    );
    if owner_only && bucket.owner_id.is_some() {
        let rules = Json::Object(vec![(
            "Rules",
            Json::Array(vec![Json::Object(vec![("ObjectOwnership", Json::str("BucketOwnerEnforced"))])]),
        )]);
        cli.push(s3api("put-bucket-ownership-controls", bucket).json("--ownership-controls", &rules).line());
        summary.push_str(" Then turn ACLs off (Object Ownership: BucketOwnerEnforced): only the owner is left.");
    } else {
        summary.push_str(" Then give the other accounts access through the bucket policy, and turn ACLs off.");
    }
    Fix::commands(summary, cli)
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

//! Every S3 bucket of the account, each read in its own region: its ACL, Object Ownership, policy, Block
//! Public Access and default encryption. The bucket list is global (one list per account); the reads are
//! five calls per bucket, a few buckets at a time. A read that fails (denied by a bucket policy, throttled
//! out) is kept on the bucket, naming its action, and the rest goes on: only the list failing fails the
//! source.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::Region;
use aws_sdk_s3::types::BucketLocationConstraint;
use aws_smithy_types::date_time::Format;
use futures::{FutureExt, StreamExt};
use sgaudit_snapshot::posture::{Bucket, Grant, PublicAccessBlock};
use sgaudit_snapshot::SourceError;

use crate::source::{each_page, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "s3-buckets",
    service: "s3",
    description: "S3 buckets, each read in its own region: ACL, Object Ownership, policy, Block Public Access, \
                  default encryption",
    kinds: &[],
    actions: &[
        crate::probe!(LIST, |ctx| s3(ctx).list_buckets().max_buckets(1)),
        crate::probe!(LOCATION, |ctx| s3(ctx).get_bucket_location().bucket(PROBE_BUCKET)),
        crate::probe!(ACL, |ctx| s3(ctx).get_bucket_acl().bucket(PROBE_BUCKET)),
        crate::probe!(OWNERSHIP, |ctx| s3(ctx).get_bucket_ownership_controls().bucket(PROBE_BUCKET)),
        crate::probe!(POLICY, |ctx| s3(ctx).get_bucket_policy().bucket(PROBE_BUCKET)),
        crate::probe!(PUBLIC_ACCESS_BLOCK, |ctx| s3(ctx).get_public_access_block().bucket(PROBE_BUCKET)),
        crate::probe!(ENCRYPTION, |ctx| s3(ctx).get_bucket_encryption().bucket(PROBE_BUCKET)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

// The IAM actions, which are not always named as the calls are (`ListBuckets` needs `s3:ListAllMyBuckets`).
const LIST: &str = "s3:ListAllMyBuckets";
const LOCATION: &str = "s3:GetBucketLocation";
const ACL: &str = "s3:GetBucketAcl";
const OWNERSHIP: &str = "s3:GetBucketOwnershipControls";
const POLICY: &str = "s3:GetBucketPolicy";
const PUBLIC_ACCESS_BLOCK: &str = "s3:GetBucketPublicAccessBlock";
const ENCRYPTION: &str = "s3:GetEncryptionConfiguration";

/// The bucket the probes ask about. Bucket names are global: this one is AWS's to refuse with `NoSuchBucket`
/// (or, should someone own it, `AccessDenied` from their bucket policy, which the preflight would then show).
const PROBE_BUCKET: &str = "sgaudit-preflight-probe-nonexistent";

/// A client in the context's region, as [`Clients::get`] makes them.
fn s3(ctx: &Ctx) -> aws_sdk_s3::Client {
    Clients { ctx, by_region: Mutex::default() }.get(&ctx.region)
}

/// Buckets read at once (each with its five calls in flight together).
const BUCKETS_AT_ONCE: usize = 8;

crate::next_page!(aws_sdk_s3::operation::list_buckets::ListBucketsOutput => continuation_token);

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let clients = Clients { ctx, by_region: Mutex::default() };
    let home = clients.get(&ctx.region);
    // No `MaxBuckets`: without it S3 answers every bucket of an account with the usual quota in one page, and
    // refuses (rather than cuts short) an account with a larger quota, which the error then says.
    let pages = home.list_buckets().into_paginator().send();
    let mut listed = Vec::new();
    each_page(ctx, LIST, pages, |page| {
        for b in page.buckets() {
            let Some(name) = b.name() else { continue };
            listed.push(Bucket {
                name: name.to_string(),
                region: b.bucket_region().filter(|r| !r.is_empty()).map(str::to_string),
                created: b.creation_date().and_then(|t| t.fmt(Format::DateTime).ok()),
                owner_id: None,
                grants: Vec::new(),
                ownership: None,
                policy: None,
                public_access_block: None,
                encryption: Vec::new(),
                errors: Vec::new(),
            });
        }
    })
    .await?;
    found.items = listed.len() as u32;
    found.account.buckets = futures::stream::iter(listed)
        .map(|bucket| read(&clients, &home, bucket))
        .buffer_unordered(BUCKETS_AT_ONCE)
        .collect()
        .await;
    Ok(())
}

/// One S3 client per region, made when first needed.
struct Clients<'a> {
    ctx: &'a Ctx,
    by_region: Mutex<HashMap<String, aws_sdk_s3::Client>>,
}

impl Clients<'_> {
    fn get(&self, region: &str) -> aws_sdk_s3::Client {
        let mut clients = self.by_region.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                let ctx = self.ctx;
                let mut config = aws_sdk_s3::config::Builder::from(&ctx.sdk)
                    .region(Region::new(region.to_string()))
                    .interceptor(ctx.counter());
                // A custom endpoint (LocalStack, moto, a VPC endpoint) is addressed by path: a bucket name in
                // front of its host would not resolve.
                if ctx.sdk.endpoint_url().is_some() {
                    config = config.force_path_style(true);
                }
                aws_sdk_s3::Client::from_conf(config.build())
            })
            .clone()
    }
}

/// Reads one bucket's configuration in its region.
async fn read(clients: &Clients<'_>, home: &aws_sdk_s3::Client, mut bucket: Bucket) -> Bucket {
    let ctx = clients.ctx;
    if bucket.region.is_none() {
        // S3 gives `BucketRegion` in the list; where it does not (older S3 implementations), ask.
        match home.get_bucket_location().bucket(&bucket.name).send().await {
            Ok(out) => bucket.region = Some(location_region(out.location_constraint()).to_string()),
            Err(e) => bucket.errors.push(ctx.fail(LOCATION, e)),
        }
    }
    let Some(region) = bucket.region.clone() else {
        // Without its region the bucket's calls cannot be made: each is recorded as not read, so that nothing
        // is taken for "none set".
        for action in [ACL, OWNERSHIP, POLICY, PUBLIC_ACCESS_BLOCK, ENCRYPTION] {
            bucket.errors.push(SourceError {
                code: "not-read".to_string(),
                message: format!("not asked: the bucket's region is unknown ({LOCATION} failed)"),
                action: Some(action.to_string()),
                scp_deny: false,
            });
        }
        return bucket;
    };
    let s3 = clients.get(&region);
    let name = bucket.name.as_str();
    let (acl, ownership, policy, block, encryption) = futures::join!(
        s3.get_bucket_acl().bucket(name).send(),
        s3.get_bucket_ownership_controls().bucket(name).send(),
        s3.get_bucket_policy().bucket(name).send(),
        s3.get_public_access_block().bucket(name).send(),
        s3.get_bucket_encryption().bucket(name).send(),
    );
    let mut errors = std::mem::take(&mut bucket.errors);
    if let Some(acl) = ctx.answer(ACL, &[], acl, &mut errors) {
        bucket.owner_id = acl.owner().and_then(|o| o.id()).map(str::to_string);
        bucket.grants = acl.grants().iter().filter_map(grant).collect();
        bucket.grants.sort();
    }
    bucket.ownership = ctx
        .answer(OWNERSHIP, &["OwnershipControlsNotFoundError"], ownership, &mut errors)
        .and_then(|out| Some(out.ownership_controls()?.rules().first()?.object_ownership().as_str().to_string()));
    bucket.policy = ctx
        .answer(POLICY, &["NoSuchBucketPolicy"], policy, &mut errors)
        .and_then(|out| out.policy().map(str::to_string));
    bucket.public_access_block = ctx
        .answer(PUBLIC_ACCESS_BLOCK, &["NoSuchPublicAccessBlockConfiguration"], block, &mut errors)
        .and_then(|out| {
            let c = out.public_access_block_configuration()?;
            Some(PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            })
        });
    if let Some(out) =
        ctx.answer(ENCRYPTION, &["ServerSideEncryptionConfigurationNotFoundError"], encryption, &mut errors)
    {
        bucket.encryption = out
            .server_side_encryption_configuration()
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| Some(r.apply_server_side_encryption_by_default()?.sse_algorithm().as_str().to_string()))
            .collect();
    }
    bucket.errors = errors;
    bucket
}

fn grant(g: &aws_sdk_s3::types::Grant) -> Option<Grant> {
    let grantee = g.grantee()?;
    Some(Grant {
        grantee_type: grantee.r#type().as_str().to_string(),
        grantee: grantee.id().or(grantee.uri()).or(grantee.email_address()).unwrap_or_default().to_string(),
        display_name: grantee.display_name().map(str::to_string),
        permission: g.permission()?.as_str().to_string(),
    })
}

/// `GetBucketLocation`'s answer as a region: none (or empty) is us-east-1, and `EU` the old name of eu-west-1.
fn location_region(constraint: Option<&BucketLocationConstraint>) -> &str {
    match constraint.map(|c| c.as_str()) {
        None | Some("") => "us-east-1",
        Some("EU") => "eu-west-1",
        Some(region) => region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_location_constraints_name_their_region() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(location_region(Some(&BucketLocationConstraint::from(""))), "us-east-1");
        assert_eq!(location_region(Some(&BucketLocationConstraint::Eu)), "eu-west-1");
        assert_eq!(location_region(Some(&BucketLocationConstraint::from("ap-southeast-2"))), "ap-southeast-2");
    }
}

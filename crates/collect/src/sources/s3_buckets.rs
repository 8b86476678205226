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

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::source::{each_page, Action, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "s3-buckets",
    service: "s3",
    description: "S3 buckets, each read in its own region: ACL, Object Ownership, policy, Block Public Access, \
                  default encryption",
    kinds: &[],
    actions: &[
        crate::probe!(LIST, |ctx| s3(ctx).list_buckets().max_buckets(1)),
        Action {
            name: LOCATION,
            probe: |ctx| on_a_bucket(ctx, LOCATION, |s3, b| s3.get_bucket_location().bucket(b).send()).boxed(),
        },
        Action { name: ACL, probe: |ctx| on_a_bucket(ctx, ACL, |s3, b| s3.get_bucket_acl().bucket(b).send()).boxed() },
        Action {
            name: OWNERSHIP,
            probe: |ctx| {
                on_a_bucket(ctx, OWNERSHIP, |s3, b| s3.get_bucket_ownership_controls().bucket(b).send()).boxed()
            },
        },
        Action {
            name: POLICY,
            probe: |ctx| on_a_bucket(ctx, POLICY, |s3, b| s3.get_bucket_policy().bucket(b).send()).boxed(),
        },
        Action {
            name: PUBLIC_ACCESS_BLOCK,
            probe: |ctx| {
                on_a_bucket(ctx, PUBLIC_ACCESS_BLOCK, |s3, b| s3.get_public_access_block().bucket(b).send()).boxed()
            },
        },
        Action {
            name: ENCRYPTION,
            probe: |ctx| on_a_bucket(ctx, ENCRYPTION, |s3, b| s3.get_bucket_encryption().bucket(b).send()).boxed(),
        },
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

/// The probe of a per-bucket read, on the first bucket the account lists, in that bucket's region: S3 may
/// answer `NoSuchBucket` about a bucket that does not exist before it looks at the caller's rights, so a
/// made-up bucket would prove nothing. An account with no bucket needs none of these reads: not probed, said
/// so; a list that fails leaves the read unproven (its own refusal is the list's probe's to show).
async fn on_a_bucket<F, Fut, T, E>(ctx: &Ctx, action: &'static str, call: F) -> Result<(), SourceError>
where
    F: FnOnce(aws_sdk_s3::Client, String) -> Fut,
    Fut: std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let clients = Clients { ctx, by_region: Mutex::default() };
    let listed = clients.get(&ctx.region).list_buckets().send().await.map_err(|e| ctx.fail(LIST, e));
    let bucket = match listed {
        Ok(out) => {
            out.buckets().iter().find_map(|b| Some((b.name()?.to_string(), b.bucket_region().map(str::to_string))))
        }
        Err(failed) => return Err(crate::source::precondition(action, "listing a bucket to read", &failed)),
    };
    let Some((name, region)) = bucket else {
        return Err(crate::source::not_probed(action, "the account has no bucket: nothing needs this read"));
    };
    let client = clients.get(region.as_deref().unwrap_or(&ctx.region));
    call(client, name).await.map(|_| ()).map_err(|e| ctx.fail(action, e))
}

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
                    .interceptor(ctx.counter())
                    .retry_partition(ctx.retry_partition());
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

//! Whether new EBS volumes of the region are encrypted by default: a setting of each account-region.

use futures::FutureExt;
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-ebs-encryption-by-default",
    service: "ec2",
    description: "EBS encryption by default, for the region",
    kinds: &[],
    actions: &[
        crate::probe!("ec2:GetEbsEncryptionByDefault", |ctx| client!(ctx, aws_sdk_ec2).get_ebs_encryption_by_default())
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let ec2 = client!(ctx, aws_sdk_ec2);
    let out =
        ec2.get_ebs_encryption_by_default().send().await.map_err(|e| ctx.fail("ec2:GetEbsEncryptionByDefault", e))?;
    found.items = 1;
    // EC2 always answers the flag; an answer without it says nothing, and is kept as unknown.
    found.posture.ebs_encryption_by_default = out.ebs_encryption_by_default();
    Ok(())
}

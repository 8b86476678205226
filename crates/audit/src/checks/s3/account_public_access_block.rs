use crate::checks::{account_resource, resource, Check, Evaluate, Family, Observation, Severity};

pub const CHECK: Check = Check {
    id: "s3-account-public-access-block",
    title: "S3 Block Public Access is not fully on for the account",
    family: Family::S3,
    severity: Severity::Medium,
    controls: &["AWS FSBP S3.1", "CIS AWS v3.0.0 2.1.4", "CIS AWS v5.0.0 2.1.4"],
    description: "The account's S3 Block Public Access (`s3control GetPublicAccessBlock`): all four settings on. None \
                  set fails.",
    remediation: "Turn on all four Block Public Access settings for the account (S3 console, Block Public Access \
                  settings for this account), after checking that no bucket must stay public.",
    reads: &["s3-account-public-access-block"],
    evaluate: Evaluate::Account(|scope| {
        let account = account_resource(scope.account_id);
        let kind = resource::S3_ACCOUNT_PUBLIC_ACCESS_BLOCK;
        vec![match &scope.evidence.public_access_block {
            None => Observation::fail(kind, account, "the account has no S3 Block Public Access configuration"),
            Some(block) => {
                let off = off_settings(block);
                if off.is_empty() {
                    Observation::pass(kind, account, "all four S3 Block Public Access settings are on for the account")
                } else {
                    Observation::fail(
                        kind,
                        account,
                        format!("account-level S3 Block Public Access: {} off", off.join(", ")),
                    )
                }
            }
        }]
    }),
};

/// The names of the settings that are off.
pub(crate) fn off_settings(block: &sgaudit_snapshot::posture::PublicAccessBlock) -> Vec<&'static str> {
    [
        ("BlockPublicAcls", block.block_public_acls),
        ("IgnorePublicAcls", block.ignore_public_acls),
        ("BlockPublicPolicy", block.block_public_policy),
        ("RestrictPublicBuckets", block.restrict_public_buckets),
    ]
    .into_iter()
    .filter(|(_, on)| !on)
    .map(|(name, _)| name)
    .collect()
}

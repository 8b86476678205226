use super::{block_json, block_resource, ALL_ON};
use crate::checks::{account_resource, resource, AccountScope, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::Command;
use crate::fix::terraform::{self, Resource, Value};
use crate::fix::Fix;

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
        }
        .with_fix(Some(fix(scope)))]
    }),
    fix: Fixer::Judged,
};

/// All four settings on for the account.
fn fix(scope: &AccountScope) -> Fix {
    let on = ALL_ON;
    let command = Command::aws("s3control", "put-public-access-block", Some(&scope.evidence.region))
        .arg("--account-id", scope.account_id)
        .json("--public-access-block-configuration", &block_json(&on));
    let resource =
        Resource::new("aws_s3_account_public_access_block", "this").set("account_id", Value::str(scope.account_id));
    Fix::commands(
        "Turn on all four S3 Block Public Access settings for the account, after checking that no bucket must \
         stay public (those that must are better served through CloudFront).",
        vec![command.line()],
    )
    .with_terraform(Some(terraform::file(&[block_resource(resource, &on)])))
}

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

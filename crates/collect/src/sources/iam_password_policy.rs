//! The account's IAM password policy. IAM answers `NoSuchEntity` when none is set: that is evidence too (no
//! policy), not a failure.

use futures::FutureExt;
use sgaudit_snapshot::posture::PasswordPolicy;
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{service_code, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "iam-password-policy",
    service: "iam",
    description: "The account's IAM password policy (none set is recorded as none)",
    kinds: &[],
    actions: &[
        crate::probe!("iam:GetAccountPasswordPolicy", |ctx| client!(ctx, aws_sdk_iam).get_account_password_policy())
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let iam = client!(ctx, aws_sdk_iam);
    let policy = match iam.get_account_password_policy().send().await {
        Ok(out) => out.password_policy().map(|p| PasswordPolicy {
            minimum_length: p.minimum_password_length(),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase: p.require_uppercase_characters(),
            require_lowercase: p.require_lowercase_characters(),
            allow_users_to_change: p.allow_users_to_change_password(),
            // IAM gives the age only when passwords expire; 0 would mean "never" too.
            max_age_days: p.max_password_age().filter(|days| p.expire_passwords() && *days > 0),
            reuse_prevention: p.password_reuse_prevention(),
            hard_expiry: p.hard_expiry().unwrap_or(false),
        }),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => None,
        Err(e) => return Err(ctx.fail("iam:GetAccountPasswordPolicy", e)),
    };
    found.items = u32::from(policy.is_some());
    found.account.password_policy = policy;
    Ok(())
}

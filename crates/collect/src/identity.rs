//! Who we are and where we may look: the account behind the credentials and the names of its regions.

use crate::client;
use crate::source::{error_chain, Action};

use crate::ScanError;

/// IAM actions used before any source runs.
pub const ACTIONS: &[Action] = &[
    crate::probe!("sts:GetCallerIdentity", |ctx| client!(ctx, aws_sdk_sts).get_caller_identity()),
    crate::probe!("ec2:DescribeRegions", |ctx| client!(ctx, aws_sdk_ec2).describe_regions().all_regions(false)),
];

/// Why the caller's identity could not be read.
pub(crate) struct IdentityError {
    /// The credentials are missing, invalid or expired (rather than the network failing).
    pub credentials: bool,
    pub message: String,
}

impl IdentityError {
    pub(crate) fn into_scan_error(self) -> ScanError {
        if self.credentials {
            ScanError::NoCredentials(self.message)
        } else {
            ScanError::Identity(self.message)
        }
    }
}

/// The account behind the credentials, and the caller's ARN (the user or assumed role: who ran sgaudit, for
/// the history).
pub(crate) async fn account_id(sdk: &aws_types::SdkConfig) -> Result<(String, Option<String>), IdentityError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    // sts:GetCallerIdentity needs no permission, so its failure is about credentials (or, for a member of an
    // organization, the role that could not be assumed) or the network.
    match sts.get_caller_identity().send().await {
        Ok(out) => {
            let arn = out.arn;
            out.account
                .map(|account| (account, arn))
                .ok_or_else(|| IdentityError { credentials: false, message: "the answer named no account".to_string() })
        }
        Err(err) => {
            let text = error_chain(&err);
            let lower = text.to_ascii_lowercase();
            let credentials = lower.contains("credential")
                || lower.contains("invalidclienttokenid")
                || lower.contains("signaturedoesnotmatch")
                || lower.contains("expiredtoken")
                || lower.contains("assumerole")
                || lower.contains("accessdenied");
            Err(IdentityError { credentials, message: text })
        }
    }
}

/// Every region AWS knows for the account, sorted, each with whether it is enabled for it (opted in, or
/// needing no opt-in), from one `ec2:DescribeRegions`.
async fn all_regions(sdk: &aws_types::SdkConfig) -> Result<Vec<(String, bool)>, String> {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let out = ec2.describe_regions().all_regions(true).send().await.map_err(|e| error_chain(&e))?;
    let mut regions: Vec<(String, bool)> = out
        .regions()
        .iter()
        .filter_map(|r| {
            let enabled = matches!(r.opt_in_status(), None | Some("opt-in-not-required") | Some("opted-in"));
            Some((r.region_name()?.to_string(), enabled))
        })
        .collect();
    regions.sort();
    Ok(regions)
}

/// The regions enabled for the account.
pub(crate) async fn enabled_regions(sdk: &aws_types::SdkConfig) -> Result<Vec<String>, String> {
    Ok(all_regions(sdk).await?.into_iter().filter(|(_, enabled)| *enabled).map(|(name, _)| name).collect())
}

/// Refuses region names that AWS does not know, so that a typo is one clear error, not a scan of nothing.
/// The list comes from the account's own `DescribeRegions` (so new regions are known without a release);
/// if that call is not allowed, names are checked by their form alone.
pub(crate) async fn check_regions(sdk: &aws_types::SdkConfig, regions: &[String]) -> Result<(), ScanError> {
    let known: Option<Vec<String>> = match all_regions(sdk).await {
        Ok(all) => Some(all.into_iter().map(|(name, _)| name).collect()),
        Err(message) => {
            tracing::debug!("ec2:DescribeRegions failed, checking region names by form: {message}");
            None
        }
    };
    for region in regions {
        let ok = match &known {
            Some(known) if !known.is_empty() => known.iter().any(|k| k == region),
            _ => looks_like_region(region),
        };
        if !ok {
            let hint = match &known {
                Some(known) if !known.is_empty() => format!(" (known regions: {})", known.join(", ")),
                _ => String::new(),
            };
            return Err(ScanError::UnknownRegion { region: region.clone(), hint });
        }
    }
    Ok(())
}

/// The first words of every AWS region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`).
const REGION_PREFIXES: &[&str] = &["af", "ap", "ca", "cn", "eu", "il", "me", "mx", "sa", "us"];

/// Whether a name has the form of an AWS region: a known prefix, lower-case words, and a number.
fn looks_like_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && REGION_PREFIXES.contains(&parts[0])
        && parts[1..parts.len() - 1].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::looks_like_region;

    #[test]
    fn region_forms() {
        for ok in ["us-east-1", "us-gov-west-1", "ap-southeast-5", "eu-isoe-west-1"] {
            assert!(looks_like_region(ok), "{ok}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "us-east-x", "mars-1", "mars-north-1"] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }
}

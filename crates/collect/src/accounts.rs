//! Which accounts to scan and how to reach each: the standard chain, named profiles, or every account of an
//! AWS Organization through a role assumed in it.

use std::borrow::Cow;
use std::sync::Arc;

use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use aws_types::SdkConfig;
use sgaudit_snapshot::{Account, SourceError};

use crate::clients::ClientPool;
use crate::source::{Action, PageTrail, MAX_PAGES};
use crate::ScanError;

/// IAM actions used to find and reach the accounts of an organization: in the account that runs sgaudit
/// (the management account or a delegated administrator).
pub const ORG_ACTIONS: &[Action] = &[
    crate::probe!("organizations:ListAccounts", |ctx| crate::client!(ctx, aws_sdk_organizations)
        .list_accounts()
        .max_results(1)),
    // Proven by assuming the role in each member, which the preflight does.
    crate::not_probed!("sts:AssumeRole", "proven by assuming the role in each member account"),
];

/// How to find the accounts to scan.
#[derive(Debug, Clone)]
pub enum AccountSelection {
    /// One account per profile; no profile at all means the standard chain (environment, `AWS_PROFILE`, ...).
    Profiles(Vec<String>),
    /// Every account of the organization that the current credentials manage (or are delegated for).
    Organization(OrgOptions),
}

#[derive(Debug, Clone)]
pub struct OrgOptions {
    /// The profile whose credentials read the organization (the management or a delegated account).
    pub profile: Option<String>,
    /// The role assumed in each member account.
    pub role_name: String,
    pub external_id: Option<String>,
    pub session_name: String,
    /// Only these account ids, when not empty.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Default for OrgOptions {
    fn default() -> Self {
        Self {
            profile: None,
            role_name: "OrganizationAccountAccessRole".to_string(),
            external_id: None,
            session_name: "sgaudit".to_string(),
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

/// An account to scan, with the configuration that reaches it.
pub(crate) struct Target {
    pub sdk: SdkConfig,
    /// The clients of the configuration it is reached through (see [`crate::clients`]).
    pub pool: Arc<ClientPool>,
    /// The account id where known before asking STS (organization members).
    pub account_id: Option<String>,
    pub name: Option<String>,
    pub profile: Option<String>,
}

/// What choosing the accounts gave: those to scan, and those left out with a reason.
pub(crate) struct Chosen {
    pub targets: Vec<Target>,
    pub left_out: Vec<Account>,
    /// Ids of `--accounts` that are not accounts of the organization.
    pub not_members: Vec<String>,
}

pub(crate) async fn check_profile(profile: &str) -> Result<(), ScanError> {
    let known = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        Some(Cow::Owned(profile.to_string())),
    )
    .await;
    match known {
        Ok(set) if set.get_profile(profile).is_some() => Ok(()),
        _ => Err(ScanError::UnknownProfile(profile.to_string())),
    }
}

/// Lists the organization's accounts with the base credentials and prepares a role session for each
/// member; the caller's own account is read with its own credentials.
pub(crate) async fn organization(
    base: &SdkConfig,
    own_account: &str,
    options: &OrgOptions,
) -> Result<Chosen, ScanError> {
    let org = aws_sdk_organizations::Client::new(base);
    // Every member is reached through `base` (with a role session of its own): one pool of clients for all.
    let pool = ClientPool::new(base);
    let mut accounts = Vec::new();
    let mut pages = org.list_accounts().into_paginator().send();
    // A list of accounts that goes round would leave accounts out without a word: refuse it.
    let mut trail = PageTrail::new("organizations:ListAccounts", MAX_PAGES);
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| ScanError::Organization(crate::source::error_chain(&e)))?;
        accounts.extend(page.accounts().iter().cloned());
        if trail.follow(page.next_token()).map_err(|e| ScanError::Organization(e.message))?.is_none() {
            break;
        }
    }
    accounts.sort_by(|a, b| a.id().cmp(&b.id()));

    let not_members =
        options.include.iter().filter(|id| !accounts.iter().any(|a| a.id() == Some(id.as_str()))).cloned();
    let mut chosen = Chosen { targets: Vec::new(), left_out: Vec::new(), not_members: not_members.collect() };
    for account in accounts {
        let Some(id) = account.id().map(str::to_string) else { continue };
        if (!options.include.is_empty() && !options.include.contains(&id)) || options.exclude.contains(&id) {
            continue;
        }
        let name = account.name().map(str::to_string);
        #[allow(deprecated)] // `status` is what moto and older organizations answer; `state` is newer.
        let status = account
            .state()
            .map(|s| s.as_str().to_string())
            .or_else(|| account.status().map(|s| s.as_str().to_string()))
            .unwrap_or_default();
        if status != "ACTIVE" && !status.is_empty() {
            chosen.left_out.push(Account {
                account_id: id,
                name,
                profile: None,
                error: None,
                skipped: Some(format!("account is {}", status.to_ascii_lowercase().replace('_', " "))),
            });
            continue;
        }
        let sdk = if id == own_account {
            base.clone()
        } else {
            let partition = base
                .region()
                .map(|r| {
                    if r.as_ref().starts_with("cn-") {
                        "aws-cn"
                    } else if r.as_ref().starts_with("us-gov-") {
                        "aws-us-gov"
                    } else {
                        "aws"
                    }
                })
                .unwrap_or("aws");
            let mut role = AssumeRoleProvider::builder(format!("arn:{partition}:iam::{id}:role/{}", options.role_name))
                .session_name(&options.session_name)
                .configure(base);
            if let Some(external_id) = &options.external_id {
                role = role.external_id(external_id);
            }
            let provider = role.build().await;
            // A cache of its own per account: the SDK's lazy cache keeps at most 64 providers' credentials, so
            // one cache shared by an organisation's accounts assumed each role again and again past 64
            // accounts (26,457 AssumeRole calls for 100 accounts × 17 regions; bench/org.py).
            base.to_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .identity_cache(aws_config::identity::IdentityCache::lazy().build())
                .build()
        };
        chosen.targets.push(Target { sdk, pool: pool.clone(), account_id: Some(id), name, profile: None });
    }
    Ok(chosen)
}

/// An account that could not be read at all: where the error came from, in words.
pub(crate) fn unreachable(target: &Target, code: &str, message: String, action: &str) -> Account {
    Account {
        account_id: target
            .account_id
            .clone()
            .or_else(|| target.profile.clone())
            .unwrap_or_else(|| "unknown".to_string()),
        name: target.name.clone(),
        profile: target.profile.clone(),
        error: Some(SourceError {
            code: code.to_string(),
            scp_deny: message.contains("service control policy"),
            message,
            action: Some(action.to_string()),
        }),
        skipped: None,
    }
}

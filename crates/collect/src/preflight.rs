//! `sgaudit preflight`: for every account in scope, one real call per IAM action the chosen uses need (the
//! probe each action declares, see [`Action`]), each judged allowed, denied (and why, in AWS's words), or
//! unproven. Nothing is changed: the writes are EC2 dry runs, and a write no dry run can prove is said as
//! such. Each action is probed once per account, in the first region of the scope where its service is
//! offered; every other region of the scope gets one call that shows it can be worked in.

use std::collections::BTreeMap;
use std::time::Instant;

use futures::StreamExt;
use sgaudit_snapshot::preflight::{
    AccountPreflight, ActionPreflight, Outcome, Preflight, Probed, RegionPreflight, PREFLIGHT_SCHEMA,
};
use sgaudit_snapshot::{Denial, SourceError};

use crate::source::{Action, Ctx, NOT_PROBED};
use crate::uses::Use;
use crate::{client, regions, registry, Connected, ScanOptions, Session};

/// The call that shows a region can be worked in: the group inventory's own list.
const REGION_PROBE: &str = "ec2:DescribeSecurityGroups";

/// Probes every account of `connected` for `uses`.
pub async fn run(connected: &Connected, options: &ScanOptions, uses: &[Use], generated_at: String) -> Preflight {
    let started = Instant::now();
    // Each action once, with the uses that need it.
    let mut needed: BTreeMap<&'static str, (Action, Vec<String>)> = BTreeMap::new();
    for u in uses {
        // Reaching the organization's accounts is proven by `connect` itself (it listed them and assumed the
        // role in each): its actions are not probed again in the members.
        if *u == Use::Org {
            continue;
        }
        for action in u.actions() {
            needed.entry(action.name).or_insert_with(|| (action, Vec::new())).1.push(u.id());
        }
    }
    let services = action_services();

    let mut jobs = Vec::new();
    for (index, session) in connected.sessions.iter().enumerate() {
        jobs.push(Job::Identity { index, session });
        for (name, (action, _)) in &needed {
            let region = probe_region(session, services.get(name).map(Vec::as_slice).unwrap_or(&[]));
            jobs.push(Job::Action { index, session, action: *action, region });
        }
        for region in session.regions.iter().skip(1) {
            jobs.push(Job::Region { index, session, region: region.clone() });
        }
    }
    let probes = jobs.len() as u32;
    let answers: Vec<(usize, Answer)> = futures::stream::iter(jobs.into_iter().map(Job::run))
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;

    let mut accounts: Vec<AccountPreflight> = connected
        .sessions
        .iter()
        .map(|s| AccountPreflight {
            account_id: s.account_id.clone(),
            name: s.name.clone(),
            identity: None,
            unreachable: None,
            skipped: None,
            regions: Vec::new(),
            actions: Vec::new(),
        })
        .collect();
    for (index, answer) in answers {
        let account = &mut accounts[index];
        match answer {
            Answer::Identity(identity) => account.identity = identity,
            Answer::Action { name, region, result } => {
                let uses = needed.get(name).map(|(_, u)| u.clone()).unwrap_or_default();
                let region = region.unwrap_or_default();
                let probed = judge(result);
                account.actions.push(ActionPreflight { action: name.to_string(), uses, region, probed });
            }
            Answer::Region { region, result } => {
                account.regions.push(RegionPreflight { region, probed: judge(result) })
            }
        }
    }
    for account in &mut accounts {
        account.actions.sort_by(|a, b| a.action.cmp(&b.action));
        account.regions.sort_by(|a, b| a.region.cmp(&b.region));
    }
    accounts.extend(connected.left_out.iter().map(|a| AccountPreflight {
        account_id: a.account_id.clone(),
        name: a.name.clone(),
        identity: None,
        unreachable: a.error.clone(),
        skipped: a.skipped.clone(),
        regions: Vec::new(),
        actions: Vec::new(),
    }));
    accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Preflight {
        schema: PREFLIGHT_SCHEMA,
        sgaudit_version: env!("CARGO_PKG_VERSION").to_string(),
        generated_at,
        uses: uses.iter().map(|u| u.id()).collect(),
        organization: None,
        accounts,
        probes,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

/// The endpoint keys of the services each action is called on (from the sources that declare it); actions
/// no source declares (identity, cleanup, restore) are EC2's, STS's, IAM's and CloudTrail's, offered
/// everywhere.
fn action_services() -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut map: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for source in registry::all_sources() {
        for name in source.action_names() {
            map.entry(name).or_default().push(source.service);
        }
    }
    map
}

/// The first region of the session where one of `services` is offered (or not known not to be); `None`
/// when none is: nothing in scope needs the action.
fn probe_region(session: &Session, services: &[&str]) -> Option<String> {
    session
        .regions
        .iter()
        .find(|r| services.is_empty() || services.iter().any(|s| regions::offered(s, r) != Some(false)))
        .cloned()
}

enum Job<'a> {
    Identity { index: usize, session: &'a Session },
    Action { index: usize, session: &'a Session, action: Action, region: Option<String> },
    Region { index: usize, session: &'a Session, region: String },
}

enum Answer {
    Identity(Option<String>),
    Action { name: &'static str, region: Option<String>, result: Result<(), SourceError> },
    Region { region: String, result: Result<(), SourceError> },
}

impl Job<'_> {
    async fn run(self) -> (usize, Answer) {
        match self {
            Job::Identity { index, session } => {
                let region = session.regions.first().cloned().unwrap_or_else(|| "us-east-1".to_string());
                let ctx = ctx(session, &region);
                let arn = client!(ctx, aws_sdk_sts).get_caller_identity().send().await.ok().and_then(|o| o.arn);
                (index, Answer::Identity(arn))
            }
            Job::Action { index, session, action, region } => {
                let Some(region) = region else {
                    let why = SourceError {
                        code: NOT_PROBED.to_string(),
                        message: format!(
                            "its service is offered in none of the regions in scope ({}): nothing there needs it",
                            session.regions.join(", ")
                        ),
                        action: Some(action.name.to_string()),
                        scp_deny: false,
                    };
                    return (index, Answer::Action { name: action.name, region: None, result: Err(why) });
                };
                let ctx = ctx(session, &region);
                let result = (action.probe)(&ctx).await;
                (index, Answer::Action { name: action.name, region: Some(region), result })
            }
            Job::Region { index, session, region } => {
                let ctx = ctx(session, &region);
                let result = client!(ctx, aws_sdk_ec2)
                    .describe_security_groups()
                    .max_results(5)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| ctx.fail(REGION_PROBE, e));
                (index, Answer::Region { region, result })
            }
        }
    }
}

fn ctx(session: &Session, region: &str) -> Ctx {
    Ctx::new(session.in_region(region), session.account_id.clone(), region.to_string())
}

/// What a probe's answer means: the outcome, AWS's answer when it was an error, why it was refused, and a
/// hint for anything but a plain yes.
pub fn judge(result: Result<(), SourceError>) -> Probed {
    let error = match result {
        Ok(()) => return Probed { outcome: Outcome::Allowed, answer: None, denial: None, hint: None },
        Err(error) => error,
    };
    let (outcome, denial, hint) = if error.code == NOT_PROBED {
        (Outcome::NotProbed, None, Some(error.message.clone()))
    } else if error.code == DRY_RUN_OK || past_authorisation(&error) {
        (Outcome::Allowed, None, None)
    } else if let Some(denial) = error.denial() {
        let hint = Some(fix_for(&denial));
        (Outcome::Denied, Some(denial), hint)
    } else {
        (Outcome::Unproven, None, Some(hint_for(&error).to_string()))
    };
    Probed { outcome, answer: Some(error), denial, hint }
}

/// EC2's answer to a dry run that would have succeeded.
const DRY_RUN_OK: &str = "DryRunOperation";

/// Answers AWS gives only once the caller may make the call: the resource asked about does not exist
/// (`ResourceNotFoundException`, `NoSuchBucket`, `DBInstanceNotFound`, `NoSuchEntity`, ...). A few services
/// say "not found" with a validation code: SageMaker (`ValidationException: Could not find endpoint`,
/// `RecordNotFound`), Elastic Beanstalk (`InvalidParameterValue: No Application named …`), EMR
/// (`InvalidRequestException: Cluster id '…' is not valid.`, its only answer for a cluster that is not
/// there): those are read from the message, for those codes only.
fn past_authorisation(error: &SourceError) -> bool {
    let code = error.code.as_str();
    if ["NotFound", "NoSuch", "NotExist", "DoesNotExist"].iter().any(|p| code.contains(p)) {
        return true;
    }
    // IAM's credential report not generated yet (or being generated): the caller may read it.
    if matches!(code, "ReportNotPresent" | "ReportInProgress" | "ReportExpired") {
        return true;
    }
    let message = error.message.to_ascii_lowercase();
    match code {
        "ValidationException" => {
            ["could not find", "recordnotfound", "does not exist", "not found"].iter().any(|p| message.contains(p))
        }
        "InvalidParameterValue" => message.starts_with("no application named") || message.contains("not found"),
        "InvalidRequestException" => {
            error.action.as_deref().is_some_and(|a| a.starts_with("elasticmapreduce:"))
                && message.ends_with("is not valid.")
        }
        _ => false,
    }
}

/// What to do about a refusal.
fn fix_for(denial: &Denial) -> String {
    use sgaudit_snapshot::PolicyKind;
    match (denial.explicit, denial.by) {
        (_, Some(kind)) if kind.is_organization_policy() => format!(
            "{} belongs to the organization: ask its administrators for an exception with exactly the actions \
             listed (`sgaudit permissions --for …` prints them)",
            kind.with_article()
        ),
        (true, Some(PolicyKind::PermissionsBoundary)) | (false, Some(PolicyKind::PermissionsBoundary)) => {
            "the role's permissions boundary must allow these actions too".to_string()
        }
        (_, Some(PolicyKind::Session)) => {
            "the session policy passed when assuming the role (or to the SSO permission set) must allow them"
                .to_string()
        }
        (true, _) => "a Deny statement matches: narrow or remove it, then add the statement below".to_string(),
        (false, _) => "add the statement below to the policy of the role or user sgaudit runs as".to_string(),
    }
}

/// What an answer that is neither yes nor no means.
fn hint_for(error: &SourceError) -> &'static str {
    let code = error.code.as_str();
    if code.starts_with("ExpiredToken") || code == "RequestExpired" {
        "the credentials have expired: refresh them (aws sso login, a new session) and run again"
    } else if matches!(code, "InvalidClientTokenId" | "UnrecognizedClientException" | "AuthFailure") {
        "the credentials are not valid here: an opt-in region not enabled for the account?"
    } else if code.contains("Throttl") || code == "TooManyRequestsException" || code == "RequestLimitExceeded" {
        "throttled out: run again, or lower --concurrency"
    } else if crate::source::is_unreachable(error) {
        "the endpoint could not be reached"
    } else if code == crate::source::PRECONDITION {
        "a call the probe depends on failed (see the answer): its own probe says why"
    } else if code == "timeout" {
        "no answer in time"
    } else {
        "an answer that proves neither: run again with -v, and report it if it stays"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str, message: &str) -> Result<(), SourceError> {
        Err(SourceError { code: code.into(), message: message.into(), action: Some("x:Y".into()), scp_deny: false })
    }

    #[test]
    fn answers_are_judged_by_what_they_prove() {
        assert_eq!(judge(Ok(())).outcome, Outcome::Allowed);
        for code in
            ["ResourceNotFoundException", "NoSuchBucket", "DBInstanceNotFound", "NoSuchEntity", "DryRunOperation"]
        {
            assert_eq!(judge(err(code, "")).outcome, Outcome::Allowed, "{code}");
        }
        let Probed { outcome, denial, hint, .. } = judge(err(
            "AccessDenied",
            "User: arn:aws:iam::1:user/a is not authorized to perform: x:Y with an explicit deny in a service control \
             policy: arn:aws:organizations::9:policy/o-a/service_control_policy/p-a",
        ));
        assert_eq!(outcome, Outcome::Denied);
        assert_eq!(
            denial.unwrap().policy_arn.as_deref(),
            Some("arn:aws:organizations::9:policy/o-a/service_control_policy/p-a")
        );
        assert!(hint.unwrap().contains("exception"));
        assert_eq!(judge(err("UnauthorizedOperation", "You are not authorized")).outcome, Outcome::Denied);
        for (code, words) in [
            ("ExpiredToken", "expired"),
            ("InvalidClientTokenId", "opt-in region"),
            ("ThrottlingException", "throttled"),
            ("ValidationException", "proves neither"),
        ] {
            let Probed { outcome, hint, .. } = judge(err(code, "m"));
            assert_eq!(outcome, Outcome::Unproven, "{code}");
            assert!(hint.unwrap().contains(words), "{code}");
        }
        assert_eq!(judge(err(NOT_PROBED, "a write")).outcome, Outcome::NotProbed);
        // Services that say "not found" with a validation code, for those messages only.
        assert_eq!(judge(err("ValidationException", "Could not find endpoint \"x\".")).outcome, Outcome::Allowed);
        assert_eq!(judge(err("InvalidParameterValue", "No Application named 'x' found.")).outcome, Outcome::Allowed);
        let emr = Err(SourceError {
            code: "InvalidRequestException".into(),
            message: "Cluster id 'j-0000000000000' is not valid.".into(),
            action: Some("elasticmapreduce:DescribeCluster".into()),
            scp_deny: false,
        });
        assert_eq!(judge(emr).outcome, Outcome::Allowed);
        assert_eq!(judge(err("InvalidRequestException", "Cluster id 'x' is not valid.")).outcome, Outcome::Unproven);
        assert_eq!(judge(err("ValidationException", "1 validation error detected")).outcome, Outcome::Unproven);
    }
}

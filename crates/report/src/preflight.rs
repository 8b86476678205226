//! `sgaudit preflight`'s answer for people: a matrix of accounts × uses (ready, or how many actions are
//! missing), then, per account, each missing action with why AWS refused it and what to do — the statement
//! to add for what no policy allows, the exception to ask for where an organization policy denies.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sgaudit_snapshot::preflight::{AccountPreflight, ActionPreflight, Outcome, Preflight};
use sgaudit_snapshot::PolicyKind;

use crate::permissions::{Document, Statement};
use crate::printable;

/// The whole answer, as text for a terminal.
pub fn text(p: &Preflight) -> String {
    let mut out = String::new();
    let reached = p.accounts.iter().filter(|a| a.unreachable.is_none() && a.skipped.is_none()).count();
    let _ = writeln!(
        out,
        "sgaudit preflight: {} account(s) in scope, {reached} reached; checked for {}; {} probes in {:.1} s",
        p.accounts.len(),
        p.uses.join(", "),
        p.probes,
        p.elapsed_ms as f64 / 1000.0
    );
    out.push('\n');
    if let Some(why) = &p.organization {
        let _ = writeln!(
            out,
            "The organization's accounts could not be listed: {}\n  → the identity that runs sgaudit --org needs \
             `sgaudit permissions --for org`, in the management account or a delegated administrator for AWS \
             Organizations",
            printable(why)
        );
        return out;
    }

    // The matrix.
    let account_width = p.accounts.iter().map(|a| label(a).chars().count()).max().unwrap_or(7).max(7);
    let widths: Vec<usize> = p.uses.iter().map(|u| u.len().max(12)).collect();
    let _ = write!(out, "{:<account_width$}", "account");
    for (u, w) in p.uses.iter().zip(&widths) {
        let _ = write!(out, "  {u:<w$}");
    }
    out.push('\n');
    for account in &p.accounts {
        let _ = write!(out, "{:<account_width$}", printable(&label(account)));
        if let Some(skipped) = &account.skipped {
            let _ = writeln!(out, "  skipped: {}", printable(skipped));
            continue;
        }
        if account.unreachable.is_some() {
            out.push_str("  not reached (below)\n");
            continue;
        }
        for (u, w) in p.uses.iter().zip(&widths) {
            let cell = match account.readiness(u) {
                Some(r) if r.is_ready() => "ready".to_string(),
                Some(r) if r.denied > 0 && r.unproven > 0 => format!("missing {}, ? {}", r.denied, r.unproven),
                Some(r) if r.denied > 0 => format!("missing {}", r.denied),
                Some(r) => format!("unproven {}", r.unproven),
                None => "—".to_string(),
            };
            let _ = write!(out, "  {cell:<w$}");
        }
        out.push('\n');
    }

    // Per account, what to do.
    for account in &p.accounts {
        details(&mut out, account);
    }
    if p.all_ready() {
        out.push_str("\nEvery account in scope is ready.\n");
    }
    out
}

fn label(a: &AccountPreflight) -> String {
    match &a.name {
        Some(name) => format!("{} ({name})", a.account_id),
        None => a.account_id.clone(),
    }
}

fn details(out: &mut String, account: &AccountPreflight) {
    let id = &account.account_id;
    if let Some(error) = &account.unreachable {
        let _ = writeln!(out, "\n{id}: could not be reached: {}", printable(&error.to_string()));
        let hint = match error.action.as_deref() {
            Some("sts:AssumeRole") => {
                "the role is missing there, or its trust policy does not name the caller (or wants another \
                 external id): deploy it with `sgaudit permissions --format cloudformation` as a StackSet"
            }
            Some("ec2:DescribeRegions") => "the regions of the account could not be listed",
            _ => "check the credentials of this account",
        };
        let _ = writeln!(out, "  → {hint}");
        return;
    }
    let denied: Vec<&ActionPreflight> =
        account.actions.iter().filter(|a| a.probed.outcome == Outcome::Denied).collect();
    let unproven: Vec<&ActionPreflight> =
        account.actions.iter().filter(|a| a.probed.outcome == Outcome::Unproven).collect();
    let regions: Vec<_> =
        account.regions.iter().filter(|r| matches!(r.probed.outcome, Outcome::Denied | Outcome::Unproven)).collect();
    if denied.is_empty() && unproven.is_empty() && regions.is_empty() {
        return;
    }
    let who = account.identity.as_deref().map(|i| format!(" as {}", printable(i))).unwrap_or_default();
    let _ = writeln!(out, "\n{id}{who}:");
    for r in &regions {
        let why = r.probed.denial.as_ref().map(|d| d.to_string()).unwrap_or_else(|| "not proven".to_string());
        let answer = r.probed.answer.as_ref().map(|a| printable(&a.to_string()).into_owned()).unwrap_or_default();
        let _ = writeln!(out, "  region {}: {why}: {answer}", r.region);
        if let Some(hint) = &r.probed.hint {
            let _ = writeln!(out, "    → {}", printable(hint));
        }
    }
    for a in &denied {
        let why = a.probed.denial.as_ref().map(|d| d.to_string()).unwrap_or_else(|| "denied".to_string());
        // Where AWS's words say no more than "denied", they are shown: they name the caller.
        let words = match (&a.probed.denial, &a.probed.answer) {
            (Some(d), _) if d.by.is_some() => String::new(),
            (_, Some(answer)) => format!(" ({}: {})", printable(&answer.code), printable(&answer.message)),
            _ => String::new(),
        };
        let _ = writeln!(out, "  {} ({}, in {}): {why}{words}", a.action, a.uses.join(", "), a.region);
    }
    // What to do, grouped: a statement to add for what no policy allows or an account's policy denies; an
    // exception to ask for where an organization policy denies.
    let mut by_fix: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in &denied {
        let organization = a.probed.denial.as_ref().and_then(|d| d.by).is_some_and(PolicyKind::is_organization_policy);
        let fix = if organization { "organization" } else { "account" };
        by_fix.entry(fix).or_default().push(&a.action);
    }
    if let Some(actions) = by_fix.get("account") {
        let _ = writeln!(
            out,
            "  → add to the policy of the role or user sgaudit runs as (and narrow any Deny that matches):\n{}",
            indent(&statement("SgauditPreflightMissing", actions), 4)
        );
    }
    if let Some(actions) = by_fix.get("organization") {
        let _ = writeln!(
            out,
            "  → a service or resource control policy of the organization denies these: ask its administrators \
             for an exception for the sgaudit role, with exactly these actions:\n{}",
            indent(&statement("AllowSgauditAudit", actions), 4)
        );
    }
    for a in &unproven {
        let answer = a.probed.answer.as_ref().map(|e| printable(&e.to_string()).into_owned()).unwrap_or_default();
        let _ = writeln!(out, "  {} ({}, in {}): not proven: {answer}", a.action, a.uses.join(", "), a.region);
        if let Some(hint) = &a.probed.hint {
            let _ = writeln!(out, "    → {}", printable(hint));
        }
    }
}

/// An IAM policy allowing `actions`, as JSON, its keys in IAM's order.
fn statement(sid: &str, actions: &[&str]) -> String {
    let actions = actions.iter().map(|a| a.to_string()).collect();
    let doc = Document::new(vec![Statement { sid: sid.to_string(), effect: "Allow", action: actions, resource: "*" }]);
    doc.to_pretty_json().unwrap_or_default()
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|l| format!("{pad}{l}")).collect::<Vec<_>>().join("\n")
}

/// The document `--format json` writes.
pub fn json(p: &Preflight) -> serde_json::Result<String> {
    serde_json::to_string_pretty(p)
}

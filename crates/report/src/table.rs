//! The terminal view: a summary (the groups', then one line per other family of checks), the groups one
//! row each, then the failed checks and those that could not be evaluated.
//!
//! Every string that comes from AWS or a snapshot file (ids, names, regions, error messages, evidence) goes
//! through [`printable`]: a group's name must not drive the terminal that shows it, with colour or without.
//! So does every string from the config file or the store (an exception's reason, owner and ticket).
//!
//! What exceptions did is shown where it applies: a muted failure keeps its line, tagged `[muted]`, with
//! the exception's reason and owner on the line below; the group findings that are muted are listed after
//! the table (the table has no column of findings); a group marked in use or unused for a known time says
//! so under its status; expired and unmatched exceptions get a line each in the summary.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, Color, ContentArrangement, Table};
use sgaudit_audit::checks::{account_resource, CheckResult, Location};
use sgaudit_audit::reach::ReachState;
use sgaudit_audit::{Audit, Family, Fix, GroupVerdict, Muted, Outcome, Risk, Severity, Status};
use sgaudit_snapshot::Snapshot;

use crate::memory::{self, MutedCounts};
use crate::text::printable;
use crate::{fixes, reachability};

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit, color: bool) -> std::io::Result<()> {
    let accounts: Vec<&str> = snapshot.accounts.iter().map(|a| a.account_id.as_str()).collect();
    let groups = groups_judged(audit);
    if groups {
        group_summary(out, snapshot, audit, accounts.len())?;
    } else {
        // Groups were not judged: nothing here may read as a claim about them (no counts, no "every source
        // was read", which would speak of sources nobody looked at).
        let families: Vec<&str> = families(audit).iter().map(|f| f.title()).collect();
        writeln!(
            out,
            "sgaudit: {} checks in {} account(s), {} region(s); security groups not judged",
            if families.is_empty() { "no".to_string() } else { families.join(", ") },
            accounts.len(),
            snapshot.regions.len()
        )?;
        let e = audit.estate;
        writeln!(out, "  read:   {}/{} accounts", e.accounts_read, e.accounts)?;
        accounts_not_read(out, audit)?;
    }
    family_summary(out, snapshot, audit)?;
    exceptions_summary(out, audit)?;
    writeln!(out)?;
    if groups {
        groups_table(out, snapshot, audit, accounts.len() > 1, color)?;
        muted_findings(out, audit, accounts.len() > 1, color)?;
    }
    // Last, so that what needs doing is what a terminal shows when the output ends.
    results(out, audit, accounts.len() > 1, color)
}

/// One group in full, for `sgaudit scan --explain GROUP`: where it is, its status and why (what uses it,
/// what names it, the evidence missing), its exposure, whether the internet reaches it with every path (or
/// why not, or what was missing), the checks not evaluated, and each finding with its fix (the summary,
/// the AWS CLI commands, the Terraform snippet). Every group of the audit with that id is shown (ids are
/// unique in AWS; a hand-made snapshot may repeat one). `Ok(false)` when no group has it.
///
/// Every value goes through [`printable`], the fixes' commands and Terraform lines too: nothing of a name
/// or a description can drive the terminal or forge a line, nor slip a second command into a pasted one.
pub fn explain(
    out: &mut impl Write,
    snapshot: &Snapshot,
    audit: &Audit,
    group_id: &str,
    color: bool,
) -> std::io::Result<bool> {
    let mut found = false;
    for g in audit.groups.iter().filter(|g| g.group.group_id == group_id) {
        if found {
            writeln!(out)?;
        }
        found = true;
        explain_group(out, snapshot, g, color)?;
    }
    Ok(found)
}

fn explain_group(out: &mut impl Write, snapshot: &Snapshot, g: &GroupVerdict, color: bool) -> std::io::Result<()> {
    let group = g.group;
    let vpc = group.vpc_id.as_deref().map_or_else(|| "no VPC".to_string(), |v| format!("VPC {}", printable(v)));
    writeln!(
        out,
        "{} ({}) in account {}, {}, {vpc}{}",
        bold(&printable(&group.group_id), color),
        printable(&group.group_name),
        printable(g.account_id),
        printable(g.region),
        if g.is_default { ", the VPC's default group" } else { "" }
    )?;
    if !group.description.is_empty() {
        writeln!(out, "  description: {}", printable(&group.description))?;
    }
    if !group.tags.is_empty() {
        let tags: Vec<String> = group.tags.iter().map(|(k, v)| format!("{}={}", printable(k), printable(v))).collect();
        writeln!(out, "  tags: {}", tags.join(", "))?;
    }

    writeln!(out, "  status: {}", status_word(g.status, color))?;
    if let (Status::Unused, Some(since)) = (g.status, &g.unused_since) {
        let since = memory::unused_since_text(since, snapshot.collected_at.as_deref());
        writeln!(out, "    unused since {}", printable(&since))?;
    }
    if let Some(m) = &g.marked_in_use {
        writeln!(out, "    marked in use: {}", printable(&memory::muted_text(m)))?;
    }
    for u in &g.used_by {
        let detail = u.detail.as_deref().map(|d| format!(": {}", printable(d))).unwrap_or_default();
        writeln!(
            out,
            "    used by {} {} (seen via {}, {}){detail}",
            u.kind.id(),
            printable(u.id),
            u.via.id(),
            printable(u.source)
        )?;
    }
    if g.used_by.is_empty() && g.status != Status::Unknown {
        writeln!(out, "    used by nothing sgaudit can see")?;
    }
    for r in &g.referenced_by {
        writeln!(out, "    named by a {} rule of {} ({})", r.direction.id(), printable(r.group_id), r.status.label())?;
    }
    for m in &g.missing_evidence {
        writeln!(out, "    evidence missing: {}", printable(&m.to_string()))?;
    }
    writeln!(out, "  risk: {}", risk_word(g.risk, color))?;

    let e = &g.exposure;
    let mut open: Vec<String> = Vec::new();
    if e.all_traffic {
        open.push("all traffic".to_string());
    }
    open.extend(e.high_risk_ports.iter().map(|p| p.to_string()));
    if open.is_empty() {
        writeln!(out, "  exposure: no high-risk port open to the world")?;
    } else {
        writeln!(out, "  exposure: open to the world on {}", open.join(", "))?;
    }

    let reach = &g.reach;
    writeln!(out, "  internet: {}", reach_word(reach.state, color))?;
    for p in &reach.paths {
        writeln!(out, "    path: {}", printable(&p.text))?;
    }
    for b in &reach.blocked {
        writeln!(out, "    blocked: {}", printable(b))?;
    }
    for m in &reach.missing {
        writeln!(out, "    missing: {}", printable(m))?;
    }
    for n in &g.not_evaluated {
        writeln!(out, "  not evaluated: {}", printable(&n.to_string()))?;
    }

    if g.findings.is_empty() {
        return writeln!(out, "  findings: none");
    }
    writeln!(out, "  findings ({}):", g.findings.len())?;
    for f in &g.findings {
        let tag = if f.muted.is_some() { format!(" {}", muted_tag(color)) } else { String::new() };
        writeln!(
            out,
            "    {} {}: {}{tag}",
            severity_word(f.severity, color).trim_end(),
            f.check.id,
            printable(&f.message)
        )?;
        if let Some(m) = &f.muted {
            writeln!(out, "      muted: {}", printable(&memory::muted_text(m)))?;
        }
        match f.fix(g) {
            Some(fix) => explain_fix(out, &fix)?,
            None => writeln!(out, "      how to fix: {}", f.check.remediation)?,
        }
    }
    Ok(())
}

/// A fix: its summary, its commands (each one line, to paste), its Terraform snippet.
fn explain_fix(out: &mut impl Write, fix: &Fix) -> std::io::Result<()> {
    writeln!(out, "      fix: {}", printable(&fix.summary))?;
    for command in fixes::commands(fix) {
        writeln!(out, "        $ {command}")?;
    }
    let terraform = fixes::terraform_lines(fix);
    if !terraform.is_empty() {
        writeln!(out, "      terraform:")?;
        for line in terraform {
            writeln!(out, "        {line}")?;
        }
    }
    Ok(())
}

/// `text` in bold, in colour.
fn bold(text: &str, color: bool) -> String {
    if color {
        format!("\x1b[1m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// A word in the SGR colour `sgr`, in colour.
fn coloured(word: &str, sgr: &str, color: bool) -> String {
    if color && !sgr.is_empty() {
        format!("\x1b[{sgr}m{word}\x1b[0m")
    } else {
        word.to_string()
    }
}

fn status_word(status: Status, color: bool) -> String {
    let sgr = match status {
        Status::InUse => "32",
        Status::Unused => "33",
        Status::Unknown => "35",
    };
    coloured(status.label(), sgr, color)
}

fn risk_word(risk: Risk, color: bool) -> String {
    let sgr = match risk {
        Risk::Critical => "1;31",
        Risk::High => "31",
        Risk::Medium => "33",
        Risk::Low => "34",
        Risk::None => "",
    };
    coloured(risk.id(), sgr, color)
}

fn reach_word(state: ReachState, color: bool) -> String {
    let sgr = match state {
        ReachState::Reachable => "1;31",
        ReachState::Unknown => "35",
        ReachState::NotReachable | ReachState::NotExposed => "",
    };
    coloured(reachability::label(state), sgr, color)
}

/// Whether the `groups` family was judged (a snapshot from before the account checks knows no other).
pub(crate) fn groups_judged(audit: &Audit) -> bool {
    audit.families.contains(&Family::Groups) || !audit.groups.is_empty()
}

/// The judged families other than `groups`, in [`Family::ALL`]'s order.
pub(crate) fn families(audit: &Audit) -> Vec<Family> {
    Family::ALL.into_iter().filter(|f| *f != Family::Groups && audit.families.contains(f)).collect()
}

/// The results of one family's checks, in the audit's order (check, then location).
pub(crate) fn results_of<'a>(audit: &'a Audit, family: Family) -> impl Iterator<Item = &'a CheckResult> {
    audit.results.iter().filter(move |r| r.check.family == family)
}

/// Results by outcome, and how many of the failures and of those not evaluated are muted by an exception
/// (counted in `fail` and `not_evaluated` too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub fail: usize,
    pub pass: usize,
    pub not_evaluated: usize,
    pub fail_muted: usize,
    pub not_evaluated_muted: usize,
}

impl Tally {
    pub(crate) fn of<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Self {
        let mut tally = Tally::default();
        for r in results {
            let muted = usize::from(r.muted.is_some());
            match r.outcome {
                Outcome::Fail => {
                    tally.fail += 1;
                    tally.fail_muted += muted;
                }
                Outcome::Pass => tally.pass += 1,
                Outcome::NotEvaluated => {
                    tally.not_evaluated += 1;
                    tally.not_evaluated_muted += muted;
                }
            }
        }
        tally
    }

    pub(crate) fn total(self) -> usize {
        self.fail + self.pass + self.not_evaluated
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = |n: usize, o: Outcome| format!("{n} {}", o.label());
        let muted = |n: usize| if n > 0 { format!(" ({n} muted)") } else { String::new() };
        write!(
            f,
            "{}{}, {}, {}{}",
            count(self.fail, Outcome::Fail),
            muted(self.fail_muted),
            count(self.pass, Outcome::Pass),
            count(self.not_evaluated, Outcome::NotEvaluated),
            muted(self.not_evaluated_muted)
        )
    }
}

/// When IAM generated each account's credential report, and how long before the snapshot was collected:
/// IAM hands out the same report for up to four hours, so its rows may be that old. `(account, generated
/// at, minutes before collection)`.
pub(crate) fn credential_reports(snapshot: &Snapshot) -> Vec<(&str, &str, Option<i64>)> {
    let collected = snapshot.collected_at.as_deref().and_then(crate::time::parse_rfc3339_ms);
    snapshot
        .account_evidence
        .iter()
        .filter_map(|e| {
            let report = e.credential_report.as_ref()?;
            let generated = crate::time::parse_rfc3339_ms(&report.generated_at);
            let before = collected.zip(generated).map(|(c, g)| (c - g).div_euclid(60_000));
            Some((e.account_id.as_str(), report.generated_at.as_str(), before))
        })
        .collect()
}

/// `18 min before the snapshot was collected`, `2 h 5 min before ...`.
pub(crate) fn report_age(minutes: i64) -> String {
    let (sign, m) = if minutes < 0 { ("after", -minutes) } else { ("before", minutes) };
    let span = if m < 120 { format!("{m} min") } else { format!("{} h {} min", m / 60, m % 60) };
    format!("{span} {sign} the snapshot was collected")
}

/// The part of a result's resource that names the thing: `user/bob/access-key-1` of an access key's ARN,
/// `demo-logs` of a bucket's; empty for the account itself (the line already names the account).
pub(crate) fn short_resource(location: &Location) -> &str {
    let resource = location.resource.as_str();
    if resource == account_resource(&location.account_id) {
        return "";
    }
    short_id(resource)
}

/// `eu-west-1`, or `global` for an account-wide result; with the account first when there are several.
fn place(location: &Location, many_accounts: bool) -> String {
    let region = printable(location.region.as_deref().unwrap_or("global"));
    if many_accounts {
        format!("{} {region}", printable(&location.account_id))
    } else {
        region.into_owned()
    }
}

fn group_summary(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit, accounts: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "sgaudit: {} security groups in {} account(s), {} region(s)",
        audit.groups.len(),
        accounts,
        snapshot.regions.len()
    )?;
    let statuses: Vec<String> =
        Status::ALL.iter().map(|&s| format!("{} {}", audit.count_status(s), s.label())).collect();
    writeln!(out, "  status: {}", statuses.join(", "))?;
    let risks: Vec<String> = Risk::ALL.iter().map(|&r| format!("{} {}", audit.count_risk(r), r.id())).collect();
    writeln!(out, "  risk:   {}", risks.join(", "))?;
    let e = audit.estate;
    writeln!(
        out,
        "  read:   {}/{} accounts, {}/{} account-regions, {}/{} source lists",
        e.accounts_read, e.accounts, e.regions_read, e.regions, e.sources_read, e.sources
    )?;
    accounts_not_read(out, audit)?;
    let unread: Vec<String> = audit
        .regions
        .iter()
        .flat_map(|r| {
            r.unreadable.iter().map(move |u| {
                format!("{}/{}: {}", printable(&r.account_id), printable(&r.region), printable(&u.to_string()))
            })
        })
        .collect();
    if unread.is_empty() && families(audit).is_empty() {
        writeln!(out, "  every source of evidence was read")?;
    } else if unread.is_empty() {
        // The other families' evidence is theirs to speak of: their not-evaluated results, below.
        writeln!(out, "  every source of security group evidence was read")?;
    } else {
        writeln!(out, "  sources not read (groups without other evidence are `unknown`):")?;
        for line in unread {
            writeln!(out, "    - {line}")?;
        }
    }
    Ok(())
}

/// What the exceptions did: the findings muted and the groups marked in use, counted; then a line for each
/// exception that expired or matched nothing, which people must hear about. Nothing without exceptions.
fn exceptions_summary(out: &mut impl Write, audit: &Audit) -> std::io::Result<()> {
    let m = MutedCounts::of(audit);
    if m.findings + m.results + m.marked_in_use > 0 {
        writeln!(
            out,
            "  muted:  {} group finding(s), {} check result(s) ({} failed); {} group(s) marked in use",
            m.findings, m.results, m.failed_results, m.marked_in_use
        )?;
    }
    for e in memory::to_warn_about(audit) {
        writeln!(out, "  exception {}: {}", memory::state_id(e.state), printable(&memory::exception_text(e)))?;
    }
    Ok(())
}

/// The group findings muted by an exception, one line each with the exception below (the table has no
/// column of findings, and a muted finding must stay visible); then the groups marked in use, with why.
fn muted_findings(out: &mut impl Write, audit: &Audit, many_accounts: bool, color: bool) -> std::io::Result<()> {
    let place = |g: &GroupVerdict| {
        if many_accounts {
            format!("{} {}", printable(g.account_id), printable(g.region))
        } else {
            printable(g.region).into_owned()
        }
    };
    let marked: Vec<(&GroupVerdict, &Muted)> =
        audit.groups.iter().filter_map(|g| g.marked_in_use.as_deref().map(|m| (g, m))).collect();
    if !marked.is_empty() {
        writeln!(out, "groups marked in use ({}), never planned for cleanup:", marked.len())?;
        for (g, m) in marked {
            writeln!(
                out,
                "  {} {} ({}), {}: {}",
                place(g),
                printable(&g.group.group_id),
                printable(&g.group.group_name),
                g.status.id(),
                printable(&memory::muted_text(m))
            )?;
        }
    }
    let muted: Vec<(&GroupVerdict, &sgaudit_audit::Finding, &Muted)> = audit
        .groups
        .iter()
        .flat_map(|g| g.findings.iter().filter_map(move |f| f.muted.as_deref().map(|m| (g, f, m))))
        .collect();
    if muted.is_empty() {
        return Ok(());
    }
    writeln!(out, "muted group findings ({}), accepted by an exception:", muted.len())?;
    for (g, f, m) in muted {
        let place = place(g);
        writeln!(
            out,
            "  {} {} {place} {} ({}): {} {}",
            severity_word(f.severity, color),
            f.check.id,
            printable(&g.group.group_id),
            printable(&g.group.group_name),
            printable(&f.message),
            muted_tag(color)
        )?;
        writeln!(out, "      muted: {}", printable(&memory::muted_text(m)))?;
    }
    Ok(())
}

/// `[muted]`, dimmed in colour.
fn muted_tag(color: bool) -> &'static str {
    if color {
        "\x1b[2m[muted]\x1b[0m"
    } else {
        "[muted]"
    }
}

fn accounts_not_read(out: &mut impl Write, audit: &Audit) -> std::io::Result<()> {
    for line in &audit.unreachable_accounts {
        writeln!(out, "  account not read: {}", printable(&line.to_string()))?;
    }
    for line in &audit.skipped_accounts {
        writeln!(out, "  account skipped: {}", printable(&line.to_string()))?;
    }
    Ok(())
}

/// One line per judged family other than groups, and when each credential report was generated.
fn family_summary(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let families = families(audit);
    for &family in &families {
        let tally = Tally::of(results_of(audit, family));
        writeln!(out, "  {}: {tally}", family.title())?;
    }
    if families.contains(&Family::Iam) {
        for (account, generated, before) in credential_reports(snapshot) {
            let age = before.map(|m| format!(", {}", report_age(m))).unwrap_or_default();
            writeln!(
                out,
                "  credential report of {}: generated {}{age} (IAM reuses a report for up to four hours)",
                printable(account),
                printable(generated)
            )?;
        }
    }
    Ok(())
}

fn groups_table(
    out: &mut impl Write,
    snapshot: &Snapshot,
    audit: &Audit,
    many_accounts: bool,
    color: bool,
) -> std::io::Result<()> {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["Region", "Group", "Name", "VPC", "Default", "Status", "Risk", "Internet", "Used by"]);
    if color {
        // The caller asked for colour (it checked for a terminal): draw it whatever comfy-table guesses.
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    for g in &audit.groups {
        let region = if many_accounts {
            format!("{}/{}", printable(g.account_id), printable(g.region))
        } else {
            printable(g.region).into_owned()
        };
        table.add_row(vec![
            Cell::new(region),
            Cell::new(printable(&g.group.group_id)),
            Cell::new(printable(&g.group.group_name)),
            Cell::new(printable(g.group.vpc_id.as_deref().unwrap_or("-"))),
            Cell::new(if g.is_default { "yes" } else { "" }),
            status_cell(g, snapshot, color),
            risk_cell(g.risk, color),
            reach_cell(g.reach.state, color),
            Cell::new(used_by(g)),
        ]);
    }
    writeln!(out, "{table}")
}

/// The failed results, worst first, one line each; then the results that could not be evaluated, one
/// entry per reason (the same denial usually stops several checks) naming every check it stopped. Passes
/// are counted in the summary; the JSON, HTML and Excel reports list them.
fn results(out: &mut impl Write, audit: &Audit, many_accounts: bool, color: bool) -> std::io::Result<()> {
    let mut failed: Vec<&CheckResult> = audit.results.iter().filter(|r| r.outcome == Outcome::Fail).collect();
    // Stable: within a severity, the audit's order (check, then location).
    failed.sort_by_key(|r| std::cmp::Reverse(r.severity));
    let mut not_evaluated: Vec<(&Location, &str, Vec<&CheckResult>)> = Vec::new();
    // Where each (place, reason) is in the list: an estate may have thousands.
    let mut entry: HashMap<(&str, Option<&str>, &str, &str), usize> = HashMap::new();
    for r in audit.results.iter().filter(|r| r.outcome == Outcome::NotEvaluated) {
        let l = &r.location;
        let key = (l.account_id.as_str(), l.region.as_deref(), l.resource.as_str(), r.evidence.as_str());
        match entry.get(&key) {
            Some(&i) => not_evaluated[i].2.push(r),
            None => {
                entry.insert(key, not_evaluated.len());
                not_evaluated.push((l, &r.evidence, vec![r]));
            }
        }
    }
    for (_, _, checks) in &mut not_evaluated {
        checks.sort_by_key(|r| std::cmp::Reverse(r.severity));
    }
    not_evaluated.sort_by_key(|(_, _, checks)| std::cmp::Reverse(checks[0].severity));

    if failed.is_empty() && not_evaluated.is_empty() {
        if !audit.results.is_empty() {
            writeln!(out, "every account check passed")?;
        }
        return Ok(());
    }
    if !failed.is_empty() {
        let muted = failed.iter().filter(|r| r.muted.is_some()).count();
        if muted > 0 {
            writeln!(out, "failed checks ({}, {muted} muted), worst first:", failed.len())?;
        } else {
            writeln!(out, "failed checks ({}), worst first:", failed.len())?;
        }
        let width = failed.iter().map(|r| r.check.id.len()).max().unwrap_or(0);
        for r in &failed {
            let short = short_resource(&r.location);
            // The resource, unless the evidence already names it (a bucket, a user, a group id).
            let last = short.rsplit(['/', ':']).next().unwrap_or(short);
            let resource = if last.is_empty() || r.evidence.contains(last) {
                String::new()
            } else {
                format!(" {}", printable(short))
            };
            let tag = if r.muted.is_some() { format!(" {}", muted_tag(color)) } else { String::new() };
            writeln!(
                out,
                "  {} {:width$} {}{resource}: {}{tag}",
                severity_word(r.severity, color),
                r.check.id,
                place(&r.location, many_accounts),
                printable(&r.evidence),
            )?;
            if let Some(m) = &r.muted {
                writeln!(out, "      muted: {}", printable(&memory::muted_text(m)))?;
            }
        }
    }
    if !not_evaluated.is_empty() {
        let count: usize = not_evaluated.iter().map(|(_, _, c)| c.len()).sum();
        writeln!(out, "not evaluated ({count}): their evidence could not be read, so they are not passes:")?;
        for (location, reason, checks) in &not_evaluated {
            let ids: Vec<String> = checks
                .iter()
                .map(|r| match &r.muted {
                    Some(m) => format!("{} ({}, muted by {})", r.check.id, r.severity.id(), printable(&m.owner)),
                    None => format!("{} ({})", r.check.id, r.severity.id()),
                })
                .collect();
            let short = short_resource(location);
            let resource = if short.is_empty() { String::new() } else { format!(" {}", printable(short)) };
            let bullet = if color { "\x1b[35m-\x1b[0m" } else { "-" };
            writeln!(out, "  {bullet} {}{resource}: {}", place(location, many_accounts), ids.join(", "))?;
            writeln!(out, "      {}", printable(reason))?;
        }
    }
    Ok(())
}

/// The severity, padded to the longest (`informational`), coloured as the risk of the same name.
fn severity_word(severity: Severity, color: bool) -> String {
    let word = format!("{:13}", severity.id());
    if !color {
        return word;
    }
    let sgr = match severity {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "34",
        Severity::Informational => return word,
    };
    format!("\x1b[{sgr}m{word}\x1b[0m")
}

/// A short account of what uses a group: each kind with how many, and one example id (the HTML table too).
pub(crate) fn used_by(g: &GroupVerdict) -> String {
    if g.status == Status::Unknown {
        return "? (evidence missing)".to_string();
    }
    let mut by_kind: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for u in &g.used_by {
        by_kind.entry(u.kind.id()).or_default().push(u.id);
    }
    if by_kind.is_empty() {
        let chain: Vec<Cow<str>> = g.referenced_by.iter().map(|r| printable(r.group_id)).collect();
        return if chain.is_empty() {
            "-".to_string()
        } else {
            format!("- (named only by unused {})", chain.join(", "))
        };
    }
    by_kind
        .into_iter()
        .map(|(kind, ids)| {
            let mut ids = ids;
            ids.dedup();
            let first = printable(short_id(ids[0]));
            if ids.len() == 1 {
                format!("{kind} {first}")
            } else {
                format!("{kind} {first} +{}", ids.len() - 1)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The resource part of an ARN (`function:orders` of `arn:aws:lambda:us-east-1:123456789012:function:orders`):
/// the table has the account and region already.
fn short_id(id: &str) -> &str {
    if id.starts_with("arn:") {
        id.splitn(6, ':').nth(5).unwrap_or(id)
    } else {
        id
    }
}

/// The status, and under it what the store and people add: how long an unused group has been unused, and a
/// use that people declared.
fn status_cell(g: &GroupVerdict, snapshot: &Snapshot, color: bool) -> Cell {
    let mut text = g.status.id().to_string();
    if let (Status::Unused, Some(since)) = (g.status, &g.unused_since) {
        let since = memory::unused_since_text(since, snapshot.collected_at.as_deref());
        text.push_str(&format!("\nunused since {}", printable(&since)));
    }
    if let Some(m) = &g.marked_in_use {
        text.push_str(&format!("\nmarked in use by {}", printable(&m.owner)));
    }
    let cell = Cell::new(text);
    if !color {
        return cell;
    }
    match g.status {
        Status::InUse => cell.fg(Color::Green),
        Status::Unused => cell.fg(Color::Yellow),
        Status::Unknown => cell.fg(Color::Magenta),
    }
}

/// Whether the internet reaches the group, in a word where it matters: blank for a group with nothing open
/// to the world (most of them), so the column stays narrow and what is reachable stands out.
fn reach_cell(state: ReachState, color: bool) -> Cell {
    let word = match state {
        ReachState::NotExposed => "",
        ReachState::Reachable => "reachable",
        ReachState::NotReachable => "no",
        ReachState::Unknown => "unknown",
    };
    let cell = Cell::new(word);
    if !color {
        return cell;
    }
    match state {
        ReachState::Reachable => cell.fg(Color::Red),
        ReachState::Unknown => cell.fg(Color::Magenta),
        ReachState::NotReachable | ReachState::NotExposed => cell,
    }
}

fn risk_cell(risk: Risk, color: bool) -> Cell {
    let cell = Cell::new(risk.id());
    if !color {
        return cell;
    }
    match risk {
        Risk::Critical => cell.fg(Color::Red),
        Risk::High => cell.fg(Color::DarkRed),
        Risk::Medium => cell.fg(Color::Yellow),
        Risk::Low => cell.fg(Color::Blue),
        Risk::None => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{hostile, unprintable, EVIL};

    fn table(snapshot: &Snapshot, color: bool) -> String {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, snapshot, &audit, color).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The table's own colours (SGR sequences `ESC [ ... m`) removed; any other ESC is left.
    fn without_colours(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("\x1b[") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let end = after.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap_or(after.len());
            if after[end..].starts_with('m') {
                rest = &after[end + 1..];
            } else {
                out.push_str(&rest[i..i + 2]);
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn hostile_text_cannot_drive_the_terminal_with_or_without_colour() {
        let snapshot = hostile();
        let shown = crate::printable(EVIL).into_owned();
        for color in [false, true] {
            let text = table(&snapshot, color);
            let text = if color { without_colours(&text) } else { text };
            assert_eq!(unprintable(&text), None, "colour {color}:\n{text}");
            assert!(!text.contains('\x1b'), "colour {color}");
            assert!(!text.lines().any(|l| l.trim_start_matches(['│', ' ', '┆']).starts_with("UNUSED")), "{text}");
            // The values are shown, escaped: the name, the error message, the region, the account not read.
            for what in ["name", "bastion", "message", "eu-west-1", "unreachable", "suspended", "i-0", "vpc-0"] {
                assert!(
                    text.contains(&format!("{what}{shown}")),
                    "`{what}` not shown escaped (colour {color}):\n{text}"
                );
            }
        }
        // With colour, there are colours: the test above had something to strip.
        assert!(table(&snapshot, true).contains("\x1b["));
    }

    #[test]
    fn a_credential_reports_age_reads_as_people_say_it() {
        assert_eq!(report_age(18), "18 min before the snapshot was collected");
        assert_eq!(report_age(119), "119 min before the snapshot was collected");
        assert_eq!(report_age(245), "4 h 5 min before the snapshot was collected");
        assert_eq!(report_age(-3), "3 min after the snapshot was collected");
        let mut snapshot = crate::test_support::demo();
        assert_eq!(credential_reports(&snapshot), [("123456789012", "2026-11-23T03:41:07+00:00", Some(18))]);
        snapshot.collected_at = None;
        assert_eq!(credential_reports(&snapshot), [("123456789012", "2026-11-23T03:41:07+00:00", None)]);
    }

    #[test]
    fn a_resource_is_named_by_its_last_part_and_the_account_by_nothing() {
        let at = |resource_type, resource: &str| Location {
            account_id: "123456789012".into(),
            region: None,
            resource_type,
            resource: resource.into(),
        };
        use sgaudit_audit::checks::resource;
        let key = at(resource::IAM_ACCESS_KEY, "arn:aws:iam::123456789012:user/bob/access-key-1");
        assert_eq!(short_resource(&key), "user/bob/access-key-1");
        assert_eq!(short_resource(&at(resource::S3_BUCKET, "arn:aws:s3:::logs")), "logs");
        assert_eq!(short_resource(&at(resource::ACCOUNT, "AWS::::Account:123456789012")), "");
        assert_eq!(short_resource(&at(resource::S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, "AWS::::Account:123456789012")), "");
        assert_eq!(short_resource(&at(resource::ACCOUNT, "arn:aws:iam::123456789012:root")), "root");
    }

    #[test]
    fn a_plain_estate_is_shown_as_it_is() {
        let text = table(&crate::test_support::demo(), false);
        assert!(text.contains("sg-0a300000000ba5710"));
        assert!(!text.contains("\\u{"), "{text}");
    }

    #[test]
    fn muted_findings_keep_their_lines_and_hostile_exceptions_are_printable() {
        use crate::test_support::{remember, EVIL_OWNER, EVIL_REASON};
        let snapshot = crate::test_support::demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, EVIL_REASON, EVIL_OWNER);
        for color in [false, true] {
            let mut out = Vec::new();
            write(&mut out, &snapshot, &audit, color).unwrap();
            let text = String::from_utf8(out).unwrap();
            let text = if color { without_colours(&text) } else { text };
            assert_eq!(unprintable(&text), None, "colour {color}:\n{text}");
            assert!(!text.contains('\x1b'), "colour {color}");
            assert!(!text.lines().any(|l| l.trim_start_matches(['│', ' ', '┆']).starts_with("UNUSED")), "{text}");
            // The muted result keeps its line, tagged, with the exception under it.
            let user = text.lines().position(|l| l.contains("iam-user-mfa") && l.contains("=2+5 has no MFA")).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert!(lines[user].ends_with("[muted]"), "{}", lines[user]);
            assert!(lines[user + 1].starts_with("      muted: =HYPERLINK("), "{}", lines[user + 1]);
            assert!(lines[user + 1].contains(&*crate::printable(EVIL_OWNER)), "{}", lines[user + 1]);
            let failed = audit.count_outcome(Outcome::Fail);
            assert!(text.contains(&format!("failed checks ({failed}, 1 muted), worst first:")), "{text}");
            assert!(text.contains("  IAM: 11 fail (1 muted), 13 pass, 0 not evaluated"), "{text}");
            // The muted group finding, listed after the table; the group marked in use, and unused since when.
            assert!(text.contains("muted group findings (1), accepted by an exception:"), "{text}");
            assert!(text.contains("sg-world-open-ssh us-east-1 sg-0a300000000ba5710 (bastion): "), "{text}");
            assert!(text.contains("groups marked in use (1), never planned for cleanup:"), "{text}");
            assert!(text.contains("unused since 2026-10-01 (53 days)"), "{text}");
            assert!(text.contains("marked in use by @owner"), "{text}");
            // The exceptions people must hear about: one line each.
            assert_eq!(text.lines().filter(|l| l.starts_with("  exception expired: sgaudit.toml:7: ")).count(), 1);
            assert_eq!(text.lines().filter(|l| l.starts_with("  exception unmatched: sgaudit.toml:7: ")).count(), 1);
        }
        // Without exceptions, nothing of the kind.
        let plain = table(&snapshot, false);
        assert!(!plain.contains("muted") && !plain.contains("exception") && !plain.contains("unused since"));
    }

    #[test]
    fn explain_shows_one_group_in_full_and_nothing_of_it_drives_the_terminal() {
        use crate::test_support::advise;
        let snapshot = hostile();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let bastion = audit.groups.iter().find(|g| g.group.group_id == "sg-0a300000000ba5710").unwrap();
        let findings = bastion.findings.len();
        assert!(findings > 0);
        for color in [false, true] {
            let mut out = Vec::new();
            assert!(explain(&mut out, &snapshot, &audit, "sg-0a300000000ba5710", color).unwrap());
            let text = String::from_utf8(out).unwrap();
            let text = if color { without_colours(&text) } else { text };
            assert_eq!(unprintable(&text), None, "colour {color}:\n{text}");
            assert!(!text.contains('\x1b'), "colour {color}");
            // No line is forged: neither an `UNUSED` line nor a command of its own.
            assert!(!text.lines().any(|l| l.trim_start().starts_with("UNUSED")), "{text}");
            assert!(!text.lines().any(|l| l.trim_start().starts_with("rm ")), "{text}");
            let first = text.lines().next().unwrap();
            assert!(first.starts_with("sg-0a300000000ba5710 (bastion\\u{1b}[2J"), "{first}");
            assert!(first.contains("in account 123456789012, us-east-1"), "{first}");
            assert!(text.contains("\n  status: in use\n"), "{text}");
            assert!(text.contains("\n    used by "), "{text}");
            assert!(text.contains("\n  internet: reachable\n"), "{text}");
            assert!(text.contains(
                "\n    path: tcp 22 reachable from the internet on eni-0a (=cmd|' /C calc'!A0 \
                 <script>alert(1)</script>\\u{1b}[31m) via igw-0a\n"
            ));
            assert!(text.contains("\n    path: =tcp 443 reachable through alb/web\n"), "{text}");
            assert!(text.contains("\n    blocked: eni-0b: no public address\n"), "{text}");
            assert!(text.contains("\n    missing: ec2-network-acls\n"), "{text}");
            assert!(text.contains("\n  exposure: open to the world on 22"), "{text}");
            // Every finding, each with its fix: the summary, the commands to paste, the Terraform.
            assert!(text.contains(&format!("\n  findings ({findings}):\n")), "{text}");
            for f in &bastion.findings {
                assert!(text.contains(&format!(" {}: ", f.check.id)), "{}", f.check.id);
            }
            assert_eq!(
                text.matches("\n      fix: =cmd|' /C calc'!A0 <script>alert(1)</script>\\u{1b}[31m\\u{a}rm -rf ~\n")
                    .count(),
                findings
            );
            assert_eq!(
                text.matches("\n        $ aws ec2 revoke-security-group-ingress --group-id sg-0a").count(),
                findings
            );
            assert_eq!(text.matches("\n        $ aws ec2 authorize-security-group-ingress ").count(), findings);
            assert_eq!(
                text.matches("\n      terraform:\n        resource \"aws_security_group_rule\" \"ssh\" {\n").count(),
                findings
            );
        }

        // A group whose use is unknown says what evidence was missing, and that reachability is not proven.
        let unknown = audit.groups.iter().find(|g| g.status == Status::Unknown).unwrap();
        let mut out = Vec::new();
        assert!(explain(&mut out, &snapshot, &audit, &unknown.group.group_id, false).unwrap());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\n  status: unknown\n"), "{text}");
        assert_eq!(text.matches("\n    evidence missing: ").count(), unknown.missing_evidence.len(), "{text}");
        assert!(!unknown.missing_evidence.is_empty());
        assert!(text.contains(&format!("\n  internet: {}\n", reachability::label(unknown.reach.state))), "{text}");

        // No such group: nothing written.
        let mut out = Vec::new();
        assert!(!explain(&mut out, &snapshot, &audit, "sg-0nothere", false).unwrap());
        assert!(out.is_empty());
    }

    #[test]
    fn the_groups_table_says_which_groups_the_internet_reaches() {
        use crate::test_support::{advise, demo};
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().any(|l| l.contains("Internet")), "{text}");
        let bastion = text.lines().find(|l| l.contains("sg-0a300000000ba5710")).unwrap();
        assert!(bastion.contains("reachable"), "{bastion}");
        // The column of each group: a word where it matters, blank for a group with nothing open to the world
        // (the column stays narrow).
        let internet = |line: &str| line.split(['│', '┆']).nth(8).unwrap().trim().to_string();
        assert_eq!(internet(bastion), "reachable");
        for g in &audit.groups {
            let line = text.lines().find(|l| l.contains(&g.group.group_id)).unwrap();
            let expected = match g.reach.state {
                ReachState::NotExposed => "",
                ReachState::Reachable => "reachable",
                ReachState::NotReachable => "no",
                ReachState::Unknown => "unknown",
            };
            assert_eq!(internet(line), expected, "{line}");
        }
        assert!(audit.groups.iter().any(|g| g.reach.state == ReachState::NotExposed));
    }
}

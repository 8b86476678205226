//! The HTML report: one self-contained file that opens offline and fetches nothing (inline CSS, inline
//! script, inline SVG charts; a Content-Security-Policy that forbids every network fetch). Everything a
//! reader needs without a script (summary, charts, findings, a section per family of account checks,
//! coverage) is markup made here by maud, which escapes what it is given. The groups table, which must stay
//! usable with 100,000 groups, is data: a JSON island that the page's script reads and renders a page at a
//! time with DOM calls and `textContent`. The account checks' results are markup, not island data: each
//! check lists at most [`RESULTS_LISTED`] results of each outcome, which markup serves well, and the script
//! has nothing to do with them.
//!
//! Names, descriptions, tags, user and bucket names, grantees, evidence and error messages come from AWS and
//! are chosen by whoever can edit them: none of them is ever written as markup. The inline script runs only
//! because the policy names its SHA-256, so markup that slipped through would still not run.
//!
//! What exceptions did stays visible: a muted finding or result keeps its row, with a `muted` badge whose
//! reason and owner (from the config file, so escaped as the rest) are beside it; the groups table filters
//! on muted findings and on groups marked in use, and says under a group's status how long it has been
//! unused (a column to sort by); an `Exceptions` section lists every exception declared for the run and its state.
//!
//! Whether the internet reaches each group is a column of the groups table (a badge, with the paths found,
//! or why none is, or what evidence was missing, under it). A finding or result with a fix has it under its
//! message, folded: the summary, the AWS CLI commands and the Terraform snippet, each with a button that
//! copies it. The button copies the text of the element shown beside it (`textContent`), so what is copied
//! is what is read; every command is one printable line (`crate::fixes`), so a pasted command cannot carry
//! a second one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use base64::Engine as _;
use maud::{html, Markup, PreEscaped};
use serde::Serialize;
use sgaudit_audit::checks::{Check, CheckResult, CHECKS};
use sgaudit_audit::exceptions::{ExceptionState, ExceptionStatus};
use sgaudit_audit::reach::ReachState;
use sgaudit_audit::{AccountState, Audit, Family, Finding, Fix, GroupVerdict, Muted, Outcome, Risk, Severity, Status};
use sgaudit_snapshot::{CoverageState, Snapshot, SourceCoverage};
use sgaudit_store::RunSummary;
use sha2::Digest as _;

use crate::memory::{self, MutedCounts};
use crate::table::{self as terminal, Tally};
use crate::{fixes, reachability};

const CSS: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// The id of the JSON island that carries the table's rows.
pub const DATA_ID: &str = "sg-data";

/// How many affected groups each check lists in the findings section; the table shows the rest.
const FINDINGS_LISTED: usize = 50;
/// How many account-regions the per-region charts show (the largest); more would be unreadable.
const CHART_REGIONS: usize = 40;
/// How many results of each outcome each account check lists; the counts say how many there are, and the
/// JSON, CSV and Excel reports have every one.
pub const RESULTS_LISTED: usize = 200;

/// Up to how many accounts the page gives each credential report's time a line of its own; more fold into a
/// table.
const REPORTS_LISTED: usize = 10;

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    write_with(out, snapshot, audit, &[])
}

/// The page, with a trend section when `runs` (the history's runs over the same account-regions and checks,
/// newest first, this one among them) holds more than this run.
pub fn write_with(
    out: &mut impl Write,
    snapshot: &Snapshot,
    audit: &Audit,
    runs: &[RunSummary],
) -> std::io::Result<()> {
    out.write_all(b"<!DOCTYPE html>\n<html lang=\"en\">\n")?;
    out.write_all(head(snapshot).into_string().as_bytes())?;
    out.write_all(b"\n<body>\n")?;
    out.write_all(body(snapshot, audit, runs).into_string().as_bytes())?;
    // The island is streamed rather than built as one string: with 100,000 groups it is tens of megabytes.
    write!(out, "\n<script type=\"application/json\" id=\"{DATA_ID}\">")?;
    serde_json::to_writer(ScriptSafe(&mut *out), &island(snapshot, audit))?;
    out.write_all(b"</script>\n")?;
    out.write_all(html! { script { (PreEscaped(SCRIPT)) } }.into_string().as_bytes())?;
    out.write_all(b"\n</body>\n</html>\n")
}

/// The page's policy: nothing may be fetched, and no script runs but the page's own (named by its hash).
pub fn content_security_policy() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; img-src data:; \
         base-uri 'none'; form-action 'none'"
    )
}

fn head(snapshot: &Snapshot) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta http-equiv="Content-Security-Policy" content=(content_security_policy());
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="generator" content=(concat!("sgaudit ", env!("CARGO_PKG_VERSION")));
            // An empty icon, so the browser does not go looking for /favicon.ico.
            link rel="icon" href="data:,";
            title {
                "sgaudit report"
                @if let Some(at) = &snapshot.collected_at { " — " (at) }
            }
            style { (PreEscaped(CSS)) }
        }
    }
}

fn body(snapshot: &Snapshot, audit: &Audit, runs: &[RunSummary]) -> Markup {
    let trend = sgaudit_store::history::trend(runs);
    let trend_lines = crate::runs::lines(runs, &trend);
    let regions: std::collections::BTreeSet<&str> = snapshot.regions.iter().map(|r| r.region.as_str()).collect();
    let groups = terminal::groups_judged(audit);
    let families = terminal::families(audit);
    html! {
        header.top {
            div.wrap {
                h1 { @if families.is_empty() { "Security group audit" } @else { "Security audit" } }
                p.meta {
                    "Collected "
                    @match &snapshot.collected_at { Some(at) => time { (at) }, None => "at an unknown time" }
                    " by sgaudit " (snapshot.sgaudit_version) " · "
                    @if groups { (num(audit.groups.len())) " groups in " } @else { "checks of " }
                    (snapshot.accounts.len()) " account(s) and " (regions.len()) " region(s)"
                    @if !families.is_empty() {
                        " · " (num(audit.results.len())) " check results ("
                        (families.iter().map(|f| f.title()).collect::<Vec<_>>().join(", ")) ")"
                    }
                }
                nav aria-label="Sections" {
                    a href="#summary" { "Summary" }
                    @if trend_lines.len() > 1 { a href="#trend" { "Trend" } }
                    @if groups {
                        a href="#charts" { "Charts" }
                        a href="#groups" { "Groups" }
                        a href="#findings" { "Findings" }
                    }
                    @for f in &families { a href={"#" (family_anchor(*f))} { (f.title()) } }
                    @if !audit.exceptions.is_empty() { a href="#exceptions" { "Exceptions" } }
                    a href="#coverage" { "Coverage" }
                }
            }
        }
        main.wrap {
            (summary(snapshot, audit, regions.len()))
            @if trend_lines.len() > 1 { (crate::runs::trend_section(&trend_lines)) }
            @if groups {
                (charts(snapshot, audit))
                (groups_table(audit))
                (findings(audit))
            }
            @for f in &families { (family_section(snapshot, audit, *f)) }
            @if !audit.exceptions.is_empty() { (exceptions(audit)) }
            (coverage(snapshot, audit))
        }
        footer.wrap {
            p.muted {
                "Generated by sgaudit " (env!("CARGO_PKG_VERSION"))
                " from a snapshot; this file is self-contained and loads nothing from the network."
            }
        }
    }
}

/// The id of a family's section: `family-iam`.
fn family_anchor(family: Family) -> String {
    format!("family-{}", family.id())
}

fn summary(snapshot: &Snapshot, audit: &Audit, region_names: usize) -> Markup {
    let e = audit.estate;
    let groups = terminal::groups_judged(audit);
    let families = terminal::families(audit);
    let unknown = audit.count_status(Status::Unknown);
    // The same refusal (an SCP, a missing permission) usually repeats in every region: each once, with where.
    let mut unread: Vec<(String, Vec<String>)> = Vec::new();
    for r in &audit.regions {
        for u in &r.unreadable {
            let place = format!("{} / {}", r.account_id, r.region);
            let text = u.to_string();
            match unread.iter_mut().find(|(t, _)| *t == text) {
                Some((_, places)) => places.push(place),
                None => unread.push((text, vec![place])),
            }
        }
    }
    // Results that could not be evaluated, once per reason, with the checks it stopped.
    let mut not_evaluated: Vec<(&str, Vec<&CheckResult>)> = Vec::new();
    let mut reason: HashMap<&str, usize> = HashMap::new();
    for r in audit.results.iter().filter(|r| r.outcome == Outcome::NotEvaluated) {
        match reason.get(r.evidence.as_str()) {
            Some(&i) => not_evaluated[i].1.push(r),
            None => {
                reason.insert(&r.evidence, not_evaluated.len());
                not_evaluated.push((&r.evidence, vec![r]));
            }
        }
    }
    let not_evaluated_count = audit.count_outcome(Outcome::NotEvaluated);
    html! {
        section #summary aria-labelledby="summary-h" {
            h2 #summary-h { "Summary" }
            @if audit.is_partial() {
                div.alert role="alert" {
                    p.alert-title { "Partial results: some evidence could not be read." }
                    @if groups {
                        p {
                            (num(e.accounts_read)) " of " (num(e.accounts)) " account(s) were reached and "
                            (num(e.regions_read)) " of " (num(e.regions)) " account-region(s) were read in full. "
                            strong { (num(unknown)) " group(s) are unknown" }
                            ": something sgaudit could not see may use them. "
                            strong { "Do not delete a group whose status is unknown." }
                            " Grant the missing permissions (see " a href="#coverage" { "Coverage" } ") and scan again."
                        }
                    } @else {
                        p { (num(e.accounts_read)) " of " (num(e.accounts)) " account(s) were reached." }
                    }
                    @if not_evaluated_count > 0 {
                        p {
                            strong { (num(not_evaluated_count)) " check result(s) could not be evaluated" }
                            ": the evidence they need was not read, so they are "
                            span.badge.outcome-not_evaluated { (Outcome::NotEvaluated.label()) } ", never passes."
                        }
                    }
                    ul {
                        @for line in &audit.unreachable_accounts { li { "Account not read: " (line) } }
                        @for (text, places) in unread.iter().take(10) {
                            li {
                                (places[0])
                                @if places.len() > 1 {
                                    " and " (num(places.len() - 1)) " other account-region(s)"
                                }
                                ": " (text)
                            }
                        }
                        @if unread.len() > 10 {
                            li { "… and " (num(unread.len() - 10)) " more, listed under Coverage." }
                        }
                        @for (text, list) in not_evaluated.iter().take(10) {
                            @let places: BTreeSet<(&str, Option<&str>)> = list
                                .iter()
                                .map(|r| (r.location.account_id.as_str(), r.location.region.as_deref()))
                                .collect();
                            @let checks: BTreeSet<&str> = list.iter().map(|r| r.check.id).collect();
                            li {
                                (list[0].location.account_id)
                                @if let Some(region) = &list[0].location.region { " / " (region) }
                                @if places.len() > 1 { " and " (num(places.len() - 1)) " other place(s)" }
                                ": " (text) " — "
                                (checks.into_iter().collect::<Vec<_>>().join(", "))
                                " not evaluated"
                            }
                        }
                        @if not_evaluated.len() > 10 {
                            li { "… and " (num(not_evaluated.len() - 10)) " more reasons, listed in each family's section." }
                        }
                    }
                }
            }
            @if !audit.skipped_accounts.is_empty() {
                div.note {
                    p { "Accounts deliberately not scanned:" }
                    ul { @for line in &audit.skipped_accounts { li { (line) } } }
                }
            }
            (muted_note(audit))
            div.cards {
                @if groups { (card("Security groups", html! { (num(audit.groups.len())) }, None)) }
                (card("Accounts read", html! { (num(e.accounts_read)) " / " (num(e.accounts)) },
                    (!snapshot.accounts.is_empty()).then(|| format!("{} asked for", snapshot.accounts.len()))))
                @if groups {
                    (card("Account-regions read in full", html! { (num(e.regions_read)) " / " (num(e.regions)) },
                        Some(format!("{region_names} distinct region(s)"))))
                    (card("Source lists read", html! { (num(e.sources_read)) " / " (num(e.sources)) }, None))
                }
                @if !families.is_empty() {
                    @let all = Tally::of(&audit.results);
                    @let muted = if all.fail_muted > 0 { format!(" ({} muted)", num(all.fail_muted)) } else { String::new() };
                    (card("Checks failed", html! { (num(all.fail)) (muted) },
                        Some(format!("of {} results; {} not evaluated", num(all.total()), num(all.not_evaluated)))))
                }
            }
            @if groups {
                div.counts {
                    div {
                        h3 { "By status" }
                        ul.badges {
                            @for s in Status::ALL {
                                li {
                                    span class=(status_class(s)) { (Status::label(s)) }
                                    " " strong { (num(audit.count_status(s))) }
                                }
                            }
                        }
                    }
                    div {
                        h3 { "By risk" }
                        ul.badges {
                            @for r in Risk::ALL {
                                li { span class=(risk_class(r)) { (r.id()) } " " strong { (num(audit.count_risk(r))) } }
                            }
                        }
                    }
                    div {
                        h3 { "From the internet" }
                        ul.badges {
                            @for s in reachability::STATES {
                                li {
                                    span class=(reach_class(s)) { (reachability::label(s)) }
                                    " " strong { (num(audit.groups.iter().filter(|g| g.reach.state == s).count())) }
                                }
                            }
                        }
                    }
                }
            }
            @if !families.is_empty() { (family_overview(snapshot, audit, &families)) }
        }
    }
}

/// What exceptions did, in the summary: the findings muted and the groups marked in use, counted; and each
/// exception that expired or matched nothing, which people must hear about. Nothing without exceptions.
fn muted_note(audit: &Audit) -> Markup {
    let m = MutedCounts::of(audit);
    let warned: Vec<&ExceptionState> = memory::to_warn_about(audit).collect();
    if m.findings + m.results + m.marked_in_use == 0 && warned.is_empty() {
        return html! {};
    }
    html! {
        div.note.exceptions-note {
            p {
                "Exceptions muted " strong { (num(m.findings)) " group finding(s)" } " and "
                strong { (num(m.results)) " check result(s)" } " (" (num(m.failed_results)) " failed); "
                strong { (num(m.marked_in_use)) " group(s)" } " are marked in use. "
                "Muted findings stay listed, marked " span.badge.is-muted { "muted" }
                ", and count for neither " code { "--fail-on" } " nor the exit code."
            }
            @if !warned.is_empty() {
                ul {
                    @for e in &warned {
                        li {
                            span class=(exception_class(e.state)) { (memory::state_id(e.state)) } " "
                            (memory::exception_text(e))
                        }
                    }
                }
            }
        }
    }
}

/// The summary's table of the account checks: each family's results by outcome, and its worst failure.
fn family_overview(snapshot: &Snapshot, audit: &Audit, families: &[Family]) -> Markup {
    let bars: Vec<Bar> = families
        .iter()
        .map(|&f| {
            let t = Tally::of(terminal::results_of(audit, f));
            Bar {
                label: f.title().to_string(),
                segments: vec![
                    segment(Outcome::Fail.id(), Outcome::Fail.label(), t.fail),
                    segment(Outcome::NotEvaluated.id(), Outcome::NotEvaluated.label(), t.not_evaluated),
                    segment(Outcome::Pass.id(), Outcome::Pass.label(), t.pass),
                ],
            }
        })
        .collect();
    let legend: Vec<(String, &str)> = Outcome::ALL.iter().map(|&o| (fill(o.id()), Outcome::label(o))).collect();
    let described = bars
        .iter()
        .map(|b| {
            let n = |i: usize| num(b.segments[i].count);
            format!("{}: {} fail, {} not evaluated, {} pass", b.label, n(0), n(1), n(2))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let reports = if families.contains(&Family::Iam) { terminal::credential_reports(snapshot) } else { Vec::new() };
    html! {
        h3 { "Account checks" }
        div.chart-row {
            div.table-wrap.overview {
                table.data.compact {
                    thead {
                        tr {
                            th scope="col" { "Family" }
                            th.num scope="col" { "Fail" }
                            th.num scope="col" { "Not evaluated" }
                            th.num scope="col" { "Pass" }
                            th scope="col" { "Worst failure" }
                        }
                    }
                    tbody {
                        @for &f in families {
                            @let t = Tally::of(terminal::results_of(audit, f));
                            @let worst = terminal::results_of(audit, f)
                                .filter(|r| r.outcome == Outcome::Fail).map(|r| r.severity).max();
                            tr class=[(t.fail > 0).then_some("row-fail")] {
                                td { a href={"#" (family_anchor(f))} { (f.title()) } }
                                td.num { (num(t.fail)) }
                                td.num {
                                    @if t.not_evaluated > 0 {
                                        span.badge.outcome-not_evaluated { (num(t.not_evaluated)) }
                                    } @else { "0" }
                                }
                                td.num { (num(t.pass)) }
                                td { @if let Some(w) = worst { span class=(severity_class(w)) { (w.id()) } } }
                            }
                        }
                    }
                }
            }
            (bar_chart("chart-families", "Check results by family", &described, &bars, &legend))
        }
        @if reports.len() > REPORTS_LISTED {
            @let oldest = reports.iter().filter_map(|r| r.2).max();
            p.muted.report-age {
                "IAM credential reports of " (num(reports.len())) " accounts"
                @if let Some(m) = oldest { ", the oldest generated " (terminal::report_age(m)) }
                " (IAM hands out the same report for up to four hours): each account's time is under "
                a href={"#" (family_anchor(Family::Iam))} { "IAM" } "."
            }
        } @else {
            @for (account, generated, before) in &reports {
                p.muted.report-age {
                    "IAM credential report of " span.mono { (account) } ": generated " time { (generated) }
                    @if let Some(m) = before { ", " (terminal::report_age(*m)) }
                    " (IAM hands out the same report for up to four hours)."
                }
            }
        }
    }
}

/// When each account's credential report was generated: a line each, or a folded table for many accounts.
fn report_ages(reports: &[(&str, &str, Option<i64>)]) -> Markup {
    let age = |m: &Option<i64>| m.map(terminal::report_age).unwrap_or_default();
    html! {
        @if reports.len() > REPORTS_LISTED {
            details.reports {
                summary {
                    "When the credential report of each of the " (num(reports.len())) " accounts was generated "
                    "(IAM hands out the same report for up to four hours: a change made since is not in it)"
                }
                div.table-wrap {
                    table.data.compact {
                        thead { tr { th { "Account" } th { "Generated" } th { "Age" } } }
                        tbody {
                            @for (account, generated, before) in reports {
                                tr { td.mono { (account) } td.nowrap { (generated) } td { (age(before)) } }
                            }
                        }
                    }
                }
            }
        } @else {
            @for (account, generated, before) in reports {
                p.muted.report-age {
                    "Credential report of " span.mono { (account) } ": generated " time { (generated) }
                    @if before.is_some() { ", " (age(before)) }
                    ". IAM hands out the same report for up to four hours: a change made since is not in it."
                }
            }
        }
    }
}

/// A count as people read it: `100,000`.
fn num(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn card(label: &str, value: Markup, note: Option<String>) -> Markup {
    html! {
        div.card {
            div.card-value { (value) }
            div.card-label { (label) }
            @if let Some(note) = note { div.card-note { (note) } }
        }
    }
}

fn status_class(status: Status) -> String {
    format!("badge status-{}", status.id())
}

fn reach_class(state: ReachState) -> String {
    format!("badge reach-{}", state.id())
}

fn risk_class(risk: Risk) -> String {
    format!("badge risk-{}", risk.id())
}

fn severity_class(severity: Severity) -> String {
    format!("badge sev-{}", severity.id())
}

fn outcome_class(outcome: Outcome) -> String {
    format!("badge outcome-{}", outcome.id())
}

fn exception_class(state: ExceptionStatus) -> String {
    format!("badge exception-{}", memory::state_id(state))
}

/// The `muted` badge of a finding or result, its exception in the tooltip, and the exception in words
/// under the row's message.
fn muted_badge(m: &Muted) -> Markup {
    html! { " " span.badge.is-muted title=(memory::muted_text(m)) { "muted" } }
}

fn muted_by(m: &Muted) -> Markup {
    html! {
        div.muted-by {
            "Muted: " (m.reason) " — " (memory::muted_by(m))
            " (" span.mono { (m.declared_at) } ")"
        }
    }
}

/// Every exception declared for the run, in the order declared, with what became of it.
fn exceptions(audit: &Audit) -> Markup {
    html! {
        section #exceptions aria-labelledby="exceptions-h" {
            h2 #exceptions-h { "Exceptions" }
            p.muted {
                "Declared in the config file (" code { "sgaudit.toml" } ") or with " code { "sgaudit mark" } ". "
                "An active exception mutes what it matches: the finding stays in this report, marked muted, and "
                "counts for neither " code { "--fail-on" } " nor the exit code. An expired one mutes nothing; one "
                "that matched nothing may have a typo, or what it excused is gone."
            }
            div.table-wrap {
                table.data.compact {
                    thead {
                        tr {
                            th scope="col" { "Declared at" } th scope="col" { "Kind" } th scope="col" { "State" }
                            th.num scope="col" { "Matched" }
                            th scope="col" { "Reason" } th scope="col" { "Owner" } th scope="col" { "Ticket" }
                            th scope="col" { "Expires" }
                        }
                    }
                    tbody {
                        @for e in &audit.exceptions {
                            tr class=[(e.state != ExceptionStatus::Active).then_some("row-bad")] {
                                td.mono { (e.declared_at) }
                                td { (memory::kind(e)) }
                                td { span class=(exception_class(e.state)) { (memory::state_id(e.state)) } }
                                td.num { (num(e.matched)) }
                                td { (e.reason) }
                                td { (e.owner) }
                                td { (e.ticket.as_deref().unwrap_or("")) }
                                td.nowrap { (e.expires.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One bar of a horizontal bar chart: its label and its coloured segments.
struct Bar {
    label: String,
    segments: Vec<Segment>,
}

struct Segment {
    /// The CSS class that colours it.
    class: String,
    name: &'static str,
    count: usize,
}

fn segment(id: &str, name: &'static str, count: usize) -> Segment {
    Segment { class: fill(id), name, count }
}

/// A horizontal (stacked) bar chart as inline SVG, with a title and a text description for screen readers.
fn bar_chart(id: &str, title: &str, description: &str, bars: &[Bar], legend: &[(String, &'static str)]) -> Markup {
    const ROW: usize = 24;
    const BAR: usize = 16;
    const AREA: usize = 360;
    let label_width = bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(0).clamp(8, 40) * 7 + 12;
    let legend_height = if legend.is_empty() { 0 } else { 26 };
    let width = label_width + AREA + 70;
    let height = legend_height + bars.len().max(1) * ROW + 4;
    let max = bars.iter().map(|b| b.segments.iter().map(|s| s.count).sum::<usize>()).max().unwrap_or(0).max(1);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        figure.chart {
            svg #(id) xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby={(title_id) " " (desc_id)}
                viewBox={"0 0 " (width) " " (height)} width=(width) height=(height) {
                title #(title_id) { (title) }
                desc #(desc_id) { (description) }
                @if !legend.is_empty() {
                    @for (x, (class, name)) in legend_places(legend, label_width) {
                        rect class=(class) x=(x) y="4" width="12" height="12" rx="2" {}
                        text.legend x=(x + 16) y="14" { (name) }
                    }
                }
                @for (i, bar) in bars.iter().enumerate() {
                    @let y = legend_height + i * ROW;
                    @let (segments, end) = layout(bar, max, AREA as f64, label_width as f64);
                    text.axis x=(label_width - 8) y=(y + 15) text-anchor="end" { (bar.label) }
                    @for (x, w, s) in segments {
                        rect class=(s.class) x=(format!("{x:.1}")) y=(y + 3) width=(format!("{w:.1}")) height=(BAR) {
                            title { (bar.label) ": " (num(s.count)) " " (s.name) }
                        }
                    }
                    @let total = bar.segments.iter().map(|s| s.count).sum();
                    text.value x=(format!("{:.1}", end + 6.0)) y=(y + 15) { (num(total)) }
                }
            }
            figcaption { (title) }
        }
    }
}

/// A legend's entry: the CSS class of its colour, and its name.
type LegendEntry = (String, &'static str);

/// Where each entry of a legend starts: 90 pixels apart, or more for a long name (`not evaluated`).
fn legend_places(legend: &[LegendEntry], start: usize) -> Vec<(usize, &LegendEntry)> {
    let mut x = start;
    legend
        .iter()
        .map(|entry| {
            let at = x;
            x += (16 + entry.1.chars().count() * 7 + 12).max(90);
            (at, entry)
        })
        .collect()
}

/// Where each non-empty segment of a bar starts and how wide it is, scaled so that `max` fills `area`; and
/// where the bar ends.
fn layout(bar: &Bar, max: usize, area: f64, start: f64) -> (Vec<(f64, f64, &Segment)>, f64) {
    let mut x = start;
    let mut placed = Vec::new();
    for segment in bar.segments.iter().filter(|s| s.count > 0) {
        let w = (segment.count as f64 / max as f64 * area).max(1.0);
        placed.push((x, w, segment));
        x += w;
    }
    (placed, x)
}

/// Groups of one account-region, by status (in [`Status::ALL`] order) and by risk (in [`Risk::ALL`] order).
type PlaceCounts = ([usize; 3], [usize; 5]);

fn charts(snapshot: &Snapshot, audit: &Audit) -> Markup {
    let by_status: Vec<Bar> = Status::ALL
        .iter()
        .map(|&s| Bar {
            label: Status::label(s).to_string(),
            segments: vec![segment(s.id(), Status::label(s), audit.count_status(s))],
        })
        .collect();
    let by_risk: Vec<Bar> = Risk::ALL
        .iter()
        .map(|&r| Bar { label: r.id().to_string(), segments: vec![segment(r.id(), r.id(), audit.count_risk(r))] })
        .collect();
    let describe = |bars: &[Bar]| {
        bars.iter().map(|b| format!("{} {}", b.label, num(b.segments[0].count))).collect::<Vec<_>>().join(", ")
    };

    // Counts per account-region, in the snapshot's order; the largest shown when there are many.
    let mut counts: HashMap<(&str, &str), PlaceCounts> = HashMap::new();
    for g in &audit.groups {
        let c = counts.entry((g.account_id, g.region)).or_default();
        c.0[Status::ALL.iter().position(|&s| s == g.status).unwrap_or(0)] += 1;
        c.1[Risk::ALL.iter().position(|&r| r == g.risk).unwrap_or(0)] += 1;
    }
    let mut places: Vec<(&str, &str, [usize; 3], [usize; 5])> = snapshot
        .regions
        .iter()
        .map(|r| {
            let (s, k) = counts.get(&(r.account_id.as_str(), r.region.as_str())).copied().unwrap_or_default();
            (r.account_id.as_str(), r.region.as_str(), s, k)
        })
        .collect();
    let all_places = places.len();
    if all_places > CHART_REGIONS {
        places.sort_by_key(|p| std::cmp::Reverse(p.2.iter().sum::<usize>()));
        places.truncate(CHART_REGIONS);
    }
    let label = |account: &str, region: &str| format!("{account} / {region}");
    let place_status: Vec<Bar> = places
        .iter()
        .map(|(a, r, s, _)| Bar {
            label: label(a, r),
            segments: Status::ALL.iter().zip(s).map(|(&st, &n)| segment(st.id(), Status::label(st), n)).collect(),
        })
        .collect();
    let place_risk: Vec<Bar> = places
        .iter()
        .map(|(a, r, _, k)| Bar {
            label: label(a, r),
            segments: Risk::ALL.iter().zip(k).map(|(risk, &n)| segment(risk.id(), risk.id(), n)).collect(),
        })
        .collect();
    let status_legend: Vec<(String, &str)> = Status::ALL.iter().map(|&s| (fill(s.id()), Status::label(s))).collect();
    let risk_legend: Vec<(String, &str)> = Risk::ALL.iter().map(|r| (fill(r.id()), r.id())).collect();
    let per_place = |what: &str| {
        if all_places > CHART_REGIONS {
            format!("Groups by {what} per account and region: the {CHART_REGIONS} largest of {all_places}")
        } else {
            format!("Groups by {what} per account and region")
        }
    };
    html! {
        section #charts aria-labelledby="charts-h" {
            h2 #charts-h { "Charts" }
            div.chart-row {
                (bar_chart("chart-status", "Groups by status", &describe(&by_status), &by_status, &[]))
                (bar_chart("chart-risk", "Groups by risk", &describe(&by_risk), &by_risk, &[]))
            }
            div.chart-row {
                (bar_chart("chart-region-status", &per_place("status"),
                    &format!("{} account-region bars stacked by status (in use, unused, unknown)", place_status.len()),
                    &place_status, &status_legend))
                (bar_chart("chart-region-risk", &per_place("risk"),
                    &format!("{} account-region bars stacked by risk (critical to none)", place_risk.len()),
                    &place_risk, &risk_legend))
            }
        }
    }
}

fn fill(id: &str) -> String {
    format!("fill-{id}")
}

/// The table's frame; its rows come from the JSON island, drawn by the script.
fn groups_table(audit: &Audit) -> Markup {
    let with_muted = audit.groups.iter().filter(|g| g.findings.iter().any(|f| f.muted.is_some())).count();
    let marked = audit.groups.iter().filter(|g| g.marked_in_use.is_some()).count();
    // Header cells, each with the columns (keys as the script knows them) that it sorts by. Account, region
    // and VPC share a cell, so that eleven fields fit a laptop's width; each still sorts on its own.
    // Status and how long an unused group has been unused share a cell too.
    const HEADERS: [&[(&str, &str)]; 10] = [
        &[("id", "Group")],
        &[("name", "Name")],
        &[("account", "Account"), ("region", "Region"), ("vpc", "VPC")],
        &[("status", "Status"), ("since", "Unused since")],
        &[("risk", "Risk")],
        &[("reach", "Internet")],
        &[("used", "Used by")],
        &[("refs", "Referenced by")],
        &[("findings", "Findings")],
        &[("missing", "Missing evidence")],
    ];
    html! {
        section #groups aria-labelledby="groups-h" {
            h2 #groups-h { "Security groups" }
            div.controls role="search" {
                label {
                    span { "Filter" }
                    input #filter-text type="search" placeholder="id, name, tag, VPC, finding, resource…"
                        autocomplete="off" spellcheck="false";
                }
                label {
                    span { "Status" }
                    select #filter-status {
                        option value="" { "any" }
                        @for s in Status::ALL {
                            option value=(s.id()) { (Status::label(s)) " (" (num(audit.count_status(s))) ")" }
                        }
                    }
                }
                label {
                    span { "Risk" }
                    select #filter-risk {
                        option value="" { "any" }
                        @for r in Risk::ALL { option value=(r.id()) { (r.id()) " (" (num(audit.count_risk(r))) ")" } }
                    }
                }
                label {
                    span { "Internet" }
                    select #filter-reach {
                        option value="" { "any" }
                        @for s in reachability::STATES {
                            option value=(s.id()) {
                                (reachability::label(s)) " ("
                                (num(audit.groups.iter().filter(|g| g.reach.state == s).count())) ")"
                            }
                        }
                    }
                }
                label {
                    span { "Exceptions" }
                    select #filter-muted {
                        option value="" { "any" }
                        option value="muted" { "with a muted finding (" (num(with_muted)) ")" }
                        option value="unmuted" { "with a finding not muted" }
                        option value="marked" { "marked in use (" (num(marked)) ")" }
                    }
                }
                label {
                    span { "Rows per page" }
                    select #page-size {
                        option value="50" { "50" }
                        option value="200" selected { "200" }
                        option value="1000" { "1000" }
                    }
                }
                button #filter-reset type="button" { "Reset" }
            }
            noscript {
                p.note { "The groups table is drawn by the page's own inline script; enable JavaScript to see it. \
                          The findings and coverage below need no script." }
            }
            div.table-status {
                p #table-count aria-live="polite" { "Loading " (num(audit.groups.len())) " groups…" }
                div.pager {
                    button #page-first type="button" aria-label="First page" { "«" }
                    button #page-prev type="button" aria-label="Previous page" { "‹" }
                    span #page-info {}
                    button #page-next type="button" aria-label="Next page" { "›" }
                    button #page-last type="button" aria-label="Last page" { "»" }
                }
            }
            div.table-wrap {
                table #groups-table.data {
                    thead {
                        tr {
                            @for columns in HEADERS {
                                th scope="col" aria-sort="none" {
                                    @for (i, (key, header)) in columns.iter().enumerate() {
                                        @if i > 0 { span.sep { " / " } }
                                        button.sort type="button" data-col=(key) { (header) }
                                    }
                                }
                            }
                        }
                    }
                    tbody {}
                }
            }
        }
    }
}

fn findings(audit: &Audit) -> Markup {
    let mut by_check: BTreeMap<&str, Vec<(&GroupVerdict, &Finding)>> = BTreeMap::new();
    for g in &audit.groups {
        for f in &g.findings {
            by_check.entry(f.check.id).or_default().push((g, f));
        }
    }
    for list in by_check.values_mut() {
        // Worst first; within one severity, the table's order (account, region, id).
        list.sort_by_key(|(_, f)| std::cmp::Reverse(f.severity));
    }
    // The group checks only: the others have their families' sections.
    let passed: Vec<&str> =
        CHECKS.iter().filter(|c| c.is_group_check() && !by_check.contains_key(c.id)).map(|c| c.id).collect();
    html! {
        section #findings aria-labelledby="findings-h" {
            h2 #findings-h { "Security group findings" }
            @if by_check.is_empty() { p { "No check found anything." } }
            @for check in CHECKS {
                @if let Some(list) = by_check.get(check.id) {
                    @let worst = list[0].1.severity;
                    article.check id={"check-" (check.id)} {
                        header.check-head {
                            span class=(severity_class(worst)) { (worst.id()) }
                            h3 { (check.title) }
                            code { (check.id) }
                        }
                        p.check-meta {
                            (num(list.len())) " group(s)"
                            @let muted = list.iter().filter(|(_, f)| f.muted.is_some()).count();
                            @if muted > 0 { " (" (num(muted)) " muted)" }
                            @for sev in [Severity::Critical, Severity::High, Severity::Medium, Severity::Low,
                                         Severity::Informational] {
                                @let n = list.iter().filter(|(_, f)| f.severity == sev).count();
                                @if n > 0 { " · " (num(n)) " " (sev.id()) }
                            }
                            @if !check.controls.is_empty() { " · controls: " (check.controls.join(", ")) }
                            " "
                            button.show-in-table type="button" data-filter=(check.id) { "Show in table" }
                        }
                        div.table-wrap {
                            table.data.compact {
                                thead {
                                    tr {
                                        th scope="col" { "Severity" }
                                        th scope="col" { "Group" }
                                        th scope="col" { "Name" }
                                        th scope="col" { "Account / region" }
                                        th scope="col" { "Message" }
                                    }
                                }
                                tbody {
                                    @for (g, f) in list.iter().take(FINDINGS_LISTED) {
                                        tr class=[f.muted.as_deref().map(|_| "row-muted")] {
                                            td {
                                                span class=(severity_class(f.severity)) { (f.severity.id()) }
                                                @if let Some(m) = &f.muted { (muted_badge(m)) }
                                            }
                                            td.mono { (g.group.group_id) }
                                            td { (g.group.group_name) }
                                            td.nowrap { (g.account_id) " / " (g.region) }
                                            td {
                                                (f.message)
                                                @if let Some(m) = &f.muted { (muted_by(m)) }
                                                @if let Some(fix) = f.fix(g) { (fix_block(&fix)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        @if list.len() > FINDINGS_LISTED {
                            p.muted { "… and " (num(list.len() - FINDINGS_LISTED)) " more: use “Show in table”." }
                        }
                    }
                }
            }
            @if !passed.is_empty() {
                p.muted { "No findings for: " (passed.join(", ")) "." }
            }
        }
    }
}

/// A family's section: each of its checks with what it is, its controls and fix, and its results, failures
/// first, then those that could not be evaluated, then the passes (folded).
fn family_section(snapshot: &Snapshot, audit: &Audit, family: Family) -> Markup {
    let id = family_anchor(family);
    let heading = format!("{id}-h");
    let tally = Tally::of(terminal::results_of(audit, family));
    let reports = if family == Family::Iam { terminal::credential_reports(snapshot) } else { Vec::new() };
    html! {
        section.family #(id) aria-labelledby=(heading) {
            h2 #(heading) { (family.title()) }
            p.family-counts {
                @for o in Outcome::ALL {
                    @let n = match o { Outcome::Fail => tally.fail, Outcome::NotEvaluated => tally.not_evaluated,
                                       Outcome::Pass => tally.pass };
                    @let muted = match o { Outcome::Fail => tally.fail_muted,
                                           Outcome::NotEvaluated => tally.not_evaluated_muted, Outcome::Pass => 0 };
                    span class=(outcome_class(o)) { (Outcome::label(o)) } " " strong { (num(n)) }
                    @if muted > 0 { " (" (num(muted)) " muted)" }
                    " "
                }
            }
            (report_ages(&reports))
            @for check in CHECKS.iter().filter(|c| c.family == family) {
                (check_results(audit, check, audit.results.iter().filter(|r| r.check.id == check.id).collect()))
            }
        }
    }
}

fn check_results(audit: &Audit, check: &Check, results: Vec<&CheckResult>) -> Markup {
    let of = |outcome: Outcome| -> Vec<&CheckResult> {
        let mut list: Vec<&CheckResult> = results.iter().copied().filter(|r| r.outcome == outcome).collect();
        // Worst first; within one severity, the audit's order (account, region, resource).
        list.sort_by_key(|r| std::cmp::Reverse(r.severity));
        list
    };
    let (failed, unknown, passed) = (of(Outcome::Fail), of(Outcome::NotEvaluated), of(Outcome::Pass));
    let head = match (failed.first(), unknown.first()) {
        (Some(worst), _) => html! { span class=(severity_class(worst.severity)) { (worst.severity.id()) } },
        (None, Some(_)) => {
            html! { span class=(outcome_class(Outcome::NotEvaluated)) { (Outcome::NotEvaluated.label()) } }
        }
        (None, None) if passed.is_empty() => html! { span.badge.sev-informational { "no result" } },
        (None, None) => html! { span class=(outcome_class(Outcome::Pass)) { (Outcome::Pass.label()) } },
    };
    html! {
        article.check id={"check-" (check.id)} {
            header.check-head {
                (head)
                h3 { (check.title) }
                code { (check.id) }
            }
            p.check-meta {
                (num(failed.len())) " fail · " (num(unknown.len())) " not evaluated · " (num(passed.len())) " pass"
                @if !check.controls.is_empty() { " · controls: " (check.controls.join(", ")) }
            }
            p.check-desc { (check.description) }
            @if !failed.is_empty() {
                p.remediation { strong { "How to fix: " } (check.remediation) }
            }
            @if !failed.is_empty() || !unknown.is_empty() {
                (results_table(audit, &failed, &unknown))
            }
            @if !passed.is_empty() {
                details.passes {
                    summary { (num(passed.len())) " passed" }
                    (results_table(audit, &passed, &[]))
                }
            }
            @if results.is_empty() { p.muted { "No result: nothing this check looks at was in the snapshot." } }
        }
    }
}

/// The rows of one check's results, each list cut at [`RESULTS_LISTED`] with a note of how many more.
fn results_table(audit: &Audit, first: &[&CheckResult], then: &[&CheckResult]) -> Markup {
    html! {
        div.table-wrap {
            table.data.compact.results {
                thead {
                    tr {
                        th scope="col" { "Result" }
                        th scope="col" { "Severity" }
                        th scope="col" { "Account / region" }
                        th scope="col" { "Resource" }
                        th scope="col" { "Evidence" }
                    }
                }
                tbody {
                    @for list in [first, then] {
                        @for r in list.iter().take(RESULTS_LISTED) {
                            tr class={"row-" (r.outcome.id()) (if r.muted.is_some() { " row-muted" } else { "" })} {
                                td {
                                    span class=(outcome_class(r.outcome)) { (Outcome::label(r.outcome)) }
                                    @if let Some(m) = &r.muted { (muted_badge(m)) }
                                }
                                td {
                                    @if r.outcome != Outcome::Pass {
                                        span class=(severity_class(r.severity)) { (r.severity.id()) }
                                    }
                                }
                                td.nowrap {
                                    (r.location.account_id) " / " (r.location.region.as_deref().unwrap_or("global"))
                                }
                                td.mono.res { (r.location.resource) }
                                td {
                                    (r.evidence)
                                    @if let Some(m) = &r.muted { (muted_by(m)) }
                                    @if let Some(fix) = audit.fix_of(r) { (fix_block(&fix)) }
                                }
                            }
                        }
                        @if list.len() > RESULTS_LISTED {
                            tr.more {
                                td colspan="5" {
                                    "… and " (num(list.len() - RESULTS_LISTED)) " more "
                                    (Outcome::label(list[0].outcome))
                                    ": the JSON, CSV and Excel reports list every result."
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn coverage(snapshot: &Snapshot, audit: &Audit) -> Markup {
    let problems: Vec<(&str, &str, &SourceCoverage)> = snapshot
        .regions
        .iter()
        .flat_map(|r| r.coverage.iter().map(move |c| (r.account_id.as_str(), r.region.as_str(), c)))
        .filter(|(_, _, c)| !c.state.is_whole())
        .collect();
    let empty_regions: Vec<&sgaudit_audit::RegionCoverage> =
        audit.regions.iter().filter(|r| !r.complete && !problems.iter().any(|p| p.0 == r.account_id)).collect();
    let groups = terminal::groups_judged(audit);
    let families = !terminal::families(audit).is_empty();
    html! {
        section #coverage aria-labelledby="coverage-h" {
            h2 #coverage-h { "Coverage" }
            h3 { "Accounts" }
            div.table-wrap {
                table.data.compact {
                    thead { tr { th { "Account" } th { "Name" } th { "Profile" } th { "State" } th { "Detail" } } }
                    tbody {
                        @for a in &snapshot.accounts {
                            @let state = AccountState::of(a);
                            @let class = match state {
                                AccountState::Unreachable => "badge cov-failed",
                                AccountState::Skipped => "badge cov-not_applicable",
                                AccountState::Read => "badge cov-complete",
                            };
                            tr class=[a.error.as_ref().map(|_| "row-bad")] {
                                td.mono { (a.account_id) }
                                td { (a.name.as_deref().unwrap_or("")) }
                                td { (a.profile.as_deref().unwrap_or("")) }
                                td { span class=(class) { (state.id()) } }
                                td {
                                    @if let Some(e) = &a.error { (error_detail(e)) }
                                    @if let Some(why) = &a.skipped { (why) }
                                }
                            }
                        }
                    }
                }
            }
            @if !snapshot.account_evidence.is_empty() {
                h3 { "Account-wide sources" }
                p.muted { "Read once per account (IAM and the S3 bucket list are global)." }
                div.table-wrap {
                    table.data.compact {
                        thead {
                            tr {
                                th { "Account" } th { "Source" } th { "State" } th.num { "Requests" }
                                th.num { "Items" } th { "Detail" }
                            }
                        }
                        tbody {
                            @for e in &snapshot.account_evidence {
                                @for c in &e.coverage {
                                    @let state = c.state.id();
                                    tr class=[(!c.state.is_whole()).then_some("row-bad")] {
                                        td.mono { (e.account_id) }
                                        td.mono { (c.source) }
                                        td { span class={"badge cov-" (state)} { (state.replace('_', " ")) } }
                                        td.num { (c.requests) }
                                        td.num { (c.items) }
                                        td {
                                            @match &c.state {
                                                CoverageState::Denied { error } | CoverageState::Failed { error } => {
                                                    (error_detail(error))
                                                }
                                                CoverageState::NotApplicable { reason } => { (reason) }
                                                CoverageState::Complete => {}
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Sources that could not be read" }
            @if problems.is_empty() && empty_regions.is_empty() {
                p.ok { "Every source of evidence was read in every account-region." }
            } @else {
                p {
                    @if groups {
                        "Without these lists, a group that only they would show as used is "
                        span.badge.status-unknown { (Status::Unknown.label()) } ", never "
                        span.badge.status-unused { (Status::Unused.label()) } ". "
                    }
                    @if families {
                        "A check that reads one of them is "
                        span.badge.outcome-not_evaluated { (Outcome::NotEvaluated.label()) }
                        " there, never passed."
                    }
                }
                div.table-wrap {
                    table.data.compact {
                        thead {
                            tr {
                                th { "Account" } th { "Region" } th { "Source" } th { "State" } th { "Error code" }
                                th { "IAM action" } th { "SCP deny" } th { "Message" }
                            }
                        }
                        tbody {
                            @for (account, region, c) in &problems {
                                @let (state, error) = match &c.state {
                                    CoverageState::Denied { error } | CoverageState::Failed { error } => {
                                        (c.state.id(), Some(error))
                                    }
                                    CoverageState::Complete | CoverageState::NotApplicable { .. } => ("", None),
                                };
                                tr.row-bad {
                                    td.mono { (account) }
                                    td.nowrap { (region) }
                                    td.mono { (c.source) }
                                    td { span class={"badge cov-" (state)} { (state) } }
                                    td.mono { @if let Some(e) = error { (e.code) } }
                                    td.mono { @if let Some(e) = error { (e.action.as_deref().unwrap_or("")) } }
                                    td { @if error.is_some_and(|e| e.scp_deny) { span.badge.sev-high { "SCP deny" } } }
                                    td { @if let Some(e) = error { (e.message) } }
                                }
                            }
                            @for r in &empty_regions {
                                tr.row-bad {
                                    td.mono { (r.account_id) } td.nowrap { (r.region) } td {} td {} td {} td {} td {}
                                    td { (sgaudit_audit::join(&r.unreadable, "; ")) }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Every source, per account and region" }
            @for r in &snapshot.regions {
                @let count = |state: &str| r.coverage.iter().filter(|c| c.state.id() == state).count();
                @let [complete, denied, failed, not_applicable] = CoverageState::IDS;
                @let bad = r.coverage.iter().any(|c| !c.state.is_whole()) || r.coverage.is_empty();
                details.region open[bad] {
                    summary class=[bad.then_some("bad")] {
                        span.mono { (r.account_id) " / " (r.region) }
                        " — " (count(complete)) " " (complete)
                        @let na = count(not_applicable);
                        @if na > 0 { " · " (na) " " (not_applicable.replace('_', " ")) }
                        @if count(denied) > 0 { " · " strong { (count(denied)) " " (denied) } }
                        @if count(failed) > 0 { " · " strong { (count(failed)) " " (failed) } }
                        @if r.coverage.is_empty() { " · " strong { "no source recorded" } }
                    }
                    div.region-body {
                        @let (whole, broken): (Vec<&SourceCoverage>, Vec<&SourceCoverage>) =
                            r.coverage.iter().partition(|c| matches!(c.state, CoverageState::Complete));
                        @if !broken.is_empty() {
                            div.table-wrap {
                                table.data.compact {
                                    thead {
                                        tr {
                                            th { "Source" } th { "State" } th.num { "Requests" } th.num { "Items" }
                                            th { "Detail" }
                                        }
                                    }
                                    tbody {
                                        @for c in broken {
                                            @let state = c.state.id();
                                            tr class=[(!c.state.is_whole()).then_some("row-bad")] {
                                                td.mono { (c.source) }
                                                td { span class={"badge cov-" (state)} { (state.replace('_', " ")) } }
                                                td.num { (c.requests) }
                                                td.num { (c.items) }
                                                td {
                                                    @match &c.state {
                                                        CoverageState::Denied { error }
                                                        | CoverageState::Failed { error } => { (error_detail(error)) }
                                                        CoverageState::NotApplicable { reason } => { (reason) }
                                                        CoverageState::Complete => {}
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        @if !whole.is_empty() {
                            p.chips-title { "Read in full (items listed):" }
                            ul.chips {
                                @for c in whole {
                                    li title={(c.items) " item(s) in " (c.requests) " request(s)"} {
                                        span.mono { (c.source) } " " span.chip-n { (c.items) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A fix, folded under its finding: the summary, then the commands and the Terraform snippet, each with
/// the button that copies it (the page's script copies the `pre` beside the button).
fn fix_block(fix: &Fix) -> Markup {
    let cli = fixes::cli_text(fix);
    let terraform = fixes::terraform_lines(fix).join("\n");
    html! {
        details.fix {
            // Printable as the commands are: the summary is read beside them.
            summary { "Fix: " (crate::printable(&fix.summary)) }
            @if !cli.is_empty() {
                div.fix-part {
                    div.fix-head {
                        span { "AWS CLI" }
                        button.copy type="button" data-copy="fix-cli" { "Copy commands" }
                    }
                    pre.fix-cli { (cli) }
                }
            }
            @if !terraform.is_empty() {
                div.fix-part {
                    div.fix-head {
                        span { "Terraform" }
                        button.copy type="button" data-copy="fix-tf" { "Copy Terraform" }
                    }
                    pre.fix-tf { (terraform) }
                }
            }
            p.muted { "sgaudit does not apply it: review it, then run it where your changes are made." }
        }
    }
}

fn error_detail(e: &sgaudit_snapshot::SourceError) -> Markup {
    html! {
        code { (e.code) }
        @if let Some(action) = &e.action { " (" code { (action) } ")" }
        @if e.scp_deny { " " span.badge.sev-high { "SCP deny" } }
        @if !e.message.is_empty() { ": " (e.message) }
    }
}

/// The table's data. Rows are arrays (see [`Row`]) to keep 100,000 of them small; the texts of missing
/// evidence, the same for every unknown group of a region, are stored once and referred to by index.
#[derive(Serialize)]
struct Island<'a> {
    texts: Vec<String>,
    /// Check id → title, for the findings badges' tooltips.
    checks: BTreeMap<&'static str, &'static str>,
    rows: Vec<Row<'a>>,
}

/// One group, in the order the script reads it (`report.js`, the `C` constants).
#[derive(Serialize)]
struct Row<'a>(
    &'a str,                                          // 0 group id
    &'a str,                                          // 1 name
    &'a str,                                          // 2 description
    &'a str,                                          // 3 account
    &'a str,                                          // 4 region
    &'a str,                                          // 5 VPC
    &'static str,                                     // 6 status
    &'static str,                                     // 7 risk
    bool,                                             // 8 is the VPC's default group
    String,                                           // 9 used by, one line per kind of resource
    Vec<String>,                                      // 10 referenced by
    Vec<(&'static str, &'static str, Option<usize>)>, // 11 findings: (check id, severity, muted: index into `texts`)
    Vec<usize>,                                       // 12 missing evidence, as indices into `texts`
    Vec<String>,                                      // 13 tags, as key=value
    &'a str,                                          // 14 unused since (RFC 3339), empty when not known
    String,                                           // 15 unused since, as shown (`2026-10-01 (53 days)`)
    Option<usize>,                                    // 16 marked in use: the declaration, as an index into `texts`
    &'static str,                                     // 17 whether the internet reaches it (`reachable`, ...)
    Vec<&'a str>,                                     // 18 the paths found
    Vec<usize>,                                       // 19 why none is, or what was missing: indices into `texts`
);

fn island<'a>(snapshot: &Snapshot, audit: &'a Audit) -> Island<'a> {
    let mut texts: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // A text's place in `texts`, added once: the same denial, or exception, recurs across many groups.
    let mut text_index = |text: String| {
        *index.entry(text).or_insert_with_key(|text| {
            texts.push(text.clone());
            texts.len() - 1
        })
    };
    let rows = audit
        .groups
        .iter()
        .map(|g| {
            let missing = g.missing_evidence.iter().map(|m| text_index(m.to_string())).collect();
            let findings = g
                .findings
                .iter()
                .map(|f| (f.check.id, f.severity.id(), f.muted.as_deref().map(|m| text_index(memory::muted_text(m)))))
                .collect();
            let since = g.unused_since.as_deref().unwrap_or_default();
            let since_text = g
                .unused_since
                .as_deref()
                .map(|s| memory::unused_since_text(s, snapshot.collected_at.as_deref()))
                .unwrap_or_default();
            let marked = g.marked_in_use.as_deref().map(|m| text_index(memory::muted_text(m)));
            // The same reason (no public address, a source denied) recurs across many groups: stored once.
            let why = reachability::why(&g.reach).into_iter().map(&mut text_index).collect();
            Row(
                &g.group.group_id,
                &g.group.group_name,
                &g.group.description,
                g.account_id,
                g.region,
                g.group.vpc_id.as_deref().unwrap_or(""),
                g.status.id(),
                g.risk.id(),
                g.is_default,
                crate::table::used_by(g),
                g.referenced_by
                    .iter()
                    .map(|r| format!("{} ({}, {})", r.group_id, r.direction.id(), r.status.id()))
                    .collect(),
                findings,
                missing,
                g.group.tags.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                since,
                since_text,
                marked,
                g.reach.state.id(),
                reachability::paths(&g.reach),
                why,
            )
        })
        .collect();
    Island { texts, checks: CHECKS.iter().map(|c| (c.id, c.title)).collect(), rows }
}

/// Writes JSON so that it can sit inside `<script type="application/json">`: `<`, `>` and `&` become
/// `\u003c`, `\u003e` and `\u0026`, so no `</script>` or `<!--` in the data can end or change the element.
/// JSON has these characters only inside strings, where the escapes mean the same; they are ASCII, so a
/// byte-wise replacement never splits a UTF-8 sequence.
struct ScriptSafe<W>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            let escaped: &[u8] = match b {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.0.write_all(&buf[start..i])?;
            self.0.write_all(escaped)?;
            start = i + 1;
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{demo, group_named};

    const HOSTILE_NAME: &str = "<script>alert(1)</script>";
    const HOSTILE_TAG: &str = "\"><img src=x onerror=alert(1)>";

    fn hostile() -> Snapshot {
        let mut snapshot = demo();
        let g = group_named(&mut snapshot, "sg-0a400000000001dc1");
        g.group_name = HOSTILE_NAME.into();
        g.description = "</script><script>alert(2)</script>".into();
        g.tags.insert("Note".into(), HOSTILE_TAG.into());
        snapshot
    }

    fn written(snapshot: &Snapshot) -> String {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, snapshot, &audit).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The JSON island's text, between its opening tag and the first `</script` after it.
    fn island_text(html: &str) -> &str {
        let open = format!("<script type=\"application/json\" id=\"{DATA_ID}\">");
        let start = html.find(&open).expect("the island is there") + open.len();
        let end = start + html[start..].find("</script").expect("the island is closed");
        &html[start..end]
    }

    #[test]
    fn hostile_names_in_the_markup_are_text() {
        let html = written(&hostile());
        // The name is in the findings section (sg-unused names the group), escaped.
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile name is not shown escaped");
        assert!(!html.contains(HOSTILE_NAME));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>rdp-admin</b>"), "the demo's own markup-like name is escaped too");
        // Exactly two script elements: the island and the page's own script.
        assert_eq!(html.matches("<script").count(), 2, "{}", html.matches("<script").count());
    }

    #[test]
    fn the_island_cannot_be_broken_out_of_and_round_trips() {
        let snapshot = hostile();
        let html = written(&snapshot);
        let text = island_text(&html);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "raw markup characters");
        // The whole island reaches the element's end: nothing in the data closed it early.
        assert!(html[html.find(text).unwrap() + text.len()..].starts_with("</script>\n<script>"));
        let data: serde_json::Value = serde_json::from_str(text).unwrap();
        let rows = data["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 20);
        let row = rows.iter().find(|r| r[0] == "sg-0a400000000001dc1").unwrap();
        assert_eq!(row[1], HOSTILE_NAME);
        assert_eq!(row[2], "</script><script>alert(2)</script>");
        assert!(row[13].as_array().unwrap().iter().any(|t| t == format!("Note={HOSTILE_TAG}").as_str()));
        assert_eq!(row[6], "unused");
        assert_eq!(row[11][0][0], "sg-unused");
        // Missing evidence comes through the shared texts.
        let unknown = rows.iter().find(|r| r[0] == "sg-0b2000000000e5522").unwrap();
        let texts = data["texts"].as_array().unwrap();
        let first = unknown[12][0].as_u64().unwrap() as usize;
        assert!(texts[first].as_str().unwrap().contains("lambda:ListFunctions"));
    }

    #[test]
    fn script_safe_escapes_split_writes() {
        let mut out = Vec::new();
        let mut w = ScriptSafe(&mut out);
        w.write_all(b"\"</scr").unwrap();
        w.write_all(b"ipt><!-- a&b \xc3\xa9\"").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"\\u003c/script\\u003e\\u003c!-- a\\u0026b é\"");
    }

    /// Every attribute of every tag in the markup, leaving out the text of script and style elements (maud
    /// escapes `<`, `>` and `"` everywhere else, so every `<` left is a tag and every `"` ends a value).
    fn attributes(html: &str) -> Vec<(String, String)> {
        let mut markup = String::new();
        let mut rest = html;
        while let Some(at) = ["<script", "<style"].iter().filter_map(|t| rest.find(t)).min() {
            let open_end = at + rest[at..].find('>').unwrap() + 1;
            markup.push_str(&rest[..open_end]);
            let close = if rest[at..].starts_with("<script") { "</script>" } else { "</style>" };
            rest = &rest[open_end + rest[open_end..].find(close).unwrap()..];
        }
        markup.push_str(rest);
        let mut found = Vec::new();
        for tag in markup.split('<').skip(1) {
            let tag = &tag[..tag.find('>').expect("every tag is closed")];
            let mut chars = tag.char_indices().skip_while(|(_, c)| !c.is_whitespace()).map(|(i, _)| i);
            let Some(start) = chars.next() else { continue };
            let mut attrs = &tag[start..];
            loop {
                attrs = attrs.trim_start();
                if attrs.is_empty() || attrs == "/" {
                    break;
                }
                let name_end = attrs.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(attrs.len());
                let name = attrs[..name_end].to_ascii_lowercase();
                attrs = &attrs[name_end..];
                if let Some(after) = attrs.strip_prefix("=\"") {
                    let end = after.find('"').expect("quoted values end");
                    found.push((name, after[..end].to_string()));
                    attrs = &after[end + 1..];
                } else {
                    assert!(!attrs.starts_with('='), "unquoted attribute value in <{tag}>");
                    found.push((name, String::new()));
                }
            }
        }
        found
    }

    #[test]
    fn nothing_is_fetched_from_the_network() {
        let html = written(&hostile());
        let attrs = attributes(&html);
        assert!(attrs.iter().any(|(n, v)| n == "href" && v == "#coverage"), "the scanner sees attributes");
        for (name, value) in &attrs {
            let v = value.trim().to_ascii_lowercase();
            if name == "xmlns" {
                // A namespace name: an identifier, never fetched.
                assert_eq!(v, "http://www.w3.org/2000/svg");
                continue;
            }
            assert!(!v.contains("://") && !v.starts_with("//"), "{name}=\"{value}\"");
            if ["src", "href", "action", "formaction", "srcset", "poster", "data", "background"]
                .contains(&name.as_str())
            {
                assert!(v.starts_with('#') || v.starts_with("data:"), "{name}=\"{value}\"");
            }
        }
        // No element that loads anything, and no CSS that could.
        for tag in ["<img", "<iframe", "<object", "<embed", "<link rel=\"stylesheet", "<script src", "<base"] {
            assert!(!html.contains(tag), "{tag}");
        }
        assert!(!CSS.contains("@import") && !CSS.contains("url("), "CSS that could fetch");
        // The demo's hostile tag value names a URL: it is in the data, as text, never in an attribute.
        assert!(html.contains("HYPERLINK"));
    }

    #[test]
    fn the_policy_names_the_script_and_forbids_the_network() {
        let html = written(&demo());
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"), "{csp}");
        assert!(!csp.contains("unsafe-inline'; script") && !csp.contains("script-src 'unsafe"), "{csp}");
        assert!(html.contains(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">")));
        // The hash is of the script exactly as written into the page.
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(!SCRIPT.contains("</script") && !SCRIPT.contains("<!--"), "the script would end early");
        assert!(!SCRIPT.contains("innerHTML") && !SCRIPT.contains("insertAdjacentHTML") && !SCRIPT.contains("eval("));
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(100_000), "100,000");
        assert_eq!(num(1_234_567), "1,234,567");
    }

    #[test]
    fn summary_warns_when_partial_and_counts_add_up() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        assert!(audit.is_partial(), "the demo has a denied source");
        let html = written(&snapshot);
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("Do not delete a group whose status is unknown."));
        assert!(html.contains("lambda:ListFunctions"));
        assert!(html.contains("SCP deny"));
        // Each chart has an accessible title.
        for id in ["chart-status", "chart-risk", "chart-region-status", "chart-region-risk"] {
            assert!(html.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")), "{id}");
        }

        // Every source read, and every call about each bucket answered.
        let mut whole = demo();
        for r in &mut whole.regions {
            for c in &mut r.coverage {
                if !c.state.is_whole() {
                    c.state = CoverageState::Complete;
                }
            }
        }
        for e in &mut whole.account_evidence {
            for b in &mut e.buckets {
                b.errors.clear();
            }
        }
        assert!(!sgaudit_audit::audit(&whole).is_partial());
        let html = written(&whole);
        assert!(!html.contains("role=\"alert\""));
        assert!(html.contains("Every source of evidence was read in every account-region."));
    }

    #[test]
    fn muted_findings_are_badged_and_exceptions_are_escaped_text() {
        use crate::test_support::{remember, EVIL_OWNER, EVIL_REASON};
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, EVIL_REASON, EVIL_OWNER);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<script>alert(1)") && !html.contains("<img"), "the reason or owner ran as markup");
        assert_eq!(html.matches("<script").count(), 2);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the reason is shown, escaped");
        assert!(html.contains("@owner&lt;img src=x onerror=alert(2)&gt;"), "the owner is shown, escaped");
        // The muted finding and the muted result each keep their row, badged.
        assert_eq!(html.matches("<span class=\"badge is-muted\"").count(), 3, "two rows and the summary's note");
        assert_eq!(html.matches("class=\"row-muted\"").count(), 1, "the group finding's row");
        assert_eq!(html.matches("row-fail row-muted").count(), 1, "the IAM result's row");
        assert!(html.contains("<a href=\"#exceptions\">Exceptions</a>"));
        assert!(html.contains("<section id=\"exceptions\""));
        for state in ["active", "expired", "unmatched"] {
            assert!(html.contains(&format!("<span class=\"badge exception-{state}\">{state}</span>")), "{state}");
        }
        assert!(html.contains("<select id=\"filter-muted\">"));
        assert!(html.contains("data-col=\"since\""));
        // The island: the muted finding points at its exception's text, the marked group at its declaration.
        let data: serde_json::Value = serde_json::from_str(island_text(&html)).unwrap();
        let texts = data["texts"].as_array().unwrap();
        let rows = data["rows"].as_array().unwrap();
        let bastion = rows.iter().find(|r| r[0] == "sg-0a300000000ba5710").unwrap();
        let ssh = bastion[11].as_array().unwrap().iter().find(|f| f[0] == "sg-world-open-ssh").unwrap();
        assert!(texts[ssh[2].as_u64().unwrap() as usize].as_str().unwrap().starts_with(EVIL_REASON));
        let marked = rows.iter().find(|r| r[0] == "sg-0a400000000001dc1").unwrap();
        assert_eq!(
            (marked[14].as_str(), marked[15].as_str()),
            (Some("2026-10-01T04:00:00Z"), Some("2026-10-01 (53 days)"))
        );
        assert!(marked[16].is_u64());
        assert!(rows.iter().filter(|r| r[0] != "sg-0a400000000001dc1").all(|r| r[16].is_null() && r[14] == ""));
        // Without exceptions, the page has none of it.
        let plain = written(&snapshot);
        assert!(!plain.contains("class=\"badge is-muted") && !plain.contains("id=\"exceptions\""));
        assert!(!plain.contains("row-muted\""));
    }

    /// `text` as maud escapes it.
    fn escaped(text: &str) -> String {
        html! { (text) }.into_string()
    }

    #[test]
    fn reachability_is_a_column_and_each_fix_has_a_copy_button_over_escaped_text() {
        use crate::test_support::advise;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let html = String::from_utf8(out).unwrap();
        // Markup from the fix and the paths is text: still exactly the two script elements of the page.
        assert_eq!(html.matches("<script").count(), 2);
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(!html.contains('\x1b'), "no raw escape in the page");

        // Each fix: its summary, its commands and its Terraform, each beside the button that copies it.
        let fix = crate::fixes::tests::hostile_fix();
        let cli = format!("<pre class=\"fix-cli\">{}</pre>", escaped(&crate::fixes::cli_text(&fix)));
        let fixed = audit.groups.iter().flat_map(|g| g.findings.iter().filter(|f| f.fix(g).is_some())).count()
            + audit.results.iter().filter(|r| audit.fix_of(r).is_some() && r.outcome != Outcome::Pass).count();
        assert_eq!(html.matches("<details class=\"fix\">").count(), fixed);
        let bastion = audit.groups.iter().find(|g| g.group.group_id == "sg-0a300000000ba5710").unwrap();
        assert_eq!(html.matches(&cli).count(), bastion.findings.len() + 1, "the bastion's findings and =2+5");
        assert!(cli.contains("&lt;script&gt;") && cli.contains("\\u{1b}[31m&quot;\\u{a}rm -rf ~"), "{cli}");
        let cli_buttons = html.matches("<button class=\"copy\" type=\"button\" data-copy=\"fix-cli\">").count();
        assert_eq!(cli_buttons, html.matches("<pre class=\"fix-cli\">").count());
        let terraform = crate::fixes::terraform_lines(&fix).join("\n");
        assert!(html.contains(&format!("<pre class=\"fix-tf\">{}</pre>", escaped(&terraform))));
        assert!(html.contains(&format!("<summary>Fix: {}</summary>", escaped(&crate::printable(&fix.summary)))));

        // The table's data: the state, the paths, and why none (shared texts).
        let data: serde_json::Value = serde_json::from_str(island_text(&html)).unwrap();
        let rows = data["rows"].as_array().unwrap();
        let row = rows.iter().find(|r| r[0] == "sg-0a300000000ba5710").unwrap();
        assert_eq!(row[17], "reachable");
        assert_eq!(row[18][0], bastion.reach.paths[0].text.as_str());
        let texts = data["texts"].as_array().unwrap();
        let why: Vec<&str> =
            row[19].as_array().unwrap().iter().map(|i| texts[i.as_u64().unwrap() as usize].as_str().unwrap()).collect();
        assert_eq!(why, ["blocked: eni-0b: no public address", "missing: ec2-network-acls"]);
        for (row, g) in rows.iter().zip(&audit.groups) {
            assert_eq!(row[17], g.reach.state.id());
        }
        assert!(html.contains("data-col=\"reach\""), "a column to sort by");
        assert!(html.contains("<select id=\"filter-reach\">"), "and to filter by");
    }
}

//! `sgaudit diff`: what changed between two runs (`sgaudit_store::diff::Diff`), for the terminal, as JSON (the
//! store's frozen document, `schema_version` 1) and as a self-contained HTML page. New exposures come first:
//! the diff already orders new findings by severity, and groups that became unused before the others.

use std::io::Write;

use maud::{html, Markup, PreEscaped, DOCTYPE};
use sgaudit_store::diff::{Change, Diff};
use sgaudit_store::{FindingRow, GroupRow};

use crate::printable;

pub fn write_json(out: &mut impl Write, diff: &Diff) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, diff)?;
    out.write_all(b"\n")
}

pub fn write_text(out: &mut impl Write, diff: &Diff) -> std::io::Result<()> {
    writeln!(
        out,
        "Changes from run {} (read {}) to run {} (read {}), in {} account-region(s) both looked at.",
        printable(&diff.from.id),
        printable(&diff.from.observed_at),
        printable(&diff.to.id),
        printable(&diff.to.observed_at),
        diff.places_compared.len()
    )?;
    for (places, which) in [(&diff.places_only_in_from, "the older"), (&diff.places_only_in_to, "the newer")] {
        if !places.is_empty() {
            let shown: Vec<String> = places.iter().map(|p| printable(&p.to_string()).into_owned()).collect();
            writeln!(out, "Not compared (only {which} run looked there): {}", shown.join(", "))?;
        }
    }
    if diff.is_empty() {
        return writeln!(out, "\nNothing changed.");
    }
    section(out, "New findings", &diff.new_findings, finding_line)?;
    section(out, "Groups that changed status", &diff.status_changes, change_line)?;
    section(out, "Groups whose risk changed", &diff.risk_changes, change_line)?;
    section(out, "Groups created", &diff.created, group_line)?;
    section(out, "Groups deleted", &diff.deleted, group_line)?;
    section(out, "Resolved findings", &diff.resolved_findings, finding_line)
}

fn section<T>(out: &mut impl Write, title: &str, items: &[T], line: fn(&T) -> String) -> std::io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title} ({}):", items.len())?;
    for item in items {
        writeln!(out, "  {}", line(item))?;
    }
    Ok(())
}

fn place(account: &str, region: Option<&str>) -> String {
    format!("{}/{}", printable(account), printable(region.unwrap_or("global")))
}

fn finding_line(f: &FindingRow) -> String {
    let muted = f.muted_reason.as_deref().map(|r| format!(" [muted: {}]", printable(r))).unwrap_or_default();
    format!(
        "{:<8} {} {} {}: {}{muted}",
        f.severity,
        printable(&f.check_id),
        place(&f.account, f.region.as_deref()),
        printable(f.group_id.as_deref().unwrap_or(&f.resource)),
        printable(&f.message)
    )
}

fn change_line(c: &Change) -> String {
    format!(
        "{} ({}) {}: {} → {}",
        printable(&c.group_id),
        printable(&c.name),
        place(&c.account, Some(&c.region)),
        printable(&c.from),
        printable(&c.to)
    )
}

fn group_line(g: &GroupRow) -> String {
    format!(
        "{} ({}) {}: {}, risk {}",
        printable(&g.group_id),
        printable(&g.name),
        place(&g.account, Some(&g.region)),
        g.status,
        g.risk
    )
}

/// One page, offline and script-free, with the report's stylesheet and policy.
pub fn write_html(out: &mut impl Write, diff: &Diff) -> std::io::Result<()> {
    out.write_all(page(diff).into_string().as_bytes())
}

fn page(diff: &Diff) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
                meta name="viewport" content="width=device-width, initial-scale=1";
                link rel="icon" href="data:,";
                title { "sgaudit diff — " (diff.from.id) " → " (diff.to.id) }
                style { (PreEscaped(include_str!("html/report.css"))) }
            }
            body {
                header.top { div.wrap {
                    h1 { "What changed" }
                    p.meta {
                        "From run " code { (diff.from.id) } " (read " (diff.from.observed_at) ") to run "
                        code { (diff.to.id) } " (read " (diff.to.observed_at) "), in "
                        (diff.places_compared.len()) " account-region(s) both looked at."
                    }
                } }
                main.wrap {
                    @for (places, which) in [(&diff.places_only_in_from, "the older"), (&diff.places_only_in_to, "the newer")] {
                        @if !places.is_empty() {
                            p.note { "Not compared (only " (which) " run looked there): "
                                (places.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")) }
                        }
                    }
                    @if diff.is_empty() { p { "Nothing changed." } }
                    (findings_table("new-findings", "New findings", &diff.new_findings))
                    (changes_table("status-changes", "Groups that changed status", &diff.status_changes))
                    (changes_table("risk-changes", "Groups whose risk changed", &diff.risk_changes))
                    (groups_table("created", "Groups created", &diff.created))
                    (groups_table("deleted", "Groups deleted", &diff.deleted))
                    (findings_table("resolved-findings", "Resolved findings", &diff.resolved_findings))
                }
            }
        }
    }
}

fn findings_table(id: &str, title: &str, findings: &[FindingRow]) -> Markup {
    html! {
        @if !findings.is_empty() {
            section id=(id) {
                h2 { (title) " (" (findings.len()) ")" }
                table { thead { tr { th { "severity" } th { "check" } th { "where" } th { "resource" } th { "what" } } }
                    tbody { @for f in findings { tr {
                        td { span class={"sev sev-" (f.severity)} { (f.severity) } }
                        td { (f.check_id) }
                        td { (f.account) "/" (f.region.as_deref().unwrap_or("global")) }
                        td { (f.group_id.as_deref().unwrap_or(&f.resource)) }
                        td { (f.message) @if let Some(r) = &f.muted_reason { " " span.badge { "muted: " (r) } } }
                    } } }
                }
            }
        }
    }
}

fn changes_table(id: &str, title: &str, changes: &[Change]) -> Markup {
    html! {
        @if !changes.is_empty() {
            section id=(id) {
                h2 { (title) " (" (changes.len()) ")" }
                table { thead { tr { th { "group" } th { "name" } th { "where" } th { "was" } th { "is" } } }
                    tbody { @for c in changes { tr {
                        td { (c.group_id) } td { (c.name) } td { (c.account) "/" (c.region) } td { (c.from) } td { (c.to) }
                    } } }
                }
            }
        }
    }
}

fn groups_table(id: &str, title: &str, groups: &[GroupRow]) -> Markup {
    html! {
        @if !groups.is_empty() {
            section id=(id) {
                h2 { (title) " (" (groups.len()) ")" }
                table { thead { tr { th { "group" } th { "name" } th { "where" } th { "status" } th { "risk" } } }
                    tbody { @for g in groups { tr {
                        td { (g.group_id) } td { (g.name) } td { (g.account) "/" (g.region) } td { (g.status) } td { (g.risk) }
                    } } }
                }
            }
        }
    }
}

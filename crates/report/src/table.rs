//! The terminal view: a summary, then one row per group.

use std::collections::BTreeMap;
use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, Color, ContentArrangement, Table};
use sgaudit_audit::{Audit, GroupVerdict, Risk, Status};
use sgaudit_snapshot::Snapshot;

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit, color: bool) -> std::io::Result<()> {
    let accounts: Vec<&str> = snapshot.accounts.iter().map(|a| a.account_id.as_str()).collect();
    writeln!(
        out,
        "sgaudit: {} security groups in {} account(s), {} region(s)",
        audit.groups.len(),
        accounts.len(),
        snapshot.regions.len()
    )?;
    writeln!(
        out,
        "  status: {} in use, {} unused, {} unknown",
        audit.count_status(Status::InUse),
        audit.count_status(Status::Unused),
        audit.count_status(Status::Unknown)
    )?;
    let risks: Vec<String> = Risk::ALL.iter().map(|&r| format!("{} {}", audit.count_risk(r), r.id())).collect();
    writeln!(out, "  risk:   {}", risks.join(", "))?;
    let e = audit.estate;
    writeln!(
        out,
        "  read:   {}/{} accounts, {}/{} account-regions, {}/{} source lists",
        e.accounts_read, e.accounts, e.regions_read, e.regions, e.sources_read, e.sources
    )?;
    for line in &audit.unreachable_accounts {
        writeln!(out, "  account not read: {line}")?;
    }
    for line in &audit.skipped_accounts {
        writeln!(out, "  account skipped: {line}")?;
    }
    let unread: Vec<String> = audit
        .regions
        .iter()
        .flat_map(|r| r.unreadable.iter().map(move |u| format!("{}/{}: {u}", r.account_id, r.region)))
        .collect();
    if unread.is_empty() {
        writeln!(out, "  every source of evidence was read")?;
    } else {
        writeln!(out, "  sources not read (groups without other evidence are `unknown`):")?;
        for line in unread {
            writeln!(out, "    - {line}")?;
        }
    }
    writeln!(out)?;

    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["Region", "Group", "Name", "VPC", "Default", "Status", "Risk", "Used by"]);
    if !color {
        table.force_no_tty();
    }
    for g in &audit.groups {
        let region = if accounts.len() > 1 { format!("{}/{}", g.account_id, g.region) } else { g.region.to_string() };
        table.add_row(vec![
            Cell::new(region),
            Cell::new(&g.group.group_id),
            Cell::new(sanitize(&g.group.group_name)),
            Cell::new(g.group.vpc_id.as_deref().unwrap_or("-")),
            Cell::new(if g.is_default { "yes" } else { "" }),
            status_cell(g.status, color),
            risk_cell(g.risk, color),
            Cell::new(used_by(g)),
        ]);
    }
    writeln!(out, "{table}")
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
        let chain: Vec<&str> = g.referenced_by.iter().map(|r| r.group_id).collect();
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
            let first = sanitize(short_id(ids[0]));
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

/// Names come from AWS users: strip control characters so a name cannot drive the terminal.
fn sanitize(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

fn status_cell(status: Status, color: bool) -> Cell {
    let cell = Cell::new(status.id());
    if !color {
        return cell;
    }
    match status {
        Status::InUse => cell.fg(Color::Green),
        Status::Unused => cell.fg(Color::Yellow),
        Status::Unknown => cell.fg(Color::Magenta),
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

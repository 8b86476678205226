//! The terminal view: a summary, then one row per group.
//!
//! Every string that comes from AWS or a snapshot file (ids, names, regions, error messages) goes through
//! [`printable`]: a group's name must not drive the terminal that shows it, with colour or without.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, Color, ContentArrangement, Table};
use sgaudit_audit::{Audit, GroupVerdict, Risk, Status};
use sgaudit_snapshot::Snapshot;

use crate::text::printable;

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
        writeln!(out, "  account not read: {}", printable(line))?;
    }
    for line in &audit.skipped_accounts {
        writeln!(out, "  account skipped: {}", printable(line))?;
    }
    let unread: Vec<String> = audit
        .regions
        .iter()
        .flat_map(|r| {
            r.unreadable
                .iter()
                .map(move |u| format!("{}/{}: {}", printable(&r.account_id), printable(&r.region), printable(u)))
        })
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
    if color {
        // The caller asked for colour (it checked for a terminal): draw it whatever comfy-table guesses.
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    for g in &audit.groups {
        let region = if accounts.len() > 1 {
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
    fn a_plain_estate_is_shown_as_it_is() {
        let text = table(&crate::test_support::demo(), false);
        assert!(text.contains("sg-0a300000000ba5710"));
        assert!(!text.contains("\\u{"), "{text}");
    }
}

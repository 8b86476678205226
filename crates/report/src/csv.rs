//! CSV: one row per group, with the columns of the workbook's `all_groups` sheet, for people who live in
//! spreadsheets. RFC 4180 (CRLF line ends, fields with commas, quotes or line breaks quoted), written here
//! rather than through a crate: the format is a dozen lines, and the neutralising below must see every cell.
//!
//! Names, descriptions and tags are chosen by whoever can edit a group, and a spreadsheet runs a cell that
//! starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)` exfiltrates, `=cmd|...` runs on old
//! Excel). Every such cell gets a leading `'`, which spreadsheets read as "text" (OWASP's advice).

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use sgaudit_audit::exposure::{covers_port, SSH};
use sgaudit_audit::{Audit, GroupVerdict};
use sgaudit_snapshot::{ResourceKind, SecurityGroup, Snapshot};

pub const COLUMNS: [&str; 17] = [
    "account_id",
    "account_profile",
    "region",
    "security_group_id",
    "group_name",
    "vpc_id",
    "is_default",
    "status",
    "risk",
    "has_ssh_rule",
    "has_ssh_open_world",
    "attached_eni_count",
    "used_by",
    "referenced_by",
    "missing_evidence",
    "findings",
    "tags",
];

/// Joins the items of a multi-valued cell.
pub(crate) const JOIN: &str = " | ";

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let profiles: HashMap<&str, &str> =
        snapshot.accounts.iter().filter_map(|a| Some((a.account_id.as_str(), a.profile.as_deref()?))).collect();
    write_row(out, COLUMNS.iter().copied())?;
    for g in &audit.groups {
        let row = row(g, profiles.get(g.account_id).copied().unwrap_or_default());
        write_row(out, row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// The `all_groups` row of one group, before neutralising; the workbook writes the same values.
pub(crate) fn row(g: &GroupVerdict, profile: &str) -> [String; 17] {
    let group = g.group;
    let referenced_by: BTreeSet<&str> = g.referenced_by.iter().map(|r| r.group_id).collect();
    [
        g.account_id.to_string(),
        profile.to_string(),
        g.region.to_string(),
        group.group_id.clone(),
        group.group_name.clone(),
        group.vpc_id.clone().unwrap_or_default(),
        g.is_default.to_string(),
        g.status.id().to_string(),
        g.risk.id().to_string(),
        has_ssh_rule(group).to_string(),
        g.exposure.ssh.to_string(),
        eni_count(g).to_string(),
        g.used_by.iter().map(|u| format!("{}:{}", u.kind.id(), u.id)).collect::<Vec<_>>().join(JOIN),
        referenced_by.into_iter().collect::<Vec<_>>().join(JOIN),
        g.missing_evidence.join(JOIN),
        g.findings.iter().map(|f| f.id).collect::<Vec<_>>().join(JOIN),
        group.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(JOIN),
    ]
}

/// Whether any ingress rule admits SSH, from anywhere (the seed's `has_ssh_rule`).
pub(crate) fn has_ssh_rule(group: &SecurityGroup) -> bool {
    group.ingress.iter().any(|r| covers_port(r, SSH, false))
}

/// The network interfaces that hold the group (the seed's `attached_eni_count`).
pub(crate) fn eni_count(g: &GroupVerdict) -> usize {
    g.used_by.iter().filter(|u| u.kind == ResourceKind::NetworkInterface).map(|u| u.id).collect::<BTreeSet<_>>().len()
}

fn write_row<'a>(out: &mut impl Write, cells: impl Iterator<Item = &'a str>) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_cell(out, cell)?;
    }
    out.write_all(b"\r\n")
}

/// Whether a spreadsheet would take the cell for a formula (or, for tab and CR, strip them and then do).
pub(crate) fn is_formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn write_cell(out: &mut impl Write, cell: &str) -> std::io::Result<()> {
    let quote = cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.write_all(b"\"")?;
    }
    if is_formula_like(cell) {
        out.write_all(b"'")?;
    }
    if quote {
        out.write_all(cell.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(cell.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{demo, group_named};

    /// A strict RFC 4180 reader, to read back what was written.
    fn parse(text: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut chars = text.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => {
                    assert!(cell.is_empty(), "quote inside an unquoted field: {cell}");
                    quoted = true;
                }
                (false, ',') => row.push(std::mem::take(&mut cell)),
                (false, '\r') => {
                    assert_eq!(chars.next(), Some('\n'), "CR without LF");
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (false, '\n') => panic!("bare LF outside a quoted field"),
                (false, c) => cell.push(c),
            }
        }
        assert!(!quoted && cell.is_empty() && row.is_empty(), "the last record is not ended by CRLF");
        rows
    }

    fn written(snapshot: &Snapshot) -> Vec<Vec<String>> {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, snapshot, &audit).unwrap();
        parse(&String::from_utf8(out).unwrap())
    }

    fn cell<'a>(rows: &'a [Vec<String>], group_id: &str, column: &str) -> &'a str {
        let c = COLUMNS.iter().position(|&name| name == column).unwrap();
        let row = rows.iter().find(|r| r[3] == group_id).unwrap_or_else(|| panic!("no row for {group_id}"));
        &row[c]
    }

    #[test]
    fn one_row_per_group_with_every_column() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let rows = written(&snapshot);
        assert_eq!(rows[0], COLUMNS);
        assert_eq!(rows.len() - 1, audit.groups.len());
        assert_eq!(rows.len() - 1, 20);
        assert!(rows.iter().all(|r| r.len() == COLUMNS.len()));
        assert_eq!(cell(&rows, "sg-0a000000000oldci", "status"), "unused");
        assert_eq!(cell(&rows, "sg-0a000000000oldci", "findings"), "sg-unused");
        assert_eq!(cell(&rows, "sg-0a000000000oldci", "account_profile"), "demo");
        assert_eq!(cell(&rows, "sg-0a000000000bastn", "has_ssh_open_world"), "true");
        assert_eq!(cell(&rows, "sg-0a000000000bastn", "attached_eni_count"), "1");
        assert_eq!(
            cell(&rows, "sg-0a000000000000app", "used_by"),
            "ecs-service:arn:aws:ecs:us-east-1:123456789012:service/prod/app | security-group:sg-0a0000000000000db"
        );
        assert!(cell(&rows, "sg-0b00000000eussh", "missing_evidence").contains("lambda:ListFunctions"));
    }

    #[test]
    fn no_cell_of_the_demo_starts_like_a_formula() {
        let rows = written(&demo());
        // The demo's hostile tag value comes after its key, inside the cell: inert where it is.
        assert_eq!(cell(&rows, "sg-0a000000000oldci", "tags"), "Owner==HYPERLINK(\"http://evil\")");
        for c in rows.iter().flatten() {
            assert!(!is_formula_like(c), "{c}");
        }
    }

    #[test]
    fn hostile_cells_are_neutralised() {
        let mut snapshot = demo();
        let g = group_named(&mut snapshot, "sg-0a000000000oldci");
        g.group_name = "=HYPERLINK(\"http://evil\",\"x\")".into();
        g.tags.clear();
        g.tags.insert("=HYPERLINK(\"http://evil\")".into(), "v".into());
        let g = group_named(&mut snapshot, "sg-0a00000000chaina");
        g.group_name = "@SUM(1+1)".into();
        g.tags = [("+cmd".to_string(), "x".to_string())].into();
        let g = group_named(&mut snapshot, "sg-0a00000000chainb");
        g.group_name = "-2+3".into();
        g.tags = [("\tx".to_string(), "y".to_string())].into();
        let rows = written(&snapshot);
        assert_eq!(cell(&rows, "sg-0a000000000oldci", "group_name"), "'=HYPERLINK(\"http://evil\",\"x\")");
        assert_eq!(cell(&rows, "sg-0a000000000oldci", "tags"), "'=HYPERLINK(\"http://evil\")=v");
        assert_eq!(cell(&rows, "sg-0a00000000chaina", "group_name"), "'@SUM(1+1)");
        assert_eq!(cell(&rows, "sg-0a00000000chaina", "tags"), "'+cmd=x");
        assert_eq!(cell(&rows, "sg-0a00000000chainb", "group_name"), "'-2+3");
        assert_eq!(cell(&rows, "sg-0a00000000chainb", "tags"), "'\tx=y");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        let mut out = Vec::new();
        write_row(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rlf", ""].into_iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rlf\",\r\n");
        assert_eq!(parse(&text), vec![vec!["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rlf", ""]]);

        let mut out = Vec::new();
        write_row(&mut out, ["=1,2", "\rx"].into_iter()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"'=1,2\",\"'\rx\"\r\n");
    }
}

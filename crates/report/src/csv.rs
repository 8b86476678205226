//! CSV: one row per group, with the columns of the workbook's `all_groups` sheet, for people who live in
//! spreadsheets. RFC 4180 (CRLF line ends, fields with commas, quotes or line breaks quoted), written here
//! rather than through a crate: the format is a dozen lines, and the neutralising below must see every cell.
//!
//! Names, descriptions and tags are chosen by whoever can edit a group, and a spreadsheet runs a cell that
//! starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)` exfiltrates, `=cmd|...` runs on old
//! Excel), and some do after leading spaces or quotes, or with the full-width `＝`. Every such cell gets a
//! leading `'`, which spreadsheets read as "text" (OWASP's advice); see [`is_formula_like`].
//!
//! The columns are a parsed interface: a new column goes at the end, so readers by position keep working.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use sgaudit_audit::exposure::{covers_port, SSH};
use sgaudit_audit::{Audit, GroupVerdict};
use sgaudit_snapshot::{ResourceKind, SecurityGroup, Snapshot};

pub const COLUMNS: [&str; 18] = [
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
    // Added after the first release: at the end. The account's name in the organization (`--org`).
    "account_name",
];

/// Joins the items of a multi-valued cell.
pub(crate) const JOIN: &str = " | ";

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let accounts = Accounts::of(snapshot);
    write_row(out, COLUMNS.iter().copied())?;
    for g in &audit.groups {
        let row = row(g, &accounts);
        write_row(out, row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// What the snapshot says of each account, by account id: the profile it was reached through and its name
/// in the organization, each empty where unknown.
pub(crate) struct Accounts<'a>(HashMap<&'a str, (&'a str, &'a str)>);

impl<'a> Accounts<'a> {
    pub(crate) fn of(snapshot: &'a Snapshot) -> Self {
        Accounts(
            snapshot
                .accounts
                .iter()
                .map(|a| {
                    let (profile, name) = (a.profile.as_deref(), a.name.as_deref());
                    (a.account_id.as_str(), (profile.unwrap_or_default(), name.unwrap_or_default()))
                })
                .collect(),
        )
    }

    pub(crate) fn profile(&self, account_id: &str) -> &'a str {
        self.0.get(account_id).map(|a| a.0).unwrap_or_default()
    }

    pub(crate) fn name(&self, account_id: &str) -> &'a str {
        self.0.get(account_id).map(|a| a.1).unwrap_or_default()
    }
}

/// The `all_groups` row of one group, before neutralising; the workbook writes the same values.
pub(crate) fn row(g: &GroupVerdict, accounts: &Accounts) -> [String; 18] {
    let profile = accounts.profile(g.account_id);
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
        accounts.name(g.account_id).to_string(),
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

/// Whether a spreadsheet could take the cell for a formula, after OWASP's CSV-injection advice: its first
/// character, or its first after any leading whitespace and quote characters (which spreadsheets strip or
/// skip on import), is `=`, `+`, `-`, `@`, tab, CR or LF, or one of the full-width and small forms of the
/// first four (`＝` U+FF1D, `＋` U+FF0B, `－` U+FF0D, `＠` U+FF20, `﹦` U+FE66, `﹢` U+FE62, `﹣` U+FE63,
/// `﹫` U+FE6B), which some spreadsheets fold to ASCII. A cell that already starts with `'` is judged on
/// what follows it, so `'=x` is neutralised too (`''=x`): an import may eat one quote.
///
/// Every cell is judged, sgaudit's own values too (none of them starts so: counts are never negative and
/// the rest are words), so no cell depends on knowing where its value came from.
pub fn is_formula_like(cell: &str) -> bool {
    let starts_formula = |c: char| {
        matches!(
            c,
            '=' | '+'
                | '-'
                | '@'
                | '\t'
                | '\r'
                | '\n'
                | '\u{ff1d}'
                | '\u{ff0b}'
                | '\u{ff0d}'
                | '\u{ff20}'
                | '\u{fe66}'
                | '\u{fe62}'
                | '\u{fe63}'
                | '\u{fe6b}'
        )
    };
    let is_quote = |c: char| matches!(c, '"' | '\'' | '\u{ff02}' | '\u{ff07}');
    if cell.starts_with(starts_formula) {
        return true;
    }
    cell.trim_start_matches(|c: char| c.is_whitespace() || is_quote(c)).starts_with(starts_formula)
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
        assert_eq!(cell(&rows, "sg-0a400000000001dc1", "status"), "unused");
        assert_eq!(cell(&rows, "sg-0a400000000001dc1", "findings"), "sg-unused");
        assert_eq!(cell(&rows, "sg-0a400000000001dc1", "account_profile"), "demo");
        assert_eq!(cell(&rows, "sg-0a300000000ba5710", "has_ssh_open_world"), "true");
        assert_eq!(cell(&rows, "sg-0a300000000ba5710", "attached_eni_count"), "1");
        assert_eq!(
            cell(&rows, "sg-0a100000000000a99", "used_by"),
            "ecs-service:arn:aws:ecs:us-east-1:123456789012:service/prod/app | \
             emr-serverless-application:arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabcde12345678 | \
             scheduler-schedule:arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly-report | \
             security-group:sg-0a0000000000000db"
        );
        assert!(cell(&rows, "sg-0b2000000000e5522", "missing_evidence").contains("lambda:ListFunctions"));
    }

    #[test]
    fn no_cell_of_the_demo_starts_like_a_formula() {
        let rows = written(&demo());
        // The demo's hostile tag value comes after its key, inside the cell: inert where it is.
        assert_eq!(cell(&rows, "sg-0a400000000001dc1", "tags"), "Owner==HYPERLINK(\"http://evil\")");
        for c in rows.iter().flatten() {
            assert!(!is_formula_like(c), "{c}");
        }
    }

    #[test]
    fn hostile_cells_are_neutralised() {
        let mut snapshot = demo();
        let g = group_named(&mut snapshot, "sg-0a400000000001dc1");
        g.group_name = "=HYPERLINK(\"http://evil\",\"x\")".into();
        g.tags.clear();
        g.tags.insert("=HYPERLINK(\"http://evil\")".into(), "v".into());
        let g = group_named(&mut snapshot, "sg-0a500000000cab1ea");
        g.group_name = "@SUM(1+1)".into();
        g.tags = [("+cmd".to_string(), "x".to_string())].into();
        let g = group_named(&mut snapshot, "sg-0a600000000cab1eb");
        g.group_name = "-2+3".into();
        g.tags = [("\tx".to_string(), "y".to_string())].into();
        let rows = written(&snapshot);
        assert_eq!(cell(&rows, "sg-0a400000000001dc1", "group_name"), "'=HYPERLINK(\"http://evil\",\"x\")");
        assert_eq!(cell(&rows, "sg-0a400000000001dc1", "tags"), "'=HYPERLINK(\"http://evil\")=v");
        assert_eq!(cell(&rows, "sg-0a500000000cab1ea", "group_name"), "'@SUM(1+1)");
        assert_eq!(cell(&rows, "sg-0a500000000cab1ea", "tags"), "'+cmd=x");
        assert_eq!(cell(&rows, "sg-0a600000000cab1eb", "group_name"), "'-2+3");
        assert_eq!(cell(&rows, "sg-0a600000000cab1eb", "tags"), "'\tx=y");
    }

    #[test]
    fn formulas_after_whitespace_quotes_or_in_full_width_are_neutralised() {
        for cell in [
            "=cmd",
            "+1",
            "-1",
            "@SUM(1)",
            "\t=1",
            "\r=1",
            "\n=1",
            "\tplain",
            " =cmd",
            "   +cmd",
            "\"=cmd",
            "'=x",
            "''=x",
            "\" '@x",
            "\u{a0}=x",
            "\u{3000}=x",
            "\u{ff1d}cmd",
            "\u{ff0b}1",
            "\u{ff0d}1",
            "\u{ff20}SUM(1)",
            " \u{ff1d}cmd",
            "\u{ff02}=cmd",
            "\u{fe66}1",
        ] {
            assert!(is_formula_like(cell), "{cell:?} is not neutralised");
            let mut out = Vec::new();
            write_row(&mut out, [cell].into_iter()).unwrap();
            let read = parse(&String::from_utf8(out).unwrap());
            assert_eq!(read, vec![vec![format!("'{cell}")]], "{cell:?}");
        }
        for cell in
            ["", "web", "sg-0123", "a=b", "1-2", " web", "'web", "\"quoted\"", "x\u{ff1d}", "22", "0.0.0.0/0 -> 22"]
        {
            assert!(!is_formula_like(cell), "{cell:?} neutralised needlessly");
        }
    }

    #[test]
    fn the_account_name_is_the_last_column() {
        let mut snapshot = demo();
        snapshot.accounts[0].name = Some("Payments, prod".into());
        let rows = written(&snapshot);
        assert_eq!(rows[0].last().map(String::as_str), Some("account_name"));
        assert_eq!(rows[0][..17], COLUMNS[..17]);
        assert!(rows[1..].iter().all(|r| r.last().map(String::as_str) == Some("Payments, prod")));
        // Outside an organization the name is not known: an empty cell.
        assert!(written(&demo())[1..].iter().all(|r| r.last().is_some_and(String::is_empty)));
        let hostile = {
            snapshot.accounts[0].name = Some(" =HYPERLINK(\"http://evil\")".into());
            written(&snapshot)
        };
        assert_eq!(cell(&hostile, "sg-0a400000000001dc1", "account_name"), "' =HYPERLINK(\"http://evil\")");
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

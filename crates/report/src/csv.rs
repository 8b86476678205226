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
//!
//! The results of the account and regional checks (IAM, CloudTrail, S3, network) are another kind of row,
//! with other columns: rows of two kinds in one file would break every reader of the groups' file, so they
//! are a file of their own ([`write_checks`], `--format csv-checks`, [`CHECK_COLUMNS`]), neutralised alike.
//! An IAM user may be named `+ops@example.com` or `=x`, and names and ARNs start many of its cells.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use sgaudit_audit::exposure::{covers_port, SSH};
use sgaudit_audit::{Audit, GroupVerdict};
use sgaudit_snapshot::{ResourceKind, SecurityGroup, Snapshot};

use crate::{fixes, memory, reachability};

pub const COLUMNS: [&str; 26] = [
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
    // sgaudit's memory (issue 14). When the current streak of runs finding the group unused began (RFC 3339;
    // empty without a history or for a group not unused), and how many whole days before the snapshot.
    "unused_since",
    "unused_days",
    // A use people declared (`<reason> (owner: …; ticket: …; expires: …)`), empty when none.
    "marked_in_use",
    // The findings an exception mutes, each `<check id>: <reason> (owner: …)`, joined by ` | `; `findings`
    // still lists them.
    "muted_findings",
    // Issue 16. Whether the internet reaches what the group guards (`reachable`, `not_reachable`, `unknown`,
    // `not_exposed`); the paths found, joined by ` | `; why nothing is reached (`blocked: …`) or what evidence
    // was missing (`missing: …`), joined alike.
    "reachability",
    "reach_paths",
    "reach_why",
    // The fixes of its findings: for each, `# <check id>: <summary>` and its AWS CLI commands, one a line.
    "fix",
];

/// The columns of `csv-checks`: one row per result, in the audit's order (check, then account, region and
/// resource). `region` is empty for an account-wide result (IAM, the S3 account settings); `outcome` is
/// `pass`, `fail` or `not_evaluated`; `controls` joined by ` | `. A parsed interface like [`COLUMNS`]: new
/// columns go at the end.
pub const CHECK_COLUMNS: [&str; 19] = [
    "account_id",
    "account_profile",
    "account_name",
    "region",
    "family",
    "check_id",
    "title",
    "outcome",
    "severity",
    "resource_type",
    "resource",
    "evidence",
    "controls",
    // Issue 14: the exception that mutes the result, if one does (`muted` is `true` or `false`).
    "muted",
    "muted_reason",
    "muted_owner",
    "muted_ticket",
    "muted_expires",
    // Issue 16: the fix of a failure, `# <check id>: <summary>` and its AWS CLI commands, one a line.
    "fix",
];

/// Joins the items of a multi-valued cell.
pub(crate) const JOIN: &str = " | ";

pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let accounts = Accounts::of(snapshot);
    write_row(out, COLUMNS.iter().copied())?;
    for g in &audit.groups {
        let row = row(g, &accounts, snapshot.collected_at.as_deref());
        write_row(out, row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// `csv-checks`: one row per result of the account and regional checks (passes too), with [`CHECK_COLUMNS`].
/// Only the header when no account family was judged.
pub fn write_checks(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let accounts = Accounts::of(snapshot);
    write_row(out, CHECK_COLUMNS.iter().copied())?;
    for r in &audit.results {
        let l = &r.location;
        let controls = r.check.controls.join(JOIN);
        let m = r.muted.as_deref();
        let fix = audit.fix_of(r).map(|f| fixes::script(r.check.id, &f)).unwrap_or_default();
        let row: [&str; 19] = [
            &l.account_id,
            accounts.profile(&l.account_id),
            accounts.name(&l.account_id),
            l.region.as_deref().unwrap_or_default(),
            r.check.family.id(),
            r.check.id,
            r.check.title,
            r.outcome.id(),
            r.severity.id(),
            l.resource_type,
            &l.resource,
            &r.evidence,
            &controls,
            if m.is_some() { "true" } else { "false" },
            m.map(|m| m.reason.as_str()).unwrap_or_default(),
            m.map(|m| m.owner.as_str()).unwrap_or_default(),
            m.and_then(|m| m.ticket.as_deref()).unwrap_or_default(),
            m.and_then(|m| m.expires.as_deref()).unwrap_or_default(),
            &fix,
        ];
        write_row(out, row.into_iter())?;
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
/// `collected_at` is the snapshot's time, from which `unused_days` counts.
pub(crate) fn row(g: &GroupVerdict, accounts: &Accounts, collected_at: Option<&str>) -> [String; 26] {
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
        sgaudit_audit::join(&g.missing_evidence, JOIN),
        g.findings.iter().map(|f| f.check.id).collect::<Vec<_>>().join(JOIN),
        group.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(JOIN),
        accounts.name(g.account_id).to_string(),
        g.unused_since.clone().unwrap_or_default(),
        g.unused_since
            .as_deref()
            .and_then(|since| memory::days_since(since, collected_at))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        g.marked_in_use.as_deref().map(memory::muted_text).unwrap_or_default(),
        g.findings
            .iter()
            .filter_map(|f| f.muted.as_deref().map(|m| format!("{}: {}", f.check.id, memory::muted_text(m))))
            .collect::<Vec<_>>()
            .join(JOIN),
        g.reach.state.id().to_string(),
        reachability::paths(&g.reach).join(JOIN),
        reachability::why(&g.reach).join(JOIN),
        fixes::scripts(g.findings.iter().filter_map(|f| f.fix(g).map(|fix| (f.check.id, fix)))),
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

pub(crate) fn write_cell(out: &mut impl Write, cell: &str) -> std::io::Result<()> {
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
    fn the_account_name_comes_after_the_first_columns() {
        let mut snapshot = demo();
        snapshot.accounts[0].name = Some("Payments, prod".into());
        let rows = written(&snapshot);
        // Added after the first release, at the end then; issue 14's columns came after it.
        assert_eq!(rows[0][17], "account_name");
        assert_eq!(rows[0][18..22], ["unused_since", "unused_days", "marked_in_use", "muted_findings"]);
        assert_eq!(rows[0][22..], ["reachability", "reach_paths", "reach_why", "fix"]);
        assert!(rows[1..].iter().all(|r| r[17] == "Payments, prod"));
        // Outside an organization the name is not known: an empty cell.
        assert!(written(&demo())[1..].iter().all(|r| r[17].is_empty()));
        let hostile = {
            snapshot.accounts[0].name = Some(" =HYPERLINK(\"http://evil\")".into());
            written(&snapshot)
        };
        assert_eq!(cell(&hostile, "sg-0a400000000001dc1", "account_name"), "' =HYPERLINK(\"http://evil\")");
    }

    fn checks_written(snapshot: &Snapshot) -> Vec<Vec<String>> {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        crate::write_to(crate::Format::CsvChecks, snapshot, &audit, false, &mut out).unwrap();
        parse(&String::from_utf8(out).unwrap())
    }

    fn check_cell<'a>(row: &'a [String], column: &str) -> &'a str {
        &row[CHECK_COLUMNS.iter().position(|&name| name == column).unwrap()]
    }

    #[test]
    fn the_groups_csv_holds_groups_only() {
        // The demo has results of every account check: none of them is a row of the groups' file.
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        assert!(!audit.results.is_empty());
        let rows = written(&snapshot);
        assert_eq!(rows.len() - 1, audit.groups.len());
        assert!(rows[1..].iter().all(|r| r[3].starts_with("sg-")));
        assert_eq!(crate::Format::CsvChecks.extension(), "checks.csv");
    }

    #[test]
    fn one_check_row_per_result_with_every_column() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let rows = checks_written(&snapshot);
        assert_eq!(rows[0], CHECK_COLUMNS);
        assert_eq!(rows.len() - 1, audit.results.len());
        assert!(rows.iter().all(|r| r.len() == CHECK_COLUMNS.len()));
        for (row, r) in rows[1..].iter().zip(&audit.results) {
            assert_eq!(check_cell(row, "check_id"), r.check.id);
            assert_eq!(check_cell(row, "outcome"), r.outcome.id());
            assert_eq!(check_cell(row, "region"), r.location.region.as_deref().unwrap_or_default());
            assert_eq!(check_cell(row, "account_profile"), "demo");
            assert_eq!(check_cell(row, "controls"), r.check.controls.join(" | "));
        }
        let outcomes: BTreeSet<&str> = rows[1..].iter().map(|r| check_cell(r, "outcome")).collect();
        assert_eq!(outcomes, BTreeSet::from(["fail", "not_evaluated", "pass"]));
        let root = rows.iter().find(|r| check_cell(r, "check_id") == "iam-root-mfa").unwrap();
        assert_eq!(check_cell(root, "resource"), "arn:aws:iam::123456789012:root");
        assert_eq!(check_cell(root, "region"), "", "account-wide");
        assert_eq!(check_cell(root, "family"), "iam");
        assert_eq!(check_cell(root, "controls"), "AWS Security Hub IAM.9 | CIS AWS v3.0.0 1.5 | CIS AWS v5.0.0 1.4");
    }

    #[test]
    fn check_cells_from_aws_are_neutralised() {
        let mut snapshot = demo();
        // An IAM user may be called `=2+5` (the demo has one) or `@x`; an account name is anyone's choice.
        snapshot.accounts[0].name = Some("-1+1".into());
        let rows = checks_written(&snapshot);
        let user = rows
            .iter()
            .find(|r| check_cell(r, "check_id") == "iam-user-mfa" && check_cell(r, "resource").ends_with("/=2+5"))
            .unwrap();
        assert_eq!(check_cell(user, "evidence"), "'=2+5 has no MFA");
        assert_eq!(check_cell(user, "account_name"), "'-1+1");
        // Every cell a spreadsheet could run is behind its quote.
        for c in rows.iter().flatten() {
            assert!(!is_formula_like(c) || c.starts_with('\''), "{c}");
        }
    }

    #[test]
    fn a_scan_of_the_groups_alone_writes_the_header_only() {
        let mut snapshot = demo();
        snapshot.families = vec![sgaudit_snapshot::Family::Groups];
        assert_eq!(checks_written(&snapshot), vec![CHECK_COLUMNS.map(String::from).to_vec()]);
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

    #[test]
    fn what_exceptions_and_the_history_add_is_in_the_last_columns_and_neutralised() {
        use crate::test_support::{remember, EVIL_OWNER, EVIL_REASON};
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, EVIL_REASON, EVIL_OWNER);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let rows = parse(&String::from_utf8(out).unwrap());
        assert!(rows.iter().all(|r| r.len() == COLUMNS.len()));
        let marked = "sg-0a400000000001dc1";
        assert_eq!(cell(&rows, marked, "unused_since"), "2026-10-01T04:00:00Z");
        assert_eq!(cell(&rows, marked, "unused_days"), "53");
        // The reason starts with `=`: behind a quote, whole.
        let declared = cell(&rows, marked, "marked_in_use");
        assert!(declared.starts_with("'=HYPERLINK(") && declared.contains(EVIL_REASON), "{declared}");
        let muted = cell(&rows, "sg-0a300000000ba5710", "muted_findings");
        assert!(muted.starts_with("sg-world-open-ssh: =HYPERLINK("), "{muted}");
        let bastion = audit.groups.iter().find(|g| g.group.group_id == "sg-0a300000000ba5710").unwrap();
        let ids: Vec<&str> = bastion.findings.iter().map(|f| f.check.id).collect();
        assert!(ids.contains(&"sg-world-open-ssh") && ids.contains(&"sg-stale-rule"), "{ids:?}");
        assert_eq!(cell(&rows, "sg-0a300000000ba5710", "findings"), ids.join(" | "));
        assert_eq!(cell(&rows, "sg-0a0000000000000db", "muted_findings"), "");

        let mut out = Vec::new();
        write_checks(&mut out, &snapshot, &audit).unwrap();
        let rows = parse(&String::from_utf8(out).unwrap());
        let user = rows
            .iter()
            .find(|r| check_cell(r, "check_id") == "iam-user-mfa" && check_cell(r, "resource").ends_with("/=2+5"))
            .unwrap();
        assert_eq!(check_cell(user, "muted"), "true");
        assert_eq!(check_cell(user, "muted_reason"), format!("'{EVIL_REASON}"));
        assert_eq!(check_cell(user, "muted_owner"), format!("'{EVIL_OWNER}"));
        assert_eq!(check_cell(user, "muted_expires"), "2027-03-31");
        assert_eq!(rows.iter().filter(|r| check_cell(r, "muted") == "true").count(), 1);
        for c in rows.iter().flatten() {
            assert!(!is_formula_like(c) || c.starts_with('\''), "{c}");
        }
    }

    #[test]
    fn reachability_and_fixes_are_in_the_last_columns_and_neutralised() {
        use crate::test_support::advise;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let rows = parse(&String::from_utf8(out).unwrap());
        assert!(rows.iter().all(|r| r.len() == COLUMNS.len()));
        let bastion = "sg-0a300000000ba5710";
        assert_eq!(cell(&rows, bastion, "reachability"), "reachable");
        let paths = cell(&rows, bastion, "reach_paths");
        assert!(paths.starts_with("tcp 22 reachable from the internet on eni-0a (=cmd|"), "{paths}");
        // The second path starts with `=`, but inside the cell: inert there.
        assert!(paths.contains(" | =tcp 443 reachable through alb/web"), "{paths}");
        assert_eq!(cell(&rows, bastion, "reach_why"), "blocked: eni-0b: no public address | missing: ec2-network-acls");
        let fix = cell(&rows, bastion, "fix");
        // One script per finding: the comment, then one line per command; no forged command line.
        let findings = audit.groups.iter().find(|g| g.group.group_id == bastion).unwrap().findings.len();
        assert_eq!(fix.lines().count(), findings * 3, "{fix}");
        assert!(fix.starts_with("# sg-"), "{fix}");
        assert!(!fix.contains('\x1b') && !fix.lines().any(|l| l.starts_with("rm ")), "{fix}");
        // Every other group: its state, and the fixes its findings have, script after script.
        for g in audit.groups.iter().filter(|g| g.group.group_id != bastion) {
            assert_eq!(cell(&rows, &g.group.group_id, "reachability"), g.reach.state.id());
            let fixed: Vec<&str> = g.findings.iter().filter(|f| f.fix(g).is_some()).map(|f| f.check.id).collect();
            let fix = cell(&rows, &g.group.group_id, "fix");
            let comments: Vec<&str> = fix.lines().filter(|l| l.starts_with("# ")).collect();
            assert_eq!(comments.len(), fixed.len(), "{fix}");
            for (comment, id) in comments.iter().zip(&fixed) {
                assert!(comment.starts_with(&format!("# {id}: ")), "{comment}");
            }
        }

        // A cell that starts like a formula is neutralised, whichever new column it is in.
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let g = audit.groups.iter_mut().find(|g| g.group.group_id == bastion).unwrap();
        g.reach.paths.reverse();
        g.reach.blocked = vec!["=cmd|' /C calc'!A0".into()];
        g.reach.missing.clear();
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        let rows = parse(&String::from_utf8(out).unwrap());
        assert!(cell(&rows, bastion, "reach_paths").starts_with("'=tcp 443"));
        assert_eq!(cell(&rows, bastion, "reach_why"), "blocked: =cmd|' /C calc'!A0");
        for c in rows.iter().flatten() {
            assert!(!is_formula_like(c) || c.starts_with('\''), "{c}");
        }

        let mut out = Vec::new();
        write_checks(&mut out, &snapshot, &audit).unwrap();
        let rows = parse(&String::from_utf8(out).unwrap());
        let user = rows
            .iter()
            .find(|r| check_cell(r, "check_id") == "iam-user-mfa" && check_cell(r, "resource").ends_with("/=2+5"))
            .unwrap();
        let fix = check_cell(user, "fix");
        assert!(fix.starts_with("# iam-user-mfa: =cmd|' /C calc'!A0 <script>"), "{fix}");
        assert_eq!(fix.lines().count(), 3);
        let fixed = audit.results.iter().filter(|r| audit.fix_of(r).is_some()).count();
        assert_eq!(rows.iter().filter(|r| !check_cell(r, "fix").is_empty()).count(), fixed + 1, "and the header");
    }
}

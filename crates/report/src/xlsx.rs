//! The Excel workbook. After a `summary`, the three tabs of the seed script that people already filter
//! (`default_sg`, `ssh_open`, `ssh_world`, with its columns), then every group (`all_groups`: the CSV's
//! columns and values), the cleanup candidates (`unused`), one row per finding (`findings`) and what
//! evidence was read (`coverage`).
//!
//! Names, descriptions, tags and error messages are chosen by whoever can edit them. Every such value is
//! written as a string cell (`write_string`: never `write`, never a formula), so Excel shows
//! `=HYPERLINK(...)` as text and runs nothing. A cell that starts like a formula also gets Excel's quote
//! prefix, so that editing it (F2, Enter) does not turn it into one. Unlike the CSV, no `'` is added to
//! the value: the cell's type already says "text", and filters and lookups see the name as AWS has it.
//!
//! Large estates: a sheet of more than [`CONSTANT_MEMORY_ROWS`] rows is written in rust_xlsxwriter's
//! constant-memory mode, which streams each finished row to a temporary file instead of holding every
//! cell. That mode needs rows in order, which is how every sheet here is written, and cannot autofit, so
//! column widths are measured here as the rows go by.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use sgaudit_audit::exposure::{covers_port, SSH};
use sgaudit_audit::{Audit, GroupVerdict, Risk, Severity, Status};
use sgaudit_snapshot::{CoverageState, RegionSnapshot, ResourceKind, Rule, SecurityGroup, Snapshot};

use crate::csv::{self, JOIN};

/// The sheets, in order.
pub const SHEETS: [&str; 8] =
    ["summary", "default_sg", "ssh_open", "ssh_world", "all_groups", "unused", "findings", "coverage"];

/// The seed script's columns (shared/seeds/002), for `default_sg`, `ssh_open` and `ssh_world`; `in_use`
/// holds the status (`in_use`, `unused` or `unknown`) rather than a boolean, because an unknown group must
/// never read as unused; `risk` and `account_name` are added at the end, so the seed's 13 columns keep
/// their places.
pub const SEED_COLUMNS: [&str; 15] = [
    "account_profile",
    "account_id",
    "region",
    "security_group_id",
    "group_name",
    "vpc_id",
    "is_default",
    "has_ssh_rule",
    "has_ssh_open_world",
    "in_use",
    "attached_eni_count",
    "attached_resources",
    "ssh_rules",
    "risk",
    "account_name",
];

pub const UNUSED_COLUMNS: [&str; 12] = [
    "account_id",
    "account_profile",
    "region",
    "security_group_id",
    "group_name",
    "vpc_id",
    "description",
    "risk",
    "why_unused",
    "referenced_by",
    "tags",
    "account_name",
];

pub const FINDINGS_COLUMNS: [&str; 9] =
    ["account_id", "region", "security_group_id", "group_name", "check_id", "severity", "title", "message", "controls"];

pub const COVERAGE_COLUMNS: [&str; 10] =
    ["account_id", "region", "source", "state", "error_code", "message", "iam_action", "scp_deny", "requests", "items"];

/// The table of counts per account and region at the foot of `summary`.
pub const REGION_COLUMNS: [&str; 13] = [
    "account_id",
    "account_profile",
    "region",
    "evidence",
    "groups",
    "in_use",
    "unused",
    "unknown",
    "critical",
    "high",
    "medium",
    "low",
    "none",
];

/// A sheet with more rows than this is written in constant-memory mode. Below it the ordinary mode is kept:
/// it needs no temporary file and shares repeated strings (account ids, regions), so files are smaller.
pub const CONSTANT_MEMORY_ROWS: usize = 10_000;

/// Excel's rows per sheet, the header included.
const MAX_ROWS: usize = 1_048_576;

/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_CELL: usize = 32_767;

/// Said at the end of a value that was cut to fit a cell.
const CUT: &str = " [cut at Excel's cell limit; the JSON report has the whole value]";

/// Widest column, in characters.
const MAX_WIDTH: usize = 60;

/// The statuses, in the order of the summary's columns.
const STATUSES: [Status; 3] = [Status::InUse, Status::Unused, Status::Unknown];

/// The plain-English meaning of `unknown`, on the summary.
const UNKNOWN_MEANS: &str = "sgaudit could not read all the evidence about the group (a source of evidence was \
     denied or failed in its region, or a group of unknown status names it), so it cannot prove the group \
     unused. Treat it as possibly in use and do not delete it on this report; all_groups' missing_evidence \
     column says what was missing.";

/// Writes the workbook. The zip is assembled in memory and then written: rust_xlsxwriter streams only to
/// a `Send` writer, which `write_to`'s `&mut dyn Write` is not. That is the compressed file only (22 MB
/// for the tests' synthetic estate of 100,000 groups); the cells of large sheets go through temporary files.
pub fn write(out: &mut impl Write, snapshot: &Snapshot, audit: &Audit) -> io::Result<()> {
    let written = workbook(snapshot, audit).map_err(io_error)?;
    out.write_all(&written.bytes)
}

/// The workbook's bytes, and which sheets were written in constant-memory mode.
struct Written {
    bytes: Vec<u8>,
    #[cfg_attr(not(test), allow(dead_code))]
    constant_memory: Vec<&'static str>,
}

fn workbook(snapshot: &Snapshot, audit: &Audit) -> Result<Written, XlsxError> {
    let accounts = csv::Accounts::of(snapshot);
    let mut book = Book { workbook: Workbook::new(), styles: Styles::new(), constant_memory: Vec::new() };

    summary(&mut book, snapshot, audit, &accounts)?;
    let default_sg: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| g.is_default).collect();
    let ssh_open: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| csv::has_ssh_rule(g.group)).collect();
    let ssh_world: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| g.exposure.ssh).collect();
    for (name, groups) in [("default_sg", default_sg), ("ssh_open", ssh_open), ("ssh_world", ssh_world)] {
        seed_sheet(&mut book, name, &groups, &accounts)?;
    }
    all_groups(&mut book, audit, &accounts)?;
    unused(&mut book, snapshot, audit, &accounts)?;
    findings(&mut book, audit)?;
    coverage(&mut book, snapshot)?;

    Ok(Written { bytes: book.workbook.save_to_buffer()?, constant_memory: book.constant_memory })
}

fn io_error(error: XlsxError) -> io::Error {
    match error {
        XlsxError::IoError(e) => e,
        XlsxError::TempFileError(dir, e) => io::Error::new(
            e.kind(),
            format!("cannot create a temporary file in {} for a large Excel sheet: {e}", dir.display()),
        ),
        other => io::Error::other(format!("cannot write the Excel workbook: {other}")),
    }
}

fn summary(book: &mut Book, snapshot: &Snapshot, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    use Cell::{Number, Text, Word};
    let unreadable: Vec<String> = audit
        .regions
        .iter()
        .flat_map(|r| r.unreadable.iter().map(move |m| format!("{} {}: {m}", r.account_id, r.region)))
        .collect();
    let lists = [
        ("unreachable accounts", &audit.unreachable_accounts),
        ("skipped accounts", &audit.skipped_accounts),
        ("evidence not read", &unreadable),
    ];
    // The fixed lines, the lists and the table of regions.
    let rows = 40 + lists.iter().map(|(_, l)| l.len() + 1).sum::<usize>() + audit.regions.len();
    let mut sheet = book.sheet("summary", rows)?;

    sheet.row(&[Word("sgaudit security group audit", Tone::Title)])?;
    sheet.skip();
    let estate = audit.estate;
    let collected_at = snapshot.collected_at.as_deref().unwrap_or("not recorded");
    let facts: [(&str, Cell); 12] = [
        ("sgaudit version", Text(env!("CARGO_PKG_VERSION"))),
        ("snapshot written by sgaudit", Text(&snapshot.sgaudit_version)),
        ("collected at", Text(collected_at)),
        ("accounts asked for", Number(estate.accounts)),
        ("accounts read", Number(estate.accounts_read)),
        ("accounts unreachable", Number(audit.unreachable_accounts.len())),
        ("accounts skipped", Number(audit.skipped_accounts.len())),
        ("account-regions", Number(estate.regions)),
        ("account-regions read in full", Number(estate.regions_read)),
        ("evidence sources", Number(estate.sources)),
        ("evidence sources read", Number(estate.sources_read)),
        (
            "results",
            if audit.is_partial() {
                Word(
                    "partial: some evidence could not be read (see coverage); groups it concerns are unknown",
                    Tone::Missing,
                )
            } else {
                Word("complete: every source of evidence was read", Tone::Plain)
            },
        ),
    ];
    for (label, value) in facts {
        sheet.row(&[Word(label, Tone::Label), value])?;
    }
    sheet.row(&[Word("what unknown means", Tone::Label), Word(UNKNOWN_MEANS, Tone::Plain)])?;
    sheet.skip();

    sheet.row(&[Word("status", Tone::Label), Word("groups", Tone::Label)])?;
    for status in STATUSES {
        sheet.row(&[Cell::Status(status), Number(audit.count_status(status))])?;
    }
    sheet.row(&[Word("all groups", Tone::Label), Number(audit.groups.len())])?;
    sheet.skip();
    sheet.row(&[Word("risk", Tone::Label), Word("groups", Tone::Label)])?;
    for risk in Risk::ALL {
        sheet.row(&[Cell::Risk(risk), Number(audit.count_risk(risk))])?;
    }
    sheet.skip();
    let candidates = audit.groups.iter().filter(|g| is_cleanup_candidate(g)).count();
    sheet.row(&[
        Word("cleanup candidates", Tone::Label),
        Number(candidates),
        Word("the unused sheet; default groups are left out, as AWS does not delete them", Tone::Plain),
    ])?;
    sheet.skip();

    for (label, list) in lists {
        if list.is_empty() {
            continue;
        }
        sheet.row(&[Word(label, Tone::Label)])?;
        for line in list {
            sheet.row(&[Cell::Blank, Text(line)])?;
        }
        sheet.skip();
    }

    // Counts per account and region, in REGION_COLUMNS' order: groups, then by status, then by risk.
    let mut counts: HashMap<(&str, &str), [usize; 9]> = HashMap::new();
    for g in &audit.groups {
        let c = counts.entry((g.account_id, g.region)).or_default();
        c[0] += 1;
        c[1 + STATUSES.iter().position(|&s| s == g.status).unwrap_or_default()] += 1;
        c[4 + Risk::ALL.iter().position(|&r| r == g.risk).unwrap_or_default()] += 1;
    }
    sheet.header(&REGION_COLUMNS)?;
    for r in &audit.regions {
        let c = counts.get(&(r.account_id.as_str(), r.region.as_str())).copied().unwrap_or_default();
        let mut cells = vec![
            Text(&r.account_id),
            Text(accounts.profile(&r.account_id)),
            Text(&r.region),
            if r.complete { Word("complete", Tone::Plain) } else { Word("partial", Tone::Missing) },
        ];
        cells.extend(c.iter().map(|&n| Number(n)));
        sheet.row(&cells)?;
    }
    sheet.finish()
}

fn seed_sheet(
    book: &mut Book,
    name: &'static str,
    groups: &[&GroupVerdict],
    accounts: &csv::Accounts,
) -> Result<(), XlsxError> {
    use Cell::{Bool, Number, Text};
    let mut sheet = book.sheet(name, groups.len() + 1)?;
    sheet.header(&SEED_COLUMNS)?;
    for g in groups {
        let group = g.group;
        let attached = attached_resources(g);
        let rules = ssh_rules(group);
        sheet.row(&[
            Text(accounts.profile(g.account_id)),
            Text(g.account_id),
            Text(g.region),
            Text(&group.group_id),
            Text(&group.group_name),
            Text(group.vpc_id.as_deref().unwrap_or_default()),
            Bool(g.is_default),
            Bool(csv::has_ssh_rule(group)),
            Bool(g.exposure.ssh),
            Cell::Status(g.status),
            Number(csv::eni_count(g)),
            Text(&attached),
            Text(&rules),
            Cell::Risk(g.risk),
            Text(accounts.name(g.account_id)),
        ])?;
    }
    sheet.finish()
}

/// What holds the group, as the CSV's `used_by` names it, without the rules of other groups: the seed's
/// "ENIs/instances attached", widened to every kind of resource sgaudit reads.
fn attached_resources(g: &GroupVerdict) -> String {
    let mut seen: Vec<String> = g
        .used_by
        .iter()
        .filter(|u| u.kind != ResourceKind::SecurityGroup)
        .map(|u| format!("{}:{}", u.kind.id(), u.id))
        .collect();
    seen.dedup();
    seen.join(JOIN)
}

/// The ingress rules that admit SSH, one `peer -> ports` per peer, as the seed writes `0.0.0.0/0 -> 22`.
fn ssh_rules(group: &SecurityGroup) -> String {
    let mut out = Vec::new();
    for rule in group.ingress.iter().filter(|r| covers_port(r, SSH, false)) {
        let ports = ports(rule);
        let peers = rule
            .ipv4_ranges
            .iter()
            .chain(&rule.ipv6_ranges)
            .chain(&rule.prefix_lists)
            .map(|p| p.id.as_str())
            .chain(rule.groups.iter().map(|g| g.group_id.as_str()));
        out.extend(peers.map(|peer| format!("{peer} -> {ports}")));
    }
    out.join(JOIN)
}

/// `22`, `0-1024` or `all` (every protocol); a TCP rule without ports covers them all.
fn ports(rule: &Rule) -> String {
    if matches!(rule.protocol.to_ascii_lowercase().as_str(), "-1" | "all") {
        return "all".to_string();
    }
    match (rule.from_port, rule.to_port) {
        (Some(from), Some(to)) if from >= 0 && from == to => from.to_string(),
        (Some(from), Some(to)) if from >= 0 && to >= 0 => format!("{}-{}", from.min(to), from.max(to)),
        _ => "0-65535".to_string(),
    }
}

fn all_groups(book: &mut Book, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    let mut sheet = book.sheet("all_groups", audit.groups.len() + 1)?;
    sheet.header(&csv::COLUMNS)?;
    for g in &audit.groups {
        let row = csv::row(g, accounts);
        // The CSV's values, typed where Excel can sort and filter better: flags as booleans, the count as a
        // number, status and risk coloured. They read back as the CSV's text.
        let cells: Vec<Cell> = csv::COLUMNS
            .iter()
            .zip(&row)
            .map(|(&column, value)| match column {
                "is_default" | "has_ssh_rule" | "has_ssh_open_world" => {
                    value.parse().map_or(Cell::Text(value), Cell::Bool)
                }
                "attached_eni_count" => value.parse().map_or(Cell::Text(value), Cell::Number),
                "status" => Cell::Status(g.status),
                "risk" => Cell::Risk(g.risk),
                _ => Cell::Text(value),
            })
            .collect();
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// Groups that the `unused` sheet offers for deletion: unused, and not a VPC's default group (which AWS
/// refuses to delete).
fn is_cleanup_candidate(g: &GroupVerdict) -> bool {
    g.status == Status::Unused && !g.is_default
}

fn unused(book: &mut Book, snapshot: &Snapshot, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    let regions: HashMap<(&str, &str), &RegionSnapshot> =
        snapshot.regions.iter().map(|r| ((r.account_id.as_str(), r.region.as_str()), r)).collect();
    let candidates: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| is_cleanup_candidate(g)).collect();
    let mut sheet = book.sheet("unused", candidates.len() + 1)?;
    sheet.header(&UNUSED_COLUMNS)?;
    // The sentence about evidence is the same for every group of a region.
    let mut evidence: HashMap<(&str, &str), String> = HashMap::new();
    for g in candidates {
        let group = g.group;
        let evidence = evidence.entry((g.account_id, g.region)).or_insert_with(|| {
            let coverage = regions.get(&(g.account_id, g.region)).map(|r| r.coverage.as_slice()).unwrap_or_default();
            let not_applicable =
                coverage.iter().filter(|c| matches!(c.state, CoverageState::NotApplicable { .. })).count();
            format!(
                "every source of evidence of its region was read ({} read, {not_applicable} not applicable there)",
                coverage.len() - not_applicable
            )
        });
        let referenced_by: Vec<&str> = g.referenced_by.iter().map(|r| r.group_id).collect();
        let rules = if referenced_by.is_empty() {
            "no other group's rule names it".to_string()
        } else {
            format!(
                "only rules of unused groups name it ({}): delete those groups or their rules first",
                referenced_by.join(", ")
            )
        };
        let why = format!("no network interface holds it; no resource's configuration names it; {rules}; {evidence}");
        let tags = group.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(JOIN);
        sheet.row(&[
            Cell::Text(g.account_id),
            Cell::Text(accounts.profile(g.account_id)),
            Cell::Text(g.region),
            Cell::Text(&group.group_id),
            Cell::Text(&group.group_name),
            Cell::Text(group.vpc_id.as_deref().unwrap_or_default()),
            Cell::Text(&group.description),
            Cell::Risk(g.risk),
            Cell::Text(&why),
            Cell::Text(&referenced_by.join(JOIN)),
            Cell::Text(&tags),
            Cell::Text(accounts.name(g.account_id)),
        ])?;
    }
    sheet.finish()
}

fn findings(book: &mut Book, audit: &Audit) -> Result<(), XlsxError> {
    let rows = audit.groups.iter().map(|g| g.findings.len()).sum::<usize>() + 1;
    let mut sheet = book.sheet("findings", rows)?;
    sheet.header(&FINDINGS_COLUMNS)?;
    for g in &audit.groups {
        for f in &g.findings {
            sheet.row(&[
                Cell::Text(g.account_id),
                Cell::Text(g.region),
                Cell::Text(&g.group.group_id),
                Cell::Text(&g.group.group_name),
                Cell::Text(f.id),
                Cell::Severity(f.severity),
                Cell::Text(f.title),
                Cell::Text(&f.message),
                Cell::Text(&f.controls.join(JOIN)),
            ])?;
        }
    }
    sheet.finish()
}

fn coverage(book: &mut Book, snapshot: &Snapshot) -> Result<(), XlsxError> {
    use Cell::{Blank, Number, Text, Word};
    let accounts: Vec<_> = snapshot.accounts.iter().filter(|a| a.error.is_some() || a.skipped.is_some()).collect();
    let rows = accounts.len() + snapshot.regions.iter().map(|r| r.coverage.len().max(1)).sum::<usize>() + 1;
    let mut sheet = book.sheet("coverage", rows)?;
    sheet.header(&COVERAGE_COLUMNS)?;
    // Whole accounts first: nothing of theirs is in the other sheets.
    for a in accounts {
        let mut cells = vec![Text(&a.account_id), Blank, Word("account", Tone::Plain)];
        match (&a.error, &a.skipped) {
            (Some(e), _) => cells.extend([
                Word("unreachable", Tone::Missing),
                Text(&e.code),
                Text(&e.message),
                Text(e.action.as_deref().unwrap_or_default()),
                Cell::Bool(e.scp_deny),
            ]),
            (None, Some(why)) => cells.extend([Word("skipped", Tone::Quiet), Blank, Text(why)]),
            (None, None) => {}
        }
        sheet.row(&cells)?;
    }
    for r in &snapshot.regions {
        if r.coverage.is_empty() {
            sheet.row(&[
                Text(&r.account_id),
                Text(&r.region),
                Blank,
                Word("none recorded", Tone::Missing),
                Blank,
                Word("no source of evidence was recorded for this region", Tone::Plain),
            ])?;
        }
        for c in &r.coverage {
            let mut cells = vec![Text(&r.account_id), Text(&r.region), Text(&c.source)];
            match &c.state {
                CoverageState::Complete => cells.extend([Word("complete", Tone::Plain), Blank, Blank, Blank, Blank]),
                CoverageState::NotApplicable { reason } => {
                    cells.extend([Word("not_applicable", Tone::Quiet), Blank, Text(reason), Blank, Blank])
                }
                CoverageState::Denied { error } | CoverageState::Failed { error } => cells.extend([
                    Word(
                        if matches!(c.state, CoverageState::Denied { .. }) { "denied" } else { "failed" },
                        Tone::Missing,
                    ),
                    Text(&error.code),
                    Text(&error.message),
                    Text(error.action.as_deref().unwrap_or_default()),
                    Cell::Bool(error.scp_deny),
                ]),
            }
            cells.extend([Number(c.requests as usize), Number(c.items as usize)]);
            sheet.row(&cells)?;
        }
    }
    sheet.finish()
}

/// One cell. Text that comes from AWS or a user is only ever `Text`.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Bool(bool),
    Number(usize),
    Status(Status),
    Risk(Risk),
    Severity(Severity),
    /// One of sgaudit's own words or sentences.
    Word(&'a str, Tone),
    Blank,
}

#[derive(Clone, Copy)]
enum Tone {
    Plain,
    Title,
    Label,
    /// Evidence missing: drawn as `unknown` is, since that is what it makes of the groups.
    Missing,
    /// Nothing to see (not applicable, skipped).
    Quiet,
}

struct Styles {
    header: Format,
    title: Format,
    label: Format,
    /// Excel's quote prefix: the cell stays text even when edited.
    quoted: Format,
    in_use: Format,
    unused: Format,
    unknown: Format,
    /// By [`Risk`], from `None` to `Critical`: its declared order, so `risk as usize` indexes it.
    risk: [Format; 5],
}

impl Styles {
    fn new() -> Self {
        let fill = |background: u32, font: u32| {
            Format::new().set_background_color(Color::RGB(background)).set_font_color(Color::RGB(font))
        };
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_border_bottom(FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(14),
            label: Format::new().set_bold(),
            quoted: Format::new().set_quote_prefix(),
            in_use: fill(0xC6EFCE, 0x006100),
            unused: fill(0xDDEBF7, 0x1F4E78),
            // Unknown must not pass for unused at a glance: another hue, and bold.
            unknown: fill(0xE4DFEC, 0x5B2C6F).set_bold(),
            risk: [
                Format::new().set_font_color(Color::RGB(0x808080)),
                fill(0xBDD7EE, 0x000000),
                fill(0xFFC000, 0x000000),
                fill(0xE8501F, 0xFFFFFF).set_bold(),
                fill(0x8B0000, 0xFFFFFF).set_bold(),
            ],
        }
    }

    fn status(&self, status: Status) -> &Format {
        match status {
            Status::InUse => &self.in_use,
            Status::Unused => &self.unused,
            Status::Unknown => &self.unknown,
        }
    }

    fn risk(&self, risk: Risk) -> &Format {
        &self.risk[risk as usize]
    }

    fn tone(&self, tone: Tone) -> Option<&Format> {
        match tone {
            Tone::Plain => None,
            Tone::Title => Some(&self.title),
            Tone::Label => Some(&self.label),
            Tone::Missing => Some(&self.unknown),
            Tone::Quiet => Some(&self.risk[Risk::None as usize]),
        }
    }
}

/// A finding's severity, with the colour of the risk of the same name.
fn severity(severity: Severity) -> (&'static str, Risk) {
    match severity {
        Severity::Informational => ("informational", Risk::None),
        Severity::Low => ("low", Risk::Low),
        Severity::Medium => ("medium", Risk::Medium),
        Severity::High => ("high", Risk::High),
        Severity::Critical => ("critical", Risk::Critical),
    }
}

struct Book {
    workbook: Workbook,
    styles: Styles,
    constant_memory: Vec<&'static str>,
}

impl Book {
    /// Adds a sheet that will hold `rows` rows, in constant-memory mode if they are many.
    fn sheet(&mut self, name: &'static str, rows: usize) -> Result<Sheet<'_>, XlsxError> {
        if rows > MAX_ROWS {
            return Err(XlsxError::ParameterError(format!(
                "the {name} sheet would need {rows} rows and Excel holds {MAX_ROWS}; use the CSV or JSON report"
            )));
        }
        let ws = if rows > CONSTANT_MEMORY_ROWS {
            self.constant_memory.push(name);
            self.workbook.add_worksheet_with_constant_memory()?
        } else {
            self.workbook.add_worksheet()
        };
        ws.set_name(name)?;
        Ok(Sheet { ws, styles: &self.styles, row: 0, widths: Vec::new(), table: None })
    }
}

/// A sheet written top to bottom, as constant-memory mode needs.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    styles: &'a Styles,
    row: u32,
    /// Widest content of each column so far, in characters.
    widths: Vec<usize>,
    /// The header row and width of the table that gets the autofilter.
    table: Option<(u32, usize)>,
}

impl Sheet<'_> {
    /// The bold header of the sheet's table; the filter covers it and the rows below it.
    fn header(&mut self, columns: &[&str]) -> Result<(), XlsxError> {
        for (c, name) in columns.iter().enumerate() {
            self.ws.write_string_with_format(self.row, col(c), *name, &self.styles.header)?;
            // Room for the filter's button.
            self.measure(c, width(name) + 3);
        }
        self.table = Some((self.row, columns.len()));
        self.row += 1;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        let styles = self.styles;
        let row = self.row;
        for (c, cell) in cells.iter().enumerate() {
            let column = col(c);
            match *cell {
                Cell::Text(text) => {
                    let text = fit(text);
                    self.measure(c, width(&text));
                    if csv::is_formula_like(&text) {
                        self.ws.write_string_with_format(row, column, text, &styles.quoted)?;
                    } else {
                        self.ws.write_string(row, column, text)?;
                    }
                }
                Cell::Bool(b) => {
                    self.measure(c, 5);
                    self.ws.write_boolean(row, column, b)?;
                }
                Cell::Number(n) => {
                    self.measure(c, n.to_string().len());
                    self.ws.write_number(row, column, n as f64)?;
                }
                Cell::Status(s) => self.styled(c, s.id(), Some(styles.status(s)))?,
                Cell::Risk(r) => self.styled(c, r.id(), Some(styles.risk(r)))?,
                Cell::Severity(s) => {
                    let (word, risk) = severity(s);
                    self.styled(c, word, Some(styles.risk(risk)))?;
                }
                Cell::Word(word, tone) => self.styled(c, word, styles.tone(tone))?,
                Cell::Blank => {}
            }
        }
        self.row += 1;
        Ok(())
    }

    fn styled(&mut self, c: usize, word: &str, format: Option<&Format>) -> Result<(), XlsxError> {
        self.measure(c, width(word));
        match format {
            Some(format) => self.ws.write_string_with_format(self.row, col(c), word, format)?,
            None => self.ws.write_string(self.row, col(c), word)?,
        };
        Ok(())
    }

    fn skip(&mut self) {
        self.row += 1;
    }

    fn measure(&mut self, c: usize, width: usize) {
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(width);
    }

    /// Column widths; and for a table, the filter, and the header frozen when the table starts the sheet.
    fn finish(self) -> Result<(), XlsxError> {
        if let Some((header, columns)) = self.table {
            if header == 0 {
                self.ws.set_freeze_panes(1, 0)?;
            }
            let last_row = self.row.saturating_sub(1).max(header);
            self.ws.autofilter(header, 0, last_row, col(columns.saturating_sub(1)))?;
        }
        for (c, &w) in self.widths.iter().enumerate() {
            if w > 0 {
                self.ws.set_column_width(col(c), (w + 2).min(MAX_WIDTH) as f64)?;
            }
        }
        Ok(())
    }
}

fn col(c: usize) -> u16 {
    // Sheets here have a few dozen columns; anything larger is refused by rust_xlsxwriter.
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Characters, counted no further than the widest column.
fn width(text: &str) -> usize {
    text.chars().take(MAX_WIDTH).count()
}

/// The text, cut to Excel's limit for a cell (rust_xlsxwriter refuses longer ones): a group held by
/// thousands of interfaces has a `used_by` longer than that.
fn fit(text: &str) -> Cow<'_, str> {
    // UTF-8 never takes fewer bytes than UTF-16 takes units, so a text short in bytes fits.
    if text.len() <= MAX_CELL || text.chars().map(char::len_utf16).sum::<usize>() <= MAX_CELL {
        return Cow::Borrowed(text);
    }
    let budget = MAX_CELL - CUT.len();
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > budget {
            break;
        }
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}{CUT}", &text[..end]))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Cursor;

    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    use sgaudit_snapshot::{Account, SourceError, Target};

    use super::*;
    use crate::test_support::{demo, group_named};

    fn written(snapshot: &Snapshot) -> Written {
        workbook(snapshot, &sgaudit_audit::audit(snapshot)).unwrap()
    }

    fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
    }

    /// Every row of a sheet, each cell as its text (booleans `true`/`false`, counts without decimals).
    fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<String>> {
        let range = book.worksheet_range(name).unwrap();
        range.rows().map(|r| r.iter().map(Data::to_string).collect()).collect()
    }

    fn column(rows: &[Vec<String>], name: &str) -> usize {
        rows[0].iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    /// The values of one column, below the header.
    fn values<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
        let c = column(rows, name);
        rows[1..].iter().map(|r| r[c].as_str()).collect()
    }

    fn cell<'a>(rows: &'a [Vec<String>], group_id: &str, name: &str) -> &'a str {
        let id = column(rows, "security_group_id");
        let row = rows.iter().find(|r| r[id] == group_id).unwrap_or_else(|| panic!("no row for {group_id}"));
        &row[column(rows, name)]
    }

    #[test]
    fn sheets_and_headers_in_order() {
        let mut book = open(&written(&demo()).bytes);
        assert_eq!(book.sheet_names(), SHEETS);
        for (name, header) in [
            ("default_sg", &SEED_COLUMNS[..]),
            ("ssh_open", &SEED_COLUMNS),
            ("ssh_world", &SEED_COLUMNS),
            ("all_groups", &csv::COLUMNS),
            ("unused", &UNUSED_COLUMNS),
            ("findings", &FINDINGS_COLUMNS),
            ("coverage", &COVERAGE_COLUMNS),
        ] {
            assert_eq!(sheet(&mut book, name)[0], header, "{name}");
        }
        let summary = sheet(&mut book, "summary");
        assert_eq!(summary[0][0], "sgaudit security group audit");
        assert!(summary.iter().any(|r| r[..REGION_COLUMNS.len()] == REGION_COLUMNS));
    }

    #[test]
    fn all_groups_holds_the_csv_rows() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let mut book = open(&workbook(&snapshot, &audit).unwrap().bytes);
        let rows = sheet(&mut book, "all_groups");
        assert_eq!(rows.len() - 1, audit.groups.len());
        assert_eq!(rows.len() - 1, 20);
        let accounts = csv::Accounts::of(&snapshot);
        for (row, g) in rows[1..].iter().zip(&audit.groups) {
            assert_eq!(row[..], csv::row(g, &accounts), "{}", g.group.group_id);
        }
        // Typed cells read back as the CSV's text, and are typed.
        let range = book.worksheet_range("all_groups").unwrap();
        let bastion = rows.iter().position(|r| r[3] == "sg-0a300000000ba5710").unwrap();
        assert_eq!(range.get((bastion, column(&rows, "has_ssh_open_world"))), Some(&Data::Bool(true)));
        assert_eq!(range.get((bastion, column(&rows, "attached_eni_count"))), Some(&Data::Float(1.0)));
        assert_eq!(cell(&rows, "sg-0a300000000ba5710", "status"), "in_use");
    }

    /// Which groups have an ingress rule for TCP 22, worked out from the rules without the audit's helpers.
    fn admits_ssh(rule: &Rule) -> bool {
        match rule.protocol.as_str() {
            "-1" => true,
            "tcp" | "6" => rule.from_port.unwrap_or(0) <= 22 && 22 <= rule.to_port.unwrap_or(65535),
            _ => false,
        }
    }

    #[test]
    fn the_seed_columns_keep_their_places_and_the_account_name_comes_last() {
        let seed = [
            "account_profile",
            "account_id",
            "region",
            "security_group_id",
            "group_name",
            "vpc_id",
            "is_default",
            "has_ssh_rule",
            "has_ssh_open_world",
            "in_use",
            "attached_eni_count",
            "attached_resources",
            "ssh_rules",
        ];
        assert_eq!(SEED_COLUMNS[..13], seed);
        assert_eq!(SEED_COLUMNS.last(), Some(&"account_name"));
        assert_eq!(UNUSED_COLUMNS.last(), Some(&"account_name"));
        assert_eq!(csv::COLUMNS.last(), Some(&"account_name"));
    }

    #[test]
    fn every_group_sheet_names_the_account_with_org() {
        let mut snapshot = demo();
        snapshot.accounts[0].name = Some("=Prod payments".into());
        let mut book = open(&written(&snapshot).bytes);
        for name in ["default_sg", "ssh_open", "ssh_world", "all_groups", "unused"] {
            let rows = sheet(&mut book, name);
            assert!(rows.len() > 1, "{name}");
            // A text cell, as AWS has it: no `'` added, and no formula.
            assert!(values(&rows, "account_name").iter().all(|&n| n == "=Prod payments"), "{name}");
            assert_eq!(book.worksheet_formula(name).unwrap().used_cells().count(), 0, "{name}");
        }
        // Without a name (no --org), the column is there and empty.
        let mut book = open(&written(&demo()).bytes);
        let rows = sheet(&mut book, "all_groups");
        assert!(values(&rows, "account_name").iter().all(|n| n.is_empty()));
    }

    #[test]
    fn seed_tabs_hold_the_groups_that_qualify() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let mut book = open(&written(&snapshot).bytes);
        let groups = snapshot.regions.iter().flat_map(|r| &r.security_groups);
        let world = |r: &Rule| {
            r.ipv4_ranges.iter().any(|p| p.id == "0.0.0.0/0") || r.ipv6_ranges.iter().any(|p| p.id == "::/0")
        };
        let expected: [(&str, BTreeSet<&str>); 3] = [
            ("default_sg", groups.clone().filter(|g| g.group_name == "default").map(|g| &*g.group_id).collect()),
            ("ssh_open", groups.clone().filter(|g| g.ingress.iter().any(admits_ssh)).map(|g| &*g.group_id).collect()),
            (
                "ssh_world",
                groups
                    .clone()
                    .filter(|g| g.ingress.iter().any(|r| admits_ssh(r) && world(r)))
                    .map(|g| &*g.group_id)
                    .collect(),
            ),
        ];
        for (name, ids) in &expected {
            let rows = sheet(&mut book, name);
            let got: Vec<&str> = values(&rows, "security_group_id");
            assert_eq!(got.len(), ids.len(), "{name}: {got:?}");
            assert_eq!(got.iter().copied().collect::<BTreeSet<_>>(), *ids, "{name}");
            assert!(!ids.is_empty(), "{name}: the demo has some");
            // The status, never a bare boolean, and the same as the verdict's.
            for (id, status) in got.iter().zip(values(&rows, "in_use")) {
                let g = audit.groups.iter().find(|g| g.group.group_id == *id).unwrap();
                assert_eq!(status, g.status.id(), "{name} {id}");
            }
            assert!(values(&rows, "account_profile").iter().all(|&p| p == "demo"));
        }
        assert_eq!(expected[0].1.len(), 3);

        let world_rows = sheet(&mut book, "ssh_world");
        assert_eq!(cell(&world_rows, "sg-0a300000000ba5710", "ssh_rules"), "0.0.0.0/0 -> 22");
        assert_eq!(cell(&world_rows, "sg-0a300000000ba5710", "has_ssh_open_world"), "true");
        assert_eq!(cell(&world_rows, "sg-0a300000000ba5710", "attached_eni_count"), "1");
        assert_eq!(
            cell(&world_rows, "sg-0a300000000ba5710", "attached_resources"),
            "network-interface:eni-0a000000000000002 | ec2-instance:i-0a00000000000bast"
        );
        assert_eq!(cell(&world_rows, "sg-0a300000000ba5710", "risk"), "critical");
        // Open to the world, in a region whose Lambda functions could not be read: unknown, not unused.
        assert_eq!(cell(&world_rows, "sg-0b2000000000e5522", "in_use"), "unknown");
    }

    #[test]
    fn unused_lists_the_cleanup_candidates_and_why() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let mut book = open(&written(&snapshot).bytes);
        let rows = sheet(&mut book, "unused");
        let expected: Vec<&str> = audit
            .groups
            .iter()
            .filter(|g| g.status == Status::Unused && g.group.group_name != "default")
            .map(|g| g.group.group_id.as_str())
            .collect();
        assert_eq!(values(&rows, "security_group_id"), expected);
        assert!(expected.len() >= 4, "{expected:?}");
        assert!(audit.groups.iter().any(|g| g.status == Status::Unused && g.is_default), "a default group is left out");

        let why = cell(&rows, "sg-0a400000000001dc1", "why_unused");
        assert!(
            why.starts_with("no network interface holds it; no resource's configuration names it; no other"),
            "{why}"
        );
        let read = sgaudit_snapshot::SOURCES.len() - 1;
        assert!(why.ends_with(&format!("({read} read, 1 not applicable there)")), "{why}");
        let chain = cell(&rows, "sg-0a500000000cab1ea", "why_unused");
        assert!(chain.contains("only rules of unused groups name it (sg-0a600000000cab1eb)"), "{chain}");
        assert_eq!(cell(&rows, "sg-0a500000000cab1ea", "referenced_by"), "sg-0a600000000cab1eb");
    }

    #[test]
    fn one_finding_per_row() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let mut book = open(&written(&snapshot).bytes);
        let rows = sheet(&mut book, "findings");
        let total: usize = audit.groups.iter().map(|g| g.findings.len()).sum();
        assert_eq!(rows.len() - 1, total);
        let ssh: Vec<&Vec<String>> =
            rows.iter().filter(|r| r[2] == "sg-0a300000000ba5710" && r[4] == "sg-world-open-ssh").collect();
        assert_eq!(ssh.len(), 1);
        assert_eq!(ssh[0][5], "critical");
        assert!(ssh[0][8].contains("EC2.13"), "{:?}", ssh[0]);
    }

    #[test]
    fn coverage_has_a_row_per_source_and_per_account_not_read() {
        let mut snapshot = demo();
        snapshot.accounts.push(Account {
            account_id: "prod-profile".into(),
            name: None,
            profile: Some("prod-profile".into()),
            error: Some(SourceError {
                code: "AccessDenied".into(),
                message: "not authorized to perform sts:AssumeRole".into(),
                action: Some("sts:AssumeRole".into()),
                scp_deny: true,
            }),
            skipped: None,
        });
        snapshot.accounts.push(Account {
            account_id: "222222222222".into(),
            name: None,
            profile: None,
            error: None,
            skipped: Some("suspended".into()),
        });
        let mut book = open(&written(&snapshot).bytes);
        let rows = sheet(&mut book, "coverage");
        let sources: usize = snapshot.regions.iter().map(|r| r.coverage.len()).sum();
        assert_eq!(sources, 2 * sgaudit_snapshot::SOURCES.len());
        assert_eq!(rows.len() - 1, sources + 2);
        assert_eq!(
            rows[1][..9],
            [
                "prod-profile",
                "",
                "account",
                "unreachable",
                "AccessDenied",
                "not authorized to perform sts:AssumeRole",
                "sts:AssumeRole",
                "true",
                ""
            ]
        );
        assert_eq!(rows[2][..6], ["222222222222", "", "account", "skipped", "", "suspended"]);
        let denied = rows.iter().find(|r| r[1] == "eu-west-1" && r[2] == "lambda-functions").unwrap();
        assert_eq!(denied[3], "denied");
        assert_eq!(denied[4], "AccessDeniedException");
        assert_eq!(denied[6], "lambda:ListFunctions");
        let states: BTreeSet<&str> = values(&rows, "state").into_iter().collect();
        assert_eq!(states, BTreeSet::from(["complete", "denied", "not_applicable", "unreachable", "skipped"]));

        let summary = sheet(&mut book, "summary");
        let fact = |label: &str| summary.iter().find(|r| r[0] == label).map(|r| r[1].as_str()).unwrap();
        assert!(fact("results").starts_with("partial"), "{}", fact("results"));
        assert_eq!(fact("accounts unreachable"), "1");
        assert_eq!(fact("accounts skipped"), "1");
        assert!(summary.iter().any(|r| r[1].contains("prod-profile: AccessDenied (sts:AssumeRole)")));
    }

    #[test]
    fn summary_counts_by_status_risk_and_region() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let mut book = open(&written(&snapshot).bytes);
        let summary = sheet(&mut book, "summary");
        let fact = |label: &str| summary.iter().find(|r| r[0] == label).map(|r| r[1].as_str()).unwrap();
        assert_eq!(fact("collected at"), "2026-11-23T04:00:00Z");
        assert_eq!(fact("snapshot written by sgaudit"), "demo");
        assert!(fact("results").starts_with("partial"));
        assert!(fact("what unknown means").contains("cannot prove the group unused"));
        for status in [Status::InUse, Status::Unused, Status::Unknown] {
            assert_eq!(fact(status.id()), audit.count_status(status).to_string(), "{status:?}");
        }
        for risk in Risk::ALL {
            assert_eq!(fact(risk.id()), audit.count_risk(risk).to_string(), "{risk:?}");
        }
        let header = summary.iter().position(|r| r[..REGION_COLUMNS.len()] == REGION_COLUMNS).unwrap();
        let regions = &summary[header + 1..];
        assert_eq!(regions.len(), 2);
        for (row, region) in regions.iter().zip(["eu-west-1", "us-east-1"]) {
            let of_region: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| g.region == region).collect();
            let count = |status| of_region.iter().filter(|g| g.status == status).count().to_string();
            assert_eq!(row[..3], ["123456789012", "demo", region]);
            assert_eq!(row[4], of_region.len().to_string());
            assert_eq!(row[5..8], [count(Status::InUse), count(Status::Unused), count(Status::Unknown)]);
        }
        assert_eq!(regions[0][3], "partial");
        assert_eq!(regions[1][3], "complete");
        assert_eq!(regions[0][7], "3", "eu-west-1's Lambda functions could not be read");
        let total: usize =
            regions.iter().map(|r| r[8..13].iter().map(|n| n.parse::<usize>().unwrap()).sum::<usize>()).sum();
        assert_eq!(total, audit.groups.len());
    }

    #[test]
    fn hostile_text_stays_text_and_no_cell_is_a_formula() {
        let mut snapshot = demo();
        group_named(&mut snapshot, "sg-0a500000000cab1ea").group_name = "=HYPERLINK(\"http://evil\",\"x\")".into();
        group_named(&mut snapshot, "sg-0a600000000cab1eb").description = "@SUM(1+1)".into();
        group_named(&mut snapshot, "sg-0a400000000001dc1").group_name = " =cmd|' /C calc'!A0".into();
        group_named(&mut snapshot, "sg-0a600000000cab1eb").group_name = "\u{ff1d}1+1".into();
        let bytes = written(&snapshot).bytes;
        let mut book = open(&bytes);
        let rows = sheet(&mut book, "all_groups");
        assert_eq!(cell(&rows, "sg-0a400000000001dc1", "tags"), "Owner==HYPERLINK(\"http://evil\")");
        assert_eq!(cell(&rows, "sg-0aa00000000ad3389", "group_name"), "<b>rdp-admin</b>");
        // No `'` added: the value is AWS's, and the cell is a string.
        assert_eq!(cell(&rows, "sg-0a500000000cab1ea", "group_name"), "=HYPERLINK(\"http://evil\",\"x\")");
        let range = book.worksheet_range("unused").unwrap();
        let unused = sheet(&mut book, "unused");
        let r = unused.iter().position(|r| r[3] == "sg-0a500000000cab1ea").unwrap();
        assert_eq!(range.get((r, 4)), Some(&Data::String("=HYPERLINK(\"http://evil\",\"x\")".into())));
        assert_eq!(cell(&unused, "sg-0a600000000cab1eb", "description"), "@SUM(1+1)");
        assert_eq!(cell(&unused, "sg-0a400000000001dc1", "group_name"), " =cmd|' /C calc'!A0");
        assert_eq!(cell(&unused, "sg-0a600000000cab1eb", "group_name"), "\u{ff1d}1+1");
        for name in SHEETS {
            let formulas = book.worksheet_formula(name).unwrap();
            assert_eq!(formulas.used_cells().count(), 0, "{name} has formulas");
        }
    }

    #[test]
    fn text_longer_than_a_cell_is_cut_with_a_note() {
        assert!(matches!(fit("short"), Cow::Borrowed("short")));
        let long = "é".repeat(40_000);
        let cut = fit(&long);
        assert!(cut.ends_with(CUT));
        assert_eq!(cut.encode_utf16().count(), MAX_CELL);
        // Characters outside the BMP take two UTF-16 units, and are not split.
        let wide = "𝄞".repeat(20_000);
        let cut = fit(&wide);
        assert!(cut.encode_utf16().count() <= MAX_CELL);
        assert!(cut.strip_suffix(CUT).unwrap().chars().all(|c| c == '𝄞'));

        let mut snapshot = demo();
        group_named(&mut snapshot, "sg-0a400000000001dc1").tags.insert("Notes".into(), "x".repeat(50_000));
        let mut book = open(&written(&snapshot).bytes);
        let rows = sheet(&mut book, "all_groups");
        let tags = cell(&rows, "sg-0a400000000001dc1", "tags");
        assert_eq!(tags.encode_utf16().count(), MAX_CELL);
        assert!(tags.starts_with("Notes=xxx") && tags.ends_with(CUT));
    }

    /// The demo's regions, `copies` times over, in as many accounts, every id made unique; rules and
    /// attachments follow their groups, so verdicts come out as in the demo.
    fn estate(copies: usize) -> Snapshot {
        let demo = demo();
        let mut snapshot = Snapshot::new("synthetic", demo.collected_at.clone());
        for k in 0..copies {
            let account = format!("{:012}", 100_000_000_000 + k);
            let rename = |id: &str| format!("{id}{k:06x}");
            snapshot.accounts.push(Account {
                account_id: account.clone(),
                name: Some(format!("account {k}")),
                profile: Some(format!("profile-{k}")),
                error: None,
                skipped: None,
            });
            for region in &demo.regions {
                let mut region = region.clone();
                region.account_id = account.clone();
                for g in &mut region.security_groups {
                    g.group_id = rename(&g.group_id);
                    for rule in g.ingress.iter_mut().chain(g.egress.iter_mut()) {
                        for peer in &mut rule.groups {
                            peer.group_id = rename(&peer.group_id);
                        }
                    }
                }
                for a in &mut region.attachments {
                    if let Target::Group(id) = &mut a.target {
                        *id = rename(id);
                    }
                }
                snapshot.regions.push(region);
            }
        }
        snapshot
    }

    #[test]
    fn a_large_estate_is_written_in_constant_memory() {
        let snapshot = estate(1_000);
        let audit = sgaudit_audit::audit(&snapshot);
        assert_eq!(audit.groups.len(), 20_000);
        let written = workbook(&snapshot, &audit).unwrap();
        assert!(written.constant_memory.contains(&"all_groups"), "{:?}", written.constant_memory);
        assert!(written.constant_memory.contains(&"coverage"), "{:?}", written.constant_memory);
        assert!(!written.constant_memory.contains(&"ssh_world"), "{:?}", written.constant_memory);

        let mut book = open(&written.bytes);
        let rows = sheet(&mut book, "all_groups");
        assert_eq!(rows.len() - 1, 20_000);
        let accounts = csv::Accounts::of(&snapshot);
        for i in [0, 1, 9_999, 19_999] {
            let g = &audit.groups[i];
            assert_eq!(rows[i + 1][..], csv::row(g, &accounts));
            assert_eq!(rows[i + 1][column(&rows, "account_name")], format!("account {}", i / 20));
        }
        assert_eq!(sheet(&mut book, "coverage").len() - 1, 2_000 * sgaudit_snapshot::SOURCES.len());
        let findings: usize = audit.groups.iter().map(|g| g.findings.len()).sum();
        assert_eq!(sheet(&mut book, "findings").len() - 1, findings);
    }

    /// Not a check: how long 100,000 groups take. `cargo test -p sgaudit-report -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn time_a_hundred_thousand_groups() {
        let snapshot = estate(5_000);
        let audit = sgaudit_audit::audit(&snapshot);
        // Peak resident memory so far, where Linux tells it.
        let peak = || {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("VmHWM: ?").to_string()
        };
        eprintln!("before writing: {}", peak());
        let start = std::time::Instant::now();
        let mut out = Vec::new();
        write(&mut out, &snapshot, &audit).unwrap();
        eprintln!("after writing: {}", peak());
        eprintln!(
            "xlsx: {} groups, {} findings, {} coverage rows: {:.2?}, {} bytes",
            audit.groups.len(),
            audit.groups.iter().map(|g| g.findings.len()).sum::<usize>(),
            snapshot.regions.iter().map(|r| r.coverage.len()).sum::<usize>(),
            start.elapsed(),
            out.len()
        );
    }
}

//! The Excel workbook. After a `summary`, the three tabs of the seed script that people already filter
//! (`default_sg`, `ssh_open`, `ssh_world`, with its columns), then every group (`all_groups`: the CSV's
//! columns and values), the cleanup candidates (`unused`) and one row per finding (`findings`), when groups
//! were judged. Then, for each other family judged, the sheets of the monthly security re-check
//! (shared/seeds/003): `Open ports`, `Access keys` (state and age), `MFA`, `CloudTrail` (a row per region),
//! `S3 grants`; every result of those checks (`Checks`); and what evidence was read (`coverage`). Last,
//! when exceptions were declared for the run, every one of them and its state (`exceptions`).
//! A result the evidence could not decide is shown as `not_evaluated` on the row it concerns, or on a row
//! of its own: never left out, never a pass.
//!
//! What exceptions did is in columns appended to the sheets it concerns (so that no column moves): a muted
//! finding or result keeps its row, with the exception's reason, owner, ticket and expiry (`findings`,
//! `Checks`) or in a line (`muted`, on the sheets of the monthly re-check); `all_groups` has the CSV's
//! `unused_since`, `unused_days`, `marked_in_use` and `muted_findings`; `unused` has how long each group has
//! been unused, and leaves out the groups people marked in use (they are never planned for cleanup).
//!
//! Names, descriptions, tags, user and bucket names, grantees and error messages are chosen by whoever can
//! edit them. Every such value is written as a string cell (`write_string`: never `write`, never a
//! formula), so Excel shows `=HYPERLINK(...)` as text and runs nothing. A cell that starts like a formula
//! also gets Excel's quote prefix, so that editing it (F2, Enter) does not turn it into one. Unlike the
//! CSV, no `'` is added to the value: the cell's type already says "text", and filters and lookups see the
//! name as AWS has it.
//!
//! Large estates: a sheet of more than [`CONSTANT_MEMORY_ROWS`] rows is written in rust_xlsxwriter's
//! constant-memory mode, which streams each finished row to a temporary file instead of holding every
//! cell. That mode needs rows in order, which is how every sheet here is written, and cannot autofit, so
//! column widths are measured here as the rows go by.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use sgaudit_audit::checks::{self, resource, CheckResult, CHECKS};
use sgaudit_audit::exceptions::ExceptionStatus;
use sgaudit_audit::exposure::{covers_port, is_world_open, SSH};
use sgaudit_audit::reach::ReachState;
use sgaudit_audit::{AccountState, Audit, Family, Fix, GroupVerdict, Muted, Outcome, Risk, Severity, Status};
use sgaudit_snapshot::posture::{
    AccessKey, Bucket, CredentialUser, Grant, ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY,
};
use sgaudit_snapshot::{CoverageState, RegionSnapshot, ResourceKind, Rule, SecurityGroup, Snapshot, SourceCoverage};

use crate::csv::{self, JOIN};
use crate::table::{self as terminal, Tally};
use crate::{fixes, memory};

/// Every sheet, in order. A workbook holds those of the families judged ([`sheets`]).
pub const SHEETS: [&str; 15] = [
    "summary",
    "default_sg",
    "ssh_open",
    "ssh_world",
    "all_groups",
    "unused",
    "findings",
    OPEN_PORTS,
    ACCESS_KEYS,
    MFA,
    CLOUDTRAIL,
    S3_GRANTS,
    CHECKS_SHEET,
    "coverage",
    EXCEPTIONS,
];

pub const OPEN_PORTS: &str = "open_ports";
pub const ACCESS_KEYS: &str = "access_keys";
pub const MFA: &str = "mfa";
pub const CLOUDTRAIL: &str = "cloudtrail";
pub const S3_GRANTS: &str = "s3_grants";
pub const CHECKS_SHEET: &str = "checks";
pub const EXCEPTIONS: &str = "exceptions";

/// The sheets of a workbook of `audit`, in order: those of the families it judged.
pub fn sheets(audit: &Audit) -> Vec<&'static str> {
    let groups = terminal::groups_judged(audit);
    let families = terminal::families(audit);
    SHEETS
        .into_iter()
        .filter(|&name| match name {
            "summary" | "coverage" => true,
            OPEN_PORTS => families.contains(&Family::Network),
            ACCESS_KEYS | MFA => families.contains(&Family::Iam),
            CLOUDTRAIL => families.contains(&Family::Cloudtrail),
            S3_GRANTS => families.contains(&Family::S3),
            CHECKS_SHEET => !families.is_empty(),
            EXCEPTIONS => !audit.exceptions.is_empty(),
            _ => groups,
        })
        .collect()
}

/// `Open ports`: every group that `net-sg-open-port` failed, with what its rules open to the world.
pub const OPEN_PORT_COLUMNS: [&str; 12] = [
    "account_id",
    "region",
    "security_group_id",
    "group_name",
    "vpc_id",
    "open_to_world",
    "status",
    "result",
    "severity",
    "evidence",
    "account_name",
    "muted",
];

/// `Access keys`: every access key of the credential reports, with `iam-access-key-rotation`'s result
/// (`iam-root-access-key`'s for the root user's keys, which should not exist at all).
pub const ACCESS_KEY_COLUMNS: [&str; 13] = [
    "account_id",
    "user",
    "key_slot",
    "state",
    "last_rotated",
    "age_days",
    "last_used",
    "check_id",
    "result",
    "severity",
    "evidence",
    "account_name",
    "muted",
];

/// `MFA`: every user of the credential reports, with the MFA check that applies to it.
pub const MFA_COLUMNS: [&str; 10] = [
    "account_id",
    "user",
    "console_password",
    "mfa",
    "check_id",
    "result",
    "severity",
    "evidence",
    "account_name",
    "muted",
];

/// `CloudTrail`: one row per account-region, from `cloudtrail-region-logged`.
pub const CLOUDTRAIL_COLUMNS: [&str; 9] =
    ["account_id", "region", "covered", "trails", "result", "severity", "evidence", "account_name", "muted"];

/// `S3 grants`: one row per grant of each bucket's ACL (one for a bucket whose ACL lists none or could not
/// be read), followed by one column per S3 check with the bucket's result, and the evidence of every
/// result that is not a pass.
pub const S3_GRANT_COLUMNS: [&str; 9] = [
    "account_id",
    "bucket",
    "region",
    "grantee",
    "grantee_type",
    "permission",
    "ownership",
    "bucket_public_access_block",
    "evidence",
];

/// `Checks`: every result of every check other than the group checks (whose failures are `findings`).
pub const CHECK_COLUMNS: [&str; 20] = [
    "check_id",
    "title",
    "family",
    "outcome",
    "severity",
    "account_id",
    "region",
    "resource_type",
    "resource",
    "evidence",
    "controls",
    "remediation",
    "account_name",
    "muted",
    "muted_reason",
    "muted_owner",
    "muted_ticket",
    "muted_expires",
    // Issue 16: the fix of a failure (`# <check id>: <summary>` and the AWS CLI commands, one a line) and its
    // Terraform snippet.
    "fix",
    "fix_terraform",
];

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

pub const UNUSED_COLUMNS: [&str; 14] = [
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
    "unused_since",
    "unused_days",
];

pub const FINDINGS_COLUMNS: [&str; 17] = [
    "account_id",
    "region",
    "security_group_id",
    "group_name",
    "check_id",
    "severity",
    "title",
    "message",
    "controls",
    "muted",
    "muted_reason",
    "muted_owner",
    "muted_ticket",
    "muted_expires",
    // Issue 16: whether the internet reaches the group (`all_groups` has the paths), and the finding's fix.
    "reachability",
    "fix",
    "fix_terraform",
];

/// `exceptions`: every exception declared for the run, and what became of it.
pub const EXCEPTION_COLUMNS: [&str; 8] =
    ["declared_at", "kind", "state", "matched", "reason", "owner", "ticket", "expires"];

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

/// The plain-English meaning of `unknown`, on the summary.
const UNKNOWN_MEANS: &str = "sgaudit could not read all the evidence about the group (a source of evidence was \
     denied or failed in its region, or a group of unknown status names it), so it cannot prove the group \
     unused. Treat it as possibly in use and do not delete it on this report; all_groups' missing_evidence \
     column says what was missing.";

/// The plain-English meaning of `not_evaluated`, on the summary.
const NOT_EVALUATED_MEANS: &str = "the evidence a check needs could not be read (denied, failed, or not in the \
     snapshot), so sgaudit cannot say whether it passes. It is not a pass: the evidence column says what was \
     missing; grant the permission it names and scan again.";

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
    if terminal::groups_judged(audit) {
        let default_sg: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| g.is_default).collect();
        let ssh_open: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| csv::has_ssh_rule(g.group)).collect();
        let ssh_world: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| g.exposure.ssh).collect();
        for (name, groups) in [("default_sg", default_sg), ("ssh_open", ssh_open), ("ssh_world", ssh_world)] {
            seed_sheet(&mut book, name, &groups, &accounts)?;
        }
        all_groups(&mut book, snapshot, audit, &accounts)?;
        unused(&mut book, snapshot, audit, &accounts)?;
        findings(&mut book, audit)?;
    }
    let families = terminal::families(audit);
    let results = Results::of(audit);
    if families.contains(&Family::Network) {
        open_ports(&mut book, snapshot, audit, &accounts)?;
    }
    if families.contains(&Family::Iam) {
        access_keys(&mut book, snapshot, audit, &results, &accounts)?;
        mfa(&mut book, snapshot, audit, &results, &accounts)?;
    }
    if families.contains(&Family::Cloudtrail) {
        cloudtrail(&mut book, snapshot, audit, &accounts)?;
    }
    if families.contains(&Family::S3) {
        s3_grants(&mut book, snapshot, audit, &accounts)?;
    }
    if !families.is_empty() {
        all_results(&mut book, audit, &accounts)?;
    }
    coverage(&mut book, snapshot)?;
    if !audit.exceptions.is_empty() {
        exceptions(&mut book, audit)?;
    }

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
    let groups = terminal::groups_judged(audit);
    let families = terminal::families(audit);
    let unreadable: Vec<String> = audit
        .regions
        .iter()
        .flat_map(|r| r.unreadable.iter().map(move |m| format!("{} {}: {m}", r.account_id, r.region)))
        .collect();
    let lists = [
        ("unreachable accounts", audit.unreachable_accounts.iter().map(ToString::to_string).collect()),
        ("skipped accounts", audit.skipped_accounts.iter().map(ToString::to_string).collect()),
        ("evidence not read", unreadable),
    ];
    let reports = terminal::credential_reports(snapshot);
    // The fixed lines, the families and credential reports, the lists and the table of regions.
    let rows = 48
        + families.len()
        + reports.len()
        + 4
        + lists.iter().map(|(_, l)| l.len() + 1).sum::<usize>()
        + audit.regions.len();
    let mut sheet = book.sheet("summary", rows)?;

    let title = if families.is_empty() { "sgaudit security group audit" } else { "sgaudit security audit" };
    sheet.row(&[Word(title, Tone::Title)])?;
    sheet.skip();
    let estate = audit.estate;
    let collected_at = snapshot.collected_at.as_deref().unwrap_or("not recorded");
    let judged: Vec<&str> = audit.families.iter().map(|f| f.id()).collect();
    let judged = judged.join(", ");
    let not_evaluated = audit.count_outcome(Outcome::NotEvaluated);
    let partial = match (groups && audit.regions.iter().any(|r| !r.complete), not_evaluated > 0) {
        (true, true) => {
            "partial: some evidence could not be read (see coverage); groups it concerns are unknown, \
                         checks it concerns not evaluated (see Checks)"
        }
        (false, true) => {
            "partial: some evidence could not be read (see coverage); checks it concerns are not \
                          evaluated (see Checks)"
        }
        _ => "partial: some evidence could not be read (see coverage); groups it concerns are unknown",
    };
    let mut facts: Vec<(&str, Cell)> = vec![
        ("sgaudit version", Text(env!("CARGO_PKG_VERSION"))),
        ("snapshot written by sgaudit", Text(&snapshot.sgaudit_version)),
        ("collected at", Text(collected_at)),
        ("families judged", Word(&judged, Tone::Plain)),
        ("accounts asked for", Number(estate.accounts)),
        ("accounts read", Number(estate.accounts_read)),
        ("accounts unreachable", Number(audit.unreachable_accounts.len())),
        ("accounts skipped", Number(audit.skipped_accounts.len())),
    ];
    if groups {
        facts.extend([
            ("account-regions", Number(estate.regions)),
            ("account-regions read in full", Number(estate.regions_read)),
            ("evidence sources", Number(estate.sources)),
            ("evidence sources read", Number(estate.sources_read)),
        ]);
    }
    facts.push((
        "results",
        if audit.is_partial() {
            Word(partial, Tone::Missing)
        } else {
            Word("complete: every source of evidence was read", Tone::Plain)
        },
    ));
    for (label, value) in facts {
        sheet.row(&[Word(label, Tone::Label), value])?;
    }
    if groups {
        sheet.row(&[Word("what unknown means", Tone::Label), Word(UNKNOWN_MEANS, Tone::Plain)])?;
    }
    if !families.is_empty() {
        sheet.row(&[Word("what not evaluated means", Tone::Label), Word(NOT_EVALUATED_MEANS, Tone::Plain)])?;
    }
    sheet.skip();

    if groups {
        sheet.row(&[Word("status", Tone::Label), Word("groups", Tone::Label)])?;
        for status in Status::ALL {
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
            Word(
                "the unused sheet; default groups are left out, as AWS does not delete them, and so are groups \
                 marked in use",
                Tone::Plain,
            ),
        ])?;
        sheet.skip();
    }
    let muted = memory::MutedCounts::of(audit);
    if !audit.exceptions.is_empty() || muted.findings + muted.results + muted.marked_in_use > 0 {
        // Counted apart, and in the counts above: a muted finding is still a finding, accepted by someone.
        for (label, n) in [
            ("muted group findings", muted.findings),
            ("muted check results", muted.results),
            ("groups marked in use", muted.marked_in_use),
        ] {
            sheet.row(&[Word(label, Tone::Label), Number(n)])?;
        }
        for state in memory::STATES {
            let n = audit.exceptions.iter().filter(|e| e.state == state).count();
            let label = format!("exceptions {}", memory::state_id(state));
            let tone = if n > 0 && state != ExceptionStatus::Active { Tone::Missing } else { Tone::Plain };
            sheet.row(&[Word(&label, Tone::Label), Number(n), Word("the exceptions sheet", tone)])?;
        }
        sheet.skip();
    }

    if !families.is_empty() {
        sheet.row(&[
            Word("checks", Tone::Label),
            Cell::Outcome(Outcome::Fail),
            Cell::Outcome(Outcome::Pass),
            Cell::Outcome(Outcome::NotEvaluated),
            Word("muted", Tone::Label),
        ])?;
        for &family in &families {
            let tally = Tally::of(terminal::results_of(audit, family));
            sheet.row(&[
                Word(family.title(), Tone::Plain),
                Number(tally.fail),
                Number(tally.pass),
                Number(tally.not_evaluated),
                Number(tally.fail_muted + tally.not_evaluated_muted),
            ])?;
        }
        sheet.skip();
    }
    if families.contains(&Family::Iam) && !reports.is_empty() {
        sheet.row(&[
            Word("credential report", Tone::Label),
            Word("generated at", Tone::Label),
            Word("IAM reuses a report for up to four hours", Tone::Plain),
        ])?;
        for (account, generated, before) in &reports {
            let age = before.map(terminal::report_age).unwrap_or_default();
            sheet.row(&[Text(account), Text(generated), Word(&age, Tone::Plain)])?;
        }
        sheet.skip();
    }

    for (label, list) in lists {
        if list.is_empty() {
            continue;
        }
        sheet.row(&[Word(label, Tone::Label)])?;
        for line in &list {
            sheet.row(&[Cell::Blank, Text(line)])?;
        }
        sheet.skip();
    }

    if !groups {
        return sheet.finish();
    }
    // Counts per account and region, in REGION_COLUMNS' order: groups, then by status, then by risk.
    let mut counts: HashMap<(&str, &str), [usize; 9]> = HashMap::new();
    for g in &audit.groups {
        let c = counts.entry((g.account_id, g.region)).or_default();
        c[0] += 1;
        c[1 + Status::ALL.iter().position(|&s| s == g.status).unwrap_or_default()] += 1;
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

fn all_groups(book: &mut Book, snapshot: &Snapshot, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    let mut sheet = book.sheet("all_groups", audit.groups.len() + 1)?;
    sheet.header(&csv::COLUMNS)?;
    for g in &audit.groups {
        let row = csv::row(g, accounts, snapshot.collected_at.as_deref());
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
                "unused_days" => value.parse().map_or(Cell::Text(value), Cell::Integer),
                "status" => Cell::Status(g.status),
                "risk" => Cell::Risk(g.risk),
                _ => Cell::Text(value),
            })
            .collect();
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// Groups that the `unused` sheet offers for deletion: unused, not a VPC's default group (which AWS
/// refuses to delete), and not marked in use by people (a use sgaudit cannot see).
fn is_cleanup_candidate(g: &GroupVerdict) -> bool {
    g.status == Status::Unused && !g.is_default && g.marked_in_use.is_none()
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
        let since = g.unused_since.as_deref();
        let days = since.and_then(|s| memory::days_since(s, snapshot.collected_at.as_deref()));
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
            Cell::Text(since.unwrap_or_default()),
            days.map_or(Cell::Blank, Cell::Integer),
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
            let controls = f.check.controls.join(JOIN);
            let mut cells = vec![
                Cell::Text(g.account_id),
                Cell::Text(g.region),
                Cell::Text(&g.group.group_id),
                Cell::Text(&g.group.group_name),
                Cell::Text(f.check.id),
                Cell::Severity(f.severity),
                Cell::Text(f.check.title),
                Cell::Text(&f.message),
                Cell::Text(&controls),
            ];
            cells.extend(muted_cells(f.muted.as_deref()));
            let tone = if g.reach.state == ReachState::Reachable { Tone::Missing } else { Tone::Plain };
            cells.push(Cell::Word(g.reach.state.id(), tone));
            let fix = f.fix(g);
            let script = fix.as_ref().map(|fix| fixes::script(f.check.id, fix));
            cells.extend(fix_cells(script.as_deref(), fix.as_ref()));
            sheet.row(&cells)?;
        }
    }
    sheet.finish()
}

/// The `fix` and `fix_terraform` cells: the script (commands made printable, see [`fixes`]) and the
/// Terraform snippet as it is (a string cell runs nothing); blank without a fix.
fn fix_cells<'a>(script: Option<&'a str>, fix: Option<&'a Fix>) -> [Cell<'a>; 2] {
    [script.map_or(Cell::Blank, Cell::Text), fix.and_then(|f| f.terraform.as_deref()).map_or(Cell::Blank, Cell::Text)]
}

/// The results of the account and regional checks, by check id, account and resource, for the sheets
/// that put them on the rows of what they judge.
struct Results<'a>(HashMap<(&'static str, &'a str, &'a str), Vec<&'a CheckResult>>);

impl<'a> Results<'a> {
    fn of(audit: &'a Audit) -> Self {
        let mut map: HashMap<_, Vec<&CheckResult>> = HashMap::new();
        for r in &audit.results {
            map.entry((r.check.id, r.location.account_id.as_str(), r.location.resource.as_str())).or_default().push(r);
        }
        Results(map)
    }

    /// The result of `check` on `resource` in `account` (the first, where a check gives several).
    fn get(&self, check: &str, account: &str, resource: &str) -> Option<&'a CheckResult> {
        self.0.get(&(check, account, resource)).and_then(|list| list.first().copied())
    }
}

/// The cells of a result: its outcome, its severity (blank for a pass) and its evidence.
fn result_cells<'a>(r: Option<&'a CheckResult>) -> [Cell<'a>; 3] {
    match r {
        Some(r) => [
            Cell::Outcome(r.outcome),
            if r.outcome == Outcome::Pass { Cell::Blank } else { Cell::Severity(r.severity) },
            Cell::Text(&r.evidence),
        ],
        None => [Cell::Blank, Cell::Blank, Cell::Blank],
    }
}

/// The columns of an exception that mutes a finding or result: `muted` (true or false), then its reason,
/// owner, ticket and expiry (blank when not muted).
fn muted_cells(m: Option<&Muted>) -> [Cell<'_>; 5] {
    match m {
        Some(m) => [
            Cell::Word("true", Tone::Quiet),
            Cell::Text(&m.reason),
            Cell::Text(&m.owner),
            Cell::Text(m.ticket.as_deref().unwrap_or_default()),
            Cell::Text(m.expires.as_deref().unwrap_or_default()),
        ],
        None => [Cell::Word("false", Tone::Plain), Cell::Blank, Cell::Blank, Cell::Blank, Cell::Blank],
    }
}

/// The `muted` column of the re-check sheets: the exception in a line, empty when the result is not muted.
fn muted_line(r: Option<&CheckResult>) -> String {
    r.and_then(|r| r.muted.as_deref()).map(memory::muted_text).unwrap_or_default()
}

/// Whole days from `then` to `now` (both RFC 3339), counted as the checks count them.
fn days_between(now: Option<&str>, then: Option<&str>) -> Option<i64> {
    let now = crate::time::parse_rfc3339_ms(now?)?;
    let then = crate::time::parse_rfc3339_ms(then?)?;
    Some((now - then).div_euclid(86_400_000))
}

fn open_ports(book: &mut Book, snapshot: &Snapshot, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    let rows: Vec<&CheckResult> = audit
        .results
        .iter()
        .filter(|r| r.check.id == checks::network::sg_open_port::CHECK.id && r.outcome != Outcome::Pass)
        .collect();
    let regions: HashMap<(&str, &str), &RegionSnapshot> =
        snapshot.regions.iter().map(|r| ((r.account_id.as_str(), r.region.as_str()), r)).collect();
    let verdicts: HashMap<&str, &GroupVerdict> = audit.groups.iter().map(|g| (g.group.group_id.as_str(), g)).collect();
    let mut sheet = book.sheet(OPEN_PORTS, rows.len() + 1)?;
    sheet.header(&OPEN_PORT_COLUMNS)?;
    for r in rows {
        let account = r.location.account_id.as_str();
        let region = r.location.region.as_deref().unwrap_or_default();
        // `arn:aws:ec2:<region>:<account>:security-group/<id>`.
        let group_id = r.location.resource.rsplit_once(":security-group/").map(|(_, id)| id);
        let group = group_id.and_then(|id| {
            regions.get(&(account, region)).and_then(|reg| reg.security_groups.iter().find(|g| g.group_id == id))
        });
        let open = group.map(open_to_world).unwrap_or_default();
        let status = group.and_then(|g| verdicts.get(g.group_id.as_str())).map(|v| v.status);
        let mut cells = vec![
            Cell::Text(account),
            Cell::Text(region),
            Cell::Text(group_id.unwrap_or_default()),
            Cell::Text(group.map(|g| g.group_name.as_str()).unwrap_or_default()),
            Cell::Text(group.and_then(|g| g.vpc_id.as_deref()).unwrap_or_default()),
            Cell::Text(&open),
            status.map_or(Cell::Blank, Cell::Status),
        ];
        cells.extend(result_cells(Some(r)));
        cells.push(Cell::Text(accounts.name(account)));
        let muted = muted_line(Some(r));
        cells.push(Cell::Text(&muted));
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// What a group's ingress rules admit from 0.0.0.0/0 or ::/0, one `tcp 22 from 0.0.0.0/0` per rule and
/// address range (the ports allowed to be public included: the `evidence` says which are not).
fn open_to_world(group: &SecurityGroup) -> String {
    let mut out = Vec::new();
    for rule in group.ingress.iter().filter(|r| is_world_open(r)) {
        let ports = ports(rule);
        let what = match (rule.protocol.to_ascii_lowercase().as_str(), ports.as_str()) {
            (_, "all") => "all traffic".to_string(),
            ("6" | "tcp", p) => format!("tcp {p}"),
            ("17" | "udp", p) => format!("udp {p}"),
            ("1" | "icmp", _) => "icmp".to_string(),
            ("58" | "icmpv6", _) => "icmpv6".to_string(),
            (other, p) => format!("protocol {other} {p}"),
        };
        let world = rule.ipv4_ranges.iter().chain(&rule.ipv6_ranges).filter(|p| p.id == "0.0.0.0/0" || p.id == "::/0");
        out.extend(world.map(|p| format!("{what} from {}", p.id)));
    }
    out.join(JOIN)
}

fn access_keys(
    book: &mut Book,
    snapshot: &Snapshot,
    audit: &Audit,
    results: &Results,
    accounts: &csv::Accounts,
) -> Result<(), XlsxError> {
    use checks::iam::{access_key_rotation as rotation, root_access_key as root_key};
    let ids = [rotation::CHECK.id, root_key::CHECK.id];
    let keys: Vec<(&str, &CredentialUser, &AccessKey)> = snapshot
        .account_evidence
        .iter()
        .filter_map(|e| e.credential_report.as_ref().map(|r| (e.account_id.as_str(), r)))
        .flat_map(|(account, report)| {
            report.users.iter().flat_map(move |u| u.access_keys.iter().map(move |k| (account, u, k)))
        })
        .collect();
    let others = audit.results.iter().filter(|r| ids.contains(&r.check.id)).count();
    let mut sheet = book.sheet(ACCESS_KEYS, keys.len() + others + 1)?;
    sheet.header(&ACCESS_KEY_COLUMNS)?;
    let mut shown = BTreeSet::new();
    for (account, user, key) in keys {
        // The root user's keys are judged by `iam-root-access-key`, on the root user; an IAM user's by
        // `iam-access-key-rotation`, on the key (`<user ARN>/access-key-<slot>`, as the check names it).
        let (check, r) = if user.is_root() {
            (root_key::CHECK.id, results.get(root_key::CHECK.id, account, &user.arn))
        } else {
            let resource = format!("{}/access-key-{}", user.arn, key.slot);
            (rotation::CHECK.id, results.get(rotation::CHECK.id, account, &resource))
        };
        if let Some(r) = r {
            shown.insert(std::ptr::from_ref(r));
        }
        let age = days_between(snapshot.collected_at.as_deref(), key.last_rotated.as_deref());
        let mut cells = vec![
            Cell::Text(account),
            Cell::Text(&user.user),
            Cell::Number(usize::from(key.slot)),
            Cell::Word(if key.active { "active" } else { "inactive" }, Tone::Plain),
            Cell::Text(key.last_rotated.as_deref().unwrap_or_default()),
            age.map_or(Cell::Blank, Cell::Integer),
            Cell::Text(key.last_used.as_deref().unwrap_or_default()),
            Cell::Text(check),
        ];
        cells.extend(result_cells(r));
        cells.push(Cell::Text(accounts.name(account)));
        let muted = muted_line(r);
        cells.push(Cell::Text(&muted));
        sheet.row(&cells)?;
    }
    for r in unshown(audit, &ids, &shown) {
        let mut cells = vec![Cell::Text(&r.location.account_id), Cell::Blank, Cell::Blank, Cell::Blank, Cell::Blank];
        cells.extend([Cell::Blank, Cell::Blank, Cell::Text(r.check.id)]);
        cells.extend(result_cells(Some(r)));
        cells.push(Cell::Text(accounts.name(&r.location.account_id)));
        let muted = muted_line(Some(r));
        cells.push(Cell::Text(&muted));
        sheet.row(&cells)?;
    }
    sheet.finish()
}

fn mfa(
    book: &mut Book,
    snapshot: &Snapshot,
    audit: &Audit,
    results: &Results,
    accounts: &csv::Accounts,
) -> Result<(), XlsxError> {
    use checks::iam::{console_user_mfa as console, root_mfa as root, user_mfa as user};
    let ids = [root::CHECK.id, console::CHECK.id, user::CHECK.id];
    let users: Vec<(&str, &CredentialUser)> = snapshot
        .account_evidence
        .iter()
        .filter_map(|e| e.credential_report.as_ref().map(|r| (e.account_id.as_str(), r)))
        .flat_map(|(account, report)| report.users.iter().map(move |u| (account, u)))
        .collect();
    let others = audit.results.iter().filter(|r| ids.contains(&r.check.id)).count();
    let mut sheet = book.sheet(MFA, users.len() + others + 1)?;
    sheet.header(&MFA_COLUMNS)?;
    let mut shown = BTreeSet::new();
    for (account, u) in users {
        // The check that matters most for the user: root's own, the console users', or every user's.
        let check = if u.is_root() {
            root::CHECK.id
        } else if u.password_enabled == Some(true) {
            console::CHECK.id
        } else {
            user::CHECK.id
        };
        let r = results.get(check, account, &u.arn);
        // A console user is judged by both checks: the other one is on this row too.
        if u.password_enabled == Some(true) {
            if let Some(other) = results.get(user::CHECK.id, account, &u.arn) {
                shown.insert(std::ptr::from_ref(other));
            }
        }
        if let Some(r) = r {
            shown.insert(std::ptr::from_ref(r));
        }
        let mut cells = vec![
            Cell::Text(account),
            Cell::Text(&u.user),
            u.password_enabled.map_or(Cell::Blank, Cell::Bool),
            Cell::Bool(u.mfa_active),
            Cell::Text(check),
        ];
        cells.extend(result_cells(r));
        cells.push(Cell::Text(accounts.name(account)));
        let muted = muted_line(r);
        cells.push(Cell::Text(&muted));
        sheet.row(&cells)?;
    }
    for r in unshown(audit, &ids, &shown) {
        let mut cells = vec![Cell::Text(&r.location.account_id), Cell::Blank, Cell::Blank, Cell::Blank];
        cells.push(Cell::Text(r.check.id));
        cells.extend(result_cells(Some(r)));
        cells.push(Cell::Text(accounts.name(&r.location.account_id)));
        let muted = muted_line(Some(r));
        cells.push(Cell::Text(&muted));
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// The results of `checks` that no row of a sheet shows (`shown` holds those that one does): an account
/// whose credential report could not be read, a pass for an account with no IAM user. Each gets a row of
/// its own, so that nothing a check said is missing from its sheet.
fn unshown<'a>(audit: &'a Audit, checks: &[&str], shown: &BTreeSet<*const CheckResult>) -> Vec<&'a CheckResult> {
    audit.results.iter().filter(|r| checks.contains(&r.check.id) && !shown.contains(&std::ptr::from_ref(*r))).collect()
}

fn cloudtrail(book: &mut Book, snapshot: &Snapshot, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    let rows: Vec<&CheckResult> =
        audit.results.iter().filter(|r| r.check.id == checks::cloudtrail::region_logged::CHECK.id).collect();
    let regions: HashMap<(&str, &str), &RegionSnapshot> =
        snapshot.regions.iter().map(|r| ((r.account_id.as_str(), r.region.as_str()), r)).collect();
    let mut sheet = book.sheet(CLOUDTRAIL, rows.len() + 1)?;
    sheet.header(&CLOUDTRAIL_COLUMNS)?;
    for r in rows {
        let account = r.location.account_id.as_str();
        let region = r.location.region.as_deref().unwrap_or_default();
        // The trails that apply in the region: multi-region ones and those homed there.
        let trails: Vec<String> = regions
            .get(&(account, region))
            .map(|reg| {
                reg.posture
                    .trails
                    .iter()
                    .filter(|t| t.multi_region || t.home_region == region)
                    .map(|t| {
                        let mut what = vec![format!("home {}", t.home_region)];
                        if t.multi_region {
                            what.push("multi-region".to_string());
                        }
                        if t.organization {
                            what.push("organisation".to_string());
                        }
                        what.push(
                            match t.logging {
                                Some(true) => "logging",
                                Some(false) => "not logging",
                                None => "status not read",
                            }
                            .to_string(),
                        );
                        format!("{} ({})", t.name, what.join(", "))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let covered = match r.outcome {
            Outcome::Pass => Cell::Word("yes", Tone::Good),
            Outcome::Fail => Cell::Word("no", Tone::Bad),
            Outcome::NotEvaluated => Cell::Word("unknown", Tone::Missing),
        };
        let trails = trails.join(JOIN);
        let mut cells = vec![Cell::Text(account), Cell::Text(region), covered, Cell::Text(&trails)];
        cells.extend(result_cells(Some(r)));
        cells.push(Cell::Text(accounts.name(account)));
        let muted = muted_line(Some(r));
        cells.push(Cell::Text(&muted));
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// One row of `S3 grants`: an account's bucket and one grant of its ACL, where there are any.
struct GrantRow<'a> {
    account: &'a str,
    bucket: Option<&'a Bucket>,
    grant: Option<&'a Grant>,
}

fn s3_grants(book: &mut Book, snapshot: &Snapshot, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    let s3: Vec<&str> = CHECKS.iter().filter(|c| c.family == Family::S3).map(|c| c.id).collect();
    let results: Vec<&CheckResult> = audit.results.iter().filter(|r| r.check.family == Family::S3).collect();
    // Every account that has S3 evidence or an S3 result (one that could not be read has only the latter).
    let names: BTreeSet<&str> = snapshot
        .account_evidence
        .iter()
        .map(|e| e.account_id.as_str())
        .chain(results.iter().map(|r| r.location.account_id.as_str()))
        .collect();
    let mut rows: Vec<GrantRow> = Vec::new();
    for account in names {
        let buckets = snapshot
            .account_evidence
            .iter()
            .find(|e| e.account_id == account)
            .map(|e| e.buckets.as_slice())
            .unwrap_or_default();
        if buckets.is_empty() {
            rows.push(GrantRow { account, bucket: None, grant: None });
        }
        for b in buckets {
            if b.grants.is_empty() {
                rows.push(GrantRow { account, bucket: Some(b), grant: None });
            }
            rows.extend(b.grants.iter().map(|g| GrantRow { account, bucket: Some(b), grant: Some(g) }));
        }
    }
    // Each result by account and bucket (`None`: the account's own), so that a large estate's rows each find
    // theirs at once.
    let mut by_place: HashMap<(&str, Option<&str>), Vec<&CheckResult>> = HashMap::new();
    for r in &results {
        let bucket = (r.location.resource_type == resource::S3_BUCKET)
            .then(|| r.location.resource.rsplit_once(":::").map_or(r.location.resource.as_str(), |(_, name)| name));
        by_place.entry((r.location.account_id.as_str(), bucket)).or_default().push(r);
    }
    let mut header: Vec<&str> = S3_GRANT_COLUMNS[..8].to_vec();
    header.extend(&s3);
    header.extend(["evidence", "account_name", "muted"]);
    let mut sheet = book.sheet(S3_GRANTS, rows.len() + 1)?;
    sheet.header(&header)?;
    for row in &rows {
        // A bucket's results are on its rows; the account's (its Block Public Access, "no buckets", "could not
        // be read") on every row of the account.
        let bucket = row.bucket;
        let of_row: Vec<&CheckResult> = [None, bucket.map(|b| b.name.as_str())]
            .into_iter()
            .filter_map(|place| by_place.get(&(row.account, place)))
            .flatten()
            .copied()
            .collect();
        let grantee = row.grant.map(|g| grantee(g, bucket.and_then(|b| b.owner_id.as_deref())));
        let block = bucket.map(|b| match b.public_access_block {
            Some(p) if p.all() => "all four on",
            Some(p)
                if p.block_public_acls
                    || p.ignore_public_acls
                    || p.block_public_policy
                    || p.restrict_public_buckets =>
            {
                "partly on"
            }
            Some(_) => "all off",
            None if b.error("s3:GetBucketPublicAccessBlock").is_some() => "not read",
            None => "none configured",
        });
        // What each result that is not a pass says, once per text (one denied call stops several checks),
        // after the checks it concerns.
        let mut said: Vec<(Vec<&str>, &str)> = Vec::new();
        for r in of_row.iter().filter(|r| r.outcome != Outcome::Pass) {
            match said.iter_mut().find(|(_, text)| *text == r.evidence) {
                Some((ids, _)) => ids.push(r.check.id),
                None => said.push((vec![r.check.id], &r.evidence)),
            }
        }
        let evidence =
            said.iter().map(|(ids, text)| format!("{}: {text}", ids.join(", "))).collect::<Vec<_>>().join(JOIN);
        let mut cells = vec![
            Cell::Text(row.account),
            Cell::Text(bucket.map(|b| b.name.as_str()).unwrap_or_default()),
            Cell::Text(bucket.and_then(|b| b.region.as_deref()).unwrap_or_default()),
            grantee.as_deref().map_or(Cell::Blank, Cell::Text),
            Cell::Text(row.grant.map(|g| g.grantee_type.as_str()).unwrap_or_default()),
            Cell::Text(row.grant.map(|g| g.permission.as_str()).unwrap_or_default()),
            Cell::Text(bucket.and_then(|b| b.ownership.as_deref()).unwrap_or_default()),
            block.map_or(Cell::Blank, |w| Cell::Word(w, Tone::Plain)),
        ];
        for id in &s3 {
            // The worst of the check's results here: a failure shows over a pass.
            let outcome = of_row.iter().filter(|r| r.check.id == *id).map(|r| r.outcome).min();
            cells.push(outcome.map_or(Cell::Blank, Cell::Outcome));
        }
        cells.push(Cell::Text(&evidence));
        cells.push(Cell::Text(accounts.name(row.account)));
        // The results of this row that an exception mutes, each `<check id>: <reason> (owner: …)`.
        let muted = of_row
            .iter()
            .filter_map(|r| r.muted.as_deref().map(|m| format!("{}: {}", r.check.id, memory::muted_text(m))))
            .collect::<Vec<_>>()
            .join(JOIN);
        cells.push(Cell::Text(&muted));
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// A grantee as people know it: `AllUsers (everyone)`, the owner, a display name or a canonical id.
fn grantee(grant: &Grant, owner: Option<&str>) -> String {
    match grant.grantee.as_str() {
        ALL_USERS => "AllUsers (everyone)".to_string(),
        AUTHENTICATED_USERS => "AuthenticatedUsers (any AWS account)".to_string(),
        LOG_DELIVERY => "LogDelivery (S3 server access logs)".to_string(),
        id => {
            let name = grant.display_name.as_deref().unwrap_or(id);
            if Some(id) == owner {
                format!("{name} (owner)")
            } else {
                name.to_string()
            }
        }
    }
}

fn all_results(book: &mut Book, audit: &Audit, accounts: &csv::Accounts) -> Result<(), XlsxError> {
    let mut sheet = book.sheet(CHECKS_SHEET, audit.results.len() + 1)?;
    sheet.header(&CHECK_COLUMNS)?;
    // The controls, once per check rather than once per result.
    let controls: HashMap<&str, String> = CHECKS.iter().map(|c| (c.id, c.controls.join(JOIN))).collect();
    for r in &audit.results {
        let account = r.location.account_id.as_str();
        let mut cells = vec![
            Cell::Text(r.check.id),
            Cell::Text(r.check.title),
            Cell::Text(r.check.family.id()),
            Cell::Outcome(r.outcome),
            Cell::Severity(r.severity),
            Cell::Text(account),
            Cell::Text(r.location.region.as_deref().unwrap_or_default()),
            Cell::Text(r.location.resource_type),
            Cell::Text(&r.location.resource),
            Cell::Text(&r.evidence),
            Cell::Text(controls.get(r.check.id).map(String::as_str).unwrap_or_default()),
            Cell::Text(r.check.remediation),
            Cell::Text(accounts.name(account)),
        ];
        cells.extend(muted_cells(r.muted.as_deref()));
        let fix = audit.fix_of(r);
        let script = fix.as_ref().map(|fix| fixes::script(r.check.id, fix));
        cells.extend(fix_cells(script.as_deref(), fix.as_deref()));
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// Every exception declared for the run, in the order declared, with its state; the expired and the
/// unmatched stand out, as the warnings of the run do.
fn exceptions(book: &mut Book, audit: &Audit) -> Result<(), XlsxError> {
    let mut sheet = book.sheet(EXCEPTIONS, audit.exceptions.len() + 1)?;
    sheet.header(&EXCEPTION_COLUMNS)?;
    for e in &audit.exceptions {
        let tone = match e.state {
            ExceptionStatus::Active => Tone::Plain,
            ExceptionStatus::Expired | ExceptionStatus::Unmatched => Tone::Missing,
        };
        sheet.row(&[
            Cell::Text(&e.declared_at),
            Cell::Word(memory::kind(e), Tone::Plain),
            Cell::Word(memory::state_id(e.state), tone),
            Cell::Number(e.matched),
            Cell::Text(&e.reason),
            Cell::Text(&e.owner),
            Cell::Text(e.ticket.as_deref().unwrap_or_default()),
            Cell::Text(e.expires.as_deref().unwrap_or_default()),
        ])?;
    }
    sheet.finish()
}

fn coverage(book: &mut Book, snapshot: &Snapshot) -> Result<(), XlsxError> {
    use Cell::{Blank, Text, Word};
    let accounts: Vec<_> = snapshot.accounts.iter().filter(|a| a.error.is_some() || a.skipped.is_some()).collect();
    let account_wide: usize = snapshot.account_evidence.iter().map(|e| e.coverage.len()).sum();
    let rows =
        accounts.len() + account_wide + snapshot.regions.iter().map(|r| r.coverage.len().max(1)).sum::<usize>() + 1;
    let mut sheet = book.sheet("coverage", rows)?;
    sheet.header(&COVERAGE_COLUMNS)?;
    // Whole accounts first: nothing of theirs is in the other sheets.
    for a in accounts {
        let mut cells = vec![Text(&a.account_id), Blank, Word("account", Tone::Plain)];
        let state = AccountState::of(a).id();
        match (&a.error, &a.skipped) {
            (Some(e), _) => cells.extend([
                Word(state, Tone::Missing),
                Text(&e.code),
                Text(&e.message),
                Text(e.action.as_deref().unwrap_or_default()),
                Cell::Bool(e.scp_deny),
            ]),
            (None, Some(why)) => cells.extend([Word(state, Tone::Quiet), Blank, Text(why)]),
            (None, None) => {}
        }
        sheet.row(&cells)?;
    }
    // Then the account-wide sources (IAM, the S3 bucket list), read once per account: region `global`.
    for e in &snapshot.account_evidence {
        for c in &e.coverage {
            sheet.row(&coverage_cells(&e.account_id, "global", c))?;
        }
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
            sheet.row(&coverage_cells(&r.account_id, &r.region, c))?;
        }
    }
    sheet.finish()
}

/// A row of `coverage`: what one source read where.
fn coverage_cells<'a>(account: &'a str, region: &'a str, c: &'a SourceCoverage) -> Vec<Cell<'a>> {
    use Cell::{Blank, Number, Text, Word};
    let mut cells = vec![Text(account), Text(region), Text(&c.source)];
    match &c.state {
        CoverageState::Complete => cells.extend([Word(c.state.id(), Tone::Plain), Blank, Blank, Blank, Blank]),
        CoverageState::NotApplicable { reason } => {
            cells.extend([Word(c.state.id(), Tone::Quiet), Blank, Text(reason), Blank, Blank])
        }
        CoverageState::Denied { error } | CoverageState::Failed { error } => cells.extend([
            Word(c.state.id(), Tone::Missing),
            Text(&error.code),
            Text(&error.message),
            Text(error.action.as_deref().unwrap_or_default()),
            Cell::Bool(error.scp_deny),
        ]),
    }
    cells.extend([Number(c.requests as usize), Number(c.items as usize)]);
    cells
}

/// One cell. Text that comes from AWS or a user is only ever `Text`.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Bool(bool),
    Number(usize),
    /// A count that may be negative (an age, where AWS's clock ran ahead of the collector's).
    Integer(i64),
    Status(Status),
    Risk(Risk),
    Severity(Severity),
    Outcome(Outcome),
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
    /// As a passed check.
    Good,
    /// As a failed check.
    Bad,
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
    pass: Format,
    fail: Format,
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
            // Excel's own "Good" and "Bad"; not evaluated is drawn as unknown is: evidence missing.
            pass: fill(0xC6EFCE, 0x006100),
            fail: fill(0xFFC7CE, 0x9C0006).set_bold(),
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

    fn outcome(&self, outcome: Outcome) -> &Format {
        match outcome {
            Outcome::Pass => &self.pass,
            Outcome::Fail => &self.fail,
            Outcome::NotEvaluated => &self.unknown,
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
            Tone::Good => Some(&self.pass),
            Tone::Bad => Some(&self.fail),
        }
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
                Cell::Integer(n) => {
                    self.measure(c, n.to_string().len());
                    self.ws.write_number(row, column, n as f64)?;
                }
                Cell::Outcome(o) => self.styled(c, o.id(), Some(styles.outcome(o)))?,
                Cell::Status(s) => self.styled(c, s.id(), Some(styles.status(s)))?,
                Cell::Risk(r) => self.styled(c, r.id(), Some(styles.risk(r)))?,
                // With the colour of the risk of the same name.
                Cell::Severity(s) => self.styled(c, s.id(), Some(styles.risk(Risk::of_severity(s))))?,
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
        // The demo was collected for every family: every sheet but `exceptions` (it declares none).
        assert_eq!(book.sheet_names(), SHEETS[..SHEETS.len() - 1]);
        for (name, header) in [
            ("default_sg", &SEED_COLUMNS[..]),
            ("ssh_open", &SEED_COLUMNS),
            ("ssh_world", &SEED_COLUMNS),
            ("all_groups", &csv::COLUMNS),
            ("unused", &UNUSED_COLUMNS),
            ("findings", &FINDINGS_COLUMNS),
            (OPEN_PORTS, &OPEN_PORT_COLUMNS),
            (ACCESS_KEYS, &ACCESS_KEY_COLUMNS),
            (MFA, &MFA_COLUMNS),
            (CLOUDTRAIL, &CLOUDTRAIL_COLUMNS),
            (CHECKS_SHEET, &CHECK_COLUMNS),
            ("coverage", &COVERAGE_COLUMNS),
        ] {
            assert_eq!(sheet(&mut book, name)[0], header, "{name}");
        }
        // S3 grants: its columns, then one per S3 check, then the evidence and the account's name.
        let s3: Vec<&str> = CHECKS.iter().filter(|c| c.family == Family::S3).map(|c| c.id).collect();
        let header = &sheet(&mut book, S3_GRANTS)[0];
        assert_eq!(header[..8], S3_GRANT_COLUMNS[..8]);
        assert_eq!(header[8..8 + s3.len()], s3);
        assert_eq!(header[8 + s3.len()..], ["evidence", "account_name", "muted"]);
        let summary = sheet(&mut book, "summary");
        assert_eq!(summary[0][0], "sgaudit security audit");
        assert!(summary.iter().any(|r| r[..REGION_COLUMNS.len()] == REGION_COLUMNS));
    }

    #[test]
    fn a_groups_only_audit_keeps_the_workbook_it_had() {
        let snapshot = demo();
        let options = sgaudit_audit::Options { families: Some(vec![Family::Groups]), ..Default::default() };
        let audit = sgaudit_audit::audit_with(&snapshot, &options);
        let mut book = open(&workbook(&snapshot, &audit).unwrap().bytes);
        assert_eq!(
            book.sheet_names(),
            ["summary", "default_sg", "ssh_open", "ssh_world", "all_groups", "unused", "findings", "coverage"]
        );
        assert_eq!(sheets(&audit), book.sheet_names());
        let summary = sheet(&mut book, "summary");
        assert_eq!(summary[0][0], "sgaudit security group audit");
        assert!(!summary.iter().any(|r| r[0] == "checks" || r[0] == "what not evaluated means"));
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
            assert_eq!(row[..], csv::row(g, &accounts, snapshot.collected_at.as_deref()), "{}", g.group.group_id);
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
        // The account's name came at the end of these; issue 14's columns came after it.
        assert_eq!(UNUSED_COLUMNS[11], "account_name");
        assert_eq!(UNUSED_COLUMNS[12..], ["unused_since", "unused_days"]);
        assert_eq!(csv::COLUMNS[17], "account_name");
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
        let us_east = snapshot.regions.iter().find(|r| r.region == "us-east-1").unwrap();
        let read = us_east.coverage.len() - 1;
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
        assert!(sources >= 2 * sgaudit_snapshot::SOURCES.len());
        let account_wide: usize = snapshot.account_evidence.iter().map(|e| e.coverage.len()).sum();
        assert_eq!(account_wide, sgaudit_snapshot::posture::ACCOUNT_SOURCES.len());
        assert_eq!(rows.len() - 1, sources + account_wide + 2);
        // The account-wide sources come after whole accounts, before the regions, in region `global`.
        assert_eq!(rows[3][..4], ["123456789012", "global", "iam-credential-report", "complete"]);
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
        for name in book.sheet_names() {
            let formulas = book.worksheet_formula(&name).unwrap();
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
            assert_eq!(rows[i + 1][..], csv::row(g, &accounts, snapshot.collected_at.as_deref()));
            assert_eq!(rows[i + 1][column(&rows, "account_name")], format!("account {}", i / 20));
        }
        let sources: usize = snapshot.regions.iter().map(|r| r.coverage.len()).sum();
        assert_eq!(sources, 1_000 * demo().regions.iter().map(|r| r.coverage.len()).sum::<usize>());
        assert_eq!(sheet(&mut book, "coverage").len() - 1, sources);
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

    #[test]
    fn muted_rows_keep_their_place_and_say_why_as_text() {
        use crate::test_support::{remember, EVIL_OWNER, EVIL_REASON};
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, EVIL_REASON, EVIL_OWNER);
        let mut book = open(&workbook(&snapshot, &audit).unwrap().bytes);
        assert_eq!(book.sheet_names(), SHEETS, "the exceptions sheet, last");
        let findings = sheet(&mut book, "findings");
        assert_eq!(findings[0], FINDINGS_COLUMNS);
        let ssh = findings.iter().find(|r| r[2] == "sg-0a300000000ba5710" && r[4] == "sg-world-open-ssh").unwrap();
        assert_eq!(ssh[column(&findings, "muted")], "true");
        assert_eq!(ssh[column(&findings, "muted_reason")], EVIL_REASON);
        assert_eq!(ssh[column(&findings, "muted_owner")], EVIL_OWNER);
        assert_eq!(findings.iter().filter(|r| r[column(&findings, "muted")] == "true").count(), 1);
        let checks = sheet(&mut book, CHECKS_SHEET);
        let user = checks.iter().find(|r| r[0] == "iam-user-mfa" && r[8].ends_with("/=2+5")).unwrap();
        assert_eq!(user[column(&checks, "muted_reason")], EVIL_REASON);
        let mfa = sheet(&mut book, MFA);
        let row = mfa.iter().find(|r| r[1] == "=2+5").unwrap();
        assert!(row[column(&mfa, "muted")].starts_with(EVIL_REASON), "{row:?}");
        // Marked in use: not a cleanup candidate; the other unused groups say how long they have been.
        let unused = sheet(&mut book, "unused");
        assert!(!unused.iter().any(|r| r[3] == "sg-0a400000000001dc1"));
        let groups = sheet(&mut book, "all_groups");
        assert_eq!(cell(&groups, "sg-0a400000000001dc1", "unused_days"), "53");
        let exceptions = sheet(&mut book, EXCEPTIONS);
        assert_eq!(exceptions[0], EXCEPTION_COLUMNS);
        let states: Vec<&str> = exceptions[1..].iter().map(|r| r[2].as_str()).collect();
        assert_eq!(states, ["active", "expired", "unmatched"]);
        assert_eq!(exceptions[1][1], "mute");
        assert_eq!(exceptions[1][4], EVIL_REASON);
        // Strings, never formulas, whatever the config file says.
        for name in book.sheet_names() {
            assert_eq!(book.worksheet_formula(&name).unwrap().used_cells().count(), 0, "{name} has formulas");
        }
        let range = book.worksheet_range(EXCEPTIONS).unwrap();
        assert_eq!(range.get((1, 4)), Some(&Data::String(EVIL_REASON.into())));
    }

    #[test]
    fn reachability_and_fixes_have_columns_of_their_own_and_stay_text() {
        use crate::test_support::advise;
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let bastion = "sg-0a300000000ba5710";
        let g = audit.groups.iter_mut().find(|g| g.group.group_id == bastion).unwrap();
        // A path that starts like a formula, as a hostile name could make one.
        g.reach.paths.reverse();
        let findings_of_bastion = g.findings.len();
        let fix = crate::fixes::tests::hostile_fix();
        let mut book = open(&workbook(&snapshot, &audit).unwrap().bytes);

        let findings = sheet(&mut book, "findings");
        assert_eq!(findings[0], FINDINGS_COLUMNS);
        let rows: Vec<&Vec<String>> = findings.iter().filter(|r| r[2] == bastion).collect();
        assert_eq!(rows.len(), findings_of_bastion);
        for r in &rows {
            assert_eq!(r[column(&findings, "reachability")], "reachable");
            let script = &r[column(&findings, "fix")];
            assert_eq!(*script, crate::fixes::script(&r[4], &fix));
            assert!(!script.contains('\x1b') && !script.lines().any(|l| l.starts_with("rm ")), "{script}");
            assert_eq!(r[column(&findings, "fix_terraform")], fix.terraform.clone().unwrap());
        }
        let fixed = audit.groups.iter().flat_map(|g| g.findings.iter().filter(|f| f.fix(g).is_some())).count();
        assert_eq!(findings[1..].iter().filter(|r| !r[column(&findings, "fix")].is_empty()).count(), fixed);

        let groups = sheet(&mut book, "all_groups");
        assert_eq!(cell(&groups, bastion, "reachability"), "reachable");
        assert!(cell(&groups, bastion, "reach_paths").starts_with("=tcp 443 reachable through alb/web | tcp 22"));
        assert_eq!(
            cell(&groups, bastion, "reach_why"),
            "blocked: eni-0b: no public address | missing: ec2-network-acls"
        );
        let range = book.worksheet_range("all_groups").unwrap();
        let r = groups.iter().position(|r| r[3] == bastion).unwrap();
        let c = column(&groups, "reach_paths");
        assert!(matches!(range.get((r, c)), Some(Data::String(s)) if s.starts_with("=tcp")), "a string, not a formula");

        let checks = sheet(&mut book, CHECKS_SHEET);
        assert_eq!(checks[0], CHECK_COLUMNS);
        let user = checks.iter().find(|r| r[0] == "iam-user-mfa" && r[8].ends_with("/=2+5")).unwrap();
        assert_eq!(user[column(&checks, "fix")], crate::fixes::script("iam-user-mfa", &fix));
        let terraform = audit.results.iter().filter(|r| audit.fix_of(r).is_some_and(|f| f.terraform.is_some())).count();
        assert_eq!(checks.iter().filter(|r| !r[column(&checks, "fix_terraform")].is_empty()).count(), terraform + 1);
        for name in book.sheet_names() {
            assert_eq!(book.worksheet_formula(&name).unwrap().used_cells().count(), 0, "{name} has formulas");
        }
    }
}

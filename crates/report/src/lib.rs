//! Writes audit results. One module per format, each taking a writer and the audit; none of them judges.

pub mod archive;
pub mod asff;
pub mod audit_log;
pub mod csv;
pub mod diff;
mod fixes;
pub mod html;
pub mod json;
pub mod memory;
pub mod ocsf;
pub mod permissions;
pub mod preflight;
pub mod reachability;
pub mod runs;
pub mod sarif;
pub mod table;
pub mod xlsx;

use sgaudit_audit::Audit;
use sgaudit_snapshot::Snapshot;

// Shown safely and dated the same way by every crate: they live with the data (snapshot).
pub use sgaudit_snapshot::{text, time};
pub use text::printable;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    /// One row per group.
    Csv,
    /// One row per result of the account and regional checks (`csv-checks`): a file of its own, so that the
    /// groups' CSV keeps its columns.
    CsvChecks,
    Sarif,
    /// An Excel workbook: binary, so meant for a file rather than a terminal.
    Xlsx,
    /// AWS Security Finding Format, as Security Hub imports it.
    Asff,
    /// OCSF Compliance Findings.
    Ocsf,
    /// One self-contained HTML page: summary, charts, a sortable and filterable table, findings, coverage.
    Html,
}

impl Format {
    /// The file name extension of a report in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::CsvChecks => "checks.csv",
            Format::Sarif => "sarif",
            Format::Xlsx => "xlsx",
            Format::Asff => "asff.json",
            Format::Ocsf => "ocsf.json",
            Format::Html => "html",
        }
    }

    /// Whether the report is a binary file, not text for a terminal.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx)
    }
}

/// Writes one format to `out`, through a buffer made here (not by the caller) so that the writing code is
/// compiled, and optimised, with this crate; nothing is held in memory beyond the buffer.
pub fn write_to(
    format: Format,
    snapshot: &Snapshot,
    audit: &Audit,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_with_history(format, snapshot, audit, &[], color, out)
}

/// [`write_to`], with what the history adds: `runs`, the runs over the same account-regions and checks as
/// this one, newest first and this one among them (the HTML report's trend section).
pub fn write_with_history(
    format: Format,
    snapshot: &Snapshot,
    audit: &Audit,
    runs: &[sgaudit_store::RunSummary],
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    match format {
        Format::Table => table::write(&mut buffered, snapshot, audit, color)?,
        Format::Json => json::write(&mut buffered, snapshot, audit)?,
        Format::Csv => csv::write(&mut buffered, snapshot, audit)?,
        Format::CsvChecks => csv::write_checks(&mut buffered, snapshot, audit)?,
        Format::Sarif => sarif::write(&mut buffered, snapshot, audit)?,
        Format::Xlsx => xlsx::write(&mut buffered, snapshot, audit)?,
        Format::Asff => asff::write(&mut buffered, snapshot, audit)?,
        Format::Ocsf => ocsf::write(&mut buffered, snapshot, audit)?,
        Format::Html => html::write_with(&mut buffered, snapshot, audit, runs)?,
    }
    std::io::Write::flush(&mut buffered)
}

/// Writes the audit log of one account to `out`, buffered as [`write_to`] does.
pub fn write_audit_log(
    account_id: &str,
    snapshot: &Snapshot,
    audit: &Audit,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    audit_log::write(&mut buffered, account_id, snapshot, audit)?;
    std::io::Write::flush(&mut buffered)
}

#[cfg(test)]
pub(crate) mod test_support {
    use sgaudit_snapshot::{SecurityGroup, Snapshot};

    /// The demo estate of examples/: one account, two regions, a denied source, a hostile tag and name.
    pub fn demo() -> Snapshot {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-snapshot.json");
        Snapshot::load(&path).expect("the demo snapshot loads")
    }

    pub fn group_named<'a>(snapshot: &'a mut Snapshot, group_id: &str) -> &'a mut SecurityGroup {
        snapshot.group_mut(group_id).unwrap_or_else(|| panic!("{group_id} is not in the demo"))
    }

    /// What a hostile value carries: a cleared screen, a window title (OSC 0), a clickable link (OSC 8), C1
    /// CSI, a right-to-left override, and a line break that starts a forged `UNUSED` line.
    pub const EVIL: &str = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\u{9b}31m\u{202e}\nUNUSED sg-0forged (x) in us-east-1: UNUSED, risk low";

    /// The demo with [`EVIL`] in every string that comes from AWS and that a report for people shows: the
    /// account's name and profile, a region, an error message (code and action too), a group's id, name,
    /// description, VPC and tags, a resource id and detail, an account not reached and one skipped.
    pub fn hostile() -> Snapshot {
        use sgaudit_snapshot::{Account, CoverageState, SourceError};
        let mut snapshot = demo();
        let evil = |what: &str| format!("{what}{EVIL}");
        snapshot.accounts[0].name = Some(evil("org-name"));
        snapshot.accounts[0].profile = Some(evil("demo"));
        snapshot.collected_at = Some(evil("2026-11-23T04:00:00Z"));
        let error =
            SourceError { code: evil("Denied"), message: evil("message"), action: Some(evil("x:Y")), scp_deny: true };
        snapshot.accounts.push(Account {
            account_id: evil("unreachable"),
            name: None,
            profile: Some(evil("p")),
            error: Some(error.clone()),
            skipped: None,
        });
        snapshot.accounts.push(Account {
            account_id: "210987654321".into(),
            name: Some(evil("suspended")),
            profile: None,
            error: None,
            skipped: Some(evil("suspended")),
        });
        for region in &mut snapshot.regions {
            for c in &mut region.coverage {
                if let CoverageState::Denied { error: e } | CoverageState::Failed { error: e } = &mut c.state {
                    **e = error.clone();
                }
            }
            if region.region == "eu-west-1" {
                region.region = evil("eu-west-1");
            }
            if let Some(a) = region.attachments.first_mut() {
                a.resource_id = evil("i-0");
                a.detail = Some(evil("detail"));
            }
        }
        let g = group_named(&mut snapshot, "sg-0a400000000001dc1");
        g.group_id = evil("sg-0a400000000001dc1");
        g.group_name = evil("name");
        g.description = evil("description");
        g.vpc_id = Some(evil("vpc-0"));
        g.tags.insert(evil("key"), evil("value"));
        let g = group_named(&mut snapshot, "sg-0a300000000ba5710");
        g.group_name = evil("bastion");
        snapshot
    }

    /// A reason and an owner as someone hostile could write them in `sgaudit.toml`: a spreadsheet formula,
    /// markup that would run, a colour escape, a line break that starts a forged `UNUSED` line.
    pub const EVIL_REASON: &str =
        "=HYPERLINK(\"http://evil.example\",\"x\")<script>alert(1)</script>\u{1b}[31m\nUNUSED sg-0forged";
    pub const EVIL_OWNER: &str = "@owner<img src=x onerror=alert(2)>\u{1b}]0;pwned\u{7}";

    /// Mutes the bastion's `sg-world-open-ssh` finding and `=2+5`'s `iam-user-mfa` failure with `reason` and
    /// `owner`, marks `sg-0a400000000001dc1` in use with them and gives it an `unused_since`, and declares
    /// one exception of each state: what a run with a config file and a store adds to the demo's audit.
    pub fn remember(audit: &mut sgaudit_audit::Audit, reason: &str, owner: &str) {
        use sgaudit_audit::exceptions::{ExceptionState, ExceptionStatus};
        let muted = sgaudit_audit::Muted {
            reason: reason.into(),
            owner: owner.into(),
            ticket: Some(format!("{reason}-ticket")),
            expires: Some("2027-03-31".into()),
            declared_at: "sgaudit.toml:7".into(),
        };
        for g in &mut audit.groups {
            if g.group.group_id == "sg-0a300000000ba5710" {
                let ssh = g.findings.iter_mut().find(|f| f.check.id == "sg-world-open-ssh");
                ssh.expect("the bastion is open to SSH").muted = Some(Box::new(muted.clone()));
            }
            if g.group.group_id == "sg-0a400000000001dc1" {
                g.marked_in_use = Some(Box::new(muted.clone()));
                g.unused_since = Some("2026-10-01T04:00:00Z".into());
            }
        }
        let user = audit
            .results
            .iter_mut()
            .find(|r| r.check.id == "iam-user-mfa" && r.location.resource == "arn:aws:iam::123456789012:user/=2+5");
        user.expect("=2+5 has no MFA").muted = Some(Box::new(muted.clone()));
        let state = |state, matched| ExceptionState {
            declared_at: muted.declared_at.clone(),
            reason: muted.reason.clone(),
            owner: muted.owner.clone(),
            ticket: muted.ticket.clone(),
            expires: muted.expires.clone(),
            in_use: false,
            state,
            matched,
        };
        audit.exceptions = vec![
            state(ExceptionStatus::Active, 2),
            state(ExceptionStatus::Expired, 0),
            state(ExceptionStatus::Unmatched, 0),
        ];
    }

    /// The bastion's evidence of reachability and a fix on each of its findings and on `=2+5`'s `iam-user-mfa`
    /// failure, every one with hostile text in it (a formula, markup, an escape, a forged command line): what
    /// the reachability judgement and the fixes add to the demo's audit, until the demo has them of its own.
    ///
    /// A group finding's fix is written by its check from the verdict when a report asks: each of the bastion's
    /// findings is given a copy of its check (the same id, title and controls) whose fixer writes the hostile fix.
    pub fn advise(audit: &mut sgaudit_audit::Audit) {
        for g in audit.groups.iter_mut().filter(|g| g.group.group_id == "sg-0a300000000ba5710") {
            g.reach = crate::reachability::tests::hostile_reach();
            for f in &mut g.findings {
                let hostile = sgaudit_audit::checks::Fixer::Group(|_| Some(crate::fixes::tests::hostile_fix()));
                f.check = Box::leak(Box::new(sgaudit_audit::checks::Check { fix: hostile, ..*f.check }));
            }
        }
        let user = audit
            .results
            .iter_mut()
            .find(|r| r.check.id == "iam-user-mfa" && r.location.resource == "arn:aws:iam::123456789012:user/=2+5");
        user.expect("=2+5 has no MFA").fix =
            sgaudit_audit::checks::ResultFix::Written(Box::new(crate::fixes::tests::hostile_fix()));
    }

    /// Whether `text` holds a character that could drive a terminal or break a line.
    pub fn unprintable(text: &str) -> Option<char> {
        text.chars().find(|&c| c != '\n' && crate::text::is_unprintable(c))
    }
}

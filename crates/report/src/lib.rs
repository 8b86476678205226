//! Writes audit results. One module per format, each taking a writer and the audit; none of them judges.

pub mod asff;
pub mod audit_log;
pub mod csv;
pub mod html;
pub mod json;
pub mod ocsf;
pub mod sarif;
pub mod table;
pub mod time;
pub mod xlsx;

use sgaudit_audit::Audit;
use sgaudit_snapshot::Snapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
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
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    match format {
        Format::Table => table::write(&mut buffered, snapshot, audit, color)?,
        Format::Json => json::write(&mut buffered, snapshot, audit)?,
        Format::Csv => csv::write(&mut buffered, snapshot, audit)?,
        Format::Sarif => sarif::write(&mut buffered, snapshot, audit)?,
        Format::Xlsx => xlsx::write(&mut buffered, snapshot, audit)?,
        Format::Asff => asff::write(&mut buffered, snapshot, audit)?,
        Format::Ocsf => ocsf::write(&mut buffered, snapshot, audit)?,
        Format::Html => html::write(&mut buffered, snapshot, audit)?,
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
}

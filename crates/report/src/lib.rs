//! Writes audit results. One module per format, each taking a writer and the audit; none of them judges.

pub mod json;
pub mod table;

use sgaudit_audit::Audit;
use sgaudit_snapshot::Snapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
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
    }
    std::io::Write::flush(&mut buffered)
}

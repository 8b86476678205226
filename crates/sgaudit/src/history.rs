//! `sgaudit history` and `sgaudit diff`: reading the store. Neither calls AWS nor writes anything.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use sgaudit_report::printable;
use sgaudit_store::diff::{diff, RunData};
use sgaudit_store::RunSummary;

use crate::memory::{History, StoreArgs};
use crate::{exit, output, Error};

#[derive(clap::Args)]
pub struct HistoryArgs {
    /// How many runs, newest first.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    limit: u32,
    #[arg(long, value_enum, default_value = "table")]
    format: HistoryFormat,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum HistoryFormat {
    /// A row per run, each count with its change since the previous comparable run.
    Table,
    /// The runs with their counts and trend (schema_version 1, docs/store.md).
    Json,
    /// A row per run (columns in docs/store.md); cells neutralised for spreadsheets.
    Csv,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The older run (its id, as `sgaudit history` lists it). With no run given: the last two comparable scans
    /// (same account-regions and checks). With one: what changed in that run since the comparable scan before it.
    #[arg(value_name = "RUN_A")]
    from: Option<String>,
    /// The newer run.
    #[arg(value_name = "RUN_B")]
    to: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: DiffFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// New findings first, then status and risk changes, groups created and deleted, resolved findings.
    Table,
    /// The diff document (schema_version 1, docs/store.md).
    Json,
    /// One self-contained page.
    Html,
}

fn refuse_no_store(args: &StoreArgs) -> Result<(), Error> {
    if args.no_store {
        return Err(Error::usage("--no-store: this command reads the store"));
    }
    Ok(())
}

pub fn run_history(args: HistoryArgs, configured_store: Option<&str>) -> Result<u8, Error> {
    refuse_no_store(&args.store)?;
    let history = History::to_read(&args.store, configured_store)?;
    let limit = usize::try_from(args.limit).unwrap_or(usize::MAX);
    // Every run is read (a summary each: small), so that the oldest run shown is still compared with the one
    // before it.
    let runs = history.block_on(history.store.runs(None)).map_err(|e| history.failed("reading", e))?;
    let trend = sgaudit_store::history::trend(&runs);
    let mut lines = sgaudit_report::runs::lines(&runs, &trend);
    lines.truncate(limit);
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        HistoryFormat::Table => sgaudit_report::runs::write_table(&mut out, &lines, &history.location.shown()),
        HistoryFormat::Json => sgaudit_report::runs::write_json(&mut out, &lines),
        HistoryFormat::Csv => sgaudit_report::runs::write_csv(&mut out, &lines),
    };
    stdout_result(written)?;
    Ok(exit::OK)
}

pub fn run_diff(args: DiffArgs, configured_store: Option<&str>) -> Result<u8, Error> {
    refuse_no_store(&args.store)?;
    if let Some(path) = &args.output {
        output::check_outputs(&[("--output", path.as_path())], &[], &[])?;
    }
    let history = History::to_read(&args.store, configured_store)?;
    let (a, b) = pick(&history, args.from.as_deref(), args.to.as_deref())?;
    let load = |summary: RunSummary| -> Result<RunData, Error> {
        let store = &history.store;
        let read = |e| history.failed("reading", e);
        let groups = history.block_on(store.groups(&summary.id)).map_err(read)?;
        let findings = history.block_on(store.findings(&summary.id)).map_err(read)?;
        let coverage = history.block_on(store.coverage(&summary.id)).map_err(read)?;
        Ok(RunData { summary, groups, findings, coverage })
    };
    let (a, b) = (load(a)?, load(b)?);
    if !a.summary.comparable_with(&b.summary) {
        eprintln!(
            "sgaudit: note: runs {} and {} did not look at the same account-regions and checks; only what both \
             looked at is compared",
            printable(&a.summary.id),
            printable(&b.summary.id)
        );
    }
    let d = diff(&a, &b);
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(w);
        match args.format {
            DiffFormat::Table => sgaudit_report::diff::write_text(&mut w, &d)?,
            DiffFormat::Json => sgaudit_report::diff::write_json(&mut w, &d)?,
            DiffFormat::Html => sgaudit_report::diff::write_html(&mut w, &d)?,
        }
        w.flush()
    };
    match &args.output {
        Some(path) => output::write_atomic(path, write)
            .map_err(|e| Error::output(format!("cannot write {}: {e}", output::shown(path))))?,
        None => {
            if matches!(args.format, DiffFormat::Html) && std::io::stdout().is_terminal() {
                return Err(Error::usage("--format html is a page: give --output FILE"));
            }
            stdout_result(write(&mut std::io::stdout().lock()))?;
        }
    }
    Ok(exit::OK)
}

/// The two runs to compare, older first.
fn pick(history: &History, from: Option<&str>, to: Option<&str>) -> Result<(RunSummary, RunSummary), Error> {
    let store = &history.store;
    let read = |e| history.failed("reading", e);
    let one = |id: &str| -> Result<RunSummary, Error> {
        history.block_on(store.run(id)).map_err(read)?.ok_or_else(|| {
            Error::usage(format!("no run {} in {}", printable(id), history.location.shown()))
                .with_help("`sgaudit history` lists the runs recorded, with their ids")
        })
    };
    let not_enough = || {
        Error::usage(format!("{} holds fewer than two comparable scans to compare", history.location.shown()))
            .with_help("run the same scan again later, or name two runs: `sgaudit diff RUN_A RUN_B`")
    };
    match (from, to) {
        (Some(a), Some(b)) => {
            let (a, b) = (one(a)?, one(b)?);
            // Older first, whatever the order given.
            Ok(if (b.observed_at(), &b.id) < (a.observed_at(), &a.id) { (b, a) } else { (a, b) })
        }
        (Some(b), None) => {
            let b = one(b)?;
            let runs = history.block_on(store.runs(None)).map_err(read)?;
            let a = runs
                .into_iter()
                .filter(|r| {
                    r.id != b.id && r.comparable_with(&b) && (r.observed_at(), &r.id) < (b.observed_at(), &b.id)
                })
                .max_by(|x, y| (x.observed_at(), &x.id).cmp(&(y.observed_at(), &y.id)))
                .ok_or_else(not_enough)?;
            Ok((a, b))
        }
        (None, _) => history.block_on(store.last_comparable_pair()).map_err(read)?.ok_or_else(not_enough),
    }
}

/// A reader that left early (`| head`) is not an error.
fn stdout_result(written: std::io::Result<()>) -> Result<(), Error> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::output(format!("writing to standard output: {e}"))),
    }
}

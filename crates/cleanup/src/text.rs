//! What a cleanup shows people: the plan, each action as it happens, what the fresh judgement kept, and how
//! the run went. Names, reasons and AWS's messages come from AWS or from a file, so they go through
//! `printable`: no value can drive the terminal or forge a line.

use std::io::{self, Write};
use std::path::Path;

use sgaudit_snapshot::text::printable;

use crate::apply::{Journal, Tally};
use crate::log::{Line, Log};
use crate::plan::{Decision, Entry, Plan};

/// The plan, by account-region: each group to delete and each kept, with its reason.
pub fn write_plan(w: &mut dyn Write, plan: &Plan, apply: bool) -> io::Result<()> {
    writeln!(
        w,
        "Cleanup plan: {} group(s) to delete, {} unused or unknown group(s) kept, {} in use{}",
        plan.deletions().count(),
        plan.kept().count(),
        plan.in_use,
        if apply { "" } else { " (dry run)" }
    )?;
    let mut place = None;
    for e in plan.entries() {
        if place != Some((&e.account_id, &e.region)) {
            place = Some((&e.account_id, &e.region));
            writeln!(w, "\n{} / {}", e.account_id, e.region)?;
        }
        let what = match e.decision {
            Decision::Delete => "DELETE",
            Decision::Keep => "keep  ",
        };
        write_entry(w, what, e)?;
    }
    Ok(())
}

/// The groups the fresh judgement right before deleting kept ([`crate::fresh::FreshJudgement::dropped`]).
pub fn write_kept_again(w: &mut dyn Write, dropped: &[Entry]) -> io::Result<()> {
    if !dropped.is_empty() {
        writeln!(w, "\nKept after judging the fresh evidence again:")?;
        for e in dropped {
            write_entry(w, "keep  ", e)?;
        }
    }
    Ok(())
}

fn write_entry(w: &mut dyn Write, what: &str, e: &Entry) -> io::Result<()> {
    let reason = e.reason.to_string();
    writeln!(w, "  {what} {} ({}) — {}", e.group_id, printable(&e.group_name), printable(&reason))
}

/// The journal of a real run: each line appended to the log (synced) and shown on `out`, under a heading
/// per account-region. Only the log's failures count: the log is the record.
pub struct Shown<'a> {
    pub log: &'a mut Log,
    pub out: &'a mut dyn Write,
}

impl Journal for Shown<'_> {
    fn write(&mut self, line: &Line) -> io::Result<()> {
        let reason = if line.reason.is_empty() { String::new() } else { format!(" — {}", printable(line.reason)) };
        let _ = writeln!(
            self.out,
            "  {:<6} {} ({}): {}{reason}",
            line.action,
            printable(line.group_id),
            printable(line.group_name),
            line.result
        );
        self.log.write(line)
    }

    fn region(&mut self, account_id: &str, region: &str) {
        let _ = writeln!(self.out, "\n{account_id} / {region}");
    }
}

/// How the apply went (on `out`), and what needs doing about it (on `err`): a run that stopped early, rules
/// that `sgaudit restore` must put back.
pub fn write_outcome(
    out: &mut dyn Write,
    err: &mut dyn Write,
    tally: &Tally,
    dry_run: bool,
    log: &Path,
) -> io::Result<()> {
    let verb = if dry_run { "would delete (DryRun accepted)" } else { "deleted" };
    writeln!(
        out,
        "\nCleanup: {} {verb}, {} skipped, {} failed. Log: {}",
        tally.deleted,
        tally.skipped,
        tally.failed,
        log.display()
    )?;
    if let Some(why) = &tally.halted {
        writeln!(err, "sgaudit: the cleanup stopped early: {why}; the groups not deleted keep their rules")?;
    }
    for lost in &tally.not_put_back {
        let backup = tally.backup.as_deref().unwrap_or("BACKUP");
        writeln!(err, "sgaudit: {}; `sgaudit restore {backup}` puts them back", printable(&lost.to_string()))?;
    }
    Ok(())
}

//! Progress on stderr: bars on a terminal, and quiet lines otherwise (a log, a CI job), so that a long
//! organization-wide scan shows it is alive without flooding anything.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use sgaudit_collect::{Progress, ProgressFn};

pub fn reporter() -> ProgressFn {
    if std::io::stderr().is_terminal() {
        bars()
    } else {
        lines()
    }
}

fn bars() -> ProgressFn {
    let bar = ProgressBar::hidden();
    let failed = Arc::new(AtomicUsize::new(0));
    Arc::new(move |event| match event {
        Progress::Accounts { scanning, unreachable, skipped } => {
            eprintln!("sgaudit: {scanning} account(s) to scan, {unreachable} unreachable, {skipped} skipped");
        }
        Progress::Started { regions, lists } => {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_length(lists as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:40}] {pos}/{len} source lists {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(format!("in {regions} account-region(s)"));
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Progress::SourceDone { whole, .. } => {
            if !whole {
                let f = failed.fetch_add(1, Ordering::Relaxed) + 1;
                bar.set_message(format!("— {f} not readable"));
            }
            bar.inc(1);
            if bar.length().is_some_and(|len| bar.position() >= len) {
                bar.finish_and_clear();
            }
        }
    })
}

/// At most one line every few seconds, plus the first and last.
fn lines() -> ProgressFn {
    struct State {
        total: usize,
        done: usize,
        failed: usize,
        last: Instant,
    }
    let state = Mutex::new(State { total: 0, done: 0, failed: 0, last: Instant::now() });
    Arc::new(move |event| {
        let Ok(mut s) = state.lock() else { return };
        match event {
            Progress::Accounts { scanning, unreachable, skipped } => {
                eprintln!("sgaudit: {scanning} account(s) to scan, {unreachable} unreachable, {skipped} skipped");
            }
            Progress::Started { regions, lists } => {
                s.total = lists;
                eprintln!("sgaudit: reading {lists} source lists in {regions} account-region(s)");
            }
            Progress::SourceDone { whole, .. } => {
                s.done += 1;
                s.failed += usize::from(!whole);
                if s.done == s.total || s.last.elapsed() >= Duration::from_secs(5) {
                    s.last = Instant::now();
                    eprintln!("sgaudit: {}/{} source lists read, {} not readable", s.done, s.total, s.failed);
                }
            }
        }
    })
}

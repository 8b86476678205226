//! A live scan through the store's scan queue (`sgaudit_store::queue`): each unit's part (an account-region's
//! evidence, or an account's account-wide evidence) is written to the store as soon as it completes, so that
//!
//! - an interrupted scan is resumed (`--resume`) without reading again what it completed, and
//! - several processes, on one machine or many, share one scan (`--shared-scan NAME`) over the same store
//!   (PostgreSQL for several machines): each claims units (`FOR UPDATE SKIP LOCKED`, with a lease that a dead
//!   worker's claims run out of), and `sgaudit report --run NAME` writes the reports from the parts.
//!
//! PostgreSQL (or the SQLite file) is the only coordinator: there is no other service to run.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use sgaudit_collect::{work, UnitKey};
use sgaudit_snapshot::{Part, Snapshot};
use sgaudit_store::{Access, Location, Store};

use crate::error::Kind;
use crate::scope::{Live, ScopeArgs};
use crate::{clock, progress, Error};

#[derive(clap::Args, Clone, Default)]
pub struct QueueArgs {
    /// Resume the last scan of the same accounts, regions and checks that was interrupted (Ctrl-C, a crash, a
    /// lost network): the account-regions it completed are taken from the store, not read again.
    #[arg(long, conflicts_with = "shared_scan")]
    pub resume: bool,
    /// Share this scan with every sgaudit started with the same NAME, scope and store (a postgres:// store for
    /// several machines): each reads the account-regions it claims, a dead one's are taken over after their
    /// lease, and `sgaudit report --run NAME` then writes the reports.
    #[arg(long, value_name = "NAME")]
    pub shared_scan: Option<String>,
    /// Seconds a claimed account-region stays a worker's without news (renewed while it runs).
    #[arg(long, default_value_t = 300, hide = true, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub lease_seconds: u64,
}

impl QueueArgs {
    pub fn used(&self) -> bool {
        self.resume || self.shared_scan.is_some()
    }
}

/// How a scan uses the queue.
pub enum Mode {
    /// A scan of its own, under its run id: resumable if it is interrupted.
    Own(String),
    /// The last interrupted scan of the same scope.
    Resume,
    /// A scan shared with other processes, under this name.
    Shared(String),
}

/// What a scan through the queue gives: every unit is in the store once it returns, for the scan's reports to be
/// read back from there ([`snapshot_of`]) after the collection's runtime, clients and connections are gone.
pub struct Collected {
    /// The snapshot without its parts, made when the scan started (its `collected_at` is the start, as a
    /// snapshot's is), for a scan that writes its reports: [`snapshot_of`] adds the parts. `None` for a shared
    /// scan's worker: the reports are `sgaudit report --run`'s.
    pub skeleton: Option<Snapshot>,
    pub scan_id: String,
    /// Units read by this process, and units taken from the store (completed earlier or by other workers).
    pub read_here: usize,
    pub from_store: usize,
}

/// The scope a queue is for, as canonical JSON: joining or resuming needs the same text. The accounts, regions
/// and families asked for, as given (not as found: a worker that cannot reach one account still joins).
pub fn scope_document(args: &ScopeArgs, families: &[sgaudit_snapshot::Family]) -> String {
    let sorted = |v: &[String]| {
        let mut v = crate::scope::clean(v);
        v.sort();
        v.dedup();
        v
    };
    let mut families: Vec<&str> = families.iter().map(|f| f.id()).collect();
    families.sort();
    serde_json::json!({
        "org": args.org,
        "profiles": sorted(&args.profiles),
        "role_name": if args.org { Some(&args.role_name) } else { None },
        "accounts": sorted(&args.accounts),
        "exclude_accounts": sorted(&args.exclude_accounts),
        "regions": sorted(&args.regions),
        "all_regions": args.all_regions,
        "exclude_regions": sorted(&args.exclude_regions),
        "families": families,
    })
    .to_string()
}

fn store_error(doing: &str, location: &Location, e: impl std::fmt::Display) -> Error {
    Error::new(Kind::Store, format!("{doing} {}: {e}", location.shown()))
}

/// Collects the units of `live` that the queue gives this process, writing each part to the store as it
/// completes; see the module's doc.
pub fn collect(
    live: &Live,
    location: &Location,
    scope: &str,
    mode: Mode,
    lease: Duration,
    quiet: bool,
) -> Result<Collected, Error> {
    let runtime = &live.runtime;
    // The store's connections belong to the runtime they are opened on: this one, which drives the scan.
    let store = runtime
        .block_on(Store::open(location, Access::ReadWrite))
        .map_err(|e| Error::new(Kind::Store, e.to_string()))?;
    let store = Arc::new(store);
    let result = runtime.block_on(run(live, &store, location, scope, mode, lease, quiet));
    runtime.block_on(store.close());
    result
}

async fn run(
    live: &Live,
    store: &Arc<Store>,
    location: &Location,
    scope: &str,
    mode: Mode,
    lease: Duration,
    quiet: bool,
) -> Result<Collected, Error> {
    let failed = |doing: &str, e: sgaudit_store::StoreError| store_error(doing, location, e);
    let units = work::units(&live.connected, &live.options.families);
    let pairs: Vec<(String, String)> = units.iter().map(|u| (u.account_id.clone(), u.region.clone())).collect();
    let shared = matches!(mode, Mode::Shared(_));
    let (scan_id, worker) = match mode {
        Mode::Own(id) => (id.clone(), id),
        Mode::Shared(name) => (name, worker_name()),
        Mode::Resume => {
            let queue =
                store.last_open_scan(scope).await.map_err(|e| failed("reading the scan queue of", e))?.ok_or_else(
                    || {
                        Error::usage(format!("--resume: no interrupted scan of this scope in {}", location.shown()))
                            .with_help(
                            "give the same --org/--profile, --accounts, --region and --checks as the scan to resume",
                        )
                    },
                )?;
            // A scan of its own is claimed under its id, so the claims of the process that was interrupted are
            // this one's to take back at once, rather than after their lease.
            (queue.scan_id.clone(), queue.scan_id)
        }
    };
    store.create_scan(&scan_id, scope, &pairs).await.map_err(|e| failed("creating the scan queue in", e))?;
    let skeleton = sgaudit_collect::skeleton(&live.connected, &live.options, Some(clock::now_rfc3339()));
    store.set_skeleton(&scan_id, &skeleton.to_json()).await.map_err(|e| failed("writing the scan queue in", e))?;
    if let Some(queue) = store.scan_queue(&scan_id).await.map_err(|e| failed("reading the scan queue of", e))? {
        if queue.state != sgaudit_store::QueueState::Open {
            return Err(Error::usage(format!(
                "scan {scan_id} is {} in {}: start another with a new name",
                queue.state.id(),
                location.shown()
            )));
        }
    }
    if !shared {
        store.release(&scan_id, &worker).await.map_err(|e| failed("taking back the claims in", e))?;
    }
    let done_before = store.done_units(&scan_id).await.map_err(|e| failed("reading the scan queue of", e))?;
    on_interrupt(if shared {
        format!(
            "sgaudit: interrupted: what this process completed of scan {scan_id} is in {}; start it again with the \
             same flags to go on (its claims are taken over when their lease runs out)",
            location.shown()
        )
    } else {
        format!(
            "sgaudit: interrupted: the units completed so far are in {}; run the same command with --resume to go \
             on from there",
            location.shown()
        )
    });
    let progress = (!quiet).then(progress::reporter);
    if let Some(report) = &progress {
        let rest: Vec<UnitKey> = units
            .iter()
            .filter(|u| !done_before.contains(&(u.account_id.clone(), u.region.clone())))
            .cloned()
            .collect();
        sgaudit_collect::report_start(&live.connected, &rest, &live.options, report);
        if !done_before.is_empty() {
            eprintln!("sgaudit: scan {scan_id}: {} of {} units already read", done_before.len(), pairs.len());
        }
    }

    // Everything claimed and not yet completed, renewed while it runs so that a long unit is not taken over.
    let held: Arc<Mutex<HashSet<(String, String)>>> = Arc::default();
    let renewing = tokio::spawn({
        let (store, held, scan_id, worker) = (store.clone(), held.clone(), scan_id.clone(), worker.clone());
        async move {
            loop {
                tokio::time::sleep(lease / 4).await;
                let units: Vec<(String, String)> = match held.lock() {
                    Ok(held) => held.iter().cloned().collect(),
                    Err(_) => Vec::new(),
                };
                if !units.is_empty() {
                    // A renewal that fails is tried again next time; the lease runs for three more.
                    let _ = store.renew(&scan_id, &worker, &units, lease).await;
                }
            }
        }
    });
    // The parts are written by a task of their own, never by the task that drives the scan: that one also holds
    // the claims' transactions across awaits, and on SQLite a write waiting there for the lock that a suspended
    // claim holds would wait for itself. Unbounded, so that handing a part over never waits either.
    let (parts_out, mut parts_in) = tokio::sync::mpsc::unbounded_channel::<(String, String, String)>();
    let writer = tokio::spawn({
        let (store, held, scan_id, worker) = (store.clone(), held.clone(), scan_id.clone(), worker.clone());
        async move {
            while let Some((account, region, json)) = parts_in.recv().await {
                store.complete(&scan_id, &worker, &account, &region, &json).await?;
                if let Ok(mut held) = held.lock() {
                    held.remove(&(account, region));
                }
            }
            Ok::<(), sgaudit_store::StoreError>(())
        }
    });

    // Claimed a few at a time, as room frees: a worker holds few units it has not started (a dead one's wait for
    // their lease), and shares a small organisation with the others rather than taking it whole.
    let batch = (live.options.concurrency.div_ceil(live.options.per_region.max(1)) / 4).clamp(1, 16);
    let claim_error: Arc<Mutex<Option<sgaudit_store::StoreError>>> = Arc::default();
    let claims = futures::stream::unfold(Vec::<(String, String)>::new(), |mut buffer| {
        let (held, claim_error, scan_id, worker) = (held.clone(), claim_error.clone(), &scan_id, &worker);
        async move {
            loop {
                if let Some((account, region)) = buffer.pop() {
                    return Some((UnitKey { account_id: account, region }, buffer));
                }
                match store.claim(scan_id, worker, batch, lease).await {
                    Ok(claimed) if !claimed.is_empty() => {
                        if let Ok(mut held) = held.lock() {
                            held.extend(claimed.iter().cloned());
                        }
                        buffer = claimed;
                        buffer.reverse();
                    }
                    Ok(_) if !shared => return None,
                    Ok(_) => match store.progress(scan_id).await {
                        Ok(p) if p.is_complete() => return None,
                        // Other workers hold the rest: wait for them to finish, or for their leases to run out.
                        Ok(_) => tokio::time::sleep(Duration::from_millis(500)).await,
                        Err(e) => {
                            *claim_error.lock().ok()? = Some(e);
                            return None;
                        }
                    },
                    Err(e) => {
                        *claim_error.lock().ok()? = Some(e);
                        return None;
                    }
                }
            }
        }
    });

    let mut parts = std::pin::pin!(sgaudit_collect::collect_units(&live.connected, &live.options, claims, progress));
    let mut read_here = 0;
    while let Some(part) = parts.next().await {
        let (account, region) = part.unit();
        let json = serde_json::to_string(&part).unwrap_or_default();
        if parts_out.send((account.to_string(), region.to_string(), json)).is_err() {
            // The writer stopped on an error: said below.
            break;
        }
        read_here += 1;
        // Not kept here: the part is in the store, and the snapshot is read back from it once every unit is
        // done, so that what a scan holds while it runs follows the units in flight, not the organisation.
    }
    drop(parts_out);
    let written = writer.await;
    // From here on an interrupt loses nothing a resume could use: it stops the process as it would any other.
    on_interrupt(String::new());
    renewing.abort();
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(failed("writing a scan's part to", e)),
        Err(e) => return Err(Error::internal(format!("the writer of the scan's parts failed: {e}"))),
    }
    if let Some(e) = claim_error.lock().ok().and_then(|mut e| e.take()) {
        return Err(failed("claiming from the scan queue of", e));
    }

    let state = store.progress(&scan_id).await.map_err(|e| failed("reading the scan queue of", e))?;
    if shared {
        if state.is_complete() {
            eprintln!(
                "sgaudit: scan {scan_id} is complete ({} units, {read_here} read here): `sgaudit report --run \
                 {scan_id}` writes its reports",
                state.total
            );
        } else if !quiet {
            eprintln!("sgaudit: scan {scan_id}: {read_here} units read here; {} of {} done", state.done, state.total);
        }
        return Ok(Collected { skeleton: None, scan_id: scan_id.clone(), read_here, from_store: 0 });
    }
    if !state.is_complete() {
        return Err(Error::internal(format!(
            "scan {scan_id}: {} of {} units done after the queue ran dry",
            state.done, state.total
        )));
    }
    Ok(Collected { skeleton: Some(skeleton), scan_id: scan_id.clone(), read_here, from_store: done_before.len() })
}

/// The snapshot of a scan whose units are all done: `skeleton` with every part the store has of `scan_id`.
///
/// Read through the history's store once [`collect`] has returned, not by the runtime that collected: a scan
/// drops that runtime first (its worker threads, SDK clients and connection pool), which were still resident
/// under the snapshot read back: without them, a scan of 1,000 accounts x 17 regions peaked at 1,848 MiB rather
/// than 2,239 MiB.
pub fn snapshot_of(history: &crate::memory::History, scan_id: &str, skeleton: Snapshot) -> Result<Snapshot, Error> {
    history.block_on(with_parts(&history.store, &history.location, scan_id, skeleton))
}

async fn with_parts(
    store: &Store,
    location: &Location,
    scan_id: &str,
    mut snapshot: Snapshot,
) -> Result<Snapshot, Error> {
    let everything: HashSet<(String, String)> =
        store.done_units(scan_id).await.map_err(|e| store_error("reading the scan queue of", location, e))?;
    add_stored_parts(store, scan_id, &everything, &mut snapshot, location).await?;
    snapshot.normalize();
    Ok(snapshot)
}

/// Adds to `snapshot` the parts of `scan_id` whose units are in `only` (the units done: a part of any other is left
/// out), read a page at a time.
async fn add_stored_parts(
    store: &Store,
    scan_id: &str,
    only: &HashSet<(String, String)>,
    snapshot: &mut Snapshot,
    location: &Location,
) -> Result<usize, Error> {
    if only.is_empty() {
        return Ok(0);
    }
    let mut added = 0;
    let mut after: Option<(String, String)> = None;
    loop {
        let page = store
            .parts_after(scan_id, after.as_ref().map(|(a, r)| (a.as_str(), r.as_str())), 500)
            .await
            .map_err(|e| store_error("reading the scan's parts from", location, e))?;
        let Some((account, region, _)) = page.last() else { break };
        after = Some((account.clone(), region.clone()));
        for (account, region, json) in page {
            if !only.contains(&(account.clone(), region.clone())) {
                continue;
            }
            let part: Part = serde_json::from_str(&json).map_err(|e| {
                store_error(&format!("the stored part of {account} {region} does not parse ({e}) in"), location, "")
            })?;
            snapshot.add_part(part);
            added += 1;
        }
    }
    Ok(added)
}

/// What Ctrl-C (SIGINT) or SIGTERM says before it stops the process, as the signal would have: while a scan is
/// written to the store, how to go on from what it holds; nothing once `hint` is empty. The watcher is started
/// on first use and stays (signal-hook cannot give a signal its default action back).
fn on_interrupt(hint: String) {
    static HINT: Mutex<String> = Mutex::new(String::new());
    static WATCHER: std::sync::Once = std::sync::Once::new();
    if let Ok(mut current) = HINT.lock() {
        *current = hint;
    }
    WATCHER.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else { return };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                if let Ok(hint) = HINT.lock() {
                    if !hint.is_empty() {
                        eprintln!("{hint}");
                    }
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    });
}

/// A name no other worker has: the host, the process and a random tail.
fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".to_string());
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{host}-{}-{nanos:08x}", std::process::id())
}

/// A run read back from the store, for `--run`.
pub struct Stored {
    pub snapshot: Snapshot,
    /// The scan queue it was assembled from, when it is not recorded as a run yet (a shared scan's first
    /// report): the run recorded now finishes it.
    pub scan_id: Option<String>,
    /// Whether its run is in the history already (reported before, or a run kept with --store-snapshot).
    pub recorded: bool,
}

/// The snapshot of `id`: a shared scan's parts once every unit is done, else the snapshot kept with a run.
pub fn stored_snapshot(history: &crate::memory::History, id: &str) -> Result<Stored, Error> {
    let location = &history.location;
    let store = &history.store;
    let failed = |doing: &str, e: sgaudit_store::StoreError| store_error(doing, location, e);
    history.block_on(async {
        if let Some(queue) = store.scan_queue(id).await.map_err(|e| failed("reading the scan queue of", e))? {
            let state = store.progress(id).await.map_err(|e| failed("reading the scan queue of", e))?;
            if !state.is_complete() {
                return Err(Error::usage(format!(
                    "scan {id} is not complete in {}: {} of {} units read",
                    location.shown(),
                    state.done,
                    state.total
                ))
                .with_help(format!("start (more) workers with `sgaudit scan --shared-scan {id}` and the same scope")));
            }
            let skeleton = store.skeleton(id).await.map_err(|e| failed("reading the scan queue of", e))?;
            let Some(skeleton) = skeleton else {
                return Err(Error::internal(format!("scan {id} has no skeleton in {}", location.shown())));
            };
            let skeleton = Snapshot::from_json(&skeleton, &format!("the skeleton of scan {id}"))?;
            let snapshot = with_parts(store, location, id, skeleton).await?;
            let recorded = queue.run_id.is_some();
            return Ok(Stored { snapshot, scan_id: (!recorded).then(|| id.to_string()), recorded });
        }
        match store.snapshot(id).await.map_err(|e| failed("reading the run's snapshot from", e))? {
            Some(text) => {
                let snapshot = Snapshot::from_json(&text, &format!("the snapshot of run {id}"))?;
                Ok(Stored { snapshot, scan_id: None, recorded: true })
            }
            None => Err(Error::usage(format!("no scan and no kept snapshot named {id} in {}", location.shown()))
                .with_help("`sgaudit history` lists the runs; a run's snapshot is kept with --store-snapshot")),
        }
    })
}

//! The binary's side of the history (crates/store): which store a command uses, opened and checked before any
//! AWS call; what earlier runs say about this one (unused since, marks); and the run recorded at the end, in
//! one transaction.

use std::collections::{BTreeMap, HashMap};

use sgaudit_audit::exceptions::{Day, Exception, Matcher};
use sgaudit_audit::memory::Previous;
use sgaudit_audit::{Audit, Outcome, Status};
use sgaudit_snapshot::Snapshot;
use sgaudit_store::{
    Access, CoverageRow, FindingRow, GroupRow, Location, Mark, OpenError, RunKind, RunRecord, RunSummary, Store,
};

use crate::error::Kind;
use crate::Error;

/// Where the history is kept: the flags every recording command takes.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct StoreArgs {
    /// The history: a SQLite file (created if missing; its directory must exist), or a `postgres://` URL
    /// for a store a team shares. Default: `history.sqlite3` in the user's data directory
    /// (`~/.local/share/sgaudit/` on Linux).
    #[arg(long, env = "SGAUDIT_STORE", value_name = "PATH|URL")]
    pub store: Option<String>,
    /// Leave no trace: record nothing. Marks already recorded are still honoured (read, never written).
    #[arg(long, conflicts_with = "store_snapshot")]
    pub no_store: bool,
    /// Also keep the whole snapshot in the store with the run (large: as big as --save-snapshot's file).
    #[arg(long)]
    pub store_snapshot: bool,
}

impl StoreArgs {
    /// The store named by `--store` / `SGAUDIT_STORE`, else by the config file, else the default file.
    pub fn location(&self, configured: Option<&str>) -> Result<Location, Error> {
        if let Some(given) = self.store.as_deref().or(configured) {
            return Ok(Location::parse(given));
        }
        Location::default_path().map(Location::Sqlite).ok_or_else(|| {
            Error::new(Kind::Store, "this system has no data directory for the history").with_help(
                "give one with --store PATH or a postgres:// URL (SGAUDIT_STORE), or run without: --no-store",
            )
        })
    }
}

/// Makes the default store's directory, sgaudit's own, on first use; a store given by path must be in a
/// directory that exists.
fn make_default_dir(args: &StoreArgs, configured: Option<&str>) -> Result<(), Error> {
    if args.store.is_some() || configured.is_some() {
        return Ok(());
    }
    if let Some(dir) = Location::default_path().as_deref().and_then(std::path::Path::parent) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::new(Kind::Store, format!("cannot create {}: {e}", crate::output::shown(dir))))?;
    }
    Ok(())
}

/// An open history, with the runtime its calls run on.
pub struct History {
    pub store: Store,
    pub location: Location,
    runtime: tokio::runtime::Runtime,
    /// Whether this run is recorded (`--no-store` reads marks only).
    pub records: bool,
    pub keep_snapshot: bool,
}

/// The one line said about a store that cannot be used, before anything else happens.
pub fn open_error(error: OpenError) -> Error {
    Error::new(Kind::Store, error.to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("starting the store's runtime: {e}")))
}

impl History {
    /// Opens the store for a recording command (`scan`, `cleanup`, `restore`): created and migrated if
    /// needed; with `--no-store`, opened read-only when it exists (for its marks), else `None`.
    pub fn for_run(args: &StoreArgs, configured: Option<&str>) -> Result<Option<History>, Error> {
        let location = args.location(configured)?;
        let runtime = runtime()?;
        let access = if args.no_store { Access::ReadOnly } else { Access::ReadWrite };
        if !args.no_store {
            make_default_dir(args, configured)?;
        }
        match runtime.block_on(Store::open(&location, access)) {
            Ok(store) => Ok(Some(History {
                store,
                location,
                runtime,
                records: !args.no_store,
                keep_snapshot: args.store_snapshot,
            })),
            // `--no-store` with no history yet: nothing to honour, nothing to write.
            Err(OpenError::Missing { .. }) if args.no_store => Ok(None),
            Err(e) => Err(open_error(e)),
        }
    }

    /// Opens an existing store to read (`history`, `diff`): never creates or migrates one.
    pub fn to_read(args: &StoreArgs, configured: Option<&str>) -> Result<History, Error> {
        let location = args.location(configured)?;
        let runtime = runtime()?;
        let store = runtime.block_on(Store::open(&location, Access::ReadOnly)).map_err(open_error)?;
        Ok(History { store, location, runtime, records: false, keep_snapshot: false })
    }

    /// Opens the store to write a mark (created if missing).
    pub fn to_write(args: &StoreArgs, configured: Option<&str>) -> Result<History, Error> {
        let location = args.location(configured)?;
        make_default_dir(args, configured)?;
        let runtime = runtime()?;
        let store = runtime.block_on(Store::open(&location, Access::ReadWrite)).map_err(open_error)?;
        Ok(History { store, location, runtime, records: true, keep_snapshot: false })
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A failure of the store after it was opened (a query, a write).
    pub fn failed(&self, doing: &str, error: impl std::fmt::Display) -> Error {
        Error::new(Kind::Store, format!("{doing} {}: {error}", self.location.shown()))
    }

    /// The marks recorded with `sgaudit mark`, as exceptions that hold their groups in use.
    pub fn marks(&self) -> Result<Vec<Mark>, Error> {
        self.block_on(self.store.marks()).map_err(|e| self.failed("reading the marks of", e))
    }

    /// Fills "unused since" from the latest earlier run that looked at each group's account-region.
    pub fn remember(&self, snapshot: &Snapshot, audit: &mut Audit) -> Result<(), Error> {
        let places: Vec<(String, String)> =
            audit.regions.iter().map(|r| (r.account_id.clone(), r.region.clone())).collect();
        if places.is_empty() {
            return Ok(());
        }
        let observed_at = observed_at(snapshot);
        let seen =
            self.block_on(self.store.last_seen(&places)).map_err(|e| self.failed("reading the history in", e))?;
        let previous: HashMap<String, Previous> = seen
            .into_iter()
            .filter_map(|(group, last)| {
                let status = status_of(&last.status)?;
                Some((group, Previous { status, unused_since: last.unused_since }))
            })
            .collect();
        sgaudit_audit::memory::apply(audit, &previous, &observed_at);
        Ok(())
    }

    /// The runs comparable with `run_id` (same places and checks), newest first and it among them, at most
    /// [`TREND_RUNS`]: the HTML report's trend.
    pub fn trend_of(&self, run_id: &str) -> Result<Vec<RunSummary>, Error> {
        let read = |e| self.failed("reading the history in", e);
        let Some(this) = self.block_on(self.store.run(run_id)).map_err(read)? else { return Ok(Vec::new()) };
        let runs = self.block_on(self.store.runs(Some(TREND_RUNS * 20))).map_err(read)?;
        Ok(runs.into_iter().filter(|r| r.comparable_with(&this)).take(TREND_RUNS).collect())
    }

    /// Records the run, whole or not at all.
    pub fn record(&self, run: &RunRecord) -> Result<(), Error> {
        self.block_on(self.store.record(run)).map_err(|e| self.failed("recording the run in", e))
    }

    /// Records a scan, whole or not at all: its rows are made from the audit as the store takes them.
    pub fn record_scan(&self, run: &ScanRun) -> Result<(), Error> {
        let record = run.record();
        let recorded = self.store.record_rows(&record, run.group_rows(), run.finding_rows());
        self.block_on(recorded).map_err(|e| self.failed("recording the run in", e))
    }
}

/// How many runs the HTML report's trend shows.
pub const TREND_RUNS: usize = 12;

impl Drop for History {
    /// Closes the connections: SQLite folds its write-ahead log back into the file.
    fn drop(&mut self) {
        self.runtime.block_on(self.store.close());
    }
}

/// When this run's evidence was read: the snapshot's `collected_at`, else now.
pub fn observed_at(snapshot: &Snapshot) -> String {
    snapshot.collected_at.clone().filter(|t| !t.is_empty()).unwrap_or_else(crate::clock::now_rfc3339)
}

fn status_of(id: &str) -> Option<Status> {
    Status::ALL.iter().copied().find(|s| s.id() == id)
}

/// What a scan records: everything a diff or a trend needs, without the snapshot (unless asked for).
pub struct ScanRun<'a> {
    pub id: String,
    pub started_at: String,
    pub duration_ms: i64,
    pub caller_arn: Option<String>,
    pub from_snapshot: bool,
    pub security_hub_pushed: bool,
    pub snapshot: &'a Snapshot,
    pub audit: &'a Audit<'a>,
    pub keep_snapshot: bool,
}

impl<'a> ScanRun<'a> {
    /// The run, without its groups and findings: [`ScanRun::group_rows`] and [`ScanRun::finding_rows`] make
    /// those one at a time, as the store writes them: made whole, an organisation's rows sat beside its audit
    /// (heaptrack counted 73 MiB of them at 100 accounts x 17 regions).
    pub fn record(&self) -> RunRecord {
        let audit = self.audit;
        let coverage: Vec<CoverageRow> = audit
            .regions
            .iter()
            .map(|r| CoverageRow {
                account: r.account_id.clone(),
                region: r.region.clone(),
                complete: r.complete,
                sources_read: i64::try_from(r.sources_read).unwrap_or(i64::MAX),
                sources: i64::try_from(sgaudit_snapshot::SOURCES.len()).unwrap_or(i64::MAX),
                unreadable: sgaudit_audit::join(&r.unreadable, "; "),
            })
            .collect();
        let finished_at = crate::clock::now_rfc3339();
        RunRecord {
            id: self.id.clone(),
            kind: RunKind::Scan,
            started_at: self.started_at.clone(),
            finished_at,
            duration_ms: self.duration_ms,
            caller_arn: self.caller_arn.clone(),
            sgaudit_version: env!("CARGO_PKG_VERSION").to_string(),
            from_snapshot: self.from_snapshot,
            collected_at: Some(observed_at(self.snapshot)),
            families: audit.families.iter().map(|f| f.id().to_string()).collect(),
            security_hub_pushed: self.security_hub_pushed,
            counts: counts(audit).into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            coverage,
            groups: Vec::new(),
            findings: Vec::new(),
            detail: None,
            snapshot: self.keep_snapshot.then(|| self.snapshot.to_json()),
        }
    }

    /// One row per group judged.
    pub fn group_rows(&self) -> impl Iterator<Item = GroupRow> + 'a {
        self.audit.groups.iter().map(group_row)
    }

    /// One row per finding on a group, then one per check result, in that order (their `seq` in the store).
    pub fn finding_rows(&self) -> impl Iterator<Item = FindingRow> + 'a {
        let audit = self.audit;
        let home = sgaudit_report::asff::HomeRegions::of(self.snapshot);
        let on_groups = audit.groups.iter().flat_map(|g| {
            let resource = sgaudit_report::asff::group_arn(g.account_id, g.region, &g.group.group_id);
            g.findings.iter().map(move |f| FindingRow {
                check_id: f.check.id.to_string(),
                account: g.account_id.to_string(),
                region: Some(g.region.to_string()),
                resource_type: sgaudit_report::asff::RESOURCE_TYPE.to_string(),
                resource: resource.clone(),
                group_id: Some(g.group.group_id.clone()),
                severity: f.severity.id().to_string(),
                outcome: Outcome::Fail.id().to_string(),
                title: sgaudit_report::asff::title(g, f),
                message: f.message.clone(),
                muted_reason: f.muted.as_deref().map(|m| m.reason.clone()),
                muted_owner: f.muted.as_deref().map(|m| m.owner.clone()),
                finding_id: Some(sgaudit_report::asff::finding_id(g, f.check.id)),
                filed_region: Some(g.region.to_string()),
            })
        });
        let results = audit.results.iter().map(move |r| FindingRow {
            check_id: r.check.id.to_string(),
            account: r.location.account_id.clone(),
            region: r.location.region.clone(),
            resource_type: r.location.resource_type.to_string(),
            resource: r.location.resource.clone(),
            group_id: None,
            severity: r.severity.id().to_string(),
            outcome: r.outcome.id().to_string(),
            title: sgaudit_report::asff::result_title(r),
            message: r.evidence.clone(),
            muted_reason: r.muted.as_deref().map(|m| m.reason.clone()),
            muted_owner: r.muted.as_deref().map(|m| m.owner.clone()),
            finding_id: Some(sgaudit_report::asff::result_finding_id(r)),
            filed_region: Some(home.of_result(r).to_string()),
        });
        on_groups.chain(results)
    }
}

fn group_row(g: &sgaudit_audit::GroupVerdict) -> GroupRow {
    let evidence = match g.status {
        Status::Unknown => sgaudit_audit::join(&g.missing_evidence, "; "),
        _ => g.used_by.iter().take(3).map(|u| format!("{} {}", u.kind.id(), u.id)).collect::<Vec<_>>().join(", "),
    };
    GroupRow {
        account: g.account_id.to_string(),
        region: g.region.to_string(),
        group_id: g.group.group_id.clone(),
        name: g.group.group_name.clone(),
        vpc_id: g.group.vpc_id.clone(),
        is_default: g.is_default,
        status: g.status.id().to_string(),
        risk: g.risk.id().to_string(),
        unused_since: g.unused_since.clone(),
        uses: i64::try_from(g.used_by.len()).unwrap_or(i64::MAX),
        evidence,
        marked_in_use: g.marked_in_use.as_deref().map(|m| m.reason.clone()),
    }
}

/// The run's counts, by name: what `history` lists and a dashboard charts. Muted findings are counted apart.
pub fn counts(audit: &Audit) -> BTreeMap<&'static str, i64> {
    let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    let mut c: BTreeMap<&'static str, i64> = BTreeMap::new();
    c.insert("groups", n(audit.groups.len()));
    for status in Status::ALL {
        c.insert(status.id(), n(audit.count_status(status)));
    }
    for risk in sgaudit_audit::Risk::ALL {
        c.insert(risk_key(risk), n(audit.count_risk(risk)));
    }
    let group_findings = audit.groups.iter().flat_map(|g| &g.findings);
    c.insert("findings", n(group_findings.clone().filter(|f| f.muted.is_none()).count()));
    c.insert("findings_muted", n(group_findings.filter(|f| f.muted.is_some()).count()));
    for outcome in Outcome::ALL {
        let key = match outcome {
            Outcome::Pass => "results_pass",
            Outcome::Fail => "results_fail",
            Outcome::NotEvaluated => "results_not_evaluated",
        };
        c.insert(key, n(audit.results.iter().filter(|r| r.outcome == outcome && r.muted.is_none()).count()));
    }
    c.insert("results_muted", n(audit.results.iter().filter(|r| r.muted.is_some()).count()));
    c.insert(
        "false_positives",
        n(audit.groups.iter().filter(|g| g.status == Status::Unused && g.marked_in_use.is_some()).count()),
    );
    c.insert("places", n(audit.regions.len()));
    c.insert("places_complete", n(audit.regions.iter().filter(|r| r.complete).count()));
    c.insert("accounts_unreachable", n(audit.unreachable_accounts.len()));
    c
}

fn risk_key(risk: sgaudit_audit::Risk) -> &'static str {
    match risk {
        sgaudit_audit::Risk::None => "risk_none",
        sgaudit_audit::Risk::Low => "risk_low",
        sgaudit_audit::Risk::Medium => "risk_medium",
        sgaudit_audit::Risk::High => "risk_high",
        sgaudit_audit::Risk::Critical => "risk_critical",
    }
}

/// The marks recorded with `sgaudit mark`, as the `in_use` exceptions they are (declared at `mark`). A mark
/// whose expiry cannot be read holds with no end: a mark is never dropped silently.
pub fn marks_as_exceptions(marks: &[Mark]) -> Vec<Exception> {
    marks
        .iter()
        .map(|m| Exception {
            matcher: Matcher::new(
                m.account.iter().cloned().collect(),
                m.region.iter().cloned().collect(),
                vec![m.group_id.clone()],
                Vec::new(),
                Vec::new(),
                Vec::new(),
            ),
            reason: m.reason.clone(),
            owner: m.owner.clone(),
            ticket: None,
            expires: m.expires.as_deref().and_then(|d| Day::parse(d).ok()),
            in_use: true,
            declared_at: crate::config::MARK.to_string(),
        })
        .collect()
}

/// What a cleanup records: what it planned, and, when applied, what it did. No group rows: a cleanup reads
/// the estate to protect it, not to audit it, so its judgement is not part of the groups' history.
pub struct CleanupRun<'a> {
    pub id: String,
    pub started_at: String,
    pub duration_ms: i64,
    pub caller_arn: Option<String>,
    pub from_snapshot: bool,
    pub collected_at: Option<String>,
    pub plan: &'a sgaudit_cleanup::Plan,
    pub applied: Option<&'a sgaudit_cleanup::apply::Tally>,
    pub dry_run_aws: bool,
}

impl CleanupRun<'_> {
    pub fn record(&self) -> RunRecord {
        let planned: Vec<serde_json::Value> = self
            .plan
            .deletions()
            .map(|e| {
                serde_json::json!({
                    "account": e.account_id, "region": e.region, "group_id": e.group_id, "name": e.group_name
                })
            })
            .collect();
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        let mut counts =
            vec![("planned".to_string(), n(planned.len())), ("kept".to_string(), n(self.plan.kept().count()))];
        let mut detail = serde_json::json!({ "planned": planned, "applied": self.applied.is_some(),
                                              "dry_run_aws": self.dry_run_aws });
        if let Some(t) = self.applied {
            counts.extend([
                ("deleted".to_string(), n(t.deleted)),
                ("skipped".to_string(), n(t.skipped)),
                ("failed".to_string(), n(t.failed)),
            ]);
            detail["backup"] = serde_json::json!(t.backup);
            detail["halted"] = serde_json::json!(t.halted.as_ref().map(|h| h.to_string()));
        }
        RunRecord {
            id: self.id.clone(),
            kind: RunKind::Cleanup,
            started_at: self.started_at.clone(),
            finished_at: crate::clock::now_rfc3339(),
            duration_ms: self.duration_ms,
            caller_arn: self.caller_arn.clone(),
            sgaudit_version: env!("CARGO_PKG_VERSION").to_string(),
            from_snapshot: self.from_snapshot,
            collected_at: self.collected_at.clone(),
            families: vec![sgaudit_snapshot::Family::Groups.id().to_string()],
            security_hub_pushed: false,
            counts,
            coverage: Vec::new(),
            groups: Vec::new(),
            findings: Vec::new(),
            detail: Some(detail.to_string()),
            snapshot: None,
        }
    }
}

/// The record of a run that is not a scan (a restore): its counts and what it did, no rows.
pub fn other_run(
    kind: RunKind,
    started_at: &str,
    took: std::time::Duration,
    caller_arn: Option<String>,
    counts: Vec<(String, i64)>,
    detail: String,
) -> RunRecord {
    RunRecord {
        id: new_run_id(),
        kind,
        started_at: started_at.to_string(),
        finished_at: crate::clock::now_rfc3339(),
        duration_ms: i64::try_from(took.as_millis()).unwrap_or(i64::MAX),
        caller_arn,
        sgaudit_version: env!("CARGO_PKG_VERSION").to_string(),
        from_snapshot: false,
        collected_at: None,
        families: Vec::new(),
        security_hub_pushed: false,
        counts,
        coverage: Vec::new(),
        groups: Vec::new(),
        findings: Vec::new(),
        detail: Some(detail),
        snapshot: None,
    }
}

/// A run id for a run that started now.
pub fn new_run_id() -> String {
    sgaudit_store::run_id(std::time::SystemTime::now())
}

/// The findings an earlier push sent (`rows`, from the store) that this run no longer has (`now_ids`): to be
/// archived in Security Hub. Only where this run proves they are gone: in an account-region it read
/// completely (for an account-wide result: an account it reached, every region of it read completely, and no
/// result of the same check not evaluated there). A finding that merely was not looked at this time (another
/// scope, a source denied) stays as it is.
pub fn resolved_since<'a>(
    rows: &'a [FindingRow],
    now_ids: &std::collections::HashSet<&str>,
    audit: &Audit,
) -> Vec<sgaudit_report::archive::Pushed<'a>> {
    use std::collections::HashSet;
    let complete: HashSet<(&str, &str)> =
        audit.regions.iter().filter(|r| r.complete).map(|r| (r.account_id.as_str(), r.region.as_str())).collect();
    let incomplete_accounts: HashSet<&str> =
        audit.regions.iter().filter(|r| !r.complete).map(|r| r.account_id.as_str()).collect();
    let reached: HashSet<&str> = complete.iter().map(|(account, _)| *account).collect();
    let unevaluated: HashSet<(&str, &str)> = audit
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::NotEvaluated)
        .map(|r| (r.location.account_id.as_str(), r.check.id))
        .collect();
    let judged: HashSet<&str> = audit.families.iter().map(|f| f.id()).collect();
    rows.iter()
        .filter_map(|row| {
            let (Some(id), Some(filed)) = (row.finding_id.as_deref(), row.filed_region.as_deref()) else {
                return None;
            };
            if now_ids.contains(id) || unevaluated.contains(&(row.account.as_str(), row.check_id.as_str())) {
                return None;
            }
            // A family this run did not judge says nothing of its findings.
            let family = sgaudit_audit::checks::by_id(&row.check_id).map(|c| c.family.id());
            if family.is_some_and(|f| !judged.contains(f)) {
                return None;
            }
            let proven = match row.region.as_deref() {
                Some(region) => complete.contains(&(row.account.as_str(), region)),
                None => reached.contains(row.account.as_str()) && !incomplete_accounts.contains(row.account.as_str()),
            };
            proven.then_some(sgaudit_report::archive::Pushed {
                id,
                check_id: &row.check_id,
                account_id: &row.account,
                filed_region: filed,
                resource_type: &row.resource_type,
                resource: &row.resource,
                severity: &row.severity,
                title: &row.title,
                message: &row.message,
            })
        })
        .collect()
}

//! `sgaudit preflight`: before a long scan, proves in every account in scope that each IAM action the chosen
//! uses need is allowed, with one real call per action, and says what to do about each that is not.

use sgaudit_collect::uses::Use;
use sgaudit_snapshot::Family;

use crate::scan::ChecksArg;
use crate::scope::{usage_for_scan, Live, ScopeArgs};
use crate::{clock, exit, UsageError};
use sgaudit_collect::ScanError;
use sgaudit_snapshot::preflight::Preflight;

#[derive(clap::Args)]
pub struct PreflightArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// The families of checks the scan will run, as `scan --checks` takes them.
    #[command(flatten)]
    checks: ChecksArg,
    /// What sgaudit will be used for, comma-separated: `scan` (the families of --checks), `checks:FAMILY`,
    /// `security-hub`, `cleanup`, `restore`. With --org, reaching the organization is checked too.
    #[arg(long = "for", value_delimiter = ',', value_name = "USES", default_value = "scan")]
    uses: Vec<String>,
    /// `text` for people, `json` for programs (the document is described in docs/formats.md).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: PreflightArgs) -> anyhow::Result<u8> {
    let families = args.checks.families();
    let uses = uses(&args.uses, &families, args.scope.org)?;
    // The organization's accounts not listable is what a preflight is for: said, with exit 3, not a usage error.
    let live = Live::connect_or(&args.scope, |err| match err {
        ScanError::Organization(why) => anyhow::Error::new(Unlistable(why)),
        other => usage_for_scan(other),
    });
    let preflight = match live {
        Ok(live) => live.runtime.block_on(sgaudit_collect::preflight::run(
            &live.connected,
            &live.options,
            &uses,
            clock::now_rfc3339(),
        )),
        Err(err) => match err.downcast::<Unlistable>() {
            Ok(Unlistable(why)) => {
                Preflight::unlistable(uses.iter().map(|u| u.id()).collect(), why, clock::now_rfc3339())
            }
            Err(err) => return Err(err),
        },
    };
    match args.format {
        Format::Text => print!("{}", sgaudit_report::preflight::text(&preflight)),
        Format::Json => println!("{}", sgaudit_report::preflight::json(&preflight)?),
    }
    Ok(if preflight.all_ready() { exit::OK } else { exit::PARTIAL })
}

/// `organizations:ListAccounts` failed.
#[derive(Debug)]
struct Unlistable(String);

impl std::fmt::Display for Unlistable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unlistable {}

/// The uses `--for` names: `scan` is every family of `--checks`.
fn uses(given: &[String], families: &[Family], org: bool) -> anyhow::Result<Vec<Use>> {
    let mut uses = Vec::new();
    for name in crate::scope::clean(given) {
        match name.as_str() {
            "scan" => {
                uses.push(Use::Scan);
                uses.extend(families.iter().map(|f| Use::Checks(*f)));
            }
            "org" => uses.push(Use::Org),
            other => uses.push(other.parse::<Use>().map_err(|e| UsageError(format!("--for: {e}, or scan")))?),
        }
    }
    if org {
        uses.push(Use::Org);
    }
    if uses.is_empty() {
        return Err(UsageError("--for: name at least one use (scan, cleanup, ...)".into()).into());
    }
    uses.sort();
    uses.dedup();
    Ok(uses)
}

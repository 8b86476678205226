//! `sgaudit preflight`: before a long scan, proves in every account in scope that each IAM action the chosen
//! uses need is allowed, with one real call per action, and says what to do about each that is not.

use sgaudit_collect::uses::Use;
use sgaudit_snapshot::Family;

use crate::scan::ChecksArg;
use crate::scope::{Live, ScopeArgs};
use crate::{clock, exit, Error, UsageError};
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

pub fn run(args: PreflightArgs) -> Result<u8, Error> {
    let families = args.checks.families();
    let uses = uses(&args.uses, &families, args.scope.org)?;
    // The organization's accounts not listable is what a preflight is for: said, with exit 3, not an error.
    let live = Live::connect_or(&args.scope, |err| match err {
        ScanError::Organization(why) => Unreached::Unlistable(why),
        other => Unreached::Error(other.into()),
    });
    let preflight = match live {
        Ok(live) => live.runtime.block_on(sgaudit_collect::preflight::run(
            &live.connected,
            &live.options,
            &uses,
            clock::now_rfc3339(),
        )),
        Err(Unreached::Unlistable(why)) => {
            Preflight::unlistable(uses.iter().map(|u| u.id()).collect(), why, clock::now_rfc3339())
        }
        Err(Unreached::Error(err)) => return Err(err),
    };
    match args.format {
        Format::Text => print!("{}", sgaudit_report::preflight::text(&preflight)),
        Format::Json => println!(
            "{}",
            sgaudit_report::preflight::json(&preflight)
                .map_err(|e| Error::internal(format!("encoding the preflight: {e}")))?
        ),
    }
    Ok(if preflight.all_ready() { exit::OK } else { exit::PARTIAL })
}

/// Why the scope was not reached: `organizations:ListAccounts` failed (the preflight's to report), or
/// anything else (the command's error).
enum Unreached {
    Unlistable(String),
    Error(Error),
}

impl From<Error> for Unreached {
    fn from(e: Error) -> Self {
        Unreached::Error(e)
    }
}

/// The uses `--for` names: `scan` is every family of `--checks`.
fn uses(given: &[String], families: &[Family], org: bool) -> Result<Vec<Use>, UsageError> {
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
        return Err(UsageError("--for: name at least one use (scan, cleanup, ...)".into()));
    }
    uses.sort();
    uses.dedup();
    Ok(uses)
}

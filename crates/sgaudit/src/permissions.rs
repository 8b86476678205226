//! `sgaudit permissions`: the IAM policy each use of sgaudit needs, generated from the actions the code declares
//! (`sgaudit_collect::uses`: one truth with `sgaudit preflight`), printed as a policy document, for people, or
//! as the roles to deploy in every member account. The writing is `sgaudit_report::permissions`'; this maps
//! the uses to its plain data.

use sgaudit_cleanup::plan::{is_truthy, Protections, TRUTHY};
use sgaudit_collect::uses::{Home, Use};
use sgaudit_report::permissions::{self as render, Deployment, Document, ProtectedTag, UsePolicy};
use sgaudit_snapshot::Family;

use crate::scan::CheckFamily;
use crate::{exit, Error, UsageError};

#[derive(clap::Args)]
pub struct PermissionsArgs {
    /// The uses to print the policy of, comma-separated: `scan` (every family of --checks), `checks:FAMILY`,
    /// `org` (the account that runs --org), `security-hub`, `cleanup`, `restore`, `preflight` (what `sgaudit
    /// preflight --org` calls to prove a scan: the scan's statements and org's), or `all`.
    #[arg(long = "for", value_delimiter = ',', value_name = "USES", default_value = "all")]
    uses: Vec<String>,
    /// The families of checks `scan`, `preflight` and `all` bring, comma-separated, as `scan --checks`.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "FAMILIES",
        default_value = "groups,network,iam,cloudtrail,s3"
    )]
    checks: Vec<CheckFamily>,
    /// `json`: the IAM policy document; `text`: each use, where it belongs and its actions, for people;
    /// `cloudformation`: a StackSet template of the member accounts' roles; `terraform`: a module of them.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Json,
    Text,
    Cloudformation,
    Terraform,
}

pub fn run(args: PermissionsArgs) -> Result<u8, Error> {
    let families: Vec<Family> = args.checks.iter().map(|c| c.family()).collect();
    let uses = selected(&args.uses, &families)?;
    match args.format {
        Format::Json => {
            let document = Document::of(&policies(&uses));
            println!("{}", document.to_pretty_json().map_err(refused)?);
            if let Some(note) = render::size_note(document.size()) {
                eprintln!("{note}");
            }
        }
        Format::Text => print!("{}", render::text(&policies(&uses))),
        Format::Cloudformation => print!("{}", render::cloudformation(&deployment(&uses)).map_err(refused)?),
        Format::Terraform => print!("{}", render::terraform(&deployment(&uses)).map_err(refused)?),
    }
    Ok(exit::OK)
}

/// A template with no audit role comes of the uses asked for; the other refusals mean the code declares an
/// action the policies cannot hold, or cannot be encoded: a bug.
fn refused(e: render::PermissionsError) -> Error {
    match e {
        render::PermissionsError::NoAuditRole => Error::usage(e.to_string()),
        other => Error::internal(other.to_string()),
    }
}

/// The uses `--for` names, each once, in the order policies list them.
fn selected(given: &[String], families: &[Family]) -> Result<Vec<Use>, UsageError> {
    let scan = || std::iter::once(Use::Scan).chain(families.iter().map(|f| Use::Checks(*f)));
    let mut chosen = Vec::new();
    for name in crate::scope::clean(given) {
        match name.as_str() {
            "all" => chosen.extend(Use::all().into_iter().filter(|u| !matches!(u, Use::Checks(_))).chain(scan())),
            "scan" => chosen.extend(scan()),
            // The preflight proves each action by calling it: it needs exactly the actions it proves.
            "preflight" => chosen.extend(scan().chain([Use::Org])),
            other => chosen
                .push(other.parse::<Use>().map_err(|e| UsageError(format!("--for: {e}; or scan, preflight, all")))?),
        }
    }
    if chosen.is_empty() {
        return Err(UsageError("--for: name at least one use (scan, org, cleanup, ..., or all)".into()));
    }
    Ok(Use::all().into_iter().filter(|u| chosen.contains(u)).collect())
}

fn policies(uses: &[Use]) -> Vec<UsePolicy> {
    uses.iter().map(|u| policy(*u)).collect()
}

fn policy(u: Use) -> UsePolicy {
    UsePolicy {
        id: u.id(),
        sid: u.sid(),
        title: u.title(),
        home: u.home().describe().to_string(),
        writes: u.writes(),
        actions: u.action_names().into_iter().map(str::to_string).collect(),
    }
}

/// What the member accounts' roles hold: the read-only uses in the audit role, the Security Hub push as its
/// option, cleanup and restore in the cleanup role. `org` belongs in the account that runs sgaudit, not here.
fn deployment(uses: &[Use]) -> Deployment {
    let member = |u: &&Use| u.home() == Home::Member;
    let mut audit: Vec<Use> = uses.iter().filter(member).filter(|u| !u.writes()).copied().collect();
    // A role that can read a family but not run a scan would be a trap: every scan calls `SgauditScan`'s.
    if !audit.is_empty() && !audit.contains(&Use::Scan) {
        audit.insert(0, Use::Scan);
    }
    Deployment {
        audit: audit.into_iter().map(policy).collect(),
        security_hub: uses.contains(&Use::SecurityHub).then(|| policy(Use::SecurityHub)),
        cleanup: uses.iter().filter(|u| matches!(u, Use::Cleanup | Use::Restore)).map(|u| policy(*u)).collect(),
        // What `sgaudit cleanup` always keeps, the cleanup role may not touch either.
        protected_tags: Protections::default()
            .tags
            .into_iter()
            .filter_map(|rule| {
                let values = match rule.value? {
                    v if is_truthy(&v) => TRUTHY.iter().map(|t| t.to_string()).collect(),
                    v => vec![v],
                };
                Some(ProtectedTag { key: rule.key, values })
            })
            .collect(),
    }
}

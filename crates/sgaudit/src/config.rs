//! `sgaudit.toml` on the command line: the file is found before the arguments are parsed, its settings become
//! the defaults of the flags they stand for (so a flag, then its environment variable, still wins, and
//! `--help` shows the effective default), and its exceptions are applied to each audit, with a warning for
//! each that expired or matched nothing. The file itself is read by `sgaudit_config`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::{ContextKind, ErrorKind};
use clap::parser::ValueSource;
use clap::{ArgMatches, Command, CommandFactory, FromArgMatches};
use sgaudit_audit::exceptions::{Day, Exception, ExceptionStatus};
use sgaudit_audit::Audit;
use sgaudit_config::{Config, ConfigError, Setting};
use sgaudit_report::printable;

use crate::error::{Error, Kind};

/// The commands the scope keys of `[scan]` apply to.
const SCOPED: &[&str] = &["scan", "cleanup", "preflight"];

/// The scope keys of `[scan]`: the flags of `ScopeArgs` (crates/sgaudit/src/scope.rs), by clap id.
const SCOPE_KEYS: &[&str] = &[
    "profiles",
    "org",
    "role_name",
    "external_id",
    "role_session_name",
    "accounts",
    "exclude_accounts",
    "regions",
    "all_regions",
    "exclude_regions",
    "concurrency",
    "max_attempts",
    "call_timeout",
];

/// The commands and the flag (clap id) a setting stands for. `[store]` is not here: `--store` and
/// `--store-snapshot` read [`Config::store`] themselves.
fn targets(setting: &Setting) -> (&'static [&'static str], &'static str) {
    match (setting.section, setting.key) {
        ("scan", key) if SCOPE_KEYS.contains(&key) => (SCOPED, setting.key),
        ("scan", "checks") => (&["scan", "preflight"], "checks"),
        ("scan", key) => (&["scan"], key),
        ("cleanup", "protect_tag") => (&["cleanup"], "protect_tags"),
        ("cleanup", "protect_name") => (&["cleanup"], "protect_names"),
        ("cleanup", key) => (&["cleanup"], key),
        _ => (&[], ""),
    }
}

/// The command line, parsed with the config file's defaults, and the config file: `Err` when it cannot be
/// read, which only the commands that use it report ([`uses_config`]'s caller decides).
pub struct Parsed<C> {
    pub cli: C,
    pub config: Result<Option<Config>, Error>,
}

/// Finds and reads the config file (`--config FILE`, `SGAUDIT_CONFIG`, `./sgaudit.toml`, the user's config
/// directory), then parses the command line with its settings as defaults. Clap's own errors (and
/// `--help`) exit here, as `Parser::parse` does; a setting the flag refuses is an error naming the file's
/// line.
pub fn parse<C: CommandFactory + FromArgMatches>() -> Result<Parsed<C>, Error> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let config = sgaudit_config::discover(explicit_path(&args).as_deref()).map_err(config_error);
    let base = C::command();
    let matches = match &config {
        Ok(Some(config)) => matches_with(base, config, &args)?,
        _ => base.get_matches_from(&args),
    };
    let cli = C::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    Ok(Parsed { cli, config })
}

/// `--config FILE` or `--config=FILE` among the arguments, else `SGAUDIT_CONFIG` (empty: not set). Read
/// before clap parses, since the file gives clap its defaults; clap then accepts the flag as declared.
fn explicit_path(args: &[OsString]) -> Option<PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(arg) = it.next() {
        if arg == "--" {
            break;
        }
        if arg == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--config=")) {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("SGAUDIT_CONFIG").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The arguments parsed with every setting as a default, then again without those that give way: a setting
/// whose flag conflicts with a flag given (`output_dir` when `--output` is given, `all_regions` when
/// `--region` is), and the scope of a `scan --from-snapshot` (a snapshot is audited whole).
fn matches_with(base: Command, config: &Config, args: &[OsString]) -> Result<ArgMatches, Error> {
    let first = with_defaults(base.clone(), config, &[]);
    let matches = first.clone().try_get_matches_from(args).map_err(|e| refused(e, config, args))?;
    let dropped = giving_way(&first, &matches, config);
    if dropped.is_empty() {
        return Ok(matches);
    }
    with_defaults(base, config, &dropped).try_get_matches_from(args).map_err(|e| refused(e, config, args))
}

/// The command with the settings as its flags' defaults, but those `dropped` (command, clap id).
fn with_defaults(mut cmd: Command, config: &Config, dropped: &[(&str, &str)]) -> Command {
    for setting in &config.settings {
        let (commands, id) = targets(setting);
        for &name in commands {
            if dropped.contains(&(name, id)) || !has_arg(&cmd, name, id) {
                continue;
            }
            let values: Vec<&'static str> = setting.values.iter().map(|v| leaked(v)).collect();
            cmd = cmd.mut_subcommand(name, |c| c.mut_arg(id, |a| a.default_values(values)));
            // `--role-name` and friends need `--org` on the command line; from the file, `org = true` stands
            // for it.
            if id == "org" && setting.values == ["true"] {
                for needs_org in ["role_name", "external_id", "role_session_name"] {
                    if has_arg(&cmd, name, needs_org) {
                        cmd = cmd.mut_subcommand(name, |c| {
                            c.mut_arg(needs_org, |a| a.requires(clap::builder::Resettable::<clap::Id>::Reset))
                        });
                    }
                }
            }
        }
    }
    cmd
}

/// A setting's value for clap, which takes defaults as `&'static str` without its `string` feature (which
/// the rest of the command line does not need). A few short strings, once per process.
fn leaked(value: &str) -> &'static str {
    Box::leak(value.to_string().into_boxed_str())
}

fn has_arg(cmd: &Command, name: &str, id: &str) -> bool {
    cmd.find_subcommand(name).is_some_and(|c| c.get_arguments().any(|a| a.get_id() == id))
}

/// The settings of the command run that give way to what was given ([`matches_with`]).
fn giving_way<'a>(cmd: &Command, matches: &ArgMatches, config: &'a Config) -> Vec<(&'a str, &'a str)> {
    let Some((name, m)) = matches.subcommand() else { return Vec::new() };
    let Some(sub) = cmd.find_subcommand(name) else { return Vec::new() };
    let explicit = |id: &str| matches!(m.value_source(id), Some(source) if source != ValueSource::DefaultValue);
    let from_snapshot = name == "scan" && explicit("from_snapshot");
    let mut dropped = Vec::new();
    for setting in &config.settings {
        let (commands, id) = targets(setting);
        let Some(&command) = commands.iter().find(|&&c| c == name) else { continue };
        let Some(arg) = sub.get_arguments().find(|a| a.get_id() == id) else { continue };
        let conflicts = sub.get_arguments().filter(|b| explicit(b.get_id().as_str())).any(|b| {
            sub.get_arg_conflicts_with(arg).iter().any(|c| c.get_id() == b.get_id())
                || sub.get_arg_conflicts_with(b).iter().any(|c| c.get_id() == arg.get_id())
        });
        if conflicts || (from_snapshot && SCOPE_KEYS.contains(&id)) {
            dropped.push((command, id));
        }
    }
    dropped
}

/// A value of the file that its flag refuses: said with the file's line. Any other error is clap's to
/// print (and exit), as for a command line without a file.
fn refused(e: clap::Error, config: &Config, args: &[OsString]) -> Error {
    if !matches!(e.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation) {
        e.exit();
    }
    let invalid_arg = e.get(ContextKind::InvalidArg).map(|v| v.to_string()).unwrap_or_default();
    let invalid_value = e.get(ContextKind::InvalidValue).map(|v| v.to_string());
    let given =
        |long: &str| args.iter().filter_map(|a| a.to_str()).any(|a| a == long || a.starts_with(&format!("{long}=")));
    let setting = config.settings.iter().find(|s| {
        let (_, id) = targets(s);
        let long = format!("--{}", id.replace('_', "-"));
        let named = invalid_arg == long || invalid_arg.starts_with(&format!("{long} ")) || flag_of(s, &invalid_arg);
        named && !given(&long) && invalid_value.as_ref().is_none_or(|v| s.values.contains(v))
    });
    let Some(setting) = setting else { e.exit() };
    let what = e.to_string();
    let first = what.lines().next().unwrap_or_default().trim_start_matches("error: ").trim();
    let mut message = format!("{}: {}: {first}", setting.at, setting.name());
    if let Some(valid) = e.get(ContextKind::ValidValue) {
        message.push_str(&format!(" (possible values: {valid})"));
    }
    Error::new(Kind::Input, message).with_help(help(config))
}

/// Flags whose long name is not their clap id: `--profile` (profiles), `--region`, `--exclude-region`,
/// `--protect-tag`, `--protect-name`.
fn flag_of(setting: &Setting, invalid_arg: &str) -> bool {
    let long = match targets(setting).1 {
        "profiles" => "--profile",
        "regions" => "--region",
        "exclude_regions" => "--exclude-region",
        "protect_tags" => "--protect-tag",
        "protect_names" => "--protect-name",
        _ => return false,
    };
    invalid_arg == long || invalid_arg.starts_with(&format!("{long} "))
}

fn help(config: &Config) -> String {
    format!("fix {} (docs/config.md describes every key), or point --config at another file", config.shown)
}

/// A config file that cannot be used: the user's to fix (exit 2).
fn config_error(e: ConfigError) -> Error {
    let help = match &e {
        ConfigError::NotFound { .. } | ConfigError::Read { .. } => {
            "check the path given with --config or SGAUDIT_CONFIG (without either, ./sgaudit.toml is read if there)"
                .to_string()
        }
        ConfigError::Invalid { .. } => "fix the line named (docs/config.md describes every key)".to_string(),
    };
    Error::new(Kind::Input, e.to_string()).with_help(help)
}

/// Which exceptions a command applies: all of them (`scan`), or only those that mark groups in use
/// (`cleanup`, which judges groups alone and plans from the marks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    All,
    InUseOnly,
}

/// Applies the config file's exceptions, and the marks recorded in the store (`marks`: `in_use` exceptions
/// declared at `mark`), to `audit` as of today (UTC), in one pass, and warns on stderr about each exception
/// that expired or matched nothing. A mark that matches nothing is not warned about: it names one group,
/// which a scan of other accounts or regions does not see.
pub fn apply_exceptions(audit: &mut Audit, config: Option<&Config>, marks: &[Exception], applied: Applied) {
    let from_file = config.iter().flat_map(|c| c.exceptions.iter()).filter(|e| applied == Applied::All || e.in_use);
    let exceptions: Vec<Exception> = from_file.chain(marks).cloned().collect();
    if exceptions.is_empty() {
        return;
    }
    let Some(today) = Day::of_epoch(crate::clock::now_epoch()) else { return };
    sgaudit_audit::exceptions::apply(audit, &exceptions, today);
    for state in &audit.exceptions {
        let owner = printable(&state.owner);
        let warning = match state.state {
            ExceptionStatus::Active => continue,
            ExceptionStatus::Expired => format!(
                "exception expired on {} (owner {owner}): its findings count again",
                state.expires.as_deref().unwrap_or("?")
            ),
            ExceptionStatus::Unmatched if applied == Applied::All && state.declared_at != MARK => {
                format!("exception matched nothing in this run (owner {owner}): check its matchers, or remove it")
            }
            ExceptionStatus::Unmatched => continue,
        };
        eprintln!("sgaudit: warning: {}: {warning}", printable(&state.declared_at));
    }
}

/// Where a mark recorded with `sgaudit mark` is said to be declared.
pub const MARK: &str = "mark";

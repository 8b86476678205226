//! What the binary says when a command cannot go on: `error: <what happened>` and `help: <what to do>`, one
//! line each (zizmor's `main.rs` tailors a `help:` line to each kind of error), and an exit code that tells a
//! script who can fix it: 2 the user (the command line, a file, the credentials, the scope), 5 nobody yet
//! (AWS or the network failed; running again may work), 4 sgaudit's authors (a bug). The README's "Exit
//! codes" documents them.
//!
//! Every place that returns an error chooses its kind; nothing falls into one by default, except what the
//! one command still written against `anyhow` returns (`cleanup`), which [`Error::classify`] sorts by the
//! types it finds in the chain.

use std::fmt;

use sgaudit_collect::ScanError;
use sgaudit_snapshot::{LoadError, SourceError};

use crate::exit;

/// Who can fix it, and so the exit code and the default `help:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A flag or value that cannot be used as given (clap refuses most with its own message; these are the
    /// combinations and values only sgaudit can judge).
    Usage,
    /// A file to read (a snapshot, a cleanup backup) that is missing, unreadable, malformed, or of another
    /// version.
    Input,
    /// A file or directory to write that cannot be written, or that would overwrite an input or another output.
    Output,
    /// No credentials, or credentials AWS does not accept.
    Credentials,
    /// An AWS profile that the config and credentials files do not define.
    Profile,
    /// A region name AWS does not know, or no region at all.
    Region,
    /// AWS refused a call that the command cannot go on without: the credentials lack a permission.
    Permission,
    /// The history (`--store`) cannot be used: missing, locked by another process, written by a newer
    /// sgaudit, or a server that cannot be reached. Said before any AWS call.
    Store,
    /// AWS could not be reached, or failed, where the command cannot go on (no answer, a timeout, a 5xx, a
    /// malformed answer): nothing the user typed is wrong, and running again later may work.
    Aws,
    /// A bug: a state sgaudit should never be in.
    Internal,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Usage
            | Kind::Input
            | Kind::Output
            | Kind::Credentials
            | Kind::Profile
            | Kind::Region
            | Kind::Permission
            | Kind::Store => exit::USAGE,
            Kind::Aws => exit::AWS,
            Kind::Internal => exit::INTERNAL,
        }
    }

    /// The `help:` line of an error of this kind that knows nothing more specific; `command` is the
    /// subcommand run (`scan`, `cleanup`, ...).
    fn help(self, command: &str) -> String {
        match self {
            Kind::Usage => format!("`sgaudit {command} --help` says what each flag takes"),
            Kind::Input => "check the path, and that the file is the one sgaudit wrote, whole and unedited".into(),
            Kind::Output => "give a path in an existing directory you may write to, apart from the files this run \
                             reads and its other outputs"
                .into(),
            Kind::Credentials => CREDENTIALS_HELP.into(),
            Kind::Profile => "`aws configure list-profiles` lists the profiles defined".into(),
            Kind::Region => "`aws ec2 describe-regions --all-regions` lists the region names AWS knows; \
                             --all-regions reads every region enabled for the account"
                .into(),
            Kind::Permission => format!(
                "grant the credentials the action named: `sgaudit permissions` prints the policy each use needs, \
                 and `sgaudit preflight --for {}` proves it",
                if matches!(command, "cleanup" | "restore") { command } else { "scan" }
            ),
            Kind::Store => "give another store with --store PATH or a postgres:// URL (SGAUDIT_STORE), or run without \
                            one: --no-store"
                .into(),
            Kind::Aws => "AWS or the network failed, not the command: check the network and AWS_ENDPOINT_URL, \
                          then run it again (-vv logs every call)"
                .into(),
            Kind::Internal => {
                let repository = env!("CARGO_PKG_REPOSITORY");
                let at = if repository.is_empty() {
                    "to sgaudit's maintainers".to_string()
                } else {
                    format!("at {}/issues", repository.trim_end_matches('/'))
                };
                format!(
                    "this is a bug in sgaudit, not in your command: please report it {at}, with this message, the \
                     command run and what `sgaudit --version` prints"
                )
            }
        }
    }
}

const CREDENTIALS_HELP: &str = "set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run \
                                `aws sso login`; `aws sts get-caller-identity` shows what the credential chain finds";

/// An error the binary reports: its kind, one line saying what happened, and, where the place that found it
/// knows better than its kind, its own `help:` line.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    message: String,
    help: Option<String>,
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), help: None }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn output(message: impl Into<String>) -> Self {
        Self::new(Kind::Output, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Internal, message)
    }

    /// The `help:` line, instead of the kind's.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    /// The two lines on stderr, `error: …` and `help: …`, each one line whatever the message quotes (file
    /// contents, AWS answers): control characters are shown escaped, never run by the terminal.
    pub fn lines(&self, command: &str) -> [String; 2] {
        let help = self.help.clone().unwrap_or_else(|| self.kind.help(command));
        [
            format!("error: {}", sgaudit_report::printable(&self.message)),
            format!("help: {}", sgaudit_report::printable(&help)),
        ]
    }

    /// A failed AWS call the command cannot go on without: a refusal is the user's to fix (a permission),
    /// anything else is AWS's or the network's.
    pub fn aws_call(message: impl Into<String>, error: &SourceError) -> Self {
        let kind = if error.denial().is_some() { Kind::Permission } else { Kind::Aws };
        Self::new(kind, message)
    }

    /// Sorts an error of code still written against `anyhow` by the types found in its chain: sgaudit's own
    /// errors keep their kind, a snapshot that cannot be loaded is input, a scope that cannot be reached is
    /// what [`ScanError`] says; anything else was not foreseen by the code that returned it, so it is
    /// reported as internal (exit 4) rather than as the user's.
    pub fn classify(err: impl Into<anyhow::Error>) -> Self {
        let err: anyhow::Error = err.into();
        let message = one_line(&err);
        let found = err.chain().find_map(|e| {
            if let Some(e) = e.downcast_ref::<Error>() {
                Some(Error { kind: e.kind, message: String::new(), help: e.help.clone() })
            } else if e.downcast_ref::<UsageError>().is_some() {
                Some(Error::usage(""))
            } else if let Some(e) = e.downcast_ref::<LoadError>() {
                Some(Error::new(Kind::Input, "").with_help(snapshot_help(e)))
            } else {
                e.downcast_ref::<ScanError>().map(|e| {
                    let (kind, help) = scan_kind(e);
                    Error { kind, message: String::new(), help: help.map(str::to_string) }
                })
            }
        });
        let mut error = found.unwrap_or_else(|| Error::internal(""));
        error.message = message;
        error
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A flag or value that cannot be used as given: `error:`, a `help:` line naming the command's `--help`,
/// exit 2. The simplest way to refuse; [`Error`] has the other kinds.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Error::usage(e.0)
    }
}

/// A snapshot that cannot be loaded (`--from-snapshot`): the user's file to fix.
impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::new(Kind::Input, e.to_string()).with_help(snapshot_help(&e))
    }
}

/// What to do about a snapshot that cannot be loaded.
fn snapshot_help(e: &LoadError) -> String {
    match e {
        LoadError::Io { .. } => {
            "check the path: a snapshot is the file `sgaudit scan --save-snapshot FILE` writes".into()
        }
        LoadError::Version { .. } => format!(
            "this sgaudit reads snapshots of schema version {}: collect it again with `sgaudit scan --save-snapshot \
             FILE`, or read it with the sgaudit that wrote it",
            sgaudit_snapshot::SCHEMA_VERSION
        ),
        LoadError::Parse { .. } | LoadError::Invalid { .. } => {
            "a snapshot is the file `sgaudit scan --save-snapshot FILE` writes, whole and unedited: collect a new one"
                .into()
        }
    }
}

/// A scope that cannot be reached at all (before any source is read).
impl From<ScanError> for Error {
    fn from(e: ScanError) -> Self {
        let (kind, help) = scan_kind(&e);
        let error = Error::new(kind, e.to_string());
        match help {
            Some(help) => error.with_help(help),
            None => error,
        }
    }
}

/// Who can fix a [`ScanError`], and what to do where its kind's help line says too little.
fn scan_kind(e: &ScanError) -> (Kind, Option<&'static str>) {
    match e {
        ScanError::UnknownProfile(_) => (Kind::Profile, None),
        ScanError::NoRegion => (
            Kind::Region,
            Some(
                "`aws configure get region` shows the region a profile sets; --all-regions reads every region enabled",
            ),
        ),
        ScanError::UnknownRegion { .. } => (Kind::Region, None),
        ScanError::NoCredentials(_) => (Kind::Credentials, None),
        // sts:GetCallerIdentity needs no permission, and the credentials were not refused: the network, the
        // endpoint or AWS failed.
        ScanError::Identity(_) => (
            Kind::Aws,
            Some("check the network, AWS_ENDPOINT_URL and the region, then run it again (-vv logs every call)"),
        ),
        ScanError::Organization(why) => {
            // Refused, or no organization: these credentials are not the management account's. Anything else
            // is AWS's or the network's failure.
            let refused = sgaudit_snapshot::DENIED_CODES
                .iter()
                .chain(&["AWSOrganizationsNotInUseException"])
                .any(|code| why.contains(code));
            if refused {
                (
                    Kind::Permission,
                    Some(
                        "--org needs the management account's credentials, or a delegated administrator's \
                         (`sgaudit permissions --for org` prints the policy)",
                    ),
                )
            } else {
                (Kind::Aws, None)
            }
        }
        ScanError::NothingInScope(_) => {
            (Kind::Usage, Some("check --accounts, --exclude-accounts, --region and --exclude-region"))
        }
        ScanError::CaBundle(_) => (Kind::Usage, Some("AWS_CA_BUNDLE names a PEM file of certificates to trust")),
    }
}

/// An error chain in one line, each cause once (`{:#}` would repeat a cause its context already quotes).
fn one_line(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for e in err.chain() {
        let part = e.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_error(code: &str) -> SourceError {
        SourceError { code: code.into(), message: "m".into(), action: None, scp_deny: false }
    }

    #[test]
    fn a_failed_call_is_the_users_when_refused() {
        assert_eq!(Error::aws_call("x", &source_error("UnauthorizedOperation")).kind(), Kind::Permission);
        assert_eq!(Error::aws_call("x", &source_error("AccessDenied")).exit_code(), 2);
        assert_eq!(Error::aws_call("x", &source_error("timeout")).kind(), Kind::Aws);
        assert_eq!(Error::aws_call("x", &source_error("InternalError")).exit_code(), 5);
    }

    #[test]
    fn each_kind_has_its_exit_code_and_one_help_line() {
        let kinds = [
            (Kind::Usage, 2),
            (Kind::Input, 2),
            (Kind::Output, 2),
            (Kind::Credentials, 2),
            (Kind::Profile, 2),
            (Kind::Region, 2),
            (Kind::Permission, 2),
            (Kind::Store, 2),
            (Kind::Aws, 5),
            (Kind::Internal, 4),
        ];
        for (kind, code) in kinds {
            assert_eq!(kind.exit_code(), code, "{kind:?}");
            let [error, help] = Error::new(kind, "it went\nwrong\u{1b}[2J").lines("scan");
            assert_eq!(error, r"error: it went\u{a}wrong\u{1b}[2J", "{kind:?}");
            assert!(help.starts_with("help: ") && help.len() > 20, "{kind:?}: {help}");
            assert!(!help.contains('\n'), "{kind:?}: {help}");
        }
        let [_, help] = Error::internal("x").lines("scan");
        assert!(help.contains("bug") && help.contains("sgaudit --version"), "{help}");
        let [_, help] = Error::usage("x").lines("restore");
        assert_eq!(help, "help: `sgaudit restore --help` says what each flag takes");
    }

    #[test]
    fn errors_of_anyhow_code_are_sorted_by_what_their_chain_holds() {
        use anyhow::Context;

        let usage = Error::classify(UsageError("--apply needs --yes".into()));
        assert_eq!((usage.kind(), usage.to_string().as_str()), (Kind::Usage, "--apply needs --yes"));

        let output = Error::classify(anyhow::Error::new(Error::output("cannot write x")));
        assert_eq!(output.kind(), Kind::Output);

        let load = Snapshot::from_json("{", "snap.json").unwrap_err();
        let input = Error::classify(load);
        assert_eq!(input.kind(), Kind::Input);
        assert!(input.to_string().starts_with("snap.json is not a sgaudit snapshot"), "{input}");
        assert!(input.lines("cleanup")[1].contains("--save-snapshot"));

        let refused = Error::classify(anyhow::Error::new(Error::from(ScanError::NoRegion)).context("connecting"));
        assert_eq!(refused.kind(), Kind::Region);
        assert!(refused.to_string().starts_with("connecting: no region: "), "{refused}");
        let unreached = Error::classify(ScanError::Identity("dispatch failure".into()));
        assert_eq!((unreached.kind(), unreached.exit_code()), (Kind::Aws, 5));

        let unforeseen: anyhow::Result<()> = Err(std::io::Error::other("no stdin")).context("reading the answer");
        let internal = Error::classify(unforeseen.unwrap_err());
        assert_eq!((internal.kind(), internal.exit_code()), (Kind::Internal, 4));
        assert_eq!(internal.to_string(), "reading the answer: no stdin");
    }

    use sgaudit_snapshot::Snapshot;

    #[test]
    fn scan_errors_are_the_users_unless_aws_failed() {
        let kind = |e: ScanError| Error::from(e).kind();
        assert_eq!(kind(ScanError::UnknownProfile("p".into())), Kind::Profile);
        assert_eq!(kind(ScanError::NoRegion), Kind::Region);
        assert_eq!(kind(ScanError::UnknownRegion { region: "mars-1".into(), hint: String::new() }), Kind::Region);
        assert_eq!(kind(ScanError::NoCredentials("expired".into())), Kind::Credentials);
        assert_eq!(kind(ScanError::NothingInScope("x".into())), Kind::Usage);
        assert_eq!(kind(ScanError::Identity("dispatch failure: connection refused".into())), Kind::Aws);
        assert_eq!(
            kind(ScanError::Organization("AccessDeniedException: You don't have permissions".into())),
            Kind::Permission
        );
        assert_eq!(kind(ScanError::Organization("AWSOrganizationsNotInUseException: no".into())), Kind::Permission);
        assert_eq!(kind(ScanError::Organization("timeout: no answer".into())), Kind::Aws);
        // The message is collect's, whole; the hint it used to carry in brackets is the help line now.
        let e = Error::from(ScanError::UnknownProfile("p".into()));
        assert_eq!(e.to_string(), "profile `p` is not defined in the AWS config or credentials files");
        assert!(e.lines("scan")[1].contains("aws configure list-profiles"));
    }
}

//! `sgaudit.toml`: what people would otherwise repeat as flags on every run (the scope, the checks, the
//! formats, cleanup's protections, the store), and **exceptions**: findings a team has accepted (muted, with
//! a reason, an owner and an expiry) and groups it knows are used where sgaudit cannot see it (`in_use`).
//!
//! This crate finds the file ([`discover`]), reads it strictly (unknown keys, wrong types, bad dates, unknown
//! check ids are errors naming the file and line, [`ConfigError`]) and hands back plain values: the
//! settings as the strings a flag would take ([`Setting`], for the binary to use as its defaults: a flag and
//! its environment variable still win), and the exceptions already parsed for the audit crate
//! ([`sgaudit_audit::exceptions::Exception`]). docs/config.md documents every key.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use sgaudit_audit::exceptions::{Day, Exception, Matcher, TagMatch};
use toml::Spanned;

/// The file's name, in the working directory and in the user's config directory.
pub const FILE_NAME: &str = "sgaudit.toml";

/// Why the config file cannot be used: one line, naming the file (and the line, for what is in it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--config FILE` (or `SGAUDIT_CONFIG`) names a file that is not there.
    #[error("config file {path}: no such file")]
    NotFound { path: String },
    #[error("config file {path} cannot be read: {error}")]
    Read { path: String, error: String },
    /// Something in the file: `sgaudit.toml:14: exception 2: expires: …`.
    #[error("{at}: {message}")]
    Invalid {
        /// `FILE:LINE`.
        at: String,
        message: String,
    },
}

/// One setting of the file, as the flag it stands for would take it on the command line: `values` are the
/// flag's values (one for a single value, `true` for a switch), `at` is `FILE:LINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// `scan`, `cleanup` or `store`.
    pub section: &'static str,
    /// The key, as written (`role_name`).
    pub key: &'static str,
    pub values: Vec<String>,
    pub at: String,
}

impl Setting {
    /// `scan.role_name`: how messages name it.
    pub fn name(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }
}

/// `[store]`: where the history lives. The binary's `--store` and `SGAUDIT_STORE` win over it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Store {
    /// A path (SQLite) or a `postgres://` URL.
    pub location: Option<String>,
    /// Keep each run's snapshot in the store too (`--store-snapshot`).
    pub snapshot: Option<bool>,
}

/// A config file, read.
#[derive(Debug, Clone)]
pub struct Config {
    /// How messages name the file (the path as found or given).
    pub shown: String,
    /// Every setting of `[scan]`, `[cleanup]` and `[store]`, in the order of the file.
    pub settings: Vec<Setting>,
    pub store: Store,
    /// The `[[exception]]` tables, in the order of the file.
    pub exceptions: Vec<Exception>,
}

impl Config {
    /// The settings of one section.
    pub fn section<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a Setting> + 'a {
        self.settings.iter().filter(move |s| s.section == section)
    }

    /// Reads `path`; messages name it `shown`.
    pub fn load(path: &Path, shown: &str) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ConfigError::NotFound { path: shown.to_string() },
            _ => ConfigError::Read { path: shown.to_string(), error: e.to_string() },
        })?;
        Config::parse(&text, shown)
    }

    /// Reads a config file's text; messages name it `shown`.
    pub fn parse(text: &str, shown: &str) -> Result<Config, ConfigError> {
        let lines = Lines { text, shown };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| lines.line(s.start));
            ConfigError::Invalid { at: format!("{shown}:{line}"), message: one_line(e.message()) }
        })?;
        let mut settings = Vec::new();
        if let Some(scan) = &raw.scan {
            scan.settings(&lines, &mut settings)?;
        }
        if let Some(cleanup) = &raw.cleanup {
            cleanup.settings(&lines, &mut settings)?;
        }
        let mut store = Store::default();
        if let Some(s) = &raw.store {
            if let Some(location) = &s.location {
                let at = lines.at(location.span());
                if location.get_ref().trim().is_empty() {
                    return Err(ConfigError::Invalid { at, message: "store.location: empty".into() });
                }
                settings.push(Setting {
                    section: "store",
                    key: "location",
                    values: vec![location.get_ref().clone()],
                    at,
                });
                store.location = Some(location.get_ref().clone());
            }
            if let Some(snapshot) = &s.snapshot {
                let at = lines.at(snapshot.span());
                settings.push(Setting {
                    section: "store",
                    key: "snapshot",
                    values: vec![snapshot.get_ref().to_string()],
                    at,
                });
                store.snapshot = Some(*snapshot.get_ref());
            }
        }
        settings.sort_by_key(|s| line_number(&s.at));
        let exceptions = raw
            .exception
            .iter()
            .enumerate()
            .map(|(i, e)| exception(e, i + 1, &lines))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Config { shown: shown.to_string(), settings, store, exceptions })
    }
}

/// Where the config file is: `explicit` (`--config FILE` or `SGAUDIT_CONFIG`, which must exist), else
/// `sgaudit.toml` in `cwd`, else in `config_dir` (`<config dir>/sgaudit/sgaudit.toml`); `None`: there is
/// none, and every default is sgaudit's own. Returns the path and how messages name it.
pub fn find(
    explicit: Option<&Path>,
    cwd: Option<&Path>,
    config_dir: Option<&Path>,
) -> Result<Option<(PathBuf, String)>, ConfigError> {
    if let Some(path) = explicit {
        let shown = path.display().to_string();
        return if path.is_file() {
            Ok(Some((path.to_path_buf(), shown)))
        } else {
            Err(ConfigError::NotFound { path: shown })
        };
    }
    if let Some(cwd) = cwd {
        let here = cwd.join(FILE_NAME);
        if here.is_file() {
            return Ok(Some((here, FILE_NAME.to_string())));
        }
    }
    if let Some(dir) = config_dir {
        let there = dir.join("sgaudit").join(FILE_NAME);
        if there.is_file() {
            let shown = there.display().to_string();
            return Ok(Some((there, shown)));
        }
    }
    Ok(None)
}

/// [`find`] with the process's working directory and the user's config directory, then [`Config::load`].
pub fn discover(explicit: Option<&Path>) -> Result<Option<Config>, ConfigError> {
    let cwd = std::env::current_dir().ok();
    let config_dir = dirs::config_dir();
    match find(explicit, cwd.as_deref(), config_dir.as_deref())? {
        Some((path, shown)) => Config::load(&path, &shown).map(Some),
        None => Ok(None),
    }
}

/// The text of the file, to turn byte offsets into line numbers.
struct Lines<'a> {
    text: &'a str,
    shown: &'a str,
}

impl Lines<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
    }

    /// `FILE:LINE` of a span.
    fn at(&self, span: Range<usize>) -> String {
        format!("{}:{}", self.shown, self.line(span.start))
    }

    /// `FILE:LINE` of a table of an array (`[[exception]]`): the line of its header, whether the span starts
    /// there or at its first key.
    fn header(&self, span: Range<usize>) -> String {
        let start = span.start.min(self.text.len());
        let at = if self.text[start..].starts_with("[[") {
            start
        } else {
            self.text.get(..start).and_then(|before| before.rfind("[[")).unwrap_or(start)
        };
        format!("{}:{}", self.shown, self.line(at))
    }
}

fn line_number(at: &str) -> usize {
    at.rsplit(':').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// toml's messages are short, but a value quoted in one may hold a line break: one line, always.
fn one_line(message: &str) -> String {
    message.trim().replace(['\n', '\r'], " ")
}

/// A string, or an array of strings (`regions = "eu-west-1"` or `regions = ["eu-west-1", "us-east-1"]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct List(Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = List;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<List, E> {
                Ok(List(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<String>()? {
                    values.push(v);
                }
                Ok(List(values))
            }
        }
        deserializer.deserialize_any(ListVisitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    scan: Option<RawScan>,
    cleanup: Option<RawCleanup>,
    store: Option<RawStore>,
    #[serde(default)]
    exception: Vec<Spanned<RawException>>,
}

/// `[scan]`: the scope (also for `preflight` and `cleanup`), the checks (also for `preflight`), and what
/// `scan` alone takes. Each key is the flag's name with `_` for `-`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    profiles: Option<Spanned<List>>,
    org: Option<Spanned<bool>>,
    role_name: Option<Spanned<String>>,
    external_id: Option<Spanned<String>>,
    role_session_name: Option<Spanned<String>>,
    accounts: Option<Spanned<List>>,
    exclude_accounts: Option<Spanned<List>>,
    regions: Option<Spanned<List>>,
    all_regions: Option<Spanned<bool>>,
    exclude_regions: Option<Spanned<List>>,
    concurrency: Option<Spanned<u16>>,
    max_attempts: Option<Spanned<u32>>,
    call_timeout: Option<Spanned<u64>>,
    checks: Option<Spanned<List>>,
    format: Option<Spanned<List>>,
    output_dir: Option<Spanned<String>>,
    audit_log_dir: Option<Spanned<String>>,
    allow_open_ports: Option<Spanned<Vec<u16>>>,
    require_kms: Option<Spanned<bool>>,
    fail_on: Option<Spanned<String>>,
}

/// `[cleanup]`: its protections, and where it writes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCleanup {
    protect_tag: Option<Spanned<List>>,
    protect_name: Option<Spanned<List>>,
    min_age: Option<Spanned<u32>>,
    ignore_age: Option<Spanned<bool>>,
    unused_for: Option<Spanned<String>>,
    max_snapshot_age: Option<Spanned<u32>>,
    backup_dir: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    location: Option<Spanned<String>>,
    snapshot: Option<Spanned<bool>>,
}

/// Pushes one setting, if given.
fn push<T>(
    out: &mut Vec<Setting>,
    lines: &Lines,
    section: &'static str,
    key: &'static str,
    value: &Option<Spanned<T>>,
    values: impl Fn(&T) -> Vec<String>,
) {
    if let Some(v) = value {
        out.push(Setting { section, key, values: values(v.get_ref()), at: lines.at(v.span()) });
    }
}

fn list(l: &List) -> Vec<String> {
    l.0.clone()
}

fn shown<T: ToString>(v: &T) -> Vec<String> {
    vec![v.to_string()]
}

impl RawScan {
    fn settings(&self, lines: &Lines, out: &mut Vec<Setting>) -> Result<(), ConfigError> {
        const S: &str = "scan";
        if let (Some(regions), Some(all)) = (&self.regions, &self.all_regions) {
            if *all.get_ref() && !regions.get_ref().0.is_empty() {
                let message = "scan.all_regions = true and scan.regions: give one or the other".to_string();
                return Err(ConfigError::Invalid { at: lines.at(all.span()), message });
            }
        }
        push(out, lines, S, "profiles", &self.profiles, list);
        push(out, lines, S, "org", &self.org, shown);
        push(out, lines, S, "role_name", &self.role_name, shown);
        push(out, lines, S, "external_id", &self.external_id, shown);
        push(out, lines, S, "role_session_name", &self.role_session_name, shown);
        push(out, lines, S, "accounts", &self.accounts, list);
        push(out, lines, S, "exclude_accounts", &self.exclude_accounts, list);
        push(out, lines, S, "regions", &self.regions, list);
        push(out, lines, S, "all_regions", &self.all_regions, shown);
        push(out, lines, S, "exclude_regions", &self.exclude_regions, list);
        push(out, lines, S, "concurrency", &self.concurrency, shown);
        push(out, lines, S, "max_attempts", &self.max_attempts, shown);
        push(out, lines, S, "call_timeout", &self.call_timeout, shown);
        push(out, lines, S, "checks", &self.checks, list);
        push(out, lines, S, "format", &self.format, list);
        push(out, lines, S, "output_dir", &self.output_dir, shown);
        push(out, lines, S, "audit_log_dir", &self.audit_log_dir, shown);
        push(out, lines, S, "allow_open_ports", &self.allow_open_ports, |ports| {
            ports.iter().map(u16::to_string).collect()
        });
        push(out, lines, S, "require_kms", &self.require_kms, shown);
        push(out, lines, S, "fail_on", &self.fail_on, shown);
        Ok(())
    }
}

impl RawCleanup {
    fn settings(&self, lines: &Lines, out: &mut Vec<Setting>) -> Result<(), ConfigError> {
        const C: &str = "cleanup";
        if let Some(tags) = &self.protect_tag {
            if let Some(bad) = tags.get_ref().0.iter().find(|t| t.split('=').next().is_none_or(|k| k.trim().is_empty()))
            {
                let message = format!("cleanup.protect_tag: `{bad}` has no tag key (write KEY or KEY=VALUE)");
                return Err(ConfigError::Invalid { at: lines.at(tags.span()), message });
            }
        }
        push(out, lines, C, "protect_tag", &self.protect_tag, list);
        push(out, lines, C, "protect_name", &self.protect_name, list);
        push(out, lines, C, "min_age", &self.min_age, shown);
        push(out, lines, C, "ignore_age", &self.ignore_age, shown);
        push(out, lines, C, "unused_for", &self.unused_for, shown);
        push(out, lines, C, "max_snapshot_age", &self.max_snapshot_age, shown);
        push(out, lines, C, "backup_dir", &self.backup_dir, shown);
        Ok(())
    }
}

/// `[[exception]]`: where it applies (every matcher given must match; a list matches any of its values),
/// why, whose it is, and until when.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    account: Option<Spanned<List>>,
    region: Option<Spanned<List>>,
    group_id: Option<Spanned<List>>,
    name: Option<Spanned<List>>,
    tag: Option<Spanned<List>>,
    checks: Option<Spanned<List>>,
    // Required, but read as options: a missing one is said with the exception's number.
    reason: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
    ticket: Option<Spanned<String>>,
    /// A TOML date (`2027-03-31`) or the same as a string.
    expires: Option<Spanned<toml::Value>>,
    in_use: Option<Spanned<bool>>,
}

/// The `n`th `[[exception]]`, checked and parsed.
fn exception(raw: &Spanned<RawException>, n: usize, lines: &Lines) -> Result<Exception, ConfigError> {
    let e = raw.get_ref();
    let invalid = |span: Range<usize>, key: &str, message: String| ConfigError::Invalid {
        at: lines.at(span),
        message: format!("exception {n}: {key}: {message}"),
    };
    let values = |v: &Option<Spanned<List>>, key: &str| -> Result<Vec<String>, ConfigError> {
        let Some(v) = v else { return Ok(Vec::new()) };
        let trimmed: Vec<String> = v.get_ref().0.iter().map(|s| s.trim().to_string()).collect();
        if trimmed.is_empty() || trimmed.iter().any(String::is_empty) {
            return Err(invalid(v.span(), key, "an empty value matches nothing".into()));
        }
        Ok(trimmed)
    };
    let accounts = values(&e.account, "account")?;
    let regions = values(&e.region, "region")?;
    let group_ids = values(&e.group_id, "group_id")?;
    let names = values(&e.name, "name")?;
    if let (Some(span), Some(bad)) =
        (e.name.as_ref().map(Spanned::span), names.iter().find(|n| n.chars().any(char::is_control)))
    {
        let message = format!("`{}` holds a control character, which no group name has", bad.escape_default());
        return Err(invalid(span, "name", message));
    }
    let mut tags = Vec::new();
    for text in values(&e.tag, "tag")? {
        let (key, value) = match text.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim().to_string())),
            None => (text.as_str(), None),
        };
        if key.is_empty() {
            let span = e.tag.as_ref().map_or(raw.span(), Spanned::span);
            return Err(invalid(span, "tag", format!("`{text}` has no tag key (write KEY or KEY=VALUE)")));
        }
        tags.push(TagMatch { key: key.to_string(), value });
    }
    let mut checks = Vec::new();
    for id in values(&e.checks, "checks")? {
        match sgaudit_audit::checks::by_id(&id) {
            Some(check) => checks.push(check),
            None => {
                let span = e.checks.as_ref().map_or(raw.span(), Spanned::span);
                let message = format!("unknown check id `{id}` (docs/checks.md lists them)");
                return Err(invalid(span, "checks", message));
            }
        }
    }
    let text = |v: &Spanned<String>, key: &str| -> Result<String, ConfigError> {
        let t = v.get_ref().trim();
        if t.is_empty() {
            return Err(invalid(v.span(), key, "must not be empty".into()));
        }
        Ok(t.to_string())
    };
    let required = |v: &Option<Spanned<String>>, key: &str, why: &str| -> Result<String, ConfigError> {
        match v {
            Some(v) => text(v, key),
            None => Err(ConfigError::Invalid {
                at: lines.header(raw.span()),
                message: format!("exception {n}: {key}: missing: {why}"),
            }),
        }
    };
    let reason = required(&e.reason, "reason", "say why it is accepted")?;
    let owner = required(&e.owner, "owner", "name who answers for it")?;
    let ticket = e.ticket.as_ref().map(|t| text(t, "ticket")).transpose()?;
    let Some(expires) = &e.expires else {
        let message = format!("exception {n}: expires: missing: give the last day it holds (YYYY-MM-DD)");
        return Err(ConfigError::Invalid { at: lines.header(raw.span()), message });
    };
    let expires = expiry(expires).map_err(|m| invalid(expires.span(), "expires", m))?;
    let in_use = e.in_use.as_ref().is_some_and(|v| *v.get_ref());
    if let (true, Some(c)) = (in_use, &e.checks) {
        let message = "an in_use exception mutes the group's `sg-unused` finding alone: give no checks".to_string();
        return Err(invalid(c.span(), "checks", message));
    }
    let matcher = Matcher::new(accounts, regions, group_ids, names, tags, checks);
    if !matcher.names_a_place() {
        let message = "give at least one of account, region, group_id, name or tag: an exception that matches \
                       everywhere would hide everything"
            .to_string();
        return Err(ConfigError::Invalid {
            at: lines.header(raw.span()),
            message: format!("exception {n}: {message}"),
        });
    }
    Ok(Exception {
        matcher,
        reason,
        owner,
        ticket,
        expires: Some(expires),
        in_use,
        declared_at: lines.header(raw.span()),
    })
}

/// A TOML date (`2027-03-31`), or the same as a string; never a time (an exception ends with a whole day).
fn expiry(value: &Spanned<toml::Value>) -> Result<Day, String> {
    match value.get_ref() {
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => Day::from_ymd(i32::from(d.year), d.month, d.day)
                .ok_or_else(|| format!("`{dt}` is not a day of the calendar")),
            _ => Err(format!("`{dt}` is a time: write the last day it holds, YYYY-MM-DD")),
        },
        toml::Value::String(s) => Day::parse(s.trim()).map_err(|e| e.to_string()),
        other => Err(format!("expected a date (YYYY-MM-DD), found {}", other.type_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        let lines = Lines { text: "a\nb\nc", shown: "f.toml" };
        assert_eq!((lines.line(0), lines.line(2), lines.line(4), lines.line(99)), (1, 2, 3, 3));
        assert_eq!(lines.at(2..3), "f.toml:2");
        assert_eq!(line_number("/x:y/sgaudit.toml:12"), 12);
    }
}

//! The deletion log: one JSON line per action, appended and flushed as it happens, so that the log says
//! what was done even if the run is cut short. Its lines are a frozen format people parse: `action` and
//! `result` are typed here and written as the same words as ever.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Line<'a> {
    pub time: &'a str,
    pub account_id: &'a str,
    pub region: &'a str,
    pub group_id: &'a str,
    pub group_name: &'a str,
    pub action: Action,
    pub result: Outcome,
    pub reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<&'a str>,
}

/// What was done (or not done) to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Its rules naming other groups being deleted were revoked.
    Revoke,
    Delete,
    /// Left alone: kept after all.
    Skip,
    /// Its revoked rules put back, since it stays.
    Reauthorize,
}

/// How an action went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    /// EC2 accepted the call with DryRun=true: it would have worked, and nothing changed.
    DryRunOk,
    /// The action of a [`Action::Skip`].
    Skipped,
    Failed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Revoke => "revoke",
            Action::Delete => "delete",
            Action::Skip => "skip",
            Action::Reauthorize => "reauthorize",
        }
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::DryRunOk => "dry-run-ok",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// The word of the log, padded when a width is asked (`{:<6}`).
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

pub struct Log {
    path: PathBuf,
    file: std::fs::File,
}

impl Log {
    pub fn append(path: &Path) -> std::io::Result<Log> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Log { path: path.to_path_buf(), file })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&mut self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
        text.push('\n');
        self.file.write_all(text.as_bytes())?;
        self.file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log is a frozen format: the same keys in the same order, the same words, byte for byte.
    #[test]
    fn a_line_is_written_as_ever() {
        let line = |action, result, backup| Line {
            time: "2026-12-01T00:00:00Z",
            account_id: "123456789012",
            region: "us-east-1",
            group_id: "sg-1",
            group_name: "web",
            action,
            result,
            reason: "why",
            backup,
        };
        let text = serde_json::to_string(&line(Action::Delete, Outcome::DryRunOk, Some("b.json"))).unwrap();
        assert_eq!(
            text,
            r#"{"time":"2026-12-01T00:00:00Z","account_id":"123456789012","region":"us-east-1","group_id":"sg-1","group_name":"web","action":"delete","result":"dry-run-ok","reason":"why","backup":"b.json"}"#
        );
        for (action, word) in [
            (Action::Revoke, "revoke"),
            (Action::Delete, "delete"),
            (Action::Skip, "skip"),
            (Action::Reauthorize, "reauthorize"),
        ] {
            let v = serde_json::to_value(line(action, Outcome::Ok, None)).unwrap();
            assert_eq!(v["action"], word);
            assert_eq!(action.to_string(), word);
            assert!(v.get("backup").is_none());
        }
        for (result, word) in [
            (Outcome::Ok, "ok"),
            (Outcome::DryRunOk, "dry-run-ok"),
            (Outcome::Skipped, "skipped"),
            (Outcome::Failed, "failed"),
        ] {
            assert_eq!(serde_json::to_value(line(Action::Skip, result, None)).unwrap()["result"], word);
            assert_eq!(result.to_string(), word);
        }
        assert_eq!(format!("[{:<6}]", Action::Skip), "[skip  ]");
    }
}

//! The deletion log: one JSON line per action, appended and flushed as it happens, so that the log says
//! what was done even if the run is cut short.

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
    /// `revoke`, `delete`, `skip`.
    pub action: &'a str,
    /// `ok`, `dry-run-ok`, `skipped`, `failed`.
    pub result: &'a str,
    pub reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<&'a str>,
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

//! The backup: every group about to be deleted, whole (description, VPC, tags, every rule with its
//! descriptions, the groups and prefix lists it names), written and synced to disk before the first delete.
//! `sgaudit restore` reads it back.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sgaudit_snapshot::SecurityGroup;

/// What the file says it is, so that restore refuses anything else.
pub const KIND: &str = "sgaudit-backup";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Backup {
    pub kind: String,
    pub version: u32,
    pub sgaudit_version: String,
    pub created_at: String,
    pub groups: Vec<BackedUp>,
}

/// The backup could not be written in `dir` (no file was left behind).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the backup in {}: {source}", .dir.display())]
pub struct WriteError {
    pub dir: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// A file that is not a backup this sgaudit reads.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read backup {}: {source}", .path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not an sgaudit backup: {source}", .path.display())]
    NotJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{} is not an sgaudit backup (kind `{kind}`)", .path.display())]
    OtherKind { path: PathBuf, kind: String },
    #[error("{} is a backup of version {version}, this sgaudit reads version {VERSION}", .path.display())]
    OtherVersion { path: PathBuf, version: u32 },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackedUp {
    pub account_id: String,
    pub region: String,
    pub group: SecurityGroup,
}

impl Backup {
    pub fn new(sgaudit_version: &str, created_at: &str, groups: Vec<BackedUp>) -> Backup {
        Backup {
            kind: KIND.to_string(),
            version: VERSION,
            sgaudit_version: sgaudit_version.to_string(),
            created_at: created_at.to_string(),
            groups,
        }
    }

    /// Writes the backup to a new file `sgaudit-backup-<stamp>.json` in `dir` (never over an existing one),
    /// whole or not at all: the text goes to a temporary file in `dir`, synced, then takes its name; the
    /// directory is synced too, so that the file is on disk before this returns. A failed write leaves no
    /// file behind, never a truncated one.
    pub fn write(&self, dir: &Path, stamp: &str) -> Result<PathBuf, WriteError> {
        self.write_file(dir, stamp).map_err(|source| WriteError { dir: dir.to_path_buf(), source })
    }

    fn write_file(&self, dir: &Path, stamp: &str) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("sgaudit-backup-{stamp}.json"));
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let mut file = tempfile::Builder::new().prefix(".sgaudit-backup-").suffix(".tmp").tempfile_in(dir)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        file.as_file().sync_all()?;
        file.persist_noclobber(&path).map_err(|e| e.error)?;
        // The directory entry too, so that the file survives a crash right after.
        std::fs::File::open(dir)?.sync_all()?;
        Ok(path)
    }

    /// Reads a backup back: only one of this [`KIND`] and [`VERSION`].
    pub fn read(path: &Path) -> Result<Backup, LoadError> {
        let p = || path.to_path_buf();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Unreadable { path: p(), source })?;
        let backup: Backup = serde_json::from_str(&text).map_err(|source| LoadError::NotJson { path: p(), source })?;
        if backup.kind != KIND {
            return Err(LoadError::OtherKind { path: p(), kind: backup.kind });
        }
        if backup.version != VERSION {
            return Err(LoadError::OtherVersion { path: p(), version: backup.version });
        }
        Ok(backup)
    }

    /// [`Backup::read`] with its error in words (what `sgaudit restore` shows).
    pub fn load(path: &Path) -> Result<Backup, String> {
        Backup::read(path).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let group: SecurityGroup = serde_json::from_value(serde_json::json!({
            "group_id": "sg-1", "group_name": "old", "description": "d", "vpc_id": "vpc-1",
            "owner_id": "111122223333", "tags": {"Team": "=cmd"},
            "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22,
                         "ipv4_ranges": [{"id": "10.0.0.0/8", "description": "office"}],
                         "groups": [{"group_id": "sg-2", "description": "peer"}]}],
            "egress": []
        }))
        .unwrap();
        let backup = Backup::new(
            "0.1.0",
            "2026-11-23T00:00:00Z",
            vec![BackedUp { account_id: "111122223333".into(), region: "eu-west-1".into(), group: group.clone() }],
        );
        let path = backup.write(dir.path(), "20261123T000000Z").unwrap();
        let back = Backup::load(&path).unwrap();
        assert_eq!(back.groups[0].group, group);
        // Never over an existing file, and no temporary file left behind.
        assert!(backup.write(dir.path(), "20261123T000000Z").is_err());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["sgaudit-backup-20261123T000000Z.json"]);
        std::fs::write(
            dir.path().join("x.json"),
            "{\"kind\":\"other\",\"version\":1,\"sgaudit_version\":\"\",\"created_at\":\"\",\"groups\":[]}",
        )
        .unwrap();
        assert!(Backup::load(&dir.path().join("x.json")).unwrap_err().contains("not an sgaudit backup"));
        assert!(
            matches!(Backup::read(&dir.path().join("x.json")), Err(LoadError::OtherKind { kind, .. }) if kind == "other")
        );
        std::fs::write(dir.path().join("y.json"), "not json").unwrap();
        assert!(Backup::load(&dir.path().join("y.json")).unwrap_err().contains("not an sgaudit backup"));
        assert!(matches!(Backup::read(&dir.path().join("y.json")), Err(LoadError::NotJson { .. })));
        // A directory that cannot be made: the error names it, and no file is written.
        let blocked = dir.path().join("x.json").join("sub");
        let error = backup.write(&blocked, "20261123T000000Z").unwrap_err();
        assert!(
            error.to_string().starts_with(&format!("cannot write the backup in {}: ", blocked.display())),
            "{error}"
        );
    }
}

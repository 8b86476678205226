//! The files a command writes: checked before any work, written whole or not at all.
//!
//! A scan can take an hour; a path that cannot be written must fail in the first second, not after it
//! ([`check_outputs`]). A report or snapshot that fails half-way must not leave a truncated file where the
//! previous good one was ([`write_atomic`]). And a run must never overwrite what it reads, nor write two
//! outputs to one file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// Checks, before anything is collected or written, that a command's outputs can be written and collide
/// with nothing. Each entry is the flag that named the path (for the message) and the path:
///
/// - `outputs`: files to be written. Each file's directory must exist and take a new file (a temporary
///   file is created and removed there), and the path must not be a directory.
/// - `dirs`: directories that files will be written into, created if missing. Each must be a directory
///   that takes a new file, or not exist yet under an existing directory that does.
/// - `inputs`: files the command reads. No output may be one of them, nor another output.
///
/// Paths are compared by their canonical directory and file name, so `./a.json`, `a.json` and `d/../a.json`
/// are one file even where it does not exist yet; a symbolic link counts as the file it points to. The
/// first problem is returned as one line, an output [`Error`] (exit 2). Nothing is left behind.
pub fn check_outputs(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)], dirs: &[(&str, &Path)]) -> Result<(), Error> {
    let mut written: Vec<(&str, &Path, PathBuf)> = Vec::with_capacity(outputs.len());
    for &(flag, path) in outputs {
        let identity = check_output_file(flag, path)?;
        if let Some((other, other_path, _)) = written.iter().find(|(_, _, id)| *id == identity) {
            return Err(Error::output(format!(
                "{flag} {} and {other} {} are the same file: give each output its own path",
                shown(path),
                shown(other_path)
            )));
        }
        written.push((flag, path, identity));
    }
    for &(flag, path) in inputs {
        let Some(identity) = identity(path) else { continue };
        if let Some((other, other_path, _)) = written.iter().find(|(_, _, id)| *id == identity) {
            return Err(Error::output(format!(
                "{other} {} is the file {flag} {} reads: write the output elsewhere",
                shown(other_path),
                shown(path)
            )));
        }
    }
    for &(flag, dir) in dirs {
        check_output_dir(flag, dir)?;
        let Some(identity) = identity(dir) else { continue };
        if let Some((other, other_path, _)) = written.iter().find(|(_, _, id)| *id == identity) {
            return Err(Error::output(format!(
                "{other} {} is also {flag}: a file cannot be a directory",
                shown(other_path)
            )));
        }
    }
    Ok(())
}

/// Writes a file whole or not at all: `write` fills a temporary file in the same directory, which is then
/// flushed to disk and renamed over `path`. If `write` fails (or anything after it), the temporary file is
/// removed and whatever was at `path` before is left as it was. A new file gets the permissions
/// `File::create` would give it; a file replaced keeps its permissions.
///
/// `write` gets the file unbuffered: wrap it in a `BufWriter` for many small writes.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = directory_of(path);
    let mut builder = tempfile::Builder::new();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // What File::create asks for; the process's umask then applies, as it would there.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir)?;
    if let Ok(previous) = std::fs::metadata(path) {
        if previous.is_file() {
            file.as_file().set_permissions(previous.permissions())?;
        }
    }
    write(file.as_file_mut())?;
    file.as_file_mut().flush()?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename itself is durable once the directory is synced; not every file system can sync one.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The directory a file of that path lives in (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A path for a message, in one line and unable to drive the terminal, whatever characters it holds.
pub fn shown(path: &Path) -> String {
    sgaudit_report::printable(&path.display().to_string()).into_owned()
}

/// Where a file is, whether or not it exists yet: the canonical path of an existing file, else the
/// canonical path of its directory joined with its name. `None` when its directory does not exist.
fn identity(path: &Path) -> Option<PathBuf> {
    if let Ok(canonical) = path.canonicalize() {
        return Some(canonical);
    }
    let name = path.file_name()?;
    Some(directory_of(path).canonicalize().ok()?.join(name))
}

/// Checks one output file; returns its identity.
fn check_output_file(flag: &str, path: &Path) -> Result<PathBuf, Error> {
    let cannot = |why: String| Error::output(format!("cannot write {flag} {}: {why}", shown(path)));
    if path.file_name().is_none() {
        return Err(cannot("not a file name".into()));
    }
    if path.is_dir() {
        return Err(cannot("it is a directory".into()));
    }
    let dir = directory_of(path);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(cannot(format!("{} is not a directory", shown(dir)))),
        Err(e) => return Err(cannot(format!("directory {}: {}", shown(dir), error(&e)))),
    }
    takes_a_new_file(dir).map_err(|e| cannot(format!("directory {}: {}", shown(dir), error(&e))))?;
    identity(path).ok_or_else(|| cannot("its directory cannot be resolved".into()))
}

/// Checks a directory that files will be written into: it exists and takes a new file, or it can be
/// created (its nearest existing ancestor is a directory that takes one). Creates nothing.
fn check_output_dir(flag: &str, dir: &Path) -> Result<(), Error> {
    let cannot = |why: String| Error::output(format!("cannot create {flag} {}: {why}", shown(dir)));
    let mut existing = dir;
    loop {
        match std::fs::metadata(existing) {
            Ok(m) if m.is_dir() => break,
            Ok(_) if existing == dir => return Err(cannot("it exists and is not a directory".into())),
            Ok(_) => return Err(cannot(format!("{} is not a directory", shown(existing)))),
            Err(e) if e.kind() != io::ErrorKind::NotFound || directory_of(existing) == existing => {
                return Err(cannot(format!("{}: {}", shown(existing), error(&e))))
            }
            Err(_) => existing = directory_of(existing),
        }
    }
    takes_a_new_file(existing).map_err(|e| cannot(format!("{}: {}", shown(existing), error(&e))))
}

/// Whether a file can be created in `dir` (which is what writing atomically needs): creates one and
/// removes it.
fn takes_a_new_file(dir: &Path) -> io::Result<()> {
    let probe = tempfile::Builder::new().prefix(".sgaudit-check.").tempfile_in(dir)?;
    probe.close()
}

/// An I/O error for a one-line message, without the "(os error N)" noise.
fn error(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_failed_write_leaves_the_previous_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "the previous, good report\n").unwrap();
        let before = std::fs::read(&path).unwrap();

        let err = write_atomic(&path, |w| {
            w.write_all(b"half of a new rep")?;
            Err(io::Error::other("the disk is full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "the disk is full");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["report.json"]);

        write_atomic(&path, |w| w.write_all(b"the new report\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the new report\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["report.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_those_of_a_new_file_or_the_replaced_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.txt");
        write_atomic(&new, |w| w.write_all(b"x")).unwrap();
        let created = dir.path().join("created.txt");
        std::fs::write(&created, "x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&new), mode(&created), "as File::create makes them");

        std::fs::set_permissions(&created, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&created, |w| w.write_all(b"y")).unwrap();
        assert_eq!(mode(&created), 0o600);
    }

    #[test]
    fn a_bare_file_name_is_written_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("a.json")), Path::new("."));
        assert_eq!(directory_of(Path::new("d/a.json")), Path::new("d"));
    }

    #[test]
    fn outputs_are_checked_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let input = d.join("snap.json");
        std::fs::write(&input, "{}").unwrap();
        let out = d.join("out.json");

        check_outputs(&[("--output", &out)], &[("--from-snapshot", &input)], &[("--output-dir", &d.join("a/b"))])
            .unwrap();

        let err = check_outputs(&[("--save-snapshot", Path::new("/nonexistent/dir/x.json"))], &[], &[]).unwrap_err();
        assert_eq!(err.kind(), crate::error::Kind::Output);
        assert_eq!(err.to_string(), "cannot write --save-snapshot /nonexistent/dir/x.json: directory /nonexistent/dir: No such file or directory");

        let err = check_outputs(&[("--output", d)], &[], &[]).unwrap_err();
        assert!(err.to_string().ends_with(": it is a directory"), "{err}");

        // The same file, however spelt, existing or not.
        let spelt = d.join("sub/../snap.json");
        std::fs::create_dir(d.join("sub")).unwrap();
        let err = check_outputs(&[("--output", &spelt)], &[("--from-snapshot", &input)], &[]).unwrap_err();
        assert!(err.to_string().contains("is the file --from-snapshot"), "{err}");
        let err = check_outputs(&[("--output", &out), ("--save-snapshot", &d.join("sub/../out.json"))], &[], &[])
            .unwrap_err();
        assert!(err.to_string().contains("are the same file"), "{err}");

        // A directory to create under a file, or a file where the directory should be.
        let err = check_outputs(&[], &[], &[("--output-dir", &input.join("reports"))]).unwrap_err();
        assert!(err.to_string().starts_with("cannot create --output-dir "), "{err}");
        let err = check_outputs(&[], &[], &[("--audit-log-dir", &input)]).unwrap_err();
        assert!(err.to_string().ends_with("it exists and is not a directory"), "{err}");
        assert!(!d.join("a").exists(), "a check creates nothing");
        let names: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_that_takes_no_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        // root writes anywhere: there, a directory no one can create a file in stands for it.
        #[cfg(target_os = "linux")]
        {
            let err = check_outputs(&[("--output", Path::new("/proc/sgaudit-x.json"))], &[], &[]).unwrap_err();
            assert!(
                err.to_string().starts_with("cannot write --output /proc/sgaudit-x.json: directory /proc: "),
                "{err}"
            );
            let err = check_outputs(&[], &[], &[("--output-dir", Path::new("/proc/sgaudit-reports"))]).unwrap_err();
            assert!(err.to_string().starts_with("cannot create --output-dir /proc/sgaudit-reports: /proc: "), "{err}");
        }
        if tempfile::tempfile_in(&locked).is_ok() {
            return;
        }
        let err = check_outputs(&[("--output", &locked.join("x.json"))], &[], &[]).unwrap_err();
        assert!(err.to_string().contains("Permission denied"), "{err}");
        let err = check_outputs(&[], &[], &[("--output-dir", &locked.join("reports"))]).unwrap_err();
        assert!(err.to_string().contains("Permission denied"), "{err}");
    }
}

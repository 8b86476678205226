//! Puts the git commit the binary is built from into `sgaudit --version` (`SGAUDIT_COMMIT`), or `unknown`
//! outside a git checkout (a crate tarball).

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()).filter(|s| !s.is_empty())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=SGAUDIT_COMMIT={commit}");
    // Built again when HEAD moves: HEAD itself (a checkout), the branch it points to (a commit), packed refs.
    // Only files that exist: cargo counts a missing one as changed on every build, and a checkout without
    // packed refs (a fresh `git init`) rebuilt the binary and its end-to-end tests each time for nothing. A
    // branch's file that goes missing (its ref packed by `git gc`) still counts as changed, once.
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]).map(PathBuf::from) {
        let mut watched = vec![dir.join("HEAD"), dir.join("packed-refs")];
        if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.push(dir.join(reference));
        }
        for path in watched.iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

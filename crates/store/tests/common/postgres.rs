//! A throwaway PostgreSQL server for tests, shared by the store's tests (common/mod.rs) and sgaudit's end-to-end
//! tests (`#[path]`-included by crates/sgaudit/tests/common/mod.rs). It needs nothing but std and `tempfile`, so
//! that a crate without sqlx can include it: databases are made and queried with `psql`, as the server is run.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// A throwaway PostgreSQL server for one test binary: `initdb` in a temporary directory, listening on a free
/// loopback port (and a socket in that directory only), fsync off. Tests share it, each in a database of its
/// own (`CREATE DATABASE t_<n>`), so they run in parallel.
///
/// Stopped (`pg_ctl stop -m immediate`) on drop; the shared one lives in a static, which Rust never drops, so a
/// watcher process stops it and removes its directory once the test binary has exited.
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    /// Run as the `postgres` user: PostgreSQL refuses to run as root, and this machine and CI run as root.
    as_postgres: bool,
}

const INSTALL_HINT: &str = "PostgreSQL is needed by the store's tests and sgaudit's shared-scan test (they never \
     pass without it): install it, e.g. `apt-get install -y --no-install-recommends postgresql` on Debian (.ci/run \
     does), or put initdb and pg_ctl in PATH";

impl Postgres {
    /// The test binary's server, started on first use. Panics (failing the test) when PostgreSQL is not installed.
    pub fn shared() -> &'static Postgres {
        static SHARED: OnceLock<Postgres> = OnceLock::new();
        SHARED.get_or_init(|| Postgres::start().unwrap_or_else(|e| panic!("{e}")))
    }

    pub fn start() -> Result<Postgres, String> {
        let bin = find_postgres_bin().ok_or_else(|| format!("initdb and pg_ctl not found. {INSTALL_HINT}"))?;
        let as_postgres = output_of("id", &["-u"]).as_deref() == Some("0");
        let dir = tempfile::Builder::new()
            .prefix("sgaudit-pg-")
            .tempdir()
            .map_err(|e| format!("a temporary directory: {e}"))?
            .keep();
        if as_postgres {
            let uid = output_of("id", &["-u", "postgres"]).and_then(|s| s.parse().ok());
            let gid = output_of("id", &["-g", "postgres"]).and_then(|s| s.parse().ok());
            let (Some(uid), Some(gid)) = (uid, gid) else {
                return Err(format!(
                    "running as root, and there is no `postgres` user to run the server as. {INSTALL_HINT}"
                ));
            };
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let mut server = Postgres { dir, bin, port: 0, as_postgres };
        let data = server.dir.join("data");
        server.run("initdb", &["-D", path_str(&data), "-A", "trust", "-U", "sgaudit", "--no-sync", "-E", "UTF8"])?;
        // A free port can be taken between the probe and the start: try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            server.port = free_port()?;
            let options = format!(
                "-p {} -h 127.0.0.1 -k {} -F -c max_connections=300 -c shared_buffers=32MB",
                server.port,
                path_str(&server.dir)
            );
            let log = server.dir.join("server.log");
            match server.run(
                "pg_ctl",
                &["-D", path_str(&data), "-l", path_str(&log), "-w", "-t", "60", "-o", &options, "start"],
            ) {
                Ok(()) => {
                    server.watch();
                    return Ok(server);
                }
                Err(e) => last_error = format!("{e}\n{}", std::fs::read_to_string(&log).unwrap_or_default()),
            }
        }
        Err(format!("PostgreSQL did not start: {last_error}"))
    }

    fn command(&self, program: &str) -> Command {
        // initdb and pg_ctl may be links in PATH to a directory that psql is not in: then psql is PATH's.
        let beside = self.bin.join(program);
        let program = if beside.is_file() { beside } else { PathBuf::from(program) };
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let output = self
            .command(program)
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {program}: {e}. {INSTALL_HINT}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {}: {}\n{}{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// A watcher that outlives this process: when the test binary is gone, it stops the server and removes its
    /// directory. Its output goes nowhere, so a `cargo test | tee` does not wait for it.
    fn watch(&self) {
        let stop = self.command("pg_ctl");
        let mut stop_line: Vec<String> = std::iter::once(stop.get_program().to_string_lossy().into_owned())
            .chain(stop.get_args().map(|a| a.to_string_lossy().into_owned()))
            .collect();
        stop_line.extend([
            "-D".into(),
            path_str(&self.dir.join("data")).into(),
            "-m".into(),
            "immediate".into(),
            "stop".into(),
        ]);
        let quoted: Vec<String> = stop_line.iter().map(|a| format!("'{}'", a.replace('\'', r"'\''"))).collect();
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{dir}'",
            pid = std::process::id(),
            stop = quoted.join(" "),
            dir = path_str(&self.dir).replace('\'', r"'\''"),
        );
        let spawned = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Err(e) = spawned {
            eprintln!(
                "warning: no watcher for the test PostgreSQL server ({e}): stop it by hand in {}",
                self.dir.display()
            );
        }
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://sgaudit@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database (`t_<n>`, unique in this process) made with `psql`; its URL.
    pub fn create_database(&self) -> String {
        let name = next_database_name();
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Runs `sql` in `database` with `psql` (unaligned, tuples only, stopping at the first error) and gives what it
    /// printed; panics (failing the test) when psql fails.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.try_psql(database, sql).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Postgres::psql`], with its failure (e.g. a table not made yet) as an error.
    pub fn try_psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        let output = self
            .command("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", &port, "-U", "sgaudit"])
            .args(["-d", database, "-c", sql])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run psql: {e}. {INSTALL_HINT}"))?;
        if !output.status.success() {
            return Err(format!("psql -c {sql}: {}", String::from_utf8_lossy(&output.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.run("pg_ctl", &["-D", path_str(&data), "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// initdb and pg_ctl: in PATH, else in Debian's `/usr/lib/postgresql/<version>/bin` (the newest version).
fn find_postgres_bin() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|dir| has_both(dir)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// `t_<n>`: a database name not used before by this process, whoever makes the database.
pub fn next_database_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("t_{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

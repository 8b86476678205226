//! Shared harness of the end-to-end tests: a real moto server on a free loopback port, the boto3 seed
//! script, and the built `sgaudit` binary run against it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod canned;
/// The store tests' throwaway PostgreSQL server (one harness for both crates; it needs no sqlx).
#[path = "../../../store/tests/common/postgres.rs"]
pub mod postgres;
pub mod proxy;
pub mod reports;
pub mod sim;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A moto server of its own for one test, stopped when dropped, behind a proxy of ours that answers the
/// calls moto does not implement (see [`canned`]): `url` is the proxy, `direct` moto itself.
pub struct Moto {
    pub url: String,
    pub direct: String,
    child: Child,
    _front: proxy::FaultProxy,
}

impl Moto {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Self {
        Self::start_answering(env, Vec::new())
    }

    /// moto with `answers` in front of the canned empty lists: for a test that needs a service moto lacks
    /// to hold something.
    pub fn start_answering(env: &[(&str, &str)], answers: Vec<proxy::Rule>) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("python3 -m moto.server (pip install 'moto[server]')");
        let direct = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut rules = answers;
        rules.extend(canned::empty_lists());
        let front = proxy::FaultProxy::start(&direct, rules);
        Moto { url: front.url.clone(), direct, child, _front: front }
    }

    /// Runs the seed script against this server and returns its manifest.
    pub fn seed(&self, region: &str) -> Value {
        self.python(&[&format!("{FIXTURES}/seed_estate.py"), "--endpoint", &self.url, "--region", region], &[])
    }

    /// Runs a fixture script with the test credentials; its stdout must be one JSON document.
    pub fn python(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let mut cmd = Command::new("python3");
        cmd.args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_ENDPOINT_URL", &self.url);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}):\n{}", String::from_utf8_lossy(&out.stdout)))
    }

    /// From now on moto enforces IAM policies on every request.
    pub fn enforce_iam(&self) {
        let mut s = TcpStream::connect(self.direct.trim_start_matches("http://")).unwrap();
        let body = "0";
        write!(
            s,
            "POST /moto-api/reset-auth HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"), "{answer}");
    }

    /// `sgaudit` with this server as every AWS endpoint and the test credentials.
    pub fn sgaudit(&self, args: &[&str]) -> Run {
        self.sgaudit_as(args, "testing", "testing")
    }

    pub fn sgaudit_as(&self, args: &[&str], key: &str, secret: &str) -> Run {
        sgaudit_at(&self.url, args, key, secret)
    }
}

/// `sgaudit` with `endpoint` (moto, or a proxy in front of it) as every AWS endpoint.
pub fn sgaudit_at(endpoint: &str, args: &[&str], key: &str, secret: &str) -> Run {
    let mut cmd = sgaudit_cmd();
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        // The tests of groups judge groups: moto's credential report has no root row, so against moto the
        // root user's checks are never evaluated (exit 3). The account checks' tests (posture_*.rs) pass
        // --checks, which overrides this.
        .env("SGAUDIT_CHECKS", "groups");
    Run::of(cmd.args(args).output().unwrap())
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with an environment that cannot reach a real account: no profile files, no instance
/// metadata, no inherited keys.
pub fn sgaudit_cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sgaudit"));
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "RUST_BACKTRACE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_CONFIG_FILE", "/nonexistent/sgaudit-test/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sgaudit-test/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // Never the user's own history or sgaudit.toml: a store of this test process (tests that look at the
        // history give their own --store), and a config directory with nothing in it.
        .env("SGAUDIT_STORE", test_store())
        .env("XDG_CONFIG_HOME", "/nonexistent/sgaudit-test/config-home")
        .env_remove("SGAUDIT_CONFIG")
        .current_dir(repo_root());
    cmd
}

/// The history the binary writes to in tests that do not choose one: a SQLite file of each test's own (libtest
/// runs each test on a thread named after it), so that tests running side by side never see each other's runs
/// (a push to Security Hub would archive what another test pushed).
pub fn test_store() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sgaudit-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory for the test store");
    let test = std::thread::current().name().unwrap_or("main").replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    dir.join(format!("{test}.sqlite3"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("no JSON on stdout ({e}); stderr:\n{}\nstdout:\n{}", self.stderr, self.stdout))
    }

    /// Bad input: exit 2 and exactly two lines on stderr, the error in one (`error: `, naming `needle`) and
    /// what to do in the other (`help: `); no panic.
    pub fn assert_one_line_error(&self, needle: &str) {
        self.assert_error(2, needle);
    }

    /// A command that stopped: exit `code`, one `error: ` line naming `needle`, then one `help: ` line.
    pub fn assert_error(&self, code: i32, needle: &str) {
        assert_eq!(self.code, code, "exit code; stderr: {}", self.stderr);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "an error line and a help line expected, got:\n{}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{}", lines[0]);
        assert!(lines[0].contains(needle), "`{needle}` not in: {}", lines[0]);
        assert!(lines[1].starts_with("help: ") && lines[1].len() > "help: ".len() + 10, "{}", lines[1]);
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("backtrace"));
    }

    /// The `help: ` line of a command that stopped.
    pub fn help(&self) -> &str {
        self.stderr.lines().nth(1).unwrap_or_default()
    }
}

/// The JSON entry of one group.
pub fn group<'a>(doc: &'a Value, group_id: &str) -> &'a Value {
    doc["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_id"] == group_id)
        .unwrap_or_else(|| panic!("{group_id} not in the output"))
}

pub fn coverage<'a>(doc: &'a Value, source: &str) -> &'a Value {
    doc["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == source)
        .unwrap_or_else(|| panic!("no coverage for {source}"))
}

/// The coverage entries of a JSON document that were not read in full, for failure messages.
pub fn unread(doc: &Value) -> Vec<String> {
    doc["coverage"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter(|c| c["state"] != "complete" && c["state"] != "not_applicable")
                .map(|c| format!("{} {} {}: {}", c["account_id"], c["region"], c["source"], c["error"]))
                .collect()
        })
        .unwrap_or_default()
}

/// What holds a group in a JSON document: `(kind, id, detail)` of each `used_by` entry.
pub fn used_by<'a>(doc: &'a Value, id: &str) -> Vec<(&'a str, &'a str, &'a str)> {
    group(doc, id)["used_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["kind"].as_str().unwrap(), u["id"].as_str().unwrap(), u["detail"].as_str().unwrap_or("")))
        .collect()
}

/// Asserts that `group_id` is in use by a resource of `kind` whose id contains `resource` (`holder` names
/// the case in the message).
pub fn assert_held(doc: &Value, holder: &str, group_id: &str, kind: &str, resource: &str) {
    let by = used_by(doc, group_id);
    assert!(
        by.iter().any(|(k, id, _)| *k == kind && id.contains(resource)),
        "{holder}: {group_id} not held by a {kind} named like {resource}: {by:?}"
    );
    assert_eq!(group(doc, group_id)["status"], "in_use", "{holder}: {}", group(doc, group_id));
}

/// A proxy in front of moto that refuses `sts:AssumeRole` into `account`: moto lets anyone assume any role,
/// AWS would not.
pub fn refusing_role_into(moto: &Moto, account: &str) -> proxy::FaultProxy {
    proxy::FaultProxy::start(
        &moto.url,
        vec![proxy::Rule::always(
            &format!("%3A%3A{account}%3Arole"),
            proxy::Fault::Deny(format!(
                "User: arn:aws:iam::123456789012:user/audit is not authorized to perform: sts:AssumeRole on \
                 resource: arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
            )),
        )],
    )
}

/// moto seeded with an organisation (`fixtures/seed_org.py`) behind a proxy that refuses the role into its
/// `unassumable` member.
pub fn organization_refusing_one_member() -> (Moto, serde_json::Value, proxy::FaultProxy) {
    organization_of(0)
}

/// The same organization with `extra` more members, with nothing seeded in them.
pub fn organization_of(extra: usize) -> (Moto, serde_json::Value, proxy::FaultProxy) {
    let moto = Moto::start();
    let org = moto.python(
        &[&format!("{FIXTURES}/seed_org.py"), "--endpoint", &moto.url, "--extra-members", &extra.to_string()],
        &[],
    );
    let proxy = refusing_role_into(&moto, org["unassumable"].as_str().unwrap());
    (moto, org, proxy)
}

//! The IAM actions each source declares, against a moto server that enforces IAM (`reset-auth`):
//!
//! - `each_source_needs_exactly_its_declared_actions`: for every source, a user allowed exactly the actions
//!   it declares reads it, and a user allowed every action sgaudit declares *but* those is refused, on an
//!   estate with one resource of each kind moto can hold (`seed_estate.py`), so that the per-resource calls
//!   run too. Where moto cannot show it (it does not enforce the calls, lacks them, or refuses them even to
//!   the right user), the source is named in the test's output, with the reason, and checked no further.
//! - `each_probe_answers` (ignored, a tool): prints each probe's answer, for writing probes:
//!   `SGAUDIT_PROBE_SOURCES=lambda-functions,ecs-services cargo test --workspace --test collect actions_moto:: --
//!   --ignored --nocapture each_probe_answers`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use sgaudit_collect::source::is_denied;
use sgaudit_collect::{registry, Ctx, Found};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sgaudit/tests/fixtures");
const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";

struct Moto {
    url: String,
    child: Child,
}

impl Moto {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m moto.server");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { url: format!("http://127.0.0.1:{port}"), child }
    }

    /// Runs a fixture script with the test credentials, `stdin` on its input; its stdout is one JSON document.
    fn python(&self, args: &[&str], stdin: &str) -> serde_json::Value {
        let mut child = Command::new("python3")
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_ENDPOINT_URL", &self.url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn enforce_iam(&self) {
        let mut s = TcpStream::connect(self.url.trim_start_matches("http://")).unwrap();
        write!(
            s,
            "POST /moto-api/reset-auth HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\
             Connection: close\r\n\r\n0"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.contains(" 200 "), "{answer}");
    }

    async fn sdk(&self, key: &str, secret: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(&self.url)
            .credentials_provider(Credentials::new(key, secret, None, None, "test"))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .load()
            .await
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a source's read ended: read, refused (the code), or failed otherwise (the code).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Read_ {
    Read,
    Refused(String),
    Failed(String),
}

async fn read(moto: &Moto, keys: &serde_json::Value, user: &str, source: &'static sgaudit_collect::SourceDef) -> Read_ {
    let key = &keys[user];
    let sdk = moto.sdk(key["AccessKeyId"].as_str().unwrap(), key["SecretAccessKey"].as_str().unwrap()).await;
    let ctx = Ctx::new(sdk, ACCOUNT.to_string(), REGION.to_string());
    let mut found = Found::new(source.id);
    match (source.collect)(&ctx, &mut found).await {
        Ok(()) => Read_::Read,
        Err(e) if is_denied(&e) => Read_::Refused(e.code),
        Err(e) => Read_::Failed(e.code),
    }
}

#[tokio::test]
async fn each_source_needs_exactly_its_declared_actions() {
    let moto = Moto::start();
    moto.python(&[&format!("{FIXTURES}/seed_estate.py"), "--endpoint", &moto.url, "--region", REGION], "");
    let sources: Vec<_> = registry::all_sources().collect();
    let everything: Vec<&str> = registry::scan_actions();
    let mut users: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    users.insert("nothing".to_string(), Vec::new());
    for s in &sources {
        let own: Vec<&str> = s.action_names().collect();
        users.insert(format!("only-{}", s.id), own.clone());
        users.insert(format!("all-but-{}", s.id), everything.iter().copied().filter(|a| !own.contains(a)).collect());
    }
    let keys = moto.python(
        &[&format!("{FIXTURES}/make_users.py"), "--endpoint", &moto.url],
        &serde_json::to_string(&users).unwrap(),
    );
    moto.enforce_iam();

    let mut shown = Vec::new();
    let mut cannot: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for s in &sources {
        let nothing = read(&moto, &keys, "nothing", s).await;
        let only = read(&moto, &keys, &format!("only-{}", s.id), s).await;
        let without = read(&moto, &keys, &format!("all-but-{}", s.id), s).await;
        match (&nothing, &only, &without) {
            // moto let a user with no policy read it: it does not enforce these calls.
            (Read_::Read, _, _) => cannot.entry("moto does not enforce its calls").or_default().push(s.id.into()),
            // moto's REST-JSON signature check under enforcement refuses even an allowed user, with
            // SignatureDoesNotMatch or a bare 403 (TESTING.md).
            (Read_::Refused(_), Read_::Refused(code), _)
                if code.starts_with("SignatureDoesNotMatch") || code == "HttpForbidden" =>
            {
                cannot.entry("moto refuses every user (its REST signature check)").or_default().push(s.id.into())
            }
            // Refused without its actions, and past authorisation with them, where moto then lacks a call:
            // the actions are shown needed, not shown enough.
            (Read_::Refused(_), Read_::Failed(code), Read_::Refused(_)) => cannot
                .entry("shown needed only: moto lacks a later call")
                .or_default()
                .push(format!("{} ({code})", s.id)),
            (Read_::Refused(_), Read_::Read, Read_::Refused(_)) => shown.push(s.id),
            // moto refuses awsJson calls with an XML body the SDK cannot read: a refusal all the same when the
            // same call reads for the user with exactly the source's actions.
            (Read_::Failed(a), Read_::Read, Read_::Failed(b)) if a == "bad-response" && b == "bad-response" => {
                shown.push(s.id)
            }
            (Read_::Failed(code), _, _) => {
                cannot.entry("moto lacks or fails a call").or_default().push(format!("{} ({code})", s.id))
            }
            _ => wrong.push(format!(
                "{}: nothing {nothing:?}, only its actions {only:?}, all but its actions {without:?}",
                s.id
            )),
        }
    }
    eprintln!(
        "{} of {} sources shown exact (read with exactly their actions, refused without them)",
        shown.len(),
        sources.len()
    );
    for (why, ids) in &cannot {
        eprintln!("moto cannot show {} sources: {why}: {}", ids.len(), ids.join(", "));
    }
    // moto's S3 names three bucket reads `s3:ListBucket` (its action map lacks them) and refuses S3 Control
    // under enforcement: the two S3 sources are refused to the user with exactly their (AWS's) actions.
    const MOTO_MISNAMES: &[&str] = &["s3-buckets", "s3-account-public-access-block"];
    let (known, unexplained): (Vec<_>, Vec<_>) =
        wrong.into_iter().partition(|w| MOTO_MISNAMES.iter().any(|id| w.starts_with(&format!("{id}:"))));
    for w in &known {
        eprintln!("moto misnames: {w}");
    }
    assert!(
        unexplained.is_empty(),
        "declared actions that are not exactly what the calls need:\n{}",
        unexplained.join("\n")
    );
    assert!(shown.len() >= 30, "{} shown", shown.len());
}

#[tokio::test]
#[ignore = "a tool for writing probes: prints each probe's answer from moto"]
async fn each_probe_answers() {
    let moto = Moto::start();
    let sdk = moto.sdk("testing", "testing").await;
    let wanted: Vec<String> = std::env::var("SGAUDIT_PROBE_SOURCES")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let ctx = Ctx::new(sdk, ACCOUNT.to_string(), REGION.to_string());
    for source in registry::all_sources().filter(|s| wanted.is_empty() || wanted.iter().any(|w| w == s.id)) {
        for action in source.actions {
            match (action.probe)(&ctx).await {
                Ok(()) => println!("{:<40} {:<50} ok", source.id, action.name),
                Err(e) => println!("{:<40} {:<50} {e}", source.id, action.name),
            }
        }
    }
}

//! A fault-injecting HTTP proxy of our own, on loopback, between sgaudit and moto: it forwards every request
//! and, for those a rule matches, answers with the fault instead (throttling, a 5xx, a refusal, a hang, a
//! body cut short). moto cannot make these faults itself. Bounded: it serves at most `MAX_REQUESTS`, holds
//! a connection at most `HOLD_MAX`, and stops when dropped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const MAX_REQUESTS: usize = 200_000;
const HOLD_MAX: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub enum Fault {
    /// The service's own throttling answer, in its protocol.
    Throttle,
    /// A bare server error with this status.
    Status(u16),
    /// AccessDenied in the service's protocol, with this message.
    Deny(String),
    /// Read the request, answer nothing for this long, then close.
    Hang(Duration),
    /// Forward, then send only the first half of the answer's body and close.
    Truncate,
    /// Answer with this instead of forwarding: for the calls moto lacks (CloudTrail `LookupEvents`,
    /// `DescribeSecurityGroupReferences`), so that the code reading them runs over HTTP too.
    Answer { status: u16, content_type: String, body: String },
    /// Answer with these bytes and headers: for binary protocols (Smithy RPC v2 CBOR).
    AnswerBytes { status: u16, content_type: String, headers: Vec<(String, String)>, body: Vec<u8> },
}

/// Which requests get a fault: those whose operation or body contains `needle` (or each of its parts
/// separated by ` && `: `DeleteSecurityGroup && sg-0abc`; `service=apprunner` matches the service a
/// request is signed for), every
/// `every`-th of them (1 = all), at most `times` of them (`None`: no limit).
#[derive(Debug, Clone)]
pub struct Rule {
    pub needle: String,
    pub every: usize,
    pub times: Option<usize>,
    pub fault: Fault,
}

impl Rule {
    pub fn always(needle: &str, fault: Fault) -> Self {
        Rule { needle: needle.to_string(), every: 1, times: None, fault }
    }

    /// The same rule, applied to the first matching request only: the ones after it go to the rules after it.
    pub fn once(mut self) -> Self {
        self.times = Some(1);
        self
    }
}

struct Shared {
    rules: Vec<(Rule, AtomicUsize, AtomicUsize)>,
    /// Requests forwarded or faulted, by operation.
    seen: Mutex<BTreeMap<String, usize>>,
    faults: AtomicUsize,
    served: AtomicUsize,
    stop: AtomicBool,
}

pub struct FaultProxy {
    pub url: String,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    pub fn start(upstream: &str, rules: Vec<Rule>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let upstream = upstream.trim_start_matches("http://").to_string();
        let shared = Arc::new(Shared {
            rules: rules.into_iter().map(|r| (r, AtomicUsize::new(0), AtomicUsize::new(0))).collect(),
            seen: Mutex::new(BTreeMap::new()),
            faults: AtomicUsize::new(0),
            served: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || {
            while !s.stop.load(Ordering::Relaxed) && s.served.load(Ordering::Relaxed) < MAX_REQUESTS {
                match listener.accept() {
                    Ok((client, _)) => {
                        s.served.fetch_add(1, Ordering::Relaxed);
                        let s = s.clone();
                        let upstream = upstream.clone();
                        std::thread::spawn(move || {
                            let _ = serve(client, &upstream, &s);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        FaultProxy { url, shared, thread: Some(thread) }
    }

    /// Requests seen, by operation (`Service.Operation`, `Action`, or `METHOD /path`).
    pub fn seen(&self) -> BTreeMap<String, usize> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn faults(&self) -> usize {
        self.shared.faults.load(Ordering::Relaxed)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Request {
    head: String,
    body: Vec<u8>,
    operation: String,
    protocol: Protocol,
    /// The service the request is signed for (`apprunner`, `ec2`): the SigV4 credential scope of its
    /// `Authorization` header. Empty for an unsigned request.
    service: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Protocol {
    AwsJson,
    Ec2Query,
    AwsQuery,
    RestJson,
}

fn serve(client: TcpStream, upstream: &str, shared: &Shared) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    // One request per connection: the answer says `Connection: close`.
    let Some(request) = read_request(&mut reader)? else { return Ok(()) };
    *shared.seen.lock().unwrap().entry(request.operation.clone()).or_default() += 1;
    // `service=<signing name>` first, so that a rule can name a service whose operations moto lacks.
    let haystack =
        format!("service={} {} {}", request.service, request.operation, String::from_utf8_lossy(&request.body));
    let fault = shared.rules.iter().find_map(|(rule, matched, applied)| {
        if !rule.needle.split(" && ").all(|part| haystack.contains(part)) {
            return None;
        }
        let n = matched.fetch_add(1, Ordering::Relaxed) + 1;
        if n % rule.every.max(1) != 0 {
            return None;
        }
        if let Some(times) = rule.times {
            if applied.fetch_add(1, Ordering::Relaxed) >= times {
                return None;
            }
        }
        Some(rule.fault.clone())
    });
    let mut client = client;
    match fault {
        None => {
            let answer = forward(upstream, &request)?;
            client.write_all(&answer)?;
        }
        Some(fault) => {
            shared.faults.fetch_add(1, Ordering::Relaxed);
            match fault {
                Fault::Throttle => client.write_all(&throttle(&request))?,
                Fault::Status(code) => {
                    client.write_all(&answer(code, "text/plain", &[], b"injected server error"))?;
                }
                Fault::Deny(message) => client.write_all(&deny(&request, &message))?,
                Fault::Hang(d) => {
                    let until = Instant::now() + d.min(HOLD_MAX);
                    while Instant::now() < until && !shared.stop.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
                Fault::Truncate => {
                    let full = forward(upstream, &request)?;
                    let split = find(&full, b"\r\n\r\n").map(|i| i + 4).unwrap_or(full.len());
                    let body_len = full.len() - split;
                    client.write_all(&full[..split + body_len / 2])?;
                }
                Fault::Answer { status, content_type, body } => {
                    client.write_all(&answer(status, &content_type, &[], body.as_bytes()))?;
                }
                Fault::AnswerBytes { status, content_type, headers, body } => {
                    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    client.write_all(&answer(status, &content_type, &headers, &body))?;
                }
            }
        }
    }
    client.flush()?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let header = |name: &str| -> Option<String> {
        head.lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())))
            .map(|l| l.split_once(':').map(|(_, v)| v.trim().to_string()).unwrap_or_default())
    };
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let text = String::from_utf8_lossy(&body).into_owned();
    let request_line = head.lines().next().unwrap_or_default().to_string();
    let (operation, protocol) = if let Some(target) = header("x-amz-target") {
        (target, Protocol::AwsJson)
    } else if let Some(action) = text.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        let protocol = if text.contains("Version=2016-11-15") { Protocol::Ec2Query } else { Protocol::AwsQuery };
        (action.to_string(), protocol)
    } else {
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default();
        let path = parts.next().unwrap_or_default().split('?').next().unwrap_or_default();
        (format!("{method} {path}"), Protocol::RestJson)
    };
    // `Credential=AKID/20261201/us-east-1/apprunner/aws4_request`: the fourth part is the service.
    let service = header("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1).map(str::to_string))
        .and_then(|scope| scope.split('/').nth(3).map(str::to_string))
        .unwrap_or_default();
    Ok(Some(Request { head, body, operation, protocol, service }))
}

/// Sends the request to moto on a connection of its own and returns moto's whole answer, marked
/// `Connection: close`.
fn forward(upstream: &str, request: &Request) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream)?;
    let head: String = request
        .head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect();
    up.write_all(head.as_bytes())?;
    up.write_all(b"Connection: close\r\n\r\n")?;
    up.write_all(&request.body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    if answer.is_empty() {
        // moto closes some connections unanswered when it holds ~570 at once: the client sees the connection
        // dropped, as from AWS, rather than a head with no status line ("invalid HTTP version parsed").
        return Err(std::io::Error::other("moto closed the connection without answering"));
    }
    let split = find(&answer, b"\r\n\r\n").map(|i| i + 4).unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..split]);
    let mut out: String = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&answer[split..]);
    Ok(bytes)
}

fn throttle(request: &Request) -> Vec<u8> {
    match request.protocol {
        Protocol::AwsJson => answer(
            400,
            "application/x-amz-json-1.1",
            &[("x-amzn-ErrorType", "ThrottlingException")],
            br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        ),
        Protocol::RestJson => answer(
            429,
            "application/json",
            &[("x-amzn-ErrorType", "TooManyRequestsException")],
            br#"{"message":"Rate exceeded"}"#,
        ),
        Protocol::Ec2Query => answer(
            503,
            "text/xml",
            &[],
            b"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>x</RequestID></Response>",
        ),
        Protocol::AwsQuery => answer(
            400,
            "text/xml",
            &[],
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>x</RequestId></ErrorResponse>",
        ),
    }
}

fn deny(request: &Request, message: &str) -> Vec<u8> {
    let message = message.replace('"', "'").replace('<', "&lt;");
    match request.protocol {
        Protocol::AwsJson | Protocol::RestJson => answer(
            403,
            "application/json",
            &[("x-amzn-ErrorType", "AccessDeniedException")],
            format!(r#"{{"__type":"AccessDeniedException","message":"{message}","Message":"{message}"}}"#).as_bytes(),
        ),
        Protocol::Ec2Query => answer(
            403,
            "text/xml",
            &[],
            format!("<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>{message}</Message></Error></Errors><RequestID>x</RequestID></Response>").as_bytes(),
        ),
        Protocol::AwsQuery => answer(
            403,
            "text/xml",
            &[],
            format!("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message></Error><RequestId>x</RequestId></ErrorResponse>").as_bytes(),
        ),
    }
}

fn answer(status: u16, content_type: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

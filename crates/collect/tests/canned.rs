//! Offline tests of the sources moto cannot exercise (see `crates/sgaudit/tests/fixtures/MOTO_FIELDS.md`):
//! each source is run against a tiny HTTP/1.1 server on the loopback interface that answers with canned
//! responses in the real AWS wire format of its service (awsJson 1.1 with epoch-second timestamps for
//! DMS, DAX, FSx and CloudTrail; restJson with RFC 3339 timestamps for MSK; awsQuery XML for ElastiCache,
//! Elastic Beanstalk and RDS; ec2Query XML for EC2). The answers under `canned/` follow the AWS API reference
//! examples, with element names checked against the SDK's deserializers. The calls of `cleanup` that moto
//! lacks (CloudTrail `LookupEvents`, `DescribeSecurityGroupReferences`) and the answers it cannot give
//! (`DependencyViolation`, a page that fails half-way) are tested here the same way.
//!
//! The error tests check that a failed call is never swallowed: `collect` must return `Err` with the
//! error code and the IAM action, because the conservative verdict relies on knowing what was not seen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
// The SDK's own re-export: the tests need no dependency beyond the crate's normal ones.
use aws_sdk_sts::config::Credentials;
use sgaudit_collect::cleanup::{self, CreationTimes};
use sgaudit_collect::sources::{
    dax_clusters, dms_replication_instances, elasticache_clusters, elasticbeanstalk_environments, fsx_file_systems,
    msk_clusters, msk_vpc_connections, peered_references, rds_clusters, rds_instances, spot_requests,
};
use sgaudit_collect::{Connected, Ctx, Found, SourceDef};
use sgaudit_snapshot::{ResourceKind, SourceError, Target, Via};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

// ---------------------------------------------------------------------------------------------------------
// The canned server
// ---------------------------------------------------------------------------------------------------------

/// Connections one server accepts before it stops listening (each test needs far fewer).
const MAX_REQUESTS: usize = 16;
/// Longest request head accepted.
const MAX_HEAD: usize = 64 * 1024;

const SCP_DENY_TAIL: &str = "with an explicit deny in a service control policy";

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    /// Path and query, as on the request line.
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// A parameter of the query string.
    fn query(&self, key: &str) -> Option<String> {
        self.target.split_once('?').and_then(|(_, query)| form_value(query, key))
    }

    /// A parameter of a form-encoded body (awsQuery, ec2Query).
    fn form(&self, key: &str) -> Option<String> {
        form_value(&self.body, key)
    }

    /// The operation, as each protocol names it: `X-Amz-Target` (awsJson), `Action=` (query
    /// protocols), else the method and path (restJson).
    fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or_default().to_string();
        }
        if let Some(action) = self.form("Action") {
            return action;
        }
        format!("{} {}", self.method, self.path())
    }
}

fn form_value(encoded: &str, key: &str) -> Option<String> {
    encoded.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == key).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (byte, _) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A canned answer.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Reply {
    fn aws_json(body: &str) -> Self {
        Self { status: 200, content_type: "application/x-amz-json-1.1", headers: Vec::new(), body: body.to_string() }
    }

    fn rest_json(body: &str) -> Self {
        Self { status: 200, content_type: "application/json", headers: Vec::new(), body: body.to_string() }
    }

    fn xml(body: &str) -> Self {
        Self { status: 200, content_type: "text/xml", headers: Vec::new(), body: body.to_string() }
    }

    fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    /// What the server answers to a request the test did not expect: the test then fails on the `Err`.
    fn unexpected(request: &Request) -> Self {
        Self {
            status: 501,
            content_type: "text/plain",
            headers: Vec::new(),
            body: format!("canned server: no answer for {}", request.operation()),
        }
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A loopback HTTP/1.1 server that answers every request with `Connection: close`, serves at most
/// [`MAX_REQUESTS`] connections and stops when dropped.
struct Server {
    url: String,
    log: Arc<Mutex<Vec<Request>>>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept(listener, Arc::new(handler), Arc::clone(&log)));
        Self { url, log, task }
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    fn operations(&self) -> Vec<String> {
        self.requests().iter().map(Request::operation).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts any connection still open.
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, handler: Handler, log: Arc<Mutex<Vec<Request>>>) {
    let mut connections = JoinSet::new();
    for _ in 0..MAX_REQUESTS {
        let Ok((stream, peer)) = listener.accept().await else {
            break;
        };
        if !peer.ip().is_loopback() {
            continue;
        }
        connections.spawn(serve(stream, Arc::clone(&handler), Arc::clone(&log)));
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

async fn serve(mut stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Request>>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let reply = handler(&request);
    log.lock().unwrap().push(request);
    let reason = match reply.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\
         x-amzn-RequestId: 7e2b7c5a-0000-4000-8000-canned000000\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(reply.body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads the request head and its `Content-Length` body.
async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Request { method, target, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

// ---------------------------------------------------------------------------------------------------------
// Running a source against it
// ---------------------------------------------------------------------------------------------------------

async fn sdk_config(server: &Server, max_attempts: u32) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&server.url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "canned"))
        .retry_config(RetryConfig::standard().with_max_attempts(max_attempts))
        .timeout_config(TimeoutConfig::builder().operation_timeout(Duration::from_secs(30)).build())
        .load()
        .await
}

async fn context(server: &Server, max_attempts: u32) -> Ctx {
    Ctx::new(sdk_config(server, max_attempts).await, ACCOUNT.to_string(), REGION.to_string())
}

/// The one account of the canned server, as the cleanup and restore calls reach it.
async fn connected(server: &Server, max_attempts: u32) -> Connected {
    Connected::for_tests(sdk_config(server, max_attempts).await, ACCOUNT, vec![REGION.to_string()])
}

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

async fn run(source: &SourceDef, server: &Server, max_attempts: u32) -> (Found, Result<(), SourceError>) {
    let ctx = context(server, max_attempts).await;
    let mut found = Found::new(source.id);
    let result = (source.collect)(&ctx, &mut found).await;
    (found, result)
}

/// Runs a source that must succeed.
async fn collect_ok(source: &SourceDef, server: &Server) -> Found {
    let (found, result) = run(source, server, 1).await;
    if let Err(error) = result {
        panic!("{} failed: {error:?}\nrequests: {:?}", source.id, server.requests());
    }
    for attachment in &found.attachments {
        assert_eq!(attachment.source, source.id);
        assert_eq!(attachment.via, Via::Config);
        assert!(source.kinds.contains(&attachment.kind), "{:?} is not declared by {}", attachment.kind, source.id);
    }
    found
}

/// Runs a source that must fail.
async fn collect_err(source: &SourceDef, server: &Server, max_attempts: u32) -> (Found, SourceError) {
    let (found, result) = run(source, server, max_attempts).await;
    match result {
        Ok(()) => panic!("{} swallowed a failure; found {:?}", source.id, found.attachments),
        Err(error) => (found, error),
    }
}

/// What the attachments say, sorted: kind, resource, what it names, detail.
fn seen(found: &Found) -> Vec<(ResourceKind, String, Target, Option<String>)> {
    let mut out: Vec<_> =
        found.attachments.iter().map(|a| (a.kind, a.resource_id.clone(), a.target.clone(), a.detail.clone())).collect();
    out.sort();
    out
}

fn group(kind: ResourceKind, resource: &str, id: &str) -> (ResourceKind, String, Target, Option<String>) {
    (kind, resource.to_string(), Target::Group(id.to_string()), None)
}

fn group_detail(
    kind: ResourceKind,
    resource: &str,
    detail: &str,
    id: &str,
) -> (ResourceKind, String, Target, Option<String>) {
    (kind, resource.to_string(), Target::Group(id.to_string()), Some(detail.to_string()))
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

fn aws_query_error(namespace: &str, status: u16, code: &str, message: &str) -> Reply {
    Reply::xml(&format!(
        "<ErrorResponse xmlns=\"{namespace}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{code}</Code>\n    \
         <Message>{message}</Message>\n  </Error>\n  <RequestId>a3c2b1d0-9e8f-4a7b-8c6d-5e4f3a2b1c0d</RequestId>\n\
         </ErrorResponse>\n"
    ))
    .with_status(status)
}

// ---------------------------------------------------------------------------------------------------------
// MSK (restJson, RFC 3339 timestamps)
// ---------------------------------------------------------------------------------------------------------

const MSK_PAGE_1: &str = include_str!("canned/msk_list_clusters_v2_page1.json");
const MSK_PAGE_2: &str = include_str!("canned/msk_list_clusters_v2_page2.json");
const MSK_PAGE_1_TOKEN: &str = "AAEAAVuFMaq7kPVPmRR8nxZ7dATC2H0tm1jBpZWRmpW9iITr";

#[tokio::test]
async fn msk_provisioned_and_serverless_clusters_over_two_pages() {
    let server = Server::start(|request| match (request.operation().as_str(), request.query("nextToken")) {
        ("GET /api/v2/clusters", None) => Reply::rest_json(MSK_PAGE_1),
        ("GET /api/v2/clusters", Some(token)) if token == MSK_PAGE_1_TOKEN => Reply::rest_json(MSK_PAGE_2),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&msk_clusters::SOURCE, &server).await;

    let provisioned = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-msk/5bf9a4fa-4a4c-4d8e-9a8b-2c0f0e8e6a21-3";
    let serverless =
        "arn:aws:kafka:us-east-1:123456789012:cluster/events-serverless/9c1f3d2e-7a55-4c1e-b6a3-1f2e3d4c5b6a-s2";
    let kind = ResourceKind::MskCluster;
    assert_eq!(
        seen(&found),
        sorted(vec![
            group(kind, provisioned, "sg-0msk000000000001a"),
            group(kind, provisioned, "sg-0msk000000000001b"),
            group_detail(kind, serverless, "serverless", "sg-0msk00000000000s1"),
            group_detail(kind, serverless, "serverless", "sg-0msk00000000000s2"),
        ])
    );
    assert_eq!(found.items, 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].query("maxResults").as_deref(), Some("100"));
    assert_eq!(requests[1].query("nextToken").as_deref(), Some(MSK_PAGE_1_TOKEN));
}

/// The sources of one account-region share its service clients (one MSK client here), and each still counts
/// its own requests: what coverage says each source cost.
#[tokio::test]
async fn sources_sharing_a_client_count_their_own_requests() {
    let server = Server::start(|request| match (request.operation().as_str(), request.query("nextToken")) {
        ("GET /api/v2/clusters", None) => Reply::rest_json(MSK_PAGE_1),
        ("GET /api/v2/clusters", Some(token)) if token == MSK_PAGE_1_TOKEN => Reply::rest_json(MSK_PAGE_2),
        ("GET /v1/vpc-connections", None) => Reply::rest_json(r#"{"VpcConnections":[]}"#),
        _ => Reply::unexpected(request),
    })
    .await;
    let unit = context(&server, 1).await;
    let (clusters, connections) = (unit.for_another_source(), unit.for_another_source());
    let (mut found_clusters, mut found_connections) = (Found::new("a"), Found::new("b"));
    let (a, b) = tokio::join!(
        clusters.counting((msk_clusters::SOURCE.collect)(&clusters, &mut found_clusters)),
        connections.counting((msk_vpc_connections::SOURCE.collect)(&connections, &mut found_connections)),
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(server.requests().len(), 3, "{:?}", server.operations());
    assert_eq!((clusters.requests(), connections.requests()), (2, 1));
    assert_eq!(found_clusters.items, 2);
    // One client, made by whichever source asked first.
    let made = std::sync::atomic::AtomicU32::new(0);
    let make = |_: &Ctx, sdk: &SdkConfig| {
        made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        aws_sdk_kafka::Client::new(sdk)
    };
    let (_, _) = (clusters.client(make), connections.client(make));
    assert_eq!(made.into_inner(), 0, "both sources found the client their reading made");
    // Outside any source's reading, a request is counted nowhere.
    (msk_clusters::SOURCE.collect)(&clusters, &mut Found::new("a")).await.unwrap();
    assert_eq!(clusters.requests(), 2);
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn msk_access_denied_by_scp_is_an_error() {
    let message = format!(
        "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: kafka:ListClustersV2 on \
         resource: arn:aws:kafka:us-east-1:123456789012:/api/v2/clusters {SCP_DENY_TAIL}"
    );
    let body = format!("{{\"message\":\"{message}\"}}");
    let server = Server::start(move |request| match request.operation().as_str() {
        "GET /api/v2/clusters" => Reply::rest_json(&body).with_status(403).with_header(
            "x-amzn-ErrorType",
            "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/",
        ),
        _ => Reply::unexpected(request),
    })
    .await;
    let (found, error) = collect_err(&msk_clusters::SOURCE, &server, 1).await;
    assert_eq!(error.code, "AccessDeniedException");
    assert_eq!(error.action.as_deref(), Some("kafka:ListClustersV2"));
    assert!(error.scp_deny, "{error:?}");
    assert!(error.message.contains("kafka:ListClustersV2"), "{error:?}");
    assert!(found.attachments.is_empty());
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// DMS (awsJson 1.1, epoch-second timestamps)
// ---------------------------------------------------------------------------------------------------------

const DMS_INSTANCES: &str = include_str!("canned/dms_describe_replication_instances.json");

#[tokio::test]
async fn dms_replication_instances_name_their_vpc_groups() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeReplicationInstances" => Reply::aws_json(DMS_INSTANCES),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&dms_replication_instances::SOURCE, &server).await;

    let kind = ResourceKind::DmsReplicationInstance;
    let orders = "arn:aws:dms:us-east-1:123456789012:rep:6UTDJGBOUS3VI3SUWA66XFJCJQ";
    let legacy = "arn:aws:dms:us-east-1:123456789012:rep:LEGACY2QXXQ4SBZ2VTS7NHCY6E";
    assert_eq!(
        seen(&found),
        sorted(vec![
            group(kind, orders, "sg-0dms0000000000001"),
            group(kind, orders, "sg-0dms0000000000002"),
            group(kind, legacy, "sg-0dms0000000000003"),
        ])
    );
    assert_eq!(found.items, 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-amz-target"), Some("AmazonDMSv20160101.DescribeReplicationInstances"));
    assert_eq!(requests[0].header("content-type"), Some("application/x-amz-json-1.1"));
}

#[tokio::test]
async fn dms_throttling_after_retries_is_an_error() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeReplicationInstances" => Reply::aws_json(
            r#"{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}"#,
        )
        .with_status(400),
        _ => Reply::unexpected(request),
    })
    .await;
    let (found, error) = collect_err(&dms_replication_instances::SOURCE, &server, 2).await;
    assert_eq!(error.code, "ThrottlingException");
    assert_eq!(error.action.as_deref(), Some("dms:DescribeReplicationInstances"));
    assert_eq!(error.message, "Rate exceeded");
    assert!(!error.scp_deny);
    assert!(found.attachments.is_empty());
    // Throttling is retried, up to the configured attempts, and then reported.
    assert_eq!(server.operations(), ["DescribeReplicationInstances", "DescribeReplicationInstances"]);
}

// ---------------------------------------------------------------------------------------------------------
// DAX (awsJson 1.1)
// ---------------------------------------------------------------------------------------------------------

const DAX_PAGE_1: &str = include_str!("canned/dax_describe_clusters_page1.json");
const DAX_PAGE_2: &str = include_str!("canned/dax_describe_clusters_page2.json");
const DAX_PAGE_1_TOKEN: &str = "eyJuZXh0IjoiY2x1c3Rlci0yIn0=";

fn dax_next_token(request: &Request) -> Option<String> {
    let marker = "\"NextToken\":\"";
    let start = request.body.find(marker)? + marker.len();
    let end = request.body[start..].find('"')?;
    Some(request.body[start..start + end].to_string())
}

#[tokio::test]
async fn dax_clusters_followed_over_two_pages() {
    let server = Server::start(|request| match (request.operation().as_str(), dax_next_token(request)) {
        ("DescribeClusters", None) => Reply::aws_json(DAX_PAGE_1),
        ("DescribeClusters", Some(token)) if token == DAX_PAGE_1_TOKEN => Reply::aws_json(DAX_PAGE_2),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&dax_clusters::SOURCE, &server).await;

    let kind = ResourceKind::DaxCluster;
    let session = "arn:aws:dax:us-east-1:123456789012:cache/session-cache";
    let catalog = "arn:aws:dax:us-east-1:123456789012:cache/catalog-cache";
    assert_eq!(
        seen(&found),
        sorted(vec![
            group(kind, session, "sg-0dax0000000000001"),
            group(kind, session, "sg-0dax0000000000002"),
            group(kind, catalog, "sg-0dax0000000000003"),
        ])
    );
    assert_eq!(found.items, 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("x-amz-target"), Some("AmazonDAXV3.DescribeClusters"));
    assert_eq!(dax_next_token(&requests[1]).as_deref(), Some(DAX_PAGE_1_TOKEN));
}

#[tokio::test]
async fn dax_denied_on_the_second_page_is_an_error() {
    let server = Server::start(|request| match (request.operation().as_str(), dax_next_token(request)) {
        ("DescribeClusters", None) => Reply::aws_json(DAX_PAGE_1),
        ("DescribeClusters", Some(_)) => Reply::aws_json(&format!(
            "{{\"__type\":\"AccessDeniedException\",\"Message\":\"User: arn:aws:iam::123456789012:user/auditor is \
             not authorized to perform: dax:DescribeClusters on resource: \
             arn:aws:dax:us-east-1:123456789012:cache/* {SCP_DENY_TAIL}\"}}"
        ))
        .with_status(400),
        _ => Reply::unexpected(request),
    })
    .await;
    let (_found, error) = collect_err(&dax_clusters::SOURCE, &server, 1).await;
    assert_eq!(error.code, "AccessDeniedException");
    assert_eq!(error.action.as_deref(), Some("dax:DescribeClusters"));
    assert!(error.scp_deny, "{error:?}");
    assert_eq!(server.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------------------
// Lists that do not end: a page answering with the token it was called with, a cycle, too many pages
// ---------------------------------------------------------------------------------------------------------

/// An MSK page (restJson) holding page 2's clusters and answering with `next` as its token.
fn msk_page(next: Option<&str>) -> Reply {
    let mut page: serde_json::Value = serde_json::from_str(MSK_PAGE_2).unwrap();
    match next {
        Some(token) => page["nextToken"] = token.into(),
        None => {
            page.as_object_mut().unwrap().remove("nextToken");
        }
    }
    Reply::rest_json(&page.to_string())
}

/// A DAX page (awsJson) holding page 2's clusters and answering with `next` as its token.
fn dax_page(next: &str) -> Reply {
    let mut page: serde_json::Value = serde_json::from_str(DAX_PAGE_2).unwrap();
    page["NextToken"] = next.into();
    Reply::aws_json(&page.to_string())
}

fn assert_truncated(error: &SourceError, action: &str, why: &str) {
    assert_eq!(error.code, "truncated", "{error:?}");
    assert_eq!(error.action.as_deref(), Some(action));
    assert!(error.message.contains(why), "`{why}` not in {error:?}");
}

#[tokio::test]
async fn a_page_answering_with_the_token_it_was_called_with_is_a_truncated_list() {
    // The SDK's paginator stops here without a word (stop_on_duplicate_token): the list must not pass as whole.
    let server = Server::start(|request| match (request.operation().as_str(), request.query("nextToken")) {
        ("GET /api/v2/clusters", None) => Reply::rest_json(MSK_PAGE_1),
        ("GET /api/v2/clusters", Some(token)) if token == MSK_PAGE_1_TOKEN => msk_page(Some(MSK_PAGE_1_TOKEN)),
        _ => Reply::unexpected(request),
    })
    .await;
    let (_found, error) = collect_err(&msk_clusters::SOURCE, &server, 1).await;
    assert_truncated(&error, "kafka:ListClustersV2", "page 2 answered with the token it was called with");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn pages_that_cycle_are_a_truncated_list() {
    // A → B → A: each page answers with a new token until the first comes back.
    let server = Server::start(|request| match (request.operation().as_str(), request.query("nextToken").as_deref()) {
        ("GET /api/v2/clusters", None) => msk_page(Some("A")),
        ("GET /api/v2/clusters", Some("A")) => msk_page(Some("B")),
        ("GET /api/v2/clusters", Some("B")) => msk_page(Some("A")),
        _ => Reply::unexpected(request),
    })
    .await;
    let (_found, error) = collect_err(&msk_clusters::SOURCE, &server, 1).await;
    assert_truncated(&error, "kafka:ListClustersV2", "page 3 answered with the token page 1 answered with");
    assert!(error.message.contains("cycle"), "{error:?}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn tokens_followed_by_hand_are_checked_the_same_way() {
    // DAX has no SDK paginator: its source follows the tokens itself.
    let server = Server::start(|request| match (request.operation().as_str(), dax_next_token(request)) {
        ("DescribeClusters", None) => Reply::aws_json(DAX_PAGE_1),
        ("DescribeClusters", Some(token)) => dax_page(&token),
        _ => Reply::unexpected(request),
    })
    .await;
    let (_found, error) = collect_err(&dax_clusters::SOURCE, &server, 1).await;
    assert_truncated(&error, "dax:DescribeClusters", "page 2 answered with the token it was called with");
    assert_eq!(server.requests().len(), 2);

    let server = Server::start(|request| match (request.operation().as_str(), dax_next_token(request).as_deref()) {
        ("DescribeClusters", None) => dax_page("A"),
        ("DescribeClusters", Some("A")) => dax_page("B"),
        ("DescribeClusters", Some("B")) => dax_page("A"),
        _ => Reply::unexpected(request),
    })
    .await;
    let (_found, error) = collect_err(&dax_clusters::SOURCE, &server, 1).await;
    assert_truncated(&error, "dax:DescribeClusters", "cycle");
}

#[tokio::test]
async fn a_list_past_the_page_limit_is_a_truncated_list() {
    // Every page points at a new one: the list would never end.
    let server = Server::start(|request| match (request.operation().as_str(), request.query("nextToken")) {
        ("GET /api/v2/clusters", None) => msk_page(Some("page-1")),
        ("GET /api/v2/clusters", Some(token)) => {
            let n: u32 = token.trim_start_matches("page-").parse().unwrap();
            msk_page(Some(&format!("page-{}", n + 1)))
        }
        _ => Reply::unexpected(request),
    })
    .await;
    let ctx = context(&server, 1).await.with_max_pages(5);
    let mut found = Found::new(msk_clusters::SOURCE.id);
    let error = (msk_clusters::SOURCE.collect)(&ctx, &mut found).await.expect_err("an endless list is an error");
    assert_truncated(&error, "kafka:ListClustersV2", "stopped after 5 pages");
    assert_eq!(server.requests().len(), 5);

    // A list of exactly as many pages as allowed is whole.
    let server = Server::start(|request| match (request.operation().as_str(), request.query("nextToken").as_deref()) {
        ("GET /api/v2/clusters", None) => msk_page(Some("A")),
        ("GET /api/v2/clusters", Some("A")) => msk_page(None),
        _ => Reply::unexpected(request),
    })
    .await;
    let ctx = context(&server, 1).await.with_max_pages(2);
    let mut found = Found::new(msk_clusters::SOURCE.id);
    (msk_clusters::SOURCE.collect)(&ctx, &mut found).await.unwrap();
    assert_eq!(found.items, 2, "the items of both pages");
}

// ---------------------------------------------------------------------------------------------------------
// FSx (awsJson 1.1): groups only through the file system's network interfaces
// ---------------------------------------------------------------------------------------------------------

const FSX_FILE_SYSTEMS: &str = include_str!("canned/fsx_describe_file_systems.json");

#[tokio::test]
async fn fsx_file_systems_hold_their_network_interfaces() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeFileSystems" => Reply::aws_json(FSX_FILE_SYSTEMS),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&fsx_file_systems::SOURCE, &server).await;

    let kind = ResourceKind::FsxFileSystem;
    let windows = "arn:aws:fsx:us-east-1:123456789012:file-system/fs-0498eed5fe91001ec";
    let lustre = "arn:aws:fsx:us-east-1:123456789012:file-system/fs-0lustre00000000002";
    let eni = |resource: &str, id: &str| (kind, resource.to_string(), Target::NetworkInterface(id.to_string()), None);
    assert_eq!(
        seen(&found),
        sorted(vec![
            eni(windows, "eni-0fsx000000000001a"),
            eni(windows, "eni-0fsx000000000001b"),
            eni(lustre, "eni-0fsx0000000000002"),
        ])
    );
    assert_eq!(found.items, 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-amz-target"), Some("AWSSimbaAPIService_v20180301.DescribeFileSystems"));
}

// ---------------------------------------------------------------------------------------------------------
// ElastiCache (awsQuery)
// ---------------------------------------------------------------------------------------------------------

const ELASTICACHE_CLUSTERS: &str = include_str!("canned/elasticache_describe_cache_clusters.xml");
const ELASTICACHE_NS: &str = "http://elasticache.amazonaws.com/doc/2015-02-02/";

#[tokio::test]
async fn elasticache_clusters_and_their_replication_group() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeCacheClusters" => Reply::xml(ELASTICACHE_CLUSTERS),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&elasticache_clusters::SOURCE, &server).await;

    let cluster = ResourceKind::ElasticacheCacheCluster;
    let replication_group = ResourceKind::ElasticacheReplicationGroup;
    let member_1 = "arn:aws:elasticache:us-east-1:123456789012:cluster:orders-redis-001";
    let member_2 = "arn:aws:elasticache:us-east-1:123456789012:cluster:orders-redis-002";
    let memcached = "arn:aws:elasticache:us-east-1:123456789012:cluster:sessions-memcached";
    // The deleted cluster (and so its replication group `retired-rg`) yields nothing.
    assert_eq!(
        seen(&found),
        sorted(vec![
            group(cluster, member_1, "sg-0ec00000000000001"),
            group(cluster, member_1, "sg-0ec00000000000002"),
            group(cluster, member_2, "sg-0ec00000000000001"),
            group(cluster, member_2, "sg-0ec00000000000002"),
            group(cluster, memcached, "sg-0ec00000000000003"),
            group(replication_group, "orders-redis", "sg-0ec00000000000001"),
            group(replication_group, "orders-redis", "sg-0ec00000000000002"),
        ])
    );
    assert_eq!(found.items, 4);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].form("Version").as_deref(), Some("2015-02-02"));
    assert_eq!(requests[0].form("MaxRecords").as_deref(), Some("100"));
}

#[tokio::test]
async fn elasticache_throttling_is_an_error() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeCacheClusters" => aws_query_error(ELASTICACHE_NS, 400, "Throttling", "Rate exceeded"),
        _ => Reply::unexpected(request),
    })
    .await;
    let (found, error) = collect_err(&elasticache_clusters::SOURCE, &server, 1).await;
    assert_eq!(error.code, "Throttling");
    assert_eq!(error.action.as_deref(), Some("elasticache:DescribeCacheClusters"));
    assert_eq!(error.message, "Rate exceeded");
    assert!(!error.scp_deny);
    assert!(found.attachments.is_empty());
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Elastic Beanstalk (awsQuery)
// ---------------------------------------------------------------------------------------------------------

const EB_ENVIRONMENTS: &str = include_str!("canned/elasticbeanstalk_describe_environments.xml");
const EB_SETTINGS: &str = include_str!("canned/elasticbeanstalk_describe_configuration_settings.xml");
const EB_NS: &str = "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/";

#[tokio::test]
async fn elasticbeanstalk_environment_option_settings_name_groups() {
    let server =
        Server::start(|request| match (request.operation().as_str(), request.form("EnvironmentName").as_deref()) {
            ("DescribeEnvironments", _) => Reply::xml(EB_ENVIRONMENTS),
            ("DescribeConfigurationSettings", Some("shop-prod")) => Reply::xml(EB_SETTINGS),
            _ => Reply::unexpected(request),
        })
        .await;
    let found = collect_ok(&elasticbeanstalk_environments::SOURCE, &server).await;

    let kind = ResourceKind::ElasticbeanstalkEnvironment;
    let env = "arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/shop/shop-prod";
    let instances = "aws:autoscaling:launchconfiguration SecurityGroups";
    let managed = "aws:elbv2:loadbalancer ManagedSecurityGroup";
    let balancer = "aws:elbv2:loadbalancer SecurityGroups";
    // The group named by name (awseb-…-AWSEBSecurityGroup-…) is kept as a name, matched when judging; the
    // terminated environment is neither described nor reported.
    let by_name = (
        kind,
        env.to_string(),
        Target::GroupName("awseb-e-rpqsewtp2j-stack-AWSEBSecurityGroup-1M4VZ0OTNQK2W".to_string()),
        Some(format!("{instances}; by name")),
    );
    assert_eq!(
        seen(&found),
        sorted(vec![
            by_name,
            group_detail(kind, env, instances, "sg-0eb00000000000001"),
            group_detail(kind, env, instances, "sg-0eb00000000000002"),
            group_detail(kind, env, managed, "sg-0eb00000000000003"),
            group_detail(kind, env, balancer, "sg-0eb00000000000003"),
            group_detail(kind, env, balancer, "sg-0eb00000000000004"),
        ])
    );
    assert_eq!(found.items, 2);
    let requests = server.requests();
    assert_eq!(server.operations(), ["DescribeEnvironments", "DescribeConfigurationSettings"]);
    assert_eq!(requests[0].form("IncludeDeleted").as_deref(), Some("false"));
    assert_eq!(requests[1].form("ApplicationName").as_deref(), Some("shop"));
    assert_eq!(requests[1].form("EnvironmentName").as_deref(), Some("shop-prod"));
}

#[tokio::test]
async fn elasticbeanstalk_settings_denied_by_scp_is_an_error() {
    let message = format!(
        "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: \
         elasticbeanstalk:DescribeConfigurationSettings on resource: \
         arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/shop/shop-prod {SCP_DENY_TAIL}"
    );
    let server = Server::start(move |request| match request.operation().as_str() {
        "DescribeEnvironments" => Reply::xml(EB_ENVIRONMENTS),
        "DescribeConfigurationSettings" => aws_query_error(EB_NS, 403, "AccessDenied", &message),
        _ => Reply::unexpected(request),
    })
    .await;
    let (found, error) = collect_err(&elasticbeanstalk_environments::SOURCE, &server, 1).await;
    assert_eq!(error.code, "AccessDenied");
    assert_eq!(error.action.as_deref(), Some("elasticbeanstalk:DescribeConfigurationSettings"));
    assert!(error.scp_deny, "{error:?}");
    assert!(found.attachments.is_empty());
    assert_eq!(server.operations(), ["DescribeEnvironments", "DescribeConfigurationSettings"]);
}

// ---------------------------------------------------------------------------------------------------------
// DocumentDB through the RDS API (awsQuery)
// ---------------------------------------------------------------------------------------------------------

const RDS_CLUSTERS: &str = include_str!("canned/rds_describe_db_clusters.xml");
const RDS_INSTANCES: &str = include_str!("canned/rds_describe_db_instances.xml");

#[tokio::test]
async fn docdb_cluster_is_told_apart_by_engine() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeDBClusters" => Reply::xml(RDS_CLUSTERS),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&rds_clusters::SOURCE, &server).await;

    assert_eq!(
        seen(&found),
        sorted(vec![
            group(
                ResourceKind::DocdbDbCluster,
                "arn:aws:rds:us-east-1:123456789012:cluster:sample-docdb-cluster",
                "sg-0d0c0000000000001"
            ),
            group(
                ResourceKind::DocdbDbCluster,
                "arn:aws:rds:us-east-1:123456789012:cluster:sample-docdb-cluster",
                "sg-0d0c0000000000002"
            ),
            group(
                ResourceKind::NeptuneDbCluster,
                "arn:aws:rds:us-east-1:123456789012:cluster:graph-cluster",
                "sg-0ne00000000000001"
            ),
            group(
                ResourceKind::RdsDbCluster,
                "arn:aws:rds:us-east-1:123456789012:cluster:orders-aurora",
                "sg-0au00000000000001"
            ),
        ])
    );
    assert_eq!(found.items, 3);
    assert_eq!(server.operations(), ["DescribeDBClusters"]);
    // No engine filter: one call answers for RDS, Neptune and DocumentDB.
    assert!(!server.requests()[0].body.contains("Filters"), "{}", server.requests()[0].body);
}

#[tokio::test]
async fn docdb_instance_is_told_apart_by_engine() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeDBInstances" => Reply::xml(RDS_INSTANCES),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&rds_instances::SOURCE, &server).await;

    assert_eq!(
        seen(&found),
        sorted(vec![
            group(
                ResourceKind::DocdbDbInstance,
                "arn:aws:rds:us-east-1:123456789012:db:sample-docdb-instance",
                "sg-0d0c0000000000001"
            ),
            group(
                ResourceKind::RdsDbInstance,
                "arn:aws:rds:us-east-1:123456789012:db:orders-postgres",
                "sg-0pg00000000000001"
            ),
        ])
    );
    assert_eq!(found.items, 2);
    assert_eq!(server.operations(), ["DescribeDBInstances"]);
}

// ---------------------------------------------------------------------------------------------------------
// EC2 Spot requests (ec2Query)
// ---------------------------------------------------------------------------------------------------------

const SPOT_FLEETS: &str = include_str!("canned/ec2_describe_spot_fleet_requests.xml");
const SPOT_INSTANCE_REQUESTS: &str = include_str!("canned/ec2_describe_spot_instance_requests.xml");

#[tokio::test]
async fn spot_requests_that_can_still_launch_name_their_groups() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeSpotFleetRequests" => Reply::xml(SPOT_FLEETS),
        "DescribeSpotInstanceRequests" => Reply::xml(SPOT_INSTANCE_REQUESTS),
        _ => Reply::unexpected(request),
    })
    .await;
    let found = collect_ok(&spot_requests::SOURCE, &server).await;

    let fleet = ResourceKind::SpotFleetRequest;
    let single = ResourceKind::SpotInstanceRequest;
    let fleet_id = "sfr-123f8fc2-cb31-425e-abcd-example2710";
    // The cancelled fleet and the closed and cancelled requests yield nothing; the disabled (stopped,
    // persistent) request can launch again and is kept. Groups from launch specifications and from their
    // network interfaces are merged without duplicates.
    assert_eq!(
        seen(&found),
        sorted(vec![
            group_detail(fleet, fleet_id, "active", "sg-0sf00000000000001"),
            group_detail(fleet, fleet_id, "active", "sg-0sf00000000000002"),
            group_detail(single, "sir-08b93456", "open", "sg-0si00000000000001"),
            group_detail(single, "sir-08b93456", "open", "sg-0si00000000000002"),
            group_detail(single, "sir-1a2b3c4d", "active", "sg-0si00000000000003"),
            group_detail(single, "sir-5e6f7a8b", "disabled", "sg-0si00000000000004"),
        ])
    );
    assert_eq!(found.items, 7);
    let requests = server.requests();
    assert_eq!(server.operations(), ["DescribeSpotFleetRequests", "DescribeSpotInstanceRequests"]);
    assert_eq!(requests[0].form("Version").as_deref(), Some("2016-11-15"));
}

#[tokio::test]
async fn spot_requests_denied_by_scp_is_an_error() {
    let message = format!(
        "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/auditor is not \
         authorized to perform: ec2:DescribeSpotInstanceRequests {SCP_DENY_TAIL}"
    );
    let denied = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code>\
         <Message>{message}</Message></Error></Errors><RequestID>0b4f2a3c-1d5e-4f6a-8b7c-9d0e1f2a3b4c</RequestID>\
         </Response>"
    );
    let server = Server::start(move |request| match request.operation().as_str() {
        "DescribeSpotFleetRequests" => Reply::xml(SPOT_FLEETS),
        "DescribeSpotInstanceRequests" => Reply::xml(&denied).with_status(403),
        _ => Reply::unexpected(request),
    })
    .await;
    let (_found, error) = collect_err(&spot_requests::SOURCE, &server, 1).await;
    assert_eq!(error.code, "UnauthorizedOperation");
    assert_eq!(error.action.as_deref(), Some("ec2:DescribeSpotInstanceRequests"));
    assert!(error.scp_deny, "{error:?}");
    assert_eq!(server.operations(), ["DescribeSpotFleetRequests", "DescribeSpotInstanceRequests"]);
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: CloudTrail LookupEvents (awsJson 1.1, epoch-second timestamps)
// ---------------------------------------------------------------------------------------------------------

const LOOKUP_PAGE_1: &str = include_str!("canned/cloudtrail_lookup_events_page1.json");
const LOOKUP_PAGE_2: &str = include_str!("canned/cloudtrail_lookup_events_page2.json");
const LOOKUP_PAGE_1_TOKEN: &str = "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4=";
/// What the SDK sends (the service model names the operation without the `com.amazonaws…` namespace).
const LOOKUP_TARGET: &str = "CloudTrail_20131101.LookupEvents";
/// 2024-03-09T16:00:00Z: the start of the window the tests ask for.
const SINCE: i64 = 1_710_000_000;

#[tokio::test]
async fn creation_times_read_every_page_of_create_events() {
    let server = Server::start(|request| match (request.operation().as_str(), dax_next_token(request)) {
        ("LookupEvents", None) => Reply::aws_json(LOOKUP_PAGE_1),
        ("LookupEvents", Some(token)) if token == LOOKUP_PAGE_1_TOKEN => Reply::aws_json(LOOKUP_PAGE_2),
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let times = cleanup::creation_times(&connected, ACCOUNT, REGION, SINCE).await;
    let times = times.unwrap_or_else(|e| panic!("{e:?}\nrequests: {:?}", server.requests()));

    // The first group's id is read from the event record, the second's from the event's resources (its
    // record has no `groupId`); the failed create (InvalidGroup.Duplicate) created nothing.
    let expected = CreationTimes {
        since: SINCE,
        created: [
            ("sg-0ct00000000000001".to_string(), 1_714_564_800),
            ("sg-0ct00000000000002".to_string(), 1_715_000_000),
        ]
        .into(),
    };
    assert_eq!(times, expected);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0].header("x-amz-target"), Some(LOOKUP_TARGET));
    let first: serde_json::Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(
        first["LookupAttributes"],
        serde_json::json!([{"AttributeKey": "EventName", "AttributeValue": "CreateSecurityGroup"}])
    );
    assert_eq!(first["StartTime"].as_f64(), Some(SINCE as f64));
    assert_eq!(first.get("NextToken"), None);
    assert_eq!(dax_next_token(&requests[1]).as_deref(), Some(LOOKUP_PAGE_1_TOKEN));
}

#[tokio::test]
async fn creation_times_denied_is_an_error() {
    let server = Server::start(|request| match request.operation().as_str() {
        "LookupEvents" => Reply::aws_json(
            r#"{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action"}"#,
        )
        .with_status(400),
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let error = cleanup::creation_times(&connected, ACCOUNT, REGION, SINCE).await.unwrap_err();
    assert_eq!(error.code, "AccessDeniedException");
    assert_eq!(error.action.as_deref(), Some("cloudtrail:LookupEvents"));
    assert!(sgaudit_collect::source::is_denied(&error), "{error:?}");
    assert!(!error.scp_deny);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn creation_times_failing_on_the_second_page_is_an_error_not_half_an_answer() {
    let server = Server::start(|request| match (request.operation().as_str(), dax_next_token(request)) {
        ("LookupEvents", None) => Reply::aws_json(LOOKUP_PAGE_1),
        ("LookupEvents", Some(_)) => {
            Reply::aws_json(r#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#).with_status(400)
        }
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let error = cleanup::creation_times(&connected, ACCOUNT, REGION, SINCE).await.unwrap_err();
    assert_eq!(error.code, "ThrottlingException");
    assert_eq!(error.action.as_deref(), Some("cloudtrail:LookupEvents"));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_account_without_a_session_is_not_reached() {
    let server = Server::start(Reply::unexpected).await;
    let connected = connected(&server, 1).await;
    let error = cleanup::creation_times(&connected, "999999999999", REGION, SINCE).await.unwrap_err();
    assert_eq!(error.code, "not-reached");
    let error = cleanup::delete(&connected, "999999999999", REGION, "sg-1", false).await.unwrap_err();
    assert_eq!(error.code, "not-reached");
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: what other networks can see (ec2Query)
// ---------------------------------------------------------------------------------------------------------

const SG_REFERENCES: &str = include_str!("canned/ec2_describe_security_group_references.xml");
const PEERINGS: &str = include_str!("canned/ec2_describe_vpc_peering_connections.xml");
const TGW_ATTACHMENTS_1: &str = include_str!("canned/ec2_describe_transit_gateway_attachments_page1.xml");
const TGW_ATTACHMENTS_2: &str = include_str!("canned/ec2_describe_transit_gateway_attachments_page2.xml");
const TGW_PAGE_1_TOKEN: &str = "eyJ2IjoyLCJjIjoiYXR0YWNobWVudHMifQ==";
const EC2_EMPTY_REFERENCES: &str =
    "<DescribeSecurityGroupReferencesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
     <requestId>5d0e3c4b-1a2b-4c3d-8e9f-0a1b2c3d4e5f</requestId><securityGroupReferenceSet/>\
     </DescribeSecurityGroupReferencesResponse>";

fn ec2_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::xml(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}\
         </Message></Error></Errors><RequestID>0b4f2a3c-1d5e-4f6a-8b7c-9d0e1f2a3b4c</RequestID></Response>"
    ))
    .with_status(status)
}

#[tokio::test]
async fn references_from_other_vpcs_in_chunks_of_100() {
    let ids: Vec<String> = (1..=150).map(|n| format!("sg-0ref{n:015}")).collect();
    let server = Server::start(|request| match (request.operation().as_str(), request.form("GroupId.1").as_deref()) {
        ("DescribeSecurityGroupReferences", Some("sg-0ref000000000000001")) => Reply::xml(SG_REFERENCES),
        ("DescribeSecurityGroupReferences", Some(_)) => Reply::xml(EC2_EMPTY_REFERENCES),
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let references = cleanup::references_from_other_vpcs(&connected, ACCOUNT, REGION, &ids).await;
    let references = references.unwrap_or_else(|e| panic!("{e:?}\nrequests: {:?}", server.requests()));

    // One group is referenced from two VPCs (the repeated reference counts once); the rest are absent.
    let expected: std::collections::HashMap<String, Vec<String>> = [(
        "sg-0ref0000000000001".to_string(),
        vec!["vpc-0peer00000000009".to_string(), "vpc-0tgw00000000008".to_string()],
    )]
    .into();
    assert_eq!(references, expected);
    let requests = server.requests();
    assert_eq!(server.operations(), ["DescribeSecurityGroupReferences", "DescribeSecurityGroupReferences"]);
    let first = requests.iter().find(|r| r.form("GroupId.1").as_deref() == Some(ids[0].as_str())).unwrap();
    assert_eq!(first.form("GroupId.100").as_deref(), Some(ids[99].as_str()));
    assert_eq!(first.form("GroupId.101"), None);
    let second = requests.iter().find(|r| r.form("GroupId.1").as_deref() == Some(ids[100].as_str())).unwrap();
    assert_eq!(second.form("GroupId.50").as_deref(), Some(ids[149].as_str()));
    assert_eq!(second.form("GroupId.51"), None);
}

#[tokio::test]
async fn references_that_cannot_be_read_are_an_error() {
    // moto answers this call with a body the SDK cannot read: that must not pass for "no references".
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeSecurityGroupReferences" => Reply::xml("<html><body>Not implemented</body></html>"),
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let ids = ["sg-0ref0000000000001".to_string()];
    let error = cleanup::references_from_other_vpcs(&connected, ACCOUNT, REGION, &ids).await.unwrap_err();
    assert_eq!(error.action.as_deref(), Some("ec2:DescribeSecurityGroupReferences"));
    assert!(!error.code.is_empty(), "{error:?}");
}

#[tokio::test]
async fn connected_vpcs_are_active_peerings_and_available_vpc_attachments() {
    let server = Server::start(|request| match (request.operation().as_str(), request.form("NextToken").as_deref()) {
        ("DescribeVpcPeeringConnections", None) => Reply::xml(PEERINGS),
        ("DescribeTransitGatewayAttachments", None) => Reply::xml(TGW_ATTACHMENTS_1),
        ("DescribeTransitGatewayAttachments", Some(TGW_PAGE_1_TOKEN)) => Reply::xml(TGW_ATTACHMENTS_2),
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let vpcs = cleanup::connected_vpcs(&connected, ACCOUNT, REGION).await;
    let vpcs = vpcs.unwrap_or_else(|e| panic!("{e:?}\nrequests: {:?}", server.requests()));

    // Not the peering pending acceptance, the attachment being deleted, nor the VPN attachment.
    let expected: std::collections::BTreeSet<String> =
        ["vpc-0accepter0000001", "vpc-0attached00000001", "vpc-0requester000001", "vpc-0shared000000003"]
            .into_iter()
            .map(str::to_string)
            .collect();
    assert_eq!(vpcs, expected);
    let requests = server.requests();
    assert_eq!(
        server.operations(),
        ["DescribeVpcPeeringConnections", "DescribeTransitGatewayAttachments", "DescribeTransitGatewayAttachments"]
    );
    assert_eq!(requests[0].form("Filter.1.Name").as_deref(), Some("status-code"));
    assert_eq!(requests[0].form("Filter.1.Value.1").as_deref(), Some("active"));
    assert_eq!(requests[1].form("Filter.1.Name").as_deref(), Some("resource-type"));
    assert_eq!(requests[1].form("Filter.1.Value.1").as_deref(), Some("vpc"));
}

// ---------------------------------------------------------------------------------------------------------
// The evidence across boundaries: rules in peered or attached VPCs (ec2Query)
// ---------------------------------------------------------------------------------------------------------

const GROUPS_IN_CONNECTED_VPCS: &str = include_str!("canned/ec2_describe_security_groups_connected_vpcs.xml");
const REFERENCES_TO_CONNECTED_VPCS: &str =
    include_str!("canned/ec2_describe_security_group_references_connected_vpcs.xml");
const EC2_NO_PEERINGS: &str =
    "<DescribeVpcPeeringConnectionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
     <requestId>1a2b3c4d-0000-4000-8000-000000000001</requestId><vpcPeeringConnectionSet/>\
     </DescribeVpcPeeringConnectionsResponse>";
const EC2_NO_TGW_ATTACHMENTS: &str =
    "<DescribeTransitGatewayAttachmentsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
     <requestId>1a2b3c4d-0000-4000-8000-000000000002</requestId><transitGatewayAttachments/>\
     </DescribeTransitGatewayAttachmentsResponse>";

/// The canned answers of a region with one active peering and two available VPC attachments (one of them of
/// another account), whose references call answers with `references`.
fn connected_region(references: Reply) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |request| match (request.operation().as_str(), request.form("NextToken").as_deref()) {
        ("DescribeVpcPeeringConnections", None) => Reply::xml(PEERINGS),
        ("DescribeTransitGatewayAttachments", None) => Reply::xml(TGW_ATTACHMENTS_1),
        ("DescribeTransitGatewayAttachments", Some(TGW_PAGE_1_TOKEN)) => Reply::xml(TGW_ATTACHMENTS_2),
        ("DescribeSecurityGroups", None) => Reply::xml(GROUPS_IN_CONNECTED_VPCS),
        ("DescribeSecurityGroupReferences", None) => references.clone(),
        _ => Reply::unexpected(request),
    }
}

#[tokio::test]
async fn references_from_other_vpcs_are_evidence_of_use() {
    let server = Server::start(connected_region(Reply::xml(REFERENCES_TO_CONNECTED_VPCS))).await;
    let source = &peered_references::SOURCE;
    let (found, result) = run(source, &server, 1).await;
    result.unwrap_or_else(|e| panic!("{e:?}\nrequests: {:?}", server.requests()));

    // The repeated reference counts once; the group no other VPC names has no attachment; the account of the
    // referencing VPC is named where the peering or the attachment tells it.
    let kind = ResourceKind::PeeredVpcReference;
    assert_eq!(
        seen(&found),
        sorted(vec![
            group_detail(
                kind,
                "vpc-0accepter0000001",
                "referenced by a rule in vpc-0accepter0000001 of account 444455556666 through pcx-0b1c2d3e4f5a6b7c8",
                "sg-0peer00000000001a",
            ),
            group_detail(
                kind,
                "vpc-0faraway00000004",
                "referenced by a rule in vpc-0faraway00000004 through tgw-0a1b2c3d4e5f6a7b8",
                "sg-0peer00000000001b",
            ),
            group_detail(
                kind,
                "vpc-0shared000000003",
                "referenced by a rule in vpc-0shared000000003 of account 210987654321 through tgw-0a1b2c3d4e5f6a7b8",
                "sg-0peer00000000001b",
            ),
        ])
    );
    for attachment in &found.attachments {
        assert_eq!((attachment.via, attachment.source.as_str()), (Via::Rule, source.id));
    }
    assert_eq!(found.items, 3, "the groups of the connected VPCs");

    // The groups of just the connected VPCs (one filtered list), then one references call for all of them.
    assert_eq!(
        server.operations(),
        [
            "DescribeVpcPeeringConnections",
            "DescribeTransitGatewayAttachments",
            "DescribeTransitGatewayAttachments",
            "DescribeSecurityGroups",
            "DescribeSecurityGroupReferences",
        ]
    );
    let requests = server.requests();
    assert_eq!(requests[3].form("Filter.1.Name").as_deref(), Some("vpc-id"));
    let vpcs: Vec<String> = (1..=5).filter_map(|n| requests[3].form(&format!("Filter.1.Value.{n}"))).collect();
    assert_eq!(vpcs, ["vpc-0accepter0000001", "vpc-0attached00000001", "vpc-0requester000001", "vpc-0shared000000003"]);
    let ids: Vec<String> = (1..=4).filter_map(|n| requests[4].form(&format!("GroupId.{n}"))).collect();
    assert_eq!(ids, ["sg-0peer00000000001a", "sg-0peer00000000001b", "sg-0peer00000000001c"]);
}

#[tokio::test]
async fn no_connected_vpc_means_no_references_call() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DescribeVpcPeeringConnections" => Reply::xml(EC2_NO_PEERINGS),
        "DescribeTransitGatewayAttachments" => Reply::xml(EC2_NO_TGW_ATTACHMENTS),
        _ => Reply::unexpected(request),
    })
    .await;
    let (found, result) = run(&peered_references::SOURCE, &server, 1).await;
    result.unwrap_or_else(|e| panic!("{e:?}\nrequests: {:?}", server.requests()));
    assert!(found.attachments.is_empty(), "{:?}", found.attachments);
    assert_eq!(server.operations(), ["DescribeVpcPeeringConnections", "DescribeTransitGatewayAttachments"]);
}

#[tokio::test]
async fn references_that_cannot_be_read_fail_the_source() {
    let denied = ec2_error(403, "UnauthorizedOperation", "You are not authorized to perform this operation.");
    let server = Server::start(connected_region(denied)).await;
    let (found, error) = collect_err(&peered_references::SOURCE, &server, 1).await;
    assert_eq!(error.code, "UnauthorizedOperation");
    assert_eq!(error.action.as_deref(), Some("ec2:DescribeSecurityGroupReferences"));
    assert!(found.attachments.is_empty(), "{:?}", found.attachments);
    assert_eq!(server.operations().last().map(String::as_str), Some("DescribeSecurityGroupReferences"));
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: the changes (ec2Query)
// ---------------------------------------------------------------------------------------------------------

const DRY_RUN_OK: &str = "Request would have succeeded, but DryRun flag is set.";

#[tokio::test]
async fn a_dry_run_delete_that_would_succeed_is_ok() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DeleteSecurityGroup" => ec2_error(412, "DryRunOperation", DRY_RUN_OK),
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    cleanup::delete(&connected, ACCOUNT, REGION, "sg-0del0000000000001", true).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].form("GroupId").as_deref(), Some("sg-0del0000000000001"));
    assert_eq!(requests[0].form("DryRun").as_deref(), Some("true"));
}

#[tokio::test]
async fn a_dry_run_is_no_way_around_a_refusal() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DeleteSecurityGroup" => {
            ec2_error(403, "UnauthorizedOperation", "You are not authorized to perform this operation.")
        }
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let error = cleanup::delete(&connected, ACCOUNT, REGION, "sg-0del0000000000001", true).await.unwrap_err();
    assert_eq!(error.code, "UnauthorizedOperation");
    assert_eq!(error.action.as_deref(), Some("ec2:DeleteSecurityGroup"));
}

#[tokio::test]
async fn a_group_still_in_use_is_a_dependency_violation() {
    let server = Server::start(|request| match request.operation().as_str() {
        "DeleteSecurityGroup" => {
            ec2_error(400, "DependencyViolation", "resource sg-0del0000000000001 has a dependent object")
        }
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let error = cleanup::delete(&connected, ACCOUNT, REGION, "sg-0del0000000000001", false).await.unwrap_err();
    assert_eq!(error.code, "DependencyViolation");
    assert_eq!(error.action.as_deref(), Some("ec2:DeleteSecurityGroup"));
    assert_eq!(error.message, "resource sg-0del0000000000001 has a dependent object");
    assert_ne!(server.requests()[0].form("DryRun").as_deref(), Some("true"));
}

#[tokio::test]
async fn revoke_sends_exactly_the_rules_given() {
    let server = Server::start(|request| match request.operation().as_str() {
        "RevokeSecurityGroupIngress" => Reply::xml(
            "<RevokeSecurityGroupIngressResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
             <requestId>8b2c0f1e-3d4a-4b5c-9d6e-7f8a9b0c1d2e</requestId><return>true</return>\
             </RevokeSecurityGroupIngressResponse>",
        ),
        _ => Reply::unexpected(request),
    })
    .await;
    let connected = connected(&server, 1).await;
    let rule = sgaudit_snapshot::Rule {
        protocol: "tcp".to_string(),
        from_port: Some(5432),
        to_port: Some(5432),
        ipv4_ranges: vec![sgaudit_snapshot::Peer {
            id: "10.0.0.0/16".to_string(),
            description: Some("vpc".to_string()),
        }],
        ipv6_ranges: Vec::new(),
        prefix_lists: Vec::new(),
        groups: vec![sgaudit_snapshot::GroupPeer {
            group_id: "sg-0doomed000000001".to_string(),
            user_id: Some(ACCOUNT.to_string()),
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        }],
    };
    // No egress rules: no egress call.
    cleanup::revoke(&connected, ACCOUNT, REGION, "sg-0db00000000000001", &[rule], &[], false).await.unwrap();
    let requests = server.requests();
    assert_eq!(server.operations(), ["RevokeSecurityGroupIngress"]);
    let form = |key: &str| requests[0].form(key);
    assert_eq!(form("GroupId").as_deref(), Some("sg-0db00000000000001"));
    assert_eq!(form("IpPermissions.1.IpProtocol").as_deref(), Some("tcp"));
    assert_eq!(form("IpPermissions.1.FromPort").as_deref(), Some("5432"));
    assert_eq!(form("IpPermissions.1.ToPort").as_deref(), Some("5432"));
    assert_eq!(form("IpPermissions.1.IpRanges.1.CidrIp").as_deref(), Some("10.0.0.0/16"));
    assert_eq!(form("IpPermissions.1.IpRanges.1.Description").as_deref(), Some("vpc"));
    assert_eq!(form("IpPermissions.1.Groups.1.GroupId").as_deref(), Some("sg-0doomed000000001"));
    assert_eq!(form("IpPermissions.1.Groups.1.UserId").as_deref(), Some(ACCOUNT));
    assert_eq!(form("IpPermissions.2.IpProtocol"), None);
}

//! An AWS-scale loopback simulator for sgaudit's benchmark (issue 15): it answers every call an
//! `sgaudit scan --org --all-regions` makes — STS, Organizations, DescribeRegions and every source — in each
//! protocol's wire format, for N synthetic accounts × R regions with generated EC2 estates, with a log-normal
//! latency, AWS-like throttling per account-region and API family, expiring role sessions, optional TLS, and
//! counters (`GET /__sim/stats`). It is part of the benchmark, not of the product: it knows nothing of the AWS SDK.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sgaudit_simulator::Error> {
//! let running = sgaudit_simulator::start(sgaudit_simulator::Config { accounts: 5, ..Default::default() }).await?;
//! println!("{}", running.url); // AWS_ENDPOINT_URL for the scan
//! let stats = running.stats();
//! running.shutdown();
//! # let _ = stats; Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

mod estate;
mod limits;
mod server;
mod sim;
mod util;
mod wire;

pub use estate::Shape;
pub use limits::Rate;

/// The 17 commercial regions enabled by default in every account, in the fixed order `--regions N` takes them.
pub const DEFAULT_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
];

/// Opt-in regions: answered `not-opted-in` unless chosen (beyond the 17 default ones).
pub const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

/// The first `n` regions: the 17 default ones, then opt-in ones.
pub fn first_regions(n: usize) -> Vec<String> {
    DEFAULT_REGIONS.iter().chain(OPT_IN_REGIONS).take(n).map(|r| r.to_string()).collect()
}

/// What to simulate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Config {
    /// Accounts in the organisation, the management account included (ids `management_account + i`).
    pub accounts: u32,
    pub management_account: u64,
    /// The enabled regions, answered by DescribeRegions in this order.
    pub regions: Vec<String>,
    /// The EC2 estate of each account-region.
    pub shape: Shape,
    /// Most items on one page of an EC2 list, whatever `MaxResults` asks (AWS: 1000).
    pub page_cap: u32,
    /// Median and 99th percentile of the log-normal latency per answer; a median of 0 turns latency off.
    pub latency_median_ms: f64,
    pub latency_p99_ms: f64,
    /// Throttling on or off.
    pub throttle: bool,
    /// The bucket of every service but EC2 (which has its documented buckets per API) and STS, per account,
    /// region and service.
    pub service_rate: Rate,
    /// STS's bucket per account and region (AWS documents 600 requests per second per account and region).
    pub sts_rate: Rate,
    /// Lifetime of an assumed-role session.
    pub session_seconds: u64,
    /// Accounts whose role cannot be assumed again after the first session (their refresh is refused).
    pub refuse_refresh: Vec<u64>,
    /// Stop after this many requests or seconds.
    pub max_requests: u64,
    pub max_seconds: u64,
    /// The loopback port (0: any free one).
    pub port: u16,
    /// Serve HTTPS with the checked-in test certificate (certs/).
    pub tls: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            accounts: 10,
            management_account: 100_000_000_000,
            regions: first_regions(DEFAULT_REGIONS.len()),
            shape: Shape { groups: 20, interfaces: 40, instances: 3 },
            page_cap: 1000,
            latency_median_ms: 80.0,
            latency_p99_ms: 600.0,
            throttle: true,
            service_rate: Rate { capacity: 50.0, refill_per_sec: 10.0 },
            sts_rate: Rate { capacity: 600.0, refill_per_sec: 600.0 },
            session_seconds: 3600,
            refuse_refresh: Vec::new(),
            max_requests: 5_000_000,
            max_seconds: 3600,
            port: 0,
            tls: false,
        }
    }
}

/// Counters of one API (`ec2:DescribeSecurityGroups`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiStats {
    pub requests: u64,
    /// Requests with parameters not seen before for this account and region (the minimum a perfect client needs).
    pub distinct: u64,
    pub throttled: u64,
    pub expired: u64,
}

/// The simulator's counters (`GET /__sim/stats`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    pub requests: u64,
    /// Distinct requests: the same account, region, API and parameters (not signature, date or token) count once.
    pub distinct: u64,
    pub throttled: u64,
    /// Requests signed with an expired session.
    pub expired: u64,
    /// AssumeRole calls refused by `refuse_refresh`.
    pub refused_refresh: u64,
    /// Requests not SigV4-signed (answered 403).
    pub unrecognised: u64,
    pub max_in_flight: u64,
    /// Requests in flight, averaged over the uptime.
    pub mean_in_flight: f64,
    pub connections: u64,
    pub uptime_seconds: f64,
    pub per_api: BTreeMap<String, ApiStats>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot load the test certificate: {0}")]
    Tls(String),
}

/// A running simulator.
pub struct Running {
    /// `http://127.0.0.1:PORT` (or https): the scan's `AWS_ENDPOINT_URL`.
    pub url: String,
    sim: Arc<sim::Sim>,
    stop: watch::Sender<bool>,
}

impl Running {
    pub fn stats(&self) -> Stats {
        self.sim.stats()
    }

    /// Stops accepting and closes every connection.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }

    /// Waits until the simulator stops (shutdown, or its request or time budget spent).
    pub async fn stopped(&self) {
        until_stopped(&mut self.stop.subscribe()).await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The checked-in test certificate chain and key (loopback only).
const CERT_PEM: &[u8] = include_bytes!("../certs/server.pem");
const KEY_PEM: &[u8] = include_bytes!("../certs/server.key");
/// The test CA that signed it: the file a client trusts (`SSL_CERT_FILE`).
pub const CA_PEM_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs/ca.pem");

fn tls_acceptor() -> Result<tokio_rustls::TlsAcceptor, Error> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(CERT_PEM).collect::<Result<_, _>>().map_err(|e| Error::Tls(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM).map_err(|e| Error::Tls(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::Tls(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Resolves once `stop` says true (the watch's guard is dropped inside, so the future stays `Send`).
pub(crate) async fn until_stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Starts the simulator on 127.0.0.1 in the current tokio runtime.
pub async fn start(config: Config) -> Result<Running, Error> {
    let port = config.port;
    let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|source| Error::Bind { port, source })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind { port, source })?;
    let acceptor = if config.tls { Some(tls_acceptor()?) } else { None };
    let url = format!("{}://127.0.0.1:{}", if config.tls { "https" } else { "http" }, addr.port());
    let max_seconds = config.max_seconds;
    let sim = Arc::new(sim::Sim::new(config));
    let (stop, _) = watch::channel(false);
    let running = Running { url, sim: sim.clone(), stop: stop.clone() };
    tokio::spawn(async move {
        let mut stopped = stop.subscribe();
        let deadline = tokio::time::sleep(Duration::from_secs(max_seconds));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((tcp, _)) = accepted else { continue };
                    let _ = tcp.set_nodelay(true);
                    sim.connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let (sim, stop) = (sim.clone(), stop.clone());
                    match &acceptor {
                        None => { tokio::spawn(server::serve(tcp, sim, stop)); }
                        Some(acceptor) => {
                            let acceptor = acceptor.clone();
                            tokio::spawn(async move {
                                if let Ok(tls) = acceptor.accept(tcp).await {
                                    server::serve(tls, sim, stop).await;
                                }
                            });
                        }
                    }
                }
                _ = &mut deadline => { let _ = stop.send(true); break; }
                _ = until_stopped(&mut stopped) => break,
            }
        }
    });
    Ok(running)
}

//! `sgaudit-simulator`: the benchmark's AWS simulator on loopback. Its first line is `listening on URL`, so that
//! a script can read the port; at exit it prints its counters as JSON.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use sgaudit_simulator::{first_regions, Config, Rate, Shape};

/// An AWS-scale loopback simulator for sgaudit's benchmark (not part of the product).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Accounts in the organisation, the management account (the base credentials') first.
    #[arg(long, default_value_t = 10)]
    accounts: u32,
    /// The management account's id; members are the next ids.
    #[arg(long, default_value_t = 100_000_000_000)]
    management_account: u64,
    /// Enabled regions: the first N of the 17 default commercial regions (then opt-in ones).
    #[arg(long, default_value_t = 17)]
    regions: usize,
    /// Security groups per account-region (about a quarter held by no interface).
    #[arg(long, default_value_t = 20)]
    groups: u32,
    /// Network interfaces per account-region, each holding one or two groups.
    #[arg(long, default_value_t = 40)]
    interfaces: u32,
    /// Instances per account-region (each attached to one interface).
    #[arg(long, default_value_t = 3)]
    instances: u32,
    /// Most items per page of an EC2 list whatever MaxResults asks (AWS: 1000); lower it to force pages.
    #[arg(long, default_value_t = 1000)]
    page_size: u32,
    /// Median latency per answer in milliseconds (0: none).
    #[arg(long, default_value_t = 80.0)]
    latency_median_ms: f64,
    /// 99th percentile of the latency in milliseconds.
    #[arg(long, default_value_t = 600.0)]
    latency_p99_ms: f64,
    /// Turn throttling off.
    #[arg(long)]
    no_throttle: bool,
    /// Bucket size of every service but EC2 and STS, per account, region and service.
    #[arg(long, default_value_t = 50.0)]
    service_bucket: f64,
    /// Refill per second of those buckets.
    #[arg(long, default_value_t = 10.0)]
    service_refill: f64,
    /// STS's bucket size and refill per second, per account and region.
    #[arg(long, default_value_t = 600.0)]
    sts_rate: f64,
    /// Lifetime of an assumed-role session in seconds.
    #[arg(long, default_value_t = 3600)]
    session_seconds: u64,
    /// Accounts whose role cannot be assumed again after the first session (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    refuse_refresh: Vec<u64>,
    /// Stop after this many requests.
    #[arg(long, default_value_t = 5_000_000)]
    max_requests: u64,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 3600)]
    max_seconds: u64,
    /// Stop when standard input closes (so that a benchmark script that dies takes the simulator with it).
    #[arg(long)]
    exit_on_stdin_eof: bool,
    /// Loopback port (0: any free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with the checked-in test certificate (trust certs/ca.pem, e.g. SSL_CERT_FILE).
    #[arg(long)]
    tls: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = Config {
        accounts: cli.accounts.max(1),
        management_account: cli.management_account,
        regions: first_regions(cli.regions.max(1)),
        shape: Shape { groups: cli.groups, interfaces: cli.interfaces, instances: cli.instances },
        page_cap: cli.page_size.max(1),
        latency_median_ms: cli.latency_median_ms,
        latency_p99_ms: cli.latency_p99_ms,
        throttle: !cli.no_throttle,
        service_rate: Rate { capacity: cli.service_bucket, refill_per_sec: cli.service_refill },
        sts_rate: Rate { capacity: cli.sts_rate, refill_per_sec: cli.sts_rate },
        session_seconds: cli.session_seconds,
        refuse_refresh: cli.refuse_refresh,
        max_requests: cli.max_requests,
        max_seconds: cli.max_seconds,
        port: cli.port,
        tls: cli.tls,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sgaudit-simulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let running = match sgaudit_simulator::start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("sgaudit-simulator: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("listening on {}", running.url);
        let _ = std::io::stdout().flush();
        if cli.exit_on_stdin_eof {
            // A thread, not tokio's stdin: tokio's `io-std` (and `signal`) features are not in the build, and
            // turning them on would rebuild the AWS SDK.
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
                let _ = tx.send(());
            });
            tokio::select! {
                _ = running.stopped() => {}
                _ = rx => running.shutdown(),
            }
        } else {
            running.stopped().await;
        }
        match serde_json::to_string_pretty(&running.stats()) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("sgaudit-simulator: cannot write the counters: {e}"),
        }
        ExitCode::SUCCESS
    })
}

//! The benchmark's AWS simulator (crates/simulator) in the test process, for the organisation-scale tests: it runs
//! on a tokio runtime of its own, kept alive by [`Sim`], so that a plain `#[test]` can run the real binary against
//! it and read its counters before and after.

use std::process::Command;

use sgaudit_simulator::{Config, Running, Stats};

use super::{sgaudit_cmd, Run};

/// A running simulator, stopped when dropped.
pub struct Sim {
    /// `http://127.0.0.1:PORT`: every AWS endpoint of the scans run with [`Sim::cmd`].
    pub url: String,
    /// Dropped before the runtime (fields drop in order): the server is told to stop (`Running`'s drop), then the
    /// runtime cancels its tasks.
    running: Running,
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    /// Starts the simulator of `config` on a runtime of two threads (the scan is another process: the simulator
    /// must answer on time while the test thread waits for it).
    pub fn start(config: Config) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("simulator")
            .enable_all()
            .build()
            .expect("a tokio runtime for the simulator");
        let running = runtime.block_on(sgaudit_simulator::start(config)).expect("the simulator starts");
        Sim { url: running.url.clone(), running, _runtime: runtime }
    }

    /// What the simulator has counted so far.
    pub fn stats(&self) -> Stats {
        self.running.stats()
    }

    /// `sgaudit` against this simulator, as the management account (any access key the simulator did not make
    /// is the management account's), with the test environment of [`sgaudit_cmd`].
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = sgaudit_cmd();
        cmd.env("AWS_ENDPOINT_URL", &self.url)
            .env("AWS_ACCESS_KEY_ID", "AKIDSIMULATOR")
            .env("AWS_SECRET_ACCESS_KEY", "simulated")
            .env("AWS_REGION", "us-east-1")
            .args(args);
        cmd
    }

    /// Runs `sgaudit args` to its end.
    pub fn sgaudit(&self, args: &[&str]) -> Run {
        Run::of(self.cmd(args).output().expect("the sgaudit binary runs"))
    }
}

/// A simulator configuration for the tests: `accounts` × the first `regions` regions, the default estate, the
/// given median latency (p99 eight times it), throttling with the simulator's defaults.
pub fn config(accounts: u32, regions: usize, latency_median_ms: f64) -> Config {
    Config {
        accounts,
        regions: sgaudit_simulator::first_regions(regions),
        latency_median_ms,
        latency_p99_ms: latency_median_ms * 8.0,
        // A test that hangs is stopped by the simulator's own budget, not by CI's.
        max_seconds: 600,
        ..Config::default()
    }
}

//! The one HTTPS client every account's every service client shares, and the open files it may use.
//!
//! Without it, each service client (one per source list) built its own: the system's root certificates were
//! parsed again for every list (~30 % of a scan's CPU on a large organisation) and no connection was ever
//! reused, so against AWS every list also paid a TLS handshake. With one client, connections to a regional
//! endpoint (`ec2.eu-west-1.amazonaws.com`) are pooled across accounts, and handshakes scale with endpoints.

use std::time::Duration;

use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_http_client::{proxy::ProxyConfig, Builder, Connector};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Why the HTTPS client could not be made: only a CA bundle that cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("AWS_CA_BUNDLE {path}: {problem}")]
pub struct CaBundleError {
    pub path: String,
    pub problem: String,
}

/// Idle connections are closed after this: long enough to be reused by the next list to the same endpoint
/// (lists follow one another within milliseconds), short enough that the sockets of endpoints a scan is done
/// with do not pile up across a long organisation scan.
const IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// The HTTPS client for a scan allowed `concurrency` requests in flight: rustls with aws-lc (as the SDK's
/// default client), the proxy of `HTTPS_PROXY`/`NO_PROXY` as the SDK's default honours it, and the
/// certificates of `AWS_CA_BUNDLE` (a PEM file, as the AWS CLI reads it) trusted on top of the system's —
/// for a TLS-inspecting proxy, or a local endpoint such as the benchmark's simulator.
pub fn shared_client(concurrency: usize) -> Result<SharedHttpClient, CaBundleError> {
    let context = match std::env::var_os("AWS_CA_BUNDLE").filter(|p| !p.is_empty()) {
        None => TlsContext::default(),
        Some(path) => {
            let shown = path.to_string_lossy().into_owned();
            let fail = |problem: String| CaBundleError { path: shown.clone(), problem };
            let pem = std::fs::read(&path).map_err(|e| fail(e.to_string()))?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(fail("no PEM certificate in it".to_string()));
            }
            TlsContext::builder()
                .with_trust_store(TrustStore::default().with_pem_certificate(pem))
                .build()
                .map_err(|e| fail(e.to_string()))?
        }
    };
    let idle_per_host = concurrency.max(1);
    Ok(Builder::new().pool_idle_timeout(IDLE_TIMEOUT).pool_max_idle_per_host(idle_per_host).build_with_connector_fn(
        move |settings, components| {
            // Every service client's construction calls this once with neither (`validate_base_client_config`),
            // only to load the roots early, and drops the result: a full TLS connector each time, with the
            // system's root certificates parsed again, was the largest cost of a scan (a client is made per
            // list). The connector requests go through is made once per timeout settings and cached by the
            // client; for the check, one without TLS does.
            if settings.is_none() && components.is_none() {
                return Connector::builder().build_http();
            }
            let mut connector = Connector::builder()
                .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
                .tls_context(context.clone())
                .pool_idle_timeout(IDLE_TIMEOUT)
                .pool_max_idle_per_host(idle_per_host);
            connector.set_connector_settings(settings.cloned());
            if let Some(components) = components {
                connector.set_sleep_impl(components.sleep_impl());
            }
            connector.set_proxy_config(Some(ProxyConfig::from_env()));
            connector.build()
        },
    ))
}

/// File descriptors kept out of the HTTP client's reach: the store, the snapshot and reports being written,
/// the terminal, the runtime's own.
const RESERVED_FILES: u64 = 64;

/// Raises the process's soft limit of open files as far as the hard limit allows (the soft default, 1,024 on
/// most Linux systems and 256 on macOS, is far below what an organisation scan keeps open), and returns the
/// largest concurrency that fits under it: each request in flight holds a socket, and as many may sit idle in
/// the pool for reuse, so half of what is left after [`RESERVED_FILES`]. At a concurrency past the limit,
/// connections failed to open and lists spent their attempts on it (issue 15's measurements).
pub fn fit_open_files(concurrency: usize) -> (usize, Option<String>) {
    let wanted = (concurrency as u64).saturating_mul(2).saturating_add(RESERVED_FILES);
    let Some(limit) = raise_open_files(wanted.max(4096)) else {
        // The limit cannot be read (a platform without it): trust the concurrency asked for.
        return (concurrency, None);
    };
    let fits = usize::try_from(limit.saturating_sub(RESERVED_FILES) / 2).unwrap_or(usize::MAX).max(1);
    if concurrency > fits {
        let note = format!(
            "--concurrency {concurrency} lowered to {fits}: the open-file limit is {limit} (raise it with `ulimit -n`)"
        );
        (fits, Some(note))
    } else {
        (concurrency, None)
    }
}

/// Raises the soft limit of open files towards `wanted`, never past the hard limit, and returns the soft
/// limit in force afterwards (`None` where it cannot be read).
#[cfg(unix)]
fn raise_open_files(wanted: u64) -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let now = getrlimit(Resource::Nofile);
    // `None` is "unlimited".
    let Some(current) = now.current else { return Some(u64::MAX) };
    if current >= wanted {
        return Some(current);
    }
    let target = now.maximum.map_or(wanted, |hard| hard.min(wanted));
    if target > current && setrlimit(Resource::Nofile, Rlimit { current: Some(target), maximum: now.maximum }).is_ok() {
        return Some(target);
    }
    Some(current)
}

#[cfg(not(unix))]
fn raise_open_files(_wanted: u64) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the machine's limits, the concurrency given back fits under the soft limit in force afterwards
    /// (two sockets per request and the reserve), and a lowered one is said.
    #[cfg(unix)]
    #[test]
    fn a_concurrency_past_the_open_file_limit_is_lowered_and_said() {
        let asked = 10_000_000;
        let (fits, note) = fit_open_files(asked);
        let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile).current.unwrap_or(u64::MAX);
        assert!((fits as u64) * 2 + RESERVED_FILES <= soft, "{fits} with a limit of {soft}");
        match note {
            Some(note) => {
                assert!(fits < asked);
                assert!(note.contains("open-file limit") && note.contains(&soft.to_string()), "{note}");
            }
            None => assert_eq!(fits, asked),
        }
        // A small concurrency is left alone (the limit was raised to at least 4,096 where the hard limit allows).
        if soft >= 4096 {
            assert_eq!(fit_open_files(256), (256, None));
        }
    }

    #[test]
    fn a_ca_bundle_that_is_not_pem_is_one_clear_error() {
        let dir = std::env::temp_dir().join(format!("sgaudit-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let bad = dir.join("bundle.pem");
        std::fs::write(&bad, "not a certificate").expect("written");
        // The environment is the process's: this test alone sets AWS_CA_BUNDLE, and puts it back.
        std::env::set_var("AWS_CA_BUNDLE", &bad);
        let refused = shared_client(8).err().map(|e| e.to_string());
        std::env::set_var("AWS_CA_BUNDLE", dir.join("missing.pem"));
        let missing = shared_client(8).err().map(|e| e.to_string());
        std::env::remove_var("AWS_CA_BUNDLE");
        assert!(refused.as_deref().is_some_and(|e| e.contains("no PEM certificate")), "{refused:?}");
        assert!(missing.as_deref().is_some_and(|e| e.starts_with("AWS_CA_BUNDLE ")), "{missing:?}");
        assert!(shared_client(8).is_ok());
        let _ = std::fs::remove_dir_all(dir);
    }
}

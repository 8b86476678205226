//! The service clients of a scan: one per configuration, region and service, shared by every account that
//! configuration reaches.
//!
//! Making a client resolves and checks the SDK's whole configuration: about 270 allocations, as many as ~0.75
//! of a request. With a client per account-region and service (86 services, 1.6 requests per client on
//! average), making clients took ~11 % of the CPU of `bench/org.py`, 1.7 million clients at 1,000 accounts ×
//! 17 regions. The members of an organization are all reached through one configuration (the profile that
//! reads the organization, each member with its own role session), so their clients differ only in
//! credentials and retry partition, and those are per request here:
//!
//! - the client's identity cache is [`AccountOfTheSource`], which signs with the credentials (and the
//!   account's own identity cache) of the account whose source is being read: a task-local set by
//!   [`Ctx::counting`](crate::source::Ctx::counting) around every source's reading. A request made outside
//!   any source's reading fails: it is never signed with another account's credentials.
//! - the retry partition (each account-region's own retry allowance and adaptive rate limiter) is put in
//!   each request's configuration by the interceptor every client carries ([`SourceRequests`]).
//!
//! [`SourceRequests`]: crate::source::SourceRequests

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_credential_types::provider::{error::CredentialsError, future, ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::identity::{
    IdentityFuture, ResolveCachedIdentity, SharedIdentityCache, SharedIdentityResolver,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::region::Region;
use aws_types::SdkConfig;

/// The clients made from one configuration (a profile's: an organization's management profile reaches
/// every member through it), one set per region.
pub struct ClientPool {
    base: SdkConfig,
    regions: Mutex<HashMap<String, Arc<Clients>>>,
}

impl ClientPool {
    pub(crate) fn new(base: &SdkConfig) -> Arc<Self> {
        Arc::new(Self { base: base.clone(), regions: Mutex::default() })
    }

    /// The clients of `region`, shared by every account of this configuration.
    pub(crate) fn clients(&self, region: &str) -> Arc<Clients> {
        let mut regions = self.regions.lock().unwrap_or_else(PoisonError::into_inner);
        regions
            .entry(region.to_string())
            .or_insert_with(|| {
                let shared = self
                    .base
                    .to_builder()
                    .region(Region::new(region.to_string()))
                    .credentials_provider(SharedCredentialsProvider::new(NoAccountInScope))
                    .identity_cache(AccountOfTheSource)
                    .build();
                Arc::new(Clients { shared: Some(shared), made: Mutex::default() })
            })
            .clone()
    }
}

impl std::fmt::Debug for ClientPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientPool")
    }
}

/// Service clients, one per service, made when a source first asks for one and shared after: either those of
/// one region of a [`ClientPool`] (shared by its accounts), or an account-region's own ([`Clients::own`]:
/// made from that account's configuration, its credentials fixed, for the preflight and cleanup).
#[derive(Default)]
pub struct Clients {
    /// The configuration shared clients are made from (the region's, credentials chosen per request); `None`
    /// for an account-region's own clients, made from its configuration.
    shared: Option<SdkConfig>,
    made: Mutex<Vec<(TypeId, Box<dyn Any + Send + Sync>)>>,
}

impl Clients {
    /// Clients of one account-region, made from its own configuration.
    pub(crate) fn own() -> Arc<Self> {
        Arc::default()
    }

    /// The client of type `C`: made by `make` the first time, from the shared configuration if these are a
    /// pool's (else `None`: the caller's own), then cloned.
    pub(crate) fn get_or_make<C: Clone + Send + Sync + 'static>(
        &self,
        make: impl FnOnce(Option<&SdkConfig>) -> C,
    ) -> C {
        let id = TypeId::of::<C>();
        // A panic while the lock was held leaves the list as it was: still usable.
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(client) = made.iter().find(|(t, _)| *t == id).and_then(|(_, c)| c.downcast_ref::<C>()) {
            return client.clone();
        }
        let client = make(self.shared.as_ref());
        made.push((id, Box::new(client.clone())));
        client
    }
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.shared.is_some() { "Clients(shared)" } else { "Clients(own)" })
    }
}

/// How an account's requests are signed: its credentials provider (a role session, refreshed before it
/// expires) and the identity cache that keeps its credentials, both from the account's configuration. Made
/// once per account: the cache keeps the credentials under the provider's own cache partition.
#[derive(Debug)]
pub struct AccountIdentity {
    cache: SharedIdentityCache,
    resolver: SharedIdentityResolver,
}

impl AccountIdentity {
    /// The identity of the account `sdk` calls; `None` if it has no credentials provider.
    pub(crate) fn of(sdk: &SdkConfig) -> Option<Arc<Self>> {
        let provider = sdk.credentials_provider()?;
        let cache = sdk.identity_cache().unwrap_or_else(|| aws_config::identity::IdentityCache::lazy().build());
        Some(Arc::new(Self { cache, resolver: SharedIdentityResolver::new(provider) }))
    }
}

/// The identity cache of a pool's clients: resolves the credentials of the account whose source is being
/// read (see the module's comment), through that account's own cache and provider.
#[derive(Debug)]
struct AccountOfTheSource;

impl ResolveCachedIdentity for AccountOfTheSource {
    fn resolve_cached_identity<'a>(
        &'a self,
        _pool_resolver: SharedIdentityResolver,
        runtime_components: &'a RuntimeComponents,
        config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        match crate::source::account_identity() {
            Some(Some(account)) => IdentityFuture::new(async move {
                account.cache.resolve_cached_identity(account.resolver.clone(), runtime_components, config_bag).await
            }),
            Some(None) => IdentityFuture::ready(Err("the account has no credentials".into())),
            None => IdentityFuture::ready(Err("a shared client was called outside a source's reading, so no \
                                               account's credentials to sign with"
                .into())),
        }
    }
}

/// The credentials provider of a pool's configuration: never asked (its identity cache,
/// [`AccountOfTheSource`], uses the account's provider instead), and failing if it were. It is there so
/// that the clients sign their requests with SigV4 at all.
#[derive(Debug)]
struct NoAccountInScope;

impl ProvideCredentials for NoAccountInScope {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
            "a shared client's credentials are the account's whose source is read",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Ctx;
    use aws_credential_types::Credentials;
    use aws_smithy_runtime::client::retries::RetryPartition;
    use aws_smithy_runtime_api::box_error::BoxError;
    use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
    use aws_smithy_runtime_api::client::http::{
        http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::interceptors::Intercept;
    use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
    use aws_smithy_types::body::SdkBody;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// One request: its `Authorization` header and the retry partition in its configuration.
    type Sent = (String, Option<RetryPartition>);

    /// What each request carried.
    #[derive(Debug, Clone, Default)]
    struct Seen(Arc<Mutex<Vec<Sent>>>);

    /// Answers every request as STS's `GetCallerIdentity` does, and records its signature.
    #[derive(Debug, Clone)]
    struct Sts(Seen);

    impl HttpConnector for Sts {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            let authorization = request.headers().get("authorization").unwrap_or_default().to_string();
            self.0 .0.lock().unwrap_or_else(PoisonError::into_inner).push((authorization, None));
            let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111111111111</Account>\
                        </GetCallerIdentityResult></GetCallerIdentityResponse>";
            let status = aws_smithy_runtime_api::http::StatusCode::try_from(200).unwrap_or_else(|_| unreachable!());
            HttpConnectorFuture::ready(Ok(HttpResponse::new(status, SdkBody::from(body))))
        }
    }

    /// Reads the retry partition each request is sent with, into the last request's record.
    #[derive(Debug)]
    struct PartitionOf(Seen);

    impl Intercept for PartitionOf {
        fn name(&self) -> &'static str {
            "test-partition"
        }

        fn read_after_transmit(
            &self,
            _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef<'_>,
            _runtime_components: &RuntimeComponents,
            cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            let partition = cfg.load::<RetryPartition>().cloned();
            if let Some(last) = self.0 .0.lock().unwrap_or_else(PoisonError::into_inner).last_mut() {
                last.1 = partition;
            }
            Ok(())
        }
    }

    fn account(base: &SdkConfig, key: &str) -> SdkConfig {
        base.to_builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(key, "secret", None, None, "test")))
            .identity_cache(aws_config::identity::IdentityCache::lazy().build())
            .build()
    }

    #[tokio::test]
    async fn a_shared_client_signs_each_request_for_the_account_whose_source_is_read_and_for_no_other() {
        let seen = Seen::default();
        let sts = Sts(seen.clone());
        let base = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new("AKIDBASE", "s", None, None, "t")))
            .http_client(http_client_fn(move |_, _| SharedHttpConnector::new(sts.clone())))
            .build();
        let (a, b) = (account(&base, "AKIDACCOUNTA"), account(&base, "AKIDACCOUNTB"));
        let pool = ClientPool::new(&base);
        let in_pool = |sdk: &SdkConfig, id: &str| {
            let (account, region) = (id.to_string(), "eu-west-1".to_string());
            Ctx::sharing(sdk.clone(), account, region, pool.clients("eu-west-1"), AccountIdentity::of(sdk))
        };
        let (ctx_a, ctx_b) = (in_pool(&a, "111111111111"), in_pool(&b, "222222222222"));
        let made = AtomicUsize::new(0);
        let call = |ctx: &Ctx| {
            let client = ctx.client(|ctx, sdk| {
                made.fetch_add(1, Ordering::Relaxed);
                aws_sdk_sts::Client::from_conf(
                    aws_sdk_sts::config::Builder::from(sdk)
                        .interceptor(ctx.counter())
                        .interceptor(PartitionOf(seen.clone()))
                        .retry_partition(ctx.retry_partition())
                        .build(),
                )
            });
            async move { client.get_caller_identity().send().await }
        };

        // B's source, reading after A's made the client: the same client, B's credentials and partition.
        for ctx in [&ctx_a, &ctx_b, &ctx_a] {
            assert!(ctx.counting(call(ctx)).await.is_ok());
        }
        // Outside any source's reading, a shared client has no account to sign for: nothing is sent.
        let outside = call(&ctx_a).await.map_err(|e| crate::source::error_chain(&e));
        assert!(outside.as_ref().is_err_and(|e| e.contains("outside a source's reading")), "{outside:?}");

        assert_eq!(made.load(Ordering::Relaxed), 1, "one client for both accounts of the region");
        assert_eq!((ctx_a.requests(), ctx_b.requests()), (2, 1));
        let seen = seen.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let key_of = |(authorization, _): &Sent| {
            authorization.split("Credential=").nth(1).and_then(|c| c.split('/').next()).map(str::to_string)
        };
        let keys: Vec<_> = seen.iter().map(key_of).collect();
        let expected = ["AKIDACCOUNTA", "AKIDACCOUNTB", "AKIDACCOUNTA"].map(|k| Some(k.to_string()));
        assert_eq!(keys, expected);
        assert!(seen.iter().all(|(authorization, _)| authorization.contains("/eu-west-1/sts/")), "{seen:?}");
        let partitions: Vec<_> = seen.iter().map(|(_, p)| p.clone()).collect();
        let expected = ["111111111111/eu-west-1", "222222222222/eu-west-1", "111111111111/eu-west-1"]
            .map(|p| Some(RetryPartition::new(p)));
        assert_eq!(partitions, expected);

        // Another region of the pool has clients of its own; an account-region's own clients are made from
        // its own configuration, credentials fixed.
        assert!(!Arc::ptr_eq(&pool.clients("eu-west-1"), &pool.clients("eu-west-2")));
        assert!(Arc::ptr_eq(&pool.clients("eu-west-1"), &pool.clients("eu-west-1")));
        let own = Ctx::new(b.clone(), "222222222222".to_string(), "us-east-1".to_string());
        let config = own.client(|_, sdk| sdk.clone());
        assert!(config.identity_cache().is_some() && config.region().is_some_and(|r| r.as_ref() == "us-east-1"));
        let key = config.credentials_provider().map(|p| format!("{p:?}"));
        assert!(key.as_ref().is_some_and(|k| k.contains("AKIDACCOUNTB")), "{key:?}");
    }
}

//! What every source of evidence shares: its declaration, the context it runs in, what it finds, and how
//! its API errors become coverage.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::clients::{AccountIdentity, Clients};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::future::BoxFuture;
use sgaudit_snapshot::posture::{Bucket, CredentialReport, PasswordPolicy, PublicAccessBlock, RegionPosture};
use sgaudit_snapshot::{Attachment, RegionNetwork, ResourceKind, SecurityGroup, SourceError, StaleRule, Target, Via};

/// A source of evidence: one list (plus the describes it needs) of one kind of AWS resource, per
/// account-region. Declared in `sources/<name>.rs` and listed in `registry.rs`.
pub struct SourceDef {
    /// Stable kebab-case id, as in coverage (`lambda-functions`).
    pub id: &'static str,
    /// The endpoint key of the service its calls go to, as botocore's `endpoints.json` names it (`lambda`,
    /// `api.sagemaker`, `memory-db`, `es`, `elasticloadbalancing`): how `regions.rs` tells whether the
    /// service is offered in a region at all.
    pub service: &'static str,
    pub description: &'static str,
    /// The kinds of resource it reports.
    pub kinds: &'static [ResourceKind],
    /// Every IAM action its calls need, each with the call that proves it is allowed ([`Action`]). The
    /// printed IAM policies, the permissions doc and `sgaudit preflight` come from these.
    pub actions: &'static [Action],
    pub collect: for<'a> fn(&'a Ctx, &'a mut Found) -> BoxFuture<'a, Result<(), SourceError>>,
}

impl SourceDef {
    /// The names of the IAM actions it needs (`lambda:ListFunctions`).
    pub fn action_names(&self) -> impl Iterator<Item = &'static str> {
        self.actions.iter().map(|a| a.name)
    }
}

/// One IAM action sgaudit needs, and its probe: the cheapest real call that needs that action and nothing
/// else (the smallest page of a list, a describe of a resource that does not exist, a write with `DryRun`),
/// made by `sgaudit preflight`. A real call, rather than a simulation, meets every policy AWS evaluates:
/// service control and resource control policies with their conditions, permissions boundaries, session
/// policies. Written with [`probe!`](crate::probe!).
#[derive(Clone, Copy)]
pub struct Action {
    /// `service:Action`, as IAM names it (`s3:ListAllMyBuckets` for S3's `ListBuckets`).
    pub name: &'static str,
    pub probe: ProbeFn,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A probe: `Ok` when AWS answered the call with success, else the call's error, classified as in coverage.
/// What an error means (refused, or answered past authorisation: `ResourceNotFoundException`) is
/// `crate::preflight`'s to judge.
pub type ProbeFn = for<'a> fn(&'a Ctx) -> BoxFuture<'a, Result<(), SourceError>>;

/// Declares an [`Action`] and its probe: the action, then the call, built from `ctx` and not yet sent:
///
/// ```ignore
/// probe!("lambda:ListFunctions", |ctx| client!(ctx, aws_sdk_lambda).list_functions().max_items(1))
/// ```
#[macro_export]
macro_rules! probe {
    ($action:expr, |$ctx:ident| $call:expr) => {
        $crate::source::Action {
            name: $action,
            probe: |$ctx| {
                ::futures::FutureExt::boxed(async move {
                    match $call.send().await {
                        Ok(_) => Ok(()),
                        Err(err) => Err($ctx.fail($action, err)),
                    }
                })
            },
        }
    };
}

/// The name a probe gives a resource it describes and that does not exist: AWS checks the caller's right to
/// the call before it looks for the resource, so "not found" proves the action allowed.
pub const PROBE_NAME: &str = "sgaudit-preflight";

/// Code of a probe's answer for an action that no side-effect-free call can prove (see [`not_probed!`]).
pub const NOT_PROBED: &str = "not-probed";

/// Code of a probe that could not be made because a call it depends on failed (listing the bucket or the
/// group it would be made on): unproven, never denied, since the action itself was not tried.
pub const PRECONDITION: &str = "probe-precondition-failed";

/// A probe of `action` that could not be made because `doing` failed with `failed`.
pub fn precondition(action: &str, doing: &str, failed: &SourceError) -> SourceError {
    SourceError {
        code: PRECONDITION.to_string(),
        message: format!("{doing} failed: {failed}"),
        action: Some(action.to_string()),
        scp_deny: false,
    }
}

/// A probe of `action` that nothing in this account needs, and why.
pub fn not_probed(action: &str, why: &str) -> SourceError {
    SourceError {
        code: NOT_PROBED.to_string(),
        message: why.to_string(),
        action: Some(action.to_string()),
        scp_deny: false,
    }
}

/// Declares an [`Action`] that the preflight cannot prove with a call of its own, and why (a write with no
/// dry run; `sts:AssumeRole`, proven by assuming the role).
#[macro_export]
macro_rules! not_probed {
    ($action:expr, $why:expr) => {
        $crate::source::Action {
            name: $action,
            probe: |_ctx| {
                ::futures::FutureExt::boxed(async move {
                    Err(::sgaudit_snapshot::SourceError {
                        code: $crate::source::NOT_PROBED.to_string(),
                        message: $why.to_string(),
                        action: Some($action.to_string()),
                        scp_deny: false,
                    })
                })
            },
        }
    };
}

impl std::fmt::Debug for SourceDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceDef").field("id", &self.id).finish()
    }
}

/// Where a source runs: one account and region, with credentials, retry and timeouts already set.
pub struct Ctx {
    /// The account-region's own configuration (its credentials and region), for a source that makes a client
    /// of its own (with settings of its own); [`client!`](crate::client!) gives the shared one.
    pub sdk: aws_types::SdkConfig,
    pub account_id: String,
    pub region: String,
    pub(crate) requests: RequestCounter,
    max_pages: u32,
    partition: aws_smithy_runtime::client::retries::RetryPartition,
    clients: Arc<Clients>,
    /// The account's credentials, which the requests of shared clients are signed with (see [`Clients`]).
    identity: Option<Arc<AccountIdentity>>,
}

impl Ctx {
    /// A context with clients of its own, made from `sdk` (the preflight's and cleanup's).
    pub fn new(sdk: aws_types::SdkConfig, account_id: String, region: String) -> Self {
        let identity = AccountIdentity::of(&sdk);
        Self::sharing(sdk, account_id, region, Clients::own(), identity)
    }

    /// A context whose clients are `clients`: those of its configuration's pool for this region (see
    /// [`crate::clients`]), which sign with `identity`, the account's (made once per account).
    pub(crate) fn sharing(
        sdk: aws_types::SdkConfig,
        account_id: String,
        region: String,
        clients: Arc<Clients>,
        identity: Option<Arc<AccountIdentity>>,
    ) -> Self {
        let partition = aws_smithy_runtime::client::retries::RetryPartition::new(format!("{account_id}/{region}"));
        Self {
            sdk,
            account_id,
            region,
            requests: RequestCounter::default(),
            max_pages: MAX_PAGES,
            partition,
            clients,
            identity,
        }
    }

    /// The same account-region, for another source: the same service clients, its own count of requests.
    pub fn for_another_source(&self) -> Self {
        Self {
            sdk: self.sdk.clone(),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            requests: RequestCounter::default(),
            max_pages: self.max_pages,
            partition: self.partition.clone(),
            clients: self.clients.clone(),
            identity: self.identity.clone(),
        }
    }

    /// The requests counted for this source (see [`Ctx::counting`]).
    pub fn requests(&self) -> u32 {
        self.requests.get()
    }

    /// The client of type `C` for this account-region: made by `make` the first time a source of its
    /// configuration and region asks for it, from the configuration given (the pool's, or this context's
    /// own), then shared (what [`client!`](crate::client!) calls).
    pub fn client<C: Clone + Send + Sync + 'static>(&self, make: impl FnOnce(&Self, &aws_types::SdkConfig) -> C) -> C {
        self.clients.get_or_make(|shared| make(self, shared.unwrap_or(&self.sdk)))
    }

    /// The retry partition of this account-region, which every request of its sources' readings is sent with
    /// (put in each request's configuration by [`SourceRequests`], since a client may be shared by many
    /// accounts; a client of its own also carries it). The SDK keeps one retry allowance and one adaptive rate
    /// limiter per partition, by default one per service for the whole process: a service failing or
    /// throttled in one account then spent the retries, and slowed the pace, of every account. AWS's own
    /// limits are per account and region, and so are these.
    pub fn retry_partition(&self) -> aws_smithy_runtime::client::retries::RetryPartition {
        self.partition.clone()
    }

    /// The same, with another limit on the pages of one list, for tests of that limit.
    #[doc(hidden)]
    pub fn with_max_pages(mut self, max_pages: u32) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// A trail of the pages of one list called with `action`, for a source that follows the tokens by
    /// hand (where the SDK has no paginator): see [`PageTrail`].
    pub fn pages(&self, action: &str) -> PageTrail {
        PageTrail::new(action, self.max_pages)
    }

    /// An ARN of this account and region, for a probe that names a resource (which need not exist):
    /// `ctx.arn("ecs", "cluster/sgaudit-preflight")`.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        let partition = if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        format!("arn:{partition}:{service}:{}:{}:{resource}", self.region, self.account_id)
    }

    /// The interceptor each client carries so that every request attempt is counted for the source that made
    /// it: the source being read when the request is sent (see [`SourceRequests`]).
    pub fn counter(&self) -> SourceRequests {
        SourceRequests
    }

    /// Runs `read` (a source's reading, with this context) so that the requests its clients send are counted
    /// in this context's count, whichever source made the client.
    /// It is also what the pool's clients sign with ([`crate::clients`]) and what sets each request's retry
    /// partition: every source's reading runs in it.
    pub async fn counting<T>(&self, read: impl std::future::Future<Output = T>) -> T {
        let scope = SourceScope {
            requests: self.requests.clone(),
            partition: self.partition.clone(),
            identity: self.identity.clone(),
        };
        SOURCE.scope(scope, read).await
    }

    /// Turns a failed call into the coverage error for `action`.
    pub fn fail<E>(&self, action: &str, err: SdkError<E, HttpResponse>) -> SourceError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        classify(action, &err)
    }

    /// The answer of a call about one resource (a bucket's ACL, a trail's status), for a source that keeps a
    /// failed call on the resource, in `errors`, rather than failing as a whole: `None` when the call failed
    /// (its error is pushed) or when AWS answered one of the `absent` codes, its way of saying that the
    /// resource has no such configuration (`NoSuchBucketPolicy`).
    pub fn answer<T, E>(
        &self,
        action: &str,
        absent: &[&str],
        result: Result<T, SdkError<E, HttpResponse>>,
        errors: &mut Vec<SourceError>,
    ) -> Option<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match result {
            Ok(out) => Some(out),
            Err(err) if service_code(&err).is_some_and(|code| absent.contains(&code)) => None,
            Err(err) => {
                errors.push(self.fail(action, err));
                None
            }
        }
    }
}

/// The error code of an answer from AWS (`NoSuchEntity`), if the call got one.
pub fn service_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    err.as_service_error().and_then(ProvideErrorMetadata::code)
}

/// The service client for a source, with the request counter attached: made once per configuration, region
/// and service, and shared by every account of that configuration ([`crate::clients`]).
#[macro_export]
macro_rules! client {
    ($ctx:expr, $krate:ident) => {
        $ctx.client(|ctx, sdk| {
            $krate::Client::from_conf(
                $krate::config::Builder::from(sdk)
                    .interceptor(ctx.counter())
                    .retry_partition(ctx.retry_partition())
                    .build(),
            )
        })
    };
}

/// What a source found: the uses it saw and, for the EC2 inventory source, the groups; for the sources of the
/// account checks, their evidence (each fills its own part).
#[derive(Debug, Default)]
pub struct Found {
    pub attachments: Vec<Attachment>,
    pub groups: Vec<SecurityGroup>,
    /// Stale rules, for the source that reads them.
    pub stale_rules: Vec<StaleRule>,
    /// Regional evidence for the account checks (trails, network ACLs, EBS default, instances outside a VPC).
    pub posture: RegionPosture,
    /// Account-wide evidence, for the sources run once per account.
    pub account: AccountFound,
    /// Evidence of the paths from the internet (subnets, routes, addresses, load balancers), for reachability.
    pub network: RegionNetwork,
    /// Resources listed, for coverage.
    pub items: u32,
    source: &'static str,
}

impl Found {
    pub fn new(source: &'static str) -> Self {
        Self { source, ..Self::default() }
    }

    /// Records that `resource_id` (of `kind`) names each of `groups` in its configuration.
    pub fn config<I, S>(&mut self, kind: ResourceKind, resource_id: &str, groups: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.uses(kind, resource_id, Via::Config, None, groups);
    }

    /// Like [`Found::config`], with a note for people (the field or state it was seen in).
    pub fn config_detail<I, S>(&mut self, kind: ResourceKind, resource_id: &str, detail: &str, groups: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.uses(kind, resource_id, Via::Config, Some(detail), groups);
    }

    pub fn uses<I, S>(&mut self, kind: ResourceKind, resource_id: &str, via: Via, detail: Option<&str>, groups: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let detail = detail.map(str::to_string);
        self.push(kind, resource_id, via, detail, groups, Target::Group);
    }

    /// Records that a resource names groups by name (not id); see [`Target::GroupName`].
    pub fn config_names<I, S>(&mut self, kind: ResourceKind, resource_id: &str, detail: &str, names: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.push(kind, resource_id, Via::Config, Some(format!("{detail}; by name")), names, Target::GroupName);
    }

    /// Like [`Found::config_detail`], for services that name groups by ARN
    /// (`arn:aws:ec2:us-east-1:111122223333:security-group/sg-0abc`): each is recorded by its group id.
    pub fn config_arns<I, S>(&mut self, kind: ResourceKind, resource_id: &str, detail: Option<&str>, arns: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let ids: Vec<String> = arns.into_iter().map(|a| group_id_of(a.as_ref()).to_string()).collect();
        self.uses(kind, resource_id, Via::Config, detail, ids);
    }

    /// Records that a resource holds network interfaces (resolved to their groups, through the region's
    /// `network-interface` attachments, when judging).
    pub fn interfaces<I, S>(&mut self, kind: ResourceKind, resource_id: &str, enis: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.push(kind, resource_id, Via::Config, None, enis, Target::NetworkInterface);
    }

    /// One attachment per non-empty id or name, pointing at it through `target`.
    fn push<I, S>(
        &mut self,
        kind: ResourceKind,
        resource_id: &str,
        via: Via,
        detail: Option<String>,
        ids: I,
        target: fn(String) -> Target,
    ) where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for id in ids {
            let id = id.as_ref().trim();
            if id.is_empty() {
                continue;
            }
            self.attachments.push(Attachment {
                target: target(id.to_string()),
                kind,
                resource_id: resource_id.to_string(),
                via,
                source: self.source.into(),
                detail: detail.clone(),
            });
        }
    }
}

/// What the account-wide sources found; `None` and empty mean "none" only where the source's coverage is whole.
#[derive(Debug, Default)]
pub struct AccountFound {
    /// `iam-credential-report`.
    pub credential_report: Option<CredentialReport>,
    /// `iam-password-policy`.
    pub password_policy: Option<PasswordPolicy>,
    /// `s3-account-public-access-block`.
    pub public_access_block: Option<PublicAccessBlock>,
    /// `s3-buckets`.
    pub buckets: Vec<Bucket>,
}

/// The group id in a security group ARN (`arn:aws:ec2:…:security-group/sg-0abc` → `sg-0abc`); anything
/// else is returned as it is.
pub fn group_id_of(arn_or_id: &str) -> &str {
    match arn_or_id.trim().rsplit_once(":security-group/") {
        Some((_, id)) => id,
        None => arn_or_id.trim(),
    }
}

/// Reads every page of a paginated list, handing each page to `each`; stops at the first failed page, and
/// fails with [`TRUNCATED`] when the list does not end (see [`PageTrail`]).
///
/// The SDK's paginators stop *silently* when a page answers with the token it was called with
/// (`stop_on_duplicate_token`, on by default), and follow a cycle of tokens forever. They hand that page over
/// before stopping, so the trail of the tokens the pages answer with sees both.
pub async fn each_page<T, E>(
    ctx: &Ctx,
    action: &str,
    mut pages: PaginationStream<Result<T, SdkError<E, HttpResponse>>>,
    mut each: impl FnMut(T),
) -> Result<(), SourceError>
where
    T: Page,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut trail = ctx.pages(action);
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| ctx.fail(action, e))?;
        let more = trail.follow(page.next_page_token())?;
        each(page);
        if more.is_none() {
            break;
        }
    }
    Ok(())
}

/// The most pages one list may have: at the page sizes the sources ask for, millions of resources. A list
/// longer than this is taken for one that never ends.
pub const MAX_PAGES: u32 = 10_000;

/// Code of a list that did not end: a page answered with a token already followed, or the list passed
/// [`MAX_PAGES`]. What was read of it is not the whole.
pub const TRUNCATED: &str = "truncated";

/// A page of a paginated list: the token of the page after it, if any (an empty token ends a list too).
pub trait Page {
    fn next_page_token(&self) -> Option<&str>;
}

/// Declares where the next-page token of each list answer is, for [`each_page`] and [`PageTrail`]:
/// `next_page!(aws_sdk_lambda::operation::list_functions::ListFunctionsOutput => next_marker);`
#[macro_export]
macro_rules! next_page {
    ($($output:ty => $field:ident),+ $(,)?) => {
        $(impl $crate::source::Page for $output {
            fn next_page_token(&self) -> Option<&str> {
                self.$field()
            }
        })+
    };
}

/// The tokens the pages of one list answered with. A token seen before means the list would go round
/// for ever: a page answering with the token it was called with (which the SDK's paginators take for the
/// end), or a cycle A → B → A. Either, or more than [`MAX_PAGES`] pages, is an error: never a whole list.
#[derive(Debug)]
pub struct PageTrail {
    action: String,
    max_pages: u32,
    /// Pages read so far.
    pages: u32,
    /// Each token followed, with the page that answered it (1-based).
    tokens: std::collections::HashMap<String, u32>,
}

impl PageTrail {
    pub(crate) fn new(action: &str, max_pages: u32) -> Self {
        Self { action: action.to_string(), max_pages, pages: 0, tokens: Default::default() }
    }

    /// Records the next-page token of the page just read: `Ok(Some(token))` to ask for the next page with,
    /// `Ok(None)` at the end of the list, `Err` when the list does not end.
    pub fn follow(&mut self, token: Option<&str>) -> Result<Option<String>, SourceError> {
        self.pages += 1;
        let page = self.pages;
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if let Some(&earlier) = self.tokens.get(token) {
            let why = if earlier + 1 == page {
                format!("page {page} answered with the token it was called with, so the next page would repeat it")
            } else {
                format!(
                    "page {page} answered with the token page {earlier} answered with: the pages go round in a cycle"
                )
            };
            return Err(self.truncated(why));
        }
        if page >= self.max_pages {
            return Err(self.truncated(format!("stopped after {page} pages, the most one list may have")));
        }
        self.tokens.insert(token.to_string(), page);
        Ok(Some(token.to_string()))
    }

    fn truncated(&self, why: String) -> SourceError {
        SourceError {
            code: TRUNCATED.to_string(),
            message: format!("the list did not end: {why}; what was read of it is not the whole"),
            action: Some(self.action.clone()),
            scp_deny: false,
        }
    }
}

/// A count of request attempts (retries included): one per source read.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(Arc<AtomicU32>);

impl RequestCounter {
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the requests of one source's reading take from it: where they are counted, their account-region's
/// retry partition, and the account's credentials.
struct SourceScope {
    requests: RequestCounter,
    partition: aws_smithy_runtime::client::retries::RetryPartition,
    identity: Option<Arc<AccountIdentity>>,
}

tokio::task_local! {
    /// The source being read, set by [`Ctx::counting`] around its reading.
    static SOURCE: SourceScope;
}

/// The identity of the account whose source is being read: `None` outside any source's reading, `Some(None)`
/// for an account without credentials.
pub(crate) fn account_identity() -> Option<Option<Arc<AccountIdentity>>> {
    SOURCE.try_with(|scope| scope.identity.clone()).ok()
}

/// The interceptor every client carries. For each request of a source's reading, it puts the account-region's
/// retry partition in the request's configuration (where the SDK's retry strategy looks it up: a client may
/// be shared by many accounts), and counts each attempt for that source. Both come from the task rather than
/// from the client, which is shared; a request sent outside any source's reading (the preflight's probes,
/// cleanup) keeps its client's partition and is not counted.
#[derive(Debug, Clone, Copy)]
pub struct SourceRequests;

impl Intercept for SourceRequests {
    fn name(&self) -> &'static str {
        "sgaudit-request-counter"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let _ = SOURCE.try_with(|scope| cfg.interceptor_state().store_put(scope.partition.clone()));
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Outside any source's reading there is nothing to count in.
        let _ = SOURCE.try_with(|scope| scope.requests.0.fetch_add(1, Ordering::Relaxed));
        Ok(())
    }
}

use sgaudit_snapshot::{DENIED_CODES, HTTP_FORBIDDEN};

/// Error codes that mean the service is not offered to this account or region: nothing can exist there.
pub(crate) const NOT_APPLICABLE_CODES: &[&str] =
    &["OptInRequired", "SubscriptionRequiredException", "InvalidClientTokenId.OptInRequired"];

/// Code given to a request that never got an answer because the endpoint's host does not resolve. That
/// alone does not say the service is absent from the region (the resolver may be failing, or the endpoint
/// mistyped): only the endpoint data in `regions.rs` says that.
pub(crate) const UNRESOLVED_ENDPOINT: &str = "endpoint-unresolved";

/// Code given to a request that could not be sent for another reason (connection refused, TLS, ...).
const DISPATCH: &str = "dispatch";

/// Whether a call failed before reaching any endpoint: its host did not resolve or could not be connected to.
pub(crate) fn is_unreachable(error: &SourceError) -> bool {
    error.code == UNRESOLVED_ENDPOINT || error.code == DISPATCH
}

pub(crate) fn classify<E>(action: &str, err: &SdkError<E, HttpResponse>) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let full = error_chain(err);
    let (code, message) = match err {
        SdkError::ServiceError(service) => {
            let meta = service.err();
            let status = service.raw().status().as_u16();
            let code = match meta.code() {
                Some(code) => code.to_string(),
                None if status == 403 => HTTP_FORBIDDEN.to_string(),
                // A success status whose body could not be read: a broken or foreign answer.
                None if (200..300).contains(&status) => "unreadable-response".to_string(),
                None => format!("Http{status}"),
            };
            // The error alone, without the raw response the full context would dump. An answer with neither
            // code nor message (a bare 403) is said as such, with its request id, rather than as the SDK's
            // "unhandled error" of it.
            let message = match (meta.message(), meta.code()) {
                (Some(message), _) => message.to_string(),
                (None, None) => {
                    let id = meta.meta().extra("aws_request_id").map(|id| format!(" (request id {id})"));
                    format!("HTTP {status} with no error code or message{}", id.unwrap_or_default())
                }
                (None, Some(_)) => error_chain(meta),
            };
            // moto's Lambda (and some real services behind a proxy) answer a refusal as a bare 403.
            let code = if status == 403 && !DENIED_CODES.contains(&code.as_str()) && code != HTTP_FORBIDDEN {
                format!("{code} (HTTP 403)")
            } else {
                code
            };
            (code, message)
        }
        SdkError::TimeoutError(_) => ("timeout".to_string(), full.clone()),
        SdkError::DispatchFailure(failure) => {
            let code = if failure.is_io() && looks_unresolved(&full) {
                UNRESOLVED_ENDPOINT
            } else if failure.is_timeout() {
                "timeout"
            } else {
                DISPATCH
            };
            (code.to_string(), full.clone())
        }
        SdkError::ResponseError(_) => ("bad-response".to_string(), full.clone()),
        SdkError::ConstructionFailure(_) => ("construction".to_string(), full.clone()),
        _ => ("error".to_string(), full.clone()),
    };
    let scp_deny = full.contains("service control policy");
    SourceError { code, message: brief(&one_line(&message)), action: Some(action.to_string()), scp_deny }
}

fn looks_unresolved(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("dns error")
        || text.contains("failed to lookup address")
        || text.contains("name or service not known")
}

/// An error and its causes in words, without the debug dump of the raw response that the SDK's own
/// `DisplayErrorContext` appends: `dispatch failure: io error: connection refused`.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(err);
    while let Some(e) = cause {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = e.source();
    }
    brief(&one_line(&parts.join(": ")))
}

/// Error texts end up in tables and spreadsheets: keep them to a readable length.
fn brief(text: &str) -> String {
    const MAX: usize = 400;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether an error means the caller was refused, rather than the call failing.
pub fn is_denied(error: &SourceError) -> bool {
    error.denial().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::operation::get_credential_report::GetCredentialReportError;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn answered(status: u16, code: Option<&str>, message: Option<&str>) -> SourceError {
        let mut meta = ErrorMetadata::builder();
        if let Some(code) = code {
            meta = meta.code(code);
        }
        if let Some(message) = message {
            meta = meta.message(message);
        }
        let err = GetCredentialReportError::generic(meta.build());
        let status = aws_smithy_runtime_api::http::StatusCode::try_from(status).expect("a status code");
        let raw = HttpResponse::new(status, SdkBody::empty());
        classify("iam:GetCredentialReport", &SdkError::service_error(err, raw))
    }

    #[test]
    fn explicit_denies_name_their_policy_and_stay_refusals() {
        // IAM's explicit deny ends with the ARN of the policy that denied: kept, and still a refusal.
        let identity = "User: arn:aws:sts::111122223333:assumed-role/Auditor/s is not authorized to perform: \
                        iam:GetCredentialReport on resource: * with an explicit deny in an identity-based policy: \
                        arn:aws:iam::111122223333:policy/deny-report";
        let e = answered(403, Some("AccessDenied"), Some(identity));
        assert!(is_denied(&e), "{e:?}");
        assert!(!e.scp_deny);
        assert_eq!(e.action.as_deref(), Some("iam:GetCredentialReport"));
        assert!(e.message.ends_with("arn:aws:iam::111122223333:policy/deny-report"), "{}", e.message);
        // An organization's SCP: said so.
        let scp = "User: arn:aws:iam::111122223333:user/a is not authorized to perform: iam:GetCredentialReport \
                   with an explicit deny in a service control policy: \
                   arn:aws:organizations::999999999999:policy/o-abcdefghij/service_control_policy/p-abcdefgh";
        let e = answered(403, Some("AccessDenied"), Some(scp));
        assert!(is_denied(&e) && e.scp_deny, "{e:?}");
        assert!(e.message.ends_with("service_control_policy/p-abcdefgh"), "{}", e.message);
    }

    #[test]
    fn a_bare_403_is_a_refusal_and_other_errors_are_not() {
        // No code, no message (moto's CloudTrail under IAM enforcement; some services behind a proxy).
        let e = answered(403, None, None);
        assert_eq!(e.code, HTTP_FORBIDDEN);
        assert!(is_denied(&e), "{e:?}");
        assert_eq!(e.message, "HTTP 403 with no error code or message");
        // A 403 with a code that is not a refusal's own (moto's SignatureDoesNotMatch) still refused.
        let e = answered(403, Some("SignatureDoesNotMatch"), Some("no"));
        assert_eq!(e.code, "SignatureDoesNotMatch (HTTP 403)");
        assert!(is_denied(&e));
        // EC2's refusal comes with a 403 too; its code alone is enough.
        assert!(is_denied(&answered(400, Some("UnauthorizedOperation"), Some("no"))));
        // A bad request or a server error is a failure, not a refusal.
        assert!(!is_denied(&answered(400, Some("ValidationError"), Some("bad"))));
        assert!(!is_denied(&answered(500, None, None)));
        assert_eq!(answered(500, None, None).code, "Http500");
    }
}

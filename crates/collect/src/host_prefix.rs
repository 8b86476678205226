//! A few operations send their requests to a host named with a prefix before the service's endpoint
//! (MWAA's `api.`, HealthOmics' `workflows-`). An endpoint URL the user gives (`AWS_ENDPOINT_URL`, a
//! proxy, a test server) names the host itself, and the prefix would make a name that does not resolve:
//! with one set, clients of those services leave the prefix off.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::endpoint::EndpointPrefix;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::source::Ctx;

/// Drops the host prefix an operation set (in `read_before_execution`) before its endpoint is applied.
#[derive(Debug, Clone, Copy)]
pub struct NoHostPrefix;

impl Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "sgaudit-no-host-prefix"
    }

    fn modify_before_retry_loop(
        &self,
        _context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().unset::<EndpointPrefix>();
        Ok(())
    }
}

/// Whether the user named the endpoint, so that host prefixes must be left off.
pub fn endpoint_given(ctx: &Ctx) -> bool {
    ctx.sdk.endpoint_url().is_some()
}

//! The account's S3 Block Public Access (S3 Control's `GetPublicAccessBlock` for the account). S3 answers
//! `NoSuchPublicAccessBlockConfiguration` when none is set: no block, not a failure.

use aws_sdk_s3control::config::endpoint::{DefaultResolver, EndpointFuture, Params, ResolveEndpoint};
use aws_smithy_types::endpoint::Endpoint;
use futures::FutureExt;
use sgaudit_snapshot::posture::PublicAccessBlock;
use sgaudit_snapshot::SourceError;

use crate::source::{service_code, Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "s3-account-public-access-block",
    service: "s3-control",
    description: "The account's S3 Block Public Access (none set is recorded as none)",
    kinds: &[],
    actions: &[crate::probe!("s3:GetAccountPublicAccessBlock", |ctx| client(ctx)
        .get_public_access_block()
        .account_id(&ctx.account_id))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// The S3 Control client, its endpoint resolved as [`AccountLabel`] says.
fn client(ctx: &Ctx) -> aws_sdk_s3control::Client {
    let config = aws_sdk_s3control::config::Builder::from(&ctx.sdk)
        .interceptor(ctx.counter())
        .retry_partition(ctx.retry_partition())
        .endpoint_resolver(AccountLabel(DefaultResolver::new()))
        .build();
    aws_sdk_s3control::Client::from_conf(config)
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let s3control = client(ctx);
    let block = match s3control.get_public_access_block().account_id(&ctx.account_id).send().await {
        Ok(out) => out.public_access_block_configuration().map(|c| PublicAccessBlock {
            block_public_acls: c.block_public_acls().unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
            block_public_policy: c.block_public_policy().unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
        }),
        Err(e) if service_code(&e) == Some("NoSuchPublicAccessBlockConfiguration") => None,
        Err(e) => return Err(ctx.fail("s3:GetAccountPublicAccessBlock", e)),
    };
    found.items = u32::from(block.is_some());
    found.account.public_access_block = block;
    Ok(())
}

/// S3 Control's endpoint rules put the account id in front of the host (`111122223333.s3-control.…`), also
/// of a custom endpoint (`AWS_ENDPOINT_URL`: a VPC endpoint, LocalStack, moto). Where that host is an IP
/// address or `localhost`, no name can go in front of it, so the call goes to the endpoint as given (as S3's
/// own rules fall back to path-style addressing for an IP address); every other endpoint is left as resolved.
#[derive(Debug)]
struct AccountLabel(DefaultResolver);

impl ResolveEndpoint for AccountLabel {
    fn resolve_endpoint<'a>(&'a self, params: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::new(async move {
            let endpoint = ResolveEndpoint::resolve_endpoint(&self.0, params).await?;
            let unlabelled = params.account_id().and_then(|account| without_label(endpoint.url(), account));
            Ok(match unlabelled {
                Some(url) => with_url(&endpoint, url),
                None => endpoint,
            })
        })
    }
}

fn with_url(endpoint: &Endpoint, url: String) -> Endpoint {
    let mut builder = Endpoint::builder().url(url);
    for (name, values) in endpoint.headers() {
        for value in values {
            builder = builder.header(name.to_string(), value.to_string());
        }
    }
    for (key, value) in endpoint.properties() {
        builder = builder.property(key.to_string(), value.clone());
    }
    builder.build()
}

/// `http://111122223333.127.0.0.1:5000/x` → `http://127.0.0.1:5000/x`: only where the host after the account
/// label is an IP address or `localhost`.
fn without_label(url: &str, account: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let rest = rest.strip_prefix(account)?.strip_prefix('.')?;
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    let literal = host.parse::<std::net::IpAddr>().is_ok() || host.eq_ignore_ascii_case("localhost");
    literal.then(|| format!("{scheme}://{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_label_goes_only_where_no_name_can_precede_the_host() {
        let account = "111122223333";
        assert_eq!(
            without_label("http://111122223333.127.0.0.1:5000", account).as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            without_label("http://111122223333.localhost:4566/v20180820", account).as_deref(),
            Some("http://localhost:4566/v20180820")
        );
        assert_eq!(without_label("http://111122223333.[::1]:5000", account).as_deref(), Some("http://[::1]:5000"));
        // AWS's own endpoints and a VPC endpoint keep the label: that is how S3 Control is addressed.
        assert_eq!(without_label("https://111122223333.s3-control.us-east-1.amazonaws.com", account), None);
        assert_eq!(
            without_label("https://111122223333.control.vpce-1a2b.s3.us-west-2.vpce.amazonaws.com", account),
            None
        );
        // No label at all: nothing to take away.
        assert_eq!(without_label("http://127.0.0.1:5000", account), None);
    }
}

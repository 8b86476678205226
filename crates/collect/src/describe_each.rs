//! The per-resource reads a list forces (List gives names, Describe gives the VPC configuration), run a few
//! at a time, in the order of the list.

use std::future::Future;

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::future::BoxFuture;
use futures::{stream, FutureExt, StreamExt, TryFutureExt, TryStreamExt};
use sgaudit_snapshot::SourceError;

/// Reads per account-region run this many at a time.
pub const CONCURRENCY: usize = 8;

/// One read in flight: the item, and what was read of it.
type Read<'a, T, O> = BoxFuture<'a, Result<(&'a T, Option<O>), SourceError>>;

/// Reads each of `items` with `read`, [`CONCURRENCY`] at a time; fails at the first failed read. A read
/// answering `None` (the resource vanished between the list and the read) is left out.
///
/// The reads are boxed before they are polled: a stream of closures returning `async` blocks that borrow
/// the items makes the source's future fail the `Send` check (rust-lang/rust#102211).
pub async fn describe_each<'a, T, O, F, Fut>(items: &'a [T], read: F) -> Result<Vec<(&'a T, O)>, SourceError>
where
    T: Sync,
    O: Send + 'a,
    F: Fn(&'a T) -> Fut,
    Fut: Future<Output = Result<Option<O>, SourceError>> + Send + 'a,
{
    let reads: Vec<Read<'a, T, O>> =
        items.iter().map(|item| read(item).map_ok(move |out| (item, out)).boxed()).collect();
    let results: Vec<(&T, Option<O>)> = stream::iter(reads).buffered(CONCURRENCY).try_collect().await?;
    Ok(results.into_iter().filter_map(|(item, out)| out.map(|o| (item, o))).collect())
}

/// Whether an error says the resource is gone (deleted between the list and the read of it): the
/// not-found codes of the services that use this module.
pub fn vanished(err: &impl ProvideErrorMetadata) -> bool {
    matches!(err.code(), Some("ResourceNotFoundException" | "NotFoundException"))
}

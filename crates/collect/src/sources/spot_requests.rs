//! PLACEHOLDER: to be written. Fails safe (every group of the region stays `unknown`) until then.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-spot-requests",
    description: "Open Spot Fleet and Spot Instance requests and their launch specifications",
    kinds: &[ResourceKind::SpotFleetRequest, ResourceKind::SpotInstanceRequest],
    actions: &["todo:Todo"],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(_ctx: &Ctx, _found: &mut Found) -> Result<(), SourceError> {
    Err(SourceError {
        code: "not-implemented".into(),
        message: "source not written yet".into(),
        action: None,
        scp_deny: false,
    })
}

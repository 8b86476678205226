//! PLACEHOLDER: to be written. Fails safe (every group of the region stays `unknown`) until then.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "ec2-instances",
    description: "EC2 instances in any state, stopped included",
    kinds: &[ResourceKind::Ec2Instance],
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

use super::{Check, Severity};
use crate::Status;

pub const CHECK: Check = Check {
    id: "sg-default-in-use",
    title: "Default security group is in use",
    controls: &["AWS FSBP EC2.2", "CIS AWS 5.4"],
    evaluate: |g| {
        (g.is_default && g.status == Status::InUse).then(|| {
            (
                Severity::High,
                format!(
                    "default group {} is used by {} resource(s); give them groups of their own",
                    g.group.group_id,
                    g.used_by.len()
                ),
            )
        })
    },
};

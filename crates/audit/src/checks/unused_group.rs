use super::{Check, Severity};
use crate::Status;

pub const CHECK: Check = Check {
    id: "sg-unused",
    title: "Security group is unused",
    controls: &["AWS FSBP EC2.22"],
    evaluate: |g| {
        (g.status == Status::Unused && !g.is_default).then(|| {
            (Severity::Low, format!("{} is used by nothing; every source of evidence was read", g.group.group_id))
        })
    },
};

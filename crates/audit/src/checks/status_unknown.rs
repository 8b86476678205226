use super::{Check, Severity};
use crate::Status;

pub const CHECK: Check = Check {
    id: "sg-status-unknown",
    title: "Security group could not be judged",
    controls: &[],
    evaluate: |g| {
        (g.status == Status::Unknown).then(|| {
            (
                Severity::Informational,
                format!(
                    "no use of {} was found, but some evidence could not be read: {}",
                    g.group.group_id,
                    g.missing_evidence.join("; ")
                ),
            )
        })
    },
};

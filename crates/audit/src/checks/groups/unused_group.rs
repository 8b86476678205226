use crate::checks::{Check, Evaluate, Family, Severity};
use crate::Status;

pub const CHECK: Check = Check {
    id: "sg-unused",
    title: "Security group is unused",
    family: Family::Groups,
    severity: Severity::Low,
    controls: &["AWS Security Hub EC2.22"],
    description: "A non-default group that nothing uses, proven by a complete read of every holder source of its account-region.",
    remediation: "Confirm that nothing needs the security group (infrastructure code, a scaled-in service), keep a copy of its rules, and delete it.",
    reads: sgaudit_snapshot::SOURCES,
    evaluate: Evaluate::Group(|g| {
        (g.status == Status::Unused && !g.is_default).then(|| {
            (Severity::Low, format!("{} is used by nothing; every source of evidence was read", g.group.group_id))
        })
    }),
};

use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::shell::Command;
use crate::fix::{ec2, Fix};
use crate::{GroupVerdict, Status};

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
    fix: Fixer::Group(fix),
};

/// `sgaudit cleanup`, never a raw delete: cleanup plans the account-region's unused groups, keeps a backup of
/// their rules, checks each one again against AWS before it deletes it, and `sgaudit restore` brings one back.
fn fix(g: &GroupVerdict) -> Option<Fix> {
    let command = Command::sgaudit("cleanup").arg("--accounts", g.account_id).arg("--region", g.region);
    Some(Fix::commands(
        format!(
            "Delete {} with sgaudit cleanup: the command shows the plan of the region's unused groups (a dry run); \
             check that nothing outside AWS needs it (infrastructure code, a scaled-in service), then run it again \
             with --apply, which backs up the rules and checks each group again before deleting it.",
            ec2::named(g.group)
        ),
        vec![command.line()],
    ))
}

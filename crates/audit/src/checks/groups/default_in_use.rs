use crate::checks::{Check, Evaluate, Family, Severity};
use crate::Status;

pub const CHECK: Check = Check {
    id: "sg-default-in-use",
    title: "Default security group is in use",
    family: Family::Groups,
    severity: Severity::High,
    controls: &["AWS FSBP EC2.2", "CIS AWS v3.0.0 5.4", "CIS AWS v5.0.0 5.5"],
    description: "A VPC's default security group that any resource uses (every holder source).",
    remediation: "Move the resources that use the default security group to security groups of their own (least privilege), then remove the default group's rules.",
    reads: sgaudit_snapshot::SOURCES,
    evaluate: Evaluate::Group(|g| {
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
    }),
};

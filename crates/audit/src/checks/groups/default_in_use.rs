use sgaudit_snapshot::text::printable;
use sgaudit_snapshot::Via;

use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::{ec2, Fix};
use crate::{GroupVerdict, Status};

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
    fix: Fixer::Group(fix),
};

/// Words only: each holder needs a group made for it, with the rules it needs, which only its owners know; and
/// moving an interface means naming its whole new set of groups, which the group's verdict does not hold.
fn fix(g: &GroupVerdict) -> Option<Fix> {
    let mut holders: Vec<String> = g
        .used_by
        .iter()
        .filter(|u| u.via != Via::Rule)
        .map(|u| format!("{} {}", u.kind.id(), printable(u.id)))
        .collect();
    holders.sort();
    holders.dedup();
    let named_by: Vec<&str> = g.used_by.iter().filter(|u| u.via == Via::Rule).map(|u| u.id).collect();
    let mut summary = format!(
        "Create a group of your own for each role among the holders of the default group {}, with just the \
         rules it needs; give it to each holder in the holder's own settings (an interface: `aws ec2 \
         modify-network-interface-attribute --groups` with its other groups and the new one), then take {} off \
         them. Holders: {}.",
        ec2::named(g.group),
        g.group.group_id,
        if holders.is_empty() { "none seen directly".to_string() } else { holders.join(", ") }
    );
    if !named_by.is_empty() {
        summary.push_str(&format!(
            " Rules of {} name it: make them name the new group instead.",
            printable(&named_by.join(", "))
        ));
    }
    Some(Fix::summary(summary))
}

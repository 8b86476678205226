use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::Status;

pub const CHECK: Check = Check {
    id: "sg-status-unknown",
    title: "Security group could not be judged",
    family: Family::Groups,
    severity: Severity::Informational,
    controls: &[],
    description: "A group with no use found while some evidence of its account-region could not be read: its use is not known.",
    remediation: "Let sgaudit read the sources named in the finding (see `sgaudit permissions`) and scan again; until then the group's use is not known.",
    reads: sgaudit_snapshot::SOURCES,
    evaluate: Evaluate::Group(|g| {
        (g.status == Status::Unknown).then(|| {
            (
                Severity::Informational,
                format!(
                    "no use of {} was found, but some evidence could not be read: {}",
                    g.group.group_id,
                    crate::join(&g.missing_evidence, "; ")
                ),
            )
        })
    }),
    // Nothing in the account to change: sgaudit's evidence is missing, and reading it is the remediation.
    fix: Fixer::None,
};

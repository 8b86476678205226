use super::per_group;
use crate::checks::{Check, Evaluate, Family, Severity};
use crate::rules::redundant;

pub const CHECK: Check = Check {
    id: "net-sg-redundant-rule",
    title: "Security group has rules that another of its rules already covers",
    family: Family::Network,
    severity: Severity::Low,
    controls: &[],
    description: "Every security group of the region, both directions: rules (one protocol, port range and peer each) \
                  that admit nothing another rule of the same group does not already admit, such as TCP 22 from \
                  10.1.0.0/16 beside TCP 0-65535 from 10.0.0.0/8. They change nothing today, and hide what the \
                  group really opens from whoever reads it.",
    remediation: "Remove each rule the finding names as covered (for example `aws ec2 revoke-security-group-ingress \
                  --group-id sg-… --ip-permissions` with its protocol, ports and peer); what the group admits stays \
                  the same, since the covering rule is kept. If the narrower rule states an intent, narrow the wider \
                  rule instead.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(|scope| {
        per_group(scope, "has a rule that another of its rules covers", |g| {
            let found = redundant(g);
            let shown: Vec<String> = found
                .iter()
                .map(|r| {
                    let covered = r.covered.atom.describe(&g.group_id);
                    if r.covered.atom == r.by.atom {
                        // The same rule twice (a block written with its host bits set, beside its network).
                        format!("{covered} is repeated")
                    } else {
                        format!("{covered} is covered by {}", r.by.atom.describe(&g.group_id))
                    }
                })
                .collect();
            (!shown.is_empty()).then(|| format!("has {} redundant rule(s): {}", shown.len(), shown.join("; ")))
        })
    }),
};

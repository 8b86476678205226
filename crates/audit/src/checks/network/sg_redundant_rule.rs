use sgaudit_snapshot::SecurityGroup;

use super::per_group;
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::ec2::{self, Entry};
use crate::fix::Fix;
use crate::rules::{atoms, redundant};

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
        let judge = |g: &SecurityGroup| {
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
        };
        per_group(scope, "has a rule that another of its rules covers", judge, |at| fix(at.region, at.group))
    }),
    fix: Fixer::Judged,
};

/// Revoke each covered entry as the snapshot writes it. [`ec2::entries`] lists a group's entries in the order of
/// [`atoms`], so the covered atom's place names its entry; of equal atoms the later ones are the covered ones.
fn fix(region: &str, g: &SecurityGroup) -> Option<Fix> {
    let found = redundant(g);
    if found.is_empty() {
        return None;
    }
    let all = atoms(g);
    let entries = ec2::entries(g);
    debug_assert_eq!(all.len(), entries.len());
    let mut taken = vec![false; all.len()];
    let mut covered: Vec<Entry> = Vec::new();
    let mut repeated = 0;
    for r in &found {
        let Some(i) = (0..all.len()).rev().find(|&i| !taken[i] && all[i] == r.covered) else { continue };
        taken[i] = true;
        let by = (0..all.len()).find(|&j| j != i && all[j] == r.by);
        // The same rule written twice alike is one rule to AWS: revoking one would revoke the other.
        if by.is_some_and(|j| entries[i].same_as_written(&entries[j])) {
            repeated += 1;
            continue;
        }
        covered.push(entries[i]);
    }
    let mut summary = if covered.is_empty() {
        format!("Nothing to revoke in {}: ", ec2::named(g))
    } else {
        format!(
            "Revoke the redundant rule(s) of {}: {}; what the group admits stays the same, since the rules that \
             cover them stay. If a narrower rule states an intent, narrow the wider rule instead.",
            ec2::named(g),
            ec2::described(g, &covered)
        )
    };
    if repeated > 0 {
        let sep = if covered.is_empty() { "" } else { " " };
        summary.push_str(&format!(
            "{sep}{repeated} rule(s) are listed twice, written alike: AWS holds each once, so there is nothing to \
             revoke for them."
        ));
    }
    let cli = ec2::revoke(region, g, &covered);
    let terraform = if covered.is_empty() { None } else { ec2::resulting_rules(g, &covered, &[]) };
    Some(Fix::commands(summary, cli).with_terraform(terraform))
}

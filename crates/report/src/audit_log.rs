//! The per-account audit log (`<account_id>_sg_log.txt`), in the shape of the seed script's log that people
//! archive for compliance: one block per group, each use on its own indented line, then a closing line
//! that names the unused groups. The status is in capitals on each group's first line (`UNUSED`, `IN USE`,
//! `UNKNOWN`), so `grep UNUSED` lists exactly the unused groups.
//!
//! The account's results of the account and regional checks (IAM, CloudTrail, S3, network) come after the
//! groups, before the closing lines: a count line, then one indented line per result, failures first, each
//! starting with its outcome in capitals (`FAIL`, `NOT EVALUATED`, `PASS`), so `grep -P '^\tFAIL '` lists
//! the failures. A scan of the groups alone writes no such section.
//!
//! What sgaudit remembers and what people declared is on indented lines of their own: `Unused since <day>
//! (<N> days)` for an unused group whose history the store knows, `Marked in use: <reason> (owner: …)` for
//! a group people say is used, and `muted: <reason> (owner: …)` under a finding or result that an
//! exception mutes (it stays in the log; the count line says how many failures are muted).
//!
//! Whether the internet reaches a group is on an `Internet: <state>` line under a group that opens something
//! to the world (or guards an internet-facing load balancer), with a `Path:`, `Blocked:` or `Reach evidence
//! missing:` line for each piece of the evidence; a finding or result with a fix has `Fix: <summary>`, then
//! one `Fix command:` line per AWS CLI command and one `Fix Terraform:` line per line of the snippet.

use std::io::Write;

use sgaudit_audit::reach::ReachState;
use sgaudit_audit::{Audit, CheckResult, Family, Fix, GroupVerdict, Outcome, Status};
use sgaudit_snapshot::{ResourceKind, Snapshot};

use crate::text::printable;
use crate::{memory, reachability};

/// The accounts a log is written for: every account asked for, then any account that only the regions
/// name, in order and once each.
pub fn accounts(snapshot: &Snapshot) -> Vec<&str> {
    let mut ids: Vec<&str> = snapshot.accounts.iter().map(|a| a.account_id.as_str()).collect();
    for r in &snapshot.regions {
        if !ids.contains(&r.account_id.as_str()) {
            ids.push(&r.account_id);
        }
    }
    ids
}

/// `<account_id>_sg_log.txt`; an account that could not be reached is named by its profile, which may hold
/// any character, so anything but letters, digits, `.`, `-` and `_` becomes `_`.
pub fn file_name(account_id: &str) -> String {
    let safe: String = account_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let safe = if safe.starts_with('.') { format!("_{safe}") } else { safe };
    format!("{safe}_sg_log.txt")
}

pub fn write(out: &mut impl Write, account_id: &str, snapshot: &Snapshot, audit: &Audit) -> std::io::Result<()> {
    let account = snapshot.accounts.iter().find(|a| a.account_id == account_id);
    let mut title = format!("sgaudit security group log for account {}", clean(account_id));
    if let Some(name) = account.and_then(|a| a.name.as_deref()) {
        title.push_str(&format!(" ({})", clean(name)));
    }
    if let Some(profile) = account.and_then(|a| a.profile.as_deref()) {
        title.push_str(&format!(", profile {}", clean(profile)));
    }
    writeln!(out, "{title}")?;
    if let Some(at) = &snapshot.collected_at {
        writeln!(out, "Collected at {}", clean(at))?;
    }
    if let Some(error) = account.and_then(|a| a.error.as_ref()) {
        writeln!(out, "Account could not be read: {}", clean(&sgaudit_audit::describe_missing("account", error)))?;
    }
    if let Some(why) = account.and_then(|a| a.skipped.as_deref()) {
        writeln!(out, "Account skipped: {}", clean(why))?;
    }
    for r in audit.regions.iter().filter(|r| r.account_id == account_id) {
        for missing in &r.unreadable {
            writeln!(out, "Evidence not read in {}: {}", clean(&r.region), clean(&missing.to_string()))?;
        }
    }
    writeln!(out)?;

    let groups: Vec<&GroupVerdict> = audit.groups.iter().filter(|g| g.account_id == account_id).collect();
    for (i, g) in groups.iter().enumerate() {
        write_group(out, i + 1, groups.len(), g, snapshot.collected_at.as_deref())?;
    }

    let mut results: Vec<&CheckResult> = audit.results.iter().filter(|r| r.location.account_id == account_id).collect();
    if !results.is_empty() {
        // Stable: within an outcome, the audit's order (check, region, resource).
        results.sort_by_key(|r| r.outcome);
        write_results(out, audit, &results)?;
    }

    if !audit.families.contains(&Family::Groups) {
        let families: Vec<&str> = audit.families.iter().map(|f| f.id()).collect();
        return writeln!(out, "Security groups not judged: the scan's checks were {}", families.join(", "));
    }

    let unused: Vec<String> =
        groups.iter().filter(|g| g.status == Status::Unused).map(|g| clean(&g.group.group_id)).collect();
    let unknown = groups.iter().filter(|g| g.status == Status::Unknown).count();
    if unknown > 0 {
        writeln!(out, "Groups whose use could not be established (evidence missing): {unknown}")?;
    }
    if unused.is_empty() {
        writeln!(out, "Unused security groups: none of {}", groups.len())
    } else {
        writeln!(out, "Unused security groups ({} of {}): {}", unused.len(), groups.len(), unused.join(", "))
    }
}

fn write_group(
    out: &mut impl Write,
    i: usize,
    n: usize,
    g: &GroupVerdict,
    collected_at: Option<&str>,
) -> std::io::Result<()> {
    // In capitals, so that `grep UNUSED` finds exactly the unused groups.
    let status = g.status.label().to_uppercase();
    writeln!(
        out,
        "Reviewing security group ({i}/{n}): {} ({}) in {}: {status}, risk {}",
        clean(&g.group.group_id),
        clean(&g.group.group_name),
        clean(g.region),
        g.risk.id()
    )?;
    if let (Status::Unused, Some(since)) = (g.status, &g.unused_since) {
        writeln!(out, "\tUnused since {}", clean(&memory::unused_since_text(since, collected_at)))?;
    }
    if let Some(m) = &g.marked_in_use {
        writeln!(out, "\tMarked in use: {}", clean(&memory::muted_text(m)))?;
    }
    // Uses through another group's rule are on the "Referenced by" line, with that group's status.
    for u in g.used_by.iter().filter(|u| u.kind != ResourceKind::SecurityGroup) {
        match &u.detail {
            Some(detail) => writeln!(out, "\t{}: {} ({})", u.kind.label(), clean(u.id), clean(detail))?,
            None => writeln!(out, "\t{}: {}", u.kind.label(), clean(u.id))?,
        }
    }
    let refs: Vec<String> = g
        .referenced_by
        .iter()
        .map(|r| format!("{} ({} rule, {})", clean(r.group_id), r.direction.id(), r.status.id()))
        .collect();
    if refs.is_empty() {
        writeln!(out, "\tReferenced by other groups: none")?;
    } else {
        writeln!(out, "\tReferenced by other groups: {}", refs.join(", "))?;
    }
    for missing in &g.missing_evidence {
        writeln!(out, "\tEvidence missing: {}", clean(&missing.to_string()))?;
    }
    let reach = &g.reach;
    if reach.state != ReachState::NotExposed {
        writeln!(out, "\tInternet: {}", reachability::label(reach.state))?;
        for p in &reach.paths {
            writeln!(out, "\tPath: {}", clean(&p.text))?;
        }
        for b in &reach.blocked {
            writeln!(out, "\tBlocked: {}", clean(b))?;
        }
        for m in &reach.missing {
            writeln!(out, "\tReach evidence missing: {}", clean(m))?;
        }
    }
    for f in &g.findings {
        writeln!(out, "\tFinding {} ({}): {}", f.check.id, f.severity.id(), clean(&f.message))?;
        if let Some(m) = &f.muted {
            writeln!(out, "\tmuted: {}", clean(&memory::muted_text(m)))?;
        }
        write_fix(out, f.fix(g).as_ref())?;
    }
    writeln!(out)
}

/// A fix, one indented line per piece: its summary, each command, each line of the Terraform snippet.
fn write_fix(out: &mut impl Write, fix: Option<&Fix>) -> std::io::Result<()> {
    let Some(fix) = fix else { return Ok(()) };
    writeln!(out, "\tFix: {}", clean(&fix.summary))?;
    for command in &fix.cli {
        writeln!(out, "\tFix command: {}", clean(command))?;
    }
    for line in fix.terraform.as_deref().unwrap_or_default().lines() {
        writeln!(out, "\tFix Terraform: {}", clean(line))?;
    }
    Ok(())
}

fn write_results(out: &mut impl Write, audit: &Audit, results: &[&CheckResult]) -> std::io::Result<()> {
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let muted = results.iter().filter(|r| r.outcome == Outcome::Fail && r.muted.is_some()).count();
    let muted = if muted > 0 { format!(" ({muted} muted)") } else { String::new() };
    writeln!(
        out,
        "Account checks ({} results): {} failed{muted}, {} not evaluated, {} passed",
        results.len(),
        count(Outcome::Fail),
        count(Outcome::NotEvaluated),
        count(Outcome::Pass)
    )?;
    for r in results {
        // In capitals, so that `grep -P '^\tFAIL '` lists the failures.
        let outcome = match r.outcome {
            Outcome::Fail => format!("{} ({})", r.outcome.label().to_uppercase(), r.severity.id()),
            Outcome::NotEvaluated | Outcome::Pass => r.outcome.label().to_uppercase(),
        };
        let l = &r.location;
        let place = match &l.region {
            Some(region) => format!(" in {}", clean(region)),
            None => String::new(),
        };
        writeln!(out, "\t{outcome} {} on {}{place}: {}", r.check.id, clean(&l.resource), clean(&r.evidence))?;
        if let Some(m) = &r.muted {
            writeln!(out, "\tmuted: {}", clean(&memory::muted_text(m)))?;
        }
        write_fix(out, audit.fix_of(r).as_deref())?;
    }
    writeln!(out)
}

/// Names, ids, regions and messages come from AWS users or a snapshot file, and people pick deletion
/// candidates with `grep UNUSED`: a line break in any of them must not forge a line, an escape sequence must
/// not drive the terminal that `cat`s the log, nor a group named `UNUSED` land in that list. So every control
/// character is written visibly ([`printable`]) and the word is written in lower case.
fn clean(text: &str) -> String {
    printable(text).replace("UNUSED", "unused")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{demo, group_named, hostile, unprintable, EVIL};

    fn log(snapshot: &Snapshot, account_id: &str) -> String {
        let audit = sgaudit_audit::audit(snapshot);
        let mut out = Vec::new();
        write(&mut out, account_id, snapshot, &audit).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_block_per_group_and_grep_unused_finds_the_unused() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let text = log(&snapshot, "123456789012");
        assert!(text.starts_with("sgaudit security group log for account 123456789012, profile demo\n"), "{text}");

        let reviewing: Vec<&str> = text.lines().filter(|l| l.starts_with("Reviewing security group (")).collect();
        assert_eq!(reviewing.len(), 20);
        assert!(reviewing[0].starts_with("Reviewing security group (1/20): "), "{}", reviewing[0]);
        assert!(reviewing[19].starts_with("Reviewing security group (20/20): "), "{}", reviewing[19]);

        let unused: Vec<&str> =
            audit.groups.iter().filter(|g| g.status == Status::Unused).map(|g| g.group.group_id.as_str()).collect();
        assert_eq!(unused.len(), 6);
        let grep: Vec<&str> = text.lines().filter(|l| l.contains("UNUSED")).collect();
        assert_eq!(grep.len(), unused.len(), "{grep:#?}");
        for id in &unused {
            assert!(grep.iter().any(|l| l.contains(&format!(": {id} ("))), "{id} not on an UNUSED line");
        }
        let closing = text.lines().last().unwrap();
        assert_eq!(closing, format!("Unused security groups (6 of 20): {}", unused.join(", ")));
        assert!(text.contains("Evidence not read in eu-west-1: lambda-functions: AccessDeniedException"));
    }

    #[test]
    fn uses_are_indented_lines_and_references_are_named() {
        let text = log(&demo(), "123456789012");
        let block: Vec<&str> = text
            .split("\n\n")
            .find(|b| b.starts_with("Reviewing") && b.contains(": sg-0a300000000ba5710 (bastion) in us-east-1: IN USE"))
            .unwrap()
            .lines()
            .collect();
        assert!(block.contains(&"\tEC2 instance: i-0a00000000000bast (running)"), "{block:#?}");
        assert!(
            block.contains(&"\tnetwork interface: eni-0a000000000000002 (interface; attached to i-0a00000000000bast)"),
            "{block:#?}"
        );
        assert!(block.contains(&"\tReferenced by other groups: none"), "{block:#?}");

        let chain = text.split("\n\n").find(|b| b.contains(": sg-0a500000000cab1ea (batch-old-a)")).unwrap();
        assert!(chain.contains("UNUSED"));
        assert!(chain.contains("\tReferenced by other groups: sg-0a600000000cab1eb (ingress rule, unused)"), "{chain}");
    }

    #[test]
    fn a_name_cannot_forge_a_line() {
        let mut snapshot = demo();
        group_named(&mut snapshot, "sg-0a0000000000000db").group_name =
            "db\nReviewing security group (1/1): sg-0fake (x) in us-east-1: UNUSED".into();
        group_named(&mut snapshot, "sg-0ac000000001abda1").group_name = "UNUSED".into();
        let text = log(&snapshot, "123456789012");
        assert_eq!(text.lines().filter(|l| l.contains("UNUSED")).count(), 6, "{text}");
        assert!(text.contains(
            "(db\\u{a}Reviewing security group (1/1): sg-0fake (x) in us-east-1: unused) in us-east-1: IN USE"
        ));
        assert!(text.contains(": sg-0ac000000001abda1 (unused) in us-east-1: IN USE"));
    }

    /// How the lines this format writes begin: anything else in a log was forged by a value.
    fn is_a_line_of_the_format(line: &str) -> bool {
        const STARTS: [&str; 11] = [
            "sgaudit security group log for account ",
            "Collected at ",
            "Account could not be read: ",
            "Account skipped: ",
            "Evidence not read in ",
            "Reviewing security group (",
            "Groups whose use could not be established (evidence missing): ",
            "Unused security groups (",
            "Unused security groups: none of ",
            "Account checks (",
            "Security groups not judged: ",
        ];
        const INDENTED: [&str; 16] = [
            "Referenced by other groups: ",
            "Evidence missing: ",
            "Finding ",
            "FAIL (",
            "NOT EVALUATED ",
            "PASS ",
            "Unused since ",
            "Marked in use: ",
            "muted: ",
            "Internet: ",
            "Path: ",
            "Blocked: ",
            "Reach evidence missing: ",
            "Fix: ",
            "Fix command: ",
            "Fix Terraform: ",
        ];
        if line.is_empty() || STARTS.iter().any(|s| line.starts_with(s)) {
            return true;
        }
        let Some(indented) = line.strip_prefix('\t') else { return false };
        INDENTED.iter().any(|s| indented.starts_with(s))
            || ResourceKind::ALL.iter().any(|k| indented.starts_with(&format!("{}: ", k.label())))
    }

    #[test]
    fn hostile_values_cannot_forge_a_line_nor_drive_the_terminal() {
        let snapshot = hostile();
        let audit = sgaudit_audit::audit(&snapshot);
        for account_id in accounts(&snapshot) {
            let text = log(&snapshot, account_id);
            for line in text.lines() {
                assert!(is_a_line_of_the_format(line), "a line the format does not write: {line:?}\n{text}");
                assert_eq!(unprintable(line.strip_prefix('\t').unwrap_or(line)), None, "{line:?}");
                assert!(!line.contains('\x1b'), "{line:?}");
            }
            let unused = audit.groups.iter().filter(|g| g.account_id == account_id && g.status == Status::Unused);
            assert_eq!(text.lines().filter(|l| l.contains("UNUSED")).count(), unused.count(), "{text}");
        }
        let text = log(&snapshot, "123456789012");
        let shown = clean(EVIL);
        assert!(!shown.contains("UNUSED"));
        for what in ["org-name", "demo", "name", "eu-west-1", "message", "i-0", "detail", "sg-0a400000000001dc1"] {
            assert!(text.contains(&format!("{what}{shown}")), "`{what}` not shown escaped:\n{text}");
        }
        assert!(log(&snapshot, "210987654321").contains(&format!("Account skipped: suspended{shown}")));
        let unreachable = format!("unreachable{EVIL}");
        assert!(log(&snapshot, &unreachable).contains("Account could not be read: "));
    }

    #[test]
    fn the_accounts_results_follow_its_groups_failures_first() {
        let snapshot = demo();
        let audit = sgaudit_audit::audit(&snapshot);
        let text = log(&snapshot, "123456789012");
        let count = |o: Outcome| audit.results.iter().filter(|r| r.outcome == o).count();
        let heading = format!(
            "Account checks ({} results): {} failed, {} not evaluated, {} passed",
            audit.results.len(),
            count(Outcome::Fail),
            count(Outcome::NotEvaluated),
            count(Outcome::Pass)
        );
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().position(|l| *l == heading).unwrap_or_else(|| panic!("no `{heading}`:\n{text}"));
        assert!(lines[..at].iter().any(|l| l.starts_with("Reviewing security group (20/20)")), "after the groups");
        // The results' lines, less the lines of their fixes.
        let results: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with('\t'))
            .filter(|l| !l.starts_with("\tFix"))
            .copied()
            .collect();
        assert_eq!(results.len(), audit.results.len());
        let rank = |l: &str| ["\tFAIL (", "\tNOT EVALUATED ", "\tPASS "].iter().position(|p| l.starts_with(p)).unwrap();
        assert!(results.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "failures first:\n{}", results.join("\n"));
        for line in [
            "\tFAIL (medium) iam-user-mfa on arn:aws:iam::123456789012:user/=2+5: =2+5 has no MFA",
            "\tPASS iam-root-mfa on arn:aws:iam::123456789012:root: the root user has MFA",
            "\tFAIL (critical) s3-policy-public on arn:aws:s3:::demo-public-site in us-east-1: demo-public-site: the policy \
             allows s3:GetObject to everyone, with no condition",
        ] {
            assert!(results.contains(&line), "no `{line}`:\n{}", results.join("\n"));
        }
        assert!(results.iter().any(|l| l.starts_with(
            "\tNOT EVALUATED cloudtrail-region-logged on AWS::::Account:123456789012 in eu-west-1: cloudtrail-trails: "
        )));
        // The closing line is still the last, and `grep UNUSED` still finds the unused groups alone.
        assert!(lines.last().unwrap().starts_with("Unused security groups (6 of 20): "));
        assert_eq!(text.lines().filter(|l| l.contains("UNUSED")).count(), 6);
    }

    #[test]
    fn a_scan_of_the_groups_alone_or_without_them_says_so() {
        let mut snapshot = demo();
        snapshot.families = vec![Family::Groups];
        let text = log(&snapshot, "123456789012");
        assert!(!text.contains("Account checks") && !text.contains("\tPASS "), "{text}");
        snapshot.families = vec![Family::Iam];
        let text = log(&snapshot, "123456789012");
        assert!(!text.contains("Reviewing"), "{text}");
        assert!(text.contains("\tFAIL (high) iam-console-user-mfa on arn:aws:iam::123456789012:user/bob: "), "{text}");
        assert_eq!(text.lines().last(), Some("Security groups not judged: the scan's checks were iam"));
        for line in text.lines() {
            assert!(is_a_line_of_the_format(line), "{line:?}");
        }
    }

    #[test]
    fn an_account_without_groups_still_gets_its_closing_line() {
        let text = log(&demo(), "999999999999");
        assert!(!text.contains("Reviewing"));
        assert!(text.ends_with("Unused security groups: none of 0\n"), "{text}");
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name("123456789012"), "123456789012_sg_log.txt");
        assert_eq!(file_name("../prod profile"), "_.._prod_profile_sg_log.txt");
    }

    #[test]
    fn a_muted_finding_says_why_on_a_line_of_its_own_that_nothing_can_forge() {
        use crate::test_support::{remember, EVIL_OWNER, EVIL_REASON};
        let snapshot = demo();
        let mut audit = sgaudit_audit::audit(&snapshot);
        remember(&mut audit, EVIL_REASON, EVIL_OWNER);
        let mut out = Vec::new();
        write(&mut out, "123456789012", &snapshot, &audit).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(is_a_line_of_the_format(line), "a line the format does not write: {line:?}\n{text}");
            assert!(!line.contains('\x1b'), "{line:?}");
        }
        assert_eq!(text.lines().filter(|l| l.contains("UNUSED")).count(), 6, "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let bastion = lines.iter().position(|l| l.contains(": sg-0a300000000ba5710 (bastion) in us-east-1")).unwrap();
        let ssh =
            bastion + lines[bastion..].iter().position(|l| l.starts_with("\tFinding sg-world-open-ssh (")).unwrap();
        assert!(lines[ssh + 1].starts_with("\tmuted: =HYPERLINK("), "{}", lines[ssh + 1]);
        let user = lines
            .iter()
            .position(|l| l.starts_with("\tFAIL (medium) iam-user-mfa on ") && l.ends_with("/=2+5: =2+5 has no MFA"));
        assert!(lines[user.unwrap() + 1].starts_with("\tmuted: "));
        assert!(text.contains("\tUnused since 2026-10-01 (53 days)\n"), "{text}");
        assert!(text.contains("\tMarked in use: =HYPERLINK("), "{text}");
        let count = |o: Outcome| audit.results.iter().filter(|r| r.outcome == o).count();
        let heading = format!(
            "Account checks ({} results): {} failed (1 muted), {} not evaluated, {} passed",
            audit.results.len(),
            count(Outcome::Fail),
            count(Outcome::NotEvaluated),
            count(Outcome::Pass)
        );
        assert!(text.contains(&heading), "{heading}\n{text}");
    }

    #[test]
    fn reachability_and_fixes_have_lines_of_their_own_that_nothing_can_forge() {
        use crate::test_support::advise;
        let snapshot = hostile();
        let mut audit = sgaudit_audit::audit(&snapshot);
        advise(&mut audit);
        let mut out = Vec::new();
        write(&mut out, "123456789012", &snapshot, &audit).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(is_a_line_of_the_format(line), "a line the format does not write: {line:?}\n{text}");
            assert_eq!(unprintable(line.strip_prefix('\t').unwrap_or(line)), None, "{line:?}");
        }
        let unused = audit.groups.iter().filter(|g| g.account_id == "123456789012" && g.status == Status::Unused);
        assert_eq!(text.lines().filter(|l| l.contains("UNUSED")).count(), unused.count());
        let block = text.split("\n\n").find(|b| b.contains(": sg-0a300000000ba5710 (bastion")).unwrap();
        assert!(block.contains("\n\tInternet: reachable\n"), "{block}");
        assert!(block.contains(
            "\n\tPath: tcp 22 reachable from the internet on eni-0a (=cmd|' /C calc'!A0 <script>alert(1)</script>\\u{1b}[31m) via igw-0a\n"
        ), "{block}");
        assert!(block.contains("\n\tBlocked: eni-0b: no public address\n"), "{block}");
        assert!(block.contains("\n\tReach evidence missing: ec2-network-acls\n"), "{block}");
        let findings = audit.groups.iter().find(|g| g.group.group_id == "sg-0a300000000ba5710").unwrap().findings.len();
        assert_eq!(block.matches("\n\tFix: ").count(), findings);
        assert_eq!(block.matches("\n\tFix command: aws ec2 ").count(), 2 * findings);
        assert_eq!(block.matches("\n\tFix Terraform: ").count(), 3 * findings);
        let user = text
            .lines()
            .position(|l| l.starts_with("\tFAIL (medium) iam-user-mfa on ") && l.ends_with("/=2+5: =2+5 has no MFA"));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[user.unwrap() + 1].starts_with("\tFix: =cmd|"), "{}", lines[user.unwrap() + 1]);
        // A group with nothing open to the world has no such line.
        let quiet =
            audit.groups.iter().find(|g| g.account_id == "123456789012" && g.reach.state == ReachState::NotExposed);
        let quiet = quiet.expect("a group with nothing open");
        let block = text.split("\n\n").find(|b| b.contains(&format!(": {} (", quiet.group.group_id))).unwrap();
        assert!(!block.contains("\tInternet: "), "{block}");
    }
}

//! The account checks (IAM, CloudTrail, S3, network) in the reports written for people: the terminal
//! summary, the workbook's sheets of the security re-check, and the HTML page's section per family. Each
//! report is read back (the workbook through calamine) and held against the audit's own results.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::{fixture, hostile, EVIL, FORMULA, SECOND, UNREACHABLE};
use sgaudit_audit::checks::{CheckResult, CHECKS};
use sgaudit_audit::{Audit, Family, Options, Outcome, Severity};
use sgaudit_report::{write_to, xlsx, Format};
use sgaudit_snapshot::Snapshot;

fn audit_of<'a>(snapshot: &'a Snapshot, families: Option<&[Family]>) -> Audit<'a> {
    let options = Options { families: families.map(<[Family]>::to_vec), ..Options::default() };
    sgaudit_audit::audit_with(snapshot, &options)
}

fn written(format: Format, snapshot: &Snapshot, audit: &Audit, color: bool) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(format, snapshot, audit, color, &mut out).expect("the report is written");
    out
}

fn text(format: Format, snapshot: &Snapshot, audit: &Audit, color: bool) -> String {
    String::from_utf8(written(format, snapshot, audit, color)).expect("UTF-8")
}

fn count(audit: &Audit, family: Family, outcome: Outcome) -> usize {
    audit.results.iter().filter(|r| r.check.family == family && r.outcome == outcome).count()
}

const ACCOUNT_FAMILIES: [Family; 4] = [Family::Network, Family::Iam, Family::Cloudtrail, Family::S3];

#[test]
fn the_fixture_has_every_outcome_in_every_family() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    for family in ACCOUNT_FAMILIES {
        for outcome in [Outcome::Pass, Outcome::Fail, Outcome::NotEvaluated] {
            assert!(count(&audit, family, outcome) > 0, "{family:?} has no {outcome:?}");
        }
    }
}

// ---- The terminal ----

/// The lines of the failures' list and of the not-evaluated list (each entry's first line).
fn listed<'a>(out: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = out.lines().skip_while(|l| !l.starts_with(header));
    let Some(_) = lines.next() else { return Vec::new() };
    lines.take_while(|l| l.starts_with("  ")).filter(|l| !l.starts_with("      ")).collect()
}

#[test]
fn the_terminal_sums_up_each_family_then_lists_failures_worst_first_and_every_result_not_evaluated() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let out = text(Format::Table, &snapshot, &audit, false);
    // The group summary comes first, then a line per family, in order, with the audit's counts.
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("sgaudit: 20 security groups in 3 account(s)"), "{out}");
    let mut at = out.find("  status: ").unwrap();
    for family in ACCOUNT_FAMILIES {
        let line = format!(
            "  {}: {} fail, {} pass, {} not evaluated\n",
            family.title(),
            count(&audit, family, Outcome::Fail),
            count(&audit, family, Outcome::Pass),
            count(&audit, family, Outcome::NotEvaluated)
        );
        let found = out.find(&line).unwrap_or_else(|| panic!("no `{line}` in:\n{out}"));
        assert!(found > at, "{line} out of order");
        at = found;
    }
    assert!(
        out.contains(
            "  credential report of 123456789012: generated 2026-11-23T03:41:07+00:00, 18 min before the snapshot \
             was collected (IAM reuses a report for up to four hours)"
        ),
        "{out}"
    );
    // The groups table, then the failures: every one, worst first.
    assert!(out.find("┌").unwrap() < out.find("failed checks").unwrap());
    let failed: Vec<&CheckResult> = audit.results.iter().filter(|r| r.outcome == Outcome::Fail).collect();
    let lines = listed(&out, "failed checks");
    assert_eq!(lines.len(), failed.len(), "{out}");
    assert!(out.contains(&format!("failed checks ({}), worst first:", failed.len())));
    let rank = |line: &str| {
        let word = line.split_whitespace().next().unwrap();
        [Severity::Informational, Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
            .into_iter()
            .find(|s| s.id() == word)
            .unwrap_or_else(|| panic!("no severity in `{line}`"))
    };
    assert!(lines.windows(2).all(|w| rank(w[0]) >= rank(w[1])), "not worst first:\n{}", lines.join("\n"));
    for r in &failed {
        let line = format!("{} {}", r.check.id, r.evidence);
        assert!(lines.iter().any(|l| l.contains(r.check.id) && l.ends_with(&r.evidence)), "{line} is not listed");
    }
    assert!(lines[0].starts_with("  critical      s3-policy-public"), "{}", lines[0]);
    // An access key's line names the key: its evidence says `bob's access key 1`, not the resource.
    assert!(out.contains("global user/bob/access-key-1: bob's access key 1 is active, last rotated 266 day(s) ago"));
    // With three accounts, each line says whose.
    assert!(out.contains("iam-console-user-mfa           123456789012 global: bob signs in"), "{out}");

    // Every result not evaluated: its check, its severity and the reason, once per reason.
    let not_evaluated: Vec<&CheckResult> =
        audit.results.iter().filter(|r| r.outcome == Outcome::NotEvaluated).collect();
    assert!(out.contains(&format!("not evaluated ({}): ", not_evaluated.len())), "{out}");
    let section = &out[out.find("not evaluated (").unwrap()..];
    for r in &not_evaluated {
        assert!(section.contains(&format!("{} ({})", r.check.id, r.severity.id())), "{}", r.check.id);
        assert!(section.contains(&format!("      {}\n", r.evidence)), "{}", r.evidence);
    }
    // The unreachable account's IAM checks, together on one entry with its reason.
    let entry = listed(&out, "not evaluated (")
        .into_iter()
        .find(|l| l.contains(UNREACHABLE) && l.contains("iam-root-mfa"))
        .expect("the unreachable account's entry");
    assert!(entry.contains("iam-console-user-mfa (high)") && entry.contains("iam-password-reuse (low)"), "{entry}");
    // The second account's denied report: iam-generate... named in the reason.
    assert!(section.contains("iam:GenerateCredentialReport"), "{section}");
}

#[test]
fn without_groups_the_terminal_says_nothing_about_groups() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, Some(&[Family::Iam, Family::S3]));
    assert!(audit.groups.is_empty() && !audit.families.contains(&Family::Groups));
    let out = text(Format::Table, &snapshot, &audit, false);
    assert!(out.starts_with("sgaudit: IAM, S3 checks in 3 account(s), 4 region(s); security groups not judged\n"));
    // The summary above the lists (whose check ids may say `unused`) claims nothing about groups.
    let summary = &out[..out.find("failed checks").unwrap()];
    for claim in ["status:", "risk:", "in use", "unused", "unknown", "every source", "source lists", "Group"] {
        assert!(!summary.contains(claim), "`{claim}` in:\n{summary}");
    }
    assert!(!out.contains('┌'), "a groups table");
    assert!(out.contains("  IAM: ") && out.contains("  S3: "));
    assert!(!out.contains("  Network: ") && !out.contains("  CloudTrail: "));
    assert!(out.contains("failed checks (") && out.contains("not evaluated ("));
}

#[test]
fn a_groups_only_audit_prints_what_it_printed() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, Some(&[Family::Groups]));
    let out = text(Format::Table, &snapshot, &audit, false);
    assert!(out.contains("  status: ") && out.contains("┌"));
    for other in ["IAM:", "failed checks", "not evaluated", "credential report"] {
        assert!(!out.contains(other), "`{other}` in:\n{out}");
    }
}

/// The SGR colour sequences (`ESC [ digits ; m`) the table draws, removed.
fn without_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap_or(after.len());
        if after[end..].starts_with('m') {
            rest = &after[end + 1..];
        } else {
            out.push_str(&rest[i..i + 2]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn aws_text_in_the_account_checks_cannot_drive_the_terminal() {
    let snapshot = hostile();
    let audit = audit_of(&snapshot, None);
    let shown = sgaudit_report::printable(EVIL).into_owned();
    for color in [false, true] {
        let out = text(Format::Table, &snapshot, &audit, color);
        let plain = if color { without_colours(&out) } else { out.clone() };
        assert!(!plain.contains('\x1b'), "colour {color}: an escape from AWS text");
        let bad = plain.chars().find(|&c| c != '\n' && sgaudit_report::text::is_unprintable(c));
        assert_eq!(bad, None, "colour {color}");
        assert!(!plain.lines().any(|l| l.trim_start().starts_with("UNUSED")), "a forged line:\n{plain}");
        // The user's, the bucket's and the error's text are there, escaped.
        for what in ["bob", "drop", "denied"] {
            assert!(plain.contains(&format!("{what}{shown}")), "`{what}` not shown escaped (colour {color})");
        }
    }
    assert!(text(Format::Table, &snapshot, &audit, true).contains("\x1b[31m"), "colour is drawn");
}

// ---- The workbook ----

fn book(snapshot: &Snapshot, audit: &Audit) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(written(Format::Xlsx, snapshot, audit, false))).expect("an xlsx")
}

/// A sheet's rows as text, the header first.
fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<String>> {
    let range = book.worksheet_range(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    range.rows().map(|r| r.iter().map(Data::to_string).collect()).collect()
}

/// The rows as maps from column name to text.
fn records(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<BTreeMap<String, String>> {
    let rows = sheet(book, name);
    rows[1..].iter().map(|r| rows[0].iter().cloned().zip(r.iter().cloned()).collect()).collect()
}

fn find<'a>(rows: &'a [BTreeMap<String, String>], pairs: &[(&str, &str)]) -> &'a BTreeMap<String, String> {
    let matching: Vec<_> = rows.iter().filter(|r| pairs.iter().all(|(k, v)| r[*k] == *v)).collect();
    assert_eq!(matching.len(), 1, "{pairs:?}: {matching:?}");
    matching[0]
}

#[test]
fn the_workbook_has_the_sheets_of_the_families_judged() {
    let snapshot = fixture();
    for (families, expected) in [
        // Every sheet but `exceptions`, which a run without exceptions does not have.
        (None, xlsx::SHEETS.iter().copied().filter(|s| *s != "exceptions").collect()),
        (Some(&[Family::Iam][..]), vec!["summary", "access_keys", "mfa", "checks", "coverage"]),
        (Some(&[Family::Cloudtrail, Family::S3][..]), vec!["summary", "cloudtrail", "s3_grants", "checks", "coverage"]),
        (
            Some(&[Family::Groups, Family::Network][..]),
            vec![
                "summary",
                "default_sg",
                "ssh_open",
                "ssh_world",
                "all_groups",
                "unused",
                "findings",
                "open_ports",
                "checks",
                "coverage",
            ],
        ),
    ] {
        let audit = audit_of(&snapshot, families);
        assert_eq!(book(&snapshot, &audit).sheet_names(), expected, "{families:?}");
        assert_eq!(xlsx::sheets(&audit), expected);
    }
    // Without groups, the summary claims nothing about them.
    let audit = audit_of(&snapshot, Some(&[Family::Iam]));
    let summary = sheet(&mut book(&snapshot, &audit), "summary");
    let labels: BTreeSet<&str> = summary.iter().map(|r| r[0].as_str()).collect();
    for group_label in ["status", "risk", "cleanup candidates", "what unknown means", "evidence sources", "account_id"]
    {
        assert!(!labels.contains(group_label), "{group_label}");
    }
    assert!(labels.contains("what not evaluated means") && labels.contains("IAM"));
}

#[test]
fn the_summary_counts_each_family_and_dates_the_credential_report() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let summary = sheet(&mut book(&snapshot, &audit), "summary");
    let header = summary.iter().position(|r| r[0] == "checks").expect("the table of checks");
    assert_eq!(summary[header][1..4], ["fail", "pass", "not_evaluated"]);
    for (row, family) in summary[header + 1..].iter().zip(ACCOUNT_FAMILIES) {
        assert_eq!(row[0], family.title());
        let expected =
            [Outcome::Fail, Outcome::Pass, Outcome::NotEvaluated].map(|o| count(&audit, family, o).to_string());
        assert_eq!(row[1..4], expected, "{family:?}");
    }
    let report =
        summary.iter().find(|r| r[0] == "123456789012" && r[1].starts_with("2026-")).expect("the report's row");
    assert_eq!(report[1..3], ["2026-11-23T03:41:07+00:00", "18 min before the snapshot was collected"]);
    let results = &summary.iter().find(|r| r[0] == "results").unwrap()[1];
    assert!(results.starts_with("partial") && results.contains("not evaluated"), "{results}");
}

#[test]
fn access_keys_have_their_state_age_and_rotation_result() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let rows = records(&mut book(&snapshot, &audit), "access_keys");
    let bob = find(&rows, &[("user", "bob"), ("key_slot", "1")]);
    assert_eq!(bob["state"], "active");
    assert_eq!(bob["last_rotated"], "2026-03-01T09:00:00+00:00");
    assert_eq!(bob["age_days"], "266", "days from the snapshot's collection");
    assert_eq!(bob["last_used"], "2026-11-20T09:00:00+00:00");
    assert_eq!((bob["check_id"].as_str(), bob["result"].as_str()), ("iam-access-key-rotation", "fail"));
    assert_eq!(bob["severity"], "medium");
    let inactive = find(&rows, &[("user", "ci-deploy"), ("key_slot", "2")]);
    assert_eq!((inactive["state"].as_str(), inactive["result"].as_str()), ("inactive", "pass"));
    assert_eq!(inactive["severity"], "", "a pass has no severity");
    let alice = find(&rows, &[("user", "alice"), ("key_slot", "1")]);
    assert_eq!((alice["age_days"].as_str(), alice["result"].as_str()), ("52", "pass"));
    // Every key of the credential report, plus a row for each result no key shows: the accounts whose
    // report could not be read, and root's check.
    let keys: usize = snapshot
        .account_evidence
        .iter()
        .filter_map(|e| e.credential_report.as_ref())
        .flat_map(|r| &r.users)
        .map(|u| u.access_keys.len())
        .sum();
    let rotation = audit.results.iter().filter(|r| r.check.id == "iam-access-key-rotation").count();
    let root = audit.results.iter().filter(|r| r.check.id == "iam-root-access-key").count();
    assert_eq!(rows.len(), keys + (rotation - keys) + root, "{rows:#?}");
    for account in [SECOND, UNREACHABLE] {
        let row = find(&rows, &[("account_id", account), ("check_id", "iam-access-key-rotation")]);
        assert_eq!(row["result"], "not_evaluated");
        assert_eq!(row["user"], "");
    }
    let second = find(&rows, &[("account_id", SECOND), ("check_id", "iam-access-key-rotation")]);
    assert!(second["evidence"].contains("iam:GenerateCredentialReport"), "{second:?}");
    let unreachable = find(&rows, &[("account_id", UNREACHABLE), ("check_id", "iam-root-access-key")]);
    assert!(unreachable["evidence"].contains("could not be read"), "{unreachable:?}");
}

#[test]
fn mfa_has_a_row_per_user_with_the_check_that_applies() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let rows = records(&mut book(&snapshot, &audit), "mfa");
    let root = find(&rows, &[("user", "<root_account>")]);
    assert_eq!(
        (root["check_id"].as_str(), root["result"].as_str(), root["mfa"].as_str()),
        ("iam-root-mfa", "pass", "true")
    );
    assert_eq!(root["console_password"], "", "the report says not_supported for root");
    let bob = find(&rows, &[("user", "bob")]);
    assert_eq!(
        [&bob["console_password"], &bob["mfa"], &bob["check_id"], &bob["result"], &bob["severity"]],
        ["true", "false", "iam-console-user-mfa", "fail", "high"]
    );
    let ci = find(&rows, &[("user", "ci-deploy")]);
    assert_eq!([&ci["console_password"], &ci["check_id"], &ci["result"]], ["false", "iam-user-mfa", "fail"]);
    assert_eq!(find(&rows, &[("user", "=2+5")])["result"], "fail");
    // The accounts without a report: one row per MFA check, not evaluated.
    for account in [SECOND, UNREACHABLE] {
        let of: Vec<_> = rows.iter().filter(|r| r["account_id"] == account).collect();
        assert_eq!(of.len(), 3, "{account}: {of:?}");
        assert!(of.iter().all(|r| r["result"] == "not_evaluated" && !r["evidence"].is_empty()));
    }
}

#[test]
fn cloudtrail_has_one_row_per_account_region() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let rows = records(&mut book(&snapshot, &audit), "cloudtrail");
    assert_eq!(rows.len(), snapshot.regions.len());
    let covered = find(&rows, &[("account_id", "123456789012"), ("region", "us-east-1")]);
    assert_eq!((covered["covered"].as_str(), covered["result"].as_str()), ("yes", "pass"));
    assert!(covered["trails"].contains("org-audit (home us-east-1, multi-region, organisation, logging)"));
    assert!(covered["trails"].contains("dev-writes (home us-east-1, not logging)"));
    let denied = find(&rows, &[("account_id", "123456789012"), ("region", "eu-west-1")]);
    assert_eq!((denied["covered"].as_str(), denied["result"].as_str()), ("unknown", "not_evaluated"));
    assert!(denied["evidence"].contains("cloudtrail:DescribeTrails"));
    for region in ["eu-west-1", "us-east-1"] {
        let none = find(&rows, &[("account_id", SECOND), ("region", region)]);
        assert_eq!((none["covered"].as_str(), none["result"].as_str()), ("no", "fail"));
        assert_eq!(none["severity"], "high");
    }
}

#[test]
fn s3_grants_has_a_row_per_grant_with_each_checks_result() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let rows = records(&mut book(&snapshot, &audit), "s3_grants");
    let grants: usize = snapshot.account_evidence.iter().flat_map(|e| &e.buckets).map(|b| b.grants.len().max(1)).sum();
    // Every grant, and one row for each account without buckets (the second) or not read (the third).
    assert_eq!(rows.len(), grants + 2);
    let public = find(&rows, &[("bucket", "demo-public-site"), ("grantee", "AllUsers (everyone)")]);
    assert_eq!(public["permission"], "READ");
    assert_eq!(public["ownership"], "ObjectWriter");
    assert_eq!(public["bucket_public_access_block"], "none configured");
    assert_eq!(public["s3-acl-public"], "fail");
    assert_eq!(public["s3-policy-public"], "fail");
    assert_eq!(public["s3-account-public-access-block"], "fail", "the account's result is on its buckets' rows");
    assert!(public["evidence"].contains("s3-acl-public: demo-public-site: ACL grants READ to AllUsers"));
    let owner = find(&rows, &[("bucket", "demo-public-site"), ("grantee", "demo-owner (owner)")]);
    assert_eq!(owner["permission"], "FULL_CONTROL");
    let partner = find(&rows, &[("bucket", "demo-partner-drop"), ("grantee", "partner-co")]);
    assert_eq!(partner["permission"], "WRITE_ACP");
    assert_eq!(partner["s3-acl-other-account-write"], "fail");
    // The policy could not be read: both policy checks not evaluated, the reason said once for both.
    assert_eq!(partner["s3-policy-public"], "not_evaluated");
    assert_eq!(partner["s3-policy-ssl"], "not_evaluated");
    assert!(partner["evidence"]
        .contains("s3-policy-public, s3-policy-ssl: demo-partner-drop: AccessDenied (s3:GetBucketPolicy)"));
    let log = find(&rows, &[("bucket", "demo-logs-123456789012"), ("permission", "WRITE")]);
    assert_eq!(log["grantee"], "LogDelivery (S3 server access logs)");
    let second = find(&rows, &[("account_id", SECOND)]);
    assert_eq!(second["bucket"], "");
    assert_eq!(second["s3-acl-public"], "pass");
    assert_eq!(second["s3-account-public-access-block"], "pass");
    let unreachable = find(&rows, &[("account_id", UNREACHABLE)]);
    let s3: Vec<&str> = CHECKS.iter().filter(|c| c.family == Family::S3).map(|c| c.id).collect();
    assert!(s3.iter().all(|id| unreachable[*id] == "not_evaluated"), "{unreachable:?}");
}

#[test]
fn open_ports_lists_each_group_that_net_sg_open_port_failed() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let rows = records(&mut book(&snapshot, &audit), "open_ports");
    let listed: Vec<&CheckResult> =
        audit.results.iter().filter(|r| r.check.id == "net-sg-open-port" && r.outcome != Outcome::Pass).collect();
    assert_eq!(rows.len(), listed.len());
    let bastion = find(&rows, &[("security_group_id", "sg-0a300000000ba5710")]);
    assert_eq!(bastion["group_name"], "bastion");
    assert_eq!(bastion["open_to_world"], "tcp 22 from 0.0.0.0/0");
    assert_eq!((bastion["status"].as_str(), bastion["result"].as_str()), ("in_use", "fail"));
    let rdp = find(&rows, &[("security_group_id", "sg-0aa00000000ad3389")]);
    assert_eq!(rdp["open_to_world"], "tcp 3389 from ::/0");
    // The second account's eu-west-1 groups could not be read: not evaluated, with the denied action.
    let denied = find(&rows, &[("account_id", SECOND)]);
    assert_eq!((denied["region"].as_str(), denied["result"].as_str()), ("eu-west-1", "not_evaluated"));
    assert!(denied["evidence"].contains("ec2:DescribeSecurityGroups"));
}

#[test]
fn checks_has_every_result_in_the_audits_order() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let rows = records(&mut book(&snapshot, &audit), "checks");
    assert_eq!(rows.len(), audit.results.len());
    for (row, r) in rows.iter().zip(&audit.results) {
        assert_eq!(row["check_id"], r.check.id);
        assert_eq!(row["title"], r.check.title);
        assert_eq!(row["family"], r.check.family.id());
        assert_eq!(row["outcome"], r.outcome.id());
        assert_eq!(row["severity"], r.severity.id());
        assert_eq!(row["account_id"], r.location.account_id);
        assert_eq!(row["region"], r.location.region.as_deref().unwrap_or(""));
        assert_eq!(row["resource_type"], r.location.resource_type);
        assert_eq!(row["resource"], r.location.resource);
        assert_eq!(row["evidence"], r.evidence);
        assert_eq!(row["controls"], r.check.controls.join(" | "));
        assert_eq!(row["remediation"], r.check.remediation);
    }
    assert_eq!(find(&rows, &[("check_id", "iam-root-mfa"), ("account_id", "123456789012")])["outcome"], "pass");
    let controls = &find(&rows, &[("check_id", "net-sg-ipv6-admin-port"), ("outcome", "fail")])["controls"];
    assert!(controls.contains("AWS Security Hub EC2.54") && controls.contains("CIS AWS v3.0.0 5.3"), "{controls}");
}

#[test]
fn aws_text_in_the_new_sheets_is_text_never_a_formula() {
    let snapshot = hostile();
    let audit = audit_of(&snapshot, None);
    let mut book = book(&snapshot, &audit);
    let bob = format!("{FORMULA}bob{EVIL}");
    let bucket = format!("{FORMULA}drop{EVIL}");
    let partner = format!("{FORMULA}partner{EVIL}");
    for (name, column, value) in [
        ("access_keys", "user", bob.as_str()),
        ("mfa", "user", bob.as_str()),
        ("mfa", "user", "=2+5"),
        ("s3_grants", "bucket", bucket.as_str()),
        ("s3_grants", "grantee", partner.as_str()),
    ] {
        let range = book.worksheet_range(name).unwrap();
        let header: Vec<String> = range.rows().next().unwrap().iter().map(Data::to_string).collect();
        let c = header.iter().position(|h| h == column).unwrap();
        // A string cell holding the value exactly: no `'` added, nothing evaluated.
        assert!(
            range.rows().any(|r| r[c] == Data::String(value.to_string())),
            "{name}/{column}: no string cell {value:?}"
        );
    }
    let checks = records(&mut book, "checks");
    assert!(checks.iter().any(|r| r["evidence"].starts_with(&bucket)), "the evidence keeps the bucket's name");
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert_eq!(formulas.used_cells().count(), 0, "{name} has formulas");
    }
}

// ---- The HTML page ----

fn page(snapshot: &Snapshot, audit: &Audit) -> String {
    text(Format::Html, snapshot, audit, false)
}

/// The markup of the element that opens with `open` up to its `close`.
fn between<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html.find(open).unwrap_or_else(|| panic!("no {open}"));
    let end = start + html[start..].find(close).unwrap_or_else(|| panic!("no {close} after {open}"));
    &html[start..end]
}

/// `text` as maud writes it in markup.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[test]
fn each_family_has_a_section_with_its_checks_results_and_not_evaluated_counted() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, None);
    let html = page(&snapshot, &audit);
    for family in ACCOUNT_FAMILIES {
        let anchor = format!("family-{}", family.id());
        assert!(html.contains(&format!("<a href=\"#{anchor}\">{}</a>", family.title())), "nav to {anchor}");
        let section = between(&html, &format!("<section class=\"family\" id=\"{anchor}\""), "</section>");
        let n = |o| count(&audit, family, o);
        // The counts, by outcome.
        for (label, outcome) in
            [("fail", Outcome::Fail), ("not evaluated", Outcome::NotEvaluated), ("pass", Outcome::Pass)]
        {
            let badge = format!(
                "<span class=\"badge outcome-{}\">{label}</span> <strong>{}</strong>",
                outcome.id(),
                n(outcome)
            );
            assert!(section.contains(&badge), "{family:?}: {badge}");
        }
        // Every check of the family, with its controls; the fix where it failed; every result's evidence.
        for check in CHECKS.iter().filter(|c| c.family == family) {
            let article =
                between(section, &format!("<article class=\"check\" id=\"check-{}\">", check.id), "</article>");
            assert!(article.contains(&escaped(check.title)), "{}", check.id);
            assert!(article.contains(&escaped(&check.controls.join(", "))), "{}", check.id);
            let results: Vec<&CheckResult> = audit.results.iter().filter(|r| r.check.id == check.id).collect();
            let failed = results.iter().any(|r| r.outcome == Outcome::Fail);
            assert_eq!(
                article.contains(&escaped(check.remediation)),
                failed,
                "{}: the fix shows when it failed",
                check.id
            );
            for r in &results {
                assert!(article.contains(&escaped(&r.evidence)), "{}: {}", check.id, r.evidence);
            }
            let unknown = results.iter().filter(|r| r.outcome == Outcome::NotEvaluated).count();
            assert_eq!(article.matches("<tr class=\"row-not_evaluated\">").count(), unknown, "{}", check.id);
            assert!(article.contains(&format!(" · {unknown} not evaluated · ")), "{}", check.id);
            // Passes are folded away; failures and results not evaluated are not.
            if let Some(folded) = article.find("<details class=\"passes\">") {
                assert!(!article[folded..].contains("row-fail") && !article[folded..].contains("row-not_evaluated"));
            }
        }
    }
    // The summary: an overview row per family, and the alert counts what could not be evaluated.
    let summary = between(&html, "<section id=\"summary\"", "</section>");
    let total = audit.count_outcome(Outcome::NotEvaluated);
    assert!(summary.contains(&format!("<strong>{total} check result(s) could not be evaluated</strong>")), "{summary}");
    assert!(summary.contains("<a href=\"#family-cloudtrail\">CloudTrail</a>"));
    assert!(summary.contains("aria-labelledby=\"chart-families-title chart-families-desc\""));
    assert!(summary.contains("IAM credential report of <span class=\"mono\">123456789012</span>: generated"));
    // The group findings no longer claim the account checks found nothing.
    let findings = between(&html, "<section id=\"findings\"", "</section>");
    assert!(!findings.contains("iam-") && !findings.contains("s3-") && !findings.contains("cloudtrail-"));
}

#[test]
fn a_page_without_groups_has_no_group_sections() {
    let snapshot = fixture();
    let audit = audit_of(&snapshot, Some(&[Family::Iam, Family::Cloudtrail]));
    let html = page(&snapshot, &audit);
    assert!(html.contains("<h1>Security audit</h1>"));
    for absent in [
        "id=\"groups\"",
        "id=\"charts\"",
        "id=\"findings\"",
        "id=\"groups-table\"",
        "group(s) are unknown",
        "Security groups</div>",
        "href=\"#groups\"",
        "id=\"family-s3\"",
        "id=\"family-network\"",
    ] {
        assert!(!html.contains(absent), "{absent}");
    }
    assert!(html.contains("id=\"family-iam\"") && html.contains("id=\"family-cloudtrail\""));
    // The page's script and its (empty) island are there, the script ends at once.
    assert_eq!(html.matches("<script").count(), 2);
}

#[test]
fn aws_text_in_the_family_sections_is_escaped_text() {
    let snapshot = hostile();
    let audit = audit_of(&snapshot, None);
    let html = page(&snapshot, &audit);
    assert_eq!(html.matches("<script").count(), 2, "only the island and the page's script");
    assert!(!html.contains("<img"), "markup from AWS text");
    assert!(!html.contains("<script>alert(1)"));
    for value in [format!("{FORMULA}bob{EVIL}"), format!("{FORMULA}drop{EVIL}")] {
        // maud escapes markup and keeps the rest (a browser shows an ESC as nothing): the text is there.
        assert!(html.contains(&escaped(&value)), "{value:?} is not shown escaped");
    }
    let iam = between(&html, "<section class=\"family\" id=\"family-iam\"", "</section>");
    assert!(iam.contains(&escaped(&format!("{FORMULA}bob{EVIL} signs in with a password and no MFA"))));
    let s3 = between(&html, "<section class=\"family\" id=\"family-s3\"", "</section>");
    assert!(s3.contains(&escaped(&format!("denied{EVIL}"))), "the error message");
}

#[test]
fn many_accounts_credential_reports_fold_into_a_table() {
    let mut snapshot = fixture();
    let template = snapshot.account_evidence[0].clone();
    for k in 0..11 {
        let mut evidence = template.clone();
        evidence.account_id = format!("4444444444{k:02}");
        snapshot.account_evidence.push(evidence);
    }
    let audit = audit_of(&snapshot, Some(&[Family::Iam]));
    let html = page(&snapshot, &audit);
    let summary = between(&html, "<section id=\"summary\"", "</section>");
    assert!(summary.contains("IAM credential reports of 12 accounts, the oldest generated 18 min before"), "{summary}");
    assert!(!summary.contains("444444444400"));
    let iam = between(&html, "<section class=\"family\" id=\"family-iam\"", "</section>");
    let table = between(iam, "<details class=\"reports\">", "</details>");
    assert_eq!(table.matches("<tr><td class=\"mono\">").count(), 12);
    assert!(table.contains("<td class=\"mono\">444444444410</td><td class=\"nowrap\">2026-11-23T03:41:07+00:00</td>"));
    // The terminal and the workbook give every account its line.
    let out = text(Format::Table, &snapshot, &audit, false);
    assert_eq!(out.matches("  credential report of ").count(), 12);
    let summary = sheet(&mut book(&snapshot, &audit), "summary");
    assert_eq!(summary.iter().filter(|r| r[1] == "2026-11-23T03:41:07+00:00").count(), 12);
}

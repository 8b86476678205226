//! The change that fixes a finding or a result ([`sgaudit_audit::Fix`]), as the reports write it for people
//! to copy: the AWS CLI commands one a line, each made printable, and a shell comment naming what they fix.
//!
//! Commands are pasted into a shell. A line break inside one would start a second command there, and an
//! escape sequence would drive the terminal it is pasted into; so every command, and the summary in its
//! comment, goes through [`printable`]: such a character is shown escaped (`\u{a}`), which breaks that one
//! command rather than running another. The JSON report keeps every value exactly.

use std::borrow::Cow;

use sgaudit_audit::Fix;

use crate::text::printable;

/// The commands, each on one line and printable.
pub(crate) fn commands(fix: &Fix) -> Vec<Cow<'_, str>> {
    fix.cli.iter().map(|c| printable(c)).collect()
}

/// The commands one a line: what a copy button copies.
pub(crate) fn cli_text(fix: &Fix) -> String {
    commands(fix).join("\n")
}

/// The lines of the Terraform snippet, each printable (a snippet has line breaks of its own, nothing else).
pub(crate) fn terraform_lines(fix: &Fix) -> Vec<Cow<'_, str>> {
    fix.terraform.as_deref().map(|t| t.lines().map(printable).collect()).unwrap_or_default()
}

/// A script to review and paste: `# <check>: <summary>`, then the commands. A fix without commands is its
/// comment alone.
pub(crate) fn script(check_id: &str, fix: &Fix) -> String {
    let mut out = format!("# {check_id}: {}", printable(&fix.summary));
    for command in commands(fix) {
        out.push('\n');
        out.push_str(&command);
    }
    out
}

/// The scripts of several findings, one after another (a group's CSV row).
pub(crate) fn scripts<'a>(fixes: impl IntoIterator<Item = (&'a str, Fix)>) -> String {
    fixes.into_iter().map(|(check, fix)| script(check, &fix)).collect::<Vec<_>>().join("\n")
}

/// The whole fix in plain text, for a format with one field for it (OCSF's `remediation.desc`): the summary,
/// the commands, the Terraform snippet. Values are exact: the format's own encoding makes them safe.
pub(crate) fn text(fix: &Fix) -> String {
    let mut out = fix.summary.clone();
    if !fix.cli.is_empty() {
        out.push_str("\nAWS CLI:\n");
        out.push_str(&fix.cli.join("\n"));
    }
    if let Some(terraform) = &fix.terraform {
        out.push_str("\nTerraform:\n");
        out.push_str(terraform);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fix as someone hostile would have its values land in one: a formula, markup, a colour escape, a
    /// line break that would start a second command.
    pub(crate) fn hostile_fix() -> Fix {
        Fix {
            summary: "=cmd|' /C calc'!A0 <script>alert(1)</script>\x1b[31m\nrm -rf ~".into(),
            cli: vec![
                "aws ec2 revoke-security-group-ingress --group-id sg-0a --ip-permissions '<script>'".into(),
                "aws ec2 authorize-security-group-ingress --group-id sg-0a --description \"\x1b[31m\"\nrm -rf ~".into(),
            ],
            terraform: Some(
                "resource \"aws_security_group_rule\" \"ssh\" {\n  description = \"<script>\x1b[31m\"\n}".into(),
            ),
        }
    }

    #[test]
    fn each_command_stays_one_printable_line() {
        let fix = hostile_fix();
        let cli = cli_text(&fix);
        assert_eq!(cli.lines().count(), 2, "{cli}");
        assert!(!cli.contains('\x1b'));
        assert!(cli.lines().all(|l| l.starts_with("aws ec2 ")), "{cli}");
        let script = script("sg-world-open-ssh", &fix);
        assert_eq!(script.lines().count(), 3, "{script}");
        assert!(script.starts_with("# sg-world-open-ssh: =cmd|' /C calc'!A0 <script>"), "{script}");
        assert!(!script.lines().any(|l| l.starts_with("rm ")), "{script}");
        assert_eq!(terraform_lines(&fix).len(), 3);
        assert!(terraform_lines(&fix).iter().all(|l| !l.contains('\x1b')));
        // The plain text keeps the values exactly, for formats that encode them.
        assert!(text(&fix).contains("\nrm -rf ~"));
    }
}

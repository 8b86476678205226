//! docs/checks.md and the README's table of checks are written from the checks' own descriptions
//! (`CHECKS`): this test keeps them equal. `SGAUDIT_UPDATE_DOCS=1 cargo test -p sgaudit-audit --test docs`
//! writes them anew.

use sgaudit_audit::checks::{Check, Family, CHECKS};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn controls(check: &Check) -> String {
    if check.controls.is_empty() {
        "—".to_string()
    } else {
        check.controls.join(", ")
    }
}

/// One line of a Markdown table cell: no pipes or line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn checks_md() -> String {
    let mut out = String::from(
        "# The checks\n\n<!-- Written by crates/audit/tests/docs.rs from each check's own description \
         (crates/audit/src/checks/<family>/<check>.rs); do not edit by hand. -->\n\n\
         Every check has a stable id (Security Hub finding ids and exceptions are built on it), a family \
         (`--checks`), the severity of a failure, and the controls it maps to: AWS Foundational Security Best \
         Practices (`AWS FSBP`), other AWS Security Hub controls (`AWS Security Hub`), and the CIS AWS \
         Foundations Benchmark v3.0.0 and v5.0.0. A result is `pass`, `fail` or `not_evaluated`: where a source a \
         check reads could not be read (denied, failed, not in the snapshot), its results there are \
         `not_evaluated`, never `pass`, and the exit code is 3.\n",
    );
    for family in Family::ALL {
        out.push_str(&format!("\n## {} (`{}`)\n", family.title(), family.id()));
        for check in CHECKS.iter().filter(|c| c.family == family) {
            out.push_str(&format!(
                "\n### {}\n\n**{}** — severity `{}`; controls: {}.\n\n{}\n\n*Reads:* {}.\n\n*How to fix:* {}\n",
                check.id,
                check.title,
                check.severity.id(),
                controls(check),
                check.description,
                if check.reads == sgaudit_snapshot::SOURCES {
                    "every holder source of the group's account-region".to_string()
                } else {
                    check.reads.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                },
                check.remediation,
            ));
        }
    }
    out
}

fn readme_table() -> String {
    let mut out = String::from("| id | what it looks at | controls | how to fix |\n|---|---|---|---|\n");
    for check in CHECKS {
        out.push_str(&format!(
            "| [`{}`](docs/checks.md#{}) | {} | {} | {} |\n",
            check.id,
            check.id,
            cell(check.description),
            cell(&controls(check)),
            cell(check.remediation)
        ));
    }
    out
}

fn between(text: &str, begin: &str, end: &str) -> Option<(usize, usize)> {
    let start = text.find(begin)? + begin.len();
    let stop = start + text[start..].find(end)?;
    Some((start, stop))
}

#[test]
fn the_docs_of_the_checks_are_written_from_the_checks() {
    let update = std::env::var_os("SGAUDIT_UPDATE_DOCS").is_some();
    let md_path = root().join("docs/checks.md");
    let md = checks_md();
    if update {
        std::fs::write(&md_path, &md).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&md_path).unwrap_or_default(),
        md,
        "docs/checks.md is stale: SGAUDIT_UPDATE_DOCS=1"
    );

    let readme_path = root().join("README.md");
    let mut readme = std::fs::read_to_string(&readme_path).unwrap();
    let (begin, end) = ("<!-- checks:begin -->\n", "<!-- checks:end -->");
    let (start, stop) = between(&readme, begin, end).expect("the README has a checks:begin/checks:end block");
    let table = readme_table();
    if update {
        readme.replace_range(start..stop, &table);
        std::fs::write(&readme_path, &readme).unwrap();
    }
    assert_eq!(&readme[start..stop], table, "the README's table of checks is stale: SGAUDIT_UPDATE_DOCS=1");
}

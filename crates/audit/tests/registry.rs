//! A new check is a file in `src/checks/<family>/`, a `pub mod` line in that family's `mod.rs`, and a line in
//! [`CHECKS`]. Forgetting either line would compile and leave the check silently unjudged (a file no `mod`
//! names is not even compiled): this test reads the folder and proves each file is wired in, in the family
//! its folder names.

use std::collections::BTreeMap;
use std::path::Path;

use sgaudit_audit::checks::CHECKS;

/// The check id a file declares: the first `id: "…"` after `pub const CHECK: Check`.
fn declared_id(text: &str) -> Option<&str> {
    let after = &text[text.find("pub const CHECK: Check")?..];
    let rest = &after[after.find("id: \"")? + 5..];
    Some(&rest[..rest.find('"')?])
}

#[test]
fn every_check_file_is_declared_and_listed_in_its_family() {
    let checks = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
    let listed: BTreeMap<&str, &str> = CHECKS.iter().map(|c| (c.id, c.family.id())).collect();
    let mut files = 0;
    for family_dir in std::fs::read_dir(&checks).expect("src/checks is readable") {
        let family_dir = family_dir.expect("an entry").path();
        if !family_dir.is_dir() || family_dir.file_name().is_some_and(|n| n == "snapshots") {
            continue;
        }
        let family = family_dir.file_name().and_then(|n| n.to_str()).expect("a UTF-8 folder name").to_string();
        let family_mod = std::fs::read_to_string(family_dir.join("mod.rs")).expect("each family has a mod.rs");
        for file in std::fs::read_dir(&family_dir).expect("the family folder is readable") {
            let path = file.expect("an entry").path();
            let stem = path.file_stem().and_then(|n| n.to_str()).expect("a UTF-8 file name").to_string();
            if path.extension().is_none_or(|e| e != "rs") || stem == "mod" {
                continue;
            }
            files += 1;
            assert!(
                family_mod.contains(&format!("pub mod {stem};")),
                "src/checks/{family}/{stem}.rs is not declared in src/checks/{family}/mod.rs (`pub mod {stem};`)"
            );
            let text = std::fs::read_to_string(&path).expect("the check file is readable");
            let id = declared_id(&text)
                .unwrap_or_else(|| panic!("src/checks/{family}/{stem}.rs declares no `pub const CHECK: Check`"));
            let listed_family = listed
                .get(id)
                .unwrap_or_else(|| panic!("check {id} (src/checks/{family}/{stem}.rs) is not listed in CHECKS"));
            assert_eq!(
                *listed_family, family,
                "check {id} lives in src/checks/{family}/ but says family {listed_family}"
            );
        }
    }
    // Every listed check has its file: the count of files is the count of checks.
    assert_eq!(files, CHECKS.len(), "CHECKS lists a check that has no file of its own in src/checks/<family>/");
}

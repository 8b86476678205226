//! The test that keeps a crate's end-to-end tests one binary whole (`tests/main.rs` of this crate and of
//! `sgaudit`, which includes this file).

/// With `autotests = false`, a test file not declared in `tests/main.rs` would be compiled by nobody and run
/// never.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(module) = name.strip_suffix(".rs") else { continue };
        if module != "main" {
            assert!(main.contains(&format!("\nmod {module};")), "tests/{name} is not declared in tests/main.rs");
        }
    }
}

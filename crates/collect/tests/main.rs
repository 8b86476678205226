//! The collect crate's tests, in one binary: each file here is a module of it (`cargo test --workspace --test collect
//! canned::` runs one file's tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actions_moto;
mod canned;
mod inventory;

/// With `autotests = false`, a test file not named above would be compiled by nobody and run never.
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

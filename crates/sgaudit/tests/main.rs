//! sgaudit's end-to-end tests, in one binary: each file here is a module of it (`cargo test --workspace --test e2e
//! faults::` runs one file's tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod cleanup_moto;
mod cli;
mod config;
mod cross_account;
mod faults;
mod history_cli;
mod history_moto;
mod holders_ec2_family;
mod holders_existing_a;
mod holders_existing_b;
mod holders_services_a;
mod holders_services_b;
mod holders_services_c;
mod hygiene_moto;
mod org_moto;
mod org_scale;
mod permissions;
mod posture_judged;
mod posture_moto;
mod preflight_moto;
mod reach_moto;
mod reports;
mod scan_moto;
mod securityhub_moto;

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

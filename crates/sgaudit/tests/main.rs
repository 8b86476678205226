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

/// collect's, shared: every file of `tests/` is a module here.
#[path = "../../collect/tests/one_binary.rs"]
mod one_binary;

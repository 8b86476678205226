//! The collect crate's tests, in one binary: each file here is a module of it (`cargo test --workspace --test collect
//! canned::` runs one file's tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actions_moto;
mod canned;
mod inventory;
mod one_binary;

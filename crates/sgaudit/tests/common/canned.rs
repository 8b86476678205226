//! Answers in each service's real wire format for the list calls of sources whose service (or operation)
//! moto does not implement. Every e2e test's moto has [`empty_lists`] in front of it (see `Moto::start`),
//! so that those sources read as complete, as they would in an account that has none of those resources;
//! a test that needs such a service to hold a group answers with a resource of its own first
//! (`Moto::start_answering`). The README's test notes list the services answered here.
//!
//! Each family of sources keeps its answers in its own file, so that the families are written apart.
#![allow(dead_code)]

use super::proxy::{Fault, Rule};

#[path = "canned_ec2_family.rs"]
pub mod ec2_family;
#[path = "canned_existing_a.rs"]
mod existing_a;
#[path = "canned_existing_b.rs"]
mod existing_b;
#[path = "canned_services_a.rs"]
mod services_a;
#[path = "canned_services_b.rs"]
mod services_b;
#[path = "canned_services_c.rs"]
mod services_c;

/// Every canned empty list.
pub fn empty_lists() -> Vec<Rule> {
    let mut rules = Vec::new();
    rules.extend(ec2_family::empty_lists());
    rules.extend(existing_a::empty_lists());
    rules.extend(existing_b::empty_lists());
    rules.extend(services_a::empty_lists());
    rules.extend(services_b::empty_lists());
    rules.extend(services_c::empty_lists());
    rules
}

/// Answers requests matching `needle` with a JSON body (the awsJson 1.0/1.1 and restJson protocols): e.g.
/// `json("service=apprunner && ListVpcConnectors", r#"{"VpcConnectors":[]}"#)`. For restJson, match the
/// operation as `METHOD /path` (`service=amp && GET /scrapers`).
pub fn json(needle: &str, body: &str) -> Rule {
    Rule::always(
        needle,
        Fault::Answer { status: 200, content_type: "application/json".to_string(), body: body.to_string() },
    )
}

/// Answers requests matching `needle` with an XML body (the ec2 and awsQuery protocols).
pub fn xml(needle: &str, body: &str) -> Rule {
    Rule::always(needle, Fault::Answer { status: 200, content_type: "text/xml".to_string(), body: body.to_string() })
}

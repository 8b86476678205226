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
pub mod existing_a;
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
    scoped(needle);
    Rule::always(
        needle,
        Fault::Answer { status: 200, content_type: "application/json".to_string(), body: body.to_string() },
    )
}

/// Answers requests matching `needle` with an XML body (the ec2 and awsQuery protocols).
pub fn xml(needle: &str, body: &str) -> Rule {
    scoped(needle);
    Rule::always(needle, Fault::Answer { status: 200, content_type: "text/xml".to_string(), body: body.to_string() })
}

/// Answers requests matching `needle` with `body` in the Smithy RPC v2 CBOR protocol (AppStream,
/// CodeConnections): `cbor("service=appstream && /operation/DescribeFleets", &json!({"Fleets": []}))`.
pub fn cbor(needle: &str, body: &serde_json::Value) -> Rule {
    scoped(needle);
    Rule::always(
        needle,
        Fault::AnswerBytes {
            status: 200,
            content_type: "application/cbor".to_string(),
            headers: vec![("smithy-protocol".to_string(), "rpc-v2-cbor".to_string())],
            body: to_cbor(body),
        },
    )
}

/// A JSON value in CBOR (RFC 8949): maps, arrays, text, booleans, null and integers, as the canned
/// answers need. Numbers with a fraction are written as doubles.
pub fn to_cbor(value: &serde_json::Value) -> Vec<u8> {
    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend([m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(m | 26);
                out.extend((n as u32).to_be_bytes());
            }
            _ => {
                out.push(m | 27);
                out.extend(n.to_be_bytes());
            }
        }
    }
    fn go(out: &mut Vec<u8>, v: &serde_json::Value) {
        use serde_json::Value;
        match v {
            Value::Null => out.push(0xf6),
            Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    head(out, 0, u);
                } else if let Some(i) = n.as_i64() {
                    head(out, 1, (-1 - i) as u64);
                } else {
                    out.push(0xfb);
                    out.extend(n.as_f64().unwrap_or_default().to_be_bytes());
                }
            }
            Value::String(s) => {
                head(out, 3, s.len() as u64);
                out.extend(s.as_bytes());
            }
            Value::Array(items) => {
                head(out, 4, items.len() as u64);
                for item in items {
                    go(out, item);
                }
            }
            Value::Object(map) => {
                head(out, 5, map.len() as u64);
                for (k, item) in map {
                    head(out, 3, k.len() as u64);
                    out.extend(k.as_bytes());
                    go(out, item);
                }
            }
        }
    }
    let mut out = Vec::new();
    go(&mut out, value);
    out
}

/// A canned answer names its service first (`service=ec2 && …`): the proxy matches the operation *or the
/// body*, and an unscoped needle such as `DescribeStaleSecurityGroups` also matches, say, the IAM request
/// that puts a policy naming that action, which would then get EC2's answer instead of IAM's.
fn scoped(needle: &str) {
    assert!(needle.starts_with("service="), "a canned answer must name its service first: {needle}");
}

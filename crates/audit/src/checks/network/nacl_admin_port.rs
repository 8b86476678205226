use sgaudit_snapshot::posture::NetworkAcl;

use super::ADMIN_PORTS;
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::{Command, Json};
use crate::fix::terraform::{self, Resource, Value};
use crate::fix::Fix;
use crate::rules::Protocol;

pub const CHECK: Check = Check {
    id: "net-nacl-admin-port",
    title: "Network ACL admits remote administration ports from the internet",
    family: Family::Network,
    severity: Severity::Medium,
    controls: &["AWS FSBP EC2.21", "CIS AWS v3.0.0 5.1", "CIS AWS v5.0.0 5.2"],
    description: "Every network ACL of the region: for TCP 22 and 3389, the first inbound entry (lowest rule number) \
                  that matches traffic from 0.0.0.0/0, or from ::/0, allows it.",
    remediation: "Add inbound deny entries for ports 22 and 3389 from 0.0.0.0/0 and ::/0 ahead of the allow entries \
                  (a lower rule number), or narrow the allow entries to known address ranges.",
    reads: &["ec2-network-acls"],
    evaluate: Evaluate::Region(|scope| {
        let region = scope.region.region.as_str();
        scope
            .region
            .posture
            .network_acls
            .iter()
            .map(|acl| {
                let entries = open(acl);
                let open: Vec<String> = entries.iter().map(Open::to_string).collect();
                let arn = format!(
                    "arn:{}:ec2:{region}:{}:network-acl/{}",
                    crate::partition(region),
                    scope.account_id,
                    acl.network_acl_id
                );
                let evidence = if open.is_empty() {
                    format!("{} admits neither 22 nor 3389 from the internet", acl.network_acl_id)
                } else {
                    format!("{} admits {} from the internet", acl.network_acl_id, open.join(", "))
                };
                Observation::judged(!open.is_empty(), resource::EC2_NETWORK_ACL, arn, evidence)
                    .in_region(region)
                    .with_fix((!entries.is_empty()).then(|| fix(region, acl, &entries)))
            })
            .collect()
    }),
    fix: Fixer::Judged,
};

/// An admin port the ACL lets in from the whole of an address family, and the entry that lets it in.
struct Open {
    port: u16,
    world: &'static str,
    v6: bool,
    rule_number: i32,
}

impl std::fmt::Display for Open {
    /// `22 from 0.0.0.0/0 (rule 100)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} from {} (rule {})", self.port, self.world, self.rule_number)
    }
}

/// Each admin port and address family the ACL lets in: the first entry for the whole family that matches
/// decides, as reachability judges it ([`crate::reach::nacl::deciding`]).
fn open(acl: &NetworkAcl) -> Vec<Open> {
    let mut open = Vec::new();
    for port in ADMIN_PORTS {
        for (world, v6) in [("0.0.0.0/0", false), ("::/0", true)] {
            let first = crate::reach::nacl::deciding(acl, false, v6, &Protocol::Tcp, port);
            if let Some(entry) = first.filter(|e| e.action.eq_ignore_ascii_case("allow")) {
                open.push(Open { port, world, v6, rule_number: entry.rule_number });
            }
        }
    }
    open
}

/// An inbound deny entry for each open port and family, numbered just below the entry that lets it in (the
/// highest free number there): no entry below that one matches, so the deny decides. The allow entries stay, as
/// everything else they admit may be needed.
fn fix(region: &str, acl: &NetworkAcl, open: &[Open]) -> Fix {
    let mut used: std::collections::BTreeSet<i32> =
        acl.entries.iter().filter(|e| !e.egress).map(|e| e.rule_number).collect();
    let (mut cli, mut resources, mut stuck) = (Vec::new(), Vec::new(), Vec::new());
    for o in open {
        let Some(number) = (1..o.rule_number).rev().find(|n| !used.contains(n)) else {
            stuck.push(o.to_string());
            continue;
        };
        used.insert(number);
        let family = if o.v6 { "--ipv6-cidr-block" } else { "--cidr-block" };
        let ports = Json::Object(vec![("From", Json::Number(o.port.into())), ("To", Json::Number(o.port.into()))]);
        cli.push(
            Command::aws("ec2", "create-network-acl-entry", Some(region))
                .arg("--network-acl-id", &acl.network_acl_id)
                .flag("--no-egress")
                .arg("--rule-number", &number.to_string())
                .arg("--protocol", "6")
                .json("--port-range", &ports)
                .arg(family, o.world)
                .arg("--rule-action", "deny")
                .line(),
        );
        let name = format!("{}_deny_{}_{}", acl.network_acl_id, o.port, if o.v6 { "ipv6" } else { "ipv4" });
        resources.push(
            Resource::new("aws_network_acl_rule", &name)
                .set("network_acl_id", Value::str(&acl.network_acl_id))
                .set("rule_number", Value::Number(number.into()))
                .set("egress", Value::Bool(false))
                .set("protocol", Value::str("6"))
                .set("rule_action", Value::str("deny"))
                .set(if o.v6 { "ipv6_cidr_block" } else { "cidr_block" }, Value::str(o.world))
                .set("from_port", Value::Number(o.port.into()))
                .set("to_port", Value::Number(o.port.into())),
        );
    }
    let mut summary = format!(
        "Add inbound deny entries to {} for TCP {}, each numbered just below the entry that lets \
         it in, so they decide first; the allow entries stay. Reach hosts through Session Manager, or add allow \
         entries for known ranges below the denies.",
        acl.network_acl_id,
        open.iter().map(|o| format!("{} from {}", o.port, o.world)).collect::<Vec<_>>().join(", ")
    );
    if !stuck.is_empty() {
        summary.push_str(&format!(
            " No rule number is free below the entry that admits {}: renumber the entries, or narrow that entry.",
            stuck.join(", ")
        ));
    }
    let terraform = (!resources.is_empty()).then(|| terraform::file(&resources));
    Fix::commands(summary, cli).with_terraform(terraform)
}

#[cfg(test)]
fn admits(acl: &NetworkAcl) -> Vec<String> {
    open(acl).iter().map(Open::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sgaudit_snapshot::posture::AclEntry;

    /// An inbound entry: the reach tests' helper, which the judging shares.
    fn entry(rule_number: i32, protocol: &str, action: &str, cidr: &str, ports: Option<(i32, i32)>) -> AclEntry {
        crate::reach::nacl::tests::entry(rule_number, false, protocol, action, cidr, ports)
    }

    fn acl(entries: Vec<AclEntry>) -> NetworkAcl {
        NetworkAcl { network_acl_id: "acl-1".into(), vpc_id: None, is_default: true, subnets: vec![], entries }
    }

    #[test]
    fn the_first_matching_entry_decides() {
        // AWS's default ACL: allow everything, then the catch-all deny.
        let default =
            acl(vec![entry(100, "-1", "allow", "0.0.0.0/0", None), entry(32767, "-1", "deny", "0.0.0.0/0", None)]);
        assert_eq!(admits(&default), ["22 from 0.0.0.0/0 (rule 100)", "3389 from 0.0.0.0/0 (rule 100)"]);
        // A deny ahead of the allow closes the port; one behind it does not.
        let denied = acl(vec![
            entry(90, "6", "deny", "0.0.0.0/0", Some((22, 22))),
            entry(100, "-1", "allow", "0.0.0.0/0", None),
            entry(110, "6", "deny", "0.0.0.0/0", Some((3389, 3389))),
        ]);
        assert_eq!(admits(&denied), ["3389 from 0.0.0.0/0 (rule 100)"]);
        // A narrower range, an egress entry and UDP do not count; IPv6 is judged on its own.
        let mut egress = entry(50, "-1", "allow", "0.0.0.0/0", None);
        egress.egress = true;
        let narrow = acl(vec![
            entry(100, "6", "allow", "10.0.0.0/8", Some((0, 65535))),
            entry(110, "17", "allow", "0.0.0.0/0", Some((0, 65535))),
            egress,
            entry(120, "6", "allow", "::/0", Some((20, 30))),
        ]);
        assert_eq!(admits(&narrow), ["22 from ::/0 (rule 120)"]);
    }

    #[test]
    fn the_fix_denies_just_below_the_deciding_allow() {
        let busy = acl(vec![
            entry(99, "6", "allow", "10.0.0.0/8", Some((22, 22))),
            entry(100, "-1", "allow", "0.0.0.0/0", None),
            entry(1, "-1", "allow", "::/0", None),
        ]);
        let fix = fix("us-east-1", &busy, &open(&busy));
        assert_eq!(fix.cli.len(), 2, "{fix:?}");
        assert!(fix.cli[0].contains("--rule-number 98 --protocol 6 --port-range '{\"From\":22,\"To\":22}' --cidr-block 0.0.0.0/0 --rule-action deny"), "{}", fix.cli[0]);
        assert!(fix.cli[1].contains("--rule-number 97 ") && fix.cli[1].contains("3389"), "{}", fix.cli[1]);
        // ::/0 is let in by rule 1: no number below it.
        assert!(
            fix.summary.contains(
                "No rule number is free below the entry that admits 22 from ::/0 (rule 1), 3389 from ::/0 (rule 1)"
            ),
            "{}",
            fix.summary
        );
        // The denies, judged again, close the ports.
        let mut closed = busy.clone();
        closed.entries.push(entry(98, "6", "deny", "0.0.0.0/0", Some((22, 22))));
        closed.entries.push(entry(97, "6", "deny", "0.0.0.0/0", Some((3389, 3389))));
        assert_eq!(admits(&closed), ["22 from ::/0 (rule 1)", "3389 from ::/0 (rule 1)"]);
    }
}

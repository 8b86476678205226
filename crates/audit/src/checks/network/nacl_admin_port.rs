use sgaudit_snapshot::posture::NetworkAcl;

use super::ADMIN_PORTS;
use crate::checks::{resource, Check, Evaluate, Family, Observation, Severity};
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
                let open = admits(acl);
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
                Observation::judged(!open.is_empty(), resource::EC2_NETWORK_ACL, arn, evidence).in_region(region)
            })
            .collect()
    }),
};

/// `22 from 0.0.0.0/0 (rule 100)`, for each admin port and address family the ACL lets in: the first entry for
/// the whole family that matches decides, as reachability judges it ([`crate::reach::nacl::deciding`]).
fn admits(acl: &NetworkAcl) -> Vec<String> {
    let mut open = Vec::new();
    for port in ADMIN_PORTS {
        for (world, v6) in [("0.0.0.0/0", false), ("::/0", true)] {
            let first = crate::reach::nacl::deciding(acl, false, v6, &Protocol::Tcp, port);
            if let Some(entry) = first.filter(|e| e.action.eq_ignore_ascii_case("allow")) {
                open.push(format!("{port} from {world} (rule {})", entry.rule_number));
            }
        }
    }
    open
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
}

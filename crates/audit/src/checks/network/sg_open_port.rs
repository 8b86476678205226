use sgaudit_snapshot::Rule;

use super::{narrow_world, per_group};
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::exposure::{is_world_open, port_range, protocol, Protocol};
use crate::fix::{ALLOWED_CIDR, ALLOWED_CIDR_V6};

pub const CHECK: Check = Check {
    id: "net-sg-open-port",
    title: "Security group admits a port that is not allowed from the internet",
    family: Family::Network,
    severity: Severity::High,
    controls: &["AWS FSBP EC2.18"],
    description: "Every security group of the region: ingress rules that admit a TCP or UDP port, or every \
                  protocol, from 0.0.0.0/0 or ::/0, beyond the ports allowed to be public (`--allow-open-ports`, \
                  80 and 443 by default). The seed's \"ports open\" sheet.",
    remediation: "Admit from the internet only the ports the workload serves to the public (allow-list them with \
                  --allow-open-ports); admit every other port only from known address ranges or security groups.",
    reads: &["ec2-security-groups"],
    evaluate: Evaluate::Region(|scope| {
        let allowed = &scope.options.allowed_open_ports;
        let listed = allowed.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        let what = format!("admits a port other than {listed} from the internet");
        per_group(
            scope,
            &what,
            |g| {
                let mut open: Vec<String> = Vec::new();
                for shown in g.ingress.iter().filter(|r| is_world_open(r)).filter_map(|r| beyond(r, allowed)) {
                    if !open.contains(&shown) {
                        open.push(shown);
                    }
                }
                (!open.is_empty()).then(|| format!("admits {} from 0.0.0.0/0 or ::/0", open.join(", ")))
            },
            |at| {
                let advice = " If the port must serve the public, allow-list it (--allow-open-ports) instead.";
                let ranges = (ALLOWED_CIDR, ALLOWED_CIDR_V6);
                let allowed = &at.options.allowed_open_ports;
                let open = |e: &crate::fix::ec2::Entry| beyond(e.rule, allowed).is_some();
                narrow_world(at.region, at.group, open, ranges, "ports to the internet", advice)
            },
        )
    }),
    fix: Fixer::Judged,
};

/// What a rule opens beyond the allowed ports (`tcp 8080`, `all traffic`), if anything: a TCP or UDP range not
/// wholly allowed, or every protocol.
fn beyond(rule: &Rule, allowed: &[u16]) -> Option<String> {
    let (name, (from, to)) = match protocol(rule) {
        Protocol::All => ("all traffic", (0, 65535)),
        Protocol::Tcp => ("tcp", port_range(rule)),
        Protocol::Udp => ("udp", port_range(rule)),
        Protocol::Other => return None,
    };
    if (from..=to).all(|p| u16::try_from(p).is_ok_and(|p| allowed.contains(&p))) {
        return None;
    }
    Some(match (protocol(rule), from == to) {
        (Protocol::All, _) => name.to_string(),
        (_, true) => format!("{name} {from}"),
        (_, false) => format!("{name} {from}-{to}"),
    })
}

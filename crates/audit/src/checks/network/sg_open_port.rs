use super::per_group;
use crate::checks::{Check, Evaluate, Family, Severity};
use crate::exposure::{is_world_open, port_range, protocol, Protocol};

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
        per_group(scope, &what, |g| {
            let mut open: Vec<String> = Vec::new();
            for rule in g.ingress.iter().filter(|r| is_world_open(r)) {
                let (name, (from, to)) = match protocol(rule) {
                    Protocol::All => ("all traffic", (0, 65535)),
                    Protocol::Tcp => ("tcp", port_range(rule)),
                    Protocol::Udp => ("udp", port_range(rule)),
                    Protocol::Other => continue,
                };
                if (from..=to).all(|p| u16::try_from(p).is_ok_and(|p| allowed.contains(&p))) {
                    continue;
                }
                let shown = match (protocol(rule), from == to) {
                    (Protocol::All, _) => name.to_string(),
                    (_, true) => format!("{name} {from}"),
                    (_, false) => format!("{name} {from}-{to}"),
                };
                if !open.contains(&shown) {
                    open.push(shown);
                }
            }
            (!open.is_empty()).then(|| format!("admits {} from 0.0.0.0/0 or ::/0", open.join(", ")))
        })
    }),
};

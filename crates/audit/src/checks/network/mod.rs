//! The network checks: ports open to the world beyond the allowed ones, administration ports by address
//! family, network ACLs, EBS encryption by default, instances outside a VPC.

use sgaudit_snapshot::{Rule, SecurityGroup};

use super::{resource, Observation, RegionScope};
use crate::exposure::{covers_port, RDP, SSH};

pub mod ebs_default_encryption;
pub mod instance_outside_vpc;
pub mod nacl_admin_port;
pub mod sg_ipv4_admin_port;
pub mod sg_ipv6_admin_port;
pub mod sg_open_port;

/// The remote administration ports of FSBP EC2.21/EC2.53/EC2.54 and CIS 5.x.
pub(crate) const ADMIN_PORTS: [u16; 2] = [SSH, RDP];

/// Judges every group of the region with `open` (which names what the group opens, or `None`): a failure
/// per group that opens something, or one pass for the region when none does.
pub(crate) fn per_group(
    scope: &RegionScope,
    what: &str,
    open: impl Fn(&SecurityGroup) -> Option<String>,
) -> Vec<Observation> {
    let region = &scope.region.region;
    let mut out: Vec<Observation> = scope
        .region
        .security_groups
        .iter()
        .filter_map(|g| {
            open(g).map(|detail| {
                Observation::fail(
                    resource::EC2_SECURITY_GROUP,
                    group_arn(scope.account_id, region, &g.group_id),
                    format!("{} ({}) {detail}", g.group_id, g.group_name),
                )
                .in_region(region.as_str())
            })
        })
        .collect();
    if out.is_empty() {
        out.push(
            Observation::pass(
                resource::ACCOUNT,
                super::account_resource(scope.account_id),
                format!("none of the {} security group(s) of {region} {what}", scope.region.security_groups.len()),
            )
            .in_region(region.as_str()),
        );
    }
    out
}

/// The admin ports a group's ingress rules open to the addresses `world` picks out (0.0.0.0/0 or ::/0).
pub(crate) fn admin_ports_open(group: &SecurityGroup, world: fn(&Rule) -> bool, cidr: &str) -> Option<String> {
    let ports: Vec<String> = ADMIN_PORTS
        .iter()
        .filter(|&&port| group.ingress.iter().any(|r| world(r) && covers_port(r, port, port == RDP)))
        .map(|p| p.to_string())
        .collect();
    (!ports.is_empty()).then(|| format!("admits port(s) {} from {cidr}", ports.join(", ")))
}

/// `arn:aws:ec2:us-east-1:111122223333:security-group/sg-0abc`, in the region's partition.
pub(crate) fn group_arn(account_id: &str, region: &str, group_id: &str) -> String {
    format!("arn:{}:ec2:{region}:{account_id}:security-group/{group_id}", crate::partition(region))
}

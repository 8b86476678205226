//! The generated EC2 estate of one account-region, the same on every run (ids and choices come from a hash of
//! the account and the region): security groups with a few rules each, network interfaces holding about three
//! quarters of them (the rest are unused, for the audit to find), a few instances, and one VPC.

use std::fmt::Write;

use crate::util::{hash_parts, mix};

/// The estate's size per account-region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shape {
    pub groups: u32,
    pub interfaces: u32,
    pub instances: u32,
}

impl Shape {
    /// Groups held by some interface: all but the last quarter (all of them below four groups; none without
    /// interfaces).
    pub fn held(&self) -> u32 {
        if self.interfaces == 0 {
            0
        } else if self.groups < 4 {
            self.groups
        } else {
            self.groups - self.groups / 4
        }
    }

    /// Groups no interface holds (what the audit should find unused, besides the default group's special case).
    pub fn unused(&self) -> u32 {
        self.groups - self.held()
    }
}

/// One account-region's estate, addressed by index; ids are computed, not stored.
pub struct Estate<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub shape: Shape,
    seed: u64,
}

impl<'a> Estate<'a> {
    pub fn new(account: &'a str, region: &'a str, shape: Shape) -> Self {
        Estate { account, region, shape, seed: hash_parts(&[account.as_bytes(), region.as_bytes()]) }
    }

    fn id(&self, kind: u64, i: u32) -> u64 {
        mix(self.seed ^ mix(kind << 32 | u64::from(i)))
    }

    pub fn vpc_id(&self) -> String {
        format!("vpc-0{:016x}", self.id(1, 0))
    }

    fn subnet_id(&self) -> String {
        format!("subnet-0{:016x}", self.id(2, 0))
    }

    pub fn group_id(&self, i: u32) -> String {
        format!("sg-0{:016x}", self.id(3, i))
    }

    pub fn interface_id(&self, j: u32) -> String {
        format!("eni-0{:016x}", self.id(4, j))
    }

    pub fn instance_id(&self, k: u32) -> String {
        format!("i-0{:016x}", self.id(5, k))
    }

    fn group_name(i: u32) -> String {
        if i == 0 {
            "default".to_string()
        } else {
            format!("sim-group-{i}")
        }
    }

    /// The groups interface `j` holds: one or two of the held groups.
    pub fn interface_groups(&self, j: u32) -> Vec<u32> {
        let held = self.shape.held();
        if held == 0 {
            return Vec::new();
        }
        let mut groups = vec![j % held];
        let second = (j / 2 + 3) % held;
        if j % 2 == 1 && second != groups[0] {
            groups.push(second);
        }
        groups
    }

    /// Interfaces attached to an instance: the first `instances` (at most one each).
    fn instance_count(&self) -> u32 {
        self.shape.instances.min(self.shape.interfaces)
    }

    /// `<item>` of security group `i`.
    pub fn write_group(&self, out: &mut String, i: u32) {
        let held = self.shape.held();
        let id = self.group_id(i);
        let name = Self::group_name(i);
        let (account, region) = (self.account, self.region);
        let _ = write!(
            out,
            "<item><ownerId>{account}</ownerId><groupId>{id}</groupId><groupName>{name}</groupName>\
             <groupDescription>{}</groupDescription><vpcId>{}</vpcId><securityGroupArn>arn:aws:ec2:{region}:\
             {account}:security-group/{id}</securityGroupArn><ipPermissions>",
            if i == 0 { "default VPC security group" } else { "simulated group" },
            self.vpc_id()
        );
        if i == 0 {
            // The default group: everything from its own members.
            let _ = write!(
                out,
                "<item><ipProtocol>-1</ipProtocol><groups><item><userId>{account}</userId><groupId>{id}</groupId>\
                 </item></groups><ipRanges/><ipv6Ranges/><prefixListIds/></item>"
            );
        } else {
            out.push_str(
                "<item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups/>\
                 <ipRanges><item><cidrIp>10.0.0.0/8</cidrIp><description>internal HTTPS</description></item>\
                 </ipRanges><ipv6Ranges/><prefixListIds/></item>",
            );
            if i % 3 == 1 {
                out.push_str(
                    "<item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><groups/>\
                     <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/>\
                     </item>",
                );
            }
            if i < held && held > 1 {
                // A reference to another held group (never to an unused one, so that unused stays unused).
                let peer = self.group_id((i + 1) % held);
                let _ = write!(
                    out,
                    "<item><ipProtocol>tcp</ipProtocol><fromPort>5432</fromPort><toPort>5432</toPort><groups>\
                     <item><userId>{account}</userId><groupId>{peer}</groupId></item></groups><ipRanges/>\
                     <ipv6Ranges/><prefixListIds/></item>"
                );
            }
        }
        out.push_str(
            "</ipPermissions><ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/><ipRanges><item>\
             <cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>\
             </ipPermissionsEgress><tagSet><item><key>simulated</key><value>true</value></item></tagSet></item>",
        );
    }

    fn write_group_set(&self, out: &mut String, groups: &[u32]) {
        out.push_str("<groupSet>");
        for g in groups {
            let _ = write!(
                out,
                "<item><groupId>{}</groupId><groupName>{}</groupName></item>",
                self.group_id(*g),
                Self::group_name(*g)
            );
        }
        out.push_str("</groupSet>");
    }

    /// `<item>` of network interface `j`.
    pub fn write_interface(&self, out: &mut String, j: u32) {
        let account = self.account;
        let attached = j < self.instance_count();
        let _ = write!(
            out,
            "<item><networkInterfaceId>{}</networkInterfaceId><subnetId>{}</subnetId><vpcId>{}</vpcId>\
             <availabilityZone>{}a</availabilityZone><description>simulated interface {j}</description>\
             <ownerId>{account}</ownerId><requesterManaged>false</requesterManaged><status>{}</status>\
             <macAddress>02:00:00:00:{:02x}:{:02x}</macAddress><privateIpAddress>10.0.{}.{}</privateIpAddress>\
             <sourceDestCheck>true</sourceDestCheck><interfaceType>interface</interfaceType>",
            self.interface_id(j),
            self.subnet_id(),
            self.vpc_id(),
            self.region,
            if attached { "in-use" } else { "available" },
            (j >> 8) & 0xff,
            j & 0xff,
            (j / 250) % 250,
            j % 250 + 4,
        );
        self.write_group_set(out, &self.interface_groups(j));
        if attached {
            let _ = write!(
                out,
                "<attachment><attachmentId>eni-attach-0{:016x}</attachmentId><instanceId>{}</instanceId>\
                 <instanceOwnerId>{account}</instanceOwnerId><deviceIndex>0</deviceIndex><status>attached</status>\
                 <deleteOnTermination>true</deleteOnTermination></attachment>",
                self.id(6, j),
                self.instance_id(j)
            );
        }
        out.push_str("<privateIpAddressesSet/><ipv6AddressesSet/><tagSet/></item>");
    }

    /// `<item>` of a reservation holding instance `k` (attached to interface `k`).
    pub fn write_reservation(&self, out: &mut String, k: u32) {
        let account = self.account;
        let groups = self.interface_groups(k);
        let _ = write!(
            out,
            "<item><reservationId>r-0{:016x}</reservationId><ownerId>{account}</ownerId><groupSet/><instancesSet>\
             <item><instanceId>{}</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>16</code>\
             <name>running</name></instanceState><instanceType>t3.micro</instanceType><vpcId>{}</vpcId>\
             <subnetId>{}</subnetId><privateIpAddress>10.0.0.{}</privateIpAddress>",
            self.id(7, k),
            self.instance_id(k),
            self.vpc_id(),
            self.subnet_id(),
            k % 250 + 4
        );
        self.write_group_set(out, &groups);
        let _ = write!(
            out,
            "<networkInterfaceSet><item><networkInterfaceId>{}</networkInterfaceId><subnetId>{}</subnetId>\
             <vpcId>{}</vpcId><ownerId>{account}</ownerId><status>in-use</status>",
            self.interface_id(k),
            self.subnet_id(),
            self.vpc_id()
        );
        self.write_group_set(out, &groups);
        out.push_str("</item></networkInterfaceSet></item></instancesSet></item>");
    }

    /// `<item>` of the VPC.
    pub fn write_vpc(&self, out: &mut String) {
        let _ = write!(
            out,
            "<item><vpcId>{}</vpcId><ownerId>{}</ownerId><state>available</state><cidrBlock>10.0.0.0/16</cidrBlock>\
             <isDefault>false</isDefault><instanceTenancy>default</instanceTenancy></item>",
            self.vpc_id(),
            self.account
        );
    }

    /// Instances in the estate.
    pub fn instances(&self) -> u32 {
        self.instance_count()
    }
}

/// A page of `total` items: `(start, end, next token)`, from a `NextToken` of ours (`None`: the first page) and
/// `MaxResults` (`None`: everything), never more than `page_cap` items. `Err` for a token not ours.
pub fn page(
    total: u32,
    next_token: Option<&str>,
    max_results: Option<u32>,
    page_cap: u32,
) -> Result<(u32, u32, Option<String>), ()> {
    let start = match next_token {
        None | Some("") => 0,
        Some(t) => t.strip_prefix("sim-").and_then(|n| n.parse::<u32>().ok()).filter(|n| *n <= total).ok_or(())?,
    };
    let size = max_results.unwrap_or(u32::MAX).min(page_cap).max(1);
    let end = start.saturating_add(size).min(total);
    let next = (end < total).then(|| format!("sim-{end}"));
    Ok((start, end, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const SHAPE: Shape = Shape { groups: 20, interfaces: 40, instances: 3 };

    #[test]
    fn a_quarter_of_the_groups_is_held_by_no_interface() {
        let e = Estate::new("100000000001", "us-east-1", SHAPE);
        let held: BTreeSet<u32> = (0..SHAPE.interfaces).flat_map(|j| e.interface_groups(j)).collect();
        assert_eq!(held.len() as u32, SHAPE.held());
        assert_eq!(SHAPE.unused(), 5);
        assert!(held.iter().all(|g| *g < 15) && held.contains(&0));
        assert!((0..SHAPE.interfaces).all(|j| (1..=2).contains(&e.interface_groups(j).len())));
    }

    #[test]
    fn the_estate_is_the_same_on_every_run_and_differs_between_account_regions() {
        let a = Estate::new("100000000001", "us-east-1", SHAPE);
        let b = Estate::new("100000000001", "us-east-1", SHAPE);
        let c = Estate::new("100000000001", "eu-west-1", SHAPE);
        assert_eq!(a.group_id(3), b.group_id(3));
        assert_ne!(a.group_id(3), c.group_id(3));
        assert_eq!(a.group_id(3).len(), "sg-0123456789abcdef0".len());
        let ids: BTreeSet<String> = (0..SHAPE.groups).map(|i| a.group_id(i)).collect();
        assert_eq!(ids.len(), SHAPE.groups as usize);
        let mut xml = String::new();
        a.write_group(&mut xml, 1);
        assert!(xml.contains("<cidrIp>0.0.0.0/0</cidrIp>") && xml.contains("<fromPort>22</fromPort>"));
    }

    #[test]
    fn pages_follow_max_results_and_next_token() {
        assert_eq!(page(20, None, None, 1000), Ok((0, 20, None)));
        assert_eq!(page(20, None, Some(8), 1000), Ok((0, 8, Some("sim-8".into()))));
        assert_eq!(page(20, Some("sim-8"), Some(8), 1000), Ok((8, 16, Some("sim-16".into()))));
        assert_eq!(page(20, Some("sim-16"), Some(8), 1000), Ok((16, 20, None)));
        assert_eq!(page(2500, None, Some(1000), 1000), Ok((0, 1000, Some("sim-1000".into()))));
        assert_eq!(page(20, None, Some(1000), 6), Ok((0, 6, Some("sim-6".into()))), "the cap forces pages");
        assert_eq!(page(0, None, Some(5), 1000), Ok((0, 0, None)));
        assert!(page(20, Some("garbage"), None, 1000).is_err());
        assert!(page(20, Some("sim-21"), None, 1000).is_err());
    }
}

//! Canned answers for the calls moto lacks, of the EC2-family sources (see `canned.rs`).
#![allow(unused_imports)]

use super::{json, xml};
use crate::common::proxy::Rule;

/// Empty lists, in the real wire format, for this family's calls moto does not implement.
pub fn empty_lists() -> Vec<Rule> {
    vec![
        xml("service=ec2 && DescribeSecurityGroupVpcAssociations", &vpc_associations(&[])),
        xml("service=ec2 && DescribeStaleSecurityGroups", &stale_groups(&[])),
        xml("service=ec2 && DescribeSecurityGroupReferences", &references(&[])),
        json("service=ram && POST /listresources", r#"{"resources":[]}"#),
        json("service=ram && POST /listprincipals", r#"{"principals":[]}"#),
    ]
}

/// EC2's answer to DescribeSecurityGroupVpcAssociations: `(group, vpc, vpc owner)`, each `associated`.
pub fn vpc_associations(associations: &[(&str, &str, &str)]) -> String {
    let items: String = associations
        .iter()
        .map(|(group, vpc, owner)| {
            format!(
                "<item><groupId>{group}</groupId><vpcId>{vpc}</vpcId><vpcOwnerId>{owner}</vpcOwnerId>\
                 <state>associated</state><groupOwnerId>123456789012</groupOwnerId></item>"
            )
        })
        .collect();
    format!(
        "<DescribeSecurityGroupVpcAssociationsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
         <requestId>canned</requestId><securityGroupVpcAssociationSet>{items}</securityGroupVpcAssociationSet>\
         </DescribeSecurityGroupVpcAssociationsResponse>"
    )
}

/// EC2's answer to DescribeStaleSecurityGroups: `(group, peer group, peer account, peering)` for stale
/// ingress rules (TCP 5432) whose peering was deleted.
pub fn stale_groups(stale: &[(&str, &str, &str, &str)]) -> String {
    let items: String = stale
        .iter()
        .map(|(group, peer, account, pcx)| {
            format!(
                "<item><groupId>{group}</groupId><groupName>stale</groupName><vpcId>vpc-0123456789abcdef0</vpcId>\
                 <staleIpPermissions><item><fromPort>5432</fromPort><ipProtocol>tcp</ipProtocol><toPort>5432</toPort>\
                 <groups><item><groupId>{peer}</groupId><userId>{account}</userId>\
                 <vpcPeeringConnectionId>{pcx}</vpcPeeringConnectionId><peeringStatus>deleted</peeringStatus>\
                 </item></groups></item></staleIpPermissions><staleIpPermissionsEgress/></item>"
            )
        })
        .collect();
    format!(
        "<DescribeStaleSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
         <requestId>canned</requestId><staleSecurityGroupSet>{items}</staleSecurityGroupSet>\
         </DescribeStaleSecurityGroupsResponse>"
    )
}

/// EC2's answer to DescribeSecurityGroupReferences: `(group, referencing VPC, peering)`.
pub fn references(references: &[(&str, &str, &str)]) -> String {
    let items: String = references
        .iter()
        .map(|(group, vpc, pcx)| {
            format!(
                "<item><groupId>{group}</groupId><referencingVpcId>{vpc}</referencingVpcId>\
                 <vpcPeeringConnectionId>{pcx}</vpcPeeringConnectionId></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeSecurityGroupReferencesResponse \
         xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>canned</requestId>\
         <securityGroupReferenceSet>{items}</securityGroupReferenceSet></DescribeSecurityGroupReferencesResponse>"
    )
}

//! A security group's rules as the EC2 API names them in a change: each peer of each permission as written in
//! the snapshot (an [`Entry`]), the `IpPermission`s that revoke exactly those, the permissions that admit the
//! same ports from a range the user supplies, and the Terraform of the rules that remain.
//!
//! A revoke names a rule by its protocol, ports and peer as AWS holds them: the entries keep the snapshot's own
//! spelling (`6` stays `6`, `10.0.0.1/8` stays as written) rather than the rule algebra's normal form, which is
//! what the checks judge on ([`Entry::atom`]). The snapshot has no security group rule ids
//! (`sgr-...`), so `--ip-permissions` it is, never `--security-group-rule-ids`.
//!
//! Terraform: one `aws_vpc_security_group_ingress_rule` / `aws_vpc_security_group_egress_rule` per entry, the
//! resources the AWS provider recommends over `aws_security_group`'s inline blocks. They are AWS's own model of
//! a rule (one peer each, with its description), and they describe the rules of a group without taking over the
//! group itself (its name, description and tags need no import); inline blocks and rule resources must not be
//! mixed on one group, so a team that manages the group with inline blocks moves them to these.

use std::collections::BTreeMap;

use sgaudit_snapshot::text::printable;
use sgaudit_snapshot::{Direction, GroupPeer, Peer, RegionSnapshot, ResourceKind, Rule, SecurityGroup, Target, Via};

use super::shell::{Command, Json};
use super::terraform::{self, Resource, Value};
use super::{set_first, Choice, Fix};
use crate::rules::{Atom, GroupRef, RulePeer};

/// One peer of one permission of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub direction: Direction,
    pub rule: &'a Rule,
    /// The permission's place in the group's `ingress` or `egress` list.
    pub index: usize,
    pub peer: EntryPeer<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPeer<'a> {
    V4(&'a Peer),
    V6(&'a Peer),
    PrefixList(&'a Peer),
    Group(&'a GroupPeer),
}

/// Every entry of the group: ingress before egress, permissions in order, and within one its IPv4 blocks, IPv6
/// blocks, prefix lists and groups, as [`crate::rules::atoms`] orders its atoms.
pub fn entries(group: &SecurityGroup) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for (direction, rules) in [(Direction::Ingress, &group.ingress), (Direction::Egress, &group.egress)] {
        for (index, rule) in rules.iter().enumerate() {
            let peers = rule
                .ipv4_ranges
                .iter()
                .map(EntryPeer::V4)
                .chain(rule.ipv6_ranges.iter().map(EntryPeer::V6))
                .chain(rule.prefix_lists.iter().map(EntryPeer::PrefixList))
                .chain(rule.groups.iter().map(EntryPeer::Group));
            out.extend(peers.map(|peer| Entry { direction, rule, index, peer }));
        }
    }
    out
}

impl<'a> Entry<'a> {
    /// Whether the peer is every address of its family: 0.0.0.0/0 or ::/0, as the world-open checks spell it.
    pub fn is_world(&self) -> bool {
        match self.peer {
            EntryPeer::V4(p) => p.id == "0.0.0.0/0",
            EntryPeer::V6(p) => p.id == "::/0",
            EntryPeer::PrefixList(_) | EntryPeer::Group(_) => false,
        }
    }

    pub fn is_v6(&self) -> bool {
        matches!(self.peer, EntryPeer::V6(_))
    }

    /// The entry in the rule algebra's normal form, as the hygiene checks judge it.
    pub fn atom(&self, group_id: &str) -> Atom {
        let peer = match self.peer {
            EntryPeer::V4(p) | EntryPeer::V6(p) => RulePeer::cidr(&p.id),
            EntryPeer::PrefixList(p) => RulePeer::PrefixList(p.id.clone()),
            EntryPeer::Group(g) if g.group_id == group_id => RulePeer::SelfGroup,
            EntryPeer::Group(g) => {
                RulePeer::Group(GroupRef { group_id: g.group_id.clone(), user_id: g.user_id.clone() })
            }
        };
        Atom::new(self.direction, &self.rule.protocol, self.rule.from_port, self.rule.to_port, peer)
    }

    /// Whether the two are the same rule as AWS holds it (protocol, ports and peer written alike): a revoke of
    /// one is a revoke of both.
    pub fn same_as_written(&self, other: &Entry) -> bool {
        let peer = |e: &Entry| match e.peer {
            EntryPeer::V4(p) => ("v4", p.id.clone()),
            EntryPeer::V6(p) => ("v6", p.id.clone()),
            EntryPeer::PrefixList(p) => ("pl", p.id.clone()),
            EntryPeer::Group(g) => ("sg", g.group_id.clone()),
        };
        self.direction == other.direction
            && self.rule.protocol == other.rule.protocol
            && self.rule.from_port == other.rule.from_port
            && self.rule.to_port == other.rule.to_port
            && peer(self) == peer(other)
    }

    fn description(&self) -> Option<&'a str> {
        match self.peer {
            EntryPeer::V4(p) | EntryPeer::V6(p) | EntryPeer::PrefixList(p) => p.description.as_deref(),
            EntryPeer::Group(g) => g.description.as_deref(),
        }
    }

    /// Whether the protocol carries ports (or ICMP's type and code) in `FromPort`/`ToPort`: every protocol
    /// (`-1`) does not.
    fn has_ports(&self) -> bool {
        has_ports(&self.rule.protocol)
    }
}

/// Whether a protocol carries ports (or ICMP's type and code) in `FromPort`/`ToPort`: every protocol (`-1`)
/// does not.
fn has_ports(protocol: &str) -> bool {
    !matches!(protocol.to_ascii_lowercase().as_str(), "-1" | "all")
}

/// `IpProtocol`, `FromPort` and `ToPort` of a permission.
fn protocol_members(protocol: &str, from: Option<i32>, to: Option<i32>) -> Vec<(&'static str, Json)> {
    let mut members = vec![("IpProtocol", Json::str(protocol))];
    if has_ports(protocol) {
        members.extend(from.map(|p| ("FromPort", Json::Number(p.into()))));
        members.extend(to.map(|p| ("ToPort", Json::Number(p.into()))));
    }
    members
}

/// The `IpPermission` of a rule naming a group (`peer`, of account `user` where given), as
/// `DescribeStaleSecurityGroups` describes a stale one.
pub fn group_permission(protocol: &str, from: Option<i32>, to: Option<i32>, peer: &str, user: Option<&str>) -> Json {
    let mut pair = vec![("GroupId", Json::str(peer))];
    pair.extend(user.map(|u| ("UserId", Json::str(u))));
    let mut members = protocol_members(protocol, from, to);
    members.push(("UserIdGroupPairs", Json::Array(vec![Json::Object(pair)])));
    Json::Object(members)
}

/// An entry to add: `like`'s protocol, ports and description, from a range the user supplies (`source`) or on a
/// port the user supplies (`port`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added<'a> {
    pub like: Entry<'a>,
    pub source: Option<Choice>,
    pub port: Option<Choice>,
}

impl Added<'_> {
    /// The same protocol and ports as `like`, from the user's range of the entry's address family.
    pub fn narrowed<'a>(like: Entry<'a>, v4: Choice, v6: Choice) -> Added<'a> {
        Added { like, source: Some(if like.is_v6() { v6 } else { v4 }), port: None }
    }

    /// The same peer as `like`, on the port the user supplies, TCP (what a service listens on, most often;
    /// the summary says to change it for UDP).
    pub fn on_port(like: Entry<'_>, port: Choice) -> Added<'_> {
        Added { like, source: None, port: Some(port) }
    }

    fn protocol(&self) -> &str {
        if self.port.is_some() {
            "tcp"
        } else {
            &self.like.rule.protocol
        }
    }
}

/// The `IpPermission`s of `entries`, one per permission they come from.
fn ip_permissions(entries: &[Entry]) -> Json {
    let mut by_rule: BTreeMap<usize, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        by_rule.entry(e.index).or_default().push(e);
    }
    let permissions = by_rule
        .values()
        .map(|list| {
            let rule = list[0].rule;
            let mut members = protocol_members(&rule.protocol, rule.from_port, rule.to_port);
            let peers = list.iter().map(|e| (e.peer, None, None));
            members.extend(peer_members(peers));
            Json::Object(members)
        })
        .collect();
    Json::Array(permissions)
}

/// `IpRanges`, `Ipv6Ranges`, `PrefixListIds` and `UserIdGroupPairs` of some peers: each written as the entry
/// has it, or as the user's range (`source`), with a description where one is given.
fn peer_members<'a>(
    peers: impl Iterator<Item = (EntryPeer<'a>, Option<Choice>, Option<&'a str>)>,
) -> Vec<(&'static str, Json)> {
    let (mut v4, mut v6, mut lists, mut groups) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (peer, source, description) in peers {
        let with = |mut m: Vec<(&'static str, Json)>| {
            m.extend(description.map(|d| ("Description", Json::str(d))));
            Json::Object(m)
        };
        match (peer, source) {
            (EntryPeer::V4(_), Some(c)) => v4.push(with(vec![("CidrIp", Json::StringVar(c))])),
            (EntryPeer::V6(_), Some(c)) => v6.push(with(vec![("CidrIpv6", Json::StringVar(c))])),
            (_, Some(_)) => unreachable!("only address blocks are narrowed"),
            (EntryPeer::V4(p), None) => v4.push(with(vec![("CidrIp", Json::str(&p.id))])),
            (EntryPeer::V6(p), None) => v6.push(with(vec![("CidrIpv6", Json::str(&p.id))])),
            (EntryPeer::PrefixList(p), None) => lists.push(with(vec![("PrefixListId", Json::str(&p.id))])),
            (EntryPeer::Group(g), None) => {
                let mut m = vec![("GroupId", Json::str(&g.group_id))];
                m.extend(g.user_id.as_deref().map(|u| ("UserId", Json::str(u))));
                groups.push(with(m));
            }
        }
    }
    let mut members = Vec::new();
    for (name, list) in [("IpRanges", v4), ("Ipv6Ranges", v6), ("PrefixListIds", lists), ("UserIdGroupPairs", groups)] {
        if !list.is_empty() {
            members.push((name, Json::Array(list)));
        }
    }
    members
}

fn operation(verb: &str, direction: Direction) -> String {
    format!("{verb}-security-group-{}", direction.id())
}

/// The commands that revoke exactly `entries` of the group: one per direction.
pub fn revoke(region: &str, group: &SecurityGroup, entries: &[Entry]) -> Vec<String> {
    Direction::ALL
        .iter()
        .filter_map(|&d| {
            let these: Vec<Entry> = entries.iter().filter(|e| e.direction == d).copied().collect();
            (!these.is_empty()).then(|| revoke_permissions(region, &group.group_id, d, &ip_permissions(&these)))
        })
        .collect()
}

/// The command that revokes `permissions` (a JSON array of `IpPermission`s) of a group.
pub fn revoke_permissions(region: &str, group_id: &str, direction: Direction, permissions: &Json) -> String {
    Command::aws("ec2", &operation("revoke", direction), Some(region))
        .arg("--group-id", group_id)
        .json("--ip-permissions", permissions)
        .line()
}

/// The commands that add `added` to the group: one per direction.
pub fn authorize(region: &str, group: &SecurityGroup, added: &[Added]) -> Vec<Command> {
    Direction::ALL
        .iter()
        .filter_map(|&d| {
            let these: Vec<&Added> = added.iter().filter(|a| a.like.direction == d).collect();
            (!these.is_empty()).then(|| {
                let permissions = these
                    .iter()
                    .map(|a| {
                        let mut members = match a.port {
                            Some(port) => vec![
                                ("IpProtocol", Json::str(a.protocol())),
                                ("FromPort", Json::NumberVar(port)),
                                ("ToPort", Json::NumberVar(port)),
                            ],
                            None => protocol_members(a.protocol(), a.like.rule.from_port, a.like.rule.to_port),
                        };
                        members.extend(peer_members(std::iter::once((a.like.peer, a.source, a.like.description()))));
                        Json::Object(members)
                    })
                    .collect();
                Command::aws("ec2", &operation("authorize", d), Some(region))
                    .arg("--group-id", &group.group_id)
                    .json("--ip-permissions", &Json::Array(permissions))
            })
        })
        .collect()
}

/// The Terraform of the group's rules once `revoked` are gone and `added` are in: every rule of the group, one
/// resource each. `None` for a group with nothing left.
pub fn resulting_rules(group: &SecurityGroup, revoked: &[Entry], added: &[Added]) -> Option<String> {
    let mut resources = Vec::new();
    let mut count: BTreeMap<Direction, usize> = BTreeMap::new();
    let mut push = |direction: Direction, attributes: Vec<(&'static str, Value)>| {
        let n = count.entry(direction).or_default();
        *n += 1;
        let kind = match direction {
            Direction::Ingress => "aws_vpc_security_group_ingress_rule",
            Direction::Egress => "aws_vpc_security_group_egress_rule",
        };
        let mut r = Resource::new(kind, &format!("{}_{}_{n}", group.group_id, direction.id()))
            .set("security_group_id", Value::str(&group.group_id));
        r.attributes.extend(attributes);
        resources.push(r);
    };
    let all = entries(group);
    for direction in Direction::ALL {
        for e in all.iter().filter(|e| e.direction == direction && !revoked.contains(e)) {
            push(direction, rule_attributes(*e, None, None, "", group));
        }
        for a in added.iter().filter(|a| a.like.direction == direction) {
            push(direction, rule_attributes(a.like, a.source, a.port, a.protocol(), group));
        }
    }
    (!resources.is_empty()).then(|| terraform::file(&resources))
}

/// `ip_protocol`, the ports, the peer and the description of one rule resource.
fn rule_attributes(
    e: Entry,
    source: Option<Choice>,
    port: Option<Choice>,
    protocol: &str,
    group: &SecurityGroup,
) -> Vec<(&'static str, Value)> {
    let protocol = if protocol.is_empty() { e.rule.protocol.as_str() } else { protocol };
    let mut out = vec![("ip_protocol", Value::str(protocol))];
    match port {
        Some(port) => {
            out.push(("from_port", Value::Var(port)));
            out.push(("to_port", Value::Var(port)));
        }
        None if e.has_ports() => {
            out.extend(e.rule.from_port.map(|p| ("from_port", Value::Number(p.into()))));
            out.extend(e.rule.to_port.map(|p| ("to_port", Value::Number(p.into()))));
        }
        None => {}
    }
    out.push(match (e.peer, source) {
        (EntryPeer::V4(_), Some(c)) => ("cidr_ipv4", Value::Var(c)),
        (EntryPeer::V6(_), Some(c)) => ("cidr_ipv6", Value::Var(c)),
        (EntryPeer::V4(p), _) => ("cidr_ipv4", Value::str(&p.id)),
        (EntryPeer::V6(p), _) => ("cidr_ipv6", Value::str(&p.id)),
        (EntryPeer::PrefixList(p), _) => ("prefix_list_id", Value::str(&p.id)),
        // Another account's group is `account/group`, as the provider takes it.
        (EntryPeer::Group(g), _) => match g.user_id.as_deref().filter(|u| *u != group.owner_id) {
            Some(user) => ("referenced_security_group_id", Value::String(format!("{user}/{}", g.group_id))),
            None => ("referenced_security_group_id", Value::str(&g.group_id)),
        },
    });
    out.extend(e.description().map(|d| ("description", Value::str(d))));
    out
}

/// `sg-0abc (web)`, the group's name (AWS text) made safe to show.
pub fn named(group: &SecurityGroup) -> String {
    format!("{} ({})", group.group_id, printable(&group.group_name))
}

/// The entries as people read them: `ingress tcp 22 from 0.0.0.0/0, ...`.
pub fn described(group: &SecurityGroup, entries: &[Entry]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for e in entries {
        let text = e.atom(&group.group_id).describe(&group.group_id);
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    shown.join(", ")
}

/// What the fix of SSH or RDP open to the world adds: no range is better than a narrow one.
pub const NO_OPEN_ADMIN_PORT: &str = " Better still, admit no one: reach the hosts through Systems Manager Session \
                                      Manager (Fleet Manager for RDP) or an EC2 Instance Connect Endpoint, and skip \
                                      the commands that admit a range.";

/// The fix of a world-open or too-broad exposure: revoke `offending` and admit the same ports from the user's
/// range of each entry's family (`v4`, `v6`). `what` says what the entries open (`SSH (TCP 22) to the
/// internet`); `advice` is a sentence added to the summary. `None` when there is nothing to revoke.
pub fn narrow(
    region: &str,
    group: &SecurityGroup,
    offending: &[Entry],
    (v4, v6): (Choice, Choice),
    what: &str,
    advice: &str,
) -> Option<Fix> {
    if offending.is_empty() {
        return None;
    }
    // One replacement per permission and family: a permission naming 0.0.0.0/0 twice needs one.
    let mut added: Vec<Added> = Vec::new();
    for e in offending {
        let a = Added::narrowed(*e, v4, v6);
        if !added.iter().any(|b| b.like.direction == e.direction && b.like.index == e.index && b.source == a.source) {
            added.push(a);
        }
    }
    let mut cli = revoke(region, group, offending);
    let authorize = authorize(region, group, &added);
    let choices: Vec<Choice> = authorize.iter().flat_map(|c| c.choices().to_vec()).collect();
    cli.extend(authorize.iter().map(Command::line));
    let summary = format!(
        "Revoke the rule(s) of {} that open {what}: {}; then admit the same ports from {} only.{advice}{}",
        named(group),
        described(group, offending),
        ranges(&choices),
        set_first(&choices),
    );
    Some(Fix::commands(summary, cli).with_terraform(resulting_rules(group, offending, &added)))
}

/// `$ADMIN_CIDR (and $ADMIN_CIDR_V6)`.
fn ranges(choices: &[Choice]) -> String {
    let mut names: Vec<String> = choices.iter().map(|c| format!("${}", c.shell)).collect();
    names.dedup();
    match names.as_slice() {
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} (and {})", rest.join(", ")),
        [] => "a known range".to_string(),
    }
}

/// What it takes to move `from`'s holders to `to`: a `modify-network-interface-attribute` for each interface
/// holding `from` (its whole set of groups, `from` replaced by `to`), and the other holders, which their own
/// service's settings name (`lambda-function arn:...`), for the summary.
pub fn move_holders(region: &RegionSnapshot, from: &str, to: &str) -> (Vec<String>, Vec<String>) {
    let interfaces = region.interface_groups();
    let mut commands = Vec::new();
    for (eni, groups) in interfaces.iter().filter(|(_, groups)| groups.contains(&from)) {
        let mut new: Vec<&str> = groups.iter().map(|g| if *g == from { to } else { g }).collect();
        new.dedup();
        let mut command = Command::aws("ec2", "modify-network-interface-attribute", Some(&region.region))
            .arg("--network-interface-id", eni)
            .flag("--groups");
        for g in new {
            command = command.value(g);
        }
        commands.push(command.line());
    }
    let mut others: Vec<String> = region
        .attachments
        .iter()
        .filter(|a| a.via == Via::Config && a.target == Target::Group(from.to_string()))
        // An instance's groups are its interfaces' (moved above when the snapshot has them).
        .filter(|a| {
            a.kind != ResourceKind::Ec2Instance
                || !region.attachments.iter().any(|b| {
                    b.via == Via::Eni
                        && b.detail.as_deref().is_some_and(|d| d.contains(&format!("attached to {}", a.resource_id)))
                })
        })
        .map(|a| format!("{} {}", a.kind.id(), printable(&a.resource_id)))
        .collect();
    others.sort();
    others.dedup();
    (commands, others)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::shell::tests::{split, HOSTILE};
    use crate::fix::terraform::tests::parse;
    use crate::fix::{ADMIN_CIDR, ADMIN_CIDR_V6};
    use crate::rules::test_support::{group, rule};

    #[test]
    fn a_revoke_names_just_the_offending_peers_as_written() {
        let mut g = group("sg-1", vec![rule("6", Some(22), Some(22), &["0.0.0.0/0", "10.0.0.0/8"], &["::/0"])], vec![]);
        g.ingress[0].ipv4_ranges[1].description = Some("office".into());
        let world: Vec<Entry> = entries(&g).into_iter().filter(Entry::is_world).collect();
        assert_eq!(world.len(), 2);
        let fix = narrow("eu-west-1", &g, &world, (ADMIN_CIDR, ADMIN_CIDR_V6), "SSH", "").unwrap();
        assert_eq!(
            fix.cli[0],
            r#"aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions '[{"IpProtocol":"6","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'"#
        );
        assert_eq!(
            fix.cli[1],
            r#"aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions '[{"IpProtocol":"6","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"'"$ADMIN_CIDR"'"}]},{"IpProtocol":"6","FromPort":22,"ToPort":22,"Ipv6Ranges":[{"CidrIpv6":"'"$ADMIN_CIDR_V6"'"}]}]'"#
        );
        assert!(fix.summary.contains("ADMIN_CIDR to ") && fix.summary.contains("ADMIN_CIDR_V6 to "), "{}", fix.summary);
        // The rules after: the office rule stays with its description, the two world peers are the user's ranges.
        let blocks = parse(fix.terraform.as_deref().unwrap());
        let resources: Vec<_> = blocks.iter().filter(|b| b.0 == "resource").collect();
        assert_eq!(resources.len(), 3);
        let peer = |i: usize| resources[i].2.iter().find(|(k, _)| k.starts_with("cidr_")).cloned().unwrap();
        assert_eq!(peer(0), ("cidr_ipv4".to_string(), "10.0.0.0/8".to_string()));
        assert_eq!(peer(1), ("cidr_ipv4".to_string(), "var.admin_cidr".to_string()));
        assert_eq!(peer(2), ("cidr_ipv6".to_string(), "var.admin_cidr_v6".to_string()));
        assert!(resources[0].2.contains(&("description".to_string(), "office".to_string())));
    }

    #[test]
    fn hostile_descriptions_and_ids_stay_one_argument() {
        for hostile in HOSTILE {
            let mut g = group(hostile, vec![rule("tcp", Some(22), Some(22), &["0.0.0.0/0"], &[])], vec![]);
            g.ingress[0].ipv4_ranges[0].description = Some(hostile.to_string());
            let world = entries(&g);
            let fix = narrow("us-east-1", &g, &world, (ADMIN_CIDR, ADMIN_CIDR_V6), "SSH", "").unwrap();
            for line in &fix.cli {
                let words = split(line).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(words[6], *hostile, "{line}");
                let json: serde_json::Value = serde_json::from_str(&words[8].replace("$ADMIN_CIDR", "192.0.2.0/24"))
                    .unwrap_or_else(|e| panic!("{e}: {}", words[8]));
                if line.contains("authorize") {
                    assert_eq!(json[0]["IpRanges"][0]["Description"], *hostile);
                }
            }
            let blocks = parse(fix.terraform.as_deref().unwrap());
            let rule = blocks.iter().find(|b| b.0 == "resource").unwrap();
            assert!(rule.2.contains(&("security_group_id".to_string(), hostile.to_string())));
            assert!(rule.2.contains(&("description".to_string(), hostile.to_string())));
        }
    }

    #[test]
    fn every_protocol_has_no_ports_and_other_accounts_groups_keep_their_owner() {
        let mut g = group("sg-1", vec![rule("-1", None, None, &[], &[])], vec![]);
        g.ingress[0].groups.push(GroupPeer {
            group_id: "sg-9".into(),
            user_id: Some("444455556666".into()),
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        });
        let all = entries(&g);
        assert_eq!(
            revoke("us-east-1", &g, &all),
            [
                r#"aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-1 --ip-permissions '[{"IpProtocol":"-1","UserIdGroupPairs":[{"GroupId":"sg-9","UserId":"444455556666"}]}]'"#
            ]
        );
        assert_eq!(resulting_rules(&g, &all, &[]), None);
        let text = resulting_rules(&g, &[], &[]).unwrap();
        assert!(text.contains("referenced_security_group_id = \"444455556666/sg-9\""), "{text}");
        assert!(!text.contains("from_port"), "{text}");
    }
}

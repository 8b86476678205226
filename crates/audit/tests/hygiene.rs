//! The rule-hygiene checks of the network family (issue 16) over small hand-built estates, judged end to end
//! through `audit_with`: duplicate groups, redundant rules, broad public sources, wide port ranges, every
//! protocol from a public block, and groups near AWS's quota of rules. Each has a failure with its exact
//! evidence, a pass, and what it leaves out; and missing evidence of groups is never a pass.

use sgaudit_audit::checks::{resource, Options, Outcome, ResultFix};
use sgaudit_audit::rules::signature;
use sgaudit_audit::{audit_with, CheckResult, Family, Severity};
use sgaudit_snapshot::posture::{AppliedQuota, PrefixList};
use sgaudit_snapshot::{
    Attachment, CoverageState, GroupPeer, Peer, RegionSnapshot, ResourceKind, Rule, SecurityGroup, Snapshot,
    SourceCoverage, SourceError, Target, Via,
};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";

/// The checks of this file, each with the severity of its failures.
const HYGIENE: [(&str, Severity); 6] = [
    ("net-sg-duplicate-rules", Severity::Low),
    ("net-sg-redundant-rule", Severity::Low),
    ("net-sg-broad-public-source", Severity::Medium),
    ("net-sg-wide-port-range", Severity::Low),
    ("net-sg-all-protocols-public", Severity::High),
    ("net-sg-rules-quota", Severity::Low),
];

fn group(id: &str, name: &str, vpc: &str, ingress: Vec<Rule>, egress: Vec<Rule>) -> SecurityGroup {
    SecurityGroup {
        group_id: id.into(),
        group_name: name.into(),
        description: String::new(),
        vpc_id: Some(vpc.into()),
        owner_id: ACCOUNT.into(),
        tags: Default::default(),
        ingress,
        egress,
    }
}

fn peers(ids: &[&str]) -> Vec<Peer> {
    ids.iter().map(|id| Peer { id: id.to_string(), description: None }).collect()
}

/// A permission from (or to) address blocks, IPv4 and IPv6 told apart by their text.
fn cidrs(protocol: &str, from: Option<i32>, to: Option<i32>, blocks: &[&str]) -> Rule {
    let (v6, v4): (Vec<&str>, Vec<&str>) = blocks.iter().partition(|b| b.contains(':'));
    Rule {
        protocol: protocol.into(),
        from_port: from,
        to_port: to,
        ipv4_ranges: peers(&v4),
        ipv6_ranges: peers(&v6),
        prefix_lists: vec![],
        groups: vec![],
    }
}

fn tcp(from: i32, to: i32, blocks: &[&str]) -> Rule {
    cidrs("tcp", Some(from), Some(to), blocks)
}

fn all(blocks: &[&str]) -> Rule {
    cidrs("-1", None, None, blocks)
}

/// A permission naming groups.
fn from_groups(protocol: &str, from: Option<i32>, to: Option<i32>, groups: &[&str]) -> Rule {
    let mut rule = cidrs(protocol, from, to, &[]);
    rule.groups = groups
        .iter()
        .map(|g| GroupPeer {
            group_id: g.to_string(),
            user_id: Some(ACCOUNT.into()),
            vpc_id: None,
            vpc_peering_connection_id: None,
            description: None,
        })
        .collect();
    rule
}

/// A permission naming prefix lists.
fn from_lists(protocol: &str, from: Option<i32>, to: Option<i32>, lists: &[&str]) -> Rule {
    let mut rule = cidrs(protocol, from, to, &[]);
    rule.prefix_lists = peers(lists);
    rule
}

/// AWS's default egress rule: everything to 0.0.0.0/0.
fn default_egress() -> Vec<Rule> {
    vec![all(&["0.0.0.0/0"])]
}

fn holds(group: &str, kind: ResourceKind, id: &str, via: Via) -> Attachment {
    Attachment {
        target: Target::Group(group.into()),
        kind,
        resource_id: id.into(),
        via,
        source: "test".into(),
        detail: None,
    }
}

fn complete(source: &str) -> SourceCoverage {
    SourceCoverage { source: source.into(), state: CoverageState::Complete, requests: 1, items: 0 }
}

/// Every source of use read in full: holders counted are all there are; and the regional evidence of the
/// account checks (the prefix lists and the applied quotas among it).
fn whole() -> Vec<SourceCoverage> {
    let regional = sgaudit_snapshot::posture::REGION_POSTURE_SOURCES;
    sgaudit_snapshot::SOURCES.iter().chain(regional).map(|s| complete(s)).collect()
}

/// Every source of use read in full but `source`: refused (`UnauthorizedOperation`), or failed (throttled out).
fn whole_but(source: &str, action: &str, refused: bool) -> Vec<SourceCoverage> {
    let (code, message) =
        if refused { ("UnauthorizedOperation", "not authorized") } else { ("Throttling", "Rate exceeded") };
    let error =
        SourceError { code: code.into(), message: message.into(), action: Some(action.into()), scp_deny: false };
    let state = if refused {
        CoverageState::Denied { error: Box::new(error) }
    } else {
        CoverageState::Failed { error: Box::new(error) }
    };
    whole()
        .into_iter()
        .map(|c| if c.source == source { SourceCoverage { state: state.clone(), ..c } } else { c })
        .collect()
}

fn region(name: &str, groups: Vec<SecurityGroup>, attachments: Vec<Attachment>) -> RegionSnapshot {
    region_read(name, groups, attachments, whole())
}

fn region_read(
    name: &str,
    groups: Vec<SecurityGroup>,
    attachments: Vec<Attachment>,
    coverage: Vec<SourceCoverage>,
) -> RegionSnapshot {
    RegionSnapshot {
        account_id: ACCOUNT.into(),
        region: name.into(),
        security_groups: groups,
        attachments,
        coverage,
        stale_rules: vec![],
        posture: Default::default(),
        network: Default::default(),
    }
}

/// Every result of the network checks over these regions.
fn judge(regions: Vec<RegionSnapshot>) -> Vec<CheckResult> {
    let mut snapshot = Snapshot::new("test", None);
    snapshot.families = vec![Family::Network];
    snapshot.regions = regions;
    snapshot.normalize();
    let options = Options { families: Some(vec![Family::Network]), ..Options::default() };
    audit_with(&snapshot, &options).results
}

fn of<'a>(results: &'a [CheckResult], check: &str) -> Vec<&'a CheckResult> {
    results.iter().filter(|r| r.check.id == check).collect()
}

/// The evidence of one check's failures.
fn failures(results: &[CheckResult], check: &str) -> Vec<String> {
    of(results, check).iter().filter(|r| r.outcome == Outcome::Fail).map(|r| r.evidence.clone()).collect()
}

/// The one result of a check that found nothing in the region: a pass at the account, in the region.
fn the_pass<'a>(results: &'a [CheckResult], check: &str) -> &'a CheckResult {
    let mine = of(results, check);
    assert_eq!(mine.len(), 1, "{check}: {mine:#?}");
    let pass = mine[0];
    assert_eq!(pass.outcome, Outcome::Pass, "{check}: {pass:#?}");
    assert_eq!(pass.severity, Severity::Informational);
    assert_eq!(pass.location.resource_type, resource::ACCOUNT);
    assert_eq!(pass.location.resource, format!("AWS::::Account:{ACCOUNT}"));
    assert_eq!(pass.location.region.as_deref(), Some(REGION));
    pass
}

/// A failure stands at its group's ARN, in its region, with the check's severity.
fn assert_at_group(result: &CheckResult, group_id: &str, severity: Severity) {
    assert_eq!(result.outcome, Outcome::Fail);
    assert_eq!(result.severity, severity, "{}", result.check.id);
    assert_eq!(result.location.resource_type, resource::EC2_SECURITY_GROUP);
    assert_eq!(result.location.resource, format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}"));
    assert_eq!(result.location.region.as_deref(), Some(REGION));
}

// --- net-sg-duplicate-rules ---

/// Web rules, written two ways: the same atoms in another order, grouping and description, a host bit set.
fn web(id: &str, name: &str, vpc: &str, reordered: bool) -> SecurityGroup {
    if reordered {
        let mut https = tcp(443, 443, &["10.0.0.1/8", "192.168.0.0/16"]);
        https.ipv4_ranges[0].description = Some("written differently".into());
        group(id, name, vpc, vec![tcp(22, 22, &["10.1.0.0/16"]), https], default_egress())
    } else {
        let ingress =
            vec![tcp(443, 443, &["192.168.0.0/16"]), tcp(22, 22, &["10.1.0.0/16"]), tcp(443, 443, &["10.0.0.0/8"])];
        group(id, name, vpc, ingress, default_egress())
    }
}

#[test]
fn duplicates_keep_the_group_with_most_holders_and_fail_the_others() {
    let groups = vec![
        web("sg-0a", "web-a", "vpc-1", false),
        web("sg-0b", "web-b", "vpc-1", true),
        web("sg-0c", "web-c", "vpc-1", false),
        // The same rules in another VPC: not a duplicate of these.
        web("sg-0d", "web-d", "vpc-2", false),
    ];
    let attachments = vec![
        holds("sg-0b", ResourceKind::NetworkInterface, "eni-1", Via::Eni),
        holds("sg-0b", ResourceKind::Ec2Instance, "i-1", Via::Config),
        // Seen again by another source: still one holder.
        Attachment {
            source: "ec2-launch-templates".into(),
            ..holds("sg-0b", ResourceKind::Ec2Instance, "i-1", Via::Config)
        },
        holds("sg-0c", ResourceKind::LambdaFunction, "arn:aws:lambda:us-east-1:111122223333:function:f", Via::Config),
    ];
    let digest = signature(&groups[0]).digest();
    assert_eq!(digest, signature(&groups[1]).digest(), "the two spellings have one signature");
    assert_eq!(digest.len(), 16);
    let results = judge(vec![region(REGION, groups, attachments)]);
    let found = of(&results, "net-sg-duplicate-rules");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_at_group(found[0], "sg-0a", Severity::Low);
    assert_at_group(found[1], "sg-0c", Severity::Low);
    assert_eq!(
        failures(&results, "net-sg-duplicate-rules"),
        [
            format!(
                "sg-0a (web-a) has the same rules as sg-0b (web-b) in vpc-1: move its 0 holder(s) to sg-0b and delete \
                 it (rules digest {digest})"
            ),
            format!(
                "sg-0c (web-c) has the same rules as sg-0b (web-b) in vpc-1: move its 1 holder(s) to sg-0b and delete \
                 it (rules digest {digest})"
            ),
        ]
    );
}

#[test]
fn of_duplicates_with_as_many_holders_the_lowest_id_is_kept() {
    let groups = vec![web("sg-0f", "f", "vpc-1", false), web("sg-0e", "e", "vpc-1", true)];
    let attachments = vec![
        holds("sg-0f", ResourceKind::NetworkInterface, "eni-1", Via::Eni),
        holds("sg-0e", ResourceKind::NetworkInterface, "eni-2", Via::Eni),
    ];
    let results = judge(vec![region(REGION, groups, attachments)]);
    let got = failures(&results, "net-sg-duplicate-rules");
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with("sg-0f (f) has the same rules as sg-0e (e) in vpc-1: move its 1 holder(s) to sg-0e"),
        "{got:?}"
    );
}

#[test]
fn duplicates_leave_out_default_groups_groups_without_ingress_and_identity_groups() {
    let egress_only = |id: &str| group(id, id, "vpc-1", vec![], default_egress());
    let groups = vec![
        // The default group has the rules of sg-02: a default group is never a candidate, so sg-02 is alone.
        web("sg-01", "default", "vpc-1", false),
        web("sg-02", "web", "vpc-1", true),
        // Alike, but with no inbound rule: identities, not consolidation candidates.
        egress_only("sg-03"),
        egress_only("sg-04"),
        // sg-06 and sg-07 are alike, but a rule of sg-08 names sg-06 (whom it admits is who holds sg-06) and a
        // rule in a peered VPC names sg-07.
        group("sg-05", "db", "vpc-1", vec![from_groups("tcp", Some(5432), Some(5432), &["sg-06"])], default_egress()),
        group("sg-06", "app-a", "vpc-1", vec![tcp(8080, 8080, &["10.0.0.0/8"])], default_egress()),
        group("sg-07", "app-b", "vpc-1", vec![tcp(8080, 8080, &["10.0.0.0/8"])], default_egress()),
        group("sg-08", "app-c", "vpc-1", vec![tcp(8080, 8080, &["10.0.0.0/8"])], default_egress()),
    ];
    let peered = holds("sg-07", ResourceKind::PeeredVpcReference, "vpc-0peer", Via::Rule);
    let results = judge(vec![region(REGION, groups.clone(), vec![peered.clone()])]);
    // sg-08 is the only candidate left of the app groups: alone, nothing to report.
    assert_eq!(
        the_pass(&results, "net-sg-duplicate-rules").evidence,
        "none of the 8 security group(s) of us-east-1 has the same rules as another group of its VPC"
    );
    // Without the rules that name them, sg-06, sg-07 and sg-08 are duplicates: the exclusion is what passed.
    let mut unnamed = groups;
    unnamed.retain(|g| g.group_id != "sg-05");
    let results = judge(vec![region(REGION, unnamed, vec![])]);
    let got = failures(&results, "net-sg-duplicate-rules");
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|e| e.contains("as sg-06 (app-a) in vpc-1")), "{got:?}");
}

#[test]
fn holders_are_counted_only_where_every_source_of_use_was_read() {
    let groups = vec![web("sg-0a", "a", "vpc-1", false), web("sg-0b", "b", "vpc-1", true)];
    let attachments = vec![holds("sg-0a", ResourceKind::NetworkInterface, "eni-1", Via::Eni)];
    let only_groups = vec![complete("ec2-security-groups")];
    let results = judge(vec![region_read(REGION, groups, attachments, only_groups)]);
    let got = failures(&results, "net-sg-duplicate-rules");
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with(
            "sg-0b (b) has the same rules as sg-0a (a) in vpc-1: move its holders (0 seen; not every source of use \
             could be read in the region) to sg-0a and delete it (rules digest "
        ),
        "{got:?}"
    );
}

#[test]
fn group_names_are_made_printable_in_the_evidence() {
    let groups = vec![web("sg-0a", "a\u{1b}[2Jb", "vpc-1", false), web("sg-0b", "x\u{202e}y", "vpc-1", true)];
    let results = judge(vec![region(REGION, groups, vec![])]);
    let got = failures(&results, "net-sg-duplicate-rules");
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with(r"sg-0b (x\u{202e}y) has the same rules as sg-0a (a\u{1b}[2Jb)"), "{got:?}");
    assert!(!got[0].contains('\u{1b}') && !got[0].contains('\u{202e}'));
}

// --- net-sg-redundant-rule ---

#[test]
fn redundant_rules_are_named_with_what_covers_them() {
    let g = group(
        "sg-0a",
        "a",
        "vpc-1",
        vec![
            tcp(22, 22, &["10.1.0.0/16"]),
            tcp(0, 65535, &["10.0.0.0/8"]),
            tcp(80, 80, &["192.168.1.1/16", "192.168.0.0/16"]),
        ],
        vec![all(&["0.0.0.0/0"]), tcp(443, 443, &["0.0.0.0/0"])],
    );
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    let found = of(&results, "net-sg-redundant-rule");
    assert_eq!(found.len(), 1);
    assert_at_group(found[0], "sg-0a", Severity::Low);
    assert_eq!(
        found[0].evidence,
        "sg-0a (a) has 3 redundant rule(s): ingress tcp 22 from 10.1.0.0/16 is covered by ingress tcp 0-65535 from \
         10.0.0.0/8; ingress tcp 80 from 192.168.0.0/16 is repeated; egress tcp 443 to 0.0.0.0/0 is covered by \
         egress all to 0.0.0.0/0"
    );
}

#[test]
fn rules_of_different_peers_or_families_are_not_redundant() {
    let g = group(
        "sg-0a",
        "a",
        "vpc-1",
        vec![
            tcp(443, 443, &["0.0.0.0/0", "::/0"]),
            from_groups("tcp", Some(22), Some(22), &["sg-0a"]),
            from_groups("tcp", Some(22), Some(22), &["sg-0b"]),
            from_lists("tcp", Some(22), Some(22), &["pl-0a"]),
        ],
        default_egress(),
    );
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    assert_eq!(
        the_pass(&results, "net-sg-redundant-rule").evidence,
        "none of the 1 security group(s) of us-east-1 has a rule that another of its rules covers"
    );
}

// --- net-sg-broad-public-source ---

#[test]
fn broad_public_sources_from_slash_1_to_8_and_32_are_reported_but_not_the_world() {
    let g = group(
        "sg-0a",
        "a",
        "vpc-1",
        vec![
            tcp(443, 443, &["8.0.0.0/7", "44.0.0.0/8", "45.0.0.0/9", "10.0.0.0/8", "0.0.0.0/0"]),
            all(&["2600::/32", "2600::/33", "fc00::/7", "::/0"]),
            tcp(443, 443, &["8.0.0.1/7"]),
        ],
        default_egress(),
    );
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    let found = of(&results, "net-sg-broad-public-source");
    assert_eq!(found.len(), 1);
    assert_at_group(found[0], "sg-0a", Severity::Medium);
    assert_eq!(
        found[0].evidence,
        "sg-0a (a) admits traffic from a public block of /8 or larger (IPv6: /32 or larger): ingress tcp 443 from \
         8.0.0.0/7, ingress tcp 443 from 44.0.0.0/8, ingress all from 2600::/32"
    );
}

#[test]
fn world_open_and_narrow_or_private_sources_pass_the_broad_source_check() {
    let g = group(
        "sg-0a",
        "a",
        "vpc-1",
        vec![tcp(22, 22, &["0.0.0.0/0", "::/0", "45.0.0.0/9", "10.0.0.0/8", "172.16.0.0/12"])],
        // Egress is not a source.
        vec![all(&["8.0.0.0/7"])],
    );
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    assert!(the_pass(&results, "net-sg-broad-public-source").evidence.starts_with("none of the 1 security group(s)"));
}

// --- net-sg-wide-port-range ---

#[test]
fn wide_port_ranges_from_blocks_and_prefix_lists_are_reported() {
    let g = group(
        "sg-0a",
        "a",
        "vpc-1",
        vec![
            tcp(0, 65535, &["10.0.0.0/8", "0.0.0.0/0", "::/0"]),
            from_lists("udp", Some(1000), Some(2000), &["pl-0a"]),
            // 1,000 ports: not more than 1,000.
            tcp(1024, 2023, &["10.0.0.0/8"]),
            // Every protocol, and group peers (itself or another): left out.
            all(&["10.0.0.0/8"]),
            from_groups("tcp", Some(0), Some(65535), &["sg-0a", "sg-0b"]),
        ],
        vec![tcp(0, 65535, &["10.0.0.0/8"])],
    );
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    let found = of(&results, "net-sg-wide-port-range");
    assert_eq!(found.len(), 1);
    assert_at_group(found[0], "sg-0a", Severity::Low);
    assert_eq!(
        found[0].evidence,
        "sg-0a (a) admits more than 1000 ports in one rule: ingress tcp 0-65535 from 10.0.0.0/8, ingress udp 1000-2000 \
         from pl-0a"
    );
}

#[test]
fn self_group_and_world_peers_pass_the_wide_port_range_check() {
    let g = group(
        "sg-0a",
        "a",
        "vpc-1",
        vec![
            from_groups("tcp", Some(0), Some(65535), &["sg-0a"]),
            tcp(0, 65535, &["0.0.0.0/0"]),
            tcp(1024, 2023, &["10.0.0.0/8"]),
        ],
        default_egress(),
    );
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    assert_eq!(
        the_pass(&results, "net-sg-wide-port-range").evidence,
        "none of the 1 security group(s) of us-east-1 admits more than 1000 TCP or UDP ports in one rule from an \
         address block or prefix list"
    );
}

// --- net-sg-all-protocols-public ---

#[test]
fn every_protocol_from_a_public_block_is_reported_but_not_from_the_world() {
    let g = group(
        "sg-0a",
        "a",
        "vpc-1",
        vec![all(&["203.0.113.7/32", "10.0.0.0/8", "0.0.0.0/0", "2600::/48"]), tcp(0, 65535, &["198.51.100.0/24"])],
        default_egress(),
    );
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    let found = of(&results, "net-sg-all-protocols-public");
    assert_eq!(found.len(), 1);
    assert_at_group(found[0], "sg-0a", Severity::High);
    assert_eq!(
        found[0].evidence,
        "sg-0a (a) admits every protocol from a public block: ingress all from 203.0.113.7/32, ingress all from \
         2600::/48"
    );
    let world = group("sg-0b", "b", "vpc-1", vec![all(&["0.0.0.0/0", "::/0", "192.168.0.0/16"])], default_egress());
    let results = judge(vec![region(REGION, vec![world], vec![])]);
    the_pass(&results, "net-sg-all-protocols-public");
}

// --- net-sg-rules-quota ---

/// `n` distinct IPv4 (or IPv6) blocks, for one permission.
fn blocks(n: usize, v6: bool) -> Vec<String> {
    (0..n).map(|i| if v6 { format!("2600:{i:x}::/32") } else { format!("10.{}.{}.0/24", i / 256, i % 256) }).collect()
}

fn many(protocol: &str, n: usize, v6: bool) -> Rule {
    let owned = blocks(n, v6);
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    cidrs(protocol, Some(443), Some(443), &texts)
}

#[test]
fn the_quota_tallies_each_direction_and_family_and_warns_at_48() {
    let ids: Vec<String> = (0..24).map(|i| format!("sg-0f{i:02x}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let groups = vec![
        group("sg-01", "47-v4", "vpc-1", vec![many("tcp", 47, false)], default_egress()),
        group("sg-02", "48-v4", "vpc-1", vec![many("tcp", 40, false), many("udp", 8, false)], default_egress()),
        group("sg-03", "59-v4", "vpc-1", vec![many("tcp", 59, false)], default_egress()),
        // 30 and 30: each family below the threshold.
        group("sg-04", "30-30", "vpc-1", vec![many("tcp", 30, false), many("tcp", 30, true)], default_egress()),
        // Group references count toward both families: 24 + 24 is 48 for IPv4, 24 for IPv6.
        group(
            "sg-05",
            "refs",
            "vpc-1",
            vec![many("tcp", 24, false), from_groups("tcp", Some(22), Some(22), &refs)],
            default_egress(),
        ),
        group("sg-06", "out-v6", "vpc-1", vec![], vec![many("tcp", 48, true)]),
    ];
    let results = judge(vec![region(REGION, groups, vec![])]);
    let found = of(&results, "net-sg-rules-quota");
    for r in &found {
        assert_eq!(r.severity, Severity::Low);
        assert_eq!(r.location.resource_type, resource::EC2_SECURITY_GROUP);
    }
    let tail = "at or above 48 (80 % of AWS's default quota of 60 rules per direction and address family: Service \
                Quotas holds no applied value of L-0EA8095F)";
    assert_eq!(
        failures(&results, "net-sg-rules-quota"),
        [
            format!("sg-02 (48-v4) has 48 inbound IPv4 rule(s), {tail}"),
            format!("sg-03 (59-v4) has 59 inbound IPv4 rule(s), {tail}"),
            format!("sg-05 (refs) has 48 inbound IPv4 rule(s), {tail}"),
            format!("sg-06 (out-v6) has 48 outbound IPv6 rule(s), {tail}"),
        ]
    );
}

/// The default quota's words in evidence.
const DEFAULT_RULES_QUOTA: &str = "AWS's default quota of 60 rules per direction and address family: Service \
                                   Quotas holds no applied value of L-0EA8095F";

#[test]
fn a_list_not_returned_counts_as_one_and_the_evidence_names_it_a_floor() {
    let near = group(
        "sg-0a",
        "near",
        "vpc-1",
        vec![many("tcp", 47, false), from_lists("tcp", Some(443), Some(443), &["pl-0a"])],
        default_egress(),
    );
    let results = judge(vec![region(REGION, vec![near], vec![])]);
    let found = of(&results, "net-sg-rules-quota");
    assert_eq!(found.len(), 1);
    assert_at_group(found[0], "sg-0a", Severity::Low);
    assert_eq!(
        found[0].evidence,
        format!(
            "sg-0a (near) has 48 inbound IPv4 rule(s), at or above 48 (80 % of {DEFAULT_RULES_QUOTA}); prefix lists \
             counted: pl-0a as one, a floor (not among the region's prefix lists)"
        )
    );
    // Below the threshold the region passes, and names the lists it counted as one each.
    let below = group(
        "sg-0a",
        "below",
        "vpc-1",
        vec![from_lists("tcp", Some(443), Some(443), &["pl-0a", "pl-0b"])],
        default_egress(),
    );
    let plain = group("sg-0b", "plain", "vpc-1", vec![many("tcp", 47, false)], default_egress());
    let results = judge(vec![region(REGION, vec![below, plain], vec![])]);
    assert_eq!(
        the_pass(&results, "net-sg-rules-quota").evidence,
        format!(
            "none of the 2 security group(s) of us-east-1 has 48 or more rules in one direction and address family \
             (80 % of {DEFAULT_RULES_QUOTA}); counted as one entry each, a floor (their sizes are not known): prefix \
             list(s) pl-0a, pl-0b"
        )
    );
}

fn quota(code: &str, value: Option<u32>) -> AppliedQuota {
    AppliedQuota { service_code: "vpc".into(), code: code.into(), value }
}

/// A customer-managed list counts its maximum entries toward its own family; an AWS-managed one its documented
/// weight toward both; an AWS-managed one of no documented weight one, a floor.
#[test]
fn prefix_lists_count_at_their_maximum_or_weight_in_the_families_aws_counts() {
    let lists = vec![
        PrefixList::new("pl-0own4", "partners", ACCOUNT, "IPv4", Some(40)),
        PrefixList::new("pl-0own6", "partners-v6", ACCOUNT, "IPv6", Some(40)),
        PrefixList::new("pl-0cf", "com.amazonaws.global.cloudfront.origin-facing", "AWS", "IPv4", None),
        PrefixList::new("pl-0new", "com.amazonaws.us-east-1.new-service", "AWS", "IPv4", None),
    ];
    let groups = vec![
        // 8 IPv4 blocks and a 40-entry IPv4 list: 48 inbound IPv4, reported because of the list.
        group(
            "sg-01",
            "partners",
            "vpc-1",
            vec![many("tcp", 8, false), from_lists("tcp", Some(443), Some(443), &["pl-0own4"])],
            default_egress(),
        ),
        // The same with an IPv6 list: 8 IPv4 and 40 IPv6, neither at 48.
        group(
            "sg-02",
            "partners-v6",
            "vpc-1",
            vec![many("tcp", 8, false), from_lists("tcp", Some(443), Some(443), &["pl-0own6"])],
            default_egress(),
        ),
        // CloudFront's list weighs 55, in both families.
        group("sg-03", "origin", "vpc-1", vec![from_lists("tcp", Some(443), Some(443), &["pl-0cf"])], vec![]),
        // An undocumented AWS list beside 47 blocks: 48, a floor.
        group(
            "sg-04",
            "new-service",
            "vpc-1",
            vec![many("tcp", 47, false), from_lists("tcp", Some(443), Some(443), &["pl-0new"])],
            default_egress(),
        ),
    ];
    let mut r = region(REGION, groups, vec![]);
    r.posture.prefix_lists = lists;
    let results = judge(vec![r]);
    assert_eq!(
        failures(&results, "net-sg-rules-quota"),
        [
            format!(
                "sg-01 (partners) has 48 inbound IPv4 rule(s), at or above 48 (80 % of {DEFAULT_RULES_QUOTA}); prefix \
                 lists counted: pl-0own4 (partners) at its maximum of 40 entries (IPv4)"
            ),
            format!(
                "sg-03 (origin) has 55 inbound IPv4 rule(s) and 55 inbound IPv6 rule(s), at or above 48 (80 % of \
                 {DEFAULT_RULES_QUOTA}); prefix lists counted: pl-0cf (com.amazonaws.global.cloudfront.origin-facing) \
                 at its documented weight of 55 (IPv4 and IPv6)"
            ),
            format!(
                "sg-04 (new-service) has 48 inbound IPv4 rule(s), at or above 48 (80 % of {DEFAULT_RULES_QUOTA}); \
                 prefix lists counted: pl-0new (com.amazonaws.us-east-1.new-service) as one, a floor (its size is not \
                 documented)"
            ),
        ]
    );
    // The fix names the list's maximum among the ways out.
    let ResultFix::Written(fix) = &of(&results, "net-sg-rules-quota")[0].fix else { panic!("a fix") };
    assert!(fix.summary.contains("--max-entries") && fix.summary.contains("now 60"), "{}", fix.summary);
}

/// Judged against the account's applied quota where Service Quotas has one: a raised quota moves the threshold
/// up (59 rules pass under 100) and a lowered one down; and the evidence says which quota it used.
#[test]
fn the_applied_quota_is_used_where_service_quotas_has_one() {
    use sgaudit_snapshot::posture::QUOTA_RULES_PER_GROUP;
    let groups = vec![
        group("sg-01", "59", "vpc-1", vec![many("tcp", 59, false)], default_egress()),
        group("sg-02", "80", "vpc-1", vec![many("tcp", 80, false)], default_egress()),
    ];
    let mut raised = region(REGION, groups.clone(), vec![]);
    raised.posture.quotas = vec![quota(QUOTA_RULES_PER_GROUP, Some(100))];
    let results = judge(vec![raised]);
    assert_eq!(
        failures(&results, "net-sg-rules-quota"),
        ["sg-02 (80) has 80 inbound IPv4 rule(s), at or above 80 (80 % of the account's applied quota of 100 rules \
          per direction and address family, read from Service Quotas (L-0EA8095F))"]
    );
    let ResultFix::Written(fix) = &of(&results, "net-sg-rules-quota")[0].fix else { panic!("a fix") };
    assert!(fix.summary.contains("now 100"), "{}", fix.summary);
    // Under the default (no applied value: NoSuchResourceException), both are reported.
    let mut default = region(REGION, groups, vec![]);
    default.posture.quotas = vec![quota(QUOTA_RULES_PER_GROUP, None)];
    let results = judge(vec![default]);
    assert_eq!(failures(&results, "net-sg-rules-quota").len(), 2);
    // A pass says which quota it judged against.
    let mut quiet = region(REGION, vec![group("sg-01", "few", "vpc-1", vec![many("tcp", 3, false)], vec![])], vec![]);
    quiet.posture.quotas = vec![quota(QUOTA_RULES_PER_GROUP, Some(100))];
    let results = judge(vec![quiet]);
    assert!(
        the_pass(&results, "net-sg-rules-quota").evidence.ends_with(
            "has 80 or more rules in one direction and address family (80 % of the account's applied quota of 100 \
             rules per direction and address family, read from Service Quotas (L-0EA8095F))"
        ),
        "{}",
        the_pass(&results, "net-sg-rules-quota").evidence
    );
}

/// Where the quotas or the prefix lists could not be read, the quota checks are not evaluated there (never a
/// pass, and never judged against a default they cannot know is the account's), and say which call failed.
#[test]
fn unread_quotas_or_lists_leave_the_quota_checks_not_evaluated() {
    use sgaudit_audit::checks::network::{sg_groups_per_interface, sg_rules_quota};
    let ids = ["sg-01", "sg-02", "sg-03", "sg-04", "sg-05"];
    let groups: Vec<SecurityGroup> =
        ids.iter().map(|id| group(id, id, "vpc-1", vec![many("tcp", 50, false)], default_egress())).collect();
    for (source, action, checks) in [
        (
            "servicequotas-vpc",
            "servicequotas:GetServiceQuota",
            vec![sg_rules_quota::CHECK.id, sg_groups_per_interface::CHECK.id],
        ),
        ("ec2-managed-prefix-lists", "ec2:DescribeManagedPrefixLists", vec![sg_rules_quota::CHECK.id]),
    ] {
        let coverage = whole_but(source, action, true);
        let results = judge(vec![region_read(REGION, groups.clone(), interface("eni-0a", &ids), coverage)]);
        for check in &checks {
            let mine = of(&results, check);
            assert_eq!(mine.len(), 1, "{source} {check}: {mine:#?}");
            assert_eq!(mine[0].outcome, Outcome::NotEvaluated, "{source} {check}");
            assert!(mine[0].evidence.contains(action), "{source} {check}: {}", mine[0].evidence);
        }
        // The groups-per-interface check does not read the prefix lists: judged without them.
        if source == "ec2-managed-prefix-lists" {
            assert_eq!(failures(&results, sg_groups_per_interface::CHECK.id).len(), 1);
        }
    }
}

// --- every hygiene check ---

/// The descriptions (fixed text, for the docs) state the thresholds the checks use.
#[test]
fn the_descriptions_state_the_thresholds_in_force() {
    use sgaudit_audit::checks::network::{
        sg_broad_public_source as broad, sg_rules_quota as quota, sg_wide_port_range as wide,
    };
    let has = |check: &sgaudit_audit::checks::Check, text: String| {
        assert!(check.description.contains(&text), "{}: {text:?} in {:?}", check.id, check.description)
    };
    has(&broad::CHECK, format!("IPv4 block of /1 to /{}", broad::MAX_PREFIX_V4));
    has(&broad::CHECK, format!("IPv6 block of /1 to /{}", broad::MAX_PREFIX_V6));
    assert_eq!(wide::MAX_PORTS, 1000);
    has(&wide::CHECK, "more than 1,000 ports".to_string());
    has(&quota::CHECK, format!("({} by default)", quota::DEFAULT_RULES_PER_GROUP));
    has(&quota::CHECK, format!("A group with {} (80 %) or more", quota::WARN_AT));
}

#[test]
fn a_clean_group_passes_every_hygiene_check() {
    let g = group("sg-0a", "clean", "vpc-1", vec![tcp(443, 443, &["10.0.0.0/16"])], default_egress());
    let results = judge(vec![region(REGION, vec![g], vec![])]);
    for (check, _) in HYGIENE {
        the_pass(&results, check);
    }
}

/// Where the groups of a region could not be read, these checks there are *not evaluated*, never a pass, and
/// say why; another region, read in full, is judged as usual.
#[test]
fn denied_group_evidence_is_not_evaluated_never_a_pass() {
    let coverage = whole_but("ec2-security-groups", "ec2:DescribeSecurityGroups", true);
    // What the region does hold would fail every check, had it been read.
    let bad = group(
        "sg-0a",
        "bad",
        "vpc-1",
        vec![
            all(&["8.0.0.0/7"]),
            tcp(0, 65535, &["10.0.0.0/8"]),
            tcp(22, 22, &["10.1.0.0/16"]),
            many("tcp", 50, false),
        ],
        default_egress(),
    );
    let twin = group("sg-0b", "twin", "vpc-1", bad.ingress.clone(), default_egress());
    let results = judge(vec![
        region_read("eu-west-1", vec![bad, twin], vec![], coverage),
        region(
            REGION,
            vec![group("sg-0c", "c", "vpc-2", vec![tcp(443, 443, &["10.0.0.0/16"])], default_egress())],
            vec![],
        ),
    ]);
    for (check, severity) in HYGIENE {
        let mine = of(&results, check);
        assert_eq!(mine.len(), 2, "{check}: {mine:#?}");
        let eu =
            mine.iter().find(|r| r.location.region.as_deref() == Some("eu-west-1")).expect("a result in eu-west-1");
        assert_eq!(eu.outcome, Outcome::NotEvaluated, "{check}");
        assert_eq!(eu.severity, severity, "{check}");
        assert!(eu.evidence.contains("ec2:DescribeSecurityGroups"), "{check}: {}", eu.evidence);
        let us = mine.iter().find(|r| r.location.region.as_deref() == Some(REGION)).expect("a result in us-east-1");
        assert_eq!(us.outcome, Outcome::Pass, "{check}: {us:#?}");
    }
}

// --- net-sg-groups-per-interface-quota ---

/// An interface holding `groups`, as `ec2-network-interfaces` records it.
fn interface(eni: &str, groups: &[&str]) -> Vec<Attachment> {
    groups.iter().map(|g| holds(g, ResourceKind::NetworkInterface, eni, Via::Eni)).collect()
}

#[test]
fn an_interface_with_four_groups_of_five_is_reported_and_three_pass() {
    use sgaudit_audit::checks::network::sg_groups_per_interface::{CHECK, DEFAULT_GROUPS_PER_INTERFACE, WARN_AT};
    use sgaudit_snapshot::posture::QUOTA_GROUPS_PER_INTERFACE;
    assert_eq!((DEFAULT_GROUPS_PER_INTERFACE, WARN_AT), (5, 4));
    assert!(CHECK.description.contains("(5 by default)") && CHECK.description.contains("4 (80 %)"));
    let ids = ["sg-01", "sg-02", "sg-03", "sg-04", "sg-05"];
    let groups: Vec<SecurityGroup> =
        ids.iter().map(|id| group(id, id, "vpc-1", vec![tcp(443, 443, &["10.0.0.0/16"])], default_egress())).collect();
    let mut attachments = interface("eni-0full", &ids);
    attachments.extend(interface("eni-0four", &ids[..4]));
    attachments.extend(interface("eni-0three", &ids[..3]));
    // A resource that holds groups by configuration is not an interface.
    attachments.push(holds("sg-01", ResourceKind::Ec2Instance, "i-0a", Via::Config));
    let results = judge(vec![region(REGION, groups.clone(), attachments)]);
    let mine = of(&results, CHECK.id);
    assert_eq!(mine.len(), 2, "{mine:#?}");
    for (result, eni, count) in [(mine[0], "eni-0four", 4), (mine[1], "eni-0full", 5)] {
        assert_eq!((result.outcome, result.severity), (Outcome::Fail, Severity::Low));
        assert_eq!(result.location.resource_type, resource::EC2_NETWORK_INTERFACE);
        assert_eq!(result.location.resource, format!("arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/{eni}"));
        assert!(
            result.evidence.starts_with(&format!("{eni} holds {count} security groups (sg-01, ")),
            "{}",
            result.evidence
        );
        assert!(matches!(&result.fix, ResultFix::Written(f) if f.summary.contains("L-2AFB9258")), "{result:#?}");
    }

    // Under an applied quota of 10, five groups are below 8: a pass that says which quota it used.
    let mut raised = region(REGION, groups.clone(), interface("eni-0full", &ids));
    raised.posture.quotas = vec![quota(QUOTA_GROUPS_PER_INTERFACE, Some(10))];
    let results = judge(vec![raised]);
    assert_eq!(
        the_pass(&results, CHECK.id).evidence,
        "none of the 1 network interface(s) holds 8 or more security groups (80 % of the account's applied quota of \
         10 per network interface, read from Service Quotas (L-2AFB9258))"
    );
    // And under an applied quota of 6, the interface with five is reported against it.
    let mut lowered = region(REGION, groups.clone(), interface("eni-0full", &ids));
    lowered.posture.quotas = vec![quota(QUOTA_GROUPS_PER_INTERFACE, Some(6))];
    let results = judge(vec![lowered]);
    let failed = failures(&results, CHECK.id);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].ends_with(
            "at or above 5 (80 % of the account's applied quota of 6 per network interface, read from Service \
             Quotas (L-2AFB9258))"
        ),
        "{}",
        failed[0]
    );

    // Three groups each: a pass that says how many interfaces it counted.
    let attachments = [interface("eni-0a", &ids[..3]), interface("eni-0b", &ids[2..])].concat();
    let results = judge(vec![region(REGION, groups, attachments)]);
    let pass = the_pass(&results, CHECK.id);
    assert!(pass.evidence.contains("none of the 2 network interface(s)"), "{}", pass.evidence);
}

#[test]
fn interfaces_not_read_leave_the_groups_per_interface_check_not_evaluated() {
    use sgaudit_audit::checks::network::sg_groups_per_interface::CHECK;
    let coverage = whole_but("ec2-network-interfaces", "ec2:DescribeNetworkInterfaces", false);
    let results = judge(vec![region_read(REGION, vec![], vec![], coverage)]);
    let mine = of(&results, CHECK.id);
    assert_eq!(mine.len(), 1, "{mine:#?}");
    assert_eq!(mine[0].outcome, Outcome::NotEvaluated);
    assert!(mine[0].evidence.contains("ec2:DescribeNetworkInterfaces"), "{}", mine[0].evidence);
}

// --- net-sg-shared-rule-templates ---

#[test]
fn the_same_rules_in_several_vpcs_and_accounts_are_one_template_reported_once() {
    use sgaudit_audit::checks::network::sg_shared_rule_templates::CHECK;
    assert_eq!(CHECK.severity, Severity::Informational);
    let here = region(
        REGION,
        vec![
            web("sg-0a", "web-a", "vpc-1", false),
            web("sg-0b", "web-b", "vpc-2", true),
            // Alone with its rules: no template.
            group("sg-0c", "lonely", "vpc-1", vec![tcp(5432, 5432, &["10.9.0.0/16"])], default_egress()),
        ],
        vec![holds("sg-0b", ResourceKind::Ec2Instance, "i-1", Via::Config)],
    );
    let mut other = region("eu-west-1", vec![web("sg-0e", "web-e", "vpc-9", false)], vec![]);
    other.account_id = "444455556666".into();
    let digest = signature(&web("sg-0a", "x", "vpc-1", false)).digest();
    let results = judge(vec![here, other]);
    let found = of(&results, CHECK.id);
    assert_eq!(found.len(), 1, "one result for the set: {found:#?}");
    // At the member with the most holders.
    assert_at_group(found[0], "sg-0b", Severity::Informational);
    assert_eq!(
        found[0].evidence,
        format!(
            "3 groups in 3 VPCs of 2 account(s) have the same rules (rules digest {digest}): sg-0b (web-b) \
             ({ACCOUNT} {REGION} vpc-2, 1 holder(s)); sg-0a (web-a) ({ACCOUNT} {REGION} vpc-1, 0 holder(s)); sg-0e \
             (web-e) (444455556666 eu-west-1 vpc-9, 0 holder(s))"
        )
    );
    assert!(matches!(&found[0].fix, ResultFix::Written(f) if f.summary.contains(&digest)), "{:#?}", found[0].fix);
}

#[test]
fn duplicates_within_one_vpc_are_no_template_and_a_denied_region_is_not_evaluated() {
    use sgaudit_audit::checks::network::sg_shared_rule_templates::CHECK;
    let coverage = whole_but("ec2-security-groups", "ec2:DescribeSecurityGroups", true);
    let results = judge(vec![
        // Two copies in one VPC: net-sg-duplicate-rules' finding, not a template.
        region(REGION, vec![web("sg-0a", "a", "vpc-1", false), web("sg-0b", "b", "vpc-1", true)], vec![]),
        // What this region holds would make a template with the above, had it been read.
        region_read("eu-west-1", vec![web("sg-0e", "e", "vpc-9", false)], vec![], coverage),
    ]);
    let found = of(&results, CHECK.id);
    assert_eq!(found.len(), 2, "{found:#?}");
    let eu = found.iter().find(|r| r.location.region.as_deref() == Some("eu-west-1")).expect("eu-west-1");
    assert_eq!(eu.outcome, Outcome::NotEvaluated);
    assert!(eu.evidence.contains("ec2:DescribeSecurityGroups"), "{}", eu.evidence);
    let pass = found.iter().find(|r| r.outcome == Outcome::Pass).expect("a pass for what was read");
    assert!(pass.evidence.contains("of the 1 region(s) read whole"), "{}", pass.evidence);
    assert_eq!(of(&results, "net-sg-duplicate-rules").iter().filter(|r| r.outcome == Outcome::Fail).count(), 1);
}

//! The verdict and risk rules over small hand-built snapshots: no network.

use sgaudit_audit::{audit, Audit, GroupVerdict, Missing, Risk, Severity, Status, Unread};
use sgaudit_snapshot::{
    Attachment, CoverageState, GroupPeer, Peer, RegionSnapshot, ResourceKind, Rule, SecurityGroup, Snapshot,
    SourceCoverage, SourceError, Target, Via,
};

const ACCOUNT: &str = "111122223333";

fn group(id: &str, name: &str) -> SecurityGroup {
    SecurityGroup {
        group_id: id.into(),
        group_name: name.into(),
        description: String::new(),
        vpc_id: Some("vpc-1".into()),
        owner_id: ACCOUNT.into(),
        tags: Default::default(),
        ingress: vec![],
        egress: vec![],
    }
}

fn names(mut g: SecurityGroup, ingress_from: &[&str], egress_to: &[&str]) -> SecurityGroup {
    let rule = |peers: &[&str]| Rule {
        protocol: "tcp".into(),
        from_port: Some(443),
        to_port: Some(443),
        ipv4_ranges: vec![],
        ipv6_ranges: vec![],
        prefix_lists: vec![],
        groups: peers
            .iter()
            .map(|p| GroupPeer {
                group_id: p.to_string(),
                user_id: Some(ACCOUNT.into()),
                vpc_id: None,
                vpc_peering_connection_id: None,
                description: None,
            })
            .collect(),
    };
    if !ingress_from.is_empty() {
        g.ingress.push(rule(ingress_from));
    }
    if !egress_to.is_empty() {
        g.egress.push(rule(egress_to));
    }
    g
}

fn world_open(mut g: SecurityGroup, protocol: &str, port: Option<i32>, v6: bool) -> SecurityGroup {
    let cidr = vec![Peer { id: if v6 { "::/0" } else { "0.0.0.0/0" }.into(), description: None }];
    g.ingress.push(Rule {
        protocol: protocol.into(),
        from_port: port,
        to_port: port,
        ipv4_ranges: if v6 { vec![] } else { cidr.clone() },
        ipv6_ranges: if v6 { cidr } else { vec![] },
        prefix_lists: vec![],
        groups: vec![],
    });
    g
}

fn attach(group: &str, kind: ResourceKind, id: &str) -> Attachment {
    Attachment {
        target: Target::Group(group.into()),
        kind,
        resource_id: id.into(),
        via: Via::Config,
        source: "test".into(),
        detail: None,
    }
}

fn complete(source: &str) -> SourceCoverage {
    SourceCoverage { source: source.into(), state: CoverageState::Complete, requests: 1, items: 0 }
}

fn denied(source: &str) -> SourceCoverage {
    SourceCoverage {
        source: source.into(),
        state: CoverageState::Denied {
            error: Box::new(SourceError {
                code: "AccessDeniedException".into(),
                message: "explicit deny in a service control policy".into(),
                action: Some("lambda:ListFunctions".into()),
                scp_deny: true,
            }),
        },
        requests: 1,
        items: 0,
    }
}

fn region(
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

/// The audit borrows its snapshot; a test's snapshot can live as long as the test process.
fn judge(regions: Vec<RegionSnapshot>) -> Audit<'static> {
    let mut snap = Snapshot::new("test", None);
    // These fixtures hold group evidence alone: the account checks have their own tests (posture.rs).
    snap.families = vec![sgaudit_snapshot::Family::Groups];
    snap.regions = regions;
    snap.normalize();
    audit(Box::leak(Box::new(snap)))
}

fn get<'a>(a: &'a Audit<'a>, id: &str) -> &'a GroupVerdict<'a> {
    a.groups.iter().find(|g| g.group.group_id == id).unwrap_or_else(|| panic!("no {id}"))
}

/// Every source a snapshot must hold, read in full.
fn whole() -> Vec<SourceCoverage> {
    sgaudit_snapshot::SOURCES.iter().map(|s| complete(s)).collect()
}

/// Every source read in full but `source`, which was denied.
fn whole_but_denied(source: &str) -> Vec<SourceCoverage> {
    whole().into_iter().map(|c| if c.source == source { denied(source) } else { c }).collect()
}

#[test]
fn unused_only_when_every_source_was_read() {
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], whole())]);
    assert_eq!(get(&a, "sg-a").status, Status::Unused);
    assert_eq!(get(&a, "sg-a").risk, Risk::Low);
    assert!(!a.is_partial());

    let partial = whole_but_denied("lambda-functions");
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], partial)]);
    let v = get(&a, "sg-a");
    assert_eq!(v.status, Status::Unknown);
    assert!(a.is_partial());
    assert!(
        matches!(v.missing_evidence[0], Missing::Source(Unread::Denied { source: "lambda-functions", error }) if error.scp_deny),
        "{:?}",
        v.missing_evidence
    );
    assert!(v.missing_evidence[0].to_string().contains("lambda:ListFunctions"), "{:?}", v.missing_evidence);
    assert!(v.missing_evidence[0].to_string().contains("service control policy"), "{:?}", v.missing_evidence);
    assert!(v.findings.iter().any(|f| f.check.id == "sg-status-unknown"));
    assert!(!v.findings.iter().any(|f| f.check.id == "sg-unused"));
}

#[test]
fn evidence_wins_over_missing_sources() {
    let partial = whole_but_denied("ec2-network-interfaces");
    let a = judge(vec![region(
        "us-east-1",
        vec![group("sg-a", "a")],
        vec![attach("sg-a", ResourceKind::LaunchTemplate, "lt-1")],
        partial,
    )]);
    assert_eq!(get(&a, "sg-a").status, Status::InUse);
    assert_eq!(get(&a, "sg-a").used_by[0].kind, ResourceKind::LaunchTemplate);
}

#[test]
fn a_region_with_no_coverage_is_never_unused() {
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], vec![])]);
    assert_eq!(get(&a, "sg-a").status, Status::Unknown);
}

#[test]
fn failures_in_one_region_do_not_touch_another() {
    let partial = whole_but_denied("lambda-functions");
    let a = judge(vec![
        region("us-east-1", vec![group("sg-a", "a")], vec![], whole()),
        region("eu-west-1", vec![group("sg-b", "b")], vec![], partial),
    ]);
    assert_eq!(get(&a, "sg-a").status, Status::Unused);
    assert_eq!(get(&a, "sg-b").status, Status::Unknown);
}

#[test]
fn self_reference_does_not_count() {
    let a = judge(vec![region("us-east-1", vec![names(group("sg-a", "a"), &["sg-a"], &["sg-a"])], vec![], whole())]);
    let v = get(&a, "sg-a");
    assert_eq!(v.status, Status::Unused);
    assert!(v.referenced_by.is_empty());
}

#[test]
fn a_chain_of_unused_groups_is_unused_with_the_relation_kept() {
    let groups =
        vec![names(group("sg-a", "a"), &["sg-b"], &[]), names(group("sg-b", "b"), &["sg-c"], &[]), group("sg-c", "c")];
    let a = judge(vec![region("us-east-1", groups, vec![], whole())]);
    for id in ["sg-a", "sg-b", "sg-c"] {
        assert_eq!(get(&a, id).status, Status::Unused, "{id}");
    }
    let c = get(&a, "sg-c");
    assert_eq!(c.referenced_by.len(), 1);
    assert_eq!(c.referenced_by[0].group_id, "sg-b");
    assert_eq!(c.referenced_by[0].status, Status::Unused);
    assert!(c.used_by.is_empty());
}

#[test]
fn groups_named_by_used_groups_are_used_through_ingress_and_egress_transitively() {
    let groups = vec![
        names(group("sg-app", "app"), &["sg-in"], &["sg-out"]),
        names(group("sg-in", "in"), &["sg-deep"], &[]),
        group("sg-out", "out"),
        group("sg-deep", "deep"),
    ];
    let a = judge(vec![region("us-east-1", groups, vec![attach("sg-app", ResourceKind::EcsService, "svc")], whole())]);
    for id in ["sg-app", "sg-in", "sg-out", "sg-deep"] {
        assert_eq!(get(&a, id).status, Status::InUse, "{id}");
    }
    let out = &get(&a, "sg-out").used_by[0];
    assert_eq!((out.kind, out.via, out.id), (ResourceKind::SecurityGroup, Via::Rule, "sg-app"));
    assert!(out.detail.as_deref().unwrap_or_default().starts_with("egress"));
    assert_eq!(get(&a, "sg-deep").used_by[0].id, "sg-in");
}

#[test]
fn a_group_named_by_an_unknown_group_is_unknown_even_where_coverage_is_whole() {
    let partial = whole_but_denied("lambda-functions");
    let a = judge(vec![
        region("eu-west-1", vec![names(group("sg-x", "x"), &["sg-y"], &[])], vec![], partial),
        region("us-east-1", vec![group("sg-y", "y")], vec![], whole()),
    ]);
    assert_eq!(get(&a, "sg-x").status, Status::Unknown);
    let y = get(&a, "sg-y");
    assert_eq!(y.status, Status::Unknown);
    assert!(y.missing_evidence.contains(&Missing::NamedByUnknown { group_id: "sg-x" }), "{:?}", y.missing_evidence);
    assert!(y.missing_evidence.iter().any(|m| m.to_string().contains("sg-x")), "{:?}", y.missing_evidence);
}

#[test]
fn resources_that_name_interfaces_resolve_to_the_interfaces_groups() {
    let mut r = region("us-east-1", vec![group("sg-fsx", "fsx"), group("sg-other", "o")], vec![], whole());
    // The interface source saw eni-1 holding sg-fsx; FSx names only eni-1.
    r.attachments.push(Attachment {
        target: Target::Group("sg-fsx".into()),
        kind: ResourceKind::NetworkInterface,
        resource_id: "eni-1".into(),
        via: Via::Eni,
        source: "ec2-network-interfaces".into(),
        detail: None,
    });
    r.attachments.push(Attachment {
        target: Target::NetworkInterface("eni-1".into()),
        kind: ResourceKind::FsxFileSystem,
        resource_id: "fs-1".into(),
        via: Via::Config,
        source: "fsx-file-systems".into(),
        detail: None,
    });
    let a = judge(vec![r]);
    let v = get(&a, "sg-fsx");
    assert_eq!(v.status, Status::InUse);
    assert!(v.used_by.iter().any(|u| u.kind == ResourceKind::FsxFileSystem && u.id == "fs-1"), "{:?}", v.used_by);
    assert_eq!(get(&a, "sg-other").status, Status::Unused);
}

#[test]
fn risk_levels() {
    let used = |id: &str| attach(id, ResourceKind::Ec2Instance, "i-1");
    let groups = vec![
        world_open(group("sg-ssh-used", "s"), "tcp", Some(22), false),
        world_open(group("sg-rdp6-used", "r"), "tcp", Some(3389), true),
        world_open(group("sg-all-used", "all"), "-1", None, false),
        world_open(group("sg-mysql-used", "m"), "tcp", Some(3306), false),
        world_open(group("sg-ssh-unused", "su"), "tcp", Some(22), false),
        world_open(group("sg-https-used", "h"), "tcp", Some(443), false),
        group("sg-plain-unused", "p"),
        group("sg-dflt", "default"),
        group("sg-plain-used", "pu"),
    ];
    let attachments = vec![
        used("sg-ssh-used"),
        used("sg-rdp6-used"),
        used("sg-all-used"),
        used("sg-mysql-used"),
        used("sg-https-used"),
        used("sg-dflt"),
        used("sg-plain-used"),
    ];
    let a = judge(vec![region("us-east-1", groups, attachments, whole())]);
    let expect = [
        ("sg-ssh-used", Risk::Critical),
        ("sg-rdp6-used", Risk::Critical),
        ("sg-all-used", Risk::Critical),
        ("sg-mysql-used", Risk::High),
        ("sg-dflt", Risk::High),
        ("sg-ssh-unused", Risk::Medium),
        ("sg-plain-unused", Risk::Low),
        ("sg-https-used", Risk::None),
        ("sg-plain-used", Risk::None),
    ];
    for (id, risk) in expect {
        assert_eq!(get(&a, id).risk, risk, "{id}");
    }
    assert!(get(&a, "sg-dflt").is_default);
    assert!(get(&a, "sg-dflt").findings.iter().any(|f| f.check.id == "sg-default-in-use"));
    assert!(get(&a, "sg-ssh-used").findings.iter().any(|f| f.check.id == "sg-world-open-ssh"));
    assert!(get(&a, "sg-mysql-used").findings.iter().any(|f| f.check.id == "sg-world-open-high-risk-port"));
}

#[test]
fn unknown_groups_are_rated_as_if_in_use() {
    let partial = whole_but_denied("lambda-functions");
    let a = judge(vec![region(
        "us-east-1",
        vec![world_open(group("sg-ssh", "s"), "tcp", Some(22), false), group("sg-dflt", "default")],
        vec![],
        partial,
    )]);
    assert_eq!(get(&a, "sg-ssh").risk, Risk::Critical);
    assert_eq!(get(&a, "sg-dflt").risk, Risk::High);
}

#[test]
fn default_groups_keep_their_status() {
    let a = judge(vec![region("us-east-1", vec![group("sg-d", "default")], vec![], whole())]);
    let d = get(&a, "sg-d");
    assert!(d.is_default);
    assert_eq!(d.status, Status::Unused);
    // Default groups cannot be deleted: no "remove it" finding for them.
    assert!(!d.findings.iter().any(|f| f.check.id == "sg-unused"));
}

#[test]
fn the_demo_snapshot_shows_every_status_and_risk() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot.json");
    let snap = Snapshot::load(std::path::Path::new(path)).unwrap();
    let a = audit(&snap);
    for s in [Status::InUse, Status::Unused, Status::Unknown] {
        assert!(a.count_status(s) > 0, "no {s:?} group in the demo");
    }
    for r in Risk::ALL {
        assert!(a.count_risk(r) > 0, "no {r:?} group in the demo");
    }
}

#[test]
fn groups_named_by_name_are_held_by_every_group_of_that_name_in_the_region() {
    let mut r =
        region("us-east-1", vec![group("sg-a", "web"), group("sg-b", "web"), group("sg-c", "other")], vec![], whole());
    r.attachments.push(Attachment {
        target: Target::GroupName("web".into()),
        kind: ResourceKind::LaunchConfiguration,
        resource_id: "lc-1".into(),
        via: Via::Config,
        source: "autoscaling-launch-configurations".into(),
        detail: None,
    });
    let other_region = region("eu-west-1", vec![group("sg-d", "web")], vec![], whole());
    let a = judge(vec![r, other_region]);
    assert_eq!(get(&a, "sg-a").status, Status::InUse);
    assert_eq!(get(&a, "sg-b").status, Status::InUse);
    assert_eq!(get(&a, "sg-c").status, Status::Unused);
    // A name is looked up in its own account-region only.
    assert_eq!(get(&a, "sg-d").status, Status::Unused);
}

#[test]
fn a_snapshot_that_lists_one_source_proves_nothing_unused() {
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], vec![complete("ec2-security-groups")])]);
    let v = get(&a, "sg-a");
    assert_eq!(v.status, Status::Unknown);
    assert_eq!(v.risk, Risk::None);
    assert!(
        v.missing_evidence.iter().any(|m| *m == Missing::Source(Unread::NotInSnapshot { source: "lambda-functions" })
            && m.to_string() == "lambda-functions: not in the snapshot"),
        "{:?}",
        v.missing_evidence
    );
    assert_eq!(v.missing_evidence.len(), sgaudit_snapshot::SOURCES.len() - 1, "{:?}", v.missing_evidence);
    assert!(
        !v.missing_evidence.iter().any(|m| m.to_string().starts_with("ec2-security-groups")),
        "{:?}",
        v.missing_evidence
    );
    assert!(v.findings.iter().any(|f| f.check.id == "sg-status-unknown"));
    assert!(!a.regions[0].complete);
    assert!(a.is_partial());
    // The summary counts the sources that should have been read, not those the snapshot lists.
    assert_eq!((a.estate.sources_read, a.estate.sources), (1, sgaudit_snapshot::SOURCES.len()));
    assert_eq!((a.estate.regions_read, a.estate.regions), (0, 1));
}

#[test]
fn every_expected_source_read_is_complete_and_counted() {
    let a = judge(vec![
        region("us-east-1", vec![group("sg-a", "a")], vec![], whole()),
        region("eu-west-1", vec![group("sg-b", "b")], vec![], whole_but_denied("lambda-functions")),
    ]);
    let n = sgaudit_snapshot::SOURCES.len();
    assert_eq!((a.estate.sources_read, a.estate.sources), (2 * n - 1, 2 * n));
    assert_eq!(get(&a, "sg-a").status, Status::Unused);
}

#[test]
fn coverage_of_sources_this_version_does_not_know_is_ignored() {
    // An unknown source neither completes a region nor makes it partial, and is not counted.
    let mut coverage = whole();
    coverage.push(complete("no-such-source"));
    coverage.push(denied("another-unknown-source"));
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], coverage)]);
    assert_eq!(get(&a, "sg-a").status, Status::Unused);
    assert!(!a.is_partial(), "{:?}", a.regions);
    let n = sgaudit_snapshot::SOURCES.len();
    assert_eq!((a.estate.sources_read, a.estate.sources), (n, n));

    // Unknown sources cannot stand in for the expected ones.
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], vec![complete("no-such-source")])]);
    assert_eq!(get(&a, "sg-a").status, Status::Unknown);
    assert!(a.is_partial());
    assert_eq!(a.estate.sources_read, 0);
}

#[test]
fn a_source_recorded_twice_is_whole_only_if_both_records_are() {
    let mut coverage = whole();
    coverage.push(denied("lambda-functions"));
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], coverage)]);
    assert_eq!(get(&a, "sg-a").status, Status::Unknown);
    assert_eq!(a.estate.sources_read, sgaudit_snapshot::SOURCES.len() - 1);
}

/// The AWS default group: all traffic from itself in, all traffic out.
fn aws_default(id: &str) -> SecurityGroup {
    let mut g = names(group(id, "default"), &[], &[]);
    let all = |peers: Vec<GroupPeer>, v4: Vec<Peer>| Rule {
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        ipv4_ranges: v4,
        ipv6_ranges: vec![],
        prefix_lists: vec![],
        groups: peers,
    };
    let own = GroupPeer {
        group_id: id.into(),
        user_id: Some(ACCOUNT.into()),
        vpc_id: None,
        vpc_peering_connection_id: None,
        description: None,
    };
    g.ingress.push(all(vec![own], vec![]));
    g.egress.push(all(vec![], vec![Peer { id: "0.0.0.0/0".into(), description: None }]));
    g
}

fn most_severe(v: &GroupVerdict) -> Option<Severity> {
    v.findings.iter().map(|f| f.severity).max()
}

/// A group's risk is at least the severity of its most severe finding (informational counts as none).
fn assert_risk_covers_findings(a: &Audit) {
    for v in &a.groups {
        if let Some(severity) = most_severe(v) {
            assert!(
                v.risk >= Risk::of_severity(severity),
                "{} ({:?}): risk {:?} below its finding {:?}: {:?}",
                v.group.group_id,
                v.status,
                v.risk,
                severity,
                v.findings
            );
        }
    }
}

#[test]
fn an_unused_default_group_that_allows_traffic_is_as_risky_as_its_finding() {
    let a = judge(vec![region("us-east-1", vec![aws_default("sg-d")], vec![], whole())]);
    let d = get(&a, "sg-d");
    assert_eq!(d.status, Status::Unused);
    let finding = d.findings.iter().find(|f| f.check.id == "sg-default-allows-traffic").expect("the finding");
    assert_eq!(finding.severity, Severity::Medium);
    assert_eq!(d.risk, Risk::Medium);

    // A default group without rules stays low, as any unused group.
    let a = judge(vec![region("us-east-1", vec![group("sg-e", "default")], vec![], whole())]);
    assert_eq!((get(&a, "sg-e").risk, get(&a, "sg-e").findings.len()), (Risk::Low, 0));
}

#[test]
fn informational_findings_raise_no_risk() {
    let a = judge(vec![region("us-east-1", vec![group("sg-a", "a")], vec![], whole_but_denied("lambda-functions"))]);
    let v = get(&a, "sg-a");
    assert_eq!(most_severe(v), Some(Severity::Informational));
    assert_eq!(v.risk, Risk::None);
}

#[test]
fn risk_is_never_below_a_finding_in_the_demo() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-snapshot.json");
    let snap = Snapshot::load(std::path::Path::new(path)).unwrap();
    let a = audit(&snap);
    assert!(a.groups.iter().any(|v| v.is_default && v.status == Status::Unused && !v.findings.is_empty()));
    assert_risk_covers_findings(&a);
}

#[test]
fn risk_is_never_below_a_finding_for_any_status_default_or_exposure() {
    // Every exposure, default or not, in a region read whole (used or unused) and in one that was not
    // (unknown).
    type Open = fn(SecurityGroup) -> SecurityGroup;
    let exposures: Vec<(&str, Open)> = vec![
        ("plain", |g| g),
        ("ssh", |g| world_open(g, "tcp", Some(22), false)),
        ("rdp6", |g| world_open(g, "tcp", Some(3389), true)),
        ("all", |g| world_open(g, "-1", None, false)),
        ("mysql", |g| world_open(g, "tcp", Some(3306), false)),
        ("https", |g| world_open(g, "tcp", Some(443), false)),
        ("selfonly", |g| names(g, &[], &[])),
    ];
    let mut regions = Vec::new();
    for (r, (name, coverage)) in
        [("us-east-1", whole()), ("eu-west-1", whole_but_denied("ec2-instances"))].into_iter().enumerate()
    {
        let mut groups = Vec::new();
        let mut attachments = Vec::new();
        for (e, (exposure, open)) in exposures.iter().enumerate() {
            for default in [false, true] {
                for used in [false, true] {
                    let id = format!("sg-{r}{e}{}{}", u8::from(default), u8::from(used));
                    let base = if default { aws_default(&id) } else { group(&id, exposure) };
                    // One default group per VPC: each default here stands for its own VPC.
                    groups.push(open(base));
                    if used {
                        attachments.push(attach(&id, ResourceKind::Ec2Instance, "i-1"));
                    }
                }
            }
        }
        regions.push(region(name, groups, attachments, coverage));
    }
    let a = judge(regions);
    for status in [Status::InUse, Status::Unused, Status::Unknown] {
        assert!(a.count_status(status) > 0, "no {status:?} group: the test covers less than it says");
    }
    assert_risk_covers_findings(&a);
}

/// A group shared with (or associated with a VPC of) another account is used by what that account attaches
/// it to: `unknown` unless that account's same region was read completely in the same snapshot, where its
/// uses would show; the share itself is never a use.
#[test]
fn a_group_shared_with_an_account_not_read_is_unknown_never_unused() {
    const OTHER: &str = "444455556666";
    let share = |group: &str, principal: &str| Attachment {
        target: Target::Group(group.into()),
        kind: ResourceKind::RamResourceShare,
        resource_id: principal.into(),
        via: Via::Shared,
        source: "ram-shared-security-groups".into(),
        detail: Some(format!("shared with {principal} through arn:aws:ram:us-east-1:{ACCOUNT}:resource-share/x")),
    };
    // The other account not read: unknown, and the reason names it.
    let a = judge(vec![region(
        "us-east-1",
        vec![group("sg-shared", "shared"), group("sg-plain", "plain")],
        vec![share("sg-shared", OTHER)],
        whole(),
    )]);
    let shared = get(&a, "sg-shared");
    assert_eq!(shared.status, Status::Unknown);
    assert!(shared.used_by.is_empty(), "a share is not a use: {:?}", shared.used_by);
    assert!(
        shared.missing_evidence.iter().any(|m| matches!(m, Missing::Sharing { with: OTHER, region: "us-east-1", .. })),
        "{shared:?}"
    );
    assert!(
        shared.missing_evidence.iter().any(|m| m.to_string().contains(OTHER) && m.to_string().contains("us-east-1")),
        "{shared:?}"
    );
    assert_eq!(get(&a, "sg-plain").status, Status::Unused);

    // Read completely, with nothing attaching it: unused; with a resource of that account attaching it: in use.
    let mut other = region("us-east-1", vec![], vec![], whole());
    other.account_id = OTHER.into();
    let a = judge(vec![
        region("us-east-1", vec![group("sg-shared", "shared")], vec![share("sg-shared", OTHER)], whole()),
        other.clone(),
    ]);
    assert_eq!(get(&a, "sg-shared").status, Status::Unused);
    let mut using = other.clone();
    using.attachments.push(attach("sg-shared", ResourceKind::Ec2Instance, "i-0abc"));
    let a = judge(vec![
        region("us-east-1", vec![group("sg-shared", "shared")], vec![share("sg-shared", OTHER)], whole()),
        using,
    ]);
    assert_eq!(get(&a, "sg-shared").status, Status::InUse);

    // Read, but not completely (a source denied there): unknown. Read in another region only: unknown.
    let mut partial = other.clone();
    partial.coverage = whole_but_denied("ec2-instances");
    let mut elsewhere = other;
    elsewhere.region = "eu-west-1".into();
    for there in [partial, elsewhere] {
        let a = judge(vec![
            region("us-east-1", vec![group("sg-shared", "shared")], vec![share("sg-shared", OTHER)], whole()),
            there,
        ]);
        assert_eq!(get(&a, "sg-shared").status, Status::Unknown);
    }
}

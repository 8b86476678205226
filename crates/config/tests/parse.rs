//! sgaudit.toml read strictly: every setting with its line, the exceptions parsed, and each kind of mistake
//! refused in one line that names the file and the line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sgaudit_audit::exceptions::Day;
use sgaudit_config::{find, Config, ConfigError};

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, "sgaudit.toml")
}

/// The error of a file that must be refused, as printed.
fn refused(text: &str) -> String {
    let error = parse(text).expect_err("refused").to_string();
    assert!(!error.contains('\n'), "one line: {error}");
    error
}

const FULL: &str = r#"# Every section.
[scan]
profiles = ["prod", "staging"]
org = true
role_name = "sgaudit-audit"
regions = "eu-west-1"
concurrency = 16
checks = ["groups", "network"]
format = ["table", "html"]
output_dir = "reports"
allow_open_ports = [80, 443, 8443]
require_kms = false
fail_on = "high"

[cleanup]
protect_tag = ["Environment=Production"]
protect_name = "prod-*"
min_age = 14
unused_for = "30d"

[store]
location = "postgres://sgaudit@db.internal/sgaudit"
snapshot = true

[[exception]]
group_id = "sg-0a300000000ba5710"
checks = ["sg-world-open-ssh"]
reason = "bastion behind the VPN"
owner = "team-ops"
ticket = "SEC-123"
expires = 2027-03-31

[[exception]]
account = ["123456789012"]
region = "us-east-1"
name = "legacy-*"
tag = ["Team=payments", "Keep"]
reason = "the payments team uses it from on-premises"
owner = "team-payments"
expires = "2026-10-31"
in_use = true
"#;

#[test]
fn every_section_is_read_with_its_lines() {
    let config = parse(FULL).unwrap();
    assert_eq!(config.shown, "sgaudit.toml");
    let got: Vec<(String, Vec<String>, String)> =
        config.settings.iter().map(|s| (s.name(), s.values.clone(), s.at.clone())).collect();
    let want = |name: &str, values: &[&str], line: usize| {
        (name.to_string(), values.iter().map(|v| v.to_string()).collect::<Vec<_>>(), format!("sgaudit.toml:{line}"))
    };
    assert_eq!(
        got,
        vec![
            want("scan.profiles", &["prod", "staging"], 3),
            want("scan.org", &["true"], 4),
            want("scan.role_name", &["sgaudit-audit"], 5),
            want("scan.regions", &["eu-west-1"], 6),
            want("scan.concurrency", &["16"], 7),
            want("scan.checks", &["groups", "network"], 8),
            want("scan.format", &["table", "html"], 9),
            want("scan.output_dir", &["reports"], 10),
            want("scan.allow_open_ports", &["80", "443", "8443"], 11),
            want("scan.require_kms", &["false"], 12),
            want("scan.fail_on", &["high"], 13),
            want("cleanup.protect_tag", &["Environment=Production"], 16),
            want("cleanup.protect_name", &["prod-*"], 17),
            want("cleanup.min_age", &["14"], 18),
            want("cleanup.unused_for", &["30d"], 19),
            want("store.location", &["postgres://sgaudit@db.internal/sgaudit"], 22),
            want("store.snapshot", &["true"], 23),
        ]
    );
    assert_eq!(config.section("cleanup").count(), 4);
    assert_eq!(config.store.location.as_deref(), Some("postgres://sgaudit@db.internal/sgaudit"));
    assert_eq!(config.store.snapshot, Some(true));

    let [ssh, payments] = config.exceptions.as_slice() else { panic!("two exceptions") };
    assert_eq!(ssh.declared_at, "sgaudit.toml:25");
    assert_eq!(
        (ssh.reason.as_str(), ssh.owner.as_str(), ssh.ticket.as_deref()),
        ("bastion behind the VPN", "team-ops", Some("SEC-123"))
    );
    assert_eq!(ssh.expires, Day::from_ymd(2027, 3, 31));
    assert_eq!(ssh.matcher.group_ids, ["sg-0a300000000ba5710"]);
    assert_eq!(ssh.matcher.checks.iter().map(|c| c.id).collect::<Vec<_>>(), ["sg-world-open-ssh"]);
    assert!(!ssh.in_use);

    assert_eq!(payments.declared_at, "sgaudit.toml:33");
    assert_eq!(payments.expires, Day::from_ymd(2026, 10, 31), "a date as a string is read too");
    assert!(payments.in_use);
    assert_eq!(payments.matcher.accounts, ["123456789012"]);
    assert_eq!(payments.matcher.regions, ["us-east-1"]);
    assert_eq!(payments.matcher.names, ["legacy-*"]);
    let tags: Vec<(String, Option<String>)> =
        payments.matcher.tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect();
    assert_eq!(tags, [("Team".to_string(), Some("payments".to_string())), ("Keep".to_string(), None)]);
    assert!(payments.matcher.checks.is_empty());
}

#[test]
fn an_empty_file_is_every_default() {
    let config = parse("# nothing yet\n").unwrap();
    assert!(config.settings.is_empty() && config.exceptions.is_empty());
    assert_eq!(config.store.location, None);
}

#[test]
fn the_example_of_the_repository_is_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/sgaudit.toml");
    let config = Config::load(std::path::Path::new(path), "examples/sgaudit.toml").unwrap();
    assert!(config.exceptions.len() >= 4, "muted, in use, expired, unmatched");
    assert!(config.exceptions.iter().any(|e| e.in_use));
}

#[test]
fn mistakes_are_one_line_naming_file_and_line() {
    let exception = |body: &str| format!("[scan]\nregions = [\"eu-west-1\"]\n\n[[exception]]\n{body}\n");
    let base = "group_id = \"sg-1\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-03-31";
    // A good one, to be sure the cases below fail for their own mistake.
    assert!(parse(&exception(base)).is_ok());

    let cases: Vec<(String, &str)> = vec![
        ("[scan]\nregoins = [\"eu-west-1\"]\n".into(), "sgaudit.toml:2: unknown field `regoins`"),
        ("[scna]\n".into(), "sgaudit.toml:1: unknown field `scna`"),
        ("[scan]\n\norg = \"yes\"\n".into(), "sgaudit.toml:3: invalid type: string \"yes\", expected a boolean"),
        ("[scan]\nconcurrency = -1\n".into(), "sgaudit.toml:2: "),
        ("[scan]\nregions = [\"a\",\n".into(), "sgaudit.toml:"),
        ("[cleanup]\nprotect_tag = [\"=x\"]\n".into(), "sgaudit.toml:2: cleanup.protect_tag: `=x` has no tag key"),
        (
            "[scan]\nregions = [\"a\"]\nall_regions = true\n".into(),
            "sgaudit.toml:3: scan.all_regions = true and scan.regions",
        ),
        (exception(&base.replace("2027-03-31", "2027-02-30")), "sgaudit.toml:"),
        (
            exception(&base.replace("2027-03-31", "\"31/03/2027\"")),
            "sgaudit.toml:8: exception 1: expires: `31/03/2027` is not a date",
        ),
        (
            exception(&base.replace("2027-03-31", "2027-03-31T10:00:00Z")),
            "sgaudit.toml:8: exception 1: expires: `2027-03-31T10:00:00Z` is a time",
        ),
        (exception(&base.replace("2027-03-31", "20270331")), "sgaudit.toml:8: exception 1: expires: expected a date"),
        (exception(&base.replace("expires = 2027-03-31", "")), "sgaudit.toml:4: exception 1: expires: missing"),
        (exception(&base.replace("owner = \"o\"", "")), "sgaudit.toml:4: exception 1: owner: missing"),
        (
            exception(&base.replace("owner = \"o\"", "owner = \" \"")),
            "sgaudit.toml:7: exception 1: owner: must not be empty",
        ),
        (exception(&base.replace("reason = \"r\"", "")), "sgaudit.toml:4: exception 1: reason: missing"),
        (
            exception(&base.replace("group_id = \"sg-1\"", "")),
            "sgaudit.toml:4: exception 1: give at least one of account",
        ),
        (
            exception(&base.replace("group_id = \"sg-1\"", "checks = [\"sg-unused\"]")),
            "sgaudit.toml:4: exception 1: give at least one of",
        ),
        (
            exception(&format!("{base}\nchecks = [\"sg-unused\", \"sg-open-wide\"]")),
            "sgaudit.toml:9: exception 1: checks: unknown check id `sg-open-wide`",
        ),
        (
            exception(&format!("{base}\nname = \"\"")),
            "sgaudit.toml:9: exception 1: name: an empty value matches nothing",
        ),
        (
            exception(&format!("{base}\nname = \"web\\t*\"")),
            "sgaudit.toml:9: exception 1: name: `web\\t*` holds a control character",
        ),
        (
            exception(&format!("{base}\ntag = \"=payments\"")),
            "sgaudit.toml:9: exception 1: tag: `=payments` has no tag key",
        ),
        (
            exception(&format!("{base}\nin_use = true\nchecks = [\"sg-unused\"]")),
            "sgaudit.toml:10: exception 1: checks: an in_use exception",
        ),
        (exception(&format!("{base}\nowner_team = \"x\"")), "sgaudit.toml:9: unknown field `owner_team`"),
        (
            exception(&format!("{base}\nin_use = \"yes\"")),
            "sgaudit.toml:9: invalid type: string \"yes\", expected a boolean",
        ),
        ("[store]\nlocation = \"\"\n".into(), "sgaudit.toml:2: store.location: empty"),
    ];
    for (text, want) in cases {
        let error = refused(&text);
        assert!(error.starts_with(want), "\n{text}\n→ {error}\n  wanted it to start with: {want}");
    }
    // The second exception is named as the second.
    let two = format!("{}\n[[exception]]\n{}\n", exception(base), base.replace("owner = \"o\"", ""));
    assert!(refused(&two).starts_with("sgaudit.toml:10: exception 2: owner: missing"), "{}", refused(&two));
}

#[test]
fn the_file_is_found_where_documented() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("work");
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::create_dir_all(config_dir.join("sgaudit")).unwrap();

    assert_eq!(find(None, Some(&cwd), Some(&config_dir)).unwrap(), None, "none: sgaudit's own defaults");

    let in_config_dir = config_dir.join("sgaudit").join("sgaudit.toml");
    std::fs::write(&in_config_dir, "").unwrap();
    let (path, shown) = find(None, Some(&cwd), Some(&config_dir)).unwrap().unwrap();
    assert_eq!((path.as_path(), shown), (in_config_dir.as_path(), in_config_dir.display().to_string()));

    let here = cwd.join("sgaudit.toml");
    std::fs::write(&here, "").unwrap();
    let (path, shown) = find(None, Some(&cwd), Some(&config_dir)).unwrap().unwrap();
    assert_eq!((path, shown.as_str()), (here, "sgaudit.toml"), "the working directory's first");

    let given = dir.path().join("team.toml");
    std::fs::write(&given, "").unwrap();
    let (path, _) = find(Some(&given), Some(&cwd), Some(&config_dir)).unwrap().unwrap();
    assert_eq!(path, given, "the file given first");

    let missing = dir.path().join("missing.toml");
    let error = find(Some(&missing), Some(&cwd), Some(&config_dir)).unwrap_err();
    assert_eq!(error.to_string(), format!("config file {}: no such file", missing.display()));
    let error = Config::load(&missing, "missing.toml").unwrap_err();
    assert_eq!(error, ConfigError::NotFound { path: "missing.toml".into() });
}

//! The account checks' evidence (IAM, CloudTrail, S3, network) end to end: the built binary against moto
//! seeded by `fixtures/seed_posture.py`, the evidence read back from the saved snapshot. Judging that evidence
//! is the audit's (its snapshot fixtures cover what moto cannot express: a root row, old keys).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Moto, Run};
use serde_json::Value;

const HOME: &str = "us-east-1";
const OTHER: &str = "us-west-2";

fn seed(moto: &Moto, extra: &[&str]) -> Value {
    let script = format!("{}/seed_posture.py", common::FIXTURES);
    let mut args = vec![script.as_str(), "--endpoint", &moto.url, "--region", HOME, "--other-region", OTHER];
    args.extend_from_slice(extra);
    moto.python(&args, &[])
}

/// Scans both regions as `key`, saving the snapshot; returns the run and the snapshot.
fn scan_as(moto: &Moto, key: &str, secret: &str) -> (Run, Value) {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let regions = format!("{HOME},{OTHER}");
    let run = moto.sgaudit_as(
        &[
            "scan",
            "--region",
            &regions,
            "--checks",
            "groups,network,iam,cloudtrail,s3",
            "--format",
            "json",
            "--quiet",
            "--save-snapshot",
            snap.to_str().unwrap(),
        ],
        key,
        secret,
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let text = std::fs::read_to_string(&snap).unwrap_or_else(|e| panic!("no snapshot ({e}); stderr:\n{}", run.stderr));
    (run, serde_json::from_str(&text).unwrap())
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|v| v[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list:#}"))
}

fn region<'a>(snap: &'a Value, name: &str) -> &'a Value {
    find(&snap["regions"], "region", name)
}

fn coverage<'a>(entries: &'a Value, source: &str) -> &'a Value {
    find(entries, "source", source)
}

#[test]
fn the_account_evidence_read_back_is_what_was_seeded() {
    let moto = Moto::start();
    let seeded = seed(&moto, &[]);
    let (run, snap) = scan_as(&moto, "testing", "testing");
    assert!(run.code == 0 || run.code == 1 || run.code == 3, "exit {}: {}", run.code, run.stderr);
    for family in ["groups", "network", "iam", "cloudtrail", "s3"] {
        assert!(snap["families"].as_array().unwrap().iter().any(|f| f == family), "{family}: {}", snap["families"]);
    }

    // Account-wide: read once, from the first region, every source whole.
    let accounts = snap["account_evidence"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:#?}");
    let account = &accounts[0];
    assert_eq!(account["account_id"], seeded["account_id"]);
    assert_eq!(account["region"], HOME);
    let sources: Vec<&str> =
        account["coverage"].as_array().unwrap().iter().map(|c| c["source"].as_str().unwrap()).collect();
    assert_eq!(
        sources,
        ["iam-credential-report", "iam-password-policy", "s3-account-public-access-block", "s3-buckets"]
    );
    for c in account["coverage"].as_array().unwrap() {
        assert_eq!(c["state"], "complete", "{c}");
    }
    // The credential report is two or three calls however many users (moto answers STARTED, then COMPLETE).
    assert_eq!(coverage(&account["coverage"], "iam-credential-report")["requests"], 3);
    // No account-wide source is read per region.
    for r in snap["regions"].as_array().unwrap() {
        for c in r["coverage"].as_array().unwrap() {
            assert!(
                !c["source"].as_str().unwrap().starts_with("iam-") && !c["source"].as_str().unwrap().starts_with("s3-"),
                "{c}"
            );
        }
    }

    // IAM: the report's rows (moto writes no root row and a fixed generation time) and the password policy.
    let report = &account["credential_report"];
    assert_eq!(report["generated_at"], "2015-02-02T20:02:02Z");
    let user = |name: &str| find(&report["users"], "user", name);
    let keys = |name: &str| -> Vec<(u64, bool, bool)> {
        user(name)["access_keys"]
            .as_array()
            .map(|k| {
                k.iter()
                    .map(|k| {
                        (k["slot"].as_u64().unwrap(), k["active"].as_bool().unwrap(), k["last_rotated"].is_string())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for (name, want) in seeded["users"].as_object().unwrap() {
        let got = user(name);
        assert_eq!(got["arn"], want["arn"], "{name}");
        assert_eq!(got["password_enabled"], want["password"], "{name}: {got}");
        assert_eq!(got["mfa_active"], want["mfa"], "{name}: {got}");
    }
    assert_eq!(keys("console-mfa"), [(1, true, true)]);
    assert_eq!(keys("console-no-mfa"), [(1, true, true), (2, false, true)]);
    assert_eq!(keys("keys-only"), [(1, false, true)], "an inactive key is still listed, with its state");
    assert_eq!(keys("nothing"), []);
    assert!(user("console-mfa")["created"].is_string());
    assert!(user("console-mfa").get("password_last_used").is_none(), "no_information is none");
    let policy = &account["password_policy"];
    let want = &seeded["password_policy"];
    assert_eq!(policy["minimum_length"], want["MinimumPasswordLength"]);
    assert_eq!(policy["require_symbols"], want["RequireSymbols"]);
    assert_eq!(policy["require_lowercase"], want["RequireLowercaseCharacters"]);
    assert_eq!(policy["allow_users_to_change"], want["AllowUsersToChangePassword"]);
    assert_eq!(policy["max_age_days"], want["MaxPasswordAge"]);
    assert_eq!(policy["reuse_prevention"], want["PasswordReusePrevention"]);
    assert_eq!(policy["hard_expiry"], false);

    // S3: the account's Block Public Access, and every bucket read in its own region.
    let block = &seeded["account_public_access_block"];
    let got = &account["public_access_block"];
    for (field, key) in [
        ("block_public_acls", "BlockPublicAcls"),
        ("ignore_public_acls", "IgnorePublicAcls"),
        ("block_public_policy", "BlockPublicPolicy"),
        ("restrict_public_buckets", "RestrictPublicBuckets"),
    ] {
        assert_eq!(got[field], block[key], "{field}: {got}");
    }
    let buckets = &account["buckets"];
    assert_eq!(buckets.as_array().unwrap().len(), seeded["buckets"].as_object().unwrap().len(), "{buckets:#}");
    let bucket = |key: &str| find(buckets, "name", seeded["buckets"][key].as_str().unwrap());
    let owner = seeded["owner_canonical_id"].as_str().unwrap();
    for b in buckets.as_array().unwrap() {
        assert!(b.get("errors").is_none(), "every call about every bucket answered: {b}");
        assert_eq!(b["owner_id"], owner, "{b}");
        let want_region = if b["name"] == seeded["buckets"]["other-region"] { OTHER } else { HOME };
        assert_eq!(b["region"], want_region, "{b}");
        assert!(b["created"].is_string(), "{b}");
    }
    let grants = |key: &str| -> Vec<(String, String, String)> {
        bucket(key)["grants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let s = |f: &str| g[f].as_str().unwrap().to_string();
                (s("grantee_type"), s("grantee"), s("permission"))
            })
            .collect()
    };
    let own = ("CanonicalUser".to_string(), owner.to_string(), "FULL_CONTROL".to_string());
    let group = |uri: &str, permission: &str| ("Group".to_string(), uri.to_string(), permission.to_string());
    assert!(grants("public-read").contains(&group("http://acs.amazonaws.com/groups/global/AllUsers", "READ")));
    assert!(grants("authenticated-read")
        .contains(&group("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ")));
    let other = seeded["other_canonical_id"].as_str().unwrap();
    assert_eq!(grants("policy"), std::slice::from_ref(&own), "a private bucket's ACL: its owner alone");
    assert_eq!(grants("write-acp"), {
        let mut want = vec![own, ("CanonicalUser".into(), other.into(), "WRITE_ACP".into())];
        want.sort();
        want
    });
    let policy: Value = serde_json::from_str(bucket("policy")["policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy, serde_json::from_str::<Value>(seeded["bucket_policy"].as_str().unwrap()).unwrap());
    assert!(bucket("public-read").get("policy").is_none());
    assert_eq!(
        bucket("blocked")["public_access_block"],
        serde_json::json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true,
                           "restrict_public_buckets": true})
    );
    assert!(bucket("public-read").get("public_access_block").is_none(), "none set is none");
    assert_eq!(bucket("kms")["encryption"], serde_json::json!(["aws:kms"]));
    assert_eq!(bucket("kms")["ownership"], "BucketOwnerEnforced");
    // moto gives buckets no default encryption (AWS gives every bucket SSE-S3 since 2023): none is none.
    assert!(bucket("public-read").get("encryption").is_none(), "{}", bucket("public-read"));
    assert!(bucket("public-read").get("ownership").is_none());
    // The list, then a location (moto's list has no BucketRegion) and five calls for each bucket.
    let n = buckets.as_array().unwrap().len() as u64;
    assert_eq!(coverage(&account["coverage"], "s3-buckets")["requests"], 1 + 6 * n);
    assert_eq!(coverage(&account["coverage"], "s3-buckets")["items"], n);

    // CloudTrail, per region: the multi-region trail in both (a shadow in the other), the quiet one at home.
    let trails = |r: &str| region(&snap, r)["posture"]["trails"].clone();
    let logging_arn = seeded["trails"]["logging"].as_str().unwrap();
    let quiet_arn = seeded["trails"]["quiet"].as_str().unwrap();
    for r in [HOME, OTHER] {
        let trails = trails(r);
        let t = find(&trails, "arn", logging_arn);
        assert_eq!(t["logging"], true, "{r}: {t}");
        assert_eq!(
            (&t["multi_region"], &t["home_region"], &t["log_file_validation"]),
            (&Value::from(true), &Value::from(HOME), &Value::from(true))
        );
        assert!(t["kms_key_id"].as_str().unwrap().ends_with(":key/trail"), "{t}");
        assert_eq!(
            t["selectors"],
            serde_json::json!({"basic": [{"read_write_type": "All", "include_management_events": true}]}),
            "{r}: {t}"
        );
        assert!(t.get("errors").is_none(), "{t}");
        assert_eq!(coverage(&region(&snap, r)["coverage"], "cloudtrail-trails")["state"], "complete");
    }
    let home_trails = trails(HOME);
    let quiet = find(&home_trails, "arn", quiet_arn);
    assert_eq!(quiet["logging"], false, "{quiet}");
    assert_eq!(quiet["multi_region"], false);
    assert_eq!(quiet["selectors"], serde_json::json!({}), "moto's selectors are empty by default: read, and none");
    assert_eq!(trails(OTHER).as_array().unwrap().len(), 1, "a single-region trail stays home: {}", trails(OTHER));

    // Network: EBS encryption by default on in one region only; the ACL that lets SSH in from anywhere.
    assert_eq!(region(&snap, HOME)["posture"]["ebs_encryption_by_default"], true);
    assert_eq!(region(&snap, OTHER)["posture"]["ebs_encryption_by_default"], false);
    let seeded_acl = &seeded["network_acl"];
    let acls = &region(&snap, HOME)["posture"]["network_acls"];
    let acl = find(acls, "network_acl_id", seeded_acl["id"].as_str().unwrap());
    assert_eq!(acl["vpc_id"], seeded_acl["vpc_id"]);
    assert_eq!(acl["is_default"], false);
    assert_eq!(acl["subnets"], serde_json::json!([seeded_acl["subnet_id"]]));
    let entries = acl["entries"].as_array().unwrap();
    let ssh = entries.iter().find(|e| e["rule_number"] == 100).unwrap_or_else(|| panic!("{acl:#}"));
    assert_eq!(
        ssh,
        &serde_json::json!({"rule_number": 100, "egress": false, "protocol": "6", "action": "allow",
                            "cidr": "0.0.0.0/0", "from_port": 22, "to_port": 22})
    );
    let deny = entries.iter().find(|e| e["rule_number"] == 200).unwrap_or_else(|| panic!("{acl:#}"));
    assert_eq!(
        deny,
        &serde_json::json!({"rule_number": 200, "egress": true, "protocol": "-1", "action": "deny", "ipv6_cidr": "::/0"})
    );
    // Every VPC has a default ACL: the other region's default VPC too.
    let other_acls = region(&snap, OTHER)["posture"]["network_acls"].as_array().unwrap();
    assert!(other_acls.iter().any(|a| a["is_default"] == true), "{other_acls:#?}");
    for r in [HOME, OTHER] {
        for source in ["ec2-ebs-encryption-by-default", "ec2-network-acls", "cloudtrail-trails"] {
            assert_eq!(coverage(&region(&snap, r)["coverage"], source)["state"], "complete", "{r} {source}");
        }
        // moto has no EC2-Classic: no instance is outside a VPC.
        assert!(region(&snap, r)["posture"].get("instances_outside_vpc").is_none());
    }
}

/// A caller whose policy denies `iam:GetCredentialReport` and `s3:GetBucketAcl`: the credential report's source
/// is denied, naming the action, and holds no report; each bucket keeps its denied ACL read as an error naming
/// `s3:GetBucketAcl` (so that its ACL checks are not evaluated), while the bucket list and the bucket's other
/// reads stay whole. The account's other evidence is still read.
#[test]
fn a_denied_credential_report_and_bucket_acl_are_kept_as_such_naming_their_actions() {
    let moto = Moto::start();
    let seeded = seed(&moto, &["--user-denying", "iam:GetCredentialReport,s3:GetBucketAcl"]);
    moto.enforce_iam();
    let user = &seeded["user_denying"];
    let (run, snap) = scan_as(&moto, user["AccessKeyId"].as_str().unwrap(), user["SecretAccessKey"].as_str().unwrap());
    assert_ne!(run.code, 2, "{}", run.stderr);
    let account = &snap["account_evidence"][0];
    let report = coverage(&account["coverage"], "iam-credential-report");
    assert_eq!(report["state"], "denied", "{report}");
    assert_eq!(report["error"]["action"], "iam:GetCredentialReport", "{report}");
    // moto words IAM's refusal in an XML shape of its own (`<Errors>` around `<Error>`) that the SDK does not
    // read: a bare 403 to sgaudit, which is a refusal all the same. AWS's says `AccessDenied`.
    assert!(["AccessDenied", "HttpForbidden"].contains(&report["error"]["code"].as_str().unwrap()), "{report}");
    assert!(account.get("credential_report").is_none(), "{account:#}");

    let buckets = coverage(&account["coverage"], "s3-buckets");
    assert_eq!(buckets["state"], "complete", "a bucket's read failing is the bucket's, not the list's: {buckets}");
    let all = account["buckets"].as_array().unwrap();
    assert_eq!(all.len(), seeded["buckets"].as_object().unwrap().len());
    for b in all {
        let errors = b["errors"].as_array().unwrap_or_else(|| panic!("no errors kept: {b}"));
        assert_eq!(errors.len(), 1, "{b}");
        assert_eq!(errors[0]["action"], "s3:GetBucketAcl", "{b}");
        assert_eq!(errors[0]["code"], "AccessDenied", "{b}");
        assert!(b.get("grants").is_none() && b.get("owner_id").is_none(), "{b}");
    }
    // The other reads of the same buckets answered.
    let policy = find(&account["buckets"], "name", seeded["buckets"]["policy"].as_str().unwrap());
    assert!(policy["policy"].is_string(), "{policy}");
    let kms = find(&account["buckets"], "name", seeded["buckets"]["kms"].as_str().unwrap());
    assert_eq!(kms["encryption"], serde_json::json!(["aws:kms"]), "{kms}");

    for source in ["iam-password-policy", "s3-account-public-access-block"] {
        let c = coverage(&account["coverage"], source);
        assert_eq!(c["state"], "complete", "{c}");
    }
    assert_eq!(account["password_policy"]["minimum_length"], 14, "{account:#}");

    // Judged: the checks over the credential report and the buckets' ACLs are not evaluated, naming the
    // refused action, never passed; the password policy's are judged; the exit code says it is partial.
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = run.json();
    let results = doc["results"].as_array().unwrap();
    let of = |check: &str| -> Vec<&Value> { results.iter().filter(|r| r["check"] == check).collect() };
    for check in ["iam-root-mfa", "iam-user-mfa", "iam-access-key-rotation", "iam-console-user-mfa"] {
        let got = of(check);
        assert_eq!(got.len(), 1, "{check}: {got:#?}");
        assert_eq!(got[0]["outcome"], "not_evaluated", "{check}: {}", got[0]);
        assert!(got[0]["evidence"].as_str().unwrap().contains("iam:GetCredentialReport"), "{}", got[0]);
    }
    for check in ["s3-acl-public", "s3-acl-other-account-write"] {
        let got = of(check);
        assert_eq!(got.len(), all.len(), "one per bucket: {got:#?}");
        for r in got {
            assert_eq!(r["outcome"], "not_evaluated", "{r}");
            assert!(r["evidence"].as_str().unwrap().contains("s3:GetBucketAcl"), "{r}");
        }
    }
    assert_eq!(of("iam-password-length")[0]["outcome"], "pass");
    assert!(of("s3-policy-ssl").iter().all(|r| r["outcome"] != "not_evaluated"), "the policies were read");
}

//! IAM's credential report: one CSV row per IAM user and one for the root user, with password, MFA and
//! access-key facts. Two or three calls per account, however many users: IAM generates the report (it may
//! take a few seconds, and it hands out the same report for up to four hours), then hands it over.

use std::time::Duration;

use aws_sdk_iam::types::ReportStateType;
use aws_smithy_types::date_time::Format;
use futures::FutureExt;
use sgaudit_snapshot::posture::{AccessKey, CredentialReport, CredentialUser};
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "iam-credential-report",
    service: "iam",
    description: "IAM credential report: every user's password, MFA and access keys, and the root user's",
    kinds: &[],
    actions: &[
        // GenerateCredentialReport only starts (or reuses) the generation of the report: it changes nothing in
        // the account's configuration, so the call itself is an acceptable probe.
        crate::probe!("iam:GenerateCredentialReport", |ctx| client!(ctx, aws_sdk_iam).generate_credential_report()),
        crate::probe!("iam:GetCredentialReport", |ctx| client!(ctx, aws_sdk_iam).get_credential_report()),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// How many times to ask IAM to generate the report before giving up, and the pause after each answer that
/// it is not ready yet (IAM takes seconds; the pauses add up to about 20 s).
const ATTEMPTS: u32 = 10;
const PAUSES_MS: [u64; 4] = [500, 1_000, 2_000, 3_000];

/// Code of a report that could not be had or read.
const UNREADABLE: &str = "unreadable-credential-report";

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let iam = client!(ctx, aws_sdk_iam);
    let mut attempt = 0;
    loop {
        let out =
            iam.generate_credential_report().send().await.map_err(|e| ctx.fail("iam:GenerateCredentialReport", e))?;
        if out.state() == Some(&ReportStateType::Complete) {
            break;
        }
        attempt += 1;
        if attempt >= ATTEMPTS {
            return Err(unreadable(format!(
                "the credential report was not ready after {ATTEMPTS} requests (last state: {})",
                out.state().map(|s| s.as_str()).unwrap_or("none")
            )));
        }
        let pause = PAUSES_MS[(attempt as usize - 1).min(PAUSES_MS.len() - 1)];
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    let out = iam.get_credential_report().send().await.map_err(|e| ctx.fail("iam:GetCredentialReport", e))?;
    let content = out.content().map(|b| b.as_ref()).unwrap_or_default();
    let users = parse(content).map_err(unreadable)?;
    found.items = users.len() as u32;
    let generated_at = out.generated_time().and_then(|t| t.fmt(Format::DateTime).ok()).unwrap_or_default();
    found.account.credential_report = Some(CredentialReport { generated_at, users });
    Ok(())
}

fn unreadable(message: String) -> SourceError {
    SourceError {
        code: UNREADABLE.to_string(),
        message,
        action: Some("iam:GetCredentialReport".to_string()),
        scp_deny: false,
    }
}

/// The rows of a credential report (CSV with a header line; the SDK has already decoded the base64). Columns
/// are found by their header name, so that a column IAM adds or moves changes nothing.
pub(crate) fn parse(csv_text: &[u8]) -> Result<Vec<CredentialUser>, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv_text);
    let headers = reader.headers().map_err(|e| format!("the credential report is not CSV: {e}"))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let required = |name: &str| column(name).ok_or_else(|| format!("the credential report has no `{name}` column"));
    let (user, arn, mfa) = (required("user")?, required("arn")?, required("mfa_active")?);
    let created = column("user_creation_time");
    let password_enabled = column("password_enabled");
    let password_last_used = column("password_last_used");
    let password_last_changed = column("password_last_changed");
    let slots: Vec<(u8, [Option<usize>; 3])> = (1..=2u8)
        .map(|n| {
            let key = |what: &str| column(&format!("access_key_{n}_{what}"));
            (n, [key("active"), key("last_rotated"), key("last_used_date")])
        })
        .collect();

    let mut users = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("credential report row {}: {e}", line + 2))?;
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or_default();
        let access_keys = slots
            .iter()
            .filter_map(|(slot, [active, rotated, used])| {
                let active = flag(field(*active)).unwrap_or(false);
                let last_rotated = time(field(*rotated));
                // A slot never used is neither active nor rotated: leave it out.
                (active || last_rotated.is_some()).then(|| AccessKey {
                    slot: *slot,
                    active,
                    last_rotated,
                    last_used: time(field(*used)),
                })
            })
            .collect();
        users.push(CredentialUser {
            user: field(Some(user)).to_string(),
            arn: field(Some(arn)).to_string(),
            created: time(field(created)),
            password_enabled: flag(field(password_enabled)),
            password_last_used: time(field(password_last_used)),
            password_last_changed: time(field(password_last_changed)),
            mfa_active: flag(field(Some(mfa))).unwrap_or(false),
            access_keys,
        });
    }
    Ok(users)
}

/// `true`/`false`; anything else (`not_supported` for the root user's password) is unknown.
fn flag(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A time as IAM writes it; `N/A`, `no_information`, `not_supported` and empty are none.
fn time(text: &str) -> Option<String> {
    match text {
        "" | "N/A" | "no_information" | "not_supported" => None,
        t => Some(t.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A report as IAM writes it (the 22 columns of today), with the root row.
    const REPORT: &str = "\
user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,not_supported,2024-05-01T10:00:00+00:00,not_supported,not_supported,true,true,2019-02-01T00:00:00+00:00,2024-04-30T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111122223333:user/alice,2020-01-01T00:00:00+00:00,true,no_information,2020-01-02T00:00:00+00:00,N/A,false,false,2020-03-01T00:00:00+00:00,N/A,N/A,N/A,true,2021-03-01T00:00:00+00:00,2024-01-01T00:00:00+00:00,eu-west-1,ec2,false,N/A,false,N/A
bob,arn:aws:iam::111122223333:user/bob,2021-01-01T00:00:00+00:00,false,N/A,N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

    #[test]
    fn the_root_row_keeps_unknown_as_unknown() {
        let users = parse(REPORT.as_bytes()).unwrap();
        let root = &users[0];
        assert!(root.is_root());
        assert_eq!(root.arn, "arn:aws:iam::111122223333:root");
        assert_eq!(root.password_enabled, None, "not_supported is not `false`");
        assert_eq!(root.password_last_used.as_deref(), Some("2024-05-01T10:00:00+00:00"));
        assert_eq!(root.password_last_changed, None);
        assert!(root.mfa_active);
        assert_eq!(
            root.access_keys,
            vec![AccessKey {
                slot: 1,
                active: true,
                last_rotated: Some("2019-02-01T00:00:00+00:00".into()),
                last_used: Some("2024-04-30T00:00:00+00:00".into()),
            }]
        );
    }

    #[test]
    fn key_slots_are_kept_when_active_or_rotated_and_na_is_none() {
        let users = parse(REPORT.as_bytes()).unwrap();
        let alice = &users[1];
        assert_eq!(alice.user, "alice");
        assert_eq!(alice.password_enabled, Some(true));
        assert_eq!(alice.password_last_used, None, "no_information");
        assert_eq!(alice.created.as_deref(), Some("2020-01-01T00:00:00+00:00"));
        assert!(!alice.mfa_active);
        // Slot 1: inactive but rotated once (a key made then deactivated); slot 2: active.
        assert_eq!(
            alice.access_keys,
            vec![
                AccessKey {
                    slot: 1,
                    active: false,
                    last_rotated: Some("2020-03-01T00:00:00+00:00".into()),
                    last_used: None
                },
                AccessKey {
                    slot: 2,
                    active: true,
                    last_rotated: Some("2021-03-01T00:00:00+00:00".into()),
                    last_used: Some("2024-01-01T00:00:00+00:00".into()),
                },
            ]
        );
        let bob = &users[2];
        assert_eq!(bob.password_enabled, Some(false));
        assert_eq!((bob.password_last_used.as_ref(), bob.password_last_changed.as_ref()), (None, None));
        assert!(bob.mfa_active);
        assert!(bob.access_keys.is_empty(), "slots never used are left out: {:?}", bob.access_keys);
    }

    #[test]
    fn columns_are_read_by_name_not_position() {
        let moved = "mfa_active,arn,access_key_2_active,user,access_key_1_active,access_key_1_last_rotated,extra\n\
                     false,arn:aws:iam::1:user/c,true,carol,false,N/A,x\n";
        let users = parse(moved.as_bytes()).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!((users[0].user.as_str(), users[0].arn.as_str()), ("carol", "arn:aws:iam::1:user/c"));
        // Slot 2 is active (its dates are not in this report); slot 1 was never used.
        assert_eq!(
            users[0].access_keys,
            vec![AccessKey { slot: 2, active: true, last_rotated: None, last_used: None }]
        );
        assert_eq!(users[0].password_enabled, None, "no such column: unknown");
    }

    #[test]
    fn a_report_without_its_key_columns_is_an_error_not_an_empty_report() {
        assert!(parse(b"name,arn\nx,y\n").unwrap_err().contains("`user`"));
        assert!(parse(b"").is_err());
        // A header alone: no users, which is a report of an account with none.
        let header = REPORT.lines().next().unwrap();
        assert_eq!(parse(header.as_bytes()).unwrap(), vec![]);
    }
}

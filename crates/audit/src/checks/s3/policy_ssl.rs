use serde_json::Value;

use sgaudit_snapshot::posture::Bucket;

use super::{bucket_arn, effect_is, per_bucket, principal_is_everyone, s3api, statements, strings, BUCKETS};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::Fix;

pub const CHECK: Check = Check {
    id: "s3-policy-ssl",
    title: "Bucket policy does not deny plain HTTP",
    family: Family::S3,
    severity: Severity::Medium,
    controls: &["AWS FSBP S3.5", "CIS AWS v3.0.0 2.1.1", "CIS AWS v5.0.0 2.1.1"],
    description: "Each bucket's policy: a Deny statement for everyone, on `s3:*` (or `*`), under the condition \
                  `\"Bool\": {\"aws:SecureTransport\": \"false\"}`. No policy fails.",
    remediation: "Add a statement that denies `s3:*` to `*` on the bucket and its objects when `aws:SecureTransport` \
                  is false.",
    reads: BUCKETS,
    evaluate: Evaluate::Account(|scope| {
        per_bucket(scope, &["s3:GetBucketPolicy"], |bucket| {
            let arn = bucket_arn(bucket);
            let Some(policy) = &bucket.policy else {
                return Observation::fail(
                    resource::S3_BUCKET,
                    arn,
                    format!("{} has no bucket policy: plain HTTP is allowed", bucket.name),
                )
                .with_fix(fix(bucket));
            };
            match statements(policy) {
                Err(why) => Observation::not_evaluated(resource::S3_BUCKET, arn, format!("{}: {why}", bucket.name)),
                Ok(statements) => {
                    let denies = statements.iter().any(denies_plain_http);
                    let evidence = if denies {
                        format!("{}: the policy denies requests without TLS", bucket.name)
                    } else {
                        format!("{}: the policy does not deny requests without TLS (aws:SecureTransport)", bucket.name)
                    };
                    Observation::judged(!denies, resource::S3_BUCKET, arn, evidence).with_fix(fix(bucket))
                }
            }
        })
    }),
    fix: Fixer::Judged,
};

/// The bucket's policy with a statement that denies requests without TLS added (a new policy where there is
/// none): `PutBucketPolicy` replaces the policy, so its statements are restated as they are.
fn fix(bucket: &Bucket) -> Option<Fix> {
    let arn = bucket_arn(bucket);
    let deny = serde_json::json!({
        "Sid": "DenyPlainHttp",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, format!("{arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    });
    let mut policy = match &bucket.policy {
        Some(text) => serde_json::from_str::<Value>(text).ok()?,
        None => serde_json::json!({"Version": "2012-10-17", "Statement": []}),
    };
    let statements = policy.as_object_mut()?.entry("Statement").or_insert_with(|| Value::Array(Vec::new()));
    if !statements.is_array() {
        *statements = Value::Array(vec![statements.take()]);
    }
    statements.as_array_mut()?.push(deny);
    let command = s3api("put-bucket-policy", bucket).arg("--policy", &policy.to_string());
    Some(Fix::commands(
        format!(
            "Add a statement to {}'s policy that denies every request made without TLS (aws:SecureTransport \
             false); the command restates the policy's other statements, as it replaces the whole policy.",
            sgaudit_snapshot::text::printable(&bucket.name)
        ),
        vec![command.line()],
    ))
}

fn denies_plain_http(statement: &Value) -> bool {
    let every_action = strings(statement.get("Action")).iter().any(|a| *a == "s3:*" || *a == "*");
    let insecure =
        statement.get("Condition").and_then(|c| c.get("Bool")).and_then(|b| b.get("aws:SecureTransport")).is_some_and(
            |v| match v {
                Value::String(s) => s.eq_ignore_ascii_case("false"),
                Value::Bool(b) => !b,
                Value::Array(items) => items
                    .iter()
                    .any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false")) || i == &Value::Bool(false)),
                _ => false,
            },
        );
    effect_is(statement, "Deny") && principal_is_everyone(statement) && every_action && insecure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_statement_denies_plain_http_and_others_do_not() {
        let usual: Value = serde_json::from_str(
            r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
                "Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        )
        .unwrap();
        assert!(denies_plain_http(&usual));
        let allow: Value = serde_json::from_str(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        )
        .unwrap();
        assert!(!denies_plain_http(&allow));
        let narrow: Value = serde_json::from_str(
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Condition":{"Bool":{"aws:SecureTransport":false}}}"#,
        )
        .unwrap();
        assert!(!denies_plain_http(&narrow));
    }
}

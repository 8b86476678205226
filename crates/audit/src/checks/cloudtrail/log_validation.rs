use super::{judged_here, TRAILS};
use crate::checks::{resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::Command;
use crate::fix::Fix;

pub const CHECK: Check = Check {
    id: "cloudtrail-log-validation",
    title: "Trail does not validate its log files",
    family: Family::Cloudtrail,
    severity: Severity::Low,
    controls: &["AWS FSBP CloudTrail.4", "CIS AWS v3.0.0 3.2", "CIS AWS v5.0.0 3.2"],
    description: "Every trail, judged once (in its home region, or in the first region scanned when its home region \
                  was not): log file integrity validation on.",
    remediation: "Turn on log file validation for the trail (`aws cloudtrail update-trail --name <trail> \
                  --enable-log-file-validation`).",
    reads: TRAILS,
    evaluate: Evaluate::Region(|scope| {
        judged_here(scope)
            .map(|t| {
                let state = if t.log_file_validation { "on" } else { "off" };
                Observation::judged(
                    !t.log_file_validation,
                    resource::CLOUDTRAIL_TRAIL,
                    t.arn.clone(),
                    format!("trail {}: log file validation is {state}", t.name),
                )
                .in_region(t.home_region.as_str())
                .with_fix(Some(Fix::commands(
                    format!(
                        "Turn on log file validation for trail {}: CloudTrail then writes a signed digest file \
                         every hour, and `aws cloudtrail validate-logs` proves the logs were not changed.",
                        sgaudit_snapshot::text::printable(&t.name)
                    ),
                    vec![Command::aws("cloudtrail", "update-trail", Some(&t.home_region))
                        .arg("--name", &t.arn)
                        .flag("--enable-log-file-validation")
                        .line()],
                )))
            })
            .collect()
    }),
    fix: Fixer::Judged,
};

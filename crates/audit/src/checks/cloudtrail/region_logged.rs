use super::{records_all_management_events, TRAILS};
use crate::checks::{account_resource, resource, Check, Evaluate, Family, Fixer, Observation, Severity};
use crate::fix::shell::Command;
use crate::fix::{set_first, Fix, TRAIL_BUCKET};

pub const CHECK: Check = Check {
    id: "cloudtrail-region-logged",
    title: "No logging trail records the region's management events",
    family: Family::Cloudtrail,
    severity: Severity::High,
    controls: &["AWS FSBP CloudTrail.1", "CIS AWS v3.0.0 3.1", "CIS AWS v5.0.0 3.1"],
    description: "One result per region (the seed's CloudTrail sheet): covered when a trail that applies there \
                  (multi-region, or homed there; organisation trails included) is logging and records management \
                  events, read and write, from every event source.",
    remediation: "Create a multi-region trail (or an organisation trail) that logs management events, read and \
                  write, with no event source excluded, and start its logging.",
    reads: TRAILS,
    evaluate: Evaluate::Region(|scope| {
        let region = scope.region.region.as_str();
        let account = account_resource(scope.account_id);
        let mut why_not = Vec::new();
        let mut unread = Vec::new();
        // Trails that would cover the region in full if they were logging: starting one is the whole fix.
        let mut stopped: Vec<&sgaudit_snapshot::posture::Trail> = Vec::new();
        for trail in &scope.region.posture.trails {
            let name = if trail.organization {
                format!("organisation trail {}", trail.name)
            } else {
                format!("trail {}", trail.name)
            };
            if !trail.multi_region && trail.home_region != region {
                why_not.push(format!("{name} covers only {}", trail.home_region));
                continue;
            }
            let (Some(logging), Some(selectors)) = (trail.logging, &trail.selectors) else {
                let errors: Vec<String> = trail.errors.iter().map(ToString::to_string).collect();
                unread.push(format!("{name}: {}", errors.join("; ")));
                continue;
            };
            let (read, write) = records_all_management_events(selectors);
            match (logging, read, write) {
                (true, true, true) => {
                    let kind = if trail.multi_region { "multi-region " } else { "" };
                    return vec![Observation::pass(
                        resource::ACCOUNT,
                        account,
                        format!("{kind}{name} (home {}) logs management events, read and write", trail.home_region),
                    )
                    .in_region(region)];
                }
                (false, read, write) => {
                    why_not.push(format!("{name} is not logging"));
                    if read && write {
                        stopped.push(trail);
                    }
                }
                (true, false, false) => why_not.push(format!("{name} records no management events from every source")),
                (true, false, true) => why_not.push(format!("{name} records write management events only")),
                (true, true, false) => why_not.push(format!("{name} records read management events only")),
            }
        }
        let observation = if !unread.is_empty() {
            let mut evidence = format!("the status or selectors of a trail could not be read: {}", unread.join("; "));
            if !why_not.is_empty() {
                evidence.push_str(&format!("; and {}", why_not.join("; ")));
            }
            Observation::not_evaluated(resource::ACCOUNT, account, evidence)
        } else if why_not.is_empty() {
            Observation::fail(resource::ACCOUNT, account, format!("no trail applies to {region}"))
        } else {
            Observation::fail(
                resource::ACCOUNT,
                account,
                format!("no trail logs {region} in full: {}", why_not.join("; ")),
            )
        };
        vec![observation.in_region(region).with_fix(Some(fix(region, &stopped)))]
    }),
    fix: Fixer::Judged,
};

/// Start a trail that would cover the region if it were logging; otherwise create a multi-region trail, which
/// records management events, read and write, by default. A trail's selectors are not changed: putting new ones
/// replaces them all, data events included.
fn fix(region: &str, stopped: &[&sgaudit_snapshot::posture::Trail]) -> Fix {
    if let Some(trail) = stopped.first() {
        return Fix::commands(
            format!(
                "Start logging trail {}, which applies to {region} and records its management events, read and write.",
                sgaudit_snapshot::text::printable(&trail.name)
            ),
            vec![Command::aws("cloudtrail", "start-logging", Some(&trail.home_region))
                .arg("--name", &trail.arn)
                .line()],
        );
    }
    let name = "management-events";
    let create = Command::aws("cloudtrail", "create-trail", Some(region))
        .arg("--name", name)
        .var("--s3-bucket-name", TRAIL_BUCKET)
        .flag("--is-multi-region-trail")
        .flag("--enable-log-file-validation");
    let start = Command::aws("cloudtrail", "start-logging", Some(region)).arg("--name", name);
    Fix::commands(
        format!(
            "Create a multi-region trail (it records management events, read and write, from every source by \
             default) and start it; in an organisation, an organisation trail from the management account covers \
             every account (--is-organization-trail).{}",
            set_first(create.choices())
        ),
        vec![create.line(), start.line()],
    )
}

use super::{records_all_management_events, TRAILS};
use crate::checks::{account_resource, resource, Check, Evaluate, Family, Observation, Severity};

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
                (false, ..) => why_not.push(format!("{name} is not logging")),
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
        vec![observation.in_region(region)]
    }),
};

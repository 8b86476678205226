//! The trails that apply in a region, with whether each is logging and what it records. `DescribeTrails`
//! includes shadow trails by default, so a multi-region or organisation trail homed elsewhere is listed in
//! every region it covers. Status and selectors are two calls per trail, by ARN, made in the trail's home
//! region (CloudTrail answers a shadow trail's status elsewhere, but not every implementation answers its
//! selectors there); a failed one is kept on the trail, naming its action.

use std::collections::BTreeMap;

use aws_config::Region;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, EventSelector};
use futures::{FutureExt, StreamExt};
use sgaudit_snapshot::posture::{AdvancedSelector, BasicSelector, EventSelectors, FieldSelector, Trail};
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "cloudtrail-trails",
    service: "cloudtrail",
    description: "CloudTrail trails that apply in the region (shadow trails included), with status and event selectors",
    kinds: &[],
    actions: &[
        crate::probe!(DESCRIBE, |ctx| client!(ctx, aws_sdk_cloudtrail)
            .describe_trails()
            .trail_name_list(PROBE_NAME)
            .include_shadow_trails(false)),
        crate::probe!(STATUS, |ctx| client!(ctx, aws_sdk_cloudtrail)
            .get_trail_status()
            .name(ctx.arn("cloudtrail", &format!("trail/{PROBE_NAME}")))),
        crate::probe!(SELECTORS, |ctx| client!(ctx, aws_sdk_cloudtrail)
            .get_event_selectors()
            .trail_name(ctx.arn("cloudtrail", &format!("trail/{PROBE_NAME}")))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

const DESCRIBE: &str = "cloudtrail:DescribeTrails";
const STATUS: &str = "cloudtrail:GetTrailStatus";
const SELECTORS: &str = "cloudtrail:GetEventSelectors";

/// Trails read at once.
const TRAILS_AT_ONCE: usize = 8;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let cloudtrail = client!(ctx, aws_sdk_cloudtrail);
    // One answer with every trail: DescribeTrails is not paginated.
    let out =
        cloudtrail.describe_trails().include_shadow_trails(true).send().await.map_err(|e| ctx.fail(DESCRIBE, e))?;
    let listed: Vec<Trail> = out
        .trail_list()
        .iter()
        .filter_map(|t| {
            let arn = t.trail_arn()?.to_string();
            Some(Trail {
                name: t.name().unwrap_or(&arn).to_string(),
                home_region: t.home_region().unwrap_or_default().to_string(),
                multi_region: t.is_multi_region_trail().unwrap_or(false),
                organization: t.is_organization_trail().unwrap_or(false),
                log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
                kms_key_id: t.kms_key_id().map(str::to_string),
                s3_bucket: t.s3_bucket_name().map(str::to_string),
                arn,
                logging: None,
                selectors: None,
                errors: Vec::new(),
            })
        })
        .collect();
    found.items = listed.len() as u32;
    // A client for each home region (the region's own for a trail that names none).
    let mut clients: BTreeMap<String, aws_sdk_cloudtrail::Client> = BTreeMap::new();
    for trail in &listed {
        let home = trail.home_region.as_str();
        if !home.is_empty() && home != ctx.region && !clients.contains_key(home) {
            let config = aws_sdk_cloudtrail::config::Builder::from(&ctx.sdk)
                .region(Region::new(home.to_string()))
                .interceptor(ctx.counter())
                .retry_partition(ctx.retry_partition())
                .build();
            clients.insert(home.to_string(), aws_sdk_cloudtrail::Client::from_conf(config));
        }
    }
    let reads: Vec<(aws_sdk_cloudtrail::Client, String)> = listed
        .iter()
        .map(|trail| (clients.get(&trail.home_region).unwrap_or(&cloudtrail).clone(), trail.arn.clone()))
        .collect();
    let answers: Vec<_> = futures::stream::iter(reads)
        .map(|(cloudtrail, arn)| async move {
            futures::join!(
                cloudtrail.get_trail_status().name(&arn).send(),
                cloudtrail.get_event_selectors().trail_name(&arn).send(),
            )
        })
        .buffered(TRAILS_AT_ONCE)
        .collect()
        .await;
    for (mut trail, (status, selectors)) in listed.into_iter().zip(answers) {
        trail.logging = ctx.answer(STATUS, &[], status, &mut trail.errors).map(|s| s.is_logging().unwrap_or(false));
        trail.selectors = ctx.answer(SELECTORS, &[], selectors, &mut trail.errors).map(|s| EventSelectors {
            basic: s.event_selectors().iter().map(basic).collect(),
            advanced: s.advanced_event_selectors().iter().map(advanced).collect(),
        });
        found.posture.trails.push(trail);
    }
    Ok(())
}

fn basic(s: &EventSelector) -> BasicSelector {
    BasicSelector {
        // CloudTrail's default when the selector leaves it out.
        read_write_type: s.read_write_type().map(|t| t.as_str()).unwrap_or("All").to_string(),
        include_management_events: s.include_management_events().unwrap_or(true),
        exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
    }
}

fn advanced(s: &AdvancedEventSelector) -> AdvancedSelector {
    AdvancedSelector {
        name: s.name().map(str::to_string),
        fields: s
            .field_selectors()
            .iter()
            .map(|f| FieldSelector {
                field: f.field().to_string(),
                equals: f.equals().to_vec(),
                not_equals: f.not_equals().to_vec(),
                starts_with: f.starts_with().to_vec(),
                not_starts_with: f.not_starts_with().to_vec(),
                ends_with: f.ends_with().to_vec(),
                not_ends_with: f.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

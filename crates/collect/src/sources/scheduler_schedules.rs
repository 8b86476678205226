//! EventBridge Scheduler schedules that run ECS tasks name the tasks' groups in
//! `Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups`. ListSchedules (every
//! schedule group at once when no group is named) gives only the target's ARN, so GetSchedule is called
//! for the schedules that can run a task in a VPC: those whose target is an ECS cluster (the templated
//! RunTask target) and those with a universal target (`arn:aws:scheduler:::aws-sdk:<service>:<action>`),
//! whose `Input` is the request of any API call (ecs:RunTask, ec2:RunInstances, ...): the group ids that
//! input names are taken as held. A schedule that targets a Lambda function, a queue or a topic holds no
//! group and is not read. A DISABLED schedule is a holder too: enabling it runs the same tasks.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "scheduler-schedules",
    service: "scheduler",
    description:
        "EventBridge Scheduler schedules that run ECS tasks (awsvpc SecurityGroups) or call an API naming groups",
    kinds: &[ResourceKind::SchedulerSchedule],
    actions: &[
        crate::probe!("scheduler:ListSchedules", |ctx| client!(ctx, aws_sdk_scheduler).list_schedules().max_results(1)),
        crate::probe!("scheduler:GetSchedule", |ctx| client!(ctx, aws_sdk_scheduler).get_schedule().name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_scheduler::operation::list_schedules::ListSchedulesOutput => next_token,
);

struct Schedule {
    group: Option<String>,
    name: String,
    id: String,
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let scheduler = client!(ctx, aws_sdk_scheduler);

    let mut schedules = Vec::new();
    let pages = scheduler.list_schedules().max_results(100).into_paginator().send();
    each_page(ctx, "scheduler:ListSchedules", pages, |page| {
        for schedule in page.schedules() {
            found.items += 1;
            let Some(name) = schedule.name() else {
                continue;
            };
            // Without a target ARN the schedule is read: nothing says it cannot hold a group.
            if schedule.target().is_some_and(|t| !t.arn().is_empty() && !may_hold_groups(t.arn())) {
                continue;
            }
            schedules.push(Schedule {
                group: schedule.group_name().map(str::to_string),
                name: name.to_string(),
                id: schedule.arn().unwrap_or(name).to_string(),
            });
        }
    })
    .await?;

    let scheduler = &scheduler;
    let read = describe_each(&schedules, |schedule| async move {
        match scheduler.get_schedule().name(&schedule.name).set_group_name(schedule.group.clone()).send().await {
            Ok(out) => Ok(Some(out)),
            // Deleted after the list (or at the end of its one run): it runs nothing any more.
            Err(e) if vanished(&e) => Ok(None),
            Err(e) => Err(ctx.fail("scheduler:GetSchedule", e)),
        }
    })
    .await?;

    for (schedule, out) in read {
        let Some(target) = out.target() else {
            continue;
        };
        let state = out.state().map_or_else(|| "in an unknown state".to_string(), |s| s.as_str().to_lowercase());
        if let Some(vpc) =
            target.ecs_parameters().and_then(|p| p.network_configuration()).and_then(|n| n.awsvpc_configuration())
        {
            let detail = format!("ECS target (awsvpc), schedule {state}");
            found.config_detail(ResourceKind::SchedulerSchedule, &schedule.id, &detail, vpc.security_groups());
        }
        if is_universal(target.arn()) {
            let groups = group_ids_in(target.input().unwrap_or_default());
            let detail = format!("input of universal target {}, schedule {state}", target.arn());
            found.config_detail(ResourceKind::SchedulerSchedule, &schedule.id, &detail, groups);
        }
    }
    Ok(())
}

/// Whether a schedule with this target can run something in a VPC: an ECS cluster, or a universal target.
fn may_hold_groups(target_arn: &str) -> bool {
    target_arn.split(':').nth(2) == Some("ecs") || is_universal(target_arn)
}

/// A universal target calls any API: `arn:aws:scheduler:::aws-sdk:ecs:runTask`.
fn is_universal(target_arn: &str) -> bool {
    let parts: Vec<&str> = target_arn.split(':').collect();
    parts.get(2) == Some(&"scheduler") && parts.get(5) == Some(&"aws-sdk")
}

/// The security group ids (`sg-` and 8 or 17 hex digits) written anywhere in a text: the input of a
/// universal target is the request of an API whose field names differ from service to service.
pub(super) fn group_ids_in(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("sg-") {
        let start = i + at;
        let hex_start = start + 3;
        let hex_len = bytes[hex_start..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let starts_word = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let ends_word = bytes.get(hex_start + hex_len).is_none_or(|b| !b.is_ascii_alphanumeric());
        if starts_word && ends_word && (hex_len == 8 || hex_len == 17) {
            ids.push(text[start..hex_start + hex_len].to_string());
        }
        i = hex_start;
    }
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_group_ids_in_a_universal_target_input() {
        let input = r#"{"Cluster":"c","NetworkConfiguration":{"AwsvpcConfiguration":{"SecurityGroups":["sg-0123456789abcdef0","sg-12345678"],"Subnets":["subnet-1"]}},"x":"asg-12345678","y":"sg-123"}"#;
        assert_eq!(group_ids_in(input), vec!["sg-0123456789abcdef0", "sg-12345678"]);
        assert!(group_ids_in("").is_empty());
    }

    #[test]
    fn reads_only_targets_that_can_hold_groups() {
        assert!(may_hold_groups("arn:aws:ecs:us-east-1:111122223333:cluster/c"));
        assert!(may_hold_groups("arn:aws:scheduler:::aws-sdk:ecs:runTask"));
        assert!(!may_hold_groups("arn:aws:lambda:us-east-1:111122223333:function:f"));
        assert!(!may_hold_groups("arn:aws:sqs:us-east-1:111122223333:q"));
    }
}

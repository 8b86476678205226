//! EventBridge rules whose targets run ECS tasks name the tasks' groups in
//! `Targets[].EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups`. Rules live on event
//! buses (the default one, custom and partner buses), so the buses are listed first, then each bus's rules,
//! then each rule's targets (ListRules does not return them). A DISABLED rule is a holder too: enabling it
//! runs the same tasks in the same groups.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::describe_each::{describe_each, vanished};
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "events-rules",
    service: "events",
    description: "EventBridge rules with ECS targets (awsvpc SecurityGroups), enabled or not",
    kinds: &[ResourceKind::EventsRule],
    actions: &[
        crate::probe!("events:ListEventBuses", |ctx| client!(ctx, aws_sdk_eventbridge).list_event_buses().limit(1)),
        crate::probe!("events:ListRules", |ctx| client!(ctx, aws_sdk_eventbridge).list_rules().limit(1)),
        crate::probe!("events:ListTargetsByRule", |ctx| client!(ctx, aws_sdk_eventbridge)
            .list_targets_by_rule()
            .rule(PROBE_NAME)
            .limit(1)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

struct Rule {
    bus: String,
    name: String,
    id: String,
    state: String,
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let events = client!(ctx, aws_sdk_eventbridge);

    let mut buses = Vec::new();
    let mut trail = ctx.pages("events:ListEventBuses");
    let mut next_token: Option<String> = None;
    loop {
        let page = events
            .list_event_buses()
            .limit(100)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("events:ListEventBuses", e))?;
        // By ARN: a partner bus's name is only unique with its account; the ARN is taken everywhere a name is.
        buses.extend(page.event_buses().iter().filter_map(|b| b.arn().or(b.name()).map(str::to_string)));
        match trail.follow(page.next_token())? {
            Some(token) => next_token = Some(token),
            None => break,
        }
    }

    let mut rules = Vec::new();
    for bus in &buses {
        let mut trail = ctx.pages("events:ListRules");
        let mut next_token: Option<String> = None;
        loop {
            let page =
                events.list_rules().event_bus_name(bus).limit(100).set_next_token(next_token.take()).send().await;
            let page = match page {
                Ok(page) => page,
                // The bus was deleted after the list: its rules went with it.
                Err(e) if vanished(&e) => break,
                Err(e) => return Err(ctx.fail("events:ListRules", e)),
            };
            for rule in page.rules() {
                let Some(name) = rule.name() else {
                    continue;
                };
                rules.push(Rule {
                    bus: bus.clone(),
                    name: name.to_string(),
                    id: rule.arn().unwrap_or(name).to_string(),
                    state: rule
                        .state()
                        .map_or_else(|| "in an unknown state".to_string(), |s| s.as_str().to_lowercase()),
                });
            }
            match trail.follow(page.next_token())? {
                Some(token) => next_token = Some(token),
                None => break,
            }
        }
    }

    let events = &events;
    let targets = describe_each(&rules, |rule| async move {
        let mut held = Vec::new();
        let mut trail = ctx.pages("events:ListTargetsByRule");
        let mut next_token: Option<String> = None;
        loop {
            let page = match events
                .list_targets_by_rule()
                .event_bus_name(&rule.bus)
                .rule(&rule.name)
                .limit(100)
                .set_next_token(next_token.take())
                .send()
                .await
            {
                Ok(page) => page,
                // Deleted after the rules were listed: it runs nothing any more.
                Err(e) if vanished(&e) => return Ok(None),
                Err(e) => return Err(ctx.fail("events:ListTargetsByRule", e)),
            };
            for target in page.targets() {
                let vpc = target
                    .ecs_parameters()
                    .and_then(|p| p.network_configuration())
                    .and_then(|n| n.awsvpc_configuration());
                if let Some(vpc) = vpc {
                    held.push((target.id().to_string(), vpc.security_groups().to_vec()));
                }
            }
            match trail.follow(page.next_token())? {
                Some(token) => next_token = Some(token),
                None => return Ok(Some(held)),
            }
        }
    })
    .await?;

    for (rule, held) in targets {
        found.items += 1;
        for (target, groups) in held {
            let detail = format!("ECS target {target} (awsvpc), rule {}", rule.state);
            found.config_detail(ResourceKind::EventsRule, &rule.id, &detail, groups);
        }
    }
    Ok(())
}

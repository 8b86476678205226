//! Elastic Beanstalk environments keep their groups in option settings: the instances' launch
//! configuration and the load balancer's. Beanstalk re-applies them on every update, so they are evidence
//! even while the group is absent from the current instances.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "elasticbeanstalk-environments",
    service: "elasticbeanstalk",
    description: "Elastic Beanstalk environments (their SecurityGroups option settings)",
    kinds: &[ResourceKind::ElasticbeanstalkEnvironment],
    actions: &[
        crate::probe!("elasticbeanstalk:DescribeEnvironments", |ctx| client!(ctx, aws_sdk_elasticbeanstalk)
            .describe_environments()
            .include_deleted(false)
            .max_records(1)),
        crate::probe!("elasticbeanstalk:DescribeConfigurationSettings", |ctx| client!(ctx, aws_sdk_elasticbeanstalk)
            .describe_configuration_settings()
            .application_name(PROBE_NAME)
            .environment_name(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_elasticbeanstalk::operation::describe_environments::DescribeEnvironmentsOutput => next_token,
);

/// Option names whose values are groups, in any namespace (`aws:autoscaling:launchconfiguration`,
/// `aws:elb:loadbalancer`, `aws:elbv2:loadbalancer`).
const GROUP_OPTIONS: &[&str] = &["SecurityGroups", "ManagedSecurityGroup"];

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let eb = client!(ctx, aws_sdk_elasticbeanstalk);
    // The SDK offers no paginator for DescribeEnvironments, so the token is followed by hand.
    let mut environments = Vec::new();
    let mut trail = ctx.pages("elasticbeanstalk:DescribeEnvironments");
    let mut token: Option<String> = None;
    loop {
        let out = eb
            .describe_environments()
            .include_deleted(false)
            .max_records(1000)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("elasticbeanstalk:DescribeEnvironments", e))?;
        environments.extend(out.environments().iter().cloned());
        match trail.follow(out.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }

    for env in &environments {
        found.items += 1;
        if env.status().is_some_and(|s| s.as_str() == "Terminated") {
            continue;
        }
        let (Some(app), Some(name)) = (env.application_name(), env.environment_name()) else {
            continue;
        };
        let id = env.environment_arn().unwrap_or(name);
        let out = eb
            .describe_configuration_settings()
            .application_name(app)
            .environment_name(name)
            .send()
            .await
            .map_err(|e| ctx.fail("elasticbeanstalk:DescribeConfigurationSettings", e))?;
        for settings in out.configuration_settings() {
            for option in settings.option_settings() {
                if !option.option_name().is_some_and(|n| GROUP_OPTIONS.contains(&n)) {
                    continue;
                }
                // Values may also name groups by name (a default VPC): those are matched by name when judging.
                let (ids, names): (Vec<&str>, Vec<&str>) = option
                    .value()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .partition(|g| g.starts_with("sg-"));
                let detail = format!(
                    "{} {}",
                    option.namespace().unwrap_or("unknown namespace"),
                    option.option_name().unwrap_or_default()
                );
                found.config_detail(ResourceKind::ElasticbeanstalkEnvironment, id, &detail, ids);
                found.config_names(ResourceKind::ElasticbeanstalkEnvironment, id, &detail, names);
            }
        }
    }
    Ok(())
}

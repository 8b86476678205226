//! AWS Security Agent agent spaces name the VPCs (and their groups, by ARN) that the agent tests from in
//! `awsResources.vpcs[].securityGroupArns`, and each pentest of a space can name its own in
//! `vpcConfig.securityGroupArns`: every job of the pentest runs in them. ListAgentSpaces and ListPentests
//! give ids only; BatchGetAgentSpaces and BatchGetPentests read them in batches. (A pentest job's own
//! `vpcConfig` is the record of one run.)

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{each_page, Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "securityagent-agent-spaces",
    service: "securityagent",
    description: "AWS Security Agent agent spaces and pentests with a VPC configuration (securityGroupArns)",
    kinds: &[ResourceKind::SecurityagentAgentSpace, ResourceKind::SecurityagentPentest],
    actions: &[
        crate::probe!("securityagent:ListAgentSpaces", |ctx| client!(ctx, aws_sdk_securityagent)
            .list_agent_spaces()
            .max_results(1)),
        crate::probe!("securityagent:BatchGetAgentSpaces", |ctx| client!(ctx, aws_sdk_securityagent)
            .batch_get_agent_spaces()
            .agent_space_ids(PROBE_NAME)),
        crate::probe!("securityagent:ListPentests", |ctx| client!(ctx, aws_sdk_securityagent)
            .list_pentests()
            .agent_space_id(PROBE_NAME)
            .max_results(1)),
        crate::probe!("securityagent:BatchGetPentests", |ctx| client!(ctx, aws_sdk_securityagent)
            .batch_get_pentests()
            .agent_space_id(PROBE_NAME)
            .pentest_ids(PROBE_NAME)),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

crate::next_page!(
    aws_sdk_securityagent::operation::list_agent_spaces::ListAgentSpacesOutput => next_token,
    aws_sdk_securityagent::operation::list_pentests::ListPentestsOutput => next_token,
);

/// Ids per batch read; the model gives no maximum, so a small one that any service limit allows.
const BATCH: usize = 20;

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let agent = client!(ctx, aws_sdk_securityagent);
    let mut spaces: Vec<String> = Vec::new();
    let pages = agent.list_agent_spaces().max_results(100).into_paginator().send();
    each_page(ctx, "securityagent:ListAgentSpaces", pages, |page| {
        spaces.extend(page.agent_space_summaries().iter().map(|s| s.agent_space_id().to_string()));
    })
    .await?;

    // Agent spaces deleted after the list come back in `notFound`: they hold nothing.
    for batch in spaces.chunks(BATCH) {
        let out = agent
            .batch_get_agent_spaces()
            .set_agent_space_ids(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| ctx.fail("securityagent:BatchGetAgentSpaces", e))?;
        for space in out.agent_spaces() {
            found.items += 1;
            let id = space.agent_space_id();
            for vpc in space.aws_resources().map(|r| r.vpcs()).unwrap_or_default() {
                let detail = format!("awsResources.vpcs ({})", vpc.vpc_arn().unwrap_or_default());
                found.config_arns(
                    ResourceKind::SecurityagentAgentSpace,
                    id,
                    Some(detail.as_str()),
                    vpc.security_group_arns(),
                );
            }
        }
    }

    for space in &spaces {
        let mut pentests: Vec<String> = Vec::new();
        let pages = agent.list_pentests().agent_space_id(space).max_results(100).into_paginator().send();
        each_page(ctx, "securityagent:ListPentests", pages, |page| {
            pentests.extend(page.pentest_summaries().iter().map(|p| p.pentest_id().to_string()));
        })
        .await?;
        for batch in pentests.chunks(BATCH) {
            let out = agent
                .batch_get_pentests()
                .agent_space_id(space)
                .set_pentest_ids(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| ctx.fail("securityagent:BatchGetPentests", e))?;
            for pentest in out.pentests() {
                found.items += 1;
                let Some(vpc) = pentest.vpc_config() else {
                    continue;
                };
                let detail = format!("vpcConfig, agent space {space}");
                found.config_arns(
                    ResourceKind::SecurityagentPentest,
                    pentest.pentest_id(),
                    Some(detail.as_str()),
                    vpc.security_group_arns(),
                );
            }
        }
    }
    Ok(())
}

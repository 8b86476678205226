//! Bedrock AgentCore resources that reach into a VPC: agent runtimes, browsers, code interpreters and
//! harnesses run with interfaces whose groups their network configuration names (`VpcConfig`); gateways,
//! gateway targets, agent runtimes, harnesses, OAuth2 credential providers, payment managers and registries
//! reach a private identity provider or target through a managed VPC resource (`privateEndpoint`, and the
//! per-domain `privateEndpointOverrides`), which names groups too. The lists give ids only; each resource
//! is described. An agent runtime's endpoints may serve versions older than the latest, whose network
//! configuration may differ: each version an endpoint serves is described too.

use std::collections::BTreeSet;

use aws_sdk_bedrockagentcorecontrol::types::{AuthorizerConfiguration, PrivateEndpoint, VpcConfig};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef, PROBE_NAME};

pub const SOURCE: SourceDef = SourceDef {
    id: "bedrock-agentcore-resources",
    service: "bedrock-agentcore-control",
    description: "Bedrock AgentCore runtimes, browsers, code interpreters, harnesses, gateways and their targets, \
                  OAuth2 credential providers, payment managers and registries (VPC configuration, private endpoints)",
    kinds: &[
        ResourceKind::AgentcoreAgentRuntime,
        ResourceKind::AgentcoreBrowser,
        ResourceKind::AgentcoreCodeInterpreter,
        ResourceKind::AgentcoreGateway,
        ResourceKind::AgentcoreGatewayTarget,
        ResourceKind::AgentcoreHarness,
        ResourceKind::AgentcoreOauth2CredentialProvider,
        ResourceKind::AgentcorePaymentManager,
        ResourceKind::AgentcoreRegistry,
    ],
    actions: &[
        crate::probe!("bedrock-agentcore:ListAgentRuntimes", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_agent_runtimes()
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetAgentRuntime", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_agent_runtime()
            .agent_runtime_id("sgaudit_preflight-0000000000")),
        crate::probe!("bedrock-agentcore:ListAgentRuntimeEndpoints", |ctx| client!(
            ctx,
            aws_sdk_bedrockagentcorecontrol
        )
        .list_agent_runtime_endpoints()
        .agent_runtime_id("sgaudit_preflight-0000000000")
        .max_results(1)),
        crate::probe!("bedrock-agentcore:ListBrowsers", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_browsers()
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetBrowser", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_browser()
            .browser_id("sgaudit_preflight-0000000000")),
        crate::probe!("bedrock-agentcore:ListCodeInterpreters", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_code_interpreters()
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetCodeInterpreter", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_code_interpreter()
            .code_interpreter_id("sgaudit_preflight-0000000000")),
        crate::probe!("bedrock-agentcore:ListHarnesses", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_harnesses()
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetHarness", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_harness()
            .harness_id("sgaudit_preflight-0000000000")),
        crate::probe!("bedrock-agentcore:ListGateways", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_gateways()
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetGateway", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_gateway()
            .gateway_identifier("sgaudit-preflight-0000000000")),
        crate::probe!("bedrock-agentcore:ListGatewayTargets", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_gateway_targets()
            .gateway_identifier("sgaudit-preflight-0000000000")
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetGatewayTarget", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_gateway_target()
            .gateway_identifier("sgaudit-preflight-0000000000")
            .target_id("0000000000")),
        crate::probe!("bedrock-agentcore:ListOauth2CredentialProviders", |ctx| client!(
            ctx,
            aws_sdk_bedrockagentcorecontrol
        )
        .list_oauth2_credential_providers()
        .max_results(1)),
        crate::probe!("bedrock-agentcore:GetOauth2CredentialProvider", |ctx| client!(
            ctx,
            aws_sdk_bedrockagentcorecontrol
        )
        .get_oauth2_credential_provider()
        .name(PROBE_NAME)),
        crate::probe!("bedrock-agentcore:ListPaymentManagers", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_payment_managers()
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetPaymentManager", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_payment_manager()
            .payment_manager_id("sgaudit-preflight-0000000000")),
        crate::probe!("bedrock-agentcore:ListRegistries", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .list_registries()
            .max_results(1)),
        crate::probe!("bedrock-agentcore:GetRegistry", |ctx| client!(ctx, aws_sdk_bedrockagentcorecontrol)
            .get_registry()
            .registry_id("sgauditpreflight")),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// Deleted between the list and the describe: it holds nothing any more.
fn vanished(err: &impl ProvideErrorMetadata) -> bool {
    err.code() == Some("ResourceNotFoundException")
}

fn vpc(found: &mut Found, kind: ResourceKind, id: &str, detail: &str, config: Option<&VpcConfig>) {
    if let Some(config) = config {
        found.config_detail(kind, id, detail, config.security_groups());
    }
}

fn private_endpoint(found: &mut Found, kind: ResourceKind, id: &str, detail: &str, endpoint: Option<&PrivateEndpoint>) {
    if let Some(PrivateEndpoint::ManagedVpcResource(managed)) = endpoint {
        found.config_detail(kind, id, detail, managed.security_group_ids());
    }
}

/// The managed VPC resources of a custom JWT authorizer's private endpoint and its per-domain overrides.
fn authorizer(found: &mut Found, kind: ResourceKind, id: &str, config: Option<&AuthorizerConfiguration>) {
    let Some(AuthorizerConfiguration::CustomJwtAuthorizer(jwt)) = config else {
        return;
    };
    private_endpoint(found, kind, id, "authorizer private endpoint", jwt.private_endpoint());
    for o in jwt.private_endpoint_overrides() {
        let detail = format!("authorizer private endpoint for {}", o.domain());
        private_endpoint(found, kind, id, &detail, o.private_endpoint());
    }
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let c = client!(ctx, aws_sdk_bedrockagentcorecontrol);

    // Agent runtimes: the latest version, and every version an endpoint serves.
    let mut runtimes = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListAgentRuntimes");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_agent_runtimes()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListAgentRuntimes", e))?;
        runtimes.extend(page.agent_runtimes().iter().map(|r| r.agent_runtime_id().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for runtime_id in &runtimes {
        let latest = match c.get_agent_runtime().agent_runtime_id(runtime_id).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetAgentRuntime", e)),
        };
        found.items += 1;
        let kind = ResourceKind::AgentcoreAgentRuntime;
        let id = latest.agent_runtime_arn().to_string();
        let network = latest.network_configuration().and_then(|n| n.network_mode_config());
        vpc(found, kind, &id, "networkConfiguration", network);
        authorizer(found, kind, &id, latest.authorizer_configuration());

        let mut served = BTreeSet::new();
        let mut trail = ctx.pages("bedrock-agentcore:ListAgentRuntimeEndpoints");
        let mut token: Option<String> = None;
        loop {
            let page = match c
                .list_agent_runtime_endpoints()
                .agent_runtime_id(runtime_id)
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) if vanished(&e) => break,
                Err(e) => return Err(ctx.fail("bedrock-agentcore:ListAgentRuntimeEndpoints", e)),
            };
            for endpoint in page.runtime_endpoints() {
                served.extend(endpoint.live_version().into_iter().chain(endpoint.target_version()).map(str::to_string));
            }
            match trail.follow(page.next_token())? {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        served.remove(latest.agent_runtime_version());
        for version in &served {
            let out =
                match c.get_agent_runtime().agent_runtime_id(runtime_id).agent_runtime_version(version).send().await {
                    Ok(out) => out,
                    Err(e) if vanished(&e) => continue,
                    Err(e) => return Err(ctx.fail("bedrock-agentcore:GetAgentRuntime", e)),
                };
            let network = out.network_configuration().and_then(|n| n.network_mode_config());
            vpc(
                found,
                kind,
                &id,
                &format!("networkConfiguration of version {version}, served by an endpoint"),
                network,
            );
            authorizer(found, kind, &id, out.authorizer_configuration());
        }
    }

    // Browsers.
    let mut ids = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListBrowsers");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_browsers()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListBrowsers", e))?;
        ids.extend(page.browser_summaries().iter().map(|b| b.browser_id().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for browser_id in &ids {
        let out = match c.get_browser().browser_id(browser_id).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetBrowser", e)),
        };
        found.items += 1;
        // A deleted browser is listed for a while; it holds nothing.
        if *out.status() == aws_sdk_bedrockagentcorecontrol::types::BrowserStatus::Deleted {
            continue;
        }
        let network = out.network_configuration().and_then(|n| n.vpc_config());
        vpc(found, ResourceKind::AgentcoreBrowser, out.browser_arn(), "networkConfiguration.vpcConfig", network);
    }

    // Code interpreters.
    let mut ids = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListCodeInterpreters");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_code_interpreters()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListCodeInterpreters", e))?;
        ids.extend(page.code_interpreter_summaries().iter().map(|i| i.code_interpreter_id().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for interpreter_id in &ids {
        let out = match c.get_code_interpreter().code_interpreter_id(interpreter_id).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetCodeInterpreter", e)),
        };
        found.items += 1;
        if *out.status() == aws_sdk_bedrockagentcorecontrol::types::CodeInterpreterStatus::Deleted {
            continue;
        }
        let network = out.network_configuration().and_then(|n| n.vpc_config());
        let id = out.code_interpreter_arn();
        vpc(found, ResourceKind::AgentcoreCodeInterpreter, id, "networkConfiguration.vpcConfig", network);
    }

    // Harnesses.
    let mut ids = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListHarnesses");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_harnesses()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListHarnesses", e))?;
        ids.extend(page.harnesses().iter().map(|h| h.harness_id().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for harness_id in &ids {
        let out = match c.get_harness().harness_id(harness_id).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetHarness", e)),
        };
        found.items += 1;
        let Some(harness) = out.harness() else {
            continue;
        };
        let kind = ResourceKind::AgentcoreHarness;
        if let Some(aws_sdk_bedrockagentcorecontrol::types::HarnessEnvironmentProvider::AgentCoreRuntimeEnvironment(
            env,
        )) = harness.environment()
        {
            let network = env.network_configuration().and_then(|n| n.network_mode_config());
            vpc(found, kind, harness.arn(), "environment.agentCoreRuntimeEnvironment.networkConfiguration", network);
        }
        authorizer(found, kind, harness.arn(), harness.authorizer_configuration());
    }

    // Gateways, and the targets of each.
    let mut ids = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListGateways");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_gateways()
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListGateways", e))?;
        ids.extend(page.items().iter().map(|g| g.gateway_id().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for gateway_id in &ids {
        let gateway = match c.get_gateway().gateway_identifier(gateway_id).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetGateway", e)),
        };
        found.items += 1;
        authorizer(found, ResourceKind::AgentcoreGateway, gateway.gateway_arn(), gateway.authorizer_configuration());

        let mut targets = Vec::new();
        let mut trail = ctx.pages("bedrock-agentcore:ListGatewayTargets");
        let mut token: Option<String> = None;
        loop {
            let page = match c
                .list_gateway_targets()
                .gateway_identifier(gateway_id)
                .max_results(1000)
                .set_next_token(token.take())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) if vanished(&e) => break,
                Err(e) => return Err(ctx.fail("bedrock-agentcore:ListGatewayTargets", e)),
            };
            targets.extend(page.items().iter().map(|t| t.target_id().to_string()));
            match trail.follow(page.next_token())? {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        for target_id in &targets {
            let target = match c.get_gateway_target().gateway_identifier(gateway_id).target_id(target_id).send().await {
                Ok(out) => out,
                Err(e) if vanished(&e) => continue,
                Err(e) => return Err(ctx.fail("bedrock-agentcore:GetGatewayTarget", e)),
            };
            found.items += 1;
            let id = format!("{}/target/{}", target.gateway_arn(), target.target_id());
            let kind = ResourceKind::AgentcoreGatewayTarget;
            private_endpoint(found, kind, &id, "privateEndpoint", target.private_endpoint());
        }
    }

    // OAuth2 credential providers (described by name).
    let mut names = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListOauth2CredentialProviders");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_oauth2_credential_providers()
            .max_results(20)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListOauth2CredentialProviders", e))?;
        names.extend(page.credential_providers().iter().map(|p| p.name().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for name in &names {
        let out = match c.get_oauth2_credential_provider().name(name).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetOauth2CredentialProvider", e)),
        };
        found.items += 1;
        let Some(aws_sdk_bedrockagentcorecontrol::types::Oauth2ProviderConfigOutput::CustomOauth2ProviderConfig(
            custom,
        )) = out.oauth2_provider_config_output()
        else {
            continue;
        };
        let kind = ResourceKind::AgentcoreOauth2CredentialProvider;
        let id = out.credential_provider_arn();
        private_endpoint(found, kind, id, "customOauth2ProviderConfig.privateEndpoint", custom.private_endpoint());
        for o in custom.private_endpoint_overrides() {
            let detail = format!("customOauth2ProviderConfig private endpoint for {}", o.domain());
            private_endpoint(found, kind, id, &detail, o.private_endpoint());
        }
    }

    // Payment managers.
    let mut ids = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListPaymentManagers");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_payment_managers()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListPaymentManagers", e))?;
        ids.extend(page.payment_managers().iter().map(|m| m.payment_manager_id().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for manager_id in &ids {
        let out = match c.get_payment_manager().payment_manager_id(manager_id).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetPaymentManager", e)),
        };
        found.items += 1;
        let kind = ResourceKind::AgentcorePaymentManager;
        authorizer(found, kind, out.payment_manager_arn(), out.authorizer_configuration());
    }

    // Registries.
    let mut ids = Vec::new();
    let mut trail = ctx.pages("bedrock-agentcore:ListRegistries");
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_registries()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("bedrock-agentcore:ListRegistries", e))?;
        ids.extend(page.registries().iter().map(|r| r.registry_id().to_string()));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for registry_id in &ids {
        let out = match c.get_registry().registry_id(registry_id).send().await {
            Ok(out) => out,
            Err(e) if vanished(&e) => continue,
            Err(e) => return Err(ctx.fail("bedrock-agentcore:GetRegistry", e)),
        };
        found.items += 1;
        authorizer(found, ResourceKind::AgentcoreRegistry, out.registry_arn(), out.authorizer_configuration());
    }
    Ok(())
}

//! DataSync names groups in two places: an agent activated through a PrivateLink (VPC service) endpoint
//! names the groups of that endpoint, and EFS and FSx locations name the groups of the interfaces DataSync
//! mounts them through, whenever a task runs. Both name groups by ARN. The lists give ARNs (and, for
//! locations, the URI whose scheme tells the type); each is described for its groups.

use futures::FutureExt;
use sgaudit_snapshot::{ResourceKind, SourceError};

use crate::client;
use crate::source::{Ctx, Found, SourceDef};

pub const SOURCE: SourceDef = SourceDef {
    id: "datasync-agents-locations",
    service: "datasync",
    description: "DataSync agents with a PrivateLink endpoint, and EFS and FSx locations (SecurityGroupArns)",
    kinds: &[ResourceKind::DatasyncAgent, ResourceKind::DatasyncLocation],
    actions: &[
        crate::probe!("datasync:ListAgents", |ctx| client!(ctx, aws_sdk_datasync).list_agents().max_results(1)),
        crate::probe!("datasync:DescribeAgent", |ctx| client!(ctx, aws_sdk_datasync)
            .describe_agent()
            .agent_arn(ctx.arn("datasync", "agent/agent-00000000000000000"))),
        crate::probe!("datasync:ListLocations", |ctx| client!(ctx, aws_sdk_datasync).list_locations().max_results(1)),
        crate::probe!("datasync:DescribeLocationEfs", |ctx| client!(ctx, aws_sdk_datasync)
            .describe_location_efs()
            .location_arn(ctx.arn("datasync", "location/loc-00000000000000000"))),
        crate::probe!("datasync:DescribeLocationFsxLustre", |ctx| client!(ctx, aws_sdk_datasync)
            .describe_location_fsx_lustre()
            .location_arn(ctx.arn("datasync", "location/loc-00000000000000000"))),
        crate::probe!("datasync:DescribeLocationFsxOntap", |ctx| client!(ctx, aws_sdk_datasync)
            .describe_location_fsx_ontap()
            .location_arn(ctx.arn("datasync", "location/loc-00000000000000000"))),
        crate::probe!("datasync:DescribeLocationFsxOpenZfs", |ctx| client!(ctx, aws_sdk_datasync)
            .describe_location_fsx_open_zfs()
            .location_arn(ctx.arn("datasync", "location/loc-00000000000000000"))),
        crate::probe!("datasync:DescribeLocationFsxWindows", |ctx| client!(ctx, aws_sdk_datasync)
            .describe_location_fsx_windows()
            .location_arn(ctx.arn("datasync", "location/loc-00000000000000000"))),
    ],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

/// The location types whose configuration names groups, by the scheme of their URI (`efs://`,
/// `fsxl://`, `fsxn-nfs://`, ...). The model allows any `fsx…` scheme: one not known here cannot be read,
/// which fails the source rather than pass over its groups.
#[derive(Debug, Clone, Copy)]
enum Holder {
    Efs,
    FsxLustre,
    FsxOntap,
    FsxOpenZfs,
    FsxWindows,
}

fn holder(uri: &str) -> Result<Option<Holder>, String> {
    let scheme = uri.split("://").next().unwrap_or_default().to_ascii_lowercase();
    Ok(Some(match scheme.as_str() {
        "efs" => Holder::Efs,
        "fsxl" => Holder::FsxLustre,
        "fsxw" => Holder::FsxWindows,
        "fsxz" => Holder::FsxOpenZfs,
        s if s.starts_with("fsxn") => Holder::FsxOntap,
        s if s.starts_with("fsx") => return Err(scheme),
        _ => return Ok(None),
    }))
}

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let datasync = client!(ctx, aws_sdk_datasync);

    let mut agents = Vec::new();
    let mut trail = ctx.pages("datasync:ListAgents");
    let mut token: Option<String> = None;
    loop {
        let page = datasync
            .list_agents()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("datasync:ListAgents", e))?;
        agents.extend(page.agents().iter().filter_map(|a| a.agent_arn().map(str::to_string)));
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for arn in &agents {
        // An offline agent keeps its endpoint and comes back through it.
        let agent =
            datasync.describe_agent().agent_arn(arn).send().await.map_err(|e| ctx.fail("datasync:DescribeAgent", e))?;
        found.items += 1;
        let groups = agent.private_link_config().map(|p| p.security_group_arns()).unwrap_or_default();
        found.config_arns(ResourceKind::DatasyncAgent, arn, Some("PrivateLinkConfig"), groups);
    }

    let mut locations = Vec::new();
    let mut trail = ctx.pages("datasync:ListLocations");
    let mut token: Option<String> = None;
    loop {
        let page = datasync
            .list_locations()
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| ctx.fail("datasync:ListLocations", e))?;
        for location in page.locations() {
            found.items += 1;
            let (Some(arn), Some(uri)) = (location.location_arn(), location.location_uri()) else {
                continue;
            };
            match holder(uri) {
                Ok(Some(kind)) => locations.push((arn.to_string(), kind)),
                Ok(None) => {}
                Err(scheme) => {
                    return Err(SourceError {
                        code: "unknown-location-type".to_string(),
                        message: format!(
                            "DataSync location {arn} is of a type ({scheme}://) whose groups sgaudit cannot read"
                        ),
                        action: Some("datasync:ListLocations".to_string()),
                        scp_deny: false,
                    })
                }
            }
        }
        match trail.follow(page.next_token())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for (arn, kind) in &locations {
        let (detail, groups): (&str, Vec<String>) = match kind {
            Holder::Efs => {
                let out = datasync
                    .describe_location_efs()
                    .location_arn(arn)
                    .send()
                    .await
                    .map_err(|e| ctx.fail("datasync:DescribeLocationEfs", e))?;
                (
                    "EFS location Ec2Config",
                    out.ec2_config().map(|c| c.security_group_arns().to_vec()).unwrap_or_default(),
                )
            }
            Holder::FsxLustre => {
                let out = datasync
                    .describe_location_fsx_lustre()
                    .location_arn(arn)
                    .send()
                    .await
                    .map_err(|e| ctx.fail("datasync:DescribeLocationFsxLustre", e))?;
                ("FSx for Lustre location", out.security_group_arns().to_vec())
            }
            Holder::FsxOntap => {
                let out = datasync
                    .describe_location_fsx_ontap()
                    .location_arn(arn)
                    .send()
                    .await
                    .map_err(|e| ctx.fail("datasync:DescribeLocationFsxOntap", e))?;
                ("FSx for ONTAP location", out.security_group_arns().to_vec())
            }
            Holder::FsxOpenZfs => {
                let out = datasync
                    .describe_location_fsx_open_zfs()
                    .location_arn(arn)
                    .send()
                    .await
                    .map_err(|e| ctx.fail("datasync:DescribeLocationFsxOpenZfs", e))?;
                ("FSx for OpenZFS location", out.security_group_arns().to_vec())
            }
            Holder::FsxWindows => {
                let out = datasync
                    .describe_location_fsx_windows()
                    .location_arn(arn)
                    .send()
                    .await
                    .map_err(|e| ctx.fail("datasync:DescribeLocationFsxWindows", e))?;
                ("FSx for Windows File Server location", out.security_group_arns().to_vec())
            }
        };
        found.config_arns(ResourceKind::DatasyncLocation, arn, Some(detail), groups);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_types_by_scheme() {
        assert!(matches!(holder("efs://us-east-1.fs-1/x"), Ok(Some(Holder::Efs))));
        assert!(matches!(holder("fsxz://us-west-2.fs-1/fsx/a"), Ok(Some(Holder::FsxOpenZfs))));
        assert!(matches!(holder("fsxn-nfs://us-east-1.fs-1/svm/vol"), Ok(Some(Holder::FsxOntap))));
        assert!(matches!(holder("s3://bucket/prefix"), Ok(None)));
        assert!(matches!(holder("smb://host/share"), Ok(None)));
        assert!(holder("fsxq://us-east-1.fs-1/").is_err());
    }
}

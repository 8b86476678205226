//! Why AWS refused a call, read from its error: explicitly or implicitly, and by which kind of policy (and
//! which policy, where AWS names it). One reading for a scan's coverage and for `sgaudit preflight`, so that
//! both say the same words and name the same policy.
//!
//! AWS's refusals read (IAM User Guide, "Troubleshoot access denied error messages"):
//! `User: <arn> is not authorized to perform: <action> [on resource: <arn>] with an explicit deny in a
//! service control policy[: <policy arn>]` or `... because no identity-based policy allows the <action>
//! action`, for identity-based, resource-based, service control and resource control policies,
//! permissions boundaries, session policies and VPC endpoint policies.

use serde::{Deserialize, Serialize};

use crate::SourceError;

/// The kind of policy that refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    Identity,
    ServiceControl,
    ResourceControl,
    PermissionsBoundary,
    Session,
    Resource,
    VpcEndpoint,
}

impl PolicyKind {
    /// How AWS's messages name it, after "an explicit deny in" / "because no".
    const PHRASES: &'static [(&'static str, PolicyKind)] = &[
        ("identity-based policy", PolicyKind::Identity),
        ("service control policy", PolicyKind::ServiceControl),
        ("resource control policy", PolicyKind::ResourceControl),
        ("permissions boundary", PolicyKind::PermissionsBoundary),
        ("session policy", PolicyKind::Session),
        ("resource-based policy", PolicyKind::Resource),
        ("vpc endpoint policy", PolicyKind::VpcEndpoint),
    ];

    /// `a service control policy`.
    pub fn with_article(self) -> &'static str {
        match self {
            PolicyKind::Identity => "an identity-based policy",
            PolicyKind::ServiceControl => "a service control policy",
            PolicyKind::ResourceControl => "a resource control policy",
            PolicyKind::PermissionsBoundary => "a permissions boundary",
            PolicyKind::Session => "a session policy",
            PolicyKind::Resource => "a resource-based policy",
            PolicyKind::VpcEndpoint => "a VPC endpoint policy",
        }
    }

    /// Whether the organization (not the account) owns it: a service control or resource control policy,
    /// which only the management account can change.
    pub fn is_organization_policy(self) -> bool {
        matches!(self, PolicyKind::ServiceControl | PolicyKind::ResourceControl)
    }
}

/// A refusal, as far as AWS's answer tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denial {
    /// A `Deny` statement matched (rather than no statement allowing).
    pub explicit: bool,
    /// The kind of policy, when AWS says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<PolicyKind>,
    /// The policy's ARN, when AWS gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
}

impl Denial {
    /// Reads AWS's words; `scp_deny` is what the scan recorded from the whole error chain.
    pub fn read(message: &str, scp_deny: bool) -> Denial {
        let lower = message.to_ascii_lowercase();
        let mut denial = Denial { explicit: false, by: None, policy_arn: None };
        let found = if let Some(at) = lower.find("explicit deny in ") {
            denial.explicit = true;
            Some(at + "explicit deny in ".len())
        } else {
            lower.find("because no ").map(|at| at + "because no ".len())
        };
        if let Some(start) = found {
            let rest = lower[start..].trim_start_matches("an ").trim_start_matches("a ");
            if let Some((phrase, kind)) = PolicyKind::PHRASES.iter().find(|(p, _)| rest.starts_with(p)) {
                denial.by = Some(*kind);
                // `...policy: arn:aws:...` (the ARN keeps its case: take it from the message itself).
                let after = start + (lower[start..].len() - rest.len()) + phrase.len();
                let tail = message[after..].trim_start();
                if let Some(arn) = tail.strip_prefix(':').map(str::trim_start).filter(|t| t.starts_with("arn:")) {
                    let end = arn.find(|c: char| c.is_whitespace()).unwrap_or(arn.len());
                    denial.policy_arn = Some(arn[..end].trim_end_matches(['.', ',', ';']).to_string());
                }
            }
        }
        if scp_deny && denial.by.is_none() {
            denial = Denial { explicit: true, by: Some(PolicyKind::ServiceControl), policy_arn: None };
        }
        denial
    }
}

/// `denied explicitly by a service control policy (arn:…)`, `denied implicitly: no identity-based policy
/// allows it`, or `denied` when AWS does not say why.
impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.explicit, self.by) {
            (true, Some(kind)) => write!(f, "denied explicitly by {}", kind.with_article())?,
            (true, None) => f.write_str("denied explicitly")?,
            (false, Some(kind)) => {
                let name = kind.with_article().trim_start_matches("an ").trim_start_matches("a ");
                write!(f, "denied implicitly: no {name} allows it")?
            }
            (false, None) => f.write_str("denied")?,
        }
        if let Some(arn) = &self.policy_arn {
            write!(f, " ({arn})")?;
        }
        Ok(())
    }
}

/// Error codes that mean "you may not", whatever the service.
pub const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "UnauthorizedException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "ForbiddenException",
];

/// Code given to a refusal read from the HTTP status alone.
pub const HTTP_FORBIDDEN: &str = "HttpForbidden";

impl SourceError {
    /// Why the call was refused, if it was: `None` for a call that failed otherwise (throttled, timed out,
    /// not found).
    pub fn denial(&self) -> Option<Denial> {
        let refused = self.scp_deny
            || DENIED_CODES.contains(&self.code.as_str())
            || self.code == HTTP_FORBIDDEN
            || self.code.ends_with("(HTTP 403)");
        refused.then(|| Denial::read(&self.message, self.scp_deny))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str, message: &str) -> Denial {
        let e = SourceError { code: code.into(), message: message.into(), action: None, scp_deny: false };
        e.denial().expect("a refusal")
    }

    // The messages below are AWS's, as its documentation and real answers give them.
    #[test]
    fn aws_refusals_are_read_as_explicit_or_implicit_and_by_what() {
        let implicit = refused(
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GetCredentialReport on \
             resource: * because no identity-based policy allows the iam:GetCredentialReport action",
        );
        assert_eq!(implicit, Denial { explicit: false, by: Some(PolicyKind::Identity), policy_arn: None });
        assert_eq!(implicit.to_string(), "denied implicitly: no identity-based policy allows it");

        let identity = refused(
            "AccessDenied",
            "User: arn:aws:sts::123456789012:assumed-role/Auditor/s is not authorized to perform: \
             iam:GetCredentialReport on resource: * with an explicit deny in an identity-based policy: \
             arn:aws:iam::123456789012:policy/deny-report",
        );
        assert!(identity.explicit);
        assert_eq!(identity.by, Some(PolicyKind::Identity));
        assert_eq!(identity.policy_arn.as_deref(), Some("arn:aws:iam::123456789012:policy/deny-report"));
        assert_eq!(
            identity.to_string(),
            "denied explicitly by an identity-based policy (arn:aws:iam::123456789012:policy/deny-report)"
        );

        let scp = refused(
            "AccessDeniedException",
            "User: arn:aws:sts::111122223333:assumed-role/sgaudit/s is not authorized to perform: \
             cloudtrail:DescribeTrails with an explicit deny in a service control policy",
        );
        assert_eq!(scp, Denial { explicit: true, by: Some(PolicyKind::ServiceControl), policy_arn: None });
        let scp_arn = refused(
            "UnauthorizedOperation",
            "You are not authorized to perform this operation. User: arn:aws:iam::111122223333:user/a is not \
             authorized to perform: ec2:DescribeSecurityGroups with an explicit deny in a service control policy: \
             arn:aws:organizations::999999999999:policy/o-abcdefghij/service_control_policy/p-abcdefgh. Encoded \
             authorization failure message: AbCd",
        );
        assert_eq!(
            scp_arn.policy_arn.as_deref(),
            Some("arn:aws:organizations::999999999999:policy/o-abcdefghij/service_control_policy/p-abcdefgh")
        );
        let scp_implicit = refused(
            "AccessDenied",
            "User: arn:aws:iam::1:user/a is not authorized to perform: s3:ListAllMyBuckets because no service \
             control policy allows the s3:ListAllMyBuckets action",
        );
        assert_eq!(scp_implicit.by, Some(PolicyKind::ServiceControl));
        assert!(!scp_implicit.explicit);

        let rcp = refused(
            "AccessDenied",
            "User: arn:aws:iam::1:user/a is not authorized to perform: s3:GetBucketPolicy on resource: \
             \"arn:aws:s3:::b\" with an explicit deny in a resource control policy",
        );
        assert_eq!(rcp.by, Some(PolicyKind::ResourceControl));
        assert!(rcp.by.unwrap().is_organization_policy());

        let boundary = refused(
            "AccessDenied",
            "User: arn:aws:iam::1:user/a is not authorized to perform: ec2:DescribeVpcs because no permissions \
             boundary allows the ec2:DescribeVpcs action",
        );
        assert_eq!(boundary.by, Some(PolicyKind::PermissionsBoundary));
        let boundary_deny = refused(
            "AccessDenied",
            "User: arn:aws:iam::1:user/a is not authorized to perform: ec2:DescribeVpcs with an explicit deny in a \
             permissions boundary",
        );
        assert!(boundary_deny.explicit);
        assert_eq!(boundary_deny.by, Some(PolicyKind::PermissionsBoundary));

        let session = refused(
            "AccessDenied",
            "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: rds:DescribeDBInstances because \
             no session policy allows the rds:DescribeDBInstances action",
        );
        assert_eq!(session.by, Some(PolicyKind::Session));
        let endpoint = refused(
            "AccessDenied",
            "User: arn:aws:iam::1:user/a is not authorized to perform: s3:GetBucketAcl with an explicit deny in a \
             VPC endpoint policy",
        );
        assert_eq!(endpoint.by, Some(PolicyKind::VpcEndpoint));
    }

    #[test]
    fn a_bare_refusal_is_a_denial_that_says_nothing_more_and_other_errors_are_none() {
        let bare = refused("HttpForbidden", "HTTP 403 with no error code or message");
        assert_eq!(bare, Denial { explicit: false, by: None, policy_arn: None });
        assert_eq!(bare.to_string(), "denied");
        assert!(refused("SignatureDoesNotMatch (HTTP 403)", "no").by.is_none());
        // The scan's flag from the whole error chain counts even when the message was cut short.
        let flagged = SourceError { code: "AccessDenied".into(), message: "cut".into(), action: None, scp_deny: true };
        assert_eq!(flagged.denial().unwrap().by, Some(PolicyKind::ServiceControl));
        for code in ["ThrottlingException", "ExpiredToken", "InvalidClientTokenId", "ResourceNotFoundException"] {
            let e = SourceError { code: code.into(), message: "x".into(), action: None, scp_deny: false };
            assert_eq!(e.denial(), None, "{code}");
        }
    }
}

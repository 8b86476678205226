//! The change that fixes a finding, ready to review: the AWS CLI commands, and a Terraform snippet of the
//! resulting rules where that is how the team works. sgaudit never applies one: `cleanup` remains the only
//! command that changes an account.
//!
//! Each check writes its own fix, next to its judgement ([`crate::checks::Fixer`]); the builders they share are
//! here: [`shell`] writes command lines whose every argument is quoted (group names, descriptions and policies
//! are AWS text, written by whoever could edit the account, and must never run as shell), [`terraform`] writes
//! HCL through `hcl-edit`'s syntax tree (so `"`, `\`, `${` and `%{` in such text stay text), and [`ec2`] turns a
//! group's rules into the `IpPermission`s a revoke names and the Terraform of the rules that stay.
//!
//! What the user must choose (the address range that may still reach SSH, a KMS key) is a shell variable of the
//! commands (`"$ADMIN_CIDR"`) and a Terraform variable of the snippet (`var.admin_cidr`), named in the summary:
//! a fix never guesses it.

use serde::Serialize;

pub mod ec2;
pub mod shell;
pub mod terraform;

/// A fix for one finding or check result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the change does, in a sentence or a few, naming the shell variables the commands need.
    pub summary: String,
    /// Commands, in the order to run them, one per entry: the AWS CLI's, or `sgaudit cleanup` for a group to
    /// delete (it keeps a backup and checks again before it deletes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cli: Vec<String>,
    /// A Terraform snippet of the rules as they should be after the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform: Option<String>,
}

impl Fix {
    /// A fix that is only words: no command applies.
    pub fn summary(summary: impl Into<String>) -> Fix {
        Fix { summary: summary.into(), cli: Vec::new(), terraform: None }
    }

    /// A fix of commands, without Terraform.
    pub fn commands(summary: impl Into<String>, cli: Vec<String>) -> Fix {
        Fix { summary: summary.into(), cli, terraform: None }
    }

    pub fn with_terraform(mut self, terraform: Option<String>) -> Fix {
        self.terraform = terraform;
        self
    }
}

/// The values users supply, by the shell variable the commands read and the Terraform variable the snippets
/// read: one name for one meaning across every fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// `ADMIN_CIDR`: written `"$ADMIN_CIDR"` in a command.
    pub shell: &'static str,
    /// `admin_cidr`: written `var.admin_cidr` in Terraform.
    pub terraform: &'static str,
    /// What it is, for the summary and the Terraform variable's description.
    pub meaning: &'static str,
}

/// The IPv4 range that may still reach an administration port (SSH, RDP): an office's or a VPN's egress.
pub const ADMIN_CIDR: Choice = Choice {
    shell: "ADMIN_CIDR",
    terraform: "admin_cidr",
    meaning: "the IPv4 range allowed to reach the port (your office or VPN egress, e.g. 203.0.113.0/24)",
};

/// The IPv6 range that may still reach an administration port.
pub const ADMIN_CIDR_V6: Choice = Choice {
    shell: "ADMIN_CIDR_V6",
    terraform: "admin_cidr_v6",
    meaning: "the IPv6 range allowed to reach the port (e.g. 2001:db8::/48)",
};

/// The IPv4 range that may still reach a port that is not an administration port.
pub const ALLOWED_CIDR: Choice = Choice {
    shell: "ALLOWED_CIDR",
    terraform: "allowed_cidr",
    meaning: "the IPv4 range that needs the port (the clients of the service, e.g. 198.51.100.0/24)",
};

/// The IPv6 range that may still reach a port that is not an administration port.
pub const ALLOWED_CIDR_V6: Choice = Choice {
    shell: "ALLOWED_CIDR_V6",
    terraform: "allowed_cidr_v6",
    meaning: "the IPv6 range that needs the port (e.g. 2001:db8::/48)",
};

/// The port a service really listens on, where a rule opens many.
pub const PORT: Choice =
    Choice { shell: "PORT", terraform: "port", meaning: "the port the service listens on (e.g. 443)" };

/// A customer managed KMS key.
pub const KMS_KEY_ARN: Choice = Choice {
    shell: "KMS_KEY_ARN",
    terraform: "kms_key_arn",
    meaning: "the ARN of a customer managed KMS key whose policy lets the service use it",
};

/// An access key id, which the credential report does not give (it numbers keys 1 and 2).
pub const ACCESS_KEY_ID: Choice = Choice {
    shell: "ACCESS_KEY_ID",
    terraform: "access_key_id",
    meaning: "the id of the access key (`aws iam list-access-keys` shows it, with its creation date)",
};

/// An S3 bucket for a new trail's logs.
pub const TRAIL_BUCKET: Choice = Choice {
    shell: "TRAIL_BUCKET",
    terraform: "trail_bucket",
    meaning: "an S3 bucket whose policy lets CloudTrail write to it",
};

/// The group that replaces a default group on its holders.
pub const NEW_GROUP_ID: Choice = Choice {
    shell: "NEW_GROUP_ID",
    terraform: "new_group_id",
    meaning: "the id of a group of your own, with just the rules the holders need",
};

/// ` Set ADMIN_CIDR to the IPv4 range ... before the commands that read it.`: the sentence that names what the
/// commands need (a Terraform snippet declares the same values as variables, with their meaning).
pub(crate) fn set_first(choices: &[Choice]) -> String {
    let mut seen: Vec<&Choice> = Vec::new();
    for c in choices {
        if !seen.iter().any(|s| s.shell == c.shell) {
            seen.push(c);
        }
    }
    let parts: Vec<String> = seen.iter().map(|c| format!("{} to {}", c.shell, c.meaning)).collect();
    match parts.as_slice() {
        [] => String::new(),
        _ => format!(" Set {} before the commands that read it.", parts.join("; ")),
    }
}

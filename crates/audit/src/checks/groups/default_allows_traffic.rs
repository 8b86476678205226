use super::RULES;
use crate::checks::{Check, Evaluate, Family, Fixer, Severity};
use crate::fix::terraform::{self, Resource, Value};
use crate::fix::{ec2, Fix};
use crate::GroupVerdict;

pub const CHECK: Check = Check {
    id: "sg-default-allows-traffic",
    title: "Default security group has rules",
    family: Family::Groups,
    severity: Severity::Medium,
    controls: &["AWS FSBP EC2.2", "CIS AWS v3.0.0 5.4", "CIS AWS v5.0.0 5.5"],
    description: "A VPC's default security group with any inbound or outbound rule.",
    remediation: "Remove every inbound and outbound rule of the VPC's default security group, after moving its resources to security groups of their own.",
    reads: RULES,
    evaluate: Evaluate::Group(|g| {
        let rules = g.group.ingress.len() + g.group.egress.len();
        (g.is_default && rules > 0).then(|| {
            (
                Severity::Medium,
                format!("default group {} has {rules} rule(s); it should allow no traffic", g.group.group_id),
            )
        })
    }),
    fix: Fixer::Group(fix),
};

/// Revoke every rule, both directions. In Terraform, `aws_default_security_group` with no rule blocks is the
/// default group with no rules: the provider removes the rest.
fn fix(g: &GroupVerdict) -> Option<Fix> {
    let all = ec2::entries(g.group);
    let summary = format!(
        "Revoke every rule of the default group {} ({} inbound, {} outbound permission(s)), after moving what uses \
         it to groups of their own (sg-default-in-use): then it admits nothing, and anything still given it by \
         default gets no access.",
        ec2::named(g.group),
        g.group.ingress.len(),
        g.group.egress.len()
    );
    let terraform =
        g.group.vpc_id.as_deref().map(|vpc| {
            terraform::file(&[Resource::new("aws_default_security_group", vpc).set("vpc_id", Value::str(vpc))])
        });
    Some(Fix::commands(summary, ec2::revoke(g.region, g.group, &all)).with_terraform(terraform))
}

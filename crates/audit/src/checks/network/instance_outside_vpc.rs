use crate::checks::{account_resource, resource, Check, Evaluate, Family, Fixer, Observation, Severity};

pub const CHECK: Check = Check {
    id: "net-instance-outside-vpc",
    title: "Instance runs outside a VPC (EC2-Classic)",
    family: Family::Network,
    severity: Severity::Medium,
    controls: &[],
    description: "Instances without a VPC id. AWS retired EC2-Classic in 2023, so this normally passes; the seed's \
                  re-check asks for it, and an old snapshot may still show some.",
    remediation: "Migrate the instance into a VPC (AWS's EC2-Classic migration guide), then terminate the Classic \
                  instance.",
    reads: &["ec2-instances"],
    evaluate: Evaluate::Region(|scope| {
        let region = scope.region.region.as_str();
        let classic = &scope.region.posture.instances_outside_vpc;
        if classic.is_empty() {
            return vec![Observation::pass(
                resource::ACCOUNT,
                account_resource(scope.account_id),
                format!("every instance of {region} runs in a VPC"),
            )
            .in_region(region)];
        }
        classic
            .iter()
            .map(|id| {
                let arn = format!("arn:{}:ec2:{region}:{}:instance/{id}", crate::partition(region), scope.account_id);
                Observation::fail(resource::EC2_INSTANCE, arn, format!("{id} has no VPC: it runs on EC2-Classic"))
                    .in_region(region)
            })
            .collect()
    }),
    // A migration (a new instance in a VPC from an image of the old one), not a command.
    fix: Fixer::None,
};

//! The account's applied quotas of security groups in the region, from Service Quotas (service code `vpc`):
//! inbound or outbound rules per security group (L-0EA8095F) and security groups per network interface
//! (L-2AFB9258). Two calls per account-region, never one per group. Service Quotas answers
//! `NoSuchResourceException` for a quota it holds no applied value of: that is evidence too (AWS's default
//! applies, and the snapshot says so with no value), not a failure. Any other error fails the source, and the
//! checks that read it are not evaluated.

use futures::FutureExt;
use sgaudit_snapshot::posture::{AppliedQuota, QUOTA_GROUPS_PER_INTERFACE, QUOTA_RULES_PER_GROUP};
use sgaudit_snapshot::SourceError;

use crate::client;
use crate::source::{service_code, Ctx, Found, SourceDef};

/// The service code of Amazon VPC in Service Quotas.
const SERVICE_CODE: &str = "vpc";

/// The quotas read, each with one call.
const QUOTAS: [&str; 2] = [QUOTA_RULES_PER_GROUP, QUOTA_GROUPS_PER_INTERFACE];

pub const SOURCE: SourceDef = SourceDef {
    id: "servicequotas-vpc",
    service: "servicequotas",
    description: "The applied quotas of rules per security group and security groups per network interface",
    kinds: &[],
    actions: &[crate::probe!("servicequotas:GetServiceQuota", |ctx| client!(ctx, aws_sdk_servicequotas)
        .get_service_quota()
        .service_code(SERVICE_CODE)
        .quota_code(QUOTA_RULES_PER_GROUP))],
    collect: |ctx, found| collect(ctx, found).boxed(),
};

async fn collect(ctx: &Ctx, found: &mut Found) -> Result<(), SourceError> {
    let quotas = client!(ctx, aws_sdk_servicequotas);
    for code in QUOTAS {
        let value = match quotas.get_service_quota().service_code(SERVICE_CODE).quota_code(code).send().await {
            Ok(out) => {
                found.items += 1;
                out.quota().and_then(|q| q.value()).and_then(whole)
            }
            Err(e) if service_code(&e) == Some("NoSuchResourceException") => None,
            Err(e) => return Err(ctx.fail("servicequotas:GetServiceQuota", e)),
        };
        found.posture.quotas.push(AppliedQuota {
            service_code: SERVICE_CODE.to_string(),
            code: code.to_string(),
            value,
        });
    }
    Ok(())
}

/// A quota of counts as a whole number. A value that is not one (or is out of range) says nothing, and the
/// default is used, as for a quota Service Quotas holds no value of.
fn whole(value: f64) -> Option<u32> {
    (value.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&value)).then_some(value as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_positive_values_are_quotas() {
        assert_eq!(whole(60.0), Some(60));
        assert_eq!(whole(10.0), Some(10));
        assert_eq!(whole(0.0), None);
        assert_eq!(whole(-5.0), None);
        assert_eq!(whole(60.5), None);
        assert_eq!(whole(f64::NAN), None);
        assert_eq!(whole(1e12), None);
    }
}

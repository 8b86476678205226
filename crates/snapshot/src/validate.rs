//! What a snapshot's identifiers must look like before anything judges or prints them.
//!
//! Judging keys on group ids (one that appears twice would get whichever verdict came last) and on
//! (account, region); every report prints account ids, regions and group ids, some of them to a terminal or
//! into line-oriented logs. A snapshot is a file anyone can hand to sgaudit, so these are checked when it is
//! loaded: a region holding a newline could forge lines of the text audit log, an account id of escape
//! sequences could drive the terminal. The checks are byte tests and one hash set, so that a snapshot of
//! 100,000 groups still loads in the benchmark's time.

use std::collections::{HashMap, HashSet};

use crate::Snapshot;

impl Snapshot {
    /// Checks the identifiers judging keys on and reports print:
    ///
    /// - `regions[].account_id` and each group's `owner_id`: 12 digits;
    /// - `accounts[].account_id`: 12 digits, or, for an account that could not be read (`error` set), where it
    ///   may be the name of the profile that failed, a non-empty string without control characters;
    /// - `regions[].region`: a region name (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`);
    /// - no two `regions` entries for the same account and region;
    /// - group ids: `sg-` and lowercase hex, each once in the whole snapshot;
    /// - VPC ids, where present: `vpc-` and lowercase hex.
    ///
    /// None of these can hold a control character (C0, DEL, C1). Returns the first problem found, in one
    /// line, with the offending value escaped.
    pub fn validate(&self) -> Result<(), String> {
        for (i, account) in self.accounts.iter().enumerate() {
            let id = account.account_id.as_str();
            let fine = if account.error.is_some() {
                is_account_id(id) || (!id.is_empty() && !id.chars().any(char::is_control))
            } else {
                is_account_id(id)
            };
            if !fine {
                let wanted = if account.error.is_some() {
                    "12 digits, or a profile name without control characters"
                } else {
                    "12 digits"
                };
                return Err(format!("accounts[{i}]: account id {} is not {wanted}", shown(id)));
            }
        }

        let mut places: HashSet<(&str, &str)> = HashSet::with_capacity(self.regions.len());
        let groups: usize = self.regions.iter().map(|r| r.security_groups.len()).sum();
        // Where each group id was first seen, to name both places of a duplicate.
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(groups);
        for (r, region) in self.regions.iter().enumerate() {
            if !is_account_id(&region.account_id) {
                return Err(format!("regions[{r}]: account id {} is not 12 digits", shown(&region.account_id)));
            }
            if !is_region(&region.region) {
                return Err(format!(
                    "regions[{r}] (account {}): region {} is not a region name like us-east-1",
                    region.account_id,
                    shown(&region.region)
                ));
            }
            // From here on the account id and region are known to be plain text, fit to be printed.
            let place = format!("{}/{}", region.account_id, region.region);
            if !places.insert((&region.account_id, &region.region)) {
                return Err(format!("account-region {place} appears more than once in regions"));
            }
            for group in &region.security_groups {
                let id = group.group_id.as_str();
                if !is_hex_id(id, "sg-") {
                    return Err(format!("group id {} in {place} is not sg- followed by lowercase hex", shown(id)));
                }
                if let Some(first) = seen.insert(id, r) {
                    let before = &self.regions[first];
                    return Err(format!(
                        "group {id} appears more than once (in {}/{} and in {place})",
                        before.account_id, before.region
                    ));
                }
                if !is_account_id(&group.owner_id) {
                    return Err(format!("group {id} in {place}: owner id {} is not 12 digits", shown(&group.owner_id)));
                }
                if let Some(vpc) = group.vpc_id.as_deref().filter(|v| !is_hex_id(v, "vpc-")) {
                    return Err(format!(
                        "group {id} in {place}: VPC id {} is not vpc- followed by lowercase hex",
                        shown(vpc)
                    ));
                }
            }
        }
        Ok(())
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `prefix` followed by one or more lowercase hex digits, as AWS writes resource ids.
fn is_hex_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// `^[a-z]{2,}(-[a-z]+)+-[0-9]+$`: every region in botocore's endpoints.json, `eusc-de-east-1` (the European
/// Sovereign Cloud, whose first part has four letters) included.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let letters = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    match parts.as_slice() {
        [first, middle @ .., last] if !middle.is_empty() => {
            first.len() >= 2
                && letters(first)
                && middle.iter().all(|p| letters(p))
                && !last.is_empty()
                && last.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// A value from the file, quoted and escaped (control characters as `\n`, `\u{1b}`, ...) and cut short, so a
/// message about it stays one harmless line.
fn shown(value: &str) -> String {
    const MAX: usize = 64;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}...", &value[..cut]),
        None => format!("{value:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        for ok in ["us-east-1", "us-gov-west-1", "eusc-de-east-1", "ap-southeast-7", "us-isob-east-1", "cn-north-1"] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in
            ["", "us", "us-1", "u-east-1", "us-east-", "US-east-1", "us-east-1a", "us--east-1", "us-east-1\n", "global"]
        {
            assert!(!is_region(bad), "{bad:?}");
        }
    }

    #[test]
    fn ids() {
        assert!(is_hex_id("sg-0123456789abcdef0", "sg-"));
        assert!(is_hex_id("sg-1a2b3c4d", "sg-"));
        for bad in ["sg-", "sg-web", "sg-0A", "sg-01 ", "vpc-01", "sg-0\u{1b}"] {
            assert!(!is_hex_id(bad, "sg-"), "{bad:?}");
        }
        assert!(is_account_id("123456789012"));
        for bad in ["12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"] {
            assert!(!is_account_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn shown_values_are_escaped_and_short() {
        assert_eq!(shown("a\nb\u{1b}[31m\u{9b}"), r#""a\nb\u{1b}[31m\u{9b}""#);
        let long = "x".repeat(1000);
        assert!(shown(&long).len() < 80);
        assert!(!shown(&"é".repeat(100)).is_empty(), "cut on a character boundary");
    }
}

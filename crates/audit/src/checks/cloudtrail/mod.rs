//! The CloudTrail checks, over each region's trails (`DescribeTrails` with shadow trails, so a multi-region
//! or organisation trail homed elsewhere is seen in every region it covers), with their status and
//! selectors.

use sgaudit_snapshot::posture::{EventSelectors, Trail};

use super::RegionScope;

pub mod kms_encryption;
pub mod log_validation;
pub mod region_logged;

pub(crate) const TRAILS: &[&str] = &["cloudtrail-trails"];

/// The trails a per-trail check judges in this region: those homed here, and those homed in a region the
/// snapshot does not hold for the account, in the first region it does hold (so each trail is judged once).
pub(crate) fn judged_here<'a>(scope: &RegionScope<'a>) -> impl Iterator<Item = &'a Trail> + 'a {
    let here = scope.region.region.as_str();
    let first = scope.account_regions.first().copied() == Some(here);
    let regions: Vec<String> = scope.account_regions.iter().map(|r| r.to_string()).collect();
    scope
        .region
        .posture
        .trails
        .iter()
        .filter(move |t| t.home_region == here || (first && !regions.contains(&t.home_region)))
}

/// Whether the selectors record management events, read and write, from every event source.
pub(crate) fn records_all_management_events(selectors: &EventSelectors) -> (bool, bool) {
    let (mut read, mut write) = (false, false);
    for s in
        selectors.basic.iter().filter(|s| s.include_management_events && s.exclude_management_event_sources.is_empty())
    {
        match s.read_write_type.as_str() {
            "All" => (read, write) = (true, true),
            "ReadOnly" => read = true,
            "WriteOnly" => write = true,
            _ => {}
        }
    }
    for s in &selectors.advanced {
        let management =
            s.fields.iter().any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"));
        // Any other field (an event source left out, ...) narrows what is recorded, except `readOnly`.
        let narrowed = s.fields.iter().any(|f| f.field != "eventCategory" && f.field != "readOnly");
        if !management || narrowed {
            continue;
        }
        match s.fields.iter().find(|f| f.field == "readOnly") {
            None => (read, write) = (true, true),
            Some(f) if f.equals.iter().any(|v| v == "true") => read = true,
            Some(f) if f.equals.iter().any(|v| v == "false") => write = true,
            Some(_) => {}
        }
    }
    (read, write)
}

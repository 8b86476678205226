//! `sgaudit mark`: record a use of a group that sgaudit cannot see (a false positive), or take it back. A marked
//! group is never planned for cleanup; its "unused" finding is muted with the mark's reason; and, while the
//! evidence still says unused, it counts in the history's false-positive rate.

use sgaudit_report::printable;
use sgaudit_store::Mark;

use crate::memory::{History, StoreArgs};
use crate::{clock, exit, Error};

#[derive(clap::Args)]
pub struct MarkArgs {
    /// The group: its id (`sg-0123456789abcdef0`).
    #[arg(value_name = "GROUP_ID", required_unless_present = "list")]
    group: Option<String>,
    /// The group is in use, though sgaudit found nothing that uses it (the only kind of mark so far: say it,
    /// so that the command reads as what it does).
    #[arg(long, required_unless_present_any = ["list", "remove"])]
    in_use: bool,
    /// Why: what uses it (required with --in-use).
    #[arg(long, required_if_eq("in_use", "true"))]
    reason: Option<String>,
    /// Who vouches for it (default: the login name of whoever runs the command).
    #[arg(long)]
    owner: Option<String>,
    /// The last day the mark holds (YYYY-MM-DD); after it, the group is judged on its evidence alone again.
    #[arg(long, value_name = "DATE")]
    expires: Option<String>,
    /// Take the mark of GROUP_ID back.
    #[arg(long, conflicts_with_all = ["in_use", "reason", "owner", "expires", "list"])]
    remove: bool,
    /// List the marks recorded.
    #[arg(long, conflicts_with_all = ["in_use", "reason", "owner", "expires"])]
    list: bool,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: MarkArgs, configured_store: Option<&str>) -> Result<u8, Error> {
    if args.store.no_store {
        return Err(Error::usage("--no-store: a mark is recorded in the store; there is nothing to do without one"));
    }
    if args.list {
        let history = History::to_read(&args.store, configured_store)?;
        let marks = history.marks()?;
        if marks.is_empty() {
            println!("no marks in {}", history.location.shown());
        }
        for m in &marks {
            println!(
                "{}  in use: {} (owner {}, marked {}{})",
                printable(&m.group_id),
                printable(&m.reason),
                printable(&m.owner),
                m.at,
                m.expires.as_deref().map(|e| format!(", until {e}")).unwrap_or_default()
            );
        }
        return Ok(exit::OK);
    }
    let group = args.group.unwrap_or_default();
    if !valid_group_id(&group) {
        return Err(Error::usage(format!(
            "{}: not a security group id (sg- followed by 8 or 17 hexadecimal digits)",
            printable(&group)
        )));
    }
    if args.remove {
        // A store must exist already: none is created to take a mark back from.
        drop(History::to_read(&args.store, configured_store)?);
        let history = History::to_write(&args.store, configured_store)?;
        let removed =
            history.block_on(history.store.remove_mark(&group)).map_err(|e| history.failed("writing to", e))?;
        if removed {
            eprintln!("sgaudit: the mark of {group} is taken back");
            return Ok(exit::OK);
        }
        return Err(Error::usage(format!("{group} has no mark in {}", history.location.shown())));
    }
    if let Some(date) = &args.expires {
        if !valid_date(date) {
            return Err(Error::usage(format!("--expires {}: not a date (YYYY-MM-DD)", printable(date))));
        }
    }
    let reason = args.reason.unwrap_or_default();
    if reason.trim().is_empty() {
        return Err(Error::usage("--reason is empty: say what uses the group"));
    }
    let owner = args.owner.unwrap_or_else(login_name);
    let history = History::to_write(&args.store, configured_store)?;
    let mark = Mark {
        group_id: group.clone(),
        account: None,
        region: None,
        reason,
        owner,
        at: clock::now_rfc3339(),
        expires: args.expires,
    };
    history.block_on(history.store.add_mark(&mark)).map_err(|e| history.failed("writing to", e))?;
    eprintln!(
        "sgaudit: {group} marked in use in {}: never planned for cleanup while the mark holds",
        history.location.shown()
    );
    Ok(exit::OK)
}

/// `sg-` and 8 or 17 lowercase hexadecimal digits, as EC2 names groups.
fn valid_group_id(id: &str) -> bool {
    id.strip_prefix("sg-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// `YYYY-MM-DD`, a real day.
fn valid_date(text: &str) -> bool {
    let mut parts = text.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else { return false };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else { return false };
    time::Month::try_from(m).is_ok_and(|m| time::Date::from_calendar_date(y, m, d).is_ok())
}

fn login_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn group_ids_and_dates() {
        assert!(super::valid_group_id("sg-0123456789abcdef0"));
        assert!(super::valid_group_id("sg-12345678"));
        assert!(!super::valid_group_id("sg-0123456789ABCDEF0"));
        assert!(!super::valid_group_id("i-0123456789abcdef0"));
        assert!(!super::valid_group_id("sg-123"));
        assert!(super::valid_date("2027-02-28"));
        assert!(!super::valid_date("2027-02-30"));
        assert!(!super::valid_date("28/02/2027"));
    }
}

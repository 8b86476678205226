//! Safe cleanup, the pure part: which groups may be deleted and what keeps the others (the plan), the order
//! that works for groups naming each other, the backup written before any delete, the deletion log, and
//! the id mapping of a restore. The AWS calls live in `sgaudit-collect`; the binary runs the steps.

pub mod apply;
pub mod backup;
pub mod log;
pub mod order;
pub mod plan;
pub mod restore;

pub use backup::{BackedUp, Backup};
pub use plan::{CreationWindow, Decision, Entry, Plan, Protections, Scope, TagRule};

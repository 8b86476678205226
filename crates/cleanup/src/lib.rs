//! Safe cleanup, the pure part: which groups may be deleted and what keeps the others (the plan, weighed
//! against AWS's answers and judged again from fresh evidence), the order that works for groups naming each
//! other, the apply sequence over an EC2 it is given, the backup written before any delete, the deletion
//! log, what people are shown, and the id mapping of a restore. The AWS calls live in `sgaudit-collect`
//! (which implements [`apply::Ec2`]); the binary parses the arguments, asks for the confirmation and wires
//! the steps together.

pub mod apply;
pub mod backup;
pub mod evidence;
pub mod fresh;
pub mod log;
pub mod order;
pub mod plan;
pub mod reason;
pub mod restore;
pub mod text;

pub use backup::{BackedUp, Backup};
pub use evidence::{Answer, CreationTimes, Peering, Question};
pub use plan::{Decision, Entry, GracePeriod, Plan, Protections, Scope, TagRule};
pub use reason::Reason;

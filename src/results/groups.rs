//! What `groups` reports. The command fills it; the output layer shows it.

use crate::domain::groups::Group;

pub(crate) struct GroupsResult {
    /// Most frequent first, `(other)` last.
    pub groups: Vec<Group>,
    /// Entries the selection kept.
    pub entries: u64,
    /// Entries read from the broker (before the selection).
    pub read: u64,
    pub warnings: Vec<String>,
}

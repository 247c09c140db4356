//! Who may manage an access group's members: a Company Admin (write on
//! access groups), or a Group Admin for the groups of the environments he
//! administers — write on group members is an Environment right, scoped to
//! his pools, so he may change a group only when every pool it holds is
//! his. Creating, renaming or deleting a group, or changing its pools,
//! stays with access groups (Company config).

use crate::catalogue::{Access, Operation};
use crate::decision::{Check, Decision, decide, decide_idx};
use crate::snapshot::Snapshot;
use crate::time::Instant;

/// Whether `actor` may change who is in group `group_id`, who administers
/// it and their elevated roles; the decision names its reason.
pub fn may_change_members(
    snapshot: &Snapshot,
    actor: &str,
    group_id: &str,
    now: Instant,
) -> Decision {
    let company_wide = decide(
        snapshot,
        actor,
        Check::Operation(Operation::AccessGroups, Access::Change),
        None,
        now,
    );
    let (Some(u), Some(group)) = (
        snapshot.user_idx(actor),
        snapshot.groups().iter().find(|g| g.id == group_id),
    ) else {
        return company_wide;
    };
    if company_wide.allowed || group.pools.is_empty() {
        return company_wide;
    }
    let check = Check::Operation(Operation::GroupMembers, Access::Change);
    let mut last = company_wide;
    for &p in &group.pools {
        last = decide_idx(snapshot, u, check, Some(p), now);
        if !last.allowed {
            return last;
        }
    }
    last
}

/// Whether `actor` may see group `group_id`: those who may view access
/// groups see every group; a Group Admin sees the groups he manages.
pub fn may_see_group(snapshot: &Snapshot, actor: &str, group_id: &str, now: Instant) -> bool {
    decide(
        snapshot,
        actor,
        Check::Operation(Operation::AccessGroups, Access::View),
        None,
        now,
    )
    .allowed
        || may_change_members(snapshot, actor, group_id, now).allowed
}

//! Indexing a whole company: the directory (users, pools, groups and what
//! memberships give), then every grant, request and delegation on it.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::index::{Csr, Interner, Shared, idx};
use super::temporal::Slots;
use super::{
    AccessEntry, Assignment, Directory, EntrySource, Group, GroupIdx, Member, Merged, Pool,
    PoolIdx, Snapshot, User, UserIdx,
};
use crate::email::email_key;
use crate::limits::Limits;
use crate::role::PoolLevel;
use crate::violation::{Code, Violation};
use crate::vocab::RequestSettings;
use crate::wire::{
    AgentPoolWire, AssignmentOverrideWire, GroupMemberWire, GroupWire, SnapshotWire, UserWire,
};

impl TryFrom<SnapshotWire> for Snapshot {
    type Error = Vec<Violation>;

    fn try_from(wire: SnapshotWire) -> Result<Snapshot, Vec<Violation>> {
        Snapshot::build(wire)
    }
}

impl Snapshot {
    /// Indexes a snapshot. Duplicate ids and references to unknown users or
    /// pools are violations, except inside grants: a filtered snapshot keeps
    /// every active grant's name and period but may hide whom it names.
    /// Each kind is indexed in turn (users and pools first: the others refer
    /// to them), every violation collected on the way; only a snapshot
    /// without any is assembled.
    pub fn build(wire: SnapshotWire) -> Result<Snapshot, Vec<Violation>> {
        let mut errors = Vec::new();
        let limits = checked_limits(wire.limits, &mut errors);
        let dir = directory(wire.users, wire.agent_pools, wire.groups, &mut errors);
        let users = dir.users.len();
        let mut snapshot = Snapshot {
            company_id: wire.company_id,
            rbac_enabled: wire.rbac_enabled,
            limits,
            dir: Arc::new(dir),
            grants: Slots::default(),
            requests: Slots::default(),
            delegations: Arc::new([]),
            delegation_wires: Arc::new([]),
            temporal: Shared::for_users(users),
            merged: Arc::new(Merged::empty()),
            stale: FxHashSet::default(),
        };
        snapshot.index_temporal(wire.grants, wire.requests, wire.delegations, &mut errors);
        if errors.is_empty() {
            snapshot.merged = Arc::new(Merged::of(&snapshot.dir, &snapshot.temporal));
            Ok(snapshot)
        } else {
            Err(errors)
        }
    }
}

/// Per user, while indexing the directory: what group memberships give.
#[derive(Clone, Debug, Default)]
struct UserLinks {
    assignments: Vec<Assignment>,
    /// Pools of the groups the user administers, sorted, with the group.
    admin_pools: Vec<(PoolIdx, GroupIdx)>,
}

/// Users, pools and groups indexed, every violation collected.
fn directory(
    users: Vec<UserWire>,
    pools: Vec<AgentPoolWire>,
    groups: Vec<GroupWire>,
    errors: &mut Vec<Violation>,
) -> Directory {
    let (user_index, users) = index_users(users, errors);
    let (pool_index, pools) = index_pools(pools, &user_index, errors);
    let ids = Ids {
        users: &user_index,
        pools: &pool_index,
    };
    let (group_index, groups) = index_groups(groups, ids, errors);
    let mut links: Vec<UserLinks> = vec![UserLinks::default(); users.len()];
    link_groups(&groups, &pools, &mut links);
    for l in &mut links {
        sort_by_pool(l);
    }
    let fixed = Csr::from_lists(links.iter().map(|l| fixed_entries(&l.assignments)));
    let fixed_pools = fixed.items.iter().map(|e| e.pool).collect();
    let user_hot = users.iter().map(|u| (u.enabled, u.roles)).collect();
    Directory {
        users,
        pools,
        groups,
        user_index,
        pool_index,
        user_hot,
        group_index,
        assignments: Csr::from_lists(links.iter_mut().map(|l| std::mem::take(&mut l.assignments))),
        admin_pools: Csr::from_lists(links.into_iter().map(|l| l.admin_pools)),
        fixed,
        fixed_pools,
    }
}

/// What a user's assignments give, by pool: standing access, and locks.
fn fixed_entries(assignments: &[Assignment]) -> Vec<AccessEntry> {
    let always = |pool, source, level| AccessEntry {
        pool,
        source,
        level,
        from_ms: i64::MIN,
        to_ms: i64::MAX,
    };
    let mut out = Vec::with_capacity(assignments.len());
    for a in assignments {
        if let Some((level, g)) = a.standing {
            out.push(always(a.pool, EntrySource::Standing(g), level));
        }
        if let Some((level, g)) = a.locked {
            out.push(always(a.pool, EntrySource::Locked(g), level));
        }
    }
    out
}

/// The snapshot's limits; invalid ones are reported under `limits.` and the
/// seed limits stand in, so that indexing goes on to find every other problem.
pub(super) fn checked_limits(limits: Limits, errors: &mut Vec<Violation>) -> Limits {
    match limits.validate() {
        Ok(l) => l,
        Err(v) => {
            errors.extend(v.into_iter().map(|mut v| {
                v.field = format!("limits.{}", v.field);
                v
            }));
            Limits::SEED
        }
    }
}

/// A user named by a reference of the snapshot: addresses match in any case.
#[inline]
fn find_user(users: &Interner, email: &str) -> Option<UserIdx> {
    users.get(&email_key(email)).map(UserIdx)
}

/// The users and pools indexed so far, which the later kinds refer to.
#[derive(Clone, Copy)]
pub(super) struct Ids<'a> {
    pub(super) users: &'a Interner,
    pub(super) pools: &'a Interner,
}

impl Ids<'_> {
    /// A user named by a reference of the snapshot, in any case.
    #[inline]
    pub(super) fn user(self, email: &str) -> Option<UserIdx> {
        find_user(self.users, email)
    }

    /// A pool named by a reference of the snapshot.
    #[inline]
    pub(super) fn pool(self, id: &str) -> Option<PoolIdx> {
        self.pools.get(id).map(PoolIdx)
    }
}

/// Users in order, interned by address key: an address given twice (in any
/// case) is a violation, and the later user is left out.
fn index_users(wire: Vec<UserWire>, errors: &mut Vec<Violation>) -> (Interner, Vec<User>) {
    let mut index = Interner::with_capacity(wire.len());
    let mut users = Vec::with_capacity(wire.len());
    for (i, u) in wire.into_iter().enumerate() {
        if !index.insert(&email_key(&u.email)) {
            errors.push(dup(format!("users[{i}].email"), &u.email));
            continue;
        }
        users.push(User {
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            enabled: u.enabled,
            roles: u.roles.into_iter().collect(),
        });
    }
    (index, users)
}

/// Pools in order, interned by id, each with its reviewers: a duplicate id
/// leaves the later pool out.
fn index_pools(
    wire: Vec<AgentPoolWire>,
    users: &Interner,
    errors: &mut Vec<Violation>,
) -> (Interner, Vec<Pool>) {
    let mut index = Interner::with_capacity(wire.len());
    let mut pools = Vec::with_capacity(wire.len());
    for (i, p) in wire.into_iter().enumerate() {
        if index.get(&p.id).is_some() {
            errors.push(dup(format!("agentPools[{i}].id"), &p.id));
            continue;
        }
        let reviewers = known_reviewers(i, &p.access_reviewers, users, errors);
        index.insert(&p.id);
        pools.push(Pool {
            id: p.id,
            name: p.name,
            description: p.description,
            request_settings: p.request_settings.map(RequestSettings::from),
            reviewers,
        });
    }
    (index, pools)
}

/// The access reviewers of pool `i`; an unknown one is a violation.
fn known_reviewers(
    i: usize,
    emails: &[String],
    users: &Interner,
    errors: &mut Vec<Violation>,
) -> Vec<UserIdx> {
    let mut reviewers = Vec::new();
    for (j, email) in emails.iter().enumerate() {
        match find_user(users, email) {
            Some(u) => reviewers.push(u),
            None => errors.push(unknown(
                format!("agentPools[{i}].accessReviewers[{j}]"),
                "user",
                email,
            )),
        }
    }
    reviewers
}

/// Groups in order, by id, each with its pools, members and request
/// overrides (in that order of checking): a duplicate id leaves the later
/// group out.
fn index_groups(
    wire: Vec<GroupWire>,
    ids: Ids<'_>,
    errors: &mut Vec<Violation>,
) -> (FxHashMap<Box<str>, GroupIdx>, Vec<Group>) {
    let mut index = FxHashMap::default();
    let mut groups = Vec::with_capacity(wire.len());
    for (i, g) in wire.into_iter().enumerate() {
        if index.contains_key(g.id.as_str()) {
            errors.push(dup(format!("groups[{i}].id"), &g.id));
            continue;
        }
        let group_pools = known_group_pools(i, &g.agent_pool_ids, ids, errors);
        let members = known_members(i, &g.members, ids, errors);
        let overrides = known_overrides(i, g.request_overrides, &group_pools, ids, errors);
        index.insert(g.id.clone().into_boxed_str(), GroupIdx(idx(groups.len())));
        groups.push(Group {
            id: g.id,
            name: g.name,
            pools: group_pools,
            level: g.roles.iter().copied().max(),
            members,
            overrides,
        });
    }
    (index, groups)
}

/// The pools of group `i`, sorted and distinct; an unknown one is a violation.
fn known_group_pools(
    i: usize,
    pool_ids: &[String],
    ids: Ids<'_>,
    errors: &mut Vec<Violation>,
) -> Vec<PoolIdx> {
    let mut group_pools = Vec::with_capacity(pool_ids.len());
    for (j, id) in pool_ids.iter().enumerate() {
        match ids.pool(id) {
            Some(p) => group_pools.push(p),
            None => errors.push(unknown(
                format!("groups[{i}].agentPoolIds[{j}]"),
                "agent pool",
                id,
            )),
        }
    }
    crate::order::sort(&mut group_pools);
    group_pools.dedup();
    group_pools
}

/// The members of group `i`, each with the highest level elevated to; an
/// unknown user is a violation.
fn known_members(
    i: usize,
    wire: &[GroupMemberWire],
    ids: Ids<'_>,
    errors: &mut Vec<Violation>,
) -> Vec<Member> {
    let mut members = Vec::with_capacity(wire.len());
    for (j, m) in wire.iter().enumerate() {
        match ids.user(&m.email) {
            Some(user) => members.push(Member {
                user,
                group_admin: m.group_admin,
                elevated: m.elevated_roles.iter().copied().max(),
            }),
            None => errors.push(unknown(
                format!("groups[{i}].members[{j}].email"),
                "user",
                &m.email,
            )),
        }
    }
    members
}

/// The request overrides of group `i`: an override of a pool the group does
/// not hold (`group_pools`, sorted) is a violation like an unknown pool.
fn known_overrides(
    i: usize,
    wire: Vec<AssignmentOverrideWire>,
    group_pools: &[PoolIdx],
    ids: Ids<'_>,
    errors: &mut Vec<Violation>,
) -> Vec<(PoolIdx, RequestSettings)> {
    let mut overrides = Vec::with_capacity(wire.len());
    for (j, o) in wire.into_iter().enumerate() {
        match ids.pool(&o.agent_pool_id) {
            Some(p) if group_pools.binary_search(&p).is_ok() => {
                overrides.push((p, RequestSettings::from(o.request_settings)))
            }
            _ => errors.push(unknown(
                format!("groups[{i}].requestOverrides[{j}].agentPoolId"),
                "agent pool of this group",
                &o.agent_pool_id,
            )),
        }
    }
    overrides
}

/// Per user: what each group membership gives on each pool of the group,
/// and the pools of the groups the user administers (unsorted).
fn link_groups(groups: &[Group], pools: &[Pool], links: &mut [UserLinks]) {
    for (gi, group) in groups.iter().enumerate() {
        let gi = GroupIdx(idx(gi));
        for member in &group.members {
            let Some(l) = links.get_mut(member.user.get()) else {
                continue;
            };
            let level = group.level.max(member.elevated);
            for &pool in &group.pools {
                if member.group_admin {
                    l.admin_pools.push((pool, gi));
                }
                l.assignments
                    .push(membership_assignment(group, gi, pool, level, pools));
            }
        }
    }
}

/// What one membership at `level` gives on one pool of the group: standing
/// access, or a lock when the assignment takes requests (an approved request
/// then gives the level, at least Standard).
#[inline]
fn membership_assignment(
    group: &Group,
    gi: GroupIdx,
    pool: PoolIdx,
    level: Option<PoolLevel>,
    pools: &[Pool],
) -> Assignment {
    let locked = group.settings_for(pool, pools).is_some_and(|s| s.enabled);
    if locked {
        Assignment {
            pool,
            standing: None,
            locked: Some((level.unwrap_or(PoolLevel::Standard), gi)),
        }
    } else {
        Assignment {
            pool,
            standing: level.map(|l| (l, gi)),
            locked: None,
        }
    }
}

/// A user's assignments and administered pools sorted by pool for binary
/// search, one of each per pool: the first group administering it, the best
/// standing and locked levels of every group holding it.
fn sort_by_pool(l: &mut UserLinks) {
    crate::order::sort(&mut l.admin_pools);
    l.admin_pools.dedup_by_key(|(p, _)| *p);
    crate::order::sort_by_key(&mut l.assignments, |a| a.pool);
    l.assignments.dedup_by(|later, first| {
        if later.pool != first.pool {
            return false;
        }
        first.standing = better(first.standing, later.standing);
        first.locked = better(first.locked, later.locked);
        true
    });
}

/// The key grant names are compared by: trimmed, lower case.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn better<T: Copy>(a: Option<(PoolLevel, T)>, b: Option<(PoolLevel, T)>) -> Option<(PoolLevel, T)> {
    match (a, b) {
        (Some(x), Some(y)) if y.0 > x.0 => Some(y),
        (Some(x), _) => Some(x),
        (None, y) => y,
    }
}

pub(super) fn dup(field: String, id: &str) -> Violation {
    Violation::new(
        field,
        Code::SnapshotDuplicate,
        format!("“{id}” appears more than once"),
    )
}

pub(super) fn unknown(field: String, what: &str, id: &str) -> Violation {
    Violation::new(
        field,
        Code::SnapshotReferenceUnknown,
        format!("no {what} “{id}” in the snapshot"),
    )
}

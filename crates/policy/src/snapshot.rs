//! The company snapshot, indexed once and queried many times: string ids are
//! interned to dense indices, every user carries a role mask, their pool
//! assignments (sorted by pool), the grants and requests naming them, and the
//! pools they administer.

use std::hash::Hasher;

use hashbrown::HashTable;
use rustc_hash::{FxHashMap, FxHasher};

use crate::email::email_key;
use crate::limits::{Limits, MAX_REQUEST_MINUTES};
use crate::role::{PoolLevel, Role, RoleSet};
use crate::time::Instant;
use crate::violation::{Code, Violation};
use crate::vocab::{RequestSettings, RequestStatus};
use crate::wire::{
    AccessRequestWire, AgentPoolWire, AssignmentOverrideWire, DelegationWire, GroupMemberWire,
    GroupWire, SnapshotWire, TempAccess, UserWire,
};

macro_rules! index_type {
    ($name:ident, $what:literal) => {
        #[doc = concat!("Dense index of a ", $what, " in a [`Snapshot`].")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            pub fn get(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(UserIdx, "user");
index_type!(PoolIdx, "agent pool");
index_type!(GroupIdx, "access group");
index_type!(GrantIdx, "grant");
index_type!(RequestIdx, "access request");

#[derive(Clone, Debug)]
pub struct User {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub enabled: bool,
    /// Every role recorded, live or inert.
    pub roles: RoleSet,
}

#[derive(Clone, Debug)]
pub struct Pool {
    pub id: String,
    pub name: String,
    pub description: String,
    pub request_settings: Option<RequestSettings>,
    pub reviewers: Vec<UserIdx>,
}

#[derive(Clone, Copy, Debug)]
pub struct Member {
    pub user: UserIdx,
    pub group_admin: bool,
    pub elevated: Option<PoolLevel>,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub pools: Vec<PoolIdx>,
    /// The highest pool role the group gives (`None`: it gives none).
    pub level: Option<PoolLevel>,
    pub members: Vec<Member>,
    pub overrides: Vec<(PoolIdx, RequestSettings)>,
}

impl Group {
    /// The request settings of this group's assignment of `pool`: the
    /// override, else the pool's default.
    pub fn settings_for<'a>(
        &'a self,
        pool: PoolIdx,
        pools: &'a [Pool],
    ) -> Option<&'a RequestSettings> {
        self.overrides
            .iter()
            .find(|(p, _)| *p == pool)
            .map(|(_, s)| s)
            .or_else(|| {
                pools
                    .get(pool.get())
                    .and_then(|p| p.request_settings.as_ref())
            })
    }
}

#[derive(Clone, Debug)]
pub struct Grant {
    pub wire: TempAccess,
    /// Trimmed, lower-case name: names are unique regardless of letter case.
    pub name_key: String,
    /// Known pools, sorted.
    pub pools: Vec<PoolIdx>,
    pub level: PoolLevel,
}

impl Grant {
    /// Active on `[createdAt, expirationDate)`.
    pub fn is_active(&self, now: Instant) -> bool {
        self.wire.created_at <= now && now < self.wire.expiration_date
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub wire: AccessRequestWire,
    pub requester: UserIdx,
    pub pool: PoolIdx,
}

#[derive(Clone, Copy, Debug)]
pub struct Delegation {
    pub from: UserIdx,
    pub to: UserIdx,
    pub starts_at: Instant,
    pub ends_at: Instant,
}

impl Delegation {
    pub fn is_active(&self, now: Instant) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// What a user's group memberships give on one pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub pool: PoolIdx,
    /// Standing access through an assignment without access requests.
    pub standing: Option<(PoolLevel, GroupIdx)>,
    /// The pool is locked for the user through an assignment with requests
    /// enabled: the level an approved request gives, and the group.
    pub locked: Option<(PoolLevel, GroupIdx)>,
}

#[derive(Clone, Debug, Default)]
struct UserLinks {
    assignments: Vec<Assignment>,
    grants: Vec<GrantIdx>,
    requests: Vec<RequestIdx>,
    /// Pools of the groups the user administers, sorted, with the group.
    admin_pools: Vec<(PoolIdx, GroupIdx)>,
}

/// Where an entry of a user's access list comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntrySource {
    /// Standing access through a group assignment without requests.
    Standing(GroupIdx),
    /// A group assignment with requests enabled: access needs a request.
    Locked(GroupIdx),
    Grant(GrantIdx),
    Request(RequestIdx),
}

/// One thing that gives (or could give) a user access to a pool, with the
/// period it is valid on in milliseconds, `[from, to)`. A user's entries are
/// sorted by pool, so a decision is one binary search in one contiguous slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub pool: PoolIdx,
    pub source: EntrySource,
    pub level: PoolLevel,
    pub from_ms: i64,
    pub to_ms: i64,
}

impl AccessEntry {
    /// Whether `now_ms` falls in the entry's period (standing and locked
    /// entries always do).
    #[inline]
    pub fn in_period(&self, now_ms: i64) -> bool {
        self.from_ms <= now_ms && now_ms < self.to_ms
    }

    /// The pool rule: the entry gives `need` at `now_ms` when it is not a
    /// lock, is in its period and its level is at least `need`.
    #[inline]
    pub fn gives(&self, need: PoolLevel, now_ms: i64) -> bool {
        !matches!(self.source, EntrySource::Locked(_))
            && self.level >= need
            && self.in_period(now_ms)
    }
}

/// Interned string ids: the keys in one arena, a hash table of indices.
/// A lookup touches the table and one key, both compact, so large
/// companies stay in cache.
#[derive(Clone, Default)]
struct Interner {
    arena: String,
    spans: Vec<(u32, u32)>,
    table: HashTable<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} keys)", self.spans.len())
    }
}

fn hash_key(key: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(key.as_bytes());
    h.finish()
}

fn span<'a>(arena: &'a str, spans: &[(u32, u32)], i: u32) -> &'a str {
    spans
        .get(i as usize)
        .and_then(|&(a, b)| arena.get(a as usize..b as usize))
        .unwrap_or_default()
}

impl Interner {
    fn with_capacity(n: usize) -> Interner {
        Interner {
            arena: String::with_capacity(n * 24),
            spans: Vec::with_capacity(n),
            table: HashTable::with_capacity(n),
        }
    }

    fn get(&self, key: &str) -> Option<u32> {
        self.table
            .find(hash_key(key), |&i| span(&self.arena, &self.spans, i) == key)
            .copied()
    }

    /// Adds `key` as the next index, or says it is already there.
    fn insert(&mut self, key: &str) -> bool {
        if self.get(key).is_some() {
            return false;
        }
        let Interner {
            arena,
            spans,
            table,
        } = self;
        let i = idx(spans.len());
        let start = idx(arena.len());
        arena.push_str(key);
        spans.push((start, idx(arena.len())));
        table.insert_unique(hash_key(key), i, |&j| hash_key(span(arena, spans, j)));
        true
    }
}

/// Per-user lists in one allocation each: `items[offsets[u]..offsets[u + 1]]`.
#[derive(Clone, Debug)]
struct Csr<T> {
    offsets: Vec<u32>,
    items: Vec<T>,
}

impl<T> Csr<T> {
    fn new() -> Csr<T> {
        Csr {
            offsets: vec![0],
            items: Vec::new(),
        }
    }

    fn from_lists(lists: impl IntoIterator<Item = Vec<T>>) -> Csr<T> {
        let mut csr = Csr::new();
        for list in lists {
            csr.items.extend(list);
            csr.offsets.push(idx(csr.items.len()));
        }
        csr
    }

    fn get(&self, i: usize) -> &[T] {
        let (a, b) = self.bounds(i);
        self.items.get(a..b).unwrap_or(&[])
    }

    /// Where list `i` lies in `items` (empty for an unknown `i`).
    #[inline]
    fn bounds(&self, i: usize) -> (usize, usize) {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        }
    }
}

/// An indexed company snapshot.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub company_id: String,
    pub rbac_enabled: bool,
    pub limits: Limits,
    pub users: Vec<User>,
    pub pools: Vec<Pool>,
    pub groups: Vec<Group>,
    pub grants: Vec<Grant>,
    pub requests: Vec<Request>,
    pub delegations: Vec<Delegation>,
    user_index: Interner,
    pool_index: Interner,
    /// Per user: enabled, and the roles recorded (the hot part of `users`).
    user_hot: Vec<(bool, RoleSet)>,
    group_index: FxHashMap<Box<str>, GroupIdx>,
    grant_index: FxHashMap<Box<str>, GrantIdx>,
    request_index: FxHashMap<Box<str>, RequestIdx>,
    assignments: Csr<Assignment>,
    user_grants: Csr<GrantIdx>,
    user_requests: Csr<RequestIdx>,
    admin_pools: Csr<(PoolIdx, GroupIdx)>,
    access: Csr<AccessEntry>,
    /// The pool of each entry of `access`, apart: a decision searches these
    /// compactly and touches one entry's data only for the pool asked.
    access_pools: Vec<PoolIdx>,
}

fn idx(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl TryFrom<SnapshotWire> for Snapshot {
    type Error = Vec<Violation>;

    fn try_from(wire: SnapshotWire) -> Result<Snapshot, Vec<Violation>> {
        Snapshot::build(wire)
    }
}

impl Snapshot {
    /// An empty company with the given RBAC setting and the seed limits.
    pub fn empty(rbac_enabled: bool) -> Snapshot {
        Snapshot {
            company_id: String::new(),
            rbac_enabled,
            limits: Limits::SEED,
            users: Vec::new(),
            pools: Vec::new(),
            groups: Vec::new(),
            grants: Vec::new(),
            requests: Vec::new(),
            delegations: Vec::new(),
            user_index: Interner::default(),
            pool_index: Interner::default(),
            user_hot: Vec::new(),
            group_index: FxHashMap::default(),
            grant_index: FxHashMap::default(),
            request_index: FxHashMap::default(),
            assignments: Csr::new(),
            user_grants: Csr::new(),
            user_requests: Csr::new(),
            admin_pools: Csr::new(),
            access: Csr::new(),
            access_pools: Vec::new(),
        }
    }

    /// Indexes a snapshot. Duplicate ids and references to unknown users or
    /// pools are violations, except inside grants: a filtered snapshot keeps
    /// every active grant's name and period but may hide whom it names.
    /// Each kind is indexed in turn (users and pools first: the others refer
    /// to them), every violation collected on the way; only a snapshot
    /// without any is assembled.
    pub fn build(wire: SnapshotWire) -> Result<Snapshot, Vec<Violation>> {
        let mut errors = Vec::new();
        let limits = checked_limits(wire.limits, &mut errors);
        let (user_index, users) = index_users(wire.users, &mut errors);
        let (pool_index, pools) = index_pools(wire.agent_pools, &user_index, &mut errors);
        let ids = Ids {
            users: &user_index,
            pools: &pool_index,
        };
        let (group_index, groups) = index_groups(wire.groups, ids, &mut errors);
        let mut links: Vec<UserLinks> = vec![UserLinks::default(); users.len()];
        let (grant_index, grants) = index_grants(wire.grants, ids, &mut links, &mut errors);
        let (request_index, requests) = index_requests(wire.requests, ids, &mut links, &mut errors);
        let delegations = index_delegations(&wire.delegations, ids, &mut errors);
        link_groups(&groups, &pools, &mut links);
        for l in &mut links {
            sort_by_pool(l);
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        let access = Csr::from_lists(links.iter().map(|l| access_list(l, &grants, &requests)));
        let access_pools = access.items.iter().map(|e| e.pool).collect();
        let user_hot = users.iter().map(|u| (u.enabled, u.roles)).collect();
        Ok(Snapshot {
            company_id: wire.company_id,
            rbac_enabled: wire.rbac_enabled,
            limits,
            users,
            pools,
            groups,
            grants,
            requests,
            delegations,
            user_hot,
            user_index,
            pool_index,
            group_index,
            grant_index,
            request_index,
            access,
            access_pools,
            assignments: Csr::from_lists(
                links.iter_mut().map(|l| std::mem::take(&mut l.assignments)),
            ),
            user_grants: Csr::from_lists(links.iter_mut().map(|l| std::mem::take(&mut l.grants))),
            user_requests: Csr::from_lists(
                links.iter_mut().map(|l| std::mem::take(&mut l.requests)),
            ),
            admin_pools: Csr::from_lists(links.into_iter().map(|l| l.admin_pools)),
        })
    }

    pub fn user_idx(&self, email: &str) -> Option<UserIdx> {
        self.user_index.get(&email_key(email)).map(UserIdx)
    }

    /// Looks a user up by an address already in key form (lower case).
    pub fn user_idx_by_key(&self, key: &str) -> Option<UserIdx> {
        self.user_index.get(key).map(UserIdx)
    }

    pub fn pool_idx(&self, id: &str) -> Option<PoolIdx> {
        self.pool_index.get(id).map(PoolIdx)
    }

    /// Whether the user is enabled, and the roles recorded.
    #[inline]
    pub fn user_flags(&self, u: UserIdx) -> Option<(bool, RoleSet)> {
        self.user_hot.get(u.get()).copied()
    }

    pub fn group_idx(&self, id: &str) -> Option<GroupIdx> {
        self.group_index.get(id).copied()
    }

    pub fn grant_idx(&self, id: &str) -> Option<GrantIdx> {
        self.grant_index.get(id).copied()
    }

    pub fn request_idx(&self, id: &str) -> Option<RequestIdx> {
        self.request_index.get(id).copied()
    }

    pub fn user(&self, u: UserIdx) -> Option<&User> {
        self.users.get(u.get())
    }

    #[inline]
    pub fn pool(&self, p: PoolIdx) -> Option<&Pool> {
        self.pools.get(p.get())
    }

    pub fn group(&self, g: GroupIdx) -> Option<&Group> {
        self.groups.get(g.get())
    }

    pub fn grant(&self, g: GrantIdx) -> Option<&Grant> {
        self.grants.get(g.get())
    }

    pub fn request(&self, r: RequestIdx) -> Option<&Request> {
        self.requests.get(r.get())
    }

    /// The user's roles that give something under the RBAC setting.
    pub fn live_roles(&self, u: UserIdx) -> RoleSet {
        self.user_flags(u)
            .map(|(_, roles)| roles.live(self.rbac_enabled))
            .unwrap_or_default()
    }

    /// Whether the user holds a role and it is live.
    pub fn has_live_role(&self, u: UserIdx, role: Role) -> bool {
        self.live_roles(u).contains(role)
    }

    /// What the user's groups give on `pool`.
    pub fn assignment(&self, u: UserIdx, pool: PoolIdx) -> Option<&Assignment> {
        let list = self.assignments.get(u.get());
        list.binary_search_by_key(&pool, |a| a.pool)
            .ok()
            .and_then(|i| list.get(i))
    }

    /// Every pool the user's groups reach.
    pub fn assignments(&self, u: UserIdx) -> &[Assignment] {
        self.assignments.get(u.get())
    }

    /// Grants naming the user (active or not).
    pub fn user_grants(&self, u: UserIdx) -> &[GrantIdx] {
        self.user_grants.get(u.get())
    }

    /// Requests made by the user.
    pub fn user_requests(&self, u: UserIdx) -> &[RequestIdx] {
        self.user_requests.get(u.get())
    }

    /// Everything that gives the user access to `pool`, in the order
    /// standing, locked, grants, requests.
    #[inline]
    pub fn access_entries(&self, u: UserIdx, pool: PoolIdx) -> &[AccessEntry] {
        let (start, end) = self.access.bounds(u.get());
        let keys = self.access_pools.get(start..end).unwrap_or(&[]);
        let first = lower_bound(keys, pool);
        let count = keys
            .get(first..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&k| k == pool)
            .count();
        self.access
            .items
            .get(start + first..start + first + count)
            .unwrap_or(&[])
    }

    /// The group through which the user administers `pool`, if any
    /// (membership as group admin; the Group Admin role is checked apart).
    pub fn administered_by(&self, u: UserIdx, pool: PoolIdx) -> Option<GroupIdx> {
        let list = self.admin_pools.get(u.get());
        list.binary_search_by_key(&pool, |(p, _)| *p)
            .ok()
            .and_then(|i| list.get(i))
            .map(|(_, g)| *g)
    }

    /// Pools of the groups the user administers.
    pub fn administered_pools(&self, u: UserIdx) -> impl Iterator<Item = PoolIdx> + '_ {
        self.admin_pools.get(u.get()).iter().map(|(p, _)| *p)
    }

    /// Grants active at `now`, except the one being replaced.
    pub fn active_grants(
        &self,
        now: Instant,
        except: Option<GrantIdx>,
    ) -> impl Iterator<Item = &Grant> {
        self.grants
            .iter()
            .enumerate()
            .filter(move |(i, g)| Some(GrantIdx(idx(*i))) != except && g.is_active(now))
            .map(|(_, g)| g)
    }
}

/// The first position in sorted `keys` whose key is not below `key`, without
/// branching on the keys: decisions come in any order, so the branches of a
/// binary search would be mispredicted half the time.
#[inline]
fn lower_bound(keys: &[PoolIdx], key: PoolIdx) -> usize {
    let mut base = 0;
    let mut len = keys.len();
    while len > 1 {
        let half = len / 2;
        if keys.get(base + half).is_some_and(|&k| k < key) {
            base += half;
        }
        len -= half;
    }
    base + usize::from(keys.get(base).is_some_and(|&k| k < key))
}

/// The snapshot's limits; invalid ones are reported under `limits.` and the
/// seed limits stand in, so that indexing goes on to find every other problem.
fn checked_limits(limits: Limits, errors: &mut Vec<Violation>) -> Limits {
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
struct Ids<'a> {
    users: &'a Interner,
    pools: &'a Interner,
}

impl Ids<'_> {
    /// A user named by a reference of the snapshot, in any case.
    #[inline]
    fn user(self, email: &str) -> Option<UserIdx> {
        find_user(self.users, email)
    }

    /// A pool named by a reference of the snapshot.
    #[inline]
    fn pool(self, id: &str) -> Option<PoolIdx> {
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

/// Grants in order, by id, each listed on the users it names. Unknown pools
/// and users of a grant are no violation (a filtered snapshot hides them):
/// they are left out. A duplicate id leaves the later grant out.
fn index_grants(
    wire: Vec<TempAccess>,
    ids: Ids<'_>,
    links: &mut [UserLinks],
    errors: &mut Vec<Violation>,
) -> (FxHashMap<Box<str>, GrantIdx>, Vec<Grant>) {
    let mut index = FxHashMap::default();
    let mut grants = Vec::with_capacity(wire.len());
    for (i, g) in wire.into_iter().enumerate() {
        if index.contains_key(g.id.as_str()) {
            errors.push(dup(format!("grants[{i}].id"), &g.id));
            continue;
        }
        let gi = GrantIdx(idx(grants.len()));
        let mut grant_pools: Vec<PoolIdx> = g
            .agent_pool_ids
            .iter()
            .filter_map(|p| ids.pool(p))
            .collect();
        crate::order::sort(&mut grant_pools);
        grant_pools.dedup();
        for email in &g.user_emails {
            if let Some(l) = ids.user(email).and_then(|u| links.get_mut(u.get()))
                && l.grants.last() != Some(&gi)
            {
                l.grants.push(gi);
            }
        }
        index.insert(g.id.clone().into_boxed_str(), gi);
        grants.push(Grant {
            name_key: name_key(&g.name),
            pools: grant_pools,
            level: g
                .roles
                .iter()
                .map(|r| r.0)
                .max()
                .unwrap_or(PoolLevel::Standard),
            wire: g,
        });
    }
    (index, grants)
}

/// Requests in order, by id, each listed on its requester. A request naming
/// an unknown requester or pool, or holding impossible values, is a
/// violation and left out, as is a duplicate id.
fn index_requests(
    wire: Vec<AccessRequestWire>,
    ids: Ids<'_>,
    links: &mut [UserLinks],
    errors: &mut Vec<Violation>,
) -> (FxHashMap<Box<str>, RequestIdx>, Vec<Request>) {
    let mut index = FxHashMap::default();
    let mut requests = Vec::with_capacity(wire.len());
    for (i, r) in wire.into_iter().enumerate() {
        if index.contains_key(r.id.as_str()) {
            errors.push(dup(format!("requests[{i}].id"), &r.id));
            continue;
        }
        let (Some(requester), Some(pool)) = (ids.user(&r.requester), ids.pool(&r.agent_pool_id))
        else {
            errors.push(unknown(
                format!("requests[{i}]"),
                "requester or agent pool",
                &format!("{} / {}", r.requester, r.agent_pool_id),
            ));
            continue;
        };
        if !request_values_valid(i, &r, errors) {
            continue;
        }
        let ri = RequestIdx(idx(requests.len()));
        if let Some(l) = links.get_mut(requester.get()) {
            l.requests.push(ri);
        }
        index.insert(r.id.clone().into_boxed_str(), ri);
        requests.push(Request {
            wire: r,
            requester,
            pool,
        });
    }
    (index, requests)
}

/// Whether request `i` holds possible values: the minutes asked in range, an
/// end after the approval. Every one that is not is a violation.
fn request_values_valid(i: usize, r: &AccessRequestWire, errors: &mut Vec<Violation>) -> bool {
    let found = errors.len();
    if !(1..=MAX_REQUEST_MINUTES).contains(&r.requested_minutes) {
        errors.push(Violation::new(
            format!("requests[{i}].requestedMinutes"),
            Code::SnapshotValueInvalid,
            format!(
                "request `{}` asks for {} minutes: 1 to {MAX_REQUEST_MINUTES}",
                r.id, r.requested_minutes
            ),
        ));
    }
    if r.approved_at.zip(r.ends_at).is_some_and(|(a, e)| e <= a) {
        errors.push(Violation::new(
            format!("requests[{i}].endsAt"),
            Code::SnapshotValueInvalid,
            format!("request `{}` ends at or before it was approved", r.id),
        ));
    }
    errors.len() == found
}

/// Delegations between known users; one naming an unknown user is a violation.
fn index_delegations(
    wire: &[DelegationWire],
    ids: Ids<'_>,
    errors: &mut Vec<Violation>,
) -> Vec<Delegation> {
    let mut delegations = Vec::with_capacity(wire.len());
    for (i, d) in wire.iter().enumerate() {
        match (ids.user(&d.from), ids.user(&d.to)) {
            (Some(from), Some(to)) => delegations.push(Delegation {
                from,
                to,
                starts_at: d.starts_at,
                ends_at: d.ends_at,
            }),
            _ => errors.push(unknown(
                format!("delegations[{i}]"),
                "user",
                &format!("{} / {}", d.from, d.to),
            )),
        }
    }
    delegations
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

/// A user's access list: assignments, grants and approved requests, by pool.
fn access_list(l: &UserLinks, grants: &[Grant], requests: &[Request]) -> Vec<AccessEntry> {
    let always = |pool, source, level| AccessEntry {
        pool,
        source,
        level,
        from_ms: i64::MIN,
        to_ms: i64::MAX,
    };
    let mut out = Vec::with_capacity(l.assignments.len() + l.grants.len());
    for a in &l.assignments {
        if let Some((level, g)) = a.standing {
            out.push(always(a.pool, EntrySource::Standing(g), level));
        }
        if let Some((level, g)) = a.locked {
            out.push(always(a.pool, EntrySource::Locked(g), level));
        }
    }
    for &gi in &l.grants {
        let Some(g) = grants.get(gi.get()) else {
            continue;
        };
        for &pool in &g.pools {
            out.push(AccessEntry {
                pool,
                source: EntrySource::Grant(gi),
                level: g.level,
                from_ms: g.wire.created_at.timestamp_millis(),
                to_ms: g.wire.expiration_date.timestamp_millis(),
            });
        }
    }
    for &ri in &l.requests {
        let Some(r) = requests.get(ri.get()) else {
            continue;
        };
        let (Some(from), Some(to)) = (r.wire.approved_at, r.wire.ends_at) else {
            continue;
        };
        let to_ms = to.timestamp_millis();
        let from_ms = match r.wire.status {
            RequestStatus::Approved => from.timestamp_millis(),
            // Ended: its period is over, whatever the clock of the surface says.
            RequestStatus::Ended => to_ms,
            _ => continue,
        };
        // An approved request gives what the locked assignment would give.
        let level = l
            .assignments
            .binary_search_by_key(&r.pool, |a| a.pool)
            .ok()
            .and_then(|i| l.assignments.get(i))
            .and_then(|a| a.locked)
            .map(|(level, _)| level)
            .unwrap_or(PoolLevel::Standard);
        out.push(AccessEntry {
            pool: r.pool,
            source: EntrySource::Request(ri),
            level,
            from_ms,
            to_ms,
        });
    }
    crate::order::sort_by_key(&mut out, |e| (e.pool, e.source));
    out
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

fn dup(field: String, id: &str) -> Violation {
    Violation::new(
        field,
        Code::SnapshotDuplicate,
        format!("`{id}` appears more than once"),
    )
}

fn unknown(field: String, what: &str, id: &str) -> Violation {
    Violation::new(
        field,
        Code::SnapshotReferenceUnknown,
        format!("no {what} `{id}` in the snapshot"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bound_agrees_with_a_binary_search() {
        // Every sorted list of up to 9 keys drawn from 0..4 (with repeats),
        // every key asked from 0..5.
        let mut lists: Vec<Vec<u32>> = vec![vec![]];
        for _ in 0..9 {
            let longer: Vec<Vec<u32>> = lists
                .iter()
                .filter(|l| l.len() < 9)
                .flat_map(|l| {
                    let last = l.last().copied().unwrap_or(0);
                    (last..4).map(move |k| {
                        let mut l = l.clone();
                        l.push(k);
                        l
                    })
                })
                .collect();
            lists.extend(longer);
            lists.sort();
            lists.dedup();
        }
        assert!(lists.len() > 200);
        for list in &lists {
            let keys: Vec<PoolIdx> = list.iter().map(|&k| PoolIdx(k)).collect();
            for key in 0..5 {
                let key = PoolIdx(key);
                assert_eq!(
                    lower_bound(&keys, key),
                    keys.partition_point(|&k| k < key),
                    "{list:?} {key:?}"
                );
            }
        }
    }
}

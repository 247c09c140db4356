//! The company snapshot, indexed once and queried many times: string ids are
//! interned to dense indices, every user carries a role mask, their pool
//! assignments (sorted by pool), the grants and requests naming them, and the
//! pools they administer.
//!
//! It is held in two parts. The directory (users, pools, groups, and what
//! group memberships give) is indexed once ([`build`]) and shared by every
//! snapshot made from it. Grants, requests and delegations are held per
//! user in lists a new snapshot shares with the one it was made from
//! ([`temporal`]): [`Snapshot::apply`] makes the snapshot after a write from
//! what the write changed, at a cost that does not grow with the company.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::email::email_key;
use crate::limits::Limits;
use crate::role::{PoolLevel, Role, RoleSet};
use crate::time::Instant;
use crate::vocab::RequestSettings;
use crate::wire::{AccessRequestWire, DelegationWire, TempAccess};

mod build;
mod index;
mod merged;
mod temporal;

pub use build::name_key;
pub use temporal::Changes;

use index::{Csr, Interner, Shared};
pub use merged::PoolLists;
use merged::{Merged, entries_for};
use temporal::{Slots, UserTemporal};

macro_rules! index_type {
    ($name:ident, $what:literal) => {
        #[doc = concat!("Dense index of a ", $what, " in a [“Snapshot”].")]
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
    /// Known users named, each once, in the order named.
    pub users: Vec<UserIdx>,
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

/// A user's entries for one pool: what group memberships give (standing,
/// locked), then grants and requests, sorted by source (in one part, or
/// two when the user's grants changed since the last indexing).
#[derive(Clone, Copy, Debug)]
pub struct Entries<'a> {
    fixed: &'a [AccessEntry],
    temporal: &'a [AccessEntry],
}

impl<'a> Entries<'a> {
    #[inline]
    pub fn iter(
        self,
    ) -> std::iter::Chain<std::slice::Iter<'a, AccessEntry>, std::slice::Iter<'a, AccessEntry>>
    {
        self.fixed.iter().chain(self.temporal)
    }

    pub fn is_empty(self) -> bool {
        self.fixed.is_empty() && self.temporal.is_empty()
    }
}

impl<'a> IntoIterator for Entries<'a> {
    type Item = &'a AccessEntry;
    type IntoIter =
        std::iter::Chain<std::slice::Iter<'a, AccessEntry>, std::slice::Iter<'a, AccessEntry>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Users, pools and groups indexed, and what group memberships give each
/// user: shared by every snapshot until one of them changes.
#[derive(Debug)]
struct Directory {
    users: Vec<User>,
    pools: Vec<Pool>,
    groups: Vec<Group>,
    user_index: Interner,
    pool_index: Interner,
    /// Per user: enabled, and the roles recorded (the hot part of `users`).
    user_hot: Vec<(bool, RoleSet)>,
    group_index: FxHashMap<Box<str>, GroupIdx>,
    assignments: Csr<Assignment>,
    admin_pools: Csr<(PoolIdx, GroupIdx)>,
    /// Per user, what memberships give (standing and locked entries).
    fixed: Csr<AccessEntry>,
    /// The pool of each entry of `fixed`, apart: a decision searches these
    /// compactly and touches one entry's data only for the pool asked.
    fixed_pools: Vec<PoolIdx>,
}

impl Directory {
    fn empty() -> Directory {
        Directory {
            users: Vec::new(),
            pools: Vec::new(),
            groups: Vec::new(),
            user_index: Interner::default(),
            pool_index: Interner::default(),
            user_hot: Vec::new(),
            group_index: FxHashMap::default(),
            assignments: Csr::new(),
            admin_pools: Csr::new(),
            fixed: Csr::new(),
            fixed_pools: Vec::new(),
        }
    }

    /// What the user's groups give on `pool`.
    fn assignment(&self, u: UserIdx, pool: PoolIdx) -> Option<&Assignment> {
        let list = self.assignments.get(u.get());
        list.binary_search_by_key(&pool, |a| a.pool)
            .ok()
            .and_then(|i| list.get(i))
    }
}

/// An indexed company snapshot.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub company_id: String,
    pub rbac_enabled: bool,
    pub limits: Limits,
    dir: Arc<Directory>,
    grants: Slots<Grant>,
    requests: Slots<Request>,
    delegations: Arc<[Delegation]>,
    delegation_wires: Arc<[DelegationWire]>,
    /// Per user: the grants naming them, their requests, and what those give.
    temporal: Shared<UserTemporal>,
    /// Per user, everything that gives access, as of the last indexing: a
    /// decision searches one flat list unless the user is `stale`.
    merged: Arc<Merged>,
    /// Users whose grants or requests changed since `merged` was made.
    stale: FxHashSet<u32>,
}

impl Snapshot {
    /// An empty company with the given RBAC setting and the seed limits.
    pub fn empty(rbac_enabled: bool) -> Snapshot {
        Snapshot {
            company_id: String::new(),
            rbac_enabled,
            limits: Limits::SEED,
            dir: Arc::new(Directory::empty()),
            grants: Slots::default(),
            requests: Slots::default(),
            delegations: Arc::new([]),
            delegation_wires: Arc::new([]),
            temporal: Shared::for_users(0),
            merged: Arc::new(Merged::empty()),
            stale: FxHashSet::default(),
        }
    }

    pub fn user_idx(&self, email: &str) -> Option<UserIdx> {
        self.dir.user_index.get(&email_key(email)).map(UserIdx)
    }

    /// Looks a user up by an address already in key form (lower case).
    pub fn user_idx_by_key(&self, key: &str) -> Option<UserIdx> {
        self.dir.user_index.get(key).map(UserIdx)
    }

    pub fn pool_idx(&self, id: &str) -> Option<PoolIdx> {
        self.dir.pool_index.get(id).map(PoolIdx)
    }

    /// Whether the user is enabled, and the roles recorded.
    #[inline]
    pub fn user_flags(&self, u: UserIdx) -> Option<(bool, RoleSet)> {
        self.dir.user_hot.get(u.get()).copied()
    }

    pub fn group_idx(&self, id: &str) -> Option<GroupIdx> {
        self.dir.group_index.get(id).copied()
    }

    pub fn grant_idx(&self, id: &str) -> Option<GrantIdx> {
        self.grants.find(id).map(GrantIdx)
    }

    pub fn request_idx(&self, id: &str) -> Option<RequestIdx> {
        self.requests.find(id).map(RequestIdx)
    }

    /// Every user, in order.
    pub fn users(&self) -> &[User] {
        &self.dir.users
    }

    /// Every agent pool, in order.
    pub fn pools(&self) -> &[Pool] {
        &self.dir.pools
    }

    /// Every access group, in order.
    pub fn groups(&self) -> &[Group] {
        &self.dir.groups
    }

    /// Every grant held (active or recently expired), oldest first.
    pub fn grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter().map(|(_, g)| g)
    }

    /// Every grant held with its index.
    pub fn grants_indexed(&self) -> impl Iterator<Item = (GrantIdx, &Grant)> {
        self.grants.iter().map(|(i, g)| (GrantIdx(i), g))
    }

    /// Every request held (open or recently ended), oldest first.
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        self.requests.iter().map(|(_, r)| r)
    }

    /// Every request held with its index.
    pub fn requests_indexed(&self) -> impl Iterator<Item = (RequestIdx, &Request)> {
        self.requests.iter().map(|(i, r)| (RequestIdx(i), r))
    }

    /// Delegations not yet ended.
    pub fn delegations(&self) -> &[Delegation] {
        &self.delegations
    }

    /// The delegations as they were given.
    pub fn delegation_wires(&self) -> &[DelegationWire] {
        &self.delegation_wires
    }

    /// Grants and requests removed whose places are kept so that every
    /// index stays valid, until [`Snapshot::compact`].
    pub fn removed(&self) -> usize {
        self.grants.removed() + self.requests.removed()
    }

    pub fn user(&self, u: UserIdx) -> Option<&User> {
        self.dir.users.get(u.get())
    }

    #[inline]
    pub fn pool(&self, p: PoolIdx) -> Option<&Pool> {
        self.dir.pools.get(p.get())
    }

    pub fn group(&self, g: GroupIdx) -> Option<&Group> {
        self.dir.groups.get(g.get())
    }

    pub fn grant(&self, g: GrantIdx) -> Option<&Grant> {
        self.grants.get(g.0)
    }

    pub fn request(&self, r: RequestIdx) -> Option<&Request> {
        self.requests.get(r.0)
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
        self.dir.assignment(u, pool)
    }

    /// Every pool the user's groups reach.
    pub fn assignments(&self, u: UserIdx) -> &[Assignment] {
        self.dir.assignments.get(u.get())
    }

    /// Grants naming the user (active or not).
    pub fn user_grants(&self, u: UserIdx) -> &[GrantIdx] {
        self.temporal.get(u.get()).map_or(&[], |t| &t.grants)
    }

    /// Requests made by the user.
    pub fn user_requests(&self, u: UserIdx) -> &[RequestIdx] {
        self.temporal.get(u.get()).map_or(&[], |t| &t.requests)
    }

    /// Everything that gives the user access to `pool`, in the order
    /// standing, locked, grants, requests.
    #[inline]
    pub fn access_entries(&self, u: UserIdx, pool: PoolIdx) -> Entries<'_> {
        if self.stale.is_empty() || !self.stale.contains(&u.0) {
            let m = &*self.merged;
            let (start, end) = m.access.bounds(u.get());
            let items = m.access.items.get(start..end).unwrap_or(&[]);
            let keys = m.pools.get(start..end).unwrap_or(&[]);
            return Entries {
                fixed: entries_for(items, keys, pool),
                temporal: &[],
            };
        }
        let dir = &*self.dir;
        let (start, end) = dir.fixed.bounds(u.get());
        let fixed = entries_for(
            dir.fixed.items.get(start..end).unwrap_or(&[]),
            dir.fixed_pools.get(start..end).unwrap_or(&[]),
            pool,
        );
        let temporal = match self.temporal.get(u.get()) {
            Some(t) => {
                let from = t.entries.partition_point(|e| e.pool < pool);
                let to = from
                    + t.entries
                        .get(from..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|e| e.pool == pool)
                        .count();
                t.entries.get(from..to).unwrap_or(&[])
            }
            None => &[],
        };
        Entries { fixed, temporal }
    }

    /// What pool decisions read, taken out of the snapshot once (see
    /// [`PoolLists`]).
    #[inline]
    pub fn pool_lists(&self) -> PoolLists<'_> {
        let m = &*self.merged;
        PoolLists {
            snapshot: self,
            hot: &self.dir.user_hot,
            pools: self.dir.pools.len(),
            rbac_enabled: self.rbac_enabled,
            fresh: self.stale.is_empty(),
            offsets: &m.access.offsets,
            keys: &m.pools,
            items: &m.access.items,
        }
    }

    /// The group through which the user administers `pool`, if any
    /// (membership as group admin; the Group Admin role is checked apart).
    pub fn administered_by(&self, u: UserIdx, pool: PoolIdx) -> Option<GroupIdx> {
        let list = self.dir.admin_pools.get(u.get());
        list.binary_search_by_key(&pool, |(p, _)| *p)
            .ok()
            .and_then(|i| list.get(i))
            .map(|(_, g)| *g)
    }

    /// Pools of the groups the user administers.
    pub fn administered_pools(&self, u: UserIdx) -> impl Iterator<Item = PoolIdx> + '_ {
        self.dir.admin_pools.get(u.get()).iter().map(|(p, _)| *p)
    }

    /// Grants active at `now`, except the one being replaced.
    pub fn active_grants(
        &self,
        now: Instant,
        except: Option<GrantIdx>,
    ) -> impl Iterator<Item = &Grant> {
        self.grants_indexed()
            .filter(move |(i, g)| Some(*i) != except && g.is_active(now))
            .map(|(_, g)| g)
    }
}

//! Grants, requests and delegations on an indexed directory, and the
//! snapshot after a write made from what the write changed.
//!
//! A grant or request keeps its index for the life of the directory: one
//! removed leaves its place empty, so that every other index (in a user's
//! lists, in a decision's reason) stays valid. Each user's lists are shared
//! with the snapshot a new one was made from until they change, so making
//! the snapshot after a write costs the users it names, not the company.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::build::{Ids, checked_limits, dup, unknown};
use super::index::idx;
use super::{
    AccessEntry, Delegation, EntrySource, Grant, GrantIdx, PoolIdx, Request, RequestIdx, Snapshot,
    UserIdx, name_key,
};
use crate::limits::{Limits, MAX_REQUEST_MINUTES};
use crate::role::PoolLevel;
use crate::violation::{Code, Violation};
use crate::vocab::RequestStatus;
use crate::wire::{AccessRequestWire, DelegationWire, TempAccess};

/// Items by index, with a place kept for each one removed, and an index by id.
#[derive(Clone, Debug)]
pub(super) struct Slots<T> {
    items: Vec<Option<Arc<T>>>,
    by_id: FxHashMap<Arc<str>, u32>,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Slots {
            items: Vec::new(),
            by_id: FxHashMap::default(),
        }
    }
}

impl<T> Slots<T> {
    #[inline]
    pub(super) fn get(&self, i: u32) -> Option<&T> {
        self.items.get(i as usize).and_then(Option::as_deref)
    }

    pub(super) fn find(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// Those held, by index.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, t)| Some((idx(i), t.as_deref()?)))
    }

    /// Places left empty by removals.
    pub(super) fn removed(&self) -> usize {
        self.items.len() - self.by_id.len()
    }

    /// Puts `item` at place `at`, or at a new place at the end.
    fn put(&mut self, id: &str, at: Option<u32>, item: T) -> u32 {
        let i = match at {
            Some(i) => i,
            None => {
                self.items.push(None);
                idx(self.items.len() - 1)
            }
        };
        if let Some(slot) = self.items.get_mut(i as usize) {
            *slot = Some(Arc::new(item));
        }
        self.by_id.insert(Arc::from(id), i);
        i
    }

    /// Empties place `i`.
    fn remove(&mut self, id: &str, i: u32) {
        if let Some(slot) = self.items.get_mut(i as usize) {
            *slot = None;
        }
        self.by_id.remove(id);
    }
}

/// One user's part of the grants and requests.
#[derive(Clone, Debug, Default)]
pub(super) struct UserTemporal {
    /// Grants naming the user, by index.
    pub(super) grants: Vec<GrantIdx>,
    /// Requests the user made, by index.
    pub(super) requests: Vec<RequestIdx>,
    /// What those give, sorted by pool then source.
    pub(super) entries: Vec<AccessEntry>,
}

impl UserTemporal {
    fn is_empty(&self) -> bool {
        self.grants.is_empty() && self.requests.is_empty()
    }

    fn sort(&mut self) {
        crate::order::sort_by_key(&mut self.entries, |e| (e.pool, e.source));
    }
}

/// What a write changed of the grants, requests, delegations and settings:
/// each grant or request named by id, as it now is (`None`: gone).
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub grants: Vec<(String, Option<TempAccess>)>,
    pub requests: Vec<(String, Option<AccessRequestWire>)>,
    /// Every delegation, when they changed.
    pub delegations: Option<Vec<DelegationWire>>,
    /// The settings, when they changed.
    pub settings: Option<(String, bool, Limits)>,
}

/// Whether users' lists are sorted as each changes, or once at the end.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sorting {
    Each,
    AtEnd,
}

impl Snapshot {
    /// The snapshot after a write that changed `changes`, made from this
    /// one: only the users the changed grants and requests name are
    /// touched. What [`Snapshot::build`] would refuse in the changed items
    /// is refused with the same violations (a request's field names its
    /// index in this snapshot).
    pub fn apply(&self, changes: Changes) -> Result<Snapshot, Vec<Violation>> {
        let mut next = self.clone();
        let mut errors = Vec::new();
        if let Some((company_id, rbac_enabled, limits)) = changes.settings {
            next.company_id = company_id;
            next.rbac_enabled = rbac_enabled;
            next.limits = checked_limits(limits, &mut errors);
        }
        for (id, grant) in changes.grants {
            let at = next.grants.find(&id);
            if let Some(i) = at {
                next.remove_grant(&id, GrantIdx(i));
            }
            if let Some(g) = grant {
                next.insert_grant(g, at, Sorting::Each);
            }
        }
        for (id, request) in changes.requests {
            let at = next.requests.find(&id);
            if let Some(i) = at {
                next.remove_request(&id, RequestIdx(i));
            }
            if let Some(r) = request {
                let i = at.map_or(next.requests.items.len(), |i| i as usize);
                if next.request_valid(i, &r, &mut errors) {
                    next.insert_request(r, at, Sorting::Each);
                }
            }
        }
        if let Some(d) = changes.delegations {
            next.index_delegations(d, &mut errors);
        }
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }

    /// Whether [`Snapshot::compact`] is worth its cost: more places of
    /// removed grants and requests kept than eight per one held (and
    /// 4,096), or more users whose grants changed since the last indexing
    /// than one in eight (and 1,024), whose decisions search two lists.
    pub fn worth_compacting(&self) -> bool {
        let held = self.grants.by_id.len() + self.requests.by_id.len();
        self.removed() > (8 * held).max(4096)
            || self.stale.len() > (self.dir.users.len() / 8).max(1024)
    }

    /// The same company with no place kept for removed grants and
    /// requests: those held are indexed again in order (the directory is
    /// shared). It answers exactly as `self`; only indices change.
    pub fn compact(&self) -> Snapshot {
        let mut next = Snapshot {
            grants: Slots::default(),
            requests: Slots::default(),
            temporal: super::index::Shared::for_users(self.dir.users.len()),
            stale: rustc_hash::FxHashSet::default(),
            ..self.clone()
        };
        for g in self.grants() {
            next.insert_grant(g.wire.clone(), None, Sorting::AtEnd);
        }
        for r in self.requests() {
            next.insert_request(r.wire.clone(), None, Sorting::AtEnd);
        }
        next.temporal.each_mut(UserTemporal::sort);
        next.merged = Arc::new(super::Merged::of(&next.dir, &next.temporal));
        next
    }

    /// Indexes every grant, request and delegation of a new snapshot.
    pub(super) fn index_temporal(
        &mut self,
        grants: Vec<TempAccess>,
        requests: Vec<AccessRequestWire>,
        delegations: Vec<DelegationWire>,
        errors: &mut Vec<Violation>,
    ) {
        for (i, g) in grants.into_iter().enumerate() {
            if self.grants.find(&g.id).is_some() {
                errors.push(dup(format!("grants[{i}].id"), &g.id));
            } else {
                self.insert_grant(g, None, Sorting::AtEnd);
            }
        }
        for (i, r) in requests.into_iter().enumerate() {
            if self.requests.find(&r.id).is_some() {
                errors.push(dup(format!("requests[{i}].id"), &r.id));
            } else if self.request_valid(i, &r, errors) {
                self.insert_request(r, None, Sorting::AtEnd);
            }
        }
        self.index_delegations(delegations, errors);
        self.temporal.each_mut(UserTemporal::sort);
    }

    fn ids(&self) -> Ids<'_> {
        Ids {
            users: &self.dir.user_index,
            pools: &self.dir.pool_index,
        }
    }

    /// Adds a grant at place `at` (else a new one), listed on the users it
    /// names. Unknown pools and users of a grant are no violation (a
    /// filtered snapshot hides them): they are left out.
    fn insert_grant(&mut self, g: TempAccess, at: Option<u32>, sorting: Sorting) {
        let ids = self.ids();
        let mut pools: Vec<PoolIdx> = g
            .agent_pool_ids
            .iter()
            .filter_map(|p| ids.pool(p))
            .collect();
        crate::order::sort(&mut pools);
        pools.dedup();
        let mut users: Vec<UserIdx> = Vec::with_capacity(g.user_emails.len());
        for u in g.user_emails.iter().filter_map(|e| ids.user(e)) {
            if !users.contains(&u) {
                users.push(u);
            }
        }
        let level = g
            .roles
            .iter()
            .map(|r| r.0)
            .max()
            .unwrap_or(PoolLevel::Standard);
        let gi = GrantIdx(self.grants.items.len() as u32);
        let gi = at.map_or(gi, GrantIdx);
        let (from_ms, to_ms) = (
            g.created_at.timestamp_millis(),
            g.expiration_date.timestamp_millis(),
        );
        for &u in &users {
            if sorting == Sorting::Each {
                self.stale.insert(u.0);
            }
            self.temporal.update(
                u.get(),
                |t| {
                    let at = t.grants.partition_point(|&x| x < gi);
                    t.grants.insert(at, gi);
                    t.entries.extend(pools.iter().map(|&pool| AccessEntry {
                        pool,
                        source: EntrySource::Grant(gi),
                        level,
                        from_ms,
                        to_ms,
                    }));
                    if sorting == Sorting::Each {
                        t.sort();
                    }
                },
                UserTemporal::is_empty,
            );
        }
        let id = g.id.clone();
        self.grants.put(
            &id,
            at,
            Grant {
                name_key: name_key(&g.name),
                pools,
                users,
                level,
                wire: g,
            },
        );
    }

    fn remove_grant(&mut self, id: &str, gi: GrantIdx) {
        let users = self
            .grants
            .get(gi.0)
            .map(|g| g.users.clone())
            .unwrap_or_default();
        for u in users {
            self.stale.insert(u.0);
            self.temporal.update(
                u.get(),
                |t| {
                    t.grants.retain(|&x| x != gi);
                    t.entries.retain(|e| e.source != EntrySource::Grant(gi));
                },
                UserTemporal::is_empty,
            );
        }
        self.grants.remove(id, gi.0);
    }

    /// Whether request `i` names a known requester and pool and holds
    /// possible values: the minutes asked in range, an end after the
    /// approval. Every one that does not is a violation.
    fn request_valid(&self, i: usize, r: &AccessRequestWire, errors: &mut Vec<Violation>) -> bool {
        let ids = self.ids();
        if ids.user(&r.requester).is_none() || ids.pool(&r.agent_pool_id).is_none() {
            errors.push(unknown(
                format!("requests[{i}]"),
                "requester or agent pool",
                &format!("{} / {}", r.requester, r.agent_pool_id),
            ));
            return false;
        }
        let found = errors.len();
        if !(1..=MAX_REQUEST_MINUTES).contains(&r.requested_minutes) {
            errors.push(Violation::new(
                format!("requests[{i}].requestedMinutes"),
                Code::SnapshotValueInvalid,
                format!(
                    "request “{}” asks for {} minutes: 1 to {MAX_REQUEST_MINUTES}",
                    r.id, r.requested_minutes
                ),
            ));
        }
        if r.approved_at.zip(r.ends_at).is_some_and(|(a, e)| e <= a) {
            errors.push(Violation::new(
                format!("requests[{i}].endsAt"),
                Code::SnapshotValueInvalid,
                format!("request “{}” ends at or before it was approved", r.id),
            ));
        }
        errors.len() == found
    }

    /// Adds a request (known requester and pool, checked before) at place
    /// `at` (else a new one), listed on its requester with what it gives.
    fn insert_request(&mut self, r: AccessRequestWire, at: Option<u32>, sorting: Sorting) {
        let ids = self.ids();
        let (Some(requester), Some(pool)) = (ids.user(&r.requester), ids.pool(&r.agent_pool_id))
        else {
            return;
        };
        let ri = RequestIdx(at.unwrap_or(self.requests.items.len() as u32));
        let entry = self.request_entry(requester, pool, ri, &r);
        if sorting == Sorting::Each {
            self.stale.insert(requester.0);
        }
        self.temporal.update(
            requester.get(),
            |t| {
                let at = t.requests.partition_point(|&x| x < ri);
                t.requests.insert(at, ri);
                t.entries.extend(entry);
                if sorting == Sorting::Each {
                    t.sort();
                }
            },
            UserTemporal::is_empty,
        );
        let id = r.id.clone();
        self.requests.put(
            &id,
            at,
            Request {
                wire: r,
                requester,
                pool,
            },
        );
    }

    /// What an approved (or ended) request gives: the level the locked
    /// assignment would give, over its period.
    fn request_entry(
        &self,
        requester: UserIdx,
        pool: PoolIdx,
        ri: RequestIdx,
        r: &AccessRequestWire,
    ) -> Option<AccessEntry> {
        let (from, to) = r.approved_at.zip(r.ends_at)?;
        let to_ms = to.timestamp_millis();
        let from_ms = match r.status {
            RequestStatus::Approved => from.timestamp_millis(),
            // Ended: its period is over, whatever the clock of the surface says.
            RequestStatus::Ended => to_ms,
            _ => return None,
        };
        let level = self
            .dir
            .assignment(requester, pool)
            .and_then(|a| a.locked)
            .map_or(PoolLevel::Standard, |(level, _)| level);
        Some(AccessEntry {
            pool,
            source: EntrySource::Request(ri),
            level,
            from_ms,
            to_ms,
        })
    }

    fn remove_request(&mut self, id: &str, ri: RequestIdx) {
        if let Some(requester) = self.requests.get(ri.0).map(|r| r.requester) {
            self.stale.insert(requester.0);
            self.temporal.update(
                requester.get(),
                |t| {
                    t.requests.retain(|&x| x != ri);
                    t.entries.retain(|e| e.source != EntrySource::Request(ri));
                },
                UserTemporal::is_empty,
            );
        }
        self.requests.remove(id, ri.0);
    }

    /// Delegations between known users; one naming an unknown user is a
    /// violation.
    fn index_delegations(&mut self, wire: Vec<DelegationWire>, errors: &mut Vec<Violation>) {
        let ids = self.ids();
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
        self.delegations = delegations.into();
        self.delegation_wires = wire.into();
    }
}
